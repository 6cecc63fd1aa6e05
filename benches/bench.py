#!/usr/bin/env python3
"""Comparative benchmark of ssgm's effective-access queries.

Compares three models built from the same deterministic directory:

* ``ssgm``        -- the Rust core through its Python API (``ssgm.Tenant``);
* ``pure Python`` -- a straightforward dict-and-set model written below, following
                     SPEC.md section 7 (applications reach direct members of assigned
                     groups, sites reach transitive members, blocks override grants,
                     disabled users have no access);
* ``casbin``      -- pycasbin RBAC (``g`` = user -> group, ``p`` = group/user -> application,
                     deny rules for blocks and disabled users). Applications only: casbin's
                     role hierarchy is transitive, so it cannot express the application/site
                     distinction (R-7.4).

It first checks that the models agree on a sample of (user, resource) pairs and on
``who_has_access`` (exit 2 if not), then times them side by side and prints a table with the
project's targets. Missed targets do not change the exit status: it is a benchmark, not a test.

    python benches/bench.py                 # 10k users, 1k groups, 100 applications
    python benches/bench.py --quick         # 1k users: a few seconds
    python benches/bench.py --users 20000 --json results.json
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import importlib
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import threading
import time
import tracemalloc
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple


def _optional(name: str) -> Tuple[Any, Optional[str]]:
    try:
        return importlib.import_module(name), None
    except ImportError as exc:  # reported in the output
        return None, str(exc)


ssgm, SSGM_IMPORT_ERROR = _optional("ssgm")  # the subject of the benchmark
casbin, CASBIN_IMPORT_ERROR = _optional("casbin")  # optional: `pip install casbin`

SEED = 20160614
DISAGREEMENT_EXIT = 2

# --------------------------------------------------------------------------------------------
# Configuration and data
# --------------------------------------------------------------------------------------------


def make_config(users: int, quick: bool) -> Dict[str, Any]:
    """Sizes scale with the number of users (10k users: 1k groups, 100 applications)."""
    groups = max(10, users // 10)
    return {
        "users": users,
        "groups": groups,  # ordinary groups; "All staff" comes on top
        "applications": max(2, users // 100),
        "sites": max(2, users // 1000),
        "groups_per_user": min(5, groups),
        "groups_per_application": min(10, groups),
        "users_per_application": 3,  # direct user assignments
        "groups_per_site": 3,
        "users_per_site": 2,
        "nesting_parents": max(2, groups // 10),  # groups that contain 2 other groups
        "children_per_parent": 2,
        "blocked_users": max(1, users // 100),  # 1% blocked from an application they reach
        "disabled_users": max(2, users // 2000),
        "quick": quick,
        # measurement sizes
        "pairs": 1000 if quick else 5000,  # has_access loop (ssgm, pure Python)
        "casbin_pairs": 100 if quick else 500,
        "batch": 10_000,  # has_access_many batch size
        "batch_calls": 2 if quick else 5,  # calls per thread in the thread test
        "repeats": 3 if quick else 7,
        "build_repeats": 1 if quick else 3,
        "who_repeats": 3 if quick else 7,
        "agreement_pairs": 1000 if quick else 5000,
    }


def uid(i: int) -> str:
    return f"u{i:06d}"


def upn(i: int) -> str:
    return f"user{i:06d}@bench.example"


def gid(i: int) -> str:
    return f"g{i:05d}"


ALL_STAFF_ID = "g-all-staff"


def aid(i: int) -> str:
    return f"a{i:04d}"


def sid(i: int) -> str:
    return f"s{i:04d}"


def generate(cfg: Dict[str, Any], seed: int = SEED) -> Dict[str, Any]:
    """Deterministic `import_directory` data (SPEC R-8.5).

    Group members are referenced by user id, "All staff" members and blocked users by upn,
    so both reference paths of the import are exercised.
    """
    rng = random.Random(seed)
    n_users, n_groups = cfg["users"], cfg["groups"]

    disabled = set(rng.sample(range(n_users), cfg["disabled_users"]))
    users = [
        {"id": uid(i), "upn": upn(i), "display_name": f"User {i}", "enabled": i not in disabled}
        for i in range(n_users)
    ]

    members: List[List[str]] = [[] for _ in range(n_groups)]
    groups_of_user: List[List[int]] = []
    for i in range(n_users):
        gs = rng.sample(range(n_groups), cfg["groups_per_user"])
        groups_of_user.append(gs)
        for g in gs:
            members[g].append(uid(i))

    # Nesting: a parent only contains groups of higher index, so there is never a cycle.
    parent_candidates = range(n_groups - cfg["children_per_parent"])
    parents = sorted(rng.sample(parent_candidates, min(cfg["nesting_parents"], len(parent_candidates))))
    children_of: Dict[int, List[int]] = {}
    for p in parents:
        kids = rng.sample(range(p + 1, n_groups), cfg["children_per_parent"])
        children_of[p] = kids
        members[p].extend(gid(k) for k in kids)

    groups = [{"id": gid(g), "name": f"Group {g:05d}", "members": members[g]} for g in range(n_groups)]
    groups.append({"id": ALL_STAFF_ID, "name": "All staff", "members": [upn(i) for i in range(n_users)]})

    resources: List[Dict[str, Any]] = []
    apps_of_group: Dict[int, List[int]] = {}
    app_direct: List[List[int]] = []
    for a in range(cfg["applications"]):
        gs = rng.sample(range(n_groups), cfg["groups_per_application"])
        for g in gs:
            apps_of_group.setdefault(g, []).append(a)
        direct = rng.sample(range(n_users), cfg["users_per_application"])
        app_direct.append(direct)
        assigned = [gid(g) for g in gs]
        if a == 0:
            assigned.append(ALL_STAFF_ID)
        assigned += [uid(u) for u in direct]
        resources.append(
            {"id": aid(a), "name": f"App {a:04d}", "kind": "application", "assigned": assigned, "blocked": []}
        )

    # 1% of users blocked from an application they would otherwise reach.
    for u in sorted(rng.sample(range(n_users), cfg["blocked_users"])):
        reach = {0}  # "All staff" reaches application 0
        for g in groups_of_user[u]:
            reach.update(apps_of_group.get(g, ()))
        reach.update(a for a, direct in enumerate(app_direct) if u in direct)
        a = rng.choice(sorted(reach))
        resources[a]["blocked"].append(upn(u))

    # Sites: assigned to parent groups, so their access goes through nesting.
    for s in range(cfg["sites"]):
        ps = rng.sample(parents, min(cfg["groups_per_site"], len(parents)))
        direct = rng.sample(range(n_users), cfg["users_per_site"])
        # block one user who reaches the site only through a nested group
        nested_members = [m for p in ps for k in children_of[p] for m in members[k] if m.startswith("u")]
        blocked = [upn(int(rng.choice(nested_members)[1:]))] if nested_members else []
        resources.append(
            {
                "id": sid(s),
                "name": f"Site {s:04d}",
                "kind": "site",
                "assigned": [gid(p) for p in ps] + [uid(u) for u in direct],
                "blocked": blocked,
            }
        )

    return {"users": users, "groups": groups, "resources": resources}


# --------------------------------------------------------------------------------------------
# Model 2: pure Python, dicts of sets
# --------------------------------------------------------------------------------------------


class PyModel:
    """A straightforward dict-and-set model of SPEC.md section 7."""

    def __init__(self) -> None:
        self.user_order: Dict[str, int] = {}  # user id -> creation index
        self.upn_index: Dict[str, str] = {}  # lowercased upn -> user id
        self.enabled: Dict[str, bool] = {}
        self.user_groups: Dict[str, Set[str]] = {}  # user -> groups it is a direct member of
        self.group_users: Dict[str, Set[str]] = {}  # group -> direct user members
        self.group_groups: Dict[str, Set[str]] = {}  # group -> direct group members
        self.group_parents: Dict[str, Set[str]] = {}  # group -> groups it is a direct member of
        self.kind: Dict[str, str] = {}  # resource -> "application" | "site"
        self.resource_names: Dict[str, str] = {}  # lowercased name -> resource id
        self.assigned_groups: Dict[str, Set[str]] = {}
        self.assigned_users: Dict[str, Set[str]] = {}
        self.blocked: Dict[str, Set[str]] = {}

    # -- import (R-8.5: references are an id of the data, then a upn of the data) --

    def import_directory(self, data: Dict[str, Any]) -> Dict[str, int]:
        for entry in data.get("users", ()):
            u = entry["id"]
            key = entry["upn"].strip().lower()
            if u in self.user_order or key in self.upn_index:
                raise ValueError(f"duplicate user {u} / {key}")
            self.user_order[u] = len(self.user_order)
            self.upn_index[key] = u
            self.enabled[u] = entry.get("enabled", True)
            self.user_groups[u] = set()
        for entry in data.get("groups", ()):
            g = entry["id"]
            if g in self.group_users or g in self.user_order:
                raise ValueError(f"duplicate group {g}")
            self.group_users[g] = set()
            self.group_groups[g] = set()
            self.group_parents[g] = set()
        memberships = 0
        for entry in data.get("groups", ()):
            g = entry["id"]
            for ref in entry.get("members", ()):
                if ref in self.group_users:
                    if self._reaches(ref, g):
                        raise ValueError(f"cycle: {g} <- {ref}")
                    self.group_groups[g].add(ref)
                    self.group_parents[ref].add(g)
                else:
                    u = self._user(ref)
                    self.group_users[g].add(u)
                    self.user_groups[u].add(g)
                memberships += 1
        for entry in data.get("resources", ()):
            r = entry["id"]
            key = entry["name"].strip().lower()
            if r in self.kind or key in self.resource_names:
                raise ValueError(f"duplicate resource {r}")
            self.kind[r] = entry.get("kind", "application")
            self.resource_names[key] = r
            self.assigned_groups[r] = set()
            self.assigned_users[r] = set()
            self.blocked[r] = {self._user(ref) for ref in entry.get("blocked", ())}
            for ref in entry.get("assigned", ()):
                if ref in self.group_users:
                    self.assigned_groups[r].add(ref)
                else:
                    self.assigned_users[r].add(self._user(ref))
        return {"users": len(self.user_order), "groups": len(self.group_users), "resources": len(self.kind),
                "memberships": memberships}

    def _reaches(self, start: str, target: str) -> bool:
        """True when `target` is `start` or nested (transitively) inside it."""
        stack, seen = [start], set()
        while stack:
            g = stack.pop()
            if g == target:
                return True
            if g not in seen:
                seen.add(g)
                stack.extend(self.group_groups[g])
        return False

    def _user(self, ref: str) -> str:
        if ref in self.user_order:
            return ref
        u = self.upn_index.get(ref.strip().lower())
        if u is None:
            raise KeyError(f"user_not_found: {ref}")
        return u

    def _resource(self, ref: str) -> str:
        if ref in self.kind:
            return ref
        r = self.resource_names.get(ref.strip().lower())
        if r is None:
            raise KeyError(f"resource_not_found: {ref}")
        return r

    # -- queries (R-7.3 .. R-7.6) --

    def has_access(self, user: str, resource: str) -> bool:
        u = self._user(user)
        r = self._resource(resource)
        if not self.enabled[u] or u in self.blocked[r]:
            return False
        if u in self.assigned_users[r]:
            return True
        assigned = self.assigned_groups[r]
        if self.kind[r] == "application":  # direct members only
            return not assigned.isdisjoint(self.user_groups[u])
        stack = list(self.user_groups[u])  # site: walk up through nesting
        seen: Set[str] = set()
        while stack:
            g = stack.pop()
            if g in assigned:
                return True
            if g not in seen:
                seen.add(g)
                stack.extend(self.group_parents[g])
        return False

    def has_access_many(self, pairs: Iterable[Tuple[str, str]]) -> List[bool]:
        return [self.has_access(u, r) for u, r in pairs]

    def who_has_access(self, resource: str) -> List[str]:
        r = self._resource(resource)
        users = set(self.assigned_users[r])
        if self.kind[r] == "application":
            for g in self.assigned_groups[r]:
                users |= self.group_users[g]
        else:
            stack, seen = list(self.assigned_groups[r]), set()
            while stack:
                g = stack.pop()
                if g not in seen:
                    seen.add(g)
                    users |= self.group_users[g]
                    stack.extend(self.group_groups[g])
        blocked, enabled = self.blocked[r], self.enabled
        result = [u for u in users if enabled[u] and u not in blocked]
        result.sort(key=self.user_order.__getitem__)
        return result


# --------------------------------------------------------------------------------------------
# Model 3: casbin (applications only)
# --------------------------------------------------------------------------------------------

CASBIN_MODEL = """
[request_definition]
r = sub, obj

[policy_definition]
p = sub, obj, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.obj == p.obj && g(r.sub, p.sub)
"""


def elf_section_names(path: str) -> List[str]:
    """The section names of a 64-bit little-endian ELF file (reads only the headers)."""
    import struct

    with open(path, "rb") as f:
        head = f.read(64)
        if head[:6] != b"\x7fELF\x02\x01":
            raise ValueError("not a 64-bit little-endian ELF file")
        shoff, = struct.unpack_from("<Q", head, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", head, 0x3A)
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        sections = [struct.unpack_from("<IIQQQQ", table, i * shentsize) for i in range(shnum)]
        _, _, _, _, str_off, str_size = sections[shstrndx]
        f.seek(str_off)
        strtab = f.read(str_size)
    return [strtab[name:strtab.index(b"\0", name)].decode() for name, *_ in sections]


def ssgm_build_note() -> Optional[str]:
    """A warning when the extension looks like a dev (unoptimised) build.

    The release profile of Cargo.toml has `debug = false`, so an extension carrying DWARF
    debug info was built with the dev profile (`maturin develop` without `--release`).
    """
    if ssgm is None:
        return None
    try:
        path = str(importlib.import_module("ssgm._core").__file__)
        size = os.path.getsize(path)
        debug = ".debug_info" in elf_section_names(path)
    except Exception:  # pragma: no cover - not a 64-bit ELF file on disk, say
        return None
    if not debug:
        return None
    return (
        f"WARNING: {path} ({size / 2**20:.0f} MiB) carries debug info: it looks like a dev-profile "
        "build (`maturin develop` without `--release`); ssgm's numbers are not representative of a "
        "release build."
    )


def casbin_kind() -> str:
    if casbin is None:
        return "missing"
    fast = hasattr(casbin, "FastEnforcer") and hasattr(importlib.import_module("casbin.model"), "FastModel")
    return "FastEnforcer" if fast else "Enforcer"


def casbin_version() -> str:
    try:
        from importlib.metadata import version

        return version("casbin")
    except Exception:  # pragma: no cover
        return getattr(casbin, "__version__", "?")


def build_casbin(data: Dict[str, Any]) -> Any:
    """g: user -> group (direct memberships only, no group nesting: applications do not
    reach nested members); p: (group or user, application, allow); blocks and disabled users
    as (user, application, deny)."""
    assert casbin is not None
    cmodel = importlib.import_module("casbin.model")  # (`casbin.model` the attribute is a submodule)

    if hasattr(casbin, "FastEnforcer") and hasattr(cmodel, "FastModel"):
        m = cmodel.FastModel([1])  # index policies by object (the application)
        m.load_model_from_text(CASBIN_MODEL)
        e = casbin.FastEnforcer(m, cache_key_order=[1])
    else:  # pragma: no cover - old pycasbin
        m = cmodel.Model()
        m.load_model_from_text(CASBIN_MODEL)
        e = casbin.Enforcer(m)

    ids = {u["id"] for u in data["users"]}
    by_upn = {u["upn"].lower(): u["id"] for u in data["users"]}
    group_ids = {g["id"] for g in data["groups"]}

    def user(ref: str) -> str:
        return ref if ref in ids else by_upn[ref.lower()]

    g_rules = []
    for g in data["groups"]:
        for ref in g.get("members", ()):
            if ref not in group_ids:
                g_rules.append([user(ref), g["id"]])
    p_rules = []
    apps = [r for r in data["resources"] if r.get("kind", "application") == "application"]
    for r in apps:
        for ref in r.get("assigned", ()):
            p_rules.append([ref if ref in group_ids else user(ref), r["id"], "allow"])
        for ref in r.get("blocked", ()):
            p_rules.append([user(ref), r["id"], "deny"])
    for u in data["users"]:
        if not u.get("enabled", True):
            p_rules.extend([u["id"], r["id"], "deny"] for r in apps)
    e.add_grouping_policies(g_rules)
    e.add_policies(p_rules)
    return e


# --------------------------------------------------------------------------------------------
# Build + memory, each in a fresh spawned process
# --------------------------------------------------------------------------------------------


def rss_bytes() -> int:
    """Resident anonymous memory (heap), so the extension's code pages that the build faults
    in are not counted; the whole RSS where the kernel does not report it. Free heap pages are
    handed back first (glibc's malloc_trim), so what is freed does not count."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux: peak RSS is the best we have
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _build(model: str, data: Dict[str, Any]) -> Any:
    if model == "ssgm":
        t = ssgm.Tenant("bench")
        t.import_directory(data)
        return t
    if model == "python":
        m = PyModel()
        m.import_directory(data)
        return m
    if model == "casbin":
        return build_casbin(data)
    raise ValueError(model)


def build_child(model: str, users: int, quick: bool) -> Dict[str, Any]:
    """Runs in a spawned child: first a fresh build measured for memory, then timed builds."""
    cfg = make_config(users, quick)
    warm = _build(model, generate(make_config(10, True)))  # first-use costs are not the build's
    del warm
    data = generate(cfg)
    gc.collect()
    out: Dict[str, Any] = {"model": model}
    rss0 = rss_bytes()
    objs = [_build(model, data)]
    rss1 = rss_bytes()
    out["rss_delta"] = rss1 - rss0
    if model == "ssgm":  # RSS keeps the build's transient peak: what do 2 more tenants add?
        objs += [_build(model, data) for _ in range(2)]
        out["rss_extra"] = (rss_bytes() - rss1) / 2
    del objs
    gc.collect()
    if model != "ssgm":  # Python objects: tracemalloc counts them exactly
        tracemalloc.start()
        obj = _build(model, data)
        gc.collect()
        out["traced"] = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del obj
        gc.collect()
    times = []
    for _ in range(cfg["build_repeats"]):
        t0 = time.perf_counter_ns()
        obj = _build(model, data)
        times.append(time.perf_counter_ns() - t0)
        del obj
        gc.collect()
    out["build_ns"] = times
    return out


def run_build_children(models: Sequence[str], users: int, quick: bool) -> Dict[str, Dict[str, Any]]:
    ctx = multiprocessing.get_context("spawn")
    results = {}
    for model in models:
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            results[model] = pool.submit(build_child, model, users, quick).result()
    return results


# --------------------------------------------------------------------------------------------
# Agreement
# --------------------------------------------------------------------------------------------


class Disagreement(Exception):
    pass


def agreement_pairs(cfg: Dict[str, Any], data: Dict[str, Any], py: PyModel, rng: random.Random) -> List[Tuple[str, str]]:
    users = [u["id"] for u in data["users"]]
    resources = [r["id"] for r in data["resources"]]
    pairs = [(rng.choice(users), rng.choice(resources)) for _ in range(cfg["agreement_pairs"])]
    for r in data["resources"]:
        pairs += [(py._user(b), r["id"]) for b in r["blocked"]]  # blocks
        # members of groups nested in assigned groups: reach sites, not applications
        for g in r["assigned"]:
            for child in sorted(py.group_groups.get(g, ())):
                pairs += [(u, r["id"]) for u in sorted(py.group_users[child])[:5]]
    disabled = [u["id"] for u in data["users"] if not u["enabled"]]
    pairs += [(u, r) for u in disabled for r in resources]
    # by upn and by resource name too
    names = {r["id"]: r["name"] for r in data["resources"]}
    pairs += [(data["users"][int(u[1:])]["upn"].upper(), names[r] if i % 2 else r) for i, (u, r) in enumerate(pairs[:50])]
    return pairs


def check_agreement(cfg: Dict[str, Any], data: Dict[str, Any], t: Any, py: PyModel, enf: Any) -> Dict[str, Any]:
    rng = random.Random(SEED + 1)
    pairs = agreement_pairs(cfg, data, py, rng)
    expected = [py.has_access(u, r) for u, r in pairs]
    problems: List[str] = []
    if t is not None:
        got = [t.has_access(u, r) for u, r in pairs]
        bad = [(p, e, g) for p, e, g in zip(pairs, expected, got) if e != g]
        for p, e, g in bad[:10]:
            problems.append(f"has_access{p}: pure Python {e}, ssgm {g}")
        many = t.has_access_many(pairs)
        if list(many) != got:
            problems.append("ssgm has_access_many disagrees with ssgm has_access on the sample")
    apps = {r["id"] for r in data["resources"] if r["kind"] == "application"}
    casbin_checked = 0
    if enf is not None:
        for (u, r), e in zip(pairs, expected):
            if r in apps and not u.endswith(".EXAMPLE"):
                casbin_checked += 1
                c = enf.enforce(u, r)
                if c != e:
                    problems.append(f"enforce({u!r}, {r!r}): pure Python {e}, casbin {c}")
                    if len(problems) > 20:
                        break
    who_checked = []
    if t is not None:
        resources = [aid(0), aid(1), aid(cfg["applications"] - 1)] + [sid(s) for s in range(cfg["sites"])]
        for r in resources:
            want = py.who_has_access(r)
            got_ids = [u.id for u in t.who_has_access(r)]
            who_checked.append(r)
            if got_ids != want:
                if set(got_ids) == set(want):
                    problems.append(f"who_has_access({r!r}): same users, different order (R-10.1)")
                else:
                    extra = sorted(set(got_ids) - set(want))[:5]
                    missing = sorted(set(want) - set(got_ids))[:5]
                    problems.append(f"who_has_access({r!r}): ssgm extra {extra}, missing {missing}")
    if problems:
        raise Disagreement("\n".join(problems))
    return {"pairs": len(pairs), "granted": sum(expected), "casbin_pairs": casbin_checked, "who_has_access": who_checked}


# --------------------------------------------------------------------------------------------
# Timing helpers
# --------------------------------------------------------------------------------------------


def per_call_ns(fn: Callable[[Any, Any], Any], pairs: Sequence[Tuple[Any, Any]], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for u, r in pairs:
            fn(u, r)
        samples.append((time.perf_counter_ns() - t0) / len(pairs))
    return statistics.median(samples)


def batch_rate(fn: Callable[[Any], Any], batch: Sequence[Any], repeats: int) -> float:
    """Checks per second of `fn(batch)`, median over repeats."""
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn(batch)
        samples.append(time.perf_counter_ns() - t0)
    return len(batch) / (statistics.median(samples) / 1e9)


def threaded_rate(fn: Callable[[Any], Any], batches: Sequence[Sequence[Any]], calls: int) -> float:
    """Checks per second with one thread per batch, each calling `fn` `calls` times."""
    barrier = threading.Barrier(len(batches) + 1)

    def work(batch: Sequence[Any]) -> None:
        barrier.wait()
        for _ in range(calls):
            fn(batch)

    threads = [threading.Thread(target=work, args=(b,)) for b in batches]
    for th in threads:
        th.start()
    barrier.wait()
    t0 = time.perf_counter_ns()
    for th in threads:
        th.join()
    elapsed = time.perf_counter_ns() - t0
    return sum(len(b) for b in batches) * calls / (elapsed / 1e9)


def thread_scaling(fn: Callable[[Any], Any], batches: Sequence[Sequence[Any]], calls: int, repeats: int) -> Tuple[float, float]:
    one, two = [], []
    for _ in range(repeats):
        one.append(threaded_rate(fn, batches[:1], calls))
        two.append(threaded_rate(fn, batches[:2], calls))
    return statistics.median(one), statistics.median(two)


def median_ns(fn: Callable[[], Any], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples)


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def fmt_ns(ns: Optional[float]) -> str:
    if ns is None:
        return "n/a"
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} us"
    if ns < 1e9:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e9:.2f} s"


def fmt_call(ns: Optional[float]) -> str:
    return "n/a" if ns is None else fmt_ns(ns) + "/call"


def fmt_rate(r: Optional[float]) -> str:
    if r is None:
        return "n/a"
    if r >= 1e6:
        return f"{r / 1e6:.2f} M/s"
    if r >= 1e3:
        return f"{r / 1e3:.1f} k/s"
    return f"{r:.0f} /s"


def fmt_bytes(b: Optional[float]) -> str:
    if b is None:
        return "n/a"
    return f"{b / 2**20:.1f} MiB"


def fmt_x(x: Optional[float]) -> str:
    if x is None:
        return "n/a"
    return f"{x:.3g}x" if x < 100 else f"{x:.0f}x"


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None or b is None or b == 0:
        return None
    return a / b


def met(*conds: Optional[bool]) -> str:
    known = [c for c in conds if c is not None]
    if not known:
        return "n/a"
    return ("yes" if all(known) else "NO") + (" (partial)" if len(known) < len(conds) else "")


def print_table(rows: List[Dict[str, str]]) -> None:
    cols = ["operation", "ssgm", "pure Python", "casbin", "ratio(s)", "target", "met"]
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    line = " | ".join(c.ljust(widths[c]) for c in cols)
    print(line)
    print("-+-".join("-" * widths[c] for c in cols))
    for r in rows:
        print(" | ".join(r[c].ljust(widths[c]) for c in cols))


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1k users, few repeats (a few seconds)")
    ap.add_argument("--users", type=int, default=None, help="number of users; everything scales with it")
    ap.add_argument("--json", metavar="FILE", help="write the results to FILE as JSON")
    args = ap.parse_args(argv)
    users = args.users if args.users is not None else (1000 if args.quick else 10_000)
    if users < 10:
        ap.error("--users must be at least 10")
    cfg = make_config(users, args.quick)

    notes: List[str] = []
    if ssgm is None:
        notes.append(f"ssgm is not importable ({SSGM_IMPORT_ERROR}): its columns are n/a.")
    build_note = ssgm_build_note()
    if build_note:
        notes.append(build_note)
        print(build_note)
    if casbin is None:
        notes.append(f"casbin is not installed ({CASBIN_IMPORT_ERROR}): `pip install casbin` for its rows.")
    else:
        notes.append(
            f"casbin {casbin_version()} ({casbin_kind()}, policies indexed by object): "
            "applications only -- its transitive RBAC cannot express the application/site "
            "distinction (R-7.4), so it gets no group nesting and no sites."
        )

    data = generate(cfg)
    n_apps, n_sites = cfg["applications"], cfg["sites"]
    print(
        f"ssgm benchmark: {cfg['users']} users ({cfg['disabled_users']} disabled), "
        f"{cfg['groups']} groups + 'All staff' ({cfg['users']} members, on {aid(0)}), "
        f"{n_apps} applications, {n_sites} sites, {cfg['nesting_parents']} nesting groups, "
        f"{sum(len(r['blocked']) for r in data['resources'])} blocks; "
        f"python {platform.python_version()}, {os.cpu_count()} cpus"
        + (" [quick]" if args.quick else "")
    )
    sys.stdout.flush()

    # ---- models, built in this process for queries ----
    py = PyModel()
    py.import_directory(data)
    t = None
    if ssgm is not None:
        t = ssgm.Tenant("bench")
        counts = t.import_directory(data)
        print(f"ssgm import counts: {counts}")
    enf = build_casbin(data) if casbin is not None else None

    # ---- agreement ----
    try:
        agreed = check_agreement(cfg, data, t, py, enf)
    except Disagreement as exc:
        print("\nMODELS DISAGREE -- benchmark aborted:\n" + str(exc), file=sys.stderr)
        return DISAGREEMENT_EXIT
    print(
        f"agreement: {agreed['pairs']} pairs ({agreed['granted']} granted), "
        f"{agreed['casbin_pairs']} of them with casbin, who_has_access on {len(agreed['who_has_access'])} resources: all agree"
    )
    sys.stdout.flush()

    rng = random.Random(SEED + 2)
    user_ids = [u["id"] for u in data["users"]]
    app_ids = [aid(a) for a in range(n_apps)]
    site_ids = [sid(s) for s in range(n_sites)]
    reps = cfg["repeats"]
    app_pairs = [(rng.choice(user_ids), rng.choice(app_ids)) for _ in range(cfg["pairs"])]
    site_pairs = [(rng.choice(user_ids), rng.choice(site_ids)) for _ in range(cfg["pairs"])]
    casbin_pairs = app_pairs[: cfg["casbin_pairs"]]
    batches = [[(rng.choice(user_ids), rng.choice(app_ids)) for _ in range(cfg["batch"])] for _ in range(2)]

    res: Dict[str, Any] = {"ssgm": {}, "python": {}, "casbin": {}}

    # has_access, one call at a time
    res["python"]["has_access_ns"] = per_call_ns(py.has_access, app_pairs, reps)
    res["python"]["has_access_site_ns"] = per_call_ns(py.has_access, site_pairs, reps)
    if enf is not None:
        res["casbin"]["has_access_ns"] = per_call_ns(enf.enforce, casbin_pairs, max(2, reps // 2))
    if t is not None:
        res["ssgm"]["has_access_ns"] = per_call_ns(t.has_access, app_pairs, reps)
        handles: Dict[str, Any] = {x: t.user(x) for x in user_ids}
        handles.update({x: t.resource(x) for x in app_ids + site_ids})
        handle_pairs = [(handles[u], handles[r]) for u, r in app_pairs]
        res["ssgm"]["has_access_handle_ns"] = per_call_ns(t.has_access, handle_pairs, reps)
        res["ssgm"]["has_access_site_ns"] = per_call_ns(t.has_access, site_pairs, reps)

    # has_access_many, batches of 10k
    res["python"]["many_rate"] = batch_rate(py.has_access_many, batches[0], reps)
    p1, p2 = thread_scaling(py.has_access_many, batches, cfg["batch_calls"], max(2, reps // 2))
    res["python"]["threads_1_rate"], res["python"]["threads_2_rate"] = p1, p2
    if enf is not None:
        res["casbin"]["many_rate"] = batch_rate(enf.batch_enforce, batches[0][: cfg["casbin_pairs"]], max(2, reps // 2))
    if t is not None:
        res["ssgm"]["many_rate"] = batch_rate(t.has_access_many, batches[0], reps)
        s1, s2 = thread_scaling(t.has_access_many, batches, cfg["batch_calls"], max(2, reps // 2))
        res["ssgm"]["threads_1_rate"], res["ssgm"]["threads_2_rate"] = s1, s2

    # who_has_access on the "All staff" application
    who_target = aid(0)
    res["python"]["who_ns"] = median_ns(lambda: py.who_has_access(who_target), cfg["who_repeats"])
    res["python"]["who_len"] = len(py.who_has_access(who_target))
    if t is not None:
        res["ssgm"]["who_ns"] = median_ns(lambda: t.who_has_access(who_target), cfg["who_repeats"])
        # Right after a command, nothing is reused: each repetition first runs a command that
        # changes no access (a user enabled again), then asks. The command's own time, measured
        # alone, is taken off.
        someone = t.users()[-1]

        def touch() -> None:
            t.set_enabled(someone, someone.enabled)

        def touch_and_ask() -> None:
            touch()
            t.who_has_access(who_target)

        command_ns = median_ns(touch, cfg["who_repeats"])
        res["ssgm"]["who_after_command_ns"] = max(0.0, median_ns(touch_and_ask, cfg["who_repeats"]) - command_ns)
    sys.stdout.flush()

    # ---- builds and memory, each model in a fresh spawned process ----
    del py, t, enf
    gc.collect()
    models = (["ssgm"] if ssgm is not None else []) + ["python"] + (["casbin"] if casbin is not None else [])
    builds = run_build_children(models, users, args.quick)
    for model, b in builds.items():
        res[model]["build_ns"] = statistics.median(b["build_ns"])
        res[model]["build_samples_ns"] = b["build_ns"]
        res[model]["rss_delta"] = b["rss_delta"]
        if "rss_extra" in b:
            res[model]["rss_extra"] = b["rss_extra"]
        if "traced" in b:
            res[model]["traced"] = b["traced"]

    # ---- table ----
    S, P, C = res["ssgm"], res["python"], res["casbin"]
    rows: List[Dict[str, str]] = []
    met_flags: Dict[str, Optional[bool]] = {}

    def row(op: str, s: str, p: str, c: str, r: str, target: str, ok: str) -> None:
        rows.append({"operation": op, "ssgm": s, "pure Python": p, "casbin": c, "ratio(s)": r, "target": target, "met": ok})

    def ge(x: Optional[float], bound: float) -> Optional[bool]:
        return None if x is None else x >= bound

    for key, label in (("has_access_ns", "has_access by id (app)"), ("has_access_handle_ns", "has_access by handle (app)")):
        s = S.get(key)
        vp, vc = ratio(P["has_access_ns"], s), ratio(C.get("has_access_ns"), s)
        okp, okc = ge(vp, 5), ge(vc, 200)
        met_flags[key] = None if okp is None else (okp and okc is not False)
        row(label, fmt_call(s), fmt_call(P["has_access_ns"]) + (" (id)" if "handle" in key else ""),
            (fmt_call(C["has_access_ns"]) + (" (id)" if "handle" in key else "")) if "has_access_ns" in C else "skipped",
            f"py/ssgm {fmt_x(vp)}, casbin/ssgm {fmt_x(vc)}", ">=5x py, >=200x casbin", met(okp, okc))
    s = S.get("has_access_site_ns")
    row("has_access by id (site, nested)", fmt_call(s), fmt_call(P["has_access_site_ns"]), "not expressible",
        f"py/ssgm {fmt_x(ratio(P['has_access_site_ns'], s))}", "-", "-")
    s = S.get("many_rate")
    met_flags["has_access_many"] = ge(s, 10e6)
    row(f"has_access_many ({cfg['batch'] // 1000}k batch)", fmt_rate(s), fmt_rate(P["many_rate"]) + " (loop)",
        (fmt_rate(C["many_rate"]) + " (batch_enforce)") if "many_rate" in C else "skipped",
        f"ssgm/py {fmt_x(ratio(s, P['many_rate']))}", ">=10M checks/s", met(met_flags["has_access_many"]))
    s1, s2 = S.get("threads_1_rate"), S.get("threads_2_rate")
    v = ratio(s2, s1)
    met_flags["threads"] = ge(v, 1.6)
    row("has_access_many 2 threads", (fmt_rate(s2) + f" (1 thr {fmt_rate(s1)})") if s2 is not None else "n/a",
        fmt_rate(P["threads_2_rate"]) + f" (1 thr {fmt_rate(P['threads_1_rate'])})", "-",
        f"2thr/1thr ssgm {fmt_x(v)}, py {fmt_x(ratio(P['threads_2_rate'], P['threads_1_rate']))}",
        ">=1.6x one thread", met(met_flags["threads"]))
    s = S.get("who_ns")
    v = ratio(P["who_ns"], s)
    met_flags["who_has_access"] = ge(v, 20)
    row(f"who_has_access ({P['who_len']} users)", fmt_ns(s), fmt_ns(P["who_ns"]), "-", f"py/ssgm {fmt_x(v)}",
        ">=20x py", met(met_flags["who_has_access"]))
    s = S.get("who_after_command_ns")
    v = ratio(P["who_ns"], s)
    met_flags["who_after_command"] = ge(v, 100)
    row("who_has_access after a command", fmt_ns(s), fmt_ns(P["who_ns"]), "-", f"py/ssgm {fmt_x(v)}",
        ">=100x py", met(met_flags["who_after_command"]))
    s = S.get("build_ns")
    v = ratio(P.get("build_ns"), s)
    met_flags["import"] = ge(v, 10)
    row("import_directory (build)", fmt_ns(s), fmt_ns(P.get("build_ns")), fmt_ns(C.get("build_ns")) if "build_ns" in C else "skipped",
        f"py/ssgm {fmt_x(v)}" + (f", casbin/ssgm {fmt_x(ratio(C.get('build_ns'), s))}" if "build_ns" in C else ""),
        ">=10x py", met(met_flags["import"]))
    s = S.get("rss_delta")
    v = ratio(s, P.get("traced"))
    met_flags["memory"] = None if v is None else v <= 1 / 3
    row("memory after build", fmt_bytes(s) + (f" (RSS anon; +{fmt_bytes(S['rss_extra'])}/extra tenant)" if "rss_extra" in S else ""), fmt_bytes(P.get("traced")) + f" (traced; RSS anon {fmt_bytes(P.get('rss_delta'))})",
        (fmt_bytes(C.get("traced")) + " (traced)") if "traced" in C else "skipped",
        f"ssgm/py {v:.3f}" if v is not None else "n/a", "<=1/3 py", met(met_flags["memory"]))

    print()
    print_table(rows)
    print()
    print("Medians of repeated runs (time.perf_counter_ns). Builds and memory: each model in its own spawned")
    print("process after a warm-up; ssgm memory is the build's delta of resident anonymous memory (RssAnon,")
    print("after malloc_trim), which keeps the import's transient peak; '/extra tenant' is what each of 2 more")
    print("tenants built in the same process adds. Python models' memory is tracemalloc's count (their RssAnon")
    print("delta in brackets).")
    for n in notes:
        print(n if n.startswith("WARNING") else "note: " + n)

    if args.json:
        out = {
            "config": cfg,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "casbin": None if casbin is None else {"version": casbin_version(), "enforcer": casbin_kind()},
            "ssgm_available": ssgm is not None,
            "agreement": agreed,
            "results": res,
            "targets_met": met_flags,
            "table": rows,
            "notes": notes,
        }
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

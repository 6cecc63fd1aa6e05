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

ssgm is measured in child processes (``--worker``), so that ``--compare`` can run the same
measurements, on the same data, in another interpreter whose ``ssgm`` is an older build.
Builds and memory are measured in a fresh child process per model: peak RSS growth of the
build over the process's RSS once the input data exists.

    python benches/bench.py                 # 10k users, 1k groups, 100 applications
    python benches/bench.py --users 25000   # the speed targets' tenant: 25k users, 1k groups, 100 apps
    python benches/bench.py --quick         # 1k users: a few seconds
    python benches/bench.py --users 25000 --compare /path/to/old/venv/bin/python
    python benches/bench.py --scale         # 1M users, 100k groups, 10k applications
    python benches/bench.py --users 20000 --json results.json
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import zlib
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
RESULT_PREFIX = "BENCH-RESULT "  # a worker's last stdout line: this prefix, then JSON

# --------------------------------------------------------------------------------------------
# Configuration and data
# --------------------------------------------------------------------------------------------


def make_config(users: int, quick: bool, groups: Optional[int] = None, applications: Optional[int] = None) -> Dict[str, Any]:
    """Groups and applications grow with the users up to the targets' tenant (1k groups,
    100 applications, reached at 10k users); 25k users keep 1k groups and 100 applications."""
    groups = groups or max(10, min(1000, users // 10))
    applications = applications or max(2, min(100, users // 100))
    pairs = 4_000 if quick else 100_000
    return {
        "users": users,
        "groups": groups,  # ordinary groups; "All staff" comes on top
        "applications": applications,
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
        "all_staff": True,
        "quick": quick,
        # measurement sizes
        "pairs": min(pairs, users * applications),  # DISTINCT random (user id, application id) pairs
        "site_pairs": min(1_000 if quick else 5_000, users * max(2, users // 1000)),
        "casbin_pairs": 200 if quick else 2_000,
        "batch": 1_000 if quick else 10_000,  # has_access_many: the pairs in calls of this many
        "thread_calls": 1 if quick else 3,  # passes over all the calls in the thread test
        "repeats": 3 if quick else 7,
        "build_repeats": 1 if quick else 3,
        "who_repeats": 3 if quick else 7,
        "agreement_pairs": 1000 if quick else 5000,
        "rounds": 1 if quick else 2,  # --compare: alternating rounds of old and new
    }


def scale_config(users: int) -> Dict[str, Any]:
    """The Rust scale report's tenant (benches/common `Shape::large`): 1M users, 100k groups,
    10 groups per user (10M memberships), 10k applications of 10 groups (100k assignments),
    1% of users blocked; no "All staff", no nesting, no sites."""
    f = users / 1_000_000
    return {
        "users": users,
        "groups": max(10, int(100_000 * f)),
        "applications": max(2, int(10_000 * f)),
        "sites": 0,
        "groups_per_user": 10,
        "groups_per_application": 10,
        "users_per_application": 0,
        "groups_per_site": 0,
        "users_per_site": 0,
        "nesting_parents": 0,
        "children_per_parent": 2,
        "blocked_users": users // 100,
        "disabled_users": max(2, users // 2000),
        "all_staff": False,
        "quick": False,
        "checks": 1_000_000,
        "batch": 10_000,
        "who_repeats": 5,
    }


def uid(i: int) -> str:
    return f"u{i:07d}"


def upn(i: int) -> str:
    return f"user{i:07d}@bench.example"


def gid(i: int) -> str:
    return f"g{i:06d}"


ALL_STAFF_ID = "g-all-staff"


def aid(i: int) -> str:
    return f"a{i:05d}"


def sid(i: int) -> str:
    return f"s{i:04d}"


def generate(cfg: Dict[str, Any], seed: int = SEED) -> Dict[str, Any]:
    """Deterministic `import_directory` data (SPEC R-8.5).

    Group members are referenced by user id, "All staff" members and blocked users by upn,
    so both reference paths of the import are exercised. Each id and upn is one string
    object, shared by every place that names it.
    """
    rng = random.Random(seed)
    n_users, n_groups = cfg["users"], cfg["groups"]
    ids = [uid(i) for i in range(n_users)]
    upns = [upn(i) for i in range(n_users)]

    disabled = set(rng.sample(range(n_users), cfg["disabled_users"]))
    blocked_users = sorted(random.Random(seed + 7).sample(range(n_users), cfg["blocked_users"]))
    blocked_set = set(blocked_users)
    users = [
        {"id": ids[i], "upn": upns[i], "display_name": f"User {i}", "enabled": i not in disabled}
        for i in range(n_users)
    ]

    members: List[List[str]] = [[] for _ in range(n_groups)]
    groups_of_blocked: Dict[int, List[int]] = {}
    k, sample, population = cfg["groups_per_user"], rng.sample, range(n_groups)
    for i in range(n_users):
        gs = sample(population, k)
        if i in blocked_set:
            groups_of_blocked[i] = gs
        member = ids[i]
        for g in gs:
            members[g].append(member)

    # Nesting: a parent only contains groups of higher index, so there is never a cycle.
    parent_candidates = range(n_groups - cfg["children_per_parent"])
    parents = sorted(rng.sample(parent_candidates, min(cfg["nesting_parents"], len(parent_candidates))))
    children_of: Dict[int, List[int]] = {}
    for p in parents:
        kids = rng.sample(range(p + 1, n_groups), cfg["children_per_parent"])
        children_of[p] = kids
        members[p].extend(gid(k) for k in kids)

    groups = [{"id": gid(g), "name": f"Group {g:06d}", "members": members[g]} for g in range(n_groups)]
    if cfg["all_staff"]:
        groups.append({"id": ALL_STAFF_ID, "name": "All staff", "members": upns})

    resources: List[Dict[str, Any]] = []
    apps_of_group: Dict[int, List[int]] = {}
    direct_apps: Dict[int, List[int]] = {}
    for a in range(cfg["applications"]):
        gs = rng.sample(range(n_groups), cfg["groups_per_application"])
        for g in gs:
            apps_of_group.setdefault(g, []).append(a)
        direct = rng.sample(range(n_users), cfg["users_per_application"])
        for u in direct:
            direct_apps.setdefault(u, []).append(a)
        assigned = [gid(g) for g in gs]
        if a == 0 and cfg["all_staff"]:
            assigned.append(ALL_STAFF_ID)
        assigned += [ids[u] for u in direct]
        resources.append(
            {"id": aid(a), "name": f"App {a:05d}", "kind": "application", "assigned": assigned, "blocked": []}
        )

    # 1% of users blocked from an application they would otherwise reach.
    for u in blocked_users:
        reach = {0} if cfg["all_staff"] else set()  # "All staff" reaches application 0
        for g in groups_of_blocked[u]:
            reach.update(apps_of_group.get(g, ()))
        reach.update(direct_apps.get(u, ()))
        if reach:
            resources[rng.choice(sorted(reach))]["blocked"].append(upns[u])

    # Sites: assigned to parent groups, so their access goes through nesting.
    for s in range(cfg["sites"]):
        ps = rng.sample(parents, min(cfg["groups_per_site"], len(parents)))
        direct = rng.sample(range(n_users), cfg["users_per_site"])
        # block one user who reaches the site only through a nested group
        nested_members = [m for p in ps for k in children_of[p] for m in members[k] if m.startswith("u")]
        blocked = [upns[int(rng.choice(nested_members)[1:])]] if nested_members else []
        resources.append(
            {
                "id": sid(s),
                "name": f"Site {s:04d}",
                "kind": "site",
                "assigned": [gid(p) for p in ps] + [ids[u] for u in direct],
                "blocked": blocked,
            }
        )

    return {"users": users, "groups": groups, "resources": resources}


def distinct_pairs(rng: random.Random, users: Sequence[str], resources: Sequence[str], k: int) -> List[Tuple[str, str]]:
    """`k` distinct random (user, resource) pairs (fewer if there are not that many)."""
    n_r = len(resources)
    picks = rng.sample(range(len(users) * n_r), min(k, len(users) * n_r))
    return [(users[i // n_r], resources[i % n_r]) for i in picks]


def chunks(items: Sequence[Any], size: int) -> List[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def workload(cfg: Dict[str, Any], data: Dict[str, Any]) -> Dict[str, Any]:
    """The pairs every model is timed on, the same in every process (seeded)."""
    rng = random.Random(SEED + 2)
    user_ids = [u["id"] for u in data["users"]]
    app_ids = [r["id"] for r in data["resources"] if r["kind"] == "application"]
    site_ids = [r["id"] for r in data["resources"] if r["kind"] == "site"]
    app_pairs = distinct_pairs(rng, user_ids, app_ids, cfg["pairs"])
    return {
        "app_pairs": app_pairs,
        "site_pairs": distinct_pairs(rng, user_ids, site_ids, cfg["site_pairs"]) if site_ids else [],
        "batches": chunks(app_pairs, cfg["batch"]),
        "who_target": app_ids[0],  # "All staff" is assigned to it: every enabled, unblocked user
        "user_ids": user_ids,
        "resource_ids": app_ids + site_ids,
    }


def fingerprint(answers: Iterable[Any]) -> List[int]:
    """[how many are true, crc32] of a list of answers (booleans or ids), to compare processes."""
    items = list(answers)
    if items and isinstance(items[0], bool):
        return [sum(items), zlib.crc32(bytes(bytearray(items)))]
    return [len(items), zlib.crc32("\n".join(items).encode())]


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
# Memory: peak RSS growth
# --------------------------------------------------------------------------------------------


def _status_kib(field: str) -> Optional[int]:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:  # pragma: no cover - not Linux
        pass
    return None


def _maxrss_bytes() -> int:
    import resource

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def trim() -> None:
    """Frees what can be freed, and hands free heap pages back (glibc's malloc_trim)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def rss_now() -> Optional[int]:
    kib = _status_kib("VmRSS:")
    return None if kib is None else kib * 1024


class PeakMeter:
    """Peak RSS growth of what runs between `start` and `stop`, over the RSS at `start`.

    Where the kernel allows it, the high-water mark is reset at `start` (writing "5" to
    /proc/self/clear_refs) and read back as VmHWM ("VmHWM"). Otherwise the process's
    ru_maxrss is compared before and after ("ru_maxrss"): a peak that stays below an earlier
    one of the process is then not seen, so that figure is a lower bound.
    """

    def start(self) -> None:
        trim()
        self.base = rss_now() or 0
        self.method = "ru_maxrss"
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            hwm = _status_kib("VmHWM:")
            if hwm is not None and hwm * 1024 <= self.base + (4 << 20):
                self.method = "VmHWM"
        except OSError:
            pass
        self.maxrss0 = _maxrss_bytes()
        if self.method == "ru_maxrss" and not self.base:
            self.base = self.maxrss0

    def stop(self) -> Dict[str, Any]:
        if self.method == "VmHWM":
            peak = (_status_kib("VmHWM:") or 0) * 1024
        else:
            peak = _maxrss_bytes()
        trim()
        now = rss_now()
        return {
            "method": self.method,
            "base": self.base,
            "peak": peak,
            "peak_growth": max(0, peak - self.base),
            "retained": None if now is None else now - self.base,
        }


# --------------------------------------------------------------------------------------------
# Build + memory, each model in a fresh child process
# --------------------------------------------------------------------------------------------


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


def build_child(model: str, cfg: Dict[str, Any]) -> Dict[str, Any]:
    """In a fresh process: a warm-up build (first-use costs and code pages are not the
    build's), the input data, then one build measured for memory, then timed builds."""
    warm = _build(model, generate(make_config(10, True)))
    del warm
    data = generate(cfg)
    meter = PeakMeter()
    meter.start()
    obj = _build(model, data)
    out: Dict[str, Any] = {"model": model, "memory": meter.stop()}
    del obj
    trim()
    times = []
    for _ in range(cfg["build_repeats"]):
        t0 = time.perf_counter_ns()
        obj = _build(model, data)
        times.append(time.perf_counter_ns() - t0)
        del obj
        trim()
    out["build_ns"] = times
    return out


# --------------------------------------------------------------------------------------------
# Workers: child processes, possibly of another interpreter (--compare)
# --------------------------------------------------------------------------------------------


def ssgm_info() -> Dict[str, Any]:
    path = str(getattr(importlib.import_module("ssgm._core"), "__file__", "?"))
    return {"module": path, "python": platform.python_version(), "debug_build": ssgm_build_note() is not None}


def supports_columns(t: Any, pair: Tuple[str, str]) -> bool:
    """Whether this build has `has_access_many(users, resources)` (older builds take pairs only)."""
    try:
        t.has_access_many([pair[0]], [pair[1]])
        return True
    except TypeError:
        return False


def measure_queries(model: Any, w: Dict[str, Any], cfg: Dict[str, Any], is_ssgm: bool) -> Dict[str, Any]:
    """Times one model's queries on the workload; ssgm gets its extra forms."""
    reps = cfg["repeats"]
    res: Dict[str, Any] = {}
    res["answers"] = fingerprint(model.has_access_many(w["app_pairs"]))
    res["has_access_ns"] = per_call_ns(model.has_access, w["app_pairs"], reps)
    if is_ssgm:
        handles: Dict[str, Any] = {x: model.user(x) for x in w["user_ids"]}
        handles.update({x: model.resource(x) for x in w["resource_ids"]})
        handle_pairs = [(handles[u], handles[r]) for u, r in w["app_pairs"]]
        res["has_access_handle_ns"] = per_call_ns(model.has_access, handle_pairs, reps)
    if w["site_pairs"]:
        res["has_access_site_ns"] = per_call_ns(model.has_access, w["site_pairs"], reps)
    res["many_rate"] = calls_rate(model.has_access_many, [(b,) for b in w["batches"]], reps)
    if is_ssgm and supports_columns(model, w["app_pairs"][0]):
        columns = [([u for u, _ in b], [r for _, r in b]) for b in w["batches"]]
        res["columns_rate"] = calls_rate(model.has_access_many, columns, reps)
    one, two = thread_scaling(model.has_access_many, w["batches"], cfg["thread_calls"], max(2, reps // 2))
    res["threads_1_rate"], res["threads_2_rate"] = one, two

    target = w["who_target"]
    who = model.who_has_access(target)
    ids = [u.id for u in who] if is_ssgm else who
    res["who_len"], res["who"] = len(ids), fingerprint(ids)
    res["who_ns"] = median_ns(lambda: model.who_has_access(target), cfg["who_repeats"])
    if is_ssgm:
        res["who_after_command_ns"] = who_after_command_ns(model, target, cfg["who_repeats"])
        res["who_after_other_ns"] = who_after_command_ns(model, target, cfg["who_repeats"], changes_access=False)
    return res


def who_after_command_ns(t: Any, target: str, repeats: int, changes_access: bool = True) -> float:
    """`who_has_access` right after a command. By default nothing is reused: each repetition
    first runs `set_enabled` on a user (enabled again), which moves every application's access
    epoch, then asks. With `changes_access=False` the command is one that touches no access
    (`set_roles` with the same roles), after which a kept answer may be reused. The command's
    own time, measured alone, is taken off."""
    someone = t.users()[-1]

    def touch() -> None:
        if changes_access:
            t.set_enabled(someone, someone.enabled)
        else:
            t.set_roles(someone, list(someone.roles))

    def touch_and_ask() -> None:
        touch()
        t.who_has_access(target)

    touch_and_ask()
    command_ns = median_ns(touch, repeats)
    return max(0.0, median_ns(touch_and_ask, repeats) - command_ns)


def queries_child(cfg: Dict[str, Any]) -> Dict[str, Any]:
    data = generate(cfg)
    w = workload(cfg, data)
    t = ssgm.Tenant("bench")
    t.import_directory(data)
    del data
    out = measure_queries(t, w, cfg, is_ssgm=True)
    out["info"] = ssgm_info()
    return out


def run_worker(python: str, kind: str, cfg: Dict[str, Any], timeout: float = 1800) -> Dict[str, Any]:
    """Runs `python bench.py --worker KIND` and returns its result."""
    cmd = [python, os.path.abspath(__file__), "--worker", kind, "--config", json.dumps(cfg)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"worker {kind} under {python} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1][len(RESULT_PREFIX):])


def worker_main(kind: str, cfg: Dict[str, Any]) -> int:
    if kind == "queries":
        out = queries_child(cfg)
    elif kind.startswith("build:"):
        out = build_child(kind.split(":", 1)[1], cfg)
    elif kind.startswith("scale:"):
        out = scale_child(kind.split(":", 1)[1], cfg)
    else:
        raise SystemExit(f"unknown worker {kind!r}")
    print(RESULT_PREFIX + json.dumps(out))
    return 0


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


def calls_rate(fn: Callable[..., Any], calls: Sequence[Tuple[Any, ...]], repeats: int) -> float:
    """Checks per second of `fn(*args)` for every `args` of `calls` (the first argument's
    length is the call's number of checks), median over repeats."""
    checks = sum(len(args[0]) for args in calls)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for args in calls:
            fn(*args)
        samples.append(time.perf_counter_ns() - t0)
    return checks / (statistics.median(samples) / 1e9)


def threaded_rate(fn: Callable[[Any], Any], shares: Sequence[Sequence[Any]], passes: int) -> float:
    """Checks per second with one thread per share of the batches, each calling `fn` on its
    batches `passes` times."""
    barrier = threading.Barrier(len(shares) + 1)

    def work(share: Sequence[Any]) -> None:
        barrier.wait()
        for _ in range(passes):
            for batch in share:
                fn(batch)

    threads = [threading.Thread(target=work, args=(s,)) for s in shares]
    for th in threads:
        th.start()
    barrier.wait()
    t0 = time.perf_counter_ns()
    for th in threads:
        th.join()
    elapsed = time.perf_counter_ns() - t0
    return sum(len(b) for s in shares for b in s) * passes / (elapsed / 1e9)


def thread_scaling(fn: Callable[[Any], Any], batches: Sequence[Sequence[Any]], passes: int, repeats: int) -> Tuple[float, float]:
    """The same calls by one thread, then shared between two."""
    one, two = [], []
    for _ in range(repeats):
        one.append(threaded_rate(fn, [batches], passes))
        two.append(threaded_rate(fn, [batches[0::2], batches[1::2]], passes))
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


def load_note() -> str:
    """The machine's load when the run starts: other work skews every figure."""
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:  # pragma: no cover
        return "load average unknown"


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None or b is None or b == 0:
        return None
    return a / b


def met(*conds: Optional[bool]) -> str:
    known = [c for c in conds if c is not None]
    if not known:
        return "n/a"
    return ("met" if all(known) else "NOT MET") + (" (partial)" if len(known) < len(conds) else "")


def print_table(rows: List[Dict[str, str]]) -> None:
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    print(" | ".join(c.ljust(widths[c]) for c in cols).rstrip())
    print("-+-".join("-" * widths[c] for c in cols))
    for r in rows:
        print(" | ".join(r[c].ljust(widths[c]) for c in cols).rstrip())


# --------------------------------------------------------------------------------------------
# Scale (--scale): the 1M-user tenant
# --------------------------------------------------------------------------------------------

SCALE_USERS = 1_000_000
PYTHON_FRACTION = 10  # the pure-Python model runs at 1/10 of the size, its figures scaled x10


def scale_child(model: str, cfg: Dict[str, Any]) -> Dict[str, Any]:
    """In a fresh process: the data from Python, the import measured for time and peak RSS
    growth, `checks` has_access_many checks in calls of `batch`, who_has_access on the
    largest application (for ssgm right after a command)."""
    warm = _build(model, generate(make_config(10, True)))
    del warm
    t0 = time.perf_counter_ns()
    data = generate(cfg)
    gen_ns = time.perf_counter_ns() - t0
    sizes = {g["id"]: len(g["members"]) for g in data["groups"]}
    apps = [r for r in data["resources"] if r["kind"] == "application"]
    target = max(apps, key=lambda r: sum(sizes.get(x, 1) for x in r["assigned"]))["id"]
    user_ids = [u["id"] for u in data["users"]]
    pairs = distinct_pairs(random.Random(SEED + 3), user_ids, [r["id"] for r in apps], cfg["checks"])
    batches = chunks(pairs, cfg["batch"])
    del sizes, apps, user_ids

    meter = PeakMeter()
    meter.start()
    t0 = time.perf_counter_ns()
    obj = _build(model, data)
    import_ns = time.perf_counter_ns() - t0
    memory = meter.stop()
    out: Dict[str, Any] = {"model": model, "generate_ns": gen_ns, "import_ns": import_ns, "memory": memory}
    del data
    trim()
    out["rss_after_dropping_data"] = rss_now()

    granted = 0
    t0 = time.perf_counter_ns()
    for b in batches:
        granted += sum(obj.has_access_many(b))
    out["checks_ns"] = time.perf_counter_ns() - t0
    out["checks"], out["granted"], out["calls"] = len(pairs), granted, len(batches)
    t0 = time.perf_counter_ns()  # the same calls again: every id has been met once
    for b in batches:
        obj.has_access_many(b)
    out["checks_again_ns"] = time.perf_counter_ns() - t0

    out["who_target"] = target
    out["who_len"] = len(obj.who_has_access(target))
    if model == "ssgm":
        out["who_ns"] = who_after_command_ns(obj, target, cfg["who_repeats"])
    else:
        out["who_ns"] = median_ns(lambda: obj.who_has_access(target), cfg["who_repeats"])
    out["vmhwm_process"] = (_status_kib("VmHWM:") or 0) * 1024
    out["maxrss_process"] = _maxrss_bytes()
    return out


def scale_main(args: argparse.Namespace) -> int:
    users = args.users or SCALE_USERS
    cfg_s = scale_config(users)
    cfg_p = scale_config(users // PYTHON_FRACTION)
    cfg_p["checks"] = cfg_s["checks"] // PYTHON_FRACTION
    try:
        with open("/proc/meminfo") as meminfo:
            avail = next(int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:")) * 1024
    except (OSError, StopIteration):
        avail = 0
    print(
        f"ssgm scale benchmark: {users} users, {cfg_s['groups']} groups, {cfg_s['groups_per_user']} groups per user "
        f"({users * cfg_s['groups_per_user']} memberships), {cfg_s['applications']} applications of "
        f"{cfg_s['groups_per_application']} groups ({cfg_s['applications'] * cfg_s['groups_per_application']} assignments), "
        f"{cfg_s['blocked_users']} blocks, {cfg_s['disabled_users']} disabled; pure Python at 1/{PYTHON_FRACTION} "
        f"({cfg_p['users']} users, {cfg_p['groups']} groups, {cfg_p['applications']} applications); "
        f"python {platform.python_version()}, {os.cpu_count()} cpus, {load_note()}"
        + (f", {avail / 2**30:.1f} GiB available" if avail else "")
    )
    if ssgm is None:
        print(f"ssgm is not importable ({SSGM_IMPORT_ERROR})", file=sys.stderr)
        return 1
    build_note = ssgm_build_note()
    if build_note:
        print(build_note)
    sys.stdout.flush()
    s = run_worker(sys.executable, "scale:ssgm", cfg_s)
    print(f"ssgm done: import {fmt_ns(s['import_ns'])}, peak RSS {fmt_bytes(s['memory']['peak'])}")
    sys.stdout.flush()
    p = run_worker(sys.executable, "scale:python", cfg_p)
    f = PYTHON_FRACTION

    rows: List[Dict[str, str]] = []

    def row(op: str, sv: str, pv: str, r: str, target: str, ok: str) -> None:
        rows.append({"operation": op, "ssgm": sv, f"pure Python (1/{f}, x{f})": pv, "ratio": r, "target": target, "met": ok})

    s_rate = s["checks"] / (s["checks_ns"] / 1e9)
    p_rate = p["checks"] / (p["checks_ns"] / 1e9)
    row("generate the data in Python", fmt_ns(s["generate_ns"]), fmt_ns(p["generate_ns"] * f) + f" ({fmt_ns(p['generate_ns'])} x{f})", "-", "-", "-")
    v = ratio(p["import_ns"] * f, s["import_ns"])
    row("import_directory", fmt_ns(s["import_ns"]), fmt_ns(p["import_ns"] * f) + f" ({fmt_ns(p['import_ns'])} x{f})",
        f"py/ssgm {fmt_x(v)}", ">=10x py", met(ge(v, 10)))
    row(f"has_access_many, {s['checks']} distinct pairs in calls of {cfg_s['batch'] // 1000}k, first pass",
        f"{fmt_ns(s['checks_ns'])} ({fmt_rate(s_rate)}, {s['granted']} granted)",
        f"{fmt_ns(p['checks_ns'] * f)} ({p['checks']} checks x{f}; {fmt_rate(p_rate)})",
        f"ssgm/py {fmt_x(ratio(s_rate, p_rate))}", ">=10M checks/s", met(ge(s_rate, 10e6)))
    s_again = s["checks"] / (s["checks_again_ns"] / 1e9)
    p_again = p["checks"] / (p["checks_again_ns"] / 1e9)
    row("  the same calls again", f"{fmt_ns(s['checks_again_ns'])} ({fmt_rate(s_again)})",
        f"{fmt_ns(p['checks_again_ns'] * f)} ({fmt_rate(p_again)})", f"ssgm/py {fmt_x(ratio(s_again, p_again))}",
        ">=10M checks/s", met(ge(s_again, 10e6)))
    v = ratio(p["who_ns"], s["who_ns"])
    row(f"who_has_access, largest application (ssgm {s['who_len']} users, py {p['who_len']})",
        fmt_ns(s["who_ns"]) + " (after a command)", fmt_ns(p["who_ns"]) + " (not scaled)",
        f"py/ssgm {fmt_x(v)}", ">=100x py", met(ge(v, 100)))
    sm, pm = s["memory"], p["memory"]
    v = ratio(sm["peak_growth"], pm["peak_growth"] * f)
    row(f"peak RSS growth of the import ({sm['method']})", fmt_bytes(sm["peak_growth"]),
        fmt_bytes(pm["peak_growth"] * f) + f" ({fmt_bytes(pm['peak_growth'])} x{f}, {pm['method']})",
        f"ssgm/py {v:.3f}" if v is not None else "n/a", "<=1/3 py", met(None if v is None else v <= 1 / 3))
    row("RSS kept after the import", fmt_bytes(sm["retained"]), fmt_bytes((pm["retained"] or 0) * f), "-", "-", "-")
    row("peak RSS of the process (data + import)", fmt_bytes(sm["peak"]),
        fmt_bytes(pm["peak"]) + " (at 1/10, not scaled)", "-", "<= ~8 GiB", met(sm["peak"] <= 8 * 2**30))
    print()
    print_table(rows)
    print()
    for line in (
        "Each model in its own child process, after a warm-up import of 10 users; one run each. The pure-Python",
        f"model ran at 1/{f} of the size ({cfg_p['users']} users, the same shape) and its data generation, import",
        f"time, check time and memory are multiplied by {f} (said 'x{f}'). who_has_access is not scaled: the",
        "largest application has about as many users at both sizes (10 groups of ~100 members). The first pass",
        "of has_access_many meets most ids for the first time; 'the same calls again' repeats it. ssgm's",
        "who_has_access: after a command that changes no access (nothing reused), median, the command's own time",
        "taken off. Memory: PEAK RSS GROWTH of the import over VmRSS once the data existed, not tracemalloc:",
        ("VmHWM, the high-water mark reset through /proc/self/clear_refs" if sm["method"] == "VmHWM"
         else "ru_maxrss before and after (the kernel refused the high-water mark reset: a lower bound)") + ".",
    ):
        print(line)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"mode": "scale", "config": {"ssgm": cfg_s, "python": cfg_p}, "ssgm": s, "python": p, "table": rows}, fh, indent=2)
        print(f"results written to {args.json}")
    return 0


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def ge(x: Optional[float], bound: float) -> Optional[bool]:
    return None if x is None else x >= bound


def target_rows(S: Dict[str, Any], P: Dict[str, Any], C: Dict[str, Any], cfg: Dict[str, Any]) -> Tuple[List[Dict[str, str]], Dict[str, Optional[bool]]]:
    """The table of one ssgm build against pure Python and casbin, with the targets."""
    rows: List[Dict[str, str]] = []
    met_flags: Dict[str, Optional[bool]] = {}

    def row(op: str, s: str, p: str, c: str, r: str, target: str, ok: str) -> None:
        rows.append({"operation": op, "ssgm": s, "pure Python": p, "casbin": c, "ratio(s)": r, "target": target, "met": ok})

    n = f"{cfg['pairs'] // 1000}k distinct pairs" if cfg["pairs"] >= 1000 else f"{cfg['pairs']} distinct pairs"
    for key, label in (("has_access_ns", f"has_access by id (app, {n})"), ("has_access_handle_ns", "has_access by handle (app)")):
        s = S.get(key)
        vp, vc = ratio(P["has_access_ns"], s), ratio(C.get("has_access_ns"), s)
        okp, okc = ge(vp, 5), ge(vc, 200)
        met_flags[key] = None if okp is None else (okp and okc is not False)
        row(label, fmt_call(s), fmt_call(P["has_access_ns"]) + (" (id)" if "handle" in key else ""),
            (fmt_call(C["has_access_ns"]) + (" (id)" if "handle" in key else "")) if "has_access_ns" in C else "skipped",
            f"py/ssgm {fmt_x(vp)}, casbin/ssgm {fmt_x(vc)}", ">=5x py, >=200x casbin", met(okp, okc))
    if "has_access_site_ns" in P:
        s = S.get("has_access_site_ns")
        row("has_access by id (site, nested)", fmt_call(s), fmt_call(P["has_access_site_ns"]), "not expressible",
            f"py/ssgm {fmt_x(ratio(P['has_access_site_ns'], s))}", "-", "-")
    b = f"{cfg['batch'] // 1000}k" if cfg["batch"] >= 1000 else str(cfg["batch"])
    s = S.get("many_rate")
    met_flags["has_access_many"] = ge(s, 10e6)
    row(f"has_access_many (calls of {b} id pairs)", fmt_rate(s), fmt_rate(P["many_rate"]) + " (loop)",
        (fmt_rate(C["many_rate"]) + " (batch_enforce)") if "many_rate" in C else "skipped",
        f"ssgm/py {fmt_x(ratio(s, P['many_rate']))}", ">=10M checks/s", met(met_flags["has_access_many"]))
    s = S.get("columns_rate")
    row(f"has_access_many(users, resources), {b}", fmt_rate(s) if s is not None else "n/a (not in this build)", "-", "-",
        f"columns/pairs {fmt_x(ratio(s, S.get('many_rate')))}", "-", "-")
    s1, s2 = S.get("threads_1_rate"), S.get("threads_2_rate")
    v = ratio(s2, s1)
    met_flags["threads"] = ge(v, 1.6)
    row("has_access_many, 2 threads", (fmt_rate(s2) + f" (1 thr {fmt_rate(s1)})") if s2 is not None else "n/a",
        fmt_rate(P["threads_2_rate"]) + f" (1 thr {fmt_rate(P['threads_1_rate'])})", "-",
        f"2thr/1thr ssgm {fmt_x(v)}, py {fmt_x(ratio(P['threads_2_rate'], P['threads_1_rate']))}",
        ">=1.6x one thread", met(met_flags["threads"]))
    s = S.get("who_ns")
    v = ratio(P["who_ns"], s)
    met_flags["who_has_access"] = ge(v, 20)
    row(f"who_has_access ({P['who_len']} users), repeated", fmt_ns(s), fmt_ns(P["who_ns"]), "-", f"py/ssgm {fmt_x(v)}",
        ">=20x py", met(met_flags["who_has_access"]))
    s = S.get("who_after_command_ns")
    v = ratio(P["who_ns"], s)
    met_flags["who_after_command"] = ge(v, 100)
    row("who_has_access right after a command", fmt_ns(s), fmt_ns(P["who_ns"]), "-", f"py/ssgm {fmt_x(v)}",
        ">=100x py", met(met_flags["who_after_command"]))
    s = S.get("who_after_other_ns")
    if s is not None:
        row("  after a command changing no access", fmt_ns(s), fmt_ns(P["who_ns"]), "-",
            f"py/ssgm {fmt_x(ratio(P['who_ns'], s))}", "-", "-")
    s = S.get("build_ns")
    v = ratio(P.get("build_ns"), s)
    met_flags["import"] = ge(v, 10)
    row("import_directory (whole tenant)", fmt_ns(s), fmt_ns(P.get("build_ns")), fmt_ns(C.get("build_ns")) if "build_ns" in C else "skipped",
        f"py/ssgm {fmt_x(v)}" + (f", casbin/ssgm {fmt_x(ratio(C.get('build_ns'), s))}" if "build_ns" in C else ""),
        ">=10x py", met(met_flags["import"]))
    s, p = S.get("rss_peak_growth"), P.get("rss_peak_growth")
    v = ratio(s, p)
    met_flags["memory"] = None if v is None else v <= 1 / 3
    kept = lambda m: f" (kept {fmt_bytes(m.get('rss_retained'))})" if m.get("rss_retained") is not None else ""  # noqa: E731
    row(f"peak RSS growth of the import ({S.get('rss_method', P.get('rss_method', '?'))})", fmt_bytes(s) + kept(S),
        fmt_bytes(p) + kept(P), (fmt_bytes(C.get("rss_peak_growth")) + kept(C)) if "rss_peak_growth" in C else "skipped",
        f"ssgm/py {v:.3f}" if v is not None else "n/a", "<=1/3 py", met(met_flags["memory"]))
    return rows, met_flags


# The ssgm figures compared between builds: key, label, lower is better.
COMPARED = (
    ("has_access_ns", "has_access by id", True),
    ("has_access_handle_ns", "has_access by handle", True),
    ("has_access_site_ns", "has_access by id (site)", True),
    ("many_rate", "has_access_many (pairs)", False),
    ("columns_rate", "has_access_many(users, resources)", False),
    ("threads_1_rate", "has_access_many, 1 thread", False),
    ("threads_2_rate", "has_access_many, 2 threads", False),
    ("who_ns", "who_has_access, repeated", True),
    ("who_after_command_ns", "who_has_access after a command", True),
    ("who_after_other_ns", "who_has_access after a no-access command", True),
    ("build_ns", "import_directory", True),
    ("rss_peak_growth", "peak RSS growth of the import", True),
    ("rss_retained", "RSS kept after the import", True),
)


def fmt_value(key: str, v: Optional[float]) -> str:
    if v is None:
        return "n/a (not in this build)"
    if key.endswith("_rate"):
        return fmt_rate(v)
    if key.startswith("rss_"):
        return fmt_bytes(v)
    return fmt_call(v) if key.startswith("has_access") else fmt_ns(v)


def compare_rows(old: Dict[str, Any], new: Dict[str, Any], old_runs: List[Dict[str, Any]], new_runs: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    rows = []
    for key, label, lower in COMPARED:
        o, n = old.get(key), new.get(key)
        per_round = [ratio(nr.get(key), orr.get(key)) for nr, orr in zip(new_runs, old_runs)]
        v = ratio(n, o)
        if v is None:
            change = "-"
        else:
            better = v < 1 if lower else v > 1
            change = "same" if abs(v - 1) < 0.005 else (("better" if better else "worse") + f" by {abs(v - 1) * 100:.0f}%")
        rows.append({
            "operation": label,
            "old": fmt_value(key, o),
            "new": fmt_value(key, n),
            "new/old": f"{v:.3f}" if v is not None else "-",
            "per round": ", ".join(f"{x:.3f}" for x in per_round if x is not None) or "-",
            "change": change + (" (lower is better)" if lower else " (higher is better)") if v is not None else "-",
        })
    return rows


def combine(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The median of each number over the runs (non-numbers from the first run)."""
    out: Dict[str, Any] = {}
    for key in runs[0]:
        values = [r[key] for r in runs if key in r]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            out[key] = statistics.median(values)
        else:
            out[key] = values[0]
    return out


def flatten_build(b: Dict[str, Any]) -> Dict[str, Any]:
    m = b["memory"]
    return {"build_ns": statistics.median(b["build_ns"]), "build_samples_ns": b["build_ns"], "rss_peak_growth": m["peak_growth"],
            "rss_retained": m["retained"], "rss_method": m["method"]}


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1k users, few repeats (a few seconds)")
    ap.add_argument("--users", type=int, default=None, help="number of users (groups and applications follow, up to 1k and 100)")
    ap.add_argument("--groups", type=int, default=None, help="number of groups (default: users/10, at most 1000)")
    ap.add_argument("--applications", type=int, default=None, help="number of applications (default: users/100, at most 100)")
    ap.add_argument("--compare", metavar="PYTHON", help="another interpreter whose ssgm is the build to compare with (old)")
    ap.add_argument("--scale", action="store_true", help="the 1M-user tenant (--users changes it); pure Python at 1/10, scaled")
    ap.add_argument("--json", metavar="FILE", help="write the results to FILE as JSON")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--config", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker_main(args.worker, json.loads(args.config))
    if args.scale:
        return scale_main(args)
    users = args.users if args.users is not None else (1000 if args.quick else 10_000)
    if users < 10:
        ap.error("--users must be at least 10")
    cfg = make_config(users, args.quick, args.groups, args.applications)

    notes: List[str] = []
    if ssgm is None:
        print(f"ssgm is not importable ({SSGM_IMPORT_ERROR})", file=sys.stderr)
        return 1
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
            "distinction (R-7.4), so it gets no group nesting and no sites; timed on the first "
            f"{cfg['casbin_pairs']} pairs."
        )

    data = generate(cfg)
    w = workload(cfg, data)
    n_apps, n_sites = cfg["applications"], cfg["sites"]
    print(
        f"ssgm benchmark: {cfg['users']} users ({cfg['disabled_users']} disabled), "
        f"{cfg['groups']} groups + 'All staff' ({cfg['users']} members, on {aid(0)}), "
        f"{n_apps} applications, {n_sites} sites, {cfg['nesting_parents']} nesting groups, "
        f"{sum(len(r['blocked']) for r in data['resources'])} blocks; {len(w['app_pairs'])} distinct "
        f"(user id, application id) pairs in calls of {cfg['batch']}; "
        f"python {platform.python_version()}, {os.cpu_count()} cpus, {load_note()}"
        + (" [quick]" if args.quick else "")
    )
    sys.stdout.flush()

    # ---- agreement, with the models built in this process ----
    py = PyModel()
    py.import_directory(data)
    t = ssgm.Tenant("bench")
    print(f"ssgm import counts: {t.import_directory(data)}")
    enf = build_casbin(data) if casbin is not None else None
    try:
        agreed = check_agreement(cfg, data, t, py, enf)
    except Disagreement as exc:
        print("\nMODELS DISAGREE -- benchmark aborted:\n" + str(exc), file=sys.stderr)
        return DISAGREEMENT_EXIT
    print(
        f"agreement: {agreed['pairs']} pairs ({agreed['granted']} granted), "
        f"{agreed['casbin_pairs']} of them with casbin, who_has_access on {len(agreed['who_has_access'])} resources: all agree"
    )
    del t
    sys.stdout.flush()

    # ---- pure Python and casbin queries, in this process ----
    P = measure_queries(py, w, cfg, is_ssgm=False)
    C: Dict[str, Any] = {}
    if enf is not None:
        few = w["app_pairs"][: cfg["casbin_pairs"]]
        C["has_access_ns"] = per_call_ns(enf.enforce, few, max(2, cfg["repeats"] // 2))
        C["many_rate"] = calls_rate(enf.batch_enforce, [(few,)], max(2, cfg["repeats"] // 2))
    del py, enf, data
    trim()

    # ---- ssgm, in child processes: this interpreter ("new") and, with --compare, the other ("old") ----
    builds = [("new", sys.executable)] + ([("old", args.compare)] if args.compare else [])
    rounds = cfg["rounds"] if args.compare else 1
    runs: Dict[str, List[Dict[str, Any]]] = {label: [] for label, _ in builds}
    for rnd in range(rounds):
        for label, python in builds if rnd % 2 == 0 else builds[::-1]:  # alternating
            q = run_worker(python, "queries", cfg)
            q.update(flatten_build(run_worker(python, "build:ssgm", cfg)))
            runs[label].append(q)
            print(f"round {rnd + 1}/{rounds}: ssgm {label} ({q['info']['module']}) measured")
            sys.stdout.flush()
    for model, into in (("python", P), ("casbin", C)):
        if model == "casbin" and casbin is None:
            continue
        into.update(flatten_build(run_worker(sys.executable, f"build:{model}", cfg)))

    S = {label: combine(r) for label, r in runs.items()}
    for label, res in S.items():
        if res["answers"] != P["answers"] or res["who"] != P["who"]:
            msg = (f"ssgm {label} disagrees with pure Python on the timed pairs or on who_has_access "
                   f"(granted {res['answers'][0]} vs {P['answers'][0]}, who {res['who'][0]} vs {P['who'][0]} users)")
            if label == "new":
                print("\nMODELS DISAGREE -- benchmark aborted:\n" + msg, file=sys.stderr)
                return DISAGREEMENT_EXIT
            notes.append("WARNING: " + msg)
        if res["info"].get("debug_build") and label == "old":
            notes.append(f"WARNING: the old build ({res['info']['module']}) carries debug info: not a release build.")

    # ---- tables ----
    tables = {}
    for label in S:
        tables[label] = target_rows(S[label], P, C, cfg)
    method = S["new"].get("rss_method")
    explain = [
        "Medians of repeated runs (time.perf_counter_ns); ssgm measured in child processes, the data and",
        f"pairs built before any timing. has_access and has_access_many: the same {len(w['app_pairs'])} DISTINCT random",
        f"(user id, application id) pairs, in calls of {cfg['batch']} for has_access_many; the first pass meets the ids",
        "for the first time, the medians are of all passes. 2 threads: the same calls shared between two",
        "threads. who_has_access: on the 'All staff' application; 'right after a command' runs set_enabled",
        "before each question (it moves every access epoch: nothing reused) and takes the command's own time",
        "off; 'after a command changing no access' runs set_roles instead, after which the kept answer holds.",
        "Builds and memory: each model in its own child process after a warm-up build of 10 users; memory is",
        "the PEAK RSS GROWTH of one import over the RSS once the input data exists, not tracemalloc:",
        ("VmHWM, the high-water mark reset through /proc/self/clear_refs" if method == "VmHWM"
         else "ru_maxrss before and after (the kernel refused the high-water mark reset: a lower bound)")
        + "; 'kept' is the RSS after the import minus that baseline.",
    ]
    if args.compare:
        print()
        print(f"ssgm new ({S['new']['info']['module']}) against old ({S['old']['info']['module']}), "
              f"{rounds} alternating round(s), same data and seed:")
        print_table(compare_rows(S["old"], S["new"], runs["old"], runs["new"]))
        for label in ("new", "old"):
            print()
            print(f"ssgm {label} ({S[label]['info']['module']}):")
            print_table(tables[label][0])
    else:
        print()
        print_table(tables["new"][0])
    print()
    for line in explain:
        print(line)
    for n in notes:
        print(n if n.startswith("WARNING") else "note: " + n)

    if args.json:
        out = {
            "config": cfg,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "casbin": None if casbin is None else {"version": casbin_version(), "enforcer": casbin_kind()},
            "ssgm_available": True,
            "agreement": agreed,
            "results": {"ssgm": S["new"], "python": P, "casbin": C, **({"ssgm_old": S["old"]} if args.compare else {})},
            "runs": runs,
            "targets_met": tables["new"][1],
            "table": tables["new"][0],
            "notes": notes,
        }
        if args.compare:
            out["table_old"] = tables["old"][0]
            out["comparison"] = compare_rows(S["old"], S["new"], runs["old"], runs["new"])
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

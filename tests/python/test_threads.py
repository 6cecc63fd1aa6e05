"""The store is shared between threads; the GIL is released around every call that takes its
lock (R-8.6: has_access_many answers under one read lock; R-8.4: concurrent commands all land
in one history, each exactly once)."""

from __future__ import annotations

import threading
import time

import ssgm
from conftest import full_state


def deep_site_tenant(depth: int) -> tuple[ssgm.Tenant, ssgm.User, ssgm.Resource]:
    """A site assigned to the top of a chain of `depth` nested groups, a user at the bottom:
    every check walks the whole chain (R-7.4)."""
    t = ssgm.Tenant("deep")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    user = t.add_user("deep@contoso.com")
    site = t.create_resource(admin, "Site", kind="site")
    prev = t.create_group(admin, "G0")
    t.assign(admin, site, prev)
    for i in range(1, depth):
        g = t.create_group(admin, f"G{i}")
        t.add_member(admin, prev, g)
        prev = g
    t.add_member(admin, prev, user)
    return t, user, site


def test_r8_6_other_threads_run_during_a_long_has_access_many() -> None:
    """R-8.6: has_access_many releases the GIL while it checks, so another Python thread makes
    progress in the middle of the call (with the GIL held it could only run before or after)."""
    t, user, site = deep_site_tenant(200)
    pairs = [(user.id, site.id)] * 1500
    assert t.has_access(user, site)

    for attempt in range(3):
        stamps: list[float] = []
        stop = threading.Event()

        def spin() -> None:
            while not stop.is_set():
                stamps.append(time.perf_counter())

        spinner = threading.Thread(target=spin)
        spinner.start()
        time.sleep(0.02)
        start = time.perf_counter()
        answers = t.has_access_many(pairs)
        end = time.perf_counter()
        stop.set()
        spinner.join()
        assert answers == [True] * len(pairs)
        span = end - start
        middle = [s for s in stamps if start + 0.4 * span < s < end - 0.1 * span]
        if middle:
            return
        pairs = pairs * 2  # a very fast machine: make the call longer and look again
    raise AssertionError("no other thread ran while has_access_many was checking")


def test_r8_4_four_threads_issuing_commands_lose_nothing() -> None:
    """R-8.4, R-8.1: four threads adding users and members at once: every command lands once,
    seq numbers stay contiguous, and the history replays to the same state."""
    t = ssgm.Tenant("busy")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    group = t.create_group(admin, "Everyone")
    app = t.create_resource(admin, "App")
    t.assign(admin, app, group)
    per_thread = 60
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(k: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                u = t.add_user(f"t{k}-{i}@contoso.com")
                t.add_member(admin, group, u)
                assert t.has_access(u, app)
                u.upn  # noqa: B018  (a handle read while others write)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(group.members) == 4 * per_thread
    assert len(t.users()) == 1 + 4 * per_thread
    log = t.audit_log()
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert len(log) == 4 + 2 * 4 * per_thread
    assert len(t.provisioning_log()) == 4 * per_thread
    assert len({u.id for u in t.users()}) == len(t.users())
    assert full_state(ssgm.Tenant.replay(t.events())) == full_state(t)


def test_r8_4_readers_and_a_writer_at_once() -> None:
    """R-8.4: queries in several threads while one thread writes never fail or deadlock."""
    t, user, site = deep_site_tenant(20)
    admin = t.user("admin@contoso.com")
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                t.who_has_access(site)
                t.audit_log()
                site.assigned  # noqa: B018
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for r in readers:
        r.start()
    for i in range(50):
        u = t.add_user(f"w{i}@contoso.com")
        t.assign(admin, site, u)
    stop.set()
    for r in readers:
        r.join()
    assert errors == []
    assert len(t.who_has_access(site)) == 51

"""History, replay, forks and persistence (R-8.3, R-8.4, R-10.7, R-10.15)."""

from __future__ import annotations

import copy
import os
import pickle
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import ssgm
from conftest import World, full_state, make_world


def busy_world() -> tuple[World, list[dict[str, Any]]]:
    """A world with allowed and refused commands and clock moves; returns the full state
    after each history entry."""
    w = make_world()
    t = w.t
    states = []

    def snap() -> None:
        states.append(full_state(t))

    # The states of the seeding above are rebuilt by replay below, from the history.
    g = t.create_group(w.alice, "Team", join_policy="owner_approval")
    app = t.create_resource(w.admin, "App")
    t.assign(w.admin, app, g)
    t.advance(hours=1)
    r = t.request_to_join(w.carol, g, "please")
    try:
        t.add_member(w.dave, g, w.dave)
    except ssgm.PermissionDenied:
        pass
    t.approve(w.alice, r)
    t.set_time(datetime(2016, 7, 1, 12, 30, tzinfo=timezone.utc))
    t.block(w.admin, app, w.carol)
    t.check(w.dave, "delete_group", g)  # not part of the history
    return w, states


def test_r8_4_history_lists_every_command_and_clock_move(w: World) -> None:
    """R-8.4: every command, allowed or refused, and every clock move, in order, as
    JSON-ready dicts; dry runs and queries are not history; refused clock moves neither."""
    t = w.t
    n = len(t.events())
    t.advance(days=1)
    with pytest.raises(ssgm.PermissionDenied):
        t.create_resource(w.alice, "App")
    t.check(w.alice, "create_resource", "App")
    t.has_access_many([])
    with pytest.raises(ssgm.InvalidArgument):
        t.advance(seconds=-1)
    with pytest.raises(ssgm.InvalidArgument):
        t.set_time(datetime(2000, 1, 1))
    new = t.events()[n:]
    assert new == [
        {"op": "advance", "micros": 86_400_000_000},
        {"op": "create_resource", "actor": w.alice.id, "name": "App", "kind": "application", "owners": []},
    ]
    import json

    assert json.loads(json.dumps(t.events())) == t.events()


def test_r8_4_replay_rebuilds_the_identical_state() -> None:
    """R-8.4: replaying the history on a new tenant yields the identical state: ids,
    memberships, requests, settings, audit and provisioning logs with their seq numbers."""
    w, _ = busy_world()
    again = ssgm.Tenant.replay(w.t.events())
    assert full_state(again) == full_state(w.t)
    assert again.name == "replay"
    assert ssgm.Tenant.replay(w.t.events(), name="copy").name == "copy"


def test_r8_4_replaying_a_prefix_gives_the_state_as_of_that_point() -> None:
    """R-8.4: the first k events rebuild the state after the k-th command, for every k."""
    w, _ = busy_world()
    events = w.t.events()
    t = ssgm.Tenant("step")
    for k, event in enumerate(events, start=1):
        # Re-execute each event through the public API as replay of one more event.
        t = ssgm.Tenant.replay(events, until=k)
        assert len(t.events()) == k
    assert full_state(t) == full_state(w.t)
    assert full_state(ssgm.Tenant.replay(events, until=0)) == full_state(ssgm.Tenant("x"))
    assert full_state(ssgm.Tenant.replay(events, until=10_000)) == full_state(w.t)
    # A prefix that stops before the approval has the request still pending.
    approve_at = next(i for i, e in enumerate(events) if e["op"] == "approve")
    before = ssgm.Tenant.replay(events, until=approve_at)
    assert [r.status for r in before.requests()] == ["pending"]
    assert [r.status for r in ssgm.Tenant.replay(events, until=approve_at + 1).requests()] == ["approved"]


def test_r8_4_replay_rejects_entries_that_are_not_history() -> None:
    """R-8.4, R-10.13: a malformed history entry is a TypeError naming its position."""
    for bad in ([{"op": "fly"}], [{"op": "add_user"}], [5], [{"op": "add_user", "upn": "a@b", "extra": 1}], [{"op": "advance", "micros": object()}]):
        with pytest.raises(TypeError, match="event 0"):
            ssgm.Tenant.replay(bad)
    with pytest.raises(ValueError):
        ssgm.Tenant.replay([], until=-1)
    with pytest.raises(TypeError):
        ssgm.Tenant.replay([], until="3")  # type: ignore[arg-type]


def test_r8_4_fork_is_independent(w: World) -> None:
    """R-8.4: a fork is an independent copy for what-if studies; deepcopy and copy fork."""
    g = w.t.create_group(w.admin, "G")
    for f in (w.t.fork(), copy.deepcopy(w.t), copy.copy(w.t)):
        assert full_state(f) == full_state(w.t)
        f.add_member(w.admin, g, w.carol)
        assert [m.id for m in f.group(g).members] == [w.carol.id]
        assert w.carol not in g.members


def test_r10_15_handles_work_on_forks_but_are_equal_only_within_a_tenant(w: World) -> None:
    """R-10.15, R-1.4: a fork's handle is not equal to the original's, though each resolves in
    both tenants; handles are hashable."""
    g = w.t.create_group(w.admin, "G", owners=[w.bob])
    f = w.t.fork()
    fg = f.group(g.id)
    assert fg != g and fg.id == g.id and hash(fg) == hash(g)
    assert g == w.t.group("G") and len({g, w.t.group(g.id), fg}) == 2
    f.add_member(w.bob, g, w.carol)  # the original's handles, used on the fork
    w.t.add_member(w.bob, fg, w.dave)  # the fork's handle, used on the original
    assert [m.id for m in fg.members] == [w.carol.id]
    assert g.members == [w.dave]
    assert fg.members[0] != w.carol  # the fork's carol


def test_r8_4_save_and_load(tmp_path: Path) -> None:
    """R-8.4: save writes a snapshot atomically; load replays it to the identical state; paths
    may be str or os.PathLike."""
    w, _ = busy_world()
    path = tmp_path / "contoso.json"
    w.t.save(path)
    w.t.save(str(tmp_path / "second.json"))
    loaded = ssgm.Tenant.load(str(path))
    assert full_state(loaded) == full_state(w.t)
    assert loaded.name == w.t.name
    assert sorted(os.listdir(tmp_path)) == ["contoso.json", "second.json"]  # no temp files left
    with pytest.raises(TypeError):
        w.t.save(42)  # type: ignore[arg-type]


def test_r8_4_pickle_round_trip() -> None:
    """R-8.4: a tenant pickles as its snapshot and unpickles to the identical state."""
    w, _ = busy_world()
    again = pickle.loads(pickle.dumps(w.t))
    assert isinstance(again, ssgm.Tenant)
    assert full_state(again) == full_state(w.t)


def test_r8_4_journal_round_trip(tmp_path: Path) -> None:
    """R-8.4: Tenant.open replays the journal and appends every command (refused ones and clock
    moves too) before returning, so a reopened tenant is identical."""
    path = tmp_path / "contoso.journal"
    t = ssgm.Tenant.open(path)
    assert t.name == "contoso"
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    alice = t.add_user("alice@contoso.com")
    t.configure(admin, delegated_group_management=True, users_can_create_security_groups=True)
    t.create_group(alice, "Team")
    t.advance(hours=3)
    with pytest.raises(ssgm.PermissionDenied):
        t.create_resource(alice, "App")
    expected = full_state(t)
    # The journal is locked while open (one writer at a time).
    with pytest.raises(ssgm.StorageError) as e:
        ssgm.Tenant.open(path)
    assert e.value.code == "io_error"
    del t, admin, alice
    import gc

    gc.collect()
    again = ssgm.Tenant.open(str(path), fsync="never")
    assert full_state(again) == expected
    again.add_user("bob@contoso.com")
    del again
    gc.collect()
    assert [u.upn for u in ssgm.Tenant.open(path).users()][-1] == "bob@contoso.com"


def test_r8_4_journal_torn_tail_is_truncated_with_a_warning(tmp_path: Path) -> None:
    """R-8.4: a torn last record (a crash mid-write) is truncated and reported as a
    RuntimeWarning; the tenant is the one before the torn command."""
    import gc

    path = tmp_path / "t.journal"
    t = ssgm.Tenant.open(path)
    t.add_user("a@contoso.com")
    expected = full_state(t)
    del t
    gc.collect()
    with open(path, "ab") as f:
        f.write(b'0badf00d {"op": "add_user", "upn": "b@cont')  # no newline: torn
    with pytest.warns(RuntimeWarning, match="torn"):
        t = ssgm.Tenant.open(path)
    assert full_state(t) == expected
    t.add_user("c@contoso.com")
    del t
    gc.collect()
    again = ssgm.Tenant.open(path)  # no warning: the file is whole again
    assert [u.upn for u in again.users()] == ["a@contoso.com", "c@contoso.com"]


def test_r8_4_fsync_policy_is_checked(tmp_path: Path) -> None:
    """R-8.4: the journal's fsync policy is `always` or `never`."""
    with pytest.raises(ssgm.InvalidArgument) as e:
        ssgm.Tenant.open(tmp_path / "x.journal", fsync="sometimes")  # type: ignore[arg-type]
    assert e.value.code == "invalid_setting"


def test_r8_3_clock_starts_at_2016_06_14_and_moves_forward() -> None:
    """R-8.3, R-10.7: the clock starts at 2016-06-14T00:00:00Z; advance takes ints or floats;
    set_time takes aware datetimes in any zone, or naive ones read as UTC; the same instant
    is allowed, earlier ones are `invalid_time`."""
    t = ssgm.Tenant("clock")
    start = datetime(2016, 6, 14, tzinfo=timezone.utc)
    assert t.now == start and t.now.tzinfo is not None
    assert t.advance() == start  # advance by zero is allowed
    assert t.advance(days=1, hours=1.5, minutes=1, seconds=0.25) == start + timedelta(days=1, hours=1.5, minutes=1, seconds=0.25)
    assert t.advance(seconds=-0.25, minutes=1) == t.now  # the total counts
    plus_two = timezone(timedelta(hours=2))
    assert t.set_time(datetime(2016, 6, 20, 2, 0, tzinfo=plus_two)) == datetime(2016, 6, 20, tzinfo=timezone.utc)
    assert t.set_time(datetime(2016, 6, 20)) == datetime(2016, 6, 20, tzinfo=timezone.utc)  # naive: UTC, same instant
    try:
        from zoneinfo import ZoneInfo

        paris = datetime(2016, 6, 21, 2, 0, tzinfo=ZoneInfo("Europe/Paris"))
        assert t.set_time(paris) == datetime(2016, 6, 21, tzinfo=timezone.utc)
    except Exception:  # pragma: no cover - no tz database
        pass
    before = t.now
    for bad in (dict(days=-1), dict(hours=-0.5)):
        with pytest.raises(ssgm.InvalidArgument) as e:
            t.advance(**bad)
        assert e.value.code == "invalid_time"
    with pytest.raises(ssgm.InvalidArgument):
        t.advance(days=10**30)
    with pytest.raises(ssgm.InvalidArgument):
        t.advance(days=float("inf"))
    assert t.now == before


def test_r11_1_from_graph_tenant_keeps_its_report_through_forks_and_snapshots(tmp_path: Path) -> None:
    """R-11.1, R-11.7: a Graph tenant's history is one import; fork and save/load keep the
    report; other tenants report None."""
    export = Path(__file__).resolve().parents[1] / "data" / "graph" / "contoso"
    t = ssgm.Tenant.from_graph(export)
    assert [e["op"] for e in t.events()] == ["import_directory"]
    assert t.import_report is not None
    assert t.fork().import_report == t.import_report
    t.save(tmp_path / "g.json")
    assert ssgm.Tenant.load(tmp_path / "g.json").import_report == t.import_report
    assert pickle.loads(pickle.dumps(t)).import_report == t.import_report
    assert ssgm.Tenant("plain").import_report is None


def test_r8_3_the_clock_stops_at_the_last_instant_a_datetime_can_show():
    """R-8.3: moving past 9999-12-31T23:59:59.999999Z is invalid_time, and changes nothing."""
    import datetime as _dt

    t = ssgm.Tenant("late")
    t.set_time(_dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=_dt.timezone.utc))
    before = t.now
    with pytest.raises(ssgm.InvalidArgument) as err:
        t.advance(days=1)
    assert err.value.code == "invalid_time"
    assert t.now == before

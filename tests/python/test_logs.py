"""The audit log (R-8.1, R-10.3) and the provisioning log (R-7.7)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import ssgm
from conftest import World


def last(t: ssgm.Tenant) -> ssgm.AuditEntry:
    return t.audit_log()[-1]


def test_r8_1_activities_follow_entra(w: World) -> None:
    """R-8.1: each command's activity name, as the table of R-8.1 gives it."""
    t = w.t
    expected: list[tuple[str, object]] = []

    def run(activity: str, f: object, *args: object, **kw: object) -> object:
        result = f(*args, **kw)  # type: ignore[operator]
        assert last(t).activity == activity, activity
        return result

    u = run("Add user", t.add_user, "new@contoso.com")
    run("Update user", t.set_enabled, u, True)
    run("Update user", t.set_roles, u, [])
    run("Update group settings", t.configure, w.admin)
    g = run("Add group", t.create_group, w.admin, "G", owners=[w.bob], join_policy="owner_approval")
    run("Update group", t.update_group, w.admin, g, description="d")
    run("Add member to group", t.add_member, w.admin, g, w.carol)
    run("Remove member from group", t.remove_member, w.admin, g, w.carol)
    run("Add member to group", t.add_member, w.admin, g, w.carol)
    run("Remove member from group", t.leave, w.carol, g)
    run("Add owner to group", t.add_owner, w.admin, g, w.carol)
    run("Remove owner from group", t.remove_owner, w.admin, g, w.carol)
    r = run("Request to join a group", t.request_to_join, w.dave, g, "please")
    run("Approve a pending request to join a group", t.approve, w.bob, r)
    r2 = run("Request to join a group", t.request_to_join, w.carol, g, "please")
    run("Reject a pending request to join a group", t.deny, w.bob, r2)
    r3 = run("Request to join a group", t.request_to_join, w.carol, g, "please")
    run("Cancel a pending request to join a group", t.cancel, w.carol, r3)
    app = run("Add resource", t.create_resource, w.admin, "App")
    run("Add owner to resource", t.add_resource_owner, w.admin, app, w.bob)
    run("Remove owner from resource", t.remove_resource_owner, w.admin, app, w.bob)
    run("Add app role assignment to group", t.assign, w.admin, app, g)
    run("Add app role assignment grant to user", t.assign, w.admin, app, w.carol)
    run("Remove app role assignment from group", t.unassign, w.admin, app, g)
    run("Remove app role assignment from user", t.unassign, w.admin, app, w.carol)
    run("Block user from resource", t.block, w.admin, app, w.carol)
    run("Unblock user from resource", t.unblock, w.admin, app, w.carol)
    run("List group members", t.list_members, w.admin, g)
    run("List resource access", t.list_access, w.admin, app)
    run("Delete group", t.delete_group, w.admin, g)
    run("Import directory", t.import_directory, {"users": [{"upn": "imported@contoso.com"}]})
    assert not expected


def test_r8_1_entries_number_time_actor_and_outcome(w: World) -> None:
    """R-8.1: seq 1, 2, 3 …; time from the logical clock; `system` for seeding; the actor's id."""
    log = w.t.audit_log()
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert log[0].actor == "system" and log[0].targets == [w.admin.id]
    w.t.advance(days=3)
    w.t.create_group(w.alice, "G")
    e = last(w.t)
    assert (e.actor, e.outcome, e.code) == (w.alice.id, "success", None)
    assert e.time == datetime(2016, 6, 17, tzinfo=timezone.utc) == w.t.now
    assert e.time.tzinfo is not None and e.time.utcoffset() == timedelta(0)


def test_r10_3_targets_in_argument_order_with_created_ids(w: World) -> None:
    """R-10.3: targets are the named objects' ids in argument order, a created object's id where
    its name was; request_to_join records the request after the group; approve/deny/cancel
    name only the request; leave only the group."""
    t = w.t
    g = t.create_group(w.admin, "G", owners=[w.bob], members=[w.carol], join_policy="owner_approval")
    assert last(t).targets == [g.id, w.bob.id, w.carol.id]
    t.add_member(w.bob, g, w.dave)
    assert last(t).targets == [g.id, w.dave.id]
    r = t.request_to_join(w.alice, g, "please")
    assert last(t).targets == [g.id, r.id]
    t.approve(w.bob, r)
    assert last(t).targets == [r.id]
    t.leave(w.dave, g)
    assert last(t).targets == [g.id]
    app = t.create_resource(w.admin, "App", owners=[w.bob])
    assert last(t).targets == [app.id, w.bob.id]


def test_r8_1_unresolved_references_are_recorded_as_given(w: World) -> None:
    """R-8.1, R-10.3: a reference that did not resolve is recorded as given; an unresolved
    assign principal with `@` is logged as a user's assignment."""
    app = w.t.create_resource(w.admin, "App")
    with pytest.raises(ssgm.NotFound):
        w.t.add_member("ghost@contoso.com", "No group", w.carol)
    e = last(w.t)
    assert (e.actor, e.targets, e.code) == ("ghost@contoso.com", ["No group", w.carol.id], "user_not_found")
    with pytest.raises(ssgm.NotFound):
        w.t.assign(w.admin, app, "nobody@contoso.com")
    assert last(w.t).activity == "Add app role assignment grant to user"
    assert last(w.t).targets == [app.id, "nobody@contoso.com"]


def test_r8_3_clock_moves_are_not_audited(w: World) -> None:
    """R-8.3: advance and set_time change the clock, not the audit log."""
    n = len(w.t.audit_log())
    w.t.advance(hours=1)
    w.t.set_time(datetime(2017, 1, 1))
    assert len(w.t.audit_log()) == n


def test_r7_7_one_entry_per_change_with_its_cause(w: World) -> None:
    """R-7.7: every change of effective access is one entry, cause = the audit seq of the
    command; a command's entries are ordered by user then resource, in creation order."""
    t = w.t
    a = t.create_resource(w.admin, "A")
    b = t.create_resource(w.admin, "B", kind="site")
    g = t.create_group(w.admin, "G", members=[w.dave, w.carol])
    t.assign(w.admin, b, g)
    t.assign(w.admin, a, g)
    n = len(t.provisioning_log())
    t.assign(w.admin, a, w.carol)  # carol already has A through G: no change
    assert len(t.provisioning_log()) == n
    t.advance(minutes=1)
    t.delete_group(w.admin, g)
    seq = last(t).seq
    entries = t.provisioning_log()[n:]
    assert [(e.user, e.resource, e.change, e.cause) for e in entries] == [
        (w.carol.id, b.id, "deprovisioned", seq),  # carol keeps A (assigned directly)
        (w.dave.id, a.id, "deprovisioned", seq),
        (w.dave.id, b.id, "deprovisioned", seq),
    ]
    assert all(e.time == t.now for e in entries)
    log = t.provisioning_log()
    assert [e.seq for e in log] == list(range(1, len(log) + 1))


def test_r7_7_refused_commands_provision_nothing(w: World) -> None:
    """R-8.2, R-7.7: a refused command appends no provisioning entry."""
    app = w.t.create_resource(w.admin, "App")
    g = w.t.create_group(w.admin, "G", owners=[w.bob])
    w.t.assign(w.admin, app, g)
    with pytest.raises(ssgm.PermissionDenied):
        w.t.add_member(w.carol, g, w.carol)
    assert w.t.provisioning_log() == []


def test_r8_5_import_is_one_audit_entry_and_no_provisioning(w: World) -> None:
    """R-8.5: an import is one `Import directory` entry by `system`, no provisioning entries;
    counts after merging; ids kept; handles in the data become ids."""
    n = len(w.t.audit_log())
    counts = w.t.import_directory(
        {
            "users": [{"id": "ext-1", "upn": "ext@contoso.com", "department": "Ops"}],
            "groups": [{"id": "grp-1", "name": "Imported", "owners": [w.bob, w.bob], "members": ["ext-1", w.carol]}],
            "resources": [{"name": "Imported app", "assigned": ["grp-1"], "owners": ["ext@contoso.com"]}],
        }
    )
    assert counts == {"users": 1, "groups": 1, "resources": 1, "memberships": 2, "owners": 2, "assignments": 1, "blocks": 0}
    entries = w.t.audit_log()[n:]
    assert [(e.activity, e.actor, e.targets) for e in entries] == [("Import directory", "system", [])]
    assert w.t.provisioning_log() == []
    ext = w.t.user("ext-1")
    assert ext.department == "Ops"
    assert w.t.has_access(ext, "Imported app")
    assert w.t.group("grp-1").name == "Imported"
    # Group and resource names are not references in import data.
    with pytest.raises(ssgm.NotFound) as e:
        w.t.import_directory({"resources": [{"name": "Other", "assigned": ["Imported"]}]})
    assert e.value.code == "group_not_found"


def test_r8_1_records_go_into_a_table(w: World) -> None:
    """R-8.1: audit entries and provisioning events are immutable named-tuple-like values, so a
    list of them goes straight into a table (pandas.DataFrame where pandas is installed)."""
    app = w.t.create_resource(w.admin, "App")
    w.t.assign(w.admin, app, w.carol)
    log = w.t.audit_log()
    e = log[-1]
    assert e._fields == ("seq", "time", "actor", "activity", "targets", "outcome", "code")
    assert list(e) == [e.seq, e.time, e.actor, e.activity, e.targets, e.outcome, e.code]
    assert e[0] == e.seq and e[-1] == e.code and len(e) == 7
    assert dict(zip(e._fields, e)) == e.to_dict()
    assert e == w.t.audit_log()[-1] and hash(e) == hash(w.t.audit_log()[-1])
    with pytest.raises(AttributeError):
        e.seq = 5  # type: ignore[misc]
    p = w.t.provisioning_log()[0]
    assert p.to_dict() == dict(zip(p._fields, p))
    try:
        import pandas as pd  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return
    frame = pd.DataFrame(log)
    assert list(frame.columns) == list(e._fields)
    assert len(frame) == len(log) and list(frame["seq"]) == [x.seq for x in log]

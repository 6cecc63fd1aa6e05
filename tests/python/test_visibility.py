"""Visibility: checked reads and the Access Panel (SPEC §6)."""

from __future__ import annotations

import pytest

import ssgm
from conftest import World, make_world


def test_r6_1_owners_and_admins_list_members(w: World) -> None:
    """R-6.1: admins and the group's owners list its members; anyone else gets `not_owner`."""
    inner = w.t.create_group(w.admin, "Inner")
    g = w.t.create_group(w.admin, "G", owners=[w.bob], members=[w.carol, inner])
    for actor in (w.admin, w.gadmin, w.bob):
        assert w.t.list_members(actor, g) == [w.carol, inner]
    for actor in (w.appadmin, w.carol, w.dave):
        with pytest.raises(ssgm.PermissionDenied) as e:
            w.t.list_members(actor, g)
        assert e.value.code == "not_owner"


def test_r6_1_listing_depends_on_nothing_else() -> None:
    """R-6.1: an owner lists members with self-service off, of any kind, even on-premises."""
    w = make_world()
    groups = [
        w.t.create_group(w.admin, kind, kind=kind, owners=[w.bob], members=[w.carol])
        for kind in ("security", "microsoft365", "mail_enabled_security", "distribution")
    ]
    groups.append(w.t.create_group(w.admin, "Synced", owners=[w.bob], members=[w.carol], on_premises=True))
    w.t.configure(w.admin, delegated_group_management=False, self_service_scope="some")
    for g in groups:
        assert w.t.list_members(w.bob, g) == [w.carol]


def test_r6_2_resource_owners_and_resource_admins_list_access(w: World) -> None:
    """R-6.2: resource admins and owners list who has access; a groups admin does not."""
    app = w.t.create_resource(w.admin, "App", owners=[w.bob])
    w.t.assign(w.admin, app, w.carol)
    for actor in (w.admin, w.appadmin, w.bob):
        assert w.t.list_access(actor, app) == [w.carol]
    for actor in (w.gadmin, w.carol):
        with pytest.raises(ssgm.PermissionDenied) as e:
            w.t.list_access(actor, app)
        assert e.value.code == "not_resource_owner"


def test_r8_1_checked_reads_are_audited(w: World) -> None:
    """R-8.1: the checked reads append audit entries, allowed or refused."""
    g = w.t.create_group(w.admin, "G", owners=[w.bob])
    app = w.t.create_resource(w.admin, "App")
    w.t.list_members(w.bob, g)
    with pytest.raises(ssgm.PermissionDenied):
        w.t.list_access(w.carol, app)
    a, b = w.t.audit_log()[-2:]
    assert (a.activity, a.actor, a.targets, a.outcome) == ("List group members", w.bob.id, [g.id], "success")
    assert (b.activity, b.outcome, b.code) == ("List resource access", "refused", "not_resource_owner")


def test_r6_3_access_panel_sections(w: World) -> None:
    """R-6.3: joinable, member_of, owner_of, requests and approvals, in creation order."""
    t = w.t
    open_g = t.create_group(w.admin, "Open", join_policy="open", owners=[w.carol])
    approval = t.create_group(w.admin, "Approval", join_policy="owner_approval", owners=[w.carol])
    t.create_group(w.admin, "Closed", owners=[w.carol])
    t.create_group(w.admin, "List", kind="distribution", join_policy="open")
    t.create_group(w.admin, "Synced", join_policy="open", on_premises=True)
    member = t.create_group(w.admin, "Member", join_policy="open", members=[w.dave])
    pending = t.create_group(w.admin, "Pending", join_policy="owner_approval", owners=[w.carol])
    mine = t.request_to_join(w.dave, pending, "please")
    panel = t.access_panel(w.dave)
    assert panel.joinable == [open_g, approval]
    assert panel.member_of == [member]
    assert panel.owner_of == []
    assert panel.requests == [mine]
    assert panel.approvals == []
    carol = t.access_panel(w.carol)
    assert carol.owner_of == [open_g, approval, t.group("Closed"), pending]
    assert carol.approvals == [mine]
    assert panel.to_dict() == {
        "joinable": [open_g.id, approval.id],
        "member_of": [member.id],
        "owner_of": [],
        "requests": [mine.id],
        "approvals": [],
        "reviews": [],  # §14
        # §15
        "packages": [],
        "package_requests": [],
        "package_approvals": [],
        "package_assignments": [],
    }
    assert "<table" in panel._repr_html_() and "Open" in panel._repr_html_()


def test_r6_3_joinable_follows_the_switch(w: World) -> None:
    """R-6.3, R-2.2: with self-service off nothing is joinable for a user."""
    w.t.create_group(w.admin, "Open", join_policy="open")
    assert len(w.t.access_panel(w.dave).joinable) == 1
    w.t.configure(w.admin, delegated_group_management=False)
    assert w.t.access_panel(w.dave).joinable == []


def test_r6_3_admins_see_approvals_of_every_group(w: World) -> None:
    """R-6.3, R-5.6: a group admin may decide every pending request, so sees them all."""
    g = w.t.create_group(w.admin, "Approval", join_policy="owner_approval", owners=[w.bob])
    r = w.t.request_to_join(w.carol, g, "please")
    assert w.t.access_panel(w.gadmin).approvals == [r]
    assert w.t.access_panel(w.appadmin).approvals == []


def test_r6_4_analyst_queries_see_everything(w: World) -> None:
    """R-6.4: queries without an actor see every object, audit nothing, and are no history."""
    g = w.t.create_group(w.admin, "G", owners=[w.bob], members=[w.carol])
    app = w.t.create_resource(w.admin, "App")
    w.t.assign(w.admin, app, g)
    audit, events = len(w.t.audit_log()), len(w.t.events())
    assert w.t.users() == [w.admin, w.gadmin, w.appadmin, w.alice, w.bob, w.carol, w.dave]
    assert w.t.groups() == [g] and w.t.resources() == [app]
    assert g.members == [w.carol] and w.t.who_has_access(app) == [w.carol]
    assert w.t.access_of(w.carol) == [app]
    w.t.access_panel(w.carol)
    w.t.explain_access(w.carol, app)
    w.t.has_access_many([(w.carol, app)])
    w.t.check(w.carol, "add_member", g, w.dave)
    assert (len(w.t.audit_log()), len(w.t.events())) == (audit, events)


def test_r6_4_lookups_raise_not_found(w: World) -> None:
    """R-6.4, R-1.4: lookups raise NotFound with the code of the kind asked for."""
    for lookup, code in (
        (w.t.user, "user_not_found"),
        (w.t.group, "group_not_found"),
        (w.t.resource, "resource_not_found"),
        (w.t.request, "request_not_found"),
    ):
        with pytest.raises(ssgm.NotFound) as e:
            lookup("nothing")
        assert e.value.code == code

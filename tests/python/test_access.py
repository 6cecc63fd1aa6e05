"""Effective access, explanations and batch checks (SPEC §7, R-8.6)."""

from __future__ import annotations

import pytest

import ssgm
from conftest import World


@pytest.fixture
def nested(w: World) -> tuple[World, ssgm.Group, ssgm.Group, ssgm.Group]:
    """outer ∋ middle ∋ inner ∋ carol; outer ∋ alice; middle ∋ bob."""
    inner = w.t.create_group(w.admin, "Inner", members=[w.carol])
    middle = w.t.create_group(w.admin, "Middle", members=[w.bob, inner])
    outer = w.t.create_group(w.admin, "Outer", members=[w.alice, middle])
    return w, outer, middle, inner


def test_r7_4_applications_reach_direct_members_only(nested: tuple[World, ssgm.Group, ssgm.Group, ssgm.Group]) -> None:
    """R-7.4: an application assigned to a group reaches its direct members only."""
    w, outer, middle, inner = nested
    app = w.t.create_resource(w.admin, "App", kind="application")
    w.t.assign(w.admin, app, outer)
    assert w.t.who_has_access(app) == [w.alice]
    assert w.t.has_access_many([(u, app) for u in (w.alice, w.bob, w.carol)]) == [True, False, False]
    assert w.t.explain_access(w.carol, app).paths == []


def test_r7_4_sites_reach_members_through_nesting(nested: tuple[World, ssgm.Group, ssgm.Group, ssgm.Group]) -> None:
    """R-7.4: a site assigned to a group reaches members through nested groups."""
    w, outer, middle, inner = nested
    site = w.t.create_resource(w.admin, "Site", kind="site")
    w.t.assign(w.admin, site, outer)
    assert w.t.who_has_access(site) == [w.alice, w.bob, w.carol]
    assert w.t.explain_access(w.carol, site).paths == [[outer.id, middle.id, inner.id, w.carol.id]]
    # Removing the nesting withdraws access, and provisioning says so.
    w.t.remove_member(w.admin, middle, inner)
    assert not w.t.has_access(w.carol, site)
    last = w.t.provisioning_log()[-1]
    assert (last.user, last.resource, last.change) == (w.carol.id, site.id, "deprovisioned")


def test_r7_8_explain_orders_direct_then_group_paths(nested: tuple[World, ssgm.Group, ssgm.Group, ssgm.Group]) -> None:
    """R-7.8: the direct path first, then group paths in assignment order, nested paths
    depth-first in member order; the resource is not in the path."""
    w, outer, middle, inner = nested
    site = w.t.create_resource(w.admin, "Site", kind="site")
    w.t.add_member(w.admin, outer, inner)  # carol reaches outer twice: via middle, and directly via inner
    w.t.assign(w.admin, site, inner)
    w.t.assign(w.admin, site, outer)
    w.t.assign(w.admin, site, w.carol)
    access = w.t.explain_access(w.carol, site)
    assert access.paths == [
        [w.carol.id],
        [inner.id, w.carol.id],
        [outer.id, middle.id, inner.id, w.carol.id],
        [outer.id, inner.id, w.carol.id],
    ]
    assert (access.granted, access.blocked, access.disabled) == (True, False, False)


def test_r7_5_block_overrides_and_unblock_restores(w: World) -> None:
    """R-7.5, R-7.7: a block cancels every grant; unblocking restores what grants give; each
    change of access is one provisioning entry."""
    g = w.t.create_group(w.admin, "G", members=[w.carol])
    app = w.t.create_resource(w.admin, "App", owners=[w.bob])
    w.t.assign(w.admin, app, g)
    w.t.assign(w.admin, app, w.carol)
    w.t.block(w.bob, app, w.carol)  # an owner may block
    access = w.t.explain_access(w.carol, app)
    assert (access.granted, access.blocked, len(access.paths)) == (False, True, 2)
    assert app.blocked == [w.carol]
    w.t.unassign(w.admin, app, w.carol)  # still blocked: no provisioning change
    n = len(w.t.provisioning_log())
    w.t.unblock(w.admin, app, w.carol)
    assert w.t.has_access(w.carol, app)
    assert [(e.user, e.change) for e in w.t.provisioning_log()[n:]] == [(w.carol.id, "provisioned")]


def test_r7_5_blocking_someone_without_access_provisions_nothing(w: World) -> None:
    """R-7.5, R-7.7: a block of a user without access is recorded but changes no access."""
    app = w.t.create_resource(w.admin, "App")
    w.t.block(w.admin, app, w.dave)
    assert w.t.provisioning_log() == []
    assert app.blocked == [w.dave]


def test_r7_6_disabled_users_have_no_access(w: World) -> None:
    """R-3.5, R-7.6: disabling removes effective access, keeps memberships; enabling restores."""
    g = w.t.create_group(w.admin, "G", members=[w.carol])
    app = w.t.create_resource(w.admin, "App")
    w.t.assign(w.admin, app, g)
    w.t.set_enabled(w.carol, False)
    assert not w.t.has_access(w.carol, app)
    assert w.carol in g.members
    access = w.t.explain_access(w.carol, app)
    assert (access.granted, access.disabled, access.paths) == (False, True, [[g.id, w.carol.id]])
    assert w.t.provisioning_log()[-1].change == "deprovisioned"
    w.t.set_enabled(w.carol, True)
    assert w.t.has_access(w.carol, app)
    assert w.t.provisioning_log()[-1].change == "provisioned"


def test_r7_2_assignable_principals(w: World) -> None:
    """R-7.2: users and groups of every kind but distribution can be assigned."""
    app = w.t.create_resource(w.admin, "App")
    for kind in ("security", "microsoft365", "mail_enabled_security"):
        g = w.t.create_group(w.admin, kind, kind=kind)
        w.t.assign(w.admin, app, g)
    synced = w.t.create_group(w.admin, "Synced", on_premises=True)
    w.t.assign(w.admin, app, synced)  # on-premises groups can still be assigned
    dl = w.t.create_group(w.admin, "List", kind="distribution")
    with pytest.raises(ssgm.InvalidArgument) as e:
        w.t.assign(w.admin, app, dl)
    assert e.value.code == "not_security_principal"
    assert len(app.assigned) == 4


def test_r7_2_resource_owners_assign_but_others_do_not(w: World) -> None:
    """R-7.1, R-7.2, R-3.3: owners and application admins assign; a groups admin does not."""
    app = w.t.create_resource(w.appadmin, "App", owners=[w.bob])
    w.t.assign(w.bob, app, w.carol)
    w.t.assign(w.appadmin, app, w.dave)
    with pytest.raises(ssgm.PermissionDenied) as e:
        w.t.assign(w.gadmin, app, w.alice)
    assert e.value.code == "not_resource_owner"
    with pytest.raises(ssgm.PermissionDenied) as e:
        w.t.add_resource_owner(w.bob, app, w.carol)
    assert e.value.code == "not_admin"
    w.t.add_resource_owner(w.appadmin, app, w.carol)
    w.t.remove_resource_owner(w.appadmin, app, w.bob)
    assert app.owners == [w.carol]
    assert app.assigned == [w.carol, w.dave]


def test_r4_13_deleting_a_group_withdraws_access(w: World) -> None:
    """R-4.13, R-7.7: deleting an assigned group removes it everywhere and deprovisions."""
    g = w.t.create_group(w.admin, "G", members=[w.carol])
    parent = w.t.create_group(w.admin, "Parent", members=[g])
    app = w.t.create_resource(w.admin, "App")
    w.t.assign(w.admin, app, g)
    w.t.delete_group(w.admin, g)
    assert not w.t.has_access(w.carol, app)
    assert app.assigned == [] and parent.members == []
    assert w.t.provisioning_log()[-1].change == "deprovisioned"
    assert g not in w.t.groups()


def test_r10_1_who_has_access_and_access_of_in_creation_order(w: World) -> None:
    """R-10.1: who_has_access lists users, access_of resources, in creation order."""
    a = w.t.create_resource(w.admin, "A")
    b = w.t.create_resource(w.admin, "B")
    g = w.t.create_group(w.admin, "G", members=[w.dave, w.alice])
    w.t.assign(w.admin, b, w.dave)
    w.t.assign(w.admin, b, g)
    w.t.assign(w.admin, a, w.dave)
    assert w.t.who_has_access(b) == [w.alice, w.dave]
    assert w.t.access_of(w.dave) == [a, b]


def test_r8_6_has_access_many_agrees_with_has_access(w: World) -> None:
    """R-8.6: one answer per pair, in order, equal to has_access; ids, names, handles and
    lists as pairs are accepted; any iterable of pairs."""
    g = w.t.create_group(w.admin, "G", members=[w.carol])
    app = w.t.create_resource(w.admin, "App")
    site = w.t.create_resource(w.admin, "Site", kind="site")
    w.t.assign(w.admin, app, g)
    w.t.assign(w.admin, site, w.dave)
    pairs = [(u, r) for u in w.t.users() for r in (app, site)]
    assert w.t.has_access_many(pairs) == [w.t.has_access(u, r) for u, r in pairs]
    assert w.t.has_access_many(iter([["carol@contoso.com", "App"], (w.dave.id, site.id)])) == [True, True]
    assert w.t.has_access_many([]) == []


def test_r8_6_has_access_many_type_errors_and_not_found(w: World) -> None:
    """R-8.6: the first malformed pair is a TypeError, the first unresolved reference NotFound;
    no partial result; nothing audited, nothing in the history."""
    app = w.t.create_resource(w.admin, "App")
    audit, events = len(w.t.audit_log()), len(w.t.events())
    for bad in ([(w.carol, app, 1)], [(w.carol,)], [w.carol], ["ab"], [(w.carol, app), {"a": 1}], [(app, w.carol)]):
        with pytest.raises(TypeError):
            w.t.has_access_many(bad)
    with pytest.raises(TypeError):
        w.t.has_access_many(5)  # type: ignore[arg-type]
    # The type error is found before the unresolved reference that precedes it.
    with pytest.raises(TypeError):
        w.t.has_access_many([("ghost@contoso.com", app), (w.carol, 3)])
    with pytest.raises(ssgm.NotFound) as e:
        w.t.has_access_many([(w.carol, app), ("ghost@contoso.com", "Nope"), (w.carol, "Nope")])
    assert e.value.code == "user_not_found"
    with pytest.raises(ssgm.NotFound) as e:
        w.t.has_access_many([(w.carol, "Nope")])
    assert e.value.code == "resource_not_found"
    assert (len(w.t.audit_log()), len(w.t.events())) == (audit, events)


def test_r7_3_access_record_is_a_value(w: World) -> None:
    """R-7.8: Access is an immutable value with to_dict(), equality and an HTML table."""
    app = w.t.create_resource(w.admin, "App")
    w.t.assign(w.admin, app, w.carol)
    a = w.t.explain_access(w.carol, app)
    assert a == w.t.explain_access(w.carol.id, "App")
    assert a.to_dict() == {"granted": True, "paths": [[w.carol.id]], "blocked": False, "disabled": False}
    assert tuple(a) == (True, [[w.carol.id]], False, False) and a._fields == ("granted", "paths", "blocked", "disabled")
    with pytest.raises(AttributeError):
        a.granted = False  # type: ignore[misc]
    assert "<table" in a._repr_html_()

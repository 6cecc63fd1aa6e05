"""The two scenarios of SPEC §0, end to end, through the Python face."""

from __future__ import annotations

import pytest

import ssgm


def test_r0_delegated_group_management_scenario() -> None:
    """SPEC §0 (R-4.8, R-6.1, R-6.2, R-7.5, R-7.7): an administrator delegates the members of a
    group that grants a SaaS application to a business owner and to a manager; each manages
    only their own users; the administrator sees everyone with access and can block."""
    t = ssgm.Tenant("contoso")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    owner = t.add_user("owner@contoso.com", department="Sales")
    manager = t.add_user("manager@contoso.com", department="Marketing")
    existing = [t.add_user(f"user{i}@contoso.com") for i in range(2)]
    newcomer = t.add_user("newcomer@contoso.com")
    marketer = t.add_user("marketer@contoso.com")

    # Self-service on; creation stays off: owners can still manage membership.
    t.configure(admin, delegated_group_management=True)
    app = t.create_resource(admin, "Salesforce", kind="application")
    sales = t.create_group(admin, "Salesforce users", owners=[owner], members=existing)
    t.assign(admin, app, sales)
    assert sales.owners == [owner]
    assert sales.join_policy == "owners_only"  # created by an admin
    assert set(t.who_has_access(app)) == set(existing)

    # The business owner adds a user, who is provisioned without the administrator.
    before = len(t.provisioning_log())
    t.add_member(owner, sales, newcomer)
    assert t.has_access(newcomer, app)
    new_events = t.provisioning_log()[before:]
    assert [(e.user, e.resource, e.change) for e in new_events] == [(newcomer.id, app.id, "provisioned")]
    assert new_events[0].cause == t.audit_log()[-1].seq

    # A manager of another business group gets the same permission on their own group.
    marketing = t.create_group(admin, "Salesforce marketing", owners=[manager])
    t.assign(admin, app, marketing)
    t.add_member(manager, marketing, marketer)
    assert t.has_access(marketer, app)

    # Neither can view or manage the other's users.
    assert t.list_members(owner, sales) == existing + [newcomer]
    for actor, other in ((owner, marketing), (manager, sales)):
        with pytest.raises(ssgm.PermissionDenied) as e:
            t.list_members(actor, other)
        assert e.value.code == "not_owner"
        with pytest.raises(ssgm.PermissionDenied) as e:
            t.add_member(actor, other, actor)
        assert e.value.code == "not_owner"
        with pytest.raises(ssgm.PermissionDenied) as e:
            t.list_access(actor, app)
        assert e.value.code == "not_resource_owner"

    # The administrator sees everyone with access and can block.
    everyone = existing + [newcomer, marketer]
    assert t.list_access(admin, app) == everyone
    assert t.who_has_access(app) == everyone
    t.block(admin, app, newcomer)
    assert not t.has_access(newcomer, app)
    assert t.provisioning_log()[-1].change == "deprovisioned"
    assert t.list_access(admin, app) == existing + [marketer]
    assert newcomer in sales.members  # a block does not touch memberships


def test_r0_self_service_group_management_scenario() -> None:
    """SPEC §0 (R-5.3, R-5.6, R-6.3, R-7.2, R-7.4, R-7.7): two site owners share one group;
    approved requesters reach both sites; once a SaaS application is assigned to the group,
    every later approval grants it too."""
    t = ssgm.Tenant("contoso")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    appadmin = t.add_user("appadmin@contoso.com", roles=["application_admin"])
    alice = t.add_user("alice@contoso.com")
    bob = t.add_user("bob@contoso.com")
    carol = t.add_user("carol@contoso.com")
    dave = t.add_user("dave@contoso.com")
    t.configure(admin, delegated_group_management=True, users_can_create_security_groups=True)
    site_a = t.create_resource(admin, "Alice's site", kind="site", owners=[alice])
    site_b = t.create_resource(admin, "Bob's site", kind="site", owners=[bob])

    # They create one group, and each gives it access to their site.
    group = t.create_group(alice, "Project X", join_policy="owner_approval", owners=[bob])
    assert group.owners == [alice, bob]
    assert group.members == [alice]  # the creator is owner and member
    t.assign(alice, site_a, group)
    t.assign(bob, site_b, group)

    # Anyone who wants access requests it from the Access Panel.
    assert group in t.access_panel(carol).joinable
    request = t.request_to_join(carol, group, "I work on Project X")
    assert request.status == "pending"
    assert not t.has_access(carol, site_a)
    assert request in t.access_panel(bob).approvals
    assert request in t.access_panel(alice).approvals
    t.approve(bob, request)
    assert request.status == "approved" and request.decided_by == bob
    assert t.access_of(carol) == [site_a, site_b]
    assert request not in t.access_panel(alice).approvals

    # Later the administrator of a SaaS application assigns it to the same group.
    app = t.create_resource(appadmin, "Salesforce", kind="application")
    cause_before = len(t.audit_log()) + 1
    t.assign(appadmin, app, group)
    granted = [(e.user, e.cause) for e in t.provisioning_log() if e.resource == app.id]
    assert granted == [(alice.id, cause_before), (carol.id, cause_before)]

    # From then on every approved request also grants the application.
    r2 = t.request_to_join(dave, group, "me too")
    t.approve(alice, r2)
    assert t.access_of(dave) == [site_a, site_b, app]
    assert t.who_has_access(app) == [alice, carol, dave]

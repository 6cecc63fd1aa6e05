"""The settings matrix: who may create, change and manage groups under every combination of
the §2 settings (R-2.1 – R-2.5, R-3.4, R-4.3, R-4.7, R-4.8). The expected outcome of each cell
is restated here from the spec's wording, independently of the core."""

from __future__ import annotations

import itertools
from typing import Optional

import pytest

import ssgm
from conftest import World, make_world

BOOLS = (False, True)
# (delegated, create security, create m365, scope some, actor in the SSGM group)
CELLS = [c for c in itertools.product(BOOLS, BOOLS, BOOLS, BOOLS, BOOLS) if c[3] or not c[4]]


def setup(delegated: bool, sec: bool, m365: bool, some: bool, member: bool) -> World:
    w = make_world()
    w.t.configure(w.admin, self_service_scope="some" if some else "all")
    if some and member:
        w.t.add_member(w.admin, "SSGMSecurityGroupsUsers", w.alice)
    w.t.configure(
        w.admin,
        delegated_group_management=delegated,
        users_can_create_security_groups=sec,
        users_can_create_microsoft365_groups=m365,
    )
    return w


def eligible(some: bool, member: bool) -> bool:
    """R-2.3."""
    return not some or member


def expected_create(kind: str, delegated: bool, sec: bool, m365: bool, some: bool, member: bool) -> Optional[str]:
    """R-2.2, R-4.3 for a non-admin creator."""
    if not delegated:
        return "self_service_disabled"
    if kind == "security":
        if not sec:
            return "group_creation_disabled"
        if not eligible(some, member):
            return "not_in_self_service_group"
        return None
    return None if m365 else "group_creation_disabled"


def expected_change(kind: str, delegated: bool, sec: bool, m365: bool, some: bool, member: bool) -> Optional[str]:
    """R-4.7 (and R-4.9, which follows it) for an owner."""
    if not delegated:
        return "self_service_disabled"
    if kind == "security":
        if not sec:
            return "group_changes_disabled"
        if not eligible(some, member):
            return "not_in_self_service_group"
        return None
    return None if m365 else "group_changes_disabled"


def expected_membership(kind: str, delegated: bool, sec: bool, m365: bool, some: bool, member: bool) -> Optional[str]:
    """R-4.8 for an owner: independent of the creation settings."""
    if not delegated:
        return "self_service_disabled"
    if kind == "security" and not eligible(some, member):
        return "not_in_self_service_group"
    return None


def outcome(f: object, *args: object, **kwargs: object) -> Optional[str]:
    try:
        f(*args, **kwargs)  # type: ignore[operator]
    except ssgm.SsgmError as e:
        return e.code
    return None


@pytest.mark.parametrize("kind", ["security", "microsoft365"])
@pytest.mark.parametrize("cell", CELLS)
def test_r4_3_creation_by_a_user_follows_the_settings(kind: str, cell: tuple[bool, ...]) -> None:
    """R-2.2, R-2.3, R-4.3: a non-admin's creation under every combination of settings."""
    w = setup(*cell)
    got = outcome(w.t.create_group, w.alice, "New group", kind=kind)
    assert got == expected_create(kind, *cell)
    if got is None:
        g = w.t.group("New group")
        assert (g.owners, g.members, g.created_by) == ([w.alice], [w.alice], w.alice)
        assert g.join_policy == "open"


@pytest.mark.parametrize("kind", ["security", "microsoft365", "mail_enabled_security", "distribution"])
@pytest.mark.parametrize("cell", CELLS)
def test_r3_4_admins_create_whatever_the_settings(kind: str, cell: tuple[bool, ...]) -> None:
    """R-3.2, R-3.4, R-4.5, R-4.6: a groups_admin creates any kind under any settings; the admin
    is not added, and the default policy is owners_only."""
    w = setup(*cell)
    g = w.t.create_group(w.gadmin, "Admin's group", kind=kind, owners=[w.bob])
    assert (g.kind, g.owners, g.members, g.join_policy) == (kind, [w.bob], [], "owners_only")


@pytest.mark.parametrize("kind", ["security", "microsoft365"])
@pytest.mark.parametrize("cell", CELLS)
def test_r4_7_changing_a_group_as_its_owner(kind: str, cell: tuple[bool, ...]) -> None:
    """R-4.7, R-4.9: an owner changes, re-owns or deletes a group only while self-service is on,
    they are eligible (security) and creation of that kind is enabled."""
    w = setup(*cell)
    g = w.t.create_group(w.admin, "Owned", kind=kind, owners=[w.alice])
    want = expected_change(kind, *cell)
    assert outcome(w.t.update_group, w.alice, g, description="changed") == want
    assert g.description == ("changed" if want is None else "")
    assert outcome(w.t.add_owner, w.alice, g, w.carol) == want
    assert outcome(w.t.delete_group, w.alice, g) == want


@pytest.mark.parametrize("kind", ["security", "microsoft365"])
@pytest.mark.parametrize("cell", CELLS)
def test_r4_8_managing_members_as_an_owner(kind: str, cell: tuple[bool, ...]) -> None:
    """R-4.8: membership management by an owner does not depend on the creation settings."""
    w = setup(*cell)
    g = w.t.create_group(w.admin, "Owned", kind=kind, owners=[w.alice])
    want = expected_membership(kind, *cell)
    assert outcome(w.t.add_member, w.alice, g, w.carol) == want
    assert (w.carol in g.members) == (want is None)


@pytest.mark.parametrize("cell", CELLS)
def test_r2_2_admins_are_unaffected_by_self_service_settings(cell: tuple[bool, ...]) -> None:
    """R-2.2, R-3.4: group admins change, manage and delete under any settings."""
    w = setup(*cell)
    g = w.t.create_group(w.admin, "Owned", owners=[w.alice])
    w.t.update_group(w.gadmin, g, name="Renamed")
    w.t.add_member(w.gadmin, g, w.carol)
    w.t.add_owner(w.gadmin, g, w.bob)
    w.t.delete_group(w.gadmin, g)
    with pytest.raises(ssgm.NotFound):
        g.name  # noqa: B018


def test_r4_3_microsoft365_creation_group_lets_its_direct_members_create() -> None:
    """R-4.3, §2: direct members of `microsoft365_creation_group` create Microsoft 365 groups
    while creation is off for everyone else; security groups are not affected."""
    w = make_world(users_can_create_microsoft365_groups=False)
    creators = w.t.create_group(w.admin, "M365 creators", members=[w.alice])
    nested = w.t.create_group(w.admin, "Nested", members=[w.bob])
    w.t.configure(w.admin, microsoft365_creation_group="  m365 CREATORS ")
    assert w.t.settings.microsoft365_creation_group == "m365 CREATORS"  # trimmed
    w.t.create_group(w.alice, "Alice's team", kind="microsoft365")
    assert outcome(w.t.create_group, w.carol, "Carol's team", kind="microsoft365") == "group_creation_disabled"
    # only direct members qualify.
    w.t.add_member(w.admin, creators, nested)
    assert outcome(w.t.create_group, w.bob, "Bob's team", kind="microsoft365") == "group_creation_disabled"
    # changing still needs users_can_create_microsoft365_groups.
    team = w.t.group("Alice's team")
    assert outcome(w.t.update_group, w.alice, team, name="x") == "group_changes_disabled"


def test_r2_1_configure_is_atomic_and_checks_values() -> None:
    """R-2.1, R-10.9: all settings apply or none; bad values are `invalid_setting` refusals."""
    w = make_world()
    before = w.t.settings
    for bad in (
        dict(max_groups_per_user=5, self_service_scope="few"),
        dict(max_owners_per_group=0),
        dict(max_groups_per_user=True),
        dict(max_groups_per_user=-1),
        dict(max_groups_per_user=2.5),
        dict(delegated_group_management=1),
        dict(self_service_group="  "),
        dict(microsoft365_creation_group="a\x01b"),
        dict(unknown=True),
        dict(delegated_group_management=object()),
    ):
        with pytest.raises(ssgm.InvalidArgument) as e:
            w.t.configure(w.admin, **bad)
        assert e.value.code == "invalid_setting", bad
        assert w.t.settings == before
    assert w.t.configure(w.admin) == before  # an empty change succeeds and changes nothing
    after = w.t.configure(w.admin, max_groups_per_user=7, max_owners_per_group=2)
    assert (after.max_groups_per_user, after.max_owners_per_group) == (7, 2)
    assert w.t.settings == after


def test_r2_1_only_a_global_admin_configures() -> None:
    """R-2.1, R-3.2: groups and application admins cannot change settings."""
    w = make_world()
    for actor in (w.gadmin, w.appadmin, w.alice):
        assert outcome(w.t.configure, actor, delegated_group_management=False) == "not_global_admin"
    assert w.t.settings.delegated_group_management


def test_r2_4_scope_some_creates_the_ssgm_group_once() -> None:
    """R-2.4: scope `some` creates the self-service group (security, owners_only, no owners or
    members, created by the admin), in the same command, once."""
    w = make_world()
    audit_before = len(w.t.audit_log())
    w.t.configure(w.admin, self_service_scope="some")
    g = w.t.group("SSGMSecurityGroupsUsers")
    assert (g.kind, g.join_policy, g.owners, g.members, g.created_by) == ("security", "owners_only", [], [], w.admin)
    entries = w.t.audit_log()[audit_before:]
    assert len(entries) == 1 and g.id in entries[0].targets
    w.t.configure(w.admin, self_service_scope="some")
    assert [x.name for x in w.t.groups()].count("SSGMSecurityGroupsUsers") == 1


def test_r2_5_renaming_the_self_service_group_setting() -> None:
    """R-2.5, R-10.9: a new `self_service_group` name creates the group only if scope is `some`
    and none has that name; an empty configure() still creates it when needed."""
    w = make_world()
    w.t.configure(w.admin, self_service_group="Self-service users")
    assert [g.name for g in w.t.groups()] == []
    w.t.configure(w.admin, self_service_scope="some")
    assert [g.name for g in w.t.groups()] == ["Self-service users"]
    old = w.t.group("Self-service users")
    w.t.update_group(w.admin, old, name="Renamed by hand")
    w.t.configure(w.admin)
    assert [g.name for g in w.t.groups()] == ["Renamed by hand", "Self-service users"]


def test_r2_3_eligibility_is_direct_membership_of_the_named_group() -> None:
    """R-2.3: with scope `some`, only direct members of the self-service group are eligible;
    members through nesting are not."""
    w = make_world(self_service_scope="some")
    ssgm_group = w.t.group("SSGMSecurityGroupsUsers")
    nested = w.t.create_group(w.admin, "Nested", members=[w.bob])
    w.t.add_member(w.admin, ssgm_group, nested)
    w.t.add_member(w.admin, ssgm_group, w.alice)
    assert outcome(w.t.create_group, w.alice, "A") is None
    assert outcome(w.t.create_group, w.bob, "B") == "not_in_self_service_group"


def test_r2_3_nobody_is_eligible_without_the_group() -> None:
    """R-2.3 (decision): if no group has the self-service name, nobody is eligible."""
    w = make_world(self_service_scope="some")
    w.t.delete_group(w.admin, "SSGMSecurityGroupsUsers")
    assert outcome(w.t.create_group, w.alice, "A") == "not_in_self_service_group"


def test_r4_4_quota_counts_existing_groups_created() -> None:
    """R-4.4, R-10.14: the quota counts existing groups the user created, including those
    created while an admin; deleting one frees a slot; admins are not limited."""
    w = make_world(max_groups_per_user=2)
    w.t.set_roles(w.alice, ["groups_admin"])
    w.t.create_group(w.alice, "Made as admin 1")
    w.t.create_group(w.alice, "Made as admin 2")
    w.t.create_group(w.alice, "Made as admin 3")  # admins are not subject to quotas
    w.t.set_roles(w.alice, [])
    assert outcome(w.t.create_group, w.alice, "Mine") == "group_quota"
    w.t.delete_group(w.admin, "Made as admin 1")
    w.t.delete_group(w.admin, "Made as admin 2")
    assert outcome(w.t.create_group, w.alice, "Mine") is None


def test_r4_3_users_never_create_other_kinds_or_on_premises() -> None:
    """R-4.3: a non-admin cannot create mail-enabled, distribution or on-premises groups."""
    w = make_world(users_can_create_microsoft365_groups=True)
    for kwargs in (dict(kind="mail_enabled_security"), dict(kind="distribution"), dict(on_premises=True)):
        assert outcome(w.t.create_group, w.alice, "G", **kwargs) == "not_self_service_kind"


def test_r4_9_owner_limit_binds_admins_at_creation() -> None:
    """R-4.9: `owner_limit` binds admins too, at creation as well."""
    w = make_world(max_owners_per_group=2)
    assert outcome(w.t.create_group, w.admin, "G", owners=[w.alice, w.bob, w.carol]) == "owner_limit"
    g = w.t.create_group(w.admin, "G", owners=[w.alice, w.bob, w.alice])  # merged
    assert g.owners == [w.alice, w.bob]

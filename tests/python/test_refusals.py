"""Every refusal code of SPEC §9, reached through the Python face, raises the class of its
family with `.code` set; `error_codes()` maps every code to its class."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

import ssgm
from conftest import World, make_world

# SPEC §9's table, as the spec states it: the mapping is tested against it, not copied from it.
SPEC_FAMILIES = {
    ssgm.PermissionDenied: "not_global_admin not_admin self_service_disabled group_creation_disabled "
    "not_in_self_service_group group_changes_disabled not_owner not_resource_owner not_requester "
    "not_self_service_kind on_premises_group group_closed actor_disabled last_owner group_quota "
    "owner_reviews_disabled not_reviewer "
    "self_approval not_approver not_in_policy_scope incompatible_access approval_required",
    ssgm.NotFound: "user_not_found group_not_found resource_not_found request_not_found review_not_found "
    "package_not_found policy_not_found assignment_not_found",
    ssgm.Conflict: "duplicate_id already_member not_member already_owner not_an_owner request_pending "
    "request_not_pending duplicate_name cycle already_assigned not_assigned already_blocked not_blocked "
    "owner_limit already_selected not_selected expiration_group_limit review_not_in_progress "
    "review_not_completed not_in_review "
    "already_incompatible not_incompatible assignment_not_active in_use",
    ssgm.InvalidArgument: "invalid_name ambiguous_name invalid_kind invalid_join_policy invalid_role "
    "invalid_setting invalid_time unknown_command justification_required nested_group_not_allowed "
    "not_security_principal expiration_not_applicable blocked_word invalid_review_setting invalid_decision "
    "invalid_policy",
    ssgm.StorageError: "io_error corrupt_snapshot corrupt_journal unsupported_version invalid_export",
    ssgm.ScriptError: "script_error",
}
SPEC_CODES = {code: cls for cls, codes in SPEC_FAMILIES.items() for code in codes.split()}


def test_r9_error_codes_maps_every_code_of_the_spec_to_its_family() -> None:
    """R-9: one exception class per family, every code in exactly one family, in §9's order."""
    mapping = ssgm.error_codes()
    assert mapping == SPEC_CODES
    assert list(mapping) == list(SPEC_CODES)  # §9's order
    for cls in set(mapping.values()):
        assert issubclass(cls, ssgm.SsgmError)
        assert cls.__module__ == "ssgm._core"
    assert issubclass(ssgm.SsgmError, Exception)


def group_of(w: World, **kw: object) -> ssgm.Group:
    return w.t.create_group(w.admin, "G", owners=[w.bob], **kw)  # type: ignore[arg-type]


def storage_dir(tmp_path: Path) -> Path:
    d = tmp_path / "files"
    d.mkdir(exist_ok=True)
    return d


# One way to reach each code. Each trigger is called on a fresh world and must raise.
TRIGGERS: dict[str, Callable[[World, Path], object]] = {}


def trigger(code: str) -> Callable[[Callable[[World, Path], object]], Callable[[World, Path], object]]:
    def register(f: Callable[[World, Path], object]) -> Callable[[World, Path], object]:
        TRIGGERS[code] = f
        return f

    return register


@trigger("not_global_admin")
def _(w: World, p: Path) -> object:
    return w.t.configure(w.gadmin, max_groups_per_user=3)


@trigger("not_admin")
def _(w: World, p: Path) -> object:
    return w.t.create_resource(w.alice, "Salesforce")


@trigger("self_service_disabled")
def _(w: World, p: Path) -> object:
    w.t.configure(w.admin, delegated_group_management=False)
    return w.t.create_group(w.alice, "Sales")


@trigger("group_creation_disabled")
def _(w: World, p: Path) -> object:
    w.t.configure(w.admin, users_can_create_security_groups=False)
    return w.t.create_group(w.alice, "Sales")


@trigger("not_in_self_service_group")
def _(w: World, p: Path) -> object:
    w.t.configure(w.admin, self_service_scope="some")
    return w.t.create_group(w.alice, "Sales")


@trigger("group_changes_disabled")
def _(w: World, p: Path) -> object:
    g = w.t.create_group(w.alice, "Sales")
    w.t.configure(w.admin, users_can_create_security_groups=False)
    return w.t.update_group(w.alice, g, description="new")


@trigger("not_owner")
def _(w: World, p: Path) -> object:
    return w.t.add_member(w.carol, group_of(w), w.dave)


@trigger("not_resource_owner")
def _(w: World, p: Path) -> object:
    r = w.t.create_resource(w.admin, "Salesforce", owners=[w.bob])
    return w.t.assign(w.carol, r, w.carol)


@trigger("not_requester")
def _(w: World, p: Path) -> object:
    g = group_of(w, join_policy="owner_approval")
    r = w.t.request_to_join(w.carol, g, "please")
    return w.t.cancel(w.dave, r)


@trigger("not_self_service_kind")
def _(w: World, p: Path) -> object:
    return w.t.add_member(w.bob, group_of(w, kind="distribution"), w.carol)


@trigger("on_premises_group")
def _(w: World, p: Path) -> object:
    return w.t.add_member(w.admin, group_of(w, on_premises=True), w.carol)


@trigger("group_closed")
def _(w: World, p: Path) -> object:
    return w.t.request_to_join(w.carol, group_of(w, join_policy="owners_only"), "please")


@trigger("actor_disabled")
def _(w: World, p: Path) -> object:
    w.t.set_enabled(w.alice, False)
    return w.t.create_group(w.alice, "Sales")


@trigger("last_owner")
def _(w: World, p: Path) -> object:
    g = w.t.create_group(w.alice, "Sales")
    return w.t.remove_owner(w.alice, g, w.alice)


@trigger("group_quota")
def _(w: World, p: Path) -> object:
    w.t.configure(w.admin, max_groups_per_user=1)
    w.t.create_group(w.alice, "One")
    return w.t.create_group(w.alice, "Two")


@trigger("user_not_found")
def _(w: World, p: Path) -> object:
    return w.t.add_member(w.admin, group_of(w), "ghost@contoso.com")


@trigger("group_not_found")
def _(w: World, p: Path) -> object:
    return w.t.add_member(w.admin, "No such group", w.carol)


@trigger("resource_not_found")
def _(w: World, p: Path) -> object:
    return w.t.assign(w.admin, "No such app", w.carol)


@trigger("request_not_found")
def _(w: World, p: Path) -> object:
    return w.t.approve(w.admin, "req-404")


@trigger("duplicate_id")
def _(w: World, p: Path) -> object:
    return w.t.import_directory({"users": [{"id": "x1", "upn": "x@contoso.com"}, {"id": "x1", "upn": "y@contoso.com"}]})


@trigger("already_member")
def _(w: World, p: Path) -> object:
    g = group_of(w, members=[w.carol])
    return w.t.add_member(w.admin, g, w.carol)


@trigger("not_member")
def _(w: World, p: Path) -> object:
    return w.t.remove_member(w.admin, group_of(w), w.carol)


@trigger("already_owner")
def _(w: World, p: Path) -> object:
    return w.t.add_owner(w.admin, group_of(w), w.bob)


@trigger("not_an_owner")
def _(w: World, p: Path) -> object:
    return w.t.remove_owner(w.admin, group_of(w), w.carol)


@trigger("request_pending")
def _(w: World, p: Path) -> object:
    g = group_of(w, join_policy="owner_approval")
    w.t.request_to_join(w.carol, g, "please")
    return w.t.request_to_join(w.carol, g, "please, again")


@trigger("request_not_pending")
def _(w: World, p: Path) -> object:
    g = group_of(w, join_policy="owner_approval")
    r = w.t.request_to_join(w.carol, g, "please")
    w.t.deny(w.bob, r)
    return w.t.approve(w.bob, r)


@trigger("duplicate_name")
def _(w: World, p: Path) -> object:
    w.t.create_resource(w.admin, "Salesforce")
    return w.t.create_resource(w.admin, "SALESFORCE ")


@trigger("cycle")
def _(w: World, p: Path) -> object:
    a = w.t.create_group(w.admin, "A")
    b = w.t.create_group(w.admin, "B", members=[a])
    return w.t.add_member(w.admin, a, b)


@trigger("already_assigned")
def _(w: World, p: Path) -> object:
    r = w.t.create_resource(w.admin, "Salesforce")
    w.t.assign(w.admin, r, w.carol)
    return w.t.assign(w.admin, r, w.carol)


@trigger("not_assigned")
def _(w: World, p: Path) -> object:
    r = w.t.create_resource(w.admin, "Salesforce")
    return w.t.unassign(w.admin, r, w.carol)


@trigger("already_blocked")
def _(w: World, p: Path) -> object:
    r = w.t.create_resource(w.admin, "Salesforce")
    w.t.block(w.admin, r, w.carol)
    return w.t.block(w.admin, r, w.carol)


@trigger("not_blocked")
def _(w: World, p: Path) -> object:
    r = w.t.create_resource(w.admin, "Salesforce")
    return w.t.unblock(w.admin, r, w.carol)


@trigger("owner_limit")
def _(w: World, p: Path) -> object:
    w.t.configure(w.admin, max_owners_per_group=1)
    return w.t.add_owner(w.admin, group_of(w), w.carol)


@trigger("invalid_name")
def _(w: World, p: Path) -> object:
    return w.t.add_user("no-at-sign")


@trigger("ambiguous_name")
def _(w: World, p: Path) -> object:
    w.t.create_group(w.admin, "Twins")
    w.t.create_group(w.admin, "twins")
    return w.t.add_member(w.admin, "Twins", w.carol)


@trigger("invalid_kind")
def _(w: World, p: Path) -> object:
    return w.t.create_group(w.admin, "G", kind="clique")


@trigger("invalid_join_policy")
def _(w: World, p: Path) -> object:
    return w.t.create_group(w.admin, "G", join_policy="sometimes")


@trigger("invalid_role")
def _(w: World, p: Path) -> object:
    return w.t.add_user("emperor@contoso.com", roles=["emperor"])


@trigger("invalid_setting")
def _(w: World, p: Path) -> object:
    return w.t.configure(w.admin, no_such_setting=True)


@trigger("invalid_time")
def _(w: World, p: Path) -> object:
    return w.t.advance(days=-1)


@trigger("unknown_command")
def _(w: World, p: Path) -> object:
    return w.t.check(w.admin, "fly")


@trigger("justification_required")
def _(w: World, p: Path) -> object:
    return w.t.request_to_join(w.carol, group_of(w, join_policy="owner_approval"), "   ")


@trigger("nested_group_not_allowed")
def _(w: World, p: Path) -> object:
    inner = w.t.create_group(w.admin, "Inner")
    return w.t.create_group(w.admin, "Outer", kind="microsoft365", members=[inner])


@trigger("not_security_principal")
def _(w: World, p: Path) -> object:
    r = w.t.create_resource(w.admin, "Salesforce")
    return w.t.assign(w.admin, r, group_of(w, kind="distribution"))


@trigger("io_error")
def _(w: World, p: Path) -> object:
    return ssgm.Tenant.load(p / "missing" / "snapshot.json")


@trigger("corrupt_snapshot")
def _(w: World, p: Path) -> object:
    f = storage_dir(p) / "garbage.json"
    f.write_text('{"format": "ssgm-snapshot", "version": 1, oops')
    return ssgm.Tenant.load(f)


@trigger("corrupt_journal")
def _(w: World, p: Path) -> object:
    f = storage_dir(p) / "t.journal"
    t = ssgm.Tenant.open(f)
    t.add_user("a@contoso.com")
    t.add_user("b@contoso.com")
    del t
    lines = f.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"a@contoso", b"z@contoso")  # checksum no longer holds
    f.write_bytes(b"\n".join(lines))
    return ssgm.Tenant.open(f)


@trigger("unsupported_version")
def _(w: World, p: Path) -> object:
    f = storage_dir(p) / "future.json"
    f.write_text(json.dumps({"format": "ssgm-snapshot", "version": 99, "name": "x", "history": []}))
    return ssgm.Tenant.load(f)


@trigger("invalid_export")
def _(w: World, p: Path) -> object:
    export = storage_dir(p) / "export"
    export.mkdir()
    (export / "groups.json").write_text('{"value": []}')
    return ssgm.Tenant.from_graph(export)  # users.json is required


@trigger("already_selected")
def _(w: World, p: Path) -> object:
    g = w.t.create_group(w.admin, "Team", kind="microsoft365")
    w.t.add_group_to_expiration(w.admin, g)
    return w.t.add_group_to_expiration(w.admin, g)


@trigger("not_selected")
def _(w: World, p: Path) -> object:
    g = w.t.create_group(w.admin, "Team", kind="microsoft365")
    return w.t.remove_group_from_expiration(w.admin, g)


@trigger("expiration_group_limit")
def _(w: World, p: Path) -> object:
    w.t.import_directory({"groups": [{"name": f"G{i}", "kind": "microsoft365"} for i in range(501)]})
    groups = w.t.groups()[-501:]
    for g in groups[:500]:
        w.t.add_group_to_expiration(w.admin, g)
    return w.t.add_group_to_expiration(w.admin, groups[500])  # at most 500


@trigger("expiration_not_applicable")
def _(w: World, p: Path) -> object:
    return w.t.renew(w.admin, w.t.create_group(w.admin, "Sec"))  # not covered


@trigger("blocked_word")
def _(w: World, p: Path) -> object:
    w.t.configure(w.admin, blocked_words=["ceo"])
    return w.t.create_group(w.gadmin, "CEO office", kind="microsoft365")


# ----- §14 access reviews (R-14.18) -----


def _review(w: World) -> ssgm.Review:
    g = w.t.create_group(w.admin, "Reviewed", owners=[w.bob], members=[w.carol])
    return w.t.create_review(w.admin, "Q3", [g])[0]


@trigger("owner_reviews_disabled")
def _(w: World, p: Path) -> object:
    g = w.t.create_group(w.admin, "Reviewed", owners=[w.bob])
    return w.t.create_review(w.bob, "Q3", g)  # the setting is off by default


@trigger("not_reviewer")
def _(w: World, p: Path) -> object:
    return w.t.decide_review(w.carol, _review(w), w.carol, "approve")


@trigger("review_not_found")
def _(w: World, p: Path) -> object:
    return w.t.stop_review(w.admin, "rev-404")


@trigger("review_not_in_progress")
def _(w: World, p: Path) -> object:
    r = _review(w)
    w.t.stop_review(w.admin, r)
    return w.t.stop_review(w.admin, r)


@trigger("review_not_completed")
def _(w: World, p: Path) -> object:
    return w.t.apply_review(w.admin, _review(w))


@trigger("not_in_review")
def _(w: World, p: Path) -> object:
    return w.t.decide_review(w.bob, _review(w), w.dave, "approve")


@trigger("invalid_review_setting")
def _(w: World, p: Path) -> object:
    return w.t.create_review(w.admin, "Q3", [], duration_days=14)  # no group


@trigger("invalid_decision")
def _(w: World, p: Path) -> object:
    return w.t.decide_review(w.bob, _review(w), w.carol, "maybe")
# ----- §15 (R-15.21) -----


def package_of(w: World, **policy: object) -> tuple[ssgm.AccessPackage, ssgm.PackagePolicy]:
    g = w.t.create_group(w.admin, "Pkg group")
    p = w.t.create_package(w.admin, "Kit", groups=[g])
    return p, w.t.create_policy(w.admin, p, "P", **policy)  # type: ignore[arg-type]


@trigger("package_not_found")
def _(w: World, p: Path) -> object:
    return w.t.request_package(w.bob, "Nope", "x")


@trigger("policy_not_found")
def _(w: World, p: Path) -> object:
    pkg, _ = package_of(w)
    return w.t.request_package(w.bob, pkg, "x", policy="Nope")


@trigger("assignment_not_found")
def _(w: World, p: Path) -> object:
    return w.t.remove_assignment(w.admin, "pa-404")


@trigger("invalid_policy")
def _(w: World, p: Path) -> object:
    pkg, _ = package_of(w)
    return w.t.create_policy(w.admin, pkg, "Q", expires=5000)  # 0-3660 days


@trigger("self_approval")
def _(w: World, p: Path) -> object:
    pkg, _ = package_of(w, requestors="all", stages=[{"approvers": [w.carol]}])
    r = w.t.request_package(w.bob, pkg, "x")
    return w.t.approve_package_request(w.bob, r, "me")


@trigger("not_approver")
def _(w: World, p: Path) -> object:
    pkg, _ = package_of(w, requestors="all", stages=[{"approvers": [w.carol]}])
    r = w.t.request_package(w.bob, pkg, "x")
    return w.t.approve_package_request(w.admin, r, "admin")  # admins included


@trigger("not_in_policy_scope")
def _(w: World, p: Path) -> object:
    pkg, _ = package_of(w, requestors=[w.carol])
    return w.t.request_package(w.bob, pkg, "x")


@trigger("incompatible_access")
def _(w: World, p: Path) -> object:
    pkg, _ = package_of(w, requestors="all")
    g = w.t.create_group(w.admin, "Auditors", members=[w.bob])
    w.t.add_incompatible(w.admin, pkg, g)
    return w.t.request_package(w.bob, pkg, "x")


@trigger("approval_required")
def _(w: World, p: Path) -> object:
    pkg, pol = package_of(w, requestors="all", stages=[{"approvers": [w.carol]}])
    return w.t.assign_package(w.admin, pkg, w.bob, pol)


@trigger("already_incompatible")
def _(w: World, p: Path) -> object:
    pkg, _ = package_of(w)
    other = w.t.create_package(w.admin, "Other")
    w.t.add_incompatible(w.admin, pkg, other)
    return w.t.add_incompatible(w.admin, pkg, other)


@trigger("not_incompatible")
def _(w: World, p: Path) -> object:
    pkg, _ = package_of(w)
    return w.t.remove_incompatible(w.admin, pkg, w.t.create_package(w.admin, "Other"))


@trigger("assignment_not_active")
def _(w: World, p: Path) -> object:
    pkg, pol = package_of(w)
    a = w.t.assign_package(w.admin, pkg, w.bob, pol)
    w.t.remove_assignment(w.bob, a)
    return w.t.remove_assignment(w.bob, a)


@trigger("in_use")
def _(w: World, p: Path) -> object:
    pkg, pol = package_of(w)
    w.t.assign_package(w.admin, pkg, w.bob, pol)
    return w.t.delete_package(w.admin, pkg)


@trigger("script_error")
def _(w: World, p: Path) -> object:
    return w.t.run_script("let x = ;")  # type: ignore[attr-defined]


def test_r9_every_code_has_a_trigger() -> None:
    """R-9: the triggers below cover every code `error_codes()` knows, no more, no less."""
    assert set(TRIGGERS) == set(ssgm.error_codes())


@pytest.mark.parametrize("code", list(SPEC_CODES))
def test_r9_each_code_raises_its_family_with_code(code: str, tmp_path: Path) -> None:
    """R-9: a refusal raises the class of its family, an SsgmError whose `.code` is the code
    and whose message is one sentence naming the objects."""
    w = make_world()
    with pytest.raises(ssgm.SsgmError) as info:
        TRIGGERS[code](w, tmp_path)
    err = info.value
    assert err.code == code
    assert type(err) is SPEC_CODES[code]
    assert str(err) and "\n" not in str(err)


@pytest.mark.parametrize(
    "code",
    [c for c, cls in SPEC_CODES.items() if cls not in (ssgm.StorageError, ssgm.ScriptError) and c not in ("invalid_time", "unknown_command")],
)
def test_r8_1_each_refused_command_is_audited_with_its_code(code: str, tmp_path: Path) -> None:
    """R-8.1, R-8.2: a refused command appends one audit entry, outcome `refused`, with its code."""
    w = make_world()
    with pytest.raises(ssgm.SsgmError):
        TRIGGERS[code](w, tmp_path)
    last = w.t.audit_log()[-1]
    assert (last.outcome, last.code) == ("refused", code)


def test_r1_4_unresolved_principal_is_user_or_group_not_found_by_at_sign(w: World) -> None:
    """R-1.4: a principal matching nothing is `user_not_found` with `@`, else `group_not_found`."""
    g = w.t.create_group(w.admin, "G")
    with pytest.raises(ssgm.NotFound) as e:
        w.t.add_member(w.admin, g, "nobody@contoso.com")
    assert e.value.code == "user_not_found"
    with pytest.raises(ssgm.NotFound) as e:
        w.t.add_member(w.admin, g, "nobody")
    assert e.value.code == "group_not_found"


def test_r1_4_string_references_resolve_id_then_upn_then_name(w: World) -> None:
    """R-1.4, R-10.8: ids first, then upns and names, compared case-insensitively."""
    g = w.t.create_group(w.admin, "Sales Team")
    w.t.add_member(w.admin, "sales team", "CAROL@contoso.com")
    w.t.add_member(w.admin, g.id, w.dave.id)
    assert g.members == [w.carol, w.dave]
    assert w.t.group("SALES TEAM") == g
    assert w.t.user(" Carol@Contoso.com ") == w.carol


def test_r1_2_ambiguous_name_but_ids_always_work(w: World) -> None:
    """R-1.2: a name shared by several groups is ambiguous; their ids are not."""
    a = w.t.create_group(w.admin, "Twins")
    b = w.t.create_group(w.admin, "Twins")
    with pytest.raises(ssgm.InvalidArgument) as e:
        w.t.group("Twins")
    assert e.value.code == "ambiguous_name"
    w.t.add_member(w.admin, b.id, w.carol)
    assert b.members == [w.carol] and a.members == []


def test_r9_precedence_not_found_before_permission(w: World) -> None:
    """R-9 steps: an object that does not exist (step 1) wins over the actor's standing (5)."""
    with pytest.raises(ssgm.NotFound) as e:
        w.t.add_member(w.carol, "No such group", w.dave)
    assert e.value.code == "group_not_found"


def test_r9_precedence_disabled_actor_before_standing(w: World) -> None:
    """R-9 step 3 before step 5: a disabled non-owner gets `actor_disabled`, not `not_owner`."""
    g = w.t.create_group(w.admin, "G", owners=[w.bob])
    w.t.set_enabled(w.carol, False)
    with pytest.raises(ssgm.PermissionDenied) as e:
        w.t.add_member(w.carol, g, w.dave)
    assert e.value.code == "actor_disabled"


def test_r10_10_owner_limit_wins_over_already_owner(w: World) -> None:
    """R-10.10: a group at its owner limit refuses with `owner_limit`, even an existing owner."""
    g = w.t.create_group(w.admin, "G", owners=[w.bob])
    w.t.configure(w.admin, max_owners_per_group=1)
    with pytest.raises(ssgm.Conflict) as e:
        w.t.add_owner(w.admin, g, w.bob)
    assert e.value.code == "owner_limit"


def test_r9_exceptions_pickle_with_their_code(w: World) -> None:
    """R-9: a refusal survives pickling (multiprocessing, logging) with its class and code."""
    import pickle

    with pytest.raises(ssgm.SsgmError) as e:
        w.t.create_resource(w.alice, "x")
    copy = pickle.loads(pickle.dumps(e.value))
    assert type(copy) is ssgm.PermissionDenied
    assert copy.code == "not_admin" and str(copy) == str(e.value)


def test_r10_11_check_is_a_dry_run_of_actor_commands_only(w: World) -> None:
    """R-10.11, API.md: check answers allowed/code/message without changing or auditing
    anything; seeding commands and clock moves are `unknown_command` there."""
    g = w.t.create_group(w.admin, "G", owners=[w.bob])
    audit, events = len(w.t.audit_log()), w.t.events()
    yes = w.t.check(w.bob, "add_member", g, w.carol)
    assert (yes.allowed, yes.code) == (True, None) and yes.message
    no = w.t.check(w.carol, "add_member", g, member=w.dave)
    assert (no.allowed, no.code) == (False, "not_owner") and "carol@contoso.com" in no.message
    assert w.t.check(w.admin, "configure", max_owners_per_group=0).code == "invalid_setting"
    assert w.t.check(w.carol, "list_members", g).code == "not_owner"
    assert no == w.t.check(w.carol, "add_member", g, w.dave)
    assert no.to_dict() == {"allowed": False, "code": "not_owner", "message": no.message}
    for name, args in (("add_user", ("x@contoso.com",)), ("set_enabled", (w.carol, False)), ("import_directory", ({},)), ("advance", ()), ("set_time", ())):
        with pytest.raises(ssgm.InvalidArgument) as e:
            w.t.check(w.admin, name, *args)
        assert e.value.code == "unknown_command"
    assert (len(w.t.audit_log()), w.t.events()) == (audit, events)
    assert w.carol not in g.members

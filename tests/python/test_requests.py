"""Join requests and their decisions (SPEC §5, R-10.4, R-10.5, R-10.12)."""

from __future__ import annotations

import pytest

import ssgm
from conftest import World, make_world, state


def approval_group(w: World, **kw: object) -> ssgm.Group:
    return w.t.create_group(w.admin, "Approval", join_policy="owner_approval", owners=[w.bob], **kw)  # type: ignore[arg-type]


def test_r5_2_open_group_joins_at_once(w: World) -> None:
    """R-5.2, R-10.5: an open group admits at once: approved, no decider, reason open_group,
    decided_at == created_at."""
    g = w.t.create_group(w.admin, "Open", join_policy="open")
    w.t.advance(hours=2)
    r = w.t.request_to_join(w.carol, g)
    assert w.carol in g.members
    assert (r.status, r.decided_by, r.reason) == ("approved", None, "open_group")
    assert r.decided_at == r.created_at == w.t.now
    assert r.group == g and r.requester == w.carol


def test_r5_3_owner_approval_needs_a_justification(w: World) -> None:
    """R-5.3, R-10.12: owner approval needs a non-empty justification (whitespace is empty);
    the request is then pending."""
    g = approval_group(w)
    for empty in ("", "   \t"):
        with pytest.raises(ssgm.InvalidArgument) as e:
            w.t.request_to_join(w.carol, g, empty)
        assert e.value.code == "justification_required"
    assert w.t.requests() == []
    r = w.t.request_to_join(w.carol, g, justification="for the quarterly report")
    assert (r.status, r.justification, r.decided_by, r.decided_at) == ("pending", "for the quarterly report", None, None)
    assert w.carol not in g.members


def test_r5_4_owners_only_refuses_and_records_nothing(w: World) -> None:
    """R-5.4: owners_only is `group_closed`, and no request is recorded."""
    g = w.t.create_group(w.admin, "Closed", owners=[w.bob])
    with pytest.raises(ssgm.PermissionDenied) as e:
        w.t.request_to_join(w.carol, g, "please")
    assert e.value.code == "group_closed"
    assert w.t.requests() == []


def test_r5_5_already_member_and_second_pending_request(w: World) -> None:
    """R-5.5: a direct member gets `already_member`; a second pending request `request_pending`."""
    g = approval_group(w, members=[w.dave])
    with pytest.raises(ssgm.Conflict) as e:
        w.t.request_to_join(w.dave, g, "again")
    assert e.value.code == "already_member"
    w.t.request_to_join(w.carol, g, "one")
    with pytest.raises(ssgm.Conflict) as e:
        w.t.request_to_join(w.carol, g, "two")
    assert e.value.code == "request_pending"


def test_r5_1_eligibility_is_not_needed_to_ask() -> None:
    """R-5.1: any enabled user may ask to join while self-service is on, eligible or not."""
    w = make_world(self_service_scope="some")
    g = approval_group(w)
    assert w.t.request_to_join(w.carol, g, "please").status == "pending"


def test_r5_1_self_service_off_refuses_users_not_group_admins() -> None:
    """R-2.2, R-5.1: with self-service off a user cannot ask, but a group admin's own request is
    approved at once whatever the settings, kind and policy (reason `admin`)."""
    w = make_world()
    closed = w.t.create_group(w.admin, "Closed")
    dl = w.t.create_group(w.admin, "List", kind="distribution")
    w.t.configure(w.admin, delegated_group_management=False)
    with pytest.raises(ssgm.PermissionDenied) as e:
        w.t.request_to_join(w.carol, closed, "please")
    assert e.value.code == "self_service_disabled"
    for g in (closed, dl):
        r = w.t.request_to_join(w.gadmin, g)
        assert (r.status, r.reason, r.decided_by) == ("approved", "admin", None)
        assert w.gadmin in g.members


def test_r5_1_admin_request_to_an_open_group_says_open_group(w: World) -> None:
    """R-5.1: a group admin's own request to an open group has reason `open_group`."""
    g = w.t.create_group(w.admin, "Open", join_policy="open")
    assert w.t.request_to_join(w.gadmin, g).reason == "open_group"


def test_r5_1_on_premises_refuses_even_admins(w: World) -> None:
    """R-4.2, R-5.1: join requests to an on-premises group are refused, admins included."""
    g = w.t.create_group(w.admin, "Synced", on_premises=True)
    for actor in (w.carol, w.gadmin):
        with pytest.raises(ssgm.PermissionDenied) as e:
            w.t.request_to_join(actor, g, "please")
        assert e.value.code == "on_premises_group"


def test_r4_1_requests_to_other_kinds_are_not_self_service(w: World) -> None:
    """R-4.1: join requests to mail-enabled security and distribution groups are refused."""
    for kind in ("mail_enabled_security", "distribution"):
        g = w.t.create_group(w.admin, kind, kind=kind, join_policy="open")
        with pytest.raises(ssgm.PermissionDenied) as e:
            w.t.request_to_join(w.carol, g, "please")
        assert e.value.code == "not_self_service_kind"


def test_r5_6_owner_approves_and_requester_becomes_member(w: World) -> None:
    """R-5.6: an owner who may manage membership approves; the requester becomes a member."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    w.t.advance(minutes=5)
    done = w.t.approve(w.bob, r, reason="welcome")
    assert done == r
    assert (r.status, r.decided_by, r.reason, r.decided_at) == ("approved", w.bob, "welcome", w.t.now)
    assert g.members == [w.carol]


def test_r5_6_non_owners_cannot_decide(w: World) -> None:
    """R-5.6: a user who is not an owner (nor admin) gets `not_owner`."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    for decide in (w.t.approve, w.t.deny):
        with pytest.raises(ssgm.PermissionDenied) as e:
            decide(w.dave, r)
        assert e.value.code == "not_owner"
    assert r.status == "pending"


def test_r5_6_an_ineligible_owner_cannot_decide() -> None:
    """R-5.6, R-4.8: only owners who may manage the group's membership decide."""
    w = make_world(self_service_scope="some")
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    with pytest.raises(ssgm.PermissionDenied) as e:
        w.t.approve(w.bob, r)
    assert e.value.code == "not_in_self_service_group"
    assert r not in w.t.access_panel(w.bob).approvals
    w.t.add_member(w.admin, "SSGMSecurityGroupsUsers", w.bob)
    assert r in w.t.access_panel(w.bob).approvals
    w.t.approve(w.bob, r)


def test_r5_6_first_decision_settles(w: World) -> None:
    """R-5.6: the first decision settles; deciding again is `request_not_pending`."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    w.t.deny(w.bob, r, "not this quarter")
    assert (r.status, r.reason, r.decided_by) == ("denied", "not this quarter", w.bob)
    for decide in (w.t.approve, w.t.deny):
        with pytest.raises(ssgm.Conflict) as e:
            decide(w.admin, r)
        assert e.value.code == "request_not_pending"
    assert w.carol not in g.members


def test_r5_6_approving_someone_who_joined_meanwhile(w: World) -> None:
    """R-5.6: if the requester became a member meanwhile, approve marks the request approved
    and changes nothing else."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    w.t.add_member(w.bob, g, w.carol)
    before = g.members
    w.t.approve(w.bob, r)
    assert r.status == "approved" and g.members == before


def test_r5_7_cancel_by_requester_or_admin_only(w: World) -> None:
    """R-5.7, R-10.5: only the requester (or an admin) cancels a pending request; decided_by is
    who cancelled; the reason is empty."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    with pytest.raises(ssgm.PermissionDenied) as e:
        w.t.cancel(w.bob, r)  # even an owner
    assert e.value.code == "not_requester"
    w.t.cancel(w.carol, r)
    assert (r.status, r.decided_by, r.reason) == ("cancelled", w.carol, "")
    with pytest.raises(ssgm.Conflict) as e:
        w.t.cancel(w.carol, r)
    assert e.value.code == "request_not_pending"
    r2 = w.t.request_to_join(w.carol, g, "again")
    w.t.cancel(w.gadmin, r2)
    assert r2.decided_by == w.gadmin


def test_r4_13_deleting_a_group_cancels_its_pending_requests(w: World) -> None:
    """R-4.13, R-5.7: deletion cancels pending requests (reason group_deleted, decided_by the
    deleter); decided requests keep their status."""
    g = approval_group(w)
    pending = w.t.request_to_join(w.carol, g, "please")
    denied = w.t.request_to_join(w.dave, g, "please")
    w.t.deny(w.bob, denied)
    w.t.delete_group(w.gadmin, g)
    assert (pending.status, pending.reason, pending.decided_by) == ("cancelled", "group_deleted", w.gadmin)
    assert denied.status == "denied"


def test_r10_4_deciding_a_request_of_a_deleted_group(w: World) -> None:
    """R-10.4: after deletion, a non-admin gets `not_owner` (approve, deny) or goes on to
    `request_not_pending` (cancel by the requester); an admin gets `request_not_pending`."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    w.t.delete_group(w.admin, g)
    for actor, code in ((w.bob, "not_owner"), (w.admin, "request_not_pending")):
        with pytest.raises(ssgm.SsgmError) as e:
            w.t.approve(actor, r)
        assert e.value.code == code
    with pytest.raises(ssgm.SsgmError) as e:
        w.t.cancel(w.dave, r)
    assert e.value.code == "not_requester"
    with pytest.raises(ssgm.SsgmError) as e:
        w.t.cancel(w.carol, r)
    assert e.value.code == "request_not_pending"
    with pytest.raises(ssgm.NotFound):
        r.group.name  # noqa: B018  (the group handle names a deleted group)


def test_r10_4_cancel_follows_self_service_switch(w: World) -> None:
    """R-10.4, R-2.2: `cancel` is a request command like the others: refused while self-service
    is off (except for admins)."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    w.t.configure(w.admin, delegated_group_management=False)
    with pytest.raises(ssgm.PermissionDenied) as e:
        w.t.cancel(w.carol, r)
    assert e.value.code == "self_service_disabled"
    w.t.cancel(w.gadmin, r)


def test_r5_8_pending_requests_of_disabled_users_stay_and_can_be_decided(w: World) -> None:
    """R-5.8 (decision): disabling the requester keeps their request pending; it can be decided."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    w.t.set_enabled(w.carol, False)
    assert r.status == "pending"
    w.t.approve(w.bob, r)
    assert w.carol in g.members


def test_r10_1_requests_filter_in_creation_order(w: World) -> None:
    """R-10.1: requests() lists in creation order, filtered by status, group and requester."""
    g = approval_group(w)
    h = w.t.create_group(w.admin, "Other", join_policy="owner_approval", owners=[w.bob])
    r1 = w.t.request_to_join(w.carol, g, "a")
    r2 = w.t.request_to_join(w.dave, g, "b")
    r3 = w.t.request_to_join(w.carol, h, "c")
    w.t.approve(w.bob, r2)
    assert w.t.requests() == [r1, r2, r3]
    assert w.t.requests(status="pending") == [r1, r3]
    assert w.t.requests(group=g) == [r1, r2]
    assert w.t.requests(requester="carol@contoso.com") == [r1, r3]
    assert w.t.requests(status="pending", group="Other", requester=w.carol) == [r3]
    assert w.t.request(r2.id) == r2
    with pytest.raises(ssgm.InvalidArgument) as err:
        w.t.requests(status="maybe")
    assert err.value.code == "invalid_kind"
    with pytest.raises(ssgm.NotFound):
        w.t.requests(group="No such group")


def test_r8_2_refused_decisions_change_nothing_but_the_audit_log(w: World) -> None:
    """R-8.2: a refused approve leaves the state as it was."""
    g = approval_group(w)
    r = w.t.request_to_join(w.carol, g, "please")
    before = state(w.t)
    with pytest.raises(ssgm.PermissionDenied):
        w.t.approve(w.dave, r)
    assert state(w.t) == before
    assert w.t.audit_log()[-1].outcome == "refused"

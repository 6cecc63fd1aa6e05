"""Access reviews (SPEC §14) through the Python face: the Review handle, the
AccessReviewDecision record, the commands and queries, and the same answers through Rhai."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import pytest

import ssgm
from conftest import World


@pytest.fixture
def w() -> World:
    from conftest import make_world

    return make_world(group_owners_manage_reviews=True)


def sales(w: World) -> ssgm.Group:
    inner = w.t.create_group(w.admin, "Inner", members=[w.dave])
    return w.t.create_group(w.admin, "Sales", owners=[w.bob], members=[w.alice, w.carol, inner])


def test_r14_1_create_review_returns_review_handles_with_api_fields(w: World) -> None:
    """R-14.1, R-14.2, R-14.5: one Review per group; its fields as API.md names them."""
    g = sales(w)
    (r,) = w.t.create_review(w.bob, "Q3", g)  # one group alone counts as a list of one
    assert isinstance(r, ssgm.Review)
    assert (r.name, r.group, r.reviewer_type, r.status) == ("Q3", g.id, "owners", "in_progress")
    assert r.reviewers == [w.bob] and r.fallback_used is False
    assert (r.duration_days, r.default_decision, r.auto_apply, r.justification_required) == (14, "none", False, False)
    assert r.created_by == w.bob
    assert r.start == w.t.now and r.end == w.t.now + timedelta(days=14)
    assert (r.ended_at, r.ended_by, r.applied_at, r.applied_by) == (None, None, None, None)
    assert [d.user for d in r.decisions] == [w.alice, w.carol, w.dave]
    assert [d.direct for d in r.decisions] == [True, True, False]
    assert w.t.review(r.id) == r and w.t.review(r) == r
    assert w.t.reviews() == [r] and w.t.reviews(group=g) == [r] and w.t.reviews(reviewer=w.bob) == [r]
    assert w.t.reviews(status="applied") == []
    assert "Q3" in repr(r)


def test_r14_7_decide_review_returns_a_record(w: World) -> None:
    """R-14.7: the decision item as an immutable AccessReviewDecision; last response wins."""
    (r,) = w.t.create_review(w.admin, "Q3", [sales(w)])
    d = w.t.decide_review(w.bob, r, w.alice, "deny", "left the team")
    assert isinstance(d, ssgm.AccessReviewDecision)
    assert (d.review, d.user, d.decision, d.justification, d.reviewed_by) == (r.id, w.alice, "deny", "left the team", w.bob)
    assert d.reviewed_at == w.t.now and d.apply_result is None and d.recommendation == "deny"
    assert d._fields[0] == "review" and len(d) == 10 and list(d)[5] == "deny"
    assert d.to_dict()["user"] == w.alice.id
    copy = pickle.loads(pickle.dumps(d))
    assert copy == d and copy.user == w.alice.id and isinstance(copy.user, ssgm.Ref)
    w.t.decide_review(w.bob, r, w.alice, "dont_know")
    assert r.decisions[0].decision == "dont_know"  # the handle is a live view
    assert d.decision == "deny"  # the record is not


def test_r14_10_auto_apply_removes_denied_direct_members(w: World) -> None:
    """R-14.8 – R-14.11: defaults, the end and the auto-apply; nested members not_supported."""
    g = sales(w)
    app = w.t.create_resource(w.admin, "Salesforce")
    w.t.assign(w.admin, app, g)
    w.t.record_sign_in(w.alice)
    assert w.alice.last_sign_in == w.t.now
    (r,) = w.t.create_review(w.admin, "Q3", [g], default_decision="recommendation", auto_apply=True)
    w.t.advance(days=14)
    assert r.status == "applied" and r.applied_by is None and r.ended_by is None
    assert [(d.decision, d.apply_result) for d in r.decisions] == [
        ("approve", "unchanged"),
        ("deny", "removed"),
        ("deny", "not_supported"),
    ]
    assert not w.t.has_access(w.carol, app) and w.t.has_access(w.alice, app)
    log = w.t.audit_log()
    assert [e.activity for e in log[-2:]] == ["Access review ended", "Auto apply review"]
    cause = log[-1].seq
    assert [(p.user, p.change) for p in w.t.provisioning_log() if p.cause == cause] == [(w.carol.id, "deprovisioned")]


def test_r14_9_stop_and_apply_by_an_owner(w: World) -> None:
    """R-14.9, R-14.10: stop now, apply later; results are data."""
    (r,) = w.t.create_review(w.bob, "Q3", [sales(w)], default_decision="deny")
    assert w.t.stop_review(w.bob, r) == r
    assert r.status == "completed" and r.ended_by == w.bob
    with pytest.raises(ssgm.Conflict) as e:
        w.t.stop_review(w.bob, r)
    assert e.value.code == "review_not_in_progress"
    w.t.apply_review(w.bob, r)
    assert r.status == "applied" and r.applied_by == w.bob
    assert w.t.check(w.bob, "apply_review", r).code == "review_not_completed"


def test_r14_2_types_and_settings(w: World) -> None:
    """R-14.2, R-10.13: a bool for duration_days is a TypeError; bad values a refusal."""
    g = sales(w)
    with pytest.raises(TypeError):
        w.t.create_review(w.admin, "Q3", [g], duration_days=True)  # type: ignore[arg-type]
    with pytest.raises(ssgm.InvalidArgument) as e:
        w.t.create_review(w.admin, "Q3", [g], reviewer_type="managers")
    assert e.value.code == "invalid_review_setting"
    with pytest.raises(ssgm.NotFound) as nf:
        w.t.review("rev-404")
    assert nf.value.code == "review_not_found"
    assert w.t.settings.group_owners_manage_reviews is True
    assert ssgm.Tenant("x").settings.group_owners_manage_reviews is False


def test_r14_14_access_panel_reviews_and_deleted_group_filter(w: World) -> None:
    """R-14.14, R-14.12: the panel lists reviews the user may decide; deletion cancels."""
    g = sales(w)
    (r,) = w.t.create_review(w.admin, "Q3", [g], reviewer_type="self")
    assert w.t.access_panel(w.alice).reviews == [r]
    assert w.t.access_panel(w.bob).reviews == []
    gid = g.id
    w.t.delete_group(w.admin, g)
    assert r.status == "cancelled" and r.ended_by == w.admin
    assert w.t.reviews(group=gid) == [r]
    assert w.t.access_panel(w.alice).reviews == []


def test_r8_5_r14_6_import_last_sign_in_as_a_datetime_or_text() -> None:
    """R-8.5 as amended by R-14.6: last_sign_in as a datetime or ISO text; else a TypeError."""
    t = ssgm.Tenant("x")
    when = datetime(2016, 6, 1, 12, tzinfo=timezone.utc)
    t.import_directory({"users": [{"upn": "a@x.com", "last_sign_in": when}, {"upn": "b@x.com", "last_sign_in": "2016-05-01T00:00:00Z"}]})
    assert t.user("a@x.com").last_sign_in == when
    assert t.user("b@x.com").last_sign_in == datetime(2016, 5, 1, tzinfo=timezone.utc)
    with pytest.raises(TypeError):
        t.import_directory({"users": [{"upn": "c@x.com", "last_sign_in": 7}]})


SCRIPT = """
let admin = tenant.user("admin@contoso.com");
let bob = tenant.user("bob@contoso.com");
let g = tenant.group("Sales");
let r = tenant.create_review(admin, "Rhai", [g], #{ default_decision: "deny", auto_apply: true })[0];
tenant.decide_review(bob, r, tenant.user("alice@contoso.com"), "approve", "ok");
tenant.advance(#{ days: 14 });
let out = [];
for d in tenant.review(r.id).decisions { out.push([d.user, d.decision, d.apply_result]); }
[tenant.review(r.id).status, out]
"""


def test_r14_python_and_rhai_give_the_same_answer(w: World) -> None:
    """Parity: the same review through Rhai (`run_script`) and through Python, on forks."""
    sales(w)
    a, b = w.t.fork(), w.t.fork()
    rhai = a.run_script(SCRIPT)  # type: ignore[attr-defined]
    (r,) = b.create_review(w.admin, "Rhai", ["Sales"], default_decision="deny", auto_apply=True)
    b.decide_review(w.bob, r, w.alice, "approve", "ok")
    b.advance(days=14)
    python = [r.status, [[d.user.id, d.decision, d.apply_result] for d in r.decisions]]
    assert rhai == python
    assert [e.to_dict() for e in a.audit_log()] == [e.to_dict() for e in b.audit_log()]


def test_r14_14_rhai_queries_filters_panel_and_printing(w: World) -> None:
    """R-14.14 in Rhai: reviews(#{...}), review(id), the panel's reviews, handle printing."""
    g = sales(w)
    (r,) = w.t.create_review(w.admin, "Q3", [g], reviewer_type="self")
    w.t.create_review(w.admin, "Other", [g])
    got = w.t.run_script(  # type: ignore[attr-defined]
        """
        let r = tenant.review("%s");
        [tenant.reviews().len(), tenant.reviews(#{ reviewer: "alice@contoso.com" }).len(),
         tenant.reviews(#{ status: "in_progress", group: "Sales" }).len(),
         tenant.access_panel("alice@contoso.com").reviews.len(), `${r}`, r.reviewer_type,
         r.decisions.len(), r.created_by.upn,
         tenant.check("carol@contoso.com", "stop_review", [r]).code]
        """
        % r.id
    )
    assert got == [2, 1, 2, 1, f'Review({r.id}, "Q3", in_progress)', "self", 3, "admin@contoso.com", "not_owner"]
    assert len(w.t.reviews(reviewer=w.alice)) == 1 and len(w.t.access_panel(w.alice).reviews) == 1
    assert w.t.check(w.carol, "stop_review", r).code == "not_owner" and w.t.check(w.bob, "stop_review", r).allowed

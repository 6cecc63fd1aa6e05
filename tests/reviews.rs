//! Access reviews (SPEC §14): creation and its snapshot, decisions, completion, stop, apply,
//! cancellation, the access panel, audit, events at one instant, refusals, replay.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use proptest::prelude::*;
use ssgm::error::Family;
use ssgm::persist::state::State;
use ssgm::reviews::{Review, ReviewStatus};

const ADMIN: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";
const CAROL: &str = "carol@contoso.com";
const DAN: &str = "dan@contoso.com";
const ERIN: &str = "erin@contoso.com";

/// Admin; bob owns "Sales" (carol, dan direct; "Inner" with erin nested); an app assigned
/// to Sales; owner reviews on.
fn tenant() -> T {
    let mut t = T::with_admin(&[("group_owners_manage_reviews", b(true))]);
    for u in [BOB, CAROL, DAN, ERIN] {
        t.user(u, &[]);
    }
    t.user("ga@contoso.com", &["groups_admin"]);
    t.okk("create_group", &[ADMIN, "Inner"], &[("members", l(&[ERIN]))]);
    t.okk("create_group", &[ADMIN, "Sales"], &[("owners", l(&[BOB])), ("members", l(&[CAROL, DAN, "Inner"]))]);
    t.ok("create_resource", &[ADMIN, "Salesforce"]);
    t.ok("assign", &[ADMIN, "Salesforce", "Sales"]);
    t
}

/// Creates reviews; returns their ids.
fn create(t: &mut T, actor: &str, groups: &[&str], kwargs: &[(&str, Arg)]) -> Vec<String> {
    match t.runk("create_review", &[actor, "Q3"], &[&[("groups", l(groups))], kwargs].concat()) {
        Ok(Outcome::Reviews(ids)) => ids,
        other => panic!("create_review: {other:?}"),
    }
}

fn review(t: &T, id: &str) -> Review {
    t.t.review_at(t.t.find_review(id).unwrap()).cloned().unwrap()
}

/// (upn, decision, apply_result) of each item.
fn items(t: &T, id: &str) -> Vec<(String, &'static str, Option<&'static str>)> {
    review(t, id)
        .items
        .iter()
        .map(|i| (t.t.user(i.user).unwrap().upn.clone(), i.decision.as_str(), i.apply_result.map(|r| r.as_str())))
        .collect()
}

fn upns(t: &T, users: &[u32]) -> Vec<String> {
    users.iter().map(|u| t.t.user(*u).unwrap().upn.clone()).collect()
}

fn decide(t: &mut T, actor: &str, r: &str, user: &str, decision: &str) -> ssgm::Result<Outcome> {
    t.run("decide_review", &[actor, r, user, decision])
}

#[test]
fn r14_1_one_review_per_group_in_argument_order_a_repeat_counting_once() {
    let mut t = tenant();
    let ids = create(&mut t, ADMIN, &["Sales", "Inner", "Sales"], &[]);
    assert_eq!(ids.len(), 2);
    assert_eq!(review(&t, &ids[0]).group, t.gix("Sales"));
    assert_eq!(review(&t, &ids[1]).group, t.gix("Inner"));
    // targets are the groups, then the reviews created.
    let e = t.last_audit();
    assert_eq!(e.activity, "Create access review");
    let (sales, inner) = (t.t.group(t.gix("Sales")).unwrap().id.clone(), t.t.group(t.gix("Inner")).unwrap().id.clone());
    assert_eq!(e.targets, vec![sales.clone(), inner, sales, ids[0].clone(), ids[1].clone()]);
    // One reference alone counts as a list of one (API.md).
    let one = t.runk("create_review", &[ADMIN, "Solo"], &[("groups", s("Sales"))]);
    assert!(matches!(one, Ok(Outcome::Reviews(ref v)) if v.len() == 1));
}

#[test]
fn r14_2_defaults_and_the_end_instant() {
    let mut t = tenant();
    let r_id = create(&mut t, ADMIN, &["Sales"], &[]).remove(0);
    let r = review(&t, &r_id);
    assert_eq!(r.reviewer_type.as_str(), "owners");
    assert_eq!(r.duration_days, 14);
    assert_eq!(r.default_decision.as_str(), "none");
    assert!(!r.auto_apply && !r.justification_required);
    assert_eq!(r.status, ReviewStatus::InProgress);
    assert_eq!((r.start, r.end), (at(0), at(14)));
}

#[test]
fn r14_2_r14_18_invalid_review_settings_in_step_2() {
    let mut t = tenant();
    let bad: Vec<Vec<(&str, Arg)>> = vec![
        vec![("reviewer_type", s("managers"))],
        vec![("default_decision", s("maybe"))],
        vec![("duration_days", Arg::Int(0))],
        vec![("duration_days", Arg::Int(366))],
        vec![("reviewer_type", s("users"))],
        vec![("reviewers", l(&[CAROL]))],
        vec![("reviewer_type", s("self")), ("fallback_reviewers", l(&[CAROL]))],
    ];
    for kwargs in bad {
        let code =
            t.codek("create_review", &[ADMIN, "Q3"], &[&[("groups", l(&["Sales"]))], kwargs.as_slice()].concat());
        assert_eq!(code, "invalid_review_setting", "{kwargs:?}");
    }
    // No group at all.
    assert_eq!(t.codek("create_review", &[ADMIN, "Q3"], &[("groups", l(&[]))]), "invalid_review_setting");
    // Step 2: invalid_name first (§9 order), then the settings; after not-found (step 1).
    assert_eq!(t.codek("create_review", &[ADMIN, " "], &[("groups", l(&[]))]), "invalid_name");
    assert_eq!(
        t.codek("create_review", &[ADMIN, "Q3"], &[("groups", l(&["Nope"])), ("duration_days", Arg::Int(0))]),
        "group_not_found"
    );
    // a bool is no integer: a type error, not a command.
    let before = t.t.history().len();
    let err =
        ssgm::call::build("create_review", &[s(ADMIN), s("Q3"), l(&["Sales"])], &[("duration_days".into(), b(true))]);
    assert!(matches!(err, Err(ssgm::Error::Type(_))));
    assert_eq!(t.t.history().len(), before);
    assert_eq!(Code::InvalidReviewSetting.family(), Family::InvalidArgument);
}

#[test]
fn r14_5_snapshot_items_in_user_order_nested_flattened_later_joiners_and_owners_do_not_count() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[]).remove(0);
    let r = review(&t, &id);
    assert_eq!(upns(&t, &r.items.iter().map(|i| i.user).collect::<Vec<_>>()), vec![CAROL, DAN, ERIN]);
    assert_eq!(r.items.iter().map(|i| i.direct).collect::<Vec<_>>(), vec![true, true, false]);
    assert_eq!(upns(&t, &r.reviewers), vec![BOB]);
    assert!(!r.fallback_used);
    // Later joiners are not items; leavers stay; a later owner is no reviewer.
    t.user("fay@contoso.com", &[]);
    t.ok("add_member", &[ADMIN, "Sales", "fay@contoso.com"]);
    t.ok("remove_member", &[ADMIN, "Sales", DAN]);
    t.ok("add_owner", &[ADMIN, "Sales", CAROL]);
    let r = review(&t, &id);
    assert_eq!(r.items.len(), 3);
    assert_eq!(upns(&t, &r.reviewers), vec![BOB]);
    assert_eq!(t.code("decide_review", &[CAROL, &id, DAN, "approve"]), "not_reviewer");
    assert_eq!(t.code("decide_review", &[BOB, &id, "fay@contoso.com", "approve"]), "not_in_review");
}

#[test]
fn r14_5_fallback_reviewers_only_for_an_ownerless_group() {
    let mut t = tenant();
    t.okk("create_group", &[ADMIN, "Orphan"], &[("members", l(&[CAROL]))]);
    let ids = create(&mut t, ADMIN, &["Orphan", "Sales"], &[("fallback_reviewers", l(&[DAN, DAN]))]);
    let (orphan, sales) = (review(&t, &ids[0]), review(&t, &ids[1]));
    assert!(orphan.fallback_used);
    assert_eq!(upns(&t, &orphan.reviewers), vec![DAN]);
    assert!(!sales.fallback_used);
    assert_eq!(upns(&t, &sales.reviewers), vec![BOB]);
    // No owner and no fallback: nobody reviews, fallback_used false.
    let none_id = create(&mut t, ADMIN, &["Orphan"], &[]).remove(0);
    let none = review(&t, &none_id);
    assert!(none.reviewers.is_empty() && !none.fallback_used);
    // a disabled owner stays a reviewer; fallbacks never replace them.
    t.enable(BOB, false);
    let r_id = create(&mut t, ADMIN, &["Sales"], &[("fallback_reviewers", l(&[DAN]))]).remove(0);
    let r = review(&t, &r_id);
    assert_eq!(upns(&t, &r.reviewers), vec![BOB]);
    assert_eq!(t.code("decide_review", &[BOB, &r.id, CAROL, "approve"]), "actor_disabled");
}

#[test]
fn r14_5_r14_7_self_review_each_reviews_their_own_item() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[("reviewer_type", s("self"))]).remove(0);
    assert_eq!(upns(&t, &review(&t, &id).reviewers), vec![CAROL, DAN, ERIN]);
    assert!(decide(&mut t, CAROL, &id, CAROL, "approve").is_ok());
    assert_eq!(t.code("decide_review", &[CAROL, &id, DAN, "approve"]), "not_reviewer");
    // A user who is no item of a self review is not a reviewer (before not_in_review).
    assert_eq!(t.code("decide_review", &[BOB, &id, BOB, "approve"]), "not_reviewer");
    // Admins are no exception.
    assert_eq!(t.code("decide_review", &[ADMIN, &id, DAN, "approve"]), "not_reviewer");
}

#[test]
fn r14_7_users_reviewers_decide_any_item_their_own_too_and_the_last_response_wins() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[("reviewer_type", s("users")), ("reviewers", l(&[CAROL]))]).remove(0);
    assert!(decide(&mut t, CAROL, &id, CAROL, "approve").is_ok());
    assert_eq!(t.last_audit().activity, "Approve decision");
    assert!(t.run("decide_review", &[CAROL, &id, DAN, "deny", "left"]).is_ok());
    assert_eq!(t.last_audit().activity, "Deny decision");
    assert_eq!(t.last_audit().targets, vec![id.clone(), t.t.users()[t.uix(DAN) as usize].id.clone()]);
    t.advance_days(1);
    assert!(decide(&mut t, CAROL, &id, DAN, "dont_know").is_ok());
    assert_eq!(t.last_audit().activity, "Don't know decision");
    let r = review(&t, &id);
    let item = &r.items[r.item(t.uix(DAN)).unwrap()];
    assert_eq!(item.decision.as_str(), "dont_know");
    assert_eq!(item.justification, "");
    assert_eq!(item.reviewed_by, Some(t.uix(CAROL)));
    assert_eq!(item.reviewed_at, Some(at(1)));
    // a decision that is none of the three is "Update access review", refused.
    assert_eq!(t.code("decide_review", &[CAROL, &id, DAN, "maybe"]), "invalid_decision");
    assert_eq!(t.last_audit().activity, "Update access review");
    assert_eq!(t.code("decide_review", &[CAROL, &id, DAN, "not_reviewed"]), "invalid_decision");
}

#[test]
fn r14_7_justification_required_for_approve_and_deny_not_dont_know() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[("justification_required", b(true))]).remove(0);
    assert_eq!(t.code("decide_review", &[BOB, &id, CAROL, "approve"]), "justification_required");
    assert_eq!(
        t.run("decide_review", &[BOB, &id, CAROL, "deny", "   "]).unwrap_err().code(),
        Some(Code::JustificationRequired)
    );
    assert!(decide(&mut t, BOB, &id, CAROL, "dont_know").is_ok());
    assert!(t.run("decide_review", &[BOB, &id, CAROL, "deny", " moved "]).is_ok());
    assert_eq!(review(&t, &id).items[0].justification, "moved");
}

#[test]
fn r14_6_recommendations_from_sign_ins_within_30_days_before_start() {
    let mut t = tenant();
    t.ok("record_sign_in", &[CAROL]);
    assert_eq!(t.last_audit().activity, "Record sign-in");
    assert_eq!(t.last_audit().actor, "system");
    t.advance_days(30);
    t.ok("record_sign_in", &[ERIN]);
    let r_id = create(&mut t, ADMIN, &["Sales"], &[]).remove(0);
    let r = review(&t, &r_id);
    let recs: Vec<_> = r.items.iter().map(|i| (i.last_sign_in, i.recommendation.as_str())).collect();
    // Exactly 30 days before start is still "at or after start - 30 days".
    assert_eq!(recs, vec![(Some(at(0)), "approve"), (None, "deny"), (Some(at(30)), "approve")]);
    assert_eq!(t.t.user(t.uix(CAROL)).unwrap().last_sign_in, Some(at(0)));
    t.advance_days(1);
    t.ok("record_sign_in", &[DAN]);
    // It never changes.
    assert_eq!(review(&t, &r.id).items[1].recommendation.as_str(), "deny");
    // record_sign_in is seeding: check does not accept it.
    assert_eq!(t.check("record_sign_in", &[DAN]), "unknown_command");
}

#[test]
fn r14_8_the_four_default_decisions() {
    for (default, expected) in [
        ("none", ["approve", "not_reviewed", "not_reviewed"]),
        ("approve", ["approve", "approve", "approve"]),
        ("deny", ["approve", "deny", "deny"]),
        ("recommendation", ["approve", "approve", "deny"]),
    ] {
        let mut t = tenant();
        t.ok("record_sign_in", &[DAN]);
        let id = create(&mut t, ADMIN, &["Sales"], &[("default_decision", s(default))]).remove(0);
        decide(&mut t, BOB, &id, CAROL, "approve").unwrap();
        t.advance_days(14);
        let r = review(&t, &id);
        assert_eq!(r.status, ReviewStatus::Completed, "{default}");
        assert_eq!((r.ended_at, r.ended_by), (Some(at(14)), None));
        assert_eq!(r.items.iter().map(|i| i.decision.as_str()).collect::<Vec<_>>(), expected, "{default}");
        // Defaults have no reviewer; `none` leaves reviewed_at none.
        let dan = &r.items[1];
        assert_eq!(dan.reviewed_by, None);
        assert_eq!(dan.reviewed_at, if default == "none" { None } else { Some(at(14)) });
        assert_eq!(r.items[0].reviewed_by, Some(t.uix(BOB)));
        let end = t.t.audit_log().iter().rev().find(|e| e.activity == "Access review ended").unwrap();
        assert_eq!((end.actor.as_str(), end.time, end.targets.clone()), ("system", at(14), vec![id.clone()]));
        // Nothing applies without auto_apply.
        assert!(t.members("Sales").len() == 3);
    }
}

#[test]
fn r14_8_dont_know_keeps_its_response_and_keeps_access() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[("default_decision", s("deny")), ("auto_apply", b(true))]).remove(0);
    decide(&mut t, BOB, &id, CAROL, "dont_know").unwrap();
    t.advance_days(14);
    assert_eq!(
        items(&t, &id),
        vec![
            (CAROL.into(), "dont_know", Some("unchanged")),
            (DAN.into(), "deny", Some("removed")),
            (ERIN.into(), "deny", Some("not_supported")),
        ]
    );
}

#[test]
fn r14_9_stop_then_auto_apply_at_the_next_clock_move_advance_zero_included() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[("auto_apply", b(true))]).remove(0);
    t.advance_days(2);
    decide(&mut t, BOB, &id, DAN, "deny").unwrap();
    let before = t.t.provisioning_log().len();
    t.ok("stop_review", &[BOB, &id]);
    assert_eq!(t.last_audit().activity, "Access review ended");
    let r = review(&t, &id);
    assert_eq!((r.status, r.ended_at, r.ended_by), (ReviewStatus::Completed, Some(at(2)), Some(t.uix(BOB))));
    assert_eq!(t.members("Sales").len(), 3, "the auto-apply waits for the next clock move");
    assert_eq!(t.code("stop_review", &[BOB, &id]), "review_not_in_progress");
    t.t.execute(Command::Advance { micros: 0 }).unwrap();
    let r = review(&t, &id);
    assert_eq!((r.status, r.applied_at, r.applied_by), (ReviewStatus::Applied, Some(at(2)), None));
    let e = t.last_audit();
    assert_eq!((e.activity, e.actor.as_str(), e.time), ("Auto apply review", "system", at(2)));
    // the removal's provisioning is caused by the apply's audit entry.
    assert_eq!(t.provisioning_since(before), vec![(DAN.into(), "Salesforce".into(), "deprovisioned")]);
    assert_eq!(t.t.provisioning_log().last().unwrap().cause, e.seq);
    // Its end never fires later.
    t.advance_days(30);
    assert_eq!(
        t.t.audit_log().iter().filter(|e| e.activity == "Access review ended" && e.actor == "system").count(),
        0
    );
}

#[test]
fn r14_10_r14_11_apply_results_in_item_order_and_removal_as_remove_member() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[]).remove(0);
    assert_eq!(t.code("apply_review", &[ADMIN, &id]), "review_not_completed");
    for u in [CAROL, DAN, ERIN] {
        decide(&mut t, BOB, &id, u, "deny").unwrap();
    }
    // Dan leaves before the end: not_found; Erin is reached only through nesting.
    t.ok("remove_member", &[ADMIN, "Sales", DAN]);
    t.advance_days(14);
    let audit_len = t.t.audit_log().len();
    let before = t.t.provisioning_log().len();
    t.ok("apply_review", &[ADMIN, &id]);
    assert_eq!(t.t.audit_log().len(), audit_len + 1, "no audit entry per removal");
    assert_eq!(t.last_audit().activity, "Apply review");
    assert_eq!(
        items(&t, &id),
        vec![
            (CAROL.into(), "deny", Some("removed")),
            (DAN.into(), "deny", Some("not_found")),
            (ERIN.into(), "deny", Some("not_supported")),
        ]
    );
    assert_eq!(t.provisioning_since(before), vec![(CAROL.into(), "Salesforce".into(), "deprovisioned")]);
    // A nested member stays a member through the nested group (R-7.4 decides access).
    let inner = t.t.group(t.gix("Inner")).unwrap().id.clone();
    assert!(t.members("Sales").contains(&inner));
    // Owners and other memberships are untouched.
    assert_eq!(upns(&t, &t.t.group(t.gix("Sales")).unwrap().owners), vec![BOB]);
    assert_eq!(t.members("Inner").len(), 1);
    let r = review(&t, &id);
    assert_eq!((r.status, r.applied_by), (ReviewStatus::Applied, Some(t.uix(ADMIN))));
    assert_eq!(t.code("apply_review", &[ADMIN, &id]), "review_not_completed");
}

#[test]
fn r14_10_mail_enabled_and_on_premises_groups_are_not_supported() {
    let mut t = tenant();
    t.okk("create_group", &[ADMIN, "Mail"], &[("kind", s("mail_enabled_security")), ("members", l(&[CAROL]))]);
    t.okk("create_group", &[ADMIN, "OnPrem"], &[("on_premises", b(true)), ("members", l(&[CAROL]))]);
    t.okk("create_group", &[ADMIN, "List"], &[("kind", s("distribution")), ("members", l(&[CAROL]))]);
    let ids =
        create(&mut t, ADMIN, &["Mail", "OnPrem", "List"], &[("default_decision", s("deny")), ("auto_apply", b(true))]);
    t.advance_days(14);
    for id in &ids {
        assert_eq!(items(&t, id), vec![(CAROL.into(), "deny", Some("not_supported"))]);
    }
    for g in ["Mail", "OnPrem", "List"] {
        assert_eq!(t.members(g).len(), 1);
    }
}

#[test]
fn r14_12_deletion_cancels_in_progress_and_completed_reviews_not_applied_ones() {
    let mut t = tenant();
    let running = create(&mut t, ADMIN, &["Sales"], &[("auto_apply", b(true))]).remove(0);
    let done = create(&mut t, ADMIN, &["Sales"], &[("duration_days", Arg::Int(1))]).remove(0);
    let applied =
        create(&mut t, ADMIN, &["Sales"], &[("duration_days", Arg::Int(1)), ("auto_apply", b(true))]).remove(0);
    decide(&mut t, BOB, &running, CAROL, "deny").unwrap();
    t.advance_days(1);
    assert_eq!(review(&t, &done).status, ReviewStatus::Completed);
    assert_eq!(review(&t, &applied).status, ReviewStatus::Applied);
    let audit_len = t.t.audit_log().len();
    t.ok("delete_group", &[ADMIN, "Sales"]);
    assert_eq!(t.t.audit_log().len(), audit_len + 1);
    let r = review(&t, &running);
    assert_eq!((r.status, r.ended_at, r.ended_by), (ReviewStatus::Cancelled, Some(at(1)), Some(t.uix(ADMIN))));
    assert_eq!(r.items[0].decision.as_str(), "deny", "decisions are kept");
    let d = review(&t, &done);
    assert_eq!((d.status, d.ended_at, d.ended_by), (ReviewStatus::Cancelled, Some(at(1)), None));
    assert_eq!(review(&t, &applied).status, ReviewStatus::Applied);
    // No end or auto-apply fires later.
    let audit_len = t.t.audit_log().len();
    t.advance_days(30);
    assert_eq!(t.t.audit_log().len(), audit_len);
    // Deciding a cancelled review is review_not_in_progress; managing it, not_owner for a
    // non-admin, review_not_completed / review_not_in_progress for an admin.
    assert_eq!(t.code("decide_review", &[BOB, &running, DAN, "approve"]), "review_not_in_progress");
    assert_eq!(t.code("stop_review", &[BOB, &running]), "not_owner");
    assert_eq!(t.code("apply_review", &[ADMIN, &done]), "review_not_completed");
    // the group filter takes a deleted group's id.
    let gid = review(&t, &running).group;
    let gid = t.t.all_groups()[gid as usize].id.clone();
    assert_eq!(t.t.reviews_where(None, Some(t.t.find_review_group(&gid).unwrap()), None).len(), 3);
}

#[test]
fn r14_12_soft_delete_and_restore_leave_reviews_cancelled() {
    let mut t = tenant();
    t.okk(
        "create_group",
        &[ADMIN, "Team"],
        &[("kind", s("microsoft365")), ("owners", l(&[BOB])), ("members", l(&[CAROL]))],
    );
    let gid = t.t.group(t.gix("Team")).unwrap().id.clone();
    let id = create(&mut t, ADMIN, &["Team"], &[]).remove(0);
    t.ok("delete_group", &[ADMIN, "Team"]);
    assert_eq!(review(&t, &id).status, ReviewStatus::Cancelled);
    t.ok("restore_group", &[ADMIN, &gid]);
    assert_eq!(review(&t, &id).status, ReviewStatus::Cancelled);
}

#[test]
fn r14_12_r14_17_an_expiry_at_the_reviews_end_cancels_first() {
    let mut t = T::with_admin(&[("expiration_scope", s("all")), ("expiration_lifetime_days", Arg::Int(30))]);
    t.user(CAROL, &[]);
    t.okk("create_group", &[ADMIN, "Team"], &[("kind", s("microsoft365")), ("members", l(&[CAROL]))]);
    let id = create(
        &mut t,
        ADMIN,
        &["Team"],
        &[("duration_days", Arg::Int(30)), ("default_decision", s("deny")), ("auto_apply", b(true))],
    )
    .remove(0);
    t.advance_days(30);
    let r = review(&t, &id);
    assert_eq!((r.status, r.ended_at, r.ended_by), (ReviewStatus::Cancelled, Some(at(30)), None));
    assert_eq!(r.items[0].decision.as_str(), "not_reviewed", "no defaults");
    assert!(!t.t.audit_log().iter().any(|e| e.activity == "Access review ended"));
}

#[test]
fn r14_17_reviews_fire_in_creation_order_end_before_auto_apply() {
    let mut t = tenant();
    let ids = create(&mut t, ADMIN, &["Sales", "Inner"], &[("auto_apply", b(true))]);
    t.advance_days(20);
    let fired: Vec<(&str, String)> =
        t.t.audit_log()
            .iter()
            .filter(|e| e.actor == "system" && e.time == at(14))
            .map(|e| (e.activity, e.targets[0].clone()))
            .collect();
    assert_eq!(
        fired,
        vec![
            ("Access review ended", ids[0].clone()),
            ("Auto apply review", ids[0].clone()),
            ("Access review ended", ids[1].clone()),
            ("Auto apply review", ids[1].clone()),
        ]
    );
}

#[test]
fn r14_4_owners_manage_only_with_the_setting_their_kinds_and_groups() {
    let mut t = tenant();
    // Admins: groups_admin stands in for the Identity Governance Administrator.
    assert_eq!(create(&mut t, "ga@contoso.com", &["Sales"], &[]).len(), 1);
    // Owners of Sales may; not of Inner (not_owner, step 5); the first group in order.
    assert_eq!(create(&mut t, BOB, &["Sales"], &[]).len(), 1);
    assert_eq!(t.codek("create_review", &[BOB, "Q3"], &[("groups", l(&["Sales", "Inner"]))]), "not_owner");
    assert_eq!(t.codek("create_review", &[CAROL, "Q3"], &[("groups", l(&["Sales"]))]), "not_owner");
    t.okk("create_group", &[ADMIN, "OnPrem"], &[("on_premises", b(true)), ("owners", l(&[BOB]))]);
    t.okk("create_group", &[ADMIN, "Mail"], &[("kind", s("mail_enabled_security")), ("owners", l(&[BOB]))]);
    // Step 4 beats step 5: on_premises_group / not_self_service_kind before not_owner.
    assert_eq!(t.codek("create_review", &[BOB, "Q3"], &[("groups", l(&["Inner", "OnPrem"]))]), "on_premises_group");
    assert_eq!(t.codek("create_review", &[BOB, "Q3"], &[("groups", l(&["Inner", "Mail"]))]), "not_self_service_kind");
    // Step 6: the setting.
    t.okk("configure", &[ADMIN], &[("group_owners_manage_reviews", b(false))]);
    assert_eq!(t.codek("create_review", &[BOB, "Q3"], &[("groups", l(&["Sales"]))]), "owner_reviews_disabled");
    assert_eq!(t.codek("create_review", &[CAROL, "Q3"], &[("groups", l(&["Sales"]))]), "not_owner");
    let id = create(&mut t, ADMIN, &["Sales"], &[]).remove(0);
    assert_eq!(t.code("stop_review", &[BOB, &id]), "owner_reviews_disabled");
    assert_eq!(t.check("stop_review", &[BOB, &id]), "owner_reviews_disabled");
    // Reviewers decide whatever the setting (it binds creating, stopping, applying).
    assert!(decide(&mut t, BOB, &id, CAROL, "approve").is_ok());
    // self_service_disabled never refuses a review command (self-service is off here).
    assert!(!t.t.settings().delegated_group_management);
    t.okk("configure", &[ADMIN], &[("group_owners_manage_reviews", b(true))]);
    t.ok("stop_review", &[BOB, &id]);
    t.ok("apply_review", &[BOB, &id]);
    // Actor disabled is step 3, before the owner's standing.
    t.enable(CAROL, false);
    assert_eq!(t.codek("create_review", &[CAROL, "Q3"], &[("groups", l(&["Sales"]))]), "actor_disabled");
}

#[test]
fn r14_18_every_code_with_its_family_and_step() {
    use Family::*;
    for (code, family) in [
        (Code::NotReviewer, PermissionDenied),
        (Code::OwnerReviewsDisabled, PermissionDenied),
        (Code::ReviewNotFound, NotFound),
        (Code::ReviewNotInProgress, Conflict),
        (Code::ReviewNotCompleted, Conflict),
        (Code::NotInReview, Conflict),
        (Code::InvalidReviewSetting, InvalidArgument),
        (Code::InvalidDecision, InvalidArgument),
    ] {
        assert_eq!(code.family(), family, "{code}");
    }
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[("justification_required", b(true))]).remove(0);
    // Step 1 beats everything: review_not_found, in argument order after the actor.
    assert_eq!(t.code("decide_review", &[BOB, "rev-404", "nobody@x", "maybe"]), "review_not_found");
    assert_eq!(t.code("decide_review", &["ghost@x", "rev-404", CAROL, "approve"]), "user_not_found");
    assert_eq!(t.code("stop_review", &[BOB, "rev-404"]), "review_not_found");
    assert_eq!(t.last_audit().targets, vec!["rev-404".to_string()]);
    // Step 2 invalid_decision beats actor_disabled (3) and not_reviewer (5).
    t.enable(DAN, false);
    assert_eq!(t.code("decide_review", &[DAN, &id, CAROL, "maybe"]), "invalid_decision");
    assert_eq!(t.code("decide_review", &[DAN, &id, CAROL, "approve"]), "actor_disabled");
    // Step 5 not_reviewer beats step 8 justification_required and step 10 not_in_review.
    assert_eq!(t.code("decide_review", &[CAROL, &id, BOB, "approve"]), "not_reviewer");
    // Step 8 beats step 10.
    assert_eq!(t.code("decide_review", &[BOB, &id, BOB, "approve"]), "justification_required");
    assert_eq!(t.code("decide_review", &[BOB, &id, BOB, "dont_know"]), "not_in_review");
    t.ok("stop_review", &[ADMIN, &id]);
    // review_not_in_progress before not_in_review (step 10 order).
    assert_eq!(t.code("decide_review", &[BOB, &id, BOB, "dont_know"]), "review_not_in_progress");
    assert_eq!(t.code("stop_review", &[ADMIN, &id]), "review_not_in_progress");
    // The eight codes are reached through the faces' binding too.
    assert_eq!(t.t.find_review("nope").unwrap_err().code(), Some(Code::ReviewNotFound));
}

#[test]
fn r14_14_queries_filters_and_the_access_panel() {
    let mut t = tenant();
    let a = create(&mut t, ADMIN, &["Sales"], &[]).remove(0);
    let b_ = create(&mut t, ADMIN, &["Inner"], &[("reviewer_type", s("users")), ("reviewers", l(&[CAROL]))]).remove(0);
    let c = create(&mut t, ADMIN, &["Sales"], &[("reviewer_type", s("self"))]).remove(0);
    let ids = |t: &T, v: Vec<u32>| v.into_iter().map(|r| t.t.review_at(r).unwrap().id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&t, t.t.reviews_where(None, None, None)), vec![a.clone(), b_.clone(), c.clone()]);
    assert_eq!(ids(&t, t.t.reviews_where(None, Some(t.gix("Sales")), None)), vec![a.clone(), c.clone()]);
    assert_eq!(ids(&t, t.t.reviews_where(None, None, Some(t.uix(CAROL)))), vec![b_.clone(), c.clone()]);
    t.ok("stop_review", &[ADMIN, &a]);
    assert_eq!(ids(&t, t.t.reviews_where(Some(ReviewStatus::Completed), None, None)), vec![a.clone()]);
    // Panel: the in-progress reviews the user may decide now.
    assert_eq!(ids(&t, t.t.access_panel(t.uix(CAROL)).reviews), vec![b_.clone(), c.clone()]);
    assert_eq!(ids(&t, t.t.access_panel(t.uix(BOB)).reviews), Vec::<String>::new());
    assert_eq!(ids(&t, t.t.access_panel(t.uix(ERIN)).reviews), vec![c.clone()]);
    t.enable(ERIN, false);
    assert!(t.t.access_panel(t.uix(ERIN)).reviews.is_empty());
    let view = t.t.review_view(t.t.find_review(&c).unwrap());
    assert_eq!(view["decisions"].as_array().map(Vec::len), Some(3));
    assert_eq!(view["group"], serde_json::json!(t.t.group(t.gix("Sales")).unwrap().id));
}

#[test]
fn r14_16_check_history_replay_and_snapshot() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[("auto_apply", b(true)), ("default_decision", s("recommendation"))])
        .remove(0);
    assert_eq!(t.check("stop_review", &[BOB, &id]), "");
    assert_eq!(t.check("apply_review", &[BOB, &id]), "review_not_completed");
    assert_eq!(t.check("decide_review", &[BOB, &id, CAROL, "approve"]), "");
    decide(&mut t, BOB, &id, CAROL, "approve").unwrap();
    t.ok("record_sign_in", &[DAN]);
    t.advance_days(5);
    // A snapshot taken mid-review holds the review and its scheduled end.
    let snap = serde_json::to_value(State::of(&t.t)).unwrap();
    let mut copy = serde_json::from_value::<State>(snap).unwrap().into_tenant("contoso").unwrap();
    assert_eq!(state(&copy), state(&t.t));
    t.advance_days(10);
    copy.execute(Command::Advance { micros: 10 * DAY }).unwrap();
    assert_eq!(state(&copy), state(&t.t));
    assert_eq!(review(&t, &id).status, ReviewStatus::Applied);
    let replayed = Tenant::replay(t.t.history().to_vec(), None, "contoso");
    assert_eq!(state(&replayed), state(&t.t));
    // A fork advanced past the end previews what the review would remove.
    let mut t2 = tenant();
    let id2 = create(&mut t2, ADMIN, &["Sales"], &[("auto_apply", b(true)), ("default_decision", s("deny"))]).remove(0);
    let mut fork = t2.t.clone();
    fork.execute(Command::Advance { micros: 14 * DAY }).unwrap();
    assert_eq!(fork.review_at(fork.find_review(&id2).unwrap()).unwrap().status, ReviewStatus::Applied);
    assert_eq!(t2.members("Sales").len(), 3);
    assert_eq!(fork.group(t2.gix("Sales")).unwrap().members.len(), 1);
}

fn review_command(op: u8, a: usize, x: usize, n: u16, t: &Tenant) -> Command {
    let users = [ADMIN, BOB, CAROL, DAN, ERIN];
    let groups = ["Sales", "Inner"];
    let user = users[a % users.len()].to_string();
    let other = users[x % users.len()].to_string();
    let review = t
        .reviews_all()
        .get(n as usize % t.reviews_all().len().max(1))
        .map(|r| r.id.clone())
        .unwrap_or_else(|| "rev-1".into());
    match op % 9 {
        0 => Command::CreateReview {
            actor: user,
            name: "R".into(),
            groups: vec![groups[x % 2].into()],
            reviewer_type: ["owners", "self", "owners"][n as usize % 3].into(),
            reviewers: vec![],
            fallback_reviewers: vec![],
            duration_days: i64::from(n % 20) + 1,
            default_decision: ["none", "approve", "deny", "recommendation"][a % 4].into(),
            auto_apply: n % 2 == 0,
            justification_required: false,
        },
        1 | 2 => Command::DecideReview {
            actor: user,
            review,
            user: other,
            decision: ["approve", "deny", "dont_know"][n as usize % 3].into(),
            justification: String::new(),
        },
        3 => Command::StopReview { actor: user, review },
        4 => Command::ApplyReview { actor: user, review },
        5 => Command::RecordSignIn { user },
        6 => Command::Advance { micros: i64::from(n % 10) * DAY },
        7 => Command::AddMember { actor: ADMIN.into(), group: groups[x % 2].into(), member: user },
        _ => Command::RemoveMember { actor: ADMIN.into(), group: groups[x % 2].into(), member: user },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// random histories with reviews and clock moves replay to the same state
    /// and logs: an applied review removes only members whose item was denied.
    #[test]
    fn r14_16_random_histories_replay_and_apply_removes_only_denied(
        ops in proptest::collection::vec((any::<u8>(), 0usize..5, 0usize..5, any::<u16>()), 1..40)
    ) {
        let mut t = tenant();
        let mut states = Vec::new();
        for (op, a, x, n) in ops {
            let cmd = review_command(op, a, x, n, &t.t);
            let _ = t.t.execute(cmd);
            states.push((t.t.history().len(), state(&t.t)));
            for r in t.t.reviews_all() {
                for i in &r.items {
                    if i.apply_result.is_some_and(|x| x.as_str() == "removed") {
                        prop_assert_eq!(i.decision.as_str(), "deny");
                    }
                    if r.status != ReviewStatus::Applied {
                        prop_assert!(i.apply_result.is_none());
                    }
                }
            }
        }
        let history = t.t.history().to_vec();
        for (len, expected) in states.iter().skip(states.len().saturating_sub(5)) {
            let replayed = Tenant::replay(history.clone(), Some(*len), "contoso");
            prop_assert_eq!(&state(&replayed), expected);
        }
    }
}

#[test]
fn r14_6_r8_5_import_takes_last_sign_in_and_a_bad_one_is_a_type_error() {
    let data = serde_json::json!({"users": [
        {"upn": "a@contoso.com", "last_sign_in": "2016-06-01T10:00:00Z"},
        {"upn": "b@contoso.com"},
    ]});
    let mut t = T::new();
    let cmd = ssgm::call::build("import_directory", &[to_arg(&data)], &[]).unwrap();
    t.t.execute(cmd).unwrap();
    assert_eq!(t.t.user(t.uix("a@contoso.com")).unwrap().last_sign_in, ssgm::model::parse_time("2016-06-01T10:00:00Z"));
    assert_eq!(t.t.user(t.uix("b@contoso.com")).unwrap().last_sign_in, None);
    // It replays identically (the data is in the history).
    assert_eq!(state(&Tenant::replay(t.t.history().to_vec(), None, "contoso")), state(&t.t));
    for bad in [serde_json::json!("yesterday"), serde_json::json!(5)] {
        let data = serde_json::json!({"users": [{"upn": "c@contoso.com", "last_sign_in": bad}]});
        assert!(matches!(ssgm::call::build("import_directory", &[to_arg(&data)], &[]), Err(ssgm::Error::Type(_))));
    }
}

#[test]
fn r14_6_graph_sign_in_activity_becomes_last_sign_in() {
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/graph/contoso");
    let t = Tenant::from_graph(&fixture, None, &serde_json::Map::new()).unwrap();
    let megan = t.find_user("meganb@contoso.com").unwrap();
    assert_eq!(t.user(megan).unwrap().last_sign_in, ssgm::model::parse_time("2016-06-10T08:15:00Z"));
    let isaiah = t.find_user("isaiahl@contoso.com").unwrap();
    assert_eq!(t.user(isaiah).unwrap().last_sign_in, None);
}

fn to_arg(v: &serde_json::Value) -> Arg {
    match v {
        serde_json::Value::Null => Arg::Null,
        serde_json::Value::Bool(x) => Arg::Bool(*x),
        serde_json::Value::Number(n) => n.as_i64().map(Arg::Int).unwrap_or(Arg::Float(n.as_f64().unwrap_or(0.0))),
        serde_json::Value::String(x) => s(x),
        serde_json::Value::Array(items) => Arg::List(items.iter().map(to_arg).collect()),
        serde_json::Value::Object(m) => Arg::Map(m.iter().map(|(k, v)| (k.clone(), to_arg(v))).collect()),
    }
}

#[test]
fn r14_10_a_manual_apply_unschedules_the_pending_auto_apply() {
    let mut t = tenant();
    let id = create(&mut t, ADMIN, &["Sales"], &[("auto_apply", b(true)), ("default_decision", s("deny"))]).remove(0);
    t.ok("stop_review", &[ADMIN, &id]);
    t.ok("apply_review", &[BOB, &id]);
    let r = review(&t, &id);
    assert_eq!((r.status, r.applied_by), (ReviewStatus::Applied, Some(t.uix(BOB))));
    let audit_len = t.t.audit_log().len();
    t.t.execute(Command::Advance { micros: 0 }).unwrap();
    t.advance_days(30);
    assert_eq!(t.t.audit_log().len(), audit_len, "no auto-apply fires after a manual apply");
    assert!(t.t.schedule().is_empty());
}

/// A tenant with reviews in every status and sign-ins, part-way through.
fn busy() -> T {
    let mut t = tenant();
    t.ok("record_sign_in", &[CAROL]);
    let ids = create(
        &mut t,
        ADMIN,
        &["Sales", "Inner"],
        &[("auto_apply", b(true)), ("default_decision", s("recommendation"))],
    );
    decide(&mut t, BOB, &ids[0], DAN, "deny").unwrap();
    let stopped = create(&mut t, BOB, &["Sales"], &[("duration_days", Arg::Int(30))]).remove(0);
    t.ok("stop_review", &[BOB, &stopped]);
    t.advance_days(14);
    create(&mut t, ADMIN, &["Sales"], &[("reviewer_type", s("self"))]);
    t
}

#[test]
fn r14_16_a_snapshot_file_carries_reviews_and_their_events() {
    let mut t = busy();
    assert!(!t.t.schedule().is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    ssgm::persist::snapshot::save(&t.t, &path).unwrap();
    let mut back = ssgm::persist::snapshot::load(&path).unwrap();
    assert_eq!(state(&back), state(&t.t));
    for x in [&mut back, &mut t.t] {
        x.execute(Command::Advance { micros: 30 * DAY }).unwrap();
    }
    assert_eq!(state(&back), state(&t.t));
    assert_eq!(back.find_review("rev-4").map(|r| back.review_at(r).unwrap().status), Ok(ReviewStatus::Completed));
}

#[test]
fn r14_16_a_journal_reopened_replays_reviews_identically() {
    let live = busy();
    assert_eq!(state(&through_journal(live.t.history())), state(&live.t));
}

//! SPEC §5 (join requests) and §6 (visibility, the Access Panel).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;

const A: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";
const CAROL: &str = "carol@contoso.com";

fn tenant() -> T {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    t.user("ga@contoso.com", &["groups_admin"]);
    t.okk("create_group", &[BOB, "Approval"], &[("join_policy", s("owner_approval"))]);
    t.okk("create_group", &[BOB, "Open"], &[("join_policy", s("open"))]);
    t.okk("create_group", &[BOB, "Closed"], &[("join_policy", s("owners_only"))]);
    t
}

fn status(t: &T, r: &str) -> ssgm::model::Request {
    t.t.request(t.t.find_request(r).unwrap()).unwrap().clone()
}

#[test]
fn r5_1_anyone_may_ask_and_admins_are_approved_at_once() {
    let mut t = tenant();
    t.okk("configure", &[A], &[("self_service_scope", s("some"))]);
    // Eligibility is not needed to ask.
    let r = t.ok("request_to_join", &[CAROL, "Approval", "please"]);
    assert_eq!(status(&t, &r).status.as_str(), "pending");
    let r = t.ok("request_to_join", &["ga@contoso.com", "Closed"]);
    let q = status(&t, &r);
    assert_eq!((q.status.as_str(), q.reason.as_str(), q.decided_by), ("approved", "admin", None));
    let r = t.ok("request_to_join", &["ga@contoso.com", "Open"]);
    assert_eq!(status(&t, &r).reason, "open_group");
    assert_eq!(t.code("request_to_join", &["ga@contoso.com", "Open"]), "already_member");
}

#[test]
fn r5_2_open_groups_admit_at_once() {
    let mut t = tenant();
    let r = t.ok("request_to_join", &[CAROL, "Open"]);
    let q = status(&t, &r);
    assert_eq!((q.status.as_str(), q.reason.as_str(), q.decided_by), ("approved", "open_group", None));
    // decided_at is created_at.
    assert_eq!(q.decided_at, Some(q.created_at));
    assert!(t.t.user(t.uix(CAROL)).unwrap().groups.contains(&t.gix("Open")));
    // the request is recorded after the group.
    assert_eq!(t.last_audit().targets, vec![t.t.group(t.gix("Open")).unwrap().id.clone(), r]);
}

#[test]
fn r5_3_r10_12_owner_approval_needs_a_justification() {
    let mut t = tenant();
    assert_eq!(t.code("request_to_join", &[CAROL, "Approval"]), "justification_required");
    assert_eq!(t.code("request_to_join", &[CAROL, "Approval", "   "]), "justification_required");
    t.ok("request_to_join", &[CAROL, "Approval", "x"]);
}

#[test]
fn r5_4_owners_only_is_closed_and_records_nothing() {
    let mut t = tenant();
    assert_eq!(t.code("request_to_join", &[CAROL, "Closed", "x"]), "group_closed");
    assert!(t.t.requests().is_empty());
}

#[test]
fn r5_5_duplicates() {
    let mut t = tenant();
    assert_eq!(t.code("request_to_join", &[BOB, "Approval", "x"]), "already_member");
    t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    assert_eq!(t.code("request_to_join", &[CAROL, "Approval", "again"]), "request_pending");
}

#[test]
fn r5_6_first_decision_settles() {
    let mut t = tenant();
    let r = t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    assert_eq!(t.code("approve", &[CAROL, &r]), "not_owner");
    t.okk("approve", &[BOB, &r], &[("reason", s("welcome"))]);
    let q = status(&t, &r);
    assert_eq!((q.status.as_str(), q.reason.as_str()), ("approved", "welcome"));
    assert_eq!(q.decided_by, Some(t.uix(BOB)));
    assert_eq!(t.code("deny", &[BOB, &r]), "request_not_pending");
    assert_eq!(t.last_audit().targets, vec![r.clone()]);
    assert_eq!(t.last_audit().activity, "Reject a pending request to join a group");
    // Became a member meanwhile: still approved, nothing else changes.
    t.ok("leave", &[CAROL, "Approval"]);
    let r2 = t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    t.ok("add_member", &[BOB, "Approval", CAROL]);
    t.ok("approve", &[BOB, &r2]);
    assert_eq!(status(&t, &r2).status.as_str(), "approved");
    assert_eq!(t.members("Approval").len(), 2);
    let r3 = t.ok("request_to_join", &["ga@contoso.com", "Approval", "x"]);
    assert_eq!(status(&t, &r3).status.as_str(), "approved");
    t.ok("leave", &[CAROL, "Approval"]);
    let r4 = t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    t.okk("deny", &[BOB, &r4], &[("reason", s("no"))]);
    assert_eq!(status(&t, &r4).reason, "no");
}

#[test]
fn r5_7_cancel() {
    let mut t = tenant();
    let r = t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    assert_eq!(t.code("cancel", &[BOB, &r]), "not_requester");
    t.ok("cancel", &[CAROL, &r]);
    let q = status(&t, &r);
    assert_eq!((q.status.as_str(), q.decided_by, q.reason.as_str()), ("cancelled", Some(t.uix(CAROL)), ""));
    assert_eq!(t.code("cancel", &[CAROL, &r]), "request_not_pending");
    let r = t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    t.ok("cancel", &["ga@contoso.com", &r]);
}

#[test]
fn r5_8_pending_requests_of_disabled_users_stay_and_can_be_decided() {
    let mut t = tenant();
    let r = t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    t.enable(CAROL, false);
    assert_eq!(status(&t, &r).status.as_str(), "pending");
    t.ok("approve", &[BOB, &r]);
    assert_eq!(status(&t, &r).status.as_str(), "approved");
}

#[test]
fn r10_4_requests_of_deleted_groups() {
    let mut t = tenant();
    let r1 = t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    t.ok("delete_group", &[BOB, "Approval"]);
    assert_eq!(t.code("approve", &[BOB, &r1]), "not_owner");
    assert_eq!(t.code("deny", &[CAROL, &r1]), "not_owner");
    assert_eq!(t.code("cancel", &[BOB, &r1]), "not_requester");
    assert_eq!(t.code("cancel", &[CAROL, &r1]), "request_not_pending");
    assert_eq!(t.code("approve", &[A, &r1]), "request_not_pending");
}

#[test]
fn r6_1_r6_2_members_and_access_are_listed_by_owners_and_admins_only() {
    let mut t = tenant();
    t.ok("list_members", &[BOB, "Approval"]);
    t.ok("list_members", &["ga@contoso.com", "Approval"]);
    assert_eq!(t.code("list_members", &[CAROL, "Approval"]), "not_owner");
    // depends on nothing else: self-service off, still allowed.
    t.okk("configure", &[A], &[("delegated_group_management", b(false))]);
    t.ok("list_members", &[BOB, "Approval"]);
    assert_eq!(t.last_audit().activity, "List group members");
    t.okk("create_resource", &[A, "App"], &[("owners", l(&[CAROL]))]);
    t.ok("list_access", &[CAROL, "App"]);
    assert_eq!(t.code("list_access", &[BOB, "App"]), "not_resource_owner");
    assert_eq!(t.code("list_access", &["ga@contoso.com", "App"]), "not_resource_owner");
    assert_eq!(t.last_audit().activity, "List resource access");
}

#[test]
fn r6_3_access_panel() {
    let mut t = tenant();
    let r = t.ok("request_to_join", &[CAROL, "Approval", "x"]);
    let panel = t.t.access_panel(t.uix(CAROL));
    // Approval has her pending request; Closed is closed; Open is joinable.
    assert_eq!(panel.joinable, vec![t.gix("Open")]);
    assert_eq!(panel.requests, vec![t.t.find_request(&r).unwrap()]);
    assert!(panel.approvals.is_empty() && panel.member_of.is_empty());
    let panel = t.t.access_panel(t.uix(BOB));
    assert_eq!(panel.approvals, vec![t.t.find_request(&r).unwrap()]);
    assert_eq!(panel.owner_of, vec![t.gix("Approval"), t.gix("Open"), t.gix("Closed")]);
    assert_eq!(panel.member_of, panel.owner_of);
    // A group admin approves everything pending.
    let panel = t.t.access_panel(t.uix("ga@contoso.com"));
    assert_eq!(panel.approvals.len(), 1);
    assert_eq!(panel.joinable.len(), 3);
}

#[test]
fn r6_4_the_analyst_sees_everything() {
    let t = tenant();
    assert_eq!(t.t.groups().count(), 3);
    assert_eq!(t.members("Approval").len(), 1);
}

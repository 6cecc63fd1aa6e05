//! SPEC §9: every refusal code is reachable, and the precedence of the steps when several
//! rules refuse one command.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use std::collections::BTreeSet;

const A: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";
const CAROL: &str = "carol@contoso.com";
const DIS: &str = "disabled@contoso.com";

fn tenant() -> T {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    t.user(DIS, &[]);
    t.okk("create_group", &[BOB, "Team"], &[("join_policy", s("owner_approval"))]);
    t.okk("create_group", &[A, "Closed"], &[("members", l(&[CAROL]))]);
    t.okk("create_group", &[A, "DL"], &[("kind", s("distribution")), ("owners", l(&[BOB]))]);
    t.okk("create_group", &[A, "Synced"], &[("on_premises", b(true)), ("owners", l(&[BOB]))]);
    t.ok("create_resource", &[A, "App"]);
    t.enable(DIS, false);
    t
}

#[test]
fn s9_step1_not_found_first_in_argument_order_actor_first() {
    let mut t = tenant();
    assert_eq!(t.code("add_member", &["ghost@contoso.com", "Nope", "x@y"]), "user_not_found");
    assert_eq!(t.code("add_member", &[DIS, "Nope", "x@y"]), "group_not_found");
    assert_eq!(t.code("add_member", &[DIS, "Team", "x@y"]), "user_not_found");
    let e = t.last_audit();
    assert_eq!(e.targets[1], "x@y");
    assert_eq!(e.actor, t.t.user(t.uix(DIS)).unwrap().id);
    assert_eq!(t.code("create_group", &["ghost", "bad\u{1}"]), "user_not_found");
    assert_eq!(t.last_audit().actor, "ghost");
}

#[test]
fn s9_step2_malformed_before_actor_disabled() {
    let mut t = tenant();
    assert_eq!(t.code("create_group", &[DIS, " "]), "invalid_name");
    assert_eq!(t.codek("create_group", &[DIS, "X"], &[("kind", s("team"))]), "invalid_kind");
    assert_eq!(t.codek("update_group", &[DIS, "Team"], &[("join_policy", s("x"))]), "invalid_join_policy");
    assert_eq!(t.codek("configure", &[DIS], &[("x", b(true))]), "invalid_setting");
    assert_eq!(t.codek("add_user", &["new@contoso.com"], &[("roles", l(&["root"]))]), "invalid_role");
    assert_eq!(t.codek("set_roles", &[BOB], &[("roles", l(&["root"]))]), "invalid_role");
}

#[test]
fn s9_step3_actor_disabled_before_the_group_rules() {
    let mut t = tenant();
    assert_eq!(t.code("add_member", &[DIS, "Synced", BOB]), "actor_disabled");
    assert_eq!(t.code("request_to_join", &[DIS, "DL"]), "actor_disabled");
}

#[test]
fn s9_step4_on_premises_then_kind_then_self_service() {
    let mut t = tenant();
    t.okk("configure", &[A], &[("delegated_group_management", b(false))]);
    assert_eq!(t.code("add_member", &[CAROL, "Synced", BOB]), "on_premises_group");
    assert_eq!(t.code("add_member", &[CAROL, "DL", BOB]), "not_self_service_kind");
    assert_eq!(t.code("add_member", &[CAROL, "Team", BOB]), "self_service_disabled");
}

#[test]
fn s9_step5_to_8_standing_settings_eligibility_policy() {
    let mut t = tenant();
    t.okk("configure", &[A], &[("users_can_create_security_groups", b(false))]);
    assert_eq!(t.code("update_group", &[CAROL, "Team"]), "not_owner");
    assert_eq!(t.code("update_group", &[BOB, "Team"]), "group_changes_disabled");
    t.okk("configure", &[A], &[("self_service_scope", s("some"))]);
    assert_eq!(t.code("update_group", &[BOB, "Team"]), "group_changes_disabled");
    t.okk("configure", &[A], &[("users_can_create_security_groups", b(true))]);
    assert_eq!(t.code("update_group", &[BOB, "Team"]), "not_in_self_service_group");
    // Step 8 before step 10: a member of a closed group gets group_closed.
    assert_eq!(t.code("request_to_join", &[CAROL, "Closed"]), "group_closed");
    let r = t.ok("request_to_join", &[CAROL, "Team", "x"]);
    assert_eq!(t.code("request_to_join", &[CAROL, "Team", " "]), "justification_required");
    assert_eq!(t.code("request_to_join", &[CAROL, "Team", "again"]), "request_pending");
    let _ = r;
}

#[test]
fn s9_step9_limits_before_state() {
    let mut t = tenant();
    t.okk("configure", &[A], &[("max_groups_per_user", Arg::Int(1)), ("max_owners_per_group", Arg::Int(1))]);
    // bob created Team: quota reached; and two owners would exceed the limit.
    assert_eq!(t.codek("create_group", &[BOB, "Two"], &[("owners", l(&[CAROL]))]), "group_quota");
    assert_eq!(t.code("add_owner", &[BOB, "Team", BOB]), "owner_limit");
    assert_eq!(t.code("remove_owner", &[BOB, "Team", BOB]), "last_owner");
}

#[test]
fn s9_every_code_of_the_core_is_reachable() {
    let mut t = tenant();
    let mut seen: BTreeSet<&'static str> = BTreeSet::new();
    let mut note = |c: &'static str| {
        seen.insert(c);
    };
    note(t.codek("configure", &[BOB], &[]));
    note(t.code("create_resource", &[BOB, "X"]));
    note(t.code("list_access", &[BOB, "App"]));
    note(t.code("add_member", &[CAROL, "Team", CAROL]));
    note(t.code("add_member", &[BOB, "DL", CAROL]));
    note(t.code("add_member", &[BOB, "Synced", CAROL]));
    note(t.code("add_member", &[DIS, "Team", CAROL]));
    note(t.code("request_to_join", &[CAROL, "Closed"]));
    note(t.code("request_to_join", &[CAROL, "Team"]));
    let r = t.ok("request_to_join", &[CAROL, "Team", "x"]);
    note(t.code("request_to_join", &[CAROL, "Team", "x"]));
    note(t.code("cancel", &[BOB, &r]));
    t.ok("approve", &[BOB, &r]);
    note(t.code("approve", &[BOB, &r]));
    note(t.code("add_member", &[BOB, "Team", CAROL]));
    note(t.code("remove_member", &[BOB, "Team", A]));
    note(t.code("add_owner", &[BOB, "Team", BOB]));
    note(t.code("remove_owner", &[BOB, "Team", CAROL]));
    note(t.code("remove_owner", &[BOB, "Team", BOB]));
    note(t.code("add_member", &[A, "Team", "Team"]));
    note(t.code("add_member", &[A, "Team", "DL"]));
    note(t.code("assign", &[A, "App", "DL"]));
    t.ok("assign", &[A, "App", "Team"]);
    note(t.code("assign", &[A, "App", "Team"]));
    note(t.code("unassign", &[A, "App", BOB]));
    t.ok("block", &[A, "App", BOB]);
    note(t.code("block", &[A, "App", BOB]));
    note(t.code("unblock", &[A, "App", CAROL]));
    note(t.code("create_resource", &[A, "app"]));
    note(t.code("create_resource", &[A, " "]));
    note(t.codek("create_resource", &[A, "Y"], &[("kind", s("db"))]));
    note(t.codek("create_group", &[A, "Y"], &[("join_policy", s("db"))]));
    note(t.codek("add_user", &["z@z"], &[("roles", l(&["db"]))]));
    note(t.codek("configure", &[A], &[("db", b(true))]));
    note(t.code("add_member", &[A, "Ghosts", BOB]));
    note(t.code("add_member", &[A, "Team", "ghost@contoso.com"]));
    note(t.code("assign", &[A, "Nope", BOB]));
    note(t.code("approve", &[A, "req-404"]));
    note(t.t.execute(Command::Advance { micros: -5 }).unwrap_err().code().unwrap().as_str());
    let err = ssgm::call::build_check(&s(A), "add_user", &[], &[]).unwrap_err();
    note(err.code().unwrap().as_str());
    let data = ssgm::DirectoryData::from_value(serde_json::json!({"users": [{"id": "u-1", "upn": "n@n"}]})).unwrap();
    note(t.t.execute(Command::ImportDirectory { data: Box::new(data) }).unwrap_err().code().unwrap().as_str());
    // Group-creation codes.
    t.okk("configure", &[A], &[("users_can_create_security_groups", b(false))]);
    note(t.code("create_group", &[BOB, "N"]));
    note(t.code("update_group", &[BOB, "Team"]));
    t.okk("configure", &[A], &[("users_can_create_security_groups", b(true)), ("self_service_scope", s("some"))]);
    note(t.code("create_group", &[BOB, "N"]));
    t.okk("configure", &[A], &[("self_service_scope", s("all")), ("max_groups_per_user", Arg::Int(0))]);
    note(t.code("create_group", &[BOB, "N"]));
    t.okk("configure", &[A], &[("max_owners_per_group", Arg::Int(1))]);
    note(t.code("add_owner", &[A, "Team", CAROL]));
    t.okk("configure", &[A], &[("delegated_group_management", b(false))]);
    note(t.code("create_group", &[BOB, "N"]));
    t.ok("create_group", &[A, "team"]);
    note(t.code("add_member", &[A, "TEAM", BOB]));
    let expected: BTreeSet<&str> = Code::ALL
        .iter()
        .filter(|c| !matches!(c.family(), ssgm::Family::StorageError | ssgm::Family::ScriptError))
        .map(|c| c.as_str())
        // §13's codes are reached, each with its family and step, in tests/lifecycle.rs.
        .filter(|c| {
            !["already_selected", "blocked_word", "expiration_group_limit", "expiration_not_applicable", "not_selected"]
                .contains(c)
        })
        // §14's codes are reached, each with its family and step, in tests/reviews.rs.
        .filter(|c| {
            ![
                "not_reviewer",
                "owner_reviews_disabled",
                "review_not_found",
                "review_not_in_progress",
                "review_not_completed",
                "not_in_review",
                "invalid_review_setting",
                "invalid_decision",
            ]
            .contains(c)
        })
        // §15's codes are reached, each with its family and step, in tests/packages.rs.
        .filter(|c| {
            ![
                "package_not_found",
                "policy_not_found",
                "assignment_not_found",
                "invalid_policy",
                "self_approval",
                "not_approver",
                "not_in_policy_scope",
                "incompatible_access",
                "approval_required",
                "already_incompatible",
                "not_incompatible",
                "assignment_not_active",
                "in_use",
            ]
            .contains(c)
        })
        .collect();
    let missing: Vec<_> = expected.difference(&seen).collect();
    assert!(missing.is_empty(), "codes never produced: {missing:?}");
}

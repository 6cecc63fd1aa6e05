//! Access packages (SPEC §15): packages, policies, requests through approval stages,
//! assignments delivered into direct membership and ended, timed events, separation of
//! duties, drift, the interplay with group deletion and restore, records and replay.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use proptest::prelude::*;
use ssgm::error::Family;
use ssgm::model::{format_time, EPOCH_START};
use ssgm::persist::state::State;

const ADMIN: &str = "admin@contoso.com";
const GA: &str = "ga@contoso.com";
const BOB: &str = "bob@contoso.com";
const CAROL: &str = "carol@contoso.com";
const DAVE: &str = "dave@contoso.com";
const ERIN: &str = "erin@contoso.com";

fn int(n: i64) -> Arg {
    Arg::Int(n)
}

fn map(items: &[(&str, Arg)]) -> Arg {
    Arg::Map(items.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

fn stages(items: &[Arg]) -> Arg {
    Arg::List(items.to_vec())
}

/// Runs a command; the id it returns (any §15 object too).
fn run(t: &mut T, name: &str, args: &[&str], kw: &[(&str, Arg)]) -> ssgm::Result<String> {
    t.runk(name, args, kw).map(|o| match o {
        Outcome::User(id)
        | Outcome::Group(id)
        | Outcome::Resource(id)
        | Outcome::Request(id)
        | Outcome::Package(id)
        | Outcome::Policy(id)
        | Outcome::PackageRequest(id)
        | Outcome::Assignment(id) => id,
        _ => String::new(),
    })
}

fn ok(t: &mut T, name: &str, args: &[&str], kw: &[(&str, Arg)]) -> String {
    match run(t, name, args, kw) {
        Ok(id) => id,
        Err(e) => panic!("{name}{args:?} was refused: {} ({:?})", e.message(), e.code()),
    }
}

/// The code, checked against its family.
fn code(t: &mut T, name: &str, args: &[&str], kw: &[(&str, Arg)], family: Family) -> &'static str {
    match run(t, name, args, kw) {
        Ok(_) => panic!("{name}{args:?} was allowed"),
        Err(e) => {
            let c = e.code().unwrap_or_else(|| panic!("{name}{args:?}: type error {}", e.message()));
            assert_eq!(c.family(), family, "{c}");
            c.as_str()
        }
    }
}

/// Admin, a groups admin, bob (manager of carol), carol, dave, erin; groups Sales, CRM,
/// Finance (security), Team (Microsoft 365); Salesforce assigned to Sales.
fn tenant() -> T {
    let mut t = T::with_admin(&[]);
    t.user(GA, &["groups_admin"]);
    t.user(BOB, &[]);
    ok(&mut t, "add_user", &[CAROL], &[("manager", s(BOB))]);
    t.user(DAVE, &[]);
    t.user(ERIN, &[]);
    for g in ["Sales", "CRM", "Finance"] {
        t.ok("create_group", &[ADMIN, g]);
    }
    t.okk("create_group", &[ADMIN, "Team"], &[("kind", s("microsoft365"))]);
    t.ok("create_resource", &[ADMIN, "Salesforce"]);
    t.ok("assign", &[ADMIN, "Salesforce", "Sales"]);
    t
}

/// A package "Sales tools" of Sales and CRM.
fn sales(t: &mut T) -> String {
    ok(t, "create_package", &[ADMIN, "Sales tools"], &[("groups", l(&["Sales", "CRM"]))])
}

fn members(t: &T, g: &str) -> Vec<String> {
    let gi = t.gix(g);
    t.t.all_groups()[gi as usize].members.iter().map(|p| t.t.principal_id(*p).to_string()).collect()
}

fn uid(t: &T, u: &str) -> String {
    t.t.users()[t.uix(u) as usize].id.clone()
}

fn req(t: &T, id: &str) -> ssgm::packages::PackageRequest {
    let q = t.t.find_package_request(id).unwrap();
    t.t.package_data().requests[q as usize].clone()
}

fn asg(t: &T, id: &str) -> ssgm::packages::PackageAssignment {
    let a = t.t.find_assignment(id).unwrap();
    t.t.package_data().assignments[a as usize].clone()
}

/// A two-stage policy: the manager, then dave.
fn two_stage(t: &mut T, pkg: &str) -> String {
    ok(
        t,
        "create_policy",
        &[ADMIN, pkg, "Employees"],
        &[
            ("requestors", s("all")),
            (
                "stages",
                stages(&[
                    map(&[("manager", b(true)), ("timeout_days", int(7))]),
                    map(&[("approvers", l(&[DAVE])), ("timeout_days", int(7))]),
                ]),
            ),
            ("expires", int(90)),
        ],
    )
}

#[test]
fn r15_2_r15_19_packages_are_created_named_uniquely_and_audited() {
    let mut t = tenant();
    let p = sales(&mut t);
    assert!(p.starts_with("ap-"));
    let e = t.last_audit();
    assert_eq!(e.activity, "Create access package");
    assert_eq!(
        e.targets,
        vec![p.clone(), t.t.group(t.gix("Sales")).unwrap().id.clone(), t.t.group(t.gix("CRM")).unwrap().id.clone()]
    );
    assert_eq!(code(&mut t, "create_package", &[ADMIN, "sales TOOLS"], &[], Family::Conflict), "duplicate_name");
    assert_eq!(code(&mut t, "create_package", &[ADMIN, " "], &[], Family::InvalidArgument), "invalid_name");
    assert_eq!(code(&mut t, "create_package", &[BOB, "Mine"], &[], Family::PermissionDenied), "not_admin");
    // A package is found by id or name.
    assert_eq!(t.t.find_package("SALES tools").unwrap(), t.t.find_package(&p).unwrap());
    ok(&mut t, "update_package", &[GA, &p], &[("name", s("Sales kit")), ("description", s("for sales"))]);
    assert_eq!(t.last_audit().activity, "Update access package");
}

#[test]
fn r15_3_package_groups_are_security_or_m365_and_not_on_premises() {
    let mut t = tenant();
    t.okk("create_group", &[ADMIN, "DL"], &[("kind", s("distribution"))]);
    t.okk("create_group", &[ADMIN, "Synced"], &[("on_premises", b(true))]);
    let p = sales(&mut t);
    // Step 4, admins included; on-premises first.
    assert_eq!(
        code(&mut t, "create_package", &[ADMIN, "X"], &[("groups", l(&["DL", "Synced"]))], Family::PermissionDenied),
        "on_premises_group"
    );
    assert_eq!(
        code(&mut t, "add_package_group", &[ADMIN, &p, "DL"], &[], Family::PermissionDenied),
        "not_self_service_kind"
    );
    // Step 4 before step 5's not_admin.
    assert_eq!(
        code(&mut t, "add_package_group", &[BOB, &p, "DL"], &[], Family::PermissionDenied),
        "not_self_service_kind"
    );
    assert_eq!(code(&mut t, "add_package_group", &[ADMIN, &p, "Sales"], &[], Family::Conflict), "already_assigned");
    assert_eq!(code(&mut t, "remove_package_group", &[ADMIN, &p, "Team"], &[], Family::Conflict), "not_assigned");
    ok(&mut t, "add_package_group", &[ADMIN, &p, "Team"], &[]);
    ok(&mut t, "create_package", &[ADMIN, "Empty"], &[]);
}

#[test]
fn r15_4_policy_options_are_validated_in_signature_order() {
    let mut t = tenant();
    let p = sales(&mut t);
    let bad = |t: &mut T, kw: &[(&str, Arg)]| code(t, "create_policy", &[ADMIN, &p, "P"], kw, Family::InvalidArgument);
    assert_eq!(bad(&mut t, &[("requestors", s("some"))]), "invalid_policy");
    assert_eq!(bad(&mut t, &[("requestors", l(&[]))]), "invalid_policy");
    assert_eq!(bad(&mut t, &[("stages", stages(&[map(&[("timeout_days", int(3))])]))]), "invalid_policy");
    let four = map(&[("approvers", l(&[DAVE]))]);
    assert_eq!(
        bad(&mut t, &[("stages", stages(&[four.clone(), four.clone(), four.clone(), four.clone()]))]),
        "invalid_policy"
    );
    assert_eq!(
        bad(&mut t, &[("stages", stages(&[map(&[("approvers", l(&[DAVE])), ("timeout_days", int(15))])]))]),
        "invalid_policy"
    );
    assert_eq!(
        bad(&mut t, &[("stages", stages(&[map(&[("approvers", l(&[DAVE])), ("timeout_days", int(0))])]))]),
        "invalid_policy"
    );
    let mgr = map(&[("manager", b(true))]);
    assert_eq!(bad(&mut t, &[("stages", stages(&[mgr.clone(), mgr]))]), "invalid_policy");
    assert_eq!(bad(&mut t, &[("expires", int(3661))]), "invalid_policy");
    assert_eq!(bad(&mut t, &[("expires", int(-1))]), "invalid_policy");
    assert_eq!(bad(&mut t, &[("expires", s("2016-06-13T00:00:00Z"))]), "invalid_policy");
    assert_eq!(bad(&mut t, &[("expires", s("soon"))]), "invalid_policy");
    // The first in signature order: the name (invalid_name), then requestors before expires.
    assert_eq!(
        code(&mut t, "create_policy", &[ADMIN, &p, ""], &[("requestors", s("x"))], Family::InvalidArgument),
        "invalid_name"
    );
    let e =
        t.t.execute(
            ssgm::call::build(
                "create_policy",
                &[s(ADMIN), s(&p), s("P")],
                &[("requestors".into(), s("x")), ("expires".into(), int(9999))],
            )
            .unwrap(),
        )
        .unwrap_err();
    assert!(e.message().contains("requestors"), "{}", e.message());
    // Step 1 (references) before step 2; step 2 before step 3 and step 5.
    assert_eq!(
        code(
            &mut t,
            "create_policy",
            &[ADMIN, &p, "P"],
            &[("requestors", s("x")), ("stages", stages(&[map(&[("approvers", l(&["ghost@x.com"]))])]))],
            Family::NotFound
        ),
        "user_not_found"
    );
    assert_eq!(
        code(&mut t, "create_policy", &[BOB, &p, "P"], &[("expires", int(-5))], Family::InvalidArgument),
        "invalid_policy"
    );
    // Wrong types and unknown stage keys are type errors, not commands.
    let before = t.t.history().len();
    for kw in [
        vec![("stages".to_string(), stages(&[map(&[("approvers", l(&[DAVE])), ("timeout_days", b(true))])]))],
        vec![("stages".to_string(), stages(&[map(&[("approvers", l(&[DAVE])), ("colour", s("red"))])]))],
        vec![("expires".to_string(), b(true))],
        vec![("justification_required".to_string(), int(1))],
    ] {
        assert!(
            matches!(ssgm::call::build("create_policy", &[s(ADMIN), s(&p), s("P")], &kw), Err(ssgm::Error::Type(_))),
            "{kw:?}"
        );
    }
    assert_eq!(t.t.history().len(), before);
    // Valid: an instant later than now, days 0, a list of requestors (repeats merge).
    ok(&mut t, "create_policy", &[ADMIN, &p, "Later"], &[("expires", s("2017-01-01T00:00:00Z"))]);
    let x = ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "List"],
        &[("requestors", l(&[BOB, "Finance", BOB])), ("expires", int(0))],
    );
    assert_eq!(code(&mut t, "create_policy", &[ADMIN, &p, "list"], &[], Family::Conflict), "duplicate_name");
    let e = t.last_audit();
    assert_eq!(e.activity, "Create access package assignment policy");
    assert_eq!(e.targets, vec![p.clone(), "list".to_string()]);
    let x_ix = t.t.find_policy(&x, None).unwrap();
    match &t.t.package_data().policies[x_ix as usize].requestors {
        ssgm::packages::Requestors::List(l) => assert_eq!(l.len(), 2),
        other => panic!("{other:?}"),
    }
    // The policy is found by name when its package is named.
    assert_eq!(t.t.find_policy("LIST", Some(t.t.find_package(&p).unwrap())).unwrap(), x_ix);
    assert_eq!(t.t.find_policy("List", None).unwrap_err().code(), Some(Code::PolicyNotFound));
}

#[test]
fn r15_4_r15_19_created_policy_stands_where_its_name_was_and_update_keeps_what_is_none() {
    let mut t = tenant();
    let p = sales(&mut t);
    let x = ok(&mut t, "create_policy", &[ADMIN, &p, "P"], &[("requestors", s("all"))]);
    assert_eq!(t.last_audit().targets, vec![p.clone(), x.clone()]);
    ok(&mut t, "update_policy", &[ADMIN, &x], &[("justification_required", b(false))]);
    let pol = &t.t.package_data().policies[t.t.find_policy(&x, None).unwrap() as usize];
    assert_eq!(pol.requestors, ssgm::packages::Requestors::All);
    assert!(!pol.justification_required);
    assert_eq!(t.last_audit().activity, "Update access package assignment policy");
}

#[test]
fn r15_6_list_policies_take_priority_over_all() {
    let mut t = tenant();
    let p = sales(&mut t);
    let all = ok(&mut t, "create_policy", &[ADMIN, &p, "All"], &[("requestors", s("all"))]);
    let fin = ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "Finance"],
        &[("requestors", l(&["Finance"])), ("stages", stages(&[map(&[("approvers", l(&[DAVE]))])]))],
    );
    t.ok("add_member", &[ADMIN, "Finance", CAROL]);
    // Carol is covered by the list policy: "All" does not offer itself to her.
    let q = ok(&mut t, "request_package", &[CAROL, &p, "work"], &[]);
    assert_eq!(t.t.package_data().policies[req(&t, &q).policy as usize].id, fin);
    assert_eq!(
        code(&mut t, "request_package", &[CAROL, &p, "work"], &[("policy", s("All"))], Family::PermissionDenied),
        "not_in_policy_scope"
    );
    assert_eq!(
        code(&mut t, "request_package", &[CAROL, &p, "work"], &[("policy", s("nope"))], Family::NotFound),
        "policy_not_found"
    );
    // Bob is not in the list: "All" offers itself to him, delivered at once (no stage).
    let r = ok(&mut t, "request_package", &[BOB, &p, "work"], &[]);
    assert_eq!(t.t.package_data().policies[req(&t, &r).policy as usize].id, all);
    assert_eq!(req(&t, &r).status.as_str(), "delivered");
    assert_eq!(req(&t, &r).stage, 0);
    assert_eq!(req(&t, &r).decided_at, Some(req(&t, &r).created_at));
    assert_eq!(req(&t, &r).decided_by, None);
    let e = t.last_audit();
    assert_eq!(e.activity, "User requests access package assignment");
    let a = t.t.package_data().assignments[req(&t, &r).assignment.unwrap() as usize].id.clone();
    assert_eq!(e.targets, vec![p.clone(), r.clone(), a]);
    // A policy of another package is not found.
    let other = ok(&mut t, "create_package", &[ADMIN, "Other"], &[]);
    assert_eq!(
        code(&mut t, "request_package", &[DAVE, &other, "x"], &[("policy", s(&all))], Family::NotFound),
        "policy_not_found"
    );
    assert_eq!(
        code(&mut t, "request_package", &[DAVE, &other, "x"], &[], Family::PermissionDenied),
        "not_in_policy_scope"
    );
}

#[test]
fn r15_7_request_refusals_in_their_steps() {
    let mut t = tenant();
    let p = sales(&mut t);
    ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "All"],
        &[("requestors", s("all")), ("stages", stages(&[map(&[("approvers", l(&[DAVE]))])]))],
    );
    assert_eq!(code(&mut t, "request_package", &[BOB, "Nope"], &[], Family::NotFound), "package_not_found");
    assert_eq!(code(&mut t, "request_package", &[BOB, &p], &[], Family::InvalidArgument), "justification_required");
    assert_eq!(
        code(&mut t, "request_package", &[BOB, &p, "   "], &[], Family::InvalidArgument),
        "justification_required"
    );
    let q = ok(&mut t, "request_package", &[BOB, &p, "work"], &[]);
    assert_eq!(req(&t, &q).stage, 1);
    assert_eq!(req(&t, &q).stage_due_at, Some(EPOCH_START + 14 * DAY));
    assert_eq!(code(&mut t, "request_package", &[BOB, &p, "again"], &[], Family::Conflict), "request_pending");
    ok(&mut t, "approve_package_request", &[DAVE, &q, "fine"], &[]);
    assert_eq!(code(&mut t, "request_package", &[BOB, &p, "again"], &[], Family::Conflict), "already_assigned");
    // a disabled user performs no §15 command.
    t.enable(CAROL, false);
    assert_eq!(code(&mut t, "request_package", &[CAROL, &p, "x"], &[], Family::PermissionDenied), "actor_disabled");
    // §2's settings bind nothing: self-service is off in this tenant.
    assert!(!t.t.settings().delegated_group_management);
}

#[test]
fn r15_8_r15_9_deciders_manager_then_named_approver_with_fallback() {
    let mut t = tenant();
    let p = sales(&mut t);
    let x = two_stage(&mut t, &p);
    let q = ok(&mut t, "request_package", &[CAROL, &p, "quarter close"], &[]);
    let qi = t.t.find_package_request(&q).unwrap();
    assert_eq!(t.t.package_request_deciders(qi), vec![t.uix(BOB)]);
    // the requester, others, admins included.
    assert_eq!(
        code(&mut t, "approve_package_request", &[CAROL, &q, "me"], &[], Family::PermissionDenied),
        "self_approval"
    );
    assert_eq!(
        code(&mut t, "approve_package_request", &[ADMIN, &q, "ok"], &[], Family::PermissionDenied),
        "not_approver"
    );
    assert_eq!(
        code(&mut t, "approve_package_request", &[DAVE, &q, "ok"], &[], Family::PermissionDenied),
        "not_approver"
    );
    assert_eq!(
        code(&mut t, "approve_package_request", &[BOB, &q], &[], Family::InvalidArgument),
        "justification_required"
    );
    ok(&mut t, "approve_package_request", &[BOB, &q, "ok"], &[]);
    let e = t.last_audit();
    assert_eq!(e.activity, "Approval stage completed for access package assignment request");
    assert_eq!(e.targets, vec![q.clone()]);
    assert_eq!(req(&t, &q).stage, 2);
    assert_eq!(t.t.package_request_deciders(qi), vec![t.uix(DAVE)]);
    // Having decided stage 1 bars no one; bob is simply not a stage-2 decider.
    assert_eq!(
        code(&mut t, "approve_package_request", &[BOB, &q, "ok"], &[], Family::PermissionDenied),
        "not_approver"
    );
    ok(&mut t, "approve_package_request", &[DAVE, &q, "ok too"], &[]);
    let e = t.last_audit();
    assert_eq!(e.activity, "Approve access package assignment request");
    let r = req(&t, &q);
    assert_eq!(r.status.as_str(), "delivered");
    assert_eq!(r.decided_by, Some(t.uix(DAVE)));
    assert_eq!(
        r.decisions.iter().map(|d| (d.stage, d.outcome())).collect::<Vec<_>>(),
        vec![(1, "approved"), (2, "approved")]
    );
    let a = t.t.package_data().assignments[r.assignment.unwrap() as usize].id.clone();
    assert_eq!(e.targets, vec![q.clone(), a.clone()]);
    assert_eq!(asg(&t, &a).expires_at, Some(EPOCH_START + 90 * DAY));
    assert_eq!(members(&t, "Sales"), vec![uid(&t, CAROL)]);
    assert_eq!(
        code(&mut t, "approve_package_request", &[DAVE, &q, "again"], &[], Family::Conflict),
        "request_not_pending"
    );
    // Without a manager (dave has none), the manager stage falls back.
    ok(
        &mut t,
        "update_policy",
        &[ADMIN, &x],
        &[("stages", stages(&[map(&[("manager", b(true)), ("fallback_approvers", l(&[ERIN]))])]))],
    );
    let q2 = ok(&mut t, "request_package", &[DAVE, &p, "x"], &[]);
    let q2i = t.t.find_package_request(&q2).unwrap();
    assert_eq!(t.t.package_request_deciders(q2i), vec![t.uix(ERIN)]);
    // A disabled manager counts as none; the fallback decides.
    ok(&mut t, "set_manager", &[DAVE, BOB], &[]);
    assert_eq!(t.last_audit().activity, "Set user manager");
    assert_eq!(t.t.package_request_deciders(q2i), vec![t.uix(BOB)]);
    t.enable(BOB, false);
    assert_eq!(t.t.package_request_deciders(q2i), vec![t.uix(ERIN)]);
    ok(&mut t, "deny_package_request", &[ERIN, &q2, "no"], &[]);
    assert_eq!(t.last_audit().activity, "Deny access package assignment request");
    assert_eq!(req(&t, &q2).status.as_str(), "denied");
    // oneself is a cycle; None clears.
    assert_eq!(code(&mut t, "set_manager", &[DAVE, DAVE], &[], Family::Conflict), "cycle");
    t.t.execute(Command::SetManager { user: DAVE.into(), manager: None }).unwrap();
    assert_eq!(t.t.users()[t.uix(DAVE) as usize].manager, None);
}

#[test]
fn r15_5_a_pending_request_keeps_its_policys_stages_and_expiry() {
    let mut t = tenant();
    let p = sales(&mut t);
    let x = two_stage(&mut t, &p);
    let q = ok(&mut t, "request_package", &[CAROL, &p, "x"], &[]);
    ok(&mut t, "update_policy", &[ADMIN, &x], &[("stages", stages(&[])), ("expires", s("never"))]);
    assert_eq!(req(&t, &q).stages.len(), 2);
    ok(&mut t, "approve_package_request", &[BOB, &q, "ok"], &[]);
    assert_eq!(req(&t, &q).status.as_str(), "pending", "the kept second stage still opens");
    ok(&mut t, "approve_package_request", &[DAVE, &q, "ok"], &[]);
    let a = req(&t, &q).assignment.unwrap();
    assert_eq!(t.t.package_data().assignments[a as usize].expires_at, Some(EPOCH_START + 90 * DAY));
    // delete_policy: in_use while an active assignment was made under it.
    assert_eq!(code(&mut t, "delete_policy", &[ADMIN, &x], &[], Family::Conflict), "in_use");
    assert_eq!(code(&mut t, "delete_package", &[ADMIN, &p], &[], Family::Conflict), "in_use");
}

#[test]
fn r15_10_stage_timeouts_one_after_the_other() {
    let mut t = tenant();
    let p = sales(&mut t);
    two_stage(&mut t, &p);
    let q = ok(&mut t, "request_package", &[CAROL, &p, "x"], &[]);
    t.advance_days(3);
    ok(&mut t, "approve_package_request", &[BOB, &q, "ok"], &[]);
    // Each stage counts its own 7 days: due at day 10, not 7.
    assert_eq!(req(&t, &q).stage_due_at, Some(EPOCH_START + 10 * DAY));
    t.advance_days(6);
    assert_eq!(req(&t, &q).status.as_str(), "pending");
    t.advance_days(1);
    let r = req(&t, &q);
    assert_eq!(r.status.as_str(), "denied");
    assert_eq!(r.reason, "timed_out");
    assert_eq!(r.decided_by, None);
    assert_eq!(r.decided_at, Some(EPOCH_START + 10 * DAY));
    assert_eq!(r.stage, 2);
    let e = t.last_audit();
    assert_eq!(e.activity, "Access package assignment request timed out (no approver action taken)");
    assert_eq!((e.actor.as_str(), e.targets.clone()), ("system", vec![q.clone()]));
    assert_eq!(format_time(e.time), format_time(EPOCH_START + 10 * DAY));
    // Cancel: the requester or an admin, pending only.
    let q2 = ok(&mut t, "request_package", &[CAROL, &p, "again"], &[]);
    assert_eq!(code(&mut t, "cancel_package_request", &[DAVE, &q2], &[], Family::PermissionDenied), "not_requester");
    ok(&mut t, "cancel_package_request", &[GA, &q2], &[]);
    assert_eq!(t.last_audit().activity, "Cancel access package assignment request");
    assert_eq!(req(&t, &q2).status.as_str(), "cancelled");
    assert_eq!(code(&mut t, "cancel_package_request", &[CAROL, &q2], &[], Family::Conflict), "request_not_pending");
    let before = t.t.audit_log().len();
    t.advance_days(30);
    assert_eq!(t.t.audit_log().len(), before, "a cancelled request's timeout was unscheduled");
}

#[test]
fn r15_11_delivery_keeps_existing_memberships_and_r15_12_expiry_keeps_shared_groups() {
    let mut t = tenant();
    let p = sales(&mut t);
    ok(&mut t, "create_policy", &[ADMIN, &p, "Direct"], &[("expires", int(30))]);
    let other = ok(&mut t, "create_package", &[ADMIN, "CRM only"], &[("groups", l(&["CRM"]))]);
    ok(&mut t, "create_policy", &[ADMIN, &other, "Direct"], &[]);
    t.ok("add_member", &[ADMIN, "CRM", BOB]);
    let a = ok(&mut t, "assign_package", &[ADMIN, &p, BOB, "Direct"], &[]);
    assert_eq!(t.last_audit().activity, "Administrator directly assigns user to access package");
    let seq = t.last_audit().seq;
    assert_eq!(members(&t, "CRM"), vec![uid(&t, BOB)], "no second membership");
    assert_eq!(members(&t, "Sales"), vec![uid(&t, BOB)]);
    assert!(t.has(BOB, "Salesforce"));
    let prov = t.t.provisioning_log().last().cloned().unwrap();
    assert_eq!((prov.cause, prov.change), (seq, ssgm::Change::Provisioned));
    let b2 = ok(&mut t, "assign_package", &[ADMIN, &other, BOB, "Direct"], &[]);
    assert_eq!(asg(&t, &b2).expires_at, None);
    t.advance_days(30);
    assert_eq!(asg(&t, &a).state.as_str(), "expired");
    assert_eq!(asg(&t, &a).ended_at, Some(EPOCH_START + 30 * DAY));
    let e = t.last_audit();
    assert_eq!((e.activity, e.targets.clone()), ("Remove access package assignment", vec![a.clone()]));
    // Salesforce goes with Sales; CRM stays (the other package gives it), held since before.
    assert!(members(&t, "Sales").is_empty());
    assert_eq!(members(&t, "CRM"), vec![uid(&t, BOB)]);
    assert!(!t.has(BOB, "Salesforce"));
    let prov = t.t.provisioning_log().last().cloned().unwrap();
    assert_eq!((prov.cause, prov.change), (e.seq, ssgm::Change::Deprovisioned));
    // remove_assignment: its user or an admin, once; the membership held since before goes too.
    assert_eq!(code(&mut t, "remove_assignment", &[CAROL, &b2], &[], Family::PermissionDenied), "not_requester");
    ok(&mut t, "remove_assignment", &[BOB, &b2], &[]);
    assert_eq!(t.last_audit().activity, "User requests to remove access package assignment");
    assert!(members(&t, "CRM").is_empty());
    assert_eq!(code(&mut t, "remove_assignment", &[ADMIN, &b2], &[], Family::Conflict), "assignment_not_active");
    assert_eq!(t.last_audit().activity, "Administrator directly removes user access package assignment");
    assert_eq!(code(&mut t, "remove_assignment", &[ADMIN, "pa-99"], &[], Family::NotFound), "assignment_not_found");
}

#[test]
fn r15_13_direct_assignment_rules() {
    let mut t = tenant();
    let p = sales(&mut t);
    let none = ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "Admins"],
        &[("stages", stages(&[map(&[("approvers", l(&[DAVE]))])]))],
    );
    ok(&mut t, "create_policy", &[ADMIN, &p, "Finance"], &[("requestors", l(&["Finance"]))]);
    ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "Staged"],
        &[("requestors", s("all")), ("stages", stages(&[map(&[("approvers", l(&[DAVE]))])]))],
    );
    assert_eq!(code(&mut t, "assign_package", &[BOB, &p, CAROL, &none], &[], Family::PermissionDenied), "not_admin");
    assert_eq!(
        code(&mut t, "assign_package", &[ADMIN, &p, CAROL, "Finance"], &[], Family::PermissionDenied),
        "not_in_policy_scope"
    );
    assert_eq!(
        code(&mut t, "assign_package", &[ADMIN, &p, CAROL, "Staged"], &[], Family::PermissionDenied),
        "approval_required"
    );
    // A "none" policy takes any user whatever its stages; disabled users qualify.
    t.enable(CAROL, false);
    let a = ok(&mut t, "assign_package", &[ADMIN, &p, CAROL, &none], &[]);
    assert_eq!(
        t.last_audit().targets,
        vec![t.t.package_data().packages[0].id.clone(), uid(&t, CAROL), none.clone(), a.clone()]
    );
    assert_eq!(code(&mut t, "assign_package", &[ADMIN, &p, CAROL, &none], &[], Family::Conflict), "already_assigned");
    let q = ok(&mut t, "request_package", &[BOB, &p, "x"], &[]);
    assert!(!q.is_empty());
    assert_eq!(code(&mut t, "assign_package", &[ADMIN, &p, BOB, &none], &[], Family::Conflict), "request_pending");
}

#[test]
fn r15_14_separation_of_duties_is_one_way_and_checked_at_request_and_assignment() {
    let mut t = tenant();
    let p = sales(&mut t);
    let f = ok(&mut t, "create_package", &[ADMIN, "Finance kit"], &[("groups", l(&["Finance"]))]);
    ok(&mut t, "create_policy", &[ADMIN, &p, "All"], &[("requestors", s("all")), ("justification_required", b(false))]);
    ok(&mut t, "create_policy", &[ADMIN, &f, "All"], &[("requestors", s("all")), ("justification_required", b(false))]);
    ok(&mut t, "add_incompatible", &[ADMIN, &p, &f], &[]);
    assert_eq!(t.last_audit().activity, "Create incompatible access package");
    assert_eq!(
        code(&mut t, "add_incompatible", &[ADMIN, &p, "Finance kit"], &[], Family::Conflict),
        "already_incompatible"
    );
    assert_eq!(code(&mut t, "add_incompatible", &[ADMIN, &p, &p], &[], Family::Conflict), "cycle");
    assert_eq!(code(&mut t, "add_incompatible", &[ADMIN, &p, "ghost"], &[], Family::NotFound), "package_not_found");
    assert_eq!(t.last_audit().activity, "Create incompatible access package");
    assert_eq!(code(&mut t, "remove_incompatible", &[ADMIN, &f, &p], &[], Family::Conflict), "not_incompatible");
    ok(&mut t, "add_incompatible", &[ADMIN, &p, "Team"], &[]);
    assert_eq!(t.last_audit().activity, "Create incompatible group");
    // Bob holds Finance kit: Sales tools is refused; the other direction is not.
    ok(&mut t, "request_package", &[BOB, &f], &[]);
    assert_eq!(code(&mut t, "request_package", &[BOB, &p], &[], Family::PermissionDenied), "incompatible_access");
    ok(&mut t, "request_package", &[CAROL, &p], &[]);
    ok(&mut t, "request_package", &[CAROL, &f], &[]);
    // Carol now holds both: incompatible_assignments lists her Sales tools assignment.
    let inc = t.t.incompatible_assignments(None);
    assert_eq!(inc.len(), 1);
    assert_eq!(t.t.package_data().assignments[inc[0] as usize].user, t.uix(CAROL));
    // Direct membership of an incompatible group counts too.
    t.ok("add_member", &[ADMIN, "Team", DAVE]);
    assert_eq!(code(&mut t, "request_package", &[DAVE, &p], &[], Family::PermissionDenied), "incompatible_access");
    ok(&mut t, "remove_incompatible", &[ADMIN, &p, "Team"], &[]);
    assert_eq!(t.last_audit().activity, "Delete incompatible group");
    ok(&mut t, "request_package", &[DAVE, &p], &[]);
    // Deleting a package leaves every incompatible list.
    let (a0, a2) = (t.t.package_data().assignments[0].id.clone(), t.t.package_data().assignments[2].id.clone());
    ok(&mut t, "remove_assignment", &[ADMIN, &a0], &[]);
    ok(&mut t, "remove_assignment", &[ADMIN, &a2], &[]);
    ok(&mut t, "delete_package", &[ADMIN, &f], &[]);
    assert_eq!(t.last_audit().activity, "Delete access package");
    assert!(t.t.package_data().packages[0].incompatible_packages.is_empty());
    assert_eq!(code(&mut t, "request_package", &[ERIN, &f], &[], Family::NotFound), "package_not_found");
}

#[test]
fn r15_15_drift_after_remove_member_and_leave_repaired_by_reprocess() {
    let mut t = tenant();
    let p = sales(&mut t);
    ok(&mut t, "create_policy", &[ADMIN, &p, "Direct"], &[]);
    let a = ok(&mut t, "assign_package", &[ADMIN, &p, BOB, "Direct"], &[]);
    assert!(t.t.assignment_drift(None).is_empty());
    t.ok("remove_member", &[ADMIN, "Sales", BOB]);
    t.okk("configure", &[ADMIN], &[("delegated_group_management", b(true))]);
    t.okk("update_group", &[ADMIN, "CRM"], &[("join_policy", s("open"))]);
    t.ok("leave", &[BOB, "CRM"]);
    let drift = t.t.assignment_drift(None);
    assert_eq!(drift.iter().map(|d| d.group).collect::<Vec<_>>(), vec![t.gix("Sales"), t.gix("CRM")]);
    assert_eq!(asg(&t, &a).state.as_str(), "delivered");
    assert_eq!(code(&mut t, "reprocess_assignment", &[BOB, &a], &[], Family::PermissionDenied), "not_admin");
    ok(&mut t, "reprocess_assignment", &[GA, &a], &[]);
    assert_eq!(t.last_audit().activity, "Reprocess access package assignment");
    assert!(t.t.assignment_drift(None).is_empty());
    assert!(t.has(BOB, "Salesforce"));
    let n = t.t.provisioning_log().len();
    ok(&mut t, "reprocess_assignment", &[GA, &a], &[]);
    assert_eq!(t.t.provisioning_log().len(), n, "none missing: no change");
    ok(&mut t, "remove_assignment", &[GA, &a], &[]);
    assert_eq!(code(&mut t, "reprocess_assignment", &[GA, &a], &[], Family::Conflict), "assignment_not_active");
}

#[test]
fn r15_3_adding_and_removing_a_package_group_reaches_active_assignments() {
    let mut t = tenant();
    let p = sales(&mut t);
    ok(&mut t, "create_policy", &[ADMIN, &p, "Direct"], &[]);
    ok(&mut t, "assign_package", &[ADMIN, &p, BOB, "Direct"], &[]);
    ok(&mut t, "assign_package", &[ADMIN, &p, CAROL, "Direct"], &[]);
    ok(&mut t, "add_package_group", &[ADMIN, &p, "Finance"], &[]);
    assert_eq!(members(&t, "Finance"), vec![uid(&t, BOB), uid(&t, CAROL)]);
    ok(&mut t, "remove_package_group", &[ADMIN, &p, "Sales"], &[]);
    assert!(members(&t, "Sales").is_empty());
    assert!(!t.has(BOB, "Salesforce"));
}

#[test]
fn r15_17_group_deletion_soft_delete_and_restore() {
    let mut t = tenant();
    let p = ok(&mut t, "create_package", &[ADMIN, "Teams"], &[("groups", l(&["Team", "Sales"]))]);
    let x = ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "P"],
        &[("requestors", l(&["Team", BOB])), ("stages", stages(&[map(&[("approvers", l(&["Team", DAVE]))])]))],
    );
    ok(&mut t, "add_incompatible", &[ADMIN, &p, "Finance"], &[]);
    t.ok("add_member", &[ADMIN, "Team", CAROL]);
    let direct = ok(&mut t, "create_policy", &[ADMIN, &p, "Direct"], &[]);
    ok(&mut t, "assign_package", &[ADMIN, &p, CAROL, &direct], &[]);
    let _ = x;
    let team = t.t.group(t.gix("Team")).unwrap().id.clone();
    assert!(members(&t, "Team").contains(&uid(&t, CAROL)));
    // Soft delete (Microsoft 365): out of the package, policy lists; the assignment stays.
    t.ok("delete_group", &[ADMIN, &team]);
    let pkg = t.t.package_data().packages[0].clone();
    assert_eq!(pkg.groups, vec![t.gix("Sales")]);
    let pol = t.t.package_data().policies[0].clone();
    assert_eq!(pol.stages[0].approvers.len(), 1);
    assert_eq!(t.t.package_data().assignments[0].state.as_str(), "delivered");
    assert!(t.t.assignment_drift(None).is_empty());
    // Restore: back into the lists, then delivered (carol lost nothing: kept membership).
    t.ok("remove_member", &[ADMIN, "Sales", CAROL]);
    t.ok("restore_group", &[ADMIN, &team]);
    let pkg = t.t.package_data().packages[0].clone();
    assert!(pkg.groups.contains(&t.gix("Team")));
    assert_eq!(t.t.package_data().policies[0].stages[0].approvers.len(), 2);
    match &t.t.package_data().policies[0].requestors {
        ssgm::packages::Requestors::List(l) => assert_eq!(l.len(), 2),
        other => panic!("{other:?}"),
    }
    assert!(members(&t, "Team").contains(&uid(&t, CAROL)));
    // Permanent deletion of a security group: removed from groups and incompatible groups.
    t.ok("delete_group", &[ADMIN, "Finance"]);
    assert!(t.t.package_data().packages[0].incompatible_groups.is_empty());
    t.ok("delete_group", &[ADMIN, "Sales"]);
    assert_eq!(t.t.package_data().packages[0].groups, vec![t.gix("Team")]);
}

#[test]
fn r15_20_r8_7_events_of_one_instant_fire_in_creation_order_after_section_13() {
    let mut t = tenant();
    t.okk("configure", &[ADMIN], &[("expiration_scope", s("all")), ("expiration_lifetime_days", int(30))]);
    let p = sales(&mut t);
    ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "All"],
        &[("requestors", s("all")), ("expires", int(14)), ("justification_required", b(false))],
    );
    let staged = ok(&mut t, "create_package", &[ADMIN, "Staged"], &[]);
    ok(
        &mut t,
        "create_policy",
        &[ADMIN, &staged, "All"],
        &[
            ("requestors", s("all")),
            ("justification_required", b(false)),
            ("stages", stages(&[map(&[("approvers", l(&[DAVE])), ("timeout_days", int(14))])])),
        ],
    );
    t.advance_days(36);
    t.okk("create_group", &[ADMIN, "Later"], &[("kind", s("microsoft365"))]);
    t.advance_days(16);
    // All due at day 66: §13's group expiry first, then the request (made first), then the
    // assignment delivered after it.
    let q = ok(&mut t, "request_package", &[ERIN, &staged], &[]);
    let r = ok(&mut t, "request_package", &[BOB, &p], &[]);
    let a = t.t.package_data().assignments[req(&t, &r).assignment.unwrap() as usize].id.clone();
    let stamp = EPOCH_START + 66 * DAY;
    t.t.execute(Command::SetTime { micros: stamp - DAY }).unwrap();
    let before = t.t.audit_log().len();
    t.t.execute(Command::SetTime { micros: stamp }).unwrap();
    let fired: Vec<(&str, Vec<String>)> =
        t.t.audit_log()[before..].iter().map(|e| (e.activity, e.targets.clone())).collect();
    let later = t.t.all_groups()[t.t.all_groups().len() - 1].id.clone();
    assert_eq!(
        fired,
        vec![
            ("Delete group", vec![later]),
            ("Access package assignment request timed out (no approver action taken)", vec![q.clone()]),
            ("Remove access package assignment", vec![a]),
        ]
    );
    assert!(t.t.audit_log()[before..].iter().all(|e| e.time == stamp));
    assert_eq!(req(&t, &q).status.as_str(), "denied");
}

#[test]
fn r15_21_check_accepts_every_actor_command_and_set_manager_is_seeding() {
    let t = tenant();
    for name in ssgm::command::ACTOR_COMMANDS {
        assert!(ssgm::catalogue::entry(name).is_some_and(|e| e.checkable()), "{name}");
    }
    assert_eq!(t.check("create_package", &[BOB, "X"]), "not_admin");
    assert_eq!(t.check("create_package", &[ADMIN, "X"]), "");
    let err = ssgm::call::build_check(&s(ADMIN), "set_manager", &[s(BOB), s(CAROL)], &[]).unwrap_err();
    assert_eq!(err.code(), Some(Code::UnknownCommand));
    // Every §15 code, with its family.
    for (c, fam) in [
        ("package_not_found", Family::NotFound),
        ("policy_not_found", Family::NotFound),
        ("assignment_not_found", Family::NotFound),
        ("invalid_policy", Family::InvalidArgument),
        ("self_approval", Family::PermissionDenied),
        ("not_approver", Family::PermissionDenied),
        ("not_in_policy_scope", Family::PermissionDenied),
        ("incompatible_access", Family::PermissionDenied),
        ("approval_required", Family::PermissionDenied),
        ("already_incompatible", Family::Conflict),
        ("not_incompatible", Family::Conflict),
        ("assignment_not_active", Family::Conflict),
        ("in_use", Family::Conflict),
    ] {
        assert_eq!(Code::from_name(c).map(|x| x.family()), Some(fam), "{c}");
    }
}

#[test]
fn s9_steps_of_the_section_15_codes() {
    let mut t = tenant();
    let p = sales(&mut t);
    let x = ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "P"],
        &[("requestors", s("all")), ("stages", stages(&[map(&[("approvers", l(&[DAVE]))])]))],
    );
    // Step 1 before step 3 (actor_disabled) and step 5.
    t.enable(ERIN, false);
    assert_eq!(code(&mut t, "assign_package", &[ERIN, "nope", BOB, &x], &[], Family::NotFound), "package_not_found");
    assert_eq!(code(&mut t, "assign_package", &[ERIN, &p, BOB, &x], &[], Family::PermissionDenied), "actor_disabled");
    // Step 5 (not_admin) before step 7 and 8.
    assert_eq!(code(&mut t, "assign_package", &[BOB, &p, BOB, &x], &[], Family::PermissionDenied), "not_admin");
    // Step 7 before step 8: not covered beats incompatible.
    let f = ok(&mut t, "create_package", &[ADMIN, "F"], &[]);
    let fx = ok(
        &mut t,
        "create_policy",
        &[ADMIN, &f, "L"],
        &[("requestors", l(&[CAROL])), ("justification_required", b(false))],
    );
    ok(&mut t, "add_incompatible", &[ADMIN, &f, "Sales"], &[]);
    t.ok("add_member", &[ADMIN, "Sales", DAVE]);
    assert_eq!(
        code(&mut t, "assign_package", &[ADMIN, &f, DAVE, &fx], &[], Family::PermissionDenied),
        "not_in_policy_scope"
    );
    // Step 8: incompatible_access before justification_required; before already_assigned (10).
    t.ok("add_member", &[ADMIN, "Sales", CAROL]);
    assert_eq!(code(&mut t, "request_package", &[CAROL, &f], &[], Family::PermissionDenied), "incompatible_access");
    // Step 5 (self_approval, not_approver) before step 8 (justification) and 10 (not pending).
    let q = ok(&mut t, "request_package", &[BOB, &p, "x"], &[]);
    assert_eq!(code(&mut t, "deny_package_request", &[BOB, &q], &[], Family::PermissionDenied), "self_approval");
    ok(&mut t, "deny_package_request", &[DAVE, &q, "no"], &[]);
    assert_eq!(code(&mut t, "approve_package_request", &[CAROL, &q], &[], Family::PermissionDenied), "not_approver");
    assert_eq!(
        code(&mut t, "approve_package_request", &[DAVE, &q], &[], Family::InvalidArgument),
        "justification_required"
    );
    assert_eq!(code(&mut t, "approve_package_request", &[DAVE, &q, "y"], &[], Family::Conflict), "request_not_pending");
    assert_eq!(
        code(&mut t, "approve_package_request", &[DAVE, "preq-99", "y"], &[], Family::NotFound),
        "request_not_found"
    );
    // A join request's id is no package request.
    assert_eq!(code(&mut t, "delete_policy", &[ADMIN, "pol-99"], &[], Family::NotFound), "policy_not_found");
}

#[test]
fn r15_16_access_panel_lists() {
    let mut t = tenant();
    let p = sales(&mut t);
    two_stage(&mut t, &p);
    let other = ok(&mut t, "create_package", &[ADMIN, "Other"], &[]);
    ok(&mut t, "create_policy", &[ADMIN, &other, "Bob"], &[("requestors", l(&[BOB]))]);
    let carol = t.uix(CAROL);
    let bob = t.uix(BOB);
    assert_eq!(t.t.panel_packages(carol), vec![0]);
    assert_eq!(t.t.panel_packages(bob), vec![0, 1]);
    let q = ok(&mut t, "request_package", &[CAROL, &p, "x"], &[]);
    assert!(t.t.panel_packages(carol).is_empty(), "a pending request");
    let qi = t.t.find_package_request(&q).unwrap();
    assert_eq!(t.t.panel_package_approvals(bob), vec![qi]);
    assert!(t.t.panel_package_approvals(t.uix(DAVE)).is_empty());
    ok(&mut t, "approve_package_request", &[BOB, &q, "ok"], &[]);
    ok(&mut t, "approve_package_request", &[DAVE, &q, "ok"], &[]);
    assert_eq!(t.t.panel_package_assignments(carol).len(), 1);
    let panel = t.t.access_panel(carol);
    assert_eq!(panel.package_assignments.len(), 1);
    assert_eq!(panel.package_requests, vec![qi]);
}

#[test]
fn r8_4_snapshot_fork_and_replay_keep_packages_and_their_events() {
    let mut t = tenant();
    let p = sales(&mut t);
    two_stage(&mut t, &p);
    ok(&mut t, "create_policy", &[ADMIN, &p, "D"], &[("expires", int(5))]);
    let q = ok(&mut t, "request_package", &[CAROL, &p, "x"], &[]);
    ok(&mut t, "assign_package", &[ADMIN, &p, ERIN, "D"], &[]);
    let snap = State::of(&t.t);
    let text = serde_json::to_string(&snap).unwrap();
    let loaded = serde_json::from_str::<State>(&text).unwrap().into_tenant("contoso").unwrap();
    assert_eq!(state(&loaded), state(&t.t));
    let replayed = Tenant::replay(t.t.history().to_vec(), None, "contoso");
    assert_eq!(state(&replayed), state(&t.t));
    let mut a = loaded;
    let mut b = t.t.fork();
    for x in [&mut a, &mut b, &mut t.t] {
        x.execute(Command::Advance { micros: 20 * DAY }).unwrap();
    }
    assert_eq!(state(&a), state(&t.t));
    assert_eq!(state(&b), state(&t.t));
    assert_eq!(req(&t, &q).reason, "timed_out");
    assert!(members(&t, "Sales").is_empty());
}

// ----- random histories (R-8.4, R-15.15) ----------------------------------------------------

const USERS: [&str; 5] = [BOB, CAROL, DAVE, ERIN, ADMIN];

fn package_command(op: u8, a: usize, x: usize, n: u16, t: &Tenant) -> Command {
    let actor = USERS[a % USERS.len()].to_string();
    let user = USERS[x % USERS.len()].to_string();
    let pkg = ["Sales tools", "Finance kit"][x % 2].to_string();
    let group = ["Sales", "CRM", "Finance", "Team"][usize::from(n) % 4].to_string();
    let requests = t.package_data().requests.len();
    let assignments = t.package_data().assignments.len();
    let preq =
        t.package_data().requests.get(usize::from(n) % requests.max(1)).map(|r| r.id.clone()).unwrap_or_default();
    let pa =
        t.package_data().assignments.get(usize::from(n) % assignments.max(1)).map(|r| r.id.clone()).unwrap_or_default();
    match op % 12 {
        0 | 1 => Command::RequestPackage { actor, package: pkg, justification: "why".into(), policy: None },
        2 => Command::ApprovePackageRequest { actor, request: preq, justification: "ok".into() },
        3 => Command::DenyPackageRequest { actor, request: preq, justification: "no".into() },
        4 => Command::CancelPackageRequest { actor, request: preq },
        5 => Command::AssignPackage {
            actor: ADMIN.into(),
            package: pkg,
            user,
            policy: "Direct".into(),
            justification: String::new(),
        },
        6 => Command::RemoveAssignment { actor, assignment: pa },
        7 => Command::RemoveMember { actor: ADMIN.into(), group, member: user },
        8 => Command::ReprocessAssignment { actor: ADMIN.into(), assignment: pa },
        9 => Command::AddPackageGroup { actor: ADMIN.into(), package: pkg, group },
        10 => Command::DeleteGroup { actor: ADMIN.into(), group },
        _ => Command::Advance { micros: i64::from(n % 20) * DAY },
    }
}

fn random_tenant() -> T {
    let mut t = tenant();
    let p = sales(&mut t);
    two_stage(&mut t, &p);
    ok(&mut t, "create_policy", &[ADMIN, &p, "Direct"], &[("expires", int(7))]);
    let f = ok(&mut t, "create_package", &[ADMIN, "Finance kit"], &[("groups", l(&["Finance", "CRM"]))]);
    ok(&mut t, "create_policy", &[ADMIN, &f, "All"], &[("requestors", s("all")), ("expires", int(3))]);
    ok(&mut t, "create_policy", &[ADMIN, &f, "Direct"], &[]);
    ok(&mut t, "add_incompatible", &[ADMIN, &f, &p], &[]);
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// random histories with packages and clock moves replay to the same state and
    /// logs: each active assignment's groups hold its user or appear in the drift.
    #[test]
    fn r8_4_r15_15_random_histories_replay_and_drift_accounts_for_every_group(
        ops in proptest::collection::vec((any::<u8>(), 0usize..5, 0usize..5, any::<u16>()), 1..40)
    ) {
        let mut t = random_tenant();
        let mut states = Vec::new();
        for (op, a, x, n) in ops {
            let cmd = package_command(op, a, x, n, &t.t);
            let _ = t.t.execute(cmd);
            states.push((t.t.history().len(), state(&t.t)));
            let drift = t.t.assignment_drift(None);
            let d = t.t.package_data();
            for (i, asg) in d.assignments.iter().enumerate().filter(|(_, a)| a.state.as_str() == "delivered") {
                for g in &d.packages[asg.package as usize].groups {
                    let member = t.t.users()[asg.user as usize].groups.contains(g);
                    let drifted = drift.iter().any(|x| x.assignment as usize == i && x.group == *g);
                    prop_assert!(member != drifted, "assignment {} group {}", asg.id, g);
                    prop_assert!(t.t.all_groups()[*g as usize].members.contains(&ssgm::model::Principal::User(asg.user)) == member);
                }
            }
        }
        let history = t.t.history().to_vec();
        for (len, expected) in states.iter().skip(states.len().saturating_sub(5)) {
            let replayed = Tenant::replay(history.clone(), Some(*len), "contoso");
            prop_assert_eq!(&state(&replayed), expected);
        }
        let text = serde_json::to_string(&State::of(&t.t)).unwrap();
        let loaded = serde_json::from_str::<State>(&text).unwrap().into_tenant("contoso").unwrap();
        prop_assert_eq!(state(&loaded), state(&t.t));
    }
}

#[test]
fn r12_2_package_routes_self_without_stage_helper_with_one_and_none_with_two() {
    let mut t = tenant();
    let p = sales(&mut t);
    let x = ok(&mut t, "create_policy", &[ADMIN, &p, "All"], &[("requestors", s("all"))]);
    let (u, r) = (t.uix(ERIN), t.rix("Salesforce"));
    let routes = t.t.routes(u, r);
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].kind.as_str(), "package");
    assert!(routes[0].helpers.is_empty());
    assert_eq!(routes[0].steps.len(), 1);
    assert_eq!(routes[0].steps[0].command, "request_package");
    // applying the route's steps to a fork gives access.
    let mut f = t.t.fork();
    f.apply_steps(&routes[0].steps).unwrap();
    assert!(f.has_access_ix(u, r));
    // One stage: helper routes through its deciders.
    ok(&mut t, "update_policy", &[ADMIN, &x], &[("stages", stages(&[map(&[("approvers", l(&[DAVE, BOB]))])]))]);
    let routes = t.t.routes(u, r);
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].helpers, vec![uid(&t, BOB), uid(&t, DAVE)]);
    assert_eq!(
        routes[0].steps.iter().map(|s| s.command.as_str()).collect::<Vec<_>>(),
        vec!["request_package", "approve_package_request"]
    );
    let mut f = t.t.fork();
    f.apply_steps(&routes[0].steps).unwrap();
    assert!(f.has_access_ix(u, r));
    // Two stages: no route in this version.
    ok(
        &mut t,
        "update_policy",
        &[ADMIN, &x],
        &[("stages", stages(&[map(&[("approvers", l(&[DAVE]))]), map(&[("approvers", l(&[BOB]))])]))],
    );
    assert!(t.t.routes(u, r).is_empty());
}

#[test]
fn r15_18_import_directory_users_take_a_manager_and_oneself_is_a_cycle_in_step_11() {
    let mut t = T::new();
    let data =
        |v: serde_json::Value| Command::ImportDirectory { data: Box::new(ssgm::DirectoryData::from_value(v).unwrap()) };
    t.t.execute(data(serde_json::json!({"users": [
        {"upn": "a@c.com", "manager": "b@c.com"},
        {"id": "x-b", "upn": "b@c.com"},
        {"upn": "c@c.com", "manager": "x-b"},
    ]})))
    .unwrap();
    let b = t.uix("b@c.com");
    assert_eq!(t.t.users()[t.uix("a@c.com") as usize].manager, Some(b));
    assert_eq!(t.t.users()[t.uix("c@c.com") as usize].manager, Some(b));
    let e =
        t.t.execute(data(serde_json::json!({"users": [{"id": "me", "upn": "d@c.com", "manager": "me"}]}))).unwrap_err();
    assert_eq!(e.code(), Some(Code::Cycle));
    // Step 1 (an unknown manager) before step 11, and before step 2.
    let e = t.t.execute(data(serde_json::json!({"users": [{"upn": "bad", "manager": "ghost@c.com"}]}))).unwrap_err();
    assert_eq!(e.code(), Some(Code::UserNotFound));
    // A wrong type is a type error.
    assert!(ssgm::DirectoryData::from_value(serde_json::json!({"users": [{"upn": "e@c.com", "manager": 5}]})).is_err());
}

#[test]
fn r12_5_diff_lists_section_15_objects_added_and_removed() {
    let mut t = tenant();
    let p = sales(&mut t);
    let before = t.t.fork();
    let x = ok(&mut t, "create_policy", &[ADMIN, &p, "All"], &[("requestors", s("all"))]);
    let q = ok(&mut t, "request_package", &[BOB, &p, "x"], &[]);
    let a = t.t.package_data().assignments[0].id.clone();
    let d = ssgm::analysis::diff(&before, &t.t);
    assert_eq!(d.objects.added, vec![x.clone(), q, a]);
    assert!(d.objects.removed.is_empty());
    let d = ssgm::analysis::diff(&t.t, &before);
    assert_eq!(d.objects.removed.len(), 3);
    assert!(ssgm::analysis::diff(&t.t, &t.t).objects.added.is_empty());
}

#[test]
fn r15_8_fallback_when_primaries_are_disabled_absent_or_only_the_requester() {
    let mut t = tenant();
    let p = sales(&mut t);
    let x = ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "All"],
        &[
            ("requestors", s("all")),
            ("stages", stages(&[map(&[("approvers", l(&[CAROL, "Finance"])), ("fallback_approvers", l(&[ERIN]))])])),
        ],
    );
    // Carol is the only primary: her own request falls back to erin.
    let q = ok(&mut t, "request_package", &[CAROL, &p, "x"], &[]);
    let qi = t.t.find_package_request(&q).unwrap();
    assert_eq!(t.t.package_request_deciders(qi), vec![t.uix(ERIN)]);
    assert_eq!(
        code(&mut t, "approve_package_request", &[DAVE, &q, "y"], &[], Family::PermissionDenied),
        "not_approver"
    );
    // A direct member of an approver group is a primary: the fallback no longer decides.
    t.ok("add_member", &[ADMIN, "Finance", DAVE]);
    assert_eq!(t.t.package_request_deciders(qi), vec![t.uix(DAVE)]);
    assert_eq!(
        code(&mut t, "approve_package_request", &[ERIN, &q, "y"], &[], Family::PermissionDenied),
        "not_approver"
    );
    // Disabled primaries count as none.
    t.enable(DAVE, false);
    assert_eq!(t.t.package_request_deciders(qi), vec![t.uix(ERIN)]);
    ok(&mut t, "approve_package_request", &[ERIN, &q, "y"], &[]);
    assert_eq!(req(&t, &q).status.as_str(), "delivered");
    let _ = x;
}

#[test]
fn r8_4_section_15_commands_round_trip_through_the_history_as_json() {
    let mut t = tenant();
    let p = sales(&mut t);
    two_stage(&mut t, &p);
    ok(
        &mut t,
        "create_policy",
        &[ADMIN, &p, "Later"],
        &[("expires", s("2017-01-01T00:00:00Z")), ("requestors", l(&[BOB, "Finance"]))],
    );
    ok(&mut t, "request_package", &[CAROL, &p, "x"], &[("policy", s("Employees"))]);
    ok(&mut t, "set_manager", &[DAVE, BOB], &[]);
    let _ = run(
        &mut t,
        "update_policy",
        &[ADMIN, "pol-1"],
        &[("justification_required", b(false)), ("expires", s("never"))],
    );
    t.advance_days(20);
    let events: Vec<Command> = t.t.history().iter().map(|c| Command::from_value(c.to_value()).unwrap()).collect();
    assert_eq!(events, t.t.history().to_vec());
    let replayed = Tenant::replay(events, None, "contoso");
    assert_eq!(state(&replayed), state(&t.t));
}

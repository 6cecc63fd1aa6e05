//! SPEC §7: resources and effective access, provisioning, explanations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;

const A: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";
const CAROL: &str = "carol@contoso.com";

/// Outer (security) contains Inner (security) contains carol; bob in Outer directly.
fn nested() -> T {
    let mut t = T::with_admin(&[]);
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    t.okk("create_group", &[A, "Inner"], &[("members", l(&[CAROL]))]);
    t.okk("create_group", &[A, "Outer"], &[("members", l(&[BOB, "Inner"]))]);
    t.ok("create_resource", &[A, "App"]);
    t.okk("create_resource", &[A, "Site"], &[("kind", s("site"))]);
    t
}

#[test]
fn r7_1_resources_are_for_resource_admins() {
    let mut t = T::with_admin(&[]);
    t.user(BOB, &[]);
    t.user("aa@contoso.com", &["application_admin"]);
    assert_eq!(t.code("create_resource", &[BOB, "App"]), "not_admin");
    assert_eq!(t.codek("create_resource", &[A, "App"], &[("kind", s("database"))]), "invalid_kind");
    t.okk("create_resource", &["aa@contoso.com", "App"], &[("owners", l(&[BOB, BOB]))]);
    assert_eq!(t.t.resource(t.rix("App")).unwrap().owners.len(), 1);
    assert_eq!(t.code("add_resource_owner", &[BOB, "App", A]), "not_admin");
    assert_eq!(t.code("add_resource_owner", &[A, "App", BOB]), "already_owner");
    t.ok("remove_resource_owner", &[A, "App", BOB]);
    assert_eq!(t.code("remove_resource_owner", &[A, "App", BOB]), "not_an_owner");
    t.ok("add_resource_owner", &[A, "App", BOB]);
    assert_eq!(t.last_audit().activity, "Add owner to resource");
}

#[test]
fn r7_2_assignment() {
    let mut t = nested();
    t.user("owner@contoso.com", &[]);
    t.ok("add_resource_owner", &[A, "App", "owner@contoso.com"]);
    let dl = t.okk("create_group", &[A, "DL"], &[("kind", s("distribution"))]);
    assert_eq!(t.code("assign", &[BOB, "App", "Outer"]), "not_resource_owner");
    t.ok("assign", &["owner@contoso.com", "App", "Outer"]);
    assert_eq!(t.last_audit().activity, "Add app role assignment to group");
    assert_eq!(t.code("assign", &[A, "App", "Outer"]), "already_assigned");
    assert_eq!(t.code("assign", &[A, "App", &dl]), "not_security_principal");
    t.ok("assign", &[A, "App", BOB]);
    assert_eq!(t.last_audit().activity, "Add app role assignment grant to user");
    t.ok("unassign", &[A, "App", BOB]);
    assert_eq!(t.last_audit().activity, "Remove app role assignment from user");
    assert_eq!(t.code("unassign", &[A, "App", BOB]), "not_assigned");
    // an unresolved principal is logged as a user's when it contains @.
    assert_eq!(t.code("assign", &[A, "App", "ghost@contoso.com"]), "user_not_found");
    assert_eq!(t.last_audit().activity, "Add app role assignment grant to user");
    assert_eq!(t.last_audit().targets[1], "ghost@contoso.com");
    assert_eq!(t.code("unassign", &[A, "App", "Ghosts"]), "group_not_found");
    assert_eq!(t.last_audit().activity, "Remove app role assignment from group");
}

#[test]
fn r7_3_r7_4_applications_reach_direct_members_sites_nest() {
    let mut t = nested();
    t.ok("assign", &[A, "App", "Outer"]);
    t.ok("assign", &[A, "Site", "Outer"]);
    assert!(t.has(BOB, "App") && !t.has(CAROL, "App"));
    assert!(t.has(BOB, "Site") && t.has(CAROL, "Site"));
    assert_eq!(t.who("App"), [BOB]);
    assert_eq!(t.who("Site"), [BOB, CAROL]);
    assert_eq!(
        t.t.access_of(t.uix(CAROL)).into_iter().map(|r| t.t.resource(r).unwrap().name.clone()).collect::<Vec<_>>(),
        ["Site"]
    );
}

#[test]
fn r7_5_blocks_override_grants() {
    let mut t = nested();
    t.ok("assign", &[A, "App", BOB]);
    t.ok("assign", &[A, "App", "Outer"]);
    t.ok("block", &[A, "App", BOB]);
    assert!(!t.has(BOB, "App"));
    assert_eq!(t.code("block", &[A, "App", BOB]), "already_blocked");
    assert_eq!(t.code("block", &[CAROL, "App", BOB]), "not_resource_owner");
    t.ok("unblock", &[A, "App", BOB]);
    assert!(t.has(BOB, "App"));
    assert_eq!(t.code("unblock", &[A, "App", BOB]), "not_blocked");
    // A block of a user without access changes no access.
    let before = t.t.provisioning_log().len();
    t.ok("block", &[A, "App", CAROL]);
    assert_eq!(t.t.provisioning_log().len(), before);
}

#[test]
fn r7_6_disabled_users_have_no_access() {
    let mut t = nested();
    t.ok("assign", &[A, "Site", "Outer"]);
    t.enable(CAROL, false);
    assert!(!t.has(CAROL, "Site"));
    assert_eq!(t.who("Site"), [BOB]);
    t.enable(CAROL, true);
    assert!(t.has(CAROL, "Site"));
}

#[test]
fn r7_7_one_entry_per_change_of_access_in_user_then_resource_order() {
    let mut t = nested();
    t.ok("assign", &[A, "Site", "Outer"]);
    t.ok("assign", &[A, "App", "Outer"]);
    // Nesting: removing Inner from Outer withdraws the site from carol only.
    let before = t.t.provisioning_log().len();
    t.ok("remove_member", &[A, "Outer", "Inner"]);
    assert_eq!(t.provisioning_since(before), [(CAROL.to_string(), "Site".to_string(), "deprovisioned")]);
    // A second path: no entry when access stays.
    t.ok("assign", &[A, "App", BOB]);
    let before = t.t.provisioning_log().len();
    t.ok("unassign", &[A, "App", "Outer"]);
    assert_eq!(t.t.provisioning_log().len(), before);
    // Several entries in one command: ordered by user, then resource.
    t.ok("add_member", &[A, "Outer", "Inner"]);
    t.ok("assign", &[A, "App", "Outer"]);
    t.ok("assign", &[A, "App", CAROL]);
    let before = t.t.provisioning_log().len();
    t.ok("delete_group", &[A, "Outer"]);
    assert_eq!(
        t.provisioning_since(before),
        [
            (CAROL.to_string(), "Site".to_string(), "deprovisioned"),
            (BOB.to_string(), "Site".to_string(), "deprovisioned")
        ]
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
    );
    let log = t.t.provisioning_log();
    let last = log.last().unwrap();
    assert_eq!(last.cause, t.last_audit().seq);
    assert_eq!(last.seq as usize, log.len());
}

#[test]
fn r7_8_explain_lists_every_path_in_order() {
    let mut t = nested();
    let carol = t.t.user(t.uix(CAROL)).unwrap().id.clone();
    let inner = t.t.group(t.gix("Inner")).unwrap().id.clone();
    let outer = t.t.group(t.gix("Outer")).unwrap().id.clone();
    t.ok("assign", &[A, "Site", "Outer"]);
    t.ok("assign", &[A, "Site", "Inner"]);
    t.ok("assign", &[A, "Site", CAROL]);
    t.ok("block", &[A, "Site", CAROL]);
    let e = t.t.explain(t.uix(CAROL), t.rix("Site"));
    assert_eq!(
        e.paths,
        vec![
            vec![carol.clone()],
            vec![outer.clone(), inner.clone(), carol.clone()],
            vec![inner.clone(), carol.clone()]
        ]
    );
    assert!(e.blocked && !e.granted && !e.disabled);
    // Applications: direct members only.
    t.ok("assign", &[A, "App", "Outer"]);
    let e = t.t.explain(t.uix(CAROL), t.rix("App"));
    assert!(e.paths.is_empty() && !e.granted);
    t.enable(BOB, false);
    let e = t.t.explain(t.uix(BOB), t.rix("App"));
    assert_eq!(e.paths.len(), 1);
    assert!(e.disabled && !e.granted);
}

/// an application most users reach answers in creation order, without
/// blocked or disabled users, whether it has many grantees (read from marks) or few (sorted).
#[test]
fn r7_3_who_has_access_for_many_and_few_grantees_in_creation_order() {
    let mut t = T::with_admin(&[]);
    let mut upns = Vec::new();
    for i in 0..40 {
        let upn = format!("u{i}@contoso.com");
        t.user(&upn, &[]);
        upns.push(upn);
    }
    // Members added in reverse order: the answer is still in creation order.
    let reversed: Vec<&str> = upns.iter().rev().map(String::as_str).collect();
    t.okk("create_group", &[A, "Everyone"], &[("members", l(&reversed))]);
    t.okk("create_group", &[A, "Few"], &[("members", l(&[upns[30].as_str(), upns[3].as_str()]))]);
    t.ok("create_resource", &[A, "Big"]);
    t.ok("create_resource", &[A, "Small"]);
    t.ok("assign", &[A, "Big", "Everyone"]);
    t.ok("assign", &[A, "Small", "Few"]);
    t.ok("block", &[A, "Big", &upns[7]]);
    t.enable(&upns[9], false);
    let expected: Vec<String> =
        upns.iter().enumerate().filter(|(i, _)| *i != 7 && *i != 9).map(|(_, u)| u.clone()).collect();
    assert_eq!(t.who("Big"), expected);
    assert_eq!(t.who("Small"), [upns[3].clone(), upns[30].clone()]);
}

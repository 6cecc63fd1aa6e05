//! SPEC §2 and §3: settings, eligibility, roles; the settings matrix of
//! and.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;

const A: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";

/// A tenant where bob owns "Team" (security, owner_approval) with a pending request by carol,
/// under the given settings; bob in the SSGM group when `eligible`.
fn matrix_tenant(delegated: bool, creation: bool, some: bool, eligible: bool) -> (T, String) {
    let mut t = T::with_admin(&[]);
    t.user(BOB, &[]);
    t.user("carol@contoso.com", &[]);
    t.user("dan@contoso.com", &[]);
    t.okk("create_group", &[A, "Team"], &[("owners", l(&[BOB])), ("join_policy", s("owner_approval"))]);
    t.okk(
        "create_group",
        &[A, "Office"],
        &[("kind", s("microsoft365")), ("owners", l(&[BOB])), ("join_policy", s("owner_approval"))],
    );
    t.okk("configure", &[A], &[("delegated_group_management", b(true))]);
    let req = t.ok("request_to_join", &["carol@contoso.com", "Team", "please"]);
    t.okk(
        "configure",
        &[A],
        &[
            ("delegated_group_management", b(delegated)),
            ("users_can_create_security_groups", b(creation)),
            ("users_can_create_microsoft365_groups", b(creation)),
            ("self_service_scope", s(if some { "some" } else { "all" })),
        ],
    );
    if some && eligible {
        t.ok("add_member", &[A, "SSGMSecurityGroupsUsers", BOB]);
    }
    (t, req)
}

fn expect(delegated: bool, creation_gate: Option<bool>, some: bool, eligible: bool) -> &'static str {
    if !delegated {
        "self_service_disabled"
    } else if creation_gate == Some(false) {
        "group_changes_disabled"
    } else if some && !eligible {
        "not_in_self_service_group"
    } else {
        ""
    }
}

#[test]
fn r4_3_r4_7_r4_8_r5_6_settings_matrix() {
    for delegated in [false, true] {
        for creation in [false, true] {
            for some in [false, true] {
                for eligible in [false, true] {
                    if !some && eligible {
                        continue;
                    }
                    let case = format!("delegated={delegated} creation={creation} some={some} eligible={eligible}");
                    let (t, req) = matrix_tenant(delegated, creation, some, eligible);
                    // create a security group.
                    let create = if !delegated {
                        "self_service_disabled"
                    } else if !creation {
                        "group_creation_disabled"
                    } else if some && !eligible {
                        "not_in_self_service_group"
                    } else {
                        ""
                    };
                    assert_eq!(t.check("create_group", &[BOB, "New"]), create, "create {case}");
                    // change and delete.
                    let change = expect(delegated, Some(creation), some, eligible);
                    assert_eq!(t.check("update_group", &[BOB, "Team"]), change, "change {case}");
                    assert_eq!(t.check("delete_group", &[BOB, "Team"]), change, "delete {case}");
                    // owners follow.
                    assert_eq!(t.check("add_owner", &[BOB, "Team", "dan@contoso.com"]), change, "owner {case}");
                    // membership does not depend on creation settings.
                    let manage = expect(delegated, None, some, eligible);
                    assert_eq!(t.check("add_member", &[BOB, "Team", "dan@contoso.com"]), manage, "member {case}");
                    // approve and deny follow.
                    assert_eq!(t.check("approve", &[BOB, &req]), manage, "approve {case}");
                    assert_eq!(t.check("deny", &[BOB, &req]), manage, "deny {case}");
                    // Eligibility is for security groups only: the Microsoft 365 group.
                    let m365 = expect(delegated, None, false, true);
                    assert_eq!(t.check("add_member", &[BOB, "Office", "dan@contoso.com"]), m365, "m365 {case}");
                    // Admins are unaffected.
                    assert_eq!(t.check("update_group", &[A, "Team"]), "", "admin {case}");
                    assert_eq!(t.check("approve", &[A, &req]), "", "admin approve {case}");
                }
            }
        }
    }
}

#[test]
fn r2_1_only_global_admins_change_settings_atomically() {
    let mut t = T::with_admin(&[]);
    t.user("ga@contoso.com", &["groups_admin"]);
    assert_eq!(
        t.codek("configure", &["ga@contoso.com"], &[("delegated_group_management", b(true))]),
        "not_global_admin"
    );
    // All or none: a bad value refuses the whole change.
    assert_eq!(
        t.codek("configure", &[A], &[("delegated_group_management", b(true)), ("max_owners_per_group", Arg::Int(0))]),
        "invalid_setting"
    );
    assert!(!t.t.settings().delegated_group_management);
    assert_eq!(t.codek("configure", &[A], &[("no_such", b(true))]), "invalid_setting");
    assert_eq!(t.codek("configure", &[A], &[("max_groups_per_user", b(true))]), "invalid_setting");
    // An empty change succeeds and changes nothing.
    let before = t.t.settings().clone();
    t.ok("configure", &[A]);
    assert_eq!(t.t.settings(), &before);
    // Precedence: invalid_setting (step 2) before not_global_admin (step 5).
    assert_eq!(t.codek("configure", &["ga@contoso.com"], &[("nope", b(true))]), "invalid_setting");
}

#[test]
fn r2_2_master_switch_off_blocks_every_self_service_command() {
    let mut t = T::with_admin(&[("users_can_create_security_groups", b(true))]);
    t.user(BOB, &[]);
    t.okk("create_group", &[A, "Open"], &[("join_policy", s("open")), ("owners", l(&[BOB])), ("members", l(&[BOB]))]);
    assert_eq!(t.code("create_group", &[BOB, "Mine"]), "self_service_disabled");
    // Step 4 (self_service_disabled) comes before step 10 (already_member).
    assert_eq!(t.code("request_to_join", &[BOB, "Open"]), "self_service_disabled");
    t.user("carol@contoso.com", &[]);
    assert_eq!(t.code("request_to_join", &["carol@contoso.com", "Open"]), "self_service_disabled");
    assert_eq!(t.code("leave", &[BOB, "Open"]), "self_service_disabled");
    assert_eq!(t.code("add_member", &[BOB, "Open", "carol@contoso.com"]), "self_service_disabled");
    // Administrators are unaffected.
    t.ok("add_member", &[A, "Open", "carol@contoso.com"]);
}

#[test]
fn r2_3_r2_4_scope_some_creates_the_ssgm_group_once() {
    let mut t =
        T::with_admin(&[("delegated_group_management", b(true)), ("users_can_create_security_groups", b(true))]);
    t.user(BOB, &[]);
    t.okk("configure", &[A], &[("self_service_scope", s("some"))]);
    let entry = t.last_audit();
    let g = t.gix("SSGMSecurityGroupsUsers");
    let group = t.t.group(g).unwrap().clone();
    assert_eq!(entry.targets, vec![group.id.clone()]);
    assert_eq!(group.kind.as_str(), "security");
    assert_eq!(group.join_policy.as_str(), "owners_only");
    assert!(group.owners.is_empty() && group.members.is_empty());
    assert_eq!(group.created_by, Some(t.uix(A)));
    // Nobody is eligible until they are a direct member.
    assert_eq!(t.code("create_group", &[BOB, "X"]), "not_in_self_service_group");
    t.ok("add_member", &[A, "SSGMSecurityGroupsUsers", BOB]);
    t.ok("create_group", &[BOB, "X"]);
    // An empty configure while the group exists creates nothing.
    let groups = t.t.groups().count();
    t.ok("configure", &[A]);
    assert_eq!(t.t.groups().count(), groups);
    // deleting it and an empty configure recreates it.
    t.ok("delete_group", &[A, "SSGMSecurityGroupsUsers"]);
    assert_eq!(t.code("create_group", &[BOB, "Y"]), "not_in_self_service_group");
    t.ok("configure", &[A]);
    assert_eq!(t.last_audit().targets.len(), 1);
    assert!(t.t.find_group("SSGMSecurityGroupsUsers").is_ok());
}

#[test]
fn r2_3_nested_membership_does_not_make_eligible() {
    let mut t = T::with_admin(&[
        ("delegated_group_management", b(true)),
        ("users_can_create_security_groups", b(true)),
        ("self_service_scope", s("some")),
    ]);
    t.user(BOB, &[]);
    t.okk("create_group", &[A, "Inner"], &[("members", l(&[BOB]))]);
    t.ok("add_member", &[A, "SSGMSecurityGroupsUsers", "Inner"]);
    assert_eq!(t.code("create_group", &[BOB, "X"]), "not_in_self_service_group");
}

#[test]
fn r2_5_renaming_the_ssgm_setting_changes_which_group_confers_eligibility() {
    let mut t = T::with_admin(&[
        ("delegated_group_management", b(true)),
        ("users_can_create_security_groups", b(true)),
        ("self_service_scope", s("some")),
    ]);
    t.user(BOB, &[]);
    t.ok("add_member", &[A, "SSGMSecurityGroupsUsers", BOB]);
    t.okk("configure", &[A], &[("self_service_group", s("Creators"))]);
    // The old group stays, a new one named Creators is created, bob is not in it.
    assert!(t.t.find_group("SSGMSecurityGroupsUsers").is_ok());
    assert!(t.t.find_group("Creators").is_ok());
    assert_eq!(t.code("create_group", &[BOB, "X"]), "not_in_self_service_group");
    // With scope all, renaming creates nothing.
    let mut t2 = T::with_admin(&[]);
    t2.okk("configure", &[A], &[("self_service_group", s("Other"))]);
    assert!(t2.t.find_group("Other").is_err());
}

#[test]
fn r3_1_r3_2_r3_3_roles() {
    let mut t = T::with_admin(&[]);
    t.user("ga@contoso.com", &["groups_admin"]);
    t.user("aa@contoso.com", &["application_admin"]);
    t.user(BOB, &[]);
    // Groups admin: every group operation, no settings, no resources.
    t.okk("create_group", &["ga@contoso.com", "G"], &[("kind", s("distribution"))]);
    t.ok("add_member", &["ga@contoso.com", "G", BOB]);
    assert_eq!(t.code("create_resource", &["ga@contoso.com", "App"]), "not_admin");
    // Application admin: resources, but no group rights beyond a user's.
    t.ok("create_resource", &["aa@contoso.com", "App"]);
    t.ok("assign", &["aa@contoso.com", "App", BOB]);
    assert_eq!(t.code("add_member", &["aa@contoso.com", "G", "aa@contoso.com"]), "not_self_service_kind");
    assert_eq!(t.code("create_group", &["aa@contoso.com", "H"]), "self_service_disabled");
    // Global admin: everything.
    t.ok("block", &[A, "App", BOB]);
    t.ok("remove_member", &[A, "G", BOB]);
}

#[test]
fn r3_4_admins_ignore_quotas_and_join_policies() {
    let mut t = T::with_admin(&[("max_groups_per_user", Arg::Int(0))]);
    t.user("ga@contoso.com", &["groups_admin"]);
    t.ok("create_group", &["ga@contoso.com", "A1"]);
    t.ok("create_group", &["ga@contoso.com", "A2"]);
    // owners_only, self-service off: an admin's request is approved at once.
    let r = t.ok("request_to_join", &["ga@contoso.com", "A1"]);
    let q = t.t.find_request(&r).unwrap();
    assert_eq!(t.t.request(q).unwrap().status.as_str(), "approved");
    assert_eq!(t.t.request(q).unwrap().reason, "admin");
}

#[test]
fn r3_5_disabled_users_act_not_and_reach_nothing_but_keep_memberships() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.ok("create_resource", &[A, "App"]);
    t.okk("create_group", &[A, "G"], &[("members", l(&[BOB])), ("owners", l(&[BOB]))]);
    t.ok("assign", &[A, "App", "G"]);
    assert!(t.has(BOB, "App"));
    let before = t.t.provisioning_log().len();
    t.enable(BOB, false);
    assert!(!t.has(BOB, "App"));
    assert_eq!(t.members("G"), vec![t.t.user(t.uix(BOB)).unwrap().id.clone()]);
    assert_eq!(t.code("add_member", &[BOB, "G", A]), "actor_disabled");
    assert_eq!(t.code("list_members", &[BOB, "G"]), "actor_disabled");
    // enabling restores access; each change provisions once.
    t.enable(BOB, true);
    assert!(t.has(BOB, "App"));
    let got = t.provisioning_since(before);
    assert_eq!(got.iter().map(|x| x.2).collect::<Vec<_>>(), ["deprovisioned", "provisioned"]);
    // setting the current value succeeds and changes nothing.
    let before = t.t.provisioning_log().len();
    t.enable(BOB, true);
    assert_eq!(t.t.provisioning_log().len(), before);
}

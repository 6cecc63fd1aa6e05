//! SPEC §1 and §4: ids, names, references and groups.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;

const A: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";
const CAROL: &str = "carol@contoso.com";

#[test]
fn r1_1_ids_are_deterministic_and_never_reused() {
    let build = || {
        let mut t = T::open_tenant();
        t.user(BOB, &[]);
        let g1 = t.ok("create_group", &[BOB, "One"]);
        t.ok("delete_group", &[BOB, &g1]);
        let g2 = t.ok("create_group", &[BOB, "Two"]);
        (g1, g2, t.t.users().iter().map(|u| u.id.clone()).collect::<Vec<_>>())
    };
    let (g1, g2, users) = build();
    assert_ne!(g1, g2);
    assert_eq!(build(), (g1.clone(), g2, users));
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    let g = t.ok("create_group", &[BOB, "One"]);
    t.ok("delete_group", &[BOB, &g]);
    assert_eq!(t.code("add_member", &[A, &g, BOB]), "group_not_found");
}

#[test]
fn r1_2_ambiguous_group_names_but_ids_always_work() {
    let mut t = T::with_admin(&[]);
    t.user(BOB, &[]);
    let g1 = t.ok("create_group", &[A, "Sales"]);
    t.ok("create_group", &[A, "sales"]);
    assert_eq!(t.code("add_member", &[A, "SALES", BOB]), "ambiguous_name");
    t.ok("add_member", &[A, &g1, BOB]);
}

#[test]
fn r1_3_names_are_checked() {
    let mut t = T::with_admin(&[]);
    assert_eq!(t.code("add_user", &["no-at-sign"]), "invalid_name");
    assert_eq!(t.code("add_user", &["a@b@c"]), "invalid_name");
    assert_eq!(t.code("add_user", &["   "]), "invalid_name");
    assert_eq!(t.code("create_group", &[A, "bad\u{7}name"]), "invalid_name");
    assert_eq!(t.code("create_group", &[A, &"x".repeat(257)]), "invalid_name");
    let g = t.ok("create_group", &[A, "  Trimmed  "]);
    assert_eq!(t.t.group(t.gix(&g)).unwrap().name, "Trimmed");
    t.ok("add_user", &["  Bob@Contoso.com "]);
    assert_eq!(t.code("add_user", &["bob@contoso.com"]), "duplicate_name");
    t.ok("create_resource", &[A, "App"]);
    assert_eq!(t.code("create_resource", &[A, " app "]), "duplicate_name");
    // Group names are not unique.
    t.ok("create_group", &[A, "trimmed"]);
}

#[test]
fn r1_4_references_resolve_id_then_upn_then_names() {
    let mut t = T::with_admin(&[]);
    let bob = t.user(BOB, &[]);
    t.ok("create_group", &[A, "Team"]);
    t.ok("add_member", &[A, "team", &bob]);
    assert_eq!(t.code("add_member", &[A, "Team", "ghost@contoso.com"]), "user_not_found");
    assert_eq!(t.code("add_member", &[A, "Team", "Ghosts"]), "group_not_found");
    assert_eq!(t.code("add_member", &[A, "Nope", BOB]), "group_not_found");
    assert_eq!(t.code("assign", &[A, "Nope", BOB]), "resource_not_found");
    assert_eq!(t.code("approve", &[A, "req-99"]), "request_not_found");
    // A handle resolves by id, so it works on a fork.
    let fork = t.t.fork();
    assert_eq!(fork.find_user(&bob).ok(), t.t.find_user(&bob).ok());
}

#[test]
fn r4_1_exchange_kinds_are_not_self_service() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    for kind in ["mail_enabled_security", "distribution"] {
        let g = t.okk("create_group", &[A, kind], &[("kind", s(kind)), ("owners", l(&[BOB])), ("members", l(&[BOB]))]);
        assert_eq!(t.code("add_member", &[BOB, &g, CAROL]), "not_self_service_kind");
        assert_eq!(t.code("update_group", &[BOB, &g]), "not_self_service_kind");
        assert_eq!(t.code("delete_group", &[BOB, &g]), "not_self_service_kind");
        assert_eq!(t.code("add_owner", &[BOB, &g, CAROL]), "not_self_service_kind");
        assert_eq!(t.code("request_to_join", &[CAROL, &g, "x"]), "not_self_service_kind");
        assert_eq!(t.code("leave", &[BOB, &g]), "not_self_service_kind");
        // Admins manage them.
        t.ok("add_member", &[A, &g, CAROL]);
        // owners still list their members.
        t.ok("list_members", &[BOB, &g]);
    }
}

#[test]
fn r4_2_on_premises_groups_are_changed_by_nobody() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    let g = t.okk(
        "create_group",
        &[A, "Synced"],
        &[("on_premises", b(true)), ("owners", l(&[BOB])), ("members", l(&[BOB]))],
    );
    for actor in [A, BOB] {
        assert_eq!(t.code("add_member", &[actor, &g, A]), "on_premises_group");
        assert_eq!(t.code("remove_member", &[actor, &g, BOB]), "on_premises_group");
        assert_eq!(t.code("update_group", &[actor, &g]), "on_premises_group");
        assert_eq!(t.code("delete_group", &[actor, &g]), "on_premises_group");
        assert_eq!(t.code("add_owner", &[actor, &g, A]), "on_premises_group");
        assert_eq!(t.code("leave", &[actor, &g]), "on_premises_group");
    }
    assert_eq!(t.code("request_to_join", &[A, &g]), "on_premises_group");
    // It can still be assigned and read.
    t.ok("create_resource", &[A, "App"]);
    t.ok("assign", &[A, "App", &g]);
    assert!(t.has(BOB, "App"));
    t.ok("list_members", &[A, &g]);
}

#[test]
fn r4_3_creation_rules_for_non_admins() {
    let mut t = T::with_admin(&[("delegated_group_management", b(true))]);
    t.user(BOB, &[]);
    assert_eq!(t.codek("create_group", &[BOB, "M"], &[("kind", s("microsoft365"))]), "group_creation_disabled");
    assert_eq!(t.codek("create_group", &[BOB, "D"], &[("kind", s("distribution"))]), "not_self_service_kind");
    assert_eq!(t.codek("create_group", &[BOB, "E"], &[("kind", s("mail_enabled_security"))]), "not_self_service_kind");
    assert_eq!(t.codek("create_group", &[BOB, "O"], &[("on_premises", b(true))]), "not_self_service_kind");
    // The Microsoft 365 creation group lets its direct members create while creation is off.
    t.okk("configure", &[A], &[("microsoft365_creation_group", s("M365 creators"))]);
    t.okk("create_group", &[A, "M365 creators"], &[("members", l(&[BOB]))]);
    let g = t.okk("create_group", &[BOB, "Mine"], &[("kind", s("microsoft365"))]);
    // Changing it still needs users_can_create_microsoft365_groups.
    assert_eq!(t.code("update_group", &[BOB, &g]), "group_changes_disabled");
    assert_eq!(t.codek("create_group", &[BOB, "S"], &[("kind", s("security"))]), "group_creation_disabled");
}

#[test]
fn r4_4_r10_14_group_quota_counts_existing_groups_created() {
    let mut t = T::open_tenant();
    t.user(BOB, &["groups_admin"]);
    t.okk("configure", &[A], &[("max_groups_per_user", Arg::Int(2))]);
    // Created while an admin: counts.
    t.ok("create_group", &[BOB, "G1"]);
    t.okk("set_roles", &[BOB], &[("roles", l(&[]))]);
    let g2 = t.ok("create_group", &[BOB, "G2"]);
    assert_eq!(t.code("create_group", &[BOB, "G3"]), "group_quota");
    t.ok("delete_group", &[BOB, &g2]);
    t.ok("create_group", &[BOB, "G3"]);
}

#[test]
fn r4_5_r4_6_creator_is_owner_and_member_first_and_default_policies() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    let carol = t.user(CAROL, &[]);
    let g = t.okk("create_group", &[BOB, "Team"], &[("owners", l(&[CAROL, BOB])), ("members", l(&[CAROL, CAROL]))]);
    let group = t.t.group(t.gix(&g)).unwrap().clone();
    let bob = t.uix(BOB);
    assert_eq!(group.owners, vec![bob, t.uix(CAROL)]);
    assert_eq!(t.members(&g), vec![t.t.user(bob).unwrap().id.clone(), carol]);
    assert_eq!(group.join_policy.as_str(), "open");
    let g = t.ok("create_group", &[A, "Admin's"]);
    let group = t.t.group(t.gix(&g)).unwrap().clone();
    assert!(group.owners.is_empty() && group.members.is_empty());
    assert_eq!(group.join_policy.as_str(), "owners_only");
}

#[test]
fn r4_7_change_and_delete() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    let g = t.ok("create_group", &[BOB, "Team"]);
    assert_eq!(t.code("update_group", &[CAROL, &g]), "not_owner");
    t.okk(
        "update_group",
        &[BOB, &g],
        &[("name", s("Renamed")), ("description", s("d")), ("join_policy", s("owner_approval"))],
    );
    let group = t.t.group(t.gix(&g)).unwrap().clone();
    assert_eq!(
        (group.name.as_str(), group.description.as_str(), group.join_policy.as_str()),
        ("Renamed", "d", "owner_approval")
    );
    assert!(t.t.find_group("Renamed").is_ok() && t.t.find_group("Team").is_err());
    assert_eq!(t.codek("update_group", &[BOB, &g], &[("join_policy", s("closed"))]), "invalid_join_policy");
    assert_eq!(t.codek("update_group", &[BOB, &g], &[("name", s(" "))]), "invalid_name");
    t.ok("delete_group", &[BOB, &g]);
}

#[test]
fn r4_9_owners_limit_and_last_owner() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    t.user("dan@contoso.com", &[]);
    t.okk("configure", &[A], &[("max_owners_per_group", Arg::Int(2))]);
    let g = t.ok("create_group", &[BOB, "Team"]);
    assert_eq!(t.code("remove_owner", &[BOB, &g, BOB]), "last_owner");
    assert_eq!(t.code("remove_owner", &[BOB, &g, CAROL]), "not_an_owner");
    t.ok("add_owner", &[BOB, &g, CAROL]);
    // owner_limit wins over already_owner, and binds admins.
    assert_eq!(t.code("add_owner", &[BOB, &g, CAROL]), "owner_limit");
    assert_eq!(t.code("add_owner", &[A, &g, "dan@contoso.com"]), "owner_limit");
    assert_eq!(t.codek("create_group", &[A, "Big"], &[("owners", l(&[BOB, CAROL, "dan@contoso.com"]))]), "owner_limit");
    assert_eq!(t.codek("create_group", &[BOB, "Big"], &[("owners", l(&[CAROL, "dan@contoso.com"]))]), "owner_limit");
    t.ok("remove_owner", &[CAROL, &g, BOB]);
    // An admin may remove the last owner.
    t.ok("remove_owner", &[A, &g, CAROL]);
    assert!(t.t.group(t.gix(&g)).unwrap().owners.is_empty());
}

#[test]
fn r4_10_nesting_rules_and_cycles() {
    let mut t = T::with_admin(&[]);
    let sec = t.ok("create_group", &[A, "Sec"]);
    let inner = t.ok("create_group", &[A, "Inner"]);
    let mail = t.okk("create_group", &[A, "Mail"], &[("kind", s("mail_enabled_security"))]);
    let m365 = t.okk("create_group", &[A, "M365"], &[("kind", s("microsoft365"))]);
    let dl = t.okk("create_group", &[A, "DL"], &[("kind", s("distribution"))]);
    t.ok("add_member", &[A, &sec, &inner]);
    t.ok("add_member", &[A, &sec, &mail]);
    assert_eq!(t.code("add_member", &[A, &sec, &m365]), "nested_group_not_allowed");
    assert_eq!(t.code("add_member", &[A, &sec, &dl]), "nested_group_not_allowed");
    assert_eq!(t.code("add_member", &[A, &m365, &inner]), "nested_group_not_allowed");
    assert_eq!(t.code("add_member", &[A, &dl, &inner]), "nested_group_not_allowed");
    assert_eq!(t.code("add_member", &[A, &inner, &sec]), "cycle");
    assert_eq!(t.code("add_member", &[A, &sec, &sec]), "cycle");
    assert_eq!(
        t.codek("create_group", &[A, "X"], &[("kind", s("microsoft365")), ("members", l(&[&inner]))]),
        "nested_group_not_allowed"
    );
}

#[test]
fn r4_11_duplicates_are_refused() {
    let mut t = T::with_admin(&[]);
    t.user(BOB, &[]);
    let g = t.ok("create_group", &[A, "G"]);
    t.ok("add_member", &[A, &g, BOB]);
    assert_eq!(t.code("add_member", &[A, &g, BOB]), "already_member");
    t.ok("remove_member", &[A, &g, BOB]);
    assert_eq!(t.code("remove_member", &[A, &g, BOB]), "not_member");
    t.ok("add_owner", &[A, &g, BOB]);
    assert_eq!(t.code("add_owner", &[A, &g, BOB]), "already_owner");
    t.ok("remove_owner", &[A, &g, BOB]);
    assert_eq!(t.code("remove_owner", &[A, &g, BOB]), "not_an_owner");
}

#[test]
fn r4_12_leaving() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &["groups_admin"]);
    let g = t.okk("create_group", &[A, "G"], &[("members", l(&[BOB, CAROL]))]);
    let dl = t.okk("create_group", &[A, "DL"], &[("kind", s("distribution")), ("members", l(&[BOB, CAROL]))]);
    assert_eq!(t.code("leave", &[BOB, &dl]), "not_self_service_kind");
    t.ok("leave", &[BOB, &g]);
    assert_eq!(t.code("leave", &[BOB, &g]), "not_member");
    assert_eq!(t.last_audit().activity, "Remove member from group");
    // Group admins leave any group, whatever the settings.
    t.okk("configure", &[A], &[("delegated_group_management", b(false))]);
    t.ok("leave", &[CAROL, &dl]);
    t.ok("leave", &[CAROL, &g]);
}

#[test]
fn r4_13_deleting_a_group_removes_it_everywhere() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    let outer = t.ok("create_group", &[A, "Outer"]);
    let g = t.okk("create_group", &[BOB, "Team"], &[("join_policy", s("owner_approval"))]);
    t.ok("add_member", &[A, &outer, &g]);
    t.okk("create_resource", &[A, "Site"], &[("kind", s("site"))]);
    t.ok("assign", &[A, "Site", &outer]);
    let r = t.ok("request_to_join", &[CAROL, &g, "please"]);
    assert!(t.has(BOB, "Site"));
    let before = t.t.provisioning_log().len();
    t.ok("delete_group", &[BOB, &g]);
    assert!(t.members(&outer).is_empty());
    assert!(!t.has(BOB, "Site"));
    assert_eq!(t.provisioning_since(before), [(BOB.to_string(), "Site".to_string(), "deprovisioned")]);
    let q = t.t.request(t.t.find_request(&r).unwrap()).unwrap().clone();
    assert_eq!((q.status.as_str(), q.reason.as_str()), ("cancelled", "group_deleted"));
    assert_eq!(q.decided_by, Some(t.uix(BOB)));
    assert_eq!(t.t.user(t.uix(BOB)).unwrap().owner_of, Vec::<u32>::new());
}

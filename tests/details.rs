//! SPEC §10: details.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;

const A: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";
const CAROL: &str = "carol@contoso.com";

#[test]
fn r10_1_lists_are_in_creation_order_members_in_insertion_order() {
    let mut t = T::with_admin(&[]);
    let bob = t.user(BOB, &[]);
    let carol = t.user(CAROL, &[]);
    t.okk("create_group", &[A, "G"], &[("members", l(&[CAROL, BOB]))]);
    assert_eq!(t.members("G"), vec![carol.clone(), bob.clone()]);
    t.ok("create_resource", &[A, "App"]);
    t.ok("assign", &[A, "App", "G"]);
    // who_has_access is in creation order, not insertion order.
    assert_eq!(t.who("App"), [BOB, CAROL]);
    t.ok("create_group", &[A, "H"]);
    t.ok("add_member", &[A, "H", BOB]);
    t.ok("create_resource", &[A, "Zed"]);
    t.ok("assign", &[A, "Zed", BOB]);
    let access: Vec<_> = t.t.access_of(t.uix(BOB)).into_iter().map(|r| t.t.resource(r).unwrap().name.clone()).collect();
    assert_eq!(access, ["App", "Zed"]);
}

#[test]
fn r10_2_repeated_owners_and_members_are_merged() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    let g = t.okk("create_group", &[BOB, "G"], &[("owners", l(&[BOB, CAROL, CAROL])), ("members", l(&[BOB, BOB]))]);
    let group = t.t.group(t.gix(&g)).unwrap().clone();
    assert_eq!(group.owners.len(), 2);
    assert_eq!(group.members.len(), 1);
    t.okk("create_resource", &[A, "App"], &[("owners", l(&[CAROL, CAROL]))]);
    assert_eq!(t.t.resource(t.rix("App")).unwrap().owners.len(), 1);
}

#[test]
fn r10_3_audit_targets_name_created_objects_by_id() {
    let mut t = T::with_admin(&[]);
    let bob = t.user(BOB, &[]);
    let g = t.okk("create_group", &[A, "G"], &[("owners", l(&[BOB]))]);
    assert_eq!(t.last_audit().targets, vec![g.clone(), bob.clone()]);
    assert_eq!(t.code("create_group", &[A, " "]), "invalid_name");
    assert_eq!(t.last_audit().targets, vec![" ".to_string()]);
    t.ok("add_member", &[A, "G", A]);
    t.ok("leave", &[A, "G"]);
    assert_eq!(t.last_audit().targets, vec![g]);
}

#[test]
fn r10_5_decided_by_and_times() {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    t.okk("create_group", &[BOB, "G"], &[("join_policy", s("owner_approval"))]);
    let r = t.ok("request_to_join", &[CAROL, "G", "x"]);
    t.t.execute(Command::Advance { micros: 60_000_000 }).unwrap();
    t.okk("approve", &[BOB, &r], &[("reason", s("ok"))]);
    let q = t.t.request(t.t.find_request(&r).unwrap()).unwrap().clone();
    assert_eq!(q.decided_at, Some(q.created_at + 60_000_000));
    assert_eq!(q.reason, "ok");
}

#[test]
fn r10_6_setting_current_values_succeeds() {
    let mut t = T::with_admin(&[]);
    t.user(BOB, &[]);
    t.enable(BOB, true);
    t.okk("set_roles", &[BOB], &[("roles", l(&[]))]);
    assert!(t.last_audit().success);
    assert_eq!(t.last_audit().activity, "Update user");
    // display_name and department are free text.
    t.okk("add_user", &["x@y"], &[("display_name", s("")), ("department", s("\t"))]);
}

#[test]
fn r10_8_names_compare_after_unicode_lowercasing() {
    let mut t = T::with_admin(&[]);
    t.user("ÉMILE@contoso.com", &[]);
    assert!(t.t.find_user("émile@contoso.com").is_ok());
    t.ok("create_group", &[A, "ÄRZTE"]);
    assert!(t.t.find_group("ärzte").is_ok());
}

#[test]
fn r10_9_settings_domains() {
    let mut t = T::with_admin(&[]);
    for (k, v) in [
        ("self_service_scope", s("few")),
        ("max_owners_per_group", Arg::Int(0)),
        ("self_service_group", s("")),
        ("max_groups_per_user", b(false)),
        ("delegated_group_management", Arg::Int(1)),
    ] {
        assert_eq!(t.codek("configure", &[A], &[(k, v)]), "invalid_setting", "{k}");
    }
    t.okk("configure", &[A], &[("max_groups_per_user", Arg::Int(0)), ("microsoft365_creation_group", s(""))]);
}

#[test]
fn r10_11_check_refuses_seeding_and_clock_moves() {
    let t = T::with_admin(&[]);
    let d = t.t.check(&Command::AddUser {
        upn: "x@y".into(),
        display_name: None,
        department: None,
        roles: vec![],
        enabled: true,
        manager: None,
    });
    assert_eq!(d.code, Some(Code::UnknownCommand));
    let d = t.t.check(&Command::Advance { micros: 1 });
    assert_eq!(d.code, Some(Code::UnknownCommand));
}

#[test]
fn r10_13_type_errors_are_not_commands() {
    let t = T::with_admin(&[]);
    let group = Arg::Handle(HandleKind::Group, "g-1".into());
    let err = ssgm::call::build("block", &[s(A), s("App"), group], &[]).unwrap_err();
    assert!(matches!(err, ssgm::Error::Type(_)));
    assert!(err.code().is_none());
    assert_eq!(t.t.history().len(), 2);
}

#[test]
fn r10_15_handles_resolve_by_id_in_forks() {
    // Face handles hold ids; a fork resolves the same ids to the same objects.
    let mut t = T::with_admin(&[]);
    let bob = t.user(BOB, &[]);
    let fork = t.t.fork();
    assert_eq!(fork.find_user(&bob).unwrap(), t.uix(&bob));
}

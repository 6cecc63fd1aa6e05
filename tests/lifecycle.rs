//! Group lifecycle (SPEC §13) and timed events: expiration, renewal, notices, soft
//! delete, restore, purge, naming policy; replay, snapshots and journals with events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use proptest::prelude::*;
use ssgm::error::Family;
use ssgm::model::{format_time, Timestamp};

const ADMIN: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";
const CAROL: &str = "carol@contoso.com";

/// Admin, bob (an owner), carol; expiration as given; an app.
fn tenant(settings: &[(&str, Arg)]) -> T {
    let mut t = T::with_admin(settings);
    t.user(BOB, &[]);
    t.user(CAROL, &[]);
    t.user("ga@contoso.com", &["groups_admin"]);
    t.ok("create_resource", &[ADMIN, "App"]);
    t
}

fn m365(t: &mut T, name: &str, owners: &[&str], members: &[&str]) -> String {
    t.okk(
        "create_group",
        &[ADMIN, name],
        &[("kind", s("microsoft365")), ("owners", l(owners)), ("members", l(members))],
    )
}

fn group(t: &T, id: &str) -> ssgm::model::Group {
    let g = t.t.all_groups().iter().find(|g| g.id == id).cloned();
    g.expect("group")
}

fn notices(t: &T) -> Vec<(String, String, &'static str, Vec<String>)> {
    t.t.notification_log()
        .iter()
        .map(|n| (format_time(n.time), n.group.clone(), n.notice.as_str(), n.recipients.clone()))
        .collect()
}

fn all() -> Vec<(&'static str, Arg)> {
    vec![("expiration_scope", s("all"))]
}

#[test]
fn r13_1_r13_3_a_group_created_while_covered_expires_after_its_lifetime() {
    let mut t = tenant(&all());
    let g = m365(&mut t, "Team", &[BOB], &[]);
    assert_eq!(group(&t, &g).expires_at, Some(at(180)));
    // other kinds are never covered.
    let s = t.okk("create_group", &[ADMIN, "Sec"], &[]);
    assert_eq!(group(&t, &s).expires_at, None);
}

#[test]
fn r13_1_scope_selected_covers_the_listed_groups_and_the_list_survives_scope_changes() {
    let mut t = tenant(&[("expiration_scope", s("selected"))]);
    let g = m365(&mut t, "Team", &[BOB], &[]);
    let h = m365(&mut t, "Other", &[BOB], &[]);
    assert_eq!(group(&t, &g).expires_at, None);
    t.ok("add_group_to_expiration", &[ADMIN, &g]);
    assert_eq!(t.last_audit().activity, "Add group to lifecycle policy");
    assert_eq!(t.last_audit().targets, vec![g.clone()]);
    // anchor (creation) + 180 days is later than the 35-day floor.
    assert_eq!(group(&t, &g).expires_at, Some(at(180)));
    assert_eq!(group(&t, &h).expires_at, None);
    t.okk("configure", &[ADMIN], &[("expiration_scope", s("none"))]);
    assert_eq!(group(&t, &g).expires_at, None);
    assert!(t.t.schedule().is_empty(), "an uncovered group loses its events");
    t.okk("configure", &[ADMIN], &[("expiration_scope", s("selected"))]);
    assert_eq!(group(&t, &g).expires_at, Some(at(180)), "the list was kept");
    t.ok("remove_group_from_expiration", &[ADMIN, &g]);
    assert_eq!(t.last_audit().activity, "Remove group from lifecycle policy");
    assert_eq!(group(&t, &g).expires_at, None);
}

#[test]
fn r13_3_the_35_day_floor_applies_when_an_old_group_becomes_covered() {
    let mut t = tenant(&[]);
    let g = m365(&mut t, "Old", &[BOB], &[]);
    t.advance_days(300);
    t.okk("configure", &[ADMIN], &all());
    assert_eq!(group(&t, &g).expires_at, Some(at(335)), "anchor + 180 is past: now + 35 days");
    // A lifetime change recomputes from the anchor, with the floor.
    t.okk("configure", &[ADMIN], &[("expiration_lifetime_days", Arg::Int(400))]);
    assert_eq!(group(&t, &g).expires_at, Some(at(400)));
    t.okk("configure", &[ADMIN], &[("expiration_lifetime_days", Arg::Int(30))]);
    assert_eq!(group(&t, &g).expires_at, Some(at(335)));
    // renewal has no floor.
    t.ok("renew", &[BOB, &g]);
    assert_eq!(group(&t, &g).expires_at, Some(at(330)));
    assert_eq!(group(&t, &g).renewed_at, Some(at(300)));
}

#[test]
fn r13_4_owners_renew_whatever_the_self_service_settings_and_notices_are_rescheduled() {
    let mut t = tenant(&all());
    let g = m365(&mut t, "Team", &[BOB], &[]);
    t.advance_days(100);
    // Self-service is off (R-2.2 does not bind renewal).
    t.ok("renew", &[BOB, &g]);
    assert_eq!(t.last_audit().activity, "Renew group");
    assert_eq!(t.last_audit().targets, vec![g.clone()]);
    assert_eq!(group(&t, &g).expires_at, Some(at(280)));
    t.advance_days(200);
    let log = notices(&t);
    let times: Vec<&str> = log.iter().map(|n| n.0.as_str()).collect();
    // None at the old expiry's notices (days 150, 165, 179): the new ones only.
    assert_eq!(times, vec![format_time(at(250)), format_time(at(265)), format_time(at(279))]);
    assert_eq!(log.iter().map(|n| n.2).collect::<Vec<_>>(), vec!["expiry_30", "expiry_15", "expiry_1"]);
    assert_eq!(log[0].3, vec![t.t.users()[1].id.clone()], "R-13.6: the owners");
    assert!(t.t.find_group(&g).is_err(), "expired at day 280");
}

#[test]
fn r13_4_refusals_not_owner_then_expiration_not_applicable() {
    let mut t = tenant(&[("expiration_scope", s("selected"))]);
    let g = m365(&mut t, "Team", &[BOB], &[]);
    assert_eq!(t.code("renew", &[CAROL, &g]), "not_owner");
    assert_eq!(t.code("renew", &[BOB, &g]), "expiration_not_applicable");
    assert_eq!(t.code("renew", &[BOB, "nope"]), "group_not_found");
    t.enable(BOB, false);
    assert_eq!(t.code("renew", &[BOB, &g]), "actor_disabled");
    // Admins renew any covered group.
    t.ok("add_group_to_expiration", &["ga@contoso.com", &g]);
    t.ok("renew", &["ga@contoso.com", &g]);
}

#[test]
fn r13_2_selected_list_refusals_in_precedence_order() {
    let mut t = tenant(&[]);
    let g = m365(&mut t, "Team", &[BOB], &[]);
    let sec = t.okk("create_group", &[ADMIN, "Sec"], &[]);
    assert_eq!(t.code("add_group_to_expiration", &[BOB, &g]), "not_admin");
    // Step 5 (not_admin) before step 8 (expiration_not_applicable).
    assert_eq!(t.code("add_group_to_expiration", &[BOB, &sec]), "not_admin");
    assert_eq!(t.code("add_group_to_expiration", &[ADMIN, &sec]), "expiration_not_applicable");
    assert_eq!(t.code("remove_group_from_expiration", &[ADMIN, &sec]), "expiration_not_applicable");
    assert_eq!(t.code("remove_group_from_expiration", &[ADMIN, &g]), "not_selected");
    t.ok("add_group_to_expiration", &[ADMIN, &g]);
    assert_eq!(t.code("add_group_to_expiration", &[ADMIN, &g]), "already_selected");
    t.enable(ADMIN, false);
    assert_eq!(t.code("add_group_to_expiration", &[ADMIN, &g]), "actor_disabled");
    assert_eq!(t.check("add_group_to_expiration", &["ga@contoso.com", &g]), "already_selected");
}

#[test]
fn r13_2_the_selected_list_holds_500_groups() {
    let mut t = tenant(&[]);
    let groups: Vec<serde_json::Value> =
        (0..501).map(|i| serde_json::json!({"name": format!("G{i}"), "kind": "microsoft365"})).collect();
    let data = ssgm::DirectoryData::from_value(serde_json::json!({ "groups": groups })).unwrap();
    t.t.execute(Command::ImportDirectory { data: Box::new(data) }).unwrap();
    let ids: Vec<String> = t.t.groups().map(|(_, g)| g.id.clone()).collect();
    for id in &ids[..500] {
        t.ok("add_group_to_expiration", &[ADMIN, id]);
    }
    assert_eq!(t.code("add_group_to_expiration", &[ADMIN, &ids[500]]), "expiration_group_limit");
    // Step 9 (the limit) before step 10 (already_selected).
    assert_eq!(t.code("add_group_to_expiration", &[ADMIN, &ids[0]]), "expiration_group_limit");
    t.ok("remove_group_from_expiration", &[ADMIN, &ids[0]]);
    t.ok("add_group_to_expiration", &[ADMIN, &ids[500]]);
}

#[test]
fn r13_5_activity_renews_a_group_35_days_before_expiry() {
    let mut t = tenant(&all());
    let g = m365(&mut t, "Team", &[BOB], &[]);
    t.advance_days(10);
    t.ok("record_activity", &[&g]);
    let entry = t.last_audit();
    assert_eq!((entry.actor.as_str(), entry.activity), ("system", "Record group activity"));
    assert_eq!(group(&t, &g).last_activity, Some(at(10)));
    t.advance_days(200);
    let renewals: Vec<_> = t.t.audit_log().iter().filter(|e| e.activity == "Autorenew group").cloned().collect();
    assert_eq!(renewals.len(), 1, "no activity since: one renewal only");
    assert_eq!((renewals[0].time, renewals[0].actor.as_str()), (at(145), "system"));
    assert_eq!(renewals[0].targets, vec![g.clone()]);
    assert_eq!(group(&t, &g).renewed_at, Some(at(145)));
    assert_eq!(group(&t, &g).expires_at, Some(at(325)));
    assert!(notices(&t).is_empty(), "renewed before the first notice");
}

#[test]
fn r13_5_r8_7_late_activity_renews_at_the_next_clock_move_at_its_own_instant() {
    let mut t = tenant(&all());
    let g = m365(&mut t, "Team", &[BOB], &[]);
    t.advance_days(170);
    assert_eq!(notices(&t).len(), 2, "the notices of days 150 and 165");
    t.ok("record_activity", &[&g]);
    // Due at once, but fired only by a clock move (advance by zero included).
    assert_eq!(group(&t, &g).renewed_at, None);
    t.advance_days(0);
    assert_eq!(group(&t, &g).renewed_at, Some(at(170)));
    assert_eq!(group(&t, &g).expires_at, Some(at(350)));
    let last = t.last_audit();
    assert_eq!((last.activity, last.time), ("Autorenew group", at(170)));
}

#[test]
fn r13_6_an_ownerless_groups_notices_go_to_the_alternate_addresses() {
    let mut t = tenant(&[
        ("expiration_scope", s("all")),
        ("expiration_notification_emails", s(" it@contoso.com ; ops@contoso.com;")),
    ]);
    let g = m365(&mut t, "Orphan", &[], &[CAROL]);
    t.advance_days(165);
    let log = notices(&t);
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].3, vec!["it@contoso.com".to_string(), "ops@contoso.com".to_string()]);
    assert_eq!((log[0].1.as_str(), log[0].2), (g.as_str(), "expiry_30"));
    assert_eq!(t.t.notification_log()[1].seq, 2);
    // Notices are not audited.
    assert!(t.t.audit_log().iter().all(|e| e.time < at(1)));
    // With no alternate address, nobody.
    t.okk("configure", &[ADMIN], &[("expiration_notification_emails", s(""))]);
    t.advance_days(14);
    assert_eq!(notices(&t)[2].3, Vec::<String>::new());
}

#[test]
fn r13_6_no_notice_is_scheduled_at_or_before_the_instant_expires_at_is_set() {
    let mut t = tenant(&[]);
    let g = m365(&mut t, "Old", &[BOB], &[]);
    t.advance_days(300);
    t.okk("configure", &[ADMIN], &all());
    t.advance_days(40);
    // expires_at = day 335: notices at 305, 320, 334 (all later than day 300).
    assert_eq!(notices(&t).len(), 3);
    let mut t = tenant(&[("expiration_lifetime_days", Arg::Int(30)), ("expiration_scope", s("all"))]);
    m365(&mut t, "Short", &[BOB], &[]);
    t.advance_days(40);
    // Lifetime 30: the 30-day notice would be due at creation, so it is not scheduled.
    assert_eq!(notices(&t).iter().map(|n| n.2).collect::<Vec<_>>(), vec!["expiry_15", "expiry_1"]);
    let _ = g;
}

#[test]
fn r13_7_r8_7_expiry_deletes_as_system_at_its_instant_with_its_provisioning() {
    let mut t = tenant(&[("expiration_scope", s("all")), ("delegated_group_management", b(true))]);
    let g = m365(&mut t, "Team", &[BOB], &[BOB]);
    t.ok("assign", &[ADMIN, "App", &g]);
    t.okk("update_group", &[ADMIN, &g], &[("join_policy", s("owner_approval"))]);
    let q = t.ok("request_to_join", &[CAROL, &g, "please"]);
    let before = t.t.provisioning_log().len();
    t.advance_days(365);
    let delete = t.t.audit_log().iter().find(|e| e.activity == "Delete group").cloned().unwrap();
    assert_eq!((delete.actor.as_str(), delete.time, delete.targets.clone()), ("system", at(180), vec![g.clone()]));
    let prov = &t.t.provisioning_log()[before..];
    assert_eq!(prov.len(), 1);
    assert_eq!((prov[0].cause, prov[0].time, prov[0].change.as_str()), (delete.seq, at(180), "deprovisioned"));
    let req = t.t.request(t.t.find_request(&q).unwrap()).unwrap();
    assert_eq!((req.reason.as_str(), req.decided_by, req.decided_at), ("group_expired", None, Some(at(180))));
    // the purge fired in the same move, 30 days later.
    let purge = t.last_audit();
    assert_eq!((purge.activity, purge.time, purge.actor.as_str()), ("Hard delete group", at(210), "system"));
    assert_eq!(t.t.deleted_groups().count(), 0);
    assert_eq!(t.t.now(), at(365));
}

#[test]
fn r13_8_a_deleted_microsoft365_group_is_kept_and_found_by_no_name() {
    let mut t = tenant(&[
        ("expiration_scope", s("selected")),
        ("delegated_group_management", b(true)),
        ("users_can_create_microsoft365_groups", b(true)),
        ("max_groups_per_user", Arg::Int(1)),
    ]);
    let g = t.okk("create_group", &[BOB, "Team"], &[("kind", s("microsoft365")), ("members", l(&[CAROL]))]);
    t.ok("add_group_to_expiration", &[ADMIN, &g]);
    t.ok("assign", &[ADMIN, "App", &g]);
    assert!(t.has(CAROL, "App"));
    assert_eq!(t.codek("create_group", &[BOB, "Second"], &[("kind", s("microsoft365"))]), "group_quota");
    t.advance_days(1);
    t.ok("delete_group", &[BOB, &g]);
    assert!(!t.has(CAROL, "App"));
    assert_eq!(t.code("update_group", &[BOB, &g]), "group_not_found");
    assert_eq!(t.code("delete_group", &[BOB, "Team"]), "group_not_found");
    assert_eq!(t.t.deleted_groups().collect::<Vec<_>>(), vec![t.t.find_deleted_group(&g).unwrap()]);
    let kept = group(&t, &g);
    assert_eq!(kept.deleted_at, Some(at(1)));
    assert!(t.t.expiration_selected().is_empty(), "R-13.1: it left the selected list");
    // A soft-deleted group does not count toward the quota.
    t.okk("create_group", &[BOB, "Second"], &[("kind", s("microsoft365"))]);
    // A security group's deletion is permanent.
    let sec = t.okk("create_group", &[ADMIN, "Sec"], &[]);
    t.ok("delete_group", &[ADMIN, &sec]);
    assert_eq!(t.code("restore_group", &[ADMIN, &sec]), "group_not_found");
}

#[test]
fn r13_9_an_owner_restores_with_access_selection_and_a_renewal() {
    let mut t = tenant(&[("expiration_scope", s("selected")), ("delegated_group_management", b(true))]);
    let g = m365(&mut t, "Team", &[BOB], &[CAROL, BOB]);
    t.ok("add_group_to_expiration", &[ADMIN, &g]);
    t.ok("assign", &[ADMIN, "App", &g]);
    t.okk("update_group", &[ADMIN, &g], &[("join_policy", s("owner_approval"))]);
    t.user("dan@contoso.com", &[]);
    let q = t.ok("request_to_join", &["dan@contoso.com", &g, "please"]);
    t.advance_days(10);
    t.ok("delete_group", &[ADMIN, &g]);
    assert_eq!(t.code("restore_group", &[CAROL, &g]), "not_owner");
    assert_eq!(t.code("restore_group", &[BOB, "Team"]), "group_not_found", "names do not resolve");
    t.okk("configure", &[ADMIN], &[("delegated_group_management", b(false))]);
    t.advance_days(5);
    let before = t.t.provisioning_log().len();
    t.ok("restore_group", &[BOB, &g]);
    let restore = t.last_audit();
    assert_eq!((restore.activity, restore.targets.clone()), ("Restore group", vec![g.clone()]));
    assert_eq!(
        t.provisioning_since(before),
        vec![
            (BOB.to_string(), "App".to_string(), "provisioned"),
            (CAROL.to_string(), "App".to_string(), "provisioned")
        ]
    );
    assert!(t.t.provisioning_log()[before..].iter().all(|e| e.cause == restore.seq));
    let back = group(&t, &g);
    assert_eq!(back.members.len(), 2);
    assert_eq!(t.t.expiration_selected(), &[t.gix(&g)]);
    assert_eq!((back.renewed_at, back.expires_at), (Some(at(15)), Some(at(195))));
    assert_eq!(t.t.find_group("Team").ok(), Some(t.gix(&g)));
    assert_eq!(t.t.deleted_groups().count(), 0);
    assert_eq!(t.code("restore_group", &[BOB, &g]), "group_not_found", "a live group is not deleted");
    // Cancelled requests stay cancelled.
    let req = t.t.request(t.t.find_request(&q).unwrap()).unwrap();
    assert_eq!((req.status.as_str(), req.reason.as_str()), ("cancelled", "group_deleted"));
}

#[test]
fn r13_9_a_restore_after_a_nested_group_was_deleted() {
    let mut t = tenant(&[("delegated_group_management", b(true))]);
    t.okk("create_resource", &[ADMIN, "Site"], &[("kind", s("site"))]);
    let outer = t.okk("create_group", &[ADMIN, "Outer"], &[]);
    let inner = t.okk("create_group", &[ADMIN, "Inner"], &[("members", l(&[BOB]))]);
    t.ok("add_member", &[ADMIN, &outer, &inner]);
    t.ok("assign", &[ADMIN, "Site", &outer]);
    let team = m365(&mut t, "Team", &[CAROL], &[CAROL, BOB]);
    t.ok("assign", &[ADMIN, "Site", &team]);
    t.ok("delete_group", &[ADMIN, &team]);
    assert!(t.has(BOB, "Site"), "still through the nested group");
    assert!(!t.has(CAROL, "Site"));
    t.ok("delete_group", &[ADMIN, &inner]);
    assert!(!t.has(BOB, "Site"));
    let before = t.t.provisioning_log().len();
    t.ok("restore_group", &[CAROL, &team]);
    assert_eq!(
        t.provisioning_since(before),
        vec![
            (BOB.to_string(), "Site".to_string(), "provisioned"),
            (CAROL.to_string(), "Site".to_string(), "provisioned")
        ]
    );
    assert_eq!(t.members(&team).len(), 2);
    assert_eq!(t.code("restore_group", &[ADMIN, &inner]), "group_not_found");
}

#[test]
fn r13_10_purge_by_an_admin_or_after_30_days_and_the_id_is_never_reused() {
    let mut t = tenant(&[]);
    let g = m365(&mut t, "Team", &[BOB], &[]);
    let h = m365(&mut t, "Other", &[BOB], &[]);
    t.ok("delete_group", &[ADMIN, &g]);
    t.ok("delete_group", &[ADMIN, &h]);
    assert_eq!(t.code("purge_group", &[BOB, &g]), "not_admin");
    t.ok("purge_group", &["ga@contoso.com", &g]);
    assert_eq!((t.last_audit().activity, t.last_audit().targets), ("Hard delete group", vec![g.clone()]));
    assert_eq!(t.code("restore_group", &[ADMIN, &g]), "group_not_found");
    assert_eq!(t.code("purge_group", &[ADMIN, &g]), "group_not_found");
    t.advance_days(29);
    assert_eq!(t.t.deleted_groups().count(), 1);
    t.advance_days(1);
    assert_eq!(t.t.deleted_groups().count(), 0);
    assert_eq!((t.last_audit().activity, t.last_audit().time), ("Hard delete group", at(30)));
    let new = m365(&mut t, "Team", &[BOB], &[]);
    assert!(new != g && new != h);
}

#[test]
fn r13_12_blocked_words_are_whole_words_case_insensitive_and_global_admins_are_exempt() {
    let mut t = tenant(&[
        ("delegated_group_management", b(true)),
        ("users_can_create_microsoft365_groups", b(true)),
        ("users_can_create_security_groups", b(true)),
        ("blocked_words", l(&["CEO", "payroll"])),
    ]);
    let m = [("kind", s("microsoft365"))];
    assert_eq!(t.codek("create_group", &[BOB, "The ceo's team"], &m), "blocked_word");
    let err = t.runk("create_group", &[BOB, "Payroll-2024"], &m).unwrap_err();
    assert!(err.message().contains("Payroll"), "{}", err.message());
    assert_eq!(err.code().map(|c| c.family()), Some(Family::InvalidArgument));
    t.okk("create_group", &[BOB, "CEOs and payrolls"], &m);
    // Only Microsoft 365 groups; a groups admin is not exempt, a global admin is.
    t.okk("create_group", &[BOB, "CEO"], &[]);
    assert_eq!(t.codek("create_group", &["ga@contoso.com", "CEO"], &m), "blocked_word");
    t.okk("create_group", &[ADMIN, "CEO"], &m);
    // Renaming applies the policy to the new name.
    let g = t.okk("create_group", &[BOB, "Sales"], &m);
    assert_eq!(t.codek("update_group", &[BOB, &g], &[("name", s("ceo"))]), "blocked_word");
    t.okk("update_group", &[BOB, &g], &[("description", s("ceo"))]);
}

#[test]
fn r13_12_precedence_blocked_word_is_step_8() {
    let mut t = tenant(&[
        ("delegated_group_management", b(true)),
        ("blocked_words", l(&["ceo"])),
        ("max_groups_per_user", Arg::Int(0)),
    ]);
    let m = [("kind", s("microsoft365"))];
    // Step 6 (creation disabled) before step 8.
    assert_eq!(t.codek("create_group", &[BOB, "ceo"], &m), "group_creation_disabled");
    t.okk("configure", &[ADMIN], &[("users_can_create_microsoft365_groups", b(true))]);
    // Step 8 before step 9 (group_quota).
    assert_eq!(t.codek("create_group", &[BOB, "ceo"], &m), "blocked_word");
    assert_eq!(t.codek("create_group", &[BOB, "fine"], &m), "group_quota");
}

#[test]
fn r13_13_prefix_and_suffix_shape_the_name_with_the_department() {
    let mut t = tenant(&[
        ("delegated_group_management", b(true)),
        ("users_can_create_microsoft365_groups", b(true)),
        ("naming_prefix_suffix", s("GRP-[Department]-[GroupName] (M365)")),
    ]);
    t.okk("add_user", &["dee@contoso.com"], &[("department", s("Sales"))]);
    let m = [("kind", s("microsoft365"))];
    let g = t.okk("create_group", &["dee@contoso.com", "  Leads "], &m);
    assert_eq!(group(&t, &g).name, "GRP-Sales-Leads (M365)");
    let h = t.okk("create_group", &[BOB, "Leads"], &m);
    assert_eq!(group(&t, &h).name, "GRP--Leads (M365)");
    assert_eq!(t.t.enforced_name("dee@contoso.com", "X").unwrap(), "GRP-Sales-X (M365)");
    assert_eq!(t.t.enforced_name(ADMIN, "X").unwrap(), "X");
    assert_eq!(t.t.enforced_name("nobody@contoso.com", "X").unwrap_err().code(), Some(Code::UserNotFound));
    // The result is checked as a name (step 2: before actor_disabled).
    let long = "x".repeat(250);
    assert_eq!(t.codek("create_group", &[BOB, &long], &m), "invalid_name");
    t.enable(BOB, false);
    assert_eq!(t.codek("create_group", &[BOB, &long], &m), "invalid_name");
    assert_eq!(t.codek("create_group", &[BOB, "ok"], &m), "actor_disabled");
    // renaming applies the policy to the new name; older groups keep theirs.
    t.okk("update_group", &["dee@contoso.com", &g], &[("name", s("Managers"))]);
    assert_eq!(group(&t, &g).name, "GRP-Sales-Managers (M365)");
}

#[test]
fn r13_13_settings_refuse_bad_patterns_and_word_lists() {
    let mut t = tenant(&[]);
    for (name, value) in [
        ("naming_prefix_suffix", s("no placeholder")),
        ("naming_prefix_suffix", s("[GroupName][GroupName]")),
        ("blocked_words", l(&["ok", ""])),
        ("expiration_lifetime_days", Arg::Int(29)),
        ("expiration_scope", s("some")),
    ] {
        assert_eq!(t.codek("configure", &[ADMIN], &[(name, value)]), "invalid_setting", "{name}");
    }
    assert_eq!(t.t.settings().naming_prefix_suffix, "");
}

#[test]
fn s9_lifecycle_codes_have_their_families() {
    for (code, family) in [
        ("expiration_not_applicable", Family::InvalidArgument),
        ("blocked_word", Family::InvalidArgument),
        ("already_selected", Family::Conflict),
        ("not_selected", Family::Conflict),
        ("expiration_group_limit", Family::Conflict),
    ] {
        assert_eq!(Code::from_name(code).map(|c| c.family()), Some(family), "{code}");
    }
}

#[test]
fn r10_11_check_accepts_the_lifecycle_actor_commands_only() {
    let mut t = tenant(&all());
    let g = m365(&mut t, "Team", &[BOB], &[]);
    assert_eq!(t.check("renew", &[BOB, &g]), "");
    assert_eq!(t.check("restore_group", &[BOB, &g]), "group_not_found");
    let cmd = ssgm::call::build("record_activity", &[s(&g)], &[]).unwrap();
    assert_eq!(t.t.check(&cmd).code, Some(Code::UnknownCommand));
    let before = t.t.audit_log().len();
    t.check("purge_group", &[ADMIN, &g]);
    assert_eq!(t.t.audit_log().len(), before);
}

/// A history whose clock moves fire every kind of event.
fn busy() -> T {
    let mut t = tenant(&[
        ("expiration_scope", s("all")),
        ("delegated_group_management", b(true)),
        ("expiration_notification_emails", s("it@contoso.com")),
    ]);
    let a = m365(&mut t, "Active", &[BOB], &[BOB]);
    let o = m365(&mut t, "Orphan", &[], &[CAROL]);
    t.ok("assign", &[ADMIN, "App", &a]);
    t.ok("assign", &[ADMIN, "App", &o]);
    t.advance_days(20);
    t.ok("record_activity", &[&a]);
    t.advance_days(170);
    t.ok("restore_group", &[ADMIN, &o]);
    t.advance_days(400);
    t
}

#[test]
fn r8_4_r8_7_a_replayed_history_fires_the_same_events() {
    let t = busy();
    assert!(t.t.audit_log().iter().any(|e| e.activity == "Autorenew group"));
    assert!(t.t.audit_log().iter().any(|e| e.activity == "Hard delete group"));
    assert!(!t.t.notification_log().is_empty());
    let replayed = Tenant::replay(t.t.history().to_vec(), None, "contoso");
    assert_eq!(state(&replayed), state(&t.t));
    assert_eq!(replayed.history().len(), t.t.history().len(), "fired events are not history entries");
}

#[test]
fn r8_7_a_snapshot_carries_scheduled_events() {
    let mut t = tenant(&all());
    let g = m365(&mut t, "Team", &[BOB], &[]);
    t.advance_days(20);
    t.ok("record_activity", &[&g]);
    assert!(!t.t.schedule().is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    ssgm::persist::snapshot::save(&t.t, &path).unwrap();
    let mut back = ssgm::persist::snapshot::load(&path).unwrap();
    assert_eq!(state(&back), state(&t.t));
    for x in [&mut back, &mut t.t] {
        x.execute(Command::Advance { micros: 400 * DAY }).unwrap();
    }
    assert_eq!(state(&back), state(&t.t));
}

#[test]
fn r8_7_a_journal_reopened_after_fired_events_replays_them() {
    let live = busy();
    assert_eq!(state(&through_journal(live.t.history())), state(&live.t));
}

#[test]
fn r8_7_a_clock_move_that_fires_nothing_changes_no_log() {
    let mut t = tenant(&all());
    m365(&mut t, "Team", &[BOB], &[]);
    let (audit, prov) = (t.t.audit_log().len(), t.t.provisioning_log().len());
    t.advance_days(100);
    assert_eq!((t.t.audit_log().len(), t.t.provisioning_log().len(), notices(&t).len()), (audit, prov, 0));
    assert_eq!(t.t.now(), at(100));
}

// ----- properties -------------------------------------------------------------------------

const USERS: [&str; 4] = [ADMIN, BOB, CAROL, "ga@contoso.com"];
const GROUPS: [&str; 3] = ["A", "B", "C"];

fn lifecycle_command(op: u8, a: usize, x: usize, n: u16, t: &Tenant) -> Command {
    let actor = USERS[a % USERS.len()].to_string();
    let group = GROUPS[x % GROUPS.len()].to_string();
    // Deleted groups are named by id.
    let any_id = t.all_groups().get(x % t.all_groups().len().max(1)).map(|g| g.id.clone()).unwrap_or_default();
    match op % 12 {
        0 => Command::CreateGroup {
            actor,
            name: group,
            kind: if n % 4 == 0 { "security".into() } else { "microsoft365".into() },
            join_policy: None,
            description: String::new(),
            owners: if n % 3 == 0 { vec![] } else { vec![BOB.into()] },
            members: vec![CAROL.into()],
            on_premises: false,
        },
        1 => Command::DeleteGroup { actor, group },
        2 => Command::Renew { actor, group },
        3 => Command::RestoreGroup { actor, group: any_id },
        4 => Command::PurgeGroup { actor, group: any_id },
        5 => Command::RecordActivity { group },
        6 => Command::AddGroupToExpiration { actor, group },
        7 => Command::RemoveGroupFromExpiration { actor, group },
        8 => {
            let mut settings = serde_json::Map::new();
            let scope = ["none", "selected", "all"][n as usize % 3];
            settings.insert("expiration_scope".into(), scope.into());
            if n % 5 == 0 {
                settings.insert("expiration_lifetime_days".into(), (30 + u64::from(n % 200)).into());
            }
            Command::Configure { actor, settings }
        }
        9 => Command::Assign { actor, resource: "App".into(), principal: group },
        _ => Command::Advance { micros: i64::from(n % 120) * DAY + i64::from(n % 7) * 3_600_000_000 },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// replaying any prefix gives the live state at that point; no event
    /// fires twice; every covered group has a future expires_at or is deleted.
    #[test]
    fn r8_7_r13_1_random_histories_with_clock_moves(
        ops in proptest::collection::vec((any::<u8>(), 0usize..4, 0usize..3, any::<u16>()), 1..40)
    ) {
        let mut t = tenant(&[("expiration_lifetime_days", Arg::Int(30))]);
        let base = t.t.history().len();
        let mut states = Vec::new();
        for (op, a, x, n) in ops {
            let cmd = lifecycle_command(op, a, x, n, &t.t);
            let _ = t.t.execute(cmd);
            states.push((t.t.history().len(), state(&t.t)));
            for (gi, g) in t.t.groups() {
                if t.t.covered(gi) {
                    // an event due now waits for the next move; never one in the past.
                    prop_assert!(g.expires_at.is_some_and(|e| e >= t.t.now()), "{} {:?}", g.id, g.expires_at);
                } else {
                    prop_assert_eq!(g.expires_at, None);
                }
            }
        }
        let history = t.t.history().to_vec();
        for (len, expected) in states.iter().skip(states.len().saturating_sub(6)) {
            let replayed = Tenant::replay(history.clone(), Some(*len), "contoso");
            prop_assert_eq!(&state(&replayed), expected);
        }
        prop_assert!(history.len() > base);
        // No event fires twice: one expiry per group, one purge per group, one notice of
        // each kind per expiry instant.
        let mut expiries = std::collections::HashSet::new();
        for e in t.t.audit_log().iter().filter(|e| e.actor == "system" && (e.activity == "Delete group" || e.activity == "Hard delete group")) {
            prop_assert!(expiries.insert((e.activity, e.targets.clone(), e.time)));
        }
        let mut seen = std::collections::HashSet::new();
        for n in t.t.notification_log() {
            prop_assert!(seen.insert((n.group.clone(), n.notice, n.time)), "{:?}", n);
        }
    }
}

// ----- import (R-8.5 as §13 amends it) ----------------------------------------------------------

fn import(t: &mut T, data: serde_json::Value) -> ssgm::Result<Outcome> {
    let data = ssgm::DirectoryData::from_value(data)?;
    t.t.execute(Command::ImportDirectory { data: Box::new(data) })
}

#[test]
fn r8_5_r13_import_keeps_a_covered_groups_expiry_as_given_without_the_floor() {
    let mut t = tenant(&[]);
    t.advance_days(10);
    import(
        &mut t,
        serde_json::json!({
            "settings": {"expiration_scope": "all"},
            "groups": [
                {"id": "g-soon", "name": "Soon", "kind": "microsoft365", "renewed_at": format_time(at(1)), "expires_at": format_time(at(12))},
                {"id": "g-none", "name": "No date", "kind": "microsoft365"},
                {"id": "g-renewed", "name": "Renewed", "kind": "microsoft365", "renewed_at": format_time(at(5))},
                {"id": "g-sec", "name": "Sec", "kind": "security", "expires_at": format_time(at(12))},
            ]
        }),
    )
    .unwrap();
    // Kept as given: 2 days from now, no 35-day floor.
    assert_eq!(group(&t, "g-soon").expires_at, Some(at(12)));
    assert_eq!(group(&t, "g-soon").renewed_at, Some(at(1)));
    // Without it: anchor + lifetime, with the floor: created now, so now + 180.
    assert_eq!(group(&t, "g-none").expires_at, Some(at(10 + 180)));
    assert_eq!(group(&t, "g-renewed").expires_at, Some(at(5 + 180)));
    // Ignored unless covered.
    assert_eq!(group(&t, "g-sec").expires_at, None);
    t.advance_days(2);
    assert!(t.t.find_group("g-soon").is_err(), "expired at its imported instant");
    assert!(t.t.deleted_groups().any(|g| t.t.all_groups()[g as usize].id == "g-soon"));
}

#[test]
fn r8_5_r13_a_past_expiry_expires_at_the_next_clock_move() {
    let mut t = tenant(&all());
    t.advance_days(100);
    import(
        &mut t,
        serde_json::json!({"groups": [{"id": "g-old", "name": "Old", "kind": "microsoft365", "expires_at": format_time(at(3))}]}),
    )
    .unwrap();
    assert_eq!(group(&t, "g-old").expires_at, Some(at(3)));
    assert!(t.t.find_group("g-old").is_ok());
    t.t.execute(Command::Advance { micros: 0 }).unwrap();
    assert!(t.t.find_group("g-old").is_err());
    assert_eq!(t.t.audit_log().last().unwrap().activity, "Delete group");
}

#[test]
fn r8_5_r13_8_an_imported_deleted_group_is_restorable_with_what_it_was_given() {
    let mut t = tenant(&[]);
    t.advance_days(40);
    import(
        &mut t,
        serde_json::json!({
            "groups": [
                {"id": "g-gone", "name": "Gone", "kind": "microsoft365", "owners": [BOB], "members": [CAROL], "deleted_at": format_time(at(20))},
                {"id": "g-later", "name": "Later", "kind": "microsoft365", "deleted_at": format_time(at(35))},
                {"id": "g-first", "name": "First", "kind": "microsoft365", "deleted_at": format_time(at(15))},
            ],
            "resources": [{"id": "r-app2", "name": "App2", "assigned": ["g-gone"]}]
        }),
    )
    .unwrap();
    // Deleted: not found by name or id, listed in deletion order with its instant.
    assert!(t.t.find_group("Gone").is_err());
    let deleted: Vec<(String, Option<Timestamp>)> =
        t.t.deleted_groups()
            .map(|g| (t.t.all_groups()[g as usize].id.clone(), t.t.all_groups()[g as usize].deleted_at))
            .collect();
    assert_eq!(
        deleted,
        [
            ("g-first".to_string(), Some(at(15))),
            ("g-gone".to_string(), Some(at(20))),
            ("g-later".to_string(), Some(at(35)))
        ]
    );
    assert!(!t.has(CAROL, "App2"));
    // Restored with its owners, members and assignment.
    t.ok("restore_group", &[ADMIN, "g-gone"]);
    assert_eq!(t.members("g-gone"), [t.t.find_user(CAROL).map(|u| t.t.users()[u as usize].id.clone()).unwrap()]);
    assert!(t.has(CAROL, "App2"));
    // g-first was deleted 25 days before the import: purged 30 days after its deletion.
    t.advance_days(5);
    assert!(t.t.find_deleted_group("g-first").is_err(), "purged at deleted_at + 30 days");
    assert!(t.t.find_deleted_group("g-later").is_ok());
}

#[test]
fn r8_5_r13_import_date_errors() {
    let mut t = tenant(&[]);
    // deleted_at on another kind: invalid_kind.
    let err = import(&mut t, serde_json::json!({"groups": [{"name": "S", "deleted_at": "2016-06-01T00:00:00Z"}]}))
        .unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidKind), "{}", err.message());
    // Text that is no instant: invalid_time, naming the group and field.
    let err =
        import(&mut t, serde_json::json!({"groups": [{"name": "M", "kind": "microsoft365", "expires_at": "soon"}]}))
            .unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidTime));
    assert!(err.message().contains("expires_at") && err.message().contains("\"M\""), "{}", err.message());
    // A wrong type is a type error.
    let err = import(&mut t, serde_json::json!({"groups": [{"name": "M", "renewed_at": 5}]})).unwrap_err();
    assert!(matches!(err, ssgm::Error::Type(_)), "{err:?}");
    assert!(t.t.find_group("M").is_err() && t.t.find_group("S").is_err(), "nothing imported");
}

#[test]
fn r8_5_r13_3_import_settings_recover_existing_groups() {
    let mut t = tenant(&[]);
    let g = m365(&mut t, "Team", &[BOB], &[]);
    assert_eq!(group(&t, &g).expires_at, None);
    t.advance_days(10);
    import(&mut t, serde_json::json!({"settings": {"expiration_scope": "all", "expiration_lifetime_days": 30}}))
        .unwrap();
    // An existing group newly covered: anchor + lifetime, not sooner than 35 days from now.
    assert_eq!(group(&t, &g).expires_at, Some(at(10 + 35)));
}

#[test]
fn r8_4_r13_imported_dates_replay_identically() {
    let mut t = tenant(&all());
    t.advance_days(3);
    import(
        &mut t,
        serde_json::json!({"groups": [
            {"id": "g-a", "name": "A", "kind": "microsoft365", "expires_at": format_time(at(50))},
            {"id": "g-d", "name": "D", "kind": "microsoft365", "deleted_at": format_time(at(1))}
        ]}),
    )
    .unwrap();
    t.advance_days(60);
    let replayed = Tenant::replay(t.t.history().to_vec(), None, t.t.name());
    assert_eq!(state(&replayed), state(&t.t));
}

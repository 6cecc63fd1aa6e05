//! SPEC §11: importing the Microsoft Graph export fixture (tests/data/graph/contoso).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/graph/contoso")
}

fn who(t: &Tenant, app: &str) -> Vec<String> {
    let r = t.find_resource(app).unwrap();
    t.who_has_access(r).into_iter().map(|u| t.user(u).unwrap().upn.split('@').next().unwrap().to_string()).collect()
}

#[test]
fn r11_1_from_graph_is_one_import() {
    let t = Tenant::from_graph(&fixture(), None, &Map::new()).unwrap();
    assert_eq!(t.name(), "contoso");
    assert_eq!(t.history().len(), 1);
    assert_eq!(t.history()[0].name(), "import_directory");
    assert_eq!(t.audit_log().len(), 1);
    assert!(t.import_report().is_some());
    // Graph's object ids are kept.
    assert!(t.users().iter().all(|u| u.id.len() == 36));
}

#[test]
fn r11_3_to_r11_5_objects_and_effective_access() {
    let t = Tenant::from_graph(&fixture(), Some("c"), &Map::new()).unwrap();
    let mut sf = who(&t, "Salesforce");
    sf.sort();
    assert_eq!(sf, ["gradya", "leeg", "lynner"]);
    let mut wd = who(&t, "Workday");
    wd.sort();
    assert_eq!(wd, ["adelev", "diegos", "lynner", "pradeepg"]);
    let roles = |upn: &str| t.user(t.find_user(upn).unwrap()).unwrap().roles.list();
    assert_eq!(roles("meganb@contoso.com").len(), 1);
    assert!(roles("isaiahl@contoso.com")[0].as_str() == "groups_admin");
    assert!(roles("diegos@contoso.com").is_empty());
    assert!(!t.user(t.find_user("johannal@contoso.com").unwrap()).unwrap().enabled);
    let kinds: Vec<&str> = t.groups().map(|(_, g)| g.kind.as_str()).collect();
    for k in ["security", "microsoft365", "mail_enabled_security", "distribution"] {
        assert!(kinds.contains(&k), "{k}");
    }
    assert!(t.groups().any(|(_, g)| g.on_premises));
    assert!(t.groups().all(|(_, g)| g.join_policy.as_str() == "owners_only"));
}

#[test]
fn r11_6_r11_8_settings_from_the_export_and_overrides() {
    let mut over = Map::new();
    over.insert("delegated_group_management".into(), json!(true));
    over.insert("users_can_create_security_groups".into(), json!(true));
    let t = Tenant::from_graph(&fixture(), None, &over).unwrap();
    let s = t.settings();
    assert!(s.delegated_group_management && s.users_can_create_security_groups);
    assert!(!s.users_can_create_microsoft365_groups);
    assert_eq!(s.microsoft365_creation_group, "Microsoft 365 creators");
    let report = t.import_report().unwrap();
    let defaults: Vec<&str> =
        report["settings_from_defaults"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(!defaults.contains(&"delegated_group_management"));
    assert!(defaults.contains(&"self_service_scope"));
    // A bad override refuses the import and returns no tenant.
    let mut bad = Map::new();
    bad.insert("self_service_scope".into(), json!("few"));
    assert_eq!(Tenant::from_graph(&fixture(), None, &bad).unwrap_err().code(), Some(Code::InvalidSetting));
}

/// R-11.1, R-11.3 – R-11.7: the reader's data for the fixture is the import data committed in
/// tests/data/graph/contoso-directory.json (what the reader gave as JSON, read by
/// `import_directory`'s own reading of data), field for field, report and settings included.
#[test]
fn r11_1_the_fixture_reads_as_the_committed_import_data() {
    let path = fixture().with_file_name("contoso-directory.json");
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let data = ssgm::graph::graph_to_directory(&fixture(), &Map::new()).unwrap();
    assert_eq!(data.report.as_ref(), expected.get("report"));
    assert_eq!(data, ssgm::DirectoryData::from_value(expected).unwrap());
    // R-14.6: the sign-in instant is read as an instant, not kept as text.
    assert!(data.users.iter().any(|u| u.last_sign_in.is_some()));
}

#[test]
fn r11_7_report_counts_what_was_skipped() {
    let data = ssgm::graph::graph_to_directory(&fixture(), &Map::new()).unwrap().to_value();
    let skipped = &data["report"]["skipped"];
    assert_eq!(skipped["device"], json!(1));
    assert_eq!(skipped["nested_group_not_allowed"], json!(1));
    assert_eq!(skipped["membershipRule"], json!(1));
    let renamed = data["report"]["renamed"].as_object().unwrap();
    assert_eq!(renamed.len(), 1);
    assert!(renamed.values().all(|v| v.as_str().unwrap().starts_with("Salesforce (")));
}

#[test]
fn r11_2_bad_exports_are_invalid_export() {
    let dir = tempfile::tempdir().unwrap();
    let err = Tenant::from_graph(dir.path(), None, &Map::new()).unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidExport));
    assert!(err.message().contains("users.json"), "{}", err.message());
    std::fs::write(dir.path().join("users.json"), "{\"value\": [\n  {\"id\": \"a\",").unwrap();
    std::fs::write(dir.path().join("groups.json"), "{\"value\": []}").unwrap();
    let err = Tenant::from_graph(dir.path(), None, &Map::new()).unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidExport));
    assert!(err.message().contains("line"), "{}", err.message());
    let _: Value = json!(null);
}

/// §13 additions to §11: the lifecycle policy, group dates, naming values and deleted groups.
#[test]
fn r11_r13_the_export_gives_lifecycle_settings_dates_and_deleted_groups() {
    let data = ssgm::graph::graph_to_directory(&fixture(), &Map::new()).unwrap().to_value();
    let settings = &data["settings"];
    // groupLifecyclePolicies.json: the first policy.
    assert_eq!(settings["expiration_scope"], json!("selected"));
    assert_eq!(settings["expiration_lifetime_days"], json!(365));
    assert_eq!(settings["expiration_notification_emails"], json!("admin@contoso.com; it@contoso.com"));
    // Group.Unified's naming values (empty in this export, but given).
    assert_eq!(settings["naming_prefix_suffix"], json!(""));
    assert_eq!(settings["blocked_words"], json!([]));
    let defaults: Vec<&str> =
        data["report"]["settings_from_defaults"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    // `Selected`: the selected list is not in the export; it is named right after the scope's place.
    assert_eq!(
        defaults,
        [
            "delegated_group_management",
            "self_service_scope",
            "self_service_group",
            "max_groups_per_user",
            "max_owners_per_group",
            "expiration_selected_groups",
            "group_owners_manage_reviews"
        ]
        .iter()
        .filter(|n| ssgm::model::SETTING_NAMES.contains(n) || **n == "expiration_selected_groups")
        .copied()
        .collect::<Vec<_>>()
    );
    let groups = data["groups"].as_array().unwrap();
    let retail = groups.iter().find(|g| g["name"] == "Retail").unwrap();
    assert_eq!(retail["renewed_at"], json!("2016-09-01T10:00:00Z"));
    assert_eq!(retail["expires_at"], json!("2017-09-01T10:00:00Z"));
    let old = groups.iter().find(|g| g["name"] == "Old project").unwrap();
    assert_eq!(old["deleted_at"], json!("2017-02-20T08:15:00Z"));
    assert_eq!(old["members"], json!([]));
}

#[test]
fn r11_1_r13_from_graph_now_reads_the_exports_dates_at_its_date() {
    let now = ssgm::model::parse_time("2017-03-01T00:00:00Z").unwrap();
    let mut over = Map::new();
    over.insert("expiration_scope".into(), json!("all"));
    let t = Tenant::from_graph_at(&fixture(), None, &over, Some(now)).unwrap();
    // The history is set_time(now), then the import.
    let ops: Vec<&str> = t.history().iter().map(|c| c.name()).collect();
    assert_eq!(ops, ["set_time", "import_directory"]);
    assert_eq!(t.now(), now);
    let retail = t.find_group("Retail").unwrap();
    assert_eq!(t.all_groups()[retail as usize].expires_at, ssgm::model::parse_time("2017-09-01T10:00:00Z"));
    assert_eq!(t.all_groups()[retail as usize].renewed_at, ssgm::model::parse_time("2016-09-01T10:00:00Z"));
    // The deleted group is restorable, its purge 30 days after its deletion.
    let old: Vec<&str> = t.deleted_groups().map(|g| t.all_groups()[g as usize].name.as_str()).collect();
    assert_eq!(old, ["Old project"]);
    assert!(t.find_group("Old project").is_err());
    // `now` before the start is invalid_time, and no tenant.
    let err = Tenant::from_graph_at(&fixture(), None, &Map::new(), Some(ssgm::model::EPOCH_START - 1)).unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidTime));
}

#[test]
fn r11_2_r13_bad_lifecycle_files_are_invalid_export() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("c");
    copy_dir(&fixture(), &copy);
    std::fs::write(
        copy.join("groupLifecyclePolicies.json"),
        r#"{"value": [{"id": "p", "managedGroupTypes": "Some"}]}"#,
    )
    .unwrap();
    let err = Tenant::from_graph(&copy, None, &Map::new()).unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidExport));
    assert!(
        err.message().contains("groupLifecyclePolicies.json") && err.message().contains("Some"),
        "{}",
        err.message()
    );
    std::fs::remove_file(copy.join("groupLifecyclePolicies.json")).unwrap();
    std::fs::write(
        copy.join("deletedGroups.json"),
        r#"{"value": [{"id": "d", "displayName": "D", "groupTypes": ["Unified"], "deletedDateTime": "yesterday"}]}"#,
    )
    .unwrap();
    let err = Tenant::from_graph(&copy, None, &Map::new()).unwrap_err();
    assert_eq!(err.code(), Some(Code::InvalidExport));
    assert!(err.message().contains("deletedGroups.json") && err.message().contains("yesterday"), "{}", err.message());
    // Without the lifecycle file, its settings come from defaults again.
    std::fs::remove_file(copy.join("deletedGroups.json")).unwrap();
    let data = ssgm::graph::graph_to_directory(&copy, &Map::new()).unwrap().to_value();
    let defaults = data["report"]["settings_from_defaults"].as_array().unwrap();
    assert!(defaults.contains(&json!("expiration_scope")) && !defaults.contains(&json!("expiration_selected_groups")));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Progress of a Graph import (R-11.1): the reading of the export and the import report to the
/// calling thread's sink, each phase ending at its total.
#[test]
fn r11_1_from_graph_reports_progress_to_the_threads_sink() {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let log = seen.clone();
    let t = ssgm::progress::with_sink(
        move |phase, done, total| log.borrow_mut().push((phase.to_string(), done, total)),
        || Tenant::from_graph(&fixture(), None, &Map::new()).unwrap(),
    );
    let seen = seen.borrow();
    let last = |phase: &str| seen.iter().rev().find(|(p, _, _)| p == phase).cloned();
    // One unit per live group whose members and owners files are read.
    assert_eq!(last("read"), Some(("read".to_string(), 9, 9)), "{seen:?}");
    let objects = (t.users().len() + t.all_groups().len() + t.resources().len()) as u64;
    assert_eq!(last("import"), Some(("import".to_string(), objects, objects)), "{seen:?}");
    // Without a sink, nothing is kept.
    ssgm::progress::report("read", 1, 1);
}

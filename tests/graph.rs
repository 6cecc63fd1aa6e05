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
    let defaults: Vec<&str> = report["settings_from_defaults"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(!defaults.contains(&"delegated_group_management"));
    assert!(defaults.contains(&"self_service_scope"));
    // A bad override refuses the import and returns no tenant.
    let mut bad = Map::new();
    bad.insert("self_service_scope".into(), json!("few"));
    assert_eq!(Tenant::from_graph(&fixture(), None, &bad).unwrap_err().code(), Some(Code::InvalidSetting));
}

#[test]
fn r11_7_report_counts_what_was_skipped() {
    let data = ssgm::graph::graph_to_directory(&fixture(), &Map::new()).unwrap();
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

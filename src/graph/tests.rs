//! Unit tests of the Graph reader, file by file and on the contoso fixture.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
use super::*;
use serde_json::json;
use std::path::PathBuf;

const U1: &str = "u-1";
const U2: &str = "u-2";
const U3: &str = "u-3";

/// An export folder holding `files` (path relative to the folder, contents).
fn export(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// A collection response holding `items`, as Graph sends it.
fn coll(items: Value) -> String {
    json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects", "value": items}).to_string()
}

fn user(id: &str, upn: &str) -> Value {
    json!({"id": id, "userPrincipalName": upn, "displayName": upn.split('@').next().unwrap(), "accountEnabled": true})
}

fn three_users() -> (&'static str, String) {
    ("users.json", coll(json!([user(U1, "ann@contoso.com"), user(U2, "bob@contoso.com"), user(U3, "cy@contoso.com")])))
}

fn security(id: &str, name: &str) -> Value {
    json!({"id": id, "displayName": name, "groupTypes": [], "securityEnabled": true, "mailEnabled": false})
}

fn member_user(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.user", "id": id})
}

fn member_group(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.group", "id": id})
}

/// The basic export: three users, one security group `g-1`, plus `extra` files.
fn basic(extra: &[(&str, String)]) -> tempfile::TempDir {
    let mut files = vec![three_users(), ("groups.json", coll(json!([security("g-1", "Sales")])))];
    files.extend(extra.iter().map(|(rel, text)| (*rel, text.clone())));
    export(&files)
}

/// The data of a conversion, as JSON (the shape the faces give).
fn convert(dir: &tempfile::TempDir) -> Value {
    graph_to_directory(dir.path(), &Map::new()).unwrap().to_value()
}

/// The code and message of a refused conversion.
fn refusal(dir: &tempfile::TempDir) -> (Code, String) {
    match graph_to_directory(dir.path(), &Map::new()) {
        Ok(data) => panic!("expected a refusal, got {:?}", data.to_value()),
        Err(e) => (e.code().unwrap(), e.message().to_string()),
    }
}

fn assert_invalid(dir: &tempfile::TempDir, needles: &[&str]) {
    let (code, message) = refusal(dir);
    assert_eq!(code, Code::InvalidExport, "{message}");
    for needle in needles {
        assert!(message.contains(needle), "{message:?} does not contain {needle:?}");
    }
    assert!(message.ends_with('.'), "{message:?} is not one sentence");
}

fn group_of<'a>(data: &'a Value, id: &str) -> &'a Value {
    data["groups"].as_array().unwrap().iter().find(|g| g["id"] == id).unwrap()
}

fn user_of<'a>(data: &'a Value, id: &str) -> &'a Value {
    data["users"].as_array().unwrap().iter().find(|u| u["id"] == id).unwrap()
}

// --- files and shapes ---------------------------------------------------------

#[test]
fn r11_2_users_json_is_required() {
    let dir = export(&[("groups.json", coll(json!([])))]);
    assert_invalid(&dir, &["users.json", "missing"]);
}

#[test]
fn r11_2_groups_json_is_required() {
    let dir = export(&[three_users()]);
    assert_invalid(&dir, &["groups.json", "missing"]);
}

#[test]
fn r11_2_a_missing_folder_is_invalid_export() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let e = graph_to_directory(&missing, &Map::new()).unwrap_err();
    assert_eq!(e.code(), Some(Code::InvalidExport));
    assert!(e.message().contains("nowhere"));
}

#[test]
fn r11_2_missing_optional_files_mean_empty() {
    let data = convert(&basic(&[]));
    assert_eq!(data["resources"], json!([]));
    assert_eq!(group_of(&data, "g-1")["members"], json!([]));
    assert_eq!(group_of(&data, "g-1")["owners"], json!([]));
    assert_eq!(user_of(&data, U1)["roles"], json!([]));
    assert_eq!(data["report"]["skipped"], json!({}));
    assert_eq!(data["report"]["renamed"], json!({}));
    let keys: Vec<&String> = data.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["users", "groups", "resources", "settings", "report"]);
}

/// a sign-in that is not an instant (text or not) is refused, naming the file,
/// the user and the property; one that is read becomes the user's instant.
#[test]
fn r14_6_sign_in_must_be_an_instant() {
    for bad in [json!("yesterday"), json!(5)] {
        let mut ann = user(U1, "ann@contoso.com");
        ann["signInActivity"] = json!({"lastSignInDateTime": bad});
        let dir = export(&[("users.json", coll(json!([ann]))), ("groups.json", coll(json!([])))]);
        assert_invalid(&dir, &["users.json", U1, "signInActivity.lastSignInDateTime", "ISO 8601"]);
    }
    let mut ann = user(U1, "ann@contoso.com");
    ann["signInActivity"] = json!({"lastSignInDateTime": "2016-06-10T10:15:00+02:00"});
    let dir = export(&[("users.json", coll(json!([ann]))), ("groups.json", coll(json!([])))]);
    let data = graph_to_directory(dir.path(), &Map::new()).unwrap();
    assert_eq!(data.users[0].last_sign_in, crate::model::parse_time("2016-06-10T08:15:00Z"));
}

#[test]
fn r11_2_truncated_json_names_the_file_line_and_column() {
    let text = "{\n  \"value\": [\n    {\"@odata.type\": \"#microsoft.graph.user\", \"id\": \"u-1\"},\n";
    let dir = basic(&[("groups/g-1/members.json", text.to_string())]);
    let (code, message) = refusal(&dir);
    assert_eq!(code, Code::InvalidExport);
    assert!(message.starts_with("groups/g-1/members.json is not valid JSON at line 4, column 0"), "{message}");
    assert!(message.contains("EOF"), "{message}");
}

#[test]
fn r11_2_bad_json_position_in_the_middle_of_a_file() {
    let dir = export(&[("users.json", "{\"value\": [\n  {\"id\": \"u-1\",, }\n]}".to_string())]);
    let (code, message) = refusal(&dir);
    assert_eq!(code, Code::InvalidExport);
    assert!(message.contains("users.json") && message.contains("line 2, column 16"), "{message}");
}

#[test]
fn r11_2_a_byte_order_mark_is_allowed() {
    let users = format!("\u{FEFF}{}", coll(json!([user(U1, "ann@contoso.com")])));
    let groups = format!("\u{FEFF}{}", coll(json!([security("g-1", "Sales")])));
    let policy = "\u{FEFF}{\"defaultUserRolePermissions\": {\"allowedToCreateSecurityGroups\": false}}";
    let dir = export(&[("users.json", users), ("groups.json", groups), ("authorizationPolicy.json", policy.into())]);
    let data = convert(&dir);
    assert_eq!(data["users"][0]["upn"], "ann@contoso.com");
    assert_eq!(data["settings"]["users_can_create_security_groups"], false);
}

#[test]
fn r11_2_a_collection_must_be_an_object_with_a_value_array_of_objects() {
    for (text, what) in [
        ("[]", "collection"),
        ("{\"@odata.context\": \"x\"}", "collection"),
        ("{\"value\": {}}", "collection"),
        ("{\"value\": [1]}", "value[0]"),
        ("{\"value\": [{\"@odata.type\": \"#microsoft.graph.user\", \"id\": \"u-1\"}, \"u-2\"]}", "value[1]"),
    ] {
        let dir = basic(&[("groups/g-1/owners.json", text.to_string())]);
        assert_invalid(&dir, &["groups/g-1/owners.json", what]);
    }
}

#[test]
fn r11_2_a_next_link_means_only_a_first_page() {
    let text = json!({"value": [], "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=X"});
    let dir = export(&[("users.json", text.to_string()), ("groups.json", coll(json!([])))]);
    assert_invalid(&dir, &["users.json", "@odata.nextLink"]);
    let page = json!({"value": [], "@odata.nextLink": "next"}).to_string();
    let dir = basic(&[("servicePrincipals.json", page)]);
    assert_invalid(&dir, &["servicePrincipals.json", "first page"]);
}

#[test]
fn r11_2_required_properties() {
    let sp = json!([{"id": "sp-1", "displayName": "App"}]).to_string();
    let cases: Vec<(&str, String, &[&str])> = vec![
        ("users.json", coll(json!([{"userPrincipalName": "a@contoso.com"}])), &["value[0]", "\"id\""]),
        ("users.json", coll(json!([{"id": "u-9", "userPrincipalName": null}])), &["user \"u-9\"", "userPrincipalName"]),
        ("groups.json", coll(json!([{"displayName": "G"}])), &["value[0]", "\"id\""]),
        ("groups.json", coll(json!([{"id": "g-9"}])), &["group \"g-9\"", "displayName"]),
        ("groups/g-1/members.json", coll(json!([{"id": U1}])), &["member \"u-1\"", "@odata.type"]),
        ("groups/g-1/owners.json", coll(json!([{"@odata.type": "#microsoft.graph.user"}])), &["value[0]", "\"id\""]),
        ("servicePrincipals.json", coll(json!([{"id": "sp-1"}])), &["service principal \"sp-1\"", "displayName"]),
        (
            "directoryRoles.json",
            coll(json!([{"id": "r-1", "displayName": "Global Administrator"}])),
            &["value[0]", "roleTemplateId"],
        ),
    ];
    for (rel, text, needles) in cases {
        let dir = basic(&[(rel, text)]);
        let mut all = vec![rel];
        all.extend_from_slice(needles);
        assert_invalid(&dir, &all);
    }
    // Assignments: principalType and principalId.
    for (entry, needle) in [
        (json!({"id": "a-1", "principalId": U1}), "principalType"),
        (json!({"id": "a-1", "principalType": "User"}), "principalId"),
    ] {
        let rel = "servicePrincipals/sp-1/appRoleAssignedTo.json";
        let dir = basic(&[("servicePrincipals.json", format!("{{\"value\": {sp}}}")), (rel, coll(json!([entry])))]);
        assert_invalid(&dir, &[rel, "assignment \"a-1\"", needle]);
    }
}

#[test]
fn r11_2_a_wrong_json_type_names_the_entry_and_property() {
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "users.json",
            coll(json!([{"id": U1, "userPrincipalName": "a@contoso.com", "accountEnabled": "yes"}])),
            &["user \"u-1\"", "accountEnabled", "boolean"],
        ),
        (
            "users.json",
            coll(json!([{"id": 7, "userPrincipalName": "a@contoso.com"}])),
            &["value[0]", "\"id\"", "string"],
        ),
        (
            "users.json",
            coll(json!([{"id": U1, "userPrincipalName": "a@contoso.com", "department": ["x"]}])),
            &["user \"u-1\"", "department"],
        ),
        (
            "groups.json",
            coll(json!([{"id": "g-1", "displayName": "G", "groupTypes": "Unified"}])),
            &["group \"g-1\"", "groupTypes"],
        ),
        (
            "groups.json",
            coll(json!([{"id": "g-1", "displayName": "G", "groupTypes": [1]}])),
            &["group \"g-1\"", "groupTypes"],
        ),
        (
            "groups.json",
            coll(json!([{"id": "g-1", "displayName": "G", "securityEnabled": 1}])),
            &["group \"g-1\"", "securityEnabled"],
        ),
        (
            "groups.json",
            coll(json!([{"id": "g-1", "displayName": "G", "onPremisesSyncEnabled": "true"}])),
            &["group \"g-1\"", "onPremisesSyncEnabled"],
        ),
        ("groups/g-1/members.json", coll(json!([{"id": U1, "@odata.type": 3}])), &["member \"u-1\"", "@odata.type"]),
        (
            "directoryRoles.json",
            coll(json!([{"roleTemplateId": "62e90394-69f5-4237-9190-012177145e10", "members": {}}])),
            &["directory role", "members"],
        ),
        (
            "authorizationPolicy.json",
            json!({"defaultUserRolePermissions": {"allowedToCreateSecurityGroups": "no"}}).to_string(),
            &["allowedToCreateSecurityGroups"],
        ),
        (
            "authorizationPolicy.json",
            json!({"defaultUserRolePermissions": true}).to_string(),
            &["defaultUserRolePermissions"],
        ),
        (
            "groupSettings.json",
            coll(
                json!([{"id": "s-1", "displayName": "Group.Unified", "values": [{"name": "EnableGroupCreation", "value": false}]}]),
            ),
            &["setting \"s-1\"", "value"],
        ),
    ];
    for (rel, text, needles) in cases {
        let mut files = vec![three_users()];
        if rel != "groups.json" {
            files.push(("groups.json", coll(json!([security("g-1", "Sales")]))));
        }
        if rel != "users.json" {
            files.push((rel, text));
        } else {
            files[0] = (rel, text);
        }
        let dir = export(&files);
        let mut all = vec![rel];
        all.extend_from_slice(needles);
        assert_invalid(&dir, &all);
    }
}

#[test]
fn r11_2_missing_or_null_properties_take_defaults() {
    let users = coll(json!([
        {"id": U1, "userPrincipalName": "ann@contoso.com", "displayName": null, "department": null, "accountEnabled": null},
        {"id": U2, "userPrincipalName": "bob@contoso.com"},
    ]));
    let groups = coll(json!([
        {"id": "g-1", "displayName": "Plain", "description": null, "groupTypes": null, "securityEnabled": null,
         "mailEnabled": null, "onPremisesSyncEnabled": null},
    ]));
    let roles = coll(json!([{"roleTemplateId": "62e90394-69f5-4237-9190-012177145e10", "members": null}]));
    let dir = export(&[("users.json", users), ("groups.json", groups), ("directoryRoles.json", roles)]);
    let data = convert(&dir);
    assert_eq!(data["users"][0], json!({"id": U1, "upn": "ann@contoso.com", "roles": [], "enabled": true}));
    assert_eq!(data["users"][1], json!({"id": U2, "upn": "bob@contoso.com", "roles": [], "enabled": true}));
    assert_eq!(
        data["groups"][0],
        json!({"id": "g-1", "name": "Plain", "description": "", "kind": "security", "join_policy": "owners_only",
               "owners": [], "members": [], "on_premises": false})
    );
}

#[test]
fn r11_2_an_unknown_user_or_group_is_refused() {
    let sp = coll(json!([{"id": "sp-1", "displayName": "App"}]));
    let cases: Vec<(&str, String, &[&str])> = vec![
        ("groups/g-1/members.json", coll(json!([member_user("u-404")])), &["member \"u-404\"", "users.json"]),
        ("groups/g-1/members.json", coll(json!([member_group("g-404")])), &["member \"g-404\"", "groups.json"]),
        ("groups/g-1/owners.json", coll(json!([member_user("u-404")])), &["owner \"u-404\"", "users.json"]),
        ("servicePrincipals/sp-1/owners.json", coll(json!([member_user("u-404")])), &["owner \"u-404\""]),
        (
            "servicePrincipals/sp-1/appRoleAssignedTo.json",
            coll(json!([{"principalType": "User", "principalId": "u-404"}])),
            &["value[0]", "user \"u-404\""],
        ),
        (
            "servicePrincipals/sp-1/appRoleAssignedTo.json",
            coll(json!([{"principalType": "Group", "principalId": "g-404"}])),
            &["group \"g-404\""],
        ),
        (
            "directoryRoles.json",
            coll(
                json!([{"roleTemplateId": "62e90394-69f5-4237-9190-012177145e10", "members": [member_user("u-404")]}]),
            ),
            &["member \"u-404\""],
        ),
        (
            "directoryRoles.json",
            coll(
                json!([{"roleTemplateId": "fdd7a751-b60b-444a-984c-02652fe8fa1c", "members": [member_group("g-404")]}]),
            ),
            &["member \"g-404\""],
        ),
        (
            "groupSettings.json",
            coll(
                json!([{"id": "s-1", "displayName": "Group.Unified", "values": [{"name": "GroupCreationAllowedGroupId", "value": "g-404"}]}]),
            ),
            &["g-404", "GroupCreationAllowedGroupId"],
        ),
    ];
    for (rel, text, needles) in cases {
        let dir = basic(&[("servicePrincipals.json", sp.clone()), (rel, text)]);
        let mut all = vec![rel];
        all.extend_from_slice(needles);
        assert_invalid(&dir, &all);
    }
}

#[test]
fn r11_2_an_unreadable_file_is_io_error() {
    let dir = basic(&[]);
    // A folder where a file should be cannot be read as one.
    std::fs::create_dir_all(dir.path().join("directoryRoles.json")).unwrap();
    let (code, message) = refusal(&dir);
    assert_eq!(code, Code::IoError);
    assert!(message.contains("directoryRoles.json"), "{message}");
}

#[test]
fn r11_2_authorization_policy_is_one_object() {
    for text in ["[]", "{\"value\": [{\"id\": \"authorizationPolicy\"}]}", "true"] {
        let dir = basic(&[("authorizationPolicy.json", text.to_string())]);
        assert_invalid(&dir, &["authorizationPolicy.json"]);
    }
}

#[test]
fn r11_2_repeated_and_unsafe_ids_are_refused() {
    // decision: an object listed twice is a damaged export.
    let users = coll(json!([user(U1, "ann@contoso.com"), user(U1, "bob@contoso.com")]));
    let dir = export(&[("users.json", users), ("groups.json", coll(json!([])))]);
    assert_invalid(&dir, &["users.json", "user \"u-1\"", "earlier"]);
    let groups = coll(json!([security(U1, "Clash")]));
    let dir = export(&[three_users(), ("groups.json", groups)]);
    assert_invalid(&dir, &["groups.json", "group \"u-1\""]);
    // decision: an id that would name a folder outside the export.
    for id in ["../users", "a\\b", "..", ""] {
        let dir = export(&[three_users(), ("groups.json", coll(json!([security(id, "Evil")])))]);
        assert_invalid(&dir, &["groups.json", "folder"]);
    }
}

// --- users and roles ----------------------------------------------------------

#[test]
fn r11_3_users_keep_their_ids_and_fields_in_file_order() {
    let users = coll(json!([
        {"id": "b-id", "userPrincipalName": "bea@contoso.com", "displayName": "Bea", "department": "Sales",
         "accountEnabled": false, "jobTitle": "ignored"},
        {"id": "a-id", "userPrincipalName": "al@contoso.com", "displayName": "Al"},
    ]));
    let dir = export(&[("users.json", users), ("groups.json", coll(json!([])))]);
    let data = convert(&dir);
    assert_eq!(
        data["users"],
        json!([
            {"id": "b-id", "upn": "bea@contoso.com", "display_name": "Bea", "department": "Sales", "roles": [], "enabled": false},
            {"id": "a-id", "upn": "al@contoso.com", "display_name": "Al", "roles": [], "enabled": true},
        ])
    );
}

#[test]
fn r11_3_roles_come_from_directory_roles_directly_and_through_groups() {
    let roles = coll(json!([
        {"id": "r-3", "roleTemplateId": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "members": [member_user(U3), member_user(U1)]},
        {"id": "r-1", "roleTemplateId": "62e90394-69f5-4237-9190-012177145e10", "members": [member_user(U1)]},
        // A role-holding group gives the role to its direct user members only.
        {"id": "r-2", "roleTemplateId": "fdd7a751-b60b-444a-984c-02652fe8fa1c", "members": [member_group("g-1")]},
        // Other roles are ignored and counted once each.
        {"id": "r-4", "roleTemplateId": "fe930be7-5e62-47db-91af-98c3a49a38b1", "members": [member_user(U2)]},
        {"id": "r-5", "roleTemplateId": "729827e3-9c14-49f7-bb1b-9608f156bbb8", "members": []},
        {"id": "r-6", "roleTemplateId": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
         "members": [{"@odata.type": "#microsoft.graph.servicePrincipal", "id": "sp-x"}]},
    ]));
    let groups = coll(json!([security("g-1", "Helpdesk"), security("g-2", "Nested")]));
    let dir = export(&[
        three_users(),
        ("groups.json", groups),
        ("groups/g-1/members.json", coll(json!([member_user(U2), member_group("g-2")]))),
        ("groups/g-2/members.json", coll(json!([member_user(U3)]))),
        ("directoryRoles.json", roles),
    ]);
    let data = convert(&dir);
    assert_eq!(user_of(&data, U1)["roles"], json!(["global_admin", "application_admin"]));
    assert_eq!(user_of(&data, U2)["roles"], json!(["groups_admin"]));
    assert_eq!(user_of(&data, U3)["roles"], json!(["application_admin"]));
    assert_eq!(data["report"]["skipped"], json!({"directoryRole": 2, "servicePrincipal": 1}));
}

#[test]
fn r11_3_a_paged_role_member_list_is_refused() {
    let roles = coll(json!([{"roleTemplateId": "62e90394-69f5-4237-9190-012177145e10", "members": [],
                             "members@odata.nextLink": "next"}]));
    let dir = basic(&[("directoryRoles.json", roles)]);
    assert_invalid(&dir, &["directoryRoles.json", "members@odata.nextLink"]);
}

// --- groups -------------------------------------------------------------------

#[test]
fn r11_4_group_kinds_on_premises_and_join_policy() {
    let groups = coll(json!([
        {"id": "g-sec", "displayName": "Sec", "groupTypes": [], "securityEnabled": true, "mailEnabled": false},
        {"id": "g-m365", "displayName": "M365", "groupTypes": ["Unified"], "securityEnabled": false, "mailEnabled": true},
        {"id": "g-m365s", "displayName": "M365 security", "groupTypes": ["Unified"], "securityEnabled": true, "mailEnabled": true},
        {"id": "g-mes", "displayName": "MES", "groupTypes": [], "securityEnabled": true, "mailEnabled": true},
        {"id": "g-dl", "displayName": "DL", "groupTypes": [], "securityEnabled": false, "mailEnabled": true},
        {"id": "g-dyn", "displayName": "Dynamic", "groupTypes": ["DynamicMembership", "Unified"], "mailEnabled": true,
         "membershipRule": "user.department -eq \"Sales\"", "membershipRuleProcessingState": "On"},
        {"id": "g-dyns", "displayName": "Dynamic security", "groupTypes": ["DynamicMembership"], "securityEnabled": true},
        {"id": "g-op", "displayName": "Synced", "description": "From AD", "groupTypes": [], "securityEnabled": true,
         "mailEnabled": false, "onPremisesSyncEnabled": true},
    ]));
    let dir = export(&[
        three_users(),
        ("groups.json", groups),
        ("groups/g-dyn/members.json", coll(json!([member_user(U2), member_user(U1)]))),
    ]);
    let data = convert(&dir);
    let kinds: Vec<(&str, &str)> = data["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].as_str().unwrap(), g["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("g-sec", "security"),
            ("g-m365", "microsoft365"),
            ("g-m365s", "microsoft365"),
            ("g-mes", "mail_enabled_security"),
            ("g-dl", "distribution"),
            ("g-dyn", "microsoft365"),
            ("g-dyns", "security"),
            ("g-op", "security"),
        ]
    );
    for g in data["groups"].as_array().unwrap() {
        assert_eq!(g["join_policy"], "owners_only");
        assert_eq!(g["on_premises"], g["id"] == "g-op");
    }
    assert_eq!(group_of(&data, "g-op")["description"], "From AD");
    // A dynamic group keeps its listed members; its rule is counted, once per group.
    assert_eq!(group_of(&data, "g-dyn")["members"], json!([U2, U1]));
    assert_eq!(data["report"]["skipped"], json!({"membershipRule": 2}));
}

#[test]
fn r11_4_members_and_owners_in_file_order_merged_and_other_objects_skipped() {
    let groups = coll(json!([security("g-1", "One"), security("g-2", "Two"), security("g-3", "Three")]));
    let device = json!({"@odata.type": "#microsoft.graph.device", "id": "d-1", "displayName": "KIOSK"});
    let contact = json!({"@odata.type": "#microsoft.graph.orgContact", "id": "c-1"});
    let spn = json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": "sp-x"});
    let dir = export(&[
        three_users(),
        ("groups.json", groups),
        (
            "groups/g-1/members.json",
            coll(json!([member_user(U3), device, member_group("g-2"), member_user(U1), member_user(U3), contact, spn])),
        ),
        ("groups/g-1/owners.json", coll(json!([member_user(U2), spn, member_user(U1), member_user(U2)]))),
        ("groups/g-2/members.json", coll(json!([device, member_user(U2)]))),
        ("groups/g-3/owners.json", coll(json!([member_group("g-2")]))),
    ]);
    let data = convert(&dir);
    assert_eq!(group_of(&data, "g-1")["members"], json!([U3, "g-2", U1]));
    assert_eq!(group_of(&data, "g-1")["owners"], json!([U2, U1]));
    assert_eq!(group_of(&data, "g-2")["members"], json!([U2]));
    assert_eq!(group_of(&data, "g-3")["owners"], json!([]));
    // Distinct objects per kind: the device in two groups and the service principal as
    // member and owner count once; a group named as an owner is skipped (owners are users).
    assert_eq!(data["report"]["skipped"], json!({"device": 1, "group": 1, "orgContact": 1, "servicePrincipal": 1}));
}

#[test]
fn r11_4_and_r4_10_forbidden_nesting_is_dropped_and_counted() {
    let groups = coll(json!([
        security("sec", "Security"),
        security("sec2", "Inner security"),
        {"id": "mes", "displayName": "MES", "securityEnabled": true, "mailEnabled": true},
        {"id": "m365", "displayName": "M365", "groupTypes": ["Unified"], "mailEnabled": true},
        {"id": "dl", "displayName": "DL", "securityEnabled": false, "mailEnabled": true},
    ]));
    let all = || {
        coll(json!([
            member_user(U1),
            member_group("sec2"),
            member_group("mes"),
            member_group("m365"),
            member_group("dl")
        ]))
    };
    let dir = export(&[
        three_users(),
        ("groups.json", groups),
        ("groups/sec/members.json", all()),
        ("groups/dl/members.json", all()),
        ("groups/m365/members.json", coll(json!([member_user(U2), member_group("sec2"), member_group("sec2")]))),
        ("groups/mes/members.json", coll(json!([member_group("sec")]))),
    ]);
    let data = convert(&dir);
    // Security groups hold security and mail-enabled security groups; other kinds users only.
    assert_eq!(group_of(&data, "sec")["members"], json!([U1, "sec2", "mes"]));
    assert_eq!(group_of(&data, "dl")["members"], json!([U1]));
    assert_eq!(group_of(&data, "m365")["members"], json!([U2]));
    assert_eq!(group_of(&data, "mes")["members"], json!([]));
    // sec: m365, dl; dl: sec2, mes, m365, dl; m365: sec2 (once); mes: sec.
    assert_eq!(data["report"]["skipped"], json!({"nested_group_not_allowed": 8}));
}

// --- service principals -------------------------------------------------------

#[test]
fn r11_5_service_principals_become_applications_with_owners_and_assignments() {
    let groups = coll(json!([
        security("g-1", "Sales"),
        {"id": "g-dl", "displayName": "DL", "securityEnabled": false, "mailEnabled": true},
    ]));
    let sps = coll(json!([
        {"id": "sp-b", "displayName": "Workday", "appId": "x", "servicePrincipalType": "Application"},
        {"id": "sp-a", "displayName": "Salesforce"},
    ]));
    let assign = |ty: &str, id: &str, role: &str| json!({"principalType": ty, "principalId": id, "appRoleId": role, "resourceId": "sp-b"});
    let dir = export(&[
        three_users(),
        ("groups.json", groups),
        ("servicePrincipals.json", sps),
        (
            "servicePrincipals/sp-b/appRoleAssignedTo.json",
            coll(json!([
                assign("User", U2, "r1"),
                assign("Group", "g-1", "r1"),
                assign("Group", "g-1", "r2"),
                assign("ServicePrincipal", "sp-a", "r1"),
                assign("User", U2, "r2"),
                assign("User", U1, "r1"),
                assign("Group", "g-dl", "r1"),
            ])),
        ),
        (
            "servicePrincipals/sp-b/owners.json",
            coll(
                json!([member_user(U3), {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "sp-a"}, member_user(U3)]),
            ),
        ),
    ]);
    let data = convert(&dir);
    assert_eq!(
        data["resources"],
        json!([
            {"id": "sp-b", "name": "Workday", "kind": "application", "owners": [U3], "assigned": [U2, "g-1", U1], "blocked": []},
            {"id": "sp-a", "name": "Salesforce", "kind": "application", "owners": [], "assigned": [], "blocked": []},
        ])
    );
    // decision: a distribution group assignment (R-7.2 forbids it) is dropped and counted.
    assert_eq!(data["report"]["skipped"], json!({"not_security_principal": 1, "servicePrincipal": 1}));
}

// --- the report ---------------------------------------------------------------

#[test]
fn r11_7_repeated_service_principal_names_are_renamed() {
    let sps = coll(json!([
        {"id": "sp-1", "displayName": "Salesforce"},
        {"id": "sp-2", "displayName": " salesforce "},
        {"id": "sp-3", "displayName": "Workday"},
        {"id": "sp-4", "displayName": "SALESFORCE (SP-2)"},
        {"id": "sp-5", "displayName": "Salesforce"},
    ]));
    let dir = basic(&[("servicePrincipals.json", sps)]);
    let data = convert(&dir);
    let names: Vec<&str> = data["resources"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Salesforce", "salesforce (sp-2)", "Workday", "SALESFORCE (SP-2) (sp-4)", "Salesforce (sp-5)"]);
    assert_eq!(
        data["report"]["renamed"],
        json!({"sp-2": "salesforce (sp-2)", "sp-4": "SALESFORCE (SP-2) (sp-4)", "sp-5": "Salesforce (sp-5)"})
    );
    let keys: Vec<&String> = data["report"]["renamed"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["sp-2", "sp-4", "sp-5"]);
}

#[test]
fn r11_7_settings_from_defaults_lists_what_nobody_gave_in_section_2_order() {
    let data = convert(&basic(&[]));
    assert_eq!(data["report"]["settings_from_defaults"], json!(SETTINGS));
}

// --- settings -----------------------------------------------------------------

fn unified(values: Value) -> String {
    coll(json!([
        {"id": "s-guest", "displayName": "Group.Unified.Guest", "templateId": "08d542b9-071f-4e16-94b0-74abb372e3d9",
         "values": [{"name": "AllowToAddGuests", "value": "false"}]},
        {"id": "s-1", "displayName": "Group.Unified", "templateId": GROUP_UNIFIED_TEMPLATE, "values": values},
    ]))
}

#[test]
fn r11_6_settings_come_from_the_export() {
    let policy =
        json!({"id": "authorizationPolicy", "defaultUserRolePermissions": {"allowedToCreateSecurityGroups": false}});
    let values = json!([{"name": "EnableGroupCreation", "value": "FALSE"}, {"name": "GroupCreationAllowedGroupId", "value": "g-1"}]);
    let dir = basic(&[("authorizationPolicy.json", policy.to_string()), ("groupSettings.json", unified(values))]);
    let data = convert(&dir);
    assert_eq!(
        data["settings"],
        json!({"users_can_create_security_groups": false, "users_can_create_microsoft365_groups": false,
               "microsoft365_creation_group": "Sales"})
    );
    assert_eq!(
        data["report"]["settings_from_defaults"],
        json!([
            "delegated_group_management",
            "self_service_scope",
            "self_service_group",
            "max_groups_per_user",
            "max_owners_per_group",
            "expiration_scope",
            "expiration_lifetime_days",
            "expiration_notification_emails",
            "naming_prefix_suffix",
            "blocked_words",
            "group_owners_manage_reviews"
        ])
    );
}

#[test]
fn r11_6_missing_policy_or_setting_takes_entra_defaults() {
    let data = convert(&basic(&[]));
    assert_eq!(
        data["settings"],
        json!({"users_can_create_security_groups": true, "users_can_create_microsoft365_groups": true,
               "microsoft365_creation_group": ""})
    );
    // A Group.Unified setting that says true and an explicitly empty group: given, not defaults.
    let values =
        json!([{"name": "GroupCreationAllowedGroupId", "value": ""}, {"name": "EnableGroupCreation", "value": "True"}]);
    let policy = json!({"defaultUserRolePermissions": {"allowedToCreateApps": true}});
    let dir = basic(&[("groupSettings.json", unified(values)), ("authorizationPolicy.json", policy.to_string())]);
    let data = convert(&dir);
    assert_eq!(data["settings"]["users_can_create_microsoft365_groups"], true);
    assert_eq!(data["settings"]["microsoft365_creation_group"], "");
    assert_eq!(
        data["report"]["settings_from_defaults"],
        json!([
            "delegated_group_management",
            "users_can_create_security_groups",
            "self_service_scope",
            "self_service_group",
            "max_groups_per_user",
            "max_owners_per_group",
            "expiration_scope",
            "expiration_lifetime_days",
            "expiration_notification_emails",
            "naming_prefix_suffix",
            "blocked_words",
            "group_owners_manage_reviews"
        ])
    );
    // The Group.Unified setting found by template id alone, without its values.
    let settings = coll(json!([{"id": "s-1", "templateId": GROUP_UNIFIED_TEMPLATE}]));
    let data = convert(&basic(&[("groupSettings.json", settings)]));
    assert_eq!(data["report"]["settings_from_defaults"], json!(SETTINGS));
}

#[test]
fn r11_6_bad_setting_values_are_refused() {
    let values = json!([{"name": "EnableGroupCreation", "value": "maybe"}]);
    assert_invalid(
        &basic(&[("groupSettings.json", unified(values))]),
        &["groupSettings.json", "setting \"s-1\"", "maybe"],
    );
    let two = coll(json!([
        {"id": "s-1", "displayName": "Group.Unified"},
        {"id": "s-2", "templateId": GROUP_UNIFIED_TEMPLATE},
    ]));
    assert_invalid(&basic(&[("groupSettings.json", two)]), &["groupSettings.json", "setting \"s-2\"", "second"]);
}

// --- settings= ----------------------------------------------------------------

#[test]
fn r11_8_overrides_win_and_add_settings() {
    let values = json!([{"name": "EnableGroupCreation", "value": "false"}]);
    let dir = basic(&[("groupSettings.json", unified(values))]);
    let overrides = json!({"max_owners_per_group": 5, "users_can_create_microsoft365_groups": true,
                           "delegated_group_management": true, "users_can_create_security_groups": false});
    let data = graph_to_directory(dir.path(), overrides.as_object().unwrap()).unwrap().to_value();
    assert_eq!(
        data["settings"],
        json!({"delegated_group_management": true, "users_can_create_security_groups": false,
               "users_can_create_microsoft365_groups": true, "microsoft365_creation_group": "",
               "max_owners_per_group": 5})
    );
    let keys: Vec<&String> = data["settings"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "delegated_group_management",
            "users_can_create_security_groups",
            "users_can_create_microsoft365_groups",
            "microsoft365_creation_group",
            "max_owners_per_group"
        ]
    );
    assert_eq!(
        data["report"]["settings_from_defaults"],
        json!([
            "self_service_scope",
            "self_service_group",
            "microsoft365_creation_group",
            "max_groups_per_user",
            "expiration_scope",
            "expiration_lifetime_days",
            "expiration_notification_emails",
            "naming_prefix_suffix",
            "blocked_words",
            "group_owners_manage_reviews"
        ])
    );
    // Unknown names are passed on for import_directory to refuse (invalid_setting).
    let odd = json!({"colour": "blue"});
    let data = graph_to_directory(dir.path(), odd.as_object().unwrap()).unwrap().to_value();
    assert_eq!(data["settings"]["colour"], "blue");
}

// --- The contoso fixture (tests/data/graph/contoso) ----------------------------------

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/graph/contoso")
}

const MEGANB: &str = "48d31887-5fad-4d73-a9f5-3c356e68a038";
const ISAIAHL: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
const ALEXW: &str = "5bde3e51-d13b-4db1-9948-fe4b109d11a7";
const ADELEV: &str = "6e7b768e-07e2-4810-8459-485f84f8f204";
const LEEG: &str = "074e56ea-0b50-4461-89e5-c67ae14a2c0b";
const LYNNER: &str = "e8a02cc7-df4d-4778-956d-784cc9506e5a";
const DIEGOS: &str = "626cbf8c-5dde-46b0-8385-9e40d64736fe";
const NESTORW: &str = "08fa38e4-cbfa-4488-94ed-c834da6539df";
const JOHANNAL: &str = "ec63c778-24e1-4240-bea3-d12a167d5232";
const GRADYA: &str = "d1c1ab5a-0d1f-4d8c-a1b9-5d7a36b0e2c4";
const PRADEEPG: &str = "2ed03dfd-01d8-4005-a9ef-fa8ee546dc6c";
const SALES: &str = "02bd9fd6-8f93-4758-87c3-1fb73740a315";
const INTERNS: &str = "0a7f8d3c-5d47-4b23-a2c1-3b0f2a6d9e11";
const RETAIL: &str = "2f4a1c6e-7b8d-4e0f-9a1b-c2d3e4f5a6b7";
const FINANCE: &str = "3c5b2d7f-8e9a-4b1c-8d2e-f3a4b5c6d7e8";
const ALLCO: &str = "4d6c3e8a-9fab-4c2d-9e3f-a4b5c6d7e8f9";
const MARKETING: &str = "6f7cd676-5445-47c4-9c2b-c47da4671da2";
const ENGINEERING: &str = "5e7d4f9b-a0bc-4d3e-8f4a-b5c6d7e8f9a0";
const HELPDESK: &str = "7a8e5f0c-b1cd-4e4f-9a5b-c6d7e8f9a0b1";
const CREATORS: &str = "8b9f6a1d-c2de-4f5a-8b6c-d7e8f9a0b1c2";
const SALESFORCE: &str = "00af5dfb-85da-4b41-a677-0c6b86dd34f8";
const WORKDAY: &str = "1b3c5d7e-9f0a-4b2c-8d4e-6f8a0b2c4d6e";
const SANDBOX: &str = "2c4d6e8f-0a1b-4c3d-9e5f-7a9b1c3d5e7f";

#[test]
fn r11_contoso_fixture_converts_object_by_object() {
    let data = graph_to_directory(&fixture(), &Map::new()).unwrap().to_value();

    // users in file order, with roles (Isaiah's through Helpdesk admins; Diego's
    // User Administrator role is not modelled), Johanna disabled, Isaiah without department.
    let u = |id: &str, upn: &str, name: &str, dept: Option<&str>, roles: Value, enabled: bool| {
        let mut v = json!({"id": id, "upn": upn, "display_name": name});
        if let Some(dept) = dept {
            v["department"] = json!(dept);
        }
        v["roles"] = roles;
        v["enabled"] = json!(enabled);
        v
    };
    // signInActivity.lastSignInDateTime.
    let mut megan = u(MEGANB, "meganb@contoso.com", "Megan Bowen", Some("IT"), json!(["global_admin"]), true);
    megan["last_sign_in"] = json!("2016-06-10T08:15:00Z");
    assert_eq!(
        data["users"],
        json!([
            megan,
            u(ISAIAHL, "isaiahl@contoso.com", "Isaiah Langer", None, json!(["groups_admin"]), true),
            u(ALEXW, "alexw@contoso.com", "Alex Wilber", Some("Marketing"), json!(["application_admin"]), true),
            u(ADELEV, "adelev@contoso.com", "Adele Vance", Some("Retail"), json!([]), true),
            u(LEEG, "leeg@contoso.com", "Lee Gu", Some("Manufacturing"), json!([]), true),
            u(LYNNER, "lynner@contoso.com", "Lynne Robbins", Some("Retail"), json!([]), true),
            u(DIEGOS, "diegos@contoso.com", "Diego Siciliani", Some("HR"), json!([]), true),
            u(NESTORW, "nestorw@contoso.com", "Nestor Wilke", Some("Operations"), json!([]), true),
            u(JOHANNAL, "johannal@contoso.com", "Johanna Lorenz", Some("Engineering"), json!([]), false),
            u(GRADYA, "gradya@contoso.com", "Grady Archie", Some("R&D"), json!([]), true),
            u(PRADEEPG, "pradeepg@contoso.com", "Pradeep Gupta", Some("Finance"), json!([]), true),
        ])
    );

    // kinds, on_premises, owners_only, members and owners (R-4.10 drops Retail
    // from the distribution list; the device, the contact are skipped; Lynne listed twice).
    let g = |id: &str, name: &str, description: &str, kind: &str, owners: Value, members: Value, on_premises: bool| {
        json!({"id": id, "name": name, "description": description, "kind": kind, "join_policy": "owners_only",
               "owners": owners, "members": members, "on_premises": on_premises})
    };
    let mut groups = json!([
        g(
            SALES,
            "Salesforce users",
            "People who use Salesforce",
            "security",
            json!([ADELEV]),
            json!([LYNNER, LEEG, INTERNS]),
            false
        ),
        g(INTERNS, "Sales interns", "Interns of the sales team", "security", json!([ADELEV]), json!([NESTORW]), false),
        g(RETAIL, "Retail", "Retail team", "microsoft365", json!([LYNNER]), json!([ADELEV, LYNNER, JOHANNAL]), false),
        g(
            FINANCE,
            "Finance team",
            "Finance (mail-enabled security)",
            "mail_enabled_security",
            json!([PRADEEPG]),
            json!([PRADEEPG]),
            false
        ),
        g(
            ALLCO,
            "All Company announcements",
            "Distribution list for company news",
            "distribution",
            json!([MEGANB]),
            json!([MEGANB, ADELEV]),
            false
        ),
        g(MARKETING, "Marketing department", "", "microsoft365", json!([ALEXW]), json!([ALEXW]), false),
        g(
            ENGINEERING,
            "Engineering (synced)",
            "Synced from CONTOSO.LOCAL",
            "security",
            json!([]),
            json!([GRADYA, JOHANNAL]),
            true
        ),
        g(
            HELPDESK,
            "Helpdesk admins",
            "Holds the Groups Administrator role",
            "security",
            json!([]),
            json!([ISAIAHL]),
            false
        ),
        g(
            CREATORS,
            "Microsoft 365 creators",
            "May create Microsoft 365 groups",
            "security",
            json!([MEGANB]),
            json!([DIEGOS, LEEG]),
            false
        ),
    ]);
    // §13: Retail's dates, and the soft-deleted group of deletedGroups.json, last.
    groups[2]["renewed_at"] = json!("2016-09-01T10:00:00Z");
    groups[2]["expires_at"] = json!("2017-09-01T10:00:00Z");
    if let Value::Array(list) = &mut groups {
        let mut old = g(
            "98f4e2b0-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
            "Old project",
            "A finished project",
            "microsoft365",
            json!([]),
            json!([]),
            false,
        );
        old["deleted_at"] = json!("2017-02-20T08:15:00Z");
        list.push(old);
    }
    assert_eq!(data["groups"], groups);

    // applications; Salesforce's two app roles on one group are one
    // assignment; the service principal assigned to Workday is skipped; the second
    // "Salesforce" is renamed.
    let sandbox_name = format!("Salesforce ({SANDBOX})");
    assert_eq!(
        data["resources"],
        json!([
            {"id": SALESFORCE, "name": "Salesforce", "kind": "application", "owners": [LEEG], "assigned": [SALES, GRADYA], "blocked": []},
            {"id": WORKDAY, "name": "Workday", "kind": "application", "owners": [DIEGOS],
             "assigned": [RETAIL, FINANCE, DIEGOS, JOHANNAL], "blocked": []},
            {"id": SANDBOX, "name": sandbox_name, "kind": "application", "owners": [], "assigned": [], "blocked": []},
        ])
    );

    // the authorization policy and the Group.Unified setting.
    assert_eq!(
        data["settings"],
        json!({"users_can_create_security_groups": false, "users_can_create_microsoft365_groups": false,
               "microsoft365_creation_group": "Microsoft 365 creators",
               // §13: groupLifecyclePolicies.json and the Group.Unified naming values.
               "expiration_scope": "selected", "expiration_lifetime_days": 365,
               "expiration_notification_emails": "admin@contoso.com; it@contoso.com",
               "naming_prefix_suffix": "", "blocked_words": []})
    );

    // the report.
    assert_eq!(
        data["report"],
        json!({
            "skipped": {"device": 1, "directoryRole": 1, "membershipRule": 1, "nested_group_not_allowed": 1,
                        "orgContact": 1, "servicePrincipal": 1},
            "renamed": {SANDBOX: sandbox_name},
            "settings_from_defaults": ["delegated_group_management", "self_service_scope", "self_service_group",
                                       "max_groups_per_user", "max_owners_per_group", "expiration_selected_groups", "group_owners_manage_reviews"],
        })
    );
}

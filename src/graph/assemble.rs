//! The import data and its report.

use super::*;
use crate::model::{GroupEntry, UserEntry};

// ---------------------------------------------------------------------------------------------
// The result

pub(super) fn assemble(
    dir: Directory,
    resources: Vec<ResourceEntry>,
    from_export: &ExportSettings,
    overrides: &Map<String, Value>,
    report: &Report,
) -> DirectoryData {
    let users = dir.users.into_iter().map(|u| UserEntry {
        id: Some(u.id),
        upn: u.upn,
        display_name: u.display_name,
        department: u.department,
        roles: ROLE_TEMPLATES
            .iter()
            .zip(u.roles)
            .filter(|(_, held)| *held)
            .map(|((_, role), _)| role.to_string())
            .collect(),
        enabled: u.enabled,
        manager: None,
        last_sign_in: u.last_sign_in,
    });

    let groups = dir.groups.into_iter().map(|g| GroupEntry {
        id: Some(g.id),
        name: g.name,
        description: g.description,
        kind: g.kind.as_str().to_string(),
        // groups that were not created in My Groups.
        join_policy: "owners_only".into(),
        owners: g.owners,
        members: g.members,
        on_premises: g.on_premises,
        created_by: None,
        renewed_at: g.renewed_at,
        expires_at: g.expires_at,
        deleted_at: g.deleted_at,
    });

    // what the export gives, else Entra's defaults (both true, no group).
    let exported = |name: &str| -> Option<(Value, bool)> {
        let (value, given) = match name {
            "users_can_create_security_groups" => {
                (Value::Bool(from_export.security.unwrap_or(true)), from_export.security.is_some())
            }
            "users_can_create_microsoft365_groups" => {
                (Value::Bool(from_export.microsoft365.unwrap_or(true)), from_export.microsoft365.is_some())
            }
            "microsoft365_creation_group" => (
                Value::String(from_export.creation_group.clone().unwrap_or_default()),
                from_export.creation_group.is_some(),
            ),
            // §13: only what the export gives; the rest keeps §2's defaults.
            "expiration_scope" => (Value::from(from_export.expiration_scope?), true),
            "expiration_lifetime_days" => (Value::from(from_export.lifetime_days?), true),
            "expiration_notification_emails" => (Value::from(from_export.notification_emails.clone()?), true),
            "naming_prefix_suffix" => (Value::from(from_export.naming_prefix_suffix.clone()?), true),
            "blocked_words" => (Value::from(from_export.blocked_words.clone()?), true),
            _ => return None,
        };
        Some((value, given))
    };
    let mut settings = Map::new();
    let mut from_defaults = Vec::new();
    for name in SETTINGS {
        // `settings=` wins over the export.
        if let Some(value) = overrides.get(name) {
            settings.insert(name.to_string(), value.clone());
        } else if let Some((value, given)) = exported(name) {
            settings.insert(name.to_string(), value);
            if !given {
                from_defaults.push(Value::from(name));
            }
        } else {
            from_defaults.push(Value::from(name));
        }
        // §13: a `Selected` policy's list is not in the export; it starts empty.
        if name == "expiration_scope" && settings.get(name).and_then(Value::as_str) == Some("selected") {
            from_defaults.push(Value::from("expiration_selected_groups"));
        }
    }
    for (name, value) in overrides {
        if !settings.contains_key(name) {
            settings.insert(name.clone(), value.clone());
        }
    }

    let skipped: Map<String, Value> =
        report.skipped.iter().map(|(kind, objects)| (kind.clone(), Value::from(objects.len()))).collect();
    let renamed: Map<String, Value> =
        report.renamed.iter().map(|(id, name)| (id.clone(), Value::from(name.clone()))).collect();
    let mut report_section = Map::new();
    report_section.insert("skipped".into(), Value::Object(skipped));
    report_section.insert("renamed".into(), Value::Object(renamed));
    report_section.insert("settings_from_defaults".into(), Value::Array(from_defaults));

    DirectoryData {
        users: users.collect(),
        groups: groups.collect(),
        resources,
        settings: Some(settings),
        report: Some(Value::Object(report_section)),
    }
}

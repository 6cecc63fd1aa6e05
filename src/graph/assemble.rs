//! The import data and its report.

use super::*;

// ---------------------------------------------------------------------------------------------
// The result

pub(super) fn assemble(
    dir: &Directory,
    resources: &[Resource],
    from_export: &ExportSettings,
    overrides: &Map<String, Value>,
    report: &Report,
) -> Value {
    let strings = |ids: &[String]| Value::Array(ids.iter().cloned().map(Value::String).collect());

    let users = dir.users.iter().map(|u| {
        let mut entry = Map::new();
        entry.insert("id".into(), u.id.clone().into());
        entry.insert("upn".into(), u.upn.clone().into());
        if let Some(name) = &u.display_name {
            entry.insert("display_name".into(), name.clone().into());
        }
        if let Some(department) = &u.department {
            entry.insert("department".into(), department.clone().into());
        }
        let roles =
            ROLE_TEMPLATES.iter().zip(u.roles).filter(|(_, held)| *held).map(|((_, role), _)| Value::from(*role));
        entry.insert("roles".into(), Value::Array(roles.collect()));
        entry.insert("enabled".into(), u.enabled.into());
        if let Some(when) = &u.last_sign_in {
            entry.insert("last_sign_in".into(), when.clone().into());
        }
        Value::Object(entry)
    });

    let groups = dir.groups.iter().map(|g| {
        let mut entry = Map::new();
        entry.insert("id".into(), g.id.clone().into());
        entry.insert("name".into(), g.name.clone().into());
        entry.insert("description".into(), g.description.clone().into());
        entry.insert("kind".into(), g.kind.as_str().into());
        // groups that were not created in My Groups.
        entry.insert("join_policy".into(), "owners_only".into());
        entry.insert("owners".into(), strings(&g.owners));
        entry.insert("members".into(), strings(&g.members));
        entry.insert("on_premises".into(), g.on_premises.into());
        for (field, value) in
            [("renewed_at", &g.renewed_at), ("expires_at", &g.expires_at), ("deleted_at", &g.deleted_at)]
        {
            if let Some(text) = value {
                entry.insert(field.into(), text.clone().into());
            }
        }
        Value::Object(entry)
    });

    let resources = resources.iter().map(|r| {
        let mut entry = Map::new();
        entry.insert("id".into(), r.id.clone().into());
        entry.insert("name".into(), r.name.clone().into());
        entry.insert("kind".into(), "application".into());
        entry.insert("owners".into(), strings(&r.owners));
        entry.insert("assigned".into(), strings(&r.assigned));
        Value::Object(entry)
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

    let mut data = Map::new();
    data.insert("users".into(), Value::Array(users.collect()));
    data.insert("groups".into(), Value::Array(groups.collect()));
    data.insert("resources".into(), Value::Array(resources.collect()));
    data.insert("settings".into(), Value::Object(settings));
    data.insert("report".into(), Value::Object(report_section));
    Value::Object(data)
}

//! Settings from the authorization policy, the Group.Unified setting and the lifecycle policy (R-11.6, §13).

use super::*;

// ---------------------------------------------------------------------------------------------
// Settings

/// the settings the export gives.
pub(super) fn read_settings(export: &Export, dir: &Directory) -> Result<ExportSettings> {
    let mut settings = ExportSettings {
        security: None,
        microsoft365: None,
        creation_group: None,
        expiration_scope: None,
        lifetime_days: None,
        notification_emails: None,
        naming_prefix_suffix: None,
        blocked_words: None,
    };
    read_lifecycle_policy(export, &mut settings)?;

    let file = "authorizationPolicy.json";
    match export.read(file)? {
        None => {}
        Some(Value::Object(policy)) if !policy.contains_key("value") => {
            let entry = Entry { file, label: "the policy".to_string(), obj: &policy };
            if let Some(permissions) = entry.object("defaultUserRolePermissions")? {
                let inner = Entry { file, label: "defaultUserRolePermissions".to_string(), obj: permissions };
                settings.security = inner.boolean("allowedToCreateSecurityGroups")?;
            }
        }
        Some(_) => {
            return Err(invalid(format!("{file} is not one authorization policy object.")));
        }
    }

    let file = "groupSettings.json";
    let items = export.collection(file, false)?;
    let mut unified: Option<Entry> = None;
    for (i, obj) in items.iter().enumerate() {
        let mut entry = Entry::at(file, i, obj);
        if let Some(id) = entry.string("id")? {
            entry.named("setting", id);
        }
        let template = entry.string("templateId")?.unwrap_or("");
        let name = entry.string("displayName")?.unwrap_or("");
        if template.trim().eq_ignore_ascii_case(GROUP_UNIFIED_TEMPLATE)
            || name.trim().eq_ignore_ascii_case("Group.Unified")
        {
            if unified.is_some() {
                return Err(entry.error("is a second Group.Unified setting"));
            }
            unified = Some(entry);
        }
    }
    let Some(entry) = unified else {
        return Ok(settings);
    };
    let mut enable = None;
    let mut allowed_group = None;
    let mut prefix_suffix = None;
    let mut blocked = None;
    for (j, value) in entry.array("values")?.iter().enumerate() {
        let Value::Object(value) = value else {
            return Err(entry.error(format_args!("has values[{j}] that is not an object")));
        };
        let item = Entry { file, label: format!("values[{j}] of {}", entry.label), obj: value };
        let (Some(name), Some(value)) = (item.string("name")?, item.string("value")?) else {
            continue;
        };
        // The first value of a name counts, as for repeated references.
        if name.eq_ignore_ascii_case("EnableGroupCreation") && enable.is_none() {
            enable = Some(value.trim());
        } else if name.eq_ignore_ascii_case("GroupCreationAllowedGroupId") && allowed_group.is_none() {
            allowed_group = Some(value.trim());
        } else if name.eq_ignore_ascii_case("PrefixSuffixNamingRequirement") && prefix_suffix.is_none() {
            prefix_suffix = Some(value.trim());
        } else if name.eq_ignore_ascii_case("CustomBlockedWordsList") && blocked.is_none() {
            blocked = Some(value);
        }
    }
    settings.naming_prefix_suffix = prefix_suffix.map(str::to_string);
    settings.blocked_words =
        blocked.map(|list| list.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_string).collect());
    settings.microsoft365 = match enable {
        None | Some("") => None,
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(v) => {
            return Err(
                entry.error(format_args!("has EnableGroupCreation \"{v}\", which is neither \"true\" nor \"false\""))
            );
        }
    };
    settings.creation_group = match allowed_group {
        None => None,
        Some("") => Some(String::new()),
        Some(gid) => match dir.group_at.get(gid).and_then(|&g| dir.groups.get(g)) {
            Some(group) => Some(group.name.clone()),
            None => {
                return Err(entry.error(format_args!(
                    "names group \"{gid}\" in GroupCreationAllowedGroupId, which groups.json does not list"
                )));
            }
        },
    };
    Ok(settings)
}

/// §13: the first policy of groupLifecyclePolicies.json (GET /groupLifecyclePolicies):
/// `groupLifetimeInDays`, `managedGroupTypes` (`All`, `Selected`, `None`) and
/// `alternateNotificationEmails`.
pub(super) fn read_lifecycle_policy(export: &Export, settings: &mut ExportSettings) -> Result<()> {
    let file = "groupLifecyclePolicies.json";
    let items = export.collection(file, false)?;
    let Some(obj) = items.first() else { return Ok(()) };
    let mut entry = Entry::at(file, 0, obj);
    if let Some(id) = entry.string("id")? {
        entry.named("policy", id);
    }
    if let Some(types) = entry.string("managedGroupTypes")? {
        settings.expiration_scope = Some(match types.trim() {
            t if t.eq_ignore_ascii_case("all") => "all",
            t if t.eq_ignore_ascii_case("selected") => "selected",
            t if t.eq_ignore_ascii_case("none") => "none",
            other => {
                return Err(entry.error(format_args!(
                    "has managedGroupTypes \"{other}\", which is none of \"All\", \"Selected\" and \"None\""
                )))
            }
        });
    }
    match entry.get("groupLifetimeInDays") {
        None => {}
        Some(v) => match v.as_u64() {
            Some(days) => settings.lifetime_days = Some(days),
            None => return Err(entry.wrong_type("groupLifetimeInDays", "a whole number of days")),
        },
    }
    settings.notification_emails = entry.string("alternateNotificationEmails")?.map(|t| t.trim().to_string());
    Ok(())
}

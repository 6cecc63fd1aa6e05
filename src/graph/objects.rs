//! Users, groups, their members and owners, and directory roles.

use super::*;

// ---------------------------------------------------------------------------------------------
// Users and groups

/// users, in file order.
pub(super) fn read_users(export: &Export, ids: &mut HashSet<String>) -> Result<Vec<User>> {
    let file = "users.json";
    let items = export.collection(file, true)?;
    let mut users = Vec::with_capacity(items.len());
    for (i, obj) in items.iter().enumerate() {
        let mut entry = Entry::at(file, i, obj);
        let id = entry.id("user")?;
        entry.unique(id, ids)?;
        users.push(User {
            id: id.to_string(),
            upn: entry.required_string("userPrincipalName")?.to_string(),
            display_name: entry.string("displayName")?.map(str::to_string),
            department: entry.string("department")?.map(str::to_string),
            enabled: entry.boolean("accountEnabled")?.unwrap_or(true),
            roles: [false; 3],
            last_sign_in: last_sign_in(&entry)?,
        });
    }
    Ok(users)
}

/// a user's `signInActivity.lastSignInDateTime` (Graph gives it with
/// `$select=signInActivity`), an ISO 8601 instant; absent or null: none.
pub(super) fn last_sign_in(entry: &Entry) -> Result<Option<Timestamp>> {
    let Some(activity) = entry.get("signInActivity") else { return Ok(None) };
    let Some(activity) = activity.as_object() else { return Err(entry.wrong_type("signInActivity", "an object")) };
    match activity.get("lastSignInDateTime").filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(when) => when
            .as_str()
            .and_then(crate::model::parse_time)
            .map(Some)
            .ok_or_else(|| entry.wrong_type("signInActivity.lastSignInDateTime", "an ISO 8601 instant")),
    }
}

/// groups, in file order, without their members and owners yet.
pub(super) fn read_groups(export: &Export, ids: &mut HashSet<String>, report: &mut Report) -> Result<Vec<Group>> {
    let file = "groups.json";
    let items = export.collection(file, true)?;
    let mut groups = Vec::with_capacity(items.len());
    for (i, obj) in items.iter().enumerate() {
        let mut entry = Entry::at(file, i, obj);
        let id = entry.folder_id("group")?;
        entry.unique(id, ids)?;
        let name = entry.required_string("displayName")?;
        let description = entry.string("description")?.unwrap_or("");
        let kind = group_kind(&entry)?;
        if entry.strings("groupTypes")?.iter().any(|g| g.trim().eq_ignore_ascii_case("DynamicMembership")) {
            report.skip("membershipRule", id.to_string());
        }
        groups.push(Group {
            id: id.to_string(),
            name: name.to_string(),
            description: description.to_string(),
            kind,
            on_premises: entry.boolean("onPremisesSyncEnabled")?.unwrap_or(false),
            owners: Vec::new(),
            members: Vec::new(),
            renewed_at: entry.instant("renewedDateTime")?,
            expires_at: entry.instant("expirationDateTime")?,
            deleted_at: None,
        });
    }
    Ok(groups)
}

/// a group's kind from `groupTypes`, `securityEnabled` and `mailEnabled`.
pub(super) fn group_kind(entry: &Entry<'_>) -> Result<Kind> {
    let types = entry.strings("groupTypes")?;
    let security = entry.boolean("securityEnabled")?.unwrap_or(false);
    let mail = entry.boolean("mailEnabled")?.unwrap_or(false);
    Ok(if types.iter().any(|g| g.trim().eq_ignore_ascii_case("Unified")) {
        Kind::Microsoft365
    } else {
        match (security, mail) {
            (true, true) => Kind::MailEnabledSecurity,
            (false, true) => Kind::Distribution,
            _ => Kind::Security,
        }
    })
}

/// §13: deletedGroups.json (GET /directory/deletedItems/microsoft.graph.group), soft-deleted
/// groups with no members or owners, in deletion order (file order for equal instants).
pub(super) fn read_deleted_groups(export: &Export, ids: &mut HashSet<String>) -> Result<Vec<Group>> {
    let file = "deletedGroups.json";
    let items = export.collection(file, false)?;
    let mut groups = Vec::with_capacity(items.len());
    for (i, obj) in items.iter().enumerate() {
        let mut entry = Entry::at(file, i, obj);
        let id = entry.id("group")?;
        entry.unique(id, ids)?;
        let name = entry.required_string("displayName")?;
        let kind = group_kind(&entry)?;
        let Some(deleted_at) = entry.instant("deletedDateTime")? else {
            return Err(entry.error("has no deletedDateTime"));
        };
        groups.push(Group {
            id: id.to_string(),
            name: name.to_string(),
            description: entry.string("description")?.unwrap_or("").to_string(),
            kind,
            on_premises: entry.boolean("onPremisesSyncEnabled")?.unwrap_or(false),
            owners: Vec::new(),
            members: Vec::new(),
            renewed_at: entry.instant("renewedDateTime")?,
            expires_at: None,
            deleted_at: Some(deleted_at),
        });
    }
    groups.sort_by_key(|g| g.deleted_at.as_deref().and_then(crate::model::parse_time));
    Ok(groups)
}

/// What a member, owner or role member entry names.
pub(super) enum Object<'a> {
    User,
    Group(Kind),
    /// Another kind of directory object, by its kind (`device`, `servicePrincipal`, …).
    Other(&'a str),
}

/// Reads a directory-object entry (`id` and `@odata.type`, R-11.2) and checks that a user or
/// group it names is listed by the export.
pub(super) fn directory_object<'a>(
    dir: &Directory,
    entry: &mut Entry<'a>,
    noun: &str,
) -> Result<(&'a str, Object<'a>)> {
    let id = entry.id(noun)?;
    let odata_type = entry.required_string("@odata.type")?;
    let kind = odata_kind(odata_type);
    if kind.is_empty() {
        return Err(entry.error("has an empty \"@odata.type\""));
    }
    if kind.eq_ignore_ascii_case("user") {
        if !dir.user_at.contains_key(id) {
            return Err(entry.error("is a user that users.json does not list"));
        }
        Ok((id, Object::User))
    } else if kind.eq_ignore_ascii_case("group") {
        let group = dir.group_at.get(id).and_then(|&g| dir.groups.get(g));
        match group {
            Some(group) => Ok((id, Object::Group(group.kind))),
            None => Err(entry.error("is a group that groups.json does not list")),
        }
    } else {
        Ok((id, Object::Other(kind)))
    }
}

/// `#microsoft.graph.device` -> `device`.
pub(super) fn odata_kind(odata_type: &str) -> &str {
    let t = odata_type.trim().trim_start_matches('#');
    t.rsplit('.').next().unwrap_or(t)
}

/// each group's members and owners from `groups/<id>/members.json` and `owners.json`.
pub(super) fn read_group_links(export: &Export, dir: &mut Directory, report: &mut Report) -> Result<()> {
    let total = dir.groups.len() as u64;
    for g in 0..dir.groups.len() {
        if g as u64 % 256 == 0 {
            crate::progress::report("read", g as u64, total);
        }
        let Some((gid, kind)) = dir.groups.get(g).map(|group| (group.id.clone(), group.kind)) else {
            continue;
        };
        let file = format!("groups/{gid}/members.json");
        let mut members = Vec::new();
        let mut seen = HashSet::new();
        for (i, obj) in export.collection(&file, false)?.iter().enumerate() {
            let mut entry = Entry::at(&file, i, obj);
            let (id, object) = directory_object(dir, &mut entry, "member")?;
            match object {
                Object::Group(member) if !kind.may_contain(member) => {
                    // forbids it, Exchange allows it: dropped, not refused.
                    report.skip("nested_group_not_allowed", pair(&gid, id));
                }
                Object::User | Object::Group(_) => {
                    if seen.insert(id) {
                        members.push(id.to_string());
                    }
                }
                Object::Other(other) => report.skip(other, id.to_string()),
            }
        }
        let owners = read_user_owners(export, dir, &format!("groups/{gid}/owners.json"), report)?;
        if let Some(group) = dir.groups.get_mut(g) {
            group.members = members;
            group.owners = owners;
        }
    }
    Ok(())
}

/// roles from `directoryRoles.json` (GET /directoryRoles?$expand=members).
pub(super) fn read_roles(export: &Export, dir: &mut Directory, report: &mut Report) -> Result<()> {
    let file = "directoryRoles.json";
    // (user index, role index), applied after reading so that `dir` stays shared meanwhile.
    let mut grants = Vec::new();
    for (i, obj) in export.collection(file, false)?.iter().enumerate() {
        let mut entry = Entry::at(file, i, obj);
        let template = entry.required_string("roleTemplateId")?;
        entry.named("directory role", template);
        let role = ROLE_TEMPLATES.iter().position(|(t, _)| t.eq_ignore_ascii_case(template.trim()));
        let Some(role) = role else {
            // Other roles are ignored, members included; counted once per role.
            report.skip("directoryRole", template.trim().to_ascii_lowercase());
            continue;
        };
        if entry.get("members@odata.nextLink").is_some() {
            return Err(entry.error("lists only a first page of members (it has \"members@odata.nextLink\")"));
        }
        let members = entry.array("members")?;
        for (j, member) in members.iter().enumerate() {
            let Value::Object(member) = member else {
                return Err(entry.error(format_args!("has members[{j}] that is not an object")));
            };
            let mut member_entry = Entry { file, label: format!("member {j} of {}", entry.label), obj: member };
            let (id, object) = directory_object(dir, &mut member_entry, "member")?;
            match object {
                Object::User => grants.extend(dir.user_at.get(id).map(|&u| (u, role))),
                Object::Group(_) => {
                    // A role-holding group gives the role to its direct user members.
                    let group = dir.group_at.get(id).and_then(|&g| dir.groups.get(g));
                    for member in group.map(|g| g.members.as_slice()).unwrap_or(&[]) {
                        grants.extend(dir.user_at.get(member).map(|&u| (u, role)));
                    }
                }
                Object::Other(other) => report.skip(other, id.to_string()),
            }
        }
    }
    for (u, role) in grants {
        if let Some(flag) = dir.users.get_mut(u).and_then(|user| user.roles.get_mut(role)) {
            *flag = true;
        }
    }
    Ok(())
}

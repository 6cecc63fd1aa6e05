//! Service principals: applications, their owners and assignments.

use super::*;

// ---------------------------------------------------------------------------------------------
// Service principals

/// service principals as applications, renamed when their name repeats.
pub(super) fn read_service_principals(
    export: &Export,
    dir: &Directory,
    ids: &mut HashSet<String>,
    report: &mut Report,
) -> Result<Vec<ResourceEntry>> {
    let file = "servicePrincipals.json";
    let mut resources = Vec::new();
    // Lower-cased trimmed names taken so far, as given or as renamed.
    let mut taken = HashSet::new();
    for (i, obj) in export.collection(file, false)?.iter().enumerate() {
        let mut entry = Entry::at(file, i, obj);
        let id = entry.folder_id("service principal")?;
        entry.unique(id, ids)?;
        let given = entry.required_string("displayName")?;
        let trimmed = given.trim();
        let name = if taken.contains(&trimmed.to_lowercase()) {
            let mut name = format!("{trimmed} ({id})");
            while taken.contains(&name.to_lowercase()) {
                name = format!("{name} ({id})");
            }
            report.renamed.push((id.to_string(), name.clone()));
            name
        } else {
            given.to_string()
        };
        taken.insert(name.trim().to_lowercase());
        resources.push(ResourceEntry {
            id: Some(id.to_string()),
            name,
            kind: "application".into(),
            owners: read_user_owners(export, dir, &format!("servicePrincipals/{id}/owners.json"), report)?,
            assigned: read_assignments(export, dir, id, report)?,
            blocked: Vec::new(),
        });
    }
    Ok(resources)
}

/// The owners listed in `file` (a group's or a service principal's): users only, since the
/// model's owners are users (§1, R-11.5); groups and other principals are skipped.
pub(super) fn read_user_owners(
    export: &Export,
    dir: &Directory,
    file: &str,
    report: &mut Report,
) -> Result<Vec<String>> {
    let mut owners = Vec::new();
    let mut seen = HashSet::new();
    for (i, obj) in export.collection(file, false)?.iter().enumerate() {
        let mut entry = Entry::at(file, i, obj);
        let (id, object) = directory_object(dir, &mut entry, "owner")?;
        match object {
            Object::User => {
                if seen.insert(id) {
                    owners.push(id.to_string());
                }
            }
            Object::Group(_) => report.skip("group", id.to_string()),
            Object::Other(other) => report.skip(other, id.to_string()),
        }
    }
    Ok(owners)
}

/// A service principal's assigned users and groups from `appRoleAssignedTo`; several
/// app roles on one principal are one assignment.
pub(super) fn read_assignments(export: &Export, dir: &Directory, sp: &str, report: &mut Report) -> Result<Vec<String>> {
    let file = format!("servicePrincipals/{sp}/appRoleAssignedTo.json");
    let mut assigned = Vec::new();
    let mut seen = HashSet::new();
    for (i, obj) in export.collection(&file, false)?.iter().enumerate() {
        let mut entry = Entry::at(&file, i, obj);
        if let Some(id) = entry.string("id")? {
            entry.named("assignment", id);
        }
        let principal_type = entry.required_string("principalType")?.trim();
        let principal = entry.required_string("principalId")?;
        if principal_type.eq_ignore_ascii_case("User") {
            if !dir.user_at.contains_key(principal) {
                return Err(entry.error(format_args!("names user \"{principal}\", which users.json does not list")));
            }
        } else if principal_type.eq_ignore_ascii_case("Group") {
            let group = dir.group_at.get(principal).and_then(|&g| dir.groups.get(g));
            let Some(group) = group else {
                return Err(entry.error(format_args!("names group \"{principal}\", which groups.json does not list")));
            };
            if group.kind == Kind::Distribution {
                // refuses it (not_security_principal): dropped and counted instead.
                report.skip("not_security_principal", pair(sp, principal));
                continue;
            }
        } else {
            report.skip(&lower_first(principal_type), principal.to_string());
            continue;
        }
        if seen.insert(principal) {
            assigned.push(principal.to_string());
        }
    }
    Ok(assigned)
}

/// `ServicePrincipal` -> `servicePrincipal`, the spelling `@odata.type` uses.
pub(super) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown".to_string(),
    }
}

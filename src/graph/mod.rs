//! Import from Microsoft Graph (SPEC §11): a folder of Graph v1.0 JSON responses becomes the
//! data of `import_directory` (R-8.5, a [`DirectoryData`]), with a `report` of what could not be
//! modelled (R-11.7).
//!
//! The folder holds the responses named in R-11.2: `users.json` and `groups.json` (required),
//! `groups/<id>/members.json`, `groups/<id>/owners.json`, `directoryRoles.json`,
//! `servicePrincipals.json`, `servicePrincipals/<id>/owners.json`,
//! `servicePrincipals/<id>/appRoleAssignedTo.json`, `groupSettings.json` and
//! `authorizationPolicy.json`. The files are untrusted input: every shape is checked, nothing
//! panics, and every refusal is `invalid_export` naming the file (relative to the folder, with
//! `/`), or `io_error` for a file that exists but cannot be read.
//!
//! The conversion only translates; it does not apply the model's rules. What `import_directory`
//! itself checks (names, cycles, owner limits, setting values) is left to it, so that the refusal
//! is the one R-8.5 specifies. The exceptions are the memberships and assignments that Graph
//! allows but the model forbids: they are dropped and counted (R-11.7), so a real tenant imports.
//!
//! # Decisions where the SPEC is silent
//!
//! - An object listed twice (the same id in `users.json`, `groups.json` or
//!   `servicePrincipals.json`, within one file or across them) is `invalid_export`: Graph ids
//!   are unique across directory objects, so such a file is damaged (pages exported twice).
//! - A group or service principal id that cannot name a folder (empty, `.`, `..`, or containing
//!   `/`, `\` or NUL) is `invalid_export`: its files would lie outside the export.
//! - Files for ids the collections do not list (`groups/<other>/…`) are not read.
//! - `@odata.type` names a kind by its last dot-separated part (`#microsoft.graph.device` →
//!   `device`), compared case-insensitively for `user` and `group`; an empty one is invalid.
//! - A member or owner entry typed as a user or group must be listed by `users.json` /
//!   `groups.json`, even when it is then skipped. Owners are users only: a group named as an
//!   owner is skipped and counted under `group`.
//! - `skipped` counts distinct objects per kind over the whole export (a device in two groups
//!   counts once); `nested_group_not_allowed` counts distinct (group, member) pairs;
//!   `membershipRule` distinct dynamic groups; `directoryRole` distinct `roleTemplateId`s of
//!   roles other than the three, whether or not they have members (their members are not read).
//!   Principals of app role assignments other than users and groups are counted under their
//!   `principalType` with a lower-case first letter (`ServicePrincipal` → `servicePrincipal`).
//! - A distribution group assigned to an application is dropped and counted under
//!   `not_security_principal` (distinct pairs), by analogy with `nested_group_not_allowed`:
//!   R-7.2 forbids it, and one such assignment should not refuse a whole tenant.
//! - A group with neither `groupTypes: ["Unified"]`, `securityEnabled` nor `mailEnabled` is a
//!   `security` group (R-8.5's default kind). `groupTypes` and `DynamicMembership` are compared
//!   case-insensitively.
//! - A role held by a group reaches the group's direct user members as listed in
//!   `groups/<id>/members.json` (R-11.3); roles are listed in §1's order.
//! - A user's `display_name` and `department` are left out when Graph gives none, so R-8.5's
//!   defaults apply (the upn; no department).
//! - Renaming (R-11.7) uses the trimmed name; if `"<name> (<id>)"` is itself taken, ` (<id>)` is
//!   appended again until the name is free. Names that are not renamed are kept as given.
//! - `authorizationPolicy.json` must be one object; one with a `value` member (a collection, as
//!   the beta API returned) is `invalid_export` rather than silently read as "no policy".
//! - The `Group.Unified` setting is the `groupSettings.json` entry whose `templateId` is
//!   `62375ab9-6b52-47ed-826b-58e47e0e304b` or whose `displayName` is `Group.Unified`; two of them
//!   is `invalid_export`. `EnableGroupCreation` is `"true"` or `"false"` in any case, empty or
//!   null meaning not given; anything else is `invalid_export`. A present
//!   `GroupCreationAllowedGroupId` that is empty gives "no group" (the export says so: it is not
//!   from defaults); one naming a group `groups.json` does not list is `invalid_export`.
//! - `settings` lists the §2 settings in §2's order, followed by any other names `overrides`
//!   gives, unchanged: `import_directory` refuses those (`invalid_setting`).
//! - `report.skipped` is sorted by kind; `report.renamed` is in `servicePrincipals.json` order.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Display;
use std::io;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Code, Error, Result};
use crate::model::{DirectoryData, ResourceEntry, Timestamp};

mod assemble;
mod files;
mod objects;
mod principals;
mod settings;
#[cfg(test)]
mod tests;

use assemble::*;
use files::*;
use objects::*;
use principals::*;
use settings::*;

/// Role template ids of the three modelled roles (R-11.3), in §1's order.
const ROLE_TEMPLATES: [(&str, &str); 3] = [
    ("62e90394-69f5-4237-9190-012177145e10", "global_admin"),
    ("fdd7a751-b60b-444a-984c-02652fe8fa1c", "groups_admin"),
    ("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "application_admin"),
];

/// Template id of the `Group.Unified` directory setting (R-11.6).
const GROUP_UNIFIED_TEMPLATE: &str = "62375ab9-6b52-47ed-826b-58e47e0e304b";

/// §2's settings, in the table's order (the order of `settings_from_defaults`, R-11.7).
use crate::model::SETTING_NAMES as SETTINGS;

/// R-11.1: the import data for the export at `path`, with `overrides` (the `settings=` of
/// R-11.8, a map of §2 setting name -> JSON value) merged into its `settings` section.
///
/// The result is the data of `import_directory` (R-8.5), built as it is read: its `settings`
/// section is always given and its `report` (R-11.7) is a JSON value. As JSON
/// ([`DirectoryData::to_value`]), for example:
///
/// ```json
/// {"users": [{"id": "u1", "upn": "adelev@contoso.com", "display_name": "Adele Vance",
///             "department": "Retail", "roles": ["global_admin"], "enabled": true}],
///  "groups": [{"id": "g1", "name": "Sales", "description": "", "kind": "security",
///              "join_policy": "owners_only", "owners": ["u1"], "members": ["u1"],
///              "on_premises": false}],
///  "resources": [{"id": "sp1", "name": "Salesforce", "kind": "application",
///                 "owners": ["u1"], "assigned": ["g1"], "blocked": []}],
///  "settings": {"users_can_create_security_groups": true,
///               "users_can_create_microsoft365_groups": true,
///               "microsoft365_creation_group": ""},
///  "report": {"skipped": {"device": 1}, "renamed": {},
///             "settings_from_defaults": ["delegated_group_management", "..."]}}
/// ```
///
/// # Errors
///
/// `invalid_export` for a missing `users.json` or `groups.json`, a file that is not JSON (with
/// its line and column) or not of the expected shape, a paged collection (`@odata.nextLink`), a
/// missing required property or a property of the wrong type, and a reference to a user or
/// group the export does not list; `io_error` for a file that cannot be read.
pub fn graph_to_directory(path: &Path, overrides: &Map<String, Value>) -> Result<DirectoryData> {
    check_folder(path)?;
    let export = Export { root: path };
    let mut report = Report::default();
    let mut ids = HashSet::new();
    let mut dir = Directory { users: read_users(&export, &mut ids)?, ..Directory::default() };
    dir.user_at = index(dir.users.iter().map(|u| u.id.as_str()));
    dir.groups = read_groups(&export, &mut ids, &mut report)?;
    dir.group_at = index(dir.groups.iter().map(|g| g.id.as_str()));
    read_group_links(&export, &mut dir, &mut report)?;
    crate::progress::report("read", dir.groups.len() as u64, dir.groups.len() as u64);
    read_roles(&export, &mut dir, &mut report)?;
    let resources = read_service_principals(&export, &dir, &mut ids, &mut report)?;
    let from_export = read_settings(&export, &dir)?;
    // §13: soft-deleted groups follow the live ones; nothing may link to them.
    dir.groups.extend(read_deleted_groups(&export, &mut ids)?);
    Ok(assemble(dir, resources, &from_export, overrides, &report))
}

// ---------------------------------------------------------------------------------------------
// The model's view of what was read

/// A group's kind (§1), from `groupTypes`, `securityEnabled` and `mailEnabled` (R-11.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Security,
    Microsoft365,
    MailEnabledSecurity,
    Distribution,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Security => "security",
            Kind::Microsoft365 => "microsoft365",
            Kind::MailEnabledSecurity => "mail_enabled_security",
            Kind::Distribution => "distribution",
        }
    }

    /// R-4.10: may a group of kind `self` hold a group of kind `member`?
    fn may_contain(self, member: Kind) -> bool {
        self == Kind::Security && matches!(member, Kind::Security | Kind::MailEnabledSecurity)
    }
}

struct User {
    id: String,
    upn: String,
    display_name: Option<String>,
    department: Option<String>,
    enabled: bool,
    /// Which of [`ROLE_TEMPLATES`] the user holds, in that order.
    roles: [bool; 3],
    /// R-14.6: `signInActivity.lastSignInDateTime`, when the export has it.
    last_sign_in: Option<Timestamp>,
}

struct Group {
    id: String,
    name: String,
    description: String,
    kind: Kind,
    on_premises: bool,
    owners: Vec<String>,
    members: Vec<String>,
    /// §13: `renewedDateTime`, `expirationDateTime` and, for deletedGroups.json,
    /// `deletedDateTime`, as the export gives them (checked instants).
    renewed_at: Option<String>,
    expires_at: Option<String>,
    deleted_at: Option<String>,
}

#[derive(Default)]
struct Directory {
    users: Vec<User>,
    user_at: HashMap<String, usize>,
    groups: Vec<Group>,
    group_at: HashMap<String, usize>,
}

/// What R-11.7's report collects while reading.
#[derive(Default)]
struct Report {
    /// Kind -> the distinct objects (or pairs) skipped of that kind.
    skipped: BTreeMap<String, BTreeSet<String>>,
    /// Service principal id -> new name, in file order.
    renamed: Vec<(String, String)>,
}

impl Report {
    fn skip(&mut self, kind: &str, key: String) {
        self.skipped.entry(kind.to_string()).or_default().insert(key);
    }
}

/// A key for a skipped pair; NUL cannot occur in an importable id.
fn pair(a: &str, b: &str) -> String {
    format!("{a}\u{0}{b}")
}

/// The three settings the export gives (R-11.6); `None` where it gives nothing.
struct ExportSettings {
    security: Option<bool>,
    microsoft365: Option<bool>,
    creation_group: Option<String>,
    /// §13, from groupLifecyclePolicies.json's first policy.
    expiration_scope: Option<&'static str>,
    lifetime_days: Option<u64>,
    notification_emails: Option<String>,
    /// §13, from the Group.Unified setting.
    naming_prefix_suffix: Option<String>,
    blocked_words: Option<Vec<String>>,
}

fn index<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut at = HashMap::new();
    for (i, id) in ids.enumerate() {
        at.entry(id.to_string()).or_insert(i);
    }
    at
}

//! Import from Microsoft Graph (SPEC §11): a folder of Graph v1.0 JSON responses becomes the
//! data of `import_directory` (R-8.5), with a `report` of what could not be modelled (R-11.7).
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
/// The result is an object with the sections `users`, `groups`, `resources`, `settings` and
/// `report`, ready for `import_directory` (R-8.5), for example:
///
/// ```json
/// {"users": [{"id": "u1", "upn": "adelev@contoso.com", "display_name": "Adele Vance",
///             "department": "Retail", "roles": ["global_admin"], "enabled": true}],
///  "groups": [{"id": "g1", "name": "Sales", "description": "", "kind": "security",
///              "join_policy": "owners_only", "owners": ["u1"], "members": ["u1"],
///              "on_premises": false}],
///  "resources": [{"id": "sp1", "name": "Salesforce", "kind": "application",
///                 "owners": ["u1"], "assigned": ["g1"]}],
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
pub fn graph_to_directory(path: &Path, overrides: &Map<String, Value>) -> Result<Value> {
    check_folder(path)?;
    let export = Export { root: path };
    let mut report = Report::default();
    let mut ids = HashSet::new();
    let mut dir = Directory {
        users: read_users(&export, &mut ids)?,
        ..Directory::default()
    };
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
    Ok(assemble(&dir, &resources, &from_export, overrides, &report))
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
    last_sign_in: Option<String>,
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

struct Resource {
    id: String,
    name: String,
    owners: Vec<String>,
    assigned: Vec<String>,
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
        self.skipped
            .entry(kind.to_string())
            .or_default()
            .insert(key);
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

// ---------------------------------------------------------------------------------------------
// Files

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::InvalidExport, message)
}

fn check_folder(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(invalid(format!(
            "{} is not a folder of Microsoft Graph JSON files.",
            path.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(invalid(format!(
            "The export folder {} does not exist.",
            path.display()
        ))),
        Err(e) => Err(Error::new(
            Code::IoError,
            format!("Cannot read the export folder {}: {e}.", path.display()),
        )),
    }
}

/// The export folder; files are named relative to it, with `/`, as messages show them.
struct Export<'a> {
    root: &'a Path,
}

impl Export<'_> {
    /// The JSON document of `rel`, or `None` when the file does not exist.
    fn read(&self, rel: &str) -> Result<Option<Value>> {
        let full = rel
            .split('/')
            .fold(self.root.to_path_buf(), |p, part| p.join(part));
        let bytes = match crate::persist::read_regular(&full) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::new(
                    Code::IoError,
                    format!("Cannot read {rel}: {e}."),
                ));
            }
        };
        // Exports saved by Windows tools (PowerShell's Out-File) start with a byte order mark.
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        serde_json::from_slice(text)
            .map(Some)
            .map_err(|e| json_error(rel, &e))
    }

    /// A required file's document.
    fn require(&self, rel: &str) -> Result<Value> {
        self.read(rel)?.ok_or_else(|| {
            invalid(format!(
                "{rel} is missing from the export, which needs users.json and groups.json."
            ))
        })
    }

    /// The entries of a collection response (R-11.2); a missing optional file is empty.
    fn collection(&self, rel: &str, required: bool) -> Result<Vec<Map<String, Value>>> {
        let doc = if required {
            self.require(rel)?
        } else {
            match self.read(rel)? {
                Some(doc) => doc,
                None => return Ok(Vec::new()),
            }
        };
        let Value::Object(mut obj) = doc else {
            return Err(invalid(format!(
                "{rel} is not a collection response: expected an object with a \"value\" array."
            )));
        };
        if obj
            .get("@odata.nextLink")
            .is_some_and(|link| !link.is_null())
        {
            return Err(invalid(format!(
                "{rel} holds only a first page (it has \"@odata.nextLink\"): export every page into one file."
            )));
        }
        let Some(Value::Array(items)) = obj.remove("value") else {
            return Err(invalid(format!(
                "{rel} is not a collection response: expected an object with a \"value\" array."
            )));
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(entry) => Ok(entry),
                _ => Err(invalid(format!(
                    "{rel} is invalid: value[{i}] is not an object."
                ))),
            })
            .collect()
    }
}

fn json_error(rel: &str, e: &serde_json::Error) -> Error {
    let (line, column) = (e.line(), e.column());
    // serde_json ends its message with the position, which this message states first.
    let full = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    invalid(format!(
        "{rel} is not valid JSON at line {line}, column {column}: {what}."
    ))
}

/// One entry of a file, named in messages by its position until its id is known.
struct Entry<'a> {
    file: &'a str,
    label: String,
    obj: &'a Map<String, Value>,
}

impl<'a> Entry<'a> {
    fn at(file: &'a str, position: usize, obj: &'a Map<String, Value>) -> Self {
        Entry {
            file,
            label: format!("the entry at value[{position}]"),
            obj,
        }
    }

    /// Names the entry by its id from now on.
    fn named(&mut self, noun: &str, id: &str) {
        self.label = format!("{noun} \"{id}\"");
    }

    fn error(&self, what: impl Display) -> Error {
        invalid(format!("{} is invalid: {} {what}.", self.file, self.label))
    }

    fn wrong_type(&self, prop: &str, expected: &str) -> Error {
        self.error(format_args!(
            "has \"{prop}\" of the wrong type (expected {expected})"
        ))
    }

    /// A property, `None` when missing or null (R-11.2: those take defaults).
    fn get(&self, prop: &str) -> Option<&'a Value> {
        self.obj.get(prop).filter(|v| !v.is_null())
    }

    fn string(&self, prop: &str) -> Result<Option<&'a str>> {
        match self.get(prop) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(self.wrong_type(prop, "a string")),
        }
    }

    /// An ISO 8601 instant (R-11.2: a missing or null property is none).
    fn instant(&self, prop: &str) -> Result<Option<String>> {
        match self.string(prop)? {
            None => Ok(None),
            Some(text) => match crate::model::parse_time(text) {
                Some(_) => Ok(Some(text.trim().to_string())),
                None => Err(self.error(format_args!("has {prop} {text:?}, which is not an ISO 8601 instant"))),
            },
        }
    }

    fn required_string(&self, prop: &str) -> Result<&'a str> {
        self.string(prop)?
            .ok_or_else(|| self.error(format_args!("has no \"{prop}\"")))
    }

    fn boolean(&self, prop: &str) -> Result<Option<bool>> {
        match self.get(prop) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(prop, "a boolean")),
        }
    }

    fn array(&self, prop: &str) -> Result<&'a [Value]> {
        match self.get(prop) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items.as_slice()),
            Some(_) => Err(self.wrong_type(prop, "an array")),
        }
    }

    fn strings(&self, prop: &str) -> Result<Vec<&'a str>> {
        self.array(prop)?
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| self.wrong_type(prop, "an array of strings"))
            })
            .collect()
    }

    fn object(&self, prop: &str) -> Result<Option<&'a Map<String, Value>>> {
        match self.get(prop) {
            None => Ok(None),
            Some(Value::Object(obj)) => Ok(Some(obj)),
            Some(_) => Err(self.wrong_type(prop, "an object")),
        }
    }

    /// The entry's required `id`, after which messages name the entry by it.
    fn id(&mut self, noun: &str) -> Result<&'a str> {
        let id = self.required_string("id")?;
        self.named(noun, id);
        Ok(id)
    }

    /// An id that also names a folder of the export (groups, service principals).
    fn folder_id(&mut self, noun: &str) -> Result<&'a str> {
        let id = self.id(noun)?;
        let unsafe_id = id.is_empty() || id == "." || id == ".." || id.contains(['/', '\\', '\0']);
        if unsafe_id {
            return Err(self.error("has an id that cannot name a folder of the export"));
        }
        Ok(id)
    }

    /// Records the entry's id, refusing one an earlier entry of the export has.
    fn unique(&self, id: &str, ids: &mut HashSet<String>) -> Result<()> {
        if ids.insert(id.to_string()) {
            Ok(())
        } else {
            Err(self.error("repeats the id of an earlier object of the export"))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Users and groups

/// R-11.3: users, in file order.
fn read_users(export: &Export, ids: &mut HashSet<String>) -> Result<Vec<User>> {
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

/// R-14.6: a user's `signInActivity.lastSignInDateTime` (Graph gives it with
/// `$select=signInActivity`), an ISO 8601 instant; absent or null: none.
fn last_sign_in(entry: &Entry) -> Result<Option<String>> {
    let Some(activity) = entry.get("signInActivity") else { return Ok(None) };
    let Some(activity) = activity.as_object() else { return Err(entry.wrong_type("signInActivity", "an object")) };
    match activity.get("lastSignInDateTime").filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(Value::String(text)) if crate::model::parse_time(text).is_some() => Ok(Some(text.clone())),
        Some(_) => Err(entry.wrong_type("signInActivity.lastSignInDateTime", "an ISO 8601 instant")),
    }
}

/// R-11.4: groups, in file order, without their members and owners yet.
fn read_groups(
    export: &Export,
    ids: &mut HashSet<String>,
    report: &mut Report,
) -> Result<Vec<Group>> {
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

/// R-11.4: a group's kind from `groupTypes`, `securityEnabled` and `mailEnabled`.
fn group_kind(entry: &Entry<'_>) -> Result<Kind> {
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
fn read_deleted_groups(export: &Export, ids: &mut HashSet<String>) -> Result<Vec<Group>> {
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
enum Object<'a> {
    User,
    Group(Kind),
    /// Another kind of directory object, by its kind (`device`, `servicePrincipal`, …).
    Other(&'a str),
}

/// Reads a directory-object entry (`id` and `@odata.type`, R-11.2) and checks that a user or
/// group it names is listed by the export.
fn directory_object<'a>(
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
fn odata_kind(odata_type: &str) -> &str {
    let t = odata_type.trim().trim_start_matches('#');
    t.rsplit('.').next().unwrap_or(t)
}

/// R-11.4: each group's members and owners from `groups/<id>/members.json` and `owners.json`.
fn read_group_links(export: &Export, dir: &mut Directory, report: &mut Report) -> Result<()> {
    let total = dir.groups.len() as u64;
    for g in 0..dir.groups.len() {
        if g as u64 % 256 == 0 {
            crate::progress::report("read", g as u64, total);
        }
        let Some((gid, kind)) = dir
            .groups
            .get(g)
            .map(|group| (group.id.clone(), group.kind))
        else {
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
                    // R-4.10 forbids it, Exchange allows it: dropped, not refused (R-11.7).
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

/// R-11.3: roles from `directoryRoles.json` (GET /directoryRoles?$expand=members).
fn read_roles(export: &Export, dir: &mut Directory, report: &mut Report) -> Result<()> {
    let file = "directoryRoles.json";
    // (user index, role index), applied after reading so that `dir` stays shared meanwhile.
    let mut grants = Vec::new();
    for (i, obj) in export.collection(file, false)?.iter().enumerate() {
        let mut entry = Entry::at(file, i, obj);
        let template = entry.required_string("roleTemplateId")?;
        entry.named("directory role", template);
        let role = ROLE_TEMPLATES
            .iter()
            .position(|(t, _)| t.eq_ignore_ascii_case(template.trim()));
        let Some(role) = role else {
            // Other roles are ignored (R-11.3), members included; counted once per role.
            report.skip("directoryRole", template.trim().to_ascii_lowercase());
            continue;
        };
        if entry.get("members@odata.nextLink").is_some() {
            return Err(entry
                .error("lists only a first page of members (it has \"members@odata.nextLink\")"));
        }
        let members = entry.array("members")?;
        for (j, member) in members.iter().enumerate() {
            let Value::Object(member) = member else {
                return Err(entry.error(format_args!("has members[{j}] that is not an object")));
            };
            let mut member_entry = Entry {
                file,
                label: format!("member {j} of {}", entry.label),
                obj: member,
            };
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
        if let Some(flag) = dir
            .users
            .get_mut(u)
            .and_then(|user| user.roles.get_mut(role))
        {
            *flag = true;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Service principals

/// R-11.5: service principals as applications, renamed when their name repeats (R-11.7).
fn read_service_principals(
    export: &Export,
    dir: &Directory,
    ids: &mut HashSet<String>,
    report: &mut Report,
) -> Result<Vec<Resource>> {
    let file = "servicePrincipals.json";
    let mut resources = Vec::new();
    // Lower-cased trimmed names taken so far, as given or as renamed (R-10.8).
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
        resources.push(Resource {
            id: id.to_string(),
            name,
            owners: read_user_owners(export, dir, &format!("servicePrincipals/{id}/owners.json"), report)?,
            assigned: read_assignments(export, dir, id, report)?,
        });
    }
    Ok(resources)
}

/// The owners listed in `file` (a group's or a service principal's): users only, since the
/// model's owners are users (§1, R-11.5); groups and other principals are skipped.
fn read_user_owners(export: &Export, dir: &Directory, file: &str, report: &mut Report) -> Result<Vec<String>> {
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

/// A service principal's assigned users and groups from `appRoleAssignedTo` (R-11.5); several
/// app roles on one principal are one assignment.
fn read_assignments(
    export: &Export,
    dir: &Directory,
    sp: &str,
    report: &mut Report,
) -> Result<Vec<String>> {
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
                return Err(entry.error(format_args!(
                    "names user \"{principal}\", which users.json does not list"
                )));
            }
        } else if principal_type.eq_ignore_ascii_case("Group") {
            let group = dir.group_at.get(principal).and_then(|&g| dir.groups.get(g));
            let Some(group) = group else {
                return Err(entry.error(format_args!(
                    "names group \"{principal}\", which groups.json does not list"
                )));
            };
            if group.kind == Kind::Distribution {
                // R-7.2 refuses it (not_security_principal): dropped and counted instead.
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
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown".to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Settings

/// R-11.6: the settings the export gives.
fn read_settings(export: &Export, dir: &Directory) -> Result<ExportSettings> {
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
            let entry = Entry {
                file,
                label: "the policy".to_string(),
                obj: &policy,
            };
            if let Some(permissions) = entry.object("defaultUserRolePermissions")? {
                let inner = Entry {
                    file,
                    label: "defaultUserRolePermissions".to_string(),
                    obj: permissions,
                };
                settings.security = inner.boolean("allowedToCreateSecurityGroups")?;
            }
        }
        Some(_) => {
            return Err(invalid(format!(
                "{file} is not one authorization policy object."
            )));
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
        let item = Entry {
            file,
            label: format!("values[{j}] of {}", entry.label),
            obj: value,
        };
        let (Some(name), Some(value)) = (item.string("name")?, item.string("value")?) else {
            continue;
        };
        // The first value of a name counts, as for repeated references.
        if name.eq_ignore_ascii_case("EnableGroupCreation") && enable.is_none() {
            enable = Some(value.trim());
        } else if name.eq_ignore_ascii_case("GroupCreationAllowedGroupId")
            && allowed_group.is_none()
        {
            allowed_group = Some(value.trim());
        } else if name.eq_ignore_ascii_case("PrefixSuffixNamingRequirement") && prefix_suffix.is_none() {
            prefix_suffix = Some(value.trim());
        } else if name.eq_ignore_ascii_case("CustomBlockedWordsList") && blocked.is_none() {
            blocked = Some(value);
        }
    }
    settings.naming_prefix_suffix = prefix_suffix.map(str::to_string);
    settings.blocked_words = blocked.map(|list| {
        list.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_string).collect()
    });
    settings.microsoft365 = match enable {
        None | Some("") => None,
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(v) => {
            return Err(entry.error(format_args!(
                "has EnableGroupCreation \"{v}\", which is neither \"true\" nor \"false\""
            )));
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
fn read_lifecycle_policy(export: &Export, settings: &mut ExportSettings) -> Result<()> {
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

// ---------------------------------------------------------------------------------------------
// The result

fn assemble(
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
        let roles = ROLE_TEMPLATES
            .iter()
            .zip(u.roles)
            .filter(|(_, held)| *held)
            .map(|((_, role), _)| Value::from(*role));
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
        // R-11.4, R-4.6: groups that were not created in My Groups.
        entry.insert("join_policy".into(), "owners_only".into());
        entry.insert("owners".into(), strings(&g.owners));
        entry.insert("members".into(), strings(&g.members));
        entry.insert("on_premises".into(), g.on_premises.into());
        for (field, value) in [("renewed_at", &g.renewed_at), ("expires_at", &g.expires_at), ("deleted_at", &g.deleted_at)] {
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

    // R-11.6: what the export gives, else Entra's defaults (both true, no group).
    let exported = |name: &str| -> Option<(Value, bool)> {
        let (value, given) = match name {
            "users_can_create_security_groups" => (
                Value::Bool(from_export.security.unwrap_or(true)),
                from_export.security.is_some(),
            ),
            "users_can_create_microsoft365_groups" => (
                Value::Bool(from_export.microsoft365.unwrap_or(true)),
                from_export.microsoft365.is_some(),
            ),
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
        // R-11.8: `settings=` wins over the export.
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

    let skipped: Map<String, Value> = report
        .skipped
        .iter()
        .map(|(kind, objects)| (kind.clone(), Value::from(objects.len())))
        .collect();
    let renamed: Map<String, Value> = report
        .renamed
        .iter()
        .map(|(id, name)| (id.clone(), Value::from(name.clone())))
        .collect();
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

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
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
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects", "value": items})
            .to_string()
    }

    fn user(id: &str, upn: &str) -> Value {
        json!({"id": id, "userPrincipalName": upn, "displayName": upn.split('@').next().unwrap(), "accountEnabled": true})
    }

    fn three_users() -> (&'static str, String) {
        (
            "users.json",
            coll(json!([
                user(U1, "ann@contoso.com"),
                user(U2, "bob@contoso.com"),
                user(U3, "cy@contoso.com")
            ])),
        )
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
        let mut files = vec![
            three_users(),
            ("groups.json", coll(json!([security("g-1", "Sales")]))),
        ];
        files.extend(extra.iter().map(|(rel, text)| (*rel, text.clone())));
        export(&files)
    }

    fn convert(dir: &tempfile::TempDir) -> Value {
        graph_to_directory(dir.path(), &Map::new()).unwrap()
    }

    /// The code and message of a refused conversion.
    fn refusal(dir: &tempfile::TempDir) -> (Code, String) {
        match graph_to_directory(dir.path(), &Map::new()) {
            Ok(data) => panic!("expected a refusal, got {data}"),
            Err(e) => (e.code().unwrap(), e.message().to_string()),
        }
    }

    fn assert_invalid(dir: &tempfile::TempDir, needles: &[&str]) {
        let (code, message) = refusal(dir);
        assert_eq!(code, Code::InvalidExport, "{message}");
        for needle in needles {
            assert!(
                message.contains(needle),
                "{message:?} does not contain {needle:?}"
            );
        }
        assert!(message.ends_with('.'), "{message:?} is not one sentence");
    }

    fn group_of<'a>(data: &'a Value, id: &str) -> &'a Value {
        data["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == id)
            .unwrap()
    }

    fn user_of<'a>(data: &'a Value, id: &str) -> &'a Value {
        data["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .unwrap()
    }

    // --- R-11.2: files and shapes ---------------------------------------------------------

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

    #[test]
    fn r11_2_truncated_json_names_the_file_line_and_column() {
        let text = "{\n  \"value\": [\n    {\"@odata.type\": \"#microsoft.graph.user\", \"id\": \"u-1\"},\n";
        let dir = basic(&[("groups/g-1/members.json", text.to_string())]);
        let (code, message) = refusal(&dir);
        assert_eq!(code, Code::InvalidExport);
        assert!(
            message.starts_with("groups/g-1/members.json is not valid JSON at line 4, column 0"),
            "{message}"
        );
        assert!(message.contains("EOF"), "{message}");
    }

    #[test]
    fn r11_2_bad_json_position_in_the_middle_of_a_file() {
        let dir = export(&[(
            "users.json",
            "{\"value\": [\n  {\"id\": \"u-1\",, }\n]}".to_string(),
        )]);
        let (code, message) = refusal(&dir);
        assert_eq!(code, Code::InvalidExport);
        assert!(
            message.contains("users.json") && message.contains("line 2, column 16"),
            "{message}"
        );
    }

    #[test]
    fn r11_2_a_byte_order_mark_is_allowed() {
        let users = format!("\u{FEFF}{}", coll(json!([user(U1, "ann@contoso.com")])));
        let groups = format!("\u{FEFF}{}", coll(json!([security("g-1", "Sales")])));
        let policy =
            "\u{FEFF}{\"defaultUserRolePermissions\": {\"allowedToCreateSecurityGroups\": false}}";
        let dir = export(&[
            ("users.json", users),
            ("groups.json", groups),
            ("authorizationPolicy.json", policy.into()),
        ]);
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
        let dir = export(&[
            ("users.json", text.to_string()),
            ("groups.json", coll(json!([]))),
        ]);
        assert_invalid(&dir, &["users.json", "@odata.nextLink"]);
        let page = json!({"value": [], "@odata.nextLink": "next"}).to_string();
        let dir = basic(&[("servicePrincipals.json", page)]);
        assert_invalid(&dir, &["servicePrincipals.json", "first page"]);
    }

    #[test]
    fn r11_2_required_properties() {
        let sp = json!([{"id": "sp-1", "displayName": "App"}]).to_string();
        let cases: Vec<(&str, String, &[&str])> = vec![
            (
                "users.json",
                coll(json!([{"userPrincipalName": "a@contoso.com"}])),
                &["value[0]", "\"id\""],
            ),
            (
                "users.json",
                coll(json!([{"id": "u-9", "userPrincipalName": null}])),
                &["user \"u-9\"", "userPrincipalName"],
            ),
            (
                "groups.json",
                coll(json!([{"displayName": "G"}])),
                &["value[0]", "\"id\""],
            ),
            (
                "groups.json",
                coll(json!([{"id": "g-9"}])),
                &["group \"g-9\"", "displayName"],
            ),
            (
                "groups/g-1/members.json",
                coll(json!([{"id": U1}])),
                &["member \"u-1\"", "@odata.type"],
            ),
            (
                "groups/g-1/owners.json",
                coll(json!([{"@odata.type": "#microsoft.graph.user"}])),
                &["value[0]", "\"id\""],
            ),
            (
                "servicePrincipals.json",
                coll(json!([{"id": "sp-1"}])),
                &["service principal \"sp-1\"", "displayName"],
            ),
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
            let dir = basic(&[
                ("servicePrincipals.json", format!("{{\"value\": {sp}}}")),
                (rel, coll(json!([entry]))),
            ]);
            assert_invalid(&dir, &[rel, "assignment \"a-1\"", needle]);
        }
    }

    #[test]
    fn r11_2_a_wrong_json_type_names_the_entry_and_property() {
        let cases: Vec<(&str, String, &[&str])> = vec![
            (
                "users.json",
                coll(
                    json!([{"id": U1, "userPrincipalName": "a@contoso.com", "accountEnabled": "yes"}]),
                ),
                &["user \"u-1\"", "accountEnabled", "boolean"],
            ),
            (
                "users.json",
                coll(json!([{"id": 7, "userPrincipalName": "a@contoso.com"}])),
                &["value[0]", "\"id\"", "string"],
            ),
            (
                "users.json",
                coll(
                    json!([{"id": U1, "userPrincipalName": "a@contoso.com", "department": ["x"]}]),
                ),
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
            (
                "groups/g-1/members.json",
                coll(json!([{"id": U1, "@odata.type": 3}])),
                &["member \"u-1\"", "@odata.type"],
            ),
            (
                "directoryRoles.json",
                coll(
                    json!([{"roleTemplateId": "62e90394-69f5-4237-9190-012177145e10", "members": {}}]),
                ),
                &["directory role", "members"],
            ),
            (
                "authorizationPolicy.json",
                json!({"defaultUserRolePermissions": {"allowedToCreateSecurityGroups": "no"}})
                    .to_string(),
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
        let roles = coll(
            json!([{"roleTemplateId": "62e90394-69f5-4237-9190-012177145e10", "members": null}]),
        );
        let dir = export(&[
            ("users.json", users),
            ("groups.json", groups),
            ("directoryRoles.json", roles),
        ]);
        let data = convert(&dir);
        assert_eq!(
            data["users"][0],
            json!({"id": U1, "upn": "ann@contoso.com", "roles": [], "enabled": true})
        );
        assert_eq!(
            data["users"][1],
            json!({"id": U2, "upn": "bob@contoso.com", "roles": [], "enabled": true})
        );
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
            (
                "groups/g-1/members.json",
                coll(json!([member_user("u-404")])),
                &["member \"u-404\"", "users.json"],
            ),
            (
                "groups/g-1/members.json",
                coll(json!([member_group("g-404")])),
                &["member \"g-404\"", "groups.json"],
            ),
            (
                "groups/g-1/owners.json",
                coll(json!([member_user("u-404")])),
                &["owner \"u-404\"", "users.json"],
            ),
            (
                "servicePrincipals/sp-1/owners.json",
                coll(json!([member_user("u-404")])),
                &["owner \"u-404\""],
            ),
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
        for text in [
            "[]",
            "{\"value\": [{\"id\": \"authorizationPolicy\"}]}",
            "true",
        ] {
            let dir = basic(&[("authorizationPolicy.json", text.to_string())]);
            assert_invalid(&dir, &["authorizationPolicy.json"]);
        }
    }

    #[test]
    fn r11_2_repeated_and_unsafe_ids_are_refused() {
        // decision: an object listed twice is a damaged export.
        let users = coll(json!([
            user(U1, "ann@contoso.com"),
            user(U1, "bob@contoso.com")
        ]));
        let dir = export(&[("users.json", users), ("groups.json", coll(json!([])))]);
        assert_invalid(&dir, &["users.json", "user \"u-1\"", "earlier"]);
        let groups = coll(json!([security(U1, "Clash")]));
        let dir = export(&[three_users(), ("groups.json", groups)]);
        assert_invalid(&dir, &["groups.json", "group \"u-1\""]);
        // decision: an id that would name a folder outside the export.
        for id in ["../users", "a\\b", "..", ""] {
            let dir = export(&[
                three_users(),
                ("groups.json", coll(json!([security(id, "Evil")]))),
            ]);
            assert_invalid(&dir, &["groups.json", "folder"]);
        }
    }

    // --- R-11.3: users and roles ----------------------------------------------------------

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
            // Other roles are ignored and counted once each (R-11.7).
            {"id": "r-4", "roleTemplateId": "fe930be7-5e62-47db-91af-98c3a49a38b1", "members": [member_user(U2)]},
            {"id": "r-5", "roleTemplateId": "729827e3-9c14-49f7-bb1b-9608f156bbb8", "members": []},
            {"id": "r-6", "roleTemplateId": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
             "members": [{"@odata.type": "#microsoft.graph.servicePrincipal", "id": "sp-x"}]},
        ]));
        let groups = coll(json!([
            security("g-1", "Helpdesk"),
            security("g-2", "Nested")
        ]));
        let dir = export(&[
            three_users(),
            ("groups.json", groups),
            (
                "groups/g-1/members.json",
                coll(json!([member_user(U2), member_group("g-2")])),
            ),
            ("groups/g-2/members.json", coll(json!([member_user(U3)]))),
            ("directoryRoles.json", roles),
        ]);
        let data = convert(&dir);
        assert_eq!(
            user_of(&data, U1)["roles"],
            json!(["global_admin", "application_admin"])
        );
        assert_eq!(user_of(&data, U2)["roles"], json!(["groups_admin"]));
        assert_eq!(user_of(&data, U3)["roles"], json!(["application_admin"]));
        assert_eq!(
            data["report"]["skipped"],
            json!({"directoryRole": 2, "servicePrincipal": 1})
        );
    }

    #[test]
    fn r11_3_a_paged_role_member_list_is_refused() {
        let roles = coll(
            json!([{"roleTemplateId": "62e90394-69f5-4237-9190-012177145e10", "members": [],
                                 "members@odata.nextLink": "next"}]),
        );
        let dir = basic(&[("directoryRoles.json", roles)]);
        assert_invalid(&dir, &["directoryRoles.json", "members@odata.nextLink"]);
    }

    // --- R-11.4: groups -------------------------------------------------------------------

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
            (
                "groups/g-dyn/members.json",
                coll(json!([member_user(U2), member_user(U1)])),
            ),
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
        let groups = coll(json!([
            security("g-1", "One"),
            security("g-2", "Two"),
            security("g-3", "Three")
        ]));
        let device =
            json!({"@odata.type": "#microsoft.graph.device", "id": "d-1", "displayName": "KIOSK"});
        let contact = json!({"@odata.type": "#microsoft.graph.orgContact", "id": "c-1"});
        let spn = json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": "sp-x"});
        let dir = export(&[
            three_users(),
            ("groups.json", groups),
            (
                "groups/g-1/members.json",
                coll(json!([
                    member_user(U3),
                    device,
                    member_group("g-2"),
                    member_user(U1),
                    member_user(U3),
                    contact,
                    spn
                ])),
            ),
            (
                "groups/g-1/owners.json",
                coll(json!([
                    member_user(U2),
                    spn,
                    member_user(U1),
                    member_user(U2)
                ])),
            ),
            (
                "groups/g-2/members.json",
                coll(json!([device, member_user(U2)])),
            ),
            ("groups/g-3/owners.json", coll(json!([member_group("g-2")]))),
        ]);
        let data = convert(&dir);
        assert_eq!(group_of(&data, "g-1")["members"], json!([U3, "g-2", U1]));
        assert_eq!(group_of(&data, "g-1")["owners"], json!([U2, U1]));
        assert_eq!(group_of(&data, "g-2")["members"], json!([U2]));
        assert_eq!(group_of(&data, "g-3")["owners"], json!([]));
        // Distinct objects per kind: the device in two groups and the service principal as
        // member and owner count once; a group named as an owner is skipped (owners are users).
        assert_eq!(
            data["report"]["skipped"],
            json!({"device": 1, "group": 1, "orgContact": 1, "servicePrincipal": 1})
        );
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
            (
                "groups/m365/members.json",
                coll(json!([
                    member_user(U2),
                    member_group("sec2"),
                    member_group("sec2")
                ])),
            ),
            (
                "groups/mes/members.json",
                coll(json!([member_group("sec")])),
            ),
        ]);
        let data = convert(&dir);
        // Security groups hold security and mail-enabled security groups; other kinds users only.
        assert_eq!(
            group_of(&data, "sec")["members"],
            json!([U1, "sec2", "mes"])
        );
        assert_eq!(group_of(&data, "dl")["members"], json!([U1]));
        assert_eq!(group_of(&data, "m365")["members"], json!([U2]));
        assert_eq!(group_of(&data, "mes")["members"], json!([]));
        // sec: m365, dl; dl: sec2, mes, m365, dl; m365: sec2 (once); mes: sec.
        assert_eq!(
            data["report"]["skipped"],
            json!({"nested_group_not_allowed": 8})
        );
    }

    // --- R-11.5: service principals -------------------------------------------------------

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
                {"id": "sp-b", "name": "Workday", "kind": "application", "owners": [U3], "assigned": [U2, "g-1", U1]},
                {"id": "sp-a", "name": "Salesforce", "kind": "application", "owners": [], "assigned": []},
            ])
        );
        // decision: a distribution group assignment (R-7.2 forbids it) is dropped and counted.
        assert_eq!(
            data["report"]["skipped"],
            json!({"not_security_principal": 1, "servicePrincipal": 1})
        );
    }

    // --- R-11.7: the report ---------------------------------------------------------------

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
        let names: Vec<&str> = data["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Salesforce",
                "salesforce (sp-2)",
                "Workday",
                "SALESFORCE (SP-2) (sp-4)",
                "Salesforce (sp-5)"
            ]
        );
        assert_eq!(
            data["report"]["renamed"],
            json!({"sp-2": "salesforce (sp-2)", "sp-4": "SALESFORCE (SP-2) (sp-4)", "sp-5": "Salesforce (sp-5)"})
        );
        let keys: Vec<&String> = data["report"]["renamed"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["sp-2", "sp-4", "sp-5"]);
    }

    #[test]
    fn r11_7_settings_from_defaults_lists_what_nobody_gave_in_section_2_order() {
        let data = convert(&basic(&[]));
        assert_eq!(data["report"]["settings_from_defaults"], json!(SETTINGS));
    }

    // --- R-11.6: settings -----------------------------------------------------------------

    fn unified(values: Value) -> String {
        coll(json!([
            {"id": "s-guest", "displayName": "Group.Unified.Guest", "templateId": "08d542b9-071f-4e16-94b0-74abb372e3d9",
             "values": [{"name": "AllowToAddGuests", "value": "false"}]},
            {"id": "s-1", "displayName": "Group.Unified", "templateId": GROUP_UNIFIED_TEMPLATE, "values": values},
        ]))
    }

    #[test]
    fn r11_6_settings_come_from_the_export() {
        let policy = json!({"id": "authorizationPolicy", "defaultUserRolePermissions": {"allowedToCreateSecurityGroups": false}});
        let values = json!([{"name": "EnableGroupCreation", "value": "FALSE"}, {"name": "GroupCreationAllowedGroupId", "value": "g-1"}]);
        let dir = basic(&[
            ("authorizationPolicy.json", policy.to_string()),
            ("groupSettings.json", unified(values)),
        ]);
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
                "max_owners_per_group", "expiration_scope", "expiration_lifetime_days", "expiration_notification_emails", "naming_prefix_suffix", "blocked_words", "group_owners_manage_reviews"
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
        let values = json!([{"name": "GroupCreationAllowedGroupId", "value": ""}, {"name": "EnableGroupCreation", "value": "True"}]);
        let policy = json!({"defaultUserRolePermissions": {"allowedToCreateApps": true}});
        let dir = basic(&[
            ("groupSettings.json", unified(values)),
            ("authorizationPolicy.json", policy.to_string()),
        ]);
        let data = convert(&dir);
        assert_eq!(
            data["settings"]["users_can_create_microsoft365_groups"],
            true
        );
        assert_eq!(data["settings"]["microsoft365_creation_group"], "");
        assert_eq!(
            data["report"]["settings_from_defaults"],
            json!([
                "delegated_group_management",
                "users_can_create_security_groups",
                "self_service_scope",
                "self_service_group",
                "max_groups_per_user",
                "max_owners_per_group", "expiration_scope", "expiration_lifetime_days", "expiration_notification_emails", "naming_prefix_suffix", "blocked_words", "group_owners_manage_reviews"
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
        assert_invalid(
            &basic(&[("groupSettings.json", two)]),
            &["groupSettings.json", "setting \"s-2\"", "second"],
        );
    }

    // --- R-11.8: settings= ----------------------------------------------------------------

    #[test]
    fn r11_8_overrides_win_and_add_settings() {
        let values = json!([{"name": "EnableGroupCreation", "value": "false"}]);
        let dir = basic(&[("groupSettings.json", unified(values))]);
        let overrides = json!({"max_owners_per_group": 5, "users_can_create_microsoft365_groups": true,
                               "delegated_group_management": true, "users_can_create_security_groups": false});
        let data = graph_to_directory(dir.path(), overrides.as_object().unwrap()).unwrap();
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
                "max_groups_per_user", "expiration_scope", "expiration_lifetime_days", "expiration_notification_emails", "naming_prefix_suffix", "blocked_words", "group_owners_manage_reviews"
            ])
        );
        // Unknown names are passed on for import_directory to refuse (invalid_setting).
        let odd = json!({"colour": "blue"});
        let data = graph_to_directory(dir.path(), odd.as_object().unwrap()).unwrap();
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
        let data = graph_to_directory(&fixture(), &Map::new()).unwrap();

        // R-11.3: users in file order, with roles (Isaiah's through Helpdesk admins; Diego's
        // User Administrator role is not modelled), Johanna disabled, Isaiah without department.
        let u =
            |id: &str, upn: &str, name: &str, dept: Option<&str>, roles: Value, enabled: bool| {
                let mut v = json!({"id": id, "upn": upn, "display_name": name});
                if let Some(dept) = dept {
                    v["department"] = json!(dept);
                }
                v["roles"] = roles;
                v["enabled"] = json!(enabled);
                v
            };
        // R-14.6: signInActivity.lastSignInDateTime.
        let mut megan = u(MEGANB, "meganb@contoso.com", "Megan Bowen", Some("IT"), json!(["global_admin"]), true);
        megan["last_sign_in"] = json!("2016-06-10T08:15:00Z");
        assert_eq!(
            data["users"],
            json!([
                megan,
                u(
                    ISAIAHL,
                    "isaiahl@contoso.com",
                    "Isaiah Langer",
                    None,
                    json!(["groups_admin"]),
                    true
                ),
                u(
                    ALEXW,
                    "alexw@contoso.com",
                    "Alex Wilber",
                    Some("Marketing"),
                    json!(["application_admin"]),
                    true
                ),
                u(
                    ADELEV,
                    "adelev@contoso.com",
                    "Adele Vance",
                    Some("Retail"),
                    json!([]),
                    true
                ),
                u(
                    LEEG,
                    "leeg@contoso.com",
                    "Lee Gu",
                    Some("Manufacturing"),
                    json!([]),
                    true
                ),
                u(
                    LYNNER,
                    "lynner@contoso.com",
                    "Lynne Robbins",
                    Some("Retail"),
                    json!([]),
                    true
                ),
                u(
                    DIEGOS,
                    "diegos@contoso.com",
                    "Diego Siciliani",
                    Some("HR"),
                    json!([]),
                    true
                ),
                u(
                    NESTORW,
                    "nestorw@contoso.com",
                    "Nestor Wilke",
                    Some("Operations"),
                    json!([]),
                    true
                ),
                u(
                    JOHANNAL,
                    "johannal@contoso.com",
                    "Johanna Lorenz",
                    Some("Engineering"),
                    json!([]),
                    false
                ),
                u(
                    GRADYA,
                    "gradya@contoso.com",
                    "Grady Archie",
                    Some("R&D"),
                    json!([]),
                    true
                ),
                u(
                    PRADEEPG,
                    "pradeepg@contoso.com",
                    "Pradeep Gupta",
                    Some("Finance"),
                    json!([]),
                    true
                ),
            ])
        );

        // R-11.4: kinds, on_premises, owners_only, members and owners (R-4.10 drops Retail
        // from the distribution list; the device, the contact are skipped; Lynne listed twice).
        let g = |id: &str,
                 name: &str,
                 description: &str,
                 kind: &str,
                 owners: Value,
                 members: Value,
                 on_premises: bool| {
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
                g(
                    INTERNS,
                    "Sales interns",
                    "Interns of the sales team",
                    "security",
                    json!([ADELEV]),
                    json!([NESTORW]),
                    false
                ),
                g(
                    RETAIL,
                    "Retail",
                    "Retail team",
                    "microsoft365",
                    json!([LYNNER]),
                    json!([ADELEV, LYNNER, JOHANNAL]),
                    false
                ),
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
                g(
                    MARKETING,
                    "Marketing department",
                    "",
                    "microsoft365",
                    json!([ALEXW]),
                    json!([ALEXW]),
                    false
                ),
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
            let mut old = g("98f4e2b0-1c2d-4e3f-8a4b-5c6d7e8f9a0b", "Old project", "A finished project", "microsoft365", json!([]), json!([]), false);
            old["deleted_at"] = json!("2017-02-20T08:15:00Z");
            list.push(old);
        }
        assert_eq!(data["groups"], groups);

        // R-11.5, R-11.7: applications; Salesforce's two app roles on one group are one
        // assignment; the service principal assigned to Workday is skipped; the second
        // "Salesforce" is renamed.
        let sandbox_name = format!("Salesforce ({SANDBOX})");
        assert_eq!(
            data["resources"],
            json!([
                {"id": SALESFORCE, "name": "Salesforce", "kind": "application", "owners": [LEEG], "assigned": [SALES, GRADYA]},
                {"id": WORKDAY, "name": "Workday", "kind": "application", "owners": [DIEGOS],
                 "assigned": [RETAIL, FINANCE, DIEGOS, JOHANNAL]},
                {"id": SANDBOX, "name": sandbox_name, "kind": "application", "owners": [], "assigned": []},
            ])
        );

        // R-11.6: the authorization policy and the Group.Unified setting.
        assert_eq!(
            data["settings"],
            json!({"users_can_create_security_groups": false, "users_can_create_microsoft365_groups": false,
                   "microsoft365_creation_group": "Microsoft 365 creators",
                   // §13: groupLifecyclePolicies.json and the Group.Unified naming values.
                   "expiration_scope": "selected", "expiration_lifetime_days": 365,
                   "expiration_notification_emails": "admin@contoso.com; it@contoso.com",
                   "naming_prefix_suffix": "", "blocked_words": []})
        );

        // R-11.7: the report.
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
}

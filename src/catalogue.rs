//! Every command and query of a tenant, declared once: its name, its parameters (name, type,
//! default, positional or keyword-only), its kind, the audit activity it records and a
//! one-line doc.
//!
//! The faces are derived from this table: [`crate::call`] binds arguments by it (with
//! R-10.13's type errors), `check` accepts what it marks checkable (R-10.11), the Rhai engine
//! registers one function per entry and arity and `:help` prints it, and the Python methods
//! are tested against it (names, parameters, order, keyword-only options, defaults), as is
//! the stub `_core.pyi`. Each SPEC area declares its own entries in a `catalogue` module
//! beside its rules and effects (`users`, `groups`, `requests`, `resources`, `lifecycle`,
//! `reviews`, `packages`; the clock and history in `tenant`, the queries of access and
//! analysis in theirs); this module defines the declaration and lists them all. Adding a
//! command means: an entry in its area, its [`crate::Command`] variant (whose serde field
//! names are the parameter names), its rule and its effect.
//!
//! ```
//! use ssgm::catalogue::{entry, Kind};
//! let e = entry("create_group").unwrap();
//! assert_eq!(e.kind, Kind::Actor);
//! assert!(e.checkable());
//! assert_eq!(e.params[2].name, "kind");
//! assert!(e.params[2].keyword_only);
//! assert_eq!(e.params[2].default, Some("'security'"));
//! ```

use serde::Serialize;

/// What kind of call an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Seeding: no actor, audited as `system`, not accepted by `check` (R-10.11).
    Seeding,
    /// An actor command: decided by the rules, audited, accepted by `check`.
    Actor,
    /// A checked read (R-6.1, R-6.2): an actor command that changes nothing.
    CheckedRead,
    /// A clock move (R-8.3): in the history, not audited, not accepted by `check`.
    Clock,
    /// A query: not audited, not in the history (R-6.4).
    Query,
}

impl Kind {
    /// The kind's name in the catalogue view.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Seeding => "seeding",
            Kind::Actor => "actor",
            Kind::CheckedRead => "checked_read",
            Kind::Clock => "clock",
            Kind::Query => "query",
        }
    }
}

/// What a parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    /// A user: a handle, an id or a upn.
    User,
    /// A group: a handle, an id or a name.
    Group,
    /// A resource: a handle, an id or a name.
    Resource,
    /// A join request: a handle or an id.
    Request,
    /// A user or a group.
    Principal,
    /// Text.
    Text,
    /// Text or nothing.
    OptText,
    /// A bool.
    Bool,
    /// A whole number.
    Int,
    /// A number of time units (an int or a float).
    Number,
    /// An instant: an aware datetime, a naive one read as UTC, or RFC 3339 text.
    Time,
    /// A list of users.
    Users,
    /// A list of users and groups.
    Principals,
    /// A list of role names.
    Roles,
    /// Directory data (R-8.5): a map.
    Data,
    /// §2 settings given by keyword (`**settings`; a map in Rhai).
    Settings,
    /// A command's name.
    Command,
    /// Arguments of the command named before (`*args, **kwargs`).
    Arguments,
    /// A file path.
    Path,
    /// A list of history entries.
    Events,
    /// (user, resource) pairs.
    Pairs,
    /// Anything the doc describes.
    Any,
    // §14
    /// An access review: a handle or an id.
    Review,
    /// A list of groups, or one group alone.
    Groups,
    // ----- §15 -----
    /// A user, or None.
    OptUser,
    /// An access package: a handle, an id or a name.
    Package,
    /// A policy: a handle or an id (or a name where its package is named).
    Policy,
    /// A policy, or None.
    OptPolicy,
    /// A package request: a handle or an id.
    PackageRequest,
    /// A package assignment: a handle or an id.
    Assignment,
    /// A package or a group (R-15.14).
    PackageOrGroup,
    /// `"none"`, `"all"` or a list of users and groups (R-15.4).
    Requestors,
    /// A list of stage maps (R-15.4).
    Stages,
    /// `"never"`, a number of days or an instant (R-15.4).
    Expires,
    /// A bool, or None.
    OptBool,
}

impl Ty {
    /// The type as `:help` shows it.
    pub fn rhai(self) -> &'static str {
        match self {
            Ty::User => "User",
            Ty::Group => "Group",
            Ty::Resource => "Resource",
            Ty::Request => "Request",
            Ty::Principal => "Principal",
            Ty::Text | Ty::OptText | Ty::Command | Ty::Path => "String",
            Ty::Bool => "bool",
            Ty::Int => "int",
            Ty::Number => "float",
            Ty::Time => "String",
            Ty::Users | Ty::Principals | Ty::Roles | Ty::Events | Ty::Pairs => "Array",
            Ty::Data | Ty::Settings => "Map",
            Ty::Arguments | Ty::Any => "?",
            Ty::Review => "Review",
            Ty::Groups => "Array",
            Ty::OptUser => "User",
            Ty::Package => "AccessPackage",
            Ty::Policy | Ty::OptPolicy => "PackagePolicy",
            Ty::PackageRequest => "PackageRequest",
            Ty::Assignment => "PackageAssignment",
            Ty::PackageOrGroup => "AccessPackage | Group",
            Ty::Stages => "Array",
            Ty::Requestors | Ty::Expires => "?",
            Ty::OptBool => "bool",
        }
    }
}

/// One parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Param {
    /// Its name, as the keyword argument and the serde field of the command.
    pub name: &'static str,
    /// What it accepts.
    pub ty: Ty,
    /// Its default as Python writes it (`None`, `''`, `()`, `True`, `'security'`), or none
    /// when it is required.
    pub default: Option<&'static str>,
    /// Whether it is given by keyword only (in Rhai: in the trailing options map).
    pub keyword_only: bool,
}

/// One command or query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Its name, the same in Python and Rhai.
    pub name: &'static str,
    /// What kind of call it is.
    pub kind: Kind,
    /// Its parameters, in order (the tenant itself not included).
    pub params: &'static [Param],
    /// What it returns, as Python types it.
    pub returns: &'static str,
    /// The audit activity it records (R-8.1), empty for clock moves and queries.
    pub activity: &'static str,
    /// One line.
    pub doc: &'static str,
}

impl Entry {
    /// Whether `check` accepts it (R-10.11): actor commands and the checked reads.
    pub fn checkable(&self) -> bool {
        matches!(self.kind, Kind::Actor | Kind::CheckedRead)
    }

    /// Whether it enters the history (R-8.4).
    pub fn is_command(&self) -> bool {
        !matches!(self.kind, Kind::Query)
    }

    /// The parameter named `name`.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The positional parameters (required ones first, as declared).
    pub fn positional(&self) -> impl Iterator<Item = &'static Param> {
        self.params.iter().filter(|p| !p.keyword_only && !matches!(p.ty, Ty::Settings | Ty::Arguments))
    }

    /// How many positional parameters are required.
    pub fn required(&self) -> usize {
        self.positional().filter(|p| p.default.is_none()).count()
    }

    /// The parameters that have defaults (optional positional ones and keyword-only ones):
    /// what a Rhai options map may hold.
    pub fn options(&self) -> impl Iterator<Item = &'static Param> {
        self.params.iter().filter(|p| p.default.is_some())
    }

    /// The Python signature, as `__text_signature__` writes it (without `$self`).
    pub fn python_signature(&self) -> String {
        let mut parts = Vec::new();
        let mut star = false;
        for p in self.params {
            match p.ty {
                Ty::Settings => parts.push(format!("**{}", p.name)),
                Ty::Arguments => {
                    parts.push("*args".into());
                    parts.push("**kwargs".into());
                    star = true;
                }
                _ => {
                    if p.keyword_only && !star {
                        parts.push("*".into());
                        star = true;
                    }
                    match p.default {
                        Some(d) => parts.push(format!("{}={d}", p.name)),
                        None => parts.push(p.name.to_string()),
                    }
                }
            }
        }
        format!("({})", parts.join(", "))
    }
}

pub(crate) const fn req(name: &'static str, ty: Ty) -> Param {
    Param { name, ty, default: None, keyword_only: false }
}
pub(crate) const fn opt(name: &'static str, ty: Ty, default: &'static str) -> Param {
    Param { name, ty, default: Some(default), keyword_only: false }
}
pub(crate) const fn kw(name: &'static str, ty: Ty, default: &'static str) -> Param {
    Param { name, ty, default: Some(default), keyword_only: true }
}

pub(crate) const ACTOR: Param = req("actor", Ty::User);
pub(crate) const GROUP: Param = req("group", Ty::Group);
pub(crate) const RESOURCE: Param = req("resource", Ty::Resource);
pub(crate) const USER: Param = req("user", Ty::User);
pub(crate) const REQUEST: Param = req("request", Ty::Request);
pub(crate) const PACKAGE: Param = req("package", Ty::Package);
pub(crate) const POLICY: Param = req("policy", Ty::Policy);
pub(crate) const PACKAGE_REQUEST: Param = req("request", Ty::PackageRequest);

pub(crate) const fn command(
    name: &'static str,
    kind: Kind,
    params: &'static [Param],
    returns: &'static str,
    activity: &'static str,
    doc: &'static str,
) -> Entry {
    Entry { name, kind, params, returns, activity, doc }
}

pub(crate) const fn query(
    name: &'static str,
    params: &'static [Param],
    returns: &'static str,
    doc: &'static str,
) -> Entry {
    Entry { name, kind: Kind::Query, params, returns, activity: "", doc }
}

/// What an area's entries are written with.
pub(crate) mod declare {
    pub(crate) use super::Kind::{Actor, CheckedRead, Clock, Seeding};
    pub(crate) use super::{command, kw, opt, query, req, Entry, Param, Ty};
    pub(crate) use super::{ACTOR, GROUP, PACKAGE, PACKAGE_REQUEST, POLICY, REQUEST, RESOURCE, USER};
}

/// Every area's entries, in SPEC order.
const AREAS: &[&[Entry]] = &[
    crate::users::catalogue::ENTRIES,
    crate::import::catalogue::ENTRIES,
    crate::groups::catalogue::ENTRIES,
    crate::requests::catalogue::ENTRIES,
    crate::resources::catalogue::ENTRIES,
    crate::tenant::catalogue::ENTRIES,
    crate::access::catalogue::ENTRIES,
    crate::analysis::catalogue::ENTRIES,
    crate::lifecycle::catalogue::ENTRIES,
    crate::reviews::catalogue::ENTRIES,
    crate::packages::catalogue::ENTRIES,
];

const fn count(areas: &[&[Entry]]) -> usize {
    let (mut n, mut i) = (0, 0);
    while i < areas.len() {
        n += areas[i].len();
        i += 1;
    }
    n
}

const TOTAL: usize = count(AREAS);

/// The areas' entries in one list: every area's commands first, then every area's queries.
const fn assemble(areas: &[&[Entry]]) -> [Entry; TOTAL] {
    let mut out = [query("", &[], "", ""); TOTAL];
    let (mut k, mut pass) = (0, 0);
    while pass < 2 {
        let mut i = 0;
        while i < areas.len() {
            let mut j = 0;
            while j < areas[i].len() {
                let e = areas[i][j];
                if matches!(e.kind, Kind::Query) == (pass == 1) {
                    out[k] = e;
                    k += 1;
                }
                j += 1;
            }
            i += 1;
        }
        pass += 1;
    }
    out
}

static ALL: [Entry; TOTAL] = assemble(AREAS);

/// Every command and query: each area declares its own (its `catalogue` module, beside its
/// rules and effects), listed here commands first, then queries, area by area in SPEC order.
pub static CATALOGUE: &[Entry] = &ALL;

/// The entry named `name` (looked up in a table built once).
pub fn entry(name: &str) -> Option<&'static Entry> {
    static BY_NAME: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, &'static Entry>> =
        std::sync::OnceLock::new();
    BY_NAME.get_or_init(|| CATALOGUE.iter().map(|e| (e.name, e)).collect()).get(name).copied()
}

/// The audit activity a command records (R-8.1): its entry's, or where the entry gives
/// alternatives (`a / b`), the `choice`-th of them.
pub fn activity(name: &str, choice: usize) -> &'static str {
    let all = entry(name).map(|e| e.activity).unwrap_or("");
    // Most entries name one activity: a byte scan, not a substring search, tells.
    if !all.as_bytes().contains(&b'/') {
        return all;
    }
    all.split(" / ").nth(choice).unwrap_or(all)
}

/// The entries that enter the history: seeding, actor commands, checked reads, clock moves.
pub fn commands() -> impl Iterator<Item = &'static Entry> {
    CATALOGUE.iter().filter(|e| e.is_command())
}

/// The catalogue as JSON-ready data, for `catalogue()` in both faces.
pub fn view() -> serde_json::Value {
    serde_json::Value::Array(
        CATALOGUE
            .iter()
            .map(|e| {
                serde_json::json!({
                    "name": e.name,
                    "kind": e.kind.as_str(),
                    "checkable": e.checkable(),
                    "params": e.params.iter().map(|p| serde_json::json!({
                        "name": p.name,
                        "type": p.ty,
                        "default": p.default,
                        "keyword_only": p.keyword_only,
                    })).collect::<Vec<_>>(),
                    "signature": e.python_signature(),
                    "returns": e.returns,
                    "activity": e.activity,
                    "doc": e.doc,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_in_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for e in CATALOGUE {
            assert!(seen.insert(e.name), "{} is declared twice", e.name);
            assert!(e.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", e.name);
        }
    }

    #[test]
    fn required_parameters_come_before_optional_positional_ones() {
        for e in CATALOGUE {
            let mut optional = false;
            for p in e.positional() {
                assert!(!(optional && p.default.is_none()), "{}: {} follows an optional parameter", e.name, p.name);
                optional |= p.default.is_some();
            }
        }
    }

    #[test]
    fn r10_11_check_accepts_actor_commands_and_checked_reads_only() {
        let checkable: Vec<_> = CATALOGUE.iter().filter(|e| e.checkable()).map(|e| e.name).collect();
        assert!(checkable.contains(&"configure") && checkable.contains(&"list_access"));
        for seeding in ["add_user", "set_enabled", "set_roles", "import_directory", "advance", "set_time", "users"] {
            assert!(!checkable.contains(&seeding), "{seeding}");
        }
    }

    #[test]
    fn the_python_signature_marks_keyword_only_options() {
        let sig = |n| entry(n).map(Entry::python_signature);
        assert_eq!(
            sig("create_group").as_deref(),
            Some("(actor, name, *, kind='security', join_policy=None, description='', owners=(), members=(), on_premises=False)")
        );
        assert_eq!(sig("configure").as_deref(), Some("(actor, **settings)"));
        assert_eq!(sig("check").as_deref(), Some("(actor, command, *args, **kwargs)"));
        assert_eq!(sig("approve").as_deref(), Some("(actor, request, reason='')"));
    }
}

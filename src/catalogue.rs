//! Every command and query of a tenant, declared once: its name, its parameters (name, type,
//! default, positional or keyword-only), its kind, the audit activity it records and a
//! one-line doc.
//!
//! The faces are derived from this table: [`crate::call`] binds arguments by it (with
//! R-10.13's type errors), `check` accepts what it marks checkable (R-10.11), the Rhai engine
//! registers one function per entry and arity and `:help` prints it, and the Python methods
//! are tested against it (names, parameters, order, keyword-only options, defaults), as is
//! the stub `_core.pyi`. Adding a command means: an entry here, its [`crate::Command`]
//! variant (whose serde field names are the parameter names), its rule and its effect.
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

const fn req(name: &'static str, ty: Ty) -> Param {
    Param { name, ty, default: None, keyword_only: false }
}
const fn opt(name: &'static str, ty: Ty, default: &'static str) -> Param {
    Param { name, ty, default: Some(default), keyword_only: false }
}
const fn kw(name: &'static str, ty: Ty, default: &'static str) -> Param {
    Param { name, ty, default: Some(default), keyword_only: true }
}

const ACTOR: Param = req("actor", Ty::User);
const GROUP: Param = req("group", Ty::Group);
const RESOURCE: Param = req("resource", Ty::Resource);
const USER: Param = req("user", Ty::User);
const REQUEST: Param = req("request", Ty::Request);
const PACKAGE: Param = req("package", Ty::Package);
const POLICY: Param = req("policy", Ty::Policy);
const PACKAGE_REQUEST: Param = req("request", Ty::PackageRequest);

const fn command(
    name: &'static str,
    kind: Kind,
    params: &'static [Param],
    returns: &'static str,
    activity: &'static str,
    doc: &'static str,
) -> Entry {
    Entry { name, kind, params, returns, activity, doc }
}

const fn query(name: &'static str, params: &'static [Param], returns: &'static str, doc: &'static str) -> Entry {
    Entry { name, kind: Kind::Query, params, returns, activity: "", doc }
}

use Kind::{Actor, CheckedRead, Clock, Seeding};

/// Every command and query, commands first in API.md's order.
pub static CATALOGUE: &[Entry] = &[
    // ----- seeding -----
    command(
        "add_user",
        Seeding,
        &[
            req("upn", Ty::Text),
            kw("display_name", Ty::OptText, "None"),
            kw("department", Ty::OptText, "None"),
            kw("roles", Ty::Roles, "()"),
            kw("enabled", Ty::Bool, "True"),
            kw("manager", Ty::OptUser, "None"),
        ],
        "User",
        "Add user",
        "Seeding: adds a user (audited as system).",
    ),
    command(
        "set_enabled",
        Seeding,
        &[USER, req("enabled", Ty::Bool)],
        "User",
        "Update user",
        "Seeding: enables or disables a user (R-3.5).",
    ),
    command("set_roles", Seeding, &[USER, req("roles", Ty::Roles)], "User", "Update user", "Seeding: replaces a user's roles."),
    command(
        "import_directory",
        Seeding,
        &[req("data", Ty::Data)],
        "dict",
        "Import directory",
        "Seeding: many users, groups and resources in one command (R-8.5); returns the counts.",
    ),
    // ----- actor commands -----
    command(
        "configure",
        Actor,
        &[ACTOR, Param { name: "settings", ty: Ty::Settings, default: None, keyword_only: true }],
        "Settings",
        "Update group settings",
        "Changes tenant settings, all or none (R-2.1); returns the settings.",
    ),
    command(
        "create_group",
        Actor,
        &[
            ACTOR,
            req("name", Ty::Text),
            kw("kind", Ty::Text, "'security'"),
            kw("join_policy", Ty::OptText, "None"),
            kw("description", Ty::Text, "''"),
            kw("owners", Ty::Users, "()"),
            kw("members", Ty::Principals, "()"),
            kw("on_premises", Ty::Bool, "False"),
        ],
        "Group",
        "Add group",
        "Creates a group (R-4.3 to R-4.6).",
    ),
    command(
        "update_group",
        Actor,
        &[
            ACTOR,
            GROUP,
            kw("name", Ty::OptText, "None"),
            kw("description", Ty::OptText, "None"),
            kw("join_policy", Ty::OptText, "None"),
        ],
        "Group",
        "Update group",
        "Changes a group's name, description or join policy (R-4.7).",
    ),
    command("delete_group", Actor, &[ACTOR, GROUP], "None", "Delete group", "Deletes a group (R-4.7, R-4.13)."),
    command(
        "add_member",
        Actor,
        &[ACTOR, GROUP, req("member", Ty::Principal)],
        "None",
        "Add member to group",
        "Adds a user or a group to a group (R-4.8, R-4.10).",
    ),
    command(
        "remove_member",
        Actor,
        &[ACTOR, GROUP, req("member", Ty::Principal)],
        "None",
        "Remove member from group",
        "Removes a member from a group (R-4.8).",
    ),
    command("add_owner", Actor, &[ACTOR, GROUP, USER], "None", "Add owner to group", "Adds an owner to a group (R-4.9)."),
    command(
        "remove_owner",
        Actor,
        &[ACTOR, GROUP, USER],
        "None",
        "Remove owner from group",
        "Removes an owner from a group (R-4.9).",
    ),
    command("leave", Actor, &[ACTOR, GROUP], "None", "Remove member from group", "The actor leaves a group (R-4.12)."),
    command(
        "request_to_join",
        Actor,
        &[ACTOR, GROUP, opt("justification", Ty::Text, "''")],
        "Request",
        "Request to join a group",
        "Asks to join a group (R-5.1 to R-5.5).",
    ),
    command(
        "approve",
        Actor,
        &[ACTOR, REQUEST, opt("reason", Ty::Text, "''")],
        "Request",
        "Approve a pending request to join a group",
        "Approves a pending request (R-5.6).",
    ),
    command(
        "deny",
        Actor,
        &[ACTOR, REQUEST, opt("reason", Ty::Text, "''")],
        "Request",
        "Reject a pending request to join a group",
        "Denies a pending request (R-5.6).",
    ),
    command(
        "cancel",
        Actor,
        &[ACTOR, REQUEST],
        "Request",
        "Cancel a pending request to join a group",
        "Cancels a pending request (R-5.7).",
    ),
    command(
        "create_resource",
        Actor,
        &[ACTOR, req("name", Ty::Text), kw("kind", Ty::Text, "'application'"), kw("owners", Ty::Users, "()")],
        "Resource",
        "Add resource",
        "Creates an application or a site (R-7.1).",
    ),
    command(
        "add_resource_owner",
        Actor,
        &[ACTOR, RESOURCE, USER],
        "None",
        "Add owner to resource",
        "Adds an owner to a resource (R-7.1).",
    ),
    command(
        "remove_resource_owner",
        Actor,
        &[ACTOR, RESOURCE, USER],
        "None",
        "Remove owner from resource",
        "Removes an owner from a resource (R-7.1).",
    ),
    command(
        "assign",
        Actor,
        &[ACTOR, RESOURCE, req("principal", Ty::Principal)],
        "None",
        "Add app role assignment to group / Add app role assignment grant to user",
        "Assigns a user or a group to a resource (R-7.2).",
    ),
    command(
        "unassign",
        Actor,
        &[ACTOR, RESOURCE, req("principal", Ty::Principal)],
        "None",
        "Remove app role assignment from group / Remove app role assignment from user",
        "Unassigns a user or a group from a resource (R-7.2).",
    ),
    command("block", Actor, &[ACTOR, RESOURCE, USER], "None", "Block user from resource", "Blocks a user from a resource (R-7.5)."),
    command("unblock", Actor, &[ACTOR, RESOURCE, USER], "None", "Unblock user from resource", "Unblocks a user (R-7.5)."),
    command(
        "list_members",
        CheckedRead,
        &[ACTOR, GROUP],
        "list[User | Group]",
        "List group members",
        "Checked read: a group's members, for its owners and admins (R-6.1).",
    ),
    command(
        "list_access",
        CheckedRead,
        &[ACTOR, RESOURCE],
        "list[User]",
        "List resource access",
        "Checked read: everyone with access, for the resource's owners and admins (R-6.2).",
    ),
    // ----- group lifecycle (§13) -----
    command(
        "add_group_to_expiration",
        Actor,
        &[ACTOR, GROUP],
        "None",
        "Add group to lifecycle policy",
        "Adds a Microsoft 365 group to the expiration policy's selected list (R-13.2).",
    ),
    command(
        "remove_group_from_expiration",
        Actor,
        &[ACTOR, GROUP],
        "None",
        "Remove group from lifecycle policy",
        "Removes a group from the expiration policy's selected list (R-13.2).",
    ),
    command("renew", Actor, &[ACTOR, GROUP], "Group", "Renew group", "Renews a covered group: it expires a lifetime from now (R-13.4)."),
    command(
        "restore_group",
        Actor,
        &[ACTOR, GROUP],
        "Group",
        "Restore group",
        "Restores a soft-deleted Microsoft 365 group by id (R-13.9).",
    ),
    command("purge_group", Actor, &[ACTOR, GROUP], "None", "Hard delete group", "Deletes a soft-deleted group for good (R-13.10)."),
    command(
        "record_activity",
        Seeding,
        &[GROUP],
        "None",
        "Record group activity",
        "Seeding: records use of a group, which renews it automatically when covered (R-13.5).",
    ),
    // ----- access reviews (§14) -----
    command(
        "create_review",
        Actor,
        &[
            ACTOR,
            req("name", Ty::Text),
            req("groups", Ty::Groups),
            kw("reviewer_type", Ty::Text, "'owners'"),
            kw("reviewers", Ty::Users, "()"),
            kw("fallback_reviewers", Ty::Users, "()"),
            kw("duration_days", Ty::Int, "14"),
            kw("default_decision", Ty::Text, "'none'"),
            kw("auto_apply", Ty::Bool, "False"),
            kw("justification_required", Ty::Bool, "False"),
        ],
        "list[Review]",
        "Create access review",
        "Creates one access review per group, its items and reviewers a snapshot of now (R-14.1 to R-14.5).",
    ),
    command(
        "decide_review",
        Actor,
        &[ACTOR, req("review", Ty::Review), USER, req("decision", Ty::Text), opt("justification", Ty::Text, "''")],
        "AccessReviewDecision",
        "Approve decision / Deny decision / Don't know decision",
        "A reviewer decides one item: approve, deny or dont_know; the last response wins (R-14.7).",
    ),
    command(
        "stop_review",
        Actor,
        &[ACTOR, req("review", Ty::Review)],
        "Review",
        "Access review ended",
        "Completes an in-progress review now; its defaults and auto-apply follow (R-14.9).",
    ),
    command(
        "apply_review",
        Actor,
        &[ACTOR, req("review", Ty::Review)],
        "Review",
        "Apply review",
        "Applies a completed review: denied direct members are removed (R-14.10, R-14.11).",
    ),
    command(
        "record_sign_in",
        Seeding,
        &[USER],
        "User",
        "Record sign-in",
        "Seeding: the user signs in now, which sets last_sign_in (R-14.6).",
    ),
    // ----- access packages (§15) -----
    command(
        "set_manager",
        Seeding,
        &[USER, req("manager", Ty::OptUser)],
        "User",
        "Set user manager",
        "Seeding: sets or clears a user's manager (R-15.18).",
    ),
    command(
        "create_package",
        Actor,
        &[ACTOR, req("name", Ty::Text), kw("description", Ty::Text, "''"), kw("groups", Ty::Groups, "()")],
        "AccessPackage",
        "Create access package",
        "Creates an access package of groups (R-15.2, R-15.3).",
    ),
    command(
        "update_package",
        Actor,
        &[ACTOR, PACKAGE, kw("name", Ty::OptText, "None"), kw("description", Ty::OptText, "None")],
        "AccessPackage",
        "Update access package",
        "Renames or describes a package (R-15.2).",
    ),
    command("delete_package", Actor, &[ACTOR, PACKAGE], "None", "Delete access package", "Deletes a package with no active assignment or pending request (R-15.2)."),
    command(
        "add_package_group",
        Actor,
        &[ACTOR, PACKAGE, GROUP],
        "None",
        "Update access package",
        "Adds a group to a package; its active assignments' users gain it (R-15.3).",
    ),
    command(
        "remove_package_group",
        Actor,
        &[ACTOR, PACKAGE, GROUP],
        "None",
        "Update access package",
        "Takes a group out of a package; its active assignments' users lose it (R-15.3).",
    ),
    command(
        "add_incompatible",
        Actor,
        &[ACTOR, PACKAGE, req("other", Ty::PackageOrGroup)],
        "None",
        "Create incompatible access package / Create incompatible group",
        "Makes a package or a group incompatible with a package, one way (R-15.14).",
    ),
    command(
        "remove_incompatible",
        Actor,
        &[ACTOR, PACKAGE, req("other", Ty::PackageOrGroup)],
        "None",
        "Delete incompatible access package / Delete incompatible group",
        "Lifts an incompatibility (R-15.14).",
    ),
    command(
        "create_policy",
        Actor,
        &[
            ACTOR,
            PACKAGE,
            req("name", Ty::Text),
            kw("requestors", Ty::Requestors, "'none'"),
            kw("justification_required", Ty::Bool, "True"),
            kw("stages", Ty::Stages, "()"),
            kw("expires", Ty::Expires, "'never'"),
        ],
        "PackagePolicy",
        "Create access package assignment policy",
        "Creates a policy: requestors, justification, 0 to 3 approval stages, expiry (R-15.4).",
    ),
    command(
        "update_policy",
        Actor,
        &[
            ACTOR,
            POLICY,
            kw("name", Ty::OptText, "None"),
            kw("requestors", Ty::Requestors, "None"),
            kw("justification_required", Ty::OptBool, "None"),
            kw("stages", Ty::Stages, "None"),
            kw("expires", Ty::Expires, "None"),
        ],
        "PackagePolicy",
        "Update access package assignment policy",
        "Changes a policy; an option left None is unchanged (R-15.4, R-15.5).",
    ),
    command("delete_policy", Actor, &[ACTOR, POLICY], "None", "Delete access package assignment policy", "Deletes a policy not in use (R-15.5)."),
    command(
        "assign_package",
        Actor,
        &[ACTOR, PACKAGE, USER, POLICY, kw("justification", Ty::Text, "''")],
        "PackageAssignment",
        "Administrator directly assigns user to access package",
        "An administrator assigns a package directly, delivered at once (R-15.13).",
    ),
    command(
        "reprocess_assignment",
        Actor,
        &[ACTOR, req("assignment", Ty::Assignment)],
        "PackageAssignment",
        "Reprocess access package assignment",
        "Re-adds an active assignment's missing memberships (R-15.15).",
    ),
    command(
        "request_package",
        Actor,
        &[ACTOR, PACKAGE, opt("justification", Ty::Text, "''"), kw("policy", Ty::OptPolicy, "None")],
        "PackageRequest",
        "User requests access package assignment",
        "Requests a package under a policy that offers itself (R-15.6, R-15.7).",
    ),
    command(
        "approve_package_request",
        Actor,
        &[ACTOR, PACKAGE_REQUEST, opt("justification", Ty::Text, "''")],
        "PackageRequest",
        "Approval stage completed for access package assignment request / Approve access package assignment request",
        "Approves a request's stage: the next opens, or after the last it is delivered (R-15.9).",
    ),
    command(
        "deny_package_request",
        Actor,
        &[ACTOR, PACKAGE_REQUEST, opt("justification", Ty::Text, "''")],
        "PackageRequest",
        "Deny access package assignment request",
        "Denies a pending request (R-15.9).",
    ),
    command(
        "cancel_package_request",
        Actor,
        &[ACTOR, PACKAGE_REQUEST],
        "PackageRequest",
        "Cancel access package assignment request",
        "Cancels a pending request: the requester or an admin (R-15.10).",
    ),
    command(
        "remove_assignment",
        Actor,
        &[ACTOR, req("assignment", Ty::Assignment)],
        "PackageAssignment",
        "Administrator directly removes user access package assignment / User requests to remove access package assignment",
        "Ends an active assignment: its user or an admin (R-15.12).",
    ),
    // ----- clock -----
    command(
        "advance",
        Clock,
        &[kw("days", Ty::Number, "0"), kw("hours", Ty::Number, "0"), kw("minutes", Ty::Number, "0"), kw("seconds", Ty::Number, "0")],
        "datetime",
        "",
        "Moves the clock forward (R-8.3); a negative or non-finite duration is invalid_time.",
    ),
    command(
        "set_time",
        Clock,
        &[req("when", Ty::Time)],
        "datetime",
        "",
        "Moves the clock to a later instant (R-8.3, R-10.7).",
    ),
    // ----- queries -----
    query(
        "check",
        &[ACTOR, req("command", Ty::Command), Param { name: "args", ty: Ty::Arguments, default: None, keyword_only: false }],
        "Decision",
        "Dry run of an actor command by name, not recorded (R-10.11).",
    ),
    query("users", &[], "list[User]", "Every user, in creation order (R-10.1)."),
    query("groups", &[], "list[Group]", "Every live group, in creation order (R-10.1)."),
    query("resources", &[], "list[Resource]", "Every resource, in creation order (R-10.1)."),
    query(
        "requests",
        &[kw("status", Ty::OptText, "None"), kw("group", Ty::Group, "None"), kw("requester", Ty::User, "None")],
        "list[Request]",
        "Requests in creation order, filtered by status, group and requester (R-10.1).",
    ),
    query("user", &[req("ref", Ty::User)], "User", "The user with this id or upn (R-1.4; user_not_found)."),
    query("group", &[req("ref", Ty::Group)], "Group", "The group with this id or name (R-1.4; group_not_found)."),
    query("resource", &[req("ref", Ty::Resource)], "Resource", "The resource with this id or name (R-1.4)."),
    query("request", &[req("id", Ty::Request)], "Request", "The request with this id (request_not_found)."),
    query("has_access", &[USER, RESOURCE], "bool", "Effective access (R-7.3)."),
    query(
        "has_access_many",
        &[req("pairs", Ty::Pairs), opt("resources", Ty::Any, "None")],
        "list[bool]",
        "has_access for each (user, resource) pair, or for two equal-length sequences (R-8.6).",
    ),
    query("explain_access", &[USER, RESOURCE], "Access", "Why a user does or does not reach a resource (R-7.8)."),
    query("who_has_access", &[RESOURCE], "list[User]", "Everyone with effective access, in creation order (R-6.4)."),
    query("access_of", &[USER], "list[Resource]", "The resources a user reaches, in creation order."),
    query("access_panel", &[USER], "AccessPanel", "A user's Access Panel (R-6.3)."),
    query("audit_log", &[], "list[AuditEntry]", "The audit log (R-8.1)."),
    query("provisioning_log", &[], "list[ProvisioningEvent]", "The provisioning log (R-7.7)."),
    query("events", &[], "list[dict]", "The history (R-8.4): every command and clock move, in order."),
    query("fork", &[], "Tenant", "An independent copy, for what-if studies."),
    query("save", &[req("path", Ty::Path)], "None", "Writes an atomic snapshot."),
    // ----- analysis (§12) -----
    query("capabilities", &[USER], "list[Capability]", "What a user may do right now, as (right, object) pairs (R-12.1)."),
    query("routes", &[USER, RESOURCE], "list[Route]", "How a user could come to reach a resource through self-service (R-12.2)."),
    query("exposure", &[RESOURCE], "list[Exposure]", "Every user's standing toward a resource, with a first route (R-12.3)."),
    query("gatekeepers", &[RESOURCE], "list[Gatekeeper]", "Role-less users who can change who reaches a resource (R-12.4)."),
    query("diff", &[req("after", Ty::Any)], "Diff", "What differs from another tenant, object by object by id (R-12.5)."),
    query("to_dot", &[], "str", "The tenant as Graphviz DOT text (R-12.6)."),
    query("apply", &[req("steps", Ty::Any)], "list[Any]", "Runs a route's steps in order; stops at the first refusal."),
    // ----- group lifecycle (§13) -----
    query("enforced_name", &[USER, req("name", Ty::Text)], "str", "The name the naming policy gives a user's new Microsoft 365 group (R-13.13)."),
    query("deleted_groups", &[], "list[DeletedGroup]", "Soft-deleted groups, in deletion order (R-13.8)."),
    query("notification_log", &[], "list[Notification]", "The expiry notices sent (R-13.6)."),
    // ----- access reviews (§14) -----
    query(
        "reviews",
        &[kw("status", Ty::OptText, "None"), kw("group", Ty::Group, "None"), kw("reviewer", Ty::User, "None")],
        "list[Review]",
        "Access reviews in creation order, filtered by status, group (or a deleted group's id) and reviewer (R-14.14).",
    ),
    query("review", &[req("id", Ty::Review)], "Review", "The access review with this id (review_not_found)."),
    // ----- access packages (§15) -----
    query("packages", &[], "list[AccessPackage]", "Access packages, in creation order (R-15.16)."),
    query("package", &[req("ref", Ty::Package)], "AccessPackage", "The package with this id or name (package_not_found)."),
    query("policies", &[kw("package", Ty::Package, "None")], "list[PackagePolicy]", "Policies, of one package or all, in creation order."),
    query("policy", &[req("id", Ty::Policy)], "PackagePolicy", "The policy with this id (policy_not_found)."),
    query(
        "package_requests",
        &[kw("status", Ty::OptText, "None"), kw("package", Ty::Package, "None"), kw("requester", Ty::User, "None")],
        "list[PackageRequest]",
        "Package requests in creation order, filtered by status, package and requester.",
    ),
    query("package_request", &[req("id", Ty::PackageRequest)], "PackageRequest", "The package request with this id (request_not_found)."),
    query(
        "package_assignments",
        &[kw("state", Ty::OptText, "None"), kw("package", Ty::Package, "None"), kw("user", Ty::User, "None")],
        "list[PackageAssignment]",
        "Assignments in creation order, filtered by state, package and user.",
    ),
    query("package_assignment", &[req("id", Ty::Assignment)], "PackageAssignment", "The assignment with this id (assignment_not_found)."),
    query("assignment_drift", &[kw("package", Ty::Package, "None")], "list[Drift]", "Active assignments' groups their users are missing from (R-15.15)."),
    query(
        "incompatible_assignments",
        &[kw("package", Ty::Package, "None")],
        "list[PackageAssignment]",
        "Active assignments whose user now holds incompatible access (R-15.16).",
    ),
];

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

//! Analysis (SPEC §12): what each user may do, how a user could come to reach a resource
//! without an administrator, who keeps the gates, and what differs between two tenants.
//!
//! Every answer is what `check` would say, command by command: the queries ask the rules of
//! `rules` (the same functions the commands are decided by, at their index-level
//! entries) and never restate them. They ask quietly (`rules::quietly`): a refusal
//! they only count carries no message, so asking is cheap. They are queries (R-6.4): they
//! change nothing, are not audited and are not in the history.
//!
//! ```
//! use ssgm::{Command, Tenant};
//! let mut t = Tenant::new("contoso");
//! let add = |upn: &str| Command::AddUser {
//!     upn: upn.into(), display_name: None, department: None, roles: vec![], enabled: true, manager: None,
//! };
//! t.execute(add("bob@contoso.com")).unwrap();
//! // Self-service is off: bob may do nothing but nothing is needed to list nothing.
//! assert!(t.capabilities(0).is_empty());
//! let copy = t.fork();
//! assert!(ssgm::analysis::diff(&t, &copy).is_empty());
//! ```

mod apply;
mod capabilities;
mod diff;
mod dot;
mod exposure;
mod gatekeepers;
mod routes;

pub use apply::step_command;
pub use diff::diff;
pub use dot::{GraphEdge, GraphNode};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The catalogue entries of §12 queries (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        query(
            "capabilities",
            &[USER],
            "list[Capability]",
            "What a user may do right now, as (right, object) pairs (R-12.1).",
        ),
        query(
            "routes",
            &[USER, RESOURCE],
            "list[Route]",
            "How a user could come to reach a resource through self-service (R-12.2).",
        ),
        query(
            "exposure",
            &[RESOURCE],
            "list[Exposure]",
            "Every user's standing toward a resource, with a first route (R-12.3).",
        ),
        query(
            "gatekeepers",
            &[RESOURCE],
            "list[Gatekeeper]",
            "Role-less users who can change who reaches a resource (R-12.4).",
        ),
        query(
            "diff",
            &[req("after", Ty::Any)],
            "Diff",
            "What differs from another tenant, object by object by id (R-12.5).",
        ),
        query("to_dot", &[], "str", "The tenant as Graphviz DOT text (R-12.6)."),
        query(
            "apply",
            &[req("steps", Ty::Any)],
            "list[Any]",
            "Runs a route's steps in order; stops at the first refusal.",
        ),
    ];
}

/// A right of R-12.1, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// Create groups of a kind (R-4.3).
    Create,
    /// Change, delete and manage the owners of a group (R-4.7, R-4.9).
    Change,
    /// Add and remove a group's members (R-4.8).
    ManageMembers,
    /// Approve and deny a group's requests (R-5.6).
    Decide,
    /// Ask to join a group (R-5.1 – R-5.5).
    Join,
    /// Assign, unassign, block and unblock on a resource (R-7.2, R-7.5).
    ManageAccess,
    /// List a group's members (R-6.1).
    ListMembers,
    /// List who has access to a resource (R-6.2).
    ListAccess,
}

impl Right {
    /// Every right, in R-12.1's order.
    pub const ALL: [Right; 8] = [
        Right::Create,
        Right::Change,
        Right::ManageMembers,
        Right::Decide,
        Right::Join,
        Right::ManageAccess,
        Right::ListMembers,
        Right::ListAccess,
    ];

    /// The rights a diff compares (R-12.5).
    pub const DIFF: [Right; 5] =
        [Right::Create, Right::Change, Right::ManageMembers, Right::Decide, Right::ManageAccess];

    /// The right's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Right::Create => "create",
            Right::Change => "change",
            Right::ManageMembers => "manage_members",
            Right::Decide => "decide",
            Right::Join => "join",
            Right::ManageAccess => "manage_access",
            Right::ListMembers => "list_members",
            Right::ListAccess => "list_access",
        }
    }

    /// What the object of this right is.
    pub fn object_kind(self) -> ObjectKind {
        match self {
            Right::Create => ObjectKind::GroupKind,
            Right::ManageAccess | Right::ListAccess => ObjectKind::Resource,
            _ => ObjectKind::Group,
        }
    }
}

/// What the object of a capability or a gatekeeper's right is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A group kind's name (`create`).
    GroupKind,
    /// A group id.
    Group,
    /// A resource id.
    Resource,
}

/// One thing a user may do right now (R-12.1): a right and its object (a group kind's name,
/// a group id or a resource id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capability {
    /// The right.
    pub right: Right,
    /// A group kind (`create`), else a group or resource id.
    pub object: String,
}

/// The kinds of R-12.2's routes, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    /// Join an open group.
    Join,
    /// Add oneself to a group one owns.
    AddSelf,
    /// Ask to join an `owner_approval` group; an owner approves.
    Request,
    /// An owner of the group adds the user.
    AddedByOwner,
    /// Assign oneself to a resource one owns.
    AssignSelf,
    /// An owner of the resource assigns the user.
    AssignedByOwner,
    /// §15: request an access package holding the group; with a stage, a decider approves.
    Package,
}

impl RouteKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Join => "join",
            RouteKind::AddSelf => "add_self",
            RouteKind::Request => "request",
            RouteKind::AddedByOwner => "added_by_owner",
            RouteKind::AssignSelf => "assign_self",
            RouteKind::AssignedByOwner => "assigned_by_owner",
            RouteKind::Package => "package",
        }
    }

    /// The assign kinds go through no group.
    pub fn is_assign(self) -> bool {
        matches!(self, RouteKind::AssignSelf | RouteKind::AssignedByOwner)
    }
}

/// One command of a route, ready to replay with `apply` (API.md): the actor's id, the
/// command's name, and its arguments after the actor, as ids in the order of the command's
/// signature (keyword options as a trailing map). An `approve` that follows a
/// `request_to_join` has `null` for its request: `apply` fills in the request just made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The id of the user who takes the step.
    pub actor: String,
    /// The command's name.
    pub command: String,
    /// The arguments after the actor.
    pub args: Vec<Value>,
}

/// A way a user could come to have effective access to a resource through self-service
/// (R-12.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Route {
    /// How.
    pub kind: RouteKind,
    /// The group it goes through (none for the assign kinds).
    pub group: Option<String>,
    /// The groups from `group` out to an assigned group, inner first.
    pub via: Vec<String>,
    /// The users, other than the user, any one of whom can take the step that is not the
    /// user's own, in creation order.
    pub helpers: Vec<String>,
    /// The commands, the first helper acting for the step that is not the user's.
    pub steps: Vec<Step>,
}

/// A user's standing towards a resource (R-12.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The user has effective access.
    HasAccess,
    /// The user is disabled.
    Disabled,
    /// The user is blocked from the resource.
    Blocked,
    /// The user holds a role.
    Role,
    /// A route without helpers exists.
    #[serde(rename = "self")]
    OnTheirOwn,
    /// Only routes with helpers exist.
    Helper,
    /// No route: only a role holder could grant access.
    AdminOnly,
}

impl Status {
    /// The status's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::HasAccess => "has_access",
            Status::Disabled => "disabled",
            Status::Blocked => "blocked",
            Status::Role => "role",
            Status::OnTheirOwn => "self",
            Status::Helper => "helper",
            Status::AdminOnly => "admin_only",
        }
    }
}

/// One user's exposure to a resource (R-12.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exposure {
    /// The user's id.
    pub user: String,
    /// Where the user stands.
    pub status: Status,
    /// The first route, for `self` and `helper`.
    pub route: Option<Route>,
}

/// A role-less user who can change who reaches a resource (R-12.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gatekeeper {
    /// The user's id.
    pub user: String,
    /// `manage_access`, `manage_members` or `decide`.
    pub right: Right,
    /// The resource's or the group's id.
    pub object: String,
}

/// What was gained and what was lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gains<T> {
    /// In `after`, not in `before`, in `after`'s order.
    pub gained: Vec<T>,
    /// In `before`, not in `after`, in `before`'s order.
    pub lost: Vec<T>,
}

/// What was added and what was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes<T> {
    /// In `after`, not in `before`, in `after`'s order.
    pub added: Vec<T>,
    /// In `before`, not in `after`, in `before`'s order.
    pub removed: Vec<T>,
}

impl<T> Default for Gains<T> {
    fn default() -> Self {
        Gains { gained: Vec::new(), lost: Vec::new() }
    }
}

impl<T> Default for Changes<T> {
    fn default() -> Self {
        Changes { added: Vec::new(), removed: Vec::new() }
    }
}

/// Two tenants compared object by object, by id (R-12.5). Pairs and triples hold ids.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Diff {
    /// (user, resource) pairs of effective access.
    pub access: Gains<(String, String)>,
    /// (user, right, object) of the rights `create`, `change`, `manage_members`, `decide`
    /// and `manage_access`, for users in both tenants holding no role in either.
    pub capabilities: Gains<(String, Right, String)>,
    /// (group, member) pairs.
    pub members: Changes<(String, String)>,
    /// (group or resource, owner) pairs.
    pub owners: Changes<(String, String)>,
    /// (resource, principal) pairs.
    pub assignments: Changes<(String, String)>,
    /// (resource, user) pairs.
    pub blocks: Changes<(String, String)>,
    /// Ids of users, groups, resources and requests.
    pub objects: Changes<String>,
    /// `{name: [before, after]}` for each setting that differs, in §2's order.
    pub settings: Map<String, Value>,
    /// (request, status before, status after) for requests in both whose status differs.
    pub requests: Vec<(String, String, String)>,
}

impl Diff {
    /// Whether the two tenants had the same state (every list empty).
    pub fn is_empty(&self) -> bool {
        self.access.gained.is_empty()
            && self.access.lost.is_empty()
            && self.capabilities.gained.is_empty()
            && self.capabilities.lost.is_empty()
            && [&self.members, &self.owners, &self.assignments, &self.blocks]
                .iter()
                .all(|c| c.added.is_empty() && c.removed.is_empty())
            && self.objects.added.is_empty()
            && self.objects.removed.is_empty()
            && self.settings.is_empty()
            && self.requests.is_empty()
    }

    /// The section names, in R-12.5's order.
    pub const SECTIONS: [&'static str; 9] =
        ["access", "capabilities", "members", "owners", "assignments", "blocks", "objects", "settings", "requests"];
}

/// A record as plain JSON: what `to_dict()` returns in Python and what Rhai sees as a map.
pub fn view<T: Serialize>(record: &T) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}

/// The name of the group kinds in §1's order (the objects of `create`).
pub(crate) const GROUP_KINDS: [crate::model::GroupKind; 4] = [
    crate::model::GroupKind::Security,
    crate::model::GroupKind::Microsoft365,
    crate::model::GroupKind::MailEnabledSecurity,
    crate::model::GroupKind::Distribution,
];

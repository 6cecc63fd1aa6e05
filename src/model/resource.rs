use super::{GroupIx, Principal, UserIx};
use rustc_hash::{FxHashMap, FxHashSet};

/// What a resource is (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// A SaaS application: group assignment reaches direct members only.
    Application,
    /// A site: membership is transitive through nested groups.
    Site,
}

impl ResourceKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Application => "application",
            ResourceKind::Site => "site",
        }
    }

    /// The kind with this name.
    pub fn parse(name: &str) -> Option<ResourceKind> {
        match name {
            "application" => Some(ResourceKind::Application),
            "site" => Some(ResourceKind::Site),
            _ => None,
        }
    }
}

/// A resource that access is granted to (SPEC §1).
#[derive(Debug, Clone)]
pub struct Resource {
    /// Stable id.
    pub id: String,
    /// Unique, case-insensitive.
    pub name: String,
    /// Application or site.
    pub kind: ResourceKind,
    /// Owners, in insertion order.
    pub owners: Vec<UserIx>,
    /// Assigned principals, in assignment order.
    pub assigned: Vec<Principal>,
    /// The groups of `assigned`, for constant-time checks.
    pub assigned_groups: FxHashSet<GroupIx>,
    /// The users of `assigned`, for constant-time checks.
    pub assigned_users: FxHashSet<UserIx>,
    /// Blocked users, in blocking order.
    pub blocked: Vec<UserIx>,
    /// The users of `blocked`, for constant-time checks.
    pub blocked_set: FxHashSet<UserIx>,
    /// Applications only: for each user an assignment reaches, how many grants reach them
    /// (a direct assignment, and each assigned group they are a direct member of, R-7.4).
    /// Kept up to date by every link and unlink, so a check is one lookup.
    pub grants: FxHashMap<UserIx, u32>,
}

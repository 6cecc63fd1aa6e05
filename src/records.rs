//! Immutable records the tenant returns: audit entries, provisioning events, decisions and
//! command outcomes.

use crate::error::{Code, Error};
use crate::model::{Settings, Timestamp};

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1, 2, 3 … in order.
    pub seq: u64,
    /// The logical time of the command.
    pub time: Timestamp,
    /// The actor's id (as given when it did not resolve), or `system` for seeding.
    pub actor: String,
    /// Entra's activity name.
    pub activity: &'static str,
    /// The ids of the objects the command names, in argument order.
    pub targets: Vec<String>,
    /// Whether the command was allowed.
    pub success: bool,
    /// The refusal code, if refused.
    pub code: Option<Code>,
}

impl AuditEntry {
    /// `success` or `refused`.
    pub fn outcome(&self) -> &'static str {
        if self.success {
            "success"
        } else {
            "refused"
        }
    }
}

/// Gained or lost access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// The user gained effective access.
    Provisioned,
    /// The user lost effective access.
    Deprovisioned,
}

impl Change {
    /// `provisioned` or `deprovisioned`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Provisioned => "provisioned",
            Change::Deprovisioned => "deprovisioned",
        }
    }
}

/// One entry of the provisioning log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisioningEvent {
    /// 1, 2, 3 … in order.
    pub seq: u64,
    /// The logical time of the change.
    pub time: Timestamp,
    /// The user's id.
    pub user: String,
    /// The resource's id.
    pub resource: String,
    /// Gained or lost.
    pub change: Change,
    /// The `seq` of the audit entry of the command that caused it.
    pub cause: u64,
}

/// The answer of a dry run (`check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the command would be allowed.
    pub allowed: bool,
    /// The refusal code, if not.
    pub code: Option<Code>,
    /// One sentence.
    pub message: String,
}

impl Decision {
    pub(crate) fn allowed(command: &str) -> Decision {
        Decision { allowed: true, code: None, message: format!("{command} would be allowed") }
    }

    pub(crate) fn refused(err: &Error) -> Decision {
        Decision { allowed: false, code: err.code(), message: err.message().to_string() }
    }
}

/// Counts of an import, after merging repeated references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCounts {
    /// Users created.
    pub users: u64,
    /// Groups created (not counting a group creates).
    pub groups: u64,
    /// Resources created.
    pub resources: u64,
    /// Group member links.
    pub memberships: u64,
    /// Group and resource owner links.
    pub owners: u64,
    /// Resource assignments.
    pub assignments: u64,
    /// Blocks.
    pub blocks: u64,
}

impl ImportCounts {
    /// The counts as (name, value) pairs, in R-8.5's order.
    pub fn pairs(&self) -> [(&'static str, u64); 7] {
        [
            ("users", self.users),
            ("groups", self.groups),
            ("resources", self.resources),
            ("memberships", self.memberships),
            ("owners", self.owners),
            ("assignments", self.assignments),
            ("blocks", self.blocks),
        ]
    }
}

/// A member of a group, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A user's id.
    User(String),
    /// A group's id.
    Group(String),
}

/// What an allowed command returns: ids, never indices, so faces need not read the tenant.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to return.
    Nothing,
    /// A user's id.
    User(String),
    /// A group's id.
    Group(String),
    /// A resource's id.
    Resource(String),
    /// A request's id.
    Request(String),
    /// The settings after a `configure`.
    Settings(Settings),
    /// A group's members (`list_members`), by id, each a user or a group.
    Members(Vec<Member>),
    /// Users by id (`list_access`).
    Users(Vec<String>),
    /// Import counts.
    Imported(ImportCounts),
    /// The clock after a move.
    Time(Timestamp),
    /// §14: a review's id (`stop_review`, `apply_review`).
    Review(String),
    /// §14: the reviews `create_review` made, by id, in group order.
    Reviews(Vec<String>),
    /// §14: the item `decide_review` set: the review's id and the user's.
    ReviewDecision {
        /// The review's id.
        review: String,
        /// The user's id.
        user: String,
    },
    /// §15: an access package's id.
    Package(String),
    /// §15: a policy's id.
    Policy(String),
    /// §15: a package request's id.
    PackageRequest(String),
    /// §15: a package assignment's id.
    Assignment(String),
}

/// One entry of the notification log: a notice that a group will expire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// 1, 2, 3 … in order.
    pub seq: u64,
    /// When it was sent (its event's due instant).
    pub time: Timestamp,
    /// The group's id.
    pub group: String,
    /// `expiry_30`, `expiry_15` or `expiry_1`.
    pub notice: crate::schedule::Notice,
    /// The owners' ids then, or for an ownerless group the alternate addresses.
    pub recipients: Vec<String>,
}

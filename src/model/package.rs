//! The plain data of access packages (SPEC §15): packages, policies, requests,
//! assignments, the arguments §15 commands carry and the plan of a decided command.
//! [`crate::packages`] decides and applies.

use super::{GroupIx, Principal, Timestamp, UserIx};
use serde::{Deserialize, Serialize};

/// Index of an access package in its tenant (creation order).
pub type PackageIx = u32;
/// Index of a policy.
pub type PolicyIx = u32;
/// Index of a package request.
pub type PackageRequestIx = u32;
/// Index of a package assignment.
pub type AssignmentIx = u32;

/// What a §15 id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackageObject {
    /// An access package.
    Package(PackageIx),
    /// A policy.
    Policy(PolicyIx),
    /// A package request.
    Request(PackageRequestIx),
    /// A package assignment.
    Assignment(AssignmentIx),
}

// ----- arguments as commands carry them (R-15.4: options enter the history as given) -----

/// `requestors` as given: `"none"`, `"all"` (or another, refused, word) or a list of users
/// and groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestorsArg {
    /// A word.
    Word(String),
    /// References to users and groups.
    List(Vec<String>),
}

fn fourteen() -> i64 {
    14
}
fn yes() -> bool {
    true
}

/// One stage as given; an unknown key or a wrong type is a type error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageArg {
    /// Users and groups.
    #[serde(default)]
    pub approvers: Vec<String>,
    /// The requester's manager decides.
    #[serde(default)]
    pub manager: bool,
    /// Users and groups deciding when no primary decider is found.
    #[serde(default)]
    pub fallback_approvers: Vec<String>,
    /// 1–14.
    #[serde(default = "fourteen")]
    pub timeout_days: i64,
    /// The approver must justify.
    #[serde(default = "yes")]
    pub justification_required: bool,
}

/// `expires` as given: a number of days, or text: `"never"` or an instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExpiresArg {
    /// Days.
    Days(i64),
    /// `"never"` or an RFC 3339 instant.
    Text(String),
}

// ----- the objects -----

mod principals {
    use crate::model::Principal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    fn out(p: &Principal) -> u64 {
        match *p {
            Principal::User(u) => u64::from(u) * 2,
            Principal::Group(g) => u64::from(g) * 2 + 1,
        }
    }

    pub fn serialize<S: Serializer>(v: &[Principal], s: S) -> Result<S::Ok, S::Error> {
        v.iter().map(out).collect::<Vec<u64>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Principal>, D::Error> {
        let raw = Vec::<u64>::deserialize(d)?;
        raw.into_iter()
            .map(|x| {
                let ix = u32::try_from(x / 2).map_err(serde::de::Error::custom)?;
                Ok(if x % 2 == 0 { Principal::User(ix) } else { Principal::Group(ix) })
            })
            .collect()
    }
}

/// Who may request under a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requestors {
    /// Administrator direct assignments only.
    None,
    /// Every user.
    All,
    /// These users and the direct user members of these groups.
    List(#[serde(with = "principals")] Vec<Principal>),
}

/// One approval stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// Users and groups.
    #[serde(with = "principals")]
    pub approvers: Vec<Principal>,
    /// The requester's manager decides.
    pub manager: bool,
    /// Users and groups deciding when no primary decider is found.
    #[serde(with = "principals")]
    pub fallback_approvers: Vec<Principal>,
    /// 1–14 days.
    pub timeout_days: i64,
    /// The approver must justify.
    pub justification_required: bool,
}

/// When an assignment made under a policy expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expires {
    /// Never.
    Never,
    /// This many days after delivery.
    Days(i64),
    /// At this instant (now, if it has passed).
    At(Timestamp),
}

/// An access package (§15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPackage {
    /// Its id.
    pub id: String,
    /// Unique among packages.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Its groups, in the order they were added.
    pub groups: Vec<GroupIx>,
    /// Packages it is incompatible with (R-15.14, one-way).
    pub incompatible_packages: Vec<PackageIx>,
    /// Groups it is incompatible with.
    pub incompatible_groups: Vec<GroupIx>,
    /// Its live policies, in creation order.
    pub policies: Vec<PolicyIx>,
    /// Who created it.
    pub created_by: Option<UserIx>,
    /// When.
    pub created_at: Timestamp,
    /// Deleted: its id stays taken, records keep naming it.
    pub deleted: bool,
}

/// A policy of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackagePolicy {
    /// Its id.
    pub id: String,
    /// Its package.
    pub package: PackageIx,
    /// Unique within the package.
    pub name: String,
    /// Who may request.
    pub requestors: Requestors,
    /// Requests need a justification.
    pub justification_required: bool,
    /// 0–3 stages.
    pub stages: Vec<Stage>,
    /// Expiry of its assignments.
    pub expires: Expires,
    /// When it was created.
    pub created_at: Timestamp,
    /// Deleted.
    pub deleted: bool,
}

/// The status of a package request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageRequestStatus {
    /// Waiting for a stage's decision.
    Pending,
    /// Delivered: it made an assignment.
    Delivered,
    /// Denied, or timed out.
    Denied,
    /// Cancelled.
    Cancelled,
}

impl PackageRequestStatus {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            PackageRequestStatus::Pending => "pending",
            PackageRequestStatus::Delivered => "delivered",
            PackageRequestStatus::Denied => "denied",
            PackageRequestStatus::Cancelled => "cancelled",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<PackageRequestStatus> {
        [Self::Pending, Self::Delivered, Self::Denied, Self::Cancelled].into_iter().find(|s| s.as_str() == name)
    }
}

/// One stage's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDecision {
    /// The stage, 1-based.
    pub stage: u32,
    /// Who decided.
    pub approver: UserIx,
    /// Approved (else denied).
    pub approved: bool,
    /// The approver's justification.
    pub justification: String,
    /// When.
    pub time: Timestamp,
}

impl StageDecision {
    /// `approved` or `denied`.
    pub fn outcome(&self) -> &'static str {
        if self.approved {
            "approved"
        } else {
            "denied"
        }
    }
}

/// A request for a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRequest {
    /// Its id.
    pub id: String,
    /// The package.
    pub package: PackageIx,
    /// The policy it was made under.
    pub policy: PolicyIx,
    /// Who asked.
    pub requester: UserIx,
    /// Their justification.
    pub justification: String,
    /// Its status.
    pub status: PackageRequestStatus,
    /// The stage it is at or ended at, 1-based; 0 without stages.
    pub stage: u32,
    /// When the open stage times out (none unless pending).
    pub stage_due_at: Option<Timestamp>,
    /// The stages' decisions.
    pub decisions: Vec<StageDecision>,
    /// Whose decision or cancel ended it.
    pub decided_by: Option<UserIx>,
    /// Empty, or `timed_out`.
    pub reason: String,
    /// The assignment it delivered.
    pub assignment: Option<AssignmentIx>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stopped being pending.
    pub decided_at: Option<Timestamp>,
    /// The policy's stages when it was made.
    pub stages: Vec<Stage>,
    /// The policy's expiry when it was made.
    pub expires: Expires,
    /// Creation order among requests and assignments.
    pub order: u64,
}

/// The state of an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentState {
    /// Active.
    Delivered,
    /// Ended at its expiry.
    Expired,
    /// Ended by `remove_assignment`.
    Removed,
}

impl AssignmentState {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentState::Delivered => "delivered",
            AssignmentState::Expired => "expired",
            AssignmentState::Removed => "removed",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<AssignmentState> {
        [Self::Delivered, Self::Expired, Self::Removed].into_iter().find(|s| s.as_str() == name)
    }
}

/// An assignment of a package to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageAssignment {
    /// Its id.
    pub id: String,
    /// The package.
    pub package: PackageIx,
    /// The policy.
    pub policy: PolicyIx,
    /// The user.
    pub user: UserIx,
    /// Its state.
    pub state: AssignmentState,
    /// The request that delivered it (none if direct).
    pub request: Option<PackageRequestIx>,
    /// Its request's justification, or a direct assignment's.
    pub justification: String,
    /// When it was delivered.
    pub created_at: Timestamp,
    /// When it expires (none: never).
    pub expires_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Creation order among requests and assignments.
    pub order: u64,
}

/// Where a soft-deleted group stood in §15's lists, so a restore puts it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// A package's groups.
    Group(PackageIx),
    /// A package's incompatible groups.
    Incompatible(PackageIx),
    /// A policy's requestors.
    Requestor(PolicyIx),
    /// A policy stage's approvers.
    Approver(PolicyIx, u32),
    /// A policy stage's fallback approvers.
    Fallback(PolicyIx, u32),
}

/// Indexes rebuilt from the objects (never written).
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    /// Live packages by folded name.
    pub names: rustc_hash::FxHashMap<String, PackageIx>,
    /// Active assignments of each user, in creation order.
    pub active: rustc_hash::FxHashMap<UserIx, Vec<AssignmentIx>>,
    /// Pending requests, in creation order.
    pub pending: std::collections::BTreeSet<PackageRequestIx>,
    /// Each user's requests, in creation order.
    pub by_requester: rustc_hash::FxHashMap<UserIx, Vec<PackageRequestIx>>,
    /// Active assignments of each package, in creation order.
    pub by_package: rustc_hash::FxHashMap<PackageIx, std::collections::BTreeSet<AssignmentIx>>,
}

/// Every §15 object of a tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Packages {
    /// Packages, deleted ones included.
    pub packages: Vec<AccessPackage>,
    /// Policies, deleted ones included.
    pub policies: Vec<PackagePolicy>,
    /// Requests.
    pub requests: Vec<PackageRequest>,
    /// Assignments.
    pub assignments: Vec<PackageAssignment>,
    /// Counters of generated ids: packages, policies, requests, assignments.
    pub next_id: [u64; 4],
    /// The next creation order.
    pub next_order: u64,
    /// where each soft-deleted group stood.
    pub kept: Vec<(GroupIx, Vec<Link>)>,
    #[serde(skip)]
    pub(crate) index: Index,
    /// memberships an event ended whose group member list is trimmed when the
    /// clock move is done (many expiries at one instant stay linear).
    #[serde(skip)]
    pub(crate) deferred: Vec<(GroupIx, UserIx)>,
}

/// A planned §15 command.
#[derive(Debug, Clone)]
pub(crate) enum PackagePlan {
    SetManager { user: UserIx, manager: Option<UserIx> },
    Create { name: String, description: String, groups: Vec<GroupIx>, created_by: UserIx },
    Update { package: PackageIx, name: Option<String>, description: Option<String> },
    Delete { package: PackageIx },
    AddGroup { package: PackageIx, group: GroupIx },
    RemoveGroup { package: PackageIx, group: GroupIx },
    Incompatible { package: PackageIx, other: Other, add: bool },
    CreatePolicy { package: PackageIx, policy: Box<PackagePolicy> },
    UpdatePolicy { policy: PolicyIx, new: Box<PackagePolicy> },
    DeletePolicy { policy: PolicyIx },
    Request { package: PackageIx, policy: PolicyIx, requester: UserIx, justification: String },
    Decide { request: PackageRequestIx, approver: UserIx, approve: bool, justification: String },
    Cancel { request: PackageRequestIx, by: UserIx },
    Assign { package: PackageIx, policy: PolicyIx, user: UserIx, justification: String },
    Remove { assignment: AssignmentIx },
    Reprocess { assignment: AssignmentIx },
}

/// The `other` of an incompatibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Other {
    Package(PackageIx),
    Group(GroupIx),
}

/// Every audit activity of §15, so a loaded entry can name its activity.
pub const ACTIVITIES: [&str; 22] = [
    "Set user manager",
    "Create access package",
    "Update access package",
    "Delete access package",
    "Create incompatible access package",
    "Delete incompatible access package",
    "Create incompatible group",
    "Delete incompatible group",
    "Create access package assignment policy",
    "Update access package assignment policy",
    "Delete access package assignment policy",
    "User requests access package assignment",
    "Administrator directly assigns user to access package",
    "Approval stage completed for access package assignment request",
    "Approve access package assignment request",
    "Deny access package assignment request",
    "Cancel access package assignment request",
    "Administrator directly removes user access package assignment",
    "User requests to remove access package assignment",
    "Reprocess access package assignment",
    "Access package assignment request timed out (no approver action taken)",
    "Remove access package assignment",
];

/// Id prefixes of §15's generated ids.
pub(crate) const PREFIXES: [&str; 4] = ["ap-", "pol-", "preq-", "pa-"];

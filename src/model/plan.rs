//! The plan of a command: what a decided command will do, made by the rules of its area
//! and carried out by its effects, with what its audit entry records. Plain data.

use super::*;
use crate::error::Result;
use crate::records::ImportCounts;

/// What a decided command will do: the plan of its area.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// §1–§3.
    User(UserPlan),
    ///
    Import(Box<ImportPlan>),
    /// §4.
    Group(GroupPlan),
    /// §5.
    Request(RequestPlan),
    /// §7.
    Resource(ResourcePlan),
    /// §13.
    Lifecycle(LifecyclePlan),
    /// §14.
    Review(super::review::ReviewPlan),
    /// §15.
    Package(Box<super::package::PackagePlan>),
}

/// A decided command of §1–§3: users, roles and settings.
#[derive(Debug, Clone)]
pub(crate) enum UserPlan {
    AddUser {
        upn: String,
        display_name: String,
        department: Option<String>,
        roles: Roles,
        enabled: bool,
        manager: Option<UserIx>,
    },
    SetEnabled {
        user: UserIx,
        enabled: bool,
    },
    SetRoles {
        user: UserIx,
        roles: Roles,
    },
    Configure {
        actor: UserIx,
        settings: Settings,
    },
}

/// A decided command of §4: groups and membership.
#[derive(Debug, Clone)]
pub(crate) enum GroupPlan {
    CreateGroup(Box<NewGroup>),
    UpdateGroup { group: GroupIx, name: Option<String>, description: Option<String>, join_policy: Option<JoinPolicy> },
    DeleteGroup { actor: UserIx, group: GroupIx },
    AddMember { group: GroupIx, member: Principal },
    RemoveMember { group: GroupIx, member: Principal },
    AddOwner { group: GroupIx, user: UserIx },
    RemoveOwner { group: GroupIx, user: UserIx },
    ListMembers { group: GroupIx },
}

/// A decided command of §5: join requests.
#[derive(Debug, Clone)]
pub(crate) enum RequestPlan {
    RequestToJoin { group: GroupIx, requester: UserIx, justification: String, settle: Option<&'static str> },
    Settle { request: RequestIx, by: UserIx, status: RequestStatus, reason: String },
}

/// A decided command of §7: resources and assignments.
#[derive(Debug, Clone)]
pub(crate) enum ResourcePlan {
    CreateResource { name: String, kind: ResourceKind, owners: Vec<UserIx> },
    AddResourceOwner { resource: ResourceIx, user: UserIx },
    RemoveResourceOwner { resource: ResourceIx, user: UserIx },
    Assign { resource: ResourceIx, principal: Principal },
    Unassign { resource: ResourceIx, principal: Principal },
    Block { resource: ResourceIx, user: UserIx },
    Unblock { resource: ResourceIx, user: UserIx },
    ListAccess { resource: ResourceIx },
}

/// A decided command of §13: group lifecycle.
#[derive(Debug, Clone)]
pub(crate) enum LifecyclePlan {
    Select { group: GroupIx, add: bool },
    Renew { group: GroupIx },
    Restore { group: GroupIx },
    Purge { group: GroupIx },
    RecordActivity { group: GroupIx },
}

/// A group about to be created.
#[derive(Debug, Clone)]
pub(crate) struct NewGroup {
    pub name: String,
    pub description: String,
    pub kind: GroupKind,
    pub join_policy: JoinPolicy,
    pub owners: Vec<UserIx>,
    pub members: Vec<Principal>,
    pub on_premises: bool,
    pub created_by: Option<UserIx>,
    pub id: Option<String>,
}

/// A planned command with what its audit entry records.
pub(crate) struct Prepared {
    pub actor: String,
    pub activity: &'static str,
    pub targets: Vec<String>,
    pub plan: Result<Plan>,
}

/// A user about to be imported: id, upn, display name, department, roles, enabled, and
/// its last sign-in.
pub(crate) type NewUser = (String, String, String, Option<String>, Roles, bool, Option<Timestamp>);

/// An import, validated and resolved to the indexes its objects will have.
#[derive(Debug, Clone)]
pub(crate) struct ImportPlan {
    pub(crate) users: Vec<NewUser>,
    pub(crate) groups: Vec<(String, NewGroup)>,
    pub(crate) resources: Vec<NewResource>,
    pub(crate) settings: Option<Settings>,
    /// §13 dates of the data's groups, by position: renewed_at, expires_at, deleted_at.
    pub(crate) dates: Vec<GroupDates>,
    pub(crate) counts: ImportCounts,
    /// (user, manager) pairs.
    pub(crate) managers: Vec<(UserIx, UserIx)>,
}

#[derive(Debug, Clone)]
pub(crate) struct NewResource {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: ResourceKind,
    pub(crate) owners: Vec<UserIx>,
    pub(crate) assigned: Vec<Principal>,
    pub(crate) blocked: Vec<UserIx>,
}

/// What `apply` created, for the audit targets.
pub(crate) enum Created {
    Nothing,
    /// The created object's id stands where its name was (the first target).
    Named(String),
    /// The created object's id follows the named targets.
    Extra(String),
    /// The created objects' ids follow the named targets (§14: `create_review`).
    Many(Vec<String>),
    /// §15: the created object's id stands at this place of the targets.
    At(usize, String),
    /// §15: the created objects' ids follow the named targets.
    Extras(Vec<String>),
}

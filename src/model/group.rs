use super::{GroupIx, Principal, ResourceIx, Timestamp, UserIx};

/// The four kinds of group (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupKind {
    /// A security group: may hold groups.
    Security,
    /// A Microsoft 365 (Office) group.
    Microsoft365,
    /// A mail-enabled security group, managed in Exchange.
    MailEnabledSecurity,
    /// A distribution list, managed in Exchange.
    Distribution,
}

impl GroupKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Security => "security",
            GroupKind::Microsoft365 => "microsoft365",
            GroupKind::MailEnabledSecurity => "mail_enabled_security",
            GroupKind::Distribution => "distribution",
        }
    }

    /// The kind with this name.
    pub fn parse(name: &str) -> Option<GroupKind> {
        [GroupKind::Security, GroupKind::Microsoft365, GroupKind::MailEnabledSecurity, GroupKind::Distribution]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// self-service applies to security and Microsoft 365 groups only.
    pub fn self_service(self) -> bool {
        matches!(self, GroupKind::Security | GroupKind::Microsoft365)
    }

    /// groups of these kinds may be members of a security group.
    pub fn nestable(self) -> bool {
        matches!(self, GroupKind::Security | GroupKind::MailEnabledSecurity)
    }
}

/// How users join a group (SPEC §1, §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinPolicy {
    /// Requests need an owner's approval.
    OwnerApproval,
    /// Requests are granted at once.
    Open,
    /// Nobody may ask.
    OwnersOnly,
}

impl JoinPolicy {
    /// The policy's name.
    pub fn as_str(self) -> &'static str {
        match self {
            JoinPolicy::OwnerApproval => "owner_approval",
            JoinPolicy::Open => "open",
            JoinPolicy::OwnersOnly => "owners_only",
        }
    }

    /// The policy with this name.
    pub fn parse(name: &str) -> Option<JoinPolicy> {
        [JoinPolicy::OwnerApproval, JoinPolicy::Open, JoinPolicy::OwnersOnly].into_iter().find(|k| k.as_str() == name)
    }
}

/// A group (SPEC §1).
#[derive(Debug, Clone)]
pub struct Group {
    /// Stable id, never reused.
    pub id: String,
    /// Display name; not unique.
    pub name: String,
    /// Free text.
    pub description: String,
    /// One of four kinds.
    pub kind: GroupKind,
    /// How users join.
    pub join_policy: JoinPolicy,
    /// Owners, in insertion order.
    pub owners: Vec<UserIx>,
    /// Direct members, in insertion order.
    pub members: Vec<Principal>,
    /// Groups this group is a direct member of.
    pub parents: Vec<GroupIx>,
    /// Resources this group is assigned to.
    pub assigned_to: Vec<ResourceIx>,
    /// Synced from on-premises AD: changed by nobody.
    pub on_premises: bool,
    /// Who created it (none for imports and seeding).
    pub created_by: Option<UserIx>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Deleted groups keep their slot so ids and indexes stay stable.
    pub deleted: bool,
    /// when a covered group expires; none while it is not covered.
    pub expires_at: Option<Timestamp>,
    /// its last renewal; the anchor is this, or `created_at` if never renewed.
    pub renewed_at: Option<Timestamp>,
    /// its last recorded activity.
    pub last_activity: Option<Timestamp>,
    /// activity was recorded since the anchor was set, so an automatic renewal is due.
    pub active_since_anchor: bool,
    /// when it was soft-deleted (kept after a purge).
    pub deleted_at: Option<Timestamp>,
    /// what a soft-deleted group keeps for its restore; none otherwise and once purged.
    pub kept: Option<Box<Kept>>,
    /// its place in the order of soft deletions.
    pub deleted_order: u64,
}

impl Group {
    /// The users among its direct members (R-7.4: what an assignment to it reaches), in
    /// member order.
    pub fn direct_users(&self) -> impl Iterator<Item = super::UserIx> + '_ {
        self.members.iter().filter_map(|m| match m {
            super::Principal::User(u) => Some(*u),
            super::Principal::Group(_) => None,
        })
    }

    /// the last renewal, or the creation if never renewed.
    pub fn anchor(&self) -> Timestamp {
        self.renewed_at.unwrap_or(self.created_at)
    }

    /// deleted, and restorable.
    pub fn soft_deleted(&self) -> bool {
        self.deleted && self.kept.is_some()
    }
}

/// What a soft-deleted Microsoft 365 group had, given back by a restore.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Kept {
    /// Its owners when it was deleted, in owner order.
    pub owners: Vec<UserIx>,
    /// Its members (users only, R-4.10), in member order.
    pub members: Vec<UserIx>,
    /// The resources it was assigned to.
    pub assigned_to: Vec<ResourceIx>,
    /// Whether it was in the selected list.
    pub selected: bool,
}

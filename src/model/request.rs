use super::{GroupIx, Timestamp, UserIx};

/// Where a join request stands (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// Waiting for an owner.
    Pending,
    /// Granted.
    Approved,
    /// Refused by an owner or admin.
    Denied,
    /// Withdrawn, or its group deleted.
    Cancelled,
}

impl RequestStatus {
    /// The status's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
            RequestStatus::Cancelled => "cancelled",
        }
    }

    /// The status with this name.
    pub fn parse(name: &str) -> Option<RequestStatus> {
        [RequestStatus::Pending, RequestStatus::Approved, RequestStatus::Denied, RequestStatus::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A request to join a group (SPEC §1, §5).
#[derive(Debug, Clone)]
pub struct Request {
    /// Stable id.
    pub id: String,
    /// The group asked for (it may since have been deleted).
    pub group: GroupIx,
    /// Who asked.
    pub requester: UserIx,
    /// Why, as given.
    pub justification: String,
    /// Where it stands.
    pub status: RequestStatus,
    /// Who decided or cancelled it (none for open joins and an admin's own request, R-10.5).
    pub decided_by: Option<UserIx>,
    /// `open_group`, `admin`, `group_deleted`, or the decider's reason.
    pub reason: String,
    /// When it was asked.
    pub created_at: Timestamp,
    /// When it was settled.
    pub decided_at: Option<Timestamp>,
}

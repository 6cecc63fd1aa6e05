//! One error type for the whole core, with stable refusal codes (SPEC §9).
//!
//! A refusal carries a [`Code`] and a one-sentence message naming the objects involved.
//! A [`Error::Type`] is not a refusal: it is what a face reports as a type error (Python
//! `TypeError`, a Rhai runtime error) for input that is not of the expected shape.

use std::fmt;

/// The family of a refusal code: the Python exception class that carries it (SPEC §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// The actor may not do this.
    PermissionDenied,
    /// An object named does not exist.
    NotFound,
    /// The state does not allow it (duplicates, pending requests, cycles …).
    Conflict,
    /// An argument is malformed.
    InvalidArgument,
    /// A file could not be read or written, or is damaged.
    StorageError,
    /// A Rhai script failed.
    ScriptError,
}

impl Family {
    /// The family's name, as the Python class is named.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::PermissionDenied => "PermissionDenied",
            Family::NotFound => "NotFound",
            Family::Conflict => "Conflict",
            Family::InvalidArgument => "InvalidArgument",
            Family::StorageError => "StorageError",
            Family::ScriptError => "ScriptError",
        }
    }
}

macro_rules! codes {
    ($( $variant:ident => $name:literal, $family:ident; )*) => {
        /// A stable refusal code (SPEC §9). Codes never change meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code { $( #[doc = $name] $variant, )* }

        impl Code {
            /// Every code, in the order of SPEC §9's table.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The snake_case name of the code, as users see it.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The family (exception class) of the code.
            pub fn family(self) -> Family {
                match self { $( Code::$variant => Family::$family, )* }
            }

            /// The code with this name, if there is one.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $( $name => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    NotGlobalAdmin => "not_global_admin", PermissionDenied;
    NotAdmin => "not_admin", PermissionDenied;
    SelfServiceDisabled => "self_service_disabled", PermissionDenied;
    GroupCreationDisabled => "group_creation_disabled", PermissionDenied;
    NotInSelfServiceGroup => "not_in_self_service_group", PermissionDenied;
    GroupChangesDisabled => "group_changes_disabled", PermissionDenied;
    NotOwner => "not_owner", PermissionDenied;
    NotResourceOwner => "not_resource_owner", PermissionDenied;
    NotRequester => "not_requester", PermissionDenied;
    NotSelfServiceKind => "not_self_service_kind", PermissionDenied;
    OnPremisesGroup => "on_premises_group", PermissionDenied;
    GroupClosed => "group_closed", PermissionDenied;
    ActorDisabled => "actor_disabled", PermissionDenied;
    LastOwner => "last_owner", PermissionDenied;
    GroupQuota => "group_quota", PermissionDenied;
    // §14
    OwnerReviewsDisabled => "owner_reviews_disabled", PermissionDenied;
    NotReviewer => "not_reviewer", PermissionDenied;
    // §15
    SelfApproval => "self_approval", PermissionDenied;
    NotApprover => "not_approver", PermissionDenied;
    NotInPolicyScope => "not_in_policy_scope", PermissionDenied;
    IncompatibleAccess => "incompatible_access", PermissionDenied;
    ApprovalRequired => "approval_required", PermissionDenied;
    UserNotFound => "user_not_found", NotFound;
    GroupNotFound => "group_not_found", NotFound;
    ResourceNotFound => "resource_not_found", NotFound;
    RequestNotFound => "request_not_found", NotFound;
    ReviewNotFound => "review_not_found", NotFound;
    // §15
    PackageNotFound => "package_not_found", NotFound;
    PolicyNotFound => "policy_not_found", NotFound;
    AssignmentNotFound => "assignment_not_found", NotFound;
    DuplicateId => "duplicate_id", Conflict;
    AlreadyMember => "already_member", Conflict;
    NotMember => "not_member", Conflict;
    AlreadyOwner => "already_owner", Conflict;
    NotAnOwner => "not_an_owner", Conflict;
    RequestPending => "request_pending", Conflict;
    RequestNotPending => "request_not_pending", Conflict;
    DuplicateName => "duplicate_name", Conflict;
    Cycle => "cycle", Conflict;
    AlreadyAssigned => "already_assigned", Conflict;
    NotAssigned => "not_assigned", Conflict;
    AlreadyBlocked => "already_blocked", Conflict;
    NotBlocked => "not_blocked", Conflict;
    OwnerLimit => "owner_limit", Conflict;
    AlreadySelected => "already_selected", Conflict;
    NotSelected => "not_selected", Conflict;
    ExpirationGroupLimit => "expiration_group_limit", Conflict;
    ReviewNotInProgress => "review_not_in_progress", Conflict;
    ReviewNotCompleted => "review_not_completed", Conflict;
    NotInReview => "not_in_review", Conflict;
    // §15
    AlreadyIncompatible => "already_incompatible", Conflict;
    NotIncompatible => "not_incompatible", Conflict;
    AssignmentNotActive => "assignment_not_active", Conflict;
    InUse => "in_use", Conflict;
    InvalidName => "invalid_name", InvalidArgument;
    AmbiguousName => "ambiguous_name", InvalidArgument;
    InvalidKind => "invalid_kind", InvalidArgument;
    InvalidJoinPolicy => "invalid_join_policy", InvalidArgument;
    InvalidRole => "invalid_role", InvalidArgument;
    InvalidSetting => "invalid_setting", InvalidArgument;
    InvalidTime => "invalid_time", InvalidArgument;
    UnknownCommand => "unknown_command", InvalidArgument;
    JustificationRequired => "justification_required", InvalidArgument;
    NestedGroupNotAllowed => "nested_group_not_allowed", InvalidArgument;
    NotSecurityPrincipal => "not_security_principal", InvalidArgument;
    ExpirationNotApplicable => "expiration_not_applicable", InvalidArgument;
    BlockedWord => "blocked_word", InvalidArgument;
    InvalidReviewSetting => "invalid_review_setting", InvalidArgument;
    InvalidDecision => "invalid_decision", InvalidArgument;
    // §15
    InvalidPolicy => "invalid_policy", InvalidArgument;
    IoError => "io_error", StorageError;
    CorruptSnapshot => "corrupt_snapshot", StorageError;
    CorruptJournal => "corrupt_journal", StorageError;
    UnsupportedVersion => "unsupported_version", StorageError;
    InvalidExport => "invalid_export", StorageError;
    ScriptError => "script_error", ScriptError;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal: a code and a one-sentence message naming the objects involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// The stable code.
    pub code: Code,
    /// One sentence, naming the objects.
    pub message: String,
}

/// Every error the core reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A refusal with a stable code (SPEC §9).
    #[error("{0}")]
    Refused(Refusal),
    /// Input of the wrong shape or type: not a command.
    #[error("{0}")]
    Type(String),
}

impl Error {
    /// A refusal with this code and message.
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error::Refused(Refusal { code, message: message.into() })
    }

    /// A type error.
    pub fn type_error(message: impl Into<String>) -> Error {
        Error::Type(message.into())
    }

    /// The refusal code, or `None` for a type error.
    pub fn code(&self) -> Option<Code> {
        match self {
            Error::Refused(r) => Some(r.code),
            Error::Type(_) => None,
        }
    }

    /// The message, one sentence.
    pub fn message(&self) -> &str {
        match self {
            Error::Refused(r) => &r.message,
            Error::Type(m) => m,
        }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error::Refused(r)
    }
}

/// Results of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_name() {
        // SPEC §9: codes are stable snake_case names, each in one family.
        for code in Code::ALL {
            assert_eq!(Code::from_name(code.as_str()), Some(*code));
        }
        assert_eq!(Code::ALL.len(), 55 + 8 + 13); // §14 adds 8, §15 13
        assert_eq!(Code::NotOwner.family(), Family::PermissionDenied);
        assert_eq!(Code::Cycle.family(), Family::Conflict);
        assert_eq!(Code::InvalidExport.family(), Family::StorageError);
    }
}

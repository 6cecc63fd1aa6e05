//! The plain data of access reviews (SPEC §14): reviews, their items and words, and the
//! plan of a decided review command. [`crate::reviews`] decides and applies.

use super::{GroupIx, ReviewIx, Timestamp, UserIx};
use serde::{Deserialize, Serialize};

/// One day of the logical clock, in microseconds.
pub(crate) const DAY: i64 = 86_400_000_000;
/// a sign-in within this many days before the start recommends approval.
pub const RECOMMENDATION_DAYS: i64 = 30;
/// the longest review.
pub const MAX_DURATION_DAYS: i64 = 365;
/// The prefix of generated review ids.
pub(crate) const PREFIX: &str = "rev-";

macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vdoc])* #[serde(rename = $text)] $variant,)* }

        impl $name {
            /// Every value, in SPEC order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The value's name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The value with this name.
            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}

words!(
    /// who reviews.
    ReviewerType {
        /// The group's owners at start (or the fallback reviewers).
        Owners => "owners",
        /// Each member reviews their own item.
        SelfReview => "self",
        /// The users given.
        Users => "users",
    }
);

words!(
    /// what completion does to items nobody reviewed.
    DefaultDecision {
        /// Leaves them untouched.
        None => "none",
        /// Approves them.
        Approve => "approve",
        /// Denies them.
        Deny => "deny",
        /// Takes each item's recommendation.
        Recommendation => "recommendation",
    }
);

words!(
    /// A review's status.
    ReviewStatus {
        /// Open for decisions.
        InProgress => "in_progress",
        /// Ended (at its end or by a stop), not yet applied.
        Completed => "completed",
        /// Its results were applied.
        Applied => "applied",
        /// Its group was deleted.
        Cancelled => "cancelled",
    }
);

words!(
    /// an item's recommendation.
    Recommendation {
        /// Signed in within 30 days before the start.
        Approve => "approve",
        /// No sign-in within 30 days.
        Deny => "deny",
    }
);

words!(
    /// an item's decision.
    ItemDecision {
        /// Nobody decided (yet).
        NotReviewed => "not_reviewed",
        /// Keeps access.
        Approve => "approve",
        /// Removes access when applied.
        Deny => "deny",
        /// Keeps access (Entra).
        DontKnow => "dont_know",
    }
);

words!(
    /// what applying did to an item.
    ApplyResult {
        /// The direct membership was removed.
        Removed => "removed",
        /// The user was no longer a member.
        NotFound => "not_found",
        /// The review service cannot remove this membership.
        NotSupported => "not_supported",
        /// The decision keeps access.
        Unchanged => "unchanged",
    }
);

/// One decision item: a reviewed user and what was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The user.
    pub user: UserIx,
    /// Whether they were a direct member at start.
    pub direct: bool,
    /// Their last sign-in at start.
    pub last_sign_in: Option<Timestamp>,
    ///
    pub recommendation: Recommendation,
    ///
    pub decision: ItemDecision,
    /// The reviewer's justification.
    pub justification: String,
    /// Who decided (none for a default, R-14.8).
    pub reviewed_by: Option<UserIx>,
    /// When.
    pub reviewed_at: Option<Timestamp>,
    /// none until applied.
    pub apply_result: Option<ApplyResult>,
}

/// One access review: one group, one period (SPEC §14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The group (kept after its deletion).
    pub group: GroupIx,
    /// Who reviews.
    pub reviewer_type: ReviewerType,
    /// The reviewers, snapshot at start.
    pub reviewers: Vec<UserIx>,
    /// Whether the fallback reviewers stand in for missing owners.
    pub fallback_used: bool,
    /// 1 – 365.
    pub duration_days: u32,
    /// What completion does to unreviewed items.
    pub default_decision: DefaultDecision,
    /// Whether completion applies the results.
    pub auto_apply: bool,
    /// Whether approve and deny need a justification.
    pub justification_required: bool,
    /// Its status.
    pub status: ReviewStatus,
    /// Who created it.
    pub created_by: UserIx,
    /// Its creation instant.
    pub start: Timestamp,
    /// When it is due to end.
    pub end: Timestamp,
    /// When it ended (completed or cancelled while in progress).
    pub ended_at: Option<Timestamp>,
    /// Who stopped it (none when the end fired).
    pub ended_by: Option<UserIx>,
    /// When its results were applied.
    pub applied_at: Option<Timestamp>,
    /// Who applied them (none for the auto-apply).
    pub applied_by: Option<UserIx>,
    /// Its decision items, in user creation order.
    pub items: Vec<Item>,
}

impl Review {
    /// The item of `user`, if the user is one (items are in user order).
    pub fn item(&self, user: UserIx) -> Option<usize> {
        self.items.binary_search_by_key(&user, |i| i.user).ok()
    }

    /// Whether `user` is among the reviewers.
    pub fn has_reviewer(&self, user: UserIx) -> bool {
        match self.reviewer_type {
            ReviewerType::SelfReview => self.item(user).is_some(),
            _ => self.reviewers.contains(&user),
        }
    }
}

/// The options of `create_review`, parsed.
#[derive(Debug, Clone)]
pub(crate) struct NewReviews {
    pub actor: UserIx,
    pub name: String,
    pub groups: Vec<GroupIx>,
    pub reviewer_type: ReviewerType,
    pub reviewers: Vec<UserIx>,
    pub fallback: Vec<UserIx>,
    pub duration_days: u32,
    pub default_decision: DefaultDecision,
    pub auto_apply: bool,
    pub justification_required: bool,
}

/// What an allowed §14 command will do.
#[derive(Debug, Clone)]
pub(crate) enum ReviewPlan {
    Create(Box<NewReviews>),
    Decide { actor: UserIx, review: ReviewIx, user: UserIx, decision: ItemDecision, justification: String },
    Stop { actor: UserIx, review: ReviewIx },
    Apply { actor: UserIx, review: ReviewIx },
    SignIn { user: UserIx },
}

/// The raw options of `create_review`, as the command carries them.
pub(crate) struct CreateArgs<'a> {
    pub name: &'a str,
    pub reviewer_type: &'a str,
    pub duration_days: i64,
    pub default_decision: &'a str,
    pub auto_apply: bool,
    pub justification_required: bool,
}

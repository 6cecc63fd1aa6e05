//! Access reviews of group membership (SPEC §14): reviews and their decision items, the
//! rules of their four actor commands, their effects, and the two timed events (R-8.7) a
//! review schedules: its end and its auto-apply.
//!
//! A review is one instance of Entra's single-stage review of a group's members: its items
//! and reviewers are a snapshot taken when it is created (R-14.5), so later changes to the
//! group change neither. To learn what a review would remove, fork the tenant and advance the
//! fork past the review's end.
//!
//! ```
//! use ssgm::{Command, Tenant};
//! let mut t = Tenant::new("contoso");
//! for (upn, roles) in [("admin@contoso.com", vec!["global_admin".to_string()]), ("carol@contoso.com", vec![])] {
//!     t.execute(Command::AddUser { upn: upn.into(), display_name: None, department: None, roles, enabled: true, manager: None }).unwrap();
//! }
//! t.execute(Command::CreateGroup {
//!     actor: "admin@contoso.com".into(), name: "Sales".into(), kind: "security".into(),
//!     join_policy: None, description: String::new(), owners: vec![],
//!     members: vec!["carol@contoso.com".into()], on_premises: false,
//! }).unwrap();
//! t.execute(Command::CreateReview {
//!     actor: "admin@contoso.com".into(), name: "Q3".into(), groups: vec!["Sales".into()],
//!     reviewer_type: "owners".into(), reviewers: vec![], fallback_reviewers: vec![],
//!     duration_days: 14, default_decision: "deny".into(), auto_apply: true,
//!     justification_required: false,
//! }).unwrap();
//! t.execute(Command::Advance { micros: 14 * 86_400_000_000 }).unwrap();
//! let review = &t.reviews_all()[0];
//! assert_eq!(review.status.as_str(), "applied"); // ended, denied by default, applied (R-14.8)
//! assert!(t.group(0).unwrap().members.is_empty());
//! ```

use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::schedule::{Event, Owner};
use crate::tenant::Tenant;
use rustc_hash::FxHashSet;
use serde_json::{json, Value};

/// The catalogue entries of §14 commands and queries (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
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
        query(
            "reviews",
            &[kw("status", Ty::OptText, "None"), kw("group", Ty::Group, "None"), kw("reviewer", Ty::User, "None")],
            "list[Review]",
            "Access reviews in creation order, filtered by status, group (or a deleted group's id) and reviewer (R-14.14).",
        ),
        query("review", &[req("id", Ty::Review)], "Review", "The access review with this id (review_not_found)."),
    ];
}

pub use crate::model::review::*;

fn setting(message: String) -> Error {
    Error::new(Code::InvalidReviewSetting, message)
}

fn active(t: &Tenant, actor: UserIx) -> Result<()> {
    if t.users[actor as usize].enabled {
        Ok(())
    } else {
        Err(Error::new(Code::ActorDisabled, format!("{} is disabled and can do nothing", t.du(actor))))
    }
}

impl Tenant {
    // ----- queries ---------------------------------------------------------------------------

    /// Every review, in creation order.
    pub fn reviews_all(&self) -> &[Review] {
        &self.reviews
    }

    /// A review by index.
    pub fn review_at(&self, r: ReviewIx) -> Option<&Review> {
        self.reviews.get(r as usize)
    }

    /// R-14.14: a review by id (its only reference); `review_not_found`.
    pub fn find_review(&self, r: &str) -> Result<ReviewIx> {
        match self.ids.get(r) {
            Some(Object::Review(x)) => Ok(*x),
            _ => Err(self.not_found(Code::ReviewNotFound, r)),
        }
    }

    /// R-14.14: a group filter: a live group's reference, or a deleted group's id.
    pub fn find_review_group(&self, r: &str) -> Result<GroupIx> {
        match self.find_group(r) {
            Ok(g) => Ok(g),
            Err(e) => match self.ids.get(r) {
                Some(Object::Group(g)) => Ok(*g),
                _ => Err(e),
            },
        }
    }

    /// R-14.14: reviews in creation order, filtered by status, group and reviewer.
    pub fn reviews_where(
        &self,
        status: Option<ReviewStatus>,
        group: Option<GroupIx>,
        reviewer: Option<UserIx>,
    ) -> Vec<ReviewIx> {
        (0..self.reviews.len() as ReviewIx)
            .filter(|r| {
                let x = &self.reviews[*r as usize];
                status.is_none_or(|s| x.status == s)
                    && group.is_none_or(|g| x.group == g)
                    && reviewer.is_none_or(|u| x.has_reviewer(u))
            })
            .collect()
    }

    /// R-14.14: the `in_progress` reviews in which `u`'s `decide_review` would be allowed now
    /// on some item (the justification ignored), in creation order.
    pub(crate) fn panel_reviews(&self, u: UserIx) -> Vec<ReviewIx> {
        (0..self.reviews.len() as ReviewIx)
            .filter(|r| {
                let x = &self.reviews[*r as usize];
                if x.status != ReviewStatus::InProgress {
                    return false;
                }
                // A reviewer of any other type may decide every item; a self reviewer their own.
                let user = match x.reviewer_type {
                    ReviewerType::SelfReview => Some(u),
                    _ => x.items.first().map(|i| i.user),
                };
                user.is_some_and(|user| {
                    crate::rules::quietly(|| self.decide_decision(u, *r, user, "dont_know", "").is_ok())
                })
            })
            .collect()
    }

    // ----- views -----------------------------------------------------------------------------

    fn uid_or_null(&self, u: Option<UserIx>) -> Value {
        u.and_then(|u| self.users.get(u as usize)).map(|u| Value::from(u.id.clone())).unwrap_or(Value::Null)
    }

    /// One decision item as a map (R-14.14; `AccessReviewDecision` in Python).
    pub fn review_item_view(&self, r: ReviewIx, i: usize) -> Value {
        let Some(x) = self.reviews.get(r as usize) else { return Value::Null };
        let Some(item) = x.items.get(i) else { return Value::Null };
        let time = |t: Option<Timestamp>| t.map(|t| Value::from(format_time(t))).unwrap_or(Value::Null);
        json!({
            "review": x.id, "user": self.uid_or_null(Some(item.user)), "direct": item.direct,
            "last_sign_in": time(item.last_sign_in), "recommendation": item.recommendation.as_str(),
            "decision": item.decision.as_str(), "justification": item.justification,
            "reviewed_by": self.uid_or_null(item.reviewed_by), "reviewed_at": time(item.reviewed_at),
            "apply_result": item.apply_result.map(ApplyResult::as_str),
        })
    }

    /// The item of user `user` in review `review` (both ids), as a map; null if either is gone.
    pub fn review_decision_view(&self, review: &str, user: &str) -> Value {
        let (Ok(r), Ok(u)) = (self.find_review(review), self.find_user(user)) else { return Value::Null };
        match self.reviews[r as usize].item(u) {
            Some(i) => self.review_item_view(r, i),
            None => Value::Null,
        }
    }

    /// A review as a map, its items under `decisions` (R-14.14).
    pub fn review_view(&self, r: ReviewIx) -> Value {
        let Some(x) = self.reviews.get(r as usize) else { return Value::Null };
        let time = |t: Option<Timestamp>| t.map(|t| Value::from(format_time(t))).unwrap_or(Value::Null);
        json!({
            "id": x.id, "name": x.name,
            "group": self.groups.get(x.group as usize).map(|g| g.id.clone()),
            "reviewer_type": x.reviewer_type.as_str(),
            "reviewers": x.reviewers.iter().map(|u| self.uid_or_null(Some(*u))).collect::<Vec<_>>(),
            "fallback_used": x.fallback_used, "duration_days": x.duration_days,
            "default_decision": x.default_decision.as_str(), "auto_apply": x.auto_apply,
            "justification_required": x.justification_required, "status": x.status.as_str(),
            "created_by": self.uid_or_null(Some(x.created_by)),
            "start": format_time(x.start), "end": format_time(x.end),
            "ended_at": time(x.ended_at), "ended_by": self.uid_or_null(x.ended_by),
            "applied_at": time(x.applied_at), "applied_by": self.uid_or_null(x.applied_by),
            "decisions": (0..x.items.len()).map(|i| self.review_item_view(r, i)).collect::<Vec<_>>(),
        })
    }

    // ----- decisions (R-14.2, R-14.4, R-14.7, R-14.18) -------------------------------------------

    /// `create_review` once its references are resolved.
    pub(crate) fn decide_create_review(
        &self,
        actor: UserIx,
        groups: Vec<GroupIx>,
        reviewers: Vec<UserIx>,
        fallback: Vec<UserIx>,
        raw: &CreateArgs,
    ) -> Result<ReviewPlan> {
        // Step 2: the name (R-1.3), then the options (R-14.2).
        let name = group_name(raw.name)?;
        if groups.is_empty() {
            return Err(setting("an access review needs at least one group".into()));
        }
        let reviewer_type = ReviewerType::parse(raw.reviewer_type)
            .ok_or_else(|| setting(format!("{:?} is not a reviewer type (owners, self, users)", raw.reviewer_type)))?;
        let default_decision = DefaultDecision::parse(raw.default_decision).ok_or_else(|| {
            setting(format!(
                "{:?} is not a default decision (none, approve, deny, recommendation)",
                raw.default_decision
            ))
        })?;
        if !(1..=MAX_DURATION_DAYS).contains(&raw.duration_days) {
            return Err(setting(format!("a review lasts 1 to {MAX_DURATION_DAYS} days, not {}", raw.duration_days)));
        }
        match (reviewer_type, reviewers.is_empty()) {
            (ReviewerType::Users, true) => return Err(setting("reviewer type users needs reviewers".into())),
            (ReviewerType::Owners | ReviewerType::SelfReview, false) => {
                return Err(setting(format!(
                    "reviewers are given only with reviewer type users, not {}",
                    reviewer_type.as_str()
                )))
            }
            _ => {}
        }
        if reviewer_type != ReviewerType::Owners && !fallback.is_empty() {
            return Err(setting(format!(
                "fallback reviewers are given only with reviewer type owners, not {}",
                reviewer_type.as_str()
            )));
        }
        active(self, actor)?;
        let groups = merge(groups);
        for g in &groups {
            self.review_group_gate(actor, *g, "create an access review of")?;
        }
        self.review_owner_gate(actor, &groups, "create an access review of")?;
        Ok(ReviewPlan::Create(Box::new(NewReviews {
            actor,
            name,
            groups,
            reviewer_type,
            reviewers: merge(reviewers),
            fallback: merge(fallback),
            duration_days: u32::try_from(raw.duration_days).unwrap_or(1),
            default_decision,
            auto_apply: raw.auto_apply,
            justification_required: raw.justification_required,
        })))
    }

    /// R-14.4: steps 4 to 6 for a non-admin creating (stopping, applying) a review of `g`.
    /// `owner_reviews_disabled` is checked by the caller after every group's standing.
    fn review_group_gate(&self, actor: UserIx, g: GroupIx, verb: &str) -> Result<()> {
        if self.group_admin(actor) {
            return Ok(());
        }
        let Some(group) = self.live_group(g) else {
            return Err(Error::new(
                Code::NotOwner,
                format!("{} was deleted, so {} cannot {verb} it", self.dg(g), self.du(actor)),
            ));
        };
        if group.on_premises {
            return Err(Error::new(
                Code::OnPremisesGroup,
                format!("{} is synced from on-premises, so {} cannot {verb} it", self.dg(g), self.du(actor)),
            ));
        }
        if !matches!(group.kind, GroupKind::Security | GroupKind::Microsoft365) {
            return Err(Error::new(
                Code::NotSelfServiceKind,
                format!(
                    "{} is a {} group; only owners of security and Microsoft 365 groups manage their reviews",
                    self.dg(g),
                    group.kind.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// R-14.4 steps 5 and 6, after step 4 has passed for every group.
    fn review_owner_gate(&self, actor: UserIx, groups: &[GroupIx], verb: &str) -> Result<()> {
        if self.group_admin(actor) {
            return Ok(());
        }
        for g in groups {
            let owns = self.live_group(*g).is_some_and(|x| x.owners.contains(&actor));
            if !owns {
                return Err(Error::new(
                    Code::NotOwner,
                    format!("{} is not an owner of {}, so cannot {verb} it", self.du(actor), self.dg(*g)),
                ));
            }
        }
        if !self.settings.group_owners_manage_reviews {
            return Err(Error::new(
                Code::OwnerReviewsDisabled,
                format!(
                    "group owners cannot manage access reviews in tenant {:?} (group_owners_manage_reviews is off), so {} cannot {verb} {}",
                    self.name,
                    self.du(actor),
                    groups.first().map(|g| self.dg(*g)).unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }

    /// `stop_review` / `apply_review` once resolved (R-14.4, R-14.9, R-14.10).
    pub(crate) fn decide_manage_review(&self, actor: UserIx, review: ReviewIx, apply: bool) -> Result<ReviewPlan> {
        active(self, actor)?;
        let x = &self.reviews[review as usize];
        let verb = if apply { "apply the results of an access review of" } else { "stop an access review of" };
        self.review_group_gate(actor, x.group, verb)?;
        self.review_owner_gate(actor, &[x.group], verb)?;
        if apply {
            if x.status != ReviewStatus::Completed {
                return Err(Error::new(
                    Code::ReviewNotCompleted,
                    format!(
                        "access review {} is {}, not completed, so its results cannot be applied",
                        x.id,
                        x.status.as_str()
                    ),
                ));
            }
            Ok(ReviewPlan::Apply { actor, review })
        } else {
            if x.status != ReviewStatus::InProgress {
                return Err(Error::new(
                    Code::ReviewNotInProgress,
                    format!(
                        "access review {} is {}, not in progress, so it cannot be stopped",
                        x.id,
                        x.status.as_str()
                    ),
                ));
            }
            Ok(ReviewPlan::Stop { actor, review })
        }
    }

    /// `decide_review` once resolved (R-14.7).
    pub(crate) fn decide_decision(
        &self,
        actor: UserIx,
        review: ReviewIx,
        user: UserIx,
        decision: &str,
        justification: &str,
    ) -> Result<ReviewPlan> {
        let decision = match ItemDecision::parse(decision) {
            Some(d) if d != ItemDecision::NotReviewed => d,
            _ => {
                return Err(Error::new(
                    Code::InvalidDecision,
                    format!("{decision:?} is not a review decision (approve, deny, dont_know)"),
                ))
            }
        };
        active(self, actor)?;
        let x = &self.reviews[review as usize];
        let reviewer = match x.reviewer_type {
            ReviewerType::SelfReview => actor == user && x.item(actor).is_some(),
            _ => x.reviewers.contains(&actor),
        };
        if !reviewer {
            return Err(Error::new(
                Code::NotReviewer,
                format!("{} is not a reviewer of {} in access review {}", self.du(actor), self.du(user), x.id),
            ));
        }
        let justification = justification.trim();
        if x.justification_required && decision != ItemDecision::DontKnow && justification.is_empty() {
            return Err(Error::new(
                Code::JustificationRequired,
                format!("access review {} needs a justification to {} {}", x.id, decision.as_str(), self.du(user)),
            ));
        }
        if x.status != ReviewStatus::InProgress {
            return Err(Error::new(
                Code::ReviewNotInProgress,
                format!("access review {} is {}, not in progress, so it takes no decisions", x.id, x.status.as_str()),
            ));
        }
        if x.item(user).is_none() {
            return Err(Error::new(
                Code::NotInReview,
                format!("{} is not among the members reviewed in access review {}", self.du(user), x.id),
            ));
        }
        Ok(ReviewPlan::Decide { actor, review, user, decision, justification: justification.to_string() })
    }

    // ----- effects -----------------------------------------------------------------------------

    /// Applies an allowed §14 command; returns what it outcome names and the reviews created.
    pub(crate) fn apply_review_plan(&mut self, plan: ReviewPlan, seq: u64) -> (crate::records::Outcome, Vec<String>) {
        use crate::records::Outcome;
        match plan {
            ReviewPlan::Create(spec) => {
                let ids: Vec<String> = spec.groups.iter().map(|g| self.create_review_now(&spec, *g)).collect();
                (Outcome::Reviews(ids.clone()), ids)
            }
            ReviewPlan::Decide { actor, review, user, decision, justification } => {
                let now = self.now;
                let x = &mut self.reviews[review as usize];
                let id = x.id.clone();
                if let Some(i) = x.item(user) {
                    let item = &mut x.items[i];
                    item.decision = decision;
                    item.justification = justification;
                    item.reviewed_by = Some(actor);
                    item.reviewed_at = Some(now);
                }
                let user_id = self.users[user as usize].id.clone();
                (Outcome::ReviewDecision { review: id, user: user_id }, Vec::new())
            }
            ReviewPlan::Stop { actor, review } => {
                self.complete_now(review, Some(actor));
                (Outcome::Review(self.reviews[review as usize].id.clone()), Vec::new())
            }
            ReviewPlan::Apply { actor, review } => {
                self.apply_results_now(review, Some(actor), seq);
                (Outcome::Review(self.reviews[review as usize].id.clone()), Vec::new())
            }
            ReviewPlan::SignIn { user } => {
                let now = self.now;
                if let Some(x) = self.users.get_mut(user as usize) {
                    x.last_sign_in = Some(now);
                }
                (Outcome::User(self.users[user as usize].id.clone()), Vec::new())
            }
        }
    }

    /// R-1.1: the next review id, skipping every id that is or was taken.
    fn review_id(&mut self) -> String {
        loop {
            let id = format!("{PREFIX}{}", self.next_review_id);
            self.next_review_id += 1;
            if !self.ids.contains_key(&id) {
                return id;
            }
        }
    }

    /// R-14.5, R-14.6, R-14.8: one review of `g`, its snapshot taken now, its end scheduled.
    fn create_review_now(&mut self, spec: &NewReviews, g: GroupIx) -> String {
        let now = self.now;
        let group = &self.groups[g as usize];
        let direct: FxHashSet<UserIx> = group.direct_users().collect();
        let mut users = self.transitive_users(g);
        users.sort_unstable();
        let since = now.saturating_sub(RECOMMENDATION_DAYS * DAY);
        let items: Vec<Item> = users
            .iter()
            .map(|u| {
                let last = self.users[*u as usize].last_sign_in;
                Item {
                    user: *u,
                    direct: direct.contains(u),
                    last_sign_in: last,
                    recommendation: if last.is_some_and(|t| t >= since) {
                        Recommendation::Approve
                    } else {
                        Recommendation::Deny
                    },
                    decision: ItemDecision::NotReviewed,
                    justification: String::new(),
                    reviewed_by: None,
                    reviewed_at: None,
                    apply_result: None,
                }
            })
            .collect();
        let (reviewers, fallback_used) = match spec.reviewer_type {
            ReviewerType::Owners if !group.owners.is_empty() => (group.owners.clone(), false),
            ReviewerType::Owners => (spec.fallback.clone(), !spec.fallback.is_empty()),
            ReviewerType::Users => (spec.reviewers.clone(), false),
            ReviewerType::SelfReview => (users, false),
        };
        let id = self.review_id();
        let ix = self.reviews.len() as ReviewIx;
        self.ids.insert(id.clone(), Object::Review(ix));
        let end = now.saturating_add(i64::from(spec.duration_days) * DAY);
        self.reviews.push(Review {
            id: id.clone(),
            name: spec.name.clone(),
            group: g,
            reviewer_type: spec.reviewer_type,
            reviewers,
            fallback_used,
            duration_days: spec.duration_days,
            default_decision: spec.default_decision,
            auto_apply: spec.auto_apply,
            justification_required: spec.justification_required,
            status: ReviewStatus::InProgress,
            created_by: spec.actor,
            start: now,
            end,
            ended_at: None,
            ended_by: None,
            applied_at: None,
            applied_by: None,
            items,
        });
        self.schedule.schedule(end, Event::ReviewEnd { review: ix });
        id
    }

    /// R-14.8, R-14.9: completes an `in_progress` review now; defaults settle unreviewed
    /// items; an auto-apply is scheduled now (it fires at the next clock move, or in this one).
    fn complete_now(&mut self, r: ReviewIx, by: Option<UserIx>) {
        let now = self.now;
        self.schedule.unschedule(Owner::Review(r), |e| matches!(e, Event::ReviewEnd { .. }));
        let Some(x) = self.reviews.get_mut(r as usize) else { return };
        if x.status != ReviewStatus::InProgress {
            return;
        }
        x.status = ReviewStatus::Completed;
        x.ended_at = Some(now);
        x.ended_by = by;
        let default = x.default_decision;
        for item in x.items.iter_mut().filter(|i| i.decision == ItemDecision::NotReviewed) {
            let decision = match default {
                DefaultDecision::None => continue,
                DefaultDecision::Approve => ItemDecision::Approve,
                DefaultDecision::Deny => ItemDecision::Deny,
                DefaultDecision::Recommendation => match item.recommendation {
                    Recommendation::Approve => ItemDecision::Approve,
                    Recommendation::Deny => ItemDecision::Deny,
                },
            };
            item.decision = decision;
            item.reviewed_by = None;
            item.reviewed_at = Some(now);
            item.justification.clear();
        }
        if x.auto_apply {
            self.schedule.schedule(now, Event::ReviewAutoApply { review: r });
        }
    }

    /// R-14.10, R-14.11: sets every item's result in item order and removes the denied
    /// direct members, their provisioning caused by audit entry `seq`.
    fn apply_results_now(&mut self, r: ReviewIx, by: Option<UserIx>, seq: u64) {
        let now = self.now;
        self.schedule.unschedule(Owner::Review(r), |e| matches!(e, Event::ReviewAutoApply { .. }));
        let Some(x) = self.reviews.get(r as usize) else { return };
        if x.status != ReviewStatus::Completed {
            return;
        }
        let g = x.group;
        let unsupported = self.live_group(g).is_none_or(|group| {
            group.on_premises || matches!(group.kind, GroupKind::MailEnabledSecurity | GroupKind::Distribution)
        });
        let denied = x.items.iter().any(|i| i.decision == ItemDecision::Deny);
        // Only when something is denied: the direct members now, and who is reached by nesting.
        let (direct, nested) = if denied && !unsupported {
            let group = &self.groups[g as usize];
            let direct: FxHashSet<UserIx> = group.direct_users().collect();
            let mut nested: FxHashSet<UserIx> = FxHashSet::default();
            for m in &group.members {
                if let Principal::Group(c) = m {
                    nested.extend(self.transitive_users(*c));
                }
            }
            (direct, nested)
        } else {
            (FxHashSet::default(), FxHashSet::default())
        };
        let results: Vec<ApplyResult> = x
            .items
            .iter()
            .map(|i| {
                if i.decision != ItemDecision::Deny {
                    ApplyResult::Unchanged
                } else if unsupported {
                    ApplyResult::NotSupported
                } else if direct.contains(&i.user) {
                    ApplyResult::Removed
                } else if nested.contains(&i.user) {
                    ApplyResult::NotSupported
                } else {
                    ApplyResult::NotFound
                }
            })
            .collect();
        let removed: Vec<UserIx> =
            x.items.iter().zip(&results).filter(|(_, r)| **r == ApplyResult::Removed).map(|(i, _)| i.user).collect();
        if !removed.is_empty() {
            self.remove_members_now(g, &removed, seq);
        }
        let Some(x) = self.reviews.get_mut(r as usize) else { return };
        for (item, result) in x.items.iter_mut().zip(results) {
            item.apply_result = Some(result);
        }
        x.status = ReviewStatus::Applied;
        x.applied_at = Some(now);
        x.applied_by = by;
    }

    /// R-14.11: `remove_member`'s state change for many direct members of `g` at once (one
    /// pass over the member list), with its provisioning entries caused by `seq`.
    fn remove_members_now(&mut self, g: GroupIx, users: &[UserIx], seq: u64) {
        let resources = self.resources_through(g);
        let mut pairs = Vec::with_capacity(users.len() * resources.len());
        for u in users {
            for res in &resources {
                pairs.push((*u, *res));
            }
        }
        let gone: FxHashSet<UserIx> = users.iter().copied().collect();
        self.provision(pairs, seq, |t| {
            if let Some(group) = t.groups.get_mut(g as usize) {
                group.members.retain(|m| !matches!(m, Principal::User(u) if gone.contains(u)));
            }
            for u in users {
                if let Some(user) = t.users.get_mut(*u as usize) {
                    user.groups.retain(|x| *x != g);
                }
                t.count_membership(g, *u, false);
            }
        });
    }

    /// R-14.12: deleting group `g` (by `actor`, none for an expiry) cancels its `in_progress`
    /// and `completed` reviews; their events go, their decisions stay.
    pub(crate) fn cancel_reviews_of(&mut self, g: GroupIx, actor: Option<UserIx>) {
        let now = self.now;
        for r in 0..self.reviews.len() as ReviewIx {
            let x = &mut self.reviews[r as usize];
            if x.group != g || !matches!(x.status, ReviewStatus::InProgress | ReviewStatus::Completed) {
                continue;
            }
            if x.status == ReviewStatus::InProgress {
                x.ended_at = Some(now);
                x.ended_by = actor;
            }
            x.status = ReviewStatus::Cancelled;
            self.schedule.unschedule_all(Owner::Review(r));
        }
    }

    /// R-8.7, R-14.8, R-14.10: fires one §14 event at the current instant.
    pub(crate) fn fire_review(&mut self, event: Event) {
        match event {
            Event::ReviewEnd { review } => {
                self.record_review_event("Access review ended", review, |t, _| t.complete_now(review, None));
            }
            Event::ReviewAutoApply { review } => {
                self.record_review_event("Auto apply review", review, |t, seq| t.apply_results_now(review, None, seq));
            }
            _ => {}
        }
    }

    /// A fired §14 event: one audit entry of actor `system` naming the review (R-14.15).
    fn record_review_event(&mut self, activity: &'static str, r: ReviewIx, apply: impl FnOnce(&mut Tenant, u64)) {
        let target = self.reviews.get(r as usize).map(|x| x.id.clone()).unwrap_or_default();
        self.record_system(activity, target, apply);
    }

    /// Snapshot: puts reviews read back into place (ids, events are restored with the
    /// schedule); `corrupt_snapshot` if one names an object the state lacks.
    pub(crate) fn restore_reviews(&mut self, reviews: Vec<Review>, next_id: u64) -> std::result::Result<(), String> {
        let (nu, ng) = (self.users.len(), self.groups.len());
        let user_ok = |u: &UserIx| (*u as usize) < nu;
        for (ix, x) in reviews.into_iter().enumerate() {
            let ok = (x.group as usize) < ng
                && user_ok(&x.created_by)
                && x.reviewers.iter().all(user_ok)
                && x.ended_by.iter().chain(&x.applied_by).all(user_ok)
                && x.items.iter().all(|i| user_ok(&i.user) && i.reviewed_by.iter().all(user_ok))
                && x.items.windows(2).all(|w| w[0].user < w[1].user);
            if !ok || self.ids.contains_key(&x.id) {
                return Err(format!("access review {} is inconsistent", x.id));
            }
            self.ids.insert(x.id.clone(), Object::Review(ix as ReviewIx));
            self.reviews.push(x);
        }
        self.next_review_id = next_id;
        Ok(())
    }
}

// ----- the §14 commands: their rules -----

impl Tenant {
    /// The rules of the §14 commands: a plan or a refusal in §9's order.
    pub(crate) fn decide_reviews(
        &self,
        a: &mut crate::rules::Args,
        cmd: &crate::command::Command,
    ) -> Result<ReviewPlan> {
        use crate::command::Command;
        match cmd {
            Command::CreateReview {
                actor,
                name,
                groups,
                reviewer_type,
                reviewers,
                fallback_reviewers,
                duration_days,
                default_decision,
                auto_apply,
                justification_required,
            } => {
                let actor_r = a.actor(actor);
                let groups_r = a.groups(groups);
                let reviewers_r = a.users(reviewers);
                let fallback_r = a.users(fallback_reviewers);
                let (actor, groups, reviewers, fallback) = (actor_r?, groups_r?, reviewers_r?, fallback_r?);
                let raw = crate::reviews::CreateArgs {
                    name,
                    reviewer_type,
                    duration_days: *duration_days,
                    default_decision,
                    auto_apply: *auto_apply,
                    justification_required: *justification_required,
                };
                self.decide_create_review(actor, groups, reviewers, fallback, &raw)
            }
            Command::DecideReview { actor, review, user, decision, justification } => {
                let actor_r = a.actor(actor);
                let review_r = a.review(review);
                let user_r = a.user(user);
                let (actor, review, user) = (actor_r?, review_r?, user_r?);
                self.decide_decision(actor, review, user, decision, justification)
            }
            Command::StopReview { actor, review } | Command::ApplyReview { actor, review } => {
                let apply = matches!(cmd, Command::ApplyReview { .. });
                let actor_r = a.actor(actor);
                let review_r = a.review(review);
                let (actor, review) = (actor_r?, review_r?);
                self.decide_manage_review(actor, review, apply)
            }
            Command::RecordSignIn { user } => {
                let user = a.user(user)?;
                Ok(ReviewPlan::SignIn { user })
            }
            _ => crate::rules::misrouted(cmd),
        }
    }
}

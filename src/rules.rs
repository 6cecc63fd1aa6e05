//! Who may do what, the part every area shares: a command goes to the rules of its area
//! (`users` §1–§3, `groups` §4, `requests` §5, `resources` §7, `lifecycle` §13, `reviews`
//! §14, `packages` §15), which decide it from the state and the command alone into a
//! [`Plan`] or a refusal. Here are what they share: resolving references into audit targets
//! ([`Args`]), refusals, each command's audit activity, and the gates (roles R-3, the
//! self-service and kind gates, standing R-6). Nothing here changes the tenant.
//!
//! Refusals follow SPEC §9's precedence: (1) objects named that do not exist, in argument
//! order, the actor first; (2) malformed arguments; (3) `actor_disabled`; (4)
//! `on_premises_group`, `not_self_service_kind`, `self_service_disabled`; (5) the actor's
//! standing; (6) creation settings; (7) eligibility; (8) the group's policy; (9) limits;
//! (10) state; (11) structure.

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::tenant::Tenant;

/// Resolves a command's references, recording the audit targets as it goes.
pub(crate) struct Args<'t> {
    pub(crate) t: &'t Tenant,
    pub(crate) actor: String,
    pub(crate) targets: Vec<String>,
}

impl<'t> Args<'t> {
    pub(crate) fn record<T>(&mut self, given: &str, found: Result<T>, id: impl Fn(&T) -> String) -> Result<T> {
        match &found {
            Ok(x) => self.targets.push(id(x)),
            Err(_) => self.targets.push(given.to_string()),
        }
        found
    }

    pub(crate) fn actor(&mut self, r: &str) -> Result<UserIx> {
        let found = self.t.find_user(r);
        self.actor = match &found {
            Ok(u) => self.t.users[*u as usize].id.clone(),
            Err(_) => r.to_string(),
        };
        found
    }

    pub(crate) fn user(&mut self, r: &str) -> Result<UserIx> {
        let t = self.t;
        self.record(r, t.find_user(r), |u| t.users[*u as usize].id.clone())
    }

    pub(crate) fn group(&mut self, r: &str) -> Result<GroupIx> {
        let t = self.t;
        self.record(r, t.find_group(r), |g| t.groups[*g as usize].id.clone())
    }

    pub(crate) fn resource(&mut self, r: &str) -> Result<ResourceIx> {
        let t = self.t;
        self.record(r, t.find_resource(r), |x| t.resources[*x as usize].id.clone())
    }

    pub(crate) fn request(&mut self, r: &str) -> Result<RequestIx> {
        let t = self.t;
        self.record(r, t.find_request(r), |q| t.requests[*q as usize].id.clone())
    }

    /// a soft-deleted group, by id or handle only.
    pub(crate) fn deleted_group(&mut self, r: &str) -> Result<GroupIx> {
        let t = self.t;
        self.record(r, t.find_deleted_group(r), |g| t.groups[*g as usize].id.clone())
    }

    /// §14: a review, by id only.
    pub(crate) fn review(&mut self, r: &str) -> Result<ReviewIx> {
        let t = self.t;
        self.record(r, t.find_review(r), |x| t.reviews[*x as usize].id.clone())
    }

    pub(crate) fn groups(&mut self, refs: &[String]) -> Result<Vec<GroupIx>> {
        let found: Vec<Result<GroupIx>> = refs.iter().map(|r| self.group(r)).collect();
        found.into_iter().collect()
    }

    pub(crate) fn principal(&mut self, r: &str) -> Result<Principal> {
        let t = self.t;
        self.record(r, t.find_principal(r), |p| t.principal_id(*p).to_string())
    }

    pub(crate) fn name(&mut self, given: &str) {
        self.targets.push(given.to_string());
    }

    /// Resolves a list, returning the first failure after recording every target.
    pub(crate) fn users(&mut self, refs: &[String]) -> Result<Vec<UserIx>> {
        let found: Vec<Result<UserIx>> = refs.iter().map(|r| self.user(r)).collect();
        found.into_iter().collect()
    }

    pub(crate) fn principals(&mut self, refs: &[String]) -> Result<Vec<Principal>> {
        let found: Vec<Result<Principal>> = refs.iter().map(|r| self.principal(r)).collect();
        found.into_iter().collect()
    }
}

/// A refusal's message: a `String`, or a closure that builds it only when it is read.
pub(crate) trait Message {
    fn text(self) -> String;
}

impl Message for String {
    fn text(self) -> String {
        self
    }
}

impl Message for &str {
    fn text(self) -> String {
        self.to_string()
    }
}

impl<F: FnOnce() -> String> Message for F {
    fn text(self) -> String {
        self()
    }
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` asking the rules for verdicts only: refusals carry their code and an empty
/// message, so a query that asks the rules many times (SPEC §12) spends nothing on text
/// nobody reads. The decisions are the same.
pub(crate) fn quietly<R>(f: impl FnOnce() -> R) -> R {
    let was = QUIET.with(|q| q.replace(true));
    let out = f();
    QUIET.with(|q| q.set(was));
    out
}

pub(crate) fn refuse<T>(code: Code, message: impl Message) -> Result<T> {
    let quiet = QUIET.with(|q| q.get());
    Err(Error::new(code, if quiet { String::new() } else { message.text() }))
}

/// A command sent to an area that does not decide it: a fault of the dispatch, reported as
/// an unknown command rather than a panic.
pub(crate) fn misrouted<T>(cmd: &Command) -> Result<T> {
    Err(Error::new(Code::UnknownCommand, format!("{} is not decided by this area", cmd.name())))
}

/// A user named in a message, described only if the message is written.
pub(crate) struct Who<'t>(pub(crate) &'t Tenant, pub(crate) UserIx);

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.du(self.1))
    }
}

/// Which group operation a gate is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupOp {
    /// Change, delete, manage owners.
    Change,
    /// Manage members, approve and deny.
    Membership,
}

/// the audit activity of a command, as its catalogue entry declares it; where the
/// entry gives alternatives, the one the command's arguments pick.
fn audit_activity(cmd: &Command, t: &Tenant) -> &'static str {
    let of = crate::catalogue::activity;
    match cmd {
        // "… to group / … grant to user".
        Command::Assign { principal, .. } | Command::Unassign { principal, .. } => {
            of(cmd.name(), usize::from(is_user_ref(t, principal)))
        }
        // "Approve decision / Deny decision / Don't know decision".
        Command::DecideReview { decision, .. } => match decision.as_str() {
            "approve" => of(cmd.name(), 0),
            "deny" => of(cmd.name(), 1),
            "dont_know" => of(cmd.name(), 2),
            _ => "Update access review",
        },
        // §15: the activity depends on the objects named.
        crate::command::package_command!() => t.package_activity(cmd),
        _ => of(cmd.name(), 0),
    }
}

/// an assignment's principal is a user's when it resolves to one, or when an
/// unresolved reference contains `@`.
pub(crate) fn is_user_ref(t: &Tenant, r: &str) -> bool {
    match t.find_principal(r) {
        Ok(Principal::User(_)) => true,
        Ok(Principal::Group(_)) => false,
        Err(_) => r.contains('@'),
    }
}

impl Tenant {
    /// Decides a command: its audit record and its plan or refusal. Pure.
    pub(crate) fn prepare(&self, cmd: &Command) -> Prepared {
        let mut a = Args { t: self, actor: "system".to_string(), targets: Vec::new() };
        let activity = audit_activity(cmd, self);
        let plan = self.decide(&mut a, cmd);
        Prepared { actor: a.actor, activity, targets: a.targets, plan }
    }

    /// Sends a command to the rules of its area.
    fn decide(&self, a: &mut Args, cmd: &Command) -> Result<Plan> {
        match cmd {
            Command::AddUser { .. }
            | Command::SetEnabled { .. }
            | Command::SetRoles { .. }
            | Command::Configure { .. } => self.decide_users(a, cmd).map(Plan::User),
            Command::CreateGroup { .. }
            | Command::UpdateGroup { .. }
            | Command::DeleteGroup { .. }
            | Command::AddMember { .. }
            | Command::RemoveMember { .. }
            | Command::AddOwner { .. }
            | Command::RemoveOwner { .. }
            | Command::Leave { .. }
            | Command::ListMembers { .. } => self.decide_groups(a, cmd).map(Plan::Group),
            Command::RequestToJoin { .. } | Command::Approve { .. } | Command::Deny { .. } | Command::Cancel { .. } => {
                self.decide_requests(a, cmd).map(Plan::Request)
            }
            Command::CreateResource { .. }
            | Command::AddResourceOwner { .. }
            | Command::RemoveResourceOwner { .. }
            | Command::Assign { .. }
            | Command::Unassign { .. }
            | Command::Block { .. }
            | Command::Unblock { .. }
            | Command::ListAccess { .. } => self.decide_resources(a, cmd).map(Plan::Resource),
            Command::AddGroupToExpiration { .. }
            | Command::RemoveGroupFromExpiration { .. }
            | Command::Renew { .. }
            | Command::RestoreGroup { .. }
            | Command::PurgeGroup { .. }
            | Command::RecordActivity { .. } => self.decide_lifecycle(a, cmd).map(Plan::Lifecycle),
            Command::CreateReview { .. }
            | Command::DecideReview { .. }
            | Command::StopReview { .. }
            | Command::ApplyReview { .. }
            | Command::RecordSignIn { .. } => self.decide_reviews(a, cmd).map(Plan::Review),
            Command::ImportDirectory { data } => self.decide_import(data).map(|p| Plan::Import(Box::new(p))),
            // §15
            crate::command::package_command!() => self.decide_package(a, cmd),
            Command::Advance { .. } | Command::SetTime { .. } => {
                refuse(Code::UnknownCommand, || format!("{} is a clock move, not a command", cmd.name()))
            }
        }
    }

    // ----- the gates ------------------------------------------------------------------------

    /// only group admins manage the expiration policy and purge.
    pub(crate) fn lifecycle_admin(&self, actor: UserIx, verb: &str) -> Result<()> {
        if self.group_admin(actor) {
            Ok(())
        } else {
            refuse(
                Code::NotAdmin,
                format!("{} is not a global or groups administrator, so cannot {verb}", self.du(actor)),
            )
        }
    }

    /// expiration applies to Microsoft 365 groups only.
    pub(crate) fn expiration_kind(&self, group: GroupIx) -> Result<()> {
        if self.groups[group as usize].kind == GroupKind::Microsoft365 {
            Ok(())
        } else {
            refuse(
                Code::ExpirationNotApplicable,
                format!(
                    "{} is a {} group; expiration applies to Microsoft 365 groups only",
                    self.dg(group),
                    self.groups[group as usize].kind.as_str()
                ),
            )
        }
    }

    /// a disabled user can perform no command.
    pub(crate) fn active(&self, actor: UserIx) -> Result<()> {
        if self.users[actor as usize].enabled {
            Ok(())
        } else {
            refuse(Code::ActorDisabled, || format!("{} is disabled and can do nothing", self.du(actor)))
        }
    }

    pub(crate) fn group_admin(&self, u: UserIx) -> bool {
        self.users[u as usize].roles.group_admin()
    }

    pub(crate) fn resource_admin(&self, u: UserIx) -> bool {
        self.users[u as usize].roles.resource_admin()
    }

    /// eligible for security-group self-service.
    pub fn eligible(&self, u: UserIx) -> bool {
        match self.settings.self_service_scope {
            SelfServiceScope::All => true,
            SelfServiceScope::Some => self.direct_member_of_named(u, &self.settings.self_service_group),
        }
    }

    pub(crate) fn in_m365_creation_group(&self, u: UserIx) -> bool {
        let name = &self.settings.microsoft365_creation_group;
        !name.is_empty() && self.direct_member_of_named(u, name)
    }

    pub(crate) fn direct_member_of_named(&self, u: UserIx, name: &str) -> bool {
        match self.group_names.get(fold(name).as_ref()) {
            Some(gs) => self.users[u as usize].groups.iter().any(|g| gs.contains(g)),
            None => false,
        }
    }

    pub(crate) fn is_direct_member(&self, g: GroupIx, p: Principal) -> bool {
        match p {
            Principal::User(u) => self.users[u as usize].groups.contains(&g),
            Principal::Group(c) => self.groups[c as usize].parents.contains(&g),
        }
    }

    /// self-service must be on for a non-admin.
    pub(crate) fn self_service_on(&self, actor: UserIx, what: impl Message) -> Result<()> {
        if self.settings.delegated_group_management {
            Ok(())
        } else {
            refuse(Code::SelfServiceDisabled, || {
                format!("delegated group management is off, so {} cannot {}", self.du(actor), what.text())
            })
        }
    }

    /// Step 4 for a group: on-premises (everyone), then for non-admins the kind and
    /// the master switch.
    pub(crate) fn kind_gate(&self, actor: UserIx, group: GroupIx, verb: &str) -> Result<()> {
        let g = &self.groups[group as usize];
        if g.on_premises {
            return refuse(Code::OnPremisesGroup, || {
                format!("{} is synced from on-premises and cannot be changed here", self.dg(group))
            });
        }
        if self.group_admin(actor) {
            return Ok(());
        }
        if !g.kind.self_service() {
            return refuse(Code::NotSelfServiceKind, || {
                format!(
                    "{} is a {} group, managed in Exchange, so {} cannot {verb} it",
                    self.dg(group),
                    g.kind.as_str(),
                    self.du(actor)
                )
            });
        }
        self.self_service_on(actor, || format!("{verb} {}", self.dg(group)))
    }

    /// Steps 4–7 of a group operation by an owner.
    pub(crate) fn gate(&self, actor: UserIx, group: GroupIx, op: GroupOp, verb: &str) -> Result<()> {
        self.kind_gate(actor, group, verb)?;
        if self.group_admin(actor) {
            return Ok(());
        }
        let g = &self.groups[group as usize];
        let who = Who(self, actor);
        if !g.owners.contains(&actor) {
            return refuse(Code::NotOwner, || format!("{who} is not an owner of {}", self.dg(group)));
        }
        if op == GroupOp::Change {
            let (allowed, label) = match g.kind {
                GroupKind::Security => (self.settings.users_can_create_security_groups, "security"),
                _ => (self.settings.users_can_create_microsoft365_groups, "Microsoft 365"),
            };
            if !allowed {
                return refuse(Code::GroupChangesDisabled, || {
                    format!("users cannot create {label} groups, so {who} cannot {verb} {}", self.dg(group))
                });
            }
        }
        if g.kind == GroupKind::Security && !self.eligible(actor) {
            return refuse(Code::NotInSelfServiceGroup, || {
                format!(
                    "{who} is not a member of {:?}, the group that can use self-service for security groups",
                    self.settings.self_service_group
                )
            });
        }
        Ok(())
    }

    /// who may approve or deny a request.
    pub(crate) fn may_decide(&self, actor: UserIx, request: RequestIx) -> Result<()> {
        let req = &self.requests[request as usize];
        match self.live_group(req.group) {
            Some(_) => self.may_decide_live(actor, req.group),
            None if self.group_admin(actor) => Ok(()),
            None => {
                self.self_service_on(actor, "decide requests")?;
                refuse(Code::NotOwner, || {
                    format!("{} is not an owner of the deleted {}", self.du(actor), self.dg(req.group))
                })
            }
        }
    }

    pub(crate) fn may_decide_live(&self, actor: UserIx, group: GroupIx) -> Result<()> {
        self.gate(actor, group, GroupOp::Membership, "decide requests to join")
    }

    pub(crate) fn still_pending(&self, request: RequestIx) -> Result<()> {
        let req = &self.requests[request as usize];
        if req.status == RequestStatus::Pending {
            Ok(())
        } else {
            refuse(Code::RequestNotPending, || format!("{} is {}, not pending", self.dq(request), req.status.as_str()))
        }
    }

    /// resource admins and the resource's owners.
    pub(crate) fn resource_standing(&self, actor: UserIx, resource: ResourceIx, verb: &str) -> Result<()> {
        if self.resource_admin(actor) || self.resources[resource as usize].owners.contains(&actor) {
            Ok(())
        } else {
            refuse(Code::NotResourceOwner, || {
                format!("{} is not an owner of {}, so cannot {verb} it", self.du(actor), self.dr(resource))
            })
        }
    }

    /// which groups may be members of a group of `kind`.
    pub(crate) fn nesting_allowed(&self, kind: GroupKind, name: &str, child: GroupIx) -> Result<()> {
        let c = &self.groups[child as usize];
        if kind == GroupKind::Security && c.kind.nestable() {
            Ok(())
        } else {
            refuse(Code::NestedGroupNotAllowed, || {
                format!(
                    "{} ({}) cannot be a member of {} group {name:?}",
                    self.dg(child),
                    c.kind.as_str(),
                    kind.as_str()
                )
            })
        }
    }

    /// nesting rules and cycles for adding `member` to `group`.
    pub(crate) fn check_structure(&self, group: GroupIx, member: Principal) -> Result<()> {
        let Principal::Group(child) = member else { return Ok(()) };
        let g = &self.groups[group as usize];
        self.nesting_allowed(g.kind, &g.name, child)?;
        if child == group || self.group_ancestors(group).contains(&child) {
            return refuse(Code::Cycle, || {
                format!("adding {} to {} would make a group contain itself", self.dg(child), self.dg(group))
            });
        }
        Ok(())
    }
}

//! Who may do what: each command is decided here, from the state and the command alone,
//! into a [`Plan`] or a refusal. Nothing here changes the tenant.
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

    fn resource(&mut self, r: &str) -> Result<ResourceIx> {
        let t = self.t;
        self.record(r, t.find_resource(r), |x| t.resources[*x as usize].id.clone())
    }

    fn request(&mut self, r: &str) -> Result<RequestIx> {
        let t = self.t;
        self.record(r, t.find_request(r), |q| t.requests[*q as usize].id.clone())
    }

    /// a soft-deleted group, by id or handle only.
    fn deleted_group(&mut self, r: &str) -> Result<GroupIx> {
        let t = self.t;
        self.record(r, t.find_deleted_group(r), |g| t.groups[*g as usize].id.clone())
    }

    /// §14: a review, by id only.
    fn review(&mut self, r: &str) -> Result<ReviewIx> {
        let t = self.t;
        self.record(r, t.find_review(r), |x| t.reviews[*x as usize].id.clone())
    }

    fn groups(&mut self, refs: &[String]) -> Result<Vec<GroupIx>> {
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
    fn users(&mut self, refs: &[String]) -> Result<Vec<UserIx>> {
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

/// A user named in a message, described only if the message is written.
struct Who<'t>(&'t Tenant, UserIx);

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.du(self.1))
    }
}

/// Which group operation a gate is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum GroupOp {
    /// Change, delete, manage owners.
    Change,
    /// Manage members, approve and deny.
    Membership,
}

fn audit_activity(cmd: &Command, t: &Tenant) -> &'static str {
    match cmd {
        Command::AddUser { .. } => "Add user",
        Command::SetEnabled { .. } | Command::SetRoles { .. } => "Update user",
        Command::ImportDirectory { .. } => "Import directory",
        Command::Configure { .. } => "Update group settings",
        Command::CreateGroup { .. } => "Add group",
        Command::UpdateGroup { .. } => "Update group",
        Command::DeleteGroup { .. } => "Delete group",
        Command::AddMember { .. } => "Add member to group",
        Command::RemoveMember { .. } | Command::Leave { .. } => "Remove member from group",
        Command::AddOwner { .. } => "Add owner to group",
        Command::RemoveOwner { .. } => "Remove owner from group",
        Command::RequestToJoin { .. } => "Request to join a group",
        Command::Approve { .. } => "Approve a pending request to join a group",
        Command::Deny { .. } => "Reject a pending request to join a group",
        Command::Cancel { .. } => "Cancel a pending request to join a group",
        Command::CreateResource { .. } => "Add resource",
        Command::AddResourceOwner { .. } => "Add owner to resource",
        Command::RemoveResourceOwner { .. } => "Remove owner from resource",
        Command::Assign { principal, .. } => {
            if is_user_ref(t, principal) {
                "Add app role assignment grant to user"
            } else {
                "Add app role assignment to group"
            }
        }
        Command::Unassign { principal, .. } => {
            if is_user_ref(t, principal) {
                "Remove app role assignment from user"
            } else {
                "Remove app role assignment from group"
            }
        }
        Command::Block { .. } => "Block user from resource",
        Command::Unblock { .. } => "Unblock user from resource",
        Command::ListMembers { .. } => "List group members",
        Command::ListAccess { .. } => "List resource access",
        Command::AddGroupToExpiration { .. } => "Add group to lifecycle policy",
        Command::RemoveGroupFromExpiration { .. } => "Remove group from lifecycle policy",
        Command::Renew { .. } => "Renew group",
        Command::RestoreGroup { .. } => "Restore group",
        Command::PurgeGroup { .. } => "Hard delete group",
        Command::RecordActivity { .. } => "Record group activity",
        // §14
        Command::CreateReview { .. } => "Create access review",
        Command::DecideReview { decision, .. } => match decision.as_str() {
            "approve" => "Approve decision",
            "deny" => "Deny decision",
            "dont_know" => "Don't know decision",
            _ => "Update access review",
        },
        Command::StopReview { .. } => "Access review ended",
        Command::ApplyReview { .. } => "Apply review",
        Command::RecordSignIn { .. } => "Record sign-in",
        // §15
        crate::command::package_command!() => t.package_activity(cmd),
        Command::Advance { .. } | Command::SetTime { .. } => "",
    }
}

/// an assignment's principal is a user's when it resolves to one, or when an
/// unresolved reference contains `@`.
fn is_user_ref(t: &Tenant, r: &str) -> bool {
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

    fn decide(&self, a: &mut Args, cmd: &Command) -> Result<Plan> {
        match cmd {
            Command::AddUser { upn, display_name, department, roles, enabled, manager } => {
                a.name(upn);
                // the manager, a user (step 1).
                let manager = manager.as_deref().map(|m| a.user(m)).transpose()?;
                let clean = clean_upn(upn).ok_or_else(|| {
                    Error::new(Code::InvalidName, format!("{upn:?} is not a valid user principal name"))
                })?;
                let roles = parse_roles(roles)?;
                if self.upns.contains_key(fold(clean).as_ref()) {
                    return refuse(Code::DuplicateName, || format!("a user named {clean} already exists"));
                }
                Ok(Plan::AddUser {
                    upn: clean.to_string(),
                    display_name: display_name.clone().unwrap_or_else(|| clean.to_string()),
                    department: department.clone(),
                    roles,
                    enabled: *enabled,
                    manager,
                })
            }
            Command::SetEnabled { user, enabled } => {
                let user = a.user(user)?;
                Ok(Plan::SetEnabled { user, enabled: *enabled })
            }
            Command::SetRoles { user, roles } => {
                let user = a.user(user)?;
                let roles = parse_roles(roles)?;
                Ok(Plan::SetRoles { user, roles })
            }
            Command::ImportDirectory { data } => self.decide_import(data).map(|p| Plan::Import(Box::new(p))),
            Command::Configure { actor, settings } => {
                let actor = a.actor(actor)?;
                let changes: Vec<(String, serde_json::Value)> =
                    settings.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                let next = self.settings.with_changes(&changes)?;
                self.active(actor)?;
                if !self.users[actor as usize].roles.has(Role::GlobalAdmin) {
                    return refuse(Code::NotGlobalAdmin, || {
                        format!("{} is not a global administrator, so cannot change settings", self.du(actor))
                    });
                }
                Ok(Plan::Configure { actor, settings: next })
            }
            Command::CreateGroup { actor, name, kind, join_policy, description, owners, members, on_premises } => {
                let actor_r = a.actor(actor);
                a.name(name);
                let owners_r = a.users(owners);
                let members_r = a.principals(members);
                let (actor, owners, members) = (actor_r?, owners_r?, members_r?);
                self.decide_create_group(
                    actor,
                    name,
                    kind,
                    join_policy.as_deref(),
                    description,
                    owners,
                    members,
                    *on_premises,
                )
            }
            Command::UpdateGroup { actor, group, name, description, join_policy } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.decide_update_group(actor, group, name.as_deref(), description.as_deref(), join_policy.as_deref())
            }
            Command::DeleteGroup { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                self.gate(actor, group, GroupOp::Change, "delete")?;
                Ok(Plan::DeleteGroup { actor, group })
            }
            Command::AddMember { actor, group, member } | Command::RemoveMember { actor, group, member } => {
                let adding = matches!(cmd, Command::AddMember { .. });
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let member_r = a.principal(member);
                let (actor, group, member) = (actor_r?, group_r?, member_r?);
                self.decide_membership(actor, group, member, adding)
            }
            Command::AddOwner { actor, group, user } | Command::RemoveOwner { actor, group, user } => {
                let adding = matches!(cmd, Command::AddOwner { .. });
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let user_r = a.user(user);
                let (actor, group, user) = (actor_r?, group_r?, user_r?);
                self.active(actor)?;
                self.gate(actor, group, GroupOp::Change, "manage the owners of")?;
                let owners = &self.groups[group as usize].owners;
                let is_owner = owners.contains(&user);
                if adding {
                    // owner_limit wins over already_owner.
                    if owners.len() as u64 >= self.settings.max_owners_per_group {
                        return refuse(Code::OwnerLimit, || {
                            format!("{} already has {} owners, the most allowed", self.dg(group), owners.len())
                        });
                    }
                    if is_owner {
                        return refuse(Code::AlreadyOwner, || {
                            format!("{} is already an owner of {}", self.du(user), self.dg(group))
                        });
                    }
                    Ok(Plan::AddOwner { group, user })
                } else {
                    if is_owner && owners.len() == 1 && !self.group_admin(actor) {
                        return refuse(Code::LastOwner, || {
                            format!("{} is the last owner of {} and cannot be removed", self.du(user), self.dg(group))
                        });
                    }
                    if !is_owner {
                        return refuse(Code::NotAnOwner, || {
                            format!("{} is not an owner of {}", self.du(user), self.dg(group))
                        });
                    }
                    Ok(Plan::RemoveOwner { group, user })
                }
            }
            Command::Leave { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                self.kind_gate(actor, group, "leave")?;
                let member = Principal::User(actor);
                if !self.is_direct_member(group, member) {
                    return refuse(Code::NotMember, || {
                        format!("{} is not a member of {}", self.du(actor), self.dg(group))
                    });
                }
                Ok(Plan::RemoveMember { group, member })
            }
            Command::RequestToJoin { actor, group, justification } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.decide_request(actor, group, justification)
            }
            Command::Approve { actor, request, reason } | Command::Deny { actor, request, reason } => {
                let approve = matches!(cmd, Command::Approve { .. });
                let actor_r = a.actor(actor);
                let request_r = a.request(request);
                let (actor, request) = (actor_r?, request_r?);
                self.active(actor)?;
                self.may_decide(actor, request)?;
                self.still_pending(request)?;
                let status = if approve { RequestStatus::Approved } else { RequestStatus::Denied };
                Ok(Plan::Settle { request, by: actor, status, reason: reason.clone() })
            }
            Command::Cancel { actor, request } => {
                let actor_r = a.actor(actor);
                let request_r = a.request(request);
                let (actor, request) = (actor_r?, request_r?);
                self.active(actor)?;
                let req = &self.requests[request as usize];
                let admin = self.group_admin(actor);
                match self.live_group(req.group) {
                    Some(_) => self.kind_gate(actor, req.group, "cancel requests to join")?,
                    None if !admin => self.self_service_on(actor, "cancel requests")?,
                    None => {}
                }
                if !admin && req.requester != actor {
                    return refuse(Code::NotRequester, || {
                        format!("{} did not make {} and cannot cancel it", self.du(actor), self.dq(request))
                    });
                }
                self.still_pending(request)?;
                Ok(Plan::Settle { request, by: actor, status: RequestStatus::Cancelled, reason: String::new() })
            }
            Command::CreateResource { actor, name, kind, owners } => {
                let actor_r = a.actor(actor);
                a.name(name);
                let owners_r = a.users(owners);
                let (actor, owners) = (actor_r?, owners_r?);
                let clean = group_name(name)?;
                let kind = parse_resource_kind(kind)?;
                self.active(actor)?;
                if !self.resource_admin(actor) {
                    return refuse(Code::NotAdmin, || {
                        format!(
                            "{} is not an application or global administrator, so cannot create resources",
                            self.du(actor)
                        )
                    });
                }
                if self.resource_names.contains_key(fold(&clean).as_ref()) {
                    return refuse(Code::DuplicateName, || format!("a resource named {clean:?} already exists"));
                }
                Ok(Plan::CreateResource { name: clean, kind, owners: merge(owners) })
            }
            Command::AddResourceOwner { actor, resource, user }
            | Command::RemoveResourceOwner { actor, resource, user } => {
                let adding = matches!(cmd, Command::AddResourceOwner { .. });
                let actor_r = a.actor(actor);
                let resource_r = a.resource(resource);
                let user_r = a.user(user);
                let (actor, resource, user) = (actor_r?, resource_r?, user_r?);
                self.active(actor)?;
                if !self.resource_admin(actor) {
                    return refuse(Code::NotAdmin, || {
                        format!(
                            "{} is not an application or global administrator, so cannot manage the owners of {}",
                            self.du(actor),
                            self.dr(resource)
                        )
                    });
                }
                let is_owner = self.resources[resource as usize].owners.contains(&user);
                match (adding, is_owner) {
                    (true, true) => refuse(Code::AlreadyOwner, || {
                        format!("{} is already an owner of {}", self.du(user), self.dr(resource))
                    }),
                    (false, false) => refuse(Code::NotAnOwner, || {
                        format!("{} is not an owner of {}", self.du(user), self.dr(resource))
                    }),
                    (true, false) => Ok(Plan::AddResourceOwner { resource, user }),
                    (false, true) => Ok(Plan::RemoveResourceOwner { resource, user }),
                }
            }
            Command::Assign { actor, resource, principal } | Command::Unassign { actor, resource, principal } => {
                let adding = matches!(cmd, Command::Assign { .. });
                let actor_r = a.actor(actor);
                let resource_r = a.resource(resource);
                let principal_r = a.principal(principal);
                let (actor, resource, principal) = (actor_r?, resource_r?, principal_r?);
                self.decide_assignment(actor, resource, principal, adding)
            }
            Command::Block { actor, resource, user } | Command::Unblock { actor, resource, user } => {
                let adding = matches!(cmd, Command::Block { .. });
                let actor_r = a.actor(actor);
                let resource_r = a.resource(resource);
                let user_r = a.user(user);
                let (actor, resource, user) = (actor_r?, resource_r?, user_r?);
                self.active(actor)?;
                self.resource_standing(actor, resource, "block users from")?;
                let blocked = self.resources[resource as usize].blocked_set.contains(&user);
                match (adding, blocked) {
                    (true, true) => refuse(Code::AlreadyBlocked, || {
                        format!("{} is already blocked from {}", self.du(user), self.dr(resource))
                    }),
                    (false, false) => refuse(Code::NotBlocked, || {
                        format!("{} is not blocked from {}", self.du(user), self.dr(resource))
                    }),
                    (true, false) => Ok(Plan::Block { resource, user }),
                    (false, true) => Ok(Plan::Unblock { resource, user }),
                }
            }
            Command::ListMembers { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.decide_list_members(actor, group)
            }
            Command::ListAccess { actor, resource } => {
                let actor_r = a.actor(actor);
                let resource_r = a.resource(resource);
                let (actor, resource) = (actor_r?, resource_r?);
                self.decide_list_access(actor, resource)
            }
            Command::AddGroupToExpiration { actor, group } | Command::RemoveGroupFromExpiration { actor, group } => {
                let adding = matches!(cmd, Command::AddGroupToExpiration { .. });
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                self.lifecycle_admin(actor, "manage the expiration policy")?;
                self.expiration_kind(group)?;
                let listed = self.selected.contains(&group);
                if adding && self.selected.len() >= crate::lifecycle::MAX_SELECTED {
                    return refuse(
                        Code::ExpirationGroupLimit,
                        format!(
                            "the expiration policy already lists {} groups, the most allowed, so {} cannot be added",
                            self.selected.len(),
                            self.dg(group)
                        ),
                    );
                }
                match (adding, listed) {
                    (true, true) => {
                        refuse(Code::AlreadySelected, format!("{} is already in the expiration policy", self.dg(group)))
                    }
                    (false, false) => {
                        refuse(Code::NotSelected, format!("{} is not in the expiration policy", self.dg(group)))
                    }
                    _ => Ok(Plan::Select { group, add: adding }),
                }
            }
            Command::Renew { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                // an owner's right, whatever the self-service settings.
                if !self.group_admin(actor) && !self.groups[group as usize].owners.contains(&actor) {
                    return refuse(
                        Code::NotOwner,
                        format!("{} is not an owner of {}, so cannot renew it", self.du(actor), self.dg(group)),
                    );
                }
                if !self.covered(group) {
                    return refuse(
                        Code::ExpirationNotApplicable,
                        format!("{} is not covered by the expiration policy, so it cannot be renewed", self.dg(group)),
                    );
                }
                Ok(Plan::Renew { group })
            }
            Command::RestoreGroup { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.deleted_group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                let was_owner = self.groups[group as usize].kept.as_ref().is_some_and(|k| k.owners.contains(&actor));
                if !self.group_admin(actor) && !was_owner {
                    return refuse(
                        Code::NotOwner,
                        format!(
                            "{} was not an owner of the deleted {}, so cannot restore it",
                            self.du(actor),
                            self.dg(group)
                        ),
                    );
                }
                Ok(Plan::Restore { group })
            }
            Command::PurgeGroup { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.deleted_group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                self.lifecycle_admin(actor, &format!("purge the deleted {}", self.dg(group)))?;
                Ok(Plan::Purge { group })
            }
            Command::RecordActivity { group } => {
                let group = a.group(group)?;
                Ok(Plan::RecordActivity { group })
            }
            // ----- §14 access reviews -----
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
                self.decide_create_review(actor, groups, reviewers, fallback, &raw).map(Plan::Review)
            }
            Command::DecideReview { actor, review, user, decision, justification } => {
                let actor_r = a.actor(actor);
                let review_r = a.review(review);
                let user_r = a.user(user);
                let (actor, review, user) = (actor_r?, review_r?, user_r?);
                self.decide_decision(actor, review, user, decision, justification).map(Plan::Review)
            }
            Command::StopReview { actor, review } | Command::ApplyReview { actor, review } => {
                let apply = matches!(cmd, Command::ApplyReview { .. });
                let actor_r = a.actor(actor);
                let review_r = a.review(review);
                let (actor, review) = (actor_r?, review_r?);
                self.decide_manage_review(actor, review, apply).map(Plan::Review)
            }
            Command::RecordSignIn { user } => {
                let user = a.user(user)?;
                Ok(Plan::Review(crate::reviews::ReviewPlan::SignIn { user }))
            }
            // §15
            crate::command::package_command!() => self.decide_package(a, cmd),
            Command::Advance { .. } | Command::SetTime { .. } => {
                refuse(Code::UnknownCommand, || format!("{} is a clock move, not a command", cmd.name()))
            }
        }
    }

    /// `update_group` once its references are resolved.
    pub(crate) fn decide_update_group(
        &self,
        actor: UserIx,
        group: GroupIx,
        name: Option<&str>,
        description: Option<&str>,
        join_policy: Option<&str>,
    ) -> Result<Plan> {
        let given = name.map(group_name).transpose()?;
        let kind = self.groups[group as usize].kind;
        // the naming policy shapes the new name given.
        let name = given.clone().map(|n| self.shaped_name(actor, kind, n)).transpose()?;
        let join_policy = join_policy.map(parse_join_policy).transpose()?;
        self.active(actor)?;
        self.gate(actor, group, GroupOp::Change, "change")?;
        if let Some(given) = &given {
            self.check_blocked_words(actor, kind, given)?;
        }
        Ok(Plan::UpdateGroup { group, name, description: description.map(str::to_string), join_policy })
    }

    /// `add_member` (`adding`) or `remove_member` once its references are resolved (R-4.8,
    ///
    pub(crate) fn decide_membership(
        &self,
        actor: UserIx,
        group: GroupIx,
        member: Principal,
        adding: bool,
    ) -> Result<Plan> {
        self.active(actor)?;
        self.gate(actor, group, GroupOp::Membership, "manage the members of")?;
        let is_member = self.is_direct_member(group, member);
        if adding {
            if is_member {
                return refuse(Code::AlreadyMember, || {
                    format!("{} is already a member of {}", self.dp(member), self.dg(group))
                });
            }
            self.check_structure(group, member)?;
            Ok(Plan::AddMember { group, member })
        } else {
            if !is_member {
                return refuse(Code::NotMember, || {
                    format!("{} is not a member of {}", self.dp(member), self.dg(group))
                });
            }
            Ok(Plan::RemoveMember { group, member })
        }
    }

    /// `assign` (`adding`) or `unassign` once its references are resolved.
    pub(crate) fn decide_assignment(
        &self,
        actor: UserIx,
        resource: ResourceIx,
        principal: Principal,
        adding: bool,
    ) -> Result<Plan> {
        self.active(actor)?;
        self.resource_standing(actor, resource, "manage assignments to")?;
        let assigned = self.resources[resource as usize].assigned.contains(&principal);
        if adding {
            if assigned {
                return refuse(Code::AlreadyAssigned, || {
                    format!("{} is already assigned to {}", self.dp(principal), self.dr(resource))
                });
            }
            if let Principal::Group(g) = principal {
                if self.groups[g as usize].kind == GroupKind::Distribution {
                    return refuse(Code::NotSecurityPrincipal, || {
                        format!("{} is a distribution list and cannot be assigned to {}", self.dg(g), self.dr(resource))
                    });
                }
            }
            Ok(Plan::Assign { resource, principal })
        } else {
            if !assigned {
                return refuse(Code::NotAssigned, || {
                    format!("{} is not assigned to {}", self.dp(principal), self.dr(resource))
                });
            }
            Ok(Plan::Unassign { resource, principal })
        }
    }

    /// `list_members` once its references are resolved.
    pub(crate) fn decide_list_members(&self, actor: UserIx, group: GroupIx) -> Result<Plan> {
        self.active(actor)?;
        // admins and the group's owners only, whatever the settings or kind.
        if !self.group_admin(actor) && !self.groups[group as usize].owners.contains(&actor) {
            return refuse(Code::NotOwner, || {
                format!("{} is not an owner of {}, so cannot list its members", self.du(actor), self.dg(group))
            });
        }
        Ok(Plan::ListMembers { group })
    }

    /// `list_access` once its references are resolved.
    pub(crate) fn decide_list_access(&self, actor: UserIx, resource: ResourceIx) -> Result<Plan> {
        self.active(actor)?;
        self.resource_standing(actor, resource, "list who has access to")?;
        Ok(Plan::ListAccess { resource })
    }

    /// What `assign`, `unassign`, `block` and `unblock` ask of their actor before looking at
    /// the principal: R-12.1's `manage_access`.
    pub(crate) fn decide_access_standing(&self, actor: UserIx, resource: ResourceIx) -> Result<()> {
        self.active(actor)?;
        self.resource_standing(actor, resource, "manage assignments to")
    }

    /// What `add_member` and `remove_member` ask of their actor before looking at the member
    /// R-12.1's `manage_members`.
    pub(crate) fn decide_membership_standing(&self, actor: UserIx, group: GroupIx) -> Result<()> {
        self.active(actor)?;
        self.gate(actor, group, GroupOp::Membership, "manage the members of")
    }

    /// `approve` or `deny` by `actor` of a pending request to join the live `group`: the
    /// decision of those commands for any such request, made or about to be made (R-5.6;
    /// R-12.1's `decide`, R-12.2's approve step).
    pub(crate) fn decide_pending_request(&self, actor: UserIx, group: GroupIx) -> Result<()> {
        self.active(actor)?;
        self.may_decide_live(actor, group)
    }

    /// The groups that `gate` and can admit `actor` to at step 5: every live group for
    /// a group admin, else the groups the actor owns. A query asking about many groups asks
    /// about these only (the rest are refused `not_owner` or earlier).
    pub(crate) fn gate_candidates(&self, actor: UserIx) -> Vec<GroupIx> {
        if self.group_admin(actor) {
            self.groups().map(|(g, _)| g).collect()
        } else {
            let mut owned: Vec<GroupIx> =
                self.users[actor as usize].owner_of.iter().copied().filter(|g| self.live_group(*g).is_some()).collect();
            owned.sort_unstable();
            owned
        }
    }

    /// The resources that `resource_standing` can admit `actor` to: every resource for a
    /// resource admin, else those whose owners include the actor (`owned`, resource indexes
    /// by owner, when the caller has them).
    pub(crate) fn standing_candidates(&self, actor: UserIx, owned: Option<&[ResourceIx]>) -> Vec<ResourceIx> {
        if self.resource_admin(actor) {
            return (0..self.resources.len() as ResourceIx).collect();
        }
        match owned {
            Some(list) => list.to_vec(),
            None => (0..self.resources.len() as ResourceIx)
                .filter(|r| self.resources[*r as usize].owners.contains(&actor))
                .collect(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn decide_create_group(
        &self,
        actor: UserIx,
        name: &str,
        kind: &str,
        join_policy: Option<&str>,
        description: &str,
        owners: Vec<UserIx>,
        members: Vec<Principal>,
        on_premises: bool,
    ) -> Result<Plan> {
        let name = group_name(name)?;
        let kind = parse_group_kind(kind)?;
        let shaped = self.shaped_name(actor, kind, name.clone())?;
        let join_policy = join_policy.map(parse_join_policy).transpose()?;
        self.active(actor)?;
        let admin = self.group_admin(actor);
        let who = Who(self, actor);
        if !admin {
            // never Exchange-managed kinds or on-premises groups.
            if !kind.self_service() || on_premises {
                let what = if on_premises { "on-premises".to_string() } else { kind.as_str().to_string() };
                return refuse(Code::NotSelfServiceKind, || {
                    format!("{who} cannot create {what} groups: only administrators can")
                });
            }
            self.self_service_on(actor, "create groups")?;
            match kind {
                GroupKind::Security => {
                    if !self.settings.users_can_create_security_groups {
                        return refuse(Code::GroupCreationDisabled, || {
                            format!("users cannot create security groups, so {who} cannot create group {name:?}")
                        });
                    }
                    if !self.eligible(actor) {
                        return refuse(Code::NotInSelfServiceGroup, || {
                            format!(
                                "{who} is not a member of {:?}, the group that can use self-service for security groups",
                                self.settings.self_service_group
                            )
                        });
                    }
                }
                _ => {
                    if !self.settings.users_can_create_microsoft365_groups && !self.in_m365_creation_group(actor) {
                        return refuse(Code::GroupCreationDisabled, || {
                            format!("users cannot create Microsoft 365 groups, so {who} cannot create group {name:?}")
                        });
                    }
                }
            }
        }
        // the group's naming policy (step 8), before the limits.
        self.check_blocked_words(actor, kind, &name)?;
        let name = shaped;
        if !admin && self.users[actor as usize].created_groups as u64 >= self.settings.max_groups_per_user {
            return refuse(Code::GroupQuota, || {
                format!(
                    "{who} has already created {} groups, the most allowed",
                    self.users[actor as usize].created_groups
                )
            });
        }
        // a non-admin creator is owner and member, first.
        let creator: Option<UserIx> = if admin { None } else { Some(actor) };
        let owners = merge(creator.into_iter().chain(owners));
        let members = merge(creator.map(Principal::User).into_iter().chain(members));
        if owners.len() as u64 > self.settings.max_owners_per_group {
            return refuse(Code::OwnerLimit, || {
                format!(
                    "group {name:?} would have {} owners, more than the {} allowed",
                    owners.len(),
                    self.settings.max_owners_per_group
                )
            });
        }
        for m in &members {
            if let Principal::Group(c) = m {
                self.nesting_allowed(kind, &name, *c)?;
            }
        }
        let join_policy = join_policy.unwrap_or(if admin { JoinPolicy::OwnersOnly } else { JoinPolicy::Open });
        Ok(Plan::CreateGroup(Box::new(NewGroup {
            name,
            description: description.to_string(),
            kind,
            join_policy,
            owners,
            members,
            on_premises,
            created_by: Some(actor),
            id: None,
        })))
    }

    pub(crate) fn decide_request(&self, actor: UserIx, group: GroupIx, justification: &str) -> Result<Plan> {
        self.active(actor)?;
        let g = &self.groups[group as usize];
        let admin = self.group_admin(actor);
        let who = Who(self, actor);
        if g.on_premises {
            return refuse(Code::OnPremisesGroup, || {
                format!("{} is synced from on-premises and cannot be joined here", self.dg(group))
            });
        }
        if !admin {
            self.kind_gate(actor, group, "ask to join")?;
            match g.join_policy {
                JoinPolicy::OwnersOnly => {
                    return refuse(Code::GroupClosed, || {
                        format!("{} does not accept requests to join; {who} cannot ask", self.dg(group))
                    })
                }
                JoinPolicy::OwnerApproval if justification.trim().is_empty() => {
                    return refuse(Code::JustificationRequired, || {
                        format!("{} needs a justification for a request to join", self.dg(group))
                    })
                }
                _ => {}
            }
        }
        if self.is_direct_member(group, Principal::User(actor)) {
            return refuse(Code::AlreadyMember, || format!("{who} is already a member of {}", self.dg(group)));
        }
        let pending = self.user_requests[actor as usize].iter().any(|q| {
            self.requests[*q as usize].group == group && self.requests[*q as usize].status == RequestStatus::Pending
        });
        if pending {
            return refuse(Code::RequestPending, || {
                format!("{who} already has a pending request to join {}", self.dg(group))
            });
        }
        let settle = match (g.join_policy, admin) {
            (JoinPolicy::Open, _) => Some("open_group"),
            (_, true) => Some("admin"),
            _ => None,
        };
        Ok(Plan::RequestToJoin { group, requester: actor, justification: justification.to_string(), settle })
    }

    // ----- the gates ------------------------------------------------------------------------

    /// only group admins manage the expiration policy and purge.
    fn lifecycle_admin(&self, actor: UserIx, verb: &str) -> Result<()> {
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
    fn expiration_kind(&self, group: GroupIx) -> Result<()> {
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

    fn in_m365_creation_group(&self, u: UserIx) -> bool {
        let name = &self.settings.microsoft365_creation_group;
        !name.is_empty() && self.direct_member_of_named(u, name)
    }

    fn direct_member_of_named(&self, u: UserIx, name: &str) -> bool {
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
    fn self_service_on(&self, actor: UserIx, what: impl Message) -> Result<()> {
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
    fn kind_gate(&self, actor: UserIx, group: GroupIx, verb: &str) -> Result<()> {
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
    fn gate(&self, actor: UserIx, group: GroupIx, op: GroupOp, verb: &str) -> Result<()> {
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
    fn may_decide(&self, actor: UserIx, request: RequestIx) -> Result<()> {
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

    fn may_decide_live(&self, actor: UserIx, group: GroupIx) -> Result<()> {
        self.gate(actor, group, GroupOp::Membership, "decide requests to join")
    }

    fn still_pending(&self, request: RequestIx) -> Result<()> {
        let req = &self.requests[request as usize];
        if req.status == RequestStatus::Pending {
            Ok(())
        } else {
            refuse(Code::RequestNotPending, || format!("{} is {}, not pending", self.dq(request), req.status.as_str()))
        }
    }

    /// resource admins and the resource's owners.
    fn resource_standing(&self, actor: UserIx, resource: ResourceIx, verb: &str) -> Result<()> {
        if self.resource_admin(actor) || self.resources[resource as usize].owners.contains(&actor) {
            Ok(())
        } else {
            refuse(Code::NotResourceOwner, || {
                format!("{} is not an owner of {}, so cannot {verb} it", self.du(actor), self.dr(resource))
            })
        }
    }

    /// which groups may be members of a group of `kind`.
    fn nesting_allowed(&self, kind: GroupKind, name: &str, child: GroupIx) -> Result<()> {
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
    fn check_structure(&self, group: GroupIx, member: Principal) -> Result<()> {
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

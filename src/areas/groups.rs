//! Groups and membership (SPEC §4): creating, changing and deleting groups, their members
//! and owners, leaving and listing members; their rules and their effects.

use crate::command::Command;
use crate::error::{Code, Result};
use crate::model::*;
use crate::records::Outcome;
use crate::rules::{misrouted, refuse, Args, GroupOp, Who};
use crate::tenant::{Tenant, KIND_GROUP};

/// The catalogue entries of §4 commands (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        command(
            "create_group",
            Actor,
            &[
                ACTOR,
                req("name", Ty::Text),
                kw("kind", Ty::Text, "'security'"),
                kw("join_policy", Ty::OptText, "None"),
                kw("description", Ty::Text, "''"),
                kw("owners", Ty::Users, "()"),
                kw("members", Ty::Principals, "()"),
                kw("on_premises", Ty::Bool, "False"),
            ],
            "Group",
            "Add group",
            "Creates a group (R-4.3 to R-4.6).",
        ),
        command(
            "update_group",
            Actor,
            &[
                ACTOR,
                GROUP,
                kw("name", Ty::OptText, "None"),
                kw("description", Ty::OptText, "None"),
                kw("join_policy", Ty::OptText, "None"),
            ],
            "Group",
            "Update group",
            "Changes a group's name, description or join policy (R-4.7).",
        ),
        command("delete_group", Actor, &[ACTOR, GROUP], "None", "Delete group", "Deletes a group (R-4.7, R-4.13)."),
        command(
            "add_member",
            Actor,
            &[ACTOR, GROUP, req("member", Ty::Principal)],
            "None",
            "Add member to group",
            "Adds a user or a group to a group (R-4.8, R-4.10).",
        ),
        command(
            "remove_member",
            Actor,
            &[ACTOR, GROUP, req("member", Ty::Principal)],
            "None",
            "Remove member from group",
            "Removes a member from a group (R-4.8).",
        ),
        command(
            "add_owner",
            Actor,
            &[ACTOR, GROUP, USER],
            "None",
            "Add owner to group",
            "Adds an owner to a group (R-4.9).",
        ),
        command(
            "remove_owner",
            Actor,
            &[ACTOR, GROUP, USER],
            "None",
            "Remove owner from group",
            "Removes an owner from a group (R-4.9).",
        ),
        command(
            "leave",
            Actor,
            &[ACTOR, GROUP],
            "None",
            "Remove member from group",
            "The actor leaves a group (R-4.12).",
        ),
        command(
            "list_members",
            CheckedRead,
            &[ACTOR, GROUP],
            "list[User | Group]",
            "List group members",
            "Checked read: a group's members, for its owners and admins (R-6.1).",
        ),
    ];
}

impl Tenant {
    /// The rules of the §4 commands: a plan or a refusal in §9's order.
    pub(crate) fn decide_groups(&self, a: &mut Args, cmd: &Command) -> Result<GroupPlan> {
        match cmd {
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
                Ok(GroupPlan::DeleteGroup { actor, group })
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
                    Ok(GroupPlan::AddOwner { group, user })
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
                    Ok(GroupPlan::RemoveOwner { group, user })
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
                Ok(GroupPlan::RemoveMember { group, member })
            }
            Command::ListMembers { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.decide_list_members(actor, group)
            }
            _ => misrouted(cmd),
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
    ) -> Result<GroupPlan> {
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
        Ok(GroupPlan::UpdateGroup { group, name, description: description.map(str::to_string), join_policy })
    }

    /// `add_member` (`adding`) or `remove_member` once its references are resolved (R-4.8,
    ///
    pub(crate) fn decide_membership(
        &self,
        actor: UserIx,
        group: GroupIx,
        member: Principal,
        adding: bool,
    ) -> Result<GroupPlan> {
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
            Ok(GroupPlan::AddMember { group, member })
        } else {
            if !is_member {
                return refuse(Code::NotMember, || {
                    format!("{} is not a member of {}", self.dp(member), self.dg(group))
                });
            }
            Ok(GroupPlan::RemoveMember { group, member })
        }
    }

    /// `list_members` once its references are resolved.
    pub(crate) fn decide_list_members(&self, actor: UserIx, group: GroupIx) -> Result<GroupPlan> {
        self.active(actor)?;
        // admins and the group's owners only, whatever the settings or kind.
        if !self.group_admin(actor) && !self.groups[group as usize].owners.contains(&actor) {
            return refuse(Code::NotOwner, || {
                format!("{} is not an owner of {}, so cannot list its members", self.du(actor), self.dg(group))
            });
        }
        Ok(GroupPlan::ListMembers { group })
    }

    /// What `add_member` and `remove_member` ask of their actor before looking at the member
    /// R-12.1's `manage_members`.
    pub(crate) fn decide_membership_standing(&self, actor: UserIx, group: GroupIx) -> Result<()> {
        self.active(actor)?;
        self.gate(actor, group, GroupOp::Membership, "manage the members of")
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
    ) -> Result<GroupPlan> {
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
        Ok(GroupPlan::CreateGroup(Box::new(NewGroup {
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

    /// The effects of the §4 commands.
    pub(crate) fn apply_groups(&mut self, plan: GroupPlan, seq: u64) -> (Outcome, Created) {
        match plan {
            GroupPlan::CreateGroup(spec) => {
                let g = self.create_group_now(*spec);
                self.cover_new(g);
                let id = self.groups[g as usize].id.clone();
                (Outcome::Group(id.clone()), Created::Named(id))
            }
            GroupPlan::UpdateGroup { group, name, description, join_policy } => {
                if let Some(name) = name {
                    let old = fold(&self.groups[group as usize].name).into_owned();
                    if let Some(list) = self.group_names.get_mut(&old) {
                        list.retain(|x| *x != group);
                        if list.is_empty() {
                            self.group_names.remove(&old);
                        }
                    }
                    let list = self.group_names.entry(fold(&name).into_owned()).or_default();
                    list.push(group);
                    list.sort_unstable();
                    self.groups[group as usize].name = name;
                }
                let g = &mut self.groups[group as usize];
                if let Some(d) = description {
                    g.description = d;
                }
                if let Some(p) = join_policy {
                    g.join_policy = p;
                }
                (Outcome::Group(g.id.clone()), Created::Nothing)
            }
            GroupPlan::DeleteGroup { actor, group } => {
                self.delete_group_now(Some(actor), group, seq);
                (Outcome::Nothing, Created::Nothing)
            }
            GroupPlan::AddMember { group, member } => {
                let pairs = self.pairs_of_membership(group, member);
                self.provision(pairs, seq, |t| t.link_member(group, member));
                (Outcome::Nothing, Created::Nothing)
            }
            GroupPlan::RemoveMember { group, member } => {
                let pairs = self.pairs_of_membership(group, member);
                self.provision(pairs, seq, |t| t.unlink_member(group, member));
                (Outcome::Nothing, Created::Nothing)
            }
            GroupPlan::AddOwner { group, user } => {
                self.link_owner(group, user);
                (Outcome::Nothing, Created::Nothing)
            }
            GroupPlan::RemoveOwner { group, user } => {
                self.unlink_owner(group, user);
                (Outcome::Nothing, Created::Nothing)
            }
            GroupPlan::ListMembers { group } => {
                let members = self.groups[group as usize]
                    .members
                    .iter()
                    .map(|p| match *p {
                        Principal::User(_) => crate::records::Member::User(self.principal_id(*p).to_string()),
                        Principal::Group(_) => crate::records::Member::Group(self.principal_id(*p).to_string()),
                    })
                    .collect();
                (Outcome::Members(members), Created::Nothing)
            }
        }
    }

    /// Creates a group from a decided plan, with its owners and members.
    pub(crate) fn create_group_now(&mut self, spec: NewGroup) -> GroupIx {
        let id = match &spec.id {
            Some(id) => id.clone(),
            None => self.generate_id(KIND_GROUP),
        };
        let g = self.register_group(id, &spec);
        for u in &spec.owners {
            self.link_owner(g, *u);
        }
        for p in &spec.members {
            self.link_member(g, *p);
        }
        g
    }

    /// the SSGM group a `configure` or an import must create, if any.
    pub(crate) fn ssgm_group_needed(&self, settings: &Settings) -> bool {
        settings.self_service_scope == SelfServiceScope::Some
            && self.group_names.get(fold(&settings.self_service_group).as_ref()).is_none_or(|gs| gs.is_empty())
    }

    /// creates the SSGM group.
    pub(crate) fn create_ssgm_group(&mut self, created_by: Option<UserIx>) -> GroupIx {
        let spec = NewGroup {
            name: self.settings.self_service_group.clone(),
            description: String::new(),
            kind: GroupKind::Security,
            join_policy: JoinPolicy::OwnersOnly,
            owners: Vec::new(),
            members: Vec::new(),
            on_premises: false,
            created_by,
            id: None,
        };
        self.create_group_now(spec)
    }

    /// Takes a group out of the name index (a deleted group is found by no name).
    pub(crate) fn unname_group(&mut self, g: GroupIx) {
        let Some(group) = self.groups.get(g as usize) else { return };
        let key = fold(&group.name).into_owned();
        if let Some(list) = self.group_names.get_mut(&key) {
            list.retain(|x| *x != g);
            if list.is_empty() {
                self.group_names.remove(&key);
            }
        }
    }

    /// takes a group out of every group it belongs to, and its members, owners and
    /// assignments out of it.
    pub(crate) fn unlink_group(&mut self, g: GroupIx) {
        let group = &self.groups[g as usize];
        let parents = group.parents.clone();
        let members = group.members.clone();
        let owners = group.owners.clone();
        let assigned = group.assigned_to.clone();
        for p in parents {
            self.unlink_member(p, Principal::Group(g));
        }
        for m in members {
            self.unlink_member(g, m);
        }
        for u in owners {
            self.unlink_owner(g, u);
        }
        for r in assigned {
            self.unlink_assignment(r, Principal::Group(g));
        }
    }

    /// removes a group from everything, cancels its pending requests, withdraws the
    /// access that depended on it; a Microsoft 365 group is kept for restore. With
    /// no actor, the group expired.
    pub(crate) fn delete_group_now(&mut self, actor: Option<UserIx>, g: GroupIx, seq: u64) {
        let kept = self.keep_for_restore(g);
        let pairs = self.pairs_of_group(g);
        let now = self.now;
        self.provision(pairs, seq, |t| t.unlink_group(g));
        let pending: Vec<RequestIx> =
            self.pending.iter().copied().filter(|q| self.requests[*q as usize].group == g).collect();
        for q in pending {
            self.pending.remove(&q);
            let req = &mut self.requests[q as usize];
            req.status = RequestStatus::Cancelled;
            req.decided_by = actor;
            req.reason = if actor.is_some() { "group_deleted" } else { "group_expired" }.to_string();
            req.decided_at = Some(now);
        }
        // its reviews are cancelled in the same command.
        self.cancel_reviews_of(g, actor);
        self.unname_group(g);
        if let Some(u) = self.groups[g as usize].created_by {
            if let Some(user) = self.users.get_mut(u as usize) {
                user.created_groups = user.created_groups.saturating_sub(1);
            }
        }
        self.groups[g as usize].deleted = true;
        // out of every package, policy and pending request, in this command.
        self.packages_forget_group(g, kept.is_some());
        self.soft_delete(g, kept);
    }
}

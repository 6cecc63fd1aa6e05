//! Resources and their assignments (SPEC §7's commands): creating resources, their owners,
//! assigning, blocking and listing access; their rules and their effects. Effective access
//! itself is [`crate::access`].

use crate::command::Command;
use crate::error::{Code, Result};
use crate::model::*;
use crate::records::Outcome;
use crate::rules::{misrouted, refuse, Args};
use crate::tenant::{Tenant, KIND_RESOURCE};

/// The catalogue entries of §7 commands (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        command(
            "create_resource",
            Actor,
            &[ACTOR, req("name", Ty::Text), kw("kind", Ty::Text, "'application'"), kw("owners", Ty::Users, "()")],
            "Resource",
            "Add resource",
            "Creates an application or a site (R-7.1).",
        ),
        command(
            "add_resource_owner",
            Actor,
            &[ACTOR, RESOURCE, USER],
            "None",
            "Add owner to resource",
            "Adds an owner to a resource (R-7.1).",
        ),
        command(
            "remove_resource_owner",
            Actor,
            &[ACTOR, RESOURCE, USER],
            "None",
            "Remove owner from resource",
            "Removes an owner from a resource (R-7.1).",
        ),
        command(
            "assign",
            Actor,
            &[ACTOR, RESOURCE, req("principal", Ty::Principal)],
            "None",
            "Add app role assignment to group / Add app role assignment grant to user",
            "Assigns a user or a group to a resource (R-7.2).",
        ),
        command(
            "unassign",
            Actor,
            &[ACTOR, RESOURCE, req("principal", Ty::Principal)],
            "None",
            "Remove app role assignment from group / Remove app role assignment from user",
            "Unassigns a user or a group from a resource (R-7.2).",
        ),
        command(
            "block",
            Actor,
            &[ACTOR, RESOURCE, USER],
            "None",
            "Block user from resource",
            "Blocks a user from a resource (R-7.5).",
        ),
        command(
            "unblock",
            Actor,
            &[ACTOR, RESOURCE, USER],
            "None",
            "Unblock user from resource",
            "Unblocks a user (R-7.5).",
        ),
        command(
            "list_access",
            CheckedRead,
            &[ACTOR, RESOURCE],
            "list[User]",
            "List resource access",
            "Checked read: everyone with access, for the resource's owners and admins (R-6.2).",
        ),
    ];
}

impl Tenant {
    /// The rules of the §7 commands: a plan or a refusal in §9's order.
    pub(crate) fn decide_resources(&self, a: &mut Args, cmd: &Command) -> Result<ResourcePlan> {
        match cmd {
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
                Ok(ResourcePlan::CreateResource { name: clean, kind, owners: merge(owners) })
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
                    (true, false) => Ok(ResourcePlan::AddResourceOwner { resource, user }),
                    (false, true) => Ok(ResourcePlan::RemoveResourceOwner { resource, user }),
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
                    (true, false) => Ok(ResourcePlan::Block { resource, user }),
                    (false, true) => Ok(ResourcePlan::Unblock { resource, user }),
                }
            }
            Command::ListAccess { actor, resource } => {
                let actor_r = a.actor(actor);
                let resource_r = a.resource(resource);
                let (actor, resource) = (actor_r?, resource_r?);
                self.decide_list_access(actor, resource)
            }
            _ => misrouted(cmd),
        }
    }

    /// `assign` (`adding`) or `unassign` once its references are resolved.
    pub(crate) fn decide_assignment(
        &self,
        actor: UserIx,
        resource: ResourceIx,
        principal: Principal,
        adding: bool,
    ) -> Result<ResourcePlan> {
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
            Ok(ResourcePlan::Assign { resource, principal })
        } else {
            if !assigned {
                return refuse(Code::NotAssigned, || {
                    format!("{} is not assigned to {}", self.dp(principal), self.dr(resource))
                });
            }
            Ok(ResourcePlan::Unassign { resource, principal })
        }
    }

    /// `list_access` once its references are resolved.
    pub(crate) fn decide_list_access(&self, actor: UserIx, resource: ResourceIx) -> Result<ResourcePlan> {
        self.active(actor)?;
        self.resource_standing(actor, resource, "list who has access to")?;
        Ok(ResourcePlan::ListAccess { resource })
    }

    /// What `assign`, `unassign`, `block` and `unblock` ask of their actor before looking at
    /// the principal: R-12.1's `manage_access`.
    pub(crate) fn decide_access_standing(&self, actor: UserIx, resource: ResourceIx) -> Result<()> {
        self.active(actor)?;
        self.resource_standing(actor, resource, "manage assignments to")
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

    /// The effects of the §7 commands.
    pub(crate) fn apply_resources(&mut self, plan: ResourcePlan, seq: u64) -> (Outcome, Created) {
        match plan {
            ResourcePlan::CreateResource { name, kind, owners } => {
                let id = self.generate_id(KIND_RESOURCE);
                let r = self.register_resource(id.clone(), name, kind);
                for u in owners {
                    self.link_resource_owner(r, u);
                }
                (Outcome::Resource(id.clone()), Created::Named(id))
            }
            ResourcePlan::AddResourceOwner { resource, user } => {
                self.link_resource_owner(resource, user);
                (Outcome::Nothing, Created::Nothing)
            }
            ResourcePlan::RemoveResourceOwner { resource, user } => {
                if let Some(res) = self.resources.get_mut(resource as usize) {
                    res.owners.retain(|x| *x != user);
                }
                (Outcome::Nothing, Created::Nothing)
            }
            ResourcePlan::Assign { resource, principal } => {
                let pairs = self.pairs_of_assignment(resource, principal);
                self.provision(pairs, seq, |t| t.link_assignment(resource, principal));
                (Outcome::Nothing, Created::Nothing)
            }
            ResourcePlan::Unassign { resource, principal } => {
                let pairs = self.pairs_of_assignment(resource, principal);
                self.provision(pairs, seq, |t| t.unlink_assignment(resource, principal));
                (Outcome::Nothing, Created::Nothing)
            }
            ResourcePlan::Block { resource, user } => {
                self.provision(vec![(user, resource)], seq, |t| t.link_block(resource, user));
                (Outcome::Nothing, Created::Nothing)
            }
            ResourcePlan::Unblock { resource, user } => {
                self.provision(vec![(user, resource)], seq, |t| t.unlink_block(resource, user));
                (Outcome::Nothing, Created::Nothing)
            }
            ResourcePlan::ListAccess { resource } => {
                let users =
                    self.who_has_access(resource).iter().filter_map(|u| self.user(*u)).map(|u| u.id.clone()).collect();
                (Outcome::Users(users), Created::Nothing)
            }
        }
    }
}

//! The state's bookkeeping every area shares: registering objects, linking and unlinking
//! members, owners, assignments and blocks with their indexes and counts, and provisioning
//!

use super::Tenant;
use crate::model::*;
use crate::records::{Change, ProvisioningEvent};
use rustc_hash::{FxHashMap, FxHashSet};

impl Tenant {
    // ----- applying ------------------------------------------------------------------------

    pub(crate) fn register_user(
        &mut self,
        id: String,
        upn: String,
        display_name: String,
        department: Option<String>,
        roles: Roles,
        enabled: bool,
    ) -> UserIx {
        let u = self.users.len() as UserIx;
        self.ids.insert(id.clone(), Object::User(u));
        self.upns.insert(fold(&upn).into_owned(), u);
        if !enabled {
            self.disabled.insert(u);
            self.touch_disabled();
        }
        self.users.push(User {
            id,
            upn,
            display_name,
            department,
            roles,
            enabled,
            groups: Vec::new(),
            owner_of: Vec::new(),
            assigned_to: Vec::new(),
            created_groups: 0,
            last_sign_in: None,
            manager: None,
        });
        self.user_requests.push(Vec::new());
        u
    }

    /// Adds a group with no links yet; owners and members are linked by the caller.
    pub(crate) fn register_group(&mut self, id: String, spec: &NewGroup) -> GroupIx {
        let g = self.groups.len() as GroupIx;
        self.ids.insert(id.clone(), Object::Group(g));
        self.group_names.entry(fold(&spec.name).into_owned()).or_default().push(g);
        self.groups.push(Group {
            id,
            name: spec.name.clone(),
            description: spec.description.clone(),
            kind: spec.kind,
            join_policy: spec.join_policy,
            owners: Vec::new(),
            members: Vec::new(),
            parents: Vec::new(),
            assigned_to: Vec::new(),
            on_premises: spec.on_premises,
            created_by: spec.created_by,
            created_at: self.now,
            deleted: false,
            expires_at: None,
            renewed_at: None,
            last_activity: None,
            active_since_anchor: false,
            deleted_at: None,
            kept: None,
            deleted_order: 0,
        });
        if let Some(user) = spec.created_by.and_then(|u| self.users.get_mut(u as usize)) {
            user.created_groups += 1;
        }
        g
    }

    pub(crate) fn register_resource(&mut self, id: String, name: String, kind: ResourceKind) -> ResourceIx {
        let r = self.resources.len() as ResourceIx;
        self.ids.insert(id.clone(), Object::Resource(r));
        self.resource_names.insert(fold(&name).into_owned(), r);
        self.resources.push(Resource {
            id,
            name,
            kind,
            owners: Vec::new(),
            assigned: Vec::new(),
            assigned_groups: FxHashSet::default(),
            assigned_users: FxHashSet::default(),
            blocked: Vec::new(),
            blocked_set: FxHashSet::default(),
            grants: FxHashMap::default(),
        });
        r
    }

    pub(crate) fn link_owner(&mut self, g: GroupIx, u: UserIx) {
        if let Some(group) = self.groups.get_mut(g as usize) {
            group.owners.push(u);
        }
        if let Some(user) = self.users.get_mut(u as usize) {
            user.owner_of.push(g);
        }
    }

    pub(crate) fn unlink_owner(&mut self, g: GroupIx, u: UserIx) {
        if let Some(group) = self.groups.get_mut(g as usize) {
            group.owners.retain(|x| *x != u);
        }
        if let Some(user) = self.users.get_mut(u as usize) {
            user.owner_of.retain(|x| *x != g);
        }
    }

    /// Adds or removes one grant of application `r` to user `u`.
    pub(crate) fn count_grant(&mut self, r: ResourceIx, u: UserIx, add: bool) {
        let Some(res) = self.resources.get_mut(r as usize) else { return };
        if res.kind != ResourceKind::Application {
            return;
        }
        let mut changed = false;
        if add {
            let n = res.grants.entry(u).or_insert(0);
            changed = *n == 0;
            *n += 1;
        } else if let Some(n) = res.grants.get_mut(&u) {
            *n -= 1;
            if *n == 0 {
                res.grants.remove(&u);
                changed = true;
            }
        }
        if changed {
            self.touch_access(r);
        }
    }

    /// Who has access to resource `r` may have changed: a new tick for it.
    pub(crate) fn touch_access(&mut self, r: ResourceIx) {
        self.access_clock += 1;
        let i = r as usize;
        if self.access_epochs.len() <= i {
            self.access_epochs.resize(i + 1, 0);
        }
        if let Some(e) = self.access_epochs.get_mut(i) {
            *e = self.access_clock;
        }
    }

    /// The disabled users changed, so who has access to any resource may have.
    pub(crate) fn touch_disabled(&mut self) {
        self.access_clock += 1;
        self.disabled_epoch = self.access_clock;
    }

    /// Counts the grants that a user's direct membership of `g` gives or takes.
    pub(crate) fn count_membership(&mut self, g: GroupIx, u: UserIx, add: bool) {
        let assigned = match self.groups.get(g as usize) {
            Some(group) if !group.assigned_to.is_empty() => group.assigned_to.clone(),
            _ => return,
        };
        for r in assigned {
            self.count_grant(r, u, add);
        }
    }

    pub(crate) fn link_member(&mut self, g: GroupIx, p: Principal) {
        if let Some(group) = self.groups.get_mut(g as usize) {
            group.members.push(p);
        }
        match p {
            Principal::User(u) => {
                if let Some(user) = self.users.get_mut(u as usize) {
                    user.groups.push(g);
                }
                self.count_membership(g, u, true);
            }
            Principal::Group(c) => {
                if let Some(child) = self.groups.get_mut(c as usize) {
                    child.parents.push(g);
                }
            }
        }
    }

    /// §15: ends user `u`'s direct membership of `g` but leaves the group's member
    /// list for the caller to trim, so many removals at one instant stay linear.
    pub(crate) fn unlink_user_later(&mut self, g: GroupIx, u: UserIx) {
        if let Some(user) = self.users.get_mut(u as usize) {
            user.groups.retain(|x| *x != g);
        }
        self.count_membership(g, u, false);
    }

    pub(crate) fn unlink_member(&mut self, g: GroupIx, p: Principal) {
        if let Some(group) = self.groups.get_mut(g as usize) {
            if let Some(pos) = group.members.iter().position(|m| *m == p) {
                group.members.remove(pos);
            }
        }
        match p {
            Principal::User(u) => {
                if let Some(user) = self.users.get_mut(u as usize) {
                    user.groups.retain(|x| *x != g);
                }
                self.count_membership(g, u, false);
            }
            Principal::Group(c) => {
                if let Some(child) = self.groups.get_mut(c as usize) {
                    child.parents.retain(|x| *x != g);
                }
            }
        }
    }

    pub(crate) fn link_assignment(&mut self, r: ResourceIx, p: Principal) {
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.assigned.push(p);
            match p {
                Principal::User(u) => {
                    res.assigned_users.insert(u);
                }
                Principal::Group(g) => {
                    res.assigned_groups.insert(g);
                }
            }
        }
        match p {
            Principal::User(u) => {
                if let Some(user) = self.users.get_mut(u as usize) {
                    user.assigned_to.push(r);
                }
            }
            Principal::Group(g) => {
                if let Some(group) = self.groups.get_mut(g as usize) {
                    group.assigned_to.push(r);
                }
            }
        }
        self.count_assignment(r, p, true);
    }

    /// Counts the grants of application `r` that assigning `p` gives or takes.
    pub(crate) fn count_assignment(&mut self, r: ResourceIx, p: Principal, add: bool) {
        match p {
            Principal::User(u) => self.count_grant(r, u, add),
            Principal::Group(g) => {
                let users: Vec<UserIx> = match self.groups.get(g as usize) {
                    Some(group) => group.direct_users().collect(),
                    None => return,
                };
                if add {
                    if let Some(res) = self.resources.get_mut(r as usize) {
                        if res.kind == ResourceKind::Application {
                            res.grants.reserve(users.len());
                        }
                    }
                }
                for u in users {
                    self.count_grant(r, u, add);
                }
            }
        }
    }

    pub(crate) fn unlink_assignment(&mut self, r: ResourceIx, p: Principal) {
        self.count_assignment(r, p, false);
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.assigned.retain(|x| *x != p);
            match p {
                Principal::User(u) => {
                    res.assigned_users.remove(&u);
                }
                Principal::Group(g) => {
                    res.assigned_groups.remove(&g);
                }
            }
        }
        match p {
            Principal::User(u) => {
                if let Some(user) = self.users.get_mut(u as usize) {
                    user.assigned_to.retain(|x| *x != r);
                }
            }
            Principal::Group(g) => {
                if let Some(group) = self.groups.get_mut(g as usize) {
                    group.assigned_to.retain(|x| *x != r);
                }
            }
        }
    }

    pub(crate) fn link_block(&mut self, r: ResourceIx, u: UserIx) {
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.blocked.push(u);
            res.blocked_set.insert(u);
        }
        self.touch_access(r);
    }

    pub(crate) fn unlink_block(&mut self, r: ResourceIx, u: UserIx) {
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.blocked.retain(|x| *x != u);
            res.blocked_set.remove(&u);
        }
        self.touch_access(r);
    }

    pub(crate) fn link_resource_owner(&mut self, r: ResourceIx, u: UserIx) {
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.owners.push(u);
        }
    }

    /// Links the owners and members of freshly registered groups (an import, a loaded
    /// snapshot), sizing every user's and group's list once rather than growing it link by
    /// link.
    pub(crate) fn link_groups(&mut self, links: Vec<(GroupIx, Vec<UserIx>, Vec<Principal>)>) {
        let mut per_user: Vec<u32> = vec![0; self.users.len()];
        for (_, _, members) in &links {
            for m in members {
                if let Principal::User(u) = m {
                    if let Some(n) = per_user.get_mut(*u as usize) {
                        *n += 1;
                    }
                }
            }
        }
        for (user, n) in self.users.iter_mut().zip(per_user) {
            if n > 0 {
                user.groups.reserve_exact(n as usize);
            }
        }
        for (g, owners, members) in links {
            if let Some(group) = self.groups.get_mut(g as usize) {
                group.members.reserve_exact(members.len());
            }
            for u in owners {
                self.link_owner(g, u);
            }
            for p in members {
                self.link_member(g, p);
            }
        }
    }

    /// evaluates access for `pairs` before and after `change`, and appends one
    /// provisioning entry per pair whose effective access changed, ordered by user then
    /// resource.
    pub(crate) fn provision(
        &mut self,
        mut pairs: Vec<(UserIx, ResourceIx)>,
        cause: u64,
        change: impl FnOnce(&mut Tenant),
    ) {
        pairs.sort_unstable();
        pairs.dedup();
        let before: Vec<bool> = pairs.iter().map(|(u, r)| self.has_access_ix(*u, *r)).collect();
        change(self);
        for ((u, r), was) in pairs.into_iter().zip(before) {
            let is = self.has_access_ix(u, r);
            if is != was {
                let seq = self.provisioning.len() as u64 + 1;
                self.provisioning.push(ProvisioningEvent {
                    seq,
                    time: self.now,
                    user: self.users[u as usize].id.clone(),
                    resource: self.resources[r as usize].id.clone(),
                    change: if is { Change::Provisioned } else { Change::Deprovisioned },
                    cause,
                });
            }
        }
    }
}

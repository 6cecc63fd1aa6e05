//! What §15's commands and events do once decided: packages and policies kept, requests
//! moved through their stages, assignments delivered into direct membership and ended
//! their timed events, the interplay with group
//! deletion and restore, and the queries of.

use super::rules::expiry_at;
use super::*;
use crate::lifecycle::DAY;
use crate::model::{fold, Created, Object, Principal, Timestamp, UserIx};
use crate::records::Outcome;
use crate::schedule::{Event, Owner};
use crate::tenant::Tenant;
use rustc_hash::FxHashSet;

/// One (active assignment, group of its package) whose user is not a direct member
///
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drift {
    /// The assignment.
    pub assignment: AssignmentIx,
    /// Its user.
    pub user: UserIx,
    /// Its package.
    pub package: PackageIx,
    /// The group the user is missing from.
    pub group: GroupIx,
}

const PACKAGE: usize = 0;
const POLICY: usize = 1;
const REQUEST: usize = 2;
const ASSIGNMENT: usize = 3;

impl Tenant {
    /// the next generated §15 id of a kind, skipping every id that is or was taken.
    fn package_id(&mut self, kind: usize, object: PackageObject) -> String {
        loop {
            let n = self.pkg.next_id[kind].max(1);
            self.pkg.next_id[kind] = n + 1;
            let id = format!("{}{n}", PREFIXES[kind]);
            if !self.ids.contains_key(&id) {
                self.ids.insert(id.clone(), Object::Package(object));
                return id;
            }
        }
    }

    fn next_order(&mut self) -> u64 {
        let o = self.pkg.next_order;
        self.pkg.next_order += 1;
        o
    }

    /// Applies a decided §15 command whose audit entry is `seq`.
    pub(crate) fn apply_package(&mut self, plan: PackagePlan, seq: u64) -> (Outcome, Created) {
        match plan {
            PackagePlan::SetManager { user, manager } => {
                if let Some(u) = self.users.get_mut(user as usize) {
                    u.manager = manager;
                }
                (Outcome::User(self.users[user as usize].id.clone()), Created::Nothing)
            }
            PackagePlan::Create { name, description, groups, created_by } => {
                let p = self.pkg.packages.len() as PackageIx;
                let id = self.package_id(PACKAGE, PackageObject::Package(p));
                self.pkg.index.names.insert(fold(&name).into_owned(), p);
                self.pkg.packages.push(AccessPackage {
                    id: id.clone(),
                    name,
                    description,
                    groups,
                    incompatible_packages: Vec::new(),
                    incompatible_groups: Vec::new(),
                    policies: Vec::new(),
                    created_by: Some(created_by),
                    created_at: self.now,
                    deleted: false,
                });
                (Outcome::Package(id.clone()), Created::Named(id))
            }
            PackagePlan::Update { package, name, description } => {
                let pkg = &mut self.pkg.packages[package as usize];
                if let Some(n) = name {
                    self.pkg.index.names.remove(fold(&pkg.name).as_ref());
                    self.pkg.index.names.insert(fold(&n).into_owned(), package);
                    pkg.name = n;
                }
                if let Some(d) = description {
                    pkg.description = d;
                }
                (Outcome::Package(pkg.id.clone()), Created::Nothing)
            }
            PackagePlan::Delete { package } => {
                let pkg = &mut self.pkg.packages[package as usize];
                pkg.deleted = true;
                let name = fold(&pkg.name).into_owned();
                let policies = std::mem::take(&mut pkg.policies);
                self.pkg.index.names.remove(&name);
                for x in policies {
                    self.pkg.policies[x as usize].deleted = true;
                }
                for other in &mut self.pkg.packages {
                    other.incompatible_packages.retain(|p| *p != package);
                }
                (Outcome::Nothing, Created::Nothing)
            }
            PackagePlan::AddGroup { package, group } => {
                self.pkg.packages[package as usize].groups.push(group);
                self.give_group_to_holders(package, group, seq);
                (Outcome::Nothing, Created::Nothing)
            }
            PackagePlan::RemoveGroup { package, group } => {
                self.pkg.packages[package as usize].groups.retain(|g| *g != group);
                let holders: Vec<AssignmentIx> =
                    self.pkg.index.by_package.get(&package).map(|s| s.iter().copied().collect()).unwrap_or_default();
                let drops: Vec<(GroupIx, UserIx)> = holders
                    .into_iter()
                    .map(|x| self.pkg.assignments[x as usize].user)
                    .filter(|u| self.users[*u as usize].groups.contains(&group) && !self.another_gives(*u, group, None))
                    .map(|u| (group, u))
                    .collect();
                self.drop_memberships(&drops, seq, false);
                (Outcome::Nothing, Created::Nothing)
            }
            PackagePlan::Incompatible { package, other, add } => {
                let pkg = &mut self.pkg.packages[package as usize];
                match (other, add) {
                    (Other::Package(p), true) => pkg.incompatible_packages.push(p),
                    (Other::Package(p), false) => pkg.incompatible_packages.retain(|x| *x != p),
                    (Other::Group(g), true) => pkg.incompatible_groups.push(g),
                    (Other::Group(g), false) => pkg.incompatible_groups.retain(|x| *x != g),
                }
                (Outcome::Nothing, Created::Nothing)
            }
            PackagePlan::CreatePolicy { package, mut policy } => {
                let x = self.pkg.policies.len() as PolicyIx;
                let id = self.package_id(POLICY, PackageObject::Policy(x));
                policy.id = id.clone();
                self.pkg.policies.push(*policy);
                self.pkg.packages[package as usize].policies.push(x);
                // The new policy stands where its name was, after the package.
                (Outcome::Policy(id.clone()), Created::At(1, id))
            }
            PackagePlan::UpdatePolicy { policy, new } => {
                let id = new.id.clone();
                self.pkg.policies[policy as usize] = *new;
                (Outcome::Policy(id), Created::Nothing)
            }
            PackagePlan::DeletePolicy { policy } => {
                let pol = &mut self.pkg.policies[policy as usize];
                pol.deleted = true;
                let package = pol.package;
                self.pkg.packages[package as usize].policies.retain(|x| *x != policy);
                (Outcome::Nothing, Created::Nothing)
            }
            PackagePlan::Request { package, policy, requester, justification } => {
                let q = self.pkg.requests.len() as PackageRequestIx;
                let id = self.package_id(REQUEST, PackageObject::Request(q));
                let order = self.next_order();
                let pol = &self.pkg.policies[policy as usize];
                let (stages, expires) = (pol.stages.clone(), pol.expires);
                let staged = !stages.is_empty();
                self.pkg.requests.push(PackageRequest {
                    id: id.clone(),
                    package,
                    policy,
                    requester,
                    justification: justification.clone(),
                    status: PackageRequestStatus::Pending,
                    stage: u32::from(staged),
                    stage_due_at: None,
                    decisions: Vec::new(),
                    decided_by: None,
                    reason: String::new(),
                    assignment: None,
                    created_at: self.now,
                    decided_at: None,
                    stages,
                    expires,
                    order,
                });
                self.pkg.index.by_requester.entry(requester).or_default().push(q);
                let mut extra = vec![id.clone()];
                if staged {
                    self.pkg.index.pending.insert(q);
                    self.open_stage(q);
                } else {
                    let x = self.deliver(package, policy, requester, Some(q), justification, expires, seq);
                    let r = &mut self.pkg.requests[q as usize];
                    r.status = PackageRequestStatus::Delivered;
                    r.decided_at = Some(r.created_at);
                    r.assignment = Some(x);
                    extra.push(self.pkg.assignments[x as usize].id.clone());
                }
                (Outcome::PackageRequest(id), Created::Extras(extra))
            }
            PackagePlan::Decide { request, approver, approve, justification } => {
                let now = self.now;
                let r = &mut self.pkg.requests[request as usize];
                r.decisions.push(StageDecision {
                    stage: r.stage,
                    approver,
                    approved: approve,
                    justification,
                    time: now,
                });
                self.schedule.unschedule_all(Owner::PackageRequest(request));
                let r = &mut self.pkg.requests[request as usize];
                let id = r.id.clone();
                if approve && (r.stage as usize) < r.stages.len() {
                    r.stage += 1;
                    self.open_stage(request);
                    return (Outcome::PackageRequest(id), Created::Nothing);
                }
                r.stage_due_at = None;
                r.decided_by = Some(approver);
                r.decided_at = Some(now);
                self.pkg.index.pending.remove(&request);
                let r = &mut self.pkg.requests[request as usize];
                if !approve {
                    r.status = PackageRequestStatus::Denied;
                    return (Outcome::PackageRequest(id), Created::Nothing);
                }
                r.status = PackageRequestStatus::Delivered;
                let (package, policy, user, just, expires) =
                    (r.package, r.policy, r.requester, r.justification.clone(), r.expires);
                let x = self.deliver(package, policy, user, Some(request), just, expires, seq);
                self.pkg.requests[request as usize].assignment = Some(x);
                (Outcome::PackageRequest(id), Created::Extras(vec![self.pkg.assignments[x as usize].id.clone()]))
            }
            PackagePlan::Cancel { request, by } => {
                self.settle_request(request, PackageRequestStatus::Cancelled, Some(by), "");
                (Outcome::PackageRequest(self.pkg.requests[request as usize].id.clone()), Created::Nothing)
            }
            PackagePlan::Assign { package, policy, user, justification } => {
                let expires = self.pkg.policies[policy as usize].expires;
                let x = self.deliver(package, policy, user, None, justification, expires, seq);
                let id = self.pkg.assignments[x as usize].id.clone();
                (Outcome::Assignment(id.clone()), Created::Extras(vec![id]))
            }
            PackagePlan::Remove { assignment } => {
                self.end_assignment(assignment, AssignmentState::Removed, seq, false);
                (Outcome::Assignment(self.pkg.assignments[assignment as usize].id.clone()), Created::Nothing)
            }
            PackagePlan::Reprocess { assignment } => {
                let x = &self.pkg.assignments[assignment as usize];
                let (user, package) = (x.user, x.package);
                let groups = self.pkg.packages[package as usize].groups.clone();
                let adds: Vec<(GroupIx, UserIx)> = groups.into_iter().map(|g| (g, user)).collect();
                self.add_memberships(&adds, seq);
                (Outcome::Assignment(self.pkg.assignments[assignment as usize].id.clone()), Created::Nothing)
            }
        }
    }

    /// schedules the open stage's timeout, its `stage_due_at`.
    fn open_stage(&mut self, q: PackageRequestIx) {
        let now = self.now;
        let r = &mut self.pkg.requests[q as usize];
        let days = r.stages.get(r.stage as usize - 1).map_or(14, |s| s.timeout_days);
        let due = now.saturating_add(days.saturating_mul(DAY));
        r.stage_due_at = Some(due);
        let order = r.order;
        self.schedule.schedule(due, Event::PackageTimeout { request: q, order });
    }

    /// Ends a pending request without delivery.
    fn settle_request(&mut self, q: PackageRequestIx, status: PackageRequestStatus, by: Option<UserIx>, reason: &str) {
        let now = self.now;
        self.schedule.unschedule_all(Owner::PackageRequest(q));
        self.pkg.index.pending.remove(&q);
        let r = &mut self.pkg.requests[q as usize];
        r.status = status;
        r.decided_by = by;
        r.reason = reason.to_string();
        r.decided_at = Some(now);
        r.stage_due_at = None;
    }

    /// a new active assignment; its user becomes a direct member of each of the
    /// package's groups where not one already; its expiry is scheduled.
    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &mut self,
        package: PackageIx,
        policy: PolicyIx,
        user: UserIx,
        request: Option<PackageRequestIx>,
        justification: String,
        expires: Expires,
        seq: u64,
    ) -> AssignmentIx {
        let x = self.pkg.assignments.len() as AssignmentIx;
        let id = self.package_id(ASSIGNMENT, PackageObject::Assignment(x));
        let order = self.next_order();
        let expires_at = expiry_at(expires, self.now);
        self.pkg.assignments.push(PackageAssignment {
            id,
            package,
            policy,
            user,
            state: AssignmentState::Delivered,
            request,
            justification,
            created_at: self.now,
            expires_at,
            ended_at: None,
            order,
        });
        self.pkg.index.active.entry(user).or_default().push(x);
        self.pkg.index.by_package.entry(package).or_default().insert(x);
        if let Some(at) = expires_at {
            self.schedule.schedule(at, Event::PackageExpiry { assignment: x, order });
        }
        let adds: Vec<(GroupIx, UserIx)> =
            self.pkg.packages[package as usize].groups.iter().map(|g| (*g, user)).collect();
        self.add_memberships(&adds, seq);
        x
    }

    /// Makes each user a direct member of each group, in order, where not one already, as
    /// `add_member` would, with provisioning caused by `seq`.
    fn add_memberships(&mut self, adds: &[(GroupIx, UserIx)], seq: u64) {
        let missing: Vec<(GroupIx, UserIx)> = adds
            .iter()
            .copied()
            .filter(|(g, u)| self.live_group(*g).is_some() && !self.users[*u as usize].groups.contains(g))
            .collect();
        if missing.is_empty() {
            return;
        }
        let mut pairs = Vec::new();
        for (g, u) in &missing {
            pairs.extend(self.pairs_of_membership(*g, Principal::User(*u)));
        }
        self.provision(pairs, seq, |t| {
            for (g, u) in &missing {
                if !t.users[*u as usize].groups.contains(g) {
                    t.link_member(*g, Principal::User(*u));
                }
            }
        });
    }

    /// Ends direct memberships, with provisioning caused by `seq`; `later` leaves the groups'
    /// member lists to [`Tenant::flush_package_removals`] (events of one clock move).
    fn drop_memberships(&mut self, drops: &[(GroupIx, UserIx)], seq: u64, later: bool) {
        if drops.is_empty() {
            return;
        }
        let mut pairs = Vec::new();
        for (g, u) in drops {
            pairs.extend(self.pairs_of_membership(*g, Principal::User(*u)));
        }
        self.provision(pairs, seq, |t| {
            for (g, u) in drops {
                if later {
                    t.unlink_user_later(*g, *u);
                    t.pkg.deferred.push((*g, *u));
                } else {
                    t.unlink_member(*g, Principal::User(*u));
                }
            }
        });
    }

    /// trims the member lists of groups whose memberships events ended in this clock
    /// move, one pass per group.
    pub(crate) fn flush_package_removals(&mut self) {
        if self.pkg.deferred.is_empty() {
            return;
        }
        let mut deferred = std::mem::take(&mut self.pkg.deferred);
        deferred.sort_unstable();
        let mut i = 0;
        while i < deferred.len() {
            let g = deferred[i].0;
            let mut gone: FxHashSet<UserIx> = FxHashSet::default();
            while i < deferred.len() && deferred[i].0 == g {
                gone.insert(deferred[i].1);
                i += 1;
            }
            if let Some(group) = self.groups.get_mut(g as usize) {
                group.members.retain(|m| !matches!(m, Principal::User(u) if gone.contains(u)));
            }
        }
    }

    /// Whether another active assignment of the user (not `except`) has `g` in its package.
    fn another_gives(&self, u: UserIx, g: GroupIx, except: Option<AssignmentIx>) -> bool {
        self.pkg.index.active.get(&u).is_some_and(|xs| {
            xs.iter().any(|x| {
                Some(*x) != except
                    && self.pkg.packages[self.pkg.assignments[*x as usize].package as usize].groups.contains(&g)
            })
        })
    }

    /// an assignment ends; its user leaves each package group no other active
    /// assignment of theirs gives, a membership already gone skipped.
    fn end_assignment(&mut self, x: AssignmentIx, state: AssignmentState, seq: u64, later: bool) {
        let now = self.now;
        let a = &mut self.pkg.assignments[x as usize];
        a.state = state;
        a.ended_at = Some(now);
        let (user, package) = (a.user, a.package);
        if let Some(list) = self.pkg.index.active.get_mut(&user) {
            list.retain(|y| *y != x);
            if list.is_empty() {
                self.pkg.index.active.remove(&user);
            }
        }
        if let Some(set) = self.pkg.index.by_package.get_mut(&package) {
            set.remove(&x);
        }
        self.schedule.unschedule_all(Owner::PackageAssignment(x));
        let drops: Vec<(GroupIx, UserIx)> = self.pkg.packages[package as usize]
            .groups
            .iter()
            .copied()
            .filter(|g| self.users[user as usize].groups.contains(g) && !self.another_gives(user, *g, None))
            .map(|g| (g, user))
            .collect();
        self.drop_memberships(&drops, seq, later);
    }

    /// every active assignment's user, in creation order, gains a group added.
    fn give_group_to_holders(&mut self, package: PackageIx, group: GroupIx, seq: u64) {
        let holders: Vec<AssignmentIx> =
            self.pkg.index.by_package.get(&package).map(|s| s.iter().copied().collect()).unwrap_or_default();
        let adds: Vec<(GroupIx, UserIx)> =
            holders.into_iter().map(|x| (group, self.pkg.assignments[x as usize].user)).collect();
        self.add_memberships(&adds, seq);
    }

    /// fires one §15 event at the current instant.
    pub(crate) fn fire_package(&mut self, event: Event) {
        match event {
            Event::PackageTimeout { request, .. } => {
                let target = self.pkg.requests[request as usize].id.clone();
                self.record_system(
                    "Access package assignment request timed out (no approver action taken)",
                    target,
                    |t, _| {
                        t.settle_request(request, PackageRequestStatus::Denied, None, "timed_out");
                    },
                );
            }
            Event::PackageExpiry { assignment, .. } => {
                let target = self.pkg.assignments[assignment as usize].id.clone();
                self.record_system("Remove access package assignment", target, |t, seq| {
                    t.end_assignment(assignment, AssignmentState::Expired, seq, true);
                });
            }
            _ => {}
        }
    }

    // ----- group deletion and restore (R-15.17) ------------------------------------------------

    /// a deleted group leaves every package's groups and incompatible groups, every
    /// policy's requestors, approvers and fallbacks and pending requests' kept stages; a soft
    /// delete remembers where it stood.
    pub(crate) fn packages_forget_group(&mut self, g: GroupIx, soft: bool) {
        let p = Principal::Group(g);
        let mut links = Vec::new();
        for (i, pkg) in self.pkg.packages.iter_mut().enumerate().filter(|(_, x)| !x.deleted) {
            let i = i as PackageIx;
            if pkg.groups.contains(&g) {
                pkg.groups.retain(|x| *x != g);
                links.push(Link::Group(i));
            }
            if pkg.incompatible_groups.contains(&g) {
                pkg.incompatible_groups.retain(|x| *x != g);
                links.push(Link::Incompatible(i));
            }
        }
        for (i, pol) in self.pkg.policies.iter_mut().enumerate().filter(|(_, x)| !x.deleted) {
            let i = i as PolicyIx;
            if let Requestors::List(l) = &mut pol.requestors {
                if l.contains(&p) {
                    l.retain(|x| *x != p);
                    links.push(Link::Requestor(i));
                }
            }
            for (n, stage) in pol.stages.iter_mut().enumerate() {
                if stage.approvers.contains(&p) {
                    stage.approvers.retain(|x| *x != p);
                    links.push(Link::Approver(i, n as u32));
                }
                if stage.fallback_approvers.contains(&p) {
                    stage.fallback_approvers.retain(|x| *x != p);
                    links.push(Link::Fallback(i, n as u32));
                }
            }
        }
        let pending: Vec<PackageRequestIx> = self.pkg.index.pending.iter().copied().collect();
        for q in pending {
            for stage in &mut self.pkg.requests[q as usize].stages {
                stage.approvers.retain(|x| *x != p);
                stage.fallback_approvers.retain(|x| *x != p);
            }
        }
        if soft && !links.is_empty() {
            self.pkg.kept.push((g, links));
        }
    }

    /// a restored group goes back into the lists of surviving packages and policies
    /// it was taken from (at their end), then is delivered as R-15.3's adding does.
    pub(crate) fn packages_restore_group(&mut self, g: GroupIx, seq: u64) {
        let Some(pos) = self.pkg.kept.iter().position(|(x, _)| *x == g) else { return };
        let (_, links) = self.pkg.kept.remove(pos);
        let p = Principal::Group(g);
        let mut deliver = Vec::new();
        for link in links {
            match link {
                Link::Group(i) | Link::Incompatible(i) => {
                    let Some(pkg) = self.pkg.packages.get_mut(i as usize).filter(|x| !x.deleted) else { continue };
                    let list =
                        if matches!(link, Link::Group(_)) { &mut pkg.groups } else { &mut pkg.incompatible_groups };
                    if !list.contains(&g) {
                        list.push(g);
                        if matches!(link, Link::Group(_)) {
                            deliver.push(i);
                        }
                    }
                }
                Link::Requestor(i) => {
                    if let Some(Requestors::List(l)) =
                        self.pkg.policies.get_mut(i as usize).filter(|x| !x.deleted).map(|x| &mut x.requestors)
                    {
                        if !l.contains(&p) {
                            l.push(p);
                        }
                    }
                }
                Link::Approver(i, n) | Link::Fallback(i, n) => {
                    let Some(stage) = self
                        .pkg
                        .policies
                        .get_mut(i as usize)
                        .filter(|x| !x.deleted)
                        .and_then(|x| x.stages.get_mut(n as usize))
                    else {
                        continue;
                    };
                    let list = if matches!(link, Link::Approver(..)) {
                        &mut stage.approvers
                    } else {
                        &mut stage.fallback_approvers
                    };
                    if !list.contains(&p) {
                        list.push(p);
                    }
                }
            }
        }
        for package in deliver {
            self.give_group_to_holders(package, g, seq);
        }
    }

    /// a purged group will not come back.
    pub(crate) fn packages_purge_group(&mut self, g: GroupIx) {
        self.pkg.kept.retain(|(x, _)| *x != g);
    }

    /// After a snapshot load: ids and indexes from the objects.
    pub(crate) fn rebuild_packages(&mut self) {
        let mut index = Index::default();
        for (i, p) in self.pkg.packages.iter().enumerate() {
            self.ids.insert(p.id.clone(), Object::Package(PackageObject::Package(i as PackageIx)));
            if !p.deleted {
                index.names.insert(fold(&p.name).into_owned(), i as PackageIx);
            }
        }
        for (i, p) in self.pkg.policies.iter().enumerate() {
            self.ids.insert(p.id.clone(), Object::Package(PackageObject::Policy(i as PolicyIx)));
        }
        for (i, r) in self.pkg.requests.iter().enumerate() {
            let q = i as PackageRequestIx;
            self.ids.insert(r.id.clone(), Object::Package(PackageObject::Request(q)));
            index.by_requester.entry(r.requester).or_default().push(q);
            if r.status == PackageRequestStatus::Pending {
                index.pending.insert(q);
            }
        }
        for (i, a) in self.pkg.assignments.iter().enumerate() {
            let x = i as AssignmentIx;
            self.ids.insert(a.id.clone(), Object::Package(PackageObject::Assignment(x)));
            if a.state == AssignmentState::Delivered {
                index.active.entry(a.user).or_default().push(x);
                index.by_package.entry(a.package).or_default().insert(x);
            }
        }
        self.pkg.index = index;
    }

    /// Whether the §15 objects and events read back from a snapshot name what exists.
    pub(crate) fn packages_consistent(&self) -> bool {
        let (nu, ng) = (self.users.len() as u32, self.groups.len() as u32);
        let (np, nx, nq, na) = (
            self.pkg.packages.len() as u32,
            self.pkg.policies.len() as u32,
            self.pkg.requests.len() as u32,
            self.pkg.assignments.len() as u32,
        );
        let pr = |p: &Principal| match *p {
            Principal::User(u) => u < nu,
            Principal::Group(g) => g < ng,
        };
        let stage_ok = |s: &Stage| s.approvers.iter().all(pr) && s.fallback_approvers.iter().all(pr);
        self.pkg.packages.iter().all(|p| {
            p.groups.iter().chain(&p.incompatible_groups).all(|g| *g < ng)
                && p.incompatible_packages.iter().all(|x| *x < np)
                && p.policies.iter().all(|x| *x < nx)
                && p.created_by.is_none_or(|u| u < nu)
        }) && self.pkg.policies.iter().all(|x| {
            x.package < np
                && x.stages.iter().all(stage_ok)
                && match &x.requestors {
                    Requestors::List(l) => l.iter().all(pr),
                    _ => true,
                }
        }) && self.pkg.requests.iter().all(|r| {
            r.package < np
                && r.policy < nx
                && r.requester < nu
                && r.assignment.is_none_or(|a| a < na)
                && r.stages.iter().all(stage_ok)
                && r.decisions.iter().all(|d| d.approver < nu)
                && r.decided_by.is_none_or(|u| u < nu)
                && (r.status != PackageRequestStatus::Pending || (r.stage >= 1 && (r.stage as usize) <= r.stages.len()))
        }) && self
            .pkg
            .assignments
            .iter()
            .all(|a| a.package < np && a.policy < nx && a.user < nu && a.request.is_none_or(|q| q < nq))
            && self.users.iter().all(|u| u.manager.is_none_or(|m| m < nu))
    }

    /// ids of this tenant's live packages, policies, package requests and assignments
    /// (in that kind order, each in creation order) that `other` does not hold as the same kind.
    pub(crate) fn package_objects_not_in(&self, other: &Tenant) -> Vec<String> {
        let live_there = |id: &str, kind: fn(PackageObject) -> bool| match other.ids.get(id) {
            Some(Object::Package(o)) if kind(*o) => match *o {
                PackageObject::Package(p) => !other.pkg.packages[p as usize].deleted,
                PackageObject::Policy(p) => !other.pkg.policies[p as usize].deleted,
                _ => true,
            },
            _ => false,
        };
        let mut out = Vec::new();
        let d = &self.pkg;
        out.extend(
            d.packages
                .iter()
                .filter(|p| !p.deleted && !live_there(&p.id, |o| matches!(o, PackageObject::Package(_))))
                .map(|p| p.id.clone()),
        );
        out.extend(
            d.policies
                .iter()
                .filter(|p| !p.deleted && !live_there(&p.id, |o| matches!(o, PackageObject::Policy(_))))
                .map(|p| p.id.clone()),
        );
        out.extend(
            d.requests
                .iter()
                .filter(|r| !live_there(&r.id, |o| matches!(o, PackageObject::Request(_))))
                .map(|r| r.id.clone()),
        );
        out.extend(
            d.assignments
                .iter()
                .filter(|a| !live_there(&a.id, |o| matches!(o, PackageObject::Assignment(_))))
                .map(|a| a.id.clone()),
        );
        out
    }

    // ----- queries (R-15.16) -------------------------------------------------------------------

    /// Live packages, in creation order.
    pub fn packages(&self) -> Vec<PackageIx> {
        (0..self.pkg.packages.len() as PackageIx).filter(|p| !self.pkg.packages[*p as usize].deleted).collect()
    }

    /// The §15 objects of this tenant.
    pub fn package_data(&self) -> &Packages {
        &self.pkg
    }

    /// Live policies, of one package or all, in creation order.
    pub fn policies_of(&self, package: Option<PackageIx>) -> Vec<PolicyIx> {
        (0..self.pkg.policies.len() as PolicyIx)
            .filter(|x| {
                let pol = &self.pkg.policies[*x as usize];
                !pol.deleted && package.is_none_or(|p| pol.package == p)
            })
            .collect()
    }

    /// Package requests filtered by status, package and requester, in creation order.
    pub fn package_requests_where(
        &self,
        status: Option<PackageRequestStatus>,
        package: Option<PackageIx>,
        requester: Option<UserIx>,
    ) -> Vec<PackageRequestIx> {
        let pick = |q: &PackageRequestIx| {
            let r = &self.pkg.requests[*q as usize];
            status.is_none_or(|s| r.status == s)
                && package.is_none_or(|p| r.package == p)
                && requester.is_none_or(|u| r.requester == u)
        };
        match (requester, status) {
            (Some(u), _) => self
                .pkg
                .index
                .by_requester
                .get(&u)
                .map(|qs| qs.iter().copied().filter(pick).collect())
                .unwrap_or_default(),
            (None, Some(PackageRequestStatus::Pending)) => {
                self.pkg.index.pending.iter().copied().filter(pick).collect()
            }
            _ => (0..self.pkg.requests.len() as PackageRequestIx).filter(pick).collect(),
        }
    }

    /// Assignments filtered by state, package and user, in creation order.
    pub fn package_assignments_where(
        &self,
        state: Option<AssignmentState>,
        package: Option<PackageIx>,
        user: Option<UserIx>,
    ) -> Vec<AssignmentIx> {
        let pick = |x: &AssignmentIx| {
            let a = &self.pkg.assignments[*x as usize];
            state.is_none_or(|s| a.state == s)
                && package.is_none_or(|p| a.package == p)
                && user.is_none_or(|u| a.user == u)
        };
        (0..self.pkg.assignments.len() as AssignmentIx).filter(pick).collect()
    }

    /// each (active assignment, group of its package) whose user is not a direct
    /// member, by assignment then package group order.
    pub fn assignment_drift(&self, package: Option<PackageIx>) -> Vec<Drift> {
        let mut active: Vec<AssignmentIx> = match package {
            Some(p) => self.pkg.index.by_package.get(&p).map(|s| s.iter().copied().collect()).unwrap_or_default(),
            None => self.pkg.index.by_package.values().flatten().copied().collect(),
        };
        active.sort_unstable();
        let mut out = Vec::new();
        for x in active {
            let a = &self.pkg.assignments[x as usize];
            for g in &self.pkg.packages[a.package as usize].groups {
                if !self.users[a.user as usize].groups.contains(g) {
                    out.push(Drift { assignment: x, user: a.user, package: a.package, group: *g });
                }
            }
        }
        out
    }

    /// active assignments whose user now meets R-15.14's condition for their package.
    pub fn incompatible_assignments(&self, package: Option<PackageIx>) -> Vec<AssignmentIx> {
        self.package_assignments_where(Some(AssignmentState::Delivered), package, None)
            .into_iter()
            .filter(|x| {
                let a = &self.pkg.assignments[*x as usize];
                self.incompatible_for(a.package, a.user)
            })
            .collect()
    }

    /// the deciders of a request's stage now (none for stage 0).
    pub fn package_request_deciders(&self, q: PackageRequestIx) -> Vec<UserIx> {
        let r = &self.pkg.requests[q as usize];
        match r.stage.checked_sub(1).and_then(|i| r.stages.get(i as usize)) {
            Some(stage) => self.stage_deciders(stage, r.requester),
            None => Vec::new(),
        }
    }

    /// the Access Panel's `packages`: those the user's `request_package` without a
    /// policy would pass now, justification aside.
    pub fn panel_packages(&self, u: UserIx) -> Vec<PackageIx> {
        if !self.users.get(u as usize).is_some_and(|x| x.enabled) {
            return Vec::new();
        }
        self.packages()
            .into_iter()
            .filter(|p| crate::rules::quietly(|| self.decide_request_package(u, *p, None, "access panel").is_ok()))
            .collect()
    }

    /// pending requests the user is a decider of now.
    pub fn panel_package_approvals(&self, u: UserIx) -> Vec<PackageRequestIx> {
        self.pkg.index.pending.iter().copied().filter(|q| self.is_decider(*q, u)).collect()
    }

    /// the user's active assignments.
    pub fn panel_package_assignments(&self, u: UserIx) -> Vec<AssignmentIx> {
        let mut v = self.pkg.index.active.get(&u).cloned().unwrap_or_default();
        v.sort_unstable();
        v
    }

    /// The instant an event of this tenant is due, for tests and views: a request's open
    /// stage's timeout.
    pub fn package_stage_due(&self, q: PackageRequestIx) -> Option<Timestamp> {
        self.pkg.requests.get(q as usize).and_then(|r| r.stage_due_at)
    }
}

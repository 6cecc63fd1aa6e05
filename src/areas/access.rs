//! Effective access (SPEC §7): checks, explanations, who has access, and the Access Panel.
//!
//! Nothing here scans every user or group: a check walks the user's own groups (upwards
//! through nesting for sites), and `who_has_access` walks the resource's assignments.

use crate::command::Command;
use crate::model::*;
use crate::tenant::Tenant;
use rustc_hash::FxHashSet;

/// The catalogue entries of object and effective-access queries (§6, §7) (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        query("users", &[], "list[User]", "Every user, in creation order (R-10.1)."),
        query("groups", &[], "list[Group]", "Every live group, in creation order (R-10.1)."),
        query("resources", &[], "list[Resource]", "Every resource, in creation order (R-10.1)."),
        query(
            "requests",
            &[kw("status", Ty::OptText, "None"), kw("group", Ty::Group, "None"), kw("requester", Ty::User, "None")],
            "list[Request]",
            "Requests in creation order, filtered by status, group and requester (R-10.1).",
        ),
        query("user", &[req("ref", Ty::User)], "User", "The user with this id or upn (R-1.4; user_not_found)."),
        query("group", &[req("ref", Ty::Group)], "Group", "The group with this id or name (R-1.4; group_not_found)."),
        query("resource", &[req("ref", Ty::Resource)], "Resource", "The resource with this id or name (R-1.4)."),
        query("request", &[req("id", Ty::Request)], "Request", "The request with this id (request_not_found)."),
        query("has_access", &[USER, RESOURCE], "bool", "Effective access (R-7.3)."),
        query(
            "has_access_many",
            &[req("pairs", Ty::Pairs), opt("resources", Ty::Any, "None")],
            "list[bool]",
            "has_access for each (user, resource) pair, or for two equal-length sequences (a numpy bool array for numpy arrays) (R-8.6).",
        ),
        query("explain_access", &[USER, RESOURCE], "Access", "Why a user does or does not reach a resource (R-7.8)."),
        query(
            "who_has_access",
            &[RESOURCE],
            "list[User]",
            "Everyone with effective access, in creation order (R-6.4).",
        ),
        query("access_of", &[USER], "list[Resource]", "The resources a user reaches, in creation order."),
        query("access_panel", &[USER], "AccessPanel", "A user's Access Panel (R-6.3)."),
    ];
}

/// Why a user does or does not reach a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Whether the user has effective access.
    pub granted: bool,
    /// Every path that grants access: `[user]` for a direct assignment, or
    /// `[outer_group, …, inner_group, user]`, as ids.
    pub paths: Vec<Vec<String>>,
    /// Whether a block cancels the paths.
    pub blocked: bool,
    /// Whether a disabled account cancels the paths.
    pub disabled: bool,
}

/// A user's Access Panel, as indexes in creation order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessPanel {
    /// Groups the user's `request_to_join` would be allowed for right now.
    pub joinable: Vec<GroupIx>,
    /// Groups the user is a direct member of.
    pub member_of: Vec<GroupIx>,
    /// Groups the user owns.
    pub owner_of: Vec<GroupIx>,
    /// The user's own requests.
    pub requests: Vec<RequestIx>,
    /// Pending requests the user may approve or deny right now.
    pub approvals: Vec<RequestIx>,
    /// §14: in-progress reviews the user may decide on some item right now.
    pub reviews: Vec<ReviewIx>,
    // §15
    /// Packages the user's `request_package` without a policy would pass now.
    pub packages: Vec<crate::packages::PackageIx>,
    /// The user's own package requests.
    pub package_requests: Vec<crate::packages::PackageRequestIx>,
    /// Pending package requests the user is a decider of now.
    pub package_approvals: Vec<crate::packages::PackageRequestIx>,
    /// The user's active assignments.
    pub package_assignments: Vec<crate::packages::AssignmentIx>,
}

impl Tenant {
    /// whether an assignment reaches the user, blocks and disabled accounts
    /// aside.
    pub(crate) fn granted(&self, u: UserIx, r: ResourceIx) -> bool {
        let Some(res) = self.resources.get(r as usize) else { return false };
        if res.kind == ResourceKind::Application {
            return res.grants.contains_key(&u);
        }
        let Some(user) = self.users.get(u as usize) else { return false };
        if res.assigned_users.contains(&u) {
            return true;
        }
        if res.assigned_groups.is_empty() {
            return false;
        }
        if user.groups.iter().any(|g| res.assigned_groups.contains(g)) {
            return true;
        }
        if res.kind == ResourceKind::Site {
            // Sites: transitive membership, walking up from the user's groups.
            let mut seen: FxHashSet<GroupIx> = user.groups.iter().copied().collect();
            let mut stack: Vec<GroupIx> = user.groups.clone();
            while let Some(g) = stack.pop() {
                for p in &self.groups[g as usize].parents {
                    if res.assigned_groups.contains(p) {
                        return true;
                    }
                    if seen.insert(*p) {
                        stack.push(*p);
                    }
                }
            }
        }
        false
    }

    /// effective access of a user to a resource, by index.
    pub fn has_access_ix(&self, u: UserIx, r: ResourceIx) -> bool {
        let Some(res) = self.resources.get(r as usize) else { return false };
        (u as usize) < self.users.len()
            && !self.disabled.contains(&u)
            && !res.blocked_set.contains(&u)
            && self.granted(u, r)
    }

    /// The groups that contain `g`, directly or through nesting (not `g` itself).
    pub(crate) fn group_ancestors(&self, g: GroupIx) -> Vec<GroupIx> {
        if self.groups[g as usize].parents.is_empty() {
            return Vec::new();
        }
        let mut seen: FxHashSet<GroupIx> = FxHashSet::default();
        let mut out = Vec::new();
        let mut stack = vec![g];
        while let Some(x) = stack.pop() {
            for p in &self.groups[x as usize].parents {
                if seen.insert(*p) {
                    out.push(*p);
                    stack.push(*p);
                }
            }
        }
        out
    }

    /// Users in `g`, directly or through nesting, each once.
    pub(crate) fn transitive_users(&self, g: GroupIx) -> Vec<UserIx> {
        let mut seen_groups: FxHashSet<GroupIx> = FxHashSet::default();
        let mut seen_users: FxHashSet<UserIx> = FxHashSet::default();
        let mut out = Vec::new();
        let mut stack = vec![g];
        seen_groups.insert(g);
        while let Some(x) = stack.pop() {
            for m in &self.groups[x as usize].members {
                match *m {
                    Principal::User(u) => {
                        if seen_users.insert(u) {
                            out.push(u);
                        }
                    }
                    Principal::Group(c) => {
                        if seen_groups.insert(c) {
                            stack.push(c);
                        }
                    }
                }
            }
        }
        out
    }

    /// Resources reached through `g`: assigned to it or to a group containing it.
    pub(crate) fn resources_through(&self, g: GroupIx) -> Vec<ResourceIx> {
        let mut out: Vec<ResourceIx> = self.groups[g as usize].assigned_to.clone();
        for a in self.group_ancestors(g) {
            out.extend(self.groups[a as usize].assigned_to.iter().copied());
        }
        out
    }

    /// The users a principal stands for.
    fn users_of(&self, p: Principal) -> Vec<UserIx> {
        match p {
            Principal::User(u) => vec![u],
            Principal::Group(g) => self.transitive_users(g),
        }
    }

    /// Pairs whose access may change when `member` joins or leaves `group`.
    pub(crate) fn pairs_of_membership(&self, group: GroupIx, member: Principal) -> Vec<(UserIx, ResourceIx)> {
        let resources = self.resources_through(group);
        if resources.is_empty() {
            return Vec::new();
        }
        let users = self.users_of(member);
        cross(&users, &resources)
    }

    /// Pairs whose access may change when `principal` is assigned to or unassigned from `r`.
    pub(crate) fn pairs_of_assignment(&self, r: ResourceIx, principal: Principal) -> Vec<(UserIx, ResourceIx)> {
        self.users_of(principal).into_iter().map(|u| (u, r)).collect()
    }

    /// Pairs whose access may change when group `g` is deleted.
    pub(crate) fn pairs_of_group(&self, g: GroupIx) -> Vec<(UserIx, ResourceIx)> {
        let resources = self.resources_through(g);
        if resources.is_empty() {
            return Vec::new();
        }
        cross(&self.transitive_users(g), &resources)
    }

    /// Pairs whose access may change when user `u` is enabled or disabled.
    pub(crate) fn pairs_of_user(&self, u: UserIx) -> Vec<(UserIx, ResourceIx)> {
        self.candidate_resources(u).into_iter().map(|r| (u, r)).collect()
    }

    /// Every resource an assignment could give `u`: direct, through its groups, and through
    /// the groups containing them.
    fn candidate_resources(&self, u: UserIx) -> Vec<ResourceIx> {
        let user = &self.users[u as usize];
        let mut out: Vec<ResourceIx> = user.assigned_to.clone();
        let mut seen: FxHashSet<GroupIx> = FxHashSet::default();
        let mut stack: Vec<GroupIx> = Vec::new();
        for g in &user.groups {
            if seen.insert(*g) {
                stack.push(*g);
            }
        }
        while let Some(g) = stack.pop() {
            let group = &self.groups[g as usize];
            out.extend(group.assigned_to.iter().copied());
            for p in &group.parents {
                if seen.insert(*p) {
                    stack.push(*p);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A number that changes whenever who has access to application `r` may change (its
    /// grants, its blocks, the disabled users): `who_has_access(r)` is the same while it is.
    /// None for a site (nested membership reaches it) or an unknown resource: ask again.
    pub fn access_epoch(&self, r: ResourceIx) -> Option<u64> {
        let res = self.resources.get(r as usize)?;
        if res.kind != ResourceKind::Application {
            return None;
        }
        Some(self.access_epochs.get(r as usize).copied().unwrap_or(0).max(self.disabled_epoch))
    }

    /// everyone with effective access to `r`, in creation order.
    pub fn who_has_access(&self, r: ResourceIx) -> Vec<UserIx> {
        let Some(res) = self.resources.get(r as usize) else { return Vec::new() };
        let keep = |u: &UserIx| {
            (self.disabled.is_empty() || !self.disabled.contains(u))
                && (res.blocked_set.is_empty() || !res.blocked_set.contains(u))
        };
        if res.kind == ResourceKind::Application {
            // Many grantees (a sixteenth of the users or more): mark them and read the marks in
            // creation order, instead of sorting them.
            let n = self.users.len();
            if res.grants.len().saturating_mul(16) >= n {
                let mut marked = vec![false; n];
                for u in res.grants.keys() {
                    if let Some(m) = marked.get_mut(*u as usize) {
                        *m = true;
                    }
                }
                return marked
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| **m)
                    .map(|(u, _)| u as UserIx)
                    .filter(|u| keep(u))
                    .collect();
            }
            let mut users: Vec<UserIx> = res.grants.keys().copied().filter(|u| keep(u)).collect();
            users.sort_unstable();
            return users;
        }
        let mut users: Vec<UserIx> = Vec::new();
        for p in &res.assigned {
            match *p {
                Principal::User(u) => users.push(u),
                Principal::Group(g) => match res.kind {
                    ResourceKind::Application => users.extend(self.groups[g as usize].direct_users()),
                    ResourceKind::Site => users.extend(self.transitive_users(g)),
                },
            }
        }
        users.sort_unstable();
        users.dedup();
        users.retain(keep);
        users
    }

    /// Every resource `u` has effective access to, in creation order.
    pub fn access_of(&self, u: UserIx) -> Vec<ResourceIx> {
        if self.users.get(u as usize).is_none() {
            return Vec::new();
        }
        self.candidate_resources(u).into_iter().filter(|r| self.has_access_ix(u, *r)).collect()
    }

    /// every path that grants `u` access to `r`, and what cancels them.
    pub fn explain(&self, u: UserIx, r: ResourceIx) -> Access {
        let mut paths: Vec<Vec<String>> = Vec::new();
        let (Some(user), Some(res)) = (self.users.get(u as usize), self.resources.get(r as usize)) else {
            return Access { granted: false, paths, blocked: false, disabled: false };
        };
        if res.assigned_users.contains(&u) {
            paths.push(vec![user.id.clone()]);
        }
        // Only groups on the way to the user are worth descending into.
        let mut relevant: FxHashSet<GroupIx> = user.groups.iter().copied().collect();
        for g in &user.groups {
            relevant.extend(self.group_ancestors(*g));
        }
        for p in &res.assigned {
            if let Principal::Group(g) = *p {
                if relevant.contains(&g) {
                    let mut trail = vec![g];
                    self.paths_down(g, u, res.kind, &relevant, &mut trail, &mut paths);
                }
            }
        }
        let blocked = res.blocked_set.contains(&u);
        let disabled = !user.enabled;
        Access { granted: !paths.is_empty() && !blocked && !disabled, paths, blocked, disabled }
    }

    fn paths_down(
        &self,
        g: GroupIx,
        u: UserIx,
        kind: ResourceKind,
        relevant: &FxHashSet<GroupIx>,
        trail: &mut Vec<GroupIx>,
        out: &mut Vec<Vec<String>>,
    ) {
        for m in &self.groups[g as usize].members {
            match *m {
                Principal::User(x) if x == u => {
                    let mut path: Vec<String> = trail.iter().map(|g| self.groups[*g as usize].id.clone()).collect();
                    path.push(self.users[u as usize].id.clone());
                    out.push(path);
                }
                Principal::Group(c) if kind == ResourceKind::Site && relevant.contains(&c) && !trail.contains(&c) => {
                    trail.push(c);
                    self.paths_down(c, u, kind, relevant, trail, out);
                    trail.pop();
                }
                _ => {}
            }
        }
    }

    /// the Access Panel of `u`.
    pub fn access_panel(&self, u: UserIx) -> AccessPanel {
        let Some(user) = self.users.get(u as usize) else { return AccessPanel::default() };
        let uid = user.id.clone();
        let joinable = self
            .groups()
            .filter(|(_, g)| {
                let probe = Command::RequestToJoin {
                    actor: uid.clone(),
                    group: g.id.clone(),
                    justification: "access panel".to_string(),
                };
                self.prepare(&probe).plan.is_ok()
            })
            .map(|(i, _)| i)
            .collect();
        let mut member_of = user.groups.clone();
        member_of.sort_unstable();
        let mut owner_of = user.owner_of.clone();
        owner_of.sort_unstable();
        let requests = self.user_requests.get(u as usize).cloned().unwrap_or_default();
        let approvals = self
            .pending
            .iter()
            .copied()
            .filter(|q| {
                let probe = Command::Approve {
                    actor: uid.clone(),
                    request: self.requests[*q as usize].id.clone(),
                    reason: String::new(),
                };
                self.prepare(&probe).plan.is_ok()
            })
            .collect();
        let reviews = self.panel_reviews(u);
        AccessPanel {
            joinable,
            member_of,
            owner_of,
            requests,
            approvals,
            reviews,
            packages: self.panel_packages(u),
            package_requests: self.package_requests_where(None, None, Some(u)),
            package_approvals: self.panel_package_approvals(u),
            package_assignments: self.panel_package_assignments(u),
        }
    }
}

fn cross(users: &[UserIx], resources: &[ResourceIx]) -> Vec<(UserIx, ResourceIx)> {
    let mut out = Vec::with_capacity(users.len() * resources.len());
    for u in users {
        for r in resources {
            out.push((*u, *r));
        }
    }
    out
}

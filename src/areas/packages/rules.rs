//! Who may do what with access packages (SPEC §15): each §15 command decided into a
//! [`PackagePlan`] or a refusal, in §9's steps. Nothing here changes the tenant.

use super::*;
use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::lifecycle::DAY;
use crate::model::merge;
use crate::model::{clean_name, fold, parse_time, GroupKind, Object, Plan, Principal, UserIx};
use crate::rules::{refuse, Args};
use crate::tenant::Tenant;

/// the most stages, timeout days and expiry days.
pub const MAX_STAGES: usize = 3;
/// a stage times out after 1–14 days.
pub const MAX_TIMEOUT_DAYS: i64 = 14;
/// an expiry of 0–3660 days.
pub const MAX_EXPIRY_DAYS: i64 = 3660;

fn invalid(message: String) -> Error {
    Error::new(Code::InvalidPolicy, message)
}

impl Args<'_> {
    fn package(&mut self, r: &str) -> Result<PackageIx> {
        let t = self.t;
        self.record(r, t.find_package(r), |p| t.pkg.packages[*p as usize].id.clone())
    }

    fn policy(&mut self, r: &str, package: Option<PackageIx>) -> Result<PolicyIx> {
        let t = self.t;
        self.record(r, t.find_policy(r, package), |p| t.pkg.policies[*p as usize].id.clone())
    }

    fn package_request(&mut self, r: &str) -> Result<PackageRequestIx> {
        let t = self.t;
        self.record(r, t.find_package_request(r), |q| t.pkg.requests[*q as usize].id.clone())
    }

    fn assignment(&mut self, r: &str) -> Result<AssignmentIx> {
        let t = self.t;
        self.record(r, t.find_assignment(r), |x| t.pkg.assignments[*x as usize].id.clone())
    }

    /// a package or a group; a string is an id, a package name, then a group name.
    fn other(&mut self, r: &str) -> Result<Other> {
        let t = self.t;
        let found = t.find_other(r);
        self.record(r, found, |o| match *o {
            Other::Package(p) => t.pkg.packages[p as usize].id.clone(),
            Other::Group(g) => t.groups[g as usize].id.clone(),
        })
    }
}

/// Resolves references inside policy options (not targets, R-15.19), merged.
fn resolve(t: &Tenant, refs: &[String]) -> Result<Vec<Principal>> {
    let found: Result<Vec<Principal>> = refs.iter().map(|r| t.find_principal(r)).collect();
    Ok(merge(found?))
}

/// The options of `create_policy` / `update_policy` once resolved, each `None` unchanged.
struct Options {
    requestors: Option<Requestors>,
    stages: Option<Vec<Stage>>,
}

impl Tenant {
    /// The audit activity of a §15 command, as its arguments resolve now.
    pub(crate) fn package_activity(&self, cmd: &Command) -> &'static str {
        match cmd {
            Command::SetManager { .. } => "Set user manager",
            Command::CreatePackage { .. } => "Create access package",
            Command::UpdatePackage { .. } | Command::AddPackageGroup { .. } | Command::RemovePackageGroup { .. } => {
                "Update access package"
            }
            Command::DeletePackage { .. } => "Delete access package",
            Command::AddIncompatible { other, .. } | Command::RemoveIncompatible { other, .. } => {
                let add = matches!(cmd, Command::AddIncompatible { .. });
                match (self.find_other(other), add) {
                    (Ok(Other::Group(_)), true) => "Create incompatible group",
                    (Ok(Other::Group(_)), false) => "Delete incompatible group",
                    (_, true) => "Create incompatible access package",
                    (_, false) => "Delete incompatible access package",
                }
            }
            Command::CreatePolicy { .. } => "Create access package assignment policy",
            Command::UpdatePolicy { .. } => "Update access package assignment policy",
            Command::DeletePolicy { .. } => "Delete access package assignment policy",
            Command::RequestPackage { .. } => "User requests access package assignment",
            Command::AssignPackage { .. } => "Administrator directly assigns user to access package",
            Command::ApprovePackageRequest { request, .. } => {
                let opens =
                    self.find_package_request(request).ok().map(|q| &self.pkg.requests[q as usize]).is_some_and(|q| {
                        q.status == PackageRequestStatus::Pending && (q.stage as usize) < q.stages.len()
                    });
                if opens {
                    "Approval stage completed for access package assignment request"
                } else {
                    "Approve access package assignment request"
                }
            }
            Command::DenyPackageRequest { .. } => "Deny access package assignment request",
            Command::CancelPackageRequest { .. } => "Cancel access package assignment request",
            Command::RemoveAssignment { actor, .. } => match self.find_user(actor) {
                Ok(u) if self.group_admin(u) => "Administrator directly removes user access package assignment",
                _ => "User requests to remove access package assignment",
            },
            Command::ReprocessAssignment { .. } => "Reprocess access package assignment",
            _ => "",
        }
    }

    /// only global and groups administrators manage packages.
    fn package_admin(&self, actor: UserIx, verb: impl FnOnce() -> String) -> Result<()> {
        if self.group_admin(actor) {
            Ok(())
        } else {
            refuse(Code::NotAdmin, || {
                format!("{} is not a global or groups administrator, so cannot {}", self.du(actor), verb())
            })
        }
    }

    /// a package holds security and Microsoft 365 groups not synced from on-premises
    /// (step 4, admins included): `on_premises_group` over all groups, then the kind.
    fn package_group_kinds(&self, groups: &[GroupIx]) -> Result<()> {
        if let Some(g) = groups.iter().find(|g| self.groups[**g as usize].on_premises) {
            return refuse(Code::OnPremisesGroup, || {
                format!("{} is synced from on-premises and cannot be part of an access package", self.dg(*g))
            });
        }
        if let Some(g) = groups
            .iter()
            .find(|g| !matches!(self.groups[**g as usize].kind, GroupKind::Security | GroupKind::Microsoft365))
        {
            return refuse(Code::NotSelfServiceKind, || {
                format!(
                    "{} is a {} group; an access package holds security and Microsoft 365 groups only",
                    self.dg(*g),
                    self.groups[*g as usize].kind.as_str()
                )
            });
        }
        Ok(())
    }

    /// for a package name (step 2).
    fn clean_package_name(&self, raw: &str) -> Result<String> {
        clean_name(raw)
            .map(str::to_string)
            .ok_or_else(|| Error::new(Code::InvalidName, format!("{raw:?} is not a valid access package name")))
    }

    /// names are unique among packages (step 10).
    fn unique_package_name(&self, name: &str, except: Option<PackageIx>) -> Result<()> {
        match self.pkg.index.names.get(fold(name).as_ref()) {
            Some(p) if Some(*p) != except => {
                let p = *p;
                refuse(Code::DuplicateName, || {
                    format!("an access package named {name:?} already exists ({})", self.pkg.packages[p as usize].id)
                })
            }
            _ => Ok(()),
        }
    }

    /// the requestors as given, references resolved (step 1).
    fn resolve_requestors(&self, arg: &RequestorsArg) -> Result<std::result::Result<Requestors, String>> {
        Ok(match arg {
            RequestorsArg::Word(w) if w == "none" => Ok(Requestors::None),
            RequestorsArg::Word(w) if w == "all" => Ok(Requestors::All),
            RequestorsArg::Word(w) => {
                Err(format!("requestors {w:?} is not \"none\", \"all\" or a list of users and groups"))
            }
            RequestorsArg::List(l) if l.is_empty() => Err("requestors is an empty list".to_string()),
            RequestorsArg::List(l) => Ok(Requestors::List(resolve(self, l)?)),
        })
    }

    /// options resolved (step 1, references), then validated in signature order
    /// (step 2: `invalid_policy`), stage keys in their order.
    fn policy_options(
        &self,
        requestors: Option<&RequestorsArg>,
        stages: Option<&[StageArg]>,
        expires: Option<&ExpiresArg>,
    ) -> Result<(Options, Option<Expires>)> {
        // Step 1: every reference, in signature order.
        let requestors = requestors.map(|r| self.resolve_requestors(r)).transpose()?;
        let resolved: Option<Vec<(Vec<Principal>, Vec<Principal>)>> = stages
            .map(|ss| {
                ss.iter()
                    .map(|s| Ok((resolve(self, &s.approvers)?, resolve(self, &s.fallback_approvers)?)))
                    .collect::<Result<_>>()
            })
            .transpose()?;
        // Step 2, in signature order.
        let requestors = requestors.map(|r| r.map_err(invalid)).transpose()?;
        let stages = match (stages, resolved) {
            (Some(ss), Some(refs)) => {
                if ss.len() > MAX_STAGES {
                    return Err(invalid(format!(
                        "a policy has at most {MAX_STAGES} approval stages, not {}",
                        ss.len()
                    )));
                }
                let mut out = Vec::with_capacity(ss.len());
                let mut manager_at: Option<usize> = None;
                for (i, (s, (approvers, fallback))) in ss.iter().zip(refs).enumerate() {
                    let n = i + 1;
                    if !s.manager && approvers.is_empty() {
                        return Err(invalid(format!("stage {n} has no approvers and does not ask the manager")));
                    }
                    if s.manager {
                        if let Some(first) = manager_at {
                            return Err(invalid(format!(
                                "stage {n} asks the manager, as stage {first} already does; one stage at most may"
                            )));
                        }
                        manager_at = Some(n);
                    }
                    if !(1..=MAX_TIMEOUT_DAYS).contains(&s.timeout_days) {
                        return Err(invalid(format!(
                            "stage {n} times out after {} days; a stage times out after 1 to {MAX_TIMEOUT_DAYS} days",
                            s.timeout_days
                        )));
                    }
                    out.push(Stage {
                        approvers,
                        manager: s.manager,
                        fallback_approvers: fallback,
                        timeout_days: s.timeout_days,
                        justification_required: s.justification_required,
                    });
                }
                Some(out)
            }
            _ => None,
        };
        let expires = expires.map(|e| self.parse_expires(e)).transpose()?;
        Ok((Options { requestors, stages }, expires))
    }

    /// `"never"`, 0–3660 days, or an instant later than now.
    fn parse_expires(&self, e: &ExpiresArg) -> Result<Expires> {
        match e {
            ExpiresArg::Text(w) if w == "never" => Ok(Expires::Never),
            ExpiresArg::Days(d) if (0..=MAX_EXPIRY_DAYS).contains(d) => Ok(Expires::Days(*d)),
            ExpiresArg::Days(d) => {
                Err(invalid(format!("expires after {d} days; it must be 0 to {MAX_EXPIRY_DAYS} days")))
            }
            ExpiresArg::Text(text) => match parse_time(text) {
                Some(at) if at > self.now => Ok(Expires::At(at)),
                Some(_) => Err(invalid(format!("expires at {text}, which is not later than now"))),
                None => Err(invalid(format!("expires {text:?} is not \"never\", a number of days or an instant"))),
            },
        }
    }

    /// whether a policy covers a user (its requestors).
    pub(crate) fn policy_covers(&self, pol: &PackagePolicy, u: UserIx) -> bool {
        match &pol.requestors {
            Requestors::None => false,
            Requestors::All => true,
            Requestors::List(l) => self.list_covers(l, u),
        }
    }

    /// A user named in the list, or a direct user member of a group named there.
    fn list_covers(&self, list: &[Principal], u: UserIx) -> bool {
        list.iter().any(|p| match *p {
            Principal::User(x) => x == u,
            Principal::Group(g) => self.users[u as usize].groups.contains(&g),
        })
    }

    /// whether a policy offers itself to a user.
    pub(crate) fn policy_offers(&self, x: PolicyIx, u: UserIx) -> bool {
        let pol = &self.pkg.policies[x as usize];
        match &pol.requestors {
            Requestors::None => false,
            Requestors::List(l) => self.list_covers(l, u),
            Requestors::All => !self.pkg.packages[pol.package as usize].policies.iter().any(|y| {
                let other = &self.pkg.policies[*y as usize];
                matches!(other.requestors, Requestors::List(_)) && self.policy_covers(other, u)
            }),
        }
    }

    /// whether the user now meets a package's incompatibility condition.
    pub(crate) fn incompatible_for(&self, p: PackageIx, u: UserIx) -> bool {
        let pkg = &self.pkg.packages[p as usize];
        let by_package = !pkg.incompatible_packages.is_empty()
            && self.pkg.index.active.get(&u).is_some_and(|xs| {
                xs.iter().any(|x| pkg.incompatible_packages.contains(&self.pkg.assignments[*x as usize].package))
            });
        by_package || pkg.incompatible_groups.iter().any(|g| self.users[u as usize].groups.contains(g))
    }

    fn check_incompatible(&self, p: PackageIx, u: UserIx) -> Result<()> {
        if self.incompatible_for(p, u) {
            return refuse(Code::IncompatibleAccess, || {
                format!("{} holds access that {} is incompatible with", self.du(u), self.dpk(p))
            });
        }
        Ok(())
    }

    /// The user's active assignment of a package, if any.
    pub(crate) fn active_assignment(&self, u: UserIx, p: PackageIx) -> Option<AssignmentIx> {
        self.pkg.index.active.get(&u)?.iter().copied().find(|x| self.pkg.assignments[*x as usize].package == p)
    }

    /// The user's pending request for a package, if any.
    pub(crate) fn pending_package_request(&self, u: UserIx, p: PackageIx) -> Option<PackageRequestIx> {
        self.pkg.index.by_requester.get(&u)?.iter().rev().copied().find(|q| {
            let r = &self.pkg.requests[*q as usize];
            r.package == p && r.status == PackageRequestStatus::Pending
        })
    }

    /// Step 10 of `request_package` and `assign_package`.
    fn check_not_assigned(&self, p: PackageIx, u: UserIx) -> Result<()> {
        if let Some(x) = self.active_assignment(u, p) {
            return refuse(Code::AlreadyAssigned, || {
                format!("{} already has {} ({})", self.du(u), self.dpk(p), self.pkg.assignments[x as usize].id)
            });
        }
        if let Some(q) = self.pending_package_request(u, p) {
            return refuse(Code::RequestPending, || {
                format!(
                    "{} already has a pending request {} for {}",
                    self.du(u),
                    self.pkg.requests[q as usize].id,
                    self.dpk(p)
                )
            });
        }
        Ok(())
    }

    /// a stage's deciders, computed now: enabled users but the requester among the
    /// approvers, the direct user members of their groups and, with `manager`, the manager;
    /// if none, the same among the fallback approvers. In creation order.
    pub fn stage_deciders(&self, stage: &Stage, requester: UserIx) -> Vec<UserIx> {
        let mut out = self.decider_users(
            &stage.approvers,
            stage.manager.then(|| self.users[requester as usize].manager).flatten(),
            requester,
        );
        if out.is_empty() {
            out = self.decider_users(&stage.fallback_approvers, None, requester);
        }
        out
    }

    fn decider_users(&self, list: &[Principal], manager: Option<UserIx>, requester: UserIx) -> Vec<UserIx> {
        let mut out: Vec<UserIx> = Vec::new();
        for p in list {
            match *p {
                Principal::User(u) => out.push(u),
                Principal::Group(g) => out.extend(self.groups[g as usize].direct_users()),
            }
        }
        out.extend(manager);
        out.retain(|u| *u != requester && self.users[*u as usize].enabled);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// whether `u` decides the stage `request` is at (or ended at) now.
    pub(crate) fn is_decider(&self, q: PackageRequestIx, u: UserIx) -> bool {
        let r = &self.pkg.requests[q as usize];
        if r.stage == 0 || u == r.requester || !self.users[u as usize].enabled {
            return false;
        }
        let Some(stage) = r.stages.get(r.stage as usize - 1) else { return false };
        let manager = stage.manager.then(|| self.users[r.requester as usize].manager).flatten();
        let in_list = |list: &[Principal]| {
            list.iter().any(|p| match *p {
                Principal::User(x) => x == u,
                Principal::Group(g) => self.users[u as usize].groups.contains(&g),
            })
        };
        if in_list(&stage.approvers) || manager == Some(u) {
            return true;
        }
        // Fallbacks decide only when no primary decider is found.
        in_list(&stage.fallback_approvers) && self.decider_users(&stage.approvers, manager, r.requester).is_empty()
    }

    /// Decides a §15 command.
    pub(crate) fn decide_package(&self, a: &mut Args, cmd: &Command) -> Result<Plan> {
        self.decide_package_plan(a, cmd).map(|p| Plan::Package(Box::new(p)))
    }

    fn decide_package_plan(&self, a: &mut Args, cmd: &Command) -> Result<PackagePlan> {
        match cmd {
            Command::SetManager { user, manager } => {
                let user_r = a.user(user);
                let manager_r = manager.as_deref().map(|m| a.user(m)).transpose();
                let (user, manager) = (user_r?, manager_r?);
                if manager == Some(user) {
                    return refuse(Code::Cycle, || format!("{} cannot be their own manager", self.du(user)));
                }
                Ok(PackagePlan::SetManager { user, manager })
            }
            Command::CreatePackage { actor, name, description, groups } => {
                let actor_r = a.actor(actor);
                a.name(name);
                let found: Vec<Result<GroupIx>> = groups.iter().map(|g| a.group(g)).collect();
                let actor = actor_r?;
                let groups = merge(found.into_iter().collect::<Result<Vec<_>>>()?);
                let name = self.clean_package_name(name)?;
                self.active(actor)?;
                self.package_group_kinds(&groups)?;
                self.package_admin(actor, || "create access packages".to_string())?;
                self.unique_package_name(&name, None)?;
                Ok(PackagePlan::Create { name, description: description.clone(), groups, created_by: actor })
            }
            Command::UpdatePackage { actor, package, name, description } => {
                let actor_r = a.actor(actor);
                let package_r = a.package(package);
                let (actor, package) = (actor_r?, package_r?);
                let clean = name.as_deref().map(|n| self.clean_package_name(n)).transpose()?;
                self.active(actor)?;
                self.package_admin(actor, || format!("change {}", self.dpk(package)))?;
                if let Some(n) = &clean {
                    self.unique_package_name(n, Some(package))?;
                }
                Ok(PackagePlan::Update { package, name: clean, description: description.clone() })
            }
            Command::DeletePackage { actor, package } => {
                let actor_r = a.actor(actor);
                let package_r = a.package(package);
                let (actor, package) = (actor_r?, package_r?);
                self.active(actor)?;
                self.package_admin(actor, || format!("delete {}", self.dpk(package)))?;
                if let Some(x) = self.pkg.index.by_package.get(&package).and_then(|s| s.first()) {
                    return refuse(Code::InUse, || {
                        format!(
                            "{} has an active assignment ({})",
                            self.dpk(package),
                            self.pkg.assignments[*x as usize].id
                        )
                    });
                }
                if let Some(q) =
                    self.pkg.index.pending.iter().find(|q| self.pkg.requests[**q as usize].package == package)
                {
                    return refuse(Code::InUse, || {
                        format!("{} has a pending request ({})", self.dpk(package), self.pkg.requests[*q as usize].id)
                    });
                }
                Ok(PackagePlan::Delete { package })
            }
            Command::AddPackageGroup { actor, package, group }
            | Command::RemovePackageGroup { actor, package, group } => {
                let adding = matches!(cmd, Command::AddPackageGroup { .. });
                let actor_r = a.actor(actor);
                let package_r = a.package(package);
                let group_r = a.group(group);
                let (actor, package, group) = (actor_r?, package_r?, group_r?);
                self.active(actor)?;
                if adding {
                    self.package_group_kinds(&[group])?;
                }
                self.package_admin(actor, || format!("change {}", self.dpk(package)))?;
                let has = self.pkg.packages[package as usize].groups.contains(&group);
                match (adding, has) {
                    (true, true) => refuse(Code::AlreadyAssigned, || {
                        format!("{} already holds {}", self.dpk(package), self.dg(group))
                    }),
                    (false, false) => {
                        refuse(Code::NotAssigned, || format!("{} does not hold {}", self.dpk(package), self.dg(group)))
                    }
                    (true, false) => Ok(PackagePlan::AddGroup { package, group }),
                    (false, true) => Ok(PackagePlan::RemoveGroup { package, group }),
                }
            }
            Command::AddIncompatible { actor, package, other }
            | Command::RemoveIncompatible { actor, package, other } => {
                let add = matches!(cmd, Command::AddIncompatible { .. });
                let actor_r = a.actor(actor);
                let package_r = a.package(package);
                let other_r = a.other(other);
                let (actor, package, other) = (actor_r?, package_r?, other_r?);
                self.active(actor)?;
                self.package_admin(actor, || format!("change {}", self.dpk(package)))?;
                let pkg = &self.pkg.packages[package as usize];
                let (listed, what) = match other {
                    Other::Package(p) => (pkg.incompatible_packages.contains(&p), self.dpk(p)),
                    Other::Group(g) => (pkg.incompatible_groups.contains(&g), self.dg(g)),
                };
                match (add, listed) {
                    (true, true) => {
                        return refuse(Code::AlreadyIncompatible, || {
                            format!("{} is already incompatible with {what}", self.dpk(package))
                        })
                    }
                    (false, false) => {
                        return refuse(Code::NotIncompatible, || {
                            format!("{} is not incompatible with {what}", self.dpk(package))
                        })
                    }
                    _ => {}
                }
                if other == Other::Package(package) {
                    return refuse(Code::Cycle, || format!("{} cannot be incompatible with itself", self.dpk(package)));
                }
                Ok(PackagePlan::Incompatible { package, other, add })
            }
            Command::CreatePolicy { actor, package, name, requestors, justification_required, stages, expires } => {
                let actor_r = a.actor(actor);
                let package_r = a.package(package);
                a.name(name);
                let (actor, package) = (actor_r?, package_r?);
                let (opts, exp) = {
                    // Step 1 for the references, then step 2: the name first, then options.
                    let resolved = self.policy_options(Some(requestors), Some(stages), Some(expires));
                    let clean = self.policy_name(name);
                    match (resolved, clean) {
                        (Err(e), _) if e.family_step() == 1 => return Err(e),
                        (_, Err(e)) => return Err(e),
                        (r, Ok(_)) => r?,
                    }
                };
                let clean = self.policy_name(name)?;
                self.active(actor)?;
                self.package_admin(actor, || format!("create policies of {}", self.dpk(package)))?;
                self.unique_policy_name(package, &clean, None)?;
                let policy = PackagePolicy {
                    id: String::new(),
                    package,
                    name: clean,
                    requestors: opts.requestors.unwrap_or(Requestors::None),
                    justification_required: *justification_required,
                    stages: opts.stages.unwrap_or_default(),
                    expires: exp.unwrap_or(Expires::Never),
                    created_at: self.now,
                    deleted: false,
                };
                Ok(PackagePlan::CreatePolicy { package, policy: Box::new(policy) })
            }
            Command::UpdatePolicy { actor, policy, name, requestors, justification_required, stages, expires } => {
                let actor_r = a.actor(actor);
                let policy_r = a.policy(policy, None);
                let (actor, policy) = (actor_r?, policy_r?);
                let resolved = self.policy_options(requestors.as_ref(), stages.as_deref(), expires.as_ref());
                let clean = name.as_deref().map(|n| self.policy_name(n)).transpose();
                let (opts, exp) = match (resolved, clean.clone()) {
                    (Err(e), _) if e.family_step() == 1 => return Err(e),
                    (_, Err(e)) => return Err(e),
                    (r, Ok(_)) => r?,
                };
                let clean = clean?;
                self.active(actor)?;
                let old = &self.pkg.policies[policy as usize];
                self.package_admin(actor, || {
                    format!("change policy {:?} ({}) of {}", old.name, old.id, self.dpk(old.package))
                })?;
                if let Some(n) = &clean {
                    self.unique_policy_name(old.package, n, Some(policy))?;
                }
                let mut new = old.clone();
                if let Some(n) = clean {
                    new.name = n;
                }
                if let Some(r) = opts.requestors {
                    new.requestors = r;
                }
                if let Some(j) = justification_required {
                    new.justification_required = *j;
                }
                if let Some(s) = opts.stages {
                    new.stages = s;
                }
                if let Some(e) = exp {
                    new.expires = e;
                }
                Ok(PackagePlan::UpdatePolicy { policy, new: Box::new(new) })
            }
            Command::DeletePolicy { actor, policy } => {
                let actor_r = a.actor(actor);
                let policy_r = a.policy(policy, None);
                let (actor, policy) = (actor_r?, policy_r?);
                self.active(actor)?;
                let pol = &self.pkg.policies[policy as usize];
                self.package_admin(actor, || {
                    format!("delete policy {:?} ({}) of {}", pol.name, pol.id, self.dpk(pol.package))
                })?;
                let active = self
                    .pkg
                    .index
                    .by_package
                    .get(&pol.package)
                    .and_then(|s| s.iter().find(|x| self.pkg.assignments[**x as usize].policy == policy).copied());
                if let Some(x) = active {
                    return refuse(Code::InUse, || {
                        format!("policy {} has an active assignment ({})", pol.id, self.pkg.assignments[x as usize].id)
                    });
                }
                if let Some(q) =
                    self.pkg.index.pending.iter().find(|q| self.pkg.requests[**q as usize].policy == policy)
                {
                    return refuse(Code::InUse, || {
                        format!("policy {} has a pending request ({})", pol.id, self.pkg.requests[*q as usize].id)
                    });
                }
                Ok(PackagePlan::DeletePolicy { policy })
            }
            Command::RequestPackage { actor, package, justification, policy } => {
                let actor_r = a.actor(actor);
                let package_r = a.package(package);
                let policy_r = policy.as_deref().map(|p| a.policy(p, package_r.as_ref().ok().copied())).transpose();
                let (actor, package, named) = (actor_r?, package_r?, policy_r?);
                self.active(actor)?;
                self.decide_request_package(actor, package, named, justification)
            }
            Command::ApprovePackageRequest { actor, request, justification }
            | Command::DenyPackageRequest { actor, request, justification } => {
                let approve = matches!(cmd, Command::ApprovePackageRequest { .. });
                let actor_r = a.actor(actor);
                let request_r = a.package_request(request);
                let (actor, request) = (actor_r?, request_r?);
                self.active(actor)?;
                let r = &self.pkg.requests[request as usize];
                if r.requester == actor {
                    return refuse(Code::SelfApproval, || {
                        format!("{} cannot decide their own {}", self.du(actor), self.dpq(request))
                    });
                }
                if !self.is_decider(request, actor) {
                    return refuse(Code::NotApprover, || {
                        format!("{} is not an approver of {}", self.du(actor), self.dpq(request))
                    });
                }
                let stage_asks =
                    r.stages.get((r.stage as usize).saturating_sub(1)).is_some_and(|s| s.justification_required);
                if stage_asks && justification.trim().is_empty() {
                    return refuse(Code::JustificationRequired, || {
                        format!("stage {} of {} needs the approver's justification", r.stage, self.dpq(request))
                    });
                }
                if r.status != PackageRequestStatus::Pending {
                    return refuse(Code::RequestNotPending, || {
                        format!("{} is {}, not pending", self.dpq(request), r.status.as_str())
                    });
                }
                Ok(PackagePlan::Decide { request, approver: actor, approve, justification: justification.clone() })
            }
            Command::CancelPackageRequest { actor, request } => {
                let actor_r = a.actor(actor);
                let request_r = a.package_request(request);
                let (actor, request) = (actor_r?, request_r?);
                self.active(actor)?;
                let r = &self.pkg.requests[request as usize];
                if r.requester != actor && !self.group_admin(actor) {
                    return refuse(Code::NotRequester, || {
                        format!("{} did not make {}, so cannot cancel it", self.du(actor), self.dpq(request))
                    });
                }
                if r.status != PackageRequestStatus::Pending {
                    return refuse(Code::RequestNotPending, || {
                        format!("{} is {}, not pending", self.dpq(request), r.status.as_str())
                    });
                }
                Ok(PackagePlan::Cancel { request, by: actor })
            }
            Command::AssignPackage { actor, package, user, policy, justification } => {
                let actor_r = a.actor(actor);
                let package_r = a.package(package);
                let user_r = a.user(user);
                let policy_r = a.policy(policy, package_r.as_ref().ok().copied());
                let (actor, package, user, policy) = (actor_r?, package_r?, user_r?, policy_r?);
                self.active(actor)?;
                self.package_admin(actor, || format!("assign {}", self.dpk(package)))?;
                let pol = &self.pkg.policies[policy as usize];
                let none = pol.requestors == Requestors::None;
                if !none && !self.policy_covers(pol, user) {
                    return refuse(Code::NotInPolicyScope, || {
                        format!("{} is not among the requestors of policy {:?} ({})", self.du(user), pol.name, pol.id)
                    });
                }
                self.check_incompatible(package, user)?;
                if !none && !pol.stages.is_empty() {
                    return refuse(Code::ApprovalRequired, || {
                        format!(
                            "policy {:?} ({}) asks for approval; a direct assignment cannot bypass it",
                            pol.name, pol.id
                        )
                    });
                }
                self.check_not_assigned(package, user)?;
                Ok(PackagePlan::Assign { package, policy, user, justification: justification.clone() })
            }
            Command::RemoveAssignment { actor, assignment } | Command::ReprocessAssignment { actor, assignment } => {
                let remove = matches!(cmd, Command::RemoveAssignment { .. });
                let actor_r = a.actor(actor);
                let assignment_r = a.assignment(assignment);
                let (actor, assignment) = (actor_r?, assignment_r?);
                self.active(actor)?;
                let x = &self.pkg.assignments[assignment as usize];
                if remove {
                    if x.user != actor && !self.group_admin(actor) {
                        return refuse(Code::NotRequester, || {
                            format!("{} is not the user of assignment {}, so cannot remove it", self.du(actor), x.id)
                        });
                    }
                } else {
                    self.package_admin(actor, || format!("reprocess assignment {}", x.id))?;
                }
                if x.state != AssignmentState::Delivered {
                    return refuse(Code::AssignmentNotActive, || {
                        format!("assignment {} is {}, not active", x.id, x.state.as_str())
                    });
                }
                Ok(if remove { PackagePlan::Remove { assignment } } else { PackagePlan::Reprocess { assignment } })
            }
            _ => refuse(Code::UnknownCommand, || format!("{} is not an access package command", cmd.name())),
        }
    }

    /// R-12.2's `package` route through group `g`: the first package (creation order)
    /// holding it whose `request_package` by `u` without a policy would be allowed and picks a
    /// policy of no stage or one; with its stage's deciders (the helpers, before the role
    /// filter).
    pub(crate) fn package_route(
        &self,
        u: UserIx,
        g: GroupIx,
        justification: &str,
    ) -> Option<(PackageIx, bool, Vec<UserIx>)> {
        self.pkg.packages.iter().enumerate().filter(|(_, p)| !p.deleted && p.groups.contains(&g)).find_map(|(i, _)| {
            let p = i as PackageIx;
            let PackagePlan::Request { policy, .. } = self.decide_request_package(u, p, None, justification).ok()?
            else {
                return None;
            };
            let stages = &self.pkg.policies[policy as usize].stages;
            match stages.as_slice() {
                [] => Some((p, false, Vec::new())),
                [stage] => Some((p, true, self.stage_deciders(stage, u))),
                _ => None,
            }
        })
    }

    /// once the references resolved and the actor is enabled.
    pub(crate) fn decide_request_package(
        &self,
        actor: UserIx,
        package: PackageIx,
        named: Option<PolicyIx>,
        justification: &str,
    ) -> Result<PackagePlan> {
        let policy = match named {
            Some(p) if self.policy_offers(p, actor) => p,
            Some(p) => {
                let pol = &self.pkg.policies[p as usize];
                return refuse(Code::NotInPolicyScope, || {
                    format!(
                        "policy {:?} ({}) of {} does not offer itself to {}",
                        pol.name,
                        pol.id,
                        self.dpk(package),
                        self.du(actor)
                    )
                });
            }
            None => match self.pkg.packages[package as usize]
                .policies
                .iter()
                .copied()
                .find(|p| self.policy_offers(*p, actor))
            {
                Some(p) => p,
                None => {
                    return refuse(Code::NotInPolicyScope, || {
                        format!("no policy of {} offers itself to {}", self.dpk(package), self.du(actor))
                    });
                }
            },
        };
        self.check_incompatible(package, actor)?;
        if self.pkg.policies[policy as usize].justification_required && justification.trim().is_empty() {
            return refuse(Code::JustificationRequired, || {
                format!("requesting {} needs a justification", self.dpk(package))
            });
        }
        self.check_not_assigned(package, actor)?;
        Ok(PackagePlan::Request { package, policy, requester: actor, justification: justification.to_string() })
    }

    fn policy_name(&self, raw: &str) -> Result<String> {
        clean_name(raw)
            .map(str::to_string)
            .ok_or_else(|| Error::new(Code::InvalidName, format!("{raw:?} is not a valid policy name")))
    }

    fn unique_policy_name(&self, package: PackageIx, name: &str, except: Option<PolicyIx>) -> Result<()> {
        let key = fold(name);
        let clash = self.pkg.packages[package as usize]
            .policies
            .iter()
            .find(|p| Some(**p) != except && fold(&self.pkg.policies[**p as usize].name) == key);
        match clash {
            Some(p) => refuse(Code::DuplicateName, || {
                format!(
                    "{} already has a policy named {name:?} ({})",
                    self.dpk(package),
                    self.pkg.policies[*p as usize].id
                )
            }),
            None => Ok(()),
        }
    }

    // ----- lookups (R-15.16) ------------------------------------------------------------------

    /// A live package by id, then name (`package_not_found`).
    pub fn find_package(&self, r: &str) -> Result<PackageIx> {
        if let Some(Object::Package(PackageObject::Package(p))) = self.ids.get(r) {
            if !self.pkg.packages[*p as usize].deleted {
                return Ok(*p);
            }
        }
        self.pkg.index.names.get(fold(r.trim()).as_ref()).copied().ok_or_else(|| {
            Error::new(Code::PackageNotFound, format!("there is no access package {r:?} in tenant {:?}", self.name))
        })
    }

    /// A live policy by id or, where its package is named, by name (`policy_not_found`, also
    /// for a policy of another package).
    pub fn find_policy(&self, r: &str, package: Option<PackageIx>) -> Result<PolicyIx> {
        let found = match self.ids.get(r) {
            Some(Object::Package(PackageObject::Policy(x))) if !self.pkg.policies[*x as usize].deleted => Some(*x),
            _ => package.and_then(|p| {
                let key = fold(r.trim());
                self.pkg.packages[p as usize]
                    .policies
                    .iter()
                    .copied()
                    .find(|x| fold(&self.pkg.policies[*x as usize].name) == key)
            }),
        };
        match found {
            Some(x) if package.is_none_or(|p| self.pkg.policies[x as usize].package == p) => Ok(x),
            Some(x) => Err(Error::new(
                Code::PolicyNotFound,
                format!(
                    "policy {} is not a policy of {}",
                    self.pkg.policies[x as usize].id,
                    package.map(|p| self.dpk(p)).unwrap_or_default()
                ),
            )),
            None => {
                Err(Error::new(Code::PolicyNotFound, format!("there is no policy {r:?} in tenant {:?}", self.name)))
            }
        }
    }

    /// A package request by id (`request_not_found`).
    pub fn find_package_request(&self, r: &str) -> Result<PackageRequestIx> {
        match self.ids.get(r) {
            Some(Object::Package(PackageObject::Request(q))) => Ok(*q),
            _ => Err(Error::new(
                Code::RequestNotFound,
                format!("there is no package request {r:?} in tenant {:?}", self.name),
            )),
        }
    }

    /// An assignment by id (`assignment_not_found`).
    pub fn find_assignment(&self, r: &str) -> Result<AssignmentIx> {
        match self.ids.get(r) {
            Some(Object::Package(PackageObject::Assignment(x))) => Ok(*x),
            _ => Err(Error::new(
                Code::AssignmentNotFound,
                format!("there is no package assignment {r:?} in tenant {:?}", self.name),
            )),
        }
    }

    /// `other` as an id (a package or a group), a package name, then a group name;
    /// unresolved: `package_not_found`.
    pub(crate) fn find_other(&self, r: &str) -> Result<Other> {
        match self.ids.get(r) {
            Some(Object::Package(PackageObject::Package(p))) if !self.pkg.packages[*p as usize].deleted => {
                return Ok(Other::Package(*p))
            }
            Some(Object::Group(g)) if self.live_group(*g).is_some() => return Ok(Other::Group(*g)),
            _ => {}
        }
        if let Some(p) = self.pkg.index.names.get(fold(r.trim()).as_ref()) {
            return Ok(Other::Package(*p));
        }
        match self.find_group(r) {
            Ok(g) => Ok(Other::Group(g)),
            Err(e) if e.code() == Some(Code::AmbiguousName) => Err(e),
            Err(_) => Err(Error::new(
                Code::PackageNotFound,
                format!("there is no access package or group {r:?} in tenant {:?}", self.name),
            )),
        }
    }

    pub(crate) fn dpk(&self, p: PackageIx) -> String {
        match self.pkg.packages.get(p as usize) {
            Some(p) => format!("access package {:?} ({})", p.name, p.id),
            None => String::from("an access package"),
        }
    }

    pub(crate) fn dpq(&self, q: PackageRequestIx) -> String {
        self.pkg.requests.get(q as usize).map(|q| format!("package request {}", q.id)).unwrap_or_default()
    }
}

/// The expiry instant of an assignment delivered now.
pub(crate) fn expiry_at(expires: Expires, now: crate::model::Timestamp) -> Option<crate::model::Timestamp> {
    match expires {
        Expires::Never => None,
        Expires::Days(d) => Some(now.saturating_add(d.saturating_mul(DAY))),
        Expires::At(at) => Some(at.max(now)),
    }
}

trait Step {
    fn family_step(&self) -> u8;
}

impl Step for Error {
    /// 1 for NotFound and ambiguous names (§9 step 1), else 2.
    fn family_step(&self) -> u8 {
        match self.code() {
            Some(c) if c.family() == crate::error::Family::NotFound || c == Code::AmbiguousName => 1,
            _ => 2,
        }
    }
}

//! the ways a user could come to reach a resource through self-service, each step
//! decided by its command's rule as it would be at its point in the route.

use super::{Route, RouteKind, Step};
use crate::model::*;
use crate::rules::quietly;
use crate::tenant::Tenant;
use rustc_hash::FxHashSet;
use serde_json::Value;

/// A group a route may go through, with its chain out to an assigned group (inner first).
pub(crate) struct Considered {
    pub group: GroupIx,
    pub via: Vec<GroupIx>,
}

/// What routes to one resource have in common, worked out once for many users.
pub(crate) struct RouteContext {
    pub resource: ResourceIx,
    /// The groups considered, in creation order.
    pub groups: Vec<Considered>,
    /// `"Access to <resource name>"`.
    pub justification: String,
}

/// A route by index.
#[derive(Debug, Clone)]
pub(crate) struct RoutePlan {
    pub kind: RouteKind,
    /// Index into the context's groups (none for the assign kinds).
    pub considered: Option<usize>,
    pub helpers: Vec<UserIx>,
    /// The user's pending request for the group (`request` routes of one step).
    pub pending: Option<RequestIx>,
    /// §15: the package of a `package` route, and whether its policy has a stage.
    pub package: Option<(u32, bool)>,
}

impl RoutePlan {
    fn steps(&self) -> usize {
        match (self.kind, self.pending) {
            (RouteKind::Request, None) => 2,
            (RouteKind::Package, _) if self.package.is_some_and(|(_, staged)| staged) => 2,
            _ => 1,
        }
    }
}

impl Tenant {
    /// the routes of `u` to `r`, in R-12.2's order.
    pub fn routes(&self, u: UserIx, r: ResourceIx) -> Vec<Route> {
        let Some(ctx) = self.route_context(r) else { return Vec::new() };
        self.route_plans(&ctx, u).iter().map(|p| self.route_record(&ctx, u, p)).collect()
    }

    /// The groups considers for `r`: those assigned to it and, for a site, every group
    /// inside them, each with its `via` chain (for a site, the first in R-7.8's depth-first
    /// member order).
    pub(crate) fn route_context(&self, r: ResourceIx) -> Option<RouteContext> {
        let res = self.resources.get(r as usize)?;
        let assigned: Vec<GroupIx> = res
            .assigned
            .iter()
            .filter_map(|p| match p {
                Principal::Group(g) if self.live_group(*g).is_some() => Some(*g),
                _ => None,
            })
            .collect();
        let mut seen: FxHashSet<GroupIx> = assigned.iter().copied().collect();
        let mut groups: Vec<Considered> = assigned.iter().map(|g| Considered { group: *g, via: vec![*g] }).collect();
        if res.kind == ResourceKind::Site {
            for a in &assigned {
                let mut trail = vec![*a];
                self.nested_chains(*a, &mut trail, &mut seen, &mut groups);
            }
        }
        groups.sort_by_key(|c| c.group);
        Some(RouteContext { resource: r, groups, justification: format!("Access to {}", res.name) })
    }

    /// Depth-first in member order below `g`: the first chain to each group not met before.
    fn nested_chains(
        &self,
        g: GroupIx,
        trail: &mut Vec<GroupIx>,
        seen: &mut FxHashSet<GroupIx>,
        out: &mut Vec<Considered>,
    ) {
        for m in &self.groups[g as usize].members {
            if let Principal::Group(c) = *m {
                if trail.contains(&c) {
                    continue;
                }
                trail.push(c);
                if seen.insert(c) {
                    out.push(Considered { group: c, via: trail.iter().rev().copied().collect() });
                }
                self.nested_chains(c, trail, seen, out);
                trail.pop();
            }
        }
    }

    fn role_less(&self, u: UserIx) -> bool {
        self.users[u as usize].roles == Roles::default()
    }

    /// Whether `u` can have no routes at all: a role, access already, disabled, blocked.
    pub(crate) fn routes_excluded(&self, u: UserIx, r: ResourceIx) -> bool {
        let Some(user) = self.users.get(u as usize) else { return true };
        !self.role_less(u)
            || !user.enabled
            || self.resources[r as usize].blocked_set.contains(&u)
            || self.has_access_ix(u, r)
    }

    /// Role-less users other than `u` among `candidates` for whom `allowed` holds, in
    /// creation order.
    fn helpers(&self, u: UserIx, candidates: &[UserIx], allowed: impl Fn(UserIx) -> bool) -> Vec<UserIx> {
        let mut out: Vec<UserIx> =
            candidates.iter().copied().filter(|h| *h != u && self.role_less(*h) && allowed(*h)).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The routes of `u` in a context, in R-12.2's order.
    pub(crate) fn route_plans(&self, ctx: &RouteContext, u: UserIx) -> Vec<RoutePlan> {
        let r = ctx.resource;
        if self.routes_excluded(u, r) {
            return Vec::new();
        }
        quietly(|| {
            let mut out: Vec<RoutePlan> = Vec::new();
            let plan =
                |kind, considered, helpers, pending| RoutePlan { kind, considered, helpers, pending, package: None };
            let me = Principal::User(u);
            let res = &self.resources[r as usize];
            if res.owners.contains(&u) && self.decide_assignment(u, r, me, true).is_ok() {
                out.push(plan(RouteKind::AssignSelf, None, Vec::new(), None));
            }
            let helpers = self.helpers(u, &res.owners, |h| self.decide_assignment(h, r, me, true).is_ok());
            if !helpers.is_empty() {
                out.push(plan(RouteKind::AssignedByOwner, None, helpers, None));
            }
            for (i, c) in ctx.groups.iter().enumerate() {
                let g = c.group;
                if self.is_direct_member(g, me) {
                    continue;
                }
                let group = &self.groups[g as usize];
                let at = Some(i);
                if group.join_policy == JoinPolicy::Open && self.decide_request(u, g, &ctx.justification).is_ok() {
                    out.push(plan(RouteKind::Join, at, Vec::new(), None));
                }
                if group.owners.contains(&u) && self.decide_membership(u, g, me, true).is_ok() {
                    out.push(plan(RouteKind::AddSelf, at, Vec::new(), None));
                }
                if group.join_policy == JoinPolicy::OwnerApproval {
                    let pending = self.pending_request(u, g);
                    // The approve step as it would be once the request is made: pending, for
                    // this live group.
                    if pending.is_some() || self.decide_request(u, g, &ctx.justification).is_ok() {
                        let helpers = self.helpers(u, &group.owners, |h| self.decide_pending_request(h, g).is_ok());
                        if !helpers.is_empty() {
                            out.push(plan(RouteKind::Request, at, helpers, pending));
                        }
                    }
                }
                let helpers = self.helpers(u, &group.owners, |h| self.decide_membership(h, g, me, true).is_ok());
                if !helpers.is_empty() {
                    out.push(plan(RouteKind::AddedByOwner, at, helpers, None));
                }
                // Access packages (§15): the first package holding the group whose policy
                // for the user has no stage or one.
                if let Some((p, staged, helpers)) = self.package_route(u, g, &ctx.justification) {
                    let helpers = self.helpers(u, &helpers, |_| true);
                    if !staged || !helpers.is_empty() {
                        out.push(RoutePlan {
                            kind: RouteKind::Package,
                            considered: at,
                            helpers,
                            pending: None,
                            package: Some((p, staged)),
                        });
                    }
                }
            }
            out.sort_by_key(|p| {
                let group = p.considered.map(|i| ctx.groups[i].group).unwrap_or(0);
                (!p.helpers.is_empty(), p.steps(), !p.kind.is_assign(), group, p.kind)
            });
            out
        })
    }

    /// The user's pending request to join `g`, if any.
    fn pending_request(&self, u: UserIx, g: GroupIx) -> Option<RequestIx> {
        self.user_requests[u as usize].iter().copied().find(|q| {
            self.requests[*q as usize].group == g && self.requests[*q as usize].status == RequestStatus::Pending
        })
    }

    /// A route record: ids and ready-to-replay steps (API.md).
    pub(crate) fn route_record(&self, ctx: &RouteContext, u: UserIx, p: &RoutePlan) -> Route {
        let uid = |x: UserIx| self.users[x as usize].id.clone();
        let gid = |g: GroupIx| self.groups[g as usize].id.clone();
        let rid = self.resources[ctx.resource as usize].id.clone();
        let considered = p.considered.map(|i| &ctx.groups[i]);
        let group = considered.map(|c| gid(c.group));
        let helper = p.helpers.first().map(|h| uid(*h)).unwrap_or_default();
        let step = |actor: String, command: &str, args: Vec<Value>| Step { actor, command: command.to_string(), args };
        let gv = || Value::from(group.clone().unwrap_or_default());
        let me = || Value::from(uid(u));
        let steps = match p.kind {
            RouteKind::Join => {
                vec![step(uid(u), "request_to_join", vec![gv(), Value::from(ctx.justification.clone())])]
            }
            RouteKind::AddSelf => vec![step(uid(u), "add_member", vec![gv(), me()])],
            RouteKind::Request => match p.pending {
                Some(q) => vec![step(helper, "approve", vec![Value::from(self.requests[q as usize].id.clone())])],
                None => vec![
                    step(uid(u), "request_to_join", vec![gv(), Value::from(ctx.justification.clone())]),
                    step(helper, "approve", vec![Value::Null]),
                ],
            },
            RouteKind::AddedByOwner => vec![step(helper, "add_member", vec![gv(), me()])],
            RouteKind::AssignSelf => vec![step(uid(u), "assign", vec![Value::from(rid), me()])],
            RouteKind::AssignedByOwner => vec![step(helper, "assign", vec![Value::from(rid), me()])],
            RouteKind::Package => {
                let (pk, staged) = p.package.unwrap_or((0, false));
                let pid = self.pkg.packages.get(pk as usize).map(|x| x.id.clone()).unwrap_or_default();
                let mut steps = vec![step(
                    uid(u),
                    "request_package",
                    vec![Value::from(pid), Value::from(ctx.justification.clone())],
                )];
                if staged {
                    steps.push(step(
                        helper,
                        "approve_package_request",
                        vec![Value::Null, Value::from(ctx.justification.clone())],
                    ));
                }
                steps
            }
        };
        Route {
            kind: p.kind,
            group,
            via: considered.map(|c| c.via.iter().map(|g| gid(*g)).collect()).unwrap_or_default(),
            helpers: p.helpers.iter().map(|h| uid(*h)).collect(),
            steps,
        }
    }
}

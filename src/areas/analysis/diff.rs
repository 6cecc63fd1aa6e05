//! two tenants compared object by object, by id.

use super::capabilities::Obj;
use super::{Changes, Diff, Gains, Right};
use crate::model::*;
use crate::tenant::Tenant;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

/// Where each object of one tenant is in another (by id), per kind; `None`: not there (or a
/// deleted group, which is no object).
struct Links {
    users: Vec<Option<UserIx>>,
    groups: Vec<Option<GroupIx>>,
    resources: Vec<Option<ResourceIx>>,
    requests: Vec<Option<RequestIx>>,
    /// Every user, group and resource is at the same index in both (a fork, a replay, a
    /// load): equal lists of indexes then mean equal lists of ids.
    same: bool,
}

impl Links {
    fn new(x: &Tenant, y: &Tenant) -> Links {
        let users: Vec<Option<UserIx>> = x
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| match y.users.get(i) {
                Some(v) if v.id == u.id => Some(i as UserIx),
                _ => match y.ids.get(&u.id) {
                    Some(Object::User(v)) => Some(*v),
                    _ => None,
                },
            })
            .collect();
        let groups: Vec<Option<GroupIx>> = x
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                if g.deleted {
                    return None;
                }
                let found = match y.groups.get(i) {
                    Some(h) if h.id == g.id => Some(i as GroupIx),
                    _ => match y.ids.get(&g.id) {
                        Some(Object::Group(h)) => Some(*h),
                        _ => None,
                    },
                };
                found.filter(|h| y.live_group(*h).is_some())
            })
            .collect();
        let resources: Vec<Option<ResourceIx>> = x
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| match y.resources.get(i) {
                Some(s) if s.id == r.id => Some(i as ResourceIx),
                _ => match y.ids.get(&r.id) {
                    Some(Object::Resource(s)) => Some(*s),
                    _ => None,
                },
            })
            .collect();
        let requests: Vec<Option<RequestIx>> = x
            .requests
            .iter()
            .enumerate()
            .map(|(i, q)| match y.requests.get(i) {
                Some(p) if p.id == q.id => Some(i as RequestIx),
                _ => match y.ids.get(&q.id) {
                    Some(Object::Request(p)) => Some(*p),
                    _ => None,
                },
            })
            .collect();
        let at_home = |links: &[Option<u32>], other: usize| {
            links.len() == other && links.iter().enumerate().all(|(i, l)| l.is_none_or(|j| j as usize == i))
        };
        let same = at_home(&users, y.users.len())
            && y.groups.len() == x.groups.len()
            && x.groups.iter().zip(&y.groups).all(|(a, b)| a.deleted == b.deleted && a.id == b.id)
            && at_home(&resources, y.resources.len());
        Links { users, groups, resources, requests, same }
    }

    fn user(&self, u: UserIx) -> Option<UserIx> {
        self.users.get(u as usize).copied().flatten()
    }

    fn group(&self, g: GroupIx) -> Option<GroupIx> {
        self.groups.get(g as usize).copied().flatten()
    }

    fn resource(&self, r: ResourceIx) -> Option<ResourceIx> {
        self.resources.get(r as usize).copied().flatten()
    }

    fn principal(&self, p: Principal) -> Option<Principal> {
        match p {
            Principal::User(u) => self.user(u).map(Principal::User),
            Principal::Group(g) => self.group(g).map(Principal::Group),
        }
    }

    fn object(&self, o: Obj) -> Option<Obj> {
        match o {
            Obj::Kind(k) => Some(Obj::Kind(k)),
            Obj::Group(g) => self.group(g).map(Obj::Group),
            Obj::Resource(r) => self.resource(r).map(Obj::Resource),
        }
    }
}

/// what differs from `before` to `after`.
pub fn diff(before: &Tenant, after: &Tenant) -> Diff {
    let fwd = Links::new(before, after);
    let back = Links::new(after, before);
    // Who reaches each resource, worked out once per tenant for both directions.
    let (who_before, who_after) = (access_lists(before), access_lists(after));
    let gained_access = only_access(after, &who_after, &who_before, &back);
    let lost_access = only_access(before, &who_before, &who_after, &fwd);
    let capabilities = capabilities(before, after, &fwd);
    Diff {
        access: Gains { gained: gained_access, lost: lost_access },
        capabilities,
        members: Changes { added: only_members(after, before, &back), removed: only_members(before, after, &fwd) },
        owners: Changes { added: only_owners(after, before, &back), removed: only_owners(before, after, &fwd) },
        assignments: Changes {
            added: only_assignments(after, before, &back),
            removed: only_assignments(before, after, &fwd),
        },
        blocks: Changes { added: only_blocks(after, before, &back), removed: only_blocks(before, after, &fwd) },
        objects: Changes {
            // §15's objects follow, by kind.
            added: [only_objects(after, &back), after.package_objects_not_in(before)].concat(),
            removed: [only_objects(before, &fwd), before.package_objects_not_in(after)].concat(),
        },
        settings: settings(before, after),
        requests: requests(before, after, &fwd),
    }
}

fn uid(t: &Tenant, u: UserIx) -> String {
    t.users[u as usize].id.clone()
}

fn rid(t: &Tenant, r: ResourceIx) -> String {
    t.resources[r as usize].id.clone()
}

/// Everyone with effective access to each resource, sorted.
fn access_lists(t: &Tenant) -> Vec<Vec<UserIx>> {
    (0..t.resources.len() as ResourceIx).map(|r| t.who_has_access(r)).collect()
}

/// (user, resource) pairs of effective access in `x` (`who_x`) and not in the other tenant
/// (`who_y`), by user then resource.
fn only_access(x: &Tenant, who_x: &[Vec<UserIx>], who_y: &[Vec<UserIx>], links: &Links) -> Vec<(String, String)> {
    let mut pairs: Vec<(UserIx, ResourceIx)> = Vec::new();
    let none: Vec<UserIx> = Vec::new();
    for (r, here) in who_x.iter().enumerate() {
        let r = r as ResourceIx;
        let there = links.resource(r).and_then(|s| who_y.get(s as usize)).unwrap_or(&none);
        for &u in here {
            let kept = links.user(u).is_some_and(|v| there.binary_search(&v).is_ok());
            if !kept {
                pairs.push((u, r));
            }
        }
    }
    pairs.sort_unstable();
    pairs.into_iter().map(|(u, r)| (uid(x, u), rid(x, r))).collect()
}

/// (group, member) pairs of `x` not in `y`.
fn only_members(x: &Tenant, y: &Tenant, links: &Links) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (g, group) in x.groups() {
        let there = links.group(g);
        if links.same && there.is_some_and(|h| y.groups[h as usize].members == group.members) {
            continue;
        }
        let mut gone: Vec<Principal> = group
            .members
            .iter()
            .copied()
            .filter(|m| match (there, links.principal(*m)) {
                (Some(h), Some(n)) => !y.is_direct_member(h, n),
                _ => true,
            })
            .collect();
        gone.sort_unstable();
        out.extend(gone.into_iter().map(|m| (group.id.clone(), x.principal_id(m).to_string())));
    }
    out
}

/// (group or resource, owner) pairs of `x` not in `y`: groups first.
fn only_owners(x: &Tenant, y: &Tenant, links: &Links) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let missing = |owners: &[UserIx], there: Option<&[UserIx]>| -> Vec<UserIx> {
        let mut gone: Vec<UserIx> = owners
            .iter()
            .copied()
            .filter(|u| match (there, links.user(*u)) {
                (Some(list), Some(v)) => !list.contains(&v),
                _ => true,
            })
            .collect();
        gone.sort_unstable();
        gone
    };
    for (g, group) in x.groups() {
        let there = links.group(g).map(|h| y.groups[h as usize].owners.as_slice());
        out.extend(missing(&group.owners, there).into_iter().map(|u| (group.id.clone(), uid(x, u))));
    }
    for (r, res) in x.resources.iter().enumerate() {
        let there = links.resource(r as ResourceIx).map(|s| y.resources[s as usize].owners.as_slice());
        out.extend(missing(&res.owners, there).into_iter().map(|u| (res.id.clone(), uid(x, u))));
    }
    out
}

/// (resource, principal) pairs of `x` not in `y`.
fn only_assignments(x: &Tenant, y: &Tenant, links: &Links) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (r, res) in x.resources.iter().enumerate() {
        let there = links.resource(r as ResourceIx).map(|s| &y.resources[s as usize]);
        let mut gone: Vec<Principal> = res
            .assigned
            .iter()
            .copied()
            .filter(|p| match (there, links.principal(*p)) {
                (Some(s), Some(Principal::User(v))) => !s.assigned_users.contains(&v),
                (Some(s), Some(Principal::Group(h))) => !s.assigned_groups.contains(&h),
                _ => true,
            })
            .collect();
        gone.sort_unstable();
        out.extend(gone.into_iter().map(|p| (res.id.clone(), x.principal_id(p).to_string())));
    }
    out
}

/// (resource, user) blocks of `x` not in `y`.
fn only_blocks(x: &Tenant, y: &Tenant, links: &Links) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (r, res) in x.resources.iter().enumerate() {
        let there = links.resource(r as ResourceIx).map(|s| &y.resources[s as usize]);
        let mut gone: Vec<UserIx> = res
            .blocked
            .iter()
            .copied()
            .filter(|u| match (there, links.user(*u)) {
                (Some(s), Some(v)) => !s.blocked_set.contains(&v),
                _ => true,
            })
            .collect();
        gone.sort_unstable();
        out.extend(gone.into_iter().map(|u| (res.id.clone(), uid(x, u))));
    }
    out
}

/// Ids of the objects of `x` that are not in the other tenant: users, groups, resources,
/// requests.
fn only_objects(x: &Tenant, links: &Links) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    out.extend(x.users.iter().zip(&links.users).filter(|(_, l)| l.is_none()).map(|(u, _)| u.id.clone()));
    out.extend(x.groups().filter(|(g, _)| links.group(*g).is_none()).map(|(_, g)| g.id.clone()));
    out.extend(x.resources.iter().zip(&links.resources).filter(|(_, l)| l.is_none()).map(|(r, _)| r.id.clone()));
    out.extend(x.requests.iter().zip(&links.requests).filter(|(_, l)| l.is_none()).map(|(q, _)| q.id.clone()));
    out
}

fn settings(before: &Tenant, after: &Tenant) -> Map<String, Value> {
    before
        .settings
        .to_pairs()
        .into_iter()
        .zip(after.settings.to_pairs())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, a), (_, b))| (name.to_string(), Value::Array(vec![a, b])))
        .collect()
}

fn requests(before: &Tenant, after: &Tenant, links: &Links) -> Vec<(String, String, String)> {
    before
        .requests
        .iter()
        .zip(&links.requests)
        .filter_map(|(q, l)| {
            let p = &after.requests[(*l)? as usize];
            (p.status != q.status).then(|| (q.id.clone(), q.status.as_str().to_string(), p.status.as_str().to_string()))
        })
        .collect()
}

/// The resources each user owns, so a diff asks about those only (R-12.1's standing).
fn owned_resources(t: &Tenant) -> FxHashMap<UserIx, Vec<ResourceIx>> {
    let mut owned: FxHashMap<UserIx, Vec<ResourceIx>> = FxHashMap::default();
    for (r, res) in t.resources.iter().enumerate() {
        for u in &res.owners {
            owned.entry(*u).or_default().push(r as ResourceIx);
        }
    }
    owned
}

/// R-12.5 `capabilities`: for users in both tenants who hold no role in either.
fn capabilities(before: &Tenant, after: &Tenant, fwd: &Links) -> Gains<(String, Right, String)> {
    let back = |o: Obj| -> Option<Obj> {
        match o {
            Obj::Kind(k) => Some(Obj::Kind(k)),
            Obj::Group(g) => after.groups.get(g as usize).and_then(|x| match before.object(&x.id) {
                Some(Object::Group(h)) => Some(Obj::Group(h)),
                _ => None,
            }),
            Obj::Resource(r) => after.resources.get(r as usize).and_then(|x| match before.object(&x.id) {
                Some(Object::Resource(s)) => Some(Obj::Resource(s)),
                _ => None,
            }),
        }
    };
    let (owned_before, owned_after) = (owned_resources(before), owned_resources(after));
    let none: &[ResourceIx] = &[];
    let mut lost: Vec<(UserIx, Right, Obj)> = Vec::new();
    let mut gained: Vec<(UserIx, Right, Obj)> = Vec::new();
    for (u, user) in before.users.iter().enumerate() {
        let u = u as UserIx;
        let Some(v) = fwd.user(u) else { continue };
        if user.roles != Roles::default() || after.users[v as usize].roles != Roles::default() {
            continue;
        }
        let mine = before.capability_objects(u, &Right::DIFF, Some(owned_before.get(&u).map_or(none, Vec::as_slice)));
        let theirs = after.capability_objects(v, &Right::DIFF, Some(owned_after.get(&v).map_or(none, Vec::as_slice)));
        if mine == theirs && fwd_is_identity(fwd, &mine) {
            continue;
        }
        for (right, o) in &mine {
            let kept = fwd.object(*o).is_some_and(|p| theirs.contains(&(*right, p)));
            if !kept {
                lost.push((u, *right, *o));
            }
        }
        for (right, o) in &theirs {
            let kept = back(*o).is_some_and(|p| mine.contains(&(*right, p)));
            if !kept {
                gained.push((v, *right, *o));
            }
        }
    }
    gained.sort_unstable();
    let name = |t: &Tenant, (u, right, o): (UserIx, Right, Obj)| (uid(t, u), right, t.object_id(o));
    Gains {
        gained: gained.into_iter().map(|x| name(after, x)).collect(),
        lost: lost.into_iter().map(|x| name(before, x)).collect(),
    }
}

/// Whether every object of `caps` keeps its index in the other tenant (so equal lists mean
/// equal capabilities).
fn fwd_is_identity(fwd: &Links, caps: &[(Right, Obj)]) -> bool {
    caps.iter().all(|(_, o)| fwd.object(*o) == Some(*o))
}

//! A tenant's state as plain data, so a snapshot loads by reading rather than by replaying
//! its history. Only what cannot be derived is written (objects, links, logs, clock, id
//! counters); every index is rebuilt on load.
//!
//! A principal (a member or an assignment) is written as one number: `index * 2` for a user,
//! `index * 2 + 1` for a group.

use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::records::{AuditEntry, Change, Notification, ProvisioningEvent};
use crate::schedule::{Event, Key, Notice, Schedule};
use crate::tenant::Tenant;
use serde::{Deserialize, Serialize};

fn p_out(p: &Principal) -> u64 {
    match *p {
        Principal::User(u) => u64::from(u) * 2,
        Principal::Group(g) => u64::from(g) * 2 + 1,
    }
}

fn p_in(x: u64) -> Result<Principal> {
    let ix = u32::try_from(x / 2).map_err(|_| bad("a member index is out of range"))?;
    Ok(if x % 2 == 0 { Principal::User(ix) } else { Principal::Group(ix) })
}

fn bad(why: &str) -> Error {
    Error::new(Code::CorruptSnapshot, format!("the snapshot's state is damaged: {why}"))
}

#[derive(Serialize, Deserialize)]
struct UserState {
    id: String,
    upn: String,
    display_name: String,
    department: Option<String>,
    roles: Vec<Role>,
    enabled: bool,
    // §14 (absent from older snapshots: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_sign_in: Option<Timestamp>,
    // §15 (absent from older snapshots: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    manager: Option<UserIx>,
}

#[derive(Serialize, Deserialize)]
struct GroupState {
    id: String,
    name: String,
    description: String,
    kind: String,
    join_policy: String,
    owners: Vec<UserIx>,
    members: Vec<u64>,
    on_premises: bool,
    created_by: Option<UserIx>,
    created_at: Timestamp,
    deleted: bool,
    // §13 (absent from older snapshots: their defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    renewed_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_activity: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "is_false")]
    active_since_anchor: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deleted_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kept: Option<KeptState>,
    #[serde(default)]
    deleted_order: u64,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize, Deserialize)]
struct KeptState {
    owners: Vec<UserIx>,
    members: Vec<UserIx>,
    assigned_to: Vec<ResourceIx>,
    selected: bool,
}

#[derive(Serialize, Deserialize)]
struct NotificationState {
    seq: u64,
    time: Timestamp,
    group: String,
    notice: Notice,
    recipients: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct ResourceState {
    id: String,
    name: String,
    kind: String,
    owners: Vec<UserIx>,
    assigned: Vec<u64>,
    blocked: Vec<UserIx>,
}

#[derive(Serialize, Deserialize)]
struct RequestState {
    id: String,
    group: GroupIx,
    requester: UserIx,
    justification: String,
    status: String,
    decided_by: Option<UserIx>,
    reason: String,
    created_at: Timestamp,
    decided_at: Option<Timestamp>,
}

#[derive(Serialize, Deserialize)]
struct AuditState {
    seq: u64,
    time: Timestamp,
    actor: String,
    activity: String,
    targets: Vec<String>,
    success: bool,
    code: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct ProvisioningState {
    seq: u64,
    time: Timestamp,
    user: String,
    resource: String,
    provisioned: bool,
    cause: u64,
}

/// The state of a tenant, as written in a snapshot.
#[derive(Serialize, Deserialize)]
pub struct State {
    settings: Settings,
    now: Timestamp,
    next_id: [u64; 4],
    users: Vec<UserState>,
    groups: Vec<GroupState>,
    resources: Vec<ResourceState>,
    requests: Vec<RequestState>,
    audit: Vec<AuditState>,
    provisioning: Vec<ProvisioningState>,
    // §13 (absent from older snapshots: empty).
    #[serde(default)]
    selected: Vec<GroupIx>,
    #[serde(default)]
    next_deleted: u64,
    #[serde(default)]
    notifications: Vec<NotificationState>,
    #[serde(default)]
    schedule: Vec<(Key, Event)>,
    #[serde(default)]
    schedule_seq: u64,
    // §14 (absent from older snapshots: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    reviews: Vec<crate::reviews::Review>,
    #[serde(default = "one")]
    next_review_id: u64,
    // §15 (absent from older snapshots: none).
    #[serde(default)]
    packages: crate::packages::Packages,
}

fn one() -> u64 {
    1
}

/// Every audit activity name, so a loaded entry can name its activity without allocating.
pub(crate) const ACTIVITIES: [&str; 43] = [
    "Add user",
    "Update user",
    "Import directory",
    "Update group settings",
    "Add group",
    "Update group",
    "Delete group",
    "Add member to group",
    "Remove member from group",
    "Add owner to group",
    "Remove owner from group",
    "Request to join a group",
    "Approve a pending request to join a group",
    "Reject a pending request to join a group",
    "Cancel a pending request to join a group",
    "Add resource",
    "Add owner to resource",
    "Remove owner from resource",
    "Add app role assignment to group",
    "Add app role assignment grant to user",
    "Remove app role assignment from group",
    "Remove app role assignment from user",
    "Block user from resource",
    "Unblock user from resource",
    "List group members",
    "List resource access",
    "Add group to lifecycle policy",
    "Remove group from lifecycle policy",
    "Renew group",
    "Autorenew group",
    "Restore group",
    "Hard delete group",
    "Record group activity",
    // §14
    "Create access review",
    "Approve decision",
    "Deny decision",
    "Don't know decision",
    "Update access review",
    "Access review ended",
    "Apply review",
    "Auto apply review",
    "Record sign-in",
    "",
];

impl State {
    /// The state of `t`.
    pub fn of(t: &Tenant) -> State {
        State {
            settings: t.settings.clone(),
            now: t.now,
            next_id: t.next_id,
            users: t
                .users
                .iter()
                .map(|u| UserState {
                    id: u.id.clone(),
                    upn: u.upn.clone(),
                    display_name: u.display_name.clone(),
                    department: u.department.clone(),
                    roles: u.roles.list(),
                    enabled: u.enabled,
                    last_sign_in: u.last_sign_in,
                    manager: u.manager,
                })
                .collect(),
            groups: t
                .groups
                .iter()
                .map(|g| GroupState {
                    id: g.id.clone(),
                    name: g.name.clone(),
                    description: g.description.clone(),
                    kind: g.kind.as_str().into(),
                    join_policy: g.join_policy.as_str().into(),
                    owners: g.owners.clone(),
                    members: g.members.iter().map(p_out).collect(),
                    on_premises: g.on_premises,
                    created_by: g.created_by,
                    created_at: g.created_at,
                    deleted: g.deleted,
                    expires_at: g.expires_at,
                    renewed_at: g.renewed_at,
                    last_activity: g.last_activity,
                    active_since_anchor: g.active_since_anchor,
                    deleted_at: g.deleted_at,
                    kept: g.kept.as_ref().map(|k| KeptState {
                        owners: k.owners.clone(),
                        members: k.members.clone(),
                        assigned_to: k.assigned_to.clone(),
                        selected: k.selected,
                    }),
                    deleted_order: g.deleted_order,
                })
                .collect(),
            resources: t
                .resources
                .iter()
                .map(|r| ResourceState {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    kind: r.kind.as_str().into(),
                    owners: r.owners.clone(),
                    assigned: r.assigned.iter().map(p_out).collect(),
                    blocked: r.blocked.clone(),
                })
                .collect(),
            requests: t
                .requests
                .iter()
                .map(|q| RequestState {
                    id: q.id.clone(),
                    group: q.group,
                    requester: q.requester,
                    justification: q.justification.clone(),
                    status: q.status.as_str().into(),
                    decided_by: q.decided_by,
                    reason: q.reason.clone(),
                    created_at: q.created_at,
                    decided_at: q.decided_at,
                })
                .collect(),
            audit: t
                .audit
                .iter()
                .map(|e| AuditState {
                    seq: e.seq,
                    time: e.time,
                    actor: e.actor.clone(),
                    activity: e.activity.into(),
                    targets: e.targets.clone(),
                    success: e.success,
                    code: e.code.map(|c| c.as_str().to_string()),
                })
                .collect(),
            provisioning: t
                .provisioning
                .iter()
                .map(|e| ProvisioningState {
                    seq: e.seq,
                    time: e.time,
                    user: e.user.clone(),
                    resource: e.resource.clone(),
                    provisioned: e.change == Change::Provisioned,
                    cause: e.cause,
                })
                .collect(),
            selected: t.selected.clone(),
            next_deleted: t.next_deleted,
            notifications: t
                .notifications
                .iter()
                .map(|n| NotificationState {
                    seq: n.seq,
                    time: n.time,
                    group: n.group.clone(),
                    notice: n.notice,
                    recipients: n.recipients.clone(),
                })
                .collect(),
            schedule: t.schedule.iter().map(|(k, e)| (*k, *e)).collect(),
            schedule_seq: t.schedule.next_seq(),
            reviews: t.reviews.clone(),
            next_review_id: t.next_review_id,
            packages: t.pkg.clone(),
        }
    }

    /// Rebuilds a tenant named `name` from this state; every index is derived again.
    /// A reference out of range or an unknown name is `corrupt_snapshot`.
    pub fn into_tenant(self, name: &str) -> Result<Tenant> {
        let mut t = Tenant::new(name);
        t.settings = self.settings;
        t.now = self.now;
        let (nu, ng, nr) = (self.users.len(), self.groups.len(), self.resources.len());
        let user_ok = |u: UserIx| (u as usize) < nu;
        let principal_ok = |p: Principal| match p {
            Principal::User(u) => (u as usize) < nu,
            Principal::Group(g) => (g as usize) < ng,
        };
        t.users.reserve(nu);
        t.user_requests.reserve(nu);
        t.upns.reserve(nu);
        t.ids.reserve(nu + ng + self.resources.len() + self.requests.len());
        t.groups.reserve(ng);
        t.group_names.reserve(ng);
        for u in self.users {
            let roles = u.roles.into_iter().fold(Roles::default(), Roles::with);
            if t.ids.contains_key(&u.id) || t.upns.contains_key(fold(&u.upn).as_ref()) {
                return Err(bad(&format!("user {} appears twice", u.id)));
            }
            let ix = t.register_user(u.id, u.upn, u.display_name, u.department, roles, u.enabled);
            t.users[ix as usize].last_sign_in = u.last_sign_in;
            t.users[ix as usize].manager = u.manager;
        }
        let mut links = Vec::with_capacity(ng);
        for g in self.groups {
            let kind = GroupKind::parse(&g.kind).ok_or_else(|| bad(&format!("unknown group kind {:?}", g.kind)))?;
            let join_policy = JoinPolicy::parse(&g.join_policy)
                .ok_or_else(|| bad(&format!("unknown join policy {:?}", g.join_policy)))?;
            if t.ids.contains_key(&g.id) || g.created_by.is_some_and(|u| !user_ok(u)) {
                return Err(bad(&format!("group {} is inconsistent", g.id)));
            }
            let spec = NewGroup {
                name: g.name,
                description: g.description,
                kind,
                join_policy,
                owners: Vec::new(),
                members: Vec::new(),
                on_premises: g.on_premises,
                created_by: if g.deleted { None } else { g.created_by },
                id: None,
            };
            let ix = t.register_group(g.id, &spec);
            let kept = match g.kept {
                Some(k) => {
                    let ok = k.owners.iter().chain(&k.members).all(|u| user_ok(*u))
                        && k.assigned_to.iter().all(|r| (*r as usize) < nr);
                    if !ok || !g.deleted {
                        return Err(bad(&format!("deleted group {ix} is inconsistent")));
                    }
                    t.deleted_order.insert(g.deleted_order, ix);
                    Some(Box::new(Kept {
                        owners: k.owners,
                        members: k.members,
                        assigned_to: k.assigned_to,
                        selected: k.selected,
                    }))
                }
                None => None,
            };
            if let Some(group) = t.groups.get_mut(ix as usize) {
                group.created_at = g.created_at;
                group.created_by = g.created_by;
                group.deleted = g.deleted;
                group.expires_at = g.expires_at;
                group.renewed_at = g.renewed_at;
                group.last_activity = g.last_activity;
                group.active_since_anchor = g.active_since_anchor;
                group.deleted_at = g.deleted_at;
                group.kept = kept;
                group.deleted_order = g.deleted_order;
            }
            if g.deleted {
                t.unname_group(ix);
            }
            let members = g.members.into_iter().map(p_in).collect::<Result<Vec<_>>>()?;
            if !g.owners.iter().all(|u| user_ok(*u)) || !members.iter().all(|p| principal_ok(*p)) {
                return Err(bad(&format!("group {} names an object that does not exist", ix)));
            }
            links.push((ix, g.owners, members));
        }
        t.link_groups(links);
        for r in self.resources {
            let kind =
                ResourceKind::parse(&r.kind).ok_or_else(|| bad(&format!("unknown resource kind {:?}", r.kind)))?;
            if t.ids.contains_key(&r.id) || t.resource_names.contains_key(fold(&r.name).as_ref()) {
                return Err(bad(&format!("resource {} appears twice", r.id)));
            }
            let assigned = r.assigned.into_iter().map(p_in).collect::<Result<Vec<_>>>()?;
            if !r.owners.iter().chain(&r.blocked).all(|u| user_ok(*u)) || !assigned.iter().all(|p| principal_ok(*p)) {
                return Err(bad(&format!("resource {} names an object that does not exist", r.id)));
            }
            let x = t.register_resource(r.id, r.name, kind);
            for u in r.owners {
                t.link_resource_owner(x, u);
            }
            for p in assigned {
                t.link_assignment(x, p);
            }
            for u in r.blocked {
                t.link_block(x, u);
            }
        }
        for q in self.requests {
            let status = RequestStatus::parse(&q.status)
                .ok_or_else(|| bad(&format!("unknown request status {:?}", q.status)))?;
            if (q.group as usize) >= ng || !user_ok(q.requester) || q.decided_by.is_some_and(|u| !user_ok(u)) {
                return Err(bad(&format!("request {} names an object that does not exist", q.id)));
            }
            if t.ids.contains_key(&q.id) {
                return Err(bad(&format!("request {} appears twice", q.id)));
            }
            let ix = t.requests.len() as RequestIx;
            t.ids.insert(q.id.clone(), Object::Request(ix));
            if status == RequestStatus::Pending {
                t.pending.insert(ix);
            }
            if let Some(list) = t.user_requests.get_mut(q.requester as usize) {
                list.push(ix);
            }
            t.requests.push(Request {
                id: q.id,
                group: q.group,
                requester: q.requester,
                justification: q.justification,
                status,
                decided_by: q.decided_by,
                reason: q.reason,
                created_at: q.created_at,
                decided_at: q.decided_at,
            });
        }
        t.audit.reserve(self.audit.len());
        for e in self.audit {
            let activity = ACTIVITIES
                .iter()
                .chain(crate::packages::ACTIVITIES.iter())
                .find(|a| **a == e.activity)
                .copied()
                .ok_or_else(|| bad(&format!("unknown audit activity {:?}", e.activity)))?;
            let code = match e.code {
                Some(c) => Some(Code::from_name(&c).ok_or_else(|| bad(&format!("unknown code {c:?}")))?),
                None => None,
            };
            t.audit.push(AuditEntry {
                seq: e.seq,
                time: e.time,
                actor: e.actor,
                activity,
                targets: e.targets,
                success: e.success,
                code,
            });
        }
        t.provisioning = self
            .provisioning
            .into_iter()
            .map(|e| ProvisioningEvent {
                seq: e.seq,
                time: e.time,
                user: e.user,
                resource: e.resource,
                change: if e.provisioned { Change::Provisioned } else { Change::Deprovisioned },
                cause: e.cause,
            })
            .collect();
        if self.selected.iter().any(|g| (*g as usize) >= ng) {
            return Err(bad("the expiration policy lists a group that does not exist"));
        }
        t.selected = self.selected;
        t.next_deleted = self.next_deleted;
        t.notifications = self
            .notifications
            .into_iter()
            .map(|n| Notification {
                seq: n.seq,
                time: n.time,
                group: n.group,
                notice: n.notice,
                recipients: n.recipients,
            })
            .collect();
        t.restore_reviews(self.reviews, self.next_review_id).map_err(|why| bad(&why))?;
        let nv = t.reviews.len();
        if self.schedule.iter().any(|(_, e)| !event_ok(e, ng, nv)) {
            return Err(bad("a scheduled event names an object that does not exist"));
        }
        // §15: objects, their ids and indexes; events naming them.
        t.pkg = self.packages;
        if !t.packages_consistent() {
            return Err(bad("an access package object names something that does not exist"));
        }
        let (nq, na) = (t.pkg.requests.len(), t.pkg.assignments.len());
        let package_event_ok = |e: &Event| match *e {
            Event::PackageTimeout { request, .. } => (request as usize) < nq,
            Event::PackageExpiry { assignment, .. } => (assignment as usize) < na,
            _ => true,
        };
        if !self.schedule.iter().all(|(_, e)| package_event_ok(e)) {
            return Err(bad("a scheduled event names a package request or assignment that does not exist"));
        }
        t.rebuild_packages();
        t.schedule = Schedule::restore(self.schedule, self.schedule_seq);
        // Counters last: registering above must not have moved them.
        t.next_id = self.next_id;
        Ok(t)
    }
}

/// Whether a scheduled event read back names objects the state has.
fn event_ok(e: &Event, groups: usize, reviews: usize) -> bool {
    match *e {
        Event::Notice { group, .. } | Event::AutoRenew { group } | Event::Expire { group } | Event::Purge { group } => {
            (group as usize) < groups
        }
        Event::ReviewEnd { review } | Event::ReviewAutoApply { review } => (review as usize) < reviews,
        Event::PackageTimeout { .. } | Event::PackageExpiry { .. } => true,
    }
}

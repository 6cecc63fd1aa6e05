//! Plain JSON views of objects and records: what `to_dict()` returns in Python and what a
//! Rhai script sees as a map. One place, so both faces show the same fields.
//!
//! Times are RFC 3339 strings here; the Python face turns the fields named in
//! [`TIME_FIELDS`] into `datetime`s.

use crate::access::{Access, AccessPanel};
use crate::model::*;
use crate::records::{AuditEntry, Decision, ImportCounts, Notification, ProvisioningEvent};
use crate::tenant::Tenant;
use serde_json::{json, Map, Value};

/// Fields that hold instants.
pub const TIME_FIELDS: [&str; 8] =
    ["time", "created_at", "decided_at", "now", "expires_at", "renewed_at", "last_activity", "deleted_at"];

fn opt_time(t: Option<Timestamp>) -> Value {
    t.map(|t| Value::from(format_time(t))).unwrap_or(Value::Null)
}

impl Tenant {
    fn uid(&self, u: UserIx) -> Value {
        self.users.get(u as usize).map(|u| Value::from(u.id.clone())).unwrap_or(Value::Null)
    }

    fn gid(&self, g: GroupIx) -> Value {
        self.groups.get(g as usize).map(|g| Value::from(g.id.clone())).unwrap_or(Value::Null)
    }

    /// A user as a map.
    pub fn user_view(&self, u: UserIx) -> Value {
        let Some(x) = self.users.get(u as usize) else { return Value::Null };
        json!({
            "id": x.id, "upn": x.upn, "display_name": x.display_name, "department": x.department,
            "roles": x.roles.list().iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "enabled": x.enabled,
        })
    }

    /// A group as a map (owners and members as ids).
    pub fn group_view(&self, g: GroupIx) -> Value {
        let Some(x) = self.groups.get(g as usize) else { return Value::Null };
        json!({
            "id": x.id, "name": x.name, "description": x.description, "kind": x.kind.as_str(),
            "join_policy": x.join_policy.as_str(),
            "owners": x.owners.iter().map(|u| self.uid(*u)).collect::<Vec<_>>(),
            "members": x.members.iter().map(|p| Value::from(self.principal_id(*p))).collect::<Vec<_>>(),
            "on_premises": x.on_premises,
            "created_by": x.created_by.map(|u| self.uid(u)).unwrap_or(Value::Null),
            "created_at": format_time(x.created_at),
            "expires_at": opt_time(x.expires_at), "renewed_at": opt_time(x.renewed_at),
            "last_activity": opt_time(x.last_activity),
        })
    }

    /// a soft-deleted group as a map, with what it kept for its restore.
    pub fn deleted_group_view(&self, g: GroupIx) -> Value {
        let Some(x) = self.groups.get(g as usize) else { return Value::Null };
        let Some(kept) = x.kept.as_ref() else { return Value::Null };
        json!({
            "id": x.id, "name": x.name, "description": x.description, "kind": x.kind.as_str(),
            "join_policy": x.join_policy.as_str(),
            "owners": kept.owners.iter().map(|u| self.uid(*u)).collect::<Vec<_>>(),
            "members": kept.members.iter().map(|u| self.uid(*u)).collect::<Vec<_>>(),
            "assigned_to": kept.assigned_to.iter()
                .filter_map(|r| self.resources.get(*r as usize).map(|r| Value::from(r.id.clone())))
                .collect::<Vec<_>>(),
            "selected": kept.selected,
            "created_at": format_time(x.created_at), "renewed_at": opt_time(x.renewed_at),
            "deleted_at": opt_time(x.deleted_at),
        })
    }

    /// A resource as a map.
    pub fn resource_view(&self, r: ResourceIx) -> Value {
        let Some(x) = self.resources.get(r as usize) else { return Value::Null };
        json!({
            "id": x.id, "name": x.name, "kind": x.kind.as_str(),
            "owners": x.owners.iter().map(|u| self.uid(*u)).collect::<Vec<_>>(),
            "assigned": x.assigned.iter().map(|p| Value::from(self.principal_id(*p))).collect::<Vec<_>>(),
            "blocked": x.blocked.iter().map(|u| self.uid(*u)).collect::<Vec<_>>(),
        })
    }

    /// A request as a map.
    pub fn request_view(&self, q: RequestIx) -> Value {
        let Some(x) = self.requests.get(q as usize) else { return Value::Null };
        json!({
            "id": x.id, "group": self.gid(x.group), "requester": self.uid(x.requester),
            "justification": x.justification, "status": x.status.as_str(),
            "decided_by": x.decided_by.map(|u| self.uid(u)).unwrap_or(Value::Null),
            "reason": x.reason, "created_at": format_time(x.created_at),
            "decided_at": opt_time(x.decided_at),
        })
    }

    /// An Access Panel as a map of id lists.
    pub fn panel_view(&self, p: &AccessPanel) -> Value {
        let groups = |gs: &[GroupIx]| gs.iter().map(|g| self.gid(*g)).collect::<Vec<_>>();
        let reqs = |qs: &[RequestIx]| {
            qs.iter().filter_map(|q| self.requests.get(*q as usize).map(|r| Value::from(r.id.clone()))).collect::<Vec<_>>()
        };
        json!({
            "joinable": groups(&p.joinable), "member_of": groups(&p.member_of),
            "owner_of": groups(&p.owner_of), "requests": reqs(&p.requests),
            "approvals": reqs(&p.approvals),
        })
    }
}

/// Settings as a map, in SPEC §2's order.
pub fn settings_view(s: &Settings) -> Value {
    Value::Object(s.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())
}

/// An audit entry as a map.
pub fn audit_view(e: &AuditEntry) -> Value {
    json!({
        "seq": e.seq, "time": format_time(e.time), "actor": e.actor, "activity": e.activity,
        "targets": e.targets, "outcome": e.outcome(), "code": e.code.map(|c| c.as_str()),
    })
}

/// A provisioning event as a map.
pub fn provisioning_view(e: &ProvisioningEvent) -> Value {
    json!({
        "seq": e.seq, "time": format_time(e.time), "user": e.user, "resource": e.resource,
        "change": e.change.as_str(), "cause": e.cause,
    })
}

/// A notice of the notification log as a map.
pub fn notification_view(n: &Notification) -> Value {
    json!({
        "seq": n.seq, "time": format_time(n.time), "group": n.group, "notice": n.notice.as_str(),
        "recipients": n.recipients,
    })
}

/// A decision as a map.
pub fn decision_view(d: &Decision) -> Value {
    json!({ "allowed": d.allowed, "code": d.code.map(|c| c.as_str()), "message": d.message })
}

/// An explanation as a map.
pub fn access_view(a: &Access) -> Value {
    json!({ "granted": a.granted, "paths": a.paths, "blocked": a.blocked, "disabled": a.disabled })
}

/// Import counts as a map.
pub fn counts_view(c: &ImportCounts) -> Value {
    Value::Object(c.pairs().into_iter().map(|(k, v)| (k.to_string(), Value::from(v))).collect())
}

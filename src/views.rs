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
pub const TIME_FIELDS: [&str; 16] = [
    "time",
    "created_at",
    "decided_at",
    "now",
    "expires_at",
    "renewed_at",
    "last_activity",
    "deleted_at",
    // §14
    "last_sign_in",
    "start",
    "end",
    "ended_at",
    "applied_at",
    "reviewed_at",
    // §15 ("expires" is "never", a number of days or an instant)
    "stage_due_at",
    "expires",
];

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
            "last_sign_in": x.last_sign_in.map(format_time),
            // §15
            "manager": x.manager.map(|m| self.uid(m)).unwrap_or(Value::Null),
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
            qs.iter()
                .filter_map(|q| self.requests.get(*q as usize).map(|r| Value::from(r.id.clone())))
                .collect::<Vec<_>>()
        };
        json!({
            "joinable": groups(&p.joinable), "member_of": groups(&p.member_of),
            "owner_of": groups(&p.owner_of), "requests": reqs(&p.requests),
            "approvals": reqs(&p.approvals),
            "reviews": p.reviews.iter().filter_map(|r| self.reviews.get(*r as usize).map(|x| Value::from(x.id.clone()))).collect::<Vec<_>>(),
            // §15
            "packages": p.packages.iter().map(|x| self.pkg.packages[*x as usize].id.clone()).collect::<Vec<_>>(),
            "package_requests": p.package_requests.iter().map(|x| self.pkg.requests[*x as usize].id.clone()).collect::<Vec<_>>(),
            "package_approvals": p.package_approvals.iter().map(|x| self.pkg.requests[*x as usize].id.clone()).collect::<Vec<_>>(),
            "package_assignments": p.package_assignments.iter().map(|x| self.pkg.assignments[*x as usize].id.clone()).collect::<Vec<_>>(),
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

// ----- names beside ids ---------------------------------------------------------------------
//
// With imported Graph GUIDs an id says nothing to a reader, so the named views below add, right
// after each field holding an id, the name the object is known by: a user's upn, a group's or a
// resource's name. The convention: `<field>_name` beside an id, `<field, singular>_names` beside
// a list of ids (`targets` -> `target_names`, `paths` -> `path_names`, a list of lists). A value
// that names no object with a name (`system`, a reference recorded as given, a request id) is
// its own name, so a name field is null only where its id field is.

/// What a view field holds, for [`Tenant::with_names`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    /// One id, or null.
    One,
    /// A list of ids.
    Many,
    /// A list of lists of ids (access paths).
    Paths,
}

/// The name fields of an audit entry.
pub const AUDIT_NAMES: &[(&str, &str, Names)] =
    &[("actor", "actor_name", Names::One), ("targets", "target_names", Names::Many)];
/// The name fields of a provisioning event.
pub const PROVISIONING_NAMES: &[(&str, &str, Names)] =
    &[("user", "user_name", Names::One), ("resource", "resource_name", Names::One)];
/// The name fields of an explanation.
pub const ACCESS_NAMES: &[(&str, &str, Names)] = &[("paths", "path_names", Names::Paths)];
/// The name fields of an Access Panel.
pub const PANEL_NAMES: &[(&str, &str, Names)] = &[
    ("joinable", "joinable_names", Names::Many),
    ("member_of", "member_of_names", Names::Many),
    ("owner_of", "owner_of_names", Names::Many),
    ("requests", "request_names", Names::Many),
    ("approvals", "approval_names", Names::Many),
    // §14, §15
    ("reviews", "review_names", Names::Many),
    ("packages", "package_names", Names::Many),
    ("package_requests", "package_request_names", Names::Many),
    ("package_approvals", "package_approval_names", Names::Many),
    ("package_assignments", "package_assignment_names", Names::Many),
];
/// The name fields of a review's view (§14).
pub const REVIEW_NAMES: &[(&str, &str, Names)] = &[
    ("group", "group_name", Names::One),
    ("reviewers", "reviewer_names", Names::Many),
    ("created_by", "created_by_name", Names::One),
    ("ended_by", "ended_by_name", Names::One),
    ("applied_by", "applied_by_name", Names::One),
];
/// The name fields of an access package's view (§15).
pub const PACKAGE_NAMES: &[(&str, &str, Names)] = &[
    ("groups", "group_names", Names::Many),
    ("incompatible_packages", "incompatible_package_names", Names::Many),
    ("incompatible_groups", "incompatible_group_names", Names::Many),
    ("policies", "policy_names", Names::Many),
    ("created_by", "created_by_name", Names::One),
];
/// The name fields of a policy's view (§15).
pub const POLICY_NAMES: &[(&str, &str, Names)] = &[("package", "package_name", Names::One)];
/// The name fields of a package request's view (§15).
pub const PACKAGE_REQUEST_NAMES: &[(&str, &str, Names)] = &[
    ("package", "package_name", Names::One),
    ("policy", "policy_name", Names::One),
    ("requester", "requester_name", Names::One),
    ("decided_by", "decided_by_name", Names::One),
];
/// The name fields of a package assignment's view (§15).
pub const ASSIGNMENT_NAMES: &[(&str, &str, Names)] = &[
    ("package", "package_name", Names::One),
    ("policy", "policy_name", Names::One),
    ("user", "user_name", Names::One),
];
/// The name fields of a user's view (none: a user's name is its upn).
pub const USER_NAMES: &[(&str, &str, Names)] = &[];
/// The name fields of a group's view.
pub const GROUP_NAMES: &[(&str, &str, Names)] = &[
    ("owners", "owner_names", Names::Many),
    ("members", "member_names", Names::Many),
    ("created_by", "created_by_name", Names::One),
];
/// The name fields of a resource's view.
pub const RESOURCE_NAMES: &[(&str, &str, Names)] = &[
    ("owners", "owner_names", Names::Many),
    ("assigned", "assigned_names", Names::Many),
    ("blocked", "blocked_names", Names::Many),
];
/// The name fields of a request's view.
pub const REQUEST_NAMES: &[(&str, &str, Names)] = &[
    ("group", "group_name", Names::One),
    ("requester", "requester_name", Names::One),
    ("decided_by", "decided_by_name", Names::One),
];

/// Why an explanation does not grant access, as a stable word (None when it does):
/// `blocked`, `disabled`, `nested_group` (the user reaches an assigned group of
/// an application only through nesting, R-7.4) or `not_assigned`.
pub const ACCESS_REASONS: [&str; 4] = ["blocked", "disabled", "nested_group", "not_assigned"];

impl Tenant {
    /// The name of the object `id` names (deleted groups too: ids are never reused), or None.
    pub fn name_of_id(&self, id: &str) -> Option<&str> {
        match self.ids.get(id)? {
            Object::User(u) => self.users.get(*u as usize).map(|x| x.upn.as_str()),
            Object::Group(g) => self.groups.get(*g as usize).map(|x| x.name.as_str()),
            Object::Resource(r) => self.resources.get(*r as usize).map(|x| x.name.as_str()),
            Object::Review(r) => self.reviews.get(*r as usize).map(|x| x.name.as_str()),
            Object::Request(_) => None,
            Object::Package(crate::packages::PackageObject::Package(p)) => {
                self.pkg.packages.get(*p as usize).map(|x| x.name.as_str())
            }
            Object::Package(crate::packages::PackageObject::Policy(p)) => {
                self.pkg.policies.get(*p as usize).map(|x| x.name.as_str())
            }
            Object::Package(_) => None,
        }
    }

    fn name_value(&self, v: &Value, holds: Names) -> Value {
        match (v, holds) {
            (Value::String(s), Names::One) => Value::from(self.name_of_id(s).unwrap_or(s)),
            (Value::Array(items), Names::Many) => {
                Value::Array(items.iter().map(|x| self.name_value(x, Names::One)).collect())
            }
            (Value::Array(items), Names::Paths) => {
                Value::Array(items.iter().map(|x| self.name_value(x, Names::Many)).collect())
            }
            _ => Value::Null,
        }
    }

    /// `view` with a name field right after each field of `fields` (see the convention above).
    pub fn with_names(&self, view: Value, fields: &[(&str, &str, Names)]) -> Value {
        let Value::Object(map) = view else { return view };
        let mut out = Map::new();
        for (k, v) in map {
            let named = fields.iter().find(|(f, _, _)| *f == k).map(|(_, n, h)| (*n, self.name_value(&v, *h)));
            out.insert(k, v);
            if let Some((n, value)) = named {
                out.insert(n.to_string(), value);
            }
        }
        Value::Object(out)
    }

    /// An audit entry with names.
    pub fn audit_view_named(&self, e: &AuditEntry) -> Value {
        self.with_names(audit_view(e), AUDIT_NAMES)
    }

    /// A provisioning event with names, and `cause_activity`, the activity of the audit entry
    /// that caused it, so the two logs join without code.
    pub fn provisioning_view_named(&self, e: &ProvisioningEvent) -> Value {
        let mut view = self.with_names(provisioning_view(e), PROVISIONING_NAMES);
        let activity = usize::try_from(e.cause)
            .ok()
            .and_then(|seq| seq.checked_sub(1))
            .and_then(|i| self.audit_log().get(i))
            .map(|a| Value::from(a.activity.to_string()))
            .unwrap_or(Value::Null);
        if let Value::Object(m) = &mut view {
            m.insert("cause_activity".into(), activity);
        }
        view
    }

    /// The explanation of `u`'s access to `r` with names, and `reason` (see [`ACCESS_REASONS`]).
    pub fn access_view_named(&self, u: UserIx, r: ResourceIx) -> Value {
        let a = self.explain(u, r);
        let reason = if a.granted {
            None
        } else if !a.paths.is_empty() {
            Some(if a.blocked { ACCESS_REASONS[0] } else { ACCESS_REASONS[1] })
        } else if self.nested_only(u, r) {
            Some(ACCESS_REASONS[2])
        } else {
            Some(ACCESS_REASONS[3])
        };
        let mut view = self.with_names(access_view(&a), ACCESS_NAMES);
        if let Value::Object(m) = &mut view {
            m.insert("reason".into(), reason.map(Value::from).unwrap_or(Value::Null));
        }
        view
    }

    /// whether `u` is in a group assigned to the application `r` only through nesting.
    fn nested_only(&self, u: UserIx, r: ResourceIx) -> bool {
        let (Some(user), Some(res)) = (self.users.get(u as usize), self.resources.get(r as usize)) else {
            return false;
        };
        res.kind == ResourceKind::Application
            && user.groups.iter().any(|g| self.group_ancestors(*g).iter().any(|a| res.assigned_groups.contains(a)))
    }

    /// An Access Panel with names.
    pub fn panel_view_named(&self, p: &AccessPanel) -> Value {
        self.with_names(self.panel_view(p), PANEL_NAMES)
    }
}

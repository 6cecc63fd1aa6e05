//! §15's objects as plain maps, ids for references: what `to_dict()` returns in both faces
//! and what handles read their properties from.

use super::*;
use crate::model::{format_time, Timestamp};
use crate::tenant::Tenant;
use serde_json::{json, Value};

fn opt_time(t: Option<Timestamp>) -> Value {
    t.map(|t| Value::from(format_time(t))).unwrap_or(Value::Null)
}

impl Tenant {
    fn pid(&self, p: Principal) -> Value {
        Value::from(self.principal_id(p))
    }

    fn uid_of(&self, u: UserIx) -> Value {
        self.users.get(u as usize).map(|x| Value::from(x.id.clone())).unwrap_or(Value::Null)
    }

    fn gids(&self, gs: &[GroupIx]) -> Vec<Value> {
        gs.iter().map(|g| self.pid(Principal::Group(*g))).collect()
    }

    /// An access package as a map.
    pub fn package_view(&self, p: PackageIx) -> Value {
        let Some(x) = self.pkg.packages.get(p as usize) else { return Value::Null };
        json!({
            "id": x.id, "name": x.name, "description": x.description,
            "groups": self.gids(&x.groups),
            "incompatible_packages": x.incompatible_packages.iter().map(|q| self.pkg.packages[*q as usize].id.clone()).collect::<Vec<_>>(),
            "incompatible_groups": self.gids(&x.incompatible_groups),
            "policies": x.policies.iter().map(|q| self.pkg.policies[*q as usize].id.clone()).collect::<Vec<_>>(),
            "created_by": x.created_by.map(|u| self.uid_of(u)).unwrap_or(Value::Null),
            "created_at": format_time(x.created_at),
        })
    }

    /// An approval stage as a map (ApprovalStage).
    pub fn stage_view(&self, s: &Stage) -> Value {
        json!({
            "approvers": s.approvers.iter().map(|p| self.pid(*p)).collect::<Vec<_>>(),
            "manager": s.manager,
            "fallback_approvers": s.fallback_approvers.iter().map(|p| self.pid(*p)).collect::<Vec<_>>(),
            "timeout_days": s.timeout_days,
            "justification_required": s.justification_required,
        })
    }

    /// A policy as a map.
    pub fn policy_view(&self, x: PolicyIx) -> Value {
        let Some(p) = self.pkg.policies.get(x as usize) else { return Value::Null };
        let requestors = match &p.requestors {
            Requestors::None => Value::from("none"),
            Requestors::All => Value::from("all"),
            Requestors::List(l) => Value::Array(l.iter().map(|x| self.pid(*x)).collect()),
        };
        let expires = match p.expires {
            Expires::Never => Value::from("never"),
            Expires::Days(d) => Value::from(d),
            Expires::At(t) => Value::from(format_time(t)),
        };
        json!({
            "id": p.id, "package": self.pkg.packages[p.package as usize].id, "name": p.name,
            "requestors": requestors, "justification_required": p.justification_required,
            "stages": p.stages.iter().map(|s| self.stage_view(s)).collect::<Vec<_>>(),
            "expires": expires, "created_at": format_time(p.created_at),
        })
    }

    /// A package request as a map.
    pub fn package_request_view(&self, q: PackageRequestIx) -> Value {
        let Some(r) = self.pkg.requests.get(q as usize) else { return Value::Null };
        json!({
            "id": r.id, "package": self.pkg.packages[r.package as usize].id,
            "policy": self.pkg.policies[r.policy as usize].id, "requester": self.uid_of(r.requester),
            "justification": r.justification, "status": r.status.as_str(), "stage": r.stage,
            "stage_due_at": opt_time(r.stage_due_at),
            "decisions": r.decisions.iter().map(|d| json!({
                "stage": d.stage, "approver": self.uid_of(d.approver), "outcome": d.outcome(),
                "justification": d.justification, "time": format_time(d.time),
            })).collect::<Vec<_>>(),
            "decided_by": r.decided_by.map(|u| self.uid_of(u)).unwrap_or(Value::Null),
            "reason": r.reason,
            "assignment": r.assignment.map(|a| Value::from(self.pkg.assignments[a as usize].id.clone())).unwrap_or(Value::Null),
            "created_at": format_time(r.created_at), "decided_at": opt_time(r.decided_at),
        })
    }

    /// A package assignment as a map.
    pub fn assignment_view(&self, a: AssignmentIx) -> Value {
        let Some(x) = self.pkg.assignments.get(a as usize) else { return Value::Null };
        json!({
            "id": x.id, "package": self.pkg.packages[x.package as usize].id,
            "policy": self.pkg.policies[x.policy as usize].id, "user": self.uid_of(x.user),
            "state": x.state.as_str(),
            "request": x.request.map(|q| Value::from(self.pkg.requests[q as usize].id.clone())).unwrap_or(Value::Null),
            "justification": x.justification, "created_at": format_time(x.created_at),
            "expires_at": opt_time(x.expires_at), "ended_at": opt_time(x.ended_at),
        })
    }

    /// A drift pair as a map.
    pub fn drift_view(&self, d: &Drift) -> Value {
        json!({
            "assignment": self.pkg.assignments[d.assignment as usize].id,
            "user": self.uid_of(d.user),
            "package": self.pkg.packages[d.package as usize].id,
            "group": self.pid(Principal::Group(d.group)),
        })
    }

    /// The view of a §15 object named by `id`, if it is one.
    pub fn package_object_view(&self, o: PackageObject) -> Value {
        match o {
            PackageObject::Package(p) => self.package_view(p),
            PackageObject::Policy(p) => self.policy_view(p),
            PackageObject::Request(q) => self.package_request_view(q),
            PackageObject::Assignment(a) => self.assignment_view(a),
        }
    }
}

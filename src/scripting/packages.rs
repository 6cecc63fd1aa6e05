//! The Rhai face of access packages (SPEC §15): the four handles, their record-valued
//! properties (stages, decisions), the queries of and the Access Panel's new lists.
//! Commands come from the catalogue like every other command.

use super::api::{get_field, lookup, register_handle, resolve};
use super::convert::{filtered, from_json, handle, type_error, RhaiResult};
use super::types::{AssignmentKind, Field, GroupKind, Handle, PackageKind, PackageRequestKind, PolicyKind, UserKind};
use crate::call::HandleKind;
use crate::model::Object;
use crate::store::Store;
use crate::tenant::Tenant;
use rhai::{Array, Dynamic, Engine, FuncRegistration, Map};
use serde_json::Value;
use std::sync::Arc;

/// The kind and id of a §15 handle.
pub(super) fn handle_id(value: &Dynamic) -> Option<(HandleKind, String)> {
    if let Some(h) = value.read_lock::<Handle<PackageKind>>() {
        return Some((HandleKind::Package, h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<Handle<PolicyKind>>() {
        return Some((HandleKind::Policy, h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<Handle<PackageRequestKind>>() {
        return Some((HandleKind::PackageRequest, h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<Handle<AssignmentKind>>() {
        return Some((HandleKind::Assignment, h.id().to_string()));
    }
    None
}

/// The Rhai type name of a §15 handle.
pub(super) fn type_name(value: &Dynamic) -> Option<&'static str> {
    handle_id(value).map(|(k, _)| match k {
        HandleKind::Package => "AccessPackage",
        HandleKind::Policy => "PackagePolicy",
        HandleKind::PackageRequest => "PackageRequest",
        _ => "PackageAssignment",
    })
}

/// A §15 handle, printed.
pub(super) fn show(value: &Dynamic) -> Option<String> {
    if let Some(h) = value.read_lock::<Handle<PackageKind>>() {
        return Some(h.to_string());
    }
    if let Some(h) = value.read_lock::<Handle<PolicyKind>>() {
        return Some(h.to_string());
    }
    if let Some(h) = value.read_lock::<Handle<PackageRequestKind>>() {
        return Some(h.to_string());
    }
    if let Some(h) = value.read_lock::<Handle<AssignmentKind>>() {
        return Some(h.to_string());
    }
    None
}

fn principal(store: &Arc<Store>, t: &Tenant, id: &str) -> Dynamic {
    match t.object(id) {
        Some(Object::User(_)) => handle::<UserKind>(store, id),
        _ => handle::<GroupKind>(store, id),
    }
}

fn principals(store: &Arc<Store>, t: &Tenant, v: &Value) -> Dynamic {
    Dynamic::from_array(
        v.as_array().into_iter().flatten().filter_map(Value::as_str).map(|id| principal(store, t, id)).collect(),
    )
}

fn ids<K: super::types::Kind>(store: &Arc<Store>, v: &Value) -> Dynamic {
    Dynamic::from_array(
        v.as_array().into_iter().flatten().filter_map(Value::as_str).map(|id| handle::<K>(store, id)).collect(),
    )
}

fn one<K: super::types::Kind>(store: &Arc<Store>, v: &Value) -> Dynamic {
    v.as_str().map(|id| handle::<K>(store, id)).unwrap_or(Dynamic::UNIT)
}

/// A §15 property of a view, ids turned into handles.
pub(super) fn field(store: &Arc<Store>, t: &Tenant, value: &Value, kind: Field) -> RhaiResult {
    Ok(match kind {
        Field::Groups => ids::<GroupKind>(store, value),
        Field::Package => one::<PackageKind>(store, value),
        Field::Packages => ids::<PackageKind>(store, value),
        Field::Policy => one::<PolicyKind>(store, value),
        Field::Policies => ids::<PolicyKind>(store, value),
        Field::PackageRequest => one::<PackageRequestKind>(store, value),
        Field::Assignment => one::<AssignmentKind>(store, value),
        Field::Requestors if value.is_string() => from_json(value)?,
        Field::Requestors => principals(store, t, value),
        Field::Stages => {
            let mut out = Array::new();
            for s in value.as_array().into_iter().flatten() {
                let mut map = Map::new();
                if let Value::Object(m) = s {
                    for (k, v) in m {
                        let item = match k.as_str() {
                            "approvers" | "fallback_approvers" => principals(store, t, v),
                            _ => from_json(v)?,
                        };
                        map.insert(k.as_str().into(), item);
                    }
                }
                out.push(Dynamic::from_map(map));
            }
            Dynamic::from_array(out)
        }
        Field::Decisions => {
            let mut out = Array::new();
            for d in value.as_array().into_iter().flatten() {
                let mut map = Map::new();
                if let Value::Object(m) = d {
                    for (k, v) in m {
                        let item = if k == "approver" { one::<UserKind>(store, v) } else { from_json(v)? };
                        map.insert(k.as_str().into(), item);
                    }
                }
                out.push(Dynamic::from_map(map));
            }
            Dynamic::from_array(out)
        }
        _ => from_json(value)?,
    })
}

/// The Rhai type of a §15 property, for `:help`.
pub(super) fn field_type(kind: Field) -> &'static str {
    match kind {
        Field::Package => "AccessPackage",
        Field::Policy => "PackagePolicy",
        Field::PackageRequest => "PackageRequest",
        Field::Assignment => "PackageAssignment",
        Field::Requestors => "String|Array",
        _ => "Array",
    }
}

fn array<K: super::types::Kind>(
    store: &Arc<Store>,
    t: &Tenant,
    items: &[u32],
    id: impl Fn(&Tenant, u32) -> String,
) -> Dynamic {
    Dynamic::from_array(items.iter().map(|x| handle::<K>(store, id(t, *x))).collect())
}

fn package_id(t: &Tenant, p: u32) -> String {
    t.id_at(HandleKind::Package, p)
}
fn policy_id(t: &Tenant, p: u32) -> String {
    t.id_at(HandleKind::Policy, p)
}
fn request_id(t: &Tenant, q: u32) -> String {
    t.id_at(HandleKind::PackageRequest, q)
}
fn assignment_id(t: &Tenant, a: u32) -> String {
    t.id_at(HandleKind::Assignment, a)
}

/// The Access Panel's §15 lists.
pub(super) fn panel(store: &Arc<Store>, t: &Tenant, u: u32, map: &mut Map) {
    map.insert("packages".into(), array::<PackageKind>(store, t, &t.panel_packages(u), package_id));
    let own = t.package_requests_where(None, None, Some(u));
    map.insert("package_requests".into(), array::<PackageRequestKind>(store, t, &own, request_id));
    map.insert(
        "package_approvals".into(),
        array::<PackageRequestKind>(store, t, &t.panel_package_approvals(u), request_id),
    );
    map.insert(
        "package_assignments".into(),
        array::<AssignmentKind>(store, t, &t.panel_package_assignments(u), assignment_id),
    );
}

fn reg(name: &str, params: &[&str], doc: &str) -> FuncRegistration {
    FuncRegistration::new(name).with_params_info(params).with_comments([format!("/// {doc}")]).with_volatility(true)
}

/// A `package` filter option.
fn package_option(t: &Tenant, filter: &Map, func: &str) -> RhaiResult<Option<u32>> {
    match filter.get("package") {
        Some(v) if !v.is_unit() => Ok(Some(resolve::<PackageKind>(t, v, func, "package")?)),
        _ => Ok(None),
    }
}

fn only(filter: &Map, func: &str, keys: &[&str]) -> RhaiResult<()> {
    match filter.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(type_error(format!("{func}() got an unexpected option '{k}'"))),
        None => Ok(()),
    }
}

fn drift(t: &super::types::TenantHandle, filter: &Map) -> RhaiResult {
    only(filter, "assignment_drift", &["package"])?;
    let store = t.store();
    store.read(|x| {
        let package = package_option(x, filter, "assignment_drift")?;
        let mut out = Array::new();
        for d in x.assignment_drift(package) {
            let mut map = Map::new();
            map.insert("assignment".into(), handle::<AssignmentKind>(store, assignment_id(x, d.assignment)));
            map.insert("user".into(), handle::<UserKind>(store, x.id_at(HandleKind::User, d.user)));
            map.insert("package".into(), handle::<PackageKind>(store, package_id(x, d.package)));
            map.insert("group".into(), handle::<GroupKind>(store, x.id_at(HandleKind::Group, d.group)));
            out.push(Dynamic::from_map(map));
        }
        Ok(Dynamic::from_array(out))
    })
}

fn incompatible(t: &super::types::TenantHandle, filter: &Map) -> RhaiResult {
    only(filter, "incompatible_assignments", &["package"])?;
    let store = t.store();
    store.read(|x| {
        let package = package_option(x, filter, "incompatible_assignments")?;
        Ok(array::<AssignmentKind>(store, x, &x.incompatible_assignments(package), assignment_id))
    })
}

fn policies(t: &super::types::TenantHandle, filter: &Map) -> RhaiResult {
    only(filter, "policies", &["package"])?;
    let store = t.store();
    store.read(|x| {
        let package = package_option(x, filter, "policies")?;
        Ok(array::<PolicyKind>(store, x, &x.policies_of(package), policy_id))
    })
}

type Th = super::types::TenantHandle;

fn indexer<K: super::types::Kind>(engine: &mut Engine) {
    engine.register_indexer_get(|h: &mut Handle<K>, name: &str| -> RhaiResult {
        match K::FIELDS.iter().find(|(f, _)| *f == name) {
            Some((f, kind)) => get_field(h, f, *kind),
            None => Err(type_error(format!("{} has no property '{name}'", K::NAME))),
        }
    });
}

/// Registers the handles and queries of §15.
pub(super) fn register(engine: &mut Engine) {
    register_handle::<PackageKind>(engine);
    register_handle::<PolicyKind>(engine);
    register_handle::<PackageRequestKind>(engine);
    register_handle::<AssignmentKind>(engine);
    // `package` is a reserved word in Rhai: every property is also read as `h["package"]`.
    indexer::<PackageKind>(engine);
    indexer::<PolicyKind>(engine);
    indexer::<PackageRequestKind>(engine);
    indexer::<AssignmentKind>(engine);
    reg("packages", &["tenant: Tenant", "Array"], "Access packages, in creation order (R-15.16).")
        .register_into_engine(engine, |t: &mut Th| {
            let store = t.store();
            store.read(|x| array::<PackageKind>(store, x, &x.packages(), package_id))
        });
    reg(
        "package",
        &["tenant: Tenant", "ref: AccessPackage", "AccessPackage"],
        "The package with this id or name (package_not_found).",
    )
    .register_into_engine(engine, |t: &mut Th, r: Dynamic| lookup::<PackageKind>(t, &r, "package"));
    // `package` cannot be called by name in Rhai (a reserved word): the same query, callable.
    reg(
        "access_package",
        &["tenant: Tenant", "ref: AccessPackage", "AccessPackage"],
        "The package with this id or name (package_not_found); `package` under the name Rhai can call.",
    )
    .register_into_engine(engine, |t: &mut Th, r: Dynamic| lookup::<PackageKind>(t, &r, "package"));
    reg(
        "policy",
        &["tenant: Tenant", "id: PackagePolicy", "PackagePolicy"],
        "The policy with this id (policy_not_found).",
    )
    .register_into_engine(engine, |t: &mut Th, r: Dynamic| lookup::<PolicyKind>(t, &r, "policy"));
    reg(
        "package_request",
        &["tenant: Tenant", "id: PackageRequest", "PackageRequest"],
        "The package request with this id (request_not_found).",
    )
    .register_into_engine(engine, |t: &mut Th, r: Dynamic| lookup::<PackageRequestKind>(t, &r, "package_request"));
    reg(
        "package_assignment",
        &["tenant: Tenant", "id: PackageAssignment", "PackageAssignment"],
        "The assignment with this id (assignment_not_found).",
    )
    .register_into_engine(engine, |t: &mut Th, r: Dynamic| lookup::<AssignmentKind>(t, &r, "package_assignment"));
    reg("policies", &["tenant: Tenant", "Array"], "Every policy, in creation order.")
        .register_into_engine(engine, |t: &mut Th| policies(t, &Map::new()));
    reg("policies", &["tenant: Tenant", "filter: Map", "Array"], "Policies by #{ package }.")
        .register_into_engine(engine, |t: &mut Th, f: Map| policies(t, &f));
    reg("package_requests", &["tenant: Tenant", "Array"], "Every package request, in creation order.")
        .register_into_engine(engine, |t: &mut Th| filtered(t, "package_requests", &Map::new()));
    reg(
        "package_requests",
        &["tenant: Tenant", "filter: Map", "Array"],
        "Package requests by #{ status, package, requester }.",
    )
    .register_into_engine(engine, |t: &mut Th, f: Map| filtered(t, "package_requests", &f));
    reg("package_assignments", &["tenant: Tenant", "Array"], "Every package assignment, in creation order.")
        .register_into_engine(engine, |t: &mut Th| filtered(t, "package_assignments", &Map::new()));
    reg(
        "package_assignments",
        &["tenant: Tenant", "filter: Map", "Array"],
        "Assignments by #{ state, package, user }.",
    )
    .register_into_engine(engine, |t: &mut Th, f: Map| filtered(t, "package_assignments", &f));
    reg(
        "assignment_drift",
        &["tenant: Tenant", "Array"],
        "Active assignments' missing memberships: #{ assignment, user, package, group } (R-15.15).",
    )
    .register_into_engine(engine, |t: &mut Th| drift(t, &Map::new()));
    reg("assignment_drift", &["tenant: Tenant", "filter: Map", "Array"], "assignment_drift by #{ package }.")
        .register_into_engine(engine, |t: &mut Th, f: Map| drift(t, &f));
    reg(
        "incompatible_assignments",
        &["tenant: Tenant", "Array"],
        "Active assignments whose user holds incompatible access (R-15.16).",
    )
    .register_into_engine(engine, |t: &mut Th| incompatible(t, &Map::new()));
    reg(
        "incompatible_assignments",
        &["tenant: Tenant", "filter: Map", "Array"],
        "incompatible_assignments by #{ package }.",
    )
    .register_into_engine(engine, |t: &mut Th, f: Map| incompatible(t, &f));
}

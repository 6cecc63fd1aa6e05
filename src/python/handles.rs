//! The handles `User`, `Group`, `Resource` and `Request`: a store and an id. Every property
//! reads the current state under the store's read lock (the GIL released), so a handle is a
//! live view; one whose object no longer exists raises `NotFound`.
//!
//! Handles are equal when they name the same object of the same store. Commands
//! receive them as `Arg::Handle(kind, id)`, resolved by id, so they work on forks too.
//!
//! A handle pickles as an `ssgm.Ref` (`python/ssgm/_refs.py`): a `str` that is the id, with
//! the kind, the name and the tenant's name. It carries no tenant, so a process-pool worker
//! returns a few bytes per object, and it works as a reference on any tenant with that id.

use super::conversion::{field_to_py, view_to_py};
use super::exceptions::Raise;
use super::records::{html_rows, html_table};
use crate::call::HandleKind;
use crate::error::Code;
use crate::labels::Label;
use crate::model::Object;
use crate::store::Store;
use crate::tenant::Tenant;
use crate::views;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use serde_json::Value;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The view of the object `id` of `kind`, or `*_not_found`.
fn lookup(t: &Tenant, kind: HandleKind, id: &str) -> crate::Result<Value> {
    let (found, code) = match (kind, t.object(id)) {
        (HandleKind::User, Some(Object::User(u))) => (Some(t.user_view(u)), Code::UserNotFound),
        (HandleKind::Group, Some(Object::Group(g))) => (Some(t.group_view(g)), Code::GroupNotFound),
        (HandleKind::Resource, Some(Object::Resource(r))) => (Some(t.resource_view(r)), Code::ResourceNotFound),
        (HandleKind::Request, Some(Object::Request(q))) => (Some(t.request_view(q)), Code::RequestNotFound),
        (HandleKind::User, _) => (None, Code::UserNotFound),
        (HandleKind::Group, _) => (None, Code::GroupNotFound),
        (HandleKind::Resource, _) => (None, Code::ResourceNotFound),
        (HandleKind::Request, _) => (None, Code::RequestNotFound),
        (HandleKind::Review, Some(Object::Review(r))) => (Some(t.review_view(r)), Code::ReviewNotFound),
        (HandleKind::Review, _) => (None, Code::ReviewNotFound),
        // §15
        (HandleKind::Package | HandleKind::Policy | HandleKind::PackageRequest | HandleKind::Assignment, found) => {
            let view = match (kind, found) {
                (HandleKind::Package, Some(Object::Package(o @ P::Package(_))))
                | (HandleKind::Policy, Some(Object::Package(o @ P::Policy(_))))
                | (HandleKind::PackageRequest, Some(Object::Package(o @ P::Request(_))))
                | (HandleKind::Assignment, Some(Object::Package(o @ P::Assignment(_)))) => live(t, o),
                _ => None,
            };
            let code = match kind {
                HandleKind::Package => Code::PackageNotFound,
                HandleKind::Policy => Code::PolicyNotFound,
                HandleKind::Assignment => Code::AssignmentNotFound,
                _ => Code::RequestNotFound,
            };
            (view, code)
        }
    };
    found.ok_or_else(|| t.not_found(code, id))
}

use crate::packages::PackageObject as P;

/// The view of a §15 object, unless it is a deleted package or policy.
fn live(t: &Tenant, o: P) -> Option<Value> {
    let d = t.package_data();
    let gone = match o {
        P::Package(p) => d.packages.get(p as usize).is_none_or(|x| x.deleted),
        P::Policy(p) => d.policies.get(p as usize).is_none_or(|x| x.deleted),
        _ => false,
    };
    (!gone).then(|| t.package_object_view(o))
}

/// The kind of a principal id (a user or a live group).
pub(crate) fn principal_kind(t: &Tenant, id: &str) -> HandleKind {
    match t.object(id) {
        Some(Object::Group(_)) => HandleKind::Group,
        _ => HandleKind::User,
    }
}

/// What a view field holds.
#[derive(Clone, Copy)]
enum Holds {
    Plain,
    /// A user id, or null.
    User,
    /// A group id.
    Group,
    /// A list of user ids.
    Users,
    /// A list of user and group ids.
    Principals,
    /// §14: a review's decision items (`AccessReviewDecision` records).
    Decisions,
    // ----- §15 -----
    /// One id of this kind, or null.
    One(HandleKind),
    /// A list of ids of this kind.
    Many(HandleKind),
    /// `"none"`, `"all"` or a list of user and group ids.
    Requestors,
    /// A list of records of this class.
    Records(&'static str),
}

fn holds(kind: HandleKind, field: &str) -> Holds {
    match (kind, field) {
        (HandleKind::Group, "owners") | (HandleKind::Resource, "owners" | "blocked") => Holds::Users,
        (HandleKind::Group, "members") | (HandleKind::Resource, "assigned") => Holds::Principals,
        (HandleKind::Group, "created_by") | (HandleKind::Request, "requester" | "decided_by") => Holds::User,
        (HandleKind::Request, "group") => Holds::Group,
        (HandleKind::Review, "reviewers") => Holds::Users,
        (HandleKind::Review, "created_by" | "ended_by" | "applied_by") => Holds::User,
        (HandleKind::Review, "decisions") => Holds::Decisions,
        // §15
        (HandleKind::User, "manager") => Holds::User,
        (HandleKind::Package, "groups" | "incompatible_groups") => Holds::Many(HandleKind::Group),
        (HandleKind::Package, "incompatible_packages") => Holds::Many(HandleKind::Package),
        (HandleKind::Package, "policies") => Holds::Many(HandleKind::Policy),
        (HandleKind::Package, "created_by") => Holds::User,
        (HandleKind::Policy | HandleKind::PackageRequest | HandleKind::Assignment, "package") => {
            Holds::One(HandleKind::Package)
        }
        (HandleKind::PackageRequest | HandleKind::Assignment, "policy") => Holds::One(HandleKind::Policy),
        (HandleKind::PackageRequest, "requester" | "decided_by") | (HandleKind::Assignment, "user") => Holds::User,
        (HandleKind::PackageRequest, "assignment") => Holds::One(HandleKind::Assignment),
        (HandleKind::Assignment, "request") => Holds::One(HandleKind::PackageRequest),
        (HandleKind::Policy, "requestors") => Holds::Requestors,
        (HandleKind::Policy, "stages") => Holds::Records("ApprovalStage"),
        (HandleKind::PackageRequest, "decisions") => Holds::Records("StageDecision"),
        _ => Holds::Plain,
    }
}

/// A field read under the lock, with the kinds of the handles it names.
enum Read {
    Plain(Value),
    One(Option<(HandleKind, String)>),
    Many(Vec<(HandleKind, String)>),
    Decisions(Vec<Value>),
    /// §15: records of a class, from their views.
    Records(&'static str, Vec<Value>),
}

fn read_field(t: &Tenant, kind: HandleKind, id: &str, field: &'static str) -> crate::Result<Read> {
    let view = lookup(t, kind, id)?;
    let value = view.get(field).cloned().unwrap_or(Value::Null);
    let ids = |v: &Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    Ok(match holds(kind, field) {
        Holds::Plain => Read::Plain(value),
        Holds::User => Read::One(value.as_str().map(|s| (HandleKind::User, s.to_string()))),
        Holds::Group => Read::One(value.as_str().map(|s| (HandleKind::Group, s.to_string()))),
        Holds::Users => Read::Many(ids(&value).into_iter().map(|s| (HandleKind::User, s)).collect()),
        Holds::Principals => Read::Many(ids(&value).into_iter().map(|s| (principal_kind(t, &s), s)).collect()),
        Holds::Decisions => Read::Decisions(value.as_array().cloned().unwrap_or_default()),
        Holds::One(k) => Read::One(value.as_str().map(|s| (k, s.to_string()))),
        Holds::Many(k) => Read::Many(ids(&value).into_iter().map(|s| (k, s)).collect()),
        Holds::Requestors if value.is_string() => Read::Plain(value),
        Holds::Requestors => Read::Many(ids(&value).into_iter().map(|s| (principal_kind(t, &s), s)).collect()),
        Holds::Records(class) => Read::Records(class, value.as_array().cloned().unwrap_or_default()),
    })
}

/// The index a handle holds when it does not know its object's index.
pub const NO_IX: u32 = u32::MAX;

/// The index of a user or resource `id` in `store`, if no writer holds it right now.
fn index_of(store: &Store, kind: HandleKind, id: &str) -> u32 {
    let found = store.try_read(|t| match (kind, t.object(id)) {
        (HandleKind::User, Some(Object::User(u))) => u,
        (HandleKind::Resource, Some(Object::Resource(r))) => r,
        _ => NO_IX,
    });
    found.unwrap_or(NO_IX)
}

/// A new handle of `kind` on `store`.
pub fn make_handle<'py>(
    py: Python<'py>,
    store: &Arc<Store>,
    kind: HandleKind,
    id: String,
) -> PyResult<Bound<'py, PyAny>> {
    let ix = match kind {
        HandleKind::User | HandleKind::Resource => index_of(store, kind, &id),
        HandleKind::Group | HandleKind::Request | HandleKind::Review => NO_IX,
        _ => NO_IX,
    };
    let store = store.clone();
    Ok(match kind {
        HandleKind::User => Bound::new(py, User { store, id, ix })?.into_any(),
        HandleKind::Group => Bound::new(py, Group { store, id, ix })?.into_any(),
        HandleKind::Resource => Bound::new(py, Resource { store, id, ix })?.into_any(),
        HandleKind::Request => Bound::new(py, Request { store, id, ix })?.into_any(),
        HandleKind::Review => Bound::new(py, Review { store, id, ix })?.into_any(),
        HandleKind::Package => Bound::new(py, AccessPackage { store, id, ix })?.into_any(),
        HandleKind::Policy => Bound::new(py, PackagePolicy { store, id, ix })?.into_any(),
        HandleKind::PackageRequest => Bound::new(py, PackageRequest { store, id, ix })?.into_any(),
        HandleKind::Assignment => Bound::new(py, PackageAssignment { store, id, ix })?.into_any(),
    })
}

/// A list of handles on `store`.
pub fn make_handles<'py>(
    py: Python<'py>,
    store: &Arc<Store>,
    items: Vec<(HandleKind, String)>,
) -> PyResult<Bound<'py, PyAny>> {
    let objs = items.into_iter().map(|(k, id)| make_handle(py, store, k, id)).collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, objs)?.into_any())
}

/// The kind and id of a handle, if `obj` is one.
pub fn handle_of(obj: &Bound<'_, PyAny>) -> Option<(HandleKind, String)> {
    if let Ok(h) = obj.cast::<User>() {
        return Some((HandleKind::User, h.get().id.clone()));
    }
    if let Ok(h) = obj.cast::<Group>() {
        return Some((HandleKind::Group, h.get().id.clone()));
    }
    if let Ok(h) = obj.cast::<Resource>() {
        return Some((HandleKind::Resource, h.get().id.clone()));
    }
    if let Ok(h) = obj.cast::<Request>() {
        return Some((HandleKind::Request, h.get().id.clone()));
    }
    if let Ok(h) = obj.cast::<Review>() {
        return Some((HandleKind::Review, h.get().id.clone()));
    }
    if let Ok(h) = obj.cast::<AccessPackage>() {
        return Some((HandleKind::Package, h.get().id.clone()));
    }
    if let Ok(h) = obj.cast::<PackagePolicy>() {
        return Some((HandleKind::Policy, h.get().id.clone()));
    }
    if let Ok(h) = obj.cast::<PackageRequest>() {
        return Some((HandleKind::PackageRequest, h.get().id.clone()));
    }
    if let Ok(h) = obj.cast::<PackageAssignment>() {
        return Some((HandleKind::Assignment, h.get().id.clone()));
    }
    None
}

fn field(py: Python<'_>, store: &Arc<Store>, kind: HandleKind, id: &str, name: &'static str) -> PyResult<Py<PyAny>> {
    let (s, i) = (store.clone(), id.to_string());
    let read = py.detach(move || s.read(|t| read_field(t, kind, &i, name))).raise(py)?;
    Ok(match read {
        Read::Plain(v) => field_to_py(py, name, &v)?.unbind(),
        Read::One(None) => py.None(),
        Read::One(Some((k, id))) => make_handle(py, store, k, id)?.unbind(),
        Read::Many(items) => make_handles(py, store, items)?.unbind(),
        Read::Decisions(views) => super::reviews::decisions(py, store, views)?.unbind(),
        Read::Records(class, views) => super::records::package_records(py, class, views)?.unbind(),
    })
}

/// The lowercase word of a kind: also the name of the tenant's lookup (`t.user(id)`, …).
pub(crate) fn kind_word(kind: HandleKind) -> &'static str {
    match kind {
        HandleKind::User => "user",
        HandleKind::Group => "group",
        HandleKind::Resource => "resource",
        HandleKind::Request => "request",
        HandleKind::Review => "review",
        HandleKind::Package => "package",
        HandleKind::Policy => "policy",
        HandleKind::PackageRequest => "package_request",
        HandleKind::Assignment => "package_assignment",
    }
}

/// The name fields of a kind's view.
fn name_fields(kind: HandleKind) -> &'static [(&'static str, &'static str, views::Names)] {
    match kind {
        HandleKind::User => views::USER_NAMES,
        HandleKind::Group => views::GROUP_NAMES,
        HandleKind::Resource => views::RESOURCE_NAMES,
        HandleKind::Request => views::REQUEST_NAMES,
        HandleKind::Review => views::REVIEW_NAMES,
        HandleKind::Package => views::PACKAGE_NAMES,
        HandleKind::Policy => views::POLICY_NAMES,
        HandleKind::PackageRequest => views::PACKAGE_REQUEST_NAMES,
        HandleKind::Assignment => views::ASSIGNMENT_NAMES,
    }
}

/// The view of a handle's object, with names beside ids when `names`.
fn view_of(py: Python<'_>, store: &Arc<Store>, kind: HandleKind, id: &str, names: bool) -> PyResult<Value> {
    let (s, i) = (store.clone(), id.to_string());
    py.detach(move || {
        s.read(|t| {
            let view = lookup(t, kind, &i)?;
            Ok(if names { t.with_names(view, name_fields(kind)) } else { view })
        })
    })
    .raise(py)
}

fn to_dict(py: Python<'_>, store: &Arc<Store>, kind: HandleKind, id: &str, names: bool) -> PyResult<Py<PyAny>> {
    let view = view_of(py, store, kind, id, names)?;
    Ok(view_to_py(py, &view)?.unbind())
}

/// An `ssgm.Ref`: the id of an object, with its kind, name and tenant's name.
pub fn make_ref<'py>(
    py: Python<'py>,
    kind: HandleKind,
    id: &str,
    name: Option<&str>,
    tenant: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    py.import("ssgm._refs")?.getattr("Ref")?.call1((id, kind_word(kind), name, tenant))
}

/// `(ssgm.Ref, (id, kind, name, tenant))`: how a handle pickles.
fn reduce<'py>(py: Python<'py>, store: &Arc<Store>, kind: HandleKind, id: &str) -> PyResult<Bound<'py, PyTuple>> {
    let (s, i) = (store.clone(), id.to_string());
    let (name, tenant) = py.detach(move || {
        // A request has no name: like the named views, it is its own.
        s.read(|t| (t.name_of_id(&i).unwrap_or(&i).to_string(), t.name().to_string()))
    });
    let class = py.import("ssgm._refs")?.getattr("Ref")?;
    let args = (id, kind_word(kind), name, tenant).into_pyobject(py)?;
    PyTuple::new(py, [class, args.into_any()])
}

/// A table of the object's fields, names in place of ids.
fn html(py: Python<'_>, store: &Arc<Store>, kind: HandleKind, class: &str, id: &str) -> PyResult<String> {
    let view = view_of(py, store, kind, id, true)?;
    let Value::Object(map) = view else { return Ok(String::new()) };
    let fields: Vec<&str> = map.keys().map(String::as_str).collect();
    let fields: Vec<&str> = fields.into_iter().filter(|k| !name_fields(kind).iter().any(|(_, n, _)| n == k)).collect();
    let (s, i) = (store.clone(), id.to_string());
    let title = match py.detach(move || s.read(|t| t.label(kind, &i))) {
        Label::Name(name) | Label::NameStatus(name, _) => name,
        _ => id.to_string(),
    };
    Ok(html_table(&format!("{class} {title}"), &html_rows(&fields, &map)))
}

fn py_repr(py: Python<'_>, text: &str) -> String {
    PyString::new(py, text).repr().map(|r| r.to_string()).unwrap_or_else(|_| format!("{text:?}"))
}

/// `User('bob@contoso.com', id='u-2')`; a deleted object shows as `<deleted>` (the core's
/// [`Label`], written Python's way).
fn repr(py: Python<'_>, store: &Arc<Store>, kind: HandleKind, class: &str, id: &str) -> String {
    let (s, i) = (store.clone(), id.to_string());
    let label = py.detach(move || s.read(|t| t.label(kind, &i)));
    let shown_id = py_repr(py, id);
    match label {
        Label::Name(name) => format!("{class}({}, id={shown_id})", py_repr(py, &name)),
        Label::NameStatus(name, status) => {
            format!("{class}({}, id={shown_id}, status={})", py_repr(py, &name), py_repr(py, status))
        }
        // Names first: who asked for which group, then the ids.
        Label::Request { status, group, requester } => format!(
            "{class}({} -> {}, status={}, id={shown_id}, group={}, requester={})",
            py_repr(py, &requester.0),
            py_repr(py, &group.0),
            py_repr(py, status),
            py_repr(py, &group.1),
            py_repr(py, &requester.1)
        ),
        Label::Status(status) => format!("{class}({status}, id={shown_id})"),
        Label::Deleted | Label::Missing => format!("{class}(<deleted>, id={shown_id})"),
    }
}

fn hash_of(kind: HandleKind, id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    (kind as u8).hash(&mut h);
    id.hash(&mut h);
    h.finish()
}

macro_rules! handle {
    ($name:ident, $kind:expr, $doc:literal, { $( $(#[$attr:meta])* $getter:ident => $field:literal ),* $(,)? }) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "ssgm._core")]
        pub struct $name {
            pub(crate) store: Arc<Store>,
            pub(crate) id: String,
            /// The object's index in `store` when known ([`NO_IX`] otherwise): users and
            /// resources are never deleted, so queries use it without resolving the id.
            #[allow(dead_code)]
            pub(crate) ix: u32,
        }

        #[pymethods]
        impl $name {
            /// The object's id: stable, never reused.
            #[getter]
            fn id(&self) -> &str {
                &self.id
            }

            $(
                $(#[$attr])*
                #[getter]
                fn $getter(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                    field(py, &self.store, $kind, &self.id, $field)
                }
            )*

            /// The object's current state as a dict (ids for references, datetimes for
            /// instants); with `names=True`, each id's name beside it (`owner_names`, …).
            #[pyo3(signature = (*, names=false))]
            fn to_dict(&self, py: Python<'_>, names: bool) -> PyResult<Py<PyAny>> {
                to_dict(py, &self.store, $kind, &self.id, names)
            }

            /// Pickles as an `ssgm.Ref` (the id, kind, name and tenant's name): no tenant.
            fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
                reduce(py, &self.store, $kind, &self.id)
            }

            fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
                html(py, &self.store, $kind, stringify!($name), &self.id)
            }

            fn __repr__(&self, py: Python<'_>) -> String {
                repr(py, &self.store, $kind, stringify!($name), &self.id)
            }

            /// Equal when naming the same object of the same tenant.
            fn __eq__(&self, other: PyRef<'_, Self>) -> bool {
                Arc::ptr_eq(&self.store, &other.store) && self.id == other.id
            }

            fn __hash__(&self) -> u64 {
                hash_of($kind, &self.id)
            }
        }
    };
}

handle!(User, HandleKind::User, "A user of a tenant: a live view, resolved by id.", {
    /// The user principal name (unique, case-insensitive).
    upn => "upn",
    /// The display name (defaults to the upn).
    display_name => "display_name",
    /// The department, or None.
    department => "department",
    /// The directory roles, as names.
    roles => "roles",
    /// Whether the account is enabled.
    enabled => "enabled",
    /// The last sign-in (aware UTC datetime), or None.
    last_sign_in => "last_sign_in",
    /// The user's manager, or None.
    manager => "manager",
});

// ----- §15 -----

handle!(AccessPackage, HandleKind::Package, "An access package (§15): a live view, resolved by id.", {
    /// The name (unique among packages).
    name => "name",
    /// The description.
    description => "description",
    /// Its groups, in the order they were added.
    groups => "groups",
    /// Packages it is incompatible with.
    incompatible_packages => "incompatible_packages",
    /// Groups it is incompatible with.
    incompatible_groups => "incompatible_groups",
    /// Its policies, in creation order.
    policies => "policies",
    /// The administrator who created it.
    created_by => "created_by",
    /// When it was created.
    created_at => "created_at",
});

handle!(PackagePolicy, HandleKind::Policy, "A policy of an access package (R-15.4): a live view.", {
    /// Its package.
    package => "package",
    /// The name (unique within the package).
    name => "name",
    /// `"none"`, `"all"`, or a list of users and groups.
    requestors => "requestors",
    /// Whether requests need a justification.
    justification_required => "justification_required",
    /// Its approval stages (ApprovalStage records).
    stages => "stages",
    /// `"never"`, a number of days, or a datetime.
    expires => "expires",
    /// When it was created.
    created_at => "created_at",
});

handle!(PackageRequest, HandleKind::PackageRequest, "A request for an access package (R-15.7): a live view.", {
    /// The package.
    package => "package",
    /// The policy it was made under.
    policy => "policy",
    /// Who asked.
    requester => "requester",
    /// The justification.
    justification => "justification",
    /// `pending`, `delivered`, `denied` or `cancelled`.
    status => "status",
    /// The stage it is at or ended at (1-based; 0 without stages).
    stage => "stage",
    /// When the open stage times out, or None.
    stage_due_at => "stage_due_at",
    /// The stage decisions (StageDecision records).
    decisions => "decisions",
    /// Whose decision or cancel ended it, or None.
    decided_by => "decided_by",
    /// Empty, or `timed_out`.
    reason => "reason",
    /// The assignment it delivered, or None.
    assignment => "assignment",
    /// When it was made.
    created_at => "created_at",
    /// When it stopped being pending, or None.
    decided_at => "decided_at",
});

handle!(PackageAssignment, HandleKind::Assignment, "An assignment of an access package (R-15.11): a live view.", {
    /// The package.
    package => "package",
    /// The policy.
    policy => "policy",
    /// The user.
    user => "user",
    /// `delivered` (active), `expired` or `removed`.
    state => "state",
    /// The request that delivered it, or None if direct.
    request => "request",
    /// The justification.
    justification => "justification",
    /// When it was delivered.
    created_at => "created_at",
    /// When it expires, or None (never).
    expires_at => "expires_at",
    /// When it ended, or None.
    ended_at => "ended_at",
});

handle!(Group, HandleKind::Group, "A group of a tenant: a live view, resolved by id.", {
    /// The display name (not unique).
    name => "name",
    /// The description.
    description => "description",
    /// `security`, `microsoft365`, `mail_enabled_security` or `distribution`.
    kind => "kind",
    /// `owner_approval`, `open` or `owners_only`.
    join_policy => "join_policy",
    /// The owners, in insertion order.
    owners => "owners",
    /// The direct members (users and groups), in insertion order.
    members => "members",
    /// Whether the group is synced from on-premises AD.
    on_premises => "on_premises",
    /// The user who created it, or None.
    created_by => "created_by",
    /// When it was created (aware UTC datetime).
    created_at => "created_at",
    /// When it expires, or None while not covered.
    expires_at => "expires_at",
    /// Its last renewal, or None.
    renewed_at => "renewed_at",
    /// Its last recorded activity, or None.
    last_activity => "last_activity",
});

handle!(Resource, HandleKind::Resource, "A resource (application or site): a live view, resolved by id.", {
    /// The name (unique).
    name => "name",
    /// `application` or `site`.
    kind => "kind",
    /// The owners, in insertion order.
    owners => "owners",
    /// The principals assigned to it, in assignment order.
    assigned => "assigned",
    /// The users blocked from it, in blocking order.
    blocked => "blocked",
});

handle!(Request, HandleKind::Request, "A request to join a group: a live view, resolved by id.", {
    /// The group asked for.
    group => "group",
    /// The user who asked.
    requester => "requester",
    /// The justification given.
    justification => "justification",
    /// `pending`, `approved`, `denied` or `cancelled`.
    status => "status",
    /// Who decided or cancelled it, or None.
    decided_by => "decided_by",
    /// The reason recorded with the decision.
    reason => "reason",
    /// When it was made (aware UTC datetime).
    created_at => "created_at",
    /// When it was settled, or None.
    decided_at => "decided_at",
});

// ----- §14 access reviews -----

handle!(Review, HandleKind::Review, "An access review of one group (SPEC §14): a live view, resolved by id.", {
    /// The review's name.
    name => "name",
    /// The group's id (it outlives the group).
    group => "group",
    /// `owners`, `self` or `users`.
    reviewer_type => "reviewer_type",
    /// The reviewers, a snapshot taken at start.
    reviewers => "reviewers",
    /// Whether the fallback reviewers stand in for missing owners.
    fallback_used => "fallback_used",
    /// 1 to 365.
    duration_days => "duration_days",
    /// `none`, `approve`, `deny` or `recommendation`.
    default_decision => "default_decision",
    /// Whether completion applies the results.
    auto_apply => "auto_apply",
    /// Whether approve and deny need a justification.
    justification_required => "justification_required",
    /// `in_progress`, `completed`, `applied` or `cancelled`.
    status => "status",
    /// Who created it.
    created_by => "created_by",
    /// When it started (aware UTC datetime).
    start => "start",
    /// When it is due to end.
    end => "end",
    /// When it ended, or None.
    ended_at => "ended_at",
    /// Who stopped it, or None (the end fired, or not ended).
    ended_by => "ended_by",
    /// When its results were applied, or None.
    applied_at => "applied_at",
    /// Who applied them, or None (the auto-apply, or not applied).
    applied_by => "applied_by",
    /// Its decision items, in item order (`AccessReviewDecision` records).
    decisions => "decisions",
});

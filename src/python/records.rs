//! Records: plain immutable values (`Settings`, `Decision`, `Access`, `AccessPanel`,
//! `AuditEntry`, `ProvisioningEvent`), each holding the core's view of it
//! ([`crate::views`]), so Python and Rhai show the same fields.
//!
//! Records follow the named-tuple protocol (`_fields`, `len`, indexing, iteration) and are
//! registered as `collections.abc.Sequence`s by the package, so a list of them goes straight
//! into `pandas.DataFrame` with one column per field.
//!
//! Records of the logs and of explanations also carry names beside their ids
//! ([`crate::views::Names`]): as properties (`actor_name`, `target_names`, …), in
//! `to_dict(names=True)`, first in reprs, and instead of ids in `_repr_html_`. Records pickle
//! as their view; an unpickled `AccessPanel` names its groups and requests with `ssgm.Ref`s.

use super::conversion::{field_to_py, view_to_py};
use super::handles::{make_handles, make_ref};
use crate::call::HandleKind;
use crate::store::Store;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use serde_json::{Map, Value};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

pub(crate) fn as_map(view: Value) -> Map<String, Value> {
    match view {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn get<'py>(py: Python<'py>, view: &Map<String, Value>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    field_to_py(py, name, view.get(name).unwrap_or(&Value::Null))
}

pub(crate) fn hash_view(view: &Map<String, Value>) -> u64 {
    let mut h = DefaultHasher::new();
    serde_json::to_string(view).unwrap_or_default().hash(&mut h);
    h.finish()
}

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A two-column HTML table: a caption, then one row per (field, shown value).
pub(crate) fn html_table(caption: &str, rows: &[(String, String)]) -> String {
    let mut out = format!("<table><caption>{}</caption>", escape(caption));
    for (k, v) in rows {
        out.push_str(&format!(
            "<tr><th style=\"text-align:left\">{}</th><td style=\"text-align:left\">{}</td></tr>",
            escape(k),
            escape(v).replace('\n', "<br>")
        ));
    }
    out.push_str("</table>");
    out
}

pub(crate) fn repr_of<'py>(class: &str, fields: &[&str], get: impl Fn(&str) -> PyResult<Bound<'py, PyAny>>) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| {
            let r = get(f).and_then(|v| v.repr().map(|r| r.to_string())).unwrap_or_else(|_| "?".into());
            format!("{f}={r}")
        })
        .collect();
    format!("{class}({})", parts.join(", "))
}

/// The keys of a view in display order: each field, its name field just before it, then any
/// derived field (`cause_activity`, `reason`).
fn shown_keys<'a>(fields: &[&'a str], view: &'a Map<String, Value>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for f in fields {
        if let Some(n) = name_key(f, view) {
            out.push(n);
        }
        out.push(f);
    }
    for k in view.keys() {
        if !out.contains(&k.as_str()) {
            out.push(k);
        }
    }
    out
}

/// The name field beside `field` in `view`, if any.
fn name_key<'a>(field: &str, view: &'a Map<String, Value>) -> Option<&'a str> {
    let single = field.strip_suffix('s').unwrap_or(field);
    [format!("{field}_name"), format!("{single}_names"), format!("{field}_names")]
        .iter()
        .find_map(|k| view.get_key_value(k.as_str()).map(|(k, _)| k.as_str()))
}

/// A record's view as a dict: its fields only, or with the name and derived fields.
pub(crate) fn dict_of(py: Python<'_>, fields: &[&str], view: &Map<String, Value>, names: bool) -> PyResult<Py<PyAny>> {
    let map: Map<String, Value> = if names {
        view.clone()
    } else {
        view.iter().filter(|(k, _)| fields.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    Ok(view_to_py(py, &Value::Object(map))?.unbind())
}

/// `Class(name_field=…, field=…, …)`, names first.
fn named_repr(py: Python<'_>, class: &str, fields: &[&str], view: &Map<String, Value>) -> String {
    repr_of(class, &shown_keys(fields, view), |f| get(py, view, f))
}

/// The sentence of an explanation's `reason` (see [`crate::views::ACCESS_REASONS`]).
fn reason_text(reason: &str) -> &str {
    match reason {
        "blocked" => "blocked: a block overrides every grant (R-7.5)",
        "disabled" => "disabled: a disabled account has no access (R-7.6)",
        "nested_group" => "member of a nested group: applications reach direct members only (R-7.4)",
        "not_assigned" => "not assigned, directly or through a group (R-7.3)",
        other => other,
    }
}

/// One value as the text of a table cell: Python's spelling of scalars (`True`, `None`),
/// lists joined by commas, access paths as `outer → inner → user`, one per line.
pub(crate) fn cell(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(Value::is_array) => items
            .iter()
            .map(|p| match p {
                Value::Array(steps) => steps.iter().map(cell).collect::<Vec<_>>().join(" → "),
                other => cell(other),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
        Value::Object(_) => value.to_string(),
    }
}

/// The rows of a record's or handle's HTML table: names in place of the ids they stand beside,
/// and the reason of a refused access spelled out.
pub(crate) fn html_rows(fields: &[&str], view: &Map<String, Value>) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut keys: Vec<&str> = fields.to_vec();
    keys.extend(view.keys().map(String::as_str).filter(|k| !fields.contains(k) && !is_name_key(fields, k, view)));
    for k in keys {
        let value = match name_key(k, view) {
            Some(n) => view.get(n),
            None => view.get(k),
        };
        let text = match (k, value) {
            ("reason", Some(Value::String(r))) => reason_text(r).to_string(),
            ("reason", Some(Value::Null)) => continue,
            (_, Some(v)) => cell(v),
            (_, None) => continue,
        };
        rows.push((k.to_string(), text));
    }
    rows
}

fn is_name_key(fields: &[&str], key: &str, view: &Map<String, Value>) -> bool {
    fields.iter().any(|f| name_key(f, view) == Some(key))
}

macro_rules! record {
    ($name:ident, $doc:literal, [ $( $(#[$attr:meta])* $field:ident ),* $(,)? ]
     $(, extras: [ $( $(#[$xattr:meta])* $extra:ident ),* $(,)? ])? ) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "ssgm._core")]
        pub struct $name {
            view: Map<String, Value>,
        }

        impl $name {
            const FIELDS: &'static [&'static str] = &[ $( stringify!($field) ),* ];

            /// The record of a view from [`crate::views`].
            pub(crate) fn from_view(view: Value) -> Self {
                $name { view: as_map(view) }
            }

            fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
                let items = Self::FIELDS.iter().map(|f| get(py, &self.view, f)).collect::<PyResult<Vec<_>>>()?;
                PyTuple::new(py, items)
            }
        }

        #[pymethods]
        impl $name {
            $(
                $(#[$attr])*
                #[getter]
                fn $field(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                    Ok(get(py, &self.view, stringify!($field))?.unbind())
                }
            )*

            $( $(
                $(#[$xattr])*
                #[getter]
                fn $extra(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                    Ok(get(py, &self.view, stringify!($extra))?.unbind())
                }
            )* )?

            /// The field names, in order (as a named tuple has them).
            #[classattr]
            fn _fields(py: Python<'_>) -> PyResult<Py<PyTuple>> {
                Ok(PyTuple::new(py, Self::FIELDS)?.unbind())
            }

            /// The record as a dict; with `names=True`, each id's name beside it (and any
            /// derived field such as `cause_activity`).
            #[pyo3(signature = (*, names=false))]
            fn to_dict(&self, py: Python<'_>, names: bool) -> PyResult<Py<PyAny>> {
                dict_of(py, Self::FIELDS, &self.view, names)
            }

            /// Pickles as its view (see `_record`).
            fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
                reduce_record(py, stringify!($name), &self.view)
            }

            fn __len__(&self) -> usize {
                Self::FIELDS.len()
            }

            fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                Ok(self.values(py)?.as_any().get_item(index)?.unbind())
            }

            fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                Ok(self.values(py)?.as_any().try_iter()?.into_any().unbind())
            }

            fn __eq__(&self, other: PyRef<'_, Self>) -> bool {
                self.view == other.view
            }

            fn __hash__(&self) -> u64 {
                hash_view(&self.view)
            }

            fn __repr__(&self, py: Python<'_>) -> String {
                named_repr(py, stringify!($name), Self::FIELDS, &self.view)
            }

            fn _repr_html_(&self) -> String {
                html_table(stringify!($name), &html_rows(Self::FIELDS, &self.view))
            }
        }
    };
}

record!(
    Settings,
    "The tenant-wide settings of SPEC §2 (immutable; change them with `configure`).",
    [
        /// The master switch of self-service.
        delegated_group_management,
        /// "Users can create security groups".
        users_can_create_security_groups,
        /// "Users can create Office groups".
        users_can_create_microsoft365_groups,
        /// `all` or `some`.
        self_service_scope,
        /// The group whose direct members are eligible when the scope is `some`.
        self_service_group,
        /// Members of this group may create Microsoft 365 groups; empty for none.
        microsoft365_creation_group,
        /// Non-admin creation limit.
        max_groups_per_user,
        /// Owner limit.
        max_owners_per_group,
        /// `none`, `selected` or `all`.
        expiration_scope,
        /// A covered group's lifetime in days.
        expiration_lifetime_days,
        /// Where an ownerless group's notices go.
        expiration_notification_emails,
        /// The naming policy around `[GroupName]`.
        naming_prefix_suffix,
        /// Words a Microsoft 365 group's name may not hold.
        blocked_words,
        /// Owners may create, stop and apply reviews of groups they own.
        group_owners_manage_reviews,
    ]
);

record!(
    Decision,
    "The answer of a dry run (`check`).",
    [
        /// Whether the command would be allowed.
        allowed,
        /// The refusal code, or None.
        code,
        /// One sentence.
        message,
    ]
);

record!(
    Access,
    "Why a user does or does not reach a resource (R-7.8).",
    [
        /// Whether the user has effective access.
        granted,
        /// Every path that grants access, as lists of ids ending with the user.
        paths,
        /// Whether a block cancels the paths.
        blocked,
        /// Whether a disabled account cancels the paths.
        disabled,
    ],
    extras: [
        /// The paths with names in place of ids.
        path_names,
        /// Why access is refused: `blocked`, `disabled`, `nested_group` (applications reach
        /// direct members only, R-7.4) or `not_assigned`; None when granted.
        reason,
    ]
);

record!(
    AuditEntry,
    "One entry of the audit log (R-8.1).",
    [
        /// 1, 2, 3 … in order.
        seq,
        /// When (aware UTC datetime).
        time,
        /// The actor's id, or `system` for seeding.
        actor,
        /// Entra's activity name.
        activity,
        /// The ids of the objects named, in argument order.
        targets,
        /// `success` or `refused`.
        outcome,
        /// The refusal code, or None.
        code,
    ],
    extras: [
        /// The actor's upn, or `system`.
        actor_name,
        /// The names of the targets (upns for users), in the order of `targets`.
        target_names,
    ]
);

record!(
    ProvisioningEvent,
    "One entry of the provisioning log (R-7.7).",
    [
        /// 1, 2, 3 … in order.
        seq,
        /// When (aware UTC datetime).
        time,
        /// The user's id.
        user,
        /// The resource's id.
        resource,
        /// `provisioned` or `deprovisioned`.
        change,
        /// The `seq` of the audit entry of the command that caused it.
        cause,
    ],
    extras: [
        /// The user's upn.
        user_name,
        /// The resource's name.
        resource_name,
        /// The activity of the audit entry that caused it (joins the two logs).
        cause_activity,
    ]
);

/// `(ssgm._core._record, (class, view))`: how a record pickles.
pub(crate) fn reduce_record<'py>(
    py: Python<'py>,
    class: &str,
    view: &Map<String, Value>,
) -> PyResult<Bound<'py, PyTuple>> {
    let rebuild = py.import("ssgm._core")?.getattr("_record")?;
    let data = serde_json::to_string(view).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let args = PyTuple::new(py, [class.to_string(), data])?;
    PyTuple::new(py, [rebuild, args.into_any()])
}

/// Unpickles a record (see the records' `__reduce__`).
#[pyfunction]
pub fn _record(py: Python<'_>, kind: &str, view: &str) -> PyResult<Py<PyAny>> {
    let view: Value =
        serde_json::from_str(view).map_err(|e| PyValueError::new_err(format!("not the view of a record: {e}")))?;
    Ok(match kind {
        "Settings" => Bound::new(py, Settings::from_view(view))?.into_any(),
        "Decision" => Bound::new(py, Decision::from_view(view))?.into_any(),
        "Access" => Bound::new(py, Access::from_view(view))?.into_any(),
        "AuditEntry" => Bound::new(py, AuditEntry::from_view(view))?.into_any(),
        "ProvisioningEvent" => Bound::new(py, ProvisioningEvent::from_view(view))?.into_any(),
        "AccessPanel" => Bound::new(py, AccessPanel { store: None, view: as_map(view) })?.into_any(),
        "AccessReviewDecision" => Bound::new(py, super::reviews::AccessReviewDecision::unpickled(view))?.into_any(),
        other => return Err(PyValueError::new_err(format!("there is no record class {other:?}"))),
    }
    .unbind())
}
record!(
    Notification,
    "One entry of the notification log (R-13.6).",
    [
        /// 1, 2, 3 … in order.
        seq,
        /// When (aware UTC datetime).
        time,
        /// The group's id.
        group,
        /// `expiry_30`, `expiry_15` or `expiry_1`.
        notice,
        /// The owners' ids, or the alternate addresses of an ownerless group.
        recipients,
    ]
);

record!(
    DeletedGroup,
    "A soft-deleted group (R-13.8) and what it kept for its restore.",
    [
        /// The group's id (restore and purge take it).
        id,
        /// Its name.
        name,
        /// Its description.
        description,
        /// `microsoft365`.
        kind,
        /// Its join policy.
        join_policy,
        /// Owner ids when it was deleted.
        owners,
        /// Member ids when it was deleted.
        members,
        /// Ids of the resources it was assigned to.
        assigned_to,
        /// Whether it was in the selected list.
        selected,
        /// When it was created.
        created_at,
        /// Its last renewal, or None.
        renewed_at,
        /// When it was deleted.
        deleted_at,
    ]
);

/// A user's Access Panel: groups and requests as handles, in creation order.
/// An unpickled panel has no tenant: its sections are `ssgm.Ref`s.
#[pyclass(frozen, module = "ssgm._core")]
pub struct AccessPanel {
    store: Option<Arc<Store>>,
    view: Map<String, Value>,
}

impl AccessPanel {
    const FIELDS: &'static [&'static str] = &[
        "joinable",
        "member_of",
        "owner_of",
        "requests",
        "approvals",
        // §14
        "reviews",
        // §15
        "packages",
        "package_requests",
        "package_approvals",
        "package_assignments",
    ];

    /// The panel of a view from [`crate::Tenant::panel_view`].
    pub(crate) fn from_view(store: Arc<Store>, view: Value) -> Self {
        AccessPanel { store: Some(store), view: as_map(view) }
    }

    fn section<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let kind = match name {
            "requests" | "approvals" => HandleKind::Request,
            "reviews" => HandleKind::Review,
            "packages" => HandleKind::Package,
            "package_requests" | "package_approvals" => HandleKind::PackageRequest,
            "package_assignments" => HandleKind::Assignment,
            _ => HandleKind::Group,
        };
        let strings = |key: &str| -> Vec<String> {
            self.view
                .get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let ids = strings(name);
        match &self.store {
            Some(store) => make_handles(py, store, ids.into_iter().map(|s| (kind, s)).collect()),
            None => {
                let names = name_key(name, &self.view).map(&strings).unwrap_or_default();
                let refs = ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| make_ref(py, kind, id, names.get(i).map(String::as_str), None))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(pyo3::types::PyList::new(py, refs)?.into_any())
            }
        }
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items = Self::FIELDS.iter().map(|f| self.section(py, f)).collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, items)
    }
}

#[pymethods]
impl AccessPanel {
    /// Groups the user's `request_to_join` would be allowed for right now.
    #[getter]
    fn joinable(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "joinable")?.unbind())
    }

    /// Groups the user is a direct member of.
    #[getter]
    fn member_of(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "member_of")?.unbind())
    }

    /// Groups the user owns.
    #[getter]
    fn owner_of(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "owner_of")?.unbind())
    }

    /// The user's own requests.
    #[getter]
    fn requests(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "requests")?.unbind())
    }

    /// Pending requests the user may approve or deny right now.
    #[getter]
    fn approvals(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "approvals")?.unbind())
    }

    /// In-progress access reviews the user may decide on some item right now.
    #[getter]
    fn reviews(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "reviews")?.unbind())
    }

    /// Packages the user's `request_package` without a policy would pass now.
    #[getter]
    fn packages(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "packages")?.unbind())
    }

    /// The user's own package requests.
    #[getter]
    fn package_requests(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "package_requests")?.unbind())
    }

    /// Pending package requests the user is a decider of now.
    #[getter]
    fn package_approvals(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "package_approvals")?.unbind())
    }

    /// The user's active package assignments.
    #[getter]
    fn package_assignments(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "package_assignments")?.unbind())
    }

    /// The field names, in order.
    #[classattr]
    fn _fields(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, Self::FIELDS)?.unbind())
    }

    /// The panel as a dict of id lists; with `names=True`, each list's names beside it
    /// (`joinable_names`, `member_of_names`, …).
    #[pyo3(signature = (*, names=false))]
    fn to_dict(&self, py: Python<'_>, names: bool) -> PyResult<Py<PyAny>> {
        dict_of(py, Self::FIELDS, &self.view, names)
    }

    /// Pickles as its view; the copy names its objects with `ssgm.Ref`s.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_record(py, "AccessPanel", &self.view)
    }

    fn __len__(&self) -> usize {
        Self::FIELDS.len()
    }

    fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Ok(self.values(py)?.as_any().get_item(index)?.unbind())
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.values(py)?.as_any().try_iter()?.into_any().unbind())
    }

    /// Equal when of the same tenant with the same contents (like handles, R-10.15).
    fn __eq__(&self, other: PyRef<'_, Self>) -> bool {
        let same = match (&self.store, &other.store) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same && self.view == other.view
    }

    fn __hash__(&self) -> u64 {
        hash_view(&self.view)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        repr_of("AccessPanel", Self::FIELDS, |f| self.section(py, f))
    }

    fn _repr_html_(&self) -> String {
        html_table("AccessPanel", &html_rows(Self::FIELDS, &self.view))
    }
}

// ----- §15 -----

record!(
    ApprovalStage,
    "One approval stage of a package policy (R-15.4); references as ids.",
    [
        /// Users and groups who decide.
        approvers,
        /// Whether the requester's manager decides.
        manager,
        /// Users and groups deciding when no primary decider is found.
        fallback_approvers,
        /// Days before the stage times out (1 to 14).
        timeout_days,
        /// Whether the approver must justify.
        justification_required,
    ]
);

record!(
    StageDecision,
    "One stage's decision of a package request (R-15.9).",
    [
        /// The stage, 1-based.
        stage,
        /// Who decided (an id).
        approver,
        /// `approved` or `denied`.
        outcome,
        /// The approver's justification.
        justification,
        /// When.
        time,
    ]
);

record!(
    Drift,
    "An active assignment's group its user is not a direct member of (R-15.15); ids.",
    [
        /// The assignment.
        assignment,
        /// Its user.
        user,
        /// Its package.
        package,
        /// The group.
        group,
    ]
);

/// A list of §15 records of `class` from their views.
pub(crate) fn package_records<'py>(py: Python<'py>, class: &str, views: Vec<Value>) -> PyResult<Bound<'py, PyAny>> {
    let items = views
        .into_iter()
        .map(|v| {
            Ok(match class {
                "ApprovalStage" => Bound::new(py, ApprovalStage::from_view(v))?.into_any(),
                "StageDecision" => Bound::new(py, StageDecision::from_view(v))?.into_any(),
                _ => Bound::new(py, Drift::from_view(v))?.into_any(),
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(pyo3::types::PyList::new(py, items)?.into_any())
}

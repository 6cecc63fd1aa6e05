//! Records: plain immutable values (`Settings`, `Decision`, `Access`, `AccessPanel`,
//! `AuditEntry`, `ProvisioningEvent`), each holding the core's view of it
//! ([`crate::views`]), so Python and Rhai show the same fields.
//!
//! Records follow the named-tuple protocol (`_fields`, `len`, indexing, iteration) and are
//! registered as `collections.abc.Sequence`s by the package, so a list of them goes straight
//! into `pandas.DataFrame` with one column per field.

use super::conversion::{field_to_py, view_to_py};
use super::handles::make_handles;
use crate::call::HandleKind;
use crate::store::Store;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use serde_json::{Map, Value};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

fn as_map(view: Value) -> Map<String, Value> {
    match view {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn get<'py>(py: Python<'py>, view: &Map<String, Value>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    field_to_py(py, name, view.get(name).unwrap_or(&Value::Null))
}

fn hash_view(view: &Map<String, Value>) -> u64 {
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
            escape(v)
        ));
    }
    out.push_str("</table>");
    out
}

fn shown(value: &Bound<'_, PyAny>) -> String {
    value.str().map(|s| s.to_string()).unwrap_or_default()
}

fn repr_of<'py>(
    class: &str,
    fields: &[&str],
    get: impl Fn(&str) -> PyResult<Bound<'py, PyAny>>,
) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| {
            let r = get(f)
                .and_then(|v| v.repr().map(|r| r.to_string()))
                .unwrap_or_else(|_| "?".into());
            format!("{f}={r}")
        })
        .collect();
    format!("{class}({})", parts.join(", "))
}

macro_rules! record {
    ($name:ident, $doc:literal, [ $( $(#[$attr:meta])* $field:ident ),* $(,)? ]) => {
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

            /// The field names, in order (as a named tuple has them).
            #[classattr]
            fn _fields(py: Python<'_>) -> PyResult<Py<PyTuple>> {
                Ok(PyTuple::new(py, Self::FIELDS)?.unbind())
            }

            /// The record as a dict.
            fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                Ok(view_to_py(py, &Value::Object(self.view.clone()))?.unbind())
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
                repr_of(stringify!($name), Self::FIELDS, |f| get(py, &self.view, f))
            }

            fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
                let rows = Self::FIELDS
                    .iter()
                    .map(|f| Ok((f.to_string(), shown(&get(py, &self.view, f)?))))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(html_table(stringify!($name), &rows))
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
    ]
);

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
#[pyclass(frozen, module = "ssgm._core")]
pub struct AccessPanel {
    store: Arc<Store>,
    view: Map<String, Value>,
}

impl AccessPanel {
    const FIELDS: &'static [&'static str] =
        &["joinable", "member_of", "owner_of", "requests", "approvals"];

    /// The panel of a view from [`crate::Tenant::panel_view`].
    pub(crate) fn from_view(store: Arc<Store>, view: Value) -> Self {
        AccessPanel {
            store,
            view: as_map(view),
        }
    }

    fn section<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let kind = if name == "requests" || name == "approvals" {
            HandleKind::Request
        } else {
            HandleKind::Group
        };
        let ids = self
            .view
            .get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(|s| (kind, s.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        make_handles(py, &self.store, ids)
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items = Self::FIELDS
            .iter()
            .map(|f| self.section(py, f))
            .collect::<PyResult<Vec<_>>>()?;
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

    /// The field names, in order.
    #[classattr]
    fn _fields(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, Self::FIELDS)?.unbind())
    }

    /// The panel as a dict of id lists.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(view_to_py(py, &Value::Object(self.view.clone()))?.unbind())
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
        Arc::ptr_eq(&self.store, &other.store) && self.view == other.view
    }

    fn __hash__(&self) -> u64 {
        hash_view(&self.view)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        repr_of("AccessPanel", Self::FIELDS, |f| self.section(py, f))
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let mut rows = Vec::new();
        for f in Self::FIELDS {
            let items = self.section(py, f)?;
            let mut names = Vec::new();
            for item in items.try_iter()? {
                names.push(item?.repr()?.to_string());
            }
            rows.push((f.to_string(), names.join(", ")));
        }
        Ok(html_table("AccessPanel", &rows))
    }
}

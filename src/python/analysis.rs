//! The records of SPEC §12: `Capability`, `Route`, `Step`, `Exposure`, `Gatekeeper`,
//! `Diff` (with its `Gains` and `Changes` sections). Each holds the core's view of it
//! ([`crate::analysis::view`], the same map a Rhai script sees) and turns ids into handles
//! when a field is read; `to_dict()` gives the view itself.

use super::conversion::view_to_py;
use super::handles::{make_handle, make_handles};
use super::records::{escape, html_table};
use crate::call::HandleKind;
use crate::store::Store;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use serde_json::{Map, Value};
use std::sync::Arc;

/// What a field of a view holds.
#[derive(Clone, Copy)]
enum Holds {
    Plain,
    User,
    /// A group id, or null.
    Group,
    Users,
    Groups,
    /// A capability's or gatekeeper's object: a kind's name, a group or a resource id,
    /// as the record's `right` says.
    Object,
    Route,
    Steps,
    /// A list of id tuples (or of ids).
    Tuples,
}

fn as_map(view: Value) -> Map<String, Value> {
    match view {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn ids(value: &Value, kind: HandleKind) -> Vec<(HandleKind, String)> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(|s| (kind, s.to_string()))).collect())
        .unwrap_or_default()
}

fn field<'py>(
    py: Python<'py>,
    store: &Arc<Store>,
    view: &Map<String, Value>,
    name: &str,
    holds: Holds,
) -> PyResult<Bound<'py, PyAny>> {
    let value = view.get(name).unwrap_or(&Value::Null);
    let one = |kind| match value.as_str() {
        Some(id) => make_handle(py, store, kind, id.to_string()),
        None => Ok(py.None().into_bound(py)),
    };
    match holds {
        Holds::Plain => view_to_py(py, value),
        Holds::User => one(HandleKind::User),
        Holds::Group => one(HandleKind::Group),
        Holds::Users => make_handles(py, store, ids(value, HandleKind::User)),
        Holds::Groups => make_handles(py, store, ids(value, HandleKind::Group)),
        Holds::Object => match view.get("right").and_then(Value::as_str) {
            Some("create") => view_to_py(py, value),
            Some("manage_access" | "list_access") => one(HandleKind::Resource),
            _ => one(HandleKind::Group),
        },
        Holds::Route => match value {
            Value::Object(_) => Ok(Bound::new(py, Route::new(store.clone(), value.clone()))?.into_any()),
            _ => Ok(py.None().into_bound(py)),
        },
        Holds::Steps => {
            let steps = value.as_array().cloned().unwrap_or_default();
            let items =
                steps.into_iter().map(|s| Bound::new(py, Step::new(store.clone(), s))).collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any())
        }
        Holds::Tuples => {
            let rows = value.as_array().cloned().unwrap_or_default();
            let items = rows
                .iter()
                .map(|row| match row {
                    Value::Array(p) => {
                        let parts = p.iter().map(|v| view_to_py(py, v)).collect::<PyResult<Vec<_>>>()?;
                        Ok(PyTuple::new(py, parts)?.into_any())
                    }
                    other => view_to_py(py, other),
                })
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any())
        }
    }
}

fn repr_fields<'py>(class: &str, names: &[&str], get: impl Fn(&str) -> PyResult<Bound<'py, PyAny>>) -> String {
    let parts: Vec<String> = names
        .iter()
        .map(|f| format!("{f}={}", get(f).and_then(|v| v.repr().map(|r| r.to_string())).unwrap_or_else(|_| "?".into())))
        .collect();
    format!("{class}({})", parts.join(", "))
}

macro_rules! analysis_record {
    ($name:ident, $doc:literal, [ $( $field:ident : $holds:ident ),* $(,)? ]) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "ssgm._core")]
        pub struct $name {
            store: Arc<Store>,
            view: Map<String, Value>,
        }

        impl $name {
            const FIELDS: &'static [(&'static str, Holds)] = &[ $( (stringify!($field), Holds::$holds) ),* ];

            pub(crate) fn new(store: Arc<Store>, view: Value) -> Self {
                $name { store, view: as_map(view) }
            }

            fn get<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
                let holds = Self::FIELDS.iter().find(|(n, _)| *n == name).map(|(_, h)| *h).unwrap_or(Holds::Plain);
                field(py, &self.store, &self.view, name, holds)
            }
        }

        #[pymethods]
        impl $name {
            $(
                #[getter]
                fn $field(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                    Ok(self.get(py, stringify!($field))?.unbind())
                }
            )*

            /// The field names, in order.
            #[classattr]
            fn _fields(py: Python<'_>) -> PyResult<Py<PyTuple>> {
                Ok(PyTuple::new(py, Self::FIELDS.iter().map(|(n, _)| *n))?.unbind())
            }

            /// The record as a dict of ids (as Rhai sees it).
            fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                Ok(view_to_py(py, &Value::Object(self.view.clone()))?.unbind())
            }

            /// Equal when of the same tenant with the same contents (like handles, R-10.15).
            fn __eq__(&self, other: PyRef<'_, Self>) -> bool {
                Arc::ptr_eq(&self.store, &other.store) && self.view == other.view
            }

            fn __repr__(&self, py: Python<'_>) -> String {
                let names: Vec<&str> = Self::FIELDS.iter().map(|(n, _)| *n).collect();
                repr_fields(stringify!($name), &names, |f| self.get(py, f))
            }
        }
    };
}

analysis_record!(Capability, "One thing a user may do right now (R-12.1).", [right: Plain, object: Object]);
analysis_record!(
    Route,
    "A way a user could come to reach a resource through self-service (R-12.2).",
    [kind: Plain, group: Group, via: Groups, helpers: Users, steps: Steps]
);
analysis_record!(Step, "One command of a route, for `Tenant.apply` (API.md).", [actor: User, command: Plain, args: Plain]);
analysis_record!(Exposure, "One user's standing towards a resource (R-12.3).", [user: User, status: Plain, route: Route]);
analysis_record!(Gatekeeper, "A role-less user who can change who reaches a resource (R-12.4).", [user: User, right: Plain, object: Object]);
analysis_record!(Gains, "A section of a `Diff`: what was gained and what was lost.", [gained: Tuples, lost: Tuples]);
analysis_record!(Changes, "A section of a `Diff`: what was added and what was removed.", [added: Tuples, removed: Tuples]);

impl Step {
    /// The core step (ids and plain values).
    pub(crate) fn core(&self) -> Option<crate::analysis::Step> {
        serde_json::from_value(Value::Object(self.view.clone())).ok()
    }
}

/// `_exposure_html(items)`: a table of exposures (for `Exposures._repr_html_`), one row each.
#[pyfunction]
pub fn _exposure_html(py: Python<'_>, items: Vec<PyRef<'_, Exposure>>) -> PyResult<String> {
    let mut out = String::from("<table><tr><th>user</th><th>status</th><th>route</th><th>helpers</th></tr>");
    for e in items {
        let user = e.get(py, "user")?;
        let upn = user.getattr("upn").map(|u| u.to_string()).unwrap_or_default();
        let route = e.view.get("route").and_then(Value::as_object);
        let kind = route.and_then(|r| r.get("kind")).and_then(Value::as_str).unwrap_or("");
        let helpers = route.and_then(|r| r.get("helpers")).and_then(Value::as_array).map(|h| h.len()).unwrap_or(0);
        let status = e.view.get("status").and_then(Value::as_str).unwrap_or("");
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&upn),
            escape(status),
            escape(kind),
            helpers
        ));
    }
    out.push_str("</table>");
    Ok(out)
}

/// What differs between two tenants: sections of id pairs, falsy when empty.
#[pyclass(frozen, module = "ssgm._core")]
pub struct Diff {
    store: Arc<Store>,
    view: Map<String, Value>,
    empty: bool,
}

impl Diff {
    pub(crate) fn new(store: Arc<Store>, diff: &crate::analysis::Diff) -> Diff {
        Diff { store, view: as_map(crate::analysis::view(diff)), empty: diff.is_empty() }
    }

    fn section<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let value = self.view.get(name).cloned().unwrap_or(Value::Null);
        match name {
            "access" | "capabilities" => Ok(Bound::new(py, Gains::new(self.store.clone(), value))?.into_any()),
            "settings" => view_to_py(py, &value),
            "requests" => field(py, &self.store, &self.view, name, Holds::Tuples),
            _ => Ok(Bound::new(py, Changes::new(self.store.clone(), value))?.into_any()),
        }
    }

    /// (section, count gained or added, count lost or removed).
    fn counts(&self) -> Vec<(&'static str, usize, usize)> {
        let len = |section: &str, key: &str| {
            self.view.get(section).and_then(|s| s.get(key)).and_then(Value::as_array).map(|a| a.len()).unwrap_or(0)
        };
        crate::analysis::Diff::SECTIONS
            .iter()
            .map(|s| match *s {
                "access" | "capabilities" => (*s, len(s, "gained"), len(s, "lost")),
                "settings" => (*s, self.view.get(*s).and_then(Value::as_object).map(|m| m.len()).unwrap_or(0), 0),
                "requests" => (*s, self.view.get(*s).and_then(Value::as_array).map(|a| a.len()).unwrap_or(0), 0),
                _ => (*s, len(s, "added"), len(s, "removed")),
            })
            .collect()
    }
}

#[pymethods]
impl Diff {
    /// (user, resource) pairs of effective access gained and lost.
    #[getter]
    fn access(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "access")?.unbind())
    }
    /// (user, right, object) capabilities gained and lost.
    #[getter]
    fn capabilities(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "capabilities")?.unbind())
    }
    /// (group, member) pairs added and removed.
    #[getter]
    fn members(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "members")?.unbind())
    }
    /// (group or resource, owner) pairs added and removed.
    #[getter]
    fn owners(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "owners")?.unbind())
    }
    /// (resource, principal) pairs added and removed.
    #[getter]
    fn assignments(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "assignments")?.unbind())
    }
    /// (resource, user) blocks added and removed.
    #[getter]
    fn blocks(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "blocks")?.unbind())
    }
    /// Ids of objects added and removed.
    #[getter]
    fn objects(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "objects")?.unbind())
    }
    /// `{name: [before, after]}` for each setting that differs.
    #[getter]
    fn settings(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "settings")?.unbind())
    }
    /// (request, status before, status after).
    #[getter]
    fn requests(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.section(py, "requests")?.unbind())
    }

    /// The diff as a dict of lists of ids.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(view_to_py(py, &Value::Object(self.view.clone()))?.unbind())
    }

    fn __bool__(&self) -> bool {
        !self.empty
    }

    fn __eq__(&self, other: PyRef<'_, Self>) -> bool {
        self.view == other.view
    }

    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .counts()
            .into_iter()
            .map(|(s, a, b)| match s {
                "settings" | "requests" => format!("{s}={a}"),
                _ => format!("{s}=+{a}/-{b}"),
            })
            .collect();
        format!("Diff({})", parts.join(", "))
    }

    fn _repr_html_(&self) -> String {
        let rows: Vec<(String, String)> = self
            .counts()
            .into_iter()
            .map(|(s, a, b)| {
                let shown = match s {
                    "settings" | "requests" => format!("{a} changed"),
                    "access" | "capabilities" => format!("+{a} gained, -{b} lost"),
                    _ => format!("+{a} added, -{b} removed"),
                };
                (s.to_string(), shown)
            })
            .collect();
        html_table(if self.empty { "Diff (no differences)" } else { "Diff" }, &rows)
    }
}

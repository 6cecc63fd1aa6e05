//! `AccessReviewDecision` (SPEC §14): one decision item of a review, as an immutable record.
//! Its `user` and `reviewed_by` are handles of the tenant it came from; an unpickled copy has
//! no tenant, so they are `ssgm.Ref`s there. Like every record it follows the named-tuple
//! protocol, so a list of them goes straight into a DataFrame.

use super::conversion::field_to_py;
use super::handles::{make_handle, make_ref};
use super::records::{as_map, dict_of, hash_view, reduce_record, repr_of};
use crate::call::HandleKind;
use crate::store::Store;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use serde_json::{Map, Value};
use std::sync::Arc;

/// The items of a review (views from [`crate::Tenant::review_item_view`]) as records.
pub(crate) fn decisions<'py>(py: Python<'py>, store: &Arc<Store>, views: Vec<Value>) -> PyResult<Bound<'py, PyAny>> {
    let items = views
        .into_iter()
        .map(|v| Bound::new(py, AccessReviewDecision::from_view(Some(store.clone()), v)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any())
}

/// One decision item of an access review: an immutable record.
#[pyclass(frozen, module = "ssgm._core")]
pub struct AccessReviewDecision {
    store: Option<Arc<Store>>,
    view: Map<String, Value>,
}

impl AccessReviewDecision {
    const FIELDS: &'static [&'static str] = &[
        "review",
        "user",
        "direct",
        "last_sign_in",
        "recommendation",
        "decision",
        "justification",
        "reviewed_by",
        "reviewed_at",
        "apply_result",
    ];

    /// The record of an item's view, its users resolved in `store`.
    pub(crate) fn from_view(store: Option<Arc<Store>>, view: Value) -> Self {
        AccessReviewDecision { store, view: as_map(view) }
    }

    /// A record read back from a pickle: no tenant.
    pub(crate) fn unpickled(view: Value) -> Self {
        AccessReviewDecision::from_view(None, view)
    }

    fn field<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let value = self.view.get(name).unwrap_or(&Value::Null);
        match (name, value) {
            ("user" | "reviewed_by", Value::String(id)) => match &self.store {
                Some(store) => make_handle(py, store, HandleKind::User, id.clone()),
                None => make_ref(py, HandleKind::User, id, None, None),
            },
            _ => field_to_py(py, name, value),
        }
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items = Self::FIELDS.iter().map(|f| self.field(py, f)).collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, items)
    }
}

#[pymethods]
impl AccessReviewDecision {
    /// The review's id.
    #[getter]
    fn review(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "review")?.unbind())
    }

    /// The reviewed user.
    #[getter]
    fn user(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "user")?.unbind())
    }

    /// Whether the user was a direct member at start.
    #[getter]
    fn direct(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "direct")?.unbind())
    }

    /// The user's last sign-in at start, or None.
    #[getter]
    fn last_sign_in(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "last_sign_in")?.unbind())
    }

    /// `approve` or `deny`.
    #[getter]
    fn recommendation(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "recommendation")?.unbind())
    }

    /// `not_reviewed`, `approve`, `deny` or `dont_know`.
    #[getter]
    fn decision(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "decision")?.unbind())
    }

    /// The reviewer's justification.
    #[getter]
    fn justification(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "justification")?.unbind())
    }

    /// Who decided, or None (not reviewed, or a default).
    #[getter]
    fn reviewed_by(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "reviewed_by")?.unbind())
    }

    /// When, or None.
    #[getter]
    fn reviewed_at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "reviewed_at")?.unbind())
    }

    /// None until applied, then `removed`, `not_found`, `not_supported` or `unchanged`.
    #[getter]
    fn apply_result(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.field(py, "apply_result")?.unbind())
    }

    /// The field names, in order (as a named tuple has them).
    #[classattr]
    fn _fields(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, Self::FIELDS)?.unbind())
    }

    /// The record as a dict (ids for users, datetimes for instants).
    #[pyo3(signature = (*, names=false))]
    fn to_dict(&self, py: Python<'_>, names: bool) -> PyResult<Py<PyAny>> {
        dict_of(py, Self::FIELDS, &self.view, names)
    }

    /// Pickles as its view; the copy names its users with `ssgm.Ref`s.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_record(py, "AccessReviewDecision", &self.view)
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

    /// Equal when of the same contents (an immutable value).
    fn __eq__(&self, other: PyRef<'_, Self>) -> bool {
        self.view == other.view
    }

    fn __hash__(&self) -> u64 {
        hash_view(&self.view)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        repr_of("AccessReviewDecision", Self::FIELDS, |f| self.field(py, f))
    }
}

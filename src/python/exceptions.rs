//! One exception hierarchy for every refusal of the core (SPEC §9): `SsgmError` and one
//! subclass per [`Family`], each instance carrying the stable `.code`.
//!
//! The family-to-class mapping is one exhaustive `match` with no catch-all arm, so a new
//! family breaks the build here instead of surfacing as a generic exception.

use crate::error::{Code, Error, Family};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

create_exception!(
    ssgm._core,
    SsgmError,
    PyException,
    "Base class of every refusal: `.code` is the stable snake_case code (SPEC §9)."
);
create_exception!(ssgm._core, PermissionDenied, SsgmError, "The actor may not do this.");
create_exception!(ssgm._core, NotFound, SsgmError, "An object named does not exist.");
create_exception!(ssgm._core, Conflict, SsgmError, "The state does not allow it.");
create_exception!(ssgm._core, InvalidArgument, SsgmError, "An argument is malformed.");
create_exception!(ssgm._core, StorageError, SsgmError, "A file could not be read or written, or is damaged.");
create_exception!(ssgm._core, ScriptError, SsgmError, "A Rhai script failed to parse or run.");

/// The Python class that carries refusals of `family`.
pub fn class_of(py: Python<'_>, family: Family) -> Bound<'_, PyType> {
    match family {
        Family::PermissionDenied => py.get_type::<PermissionDenied>(),
        Family::NotFound => py.get_type::<NotFound>(),
        Family::Conflict => py.get_type::<Conflict>(),
        Family::InvalidArgument => py.get_type::<InvalidArgument>(),
        Family::StorageError => py.get_type::<StorageError>(),
        Family::ScriptError => py.get_type::<ScriptError>(),
    }
}

/// A refusal as a Python exception of its family, with `.code` set.
pub fn refusal(py: Python<'_>, code: Code, message: &str) -> PyErr {
    let made = class_of(py, code.family()).call1((message,)).and_then(|exc| {
        exc.setattr("code", code.as_str())?;
        Ok(exc)
    });
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

/// A core error as a Python exception: a type error is `TypeError`, a refusal the
/// class of its family.
pub fn to_py_err(py: Python<'_>, err: Error) -> PyErr {
    match err {
        Error::Type(message) => PyTypeError::new_err(message),
        Error::Refused(r) => refusal(py, r.code, &r.message),
    }
}

/// `result.raise(py)?` turns a core error into the Python exception of its family.
pub trait Raise<T> {
    /// The value, or the error as a Python exception.
    fn raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> Raise<T> for crate::Result<T> {
    fn raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, e))
    }
}

/// `error_codes()`: every code and the class that carries it, in SPEC §9's order.
#[pyfunction]
pub fn error_codes(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for code in Code::ALL {
        out.set_item(code.as_str(), class_of(py, code.family()))?;
    }
    Ok(out)
}

/// Adds the exception classes and `error_codes` to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SsgmError", py.get_type::<SsgmError>())?;
    m.add("PermissionDenied", py.get_type::<PermissionDenied>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("Conflict", py.get_type::<Conflict>())?;
    m.add("InvalidArgument", py.get_type::<InvalidArgument>())?;
    m.add("StorageError", py.get_type::<StorageError>())?;
    m.add("ScriptError", py.get_type::<ScriptError>())?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    Ok(())
}

//! Every conversion between Python objects and the core's values: call arguments
//! ([`Arg`]), JSON (`serde_json::Value`, for views, history entries and import data) and
//! instants (aware UTC `datetime`s).

use super::handles::handle_of;
use crate::call::{Arg, HandleKind};
use crate::model::{parse_time, Timestamp};
use crate::views::TIME_FIELDS;
use chrono::{DateTime, Utc};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDateTime, PyDict, PyFloat, PyFrozenSet, PyInt, PyIterator, PyList, PySet, PyString,
    PyTuple, PyTzInfo,
};
use serde_json::{Map, Number, Value};

/// How deeply lists and dicts may nest in an argument: deeper input (or a list containing
/// itself) is a type error instead of a stack overflow. The core's bound, counted the same
/// way, so what this face accepts the history can hold.
const MAX_DEPTH: usize = crate::command::MAX_DEPTH;

/// An optional argument as the caller gave it: left out, or given (even as `None`). Options
/// are handed to [`crate::call::build`] only when given, so the core applies its defaults
/// and checks the types of what was given.
pub enum Opt<'py> {
    /// Not given.
    Missing,
    /// Given.
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Opt<'py> {
    type Error = PyErr;

    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Opt::Given(ob.to_owned()))
    }
}

/// The positional arguments of a call.
pub fn args(items: &[&Bound<'_, PyAny>]) -> PyResult<Vec<Arg>> {
    items.iter().map(|a| to_arg(a)).collect()
}

/// The keyword arguments of a call that were given.
pub fn kwargs(items: Vec<(&str, Opt<'_>)>) -> PyResult<Vec<(String, Arg)>> {
    let mut out = Vec::with_capacity(items.len());
    for (name, value) in items {
        if let Opt::Given(v) = value {
            out.push((name.to_string(), to_arg(&v)?));
        }
    }
    Ok(out)
}

/// A `**kwargs` dict as keyword arguments.
pub fn dict_kwargs(dict: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, Arg)>> {
    let mut out = Vec::new();
    if let Some(d) = dict {
        for (k, v) in d.iter() {
            out.push((k.extract::<String>()?, to_arg(&v)?));
        }
    }
    Ok(out)
}

/// `configure`'s settings as keyword arguments. They become JSON, where an int beyond 64
/// bits is a number as JSON readers hold it (a float): the core then says it is out of
/// range, where as an unknown object it would be null.
pub fn setting_kwargs(dict: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, Arg)>> {
    let mut out = dict_kwargs(dict)?;
    if let Some(d) = dict {
        for ((_, arg), (_, v)) in out.iter_mut().zip(d.iter()) {
            if matches!(arg, Arg::Other(t) if t == "int") {
                if let Ok(f) = v.extract::<f64>() {
                    *arg = Arg::Float(f);
                }
            }
        }
    }
    Ok(out)
}

pub(super) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_string())
}

/// A Python value as a call argument. `bool` is checked before `int` (a bool is an int in
/// Python, not in the model); anything the core has no notion of is `Arg::Other(type name)`,
/// which the core reports as a type error where it matters.
pub fn to_arg(obj: &Bound<'_, PyAny>) -> PyResult<Arg> {
    to_arg_at(obj, 0)
}

pub(super) fn too_deep() -> PyErr {
    PyTypeError::new_err(format!("arguments may nest lists and dicts at most {MAX_DEPTH} deep"))
}

/// What a Python value is to the core, in the order [`to_arg`] tells them apart. Containers
/// are kept as they are, for the caller to walk.
pub(super) enum PyData<'py> {
    /// None.
    Null,
    /// A bool (never an int).
    Bool(bool),
    /// An int that fits 64 bits.
    Int(i64),
    /// An int beyond 64 bits, which fits nothing in the model.
    BigInt,
    /// A float.
    Float(f64),
    /// A str.
    Str(Bound<'py, PyString>),
    /// A handle: its kind and id.
    Handle(HandleKind, String),
    /// A list.
    List(Bound<'py, PyList>),
    /// A tuple.
    Tuple(Bound<'py, PyTuple>),
    /// A datetime, as its instant.
    Time(Timestamp),
    /// A dict.
    Dict(Bound<'py, PyDict>),
    /// Any other ordered iterable, as its iterator.
    Iter(Bound<'py, PyIterator>),
    /// Anything else, by its type name.
    Other(String),
}

/// What `obj` is (see [`PyData`]). `bool` is checked before `int` (a bool is an int in
/// Python, not in the model).
pub(super) fn classify<'py>(obj: &Bound<'py, PyAny>) -> PyResult<PyData<'py>> {
    // The common exact types first: each is nothing else below.
    if let Ok(d) = obj.cast_exact::<PyDict>() {
        return Ok(PyData::Dict(d.clone()));
    }
    if let Ok(s) = obj.cast_exact::<PyString>() {
        return Ok(PyData::Str(s.clone()));
    }
    if obj.is_none() {
        return Ok(PyData::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(PyData::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        return Ok(i.extract::<i64>().map(PyData::Int).unwrap_or(PyData::BigInt));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(PyData::Float(f.value()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(PyData::Str(s.clone()));
    }
    if let Some((kind, id)) = handle_of(obj) {
        return Ok(PyData::Handle(kind, id));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(PyData::List(l.clone()));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(PyData::Tuple(t.clone()));
    }
    if obj.cast::<PyDateTime>().is_ok() {
        return Ok(PyData::Time(py_to_time("argument", "value", obj)?));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return Ok(PyData::Dict(d.clone()));
    }
    // Any other ordered iterable (a generator, a range, a numpy array, a pandas Series) is a
    // list, as lists and tuples are. Text and byte strings are not sequences of references,
    // and sets have no order for the model's ordered lists: both stay type errors.
    if !obj.is_instance_of::<PyBytes>()
        && !obj.is_instance_of::<PyByteArray>()
        && !obj.is_instance_of::<PySet>()
        && !obj.is_instance_of::<PyFrozenSet>()
        && !is_ssgm_record(obj)
    {
        if let Ok(iter) = obj.try_iter() {
            return Ok(PyData::Iter(iter));
        }
    }
    Ok(PyData::Other(type_name(obj)))
}

/// A dict key as a str; another type is a `TypeError`.
pub(super) fn dict_key<'a, 'py>(key: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyString>> {
    key.cast::<PyString>().map_err(|_| PyTypeError::new_err(format!("dict keys must be str, not {}", type_name(key))))
}

fn to_arg_at(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Arg> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(match classify(obj)? {
        PyData::Null => Arg::Null,
        PyData::Bool(b) => Arg::Bool(b),
        PyData::Int(i) => Arg::Int(i),
        PyData::BigInt => Arg::Other("int".into()),
        PyData::Float(f) => Arg::Float(f),
        PyData::Str(s) => Arg::Str(s.to_cow()?.into_owned()),
        PyData::Handle(kind, id) => Arg::Handle(kind, id),
        PyData::List(l) => Arg::List(l.iter().map(|x| to_arg_at(&x, depth + 1)).collect::<PyResult<_>>()?),
        PyData::Tuple(t) => Arg::List(t.iter().map(|x| to_arg_at(&x, depth + 1)).collect::<PyResult<_>>()?),
        PyData::Time(t) => Arg::Time(t),
        PyData::Dict(d) => {
            let mut items = Vec::with_capacity(d.len());
            for (k, v) in d.iter() {
                items.push((dict_key(&k)?.to_cow()?.into_owned(), to_arg_at(&v, depth + 1)?));
            }
            Arg::Map(items)
        }
        PyData::Iter(iter) => {
            let mut items = Vec::new();
            for x in iter {
                items.push(to_arg_at(&x?, depth + 1)?);
            }
            Arg::List(items)
        }
        PyData::Other(t) => Arg::Other(t),
    })
}

/// Whether `obj` is one of ssgm's own records (iterable as sequences for DataFrames, but a
/// value of its own type as an argument, never a list).
fn is_ssgm_record(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type().module().map(|m| m.to_cow().is_ok_and(|m| m == "ssgm" || m.starts_with("ssgm."))).unwrap_or(false)
}

/// A reference (handle, id or name) where one of `kinds` is expected, for the analyst
/// queries; anything else is a `TypeError`.
pub fn reference(
    func: &str,
    param: &str,
    obj: &Bound<'_, PyAny>,
    kinds: &[HandleKind],
    expected: &str,
) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    match handle_of(obj) {
        Some((kind, id)) if kinds.contains(&kind) => Ok(id),
        _ => {
            Err(PyTypeError::new_err(format!("{func}() argument '{param}' must be {expected}, not {}", type_name(obj))))
        }
    }
}

/// Strict Python-to-JSON for history entries and settings maps: handles become their ids;
/// anything that is not JSON is a `TypeError`.
pub fn to_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json_at(obj, 0, MAX_DEPTH)
}

/// [`to_json`] of a history entry: its arguments sit up to two levels below it (`data` or
/// `settings`, then their parts), so it may nest that much deeper; the core checks the rest.
pub fn entry_to_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json_at(obj, 0, MAX_DEPTH + 2)
}

fn to_json_at(obj: &Bound<'_, PyAny>, depth: usize, max: usize) -> PyResult<Value> {
    if depth > max {
        return Err(too_deep());
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            return Ok(Value::from(v));
        }
        if let Ok(v) = i.extract::<u64>() {
            return Ok(Value::from(v));
        }
        return Err(PyTypeError::new_err("integer out of range for JSON (64 bits)"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err("NaN and infinity are not JSON numbers"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Some((_, id)) = handle_of(obj) {
        return Ok(Value::String(id));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(Value::Array(l.iter().map(|x| to_json_at(&x, depth + 1, max)).collect::<PyResult<_>>()?));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(Value::Array(t.iter().map(|x| to_json_at(&x, depth + 1, max)).collect::<PyResult<_>>()?));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            map.insert(dict_key(&k)?.to_cow()?.into_owned(), to_json_at(&v, depth + 1, max)?);
        }
        return Ok(Value::Object(map));
    }
    Err(PyTypeError::new_err(format!("{} is not JSON data", type_name(obj))))
}

/// JSON as plain Python values (dicts keep their order).
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            PyList::new(py, items.iter().map(|v| to_py(py, v)).collect::<PyResult<Vec<_>>>()?)?.into_any()
        }
        Value::Object(map) => {
            let d = PyDict::new(py);
            for (k, v) in map {
                d.set_item(k, to_py(py, v)?)?;
            }
            d.into_any()
        }
    })
}

/// One field of a view: instants become aware UTC datetimes, the rest plain values.
pub fn field_to_py<'py>(py: Python<'py>, name: &str, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::String(text) if TIME_FIELDS.contains(&name) => match parse_time(text) {
            Some(t) => Ok(time_to_py(py, t)?.into_any()),
            None => to_py(py, value),
        },
        _ => to_py(py, value),
    }
}

/// A view (a JSON map from [`crate::views`]) as a dict, with its instants as datetimes.
pub fn view_to_py<'py>(py: Python<'py>, view: &Value) -> PyResult<Bound<'py, PyAny>> {
    match view {
        Value::Object(map) => {
            let d = PyDict::new(py);
            for (k, v) in map {
                match v {
                    // §14: a review's `decisions`, maps whose instants become datetimes too.
                    Value::Array(items) if k == "decisions" => {
                        let list = items.iter().map(|x| view_to_py(py, x)).collect::<PyResult<Vec<_>>>()?;
                        d.set_item(k, PyList::new(py, list)?)?;
                    }
                    _ => d.set_item(k, field_to_py(py, k, v)?)?,
                }
            }
            Ok(d.into_any())
        }
        other => to_py(py, other),
    }
}

/// An instant as an aware UTC datetime.
pub fn time_to_py(py: Python<'_>, t: Timestamp) -> PyResult<Bound<'_, PyDateTime>> {
    let dt = DateTime::<Utc>::from_timestamp_micros(t)
        .ok_or_else(|| PyValueError::new_err(format!("instant {t} µs is out of range")))?;
    dt.into_pyobject(py)
}

/// A datetime as an instant: aware datetimes in any time zone, naive ones read as UTC
/// . Anything else is a `TypeError`.
pub fn py_to_time(func: &str, param: &str, obj: &Bound<'_, PyAny>) -> PyResult<Timestamp> {
    let py = obj.py();
    let dt = obj.cast::<PyDateTime>().map_err(|_| {
        PyTypeError::new_err(format!("{func}() argument '{param}' must be a datetime, not {}", type_name(obj)))
    })?;
    let utc = PyTzInfo::utc(py)?;
    let aware = if dt.getattr("tzinfo")?.is_none() {
        let kw = PyDict::new(py);
        kw.set_item("tzinfo", utc)?;
        dt.call_method("replace", (), Some(&kw))?
    } else {
        dt.clone().into_any()
    };
    // Subtracting the epoch is exact to the microsecond for any tzinfo (zoneinfo too).
    let epoch = PyDateTime::new(py, 1970, 1, 1, 0, 0, 0, 0, Some(&utc))?;
    let delta: chrono::TimeDelta = aware.call_method1("__sub__", (epoch,))?.extract()?;
    delta.num_microseconds().ok_or_else(|| PyValueError::new_err(format!("{func}(): the instant is out of range")))
}

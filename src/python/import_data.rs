//! `import_directory`'s data read straight from Python objects: a serde
//! [`Deserializer`](de::Deserializer) over them that [`DirectoryData`] reads in one pass, with
//! no tree in between and each string copied once.
//!
//! It reads a value as [`super::conversion::to_arg`] would take it and then `serde_json`
//! would hand it on, so both faces say the same: bools are not ints, a handle
//! stands for its id only where its field takes that kind ([`call::data_handle`]), datetimes
//! are ISO 8601 instants, NaN and infinities are refused, nesting is bounded, and the shape
//! errors are `serde_json`'s own. With several things wrong it raises what the other path
//! raises, which checks every value before the shape: whatever a reader stops at, the rest of
//! the data is still checked as data ([`check_rest`]).

use super::conversion::{classify, dict_key, to_arg, too_deep, PyData};
use super::exceptions::Raise;
use crate::call::{self, Step};
use crate::command::{Command, MAX_DEPTH};
use crate::model::{format_time, DirectoryData};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeSeed, IgnoredAny, IntoDeserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// The command of `import_directory(data)`. Data that is no dict goes the way of every other
/// argument, for the same type error.
pub(super) fn import_command(data: &Bound<'_, PyAny>) -> PyResult<Command> {
    let py = data.py();
    if !matches!(classify(data)?, PyData::Dict(_)) {
        return call::build("import_directory", &[to_arg(data)?], &[]).raise(py);
    }
    match DirectoryData::deserialize(Data { obj: data.clone(), depth: 0, path: &Path::Top }) {
        Ok(d) => Ok(call::import_command(d)),
        Err(Failure::Py(e)) => Err(e),
        Err(Failure::Core(e)) => Err(e).raise(py),
        Err(Failure::Shape(e)) => Err(DirectoryData::shape_error(e)).raise(py),
    }
}

/// Why reading stopped: a Python exception (a generator's own, a datetime out of range), a
/// value that is not data, or data of the wrong shape (worded by `serde_json`).
#[derive(Debug)]
enum Failure {
    Py(PyErr),
    Core(crate::Error),
    Shape(serde_json::Error),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Py(e) => e.fmt(f),
            Failure::Core(e) => e.fmt(f),
            Failure::Shape(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Failure {}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Failure {
        Failure::Py(e)
    }
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Failure {
        Failure::Core(e)
    }
}

/// Every message `serde_json` words itself (`null`, not `unit value`; its float format).
impl de::Error for Failure {
    fn custom<T: fmt::Display>(msg: T) -> Failure {
        Failure::Shape(<serde_json::Error as de::Error>::custom(msg))
    }
    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Failure {
        Failure::Shape(<serde_json::Error as de::Error>::invalid_type(unexp, exp))
    }
    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Failure {
        Failure::Shape(<serde_json::Error as de::Error>::invalid_value(unexp, exp))
    }
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Failure {
        Failure::Shape(<serde_json::Error as de::Error>::invalid_length(len, exp))
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Failure {
        Failure::Shape(<serde_json::Error as de::Error>::unknown_field(field, expected))
    }
    fn missing_field(field: &'static str) -> Failure {
        Failure::Shape(<serde_json::Error as de::Error>::missing_field(field))
    }
    fn duplicate_field(field: &'static str) -> Failure {
        Failure::Shape(<serde_json::Error as de::Error>::duplicate_field(field))
    }
}

/// Where a value sits, kept on the stack (nothing is written down unless an error names it).
enum Path<'a> {
    Top,
    Below(&'a Path<'a>, Step<'a>),
}

impl<'a> Path<'a> {
    /// The steps from the top down to here.
    fn steps(&'a self) -> Vec<Step<'a>> {
        let mut out = Vec::new();
        let mut at = self;
        while let Path::Below(up, step) = at {
            out.push(*step);
            at = up;
        }
        out.reverse();
        out
    }
}

/// One Python value at `depth` (the data itself is 0), where `path` says.
struct Data<'a, 'py> {
    obj: Bound<'py, PyAny>,
    depth: usize,
    path: &'a Path<'a>,
}

impl<'a, 'py> Data<'a, 'py> {
    /// A value inside this one.
    fn below<'b>(&self, obj: Bound<'py, PyAny>, path: &'b Path<'b>) -> Result<Data<'b, 'py>, Failure> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(too_deep().into());
        }
        Ok(Data { obj, depth, path })
    }

    fn items<'de, V: Visitor<'de>>(self, visitor: V, items: Items<'py>) -> Result<V::Value, Failure> {
        let mut seq = Seq { items, at: 0, parent: &self };
        let read = visitor.visit_seq(&mut seq);
        let left = check_rest(read.as_ref().err(), || seq.next_element::<IgnoredAny>().map(|x| x.is_some()))?;
        // A struct read from a list leaves what it does not take: too long a list, as
        // `serde_json` says it.
        match read {
            Ok(_) if left > 0 => Err(de::Error::invalid_length(seq.at, &"fewer elements in array")),
            read => read,
        }
    }

    fn entries<'de, V: Visitor<'de>>(self, visitor: V, dict: Bound<'py, PyDict>) -> Result<V::Value, Failure> {
        let len = dict.len();
        let mut map = Entries { iter: dict.iter(), value: None, parent: &self };
        let read = visitor.visit_map(&mut map);
        let left = check_rest(read.as_ref().err(), || map.skip())?;
        match read {
            Ok(_) if left > 0 => Err(de::Error::invalid_length(len, &"fewer elements in map")),
            read => read,
        }
    }
}

/// What a reader of a list or dict left when it stopped (with `error`, if it failed) is still
/// checked as data, value by value (`next`: false at the end), as the other path checks every
/// value before the shape: an exception there wins over anything, a value that is not data
/// over a wrong shape. Returns how many values were left, or the error that wins.
fn check_rest(error: Option<&Failure>, mut next: impl FnMut() -> Result<bool, Failure>) -> Result<usize, Failure> {
    // An exception stops everything, as it stops the other path.
    if matches!(error, Some(Failure::Py(_))) {
        return Ok(0);
    }
    let mut worse: Option<Failure> = None;
    let mut left = 0;
    loop {
        match next() {
            Ok(false) => break,
            Ok(true) => {}
            Err(e @ Failure::Py(_)) => return Err(e),
            // The first value that is not data wins, unless the reader stopped at one.
            Err(e) => {
                if worse.is_none() && !matches!(error, Some(Failure::Core(_))) {
                    worse = Some(e);
                }
            }
        }
        left += 1;
    }
    match worse {
        Some(e) => Err(e),
        None => Ok(left),
    }
}

/// The items of a list, a tuple or another iterable.
enum Items<'py> {
    List(Bound<'py, PyList>),
    Tuple(Bound<'py, PyTuple>),
    Iter(Bound<'py, PyIterator>),
}

struct Seq<'p, 'a, 'py> {
    items: Items<'py>,
    at: usize,
    parent: &'p Data<'a, 'py>,
}

impl<'de, 'p, 'a, 'py> SeqAccess<'de> for Seq<'p, 'a, 'py> {
    type Error = Failure;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Failure> {
        let item = match &mut self.items {
            Items::List(l) => l.get_item(self.at).ok(),
            Items::Tuple(t) => t.get_item(self.at).ok(),
            Items::Iter(it) => it.next().transpose()?,
        };
        let Some(item) = item else { return Ok(None) };
        let path = Path::Below(self.parent.path, Step::Index(self.at));
        self.at += 1;
        seed.deserialize(self.parent.below(item, &path)?).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        match &self.items {
            Items::List(l) => Some(l.len().saturating_sub(self.at)),
            Items::Tuple(t) => Some(t.len().saturating_sub(self.at)),
            Items::Iter(_) => None,
        }
    }
}

struct Entries<'p, 'a, 'py> {
    iter: pyo3::types::iter::BoundDictIterator<'py>,
    /// The entry whose key was read, until its value is.
    value: Option<(Bound<'py, PyString>, Bound<'py, PyAny>)>,
    parent: &'p Data<'a, 'py>,
}

impl<'p, 'a, 'py> Entries<'p, 'a, 'py> {
    /// Checks the next value left unread as data; false at the end.
    fn skip(&mut self) -> Result<bool, Failure> {
        if self.value.is_none() {
            let Some((key, value)) = self.iter.next() else { return Ok(false) };
            self.value = Some((dict_key(&key)?.clone(), value));
        }
        de::MapAccess::next_value::<IgnoredAny>(self)?;
        Ok(true)
    }
}

impl<'de, 'p, 'a, 'py> de::MapAccess<'de> for Entries<'p, 'a, 'py> {
    type Error = Failure;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Failure> {
        let Some((key, value)) = self.iter.next() else { return Ok(None) };
        let key = dict_key(&key)?;
        self.value = Some((key.clone(), value));
        seed.deserialize(IntoDeserializer::<Failure>::into_deserializer(&*key.to_cow()?)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Failure> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("a value asked for before its key"));
        };
        let name = key.to_cow()?;
        let path = Path::Below(self.parent.path, Step::Field(&name));
        seed.deserialize(self.parent.below(value, &path)?)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

impl<'de, 'a, 'py> de::Deserializer<'de> for Data<'a, 'py> {
    type Error = Failure;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failure> {
        match classify(&self.obj)? {
            PyData::Null => visitor.visit_unit(),
            PyData::Bool(b) => visitor.visit_bool(b),
            // As JSON holds them: a number from 0 up is unsigned.
            PyData::Int(i) => match u64::try_from(i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(i),
            },
            PyData::BigInt => Err(call::data_not_plain(&self.path.steps(), "int").into()),
            PyData::Float(f) if !f.is_finite() => Err(call::data_not_finite(&self.path.steps()).into()),
            PyData::Float(f) => visitor.visit_f64(f),
            PyData::Str(s) => visitor.visit_str(&s.to_cow()?),
            PyData::Handle(kind, id) => visitor.visit_string(call::data_handle(&self.path.steps(), kind, id)?),
            PyData::Time(t) => visitor.visit_string(format_time(t)),
            PyData::List(l) => self.items(visitor, Items::List(l)),
            PyData::Tuple(t) => self.items(visitor, Items::Tuple(t)),
            PyData::Iter(it) => self.items(visitor, Items::Iter(it)),
            PyData::Dict(d) => self.entries(visitor, d),
            PyData::Other(t) => Err(call::data_not_plain(&self.path.steps(), &t).into()),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failure> {
        if self.obj.is_none() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

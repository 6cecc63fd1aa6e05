//! Fast paths for the hot analyst queries (`has_access`, `has_access_many`,
//! `who_has_access`).
//!
//! * Every string reference is resolved by the core, each time, from the Python string's own
//!   UTF-8 buffer (borrowed, not copied): ids before names, as says. Nothing is
//!   remembered on the Python side between calls, so no answer can go stale when a new id
//!   shadows a name, and a `str` subclass with its own `__eq__`/`__hash__` resolves as its
//!   text. Within one `has_access_many` call (one read lock) a string object met again is
//!   resolved once.
//! * Handles of the same tenant carry their object's index (an index never changes: users
//!   and resources are never deleted).
//! * When no writer holds the store, a call runs without releasing the GIL (releasing it
//!   costs more than a check); otherwise the GIL is released while waiting.
//! * `who_has_access` returns the same `User` handle object for a user each time, so a large
//!   answer costs a reference count per user rather than a new object; while who reaches an
//!   application has not changed since (the core's `access_epoch` of it has not moved, which
//!   every change of its grants, its blocks or the disabled users moves), a repeated question
//!   is answered with a copy of the last answer, whatever other commands ran. No Python
//!   object is created while a lock is held.

use super::exceptions::Raise;
use super::handles::{User, NO_IX};
use crate::store::Store;
use crate::tenant::Tenant as Core;
use parking_lot::Mutex;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use std::sync::Arc;

/// What a `Tenant` keeps between calls: handles and last answers, both exact.
pub(crate) struct RefCache {
    user_handles: Mutex<Vec<Option<Py<PyAny>>>>,
    /// The last `who_has_access` answer per application, with the access epoch it was read at.
    answers: Mutex<rustc_hash::FxHashMap<u32, (u64, Py<PyList>)>>,
}

/// A user or resource reference, as far as it could be resolved without the store.
#[derive(Clone, Copy)]
enum Ref<'a> {
    /// A handle of this tenant: its index.
    Ix(u32),
    /// Text (a string, or the id of another tenant's handle) to resolve in the core.
    Text(&'a str),
}

#[derive(Clone, Copy)]
enum Side {
    User,
    Resource,
}

impl Side {
    fn expected(self) -> &'static str {
        match self {
            Side::User => "a User, an id or a upn",
            Side::Resource => "a Resource, an id or a name",
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

/// Whether `obj` is a numpy array (without importing numpy when it is not).
fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    let ty = obj.get_type();
    ty.name().is_ok_and(|n| n == "ndarray") && ty.module().is_ok_and(|m| m == "numpy")
}

/// Resolves a [`Ref`] inside the store.
fn resolve(t: &Core, side: Side, r: Ref<'_>) -> crate::Result<u32> {
    match (r, side) {
        (Ref::Ix(ix), _) => Ok(ix),
        (Ref::Text(text), Side::User) => t.find_user(text),
        (Ref::Text(text), Side::Resource) => t.find_resource(text),
    }
}

/// Classifies a reference argument: a handle of this tenant by index, any other handle by
/// its id, a string by its text. The text borrows from `obj`.
fn classify<'a>(
    store: &Arc<Store>,
    obj: &'a Bound<'_, PyAny>,
    side: Side,
    func: &str,
    param: &str,
) -> PyResult<Ref<'a>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Ref::Text(s.to_str()?));
    }
    let of = |h_store: &Arc<Store>, ix: u32, id: &'a str| {
        if ix != NO_IX && Arc::ptr_eq(h_store, store) {
            Ref::Ix(ix)
        } else {
            Ref::Text(id)
        }
    };
    let found = match side {
        Side::User => obj.cast::<User>().ok().map(|h| {
            let h: &'a User = h.get();
            of(&h.store, h.ix, h.id.as_str())
        }),
        Side::Resource => obj.cast::<super::handles::Resource>().ok().map(|h| {
            let h: &'a super::handles::Resource = h.get();
            of(&h.store, h.ix, h.id.as_str())
        }),
    };
    found.ok_or_else(|| {
        PyTypeError::new_err(format!("{func}() argument '{param}' must be {}, not {}", side.expected(), type_name(obj)))
    })
}

/// Resolutions made during one batch, under its one read lock: while the lock is held the same
/// text resolves the same way, and the same string object (the same UTF-8 buffer, alive for
/// the whole call) is the same text, so an object met again is resolved once. Direct-mapped,
/// so a miss costs a comparison; nothing outlives the call.
struct Memo {
    side: Side,
    slots: Vec<(usize, usize, u32)>,
}

impl Memo {
    const SLOTS: usize = 256;

    /// A memo for a batch of `len` pairs; a short batch gets none (its table would cost more
    /// than it saves), and every reference is resolved as it comes.
    fn new(side: Side, len: usize) -> Memo {
        Memo { side, slots: if len >= 64 { vec![(0, 0, 0); Memo::SLOTS] } else { Vec::new() } }
    }

    fn resolve(&mut self, t: &Core, r: Ref<'_>) -> crate::Result<u32> {
        let Ref::Text(text) = r else { return resolve(t, self.side, r) };
        let key = text.as_ptr() as usize;
        let slot = ((key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
        if let Some(&(k, len, ix)) = self.slots.get(slot) {
            if k == key && len == text.len() {
                return Ok(ix);
            }
        }
        let ix = resolve(t, self.side, r)?;
        if let Some(place) = self.slots.get_mut(slot) {
            *place = (key, text.len(), ix);
        }
        Ok(ix)
    }
}

/// Reads the store: at once when no writer holds it (keeping the GIL), else with the GIL
/// released while waiting.
fn read<R: Send>(py: Python<'_>, store: &Arc<Store>, f: impl Fn(&Core) -> R + Send + Sync) -> R {
    if let Some(answer) = store.try_read(&f) {
        return answer;
    }
    let store = store.clone();
    py.detach(move || store.read(f))
}

impl RefCache {
    pub(crate) fn new(_py: Python<'_>) -> RefCache {
        RefCache { user_handles: Mutex::new(Vec::new()), answers: Mutex::new(rustc_hash::FxHashMap::default()) }
    }

    /// `has_access` of one pair.
    pub(crate) fn has_access(
        &self,
        py: Python<'_>,
        store: &Arc<Store>,
        user: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let u = classify(store, user, Side::User, "has_access", "user")?;
        let r = classify(store, resource, Side::Resource, "has_access", "resource")?;
        read(py, store, |t| -> crate::Result<bool> {
            Ok(t.has_access_ix(resolve(t, Side::User, u)?, resolve(t, Side::Resource, r)?))
        })
        .raise(py)
    }

    /// `has_access` of every pair, in order; the first malformed pair is a
    /// `TypeError`, the first unresolved reference `NotFound`; no partial result.
    pub(crate) fn has_access_many<'py>(
        &self,
        py: Python<'py>,
        store: &Arc<Store>,
        pairs: &Bound<'py, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        // First the items, held so that the texts borrowed from them stay valid.
        let mut items: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)> = Vec::new();
        if let Ok(n) = pairs.len() {
            items.reserve(n);
        }
        for (i, pair) in pairs.try_iter()?.enumerate() {
            let pair = pair?;
            let two = if let Ok(t) = pair.cast::<PyTuple>() {
                (t.len() == 2).then(|| (t.get_item(0), t.get_item(1)))
            } else if let Ok(l) = pair.cast::<PyList>() {
                (l.len() == 2).then(|| (l.get_item(0), l.get_item(1)))
            } else {
                None
            };
            let Some((Ok(u), Ok(r))) = two else {
                return Err(PyTypeError::new_err(format!(
                    "has_access_many() pair {i} must be a (user, resource) tuple or list of 2 items, not {}",
                    pair.repr()?
                )));
            };
            items.push((u, r));
        }
        self.check_pairs(py, store, &items, "has_access_many")
    }

    /// `has_access_many(users, resources)`: two sequences of equal length.
    pub(crate) fn has_access_columns<'py>(
        &self,
        py: Python<'py>,
        store: &Arc<Store>,
        users: &Bound<'py, PyAny>,
        resources: &Bound<'py, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let column = |seq: &Bound<'py, PyAny>, param: &str| -> PyResult<Vec<Bound<'py, PyAny>>> {
            if seq.cast::<PyString>().is_ok() {
                return Err(PyTypeError::new_err(format!(
                    "has_access_many() argument '{param}' must be a sequence of references, not str"
                )));
            }
            // numpy arrays and pandas Series iterate as their items.
            seq.try_iter()
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "has_access_many() argument '{param}' must be a sequence, not {}",
                        type_name(seq)
                    ))
                })?
                .collect()
        };
        let us = column(users, "users")?;
        let rs = column(resources, "resources")?;
        if us.len() != rs.len() {
            return Err(PyTypeError::new_err(format!(
                "has_access_many() needs sequences of equal length, not {} users and {} resources",
                us.len(),
                rs.len()
            )));
        }
        let items: Vec<_> = us.into_iter().zip(rs).collect();
        let answers = self.check_pairs(py, store, &items, "has_access_many")?;
        // numpy in, numpy out: a bool array the caller can mask with.
        if is_ndarray(users) || is_ndarray(resources) {
            let np = py.import("numpy")?;
            let kw = pyo3::types::PyDict::new(py);
            kw.set_item("dtype", np.getattr("bool_")?)?;
            return Ok(np.call_method("asarray", (answers,), Some(&kw))?.unbind());
        }
        Ok(answers)
    }

    fn check_pairs<'py>(
        &self,
        py: Python<'py>,
        store: &Arc<Store>,
        items: &[(Bound<'py, PyAny>, Bound<'py, PyAny>)],
        func: &str,
    ) -> PyResult<Py<PyAny>> {
        let mut keys: Vec<(Ref<'_>, Ref<'_>)> = Vec::with_capacity(items.len());
        for (u, r) in items {
            keys.push((
                classify(store, u, Side::User, func, "user")?,
                classify(store, r, Side::Resource, func, "resource")?,
            ));
        }
        let store2 = store.clone();
        let keys_ref = &keys;
        // A long batch releases the GIL for its whole evaluation, so that threads scale.
        let eval = move |t: &Core| -> crate::Result<Vec<bool>> {
            let n = keys_ref.len();
            let (mut users, mut resources) = (Memo::new(Side::User, n), Memo::new(Side::Resource, n));
            keys_ref
                .iter()
                .map(|(u, r)| Ok(t.has_access_ix(users.resolve(t, *u)?, resources.resolve(t, *r)?)))
                .collect()
        };
        let answers =
            if keys.len() >= 256 { py.detach(move || store2.read(eval)) } else { read(py, store, eval) }.raise(py)?;
        Ok(PyList::new(py, answers)?.into_any().unbind())
    }

    /// everyone with access to a resource, as `User` handles, in creation order.
    pub(crate) fn who_has_access(
        &self,
        py: Python<'_>,
        store: &Arc<Store>,
        resource: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let r = classify(store, resource, Side::Resource, "who_has_access", "resource")?;
        let (ri, epoch) =
            read(py, store, |t| resolve(t, Side::Resource, r).map(|ri| (ri, t.access_epoch(ri)))).raise(py)?;
        // The core's access epoch of the resource moves with every change of who reaches it,
        // so an answer read at the same epoch is still the answer.
        let cached =
            epoch.and_then(|e| self.answers.lock().get(&ri).filter(|(v, _)| *v == e).map(|(_, l)| l.clone_ref(py)));
        if let Some(list) = cached {
            let list = list.bind(py);
            return Ok(list.get_slice(0, list.len()).into_any().unbind());
        }
        let s = store.clone();
        // Inside the read: the users only; handles are made afterwards.
        let (users, epoch) = py.detach(move || s.read(|t| (t.who_has_access(ri), t.access_epoch(ri))));
        let known: Vec<Option<Py<PyAny>>> = {
            let handles = self.user_handles.lock();
            users.iter().map(|u| handles.get(*u as usize).and_then(|h| h.as_ref().map(|h| h.clone_ref(py)))).collect()
        };
        // Ids are read only for the users that have no handle yet (ids never change).
        let missing: Vec<u32> = users.iter().zip(&known).filter(|(_, k)| k.is_none()).map(|(u, _)| *u).collect();
        let mut ids = if missing.is_empty() {
            Vec::new()
        } else {
            let s = store.clone();
            py.detach(move || {
                s.read(|t| missing.iter().map(|u| t.user(*u).map(|x| x.id.clone()).unwrap_or_default()).collect())
            })
        }
        .into_iter();
        let mut made: Vec<(u32, Py<PyAny>)> = Vec::new();
        let mut out: Vec<Py<PyAny>> = Vec::with_capacity(users.len());
        for (u, k) in users.iter().zip(known) {
            match k {
                Some(h) => out.push(h),
                None => {
                    let id = ids.next().unwrap_or_default();
                    let h = Bound::new(py, User { store: store.clone(), id, ix: *u })?.into_any().unbind();
                    made.push((*u, h.clone_ref(py)));
                    out.push(h);
                }
            }
        }
        if !made.is_empty() {
            let mut handles = self.user_handles.lock();
            for (u, h) in made {
                let slot = u as usize;
                if handles.len() <= slot {
                    handles.resize_with(slot + 1, || None);
                }
                if let Some(place) = handles.get_mut(slot) {
                    *place = Some(h);
                }
            }
        }
        let list = PyList::new(py, out)?;
        if let Some(epoch) = epoch {
            let copy = list.get_slice(0, list.len()).unbind();
            self.answers.lock().insert(ri, (epoch, copy));
        }
        Ok(list.into_any().unbind())
    }
}

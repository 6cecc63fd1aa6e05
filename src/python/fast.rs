//! Fast paths for the hot analyst queries (`has_access`, `has_access_many`,
//! `who_has_access`).
//!
//! * A reference to a user or a resource resolves to the same object for the life of a tenant
//!   (neither is ever deleted or renamed), so each `Tenant` remembers the strings it has
//!   resolved, keyed by the Python string itself (its hash is cached by Python). The memory is
//!   cleared after anything that could add an id equal to a name already seen (an import, a
//!   script).
//! * Handles of the same tenant carry their object's index.
//! * When no writer holds the store, a single check runs without releasing the GIL (releasing
//!   it costs more than the check); otherwise the GIL is released while waiting.
//! * `who_has_access` returns the same `User` handle object for a user each time, so a large
//!   answer costs a reference count per user rather than a new object; and while no command
//!   has run since (the store's version has not moved), a repeated question is answered with
//!   a copy of the last answer.

use super::exceptions::Raise;
use super::handles::{User, NO_IX};
use crate::store::Store;
use crate::tenant::Tenant as Core;
use parking_lot::Mutex;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use std::sync::Arc;

/// `who_has_access` inside the lock: the resource, the users, and the ids of those without a
/// handle yet.
type Answer = (u32, Vec<u32>, Vec<(u32, String)>);

/// What a `Tenant` remembers between calls.
pub(crate) struct RefCache {
    users: Py<PyDict>,
    resources: Py<PyDict>,
    user_handles: Mutex<Vec<Option<Py<PyAny>>>>,
    /// The last `who_has_access` answer per resource, with the store version it was read at.
    answers: Mutex<rustc_hash::FxHashMap<u32, (u64, Py<PyList>)>>,
}

impl RefCache {
    pub(crate) fn new(py: Python<'_>) -> RefCache {
        RefCache {
            users: PyDict::new(py).unbind(),
            resources: PyDict::new(py).unbind(),
            user_handles: Mutex::new(Vec::new()),
            answers: Mutex::new(rustc_hash::FxHashMap::default()),
        }
    }

    /// Forgets resolved strings (handles stay: they are resolved by index, which never
    /// changes).
    pub(crate) fn forget_refs(&self, py: Python<'_>) {
        self.users.bind(py).clear();
        self.resources.bind(py).clear();
    }
}

/// A user or resource reference, as far as it could be resolved without the store.
enum Ref<'py> {
    /// Known index.
    Ix(u32),
    /// A string not seen before.
    Text(Bound<'py, PyString>, String),
    /// A handle of another tenant: resolved by id.
    Id(String),
}

impl Ref<'_> {
    fn text(&self) -> Option<&str> {
        match self {
            Ref::Ix(_) => None,
            Ref::Text(_, s) | Ref::Id(s) => Some(s),
        }
    }
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

fn resolve_text(t: &Core, side: Side, text: &str) -> crate::Result<u32> {
    match side {
        Side::User => t.find_user(text),
        Side::Resource => t.find_resource(text),
    }
}

/// Resolves a [`Ref`] inside the store.
fn resolve(t: &Core, side: Side, r: &(Option<u32>, Option<String>)) -> crate::Result<u32> {
    match r {
        (Some(ix), _) => Ok(*ix),
        (None, Some(text)) => resolve_text(t, side, text),
        (None, None) => resolve_text(t, side, ""),
    }
}

impl RefCache {
    fn dict<'py>(&self, py: Python<'py>, side: Side) -> &Bound<'py, PyDict> {
        match side {
            Side::User => self.users.bind(py),
            Side::Resource => self.resources.bind(py),
        }
    }

    fn classify<'py>(
        &self,
        store: &Arc<Store>,
        obj: &Bound<'py, PyAny>,
        side: Side,
        func: &str,
        param: &str,
    ) -> PyResult<Ref<'py>> {
        let py = obj.py();
        if let Ok(s) = obj.cast::<PyString>() {
            if let Some(ix) = self.dict(py, side).get_item(s)? {
                return Ok(Ref::Ix(ix.extract()?));
            }
            return Ok(Ref::Text(s.clone(), s.to_cow()?.into_owned()));
        }
        // A handle of this tenant carries its index; one of another tenant is resolved by id.
        let of = |h_store: &Arc<Store>, ix: u32, id: &str| {
            if ix != NO_IX && Arc::ptr_eq(h_store, store) {
                Ref::Ix(ix)
            } else {
                Ref::Id(id.to_string())
            }
        };
        let found = match side {
            Side::User => obj.cast::<User>().ok().map(|h| {
                let h = h.get();
                of(&h.store, h.ix, &h.id)
            }),
            Side::Resource => obj.cast::<super::handles::Resource>().ok().map(|h| {
                let h = h.get();
                of(&h.store, h.ix, &h.id)
            }),
        };
        found.ok_or_else(|| {
            PyTypeError::new_err(format!(
                "{func}() argument '{param}' must be {}, not {}",
                side.expected(),
                type_name(obj)
            ))
        })
    }

    fn remember(&self, py: Python<'_>, side: Side, r: &Ref<'_>, ix: u32) -> PyResult<()> {
        if let Ref::Text(s, _) = r {
            self.dict(py, side).set_item(s, ix)?;
        }
        Ok(())
    }

    /// `has_access` of one pair.
    pub(crate) fn has_access(
        &self,
        py: Python<'_>,
        store: &Arc<Store>,
        user: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let u = self.classify(store, user, Side::User, "has_access", "user")?;
        let r = self.classify(store, resource, Side::Resource, "has_access", "resource")?;
        if let (Ref::Ix(u), Ref::Ix(r)) = (&u, &r) {
            let (u, r) = (*u, *r);
            if let Some(answer) = store.try_read(|t| t.has_access_ix(u, r)) {
                return Ok(answer);
            }
            let store = store.clone();
            return Ok(py.detach(move || store.read(|t| t.has_access_ix(u, r))));
        }
        let key = |x: &Ref<'_>| (if let Ref::Ix(i) = x { Some(*i) } else { None }, x.text().map(str::to_string));
        let (uk, rk) = (key(&u), key(&r));
        let s = store.clone();
        let (ui, ri, answer) = py
            .detach(move || {
                s.read(|t| -> crate::Result<(u32, u32, bool)> {
                    let ui = resolve(t, Side::User, &uk)?;
                    let ri = resolve(t, Side::Resource, &rk)?;
                    Ok((ui, ri, t.has_access_ix(ui, ri)))
                })
            })
            .raise(py)?;
        self.remember(py, Side::User, &u, ui)?;
        self.remember(py, Side::Resource, &r, ri)?;
        Ok(answer)
    }

    /// `has_access` of every pair, in order; the first malformed pair is a
    /// `TypeError`, the first unresolved reference `NotFound`; no partial result.
    pub(crate) fn has_access_many<'py>(
        &self,
        py: Python<'py>,
        store: &Arc<Store>,
        pairs: &Bound<'py, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        // Per pair, the references as far as known without the store: an index, or the text
        // to resolve inside it. The same object met again (a resource shared by many pairs,
        // say) reuses the last answer without a lookup.
        type Key = (Option<u32>, Option<String>);
        let mut keys: Vec<(Key, Key)> = Vec::new();
        let mut texts: Vec<(usize, Side, Bound<'py, PyString>)> = Vec::new();
        if let Ok(n) = pairs.len() {
            keys.reserve(n);
        }
        // The last object of each side is held (not just its address), so its address cannot be
        // reused by another object while it is compared against.
        let mut last: [Option<(Bound<'py, PyAny>, Key)>; 2] = [None, None];
        for (i, pair) in pairs.try_iter()?.enumerate() {
            let pair = pair?;
            let items = if let Ok(t) = pair.cast::<PyTuple>() {
                (t.len() == 2).then(|| (t.get_item(0), t.get_item(1)))
            } else if let Ok(l) = pair.cast::<PyList>() {
                (l.len() == 2).then(|| (l.get_item(0), l.get_item(1)))
            } else {
                None
            };
            let Some((Ok(u), Ok(r))) = items else {
                return Err(PyTypeError::new_err(format!(
                    "has_access_many() pair {i} must be a (user, resource) tuple or list of 2 items, not {}",
                    pair.repr()?
                )));
            };
            let mut key_of = |obj: &Bound<'py, PyAny>, side: Side, slot: usize, param: &str| -> PyResult<Key> {
                if let Some((held, k)) = &last[slot] {
                    if held.is(obj) && k.0.is_some() {
                        return Ok(k.clone());
                    }
                }
                let key = match self.classify(store, obj, side, "has_access_many", param)? {
                    Ref::Ix(ix) => (Some(ix), None),
                    Ref::Text(py_str, text) => {
                        texts.push((keys.len(), side, py_str));
                        (None, Some(text))
                    }
                    Ref::Id(id) => (None, Some(id)),
                };
                last[slot] = Some((obj.clone(), key.clone()));
                Ok(key)
            };
            let uk = key_of(&u, Side::User, 0, "user")?;
            let rk = key_of(&r, Side::Resource, 1, "resource")?;
            keys.push((uk, rk));
        }
        let s = store.clone();
        let resolved = py
            .detach(move || {
                s.read(|t| -> crate::Result<Vec<(u32, u32, bool)>> {
                    keys.iter()
                        .map(|(uk, rk)| {
                            let ui = resolve(t, Side::User, uk)?;
                            let ri = resolve(t, Side::Resource, rk)?;
                            Ok((ui, ri, t.has_access_ix(ui, ri)))
                        })
                        .collect()
                })
            })
            .raise(py)?;
        for (i, side, py_str) in texts {
            if let Some((ui, ri, _)) = resolved.get(i) {
                let ix = match side {
                    Side::User => *ui,
                    Side::Resource => *ri,
                };
                self.dict(py, side).set_item(py_str, ix)?;
            }
        }
        Ok(PyList::new(py, resolved.into_iter().map(|(_, _, b)| b))?.into_any().unbind())
    }

    /// everyone with access to a resource, as `User` handles, in creation order.
    pub(crate) fn who_has_access(
        &self,
        py: Python<'_>,
        store: &Arc<Store>,
        resource: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let r = self.classify(store, resource, Side::Resource, "who_has_access", "resource")?;
        let version = store.version();
        if let Ref::Ix(ri) = r {
            if let Some((v, list)) = self.answers.lock().get(&ri) {
                if *v == version {
                    let list = list.bind(py);
                    return Ok(list.get_slice(0, list.len()).into_any().unbind());
                }
            }
        }
        let rk = (if let Ref::Ix(i) = r { Some(i) } else { None }, r.text().map(str::to_string));
        let s = store.clone();
        let handles = &self.user_handles;
        // Inside the read: the users, and the ids of those without a handle yet.
        let (ri, users, missing) = py
            .detach(move || {
                s.read(|t| -> crate::Result<Answer> {
                    let ri = resolve(t, Side::Resource, &rk)?;
                    let users = t.who_has_access(ri);
                    let known = handles.lock();
                    let missing = users
                        .iter()
                        .filter(|u| known.get(**u as usize).is_none_or(Option::is_none))
                        .filter_map(|u| t.user(*u).map(|x| (*u, x.id.clone())))
                        .collect();
                    Ok((ri, users, missing))
                })
            })
            .raise(py)?;
        self.remember(py, Side::Resource, &r, ri)?;
        let mut known = self.user_handles.lock();
        for (u, id) in missing {
            let handle = Bound::new(py, User { store: store.clone(), id, ix: u })?.into_any().unbind();
            let slot = u as usize;
            if known.len() <= slot {
                known.resize_with(slot + 1, || None);
            }
            if let Some(place) = known.get_mut(slot) {
                *place = Some(handle);
            }
        }
        let list = PyList::new(py, users.iter().filter_map(|u| known.get(*u as usize).and_then(Option::as_ref)))?;
        drop(known);
        let copy = list.get_slice(0, list.len());
        self.answers.lock().insert(ri, (version, copy.unbind()));
        Ok(list.into_any().unbind())
    }
}

//! Every conversion between Rhai values and the core's: arguments in, results and errors out.

use super::guard;
use super::types::{GroupHandle, Handle, Kind, RequestHandle, ResourceHandle, TenantHandle, UserHandle};
use crate::call::{Arg, HandleKind};
use crate::error::{Code, Error};
use crate::model::Timestamp;
use crate::store::Store;
use rhai::{Array, Dynamic, EvalAltResult, ImmutableString, Map, Position};
use serde_json::Value;
use std::sync::Arc;

/// What registered functions return.
pub(crate) type RhaiResult<T = Dynamic> = Result<T, Box<EvalAltResult>>;

/// `value` itself, or a plain copy of it when it is shared (captured by a closure): nested
/// values are read in place, not copied level by level.
fn plain(value: &Dynamic) -> std::borrow::Cow<'_, Dynamic> {
    if value.is_shared() {
        std::borrow::Cow::Owned(value.flatten_clone())
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

fn too_deep(limit: usize, whither: &str) -> String {
    format!("a value nested more than {limit} levels deep cannot {whither}")
}

/// A Rhai value as a call argument: handles keep their kind, so `call::build` can tell a
/// Group from a User (R-10.13). A value nested deeper than the script's `value_depth`, or a
/// string longer than its `text_size`, is refused; every item counts as an operation.
pub(crate) fn to_arg(value: &Dynamic) -> RhaiResult<Arg> {
    let limits = guard::limits();
    let mut items = 0;
    let arg = arg_within(value, limits.value_depth, &limits, &mut items);
    guard::charge(items);
    arg.map_err(|m| EvalAltResult::ErrorRuntime(m.into(), Position::NONE).into())
}

fn text_arg(text: &str, limits: &super::Limits) -> Result<Arg, String> {
    if text.len() > limits.text_size {
        return Err(format!(
            "a string of {} bytes is longer than the {} bytes a script may pass to a command",
            text.len(),
            limits.text_size
        ));
    }
    Ok(Arg::Str(text.to_string()))
}

fn arg_within(value: &Dynamic, depth: usize, limits: &super::Limits, items: &mut usize) -> Result<Arg, String> {
    *items += 1;
    let value = plain(value);
    let value = value.as_ref();
    if value.is_unit() {
        return Ok(Arg::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Arg::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Arg::Int(i));
    }
    if let Ok(f) = value.as_float() {
        return Ok(Arg::Float(f));
    }
    if let Ok(c) = value.as_char() {
        return Ok(Arg::Str(c.to_string()));
    }
    if let Some(s) = value.read_lock::<ImmutableString>() {
        return text_arg(s.as_str(), limits);
    }
    let container = value.is_array() || value.is_map();
    if container && depth == 0 {
        return Err(too_deep(limits.value_depth, "be passed to a command"));
    }
    if let Some(list) = value.read_lock::<Array>() {
        return list.iter().map(|v| arg_within(v, depth - 1, limits, items)).collect::<Result<_, _>>().map(Arg::List);
    }
    if let Some(map) = value.read_lock::<Map>() {
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map.iter() {
            let Arg::Str(key) = text_arg(k.as_str(), limits)? else { continue };
            out.push((key, arg_within(v, depth - 1, limits, items)?));
        }
        return Ok(Arg::Map(out));
    }
    if let Some(h) = value.read_lock::<UserHandle>() {
        return Ok(Arg::Handle(HandleKind::User, h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<GroupHandle>() {
        return Ok(Arg::Handle(HandleKind::Group, h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<ResourceHandle>() {
        return Ok(Arg::Handle(HandleKind::Resource, h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<RequestHandle>() {
        return Ok(Arg::Handle(HandleKind::Request, h.id().to_string()));
    }
    // §14
    if let Some(h) = value.read_lock::<super::types::ReviewHandle>() {
        return Ok(Arg::Handle(HandleKind::Review, h.id().to_string()));
    }
    // §15's handles.
    if let Some((kind, id)) = super::packages::handle_id(value) {
        return Ok(Arg::Handle(kind, id));
    }
    Ok(Arg::Other(type_name(value)))
}

/// Call arguments, each as [`to_arg`] makes it.
pub(crate) fn to_args(values: &[Dynamic]) -> RhaiResult<Vec<Arg>> {
    values.iter().map(to_arg).collect()
}

/// A keyword-options map as `call::build` takes it.
pub(crate) fn kwargs(options: &Map) -> RhaiResult<Vec<(String, Arg)>> {
    options.iter().map(|(k, v)| Ok((k.to_string(), to_arg(v)?))).collect()
}

/// The Rhai name of a value's type, as scripts see it.
pub(crate) fn type_name(value: &Dynamic) -> String {
    if value.is::<TenantHandle>() {
        return "Tenant".into();
    }
    if value.is::<UserHandle>() {
        return "User".into();
    }
    if value.is::<GroupHandle>() {
        return "Group".into();
    }
    if value.is::<ResourceHandle>() {
        return "Resource".into();
    }
    if value.is::<RequestHandle>() {
        return "Request".into();
    }
    if let Some(name) = super::packages::type_name(value) {
        return name.into();
    }
    value.type_name().rsplit("::").next().unwrap_or("value").to_string()
}

/// A Rhai value as JSON: handles become their ids, a tenant its name, `()` null; other
/// values that JSON cannot hold (function pointers, timestamps …) become their text. A value
/// nested more than 64 levels deep (the default [`Limits::value_depth`](super::Limits)) is a
/// `script_error`.
///
/// ```
/// use rhai::Dynamic;
/// let v = ssgm::scripting::to_json(&Dynamic::from_array(vec![1.into(), "a".into(), Dynamic::UNIT])).unwrap();
/// assert_eq!(v, serde_json::json!([1, "a", null]));
/// ```
pub fn to_json(value: &Dynamic) -> crate::Result<Value> {
    to_json_within(value, super::Limits::default().value_depth).map_err(|m| Error::new(Code::ScriptError, m))
}

/// [`to_json`] with at most `depth` levels of arrays and maps.
pub(crate) fn to_json_within(value: &Dynamic, depth: usize) -> Result<Value, String> {
    json_within(value, depth, depth)
}

/// A script value as JSON for the core (replay events, settings): nested at most as deep as
/// the script's limits allow; every item counts as an operation.
pub(crate) fn json_arg(value: &Dynamic) -> RhaiResult<Value> {
    let limit = guard::limits().value_depth;
    let json = json_within(value, limit, limit).map_err(|m| EvalAltResult::ErrorRuntime(m.into(), Position::NONE))?;
    guard::charge(json_items(&json));
    Ok(json)
}

fn json_items(value: &Value) -> usize {
    match value {
        Value::Array(a) => a.len(),
        Value::Object(m) => m.len(),
        _ => 1,
    }
}

fn json_within(value: &Dynamic, depth: usize, limit: usize) -> Result<Value, String> {
    let value = plain(value);
    let value = value.as_ref();
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = value.as_float() {
        return Ok(serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null));
    }
    if let Ok(c) = value.as_char() {
        return Ok(Value::String(c.to_string()));
    }
    if let Some(s) = value.read_lock::<ImmutableString>() {
        return Ok(Value::String(s.to_string()));
    }
    if (value.is_array() || value.is_map()) && depth == 0 {
        return Err(too_deep(limit, "leave the script"));
    }
    if let Some(items) = value.read_lock::<Array>() {
        return items.iter().map(|v| json_within(v, depth - 1, limit)).collect::<Result<_, _>>().map(Value::Array);
    }
    if let Some(map) = value.read_lock::<Map>() {
        return map
            .iter()
            .map(|(k, v)| Ok((k.to_string(), json_within(v, depth - 1, limit)?)))
            .collect::<Result<_, _>>()
            .map(Value::Object);
    }
    if let Some(h) = value.read_lock::<UserHandle>() {
        return Ok(Value::String(h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<GroupHandle>() {
        return Ok(Value::String(h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<ResourceHandle>() {
        return Ok(Value::String(h.id().to_string()));
    }
    if let Some(h) = value.read_lock::<RequestHandle>() {
        return Ok(Value::String(h.id().to_string()));
    }
    if let Some((_, id)) = super::packages::handle_id(value) {
        return Ok(Value::String(id));
    }
    if let Some(t) = value.read_lock::<TenantHandle>() {
        return Ok(Value::String(t.store().read(|t| t.name().to_string())));
    }
    Ok(Value::String(value.to_string()))
}

/// JSON (a view, a record, a history entry) as a Rhai value: objects become maps. Its items
/// count as operations of the script.
pub(crate) fn from_json(value: &Value) -> RhaiResult {
    guard::charge(json_items(value));
    rhai::serde::to_dynamic(value)
}

/// The object map a refusal is thrown as: `#{ code, family, message }`.
pub(crate) fn refusal_map(code: Code, message: &str) -> Map {
    let mut map = Map::new();
    map.insert("code".into(), code.as_str().into());
    map.insert("family".into(), code.family().as_str().into());
    map.insert("message".into(), message.into());
    map
}

/// The refusal a thrown value carries, if it is a refusal map.
pub(crate) fn refusal_of(value: &Dynamic) -> Option<(Code, String)> {
    let map = value.read_lock::<Map>()?;
    let code = map.get("code")?.clone().into_string().ok()?;
    let code = Code::from_name(&code)?;
    let message = map.get("message").map(|m| m.to_string()).unwrap_or_default();
    Some((code, message))
}

/// A core error as a Rhai error: a refusal is thrown as its map; a type error (R-10.13) is
/// an ordinary runtime error whose value is the message. Rhai fills in the position of the
/// call.
pub(crate) fn throw(err: Error) -> Box<EvalAltResult> {
    match err {
        Error::Refused(r) => {
            EvalAltResult::ErrorRuntime(Dynamic::from_map(refusal_map(r.code, &r.message)), Position::NONE).into()
        }
        Error::Type(message) => EvalAltResult::ErrorRuntime(message.into(), Position::NONE).into(),
    }
}

/// A type error raised by the face itself (for arguments `call::build` does not see).
pub(crate) fn type_error(message: impl Into<String>) -> Box<EvalAltResult> {
    throw(Error::type_error(message))
}

/// A handle of kind `K` as a Rhai value; each counts as an operation of the script (so a
/// list of 20k users costs 20k).
pub(crate) fn handle<K: Kind>(store: &Arc<Store>, id: impl Into<String>) -> Dynamic {
    guard::charge(1);
    Dynamic::from(Handle::<K>::new(store, id))
}

/// A handle of a kind known only when the core answers (a list of `(kind, id)`).
pub(crate) fn handle_of(store: &Arc<Store>, kind: HandleKind, id: String) -> Dynamic {
    use super::types::*;
    match kind {
        HandleKind::User => handle::<UserKind>(store, id),
        HandleKind::Group => handle::<GroupKind>(store, id),
        HandleKind::Resource => handle::<ResourceKind>(store, id),
        HandleKind::Request => handle::<RequestKind>(store, id),
        HandleKind::Review => handle::<ReviewKind>(store, id),
        HandleKind::Package => handle::<PackageKind>(store, id),
        HandleKind::Policy => handle::<PolicyKind>(store, id),
        HandleKind::PackageRequest => handle::<PackageRequestKind>(store, id),
        HandleKind::Assignment => handle::<AssignmentKind>(store, id),
    }
}

/// A filtered list of the core (`requests`, `reviews`, `package_requests`,
/// `package_assignments`) with its options map, as handles.
pub(crate) fn filtered(t: &TenantHandle, query: &str, filter: &Map) -> RhaiResult {
    let options = filter.iter().map(|(k, v)| Ok((k.to_string(), to_arg(v)?))).collect::<RhaiResult<Vec<_>>>()?;
    let store = t.store();
    let ids = store.read(|x| crate::call::filtered(x, query, &options)).map_err(throw)?;
    Ok(Dynamic::from_array(ids.into_iter().map(|(kind, id)| handle_of(store, kind, id)).collect()))
}

/// An instant as scripts see it: RFC 3339 text.
pub(crate) fn time(t: Timestamp) -> Dynamic {
    crate::model::format_time(t).into()
}

/// How deep the console spreads out nested arrays and maps; deeper ones show as `[…]`/`#{…}`.
pub const SHOW_DEPTH: usize = 64;

/// A value as the console shows it: handles by their text, strings quoted, arrays and maps
/// spread out (to [`SHOW_DEPTH`] levels).
pub fn show(value: &Dynamic) -> String {
    show_within(value, SHOW_DEPTH)
}

fn show_within(value: &Dynamic, depth: usize) -> String {
    let value = plain(value);
    let value = value.as_ref();
    if depth == 0 && value.is_array() {
        return "[…]".into();
    }
    if depth == 0 && value.is_map() {
        return "#{…}".into();
    }
    if value.is_string() {
        return format!("{:?}", value.to_string());
    }
    if let Ok(c) = value.as_char() {
        return format!("{c:?}");
    }
    if let Some(items) = value.read_lock::<Array>() {
        let items: Vec<String> = items.iter().map(|v| show_within(v, depth - 1)).collect();
        return format!("[{}]", items.join(", "));
    }
    if let Some(map) = value.read_lock::<Map>() {
        let items: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {}", show_within(v, depth - 1))).collect();
        return format!("#{{{}}}", items.join(", "));
    }
    if let Some(t) = value.read_lock::<TenantHandle>() {
        return format!("{:?}", *t);
    }
    if let Some(h) = value.read_lock::<UserHandle>() {
        return h.to_string();
    }
    if let Some(h) = value.read_lock::<GroupHandle>() {
        return h.to_string();
    }
    if let Some(h) = value.read_lock::<ResourceHandle>() {
        return h.to_string();
    }
    if let Some(h) = value.read_lock::<RequestHandle>() {
        return h.to_string();
    }
    if let Some(text) = super::packages::show(value) {
        return text;
    }
    if value.is_unit() {
        return "()".into();
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_becomes_a_map_with_its_family() {
        // SPEC §9: each code is thrown with its family, and read back the same.
        for code in Code::ALL {
            let err = throw(Error::new(*code, "m"));
            let EvalAltResult::ErrorRuntime(value, _) = *err else { unreachable!("a refusal is a runtime error") };
            let map = value.read_lock::<Map>().map(|m| m.clone()).unwrap_or_default();
            assert_eq!(map.get("code").map(|v| v.to_string()), Some(code.as_str().to_string()));
            assert_eq!(map.get("family").map(|v| v.to_string()), Some(code.family().as_str().to_string()));
            assert_eq!(refusal_of(&value), Some((*code, "m".to_string())));
        }
    }

    #[test]
    fn r10_13_a_type_error_is_a_plain_runtime_error() {
        let err = throw(Error::type_error("add_owner() argument 'user' must be a User"));
        let EvalAltResult::ErrorRuntime(value, _) = *err else { unreachable!("runtime error") };
        assert!(value.is_string());
        assert_eq!(refusal_of(&value), None);
    }
}

//! Every conversion between Rhai values and the core's: arguments in, results and errors out.

use super::types::{GroupHandle, Handle, Kind, RequestHandle, ResourceHandle, TenantHandle, UserHandle};
use crate::call::{Arg, HandleKind};
use crate::error::{Code, Error};
use crate::model::Timestamp;
use crate::store::Store;
use rhai::{Array, Dynamic, EvalAltResult, Map, Position};
use serde_json::Value;
use std::sync::Arc;

/// What registered functions return.
pub(crate) type RhaiResult<T = Dynamic> = Result<T, Box<EvalAltResult>>;

/// A Rhai value as a call argument: handles keep their kind, so `call::build` can tell a
/// Group from a User (R-10.13).
pub(crate) fn to_arg(value: &Dynamic) -> Arg {
    let value = value.flatten_clone();
    if value.is_unit() {
        return Arg::Null;
    }
    if let Ok(b) = value.as_bool() {
        return Arg::Bool(b);
    }
    if let Ok(i) = value.as_int() {
        return Arg::Int(i);
    }
    if let Ok(f) = value.as_float() {
        return Arg::Float(f);
    }
    if let Ok(c) = value.as_char() {
        return Arg::Str(c.to_string());
    }
    if value.is_string() {
        return Arg::Str(value.to_string());
    }
    if let Some(items) = value.read_lock::<Array>() {
        return Arg::List(items.iter().map(to_arg).collect());
    }
    if let Some(map) = value.read_lock::<Map>() {
        return Arg::Map(map.iter().map(|(k, v)| (k.to_string(), to_arg(v))).collect());
    }
    if let Some(h) = value.read_lock::<UserHandle>() {
        return Arg::Handle(HandleKind::User, h.id().to_string());
    }
    if let Some(h) = value.read_lock::<GroupHandle>() {
        return Arg::Handle(HandleKind::Group, h.id().to_string());
    }
    if let Some(h) = value.read_lock::<ResourceHandle>() {
        return Arg::Handle(HandleKind::Resource, h.id().to_string());
    }
    if let Some(h) = value.read_lock::<RequestHandle>() {
        return Arg::Handle(HandleKind::Request, h.id().to_string());
    }
    Arg::Other(type_name(&value))
}

/// A keyword-options map as `call::build` takes it.
pub(crate) fn kwargs(options: &Map) -> Vec<(String, Arg)> {
    options.iter().map(|(k, v)| (k.to_string(), to_arg(v))).collect()
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
    value.type_name().rsplit("::").next().unwrap_or("value").to_string()
}

/// A Rhai value as JSON: handles become their ids, a tenant its name, `()` null; other
/// values that JSON cannot hold (function pointers, timestamps …) become their text.
///
/// ```
/// use rhai::Dynamic;
/// let v = ssgm::scripting::to_json(&Dynamic::from_array(vec![1.into(), "a".into(), Dynamic::UNIT]));
/// assert_eq!(v, serde_json::json!([1, "a", null]));
/// ```
pub fn to_json(value: &Dynamic) -> Value {
    let value = value.flatten_clone();
    if value.is_unit() {
        return Value::Null;
    }
    if let Ok(b) = value.as_bool() {
        return Value::Bool(b);
    }
    if let Ok(i) = value.as_int() {
        return Value::from(i);
    }
    if let Ok(f) = value.as_float() {
        return serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null);
    }
    if let Ok(c) = value.as_char() {
        return Value::String(c.to_string());
    }
    if value.is_string() {
        return Value::String(value.to_string());
    }
    if let Some(items) = value.read_lock::<Array>() {
        return Value::Array(items.iter().map(to_json).collect());
    }
    if let Some(map) = value.read_lock::<Map>() {
        return Value::Object(map.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect());
    }
    if let Some(h) = value.read_lock::<UserHandle>() {
        return Value::String(h.id().to_string());
    }
    if let Some(h) = value.read_lock::<GroupHandle>() {
        return Value::String(h.id().to_string());
    }
    if let Some(h) = value.read_lock::<ResourceHandle>() {
        return Value::String(h.id().to_string());
    }
    if let Some(h) = value.read_lock::<RequestHandle>() {
        return Value::String(h.id().to_string());
    }
    if let Some(t) = value.read_lock::<TenantHandle>() {
        return Value::String(t.store().read(|t| t.name().to_string()));
    }
    Value::String(value.to_string())
}

/// JSON (a view, a record, a history entry) as a Rhai value: objects become maps.
pub(crate) fn from_json(value: &Value) -> RhaiResult {
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

/// A handle of kind `K` as a Rhai value.
pub(crate) fn handle<K: Kind>(store: &Arc<Store>, id: impl Into<String>) -> Dynamic {
    Dynamic::from(Handle::<K>::new(store, id))
}

/// An instant as scripts see it: RFC 3339 text.
pub(crate) fn time(t: Timestamp) -> Dynamic {
    crate::model::format_time(t).into()
}

/// A value as the console shows it: handles by their text, strings quoted, arrays and maps
/// spread out.
pub fn show(value: &Dynamic) -> String {
    let value = value.flatten_clone();
    if value.is_string() {
        return format!("{:?}", value.to_string());
    }
    if let Ok(c) = value.as_char() {
        return format!("{c:?}");
    }
    if let Some(items) = value.read_lock::<Array>() {
        let items: Vec<String> = items.iter().map(show).collect();
        return format!("[{}]", items.join(", "));
    }
    if let Some(map) = value.read_lock::<Map>() {
        let items: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {}", show(v))).collect();
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
            let EvalAltResult::ErrorRuntime(value, _) = *err else {
                unreachable!("a refusal is a runtime error")
            };
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

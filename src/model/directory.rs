//! The data of an import: users, groups and resources with their links, as
//! `import_directory` takes it from either face and the Graph reader gives it. Plain data:
//! [`crate::import`] validates and applies it.

use crate::error::{Error, Result};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The data of an import. Unknown sections or fields are type errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryData {
    /// Users to create.
    #[serde(default)]
    pub users: Vec<UserEntry>,
    /// Groups to create.
    #[serde(default)]
    pub groups: Vec<GroupEntry>,
    /// Resources to create.
    #[serde(default)]
    pub resources: Vec<ResourceEntry>,
    /// §2 settings applied with the import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Map<String, Value>>,
    /// Kept in the history, otherwise ignored (a Graph import's report, R-11.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Value>,
}

/// A user entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct UserEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub upn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// a user reference, as owners are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// the last sign-in, an ISO 8601 instant (a datetime in Python).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "instant")]
    pub last_sign_in: Option<crate::model::Timestamp>,
}

/// An optional instant written as RFC 3339 text; other text or types are a type error.
mod instant {
    use crate::model::{format_time, parse_time, Timestamp};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_time(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse_time(&text)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("last_sign_in {text:?} is not an ISO 8601 instant"))),
        }
    }
}

/// A group entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct GroupEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "security")]
    pub kind: String,
    #[serde(default = "owners_only")]
    pub join_policy: String,
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub on_premises: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// §13: the group's last renewal (ISO 8601 text; a Python datetime is given as text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewed_at: Option<String>,
    /// §13: kept as given when the group is covered after the import, else ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// §13: a Microsoft 365 group imported soft-deleted at this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

/// A resource entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ResourceEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default = "application")]
    pub kind: String,
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub assigned: Vec<String>,
    #[serde(default)]
    pub blocked: Vec<String>,
}

fn yes() -> bool {
    true
}
fn security() -> String {
    "security".into()
}
fn owners_only() -> String {
    "owners_only".into()
}
fn application() -> String {
    "application".into()
}

impl DirectoryData {
    /// Reads import data from a JSON value; a wrong shape is a type error.
    pub fn from_value(value: Value) -> Result<DirectoryData> {
        if !value.is_object() {
            return Err(Error::type_error("import_directory data must be a map of sections"));
        }
        serde_json::from_value(value).map_err(DirectoryData::shape_error)
    }

    /// The type error of data of the wrong shape, as the reader words it; the
    /// Python face, which reads its objects straight into the data, words it the same way.
    pub(crate) fn shape_error(e: impl std::fmt::Display) -> Error {
        Error::type_error(format!("import_directory data: {e}"))
    }

    /// The data as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The §13 dates an import gives one group.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GroupDates {
    pub(crate) renewed_at: Option<Timestamp>,
    pub(crate) expires_at: Option<Timestamp>,
    pub(crate) deleted_at: Option<Timestamp>,
}

use crate::error::{Code, Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who may use self-service for security groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelfServiceScope {
    /// Every user.
    All,
    /// Direct members of the group named `self_service_group`.
    Some,
}

impl SelfServiceScope {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SelfServiceScope::All => "all",
            SelfServiceScope::Some => "some",
        }
    }
}

/// The names of the settings, in SPEC §2's order.
pub const SETTING_NAMES: [&str; 8] = [
    "delegated_group_management",
    "users_can_create_security_groups",
    "users_can_create_microsoft365_groups",
    "self_service_scope",
    "self_service_group",
    "microsoft365_creation_group",
    "max_groups_per_user",
    "max_owners_per_group",
];

/// The tenant-wide settings of SPEC §2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The master switch of self-service.
    pub delegated_group_management: bool,
    /// "Users can create security groups".
    pub users_can_create_security_groups: bool,
    /// "Users can create Office groups".
    pub users_can_create_microsoft365_groups: bool,
    /// Who is eligible for security-group self-service.
    pub self_service_scope: SelfServiceScope,
    /// The group that confers eligibility when the scope is `some`.
    pub self_service_group: String,
    /// Members of this group may create Microsoft 365 groups; empty for none.
    pub microsoft365_creation_group: String,
    /// Non-admin creation limit.
    pub max_groups_per_user: u64,
    /// Owner limit.
    pub max_owners_per_group: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            delegated_group_management: false,
            users_can_create_security_groups: false,
            users_can_create_microsoft365_groups: false,
            self_service_scope: SelfServiceScope::All,
            self_service_group: "SSGMSecurityGroupsUsers".to_string(),
            microsoft365_creation_group: String::new(),
            max_groups_per_user: 250,
            max_owners_per_group: 100,
        }
    }
}

fn invalid(name: &str, why: &str) -> Error {
    Error::new(Code::InvalidSetting, format!("setting {name} {why}"))
}

fn want_bool(name: &str, value: &Value) -> Result<bool> {
    value.as_bool().ok_or_else(|| invalid(name, &format!("must be true or false, not {value}")))
}

/// The largest count a setting takes: the largest integer both faces can give (Rhai's).
pub const MAX_COUNT: u64 = i64::MAX as u64;

fn want_count(name: &str, value: &Value, min: u64) -> Result<u64> {
    let out_of_range = |shown: String| invalid(name, &format!("is out of range: at most {MAX_COUNT}, not {shown}"));
    // a bool is not an integer; floats are not integers either, but a whole number
    // beyond 64 bits arrives as one (JSON readers hold it so) and is out of range.
    match value.as_u64() {
        Some(n) if n > MAX_COUNT => Err(out_of_range(n.to_string())),
        Some(n) if n >= min => Ok(n),
        _ => match value.as_f64() {
            // (2^63 as a float is the first float past MAX_COUNT.)
            Some(f) if value.is_f64() && f.fract() == 0.0 && f >= MAX_COUNT as f64 => Err(out_of_range(format!("{f:.0}"))),
            _ => Err(invalid(name, &format!("must be a whole number of at least {min}, not {value}"))),
        },
    }
}

fn want_name(name: &str, value: &Value, empty_ok: bool) -> Result<String> {
    let text = value
        .as_str()
        .ok_or_else(|| invalid(name, &format!("must be a group name, not {value}")))?;
    if empty_ok && text.trim().is_empty() {
        return Ok(String::new());
    }
    super::clean_name(text)
        .map(str::to_string)
        .ok_or_else(|| invalid(name, &format!("must be a valid group name, not {value}")))
}

impl Settings {
    /// the settings with `changes` applied, all or none; `invalid_setting` names the
    /// first unknown setting or bad value.
    pub fn with_changes(&self, changes: &[(String, Value)]) -> Result<Settings> {
        let mut next = self.clone();
        for (name, value) in changes {
            let n = name.as_str();
            match n {
                "delegated_group_management" => next.delegated_group_management = want_bool(n, value)?,
                "users_can_create_security_groups" => {
                    next.users_can_create_security_groups = want_bool(n, value)?
                }
                "users_can_create_microsoft365_groups" => {
                    next.users_can_create_microsoft365_groups = want_bool(n, value)?
                }
                "self_service_scope" => {
                    next.self_service_scope = match value.as_str() {
                        Some("all") => SelfServiceScope::All,
                        Some("some") => SelfServiceScope::Some,
                        _ => return Err(invalid(n, &format!("must be \"all\" or \"some\", not {value}"))),
                    }
                }
                "self_service_group" => next.self_service_group = want_name(n, value, false)?,
                "microsoft365_creation_group" => {
                    next.microsoft365_creation_group = want_name(n, value, true)?
                }
                "max_groups_per_user" => next.max_groups_per_user = want_count(n, value, 0)?,
                "max_owners_per_group" => next.max_owners_per_group = want_count(n, value, 1)?,
                _ => {
                    return Err(Error::new(
                        Code::InvalidSetting,
                        format!("there is no setting named {name:?}"),
                    ))
                }
            }
        }
        Ok(next)
    }

    /// The settings as (name, JSON value) pairs, in SPEC §2's order.
    pub fn to_pairs(&self) -> Vec<(&'static str, Value)> {
        vec![
            (SETTING_NAMES[0], Value::Bool(self.delegated_group_management)),
            (SETTING_NAMES[1], Value::Bool(self.users_can_create_security_groups)),
            (SETTING_NAMES[2], Value::Bool(self.users_can_create_microsoft365_groups)),
            (SETTING_NAMES[3], Value::from(self.self_service_scope.as_str())),
            (SETTING_NAMES[4], Value::from(self.self_service_group.clone())),
            (SETTING_NAMES[5], Value::from(self.microsoft365_creation_group.clone())),
            (SETTING_NAMES[6], Value::from(self.max_groups_per_user)),
            (SETTING_NAMES[7], Value::from(self.max_owners_per_group)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(name: &str, value: Value) -> Vec<(String, Value)> {
        vec![(name.to_string(), value)]
    }

    #[test]
    fn r2_1_unknown_or_mistyped_settings_are_refused() {
        let s = Settings::default();
        let code = |r: Result<Settings>| r.err().and_then(|e| e.code());
        assert_eq!(code(s.with_changes(&change("nope", json!(true)))), Some(Code::InvalidSetting));
        assert_eq!(
            code(s.with_changes(&change("delegated_group_management", json!(1)))),
            Some(Code::InvalidSetting)
        );
    }

    #[test]
    fn r10_9_values_outside_their_domain_are_refused() {
        let s = Settings::default();
        for (name, value) in [
            ("self_service_scope", json!("few")),
            ("max_owners_per_group", json!(0)),
            ("max_groups_per_user", json!(true)),
            ("max_groups_per_user", json!(-1)),
            ("max_groups_per_user", json!(1.5)),
            ("self_service_group", json!("  ")),
            ("microsoft365_creation_group", json!("a\u{1}b")),
            ("max_groups_per_user", json!(1u64 << 63)),
            ("max_groups_per_user", json!(1.180_591_620_717_411_3e21)),
        ] {
            assert!(s.with_changes(&change(name, value.clone())).is_err(), "{name}={value}");
        }
        // A number beyond the range says so (a Python int of 2**70 arrives as a float).
        for value in [json!(1u64 << 63), json!(9.223_372_036_854_775_808e18), json!(1.180_591_620_717_411_3e21)] {
            let err = s.with_changes(&change("max_groups_per_user", value)).err();
            assert_eq!(err.as_ref().and_then(|e| e.code()), Some(Code::InvalidSetting));
            assert!(err.is_some_and(|e| e.message().contains("out of range")));
        }
        let big = s.with_changes(&change("max_groups_per_user", json!(MAX_COUNT))).ok();
        assert_eq!(big.map(|s| s.max_groups_per_user), Some(MAX_COUNT));
        let ok = s
            .with_changes(&change("microsoft365_creation_group", json!("  Creators ")))
            .ok();
        assert_eq!(ok.map(|s| s.microsoft365_creation_group), Some("Creators".to_string()));
    }
}

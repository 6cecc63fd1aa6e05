//! Words and lists as commands give them, read into model values: role names, kinds, join
//! policies, names, and lists merged of repeats. An unknown word names the closest valid one.

use super::*;
use crate::error::{Code, Error, Result};

/// Merges repeated entries, the first place counting.
pub(crate) fn merge<T: Eq + std::hash::Hash + Copy>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let items = items.into_iter();
    let mut out: Vec<T> = Vec::with_capacity(items.size_hint().0);
    // Small lists (the usual case) compare directly; large ones use a set.
    let mut seen: rustc_hash::FxHashSet<T> = rustc_hash::FxHashSet::default();
    for x in items {
        let new = if out.len() < 32 && seen.is_empty() {
            !out.contains(&x)
        } else {
            if seen.is_empty() {
                seen.extend(out.iter().copied());
            }
            seen.insert(x)
        };
        if new {
            out.push(x);
        }
    }
    out
}

/// role names as a set; an unknown name is `invalid_role`.
pub(crate) fn parse_roles(roles: &[String]) -> Result<Roles> {
    let mut set = Roles::default();
    for r in roles {
        match Role::parse(r) {
            Some(role) => set = set.with(role),
            None => {
                let hint = crate::suggest::did_you_mean(r, ["global_admin", "groups_admin", "application_admin"]);
                return Err(Error::new(
                    Code::InvalidRole,
                    format!("{r:?} is not a role (global_admin, groups_admin, application_admin){hint}"),
                ));
            }
        }
    }
    Ok(set)
}

/// a group kind by name; an unknown one is `invalid_kind`.
pub(crate) fn parse_group_kind(kind: &str) -> Result<GroupKind> {
    GroupKind::parse(kind).ok_or_else(|| {
        Error::new(
            Code::InvalidKind,
            format!(
                "{kind:?} is not a group kind (security, microsoft365, mail_enabled_security, distribution){}",
                crate::suggest::did_you_mean(
                    kind,
                    ["security", "microsoft365", "mail_enabled_security", "distribution"]
                )
            ),
        )
    })
}

/// a join policy by name; an unknown one is `invalid_join_policy`.
pub(crate) fn parse_join_policy(policy: &str) -> Result<JoinPolicy> {
    JoinPolicy::parse(policy).ok_or_else(|| {
        Error::new(
            Code::InvalidJoinPolicy,
            format!(
                "{policy:?} is not a join policy (owner_approval, open, owners_only){}",
                crate::suggest::did_you_mean(policy, ["owner_approval", "open", "owners_only"])
            ),
        )
    })
}

/// a resource kind by name; an unknown one is `invalid_kind`.
pub(crate) fn parse_resource_kind(kind: &str) -> Result<ResourceKind> {
    ResourceKind::parse(kind).ok_or_else(|| {
        Error::new(
            Code::InvalidKind,
            format!(
                "{kind:?} is not a resource kind (application, site){}",
                crate::suggest::did_you_mean(kind, ["application", "site"])
            ),
        )
    })
}

/// a group or resource name, trimmed; an invalid one is `invalid_name`.
pub(crate) fn group_name(raw: &str) -> Result<String> {
    clean_name(raw)
        .map(str::to_string)
        .ok_or_else(|| Error::new(Code::InvalidName, format!("{raw:?} is not a valid name")))
}

//! Plain data: the objects of SPEC §1, the tenant settings of §2, the data of an import, of
//! reviews and of access packages, and the plan of a decided command.
//!
//! Nothing here decides anything, and nothing here names the modules that do: the rules and
//! effects of each SPEC area (`users`, `groups`, `requests`, `resources`, `lifecycle`,
//! `reviews`, `packages`) read and write these types, and [`crate::tenant`] runs them.

mod directory;
mod group;
pub mod package;
mod plan;
mod request;
mod resource;
pub mod review;
mod settings;
mod time;
mod user;
mod words;

pub(crate) use directory::GroupDates;
pub use directory::{DirectoryData, GroupEntry, ResourceEntry, UserEntry};
pub use group::{Group, GroupKind, JoinPolicy, Kept};
pub(crate) use plan::{
    Created, GroupPlan, ImportPlan, LifecyclePlan, NewGroup, NewResource, Plan, Prepared, RequestPlan, ResourcePlan,
    UserPlan,
};
pub use request::{Request, RequestStatus};
pub use resource::{Resource, ResourceKind};
pub use settings::{ExpirationScope, SelfServiceScope, Settings, DEPARTMENT_TOKEN, GROUP_NAME_TOKEN, SETTING_NAMES};
pub use time::{format_time, parse_time, Timestamp, EPOCH_START, LATEST};
pub use user::{Role, Roles, User};
pub(crate) use words::{group_name, merge, parse_group_kind, parse_join_policy, parse_resource_kind, parse_roles};

/// Index of a user in its tenant (creation order).
pub type UserIx = u32;
/// Index of a group in its tenant (creation order; deleted groups keep their index).
pub type GroupIx = u32;
/// Index of a resource in its tenant (creation order).
pub type ResourceIx = u32;
/// Index of a request in its tenant (creation order).
pub type RequestIx = u32;
/// Index of an access review in its tenant (creation order, §14).
pub type ReviewIx = u32;

/// A member of a group or a principal assigned to a resource: a user or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    /// A user.
    User(UserIx),
    /// A group.
    Group(GroupIx),
}

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Object {
    /// A user.
    User(UserIx),
    /// A group (possibly deleted: ids are never reused).
    Group(GroupIx),
    /// A resource.
    Resource(ResourceIx),
    /// A join request.
    Request(RequestIx),
    /// An access review (§14).
    Review(ReviewIx),
    /// An access package, policy, package request or assignment (§15).
    Package(package::PackageObject),
}

/// a name is trimmed; empty, longer than 256 characters or with control characters is
/// invalid. Returns the trimmed name.
pub fn clean_name(raw: &str) -> Option<&str> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 256 || name.chars().any(char::is_control) {
        None
    } else {
        Some(name)
    }
}

/// a upn is a valid name with exactly one `@` and text on both sides.
pub fn clean_upn(raw: &str) -> Option<&str> {
    let upn = clean_name(raw)?;
    let mut parts = upn.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty() => Some(upn),
        _ => None,
    }
}

/// an imported id is 1–256 characters, no control characters, no surrounding spaces.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= 256 && !id.chars().any(char::is_control) && id.trim() == id
}

/// names are compared after Unicode lowercasing. Borrows when there is nothing to
/// lower (the common case), so lookups by upn or name need no allocation.
pub fn fold(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(name.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r1_3_names_are_trimmed_and_checked() {
        assert_eq!(clean_name("  Sales  "), Some("Sales"));
        assert_eq!(clean_name("   "), None);
        assert_eq!(clean_name("a\tb"), None);
        assert_eq!(clean_name(&"x".repeat(256)).map(str::len), Some(256));
        assert_eq!(clean_name(&"x".repeat(257)), None);
        assert_eq!(clean_upn(" bob@contoso.com "), Some("bob@contoso.com"));
        assert_eq!(clean_upn("bob"), None);
        assert_eq!(clean_upn("@contoso.com"), None);
        assert_eq!(clean_upn("bob@"), None);
        assert_eq!(clean_upn("a@b@c"), None);
    }

    #[test]
    fn r8_5_imported_ids_are_checked() {
        assert!(valid_id("6e7b768e-07e2-4810-8459-485f84f8f204"));
        assert!(!valid_id(""));
        assert!(!valid_id(" x"));
        assert!(!valid_id("a\nb"));
        assert!(!valid_id(&"x".repeat(257)));
    }
}

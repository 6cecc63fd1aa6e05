use super::{GroupIx, ResourceIx};
use serde::{Deserialize, Serialize};

/// A directory role (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May do everything, including settings.
    GlobalAdmin,
    /// Every group and request operation on every group.
    GroupsAdmin,
    /// Every resource operation on every resource.
    ApplicationAdmin,
}

impl Role {
    /// Every role, in SPEC order.
    pub const ALL: [Role; 3] = [Role::GlobalAdmin, Role::GroupsAdmin, Role::ApplicationAdmin];

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::GlobalAdmin => "global_admin",
            Role::GroupsAdmin => "groups_admin",
            Role::ApplicationAdmin => "application_admin",
        }
    }

    /// The role with this name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    fn bit(self) -> u8 {
        match self {
            Role::GlobalAdmin => 1,
            Role::GroupsAdmin => 2,
            Role::ApplicationAdmin => 4,
        }
    }
}

/// A set of roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Roles(u8);

impl Roles {
    /// Whether the set holds `role`.
    pub fn has(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// The set with `role` added.
    pub fn with(self, role: Role) -> Roles {
        Roles(self.0 | role.bit())
    }

    /// The roles, in SPEC order.
    pub fn list(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.has(*r)).collect()
    }

    /// an admin for group operations.
    pub fn group_admin(self) -> bool {
        self.has(Role::GlobalAdmin) || self.has(Role::GroupsAdmin)
    }

    /// an admin for resource operations.
    pub fn resource_admin(self) -> bool {
        self.has(Role::GlobalAdmin) || self.has(Role::ApplicationAdmin)
    }
}

/// A user (SPEC §1).
#[derive(Debug, Clone)]
pub struct User {
    /// Stable, unique id.
    pub id: String,
    /// Unique, case-insensitive.
    pub upn: String,
    /// Free text; defaults to the upn.
    pub display_name: String,
    /// Free text.
    pub department: Option<String>,
    /// Directory roles.
    pub roles: Roles,
    /// A disabled user can do nothing and reaches nothing.
    pub enabled: bool,
    /// Groups this user is a direct member of, in the order they joined.
    pub groups: Vec<GroupIx>,
    /// Groups this user owns, in the order they became owner.
    pub owner_of: Vec<GroupIx>,
    /// Resources this user is assigned to directly.
    pub assigned_to: Vec<ResourceIx>,
    /// How many existing groups this user created.
    pub created_groups: u32,
    /// the last sign-in, if any.
    pub last_sign_in: Option<super::Timestamp>,
    /// the user's manager (§15).
    pub manager: Option<super::UserIx>,
}

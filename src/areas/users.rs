//! Users, roles and settings (SPEC §1–§3): `add_user`, `set_enabled`, `set_roles` and
//! `configure`, their rules and their effects.

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::records::Outcome;
use crate::rules::{misrouted, refuse, Args};
use crate::tenant::{Tenant, KIND_USER};

/// The catalogue entries of §1–§3 commands (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        command(
            "add_user",
            Seeding,
            &[
                req("upn", Ty::Text),
                kw("display_name", Ty::OptText, "None"),
                kw("department", Ty::OptText, "None"),
                kw("roles", Ty::Roles, "()"),
                kw("enabled", Ty::Bool, "True"),
                kw("manager", Ty::OptUser, "None"),
            ],
            "User",
            "Add user",
            "Seeding: adds a user (audited as system).",
        ),
        command(
            "set_enabled",
            Seeding,
            &[USER, req("enabled", Ty::Bool)],
            "User",
            "Update user",
            "Seeding: enables or disables a user (R-3.5).",
        ),
        command(
            "set_roles",
            Seeding,
            &[USER, req("roles", Ty::Roles)],
            "User",
            "Update user",
            "Seeding: replaces a user's roles.",
        ),
        command(
            "configure",
            Actor,
            &[ACTOR, Param { name: "settings", ty: Ty::Settings, default: None, keyword_only: true }],
            "Settings",
            "Update group settings",
            "Changes tenant settings, all or none (R-2.1); returns the settings.",
        ),
    ];
}

impl Tenant {
    /// The rules of the §1–§3 commands: a plan or a refusal in §9's order.
    pub(crate) fn decide_users(&self, a: &mut Args, cmd: &Command) -> Result<UserPlan> {
        match cmd {
            Command::AddUser { upn, display_name, department, roles, enabled, manager } => {
                a.name(upn);
                // the manager, a user (step 1).
                let manager = manager.as_deref().map(|m| a.user(m)).transpose()?;
                let clean = clean_upn(upn).ok_or_else(|| {
                    Error::new(Code::InvalidName, format!("{upn:?} is not a valid user principal name"))
                })?;
                let roles = parse_roles(roles)?;
                if self.upns.contains_key(fold(clean).as_ref()) {
                    return refuse(Code::DuplicateName, || format!("a user named {clean} already exists"));
                }
                Ok(UserPlan::AddUser {
                    upn: clean.to_string(),
                    display_name: display_name.clone().unwrap_or_else(|| clean.to_string()),
                    department: department.clone(),
                    roles,
                    enabled: *enabled,
                    manager,
                })
            }
            Command::SetEnabled { user, enabled } => {
                let user = a.user(user)?;
                Ok(UserPlan::SetEnabled { user, enabled: *enabled })
            }
            Command::SetRoles { user, roles } => {
                let user = a.user(user)?;
                let roles = parse_roles(roles)?;
                Ok(UserPlan::SetRoles { user, roles })
            }
            Command::Configure { actor, settings } => {
                let actor = a.actor(actor)?;
                let changes: Vec<(String, serde_json::Value)> =
                    settings.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                let next = self.settings.with_changes(&changes)?;
                self.active(actor)?;
                if !self.users[actor as usize].roles.has(Role::GlobalAdmin) {
                    return refuse(Code::NotGlobalAdmin, || {
                        format!("{} is not a global administrator, so cannot change settings", self.du(actor))
                    });
                }
                Ok(UserPlan::Configure { actor, settings: next })
            }
            _ => misrouted(cmd),
        }
    }

    /// The effects of the §1–§3 commands.
    pub(crate) fn apply_users(&mut self, plan: UserPlan, seq: u64) -> (Outcome, Created) {
        match plan {
            UserPlan::AddUser { upn, display_name, department, roles, enabled, manager } => {
                let id = self.generate_id(KIND_USER);
                let u = self.register_user(id.clone(), upn, display_name, department, roles, enabled);
                self.users[u as usize].manager = manager;
                (Outcome::User(id.clone()), Created::Named(id))
            }
            UserPlan::SetEnabled { user, enabled } => {
                let pairs = self.pairs_of_user(user);
                self.provision(pairs, seq, |t| {
                    if let Some(x) = t.users.get_mut(user as usize) {
                        x.enabled = enabled;
                    }
                    if enabled {
                        t.disabled.remove(&user);
                        t.touch_disabled();
                    } else {
                        t.disabled.insert(user);
                        t.touch_disabled();
                    }
                });
                (Outcome::User(self.users[user as usize].id.clone()), Created::Nothing)
            }
            UserPlan::SetRoles { user, roles } => {
                if let Some(x) = self.users.get_mut(user as usize) {
                    x.roles = roles;
                }
                (Outcome::User(self.users[user as usize].id.clone()), Created::Nothing)
            }
            UserPlan::Configure { actor, settings } => {
                let before = std::mem::replace(&mut self.settings, settings);
                self.recover_groups(&before, 0..self.groups.len() as GroupIx);
                let created = if self.ssgm_group_needed(&self.settings) {
                    let g = self.create_ssgm_group(Some(actor));
                    Created::Extra(self.groups[g as usize].id.clone())
                } else {
                    Created::Nothing
                };
                (Outcome::Settings(self.settings.clone()), created)
            }
        }
    }
}

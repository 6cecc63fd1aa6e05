//! # ssgm — an executable model of self-service group management
//!
//! ssgm models the part of Azure AD / Microsoft Entra ID where tenant settings decide who may
//! create groups, owners approve or deny requests to join, business owners manage the
//! members of groups that grant access to SaaS applications, and an administrator sees
//! everyone with access and can block them. The behaviour is SPEC.md's, rule by rule.
//!
//! ```
//! use ssgm::{Command, Tenant};
//! let mut t = Tenant::new("contoso");
//! let add = |upn: &str, roles: &[&str]| Command::AddUser {
//!     upn: upn.into(), display_name: None, department: None,
//!     roles: roles.iter().map(|r| r.to_string()).collect(), enabled: true, manager: None,
//! };
//! t.execute(add("admin@contoso.com", &["global_admin"])).unwrap();
//! t.execute(add("bob@contoso.com", &[])).unwrap();
//! let refused = t.execute(Command::CreateGroup {
//!     actor: "bob@contoso.com".into(), name: "Sales".into(), kind: "security".into(),
//!     join_policy: None, description: String::new(), owners: vec![], members: vec![],
//!     on_premises: false,
//! });
//! assert_eq!(refused.unwrap_err().code().map(|c| c.as_str()), Some("self_service_disabled"));
//! ```

#![deny(missing_docs)]

// A tenant is many small objects (ids, names, member lists, log entries): mimalloc builds and
// replays them markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod areas;
pub mod call;
pub mod catalogue;
pub mod command;
pub mod error;
pub mod graph;
mod history;
pub mod labels;
pub mod model;
pub mod persist;
pub mod progress;
pub mod records;
mod rules;
pub mod schedule;
pub mod store;
pub mod suggest;
pub mod tenant;
pub mod views;

#[cfg(feature = "scripting")]
pub mod scripting;

#[cfg(feature = "python")]
mod python;

pub use areas::{access, analysis, import, lifecycle, packages, reviews};
pub(crate) use areas::{groups, requests, resources, users};

pub use access::{Access, AccessPanel};
pub use command::Command;
pub use error::{Code, Error, Family, Refusal, Result};
pub use model::DirectoryData;
pub use records::{AuditEntry, Change, Decision, ImportCounts, Notification, Outcome, ProvisioningEvent};
pub use store::Store;
pub use tenant::Tenant;

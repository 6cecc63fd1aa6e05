//! The SPEC areas, one module each: its commands' catalogue entries, their rules (decide: a
//! plan or a refusal, in §9's order) and their effects (apply). Every command runs through
//! [`crate::tenant`]'s one pipeline, which sends it to its area.
//!
//! | SPEC | module |
//! |---|---|
//! | §1–§3 users, roles, settings | `users` |
//! | §4 groups and membership | `groups` |
//! | §5 join requests | `requests` |
//! | §6–§7 visibility, effective access, the Access Panel | [`access`] |
//! | §7 resources, assignments, blocks | `resources` |
//! | R-8.5 import | [`import`] |
//! | §12 analysis | [`analysis`] |
//! | §13 group lifecycle | [`lifecycle`] |
//! | §14 access reviews | [`reviews`] |
//! | §15 access packages | [`packages`] |

pub mod access;
pub mod analysis;
pub(crate) mod groups;
pub mod import;
pub mod lifecycle;
pub mod packages;
pub(crate) mod requests;
pub(crate) mod resources;
pub mod reviews;
pub(crate) mod users;

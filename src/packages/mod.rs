//! Access packages (SPEC §15): packages of groups, policies with up to three approval
//! stages, requests, and assignments that deliver direct membership until they expire or are
//! removed. The decisions of the commands are in [`rules`](self) (`decide_package`), their
//! effects, timed events and queries in the effects module; this module holds the plain data.
//!
//! ```
//! use ssgm::{call::{build, Arg}, Tenant};
//! let mut t = Tenant::new("contoso");
//! let s = |x: &str| Arg::Str(x.into());
//! let run = |t: &mut Tenant, name: &str, args: &[Arg], kw: &[(&str, Arg)]| {
//!     let kw: Vec<(String, Arg)> = kw.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
//!     t.execute(build(name, args, &kw).unwrap())
//! };
//! run(&mut t, "add_user", &[s("admin@contoso.com")], &[("roles", Arg::List(vec![s("global_admin")]))]).unwrap();
//! run(&mut t, "add_user", &[s("bob@contoso.com")], &[]).unwrap();
//! run(&mut t, "create_group", &[s("admin@contoso.com"), s("Sales")], &[]).unwrap();
//! run(&mut t, "create_package", &[s("admin@contoso.com"), s("Sales tools")], &[("groups", Arg::List(vec![s("Sales")]))]).unwrap();
//! run(&mut t, "create_policy", &[s("admin@contoso.com"), s("Sales tools"), s("Everyone")],
//!     &[("requestors", s("all")), ("expires", Arg::Int(90))]).unwrap();
//! run(&mut t, "request_package", &[s("bob@contoso.com"), s("Sales tools"), s("quarter close")], &[]).unwrap();
//! assert_eq!(t.package_assignments_where(None, None, None).len(), 1); // delivered at once (R-15.7)
//! ```

mod effects;
mod rules;
mod views;

pub use effects::Drift;

pub use crate::model::package::*;
use crate::model::{GroupIx, Principal, UserIx};

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

/// The catalogue entries of §15 commands and queries (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        command(
            "set_manager",
            Seeding,
            &[USER, req("manager", Ty::OptUser)],
            "User",
            "Set user manager",
            "Seeding: sets or clears a user's manager (R-15.18).",
        ),
        command(
            "create_package",
            Actor,
            &[ACTOR, req("name", Ty::Text), kw("description", Ty::Text, "''"), kw("groups", Ty::Groups, "()")],
            "AccessPackage",
            "Create access package",
            "Creates an access package of groups (R-15.2, R-15.3).",
        ),
        command(
            "update_package",
            Actor,
            &[ACTOR, PACKAGE, kw("name", Ty::OptText, "None"), kw("description", Ty::OptText, "None")],
            "AccessPackage",
            "Update access package",
            "Renames or describes a package (R-15.2).",
        ),
        command("delete_package", Actor, &[ACTOR, PACKAGE], "None", "Delete access package", "Deletes a package with no active assignment or pending request (R-15.2)."),
        command(
            "add_package_group",
            Actor,
            &[ACTOR, PACKAGE, GROUP],
            "None",
            "Update access package",
            "Adds a group to a package; its active assignments' users gain it (R-15.3).",
        ),
        command(
            "remove_package_group",
            Actor,
            &[ACTOR, PACKAGE, GROUP],
            "None",
            "Update access package",
            "Takes a group out of a package; its active assignments' users lose it (R-15.3).",
        ),
        command(
            "add_incompatible",
            Actor,
            &[ACTOR, PACKAGE, req("other", Ty::PackageOrGroup)],
            "None",
            "Create incompatible access package / Create incompatible group",
            "Makes a package or a group incompatible with a package, one way (R-15.14).",
        ),
        command(
            "remove_incompatible",
            Actor,
            &[ACTOR, PACKAGE, req("other", Ty::PackageOrGroup)],
            "None",
            "Delete incompatible access package / Delete incompatible group",
            "Lifts an incompatibility (R-15.14).",
        ),
        command(
            "create_policy",
            Actor,
            &[
                ACTOR,
                PACKAGE,
                req("name", Ty::Text),
                kw("requestors", Ty::Requestors, "'none'"),
                kw("justification_required", Ty::Bool, "True"),
                kw("stages", Ty::Stages, "()"),
                kw("expires", Ty::Expires, "'never'"),
            ],
            "PackagePolicy",
            "Create access package assignment policy",
            "Creates a policy: requestors, justification, 0 to 3 approval stages, expiry (R-15.4).",
        ),
        command(
            "update_policy",
            Actor,
            &[
                ACTOR,
                POLICY,
                kw("name", Ty::OptText, "None"),
                kw("requestors", Ty::Requestors, "None"),
                kw("justification_required", Ty::OptBool, "None"),
                kw("stages", Ty::Stages, "None"),
                kw("expires", Ty::Expires, "None"),
            ],
            "PackagePolicy",
            "Update access package assignment policy",
            "Changes a policy; an option left None is unchanged (R-15.4, R-15.5).",
        ),
        command("delete_policy", Actor, &[ACTOR, POLICY], "None", "Delete access package assignment policy", "Deletes a policy not in use (R-15.5)."),
        command(
            "assign_package",
            Actor,
            &[ACTOR, PACKAGE, USER, POLICY, kw("justification", Ty::Text, "''")],
            "PackageAssignment",
            "Administrator directly assigns user to access package",
            "An administrator assigns a package directly, delivered at once (R-15.13).",
        ),
        command(
            "reprocess_assignment",
            Actor,
            &[ACTOR, req("assignment", Ty::Assignment)],
            "PackageAssignment",
            "Reprocess access package assignment",
            "Re-adds an active assignment's missing memberships (R-15.15).",
        ),
        command(
            "request_package",
            Actor,
            &[ACTOR, PACKAGE, opt("justification", Ty::Text, "''"), kw("policy", Ty::OptPolicy, "None")],
            "PackageRequest",
            "User requests access package assignment",
            "Requests a package under a policy that offers itself (R-15.6, R-15.7).",
        ),
        command(
            "approve_package_request",
            Actor,
            &[ACTOR, PACKAGE_REQUEST, opt("justification", Ty::Text, "''")],
            "PackageRequest",
            "Approval stage completed for access package assignment request / Approve access package assignment request",
            "Approves a request's stage: the next opens, or after the last it is delivered (R-15.9).",
        ),
        command(
            "deny_package_request",
            Actor,
            &[ACTOR, PACKAGE_REQUEST, opt("justification", Ty::Text, "''")],
            "PackageRequest",
            "Deny access package assignment request",
            "Denies a pending request (R-15.9).",
        ),
        command(
            "cancel_package_request",
            Actor,
            &[ACTOR, PACKAGE_REQUEST],
            "PackageRequest",
            "Cancel access package assignment request",
            "Cancels a pending request: the requester or an admin (R-15.10).",
        ),
        command(
            "remove_assignment",
            Actor,
            &[ACTOR, req("assignment", Ty::Assignment)],
            "PackageAssignment",
            "Administrator directly removes user access package assignment / User requests to remove access package assignment",
            "Ends an active assignment: its user or an admin (R-15.12).",
        ),
        query("packages", &[], "list[AccessPackage]", "Access packages, in creation order (R-15.16)."),
        query("package", &[req("ref", Ty::Package)], "AccessPackage", "The package with this id or name (package_not_found)."),
        query("policies", &[kw("package", Ty::Package, "None")], "list[PackagePolicy]", "Policies, of one package or all, in creation order."),
        query("policy", &[req("id", Ty::Policy)], "PackagePolicy", "The policy with this id (policy_not_found)."),
        query(
            "package_requests",
            &[kw("status", Ty::OptText, "None"), kw("package", Ty::Package, "None"), kw("requester", Ty::User, "None")],
            "list[PackageRequest]",
            "Package requests in creation order, filtered by status, package and requester.",
        ),
        query("package_request", &[req("id", Ty::PackageRequest)], "PackageRequest", "The package request with this id (request_not_found)."),
        query(
            "package_assignments",
            &[kw("state", Ty::OptText, "None"), kw("package", Ty::Package, "None"), kw("user", Ty::User, "None")],
            "list[PackageAssignment]",
            "Assignments in creation order, filtered by state, package and user.",
        ),
        query("package_assignment", &[req("id", Ty::Assignment)], "PackageAssignment", "The assignment with this id (assignment_not_found)."),
        query("assignment_drift", &[kw("package", Ty::Package, "None")], "list[Drift]", "Active assignments' groups their users are missing from (R-15.15)."),
        query(
            "incompatible_assignments",
            &[kw("package", Ty::Package, "None")],
            "list[PackageAssignment]",
            "Active assignments whose user now holds incompatible access (R-15.16).",
        ),
    ];
}

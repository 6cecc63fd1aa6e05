//! Registration: every function a script can call, each a few lines that convert, call the
//! core and convert back. Commands are bound by [`crate::call::build`], the same binder the
//! Python face uses; only queries and files are wired here.
//!
//! Names are API.md's. Where Python takes keyword arguments, Rhai takes a trailing object
//! map (`t.create_group(bob, "Sales", #{ kind: "microsoft365" })`); a function is registered
//! once per arity it accepts, with its parameters and a one-line doc in the engine's
//! metadata, which the console's `:help` lists.

use super::convert::{self, filtered, from_json, handle, kwargs, throw, time, to_arg, to_args, type_error, RhaiResult};
use super::guard;
use super::types::{Field, GroupKind, Handle, Kind, RequestKind, ResourceKind, ReviewKind, TenantHandle, UserKind};
use crate::call::{self, HandleKind};
use crate::catalogue::{self, Entry, Param, Ty};
use crate::command::Command;
use crate::error::{Code, Error};
use crate::model::{parse_time, Object};
use crate::persist::{journal, snapshot};
use crate::records::{Member, Outcome};
use crate::store::Store;
use crate::tenant::Tenant;
use crate::views;
use rhai::{Array, Dynamic, Engine, FuncRegistration, ImmutableString, Map};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// Registers the whole API into `engine`.
pub fn register(engine: &mut Engine) {
    register_types(engine);
    register_functions(engine);
    register_commands(engine);
    register_check(engine);
    register_queries(engine);
    register_history(engine);
    register_analysis(engine);
    super::packages::register(engine);
}

/// A registration with its parameters (the last entry is the return type, if any), a doc
/// line, and volatility on: nothing here may be folded at compile time.
fn reg(name: &str, params: &[&str], doc: &str) -> FuncRegistration {
    FuncRegistration::new(name).with_params_info(params).with_comments([format!("/// {doc}")]).with_volatility(true)
}

// ----- commands ----------------------------------------------------------------------------

/// The names of every command scripts can call on a tenant (seeding, actor commands and
/// checked reads), from the catalogue.
pub fn command_names() -> impl Iterator<Item = &'static str> {
    catalogue::commands().filter(|e| call::is_command(e.name)).map(|e| e.name)
}

/// A parameter as `:help` shows it.
fn param_info(p: &Param) -> String {
    format!("{}: {}", p.name, p.ty.rhai())
}

/// The return type as `:help` shows it.
fn returns_info(e: &Entry) -> &'static str {
    match e.returns {
        "None" => "",
        "User" | "Group" | "Resource" | "Request" => e.returns,
        "Settings" | "dict" => "Map",
        r if r.starts_with("list") => "Array",
        r => r,
    }
}

/// Runs a command: binds it with `call::build`, executes it on the store, converts the
/// outcome.
fn command(t: &TenantHandle, name: &str, args: &[Dynamic], options: Option<&Map>) -> RhaiResult {
    let args = to_args(args)?;
    let kwargs = options.map(kwargs).transpose()?.unwrap_or_default();
    let cmd = call::build(name, &args, &kwargs).map_err(throw)?;
    let outcome = t.store().execute(cmd).map_err(throw)?;
    outcome_value(t.store(), outcome)
}

fn outcome_value(store: &Arc<Store>, outcome: Outcome) -> RhaiResult {
    Ok(match outcome {
        Outcome::Nothing => Dynamic::UNIT,
        Outcome::User(id) => handle::<UserKind>(store, id),
        Outcome::Group(id) => handle::<GroupKind>(store, id),
        Outcome::Resource(id) => handle::<ResourceKind>(store, id),
        Outcome::Request(id) => handle::<RequestKind>(store, id),
        Outcome::Settings(s) => from_json(&views::settings_view(&s))?,
        Outcome::Members(members) => Dynamic::from_array(
            members
                .into_iter()
                .map(|m| match m {
                    Member::User(id) => handle::<UserKind>(store, id),
                    Member::Group(id) => handle::<GroupKind>(store, id),
                })
                .collect(),
        ),
        Outcome::Users(users) => {
            Dynamic::from_array(users.into_iter().map(|id| handle::<UserKind>(store, id)).collect())
        }
        Outcome::Imported(counts) => from_json(&views::counts_view(&counts))?,
        Outcome::Time(t) => time(t),
        // §14
        Outcome::Review(id) => handle::<ReviewKind>(store, id),
        Outcome::Reviews(ids) => {
            Dynamic::from_array(ids.into_iter().map(|id| handle::<ReviewKind>(store, id)).collect())
        }
        Outcome::ReviewDecision { review, user } => from_json(&store.read(|t| t.review_decision_view(&review, &user)))?,
        // §15
        Outcome::Package(id) => handle::<super::types::PackageKind>(store, id),
        Outcome::Policy(id) => handle::<super::types::PolicyKind>(store, id),
        Outcome::PackageRequest(id) => handle::<super::types::PackageRequestKind>(store, id),
        Outcome::Assignment(id) => handle::<super::types::AssignmentKind>(store, id),
    })
}

fn register_commands(engine: &mut Engine) {
    reg("catalogue", &["Array"], "Every command and query: name, kind, params, signature, returns, activity, doc.")
        .register_into_engine(engine, || from_json(&catalogue::view()));
    for e in catalogue::commands().filter(|e| call::is_command(e.name)) {
        let positional = e.positional().count();
        for n in e.required()..=positional {
            register_command(engine, e, n, false);
        }
        if e.options().next().is_some() || e.params.iter().any(|p| p.ty == Ty::Settings) {
            register_command(engine, e, e.required(), true);
        }
        // §15: keyword options after the optional positional ones too, as API.md writes
        // `t.request_package(bob, "Sales tools", "quarter close", #{ policy: "Employees" })`.
        if e.name == "request_package" {
            for n in e.required() + 1..=positional {
                register_command(engine, e, n, true);
            }
        }
    }
}

/// One arity of a command: the tenant, `n` positional arguments, and the options map if
/// `options`. The options overload has a `Map` parameter, so Rhai prefers it over a
/// same-arity positional overload when a map is given.
fn register_command(engine: &mut Engine, c: &'static Entry, n: usize, options: bool) {
    let name = c.name;
    let mut info: Vec<String> = vec!["tenant: Tenant".into()];
    info.extend(c.positional().take(n).map(param_info));
    let mut doc = c.doc.to_string();
    if options {
        info.push("options: Map".into());
        let keys: Vec<String> = if c.params.iter().any(|p| p.ty == Ty::Settings) {
            vec!["any setting of SPEC §2".into()]
        } else {
            c.options().map(|p| format!("{} ({})", p.name, p.default.unwrap_or_default())).collect()
        };
        doc.push_str(&format!(" Options: {}.", keys.join(", ")));
    }
    let returns = returns_info(c);
    if !returns.is_empty() {
        info.push(returns.into());
    }
    let info: Vec<&str> = info.iter().map(String::as_str).collect();
    let r = reg(name, &info, &doc);
    match (n, options) {
        (0, false) => {
            r.register_into_engine(engine, move |t: &mut TenantHandle| command(t, name, &[], None));
        }
        (1, false) => {
            r.register_into_engine(engine, move |t: &mut TenantHandle, a: Dynamic| command(t, name, &[a], None));
        }
        (2, false) => {
            r.register_into_engine(engine, move |t: &mut TenantHandle, a: Dynamic, b: Dynamic| {
                command(t, name, &[a, b], None)
            });
        }
        (3, false) => {
            r.register_into_engine(engine, move |t: &mut TenantHandle, a: Dynamic, b: Dynamic, c: Dynamic| {
                command(t, name, &[a, b, c], None)
            });
        }
        (4, false) => {
            r.register_into_engine(
                engine,
                move |t: &mut TenantHandle, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic| {
                    command(t, name, &[a, b, c, d], None)
                },
            );
        }
        (5, false) => {
            r.register_into_engine(
                engine,
                move |t: &mut TenantHandle, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic| {
                    command(t, name, &[a, b, c, d, e], None)
                },
            );
        }
        (0, true) => {
            r.register_into_engine(engine, move |t: &mut TenantHandle, o: Map| command(t, name, &[], Some(&o)));
        }
        (1, true) => {
            r.register_into_engine(engine, move |t: &mut TenantHandle, a: Dynamic, o: Map| {
                command(t, name, &[a], Some(&o))
            });
        }
        (2, true) => {
            r.register_into_engine(engine, move |t: &mut TenantHandle, a: Dynamic, b: Dynamic, o: Map| {
                command(t, name, &[a, b], Some(&o))
            });
        }
        (3, true) => {
            r.register_into_engine(engine, move |t: &mut TenantHandle, a: Dynamic, b: Dynamic, c: Dynamic, o: Map| {
                command(t, name, &[a, b, c], Some(&o))
            });
        }
        (4, true) => {
            r.register_into_engine(
                engine,
                move |t: &mut TenantHandle, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, o: Map| {
                    command(t, name, &[a, b, c, d], Some(&o))
                },
            );
        }
        // No command has more parameters (§14's decide_review has five); `every_command_is_callable` keeps it so.
        _ => {}
    }
}

// ----- check -------------------------------------------------------------------------------

/// `check(actor, command, [args], #{options})`: a dry run by name; the decision as
/// `#{ allowed, code, message }`.
fn check(t: &TenantHandle, actor: &Dynamic, command: &str, args: &Array, options: Option<&Map>) -> RhaiResult {
    let args = to_args(args)?;
    let kwargs = options.map(kwargs).transpose()?.unwrap_or_default();
    let cmd = call::build_check(&to_arg(actor)?, command, &args, &kwargs).map_err(throw)?;
    from_json(&views::decision_view(&t.store().check(&cmd)))
}

fn register_check(engine: &mut Engine) {
    let doc = "Dry run of a command by name, not recorded (R-10.11): #{ allowed, code, message }.";
    reg("check", &["tenant: Tenant", "actor: User", "command: String", "Map"], doc).register_into_engine(
        engine,
        |t: &mut TenantHandle, actor: Dynamic, command: ImmutableString| {
            check(t, &actor, &command, &Array::new(), None)
        },
    );
    reg("check", &["tenant: Tenant", "actor: User", "command: String", "args: Array", "Map"], doc)
        .register_into_engine(engine, |t: &mut TenantHandle, actor: Dynamic, command: ImmutableString, args: Array| {
            check(t, &actor, &command, &args, None)
        });
    reg("check", &["tenant: Tenant", "actor: User", "command: String", "options: Map", "Map"], doc)
        .register_into_engine(engine, |t: &mut TenantHandle, actor: Dynamic, command: ImmutableString, o: Map| {
            check(t, &actor, &command, &Array::new(), Some(&o))
        });
    reg("check", &["tenant: Tenant", "actor: User", "command: String", "args: Array", "options: Map", "Map"], doc)
        .register_into_engine(
            engine,
            |t: &mut TenantHandle, actor: Dynamic, command: ImmutableString, args: Array, o: Map| {
                check(t, &actor, &command, &args, Some(&o))
            },
        );
}

// ----- references and lookups --------------------------------------------------------------

/// A reference argument of a query: a handle of kind `K`, or an id or a name.
pub(super) fn reference<K: Kind>(value: &Dynamic, func: &str, param: &str) -> RhaiResult<String> {
    let value = value.flatten_clone();
    if value.is_string() {
        return Ok(value.to_string());
    }
    if let Some(h) = value.read_lock::<Handle<K>>() {
        return Ok(h.id().to_string());
    }
    let expected = match K::KIND {
        HandleKind::User => "a User, an id or a upn",
        HandleKind::Request => "a Request or an id",
        HandleKind::Group => "a Group, an id or a name",
        HandleKind::Resource => "a Resource, an id or a name",
        HandleKind::Review => "a Review or an id",
        HandleKind::Package => "an AccessPackage, an id or a name",
        HandleKind::Policy => "a PackagePolicy or an id",
        HandleKind::PackageRequest => "a PackageRequest or an id",
        HandleKind::Assignment => "a PackageAssignment or an id",
    };
    Err(type_error(format!("{func}() argument '{param}' must be {expected}, not {}", convert::type_name(&value))))
}

/// the object `r` names, as its index and id.
pub(super) fn find(t: &Tenant, kind: HandleKind, r: &str) -> crate::Result<(u32, String)> {
    Ok(match kind {
        HandleKind::User => {
            let u = t.find_user(r)?;
            (u, t.user(u).map(|x| x.id.clone()).unwrap_or_default())
        }
        HandleKind::Group => {
            let g = t.find_group(r)?;
            (g, t.group(g).map(|x| x.id.clone()).unwrap_or_default())
        }
        HandleKind::Resource => {
            let x = t.find_resource(r)?;
            (x, t.resource(x).map(|x| x.id.clone()).unwrap_or_default())
        }
        HandleKind::Request => {
            let q = t.find_request(r)?;
            (q, t.request(q).map(|x| x.id.clone()).unwrap_or_default())
        }
        HandleKind::Review => {
            let x = t.find_review(r)?;
            (x, t.review_at(x).map(|x| x.id.clone()).unwrap_or_default())
        }
        // §15
        HandleKind::Package => {
            let p = t.find_package(r)?;
            (p, t.id_at(HandleKind::Package, p))
        }
        HandleKind::Policy => {
            let p = t.find_policy(r, None)?;
            (p, t.id_at(HandleKind::Policy, p))
        }
        HandleKind::PackageRequest => {
            let q = t.find_package_request(r)?;
            (q, t.id_at(HandleKind::PackageRequest, q))
        }
        HandleKind::Assignment => {
            let a = t.find_assignment(r)?;
            (a, t.id_at(HandleKind::Assignment, a))
        }
    })
}

/// Resolves a reference argument of kind `K` in `t`: its index.
pub(super) fn resolve<K: Kind>(t: &Tenant, value: &Dynamic, func: &str, param: &str) -> RhaiResult<u32> {
    let r = reference::<K>(value, func, param)?;
    find(t, K::KIND, &r).map(|(ix, _)| ix).map_err(throw)
}

pub(super) fn lookup<K: Kind>(t: &TenantHandle, value: &Dynamic, func: &str) -> RhaiResult {
    let r = reference::<K>(value, func, "ref")?;
    let (_, id) = t.store().read(|x| find(x, K::KIND, &r)).map_err(throw)?;
    Ok(handle::<K>(t.store(), id))
}

fn users_array(store: &Arc<Store>, t: &Tenant, users: &[u32]) -> Dynamic {
    Dynamic::from_array(
        users.iter().filter_map(|u| t.user(*u)).map(|u| handle::<UserKind>(store, u.id.clone())).collect(),
    )
}

fn groups_array(store: &Arc<Store>, t: &Tenant, groups: &[u32]) -> Dynamic {
    Dynamic::from_array(
        groups.iter().filter_map(|g| t.group(*g)).map(|g| handle::<GroupKind>(store, g.id.clone())).collect(),
    )
}

fn requests_array(store: &Arc<Store>, t: &Tenant, requests: &[u32]) -> Dynamic {
    Dynamic::from_array(
        requests.iter().filter_map(|q| t.request(*q)).map(|q| handle::<RequestKind>(store, q.id.clone())).collect(),
    )
}

fn reviews_array(store: &Arc<Store>, t: &Tenant, reviews: &[u32]) -> Dynamic {
    Dynamic::from_array(
        reviews.iter().filter_map(|r| t.review_at(*r)).map(|r| handle::<ReviewKind>(store, r.id.clone())).collect(),
    )
}

// ----- queries -----------------------------------------------------------------------------

/// `has_access_many(pairs)`: in order; the first malformed pair is a type error, the
/// first unresolved reference a refusal; no partial result.
fn has_access_many(t: &TenantHandle, pairs: &Array) -> RhaiResult {
    t.store().read(|x| {
        let mut out = Array::with_capacity(pairs.len());
        for (i, pair) in pairs.iter().enumerate() {
            let pair = pair.flatten_clone();
            let items = pair.read_lock::<Array>().map(|a| a.clone()).unwrap_or_default();
            let [user, resource] = items.as_slice() else {
                return Err(type_error(format!(
                    "has_access_many() pair {i} must be a [user, resource] array, not {}",
                    convert::show(&pair)
                )));
            };
            let u = resolve::<UserKind>(x, user, "has_access_many", "user")?;
            let r = resolve::<ResourceKind>(x, resource, "has_access_many", "resource")?;
            out.push(x.has_access_ix(u, r).into());
        }
        Ok(Dynamic::from_array(out))
    })
}

fn access_panel(t: &TenantHandle, user: &Dynamic) -> RhaiResult {
    let store = t.store();
    store.read(|x| {
        let u = resolve::<UserKind>(x, user, "access_panel", "user")?;
        let p = x.access_panel(u);
        let mut map = Map::new();
        map.insert("joinable".into(), groups_array(store, x, &p.joinable));
        map.insert("member_of".into(), groups_array(store, x, &p.member_of));
        map.insert("owner_of".into(), groups_array(store, x, &p.owner_of));
        map.insert("requests".into(), requests_array(store, x, &p.requests));
        map.insert("approvals".into(), requests_array(store, x, &p.approvals));
        map.insert("reviews".into(), reviews_array(store, x, &p.reviews));
        super::packages::panel(store, x, u, &mut map);
        Ok(Dynamic::from_map(map))
    })
}

fn register_queries(engine: &mut Engine) {
    reg("users", &["tenant: Tenant", "Array"], "Every user, in creation order (R-10.1).").register_into_engine(
        engine,
        |t: &mut TenantHandle| {
            let store = t.store();
            store.read(|x| {
                Dynamic::from_array(x.users().iter().map(|u| handle::<UserKind>(store, u.id.clone())).collect())
            })
        },
    );
    reg("groups", &["tenant: Tenant", "Array"], "Every live group, in creation order.").register_into_engine(
        engine,
        |t: &mut TenantHandle| {
            let store = t.store();
            store.read(|x| {
                Dynamic::from_array(x.groups().map(|(_, g)| handle::<GroupKind>(store, g.id.clone())).collect())
            })
        },
    );
    reg("resources", &["tenant: Tenant", "Array"], "Every resource, in creation order.").register_into_engine(
        engine,
        |t: &mut TenantHandle| {
            let store = t.store();
            store.read(|x| {
                Dynamic::from_array(x.resources().iter().map(|r| handle::<ResourceKind>(store, r.id.clone())).collect())
            })
        },
    );
    reg("requests", &["tenant: Tenant", "Array"], "Every request, in creation order.")
        .register_into_engine(engine, |t: &mut TenantHandle| filtered(t, "requests", &Map::new()));
    reg("requests", &["tenant: Tenant", "filter: Map", "Array"], "Requests by #{ status, group, requester }.")
        .register_into_engine(engine, |t: &mut TenantHandle, filter: Map| filtered(t, "requests", &filter));

    // §14
    reg("reviews", &["tenant: Tenant", "Array"], "Every access review, in creation order (R-14.14).")
        .register_into_engine(engine, |t: &mut TenantHandle| filtered(t, "reviews", &Map::new()));
    reg(
        "reviews",
        &["tenant: Tenant", "filter: Map", "Array"],
        "Access reviews by #{ status, group, reviewer } (R-14.14).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, filter: Map| filtered(t, "reviews", &filter));
    reg("review", &["tenant: Tenant", "id: Review", "Review"], "The access review with this id (review_not_found).")
        .register_into_engine(engine, |t: &mut TenantHandle, r: Dynamic| lookup::<ReviewKind>(t, &r, "review"));

    reg("user", &["tenant: Tenant", "ref: User", "User"], "The user with this id or upn (user_not_found).")
        .register_into_engine(engine, |t: &mut TenantHandle, r: Dynamic| lookup::<UserKind>(t, &r, "user"));
    reg("group", &["tenant: Tenant", "ref: Group", "Group"], "The group with this id or name (group_not_found).")
        .register_into_engine(engine, |t: &mut TenantHandle, r: Dynamic| lookup::<GroupKind>(t, &r, "group"));
    reg("resource", &["tenant: Tenant", "ref: Resource", "Resource"], "The resource with this id or name.")
        .register_into_engine(engine, |t: &mut TenantHandle, r: Dynamic| lookup::<ResourceKind>(t, &r, "resource"));
    reg("request", &["tenant: Tenant", "id: Request", "Request"], "The request with this id (request_not_found).")
        .register_into_engine(engine, |t: &mut TenantHandle, r: Dynamic| lookup::<RequestKind>(t, &r, "request"));

    reg("has_access", &["tenant: Tenant", "user: User", "resource: Resource", "bool"], "Effective access (R-7.3).")
        .register_into_engine(engine, |t: &mut TenantHandle, user: Dynamic, resource: Dynamic| -> RhaiResult<bool> {
            t.store().read(|x| {
                let u = resolve::<UserKind>(x, &user, "has_access", "user")?;
                let r = resolve::<ResourceKind>(x, &resource, "has_access", "resource")?;
                Ok(x.has_access_ix(u, r))
            })
        });
    reg(
        "has_access_many",
        &["tenant: Tenant", "pairs: Array", "Array"],
        "has_access for each [user, resource] pair (R-8.6).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, pairs: Array| has_access_many(t, &pairs));
    reg(
        "has_access_many",
        &["tenant: Tenant", "pairs: Array", "resources: Array", "Array"],
        "has_access for two arrays of equal length: users and resources (R-8.6).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, users: Array, resources: Array| {
        if users.len() != resources.len() {
            return Err(type_error(format!(
                "has_access_many() needs arrays of equal length, not {} users and {} resources",
                users.len(),
                resources.len()
            )));
        }
        let pairs: Array = users.into_iter().zip(resources).map(|(u, r)| Dynamic::from_array(vec![u, r])).collect();
        has_access_many(t, &pairs)
    });
    reg(
        "explain_access",
        &["tenant: Tenant", "user: User", "resource: Resource", "Map"],
        "Why a user does or does not reach a resource: #{ granted, paths, blocked, disabled } (R-7.8).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, user: Dynamic, resource: Dynamic| {
        t.store().read(|x| {
            let u = resolve::<UserKind>(x, &user, "explain_access", "user")?;
            let r = resolve::<ResourceKind>(x, &resource, "explain_access", "resource")?;
            from_json(&views::access_view(&x.explain(u, r)))
        })
    });
    reg(
        "who_has_access",
        &["tenant: Tenant", "resource: Resource", "Array"],
        "Everyone with effective access (analyst view).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, resource: Dynamic| -> RhaiResult {
        let store = t.store();
        store.read(|x| {
            let r = resolve::<ResourceKind>(x, &resource, "who_has_access", "resource")?;
            Ok(users_array(store, x, &x.who_has_access(r)))
        })
    });
    reg("access_of", &["tenant: Tenant", "user: User", "Array"], "The resources a user reaches.").register_into_engine(
        engine,
        |t: &mut TenantHandle, user: Dynamic| -> RhaiResult {
            let store = t.store();
            store.read(|x| {
                let u = resolve::<UserKind>(x, &user, "access_of", "user")?;
                Ok(Dynamic::from_array(
                    x.access_of(u)
                        .iter()
                        .filter_map(|r| x.resource(*r))
                        .map(|r| handle::<ResourceKind>(store, r.id.clone()))
                        .collect(),
                ))
            })
        },
    );
    reg(
        "access_panel",
        &["tenant: Tenant", "user: User", "Map"],
        "A user's Access Panel: #{ joinable, member_of, owner_of, requests, approvals, reviews } (R-6.3, R-14.14).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, user: Dynamic| access_panel(t, &user));
    reg(
        "audit_log",
        &["tenant: Tenant", "Array"],
        "The audit log (R-8.1): maps of seq, time, actor, activity, targets, outcome, code.",
    )
    .register_into_engine(engine, |t: &mut TenantHandle| {
        let log = t.store().read(|x| Value::Array(x.audit_log().iter().map(views::audit_view).collect()));
        from_json(&log)
    });
    reg(
        "notification_log",
        &["tenant: Tenant", "Array"],
        "The notification log (R-13.6): maps of seq, time, group, notice, recipients.",
    )
    .register_into_engine(engine, |t: &mut TenantHandle| {
        let log = t.store().read(|x| Value::Array(x.notification_log().iter().map(views::notification_view).collect()));
        from_json(&log)
    });
    reg(
        "deleted_groups",
        &["tenant: Tenant", "Array"],
        "Soft-deleted groups in deletion order (R-13.8): maps of id, name, kind, owners, deleted_at, ...",
    )
    .register_into_engine(engine, |t: &mut TenantHandle| {
        let list = t.store().read(|x| Value::Array(x.deleted_groups().map(|g| x.deleted_group_view(g)).collect()));
        from_json(&list)
    });
    reg(
        "enforced_name",
        &["tenant: Tenant", "user: User", "name: String", "String"],
        "The name the naming policy gives a Microsoft 365 group (R-13.13); throws its refusal.",
    )
    .register_into_engine(
        engine,
        |t: &mut TenantHandle, user: Dynamic, name: &str| -> Result<String, Box<rhai::EvalAltResult>> {
            let user = to_arg(&user)?;
            let user = match &user {
                crate::call::Arg::Str(s) | crate::call::Arg::Handle(crate::call::HandleKind::User, s) => s.clone(),
                _ => return Err("enforced_name() argument 'user' must be a User, an id or a upn".into()),
            };
            t.store().read(|x| x.enforced_name(&user, name)).map_err(throw)
        },
    );
    reg(
        "provisioning_log",
        &["tenant: Tenant", "Array"],
        "The provisioning log (R-7.7): maps of seq, time, user, resource, change, cause.",
    )
    .register_into_engine(engine, |t: &mut TenantHandle| {
        let log = t.store().read(|x| Value::Array(x.provisioning_log().iter().map(views::provisioning_view).collect()));
        from_json(&log)
    });

    FuncRegistration::new_getter("name")
        .with_params_info(["tenant: Tenant", "String"])
        .with_comments(["/// The tenant's name."])
        .with_volatility(true)
        .register_into_engine(engine, |t: &mut TenantHandle| -> String { t.store().read(|x| x.name().to_string()) });
    FuncRegistration::new_getter("settings")
        .with_params_info(["tenant: Tenant", "Map"])
        .with_comments(["/// The settings of SPEC §2, as a map."])
        .with_volatility(true)
        .register_into_engine(engine, |t: &mut TenantHandle| {
            from_json(&t.store().read(|x| views::settings_view(x.settings())))
        });
    FuncRegistration::new_getter("now")
        .with_params_info(["tenant: Tenant", "String"])
        .with_comments(["/// The logical clock (R-8.3), as RFC 3339 text."])
        .with_volatility(true)
        .register_into_engine(engine, |t: &mut TenantHandle| t.store().read(|x| time(x.now())));
    FuncRegistration::new_getter("import_report")
        .with_params_info(["tenant: Tenant", "Map"])
        .with_comments(["/// The report of the Graph import that made this tenant, or () (R-11.7)."])
        .with_volatility(true)
        .register_into_engine(engine, |t: &mut TenantHandle| {
            let report = t.store().read(|x| x.import_report().cloned());
            match report {
                Some(r) => from_json(&r),
                None => Ok(Dynamic::UNIT),
            }
        });
}

// ----- analysis (SPEC §12) ----------------------------------------------------------------

fn views<T: serde::Serialize>(records: &[T]) -> RhaiResult {
    from_json(&Value::Array(records.iter().map(crate::analysis::view).collect()))
}

/// `apply(steps)`: each step a map `#{ actor, command, args }`; the results in order; the
/// first refusal is thrown (the steps before it stay applied).
fn apply(t: &TenantHandle, steps: &Array) -> RhaiResult {
    let store = t.store();
    let mut out = Array::with_capacity(steps.len());
    let mut made: Option<String> = None;
    for (i, step) in steps.iter().enumerate() {
        let step: crate::analysis::Step = serde_json::from_value(convert::to_json(step).map_err(throw)?)
            .map_err(|e| type_error(format!("apply() step {i} must be #{{ actor, command, args }}: {e}")))?;
        let cmd = crate::analysis::step_command(&step, made.as_deref()).map_err(throw)?;
        let outcome = store.execute(cmd).map_err(throw)?;
        made = match &outcome {
            Outcome::Request(id) | Outcome::PackageRequest(id) => Some(id.clone()),
            _ => None,
        };
        out.push(outcome_value(store, outcome)?);
    }
    Ok(Dynamic::from_array(out))
}

fn register_analysis(engine: &mut Engine) {
    reg(
        "capabilities",
        &["tenant: Tenant", "user: User", "Array"],
        "What a user may do now: #{ right, object } (R-12.1).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, user: Dynamic| {
        t.store().read(|x| views(&x.capabilities(resolve::<UserKind>(x, &user, "capabilities", "user")?)))
    });
    reg(
        "routes",
        &["tenant: Tenant", "user: User", "resource: Resource", "Array"],
        "How a user could reach a resource through self-service: #{ kind, group, via, helpers, steps } (R-12.2).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, user: Dynamic, resource: Dynamic| {
        t.store().read(|x| {
            let u = resolve::<UserKind>(x, &user, "routes", "user")?;
            let r = resolve::<ResourceKind>(x, &resource, "routes", "resource")?;
            views(&x.routes(u, r))
        })
    });
    reg(
        "exposure",
        &["tenant: Tenant", "resource: Resource", "Array"],
        "Every user's standing: #{ user, status, route } (R-12.3).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, resource: Dynamic| {
        t.store().read(|x| views(&x.exposure(resolve::<ResourceKind>(x, &resource, "exposure", "resource")?)))
    });
    reg(
        "gatekeepers",
        &["tenant: Tenant", "resource: Resource", "Array"],
        "Role-less users who can change who reaches it: #{ user, right, object } (R-12.4).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, resource: Dynamic| {
        t.store().read(|x| views(&x.gatekeepers(resolve::<ResourceKind>(x, &resource, "gatekeepers", "resource")?)))
    });
    reg("diff", &["before: Tenant", "after: Tenant", "Map"], "What differs between two tenants, by id (R-12.5).")
        .register_into_engine(engine, |a: &mut TenantHandle, b: TenantHandle| {
            let d = Store::read_pair(a.store(), b.store(), crate::analysis::diff);
            from_json(&crate::analysis::view(&d))
        });
    reg("to_dot", &["tenant: Tenant", "String"], "The tenant as Graphviz DOT text (R-12.6).")
        .register_into_engine(engine, |t: &mut TenantHandle| t.store().read(|x| x.to_dot()));
    reg(
        "apply",
        &["tenant: Tenant", "steps: Array", "Array"],
        "Runs a route's steps in order; stops at the first refusal (API.md).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, steps: Array| apply(t, &steps));
}

// ----- clock, history, persistence -----------------------------------------------------------

/// `advance(#{days, hours, minutes, seconds})`: the clock moved forward.
fn advance(t: &TenantHandle, by: &Map) -> RhaiResult {
    let cmd = call::advance(&kwargs(by)?).map_err(throw)?;
    let outcome = t.store().execute(cmd).map_err(throw)?;
    outcome_value(t.store(), outcome)
}

fn set_time(t: &TenantHandle, when: &str) -> RhaiResult {
    let micros = parse_time(when).ok_or_else(|| {
        type_error(format!("set_time() needs an RFC 3339 instant such as \"2016-06-15T09:00:00Z\", not {when:?}"))
    })?;
    let outcome = t.store().execute(Command::SetTime { micros }).map_err(throw)?;
    outcome_value(t.store(), outcome)
}

/// `replay(events, #{until, name})`: a new tenant built from history entries.
fn replay(events: &Array, options: &Map) -> RhaiResult {
    let mut until = None;
    let mut name = String::from("replay");
    for (key, value) in options {
        match key.as_str() {
            "until" if value.is_unit() => {}
            "until" => {
                let n = value
                    .as_int()
                    .ok()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| type_error("replay() option 'until' must be a non-negative int"))?;
                until = Some(n);
            }
            "name" => name = value.to_string(),
            other => return Err(type_error(format!("replay() got an unexpected option '{other}'"))),
        }
    }
    let commands = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Command::from_value(convert::json_arg(e)?)
                .map_err(|err| type_error(format!("event {i}: {}", err.message())))
        })
        .collect::<RhaiResult<Vec<_>>>()?;
    Ok(Dynamic::from(TenantHandle::new(Store::new(Tenant::replay(commands, until, &name)))))
}

fn register_history(engine: &mut Engine) {
    reg("advance", &["tenant: Tenant", "String"], "Moves the clock by nothing; returns it.")
        .register_into_engine(engine, |t: &mut TenantHandle| advance(t, &Map::new()));
    reg(
        "advance",
        &["tenant: Tenant", "by: Map", "String"],
        "Moves the clock forward by #{ days, hours, minutes, seconds } (R-8.3); returns it.",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, by: Map| advance(t, &by));
    reg(
        "set_time",
        &["tenant: Tenant", "when: String", "String"],
        "Moves the clock to a later RFC 3339 instant (R-8.3).",
    )
    .register_into_engine(engine, |t: &mut TenantHandle, when: ImmutableString| set_time(t, &when));
    reg(
        "events",
        &["tenant: Tenant", "Array"],
        "The history (R-8.4): every command, allowed or refused, and clock move.",
    )
    .register_into_engine(engine, |t: &mut TenantHandle| {
        let events = t.store().read(|x| Value::Array(x.history().iter().map(Command::to_value).collect()));
        from_json(&events)
    });
    reg("fork", &["tenant: Tenant", "Tenant"], "An independent copy, for what-if studies.")
        .register_into_engine(engine, |t: &mut TenantHandle| {
            Dynamic::from(TenantHandle::new(Store::new(t.store().read(Tenant::fork))))
        });
    reg("save", &["tenant: Tenant", "path: String"], "Writes an atomic snapshot.").register_into_engine(
        engine,
        |t: &mut TenantHandle, path: ImmutableString| -> RhaiResult<()> {
            let target = guard::sandbox().writable_file(&path).map_err(throw)?;
            t.store().read(|x| snapshot::save(x, &target)).map_err(throw)
        },
    );
    // Python's Tenant.replay is a static method, callable on a tenant too; so is this.
    reg("replay", &["tenant: Tenant", "events: Array", "Tenant"], "A new tenant from history entries (R-8.4).")
        .register_into_engine(engine, |_: &mut TenantHandle, events: Array| replay(&events, &Map::new()));
    reg(
        "replay",
        &["tenant: Tenant", "events: Array", "options: Map", "Tenant"],
        "A new tenant from the first `until` history entries. Options: \"until\" (quoted: a keyword), name.",
    )
    .register_into_engine(engine, |_: &mut TenantHandle, events: Array, o: Map| replay(&events, &o));
    reg(
        "replay",
        &["tenant: Tenant", "events: Array", "until: int", "Tenant"],
        "A new tenant from the first `until` history entries.",
    )
    .register_into_engine(engine, |_: &mut TenantHandle, events: Array, until: rhai::INT| {
        replay(&events, &until_map(until))
    });
}

/// `until` is a Rhai keyword (`do { } until …`), so `#{ until: 3 }` does not parse; scripts
/// write `#{ "until": 3 }` or pass the count alone.
fn until_map(until: rhai::INT) -> Map {
    let mut map = Map::new();
    map.insert("until".into(), until.into());
    map
}

// ----- functions ---------------------------------------------------------------------------

fn open(path: &str, options: &Map) -> RhaiResult {
    let sandbox = guard::sandbox();
    sandbox.writable_file(path).map_err(throw)?;
    if Path::new(path).exists() {
        sandbox.readable_file(path).map_err(throw)?;
    }
    let mut sync = journal::SyncPolicy::default();
    for (key, value) in options {
        match key.as_str() {
            "fsync" => sync = journal::SyncPolicy::named(&value.to_string()).map_err(throw)?,
            other => return Err(type_error(format!("open() got an unexpected option '{other}'"))),
        }
    }
    let opened = journal::Journal::open_file(Path::new(path), sync).map_err(throw)?;
    if let Some(note) = &opened.recovered {
        // Python warns (RuntimeWarning); a script's user reads stderr.
        eprintln!("warning: {note}");
    }
    Ok(Dynamic::from(TenantHandle::new(Store::with_journal(opened.tenant, opened.journal))))
}

/// Progress as a line on stderr that counts up, at most ten times a second.
fn stderr_progress() -> impl FnMut(&str, u64, u64) {
    crate::progress::throttled(|phase, done, total| {
        let end = if done >= total { "\n" } else { "" };
        eprint!("\r{phase}: {done}/{total}{end}");
    })
}

fn from_graph(path: &str, options: &Map) -> RhaiResult {
    let mut name = None;
    let mut settings = serde_json::Map::new();
    let mut now = None;
    let mut progress = false;
    for (key, value) in options {
        match key.as_str() {
            "progress" => {
                progress = value.as_bool().map_err(|_| type_error("from_graph() option 'progress' must be a bool"))?
            }
            "now" if value.is_unit() => {}
            "now" => {
                let text = value.to_string();
                now = Some(parse_time(&text).ok_or_else(|| {
                    type_error(format!("from_graph() option 'now' needs an RFC 3339 instant such as \"2016-06-15T09:00:00Z\", not {text:?}"))
                })?);
            }
            "name" if value.is_unit() => {}
            "name" => name = Some(value.to_string()),
            "settings" if value.is_unit() => {}
            "settings" => match convert::json_arg(value)? {
                Value::Object(map) => settings = map,
                _ => return Err(type_error("from_graph() option 'settings' must be a map")),
            },
            other => return Err(type_error(format!("from_graph() got an unexpected option '{other}'"))),
        }
    }
    guard::sandbox().readable_folder(path).map_err(throw)?;
    let read = || Tenant::from_graph_at(Path::new(path), name.as_deref(), &settings, now);
    let tenant = if progress { crate::progress::with_sink(stderr_progress(), read) } else { read() }.map_err(throw)?;
    Ok(Dynamic::from(TenantHandle::new(Store::new(tenant))))
}

fn register_functions(engine: &mut Engine) {
    reg("tenant", &["name: String", "Tenant"], "A new, empty tenant; its clock reads 2016-06-14T00:00:00Z.")
        .register_into_engine(engine, |name: ImmutableString| {
            Dynamic::from(TenantHandle::new(Store::new(Tenant::new(name.as_str()))))
        });
    reg("load", &["path: String", "Tenant"], "A tenant read from a snapshot.").register_into_engine(
        engine,
        |path: ImmutableString| -> RhaiResult {
            let tenant = guard::sandbox().load_snapshot(&path).map_err(throw)?;
            Ok(Dynamic::from(TenantHandle::new(Store::new(tenant))))
        },
    );
    reg(
        "open",
        &["path: String", "Tenant"],
        "A durable tenant: replays the journal at path and appends every command to it.",
    )
    .register_into_engine(engine, |path: ImmutableString| open(&path, &Map::new()));
    reg(
        "open",
        &["path: String", "options: Map", "Tenant"],
        "open(path) with the option fsync: \"always\" (default) or \"never\".",
    )
    .register_into_engine(engine, |path: ImmutableString, o: Map| open(&path, &o));
    reg("from_graph", &["path: String", "Tenant"], "A tenant imported from a Microsoft Graph export folder (R-11.1).")
        .register_into_engine(engine, |path: ImmutableString| from_graph(&path, &Map::new()));
    reg("from_graph", &["path: String", "options: Map", "Tenant"], "from_graph(path) with options: name, settings (R-11.8), now (an instant: the export's date, R-11.1), progress (counts on stderr).")
        .register_into_engine(engine, |path: ImmutableString, o: Map| from_graph(&path, &o));
    reg(
        "graph_to_directory",
        &["path: String", "Map"],
        "The import_directory data of a Graph export, with its report, without importing it (R-11.1).",
    )
    .register_into_engine(engine, |path: ImmutableString| -> RhaiResult {
        guard::sandbox().readable_folder(&path).map_err(throw)?;
        let data =
            crate::graph::graph_to_directory(Path::new(path.as_str()), &serde_json::Map::new()).map_err(throw)?;
        from_json(&data.to_value())
    });
    reg("replay", &["events: Array", "Tenant"], "A new tenant from history entries (R-8.4).")
        .register_into_engine(engine, |events: Array| replay(&events, &Map::new()));
    reg("replay", &["events: Array", "until: int", "Tenant"], "A new tenant from the first `until` history entries.")
        .register_into_engine(engine, |events: Array, until: rhai::INT| replay(&events, &until_map(until)));
    reg(
        "replay",
        &["events: Array", "options: Map", "Tenant"],
        "A new tenant from the first `until` history entries. Options: \"until\" (quoted: a keyword), name.",
    )
    .register_into_engine(engine, |events: Array, o: Map| replay(&events, &o));
    reg("error_codes", &["Map"], "Every refusal code and its family (SPEC §9).").register_into_engine(engine, || {
        let mut map = Map::new();
        for code in Code::ALL {
            map.insert(code.as_str().into(), code.family().as_str().into());
        }
        map
    });

    reg("assert", &["condition: bool"], "Fails the script at this line and column when the condition is false.")
        .register_into_engine(engine, |ok: bool| -> RhaiResult<()> {
            if ok {
                Ok(())
            } else {
                Err("assertion failed".into())
            }
        });
    reg("assert", &["condition: bool", "message: String"], "assert with a message.").register_into_engine(
        engine,
        |ok: bool, message: Dynamic| -> RhaiResult<()> {
            if ok {
                Ok(())
            } else {
                Err(format!("assertion failed: {message}").into())
            }
        },
    );
    // A condition that is not a bool is a mistake worth naming.
    for n in 1..=2 {
        let params: &[&str] = if n == 1 { &["condition: ?"] } else { &["condition: ?", "message: ?"] };
        let r = reg("assert", params, "assert needs a bool condition.");
        let not_bool =
            |c: &Dynamic| type_error(format!("assert() needs a bool condition, not {}", convert::type_name(c)));
        if n == 1 {
            r.register_into_engine(engine, move |c: Dynamic| -> RhaiResult<()> { Err(not_bool(&c)) });
        } else {
            r.register_into_engine(engine, move |c: Dynamic, _: Dynamic| -> RhaiResult<()> { Err(not_bool(&c)) });
        }
    }
}

// ----- types -------------------------------------------------------------------------------

fn not_found<K: Kind>(t: &Tenant, id: &str) -> Error {
    if K::KIND == HandleKind::Review {
        return t.find_review(id).err().unwrap_or_else(|| t.not_found(Code::ReviewNotFound, id));
    }
    t.not_found(
        match K::KIND {
            HandleKind::User => Code::UserNotFound,
            HandleKind::Group => Code::GroupNotFound,
            HandleKind::Resource => Code::ResourceNotFound,
            HandleKind::Request | HandleKind::PackageRequest => Code::RequestNotFound,
            HandleKind::Review => Code::ReviewNotFound,
            HandleKind::Package => Code::PackageNotFound,
            HandleKind::Policy => Code::PolicyNotFound,
            HandleKind::Assignment => Code::AssignmentNotFound,
        },
        id,
    )
}

/// The object's view (`views.rs`), or not found.
fn view_of<K: Kind>(h: &Handle<K>, t: &Tenant) -> RhaiResult<Value> {
    let Some(ix) = h.index(t) else {
        return Err(throw(not_found::<K>(t, h.id())));
    };
    Ok(match K::KIND {
        HandleKind::User => t.user_view(ix),
        HandleKind::Group => t.group_view(ix),
        HandleKind::Resource => t.resource_view(ix),
        HandleKind::Request => t.request_view(ix),
        HandleKind::Review => t.review_view(ix),
        HandleKind::Package => t.package_view(ix),
        HandleKind::Policy => t.policy_view(ix),
        HandleKind::PackageRequest => t.package_request_view(ix),
        HandleKind::Assignment => t.assignment_view(ix),
    })
}

/// A property of a handle, read now: ids become handles.
pub(super) fn get_field<K: Kind>(h: &Handle<K>, field: &str, kind: Field) -> RhaiResult {
    let store = h.store();
    store.read(|t| {
        let view = view_of(h, t)?;
        let value = view.get(field).cloned().unwrap_or(Value::Null);
        let ids = || value.as_array().into_iter().flatten().filter_map(Value::as_str);
        Ok(match kind {
            Field::Plain => from_json(&value)?,
            Field::User => value.as_str().map(|id| handle::<UserKind>(store, id)).unwrap_or(Dynamic::UNIT),
            Field::Group => value.as_str().map(|id| handle::<GroupKind>(store, id)).unwrap_or(Dynamic::UNIT),
            Field::Users => Dynamic::from_array(ids().map(|id| handle::<UserKind>(store, id)).collect()),
            Field::Principals => Dynamic::from_array(
                ids()
                    .map(|id| match t.object(id) {
                        Some(Object::User(_)) => handle::<UserKind>(store, id),
                        _ => handle::<GroupKind>(store, id),
                    })
                    .collect(),
            ),
            other => super::packages::field(store, t, &value, other)?,
        })
    })
}

/// The Rhai type of a plain property, for `:help`.
fn plain_type(field: &str) -> &'static str {
    match field {
        "roles" => "Array",
        "enabled" | "on_premises" => "bool",
        "department" | "decided_at" | "last_sign_in" | "ended_at" | "applied_at" => "String|()",
        "fallback_used" | "auto_apply" | "justification_required" => "bool",
        "duration_days" => "int",
        "decisions" => "Array",
        _ => "String",
    }
}

pub(super) fn register_handle<K: Kind>(engine: &mut Engine) {
    engine.register_type_with_name::<Handle<K>>(K::NAME);
    let this = format!("{}: {}", K::NAME.to_lowercase(), K::NAME);
    for (field, kind) in K::FIELDS {
        let (field, kind): (&'static str, Field) = (field, *kind);
        let returns = match kind {
            Field::Plain => plain_type(field),
            Field::User => "User",
            Field::Group => "Group",
            Field::Users | Field::Principals => "Array",
            other => super::packages::field_type(other),
        };
        FuncRegistration::new_getter(field)
            .with_params_info([this.as_str(), returns])
            .with_comments([format!("/// The {} {field}, read now.", K::NAME)])
            .with_volatility(true)
            .register_into_engine(engine, move |h: &mut Handle<K>| get_field(h, field, kind));
    }
    reg("to_dict", &[this.as_str(), "Map"], "The object as a map of its current fields (ids for references).")
        .register_into_engine(engine, |h: &mut Handle<K>| h.store().read(|t| from_json(&view_of(h, t)?)));
    engine
        .register_fn("to_string", |h: &mut Handle<K>| h.to_string())
        .register_fn("to_debug", |h: &mut Handle<K>| h.to_string())
        .register_fn("==", |a: &mut Handle<K>, b: Handle<K>| *a == b)
        .register_fn("!=", |a: &mut Handle<K>, b: Handle<K>| *a != b);
}

fn register_types(engine: &mut Engine) {
    engine
        .register_type_with_name::<TenantHandle>("Tenant")
        .register_fn("to_string", |t: &mut TenantHandle| t.to_string())
        .register_fn("to_debug", |t: &mut TenantHandle| format!("{t:?}"))
        .register_fn("==", |a: &mut TenantHandle, b: TenantHandle| *a == b)
        .register_fn("!=", |a: &mut TenantHandle, b: TenantHandle| *a != b);
    register_handle::<UserKind>(engine);
    register_handle::<GroupKind>(engine);
    register_handle::<ResourceKind>(engine);
    register_handle::<RequestKind>(engine);
    register_handle::<ReviewKind>(engine);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::Arg;

    #[test]
    fn every_command_is_callable() {
        // Each catalogued command takes exactly the positional arguments call::build binds,
        // at arities register_command knows.
        let strings = |n: usize| (0..n).map(|_| Arg::Str("x".into())).collect::<Vec<_>>();
        let positional_error = |name: &str, n: usize| match call::build(name, &strings(n), &[]) {
            Err(Error::Type(m)) => m.contains("positional") || m.contains("takes the actor"),
            _ => false,
        };
        let mut count = 0;
        for c in catalogue::commands().filter(|e| call::is_command(e.name)) {
            let n = c.positional().count();
            assert!(n <= 5, "{}: arity not registered", c.name);
            assert!(positional_error(c.name, n + 1), "{} takes fewer arguments", c.name);
            assert!(!positional_error(c.name, n), "{} takes more arguments", c.name);
            count += 1;
        }
        assert_eq!(
            count,
            catalogue::CATALOGUE
                .iter()
                .filter(|e| matches!(
                    e.kind,
                    catalogue::Kind::Seeding | catalogue::Kind::Actor | catalogue::Kind::CheckedRead
                ))
                .count()
        );
    }

    #[test]
    fn the_engine_registers_every_catalogue_entry_with_its_parameters() {
        // The parity of the Rhai face with the catalogue: every entry is a function whose
        // longest positional signature names the catalogue's positional parameters in order,
        // and whose options overload (if any) lists every option.
        let engine = crate::scripting::engine(&crate::scripting::Limits::default());
        let meta: Value =
            serde_json::from_str(&engine.gen_fn_metadata_to_json(false).unwrap_or_default()).unwrap_or_default();
        let functions = meta["functions"].as_array().cloned().unwrap_or_default();
        for e in catalogue::CATALOGUE {
            let overloads: Vec<&Value> = functions.iter().filter(|f| f["name"] == e.name).collect();
            assert!(!overloads.is_empty(), "{} is not registered in Rhai", e.name);
            if e.params.iter().any(|p| matches!(p.ty, Ty::Settings | Ty::Arguments)) || e.kind == catalogue::Kind::Query
            {
                continue;
            }
            let names = |f: &Value| -> Vec<String> {
                f["params"]
                    .as_array()
                    .map(|ps| ps.iter().filter_map(|p| p["name"].as_str().map(String::from)).collect())
                    .unwrap_or_default()
            };
            let want: Vec<String> =
                std::iter::once("tenant".to_string()).chain(e.positional().map(|p| p.name.to_string())).collect();
            let longest =
                overloads.iter().map(|f| names(f)).filter(|n| !n.contains(&"options".to_string())).max_by_key(Vec::len);
            if e.kind != catalogue::Kind::Clock {
                assert_eq!(longest.as_ref(), Some(&want), "{}: Rhai parameters differ from the catalogue", e.name);
            }
            if let Some(with_options) = overloads.iter().find(|f| names(f).contains(&"options".to_string())) {
                let doc = with_options["docComments"].to_string();
                for p in e.options() {
                    assert!(doc.contains(p.name), "{}: option {} missing from its doc", e.name, p.name);
                }
            }
        }
    }

    #[test]
    fn handle_fields_are_the_view_fields() {
        // The properties mirror views.rs, so Rhai and Python show the same fields.
        let mut t = Tenant::new("x");
        let add = |upn: &str, roles: Vec<String>| Command::AddUser {
            upn: upn.into(),
            display_name: None,
            department: None,
            roles,
            enabled: true,
            manager: None,
        };
        let ok = t.execute(add("a@x", vec!["global_admin".into()])).is_ok()
            && t.execute(Command::Configure {
                actor: "a@x".into(),
                settings: serde_json::json!({"delegated_group_management": true})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            })
            .is_ok()
            && t.execute(Command::CreateGroup {
                actor: "a@x".into(),
                name: "G".into(),
                kind: "security".into(),
                join_policy: Some("owner_approval".into()),
                description: String::new(),
                owners: vec!["a@x".into()],
                members: vec![],
                on_premises: false,
            })
            .is_ok()
            && t.execute(Command::CreateResource {
                actor: "a@x".into(),
                name: "R".into(),
                kind: "application".into(),
                owners: vec![],
            })
            .is_ok()
            && t.execute(add("b@x", vec![])).is_ok()
            && t.execute(Command::RequestToJoin { actor: "b@x".into(), group: "G".into(), justification: "j".into() })
                .is_ok();
        assert!(ok, "seeding failed");
        let keys = |v: Value| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        let names = |f: &[(&str, Field)]| f.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
        assert_eq!(keys(t.user_view(0)), names(UserKind::FIELDS));
        assert_eq!(keys(t.group_view(0)), names(GroupKind::FIELDS));
        assert_eq!(keys(t.resource_view(0)), names(ResourceKind::FIELDS));
        assert_eq!(keys(t.request_view(0)), names(RequestKind::FIELDS));
    }
}

//! Calls by name: how both faces turn a command's name and arguments into a [`Command`].
//!
//! Python and Rhai hand over their arguments as [`Arg`]s (handles keep their kind); this
//! module binds them to the command's parameters as API.md names them, with the same type
//! checks for both faces (R-10.13: a Group where a user is expected is a type error, raised
//! before any refusal and never recorded).

use crate::catalogue::{self, Kind, Param, Ty};
use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::model::DirectoryData;
use crate::model::Timestamp;
use crate::tenant::Tenant;
use serde_json::{Map, Value};

/// The kind of object a handle names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandleKind {
    /// A user.
    User,
    /// A group.
    Group,
    /// A resource.
    Resource,
    /// A join request.
    Request,
    /// An access review (§14).
    Review,
    /// An access package (§15).
    Package,
    /// A policy (§15).
    Policy,
    /// A package request (§15).
    PackageRequest,
    /// A package assignment (§15).
    Assignment,
}

impl HandleKind {
    fn as_str(self) -> &'static str {
        match self {
            HandleKind::User => "User",
            HandleKind::Group => "Group",
            HandleKind::Resource => "Resource",
            HandleKind::Request => "Request",
            HandleKind::Review => "Review",
            HandleKind::Package => "AccessPackage",
            HandleKind::Policy => "PackagePolicy",
            HandleKind::PackageRequest => "PackageRequest",
            HandleKind::Assignment => "PackageAssignment",
        }
    }
}

/// An argument as a face hands it over.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// None / ().
    Null,
    /// A bool.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A handle: its kind and id.
    Handle(HandleKind, String),
    /// A list or tuple.
    List(Vec<Arg>),
    /// A map with string keys.
    Map(Vec<(String, Arg)>),
    /// An instant (a Python `datetime`; Rhai gives instants as text).
    Time(Timestamp),
    /// Anything else, described by its type name.
    Other(String),
}

impl Arg {
    fn type_name(&self) -> String {
        match self {
            Arg::Null => "None".into(),
            Arg::Bool(_) => "bool".into(),
            Arg::Int(_) => "int".into(),
            Arg::Float(_) => "float".into(),
            Arg::Str(_) => "str".into(),
            Arg::Handle(k, _) => k.as_str().into(),
            Arg::List(_) => "list".into(),
            Arg::Map(_) => "dict".into(),
            Arg::Time(_) => "datetime".into(),
            Arg::Other(t) => t.clone(),
        }
    }

    /// The argument as plain JSON (handles become their ids).
    pub fn to_json(&self) -> Value {
        match self {
            Arg::Null | Arg::Other(_) => Value::Null,
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Int(i) => Value::from(*i),
            Arg::Float(f) => serde_json::Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null),
            Arg::Str(s) | Arg::Handle(_, s) => Value::String(s.clone()),
            Arg::Time(t) => Value::String(crate::model::format_time(*t)),
            Arg::List(items) => Value::Array(items.iter().map(Arg::to_json).collect()),
            Arg::Map(items) => Value::Object(items.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

fn type_error(command: &str, param: &str, expected: &str, got: &Arg) -> Error {
    Error::type_error(format!("{command}() argument '{param}' must be {expected}, not {}", got.type_name()))
}

fn reference(command: &str, param: &str, arg: &Arg, kinds: &[HandleKind], expected: &str) -> Result<String> {
    match arg {
        Arg::Str(s) => Ok(s.clone()),
        Arg::Handle(k, id) if kinds.contains(k) => Ok(id.clone()),
        other => Err(type_error(command, param, expected, other)),
    }
}

fn list(command: &str, param: &str, arg: &Arg, kinds: &[HandleKind], expected: &str) -> Result<Vec<String>> {
    match arg {
        Arg::List(items) => items.iter().map(|a| reference(command, param, a, kinds, expected)).collect(),
        // A single reference where a list is expected is a common slip: say so.
        other => Err(type_error(command, param, &format!("a list of {expected}"), other)),
    }
}

const USER: &[HandleKind] = &[HandleKind::User];
const PRINCIPAL: &[HandleKind] = &[HandleKind::User, HandleKind::Group];

/// A bound argument.
#[derive(Debug, Clone)]
enum Bound {
    Str(String),
    OptStr(Option<String>),
    Bool(bool),
    List(Vec<String>),
    Data(Box<DirectoryData>),
    Int(i64),
    /// §15: a value the command's serde field checks (options of ).
    Json(Value),
}

fn bind_one(command: &str, p: &Param, arg: &Arg) -> Result<Bound> {
    let name = p.name;
    Ok(match p.ty {
        Ty::User => Bound::Str(reference(command, name, arg, USER, "a User, an id or a upn")?),
        Ty::Group => Bound::Str(reference(command, name, arg, &[HandleKind::Group], "a Group, an id or a name")?),
        Ty::Resource => {
            Bound::Str(reference(command, name, arg, &[HandleKind::Resource], "a Resource, an id or a name")?)
        }
        Ty::Request => Bound::Str(reference(command, name, arg, &[HandleKind::Request], "a Request or an id")?),
        Ty::Principal => Bound::Str(reference(command, name, arg, PRINCIPAL, "a User, a Group, an id or a name")?),
        Ty::Text => match arg {
            Arg::Str(s) => Bound::Str(s.clone()),
            other => return Err(type_error(command, name, "a str", other)),
        },
        Ty::OptText => match arg {
            Arg::Str(s) => Bound::OptStr(Some(s.clone())),
            Arg::Null => Bound::OptStr(None),
            other => return Err(type_error(command, name, "a str or None", other)),
        },
        Ty::Bool => match arg {
            Arg::Bool(b) => Bound::Bool(*b),
            other => return Err(type_error(command, name, "a bool", other)),
        },
        Ty::Users => Bound::List(list(command, name, arg, USER, "users")?),
        Ty::Principals => Bound::List(list(command, name, arg, PRINCIPAL, "users or groups")?),
        Ty::Roles => match arg {
            Arg::List(items) => Bound::List(
                items
                    .iter()
                    .map(|a| match a {
                        Arg::Str(s) => Ok(s.clone()),
                        other => Err(type_error(command, name, "a list of role names", other)),
                    })
                    .collect::<Result<_>>()?,
            ),
            other => return Err(type_error(command, name, "a list of role names", other)),
        },
        Ty::Data => match arg {
            Arg::Map(_) => Bound::Data(Box::new(DirectoryData::from_value(import_json(arg, &mut Vec::new())?)?)),
            other => return Err(type_error(command, name, "a dict", other)),
        },
        // §14
        Ty::Review => Bound::Str(reference(command, name, arg, &[HandleKind::Review], "a Review or an id")?),
        Ty::Groups => match arg {
            Arg::List(_) => Bound::List(list(command, name, arg, &[HandleKind::Group], "groups")?),
            // One reference alone counts as a list of one.
            one => Bound::List(vec![reference(
                command,
                name,
                one,
                &[HandleKind::Group],
                "a list of groups, a Group, an id or a name",
            )?]),
        },
        // a bool is not an integer.
        Ty::Int => match arg {
            Arg::Int(i) => Bound::Int(*i),
            other => return Err(type_error(command, name, "an int", other)),
        },
        // ----- §15 -----
        Ty::OptUser => match arg {
            Arg::Null => Bound::OptStr(None),
            other => Bound::OptStr(Some(reference(command, name, other, USER, "a User, an id, a upn or None")?)),
        },
        Ty::Package => {
            Bound::Str(reference(command, name, arg, &[HandleKind::Package], "an AccessPackage, an id or a name")?)
        }
        Ty::Policy => {
            Bound::Str(reference(command, name, arg, &[HandleKind::Policy], "a PackagePolicy, an id or a name")?)
        }
        Ty::OptPolicy => match arg {
            Arg::Null => Bound::OptStr(None),
            other => Bound::OptStr(Some(reference(
                command,
                name,
                other,
                &[HandleKind::Policy],
                "a PackagePolicy, an id, a name or None",
            )?)),
        },
        Ty::PackageRequest => {
            Bound::Str(reference(command, name, arg, &[HandleKind::PackageRequest], "a PackageRequest or an id")?)
        }
        Ty::Assignment => {
            Bound::Str(reference(command, name, arg, &[HandleKind::Assignment], "a PackageAssignment or an id")?)
        }
        Ty::PackageOrGroup => Bound::Str(reference(
            command,
            name,
            arg,
            &[HandleKind::Package, HandleKind::Group],
            "an AccessPackage, a Group, an id or a name",
        )?),
        Ty::OptBool => match arg {
            Arg::Null => Bound::Json(Value::Null),
            Arg::Bool(b) => Bound::Bool(*b),
            other => return Err(type_error(command, name, "a bool or None", other)),
        },
        Ty::Requestors => match arg {
            Arg::Null => Bound::Json(Value::Null),
            Arg::Str(s) => Bound::Str(s.clone()),
            Arg::List(_) => Bound::List(list(command, name, arg, PRINCIPAL, "users or groups")?),
            other => return Err(type_error(command, name, "\"none\", \"all\" or a list of users and groups", other)),
        },
        Ty::Stages => match arg {
            Arg::Null => Bound::Json(Value::Null),
            Arg::List(items) => Bound::Json(Value::Array(
                items.iter().map(|s| stage(command, name, s)).collect::<Result<Vec<Value>>>()?,
            )),
            other => return Err(type_error(command, name, "a list of stage maps", other)),
        },
        Ty::Expires => match arg {
            Arg::Null => Bound::Json(Value::Null),
            Arg::Str(s) => Bound::Str(s.clone()),
            Arg::Int(d) => Bound::Json(Value::from(*d)),
            // A Python datetime: the instant, as the text Rhai gives.
            Arg::Time(t) => Bound::Str(crate::model::format_time(*t)),
            other => return Err(type_error(command, name, "\"never\", an int number of days or an instant", other)),
        },
        // Settings, clock amounts and query arguments are not bound here.
        other => {
            return Err(Error::type_error(format!(
                "{command}() argument '{name}' of type {other:?} is not a command argument"
            )))
        }
    })
}

/// The kinds of handle a field of import data may hold: user references where the
/// data names users, user or group references where it names principals.
fn import_field_kinds(field: &str) -> Option<(&'static [HandleKind], &'static str)> {
    match field {
        "owners" | "blocked" | "created_by" | "manager" => Some((USER, "a User, an id or a upn")),
        "members" | "assigned" => Some((PRINCIPAL, "a User, a Group, an id or a name")),
        "self_service_group" | "microsoft365_creation_group" => Some((&[HandleKind::Group], "a Group or a name")),
        _ => None,
    }
}

/// One step of the way from import data's top to a value in it: a field, or a list index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    /// A key of a map.
    Field(&'a str),
    /// A position in a list.
    Index(usize),
}

/// Where a value sits in import data, as errors name it: `groups[2].members[0]`.
pub(crate) fn data_path(steps: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Index(i) => out.push_str(&format!("[{i}]")),
            // (A key written like an index reads as one, as it always has.)
            Step::Field(f) => {
                if !out.is_empty() && !f.starts_with('[') {
                    out.push('.');
                }
                out.push_str(f);
            }
        }
    }
    out
}

/// A handle in import data: its id where the field it sits in (the nearest
/// field above it) takes that kind of object, else a type error naming where it sits.
pub(crate) fn data_handle(steps: &[Step<'_>], kind: HandleKind, id: String) -> Result<String> {
    let field = steps.iter().rev().find_map(|s| match s {
        Step::Field(f) if !f.starts_with('[') => Some(*f),
        _ => None,
    });
    match import_field_kinds(field.unwrap_or("")) {
        Some((kinds, _)) if kinds.contains(&kind) => Ok(id),
        Some((_, expected)) => Err(Error::type_error(format!(
            "import_directory() data {} must be {expected}, not {}",
            data_path(steps),
            kind.as_str()
        ))),
        None => Err(Error::type_error(format!(
            "import_directory() data {} must be plain data, not a {} handle",
            data_path(steps),
            kind.as_str()
        ))),
    }
}

/// The type error of a value in import data that is not data (a set, a `Decimal`, an int
/// beyond 64 bits): `type_name` says what it is.
pub(crate) fn data_not_plain(steps: &[Step<'_>], type_name: &str) -> Error {
    Error::type_error(format!("import_directory() data {} must be plain data, not {type_name}", data_path(steps)))
}

/// The type error of a NaN or an infinity in import data.
pub(crate) fn data_not_finite(steps: &[Step<'_>]) -> Error {
    Error::type_error(format!("import_directory() data {} must be a finite number", data_path(steps)))
}

/// The command of an import whose data is already read (the Python face reads it straight
/// from its objects, R-8.5).
pub(crate) fn import_command(data: DirectoryData) -> Command {
    Command::ImportDirectory { data: Box::new(data) }
}

/// Import data as JSON: instants become ISO 8601 text; a handle stands for
/// its id only where the field takes that kind of object; a handle elsewhere, or a value that
/// is not data, is a type error naming where it sits (`groups[2].members[0]`).
fn import_json<'a>(arg: &'a Arg, path: &mut Vec<Step<'a>>) -> Result<Value> {
    Ok(match arg {
        Arg::Handle(kind, id) => Value::String(data_handle(path, *kind, id.clone())?),
        Arg::Other(t) => return Err(data_not_plain(path, t)),
        Arg::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                out.push(import_json(item, path)?);
                path.pop();
            }
            Value::Array(out)
        }
        Arg::Map(items) => {
            let mut out = Map::new();
            for (k, v) in items {
                path.push(Step::Field(k));
                out.insert(k.clone(), import_json(v, path)?);
                path.pop();
            }
            Value::Object(out)
        }
        Arg::Float(f) if !f.is_finite() => return Err(data_not_finite(path)),
        other => other.to_json(),
    })
}

impl Bound {
    /// The bound value as the command's serde field reads it.
    fn into_json(self) -> Value {
        match self {
            Bound::Str(s) => Value::String(s),
            Bound::OptStr(s) => s.map(Value::String).unwrap_or(Value::Null),
            Bound::Bool(b) => Value::Bool(b),
            Bound::List(l) => Value::Array(l.into_iter().map(Value::String).collect()),
            Bound::Data(d) => serde_json::to_value(&*d).unwrap_or(Value::Null),
            Bound::Int(i) => Value::from(i),
            Bound::Json(v) => v,
        }
    }
}

/// one stage map: known keys with their types (a bool is no number), references as
/// ids; an unknown key or a wrong type is a type error.
fn stage(command: &str, param: &str, arg: &Arg) -> Result<Value> {
    let Arg::Map(items) = arg else {
        return Err(type_error(command, param, "a list of stage maps", arg));
    };
    let mut out = Map::new();
    for (k, v) in items {
        let value = match (k.as_str(), v) {
            ("approvers" | "fallback_approvers", v) => {
                Value::Array(list(command, k, v, PRINCIPAL, "users or groups")?.into_iter().map(Value::String).collect())
            }
            ("manager" | "justification_required", Arg::Bool(b)) => Value::Bool(*b),
            ("manager" | "justification_required", other) => return Err(type_error(command, k, "a bool", other)),
            ("timeout_days", Arg::Int(n)) => Value::from(*n),
            ("timeout_days", other) => return Err(type_error(command, k, "an int", other)),
            (other, _) => {
                return Err(Error::type_error(format!(
                    "{command}() argument '{param}': a stage has no key '{other}' (approvers, manager, fallback_approvers, timeout_days, justification_required)"
                )))
            }
        };
        out.insert(k.clone(), value);
    }
    Ok(Value::Object(out))
}

/// Whether `name` is a command (seeding, actor command or checked read).
pub fn is_command(name: &str) -> bool {
    catalogue::entry(name).is_some_and(|e| matches!(e.kind, Kind::Seeding | Kind::Actor | Kind::CheckedRead))
}

fn unknown(name: &str) -> Error {
    let commands = catalogue::CATALOGUE.iter().filter(|e| is_command(e.name)).map(|e| e.name);
    Error::new(
        Code::UnknownCommand,
        format!("{name:?} is not a command{}", crate::suggest::did_you_mean(name, commands)),
    )
}

/// Builds the command `name` from positional and keyword arguments, as the catalogue
/// declares its parameters (and as the Python method of that name binds them).
/// `unknown_command` for a name that is no command; a type error for arguments that do not
/// fit.
pub fn build(name: &str, args: &[Arg], kwargs: &[(String, Arg)]) -> Result<Command> {
    check_depth(name, args, kwargs)?;
    let Some(entry) = catalogue::entry(name).filter(|_| is_command(name)) else {
        return Err(unknown(name));
    };
    let positional: Vec<&Param> = entry.positional().collect();
    if args.len() > positional.len() {
        let what = if name == "configure" {
            "the actor, then settings by keyword".to_string()
        } else {
            format!("{} positional arguments but {} were given", positional.len(), args.len())
        };
        return Err(Error::type_error(format!("{name}() takes {what}")));
    }
    let rest = entry.params.iter().find(|p| p.ty == Ty::Settings);
    let mut bound: Vec<(&'static str, Bound)> = Vec::with_capacity(args.len() + kwargs.len());
    let mut settings: Option<Map<String, Value>> = None;
    for (p, a) in positional.iter().zip(args) {
        bound.push((p.name, bind_one(name, p, a)?));
    }
    for (k, a) in kwargs {
        match entry.params.iter().find(|p| p.name == k && p.ty != Ty::Settings) {
            Some(p) if bound.iter().any(|(n, _)| *n == p.name) => {
                return Err(Error::type_error(format!("{name}() got multiple values for argument '{k}'")));
            }
            Some(p) => bound.push((p.name, bind_one(name, p, a)?)),
            // `configure`'s settings are validated by the rules (R-2.1: invalid_setting).
            None if rest.is_some() => {
                settings.get_or_insert_with(Map::new).insert(k.clone(), a.to_json());
            }
            None => {
                let hint =
                    crate::suggest::did_you_mean(k, entry.params.iter().filter(|p| p.keyword_only).map(|p| p.name));
                return Err(Error::type_error(format!("{name}() got an unexpected keyword argument '{k}'{hint}")));
            }
        }
    }
    for p in entry.positional().filter(|p| p.default.is_none()) {
        if !bound.iter().any(|(n, _)| *n == p.name) {
            return Err(Error::type_error(format!("{name}() missing required argument: '{}'", p.name)));
        }
    }
    let mut fields = Map::new();
    fields.insert("op".into(), Value::String(name.into()));
    for (n, b) in bound {
        match b {
            // The one large argument: kept in its shape, not turned into JSON and back.
            Bound::Data(data) => return Ok(import_command(*data)),
            b => {
                fields.insert(n.into(), b.into_json());
            }
        }
    }
    if let Some(rest) = rest {
        fields.insert(rest.name.into(), Value::Object(settings.unwrap_or_default()));
    }
    Command::from_value(Value::Object(fields))
}

/// a type error if an argument nests lists and maps deeper than the history allows
/// ([`crate::command::MAX_DEPTH`]); checked before anything converts it.
fn check_depth(name: &str, args: &[Arg], kwargs: &[(String, Arg)]) -> Result<()> {
    let mut stack: Vec<(&Arg, usize)> = args.iter().chain(kwargs.iter().map(|(_, a)| a)).map(|a| (a, 0)).collect();
    while let Some((arg, level)) = stack.pop() {
        if level > crate::command::MAX_DEPTH {
            return Err(crate::command::too_deep(&format!("an argument of {name}()")));
        }
        match arg {
            Arg::List(items) => stack.extend(items.iter().map(|a| (a, level + 1))),
            Arg::Map(items) => stack.extend(items.iter().map(|(_, a)| (a, level + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// Builds the command of a `check(actor, command, *args, **kwargs)`: seeding commands and
/// clock moves are `unknown_command` there.
pub fn build_check(actor: &Arg, command: &str, args: &[Arg], kwargs: &[(String, Arg)]) -> Result<Command> {
    if !catalogue::entry(command).is_some_and(|e| e.checkable()) {
        return Err(Error::new(
            Code::UnknownCommand,
            format!(
                "{command:?} is not an actor command or checked read that check accepts{}",
                crate::suggest::did_you_mean(
                    command,
                    catalogue::CATALOGUE.iter().filter(|e| e.checkable()).map(|e| e.name)
                )
            ),
        ));
    }
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(actor.clone());
    all.extend_from_slice(args);
    build(command, &all, kwargs)
}

/// `advance(days=, hours=, minutes=, seconds=)` as a clock move. Whole numbers are
/// exact, floats rounded to the microsecond; a bool or another type is a type error; a
/// negative, non-finite or too large total is `invalid_time`, in both faces alike.
pub fn advance(parts: &[(String, Arg)]) -> Result<Command> {
    let too_far = || Error::new(Code::InvalidTime, "the clock cannot move that far");
    let mut exact: i128 = 0;
    let mut approx: f64 = 0.0;
    let mut any_float = false;
    for (key, value) in parts {
        let unit: i128 = match key.as_str() {
            "days" => 86_400_000_000,
            "hours" => 3_600_000_000,
            "minutes" => 60_000_000,
            "seconds" => 1_000_000,
            other => return Err(Error::type_error(format!("advance() got an unexpected keyword argument '{other}'"))),
        };
        match value {
            Arg::Null => {}
            Arg::Int(n) => {
                exact = i128::from(*n).checked_mul(unit).and_then(|x| exact.checked_add(x)).ok_or_else(too_far)?;
            }
            Arg::Float(f) => {
                if !f.is_finite() {
                    return Err(Error::new(Code::InvalidTime, format!("advance() {key}={f} is not a finite duration")));
                }
                any_float = true;
                approx += f * unit as f64;
            }
            // An int beyond i64.
            Arg::Other(t) if t == "int" => return Err(too_far()),
            other => {
                return Err(type_error("advance", key, "an int or a float", other));
            }
        }
    }
    let total: i128 = if any_float {
        let sum = approx + exact as f64;
        if !sum.is_finite() || sum.abs() > i64::MAX as f64 {
            return Err(too_far());
        }
        sum.round() as i128
    } else {
        exact
    };
    if total < 0 {
        return Err(Error::new(Code::InvalidTime, "the clock can only move forward: the duration is negative"));
    }
    let micros = i64::try_from(total).map_err(|_| too_far())?;
    Ok(Command::Advance { micros })
}

/// The `status` filter of `requests(status=...)`: one of the four statuses, else
/// `invalid_kind` (an InvalidArgument), in both faces alike.
pub fn request_status(arg: &Arg) -> Result<Option<crate::model::RequestStatus>> {
    let names = ["pending", "approved", "denied", "cancelled"];
    status_filter(arg, "requests", "status", "a request status", &names, crate::model::RequestStatus::parse)
}

/// §14: the `status` filter of `reviews(status=...)`, as `requests`'.
pub fn review_status(arg: &Arg) -> Result<Option<crate::reviews::ReviewStatus>> {
    let names = ["in_progress", "completed", "applied", "cancelled"];
    status_filter(arg, "reviews", "status", "a review status", &names, crate::reviews::ReviewStatus::parse)
}

/// §15: the `status` filter of `package_requests(status=...)`.
pub fn package_request_status(arg: &Arg) -> Result<Option<crate::packages::PackageRequestStatus>> {
    let names = ["pending", "delivered", "denied", "cancelled"];
    status_filter(
        arg,
        "package_requests",
        "status",
        "a package request status",
        &names,
        crate::packages::PackageRequestStatus::parse,
    )
}

/// §15: the `state` filter of `package_assignments(state=...)`.
pub fn assignment_state(arg: &Arg) -> Result<Option<crate::packages::AssignmentState>> {
    let names = ["delivered", "expired", "removed"];
    status_filter(
        arg,
        "package_assignments",
        "state",
        "an assignment state",
        &names,
        crate::packages::AssignmentState::parse,
    )
}

/// The filtered lists of the catalogue (`requests`, `reviews`, `package_requests`,
/// `package_assignments`) for both faces: the options are the entry's keyword parameters (an
/// absent or None option does not filter, another name is a type error). The status word is
/// read first, then the references' types, and only then are they looked up; the
/// answer is the ids in creation order.
pub fn filtered(t: &Tenant, query: &str, options: &[(String, Arg)]) -> Result<Vec<(HandleKind, String)>> {
    let not_a_list = || Error::type_error(format!("{query} is not a filtered list"));
    let entry = catalogue::entry(query).ok_or_else(not_a_list)?;
    let [status, object, user] = entry.params else { return Err(not_a_list()) };
    if let Some((other, _)) = options.iter().find(|(k, _)| entry.param(k).is_none()) {
        return Err(Error::type_error(format!("{query}() got an unexpected option '{other}'")));
    }
    let given = |p: &Param| options.iter().find(|(k, _)| k == p.name).map_or(&Arg::Null, |(_, v)| v);
    let text = |p: &Param| match given(p) {
        Arg::Null => Ok(None),
        arg => match bind_one(query, p, arg)? {
            Bound::Str(s) => Ok(Some(s)),
            _ => Err(not_a_list()),
        },
    };
    let status = given(status);
    let (object, user) = (text(object)?, text(user)?);
    let user = user.map(|u| t.find_user(&u)).transpose();
    let ids = |kind: HandleKind, ixs: Vec<u32>| ixs.into_iter().map(|ix| (kind, t.id_at(kind, ix))).collect();
    match query {
        "requests" => {
            let status = request_status(status)?;
            let group = object.map(|g| t.find_group(&g)).transpose()?;
            Ok(ids(HandleKind::Request, t.requests_where(status, group, user?)))
        }
        "reviews" => {
            let status = review_status(status)?;
            let group = object.map(|g| t.find_review_group(&g)).transpose()?;
            Ok(ids(HandleKind::Review, t.reviews_where(status, group, user?)))
        }
        "package_requests" => {
            let status = package_request_status(status)?;
            let package = object.map(|p| t.find_package(&p)).transpose()?;
            Ok(ids(HandleKind::PackageRequest, t.package_requests_where(status, package, user?)))
        }
        "package_assignments" => {
            let state = assignment_state(status)?;
            let package = object.map(|p| t.find_package(&p)).transpose()?;
            Ok(ids(HandleKind::Assignment, t.package_assignments_where(state, package, user?)))
        }
        _ => Err(not_a_list()),
    }
}

/// A query's status filter: None, or one of `names` (as `parse` reads them), else
/// `invalid_kind` naming them and the closest; another type is a type error.
fn status_filter<T>(
    arg: &Arg,
    query: &str,
    param: &str,
    noun: &str,
    names: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>> {
    match arg {
        Arg::Null => Ok(None),
        Arg::Str(text) => parse(text).map(Some).ok_or_else(|| {
            let list = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => names.join(""),
            };
            let hint = crate::suggest::did_you_mean(text, names.iter().copied());
            Error::new(Code::InvalidKind, format!("{text:?} is not {noun}: {list}{hint}"))
        }),
        other => Err(type_error(query, param, "a str or None", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Arg {
        Arg::Str(x.into())
    }

    #[test]
    fn r10_13_filtered_lists_check_types_before_they_look_anything_up() -> Result<()> {
        let mut t = Tenant::new("c");
        t.execute(build("add_user", &[s("admin@c.com")], &[("roles".into(), Arg::List(vec![s("global_admin")]))])?)?;
        t.execute(build("create_group", &[s("admin@c.com"), s("Sales")], &[("join_policy".into(), s("open"))])?)?;
        t.execute(build("request_to_join", &[s("admin@c.com"), s("Sales"), s("why")], &[])?)?;
        let opt = |k: &str, v: Arg| (k.to_string(), v);
        // None does not filter; a handle of the right kind stands for its id.
        let all = filtered(
            &t,
            "requests",
            &[opt("status", Arg::Null), opt("group", Arg::Handle(HandleKind::Group, "g-1".into()))],
        )?;
        assert_eq!(all, vec![(HandleKind::Request, "req-1".to_string())]);
        // A wrong type wins over a group that does not exist and a status that is no status.
        let err = filtered(
            &t,
            "requests",
            &[opt("status", s("nope")), opt("group", s("Nobody")), opt("requester", Arg::Int(3))],
        );
        assert_eq!(
            err.map_err(|e| e.to_string()).err().as_deref(),
            Some("requests() argument 'requester' must be a User, an id or a upn, not int")
        );
        // Then the status word, then the lookups in the entry's order.
        let err = filtered(&t, "requests", &[opt("status", s("nope")), opt("group", s("Nobody"))]);
        assert_eq!(err.err().and_then(|e| e.code()), Some(Code::InvalidKind));
        let err = filtered(&t, "requests", &[opt("group", s("Nobody")), opt("requester", s("nobody@c.com"))]);
        assert_eq!(err.err().and_then(|e| e.code()), Some(Code::GroupNotFound));
        let err = filtered(&t, "requests", &[opt("state", s("pending"))]);
        assert_eq!(
            err.map_err(|e| e.to_string()).err().as_deref(),
            Some("requests() got an unexpected option 'state'")
        );
        assert!(filtered(&t, "users", &[]).is_err());
        Ok(())
    }

    #[test]
    fn r10_13_a_group_where_a_user_is_expected_is_a_type_error() {
        let g = Arg::Handle(HandleKind::Group, "g-1".into());
        let err = build("add_owner", &[s("a@x"), g.clone(), g], &[]).err();
        assert!(matches!(err, Some(Error::Type(_))));
    }

    #[test]
    fn keyword_only_options_bind_by_name() {
        let cmd = build("create_group", &[s("bob@x"), s("Sales")], &[("kind".into(), s("microsoft365"))]);
        assert!(matches!(cmd, Ok(Command::CreateGroup { ref kind, .. }) if kind == "microsoft365"));
        let err = build("create_group", &[s("bob@x"), s("Sales"), s("microsoft365")], &[]).err();
        assert!(matches!(err, Some(Error::Type(_))));
    }

    #[test]
    fn r10_13_r8_5_import_data_errors_name_where_the_value_sits() {
        let steps = [Step::Field("groups"), Step::Index(2), Step::Field("members"), Step::Index(0)];
        assert_eq!(data_path(&steps), "groups[2].members[0]");
        assert_eq!(data_handle(&steps, HandleKind::Group, "g-1".into()).ok(), Some("g-1".to_string()));
        let group = |members: Arg| Arg::Map(vec![("name".into(), s("A")), ("members".into(), members)]);
        let data = Arg::Map(vec![(
            "groups".into(),
            Arg::List(vec![
                group(Arg::List(vec![])),
                group(Arg::List(vec![Arg::Handle(HandleKind::Resource, "r-1".into())])),
            ]),
        )]);
        let err = build("import_directory", &[data], &[]).err().map(|e| e.to_string());
        let want =
            "import_directory() data groups[1].members[0] must be a User, a Group, an id or a name, not Resource";
        assert!(err.as_deref().is_some_and(|e| e.contains(want)), "{err:?}");
    }

    #[test]
    fn r10_11_check_refuses_seeding_commands() {
        let err = build_check(&s("a@x"), "add_user", &[s("b@x")], &[]).err();
        assert_eq!(err.and_then(|e| e.code()), Some(Code::UnknownCommand));
        let err = build_check(&s("a@x"), "fly", &[], &[]).err();
        assert_eq!(err.and_then(|e| e.code()), Some(Code::UnknownCommand));
    }
}

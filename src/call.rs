//! Calls by name: how both faces turn a command's name and arguments into a [`Command`].
//!
//! Python and Rhai hand over their arguments as [`Arg`]s (handles keep their kind); this
//! module binds them to the command's parameters as API.md names them, with the same type
//! checks for both faces (R-10.13: a Group where a user is expected is a type error, raised
//! before any refusal and never recorded).

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::import::DirectoryData;
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
}

impl HandleKind {
    fn as_str(self) -> &'static str {
        match self {
            HandleKind::User => "User",
            HandleKind::Group => "Group",
            HandleKind::Resource => "Resource",
            HandleKind::Request => "Request",
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
            Arg::List(items) => Value::Array(items.iter().map(Arg::to_json).collect()),
            Arg::Map(items) => Value::Object(items.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

/// What a parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    User,
    Group,
    Resource,
    Request,
    Principal,
    Text,
    OptText,
    Bool,
    Users,
    Principals,
    Roles,
    Data,
}

/// One parameter: its name, type, whether it has a default, whether it is keyword-only.
struct Param(&'static str, Ty, bool, bool);

macro_rules! req {
    ($name:literal, $ty:ident) => {
        Param($name, Ty::$ty, false, false)
    };
}
macro_rules! opt {
    ($name:literal, $ty:ident) => {
        Param($name, Ty::$ty, true, false)
    };
}
macro_rules! kw {
    ($name:literal, $ty:ident) => {
        Param($name, Ty::$ty, true, true)
    };
}

fn signature(name: &str) -> Option<&'static [Param]> {
    Some(match name {
        "add_user" => &[
            req!("upn", Text),
            kw!("display_name", OptText),
            kw!("department", OptText),
            kw!("roles", Roles),
            kw!("enabled", Bool),
        ],
        "set_enabled" => &[req!("user", User), req!("enabled", Bool)],
        "set_roles" => &[req!("user", User), req!("roles", Roles)],
        "import_directory" => &[req!("data", Data)],
        "create_group" => &[
            req!("actor", User),
            req!("name", Text),
            kw!("kind", Text),
            kw!("join_policy", OptText),
            kw!("description", Text),
            kw!("owners", Users),
            kw!("members", Principals),
            kw!("on_premises", Bool),
        ],
        "update_group" => &[
            req!("actor", User),
            req!("group", Group),
            kw!("name", OptText),
            kw!("description", OptText),
            kw!("join_policy", OptText),
        ],
        "delete_group" | "leave" | "list_members" => &[req!("actor", User), req!("group", Group)],
        "add_member" | "remove_member" => &[req!("actor", User), req!("group", Group), req!("member", Principal)],
        "add_owner" | "remove_owner" => &[req!("actor", User), req!("group", Group), req!("user", User)],
        "request_to_join" => &[req!("actor", User), req!("group", Group), opt!("justification", Text)],
        "approve" | "deny" => &[req!("actor", User), req!("request", Request), opt!("reason", Text)],
        "cancel" => &[req!("actor", User), req!("request", Request)],
        "create_resource" => &[req!("actor", User), req!("name", Text), kw!("kind", Text), kw!("owners", Users)],
        "add_resource_owner" | "remove_resource_owner" | "block" | "unblock" => {
            &[req!("actor", User), req!("resource", Resource), req!("user", User)]
        }
        "assign" | "unassign" => &[req!("actor", User), req!("resource", Resource), req!("principal", Principal)],
        "list_access" => &[req!("actor", User), req!("resource", Resource)],
        "add_group_to_expiration" | "remove_group_from_expiration" | "renew" | "restore_group" | "purge_group" => {
            &[req!("actor", User), req!("group", Group)]
        }
        "record_activity" => &[req!("group", Group)],
        _ => return None,
    })
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
}

fn bind_one(command: &str, p: &Param, arg: &Arg) -> Result<Bound> {
    let Param(name, ty, _, _) = *p;
    Ok(match ty {
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
            Arg::Map(_) => Bound::Data(Box::new(DirectoryData::from_value(arg.to_json())?)),
            other => return Err(type_error(command, name, "a dict", other)),
        },
    })
}

/// The bound arguments of one call, by parameter name.
struct Call(Vec<(&'static str, Bound)>);

impl Call {
    fn take(&mut self, name: &str) -> Option<Bound> {
        let pos = self.0.iter().position(|(n, _)| *n == name)?;
        Some(self.0.swap_remove(pos).1)
    }
    fn s(&mut self, name: &str) -> String {
        match self.take(name) {
            Some(Bound::Str(s)) => s,
            _ => String::new(),
        }
    }
    fn s_or(&mut self, name: &str, default: &str) -> String {
        match self.take(name) {
            Some(Bound::Str(s)) => s,
            _ => default.to_string(),
        }
    }
    fn o(&mut self, name: &str) -> Option<String> {
        match self.take(name) {
            Some(Bound::OptStr(s)) => s,
            Some(Bound::Str(s)) => Some(s),
            _ => None,
        }
    }
    fn b(&mut self, name: &str, default: bool) -> bool {
        match self.take(name) {
            Some(Bound::Bool(b)) => b,
            _ => default,
        }
    }
    fn l(&mut self, name: &str) -> Vec<String> {
        match self.take(name) {
            Some(Bound::List(l)) => l,
            _ => Vec::new(),
        }
    }
}

/// Whether `name` is a command (seeding, actor command or checked read).
pub fn is_command(name: &str) -> bool {
    name == "configure" || signature(name).is_some()
}

/// Builds the command `name` from positional and keyword arguments, as the Python method of
/// that name binds them. `unknown_command` for a name that is no command; a type error for
/// arguments that do not fit.
pub fn build(name: &str, args: &[Arg], kwargs: &[(String, Arg)]) -> Result<Command> {
    if name == "configure" {
        let Some(actor) = args.first() else {
            return Err(Error::type_error("configure() missing required argument: 'actor'"));
        };
        if args.len() > 1 {
            return Err(Error::type_error("configure() takes the actor, then settings by keyword"));
        }
        let actor = reference(name, "actor", actor, USER, "a User, an id or a upn")?;
        let settings: Map<String, Value> = kwargs.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
        return Ok(Command::Configure { actor, settings });
    }
    let Some(params) = signature(name) else {
        return Err(Error::new(Code::UnknownCommand, format!("{name:?} is not a command")));
    };
    let positional = params.iter().filter(|p| !p.3).count();
    if args.len() > positional {
        return Err(Error::type_error(format!(
            "{name}() takes {positional} positional arguments but {} were given",
            args.len()
        )));
    }
    let mut bound: Vec<(&'static str, Bound)> = Vec::new();
    for (p, a) in params.iter().zip(args) {
        bound.push((p.0, bind_one(name, p, a)?));
    }
    for (k, a) in kwargs {
        let Some(p) = params.iter().find(|p| p.0 == k) else {
            return Err(Error::type_error(format!("{name}() got an unexpected keyword argument '{k}'")));
        };
        if bound.iter().any(|(n, _)| *n == p.0) {
            return Err(Error::type_error(format!("{name}() got multiple values for argument '{k}'")));
        }
        bound.push((p.0, bind_one(name, p, a)?));
    }
    for p in params {
        if !p.2 && !bound.iter().any(|(n, _)| *n == p.0) {
            return Err(Error::type_error(format!("{name}() missing required argument: '{}'", p.0)));
        }
    }
    let mut c = Call(bound);
    let cmd = match name {
        "add_user" => Command::AddUser {
            upn: c.s("upn"),
            display_name: c.o("display_name"),
            department: c.o("department"),
            roles: c.l("roles"),
            enabled: c.b("enabled", true),
        },
        "set_enabled" => Command::SetEnabled { user: c.s("user"), enabled: c.b("enabled", true) },
        "set_roles" => Command::SetRoles { user: c.s("user"), roles: c.l("roles") },
        "import_directory" => match c.take("data") {
            Some(Bound::Data(data)) => Command::ImportDirectory { data },
            _ => return Err(Error::type_error("import_directory() needs a dict")),
        },
        "create_group" => Command::CreateGroup {
            actor: c.s("actor"),
            name: c.s("name"),
            kind: c.s_or("kind", "security"),
            join_policy: c.o("join_policy"),
            description: c.s("description"),
            owners: c.l("owners"),
            members: c.l("members"),
            on_premises: c.b("on_premises", false),
        },
        "update_group" => Command::UpdateGroup {
            actor: c.s("actor"),
            group: c.s("group"),
            name: c.o("name"),
            description: c.o("description"),
            join_policy: c.o("join_policy"),
        },
        "delete_group" => Command::DeleteGroup { actor: c.s("actor"), group: c.s("group") },
        "leave" => Command::Leave { actor: c.s("actor"), group: c.s("group") },
        "list_members" => Command::ListMembers { actor: c.s("actor"), group: c.s("group") },
        "add_member" => Command::AddMember { actor: c.s("actor"), group: c.s("group"), member: c.s("member") },
        "remove_member" => Command::RemoveMember { actor: c.s("actor"), group: c.s("group"), member: c.s("member") },
        "add_owner" => Command::AddOwner { actor: c.s("actor"), group: c.s("group"), user: c.s("user") },
        "remove_owner" => Command::RemoveOwner { actor: c.s("actor"), group: c.s("group"), user: c.s("user") },
        "request_to_join" => Command::RequestToJoin {
            actor: c.s("actor"),
            group: c.s("group"),
            justification: c.s("justification"),
        },
        "approve" => Command::Approve { actor: c.s("actor"), request: c.s("request"), reason: c.s("reason") },
        "deny" => Command::Deny { actor: c.s("actor"), request: c.s("request"), reason: c.s("reason") },
        "cancel" => Command::Cancel { actor: c.s("actor"), request: c.s("request") },
        "create_resource" => Command::CreateResource {
            actor: c.s("actor"),
            name: c.s("name"),
            kind: c.s_or("kind", "application"),
            owners: c.l("owners"),
        },
        "add_resource_owner" => {
            Command::AddResourceOwner { actor: c.s("actor"), resource: c.s("resource"), user: c.s("user") }
        }
        "remove_resource_owner" => {
            Command::RemoveResourceOwner { actor: c.s("actor"), resource: c.s("resource"), user: c.s("user") }
        }
        "assign" => Command::Assign { actor: c.s("actor"), resource: c.s("resource"), principal: c.s("principal") },
        "unassign" => {
            Command::Unassign { actor: c.s("actor"), resource: c.s("resource"), principal: c.s("principal") }
        }
        "block" => Command::Block { actor: c.s("actor"), resource: c.s("resource"), user: c.s("user") },
        "unblock" => Command::Unblock { actor: c.s("actor"), resource: c.s("resource"), user: c.s("user") },
        "list_access" => Command::ListAccess { actor: c.s("actor"), resource: c.s("resource") },
        "add_group_to_expiration" => Command::AddGroupToExpiration { actor: c.s("actor"), group: c.s("group") },
        "remove_group_from_expiration" => {
            Command::RemoveGroupFromExpiration { actor: c.s("actor"), group: c.s("group") }
        }
        "renew" => Command::Renew { actor: c.s("actor"), group: c.s("group") },
        "restore_group" => Command::RestoreGroup { actor: c.s("actor"), group: c.s("group") },
        "purge_group" => Command::PurgeGroup { actor: c.s("actor"), group: c.s("group") },
        "record_activity" => Command::RecordActivity { group: c.s("group") },
        _ => return Err(Error::new(Code::UnknownCommand, format!("{name:?} is not a command"))),
    };
    Ok(cmd)
}

/// Builds the command of a `check(actor, command, *args, **kwargs)`: seeding commands and
/// clock moves are `unknown_command` there.
pub fn build_check(actor: &Arg, command: &str, args: &[Arg], kwargs: &[(String, Arg)]) -> Result<Command> {
    if !crate::command::ACTOR_COMMANDS.contains(&command) {
        return Err(Error::new(
            Code::UnknownCommand,
            format!("{command:?} is not an actor command or checked read that check accepts"),
        ));
    }
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(actor.clone());
    all.extend_from_slice(args);
    build(command, &all, kwargs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Arg {
        Arg::Str(x.into())
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
    fn r10_11_check_refuses_seeding_commands() {
        let err = build_check(&s("a@x"), "add_user", &[s("b@x")], &[]).err();
        assert_eq!(err.and_then(|e| e.code()), Some(Code::UnknownCommand));
        let err = build_check(&s("a@x"), "fly", &[], &[]).err();
        assert_eq!(err.and_then(|e| e.code()), Some(Code::UnknownCommand));
    }
}

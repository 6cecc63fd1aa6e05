//! The console and the Rhai API: state between inputs, positions in errors, limits, refusals
//! as maps, and the names the Rhai face shares with the Python face.
#![cfg(feature = "scripting")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ssgm::scripting::console::{functions, Console, Reply};
use ssgm::scripting::{check_source, engine, run_script_json, Limits};
use ssgm::{Code, Store, Tenant};
use std::collections::BTreeSet;

fn value(reply: Reply) -> String {
    match reply {
        Reply::Value(Some(v)) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

fn error(reply: Reply) -> String {
    match reply {
        Reply::Error(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// A console with a tenant `t`, an admin, bob (who owns group `g`) and carol.
fn seeded() -> Console {
    let mut c = Console::new();
    let setup = r#"
        let t = tenant("contoso");
        let admin = t.add_user("admin@contoso.com", #{ roles: ["global_admin"] });
        let bob = t.add_user("bob@contoso.com");
        let carol = t.add_user("carol@contoso.com");
        t.configure(admin, #{ delegated_group_management: true, users_can_create_security_groups: true });
        let g = t.create_group(bob, "Sales tools", #{ join_policy: "owner_approval" });
    "#;
    let _ = c.eval(setup).unwrap();
    c
}

// ----- state, positions, multi-line input -----------------------------------------------------

#[test]
fn evaluating_lines_keeps_variables_and_functions() {
    let mut c = Console::new();
    assert_eq!(c.feed(r#"let t = tenant("contoso");"#), Reply::Value(None));
    assert_eq!(value(c.feed(r#"t.add_user("alice@contoso.com")"#)), "User(u-1, alice@contoso.com)");
    assert_eq!(c.feed("fn count(t) { t.users().len() }"), Reply::Value(None));
    assert_eq!(value(c.feed("count(t)")), "1");
    // A failed input leaves earlier state alone.
    error(c.feed("let x = nope();"));
    assert_eq!(value(c.feed("t.users()[0].upn")), "\"alice@contoso.com\"");
}

#[test]
fn open_brackets_continue_on_the_next_line() {
    let mut c = Console::new();
    assert_eq!(c.feed("let xs = ["), Reply::More);
    assert!(c.is_pending());
    assert_eq!(c.prompt(), "  ... ");
    assert_eq!(c.feed("  1, 2,"), Reply::More);
    assert_eq!(c.feed("];"), Reply::Value(None));
    assert_eq!(c.feed("fn f(x) {"), Reply::More);
    assert_eq!(c.feed("  x * 2"), Reply::More);
    assert_eq!(c.feed("}"), Reply::Value(None));
    assert_eq!(c.feed("f(xs.len()) \\"), Reply::More);
    assert_eq!(value(c.feed("+ 1")), "5");
    // A syntax error that is not about the end of input is reported at once.
    assert!(error(c.feed("let = 3;")).starts_with("<console>:1:5: syntax error"));
    // Two empty lines run an input that never closes, reporting where it stops.
    assert_eq!(c.feed("let broken = (1 +"), Reply::More);
    assert_eq!(c.feed(""), Reply::More);
    error(c.feed(""));
    assert!(!c.is_pending());
}

#[test]
fn errors_carry_the_line_and_a_caret_under_the_column() {
    let mut c = seeded();
    let e = error(c.feed("let n = 1;\nlet m = n + undefined_var;"));
    assert_eq!(
        e,
        "<console>:2:13: Variable not found: undefined_var\n 2 | let m = n + undefined_var;\n   |             ^"
    );
    // An uncaught refusal names its code and where it happened.
    let e = error(c.feed("t.add_member(carol, g, admin)"));
    assert!(e.starts_with("<console>:1:3: not_owner: carol@contoso.com is not an owner"), "{e}");
}

#[test]
fn errors_inside_functions_point_into_the_function() {
    let mut c = Console::new();
    let e = error(c.feed("fn f(x) {\n  x.no_such_method()\n}\nf(1)"));
    assert!(e.starts_with("<console>:2:5: Function not found: no_such_method"), "{e}");
    assert!(e.contains("(in function f)"));
    // A function from an earlier input is reported where this input calls it.
    let e = error(c.feed("let y = 2; f(y)"));
    assert!(e.starts_with("<console>:1:12:"), "{e}");
}

#[test]
fn assert_fails_with_the_scripts_position() {
    let err = run_script_json("let x = 1;\n\n    assert(x == 2, \"x is one\");", Some("a.rhai"), None).unwrap_err();
    assert_eq!(err.code(), Some(Code::ScriptError));
    assert_eq!(err.message(), "a.rhai:3:5: assertion failed: x is one");
    let err = run_script_json("assert(1)", None, None).unwrap_err();
    assert_eq!(err.message(), "<script>:1:1: assert() needs a bool condition, not i64");
}

// ----- check -------------------------------------------------------------------------------

#[test]
fn check_reports_a_syntax_error_with_line_and_column() {
    let err = check_source("let a = 1;\nlet b = [1, 2;\n", "bad.rhai").unwrap_err();
    assert_eq!((err.line, err.column), (Some(2), Some(14)));
    assert!(err.to_string().starts_with("bad.rhai:2:14: syntax error: "), "{err}");
    assert!(err.render("let a = 1;\nlet b = [1, 2;\n").ends_with(" 2 | let b = [1, 2;\n   |              ^"));
    // check does not run anything.
    check_source("assert(false); tenant(\"x\").add_user(\"nope\");", "ok.rhai").unwrap();
}

// ----- limits --------------------------------------------------------------------------------

fn small() -> Limits {
    Limits {
        operations: 20_000,
        call_levels: 16,
        string_size: 10_000,
        array_size: 1_000,
        map_size: 1_000,
        ..Limits::default()
    }
}

#[test]
fn the_operation_limit_stops_an_endless_loop() {
    let mut c = Console::with_limits(small());
    let e = error(c.feed("let i = 0;\nloop { i += 1; }"));
    assert!(e.starts_with("<console>:"), "{e}");
    assert!(e.contains("more than 20000 operations"), "{e}");
    // The console is still usable.
    assert_eq!(value(c.feed("1 + 1")), "2");
}

#[test]
fn call_depth_string_array_and_map_limits_are_enforced() {
    let mut c = Console::with_limits(small());
    let e = error(c.feed("fn down(n) { down(n + 1) }\ndown(0)"));
    assert!(e.contains("more than 16 calls deep"), "{e}");
    let e = error(c.feed("let s = \"x\"; loop { s += s; }"));
    assert!(e.contains("exceeds the script limit of 10000 bytes"), "{e}");
    let e = error(c.feed("let a = []; loop { a.push(1); }"));
    assert!(e.contains("exceeds the script limit of 1000 items"), "{e}");
    // Rhai checks map sizes on values that functions return (not on `m[k] = v` one key at a
    // time, which the operation limit stops instead).
    let mut tight = Console::with_limits(Limits { map_size: 10, ..small() });
    let e = error(tight.feed("error_codes()"));
    assert!(e.contains("exceeds the script limit of 10 entries"), "{e}");
    let deep = format!("let x = {}1{};", "(".repeat(200), ")".repeat(200));
    let e = error(c.feed(&deep));
    assert!(e.contains("nested too deeply"), "{e}");
}

#[test]
fn scripts_cannot_import_modules() {
    let err = run_script_json("import \"secrets\" as s;", None, None).unwrap_err();
    assert!(err.message().contains("cannot import modules"), "{}", err.message());
}

// ----- refusals and type errors ----------------------------------------------------------------

#[test]
fn r9_a_refused_command_is_caught_as_a_map_with_code_family_and_message() {
    let mut c = seeded();
    let caught = c.eval(
        r#"
        let got = #{};
        try { t.add_member(carol, g, admin); } catch (e) { got = e; }
        [got.code, got.family, got.message, type_of(got)]
        "#,
    );
    let caught = ssgm::scripting::to_json(&caught.unwrap()).unwrap();
    assert_eq!(
        caught,
        serde_json::json!([
            "not_owner",
            "PermissionDenied",
            "carol@contoso.com is not an owner of group \"Sales tools\" (g-1)",
            "map"
        ])
    );
    // Each family of §9 arrives the same way.
    let families = c
        .eval(
            r#"
            let out = [];
            for action in [
                || t.user("nobody@contoso.com"),
                || t.add_member(bob, g, bob),
                || t.create_group(admin, "X", #{ kind: "nonsense" }),
                || load("/nonexistent/snapshot.json"),
            ] {
                try { action.call(); } catch (e) { out.push(`${e.family}/${e.code}`); }
            }
            out
            "#,
        )
        .unwrap();
    assert_eq!(
        ssgm::scripting::to_json(&families).unwrap(),
        serde_json::json!([
            "NotFound/user_not_found",
            "Conflict/already_member",
            "InvalidArgument/invalid_kind",
            "StorageError/io_error"
        ])
    );
}

#[test]
fn r10_13_a_type_error_is_an_ordinary_runtime_error_and_not_recorded() {
    let mut c = seeded();
    let before = value(c.feed("t.audit_log().len()"));
    let caught = c.eval(r#"let got = (); try { t.add_owner(bob, g, g); } catch (e) { got = e; } got"#).unwrap();
    assert!(caught.is_string(), "a type error is a string, not a refusal map");
    assert_eq!(caught.to_string(), "add_owner() argument 'user' must be a User, an id or a upn, not Group");
    assert_eq!(value(c.feed("t.audit_log().len()")), before, "not a command: not audited");
}

#[test]
fn r10_11_check_is_a_dry_run_and_refuses_unknown_commands() {
    let mut c = seeded();
    let shapes = c
        .eval(
            r#"
            let n = t.audit_log().len();
            let a = t.check(carol, "add_member", [g, admin]);
            let b = t.check(bob, "add_member", [g, carol]);
            let d = t.check(bob, "update_group", [g], #{ name: "New" });
            let e = t.check(admin, "configure", #{ max_owners_per_group: 0 });
            let f = t.check(bob, "leave", [g]);
            assert(t.audit_log().len() == n, "check is not audited");
            let unknown = "";
            try { t.check(bob, "add_user", ["x@contoso.com"]); } catch (err) { unknown = err.code; }
            [a.allowed, a.code, b.allowed, b.code, d.allowed, e.code, f.allowed, unknown]
            "#,
        )
        .unwrap();
    assert_eq!(
        ssgm::scripting::to_json(&shapes).unwrap(),
        serde_json::json!([false, "not_owner", true, null, true, "invalid_setting", true, "unknown_command"])
    );
}

// ----- handles, forks, history -----------------------------------------------------------------

#[test]
fn r10_15_handles_print_readably_compare_within_a_tenant_and_resolve_in_forks() {
    let mut c = seeded();
    assert_eq!(value(c.feed("g")), "Group(g-1, \"Sales tools\")");
    assert_eq!(value(c.feed("bob.upn")), "\"bob@contoso.com\"");
    assert_eq!(value(c.feed("g.owners")), "[User(u-2, bob@contoso.com)]");
    assert_eq!(value(c.feed("g == t.group(\"Sales tools\")")), "true");
    assert_eq!(value(c.feed("g != t.group(g.id)")), "false");
    assert_eq!(value(c.feed("bob in g.members")), "true");
    // R-1.4: a fork resolves the original's handles; R-10.15: their handles are not equal.
    c.feed("let f = t.fork();");
    assert_eq!(value(c.feed("f.group(g) == g")), "false");
    assert_eq!(value(c.feed("f.group(g).id == g.id")), "true");
    c.feed("f.add_member(bob, g, carol);");
    assert_eq!(value(c.feed("[g.members.len(), f.group(g).members.len()]")), "[1, 2]");
    // to_dict is the view: references as ids.
    assert_eq!(value(c.feed("g.to_dict().owners")), "[\"u-2\"]");
    // A deleted group's handle says so.
    c.feed("t.delete_group(bob, g);");
    assert_eq!(value(c.feed("g")), "Group(g-1, deleted)");
    let e = error(c.feed("g.name"));
    assert!(e.contains("group_not_found: group \"Sales tools\" (g-1) was deleted"), "{e}");
}

#[test]
fn r8_6_has_access_many_answers_in_order_and_fails_whole() {
    let mut c = seeded();
    let _ = c
        .eval(
            r#"
        let crm = t.create_resource(admin, "CRM");
        t.assign(admin, crm, g);
        "#,
        )
        .unwrap();
    assert_eq!(
        value(c.feed(r#"t.has_access_many([[bob, crm], [carol, "CRM"], ["bob@contoso.com", crm.id]])"#)),
        "[true, false, true]"
    );
    let e = error(c.feed("t.has_access_many([[bob, crm], [carol]])"));
    assert!(e.contains("has_access_many() pair 1 must be a [user, resource] array"), "{e}");
    let e = error(c.feed("t.has_access_many([[bob, crm], [\"zed@contoso.com\", crm]])"));
    assert!(e.contains("user_not_found"), "{e}");
}

#[test]
fn r8_4_events_replay_to_the_same_state() {
    let mut c = seeded();
    let same = c
        .eval(
            r#"
            try { t.add_member(carol, g, admin); } catch (e) { }
            t.advance(#{ days: 1, hours: 6 });
            let q = t.request_to_join(carol, g, "please");
            let events = t.events();
            let r = replay(events);
            let half = t.replay(events, #{ "until": 6, name: "half" });
            let same_half = replay(events, 6);
            [r.audit_log() == t.audit_log(), r.now == t.now, r.request(q).status,
             half.name, half.users().len(), same_half.audit_log() == half.audit_log(), t.now]
            "#,
        )
        .unwrap();
    assert_eq!(
        ssgm::scripting::to_json(&same).unwrap(),
        serde_json::json!([true, true, "pending", "half", 3, true, "2016-06-15T06:00:00Z"])
    );
    let e = error(c.feed("t.set_time(\"2016-06-01T00:00:00Z\")"));
    assert!(e.contains("invalid_time"), "{e}");
}

#[test]
fn console_save_and_load_round_trip_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("contoso.json");
    let file = file.to_str().unwrap();
    let mut c = seeded();
    match c.feed(&format!(":save {file} t")) {
        Reply::Text(text) => assert!(text.contains("saved t")),
        other => panic!("{other:?}"),
    }
    let mut d = Console::new();
    match d.feed(&format!(":load {file}")) {
        Reply::Text(text) => assert!(text.contains("tenant = tenant \"contoso\""), "{text}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(value(d.feed("tenant.group(\"Sales tools\").owners[0].upn")), "\"bob@contoso.com\"");
    assert!(matches!(d.feed(":save /nonexistent/dir/x.json"), Reply::Error(_)));
    assert!(matches!(d.feed(":save x.json nothing_here"), Reply::Error(_)));
    assert_eq!(d.feed(":quit"), Reply::Quit);
}

#[test]
fn run_script_json_shares_the_store_and_returns_ids() {
    let store = Store::new(Tenant::new("contoso"));
    let got = run_script_json(
        r#"
        let a = tenant.add_user("admin@contoso.com", #{ roles: ["global_admin"] });
        #{ admin: a, users: tenant.users(), now: tenant.now, name: tenant.name, nothing: () }
        "#,
        Some("inline.rhai"),
        Some(store.clone()),
    )
    .unwrap();
    assert_eq!(
        got,
        serde_json::json!({"admin": "u-1", "users": ["u-1"], "now": "2016-06-14T00:00:00Z",
                           "name": "contoso", "nothing": null})
    );
    // The caller's store has the user.
    assert_eq!(store.read(|t| t.users().len()), 1);
    let err = run_script_json("tenant.add_user(\"admin@contoso.com\")", Some("x.rhai"), Some(store)).unwrap_err();
    assert_eq!(err.code(), Some(Code::ScriptError));
    assert!(err.message().starts_with("x.rhai:1:8: duplicate_name: "), "{}", err.message());
}

// ----- names shared with Python ------------------------------------------------------------------

/// API.md's names (Tenant methods and properties, module functions), as the Rhai face must
/// offer them.
const API_NAMES: &[&str] = &[
    // seeding
    "add_user",
    "set_enabled",
    "set_roles",
    "import_directory",
    // commands and checked reads
    "configure",
    "create_group",
    "update_group",
    "delete_group",
    "add_member",
    "remove_member",
    "add_owner",
    "remove_owner",
    "leave",
    "request_to_join",
    "approve",
    "deny",
    "cancel",
    "create_resource",
    "add_resource_owner",
    "remove_resource_owner",
    "assign",
    "unassign",
    "block",
    "unblock",
    "list_members",
    "list_access",
    "check",
    // analyst queries
    "name",
    "settings",
    "now",
    "advance",
    "set_time",
    "users",
    "groups",
    "resources",
    "requests",
    "user",
    "group",
    "resource",
    "request",
    "has_access",
    "has_access_many",
    "explain_access",
    "who_has_access",
    "access_of",
    "access_panel",
    "audit_log",
    "provisioning_log",
    // history and persistence
    "save",
    "load",
    "open",
    "events",
    "replay",
    "fork",
    // Graph
    "from_graph",
    "import_report",
    "graph_to_directory",
    // errors
    "error_codes",
    // handle properties
    "id",
    "upn",
    "display_name",
    "department",
    "roles",
    "enabled",
    "description",
    "kind",
    "join_policy",
    "owners",
    "members",
    "on_premises",
    "created_by",
    "created_at",
    "assigned",
    "blocked",
    "group",
    "requester",
    "justification",
    "status",
    "decided_by",
    "reason",
    "decided_at",
    "to_dict",
];

/// Python names with no Rhai counterpart, and why.
const PYTHON_ONLY: &[(&str, &str)] = &[
    ("run_script", "a Rhai script is already running in Rhai"),
    ("main", "the command line (scripting::cli_main) for python -m ssgm, not a script function"),
    ("to_networkx", "R-12.6: a networkx graph is Python's; Rhai has to_dot"),
    ("frame", "a pandas.DataFrame: Rhai has no DataFrames (its logs and lists are arrays of maps)"),
];

fn rhai_names() -> BTreeSet<String> {
    functions(&engine(&Limits::default())).into_iter().map(|f| f.shown).collect()
}

#[test]
fn every_api_md_name_is_a_rhai_function() {
    let names = rhai_names();
    let missing: Vec<_> = API_NAMES.iter().filter(|n| !names.contains(**n)).collect();
    assert!(missing.is_empty(), "API.md names missing from Rhai: {missing:?}");
}

/// The classes whose public names the Rhai face mirrors: the tenant and the handles.
const MIRRORED: &[&str] = &["Tenant", "User", "Group", "Resource", "Request"];

/// The public names of a stub as (class, name): methods and properties of the classes in
/// [`MIRRORED`], and module-level functions with class "".
fn stub_names(stub: &str) -> BTreeSet<(String, String)> {
    let mut names = BTreeSet::new();
    let mut class: Option<String> = None;
    for line in stub.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim_start();
        if indent == 0 && !text.is_empty() && !text.starts_with('#') && !text.starts_with('@') {
            class =
                text.strip_prefix("class ").map(|rest| rest.split(['(', ':']).next().unwrap_or("").trim().to_string());
        }
        let def = text.strip_prefix("async def ").or_else(|| text.strip_prefix("def "));
        let Some(def) = def else { continue };
        let name = def.split('(').next().unwrap_or("").trim();
        if name.starts_with('_') {
            continue;
        }
        match (&class, indent) {
            (None, 0) => {
                names.insert((String::new(), name.to_string()));
            }
            (Some(c), i) if MIRRORED.contains(&c.as_str()) && i > 0 => {
                names.insert((c.clone(), name.to_string()));
            }
            _ => {}
        }
    }
    names
}

/// The Rhai names as (type, name): `User.upn` is ("User", "upn"), `to_dict(user: User)` is
/// ("User", "to_dict"); every function also counts for its tenant or module use, as ("", name).
fn rhai_members() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for f in functions(&engine(&Limits::default())) {
        out.insert((String::new(), f.shown.clone()));
        let owner = match f.signature.split_once('.') {
            Some((owner, _)) if !owner.contains('(') => owner.to_string(),
            _ => f
                .signature
                .split_once('(')
                .and_then(|(_, params)| params.split([',', ')']).next())
                .and_then(|first| first.split_once(':'))
                .map(|(_, ty)| ty.trim().to_string())
                .unwrap_or_default(),
        };
        out.insert((owner, f.shown));
    }
    out
}

#[test]
fn every_python_stub_name_is_a_rhai_function() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/ssgm/_core.pyi");
    let stub = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): the Python stub is needed to prove that the Rhai names \
             cover the Python API (STYLE habit 4); this test cannot pass without it",
            path.display()
        )
    });
    let python = stub_names(&stub);
    for needed in [("Tenant", "add_member"), ("", "run_script"), ("Group", "owners")] {
        assert!(
            python.contains(&(needed.0.to_string(), needed.1.to_string())),
            "the stub parsed to too few names to be a real check ({needed:?} missing): {python:?}"
        );
    }
    let rhai = rhai_members();
    let missing: Vec<_> = python
        .iter()
        .filter(|(_, name)| !PYTHON_ONLY.iter().any(|(p, _)| p == name))
        .filter(|(class, name)| {
            // Tenant methods (static ones too) may be Rhai functions or Tenant methods;
            // handle members must be on that handle type.
            let scope = if class == "Tenant" { String::new() } else { class.clone() };
            !rhai.contains(&(scope, name.clone()))
        })
        .map(|(class, name)| if class.is_empty() { name.clone() } else { format!("{class}.{name}") })
        .collect();
    assert!(missing.is_empty(), "Python names missing from Rhai: {missing:?}");
}

#[test]
fn help_lists_every_function_with_its_signature() {
    let c = Console::new();
    let help = c.help(None);
    for line in [
        "add_member(tenant: Tenant, actor: User, group: Group, member: Principal)",
        "create_group(tenant: Tenant, actor: User, name: String, options: Map) -> Group",
        "check(tenant: Tenant, actor: User, command: String, args: Array, options: Map) -> Map",
        "tenant(name: String) -> Tenant",
        "Group.members -> Array",
        "Tenant.now -> String",
    ] {
        assert!(help.contains(line), "missing {line:?} in\n{help}");
    }
    for name in API_NAMES {
        assert!(help.contains(&format!("{name}(")) || help.contains(&format!(".{name} ")), "{name} not in :help");
    }
    let one = c.help(Some("approve"));
    assert!(one.contains("Approves a pending request (R-5.6)."), "{one}");
    assert!(c.help(Some("nothing_like_this")).starts_with("no function"));
    // Readable types, and `assert` listed once per real signature (not its fallbacks).
    assert!(help.contains("User.department -> String|()") && !help.contains("Stringor"), "{help}");
    let asserts: Vec<&str> = help.lines().filter(|l| l.trim_start().starts_with("assert(")).collect();
    assert_eq!(asserts, ["  assert(condition: bool)", "  assert(condition: bool, message: String)"]);
    // A slip names the closest function.
    assert!(c.help(Some("add_membr")).ends_with("(did you mean \"add_member\"?)"), "{}", c.help(Some("add_membr")));
    // `:help configure` lists every setting of §2 with a new tenant's value.
    let configure = c.help(Some("configure"));
    for name in ssgm::model::SETTING_NAMES {
        assert!(configure.contains(&format!("        {name}: ")), "{name} not in\n{configure}");
    }
    assert!(configure.contains("max_owners_per_group: 100"), "{configure}");
}

#[test]
fn stub_parser_reads_methods_properties_and_functions() {
    let stub = "class Tenant:\n    def __init__(self, name: str) -> None: ...\n    @property\n    def now(self) -> datetime: ...\n    @staticmethod\n    def load(path: str) -> Tenant: ...\n    def add_user(\n        self, upn: str) -> User: ...\nclass User:\n    def to_dict(self) -> dict: ...\nclass Decision:\n    def allowed(self) -> bool: ...\ndef run_script(source: str) -> Any: ...\n";
    let names: Vec<String> = stub_names(stub).into_iter().map(|(c, n)| format!("{c}.{n}")).collect();
    assert_eq!(names, [".run_script", "Tenant.add_user", "Tenant.load", "Tenant.now", "User.to_dict"]);
    let rhai = rhai_members();
    assert!(rhai.contains(&("User".to_string(), "upn".to_string())));
    assert!(rhai.contains(&("Group".to_string(), "to_dict".to_string())));
    assert!(!rhai.contains(&("User".to_string(), "members".to_string())));
}

#[test]
fn default_limits_stop_endless_recursion_without_crashing() {
    // Test threads have small stacks (2 MiB): the default call depth must fit in them.
    let err = run_script_json("fn down(n) { let x = [n, #{ n: n }]; down(n + 1) }\ndown(0)", Some("r.rhai"), None)
        .unwrap_err();
    assert!(err.message().starts_with("r.rhai:2:1: "), "{}", err.message());
    assert!(err.message().contains("more than 64 calls deep"), "{}", err.message());
    let nested = format!("{}1{}", "[".repeat(20), "]".repeat(20));
    run_script_json(&nested, None, None).unwrap();
}

//! # The Rhai face: a console and a script runner over the core
//!
//! Scripts drive a tenant with the names API.md gives the Python face; keyword arguments
//! become a trailing object map, handles print readably, and a refused command throws an
//! object map `#{ code, family, message }`:
//!
//! ```
//! let value = ssgm::scripting::run_script_json(r#"
//!     let t = tenant("contoso");
//!     let admin = t.add_user("admin@contoso.com", #{ roles: ["global_admin"] });
//!     let bob = t.add_user("bob@contoso.com");
//!     let code = "";
//!     try { t.create_group(bob, "Sales"); } catch (e) { code = e.code; }
//!     code
//! "#, None, None).unwrap();
//! assert_eq!(value, serde_json::json!("self_service_disabled"));
//! ```
//!
//! ## The script's world
//!
//! * Functions: `tenant(name)`, `load(path)`, `open(path[, #{fsync}])`,
//!   `from_graph(path[, #{name, settings}])`, `graph_to_directory(path)`,
//!   `replay(events[, #{"until": n, name}])` or `replay(events, n)` (`until` is a Rhai
//!   keyword, so its key is quoted), `error_codes()` (code → family), `assert(cond[, message])`.
//!   `t.replay(…)` works too, like Python's static method called on a tenant.
//! * A `Tenant` has every command and query of API.md under the same name; `:help` in the
//!   console lists them with their signatures. References (`actor`, `group`, …) accept a
//!   handle, an id or a name, as in Python.
//! * `t.check(actor, command)`, `t.check(actor, command, [args])`,
//!   `t.check(actor, command, #{options})` and `t.check(actor, command, [args], #{options})`
//!   dry-run a command by name and return `#{ allowed, code, message }`.
//! * Handles (`User`, `Group`, `Resource`, `Request`) read the current state through their
//!   properties (`g.owners`, `r.status`, …), compare equal when they name the same object of
//!   the same tenant, and have `to_dict()`. Records (audit entries, decisions, panels …) are
//!   object maps; instants are RFC 3339 strings.
//! * A type error (a Group where a user is expected, R-10.13) is an ordinary runtime error
//!   (its value a string); a refusal is an object map with `code`, `family` and `message`.
//!   `try { … } catch (e) { … }` is a statement: keep what it catches in a variable.
//! * Python names with no Rhai counterpart: `run_script` (a script is already running) and
//!   `main` (the command line, [`cli_main`]).
//!
//! ## Safety
//!
//! Every engine has limits ([`Limits`]) on operations, call depth, expression depth, the
//! sizes of strings, arrays and maps, the nesting of values leaving a script, the text passed
//! to a command, and wall-clock time; exceeding one stops the script with a message naming
//! the limit. The work of tenant calls counts against the operation limit (a list of 20k
//! users costs 20k operations). `sleep` is capped and counted against the time limit.
//! Scripts run on a thread of their own with a large stack ([`STACK_SIZE`]); a panic there
//! becomes a `script_error` (`internal error: …`).
//!
//! Scripts cannot `import` modules and reach no file but through `load`, `save`, `open`,
//! `from_graph` and `graph_to_directory`, and only inside the folders of their [`Sandbox`]:
//! `ssgm run` allows the script's folder and each `--allow DIR`, the console the current
//! folder and each `--allow DIR`, `run_script` only the folders of `allow=[...]`. Paths are
//! resolved (`..`, symlinks) before the check; only regular files of at most 256 MiB are
//! read, and errors about a file's content give its position, never the content.

pub mod api;
mod cli;
pub mod console;
mod convert;
mod guard;
mod packages;
pub mod sandbox;
pub mod types;

pub use cli::cli_main;
pub use console::Console;
pub use convert::to_json;
pub use guard::{MAX_SLEEP_SECONDS, STACK_SIZE};
pub use sandbox::Sandbox;
pub use types::{GroupHandle, RequestHandle, ResourceHandle, TenantHandle, UserHandle};

use crate::error::{Code, Error};
use crate::store::Store;
use rhai::{Dynamic, Engine, EvalAltResult, ParseError, ParseErrorType, Position, Scope, AST};
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// The limits every script runs under. Exceeding one stops the script with a
/// [`ScriptError`] that names the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Operations (roughly: expressions evaluated) per evaluation, plus the work of tenant
    /// calls (one per item they take or return); stops endless loops.
    pub operations: u64,
    /// Nested function calls; stops endless recursion.
    pub call_levels: usize,
    /// Nesting of expressions at the top level of a script.
    pub expr_depth: usize,
    /// Nesting of expressions inside functions.
    pub function_expr_depth: usize,
    /// Bytes of text in one value (strings inside arrays and maps count together).
    pub string_size: usize,
    /// Items in one array (nested arrays count together).
    pub array_size: usize,
    /// Entries in one object map (nested maps count together).
    pub map_size: usize,
    /// Wall-clock time per evaluation (`None`: no limit).
    pub timeout: Option<Duration>,
    /// Bytes of one string passed to a tenant command (display names and other free text).
    pub text_size: usize,
    /// Nesting of a value passed to a command or leaving the script (JSON, Python).
    pub value_depth: usize,
}

impl Default for Limits {
    /// Generous enough for tenants of a hundred thousand objects, small enough to stop a
    /// runaway script within a minute.
    fn default() -> Limits {
        Limits {
            operations: 100_000_000,
            call_levels: 64,
            expr_depth: 64,
            function_expr_depth: 32,
            string_size: 16 << 20,
            array_size: 1_000_000,
            map_size: 1_000_000,
            timeout: Some(Duration::from_secs(60)),
            text_size: 1 << 20,
            value_depth: 64,
        }
    }
}

/// A module resolver that refuses every `import`: scripts reach no files but through the
/// functions of the API.
struct NoImports;

impl rhai::ModuleResolver for NoImports {
    fn resolve(
        &self,
        _engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<rhai::Shared<rhai::Module>, Box<EvalAltResult>> {
        Err(EvalAltResult::ErrorRuntime(
            format!("ssgm scripts cannot import modules (import {path:?}); define functions in the script instead")
                .into(),
            pos,
        )
        .into())
    }
}

/// A Rhai engine with the ssgm API registered and `limits` set. `print` writes to stdout.
///
/// ```
/// let engine = ssgm::scripting::engine(&ssgm::scripting::Limits::default());
/// let n: i64 = engine.eval(r#"tenant("x").users().len()"#).unwrap();
/// assert_eq!(n, 0);
/// ```
pub fn engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new();
    engine.set_module_resolver(NoImports);
    engine
        .set_max_operations(limits.operations)
        .set_max_call_levels(limits.call_levels)
        .set_max_expr_depths(limits.expr_depth, limits.function_expr_depth)
        .set_max_string_size(limits.string_size)
        .set_max_array_size(limits.array_size)
        .set_max_map_size(limits.map_size)
        .set_max_variables(100_000);
    engine.on_progress(guard::progress);
    // What a script prints starts on a line of its own, not after a spinner's.
    engine.on_print(|text| {
        guard::clear_spinner_line();
        println!("{text}");
    });
    api::register(&mut engine);
    // Rhai's own `sleep` blocks for any time (and panics on huge ones); this one is capped
    // and counted against the time limit.
    let doc = ["/// Pauses for a number of seconds (at most a day), counted against the time limit."];
    rhai::FuncRegistration::new("sleep")
        .with_params_info(["seconds: float"])
        .with_comments(doc)
        .with_volatility(true)
        .register_into_engine(&mut engine, guard::sleep);
    rhai::FuncRegistration::new("sleep")
        .with_params_info(["seconds: int"])
        .with_comments(doc)
        .with_volatility(true)
        .register_into_engine(&mut engine, |seconds: rhai::INT| guard::sleep(seconds as f64));
    engine
}

/// How a script runs: its limits, the folders it may touch, and a flag that stops it when
/// set (the console sets it on Ctrl-C).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The limits of each evaluation.
    pub limits: Limits,
    /// The folders `load`, `save`, `open`, `from_graph` and `graph_to_directory` may use.
    pub sandbox: Sandbox,
    /// Set it to interrupt the running script; each evaluation clears it when it starts.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Show a spinner with the elapsed time and operations on stderr while a run lasts longer
    /// than a second (`ssgm run` on a terminal, or `--progress`).
    pub progress: bool,
}

impl RunOptions {
    /// The default limits and `sandbox`.
    pub fn new(sandbox: Sandbox) -> RunOptions {
        RunOptions { sandbox, ..RunOptions::default() }
    }
}

/// A failed script: where, and what happened, in one sentence.
///
/// Displays as `file:line:column: message` (or `file: message` for an error without a
/// position); [`ScriptError::render`] adds the offending line with a caret under the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// The file name, or a label such as `<script>` or `<console>`.
    pub path: String,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
    /// What went wrong.
    pub message: String,
    /// The refusal, when the script stopped on an uncaught refused command.
    pub refusal: Option<(Code, String)>,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{}:{line}:{column}: {}", self.path, self.message),
            (Some(line), None) => write!(f, "{}:{line}: {}", self.path, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ScriptError {}

impl ScriptError {
    /// An error that is not about a place in the script (a file that cannot be read …).
    pub fn plain(path: &str, message: impl Into<String>) -> ScriptError {
        ScriptError { path: path.to_string(), line: None, column: None, message: message.into(), refusal: None }
    }

    /// The error as `file:line:column: message`, then the offending line of `source` with a
    /// caret under the column.
    pub fn render(&self, source: &str) -> String {
        let mut out = self.to_string();
        if let Some(line) = self.line {
            if let Some(text) = source.split('\n').nth(line.saturating_sub(1)) {
                let text = text.trim_end_matches('\r');
                let number = line.to_string();
                out.push_str(&format!("\n {number} | {text}"));
                if let Some(column) = self.column {
                    // Tabs keep their width so the caret lines up under them.
                    let pad: String = text
                        .chars()
                        .take(column.saturating_sub(1))
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    out.push_str(&format!("\n {} | {pad}^", " ".repeat(number.len())));
                }
            }
        }
        out
    }

    /// The core error a face raises for it: `script_error` with this text.
    pub fn into_error(self) -> Error {
        Error::new(Code::ScriptError, self.to_string())
    }

    /// A parse error of the script at `path`.
    pub fn from_parse(path: &str, err: &ParseError, limits: &Limits) -> ScriptError {
        let message = match err.err_type() {
            ParseErrorType::ExprTooDeep => format!(
                "expression nested too deeply (the limit is {} levels, {} inside functions)",
                limits.expr_depth, limits.function_expr_depth
            ),
            other => format!("syntax error: {other}"),
        };
        at(path, err.position(), message, None)
    }

    /// A runtime (or parse) error of the script at `path`. Errors inside functions are
    /// reported where they happened, with the chain of calls.
    pub fn from_eval(path: &str, err: &EvalAltResult, limits: &Limits) -> ScriptError {
        let mut calls = Vec::new();
        let mut inner = err;
        let mut pos = err.position();
        while let EvalAltResult::ErrorInFunctionCall(name, _, next, call_pos) = inner {
            calls.push(name.clone());
            if !call_pos.is_none() {
                pos = *call_pos;
            }
            inner = next;
        }
        if !inner.position().is_none() {
            pos = inner.position();
        }
        let (mut message, refusal) = describe(inner, limits);
        for name in calls.iter().rev() {
            message.push_str(&format!(" (in function {name})"));
        }
        at(path, pos, message, refusal)
    }

    /// A runtime error reported at the outermost call, for sources whose functions may come
    /// from an earlier input (the console).
    pub(crate) fn from_eval_outer(path: &str, err: &EvalAltResult, limits: &Limits) -> ScriptError {
        let mut e = ScriptError::from_eval(path, err, limits);
        if let EvalAltResult::ErrorInFunctionCall(..) = err {
            let outer = at(path, err.position(), String::new(), None);
            e.line = outer.line;
            e.column = outer.column;
        }
        e
    }
}

fn at(path: &str, pos: Position, message: String, refusal: Option<(Code, String)>) -> ScriptError {
    // Rhai has no column for "the beginning of a line"; that is column 1.
    let column = pos.position().or(pos.line().map(|_| 1));
    ScriptError { path: path.to_string(), line: pos.line(), column, message, refusal }
}

/// One sentence for an error, without its position.
fn describe(err: &EvalAltResult, limits: &Limits) -> (String, Option<(Code, String)>) {
    let text = match err {
        EvalAltResult::ErrorRuntime(value, _) => {
            if let Some((code, message)) = convert::refusal_of(value) {
                return (format!("{code}: {message}"), Some((code, message)));
            }
            match value.clone().into_string() {
                Ok(s) => s,
                Err(_) => format!("thrown: {value}"),
            }
        }
        EvalAltResult::ErrorParsing(kind, _) => format!("syntax error: {kind}"),
        EvalAltResult::ErrorTooManyOperations(_) => operations_message(limits),
        EvalAltResult::ErrorTerminated(why, _) => match why.clone().into_string().unwrap_or_default().as_str() {
            guard::STOP_TIME => match limits.timeout {
                Some(t) => format!(
                    "the script reached its time limit of {} s (ssgm --timeout SECONDS, run_script(timeout=...))",
                    t.as_secs_f64()
                ),
                None => "the script reached its time limit".to_string(),
            },
            guard::STOP_INTERRUPT => "interrupted (Ctrl-C)".to_string(),
            guard::STOP_OPERATIONS => operations_message(limits),
            other => format!("the script was stopped: {other}"),
        },
        EvalAltResult::ErrorStackOverflow(_) => {
            format!("functions nested more than {} calls deep, the limit (endless recursion?)", limits.call_levels)
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let limit = match what.as_str() {
                w if w.contains("string") => format!("{} bytes", limits.string_size),
                w if w.contains("array") => format!("{} items", limits.array_size),
                _ => format!("{} entries", limits.map_size),
            };
            format!("{what} exceeds the script limit of {limit}")
        }
        other => {
            // Rhai's own sentence, without the position it appends.
            let text = other.to_string();
            match text.rfind(" (line ") {
                Some(cut) if text.ends_with(')') => text[..cut].to_string(),
                _ => text,
            }
        }
    };
    (text, None)
}

fn operations_message(limits: &Limits) -> String {
    format!(
        "the script ran more than {} operations (tenant calls count one per item), its limit (an endless loop?)",
        limits.operations
    )
}

/// Compiles `source` (labelled `path`), reporting syntax errors as [`ScriptError`]s.
pub fn compile(engine: &Engine, scope: &Scope, source: &str, path: &str, limits: &Limits) -> Result<AST, ScriptError> {
    let mut ast = engine
        .compile_with_scope(scope, strip_shebang(source))
        .map_err(|e| ScriptError::from_parse(path, &e, limits))?;
    ast.set_source(path);
    Ok(ast)
}

/// A `#!` first line is blanked (not removed) so that line numbers stay those of the file.
fn strip_shebang(source: &str) -> std::borrow::Cow<'_, str> {
    if source.starts_with("#!") {
        let rest = source.find('\n').map(|i| &source[i..]).unwrap_or("");
        std::borrow::Cow::Owned(rest.to_string())
    } else {
        std::borrow::Cow::Borrowed(source)
    }
}

/// Runs `source` in `scope` (variables it defines at the top level stay there) under
/// `options` and returns its final value. It runs on the calling thread: faces call it
/// through [`contained`].
pub fn run(
    engine: &Engine,
    scope: &mut Scope,
    source: &str,
    path: &str,
    options: &RunOptions,
) -> Result<Dynamic, ScriptError> {
    let limits = &options.limits;
    let ast = compile(engine, scope, source, path, limits)?;
    let _run = guard::RunGuard::enter(limits, &options.sandbox, options.interrupt.as_ref());
    let _spinner = options.progress.then(|| guard::Spinner::start(path));
    engine.eval_ast_with_scope::<Dynamic>(scope, &ast).map_err(|e| ScriptError::from_eval(path, &e, limits))
}

/// Runs `f` (a compile, a run, a console input) on a thread with [`STACK_SIZE`] of stack and
/// waits for it; a panic in it becomes the error `label: internal error: …`.
pub fn contained<R: Send>(label: &str, f: impl FnOnce() -> Result<R, ScriptError> + Send) -> Result<R, ScriptError> {
    guard::contained(label, f)
}

/// Compiles `source` without running it: `Ok` or the first syntax error.
///
/// ```
/// let err = ssgm::scripting::check_source("let x = ;", "bad.rhai").unwrap_err();
/// assert_eq!((err.line, err.column), (Some(1), Some(9)));
/// ```
pub fn check_source(source: &str, path: &str) -> Result<(), ScriptError> {
    contained(path, || {
        let limits = Limits::default();
        let engine = engine(&limits);
        compile(&engine, &Scope::new(), source, path, &limits).map(|_| ())
    })
}

/// Runs a script, with `tenant` bound to `store` when one is given (so the caller and the
/// script see one store), and returns the script's final value as JSON.
///
/// Values become JSON as [`to_json`] says: handles become their **id strings** (look them up
/// with `t.user(id)`, `t.group(id)` …), a tenant its name, `()` `null`, maps objects.
/// A failure of the script (syntax, runtime, an uncaught refusal, a limit) is a refusal with
/// code `script_error` whose message is `file:line:column: message`; `path` labels the
/// source (default `<script>`) and is never read. It runs under the default [`Limits`] with
/// no file access: [`run_script_with`] says otherwise.
///
/// ```
/// use ssgm::{Store, Tenant};
/// let store = Store::new(Tenant::new("contoso"));
/// let id = ssgm::scripting::run_script_json(
///     r#"tenant.add_user("alice@contoso.com")"#, None, Some(store.clone())).unwrap();
/// assert_eq!(id, serde_json::json!("u-1"));
/// let err = ssgm::scripting::run_script_json("\nassert(false)", Some("x.rhai"), None).unwrap_err();
/// assert_eq!(err.message(), "x.rhai:2:1: assertion failed");
/// ```
pub fn run_script_json(
    source: &str,
    path: Option<&str>,
    store: Option<Arc<Store>>,
) -> crate::Result<serde_json::Value> {
    run_script_with(source, path, store, &RunOptions::default())
}

/// [`run_script_json`] under `options`: its limits and the folders it may use. The script
/// runs on a thread of its own; a value nested deeper than [`Limits::value_depth`] cannot
/// leave it (`script_error`), nor can a panic (`script_error`, `internal error: …`).
pub fn run_script_with(
    source: &str,
    path: Option<&str>,
    store: Option<Arc<Store>>,
    options: &RunOptions,
) -> crate::Result<serde_json::Value> {
    let label = path.unwrap_or("<script>");
    contained(label, || {
        let engine = engine(&options.limits);
        let mut scope = Scope::new();
        if let Some(store) = store {
            scope.push("tenant", TenantHandle::new(store));
        }
        let value = run(&engine, &mut scope, source, label, options)?;
        convert::to_json_within(&value, options.limits.value_depth).map_err(|e| ScriptError::plain(label, e))
    })
    .map_err(ScriptError::into_error)
}

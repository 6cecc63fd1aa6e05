//! The console's logic, apart from the terminal: a [`Console`] takes lines and answers with
//! a [`Reply`], keeping variables and functions between inputs. The CLI only reads lines and
//! prints replies, so everything here is testable.
//!
//! ```
//! use ssgm::scripting::console::{Console, Reply};
//! let mut c = Console::new();
//! assert_eq!(c.feed(r#"let t = tenant("contoso");"#), Reply::Value(None));
//! assert_eq!(c.feed("let n = t.users("), Reply::More);       // an open bracket: more to come
//! assert_eq!(c.feed(").len(); n"), Reply::Value(Some("0".into())));
//! ```

use super::convert::show;
use super::types::TenantHandle;
use super::{compile, contained, engine, guard, Limits, RunOptions, ScriptError};
use crate::persist::snapshot;
use crate::store::Store;
use rhai::{Dynamic, Engine, EvalAltResult, ParseErrorType, Scope, AST};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// What the console answers to a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The input is not complete yet (an open bracket or string, a trailing `\`).
    More,
    /// The input ran; its value as the console shows it, or `None` for `()`.
    Value(Option<String>),
    /// The answer of a console command (`:help`, `:load` …).
    Text(String),
    /// The input failed: `<console>:line:column: message`, the line, and a caret.
    Error(String),
    /// `:quit` or `:exit`.
    Quit,
}

/// The label of console input in messages.
pub const LABEL: &str = "<console>";

/// Console commands, for `:help`.
const COMMANDS: &str = "\
Console commands:
  :help [NAME]       every function with its signature, or one function with its doc
  :load FILE [VAR]   read a snapshot into VAR (default `tenant`)
  :save FILE [VAR]   write the tenant in VAR (default `tenant`) as a snapshot
  :quit              leave (Ctrl-D too)
Input continues on the next line while a bracket or string is open, or after a trailing `\\`;
two empty lines run it anyway. References (actor, group, ...) accept a handle, an id or a
name; keyword options go in a trailing map: t.create_group(bob, \"Sales\", #{ kind: \"microsoft365\" }).
A refused command throws #{ code, family, message }: try { ... } catch (e) { e.code }.";

/// A console session: an engine, its variables, the functions defined so far, and any
/// unfinished input. Each input runs on a thread of its own under the session's
/// [`RunOptions`]: its time limit counts per input, and setting [`Console::interrupter`]
/// stops it, keeping the variables as they were when it stopped.
pub struct Console {
    engine: Engine,
    options: RunOptions,
    limits: Limits,
    scope: Scope<'static>,
    functions: AST,
    pending: String,
    blank_lines: usize,
}

impl Default for Console {
    fn default() -> Console {
        Console::new()
    }
}

impl Console {
    /// A console with the default [`Limits`].
    pub fn new() -> Console {
        Console::with_limits(Limits::default())
    }

    /// A console whose every input runs under `limits`, with no file access for scripts.
    pub fn with_limits(limits: Limits) -> Console {
        Console::with_options(RunOptions { limits, ..RunOptions::default() })
    }

    /// A console whose every input runs under `options`.
    pub fn with_options(mut options: RunOptions) -> Console {
        let limits = options.limits;
        options.interrupt.get_or_insert_with(|| Arc::new(AtomicBool::new(false)));
        Console {
            engine: engine(&limits),
            options,
            limits,
            scope: Scope::new(),
            functions: AST::empty(),
            pending: String::new(),
            blank_lines: 0,
        }
    }

    /// The flag that interrupts the running input when set (Ctrl-C); each input clears it
    /// when it starts.
    pub fn interrupter(&self) -> Arc<AtomicBool> {
        self.options.interrupt.clone().unwrap_or_default()
    }

    /// Whether an unfinished input is waiting for more lines.
    pub fn is_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Drops the unfinished input (Ctrl-C).
    pub fn cancel(&mut self) {
        self.pending.clear();
        self.blank_lines = 0;
    }

    /// The prompt to show before the next line.
    pub fn prompt(&self) -> &'static str {
        if self.is_pending() {
            "  ... "
        } else {
            "ssgm> "
        }
    }

    /// Binds a variable (as `--load` binds `tenant`).
    pub fn set(&mut self, name: &str, value: Dynamic) {
        self.scope.set_or_push(name.to_string(), value);
    }

    /// The value of a variable.
    pub fn get(&self, name: &str) -> Option<Dynamic> {
        self.scope.get_value::<Dynamic>(name)
    }

    /// Takes one line of input. A panic while handling it becomes an error reply; the
    /// console goes on.
    pub fn feed(&mut self, line: &str) -> Reply {
        match contained(LABEL, || Ok(self.feed_here(line))) {
            Ok(reply) => reply,
            Err(err) => {
                self.cancel();
                Reply::Error(err.to_string())
            }
        }
    }

    fn feed_here(&mut self, line: &str) -> Reply {
        let trimmed = line.trim();
        if !self.is_pending() && trimmed.starts_with(':') {
            return self.command(trimmed);
        }
        if !self.is_pending() && trimmed.is_empty() {
            return Reply::Value(None);
        }
        if let Some(body) = line.trim_end().strip_suffix('\\') {
            self.pending.push_str(body);
            self.pending.push('\n');
            return Reply::More;
        }
        self.blank_lines = if trimmed.is_empty() { self.blank_lines + 1 } else { 0 };
        self.pending.push_str(line);
        if self.blank_lines < 2 && self.is_incomplete(&self.pending) {
            self.pending.push('\n');
            return Reply::More;
        }
        let source = std::mem::take(&mut self.pending);
        self.blank_lines = 0;
        match self.eval_here(&source) {
            Ok(value) if value.is_unit() => Reply::Value(None),
            Ok(value) => Reply::Value(Some(show(&value))),
            Err(err) => Reply::Error(err.render(&source)),
        }
    }

    /// Whether `source` stops in the middle of something: it fails to parse only because
    /// the input ended (an open bracket, string or block).
    pub fn is_incomplete(&self, source: &str) -> bool {
        let Err(err) = self.engine.compile_with_scope(&self.scope, source) else {
            return false;
        };
        if matches!(err.err_type(), ParseErrorType::UnexpectedEOF) {
            return true;
        }
        // A `...` string may span lines; a "..." string may not.
        if let ParseErrorType::BadInput(rhai::LexError::UnterminatedString) = err.err_type() {
            let pos = err.position();
            let opener = pos
                .line()
                .and_then(|l| source.split('\n').nth(l.saturating_sub(1)))
                .and_then(|text| pos.position().and_then(|c| text.chars().nth(c.saturating_sub(1))));
            return opener == Some('`');
        }
        // Other errors count as "unfinished" only when they are reported at the very end.
        let pos = err.position();
        let end_line = source.split('\n').count();
        let last = source.split('\n').next_back().unwrap_or("");
        match pos.line() {
            Some(line) if line > end_line => true,
            Some(line) if line == end_line => {
                pos.position().map_or(last.trim().is_empty(), |c| c > last.trim_end().chars().count())
            }
            _ => false,
        }
    }

    /// Evaluates one complete input, keeping its variables and functions for the next.
    pub fn eval(&mut self, source: &str) -> Result<Dynamic, ScriptError> {
        contained(LABEL, || self.eval_here(source))
    }

    fn eval_here(&mut self, source: &str) -> Result<Dynamic, ScriptError> {
        let ast = compile(&self.engine, &self.scope, source, LABEL, &self.limits)?;
        let defined: Vec<String> = ast.iter_functions().map(|f| f.name.to_string()).collect();
        let mut program = self.functions.merge(&ast);
        let run = guard::RunGuard::enter(&self.limits, &self.options.sandbox, self.options.interrupt.as_ref());
        let result = self.engine.eval_ast_with_scope::<Dynamic>(&mut self.scope, &program);
        drop(run);
        program.clear_statements();
        self.functions = program;
        result.map_err(|err| {
            // An error inside a function of an earlier input is shown where this input
            // called it: its own line is in a source that is gone.
            let own = match &*err {
                EvalAltResult::ErrorInFunctionCall(name, ..) => defined.iter().any(|d| d == name),
                _ => true,
            };
            if own {
                ScriptError::from_eval(LABEL, &err, &self.limits)
            } else {
                ScriptError::from_eval_outer(LABEL, &err, &self.limits)
            }
        })
    }

    fn command(&mut self, text: &str) -> Reply {
        let mut words = text.split_whitespace();
        let command = words.next().unwrap_or("");
        let args: Vec<&str> = words.collect();
        match (command, args.as_slice()) {
            (":quit" | ":exit" | ":q", []) => Reply::Quit,
            (":help" | ":h", []) => Reply::Text(self.help(None)),
            (":help" | ":h", [name]) => Reply::Text(self.help(Some(name))),
            (":load", [file]) => self.load(file, "tenant"),
            (":load", [file, var]) => self.load(file, var),
            (":save", [file]) => self.save(file, "tenant"),
            (":save", [file, var]) => self.save(file, var),
            _ => Reply::Error(format!("unknown console command {text:?}; :help lists them")),
        }
    }

    /// Reads a snapshot into `var`.
    pub fn load(&mut self, file: &str, var: &str) -> Reply {
        match snapshot::load(Path::new(file)) {
            Ok(tenant) => {
                let summary = format!(
                    "{var} = tenant {:?} from {file}: {} users, {} groups, {} resources, {} events",
                    tenant.name(),
                    tenant.users().len(),
                    tenant.groups().count(),
                    tenant.resources().len(),
                    tenant.history().len()
                );
                self.set(var, Dynamic::from(TenantHandle::new(Store::new(tenant))));
                Reply::Text(summary)
            }
            Err(err) => Reply::Error(format!(
                "{file}: {} ({})",
                err.message(),
                err.code().map(|c| c.as_str()).unwrap_or("type_error")
            )),
        }
    }

    /// Writes the tenant in `var` as a snapshot.
    pub fn save(&self, file: &str, var: &str) -> Reply {
        let Some(tenant) = self.get(var).and_then(|v| v.try_cast::<TenantHandle>()) else {
            return Reply::Error(format!("{var} does not hold a Tenant; :save FILE VAR names another variable"));
        };
        match tenant.store().read(|t| snapshot::save(t, Path::new(file))) {
            Ok(()) => Reply::Text(format!("saved {var} to {file}")),
            Err(err) => Reply::Error(format!("{file}: {}", err.message())),
        }
    }

    /// Every function with its signature (from the engine's metadata), or the functions
    /// named `topic` with their docs.
    pub fn help(&self, topic: Option<&str>) -> String {
        let mut lines = Vec::new();
        let all = functions(&self.engine);
        for f in &all {
            if topic.is_some_and(|t| t != f.name && t != f.shown) {
                continue;
            }
            lines.push(format!("  {}", f.signature));
            if topic.is_some() {
                lines.extend(f.docs.iter().map(|d| format!("      {d}")));
            }
        }
        // `configure` takes every setting of SPEC §2 by name: list them with their defaults.
        if topic == Some("configure") {
            lines.push("      Settings (name: a new tenant's value):".to_string());
            for (name, value) in crate::model::Settings::default().to_pairs() {
                lines.push(format!("        {name}: {value}"));
            }
        }
        match topic {
            None => format!("{COMMANDS}\n\nFunctions:\n{}", lines.join("\n")),
            Some(t) if lines.is_empty() => {
                let hint = crate::suggest::did_you_mean(t, all.iter().map(|f| f.shown.as_str()));
                format!("no function or property is named {t:?}{hint}")
            }
            Some(_) => lines.join("\n"),
        }
    }
}

impl Drop for Console {
    /// Variables may hold deeply nested values, which Rust drops recursively: on the
    /// script thread's stack, not the caller's.
    fn drop(&mut self) {
        let scope = std::mem::take(&mut self.scope);
        let _ = contained(LABEL, move || {
            drop(scope);
            Ok(())
        });
    }
}

/// One registered function as `:help` shows it.
#[derive(Debug, Clone)]
pub struct FunctionInfo {
    /// The registered name (`get$upn` for a property).
    pub name: String,
    /// The name users type (`upn` for a property).
    pub shown: String,
    /// `add_member(tenant: Tenant, actor: User, …)` or `User.upn -> ?` for a property.
    pub signature: String,
    /// Doc lines.
    pub docs: Vec<String>,
}

/// Every function of the ssgm API in `engine` (not Rhai's standard library), sorted by name;
/// operators and `to_string`/`to_debug` are left out.
pub fn functions(engine: &Engine) -> Vec<FunctionInfo> {
    let json = engine.gen_fn_metadata_to_json(false).unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let mut out = Vec::new();
    for f in value.get("functions").and_then(|f| f.as_array()).into_iter().flatten() {
        let name = f.get("name").and_then(|n| n.as_str()).unwrap_or("").to_string();
        if matches!(name.as_str(), "" | "==" | "!=" | "to_string" | "to_debug") {
            continue;
        }
        let signature = f.get("signature").and_then(|s| s.as_str()).unwrap_or("").to_string();
        // The fallbacks that name a mistake (`assert` of a value that is no bool) are not API.
        if signature.contains(": ?") || (name == "assert" && !signature.contains(": bool")) {
            continue;
        }
        let docs = f
            .get("docComments")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str())
            .flat_map(|d| d.lines().map(|l| l.trim_start_matches('/').trim().to_string()).collect::<Vec<_>>())
            .collect();
        let (shown, signature) = match name.strip_prefix("get$") {
            Some(prop) => {
                let owner = f
                    .get("params")
                    .and_then(|p| p.get(0))
                    .and_then(|p| p.get("type"))
                    .and_then(|t| t.as_str())
                    .unwrap_or("?");
                let returns = f.get("returnType").and_then(|t| t.as_str()).unwrap_or("?");
                (prop.to_string(), format!("{owner}.{prop} -> {returns}"))
            }
            None => (name.clone(), signature),
        };
        out.push(FunctionInfo { name, shown, signature, docs });
    }
    out.sort_by(|a, b| (&a.shown, &a.signature).cmp(&(&b.shown, &b.signature)));
    out
}

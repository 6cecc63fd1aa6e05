//! The `ssgm` command line, shared by the binary and `python -m ssgm`:
//!
//! ```text
//! ssgm [console] [--load SNAPSHOT]                  interactive console (the default)
//! ssgm run FILE [--load SNAPSHOT] [--save SNAPSHOT] run a script
//! ssgm check FILE                                   compile a script without running it
//! ```
//!
//! `run` and `check` exit 0 on success and 1 with `file:line:column: message` (then the line
//! and a caret) on stderr; usage errors exit 2. `--timeout SECONDS` and `--allow DIR` set the
//! time limit and the folders a script may use (see [`LIMITS_HELP`]).

use super::console::{Console, Reply};
use super::types::TenantHandle;
use super::{check_source, contained, engine, run, Limits, RunOptions, Sandbox};
use crate::persist::snapshot;
use crate::store::Store;
use clap::{Args, Parser, Subcommand};
use rhai::Scope;
use rustyline::error::ReadlineError;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `--help` says about limits and files.
pub const LIMITS_HELP: &str = "\
Limits: each script (each console input) stops with a script error naming the limit when it
runs longer than --timeout (default 60 s), runs more than 100,000,000 operations (tenant calls
count one per item they take or return), nests calls more than 64 deep, builds a string over
16 MiB or an array or map over 1,000,000 items, passes a string over 1 MiB to a command, or
hands out a value nested more than 64 levels deep. sleep() takes at most a day and counts
against the time limit. Ctrl-C in the console stops the running input and keeps the variables.

Files: load, save, open, from_graph and graph_to_directory reach only files inside the
allowed folders: for `run`, the script's folder; for `console`, the current folder; and each
--allow DIR. Paths are resolved (.., symlinks) before the check; only regular files of at
most 256 MiB are read. --load and --save are yours, not the script's, and are not confined.";

#[derive(Parser)]
#[command(
    name = "ssgm",
    bin_name = "ssgm",
    version,
    about = "An executable model of Azure AD / Entra self-service group management, scripted in Rhai",
    after_help = LIMITS_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
}

/// A `--timeout`: a duration, or none for no limit.
#[derive(Clone, Copy)]
struct Seconds(Option<Duration>);

/// `--timeout`: seconds, or `none`.
fn parse_timeout(text: &str) -> Result<Seconds, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(Seconds(None));
    }
    let seconds: f64 = text.parse().map_err(|_| format!("{text:?} is not a number of seconds (or `none`)"))?;
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(format!("the timeout must be more than 0 seconds (or `none`), not {text}"));
    }
    Duration::try_from_secs_f64(seconds).map(|d| Seconds(Some(d))).map_err(|e| e.to_string())
}

#[derive(Args, Clone)]
struct Timeout {
    /// Wall-clock limit of the script (of each console input), in seconds, or `none`.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_timeout)]
    timeout: Seconds,
}

#[derive(Args, Clone)]
struct Allow {
    /// A folder the script may read and write files in, besides its own (repeatable).
    #[arg(long, value_name = "DIR")]
    allow: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Sub {
    /// Interactive console (the default); :help lists every function.
    #[command(after_help = LIMITS_HELP)]
    Console {
        /// Binds `tenant` to the tenant of this snapshot.
        #[arg(long, value_name = "SNAPSHOT")]
        load: Option<PathBuf>,
        #[command(flatten)]
        timeout: Timeout,
        #[command(flatten)]
        allow: Allow,
    },
    /// Runs a script: exit 0 on success, 1 with file:line:column: message on error.
    #[command(after_help = LIMITS_HELP)]
    Run {
        /// The script.
        file: PathBuf,
        /// Binds `tenant` to the tenant of this snapshot before the script runs.
        #[arg(long, value_name = "SNAPSHOT")]
        load: Option<PathBuf>,
        /// After the script, saves the tenant in its variable `tenant` to this snapshot.
        #[arg(long, value_name = "SNAPSHOT")]
        save: Option<PathBuf>,
        #[command(flatten)]
        timeout: Timeout,
        #[command(flatten)]
        allow: Allow,
        /// Show a spinner with the elapsed time while the script runs longer than a second
        /// (the default when stderr is a terminal).
        #[arg(long)]
        progress: bool,
    },
    /// Compiles a script without running it and reports the first syntax error.
    Check {
        /// The script.
        file: PathBuf,
        #[command(flatten)]
        timeout: Timeout,
    },
}

/// The options of a run: the default limits with `timeout`, and a sandbox of `folders`.
fn options(timeout: &Timeout, folders: Vec<PathBuf>) -> Result<RunOptions, String> {
    let sandbox = Sandbox::new(&folders).map_err(|e| format!("ssgm: {}", e.message()))?;
    Ok(RunOptions {
        limits: Limits { timeout: timeout.timeout.0, ..Limits::default() },
        sandbox,
        interrupt: None,
        progress: false,
    })
}

/// The whole CLI: `args` is the full argv (its first item, the program name, is ignored).
/// Returns the exit status.
pub fn cli_main(args: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version land here too, with status 0.
            let _ = err.print();
            return err.exit_code();
        }
    };
    let default = Sub::Console {
        load: None,
        timeout: Timeout { timeout: Seconds(Limits::default().timeout) },
        allow: Allow { allow: Vec::new() },
    };
    match cli.command.unwrap_or(default) {
        Sub::Console { load, timeout, allow } => {
            let mut folders = vec![PathBuf::from(".")];
            folders.extend(allow.allow);
            match options(&timeout, folders) {
                Ok(options) => console(load.as_deref(), options),
                Err(message) => report(Err(message)),
            }
        }
        Sub::Run { file, load, save, timeout, allow, progress } => {
            // The script's own folder, then those allowed.
            let own = match file.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let folders = std::iter::once(own).chain(allow.allow).collect();
            let progress = progress || std::io::IsTerminal::is_terminal(&std::io::stderr());
            report(
                options(&timeout, folders)
                    .map(|o| RunOptions { progress, ..o })
                    .and_then(|o| run_file(&file, load.as_deref(), save.as_deref(), &o)),
            )
        }
        Sub::Check { file, timeout: _ } => report(check_file(&file)),
    }
}

fn report(result: Result<(), String>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("{message}");
            1
        }
    }
}

fn read(file: &Path) -> Result<String, String> {
    std::fs::read_to_string(file).map_err(|e| format!("{}: cannot read the script: {e}", file.display()))
}

fn load_store(snapshot_path: &Path) -> Result<TenantHandle, String> {
    snapshot::load(snapshot_path)
        .map(|t| TenantHandle::new(Store::new(t)))
        .map_err(|e| format!("{}: {}", snapshot_path.display(), e.message()))
}

/// `ssgm run`: the script, on a thread of its own (a panic becomes an error message).
fn run_file(file: &Path, load: Option<&Path>, save: Option<&Path>, options: &RunOptions) -> Result<(), String> {
    let label = file.display().to_string();
    let source = read(file)?;
    let ran = contained(&label, || Ok(run_contained(&label, &source, load, save, options)));
    ran.map_err(|e| e.render(&source)).and_then(|r| r)
}

fn run_contained(
    label: &str,
    source: &str,
    load: Option<&Path>,
    save: Option<&Path>,
    options: &RunOptions,
) -> Result<(), String> {
    let engine = engine(&options.limits);
    let mut scope = Scope::new();
    if let Some(path) = load {
        scope.push("tenant", load_store(path)?);
    }
    // The script's value is not shown: scripts print their own report.
    let _ = run(&engine, &mut scope, source, label, options).map_err(|e| e.render(source))?;
    if let Some(path) = save {
        let tenant = scope
            .get_value::<TenantHandle>("tenant")
            .ok_or_else(|| format!("{label}: --save needs the script to leave a Tenant in the variable `tenant`"))?;
        tenant.store().read(|t| snapshot::save(t, path)).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
    }
    Ok(())
}

/// `ssgm check`.
fn check_file(file: &Path) -> Result<(), String> {
    let label = file.display().to_string();
    let source = read(file)?;
    check_source(&source, &label).map_err(|e| e.render(&source))?;
    println!("{label}: ok");
    Ok(())
}

fn history_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".ssgm_history"))
}

/// `ssgm console`: the terminal around a [`Console`]. Ctrl-C while an input runs stops it
/// (SIGINT sets the console's interrupt flag); Ctrl-C at the prompt drops the unfinished
/// input and keeps the session; Ctrl-D leaves.
fn console(load: Option<&Path>, options: RunOptions) -> i32 {
    let mut console = Console::with_options(options);
    let sigint = signal_hook::flag::register(signal_hook::consts::SIGINT, console.interrupter()).ok();
    let status = console_loop(&mut console, load);
    if let Some(id) = sigint {
        signal_hook::low_level::unregister(id);
    }
    status
}

fn console_loop(console: &mut Console, load: Option<&Path>) -> i32 {
    if let Some(path) = load {
        match console.load(&path.to_string_lossy(), "tenant") {
            Reply::Text(text) => println!("{text}"),
            Reply::Error(text) => {
                eprintln!("{text}");
                return 1;
            }
            _ => {}
        }
    }
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(editor) => editor,
        Err(err) => {
            eprintln!("ssgm: cannot start the console: {err}");
            return 1;
        }
    };
    let history = history_file();
    if let Some(path) = &history {
        // A missing or unreadable history is no reason not to start.
        let _ = editor.load_history(path);
    }
    println!("ssgm console: :help lists every function, :quit leaves");
    loop {
        match editor.readline(console.prompt()) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                match console.feed(&line) {
                    Reply::More | Reply::Value(None) => {}
                    Reply::Value(Some(value)) => println!("=> {value}"),
                    Reply::Text(text) => println!("{text}"),
                    Reply::Error(text) => eprintln!("{text}"),
                    Reply::Quit => break,
                }
            }
            // Ctrl-C at the prompt drops the unfinished input, never the session and its
            // variables; Ctrl-D (or :quit) leaves.
            Err(ReadlineError::Interrupted) => console.cancel(),
            Err(ReadlineError::Eof) => break,
            Err(err) => {
                eprintln!("ssgm: {err}");
                return 1;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    0
}

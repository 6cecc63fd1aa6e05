//! The `ssgm` command line, shared by the binary and `python -m ssgm`:
//!
//! ```text
//! ssgm [console] [--load SNAPSHOT]                  interactive console (the default)
//! ssgm run FILE [--load SNAPSHOT] [--save SNAPSHOT] run a script
//! ssgm check FILE                                   compile a script without running it
//! ```
//!
//! `run` and `check` exit 0 on success and 1 with `file:line:column: message` (then the line
//! and a caret) on stderr; usage errors exit 2.

use super::console::{Console, Reply};
use super::types::TenantHandle;
use super::{check_source, engine, run, Limits};
use crate::persist::snapshot;
use crate::store::Store;
use clap::{Parser, Subcommand};
use rhai::Scope;
use rustyline::error::ReadlineError;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "ssgm",
    bin_name = "ssgm",
    version,
    about = "An executable model of Azure AD / Entra self-service group management, scripted in Rhai"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Subcommand)]
enum Sub {
    /// Interactive console (the default); :help lists every function.
    Console {
        /// Binds `tenant` to the tenant of this snapshot.
        #[arg(long, value_name = "SNAPSHOT")]
        load: Option<PathBuf>,
    },
    /// Runs a script: exit 0 on success, 1 with file:line:column: message on error.
    Run {
        /// The script.
        file: PathBuf,
        /// Binds `tenant` to the tenant of this snapshot before the script runs.
        #[arg(long, value_name = "SNAPSHOT")]
        load: Option<PathBuf>,
        /// After the script, saves the tenant in its variable `tenant` to this snapshot.
        #[arg(long, value_name = "SNAPSHOT")]
        save: Option<PathBuf>,
    },
    /// Compiles a script without running it and reports the first syntax error.
    Check {
        /// The script.
        file: PathBuf,
    },
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
    match cli.command.unwrap_or(Sub::Console { load: None }) {
        Sub::Console { load } => console(load.as_deref()),
        Sub::Run { file, load, save } => report(run_file(&file, load.as_deref(), save.as_deref())),
        Sub::Check { file } => report(check_file(&file)),
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

/// `ssgm run`.
fn run_file(file: &Path, load: Option<&Path>, save: Option<&Path>) -> Result<(), String> {
    let label = file.display().to_string();
    let source = read(file)?;
    let limits = Limits::default();
    let engine = engine(&limits);
    let mut scope = Scope::new();
    if let Some(path) = load {
        scope.push("tenant", load_store(path)?);
    }
    // The script's value is not shown: scripts print their own report.
    let _ = run(&engine, &mut scope, &source, &label, &limits).map_err(|e| e.render(&source))?;
    if let Some(path) = save {
        let tenant = scope
            .get_value::<TenantHandle>("tenant")
            .ok_or_else(|| format!("{label}: --save needs the script to leave a Tenant in the variable `tenant`"))?;
        tenant
            .store()
            .read(|t| snapshot::save(t, path))
            .map_err(|e| format!("{}: {}", path.display(), e.message()))?;
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

/// `ssgm console`: the terminal around a [`Console`].
fn console(load: Option<&Path>) -> i32 {
    let mut console = Console::new();
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
            Err(ReadlineError::Interrupted) if console.is_pending() => console.cancel(),
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
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

//! Scripts stay contained: deep data, panics, runaway loops, sleeps, huge text and file access
//! end in a coded `script_error` or `io_error` (SPEC §9) naming the limit, never in a crash,
//! a hang or a file outside the script's folders.
#![cfg(feature = "scripting")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ssgm::scripting::console::{Console, Reply};
use ssgm::scripting::{run_script_with, Limits, RunOptions, Sandbox};
use ssgm::{Code, Store, Tenant};
use std::time::Duration;

fn quick() -> Limits {
    Limits { timeout: Some(Duration::from_millis(500)), ..Limits::default() }
}

fn opts(limits: Limits) -> RunOptions {
    RunOptions { limits, ..RunOptions::default() }
}

fn script_error(source: &str, options: &RunOptions) -> String {
    let err = run_script_with(source, Some("s.rhai"), None, options).unwrap_err();
    assert_eq!(err.code(), Some(Code::ScriptError), "{}", err.message());
    err.message().to_string()
}

fn error(reply: Reply) -> String {
    match reply {
        Reply::Error(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn value(reply: Reply) -> String {
    match reply {
        Reply::Value(Some(v)) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

// ----- deep data -------------------------------------------------------------------------------

#[test]
fn r9_a_value_nested_too_deep_for_json_is_a_script_error() {
    // Once a SIGSEGV of the host: 3000 levels leaving through run_script.
    let m = script_error("let a = []; for i in 0..3000 { a = [a]; } a", &RunOptions::default());
    assert!(m.contains("nested more than 64 levels deep cannot leave the script"), "{m}");
    let m = script_error("let a = #{}; for i in 0..3000 { a = #{ a: a }; } a", &RunOptions::default());
    assert!(m.contains("nested more than 64 levels"), "{m}");
    // 64 levels leave; the JSON keeps every one.
    let v = run_script_with("let a = 1; for i in 0..64 { a = [a]; } a", None, None, &RunOptions::default()).unwrap();
    let mut depth = 0;
    let mut at = &v;
    while let Some(inner) = at.as_array().and_then(|a| a.first()) {
        depth += 1;
        at = inner;
    }
    assert_eq!((depth, at.clone()), (64, serde_json::json!(1)));
}

#[test]
fn r8_4_a_deep_value_is_refused_before_it_reaches_a_command() {
    let store = Store::new(Tenant::new("x"));
    let source = r#"
        let admin = tenant.add_user("a@x.com", #{ roles: ["global_admin"] });
        let a = []; for i in 0..200 { a = [a]; }
        tenant.import_directory(#{ report: a })
    "#;
    let err = run_script_with(source, Some("d.rhai"), Some(store.clone()), &RunOptions::default()).unwrap_err();
    assert!(err.message().contains("cannot be passed to a command"), "{}", err.message());
    // The refused value never entered the history: only add_user is there.
    assert_eq!(store.read(|t| t.history().len()), 1);
}

#[test]
fn r9_the_console_shows_and_drops_very_deep_values() {
    let mut c = Console::new();
    let shown = value(c.feed("let a = []; for i in 0..6000 { a = [a]; } a"));
    assert!(shown.starts_with("[[[[") && shown.contains("[…]"), "{}", &shown[..80.min(shown.len())]);
    // Rhai's own printing of it, and dropping the console that holds it, do not overflow.
    assert_eq!(c.feed("let s = `${a}`; s.len() > 6000"), Reply::Value(Some("true".into())));
    drop(c);
}

// ----- sleep and panics --------------------------------------------------------------------------

#[test]
fn r9_sleep_is_bounded_and_never_panics() {
    // Rhai's sleep(1e300) panicked; sleep(i64::MAX) slept forever.
    for source in ["sleep(1e300)", "sleep(9223372036854775807)", "sleep(-1.0)", "sleep(0.0/0.0)"] {
        let m = script_error(source, &RunOptions::default());
        assert!(m.contains("sleep()"), "{source}: {m}");
    }
    // A sleep that would pass the time limit stops the script at once, naming the limit.
    let started = std::time::Instant::now();
    let m = script_error("sleep(30)", &opts(quick()));
    assert!(m.contains("time limit of 0.5 s"), "{m}");
    assert!(started.elapsed() < Duration::from_secs(10));
    run_script_with("sleep(0.01); sleep(0)", None, None, &RunOptions::default()).unwrap();
}

// ----- runaway scripts -----------------------------------------------------------------------------

#[test]
fn r9_the_wall_clock_stops_an_endless_loop() {
    let limits = Limits { operations: u64::MAX, ..quick() };
    let m = script_error("loop { }", &opts(limits));
    assert!(m.starts_with("s.rhai:1:"), "{m}");
    assert!(m.contains("time limit of 0.5 s"), "{m}");
    let m = script_error("let a = []; loop { a.push(1); }", &opts(limits));
    assert!(m.contains("time limit") || m.contains("script limit of"), "{m}");
}

#[test]
fn r9_tenant_calls_count_their_items_as_operations() {
    let mut c = Console::with_limits(Limits { operations: 200_000, ..Limits::default() });
    let _ = c.eval("let t = tenant(\"x\"); for i in 0..5000 { t.add_user(`u${i}@x.com`); }").unwrap();
    let e = error(c.feed("let n = 0; loop { t.users(); n += 1; }"));
    assert!(e.contains("more than 200000 operations"), "{e}");
    // 5000 users a call: the budget is spent in at most 40 calls, not 20k loop turns.
    let n: i64 = value(c.feed("n")).parse().unwrap();
    assert!(n <= 40, "{n} calls");
}

#[test]
fn r1_3_free_text_entering_a_command_is_capped() {
    let store = Store::new(Tenant::new("x"));
    let source = r#"let s = "x"; for i in 0..21 { s += s; } tenant.add_user("a@x.com", #{ display_name: s })"#;
    let err = run_script_with(source, None, Some(store.clone()), &RunOptions::default()).unwrap_err();
    assert!(err.message().contains("2097152 bytes is longer than the 1048576 bytes"), "{}", err.message());
    assert_eq!(store.read(|t| t.users().len()), 0);
}

#[test]
fn r9_an_interrupt_stops_the_running_input_and_keeps_the_state() {
    let mut c = Console::with_limits(Limits { timeout: None, operations: u64::MAX, ..Limits::default() });
    let flag = c.interrupter();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    assert_eq!(c.feed("let x = 0;"), Reply::Value(None));
    let e = error(c.feed("loop { x += 1; }"));
    setter.join().unwrap();
    assert!(e.contains("interrupted (Ctrl-C)"), "{e}");
    // The console goes on, with x as the loop left it.
    let x: i64 = value(c.feed("x")).parse().unwrap();
    assert!(x > 0);
    assert_eq!(value(c.feed("x > 0")), "true");
}

// ----- files ---------------------------------------------------------------------------------------

fn in_dir(dir: &std::path::Path) -> RunOptions {
    RunOptions::new(Sandbox::new([dir]).unwrap())
}

#[test]
fn r8_4_scripts_reach_files_only_inside_allowed_folders() {
    let root = tempfile::tempdir().unwrap();
    let mine = root.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    let outside = root.path().join("precious.json");
    std::fs::write(&outside, "keep").unwrap();
    let inside = mine.join("t.json");
    let save = |path: &std::path::Path, options: &RunOptions| {
        run_script_with(&format!("tenant(\"x\").save({:?})", path.display().to_string()), None, None, options)
    };
    save(&inside, &in_dir(&mine)).unwrap();
    let back = run_script_with(&format!("load({:?}).name", inside.display().to_string()), None, None, &in_dir(&mine));
    assert_eq!(back.unwrap(), serde_json::json!("x"));
    // `..` is resolved before the check.
    let sneaky = mine.join("..").join("precious.json");
    let err = save(&sneaky, &in_dir(&mine)).unwrap_err();
    assert_eq!(err.code(), Some(Code::ScriptError));
    assert!(
        err.message().contains("io_error") && err.message().contains("is outside the folders"),
        "{}",
        err.message()
    );
    assert!(err.message().contains(&std::fs::canonicalize(&mine).unwrap().display().to_string()));
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
    // No folder allowed: no file at all.
    let err = save(&inside, &RunOptions::default()).unwrap_err();
    assert!(err.message().contains("may not use files"), "{}", err.message());
    for call in ["open", "from_graph", "graph_to_directory", "load"] {
        let err = run_script_with(&format!("{call}({:?})", sneaky.display().to_string()), None, None, &in_dir(&mine))
            .unwrap_err();
        assert!(err.message().contains("is outside the folders"), "{call}: {}", err.message());
    }
}

#[test]
fn r8_4_a_file_that_is_not_a_snapshot_is_named_without_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("shadow");
    std::fs::write(&secret, "\"TOP-SECRET root:x:0:0\"").unwrap();
    let err = run_script_with(&format!("load({:?})", secret.display().to_string()), None, None, &in_dir(dir.path()))
        .unwrap_err();
    assert!(err.message().contains("corrupt_snapshot"), "{}", err.message());
    assert!(!err.message().contains("TOP-SECRET"), "{}", err.message());
    assert!(err.message().contains("line 1, column"), "{}", err.message());
}

#[cfg(unix)]
#[test]
fn r8_4_devices_and_links_out_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = run_script_with("load(\"/dev/zero\")", None, None, &RunOptions::new(Sandbox::new(["/dev"]).unwrap()))
        .unwrap_err();
    assert!(err.message().contains("not a regular file"), "{}", err.message());
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("users.json"), "{\"value\": []}").unwrap();
    std::os::unix::fs::symlink(outside.path().join("users.json"), dir.path().join("users.json")).unwrap();
    let err = run_script_with(
        &format!("from_graph({:?})", dir.path().display().to_string()),
        None,
        None,
        &in_dir(dir.path()),
    )
    .unwrap_err();
    assert!(err.message().contains("users.json is outside the folders"), "{}", err.message());
}

//! What keeps a running script contained: its wall-clock budget, the work tenant calls charge
//! to its operation budget, an interrupt flag (Ctrl-C in the console), the folders it may
//! touch, and the thread it runs on (a known, generous stack; a panic there becomes a
//! `script_error`, never a dead console or a Python `BaseException`).
//!
//! The state of a run lives in a thread-local set by [`RunGuard`]: the engine's `on_progress`
//! callback and the registered functions read it, so one engine serves any number of runs.

use super::sandbox::Sandbox;
use super::{Limits, ScriptError};
use rhai::{Dynamic, EvalAltResult, Position};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The stack of the thread a script runs on. Rhai walks nested values recursively (to check
/// their size, to print, compare and drop them); the array limit bounds the nesting a script
/// can build, and this stack holds the deepest such value.
pub const STACK_SIZE: usize = 256 << 20;

/// The longest single `sleep` (a day): anything longer is a mistake, even without a time limit.
pub const MAX_SLEEP_SECONDS: f64 = 86_400.0;

/// Why `on_progress` stopped a script (the value of Rhai's `ErrorTerminated`).
pub(crate) const STOP_TIME: &str = "ssgm: time limit";
pub(crate) const STOP_INTERRUPT: &str = "ssgm: interrupted";
pub(crate) const STOP_OPERATIONS: &str = "ssgm: operation limit";

/// How often (in operations) the clock is read: often enough to stop within milliseconds,
/// rarely enough to cost nothing.
const CLOCK_EVERY: u64 = 64;

struct Run {
    limits: Limits,
    charged: u64,
    deadline: Option<Instant>,
    interrupt: Option<Arc<AtomicBool>>,
    sandbox: Sandbox,
    spinner: Option<SpinnerState>,
}

/// A long run shows it is alive: after a second, a line on stderr with the elapsed time and
/// the operations so far, redrawn five times a second and cleared at the end.
struct SpinnerState {
    label: String,
    started: Instant,
    drawn: Option<Instant>,
    frame: usize,
}

const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// While alive, the running script of this thread shows [`SpinnerState`]'s line.
pub(crate) struct Spinner;

impl Spinner {
    pub(crate) fn start(label: &str) -> Spinner {
        with_run(|run| {
            if let Some(run) = run {
                run.spinner =
                    Some(SpinnerState { label: label.to_string(), started: Instant::now(), drawn: None, frame: 0 });
            }
        });
        Spinner
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        let drawn = with_run(|run| run.and_then(|r| r.spinner.take()).is_some_and(|s| s.drawn.is_some()));
        if drawn {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Clears the spinner's line, if one is drawn, before the script writes output.
pub(crate) fn clear_spinner_line() {
    let drawn = with_run(|run| run.and_then(|r| r.spinner.as_mut()).is_some_and(|s| s.drawn.take().is_some()));
    if drawn {
        eprint!("\r\x1b[2K");
    }
}

fn spin(state: &mut SpinnerState, ops: u64) {
    let now = Instant::now();
    let due = now.duration_since(state.started) >= Duration::from_secs(1)
        && state.drawn.is_none_or(|t| now.duration_since(t) >= Duration::from_millis(200));
    if due {
        state.drawn = Some(now);
        state.frame = (state.frame + 1) % FRAMES.len();
        let secs = now.duration_since(state.started).as_secs();
        eprint!("\r{} {}: {secs} s, {ops} operations", FRAMES[state.frame], state.label);
    }
}

thread_local! {
    static RUN: RefCell<Option<Run>> = const { RefCell::new(None) };
}

/// While alive, the current thread runs a script under these limits, with this sandbox and
/// interrupt flag; dropping it restores what was there before.
pub(crate) struct RunGuard {
    previous: Option<Run>,
}

impl RunGuard {
    /// Starts a run: its clock starts now, its charged work at zero, its interrupt cleared.
    pub(crate) fn enter(limits: &Limits, sandbox: &Sandbox, interrupt: Option<&Arc<AtomicBool>>) -> RunGuard {
        if let Some(flag) = interrupt {
            flag.store(false, Ordering::SeqCst);
        }
        let run = Run {
            limits: *limits,
            charged: 0,
            deadline: limits.timeout.and_then(|t| Instant::now().checked_add(t)),
            interrupt: interrupt.cloned(),
            sandbox: sandbox.clone(),
            spinner: None,
        };
        let previous = RUN.with(|r| r.borrow_mut().replace(run));
        RunGuard { previous }
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        RUN.with(|r| *r.borrow_mut() = previous);
    }
}

fn with_run<T>(f: impl FnOnce(Option<&mut Run>) -> T) -> T {
    RUN.with(|r| match r.try_borrow_mut() {
        Ok(mut run) => f(run.as_mut()),
        Err(_) => f(None),
    })
}

/// The engine's `on_progress`: stops the script when its operations plus the work charged by
/// tenant calls pass the limit, when it is interrupted, or when its time is up.
pub(crate) fn progress(ops: u64) -> Option<Dynamic> {
    with_run(|run| {
        let run = run?;
        if ops.saturating_add(run.charged) > run.limits.operations {
            return Some(STOP_OPERATIONS.into());
        }
        if run.interrupt.as_ref().is_some_and(|f| f.load(Ordering::Relaxed)) {
            return Some(STOP_INTERRUPT.into());
        }
        if ops % CLOCK_EVERY == 0 && run.deadline.is_some_and(|d| Instant::now() >= d) {
            return Some(STOP_TIME.into());
        }
        if ops % (CLOCK_EVERY * 64) == 0 {
            if let Some(state) = run.spinner.as_mut() {
                spin(state, ops.saturating_add(run.charged));
            }
        }
        None
    })
}

/// Charges `n` operations to the running script: the work of a tenant call (a list of 20k
/// users costs 20k). The next operation checks the budget.
pub(crate) fn charge(n: usize) {
    with_run(|run| {
        if let Some(run) = run {
            run.charged = run.charged.saturating_add(n as u64);
        }
    });
}

/// The limits of the running script (the defaults outside a run).
pub(crate) fn limits() -> Limits {
    with_run(|run| run.map(|r| r.limits).unwrap_or_default())
}

/// The folders the running script may touch (none outside a run).
pub(crate) fn sandbox() -> Sandbox {
    with_run(|run| run.map(|r| r.sandbox.clone()).unwrap_or_default())
}

fn stop(why: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorTerminated(why.into(), Position::NONE).into()
}

/// Rhai's `sleep`, replaced: a finite number of seconds, at most a day, counted against the
/// time limit (a sleep that would pass it stops the script at once) and cut short by an
/// interrupt.
pub(crate) fn sleep(seconds: f64) -> Result<(), Box<EvalAltResult>> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(super::convert::type_error(format!(
            "sleep() needs a finite number of seconds, at least 0, not {seconds}"
        )));
    }
    if seconds > MAX_SLEEP_SECONDS {
        return Err(super::convert::type_error(format!(
            "sleep() sleeps at most {MAX_SLEEP_SECONDS} seconds (a day), not {seconds}"
        )));
    }
    let start = Instant::now();
    let Some(end) = start.checked_add(Duration::from_secs_f64(seconds)) else {
        return Err(stop(STOP_TIME));
    };
    let (deadline, interrupt) = with_run(|run| run.map(|r| (r.deadline, r.interrupt.clone())).unwrap_or_default());
    if deadline.is_some_and(|d| end > d) {
        return Err(stop(STOP_TIME));
    }
    loop {
        if interrupt.as_ref().is_some_and(|f| f.load(Ordering::Relaxed)) {
            return Err(stop(STOP_INTERRUPT));
        }
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        std::thread::sleep((end - now).min(Duration::from_millis(20)));
    }
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".into()
    }
}

/// Runs `f` on a thread with [`STACK_SIZE`] of stack and waits for it; a panic in `f`
/// becomes the script error `label: internal error: …`. Where no thread can be started, `f`
/// runs here, its panics still caught.
pub(crate) fn contained<R: Send>(
    label: &str,
    f: impl FnOnce() -> Result<R, ScriptError> + Send,
) -> Result<R, ScriptError> {
    let internal = |payload: Box<dyn std::any::Any + Send>| {
        ScriptError::plain(label, format!("internal error: {} (please report it)", panic_text(&*payload)))
    };
    let job = Mutex::new(Some(f));
    let take = || job.lock().ok().and_then(|mut j| j.take());
    let on_thread = std::thread::scope(|s| {
        let spawned = std::thread::Builder::new()
            .name("ssgm-script".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, || take().map(|f| f()));
        match spawned {
            Ok(handle) => Some(handle.join().map_err(internal)),
            Err(_) => None,
        }
    });
    match on_thread {
        Some(Ok(Some(result))) => result,
        Some(Ok(None)) => Err(ScriptError::plain(label, "internal error: the script was not run")),
        Some(Err(err)) => Err(err),
        None => match take() {
            Some(f) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| Err(internal(p))),
            None => Err(ScriptError::plain(label, "internal error: the script was not run")),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_script_error() {
        let r: Result<(), ScriptError> = contained("x.rhai", || panic!("boom"));
        let e = r.unwrap_err();
        assert_eq!(e.to_string(), "x.rhai: internal error: boom (please report it)");
    }

    #[test]
    fn a_run_starts_with_nothing_charged_and_restores_the_previous_state() {
        let limits = Limits { operations: 10, ..Limits::default() };
        {
            let _g = RunGuard::enter(&limits, &Sandbox::default(), None);
            assert!(progress(1).is_none());
            charge(10);
            assert_eq!(progress(1).map(|d| d.to_string()), Some(STOP_OPERATIONS.to_string()));
        }
        // Outside a run nothing stops and nothing is charged.
        charge(100);
        assert!(progress(1_000_000).is_none());
    }
}

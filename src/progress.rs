//! Progress of long work (reading a large Graph export, a big import), reported to a sink the
//! caller installs for its own thread. Without a sink, a report costs one thread-local check.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let log = seen.clone();
//! ssgm::progress::with_sink(move |phase, done, total| log.lock().unwrap().push((phase.to_string(), done, total)), || {
//!     ssgm::progress::report("import", 1, 2);
//! });
//! assert_eq!(seen.lock().unwrap()[0], ("import".to_string(), 1, 2));
//! ```

use std::cell::RefCell;

/// A receiver of progress: phase (`"read"`, `"import"`), units done, units in all.
pub type Sink = Box<dyn FnMut(&str, u64, u64)>;

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// Installs `sink` for this thread (replacing any), returning the one it replaces.
pub fn set_sink(sink: Option<Sink>) -> Option<Sink> {
    SINK.with(|s| std::mem::replace(&mut *s.borrow_mut(), sink))
}

/// Runs `f` with `sink` installed for this thread, then puts back what was there.
pub fn with_sink<R>(sink: impl FnMut(&str, u64, u64) + 'static, f: impl FnOnce() -> R) -> R {
    let before = set_sink(Some(Box::new(sink)));
    let out = f();
    set_sink(before);
    out
}

/// Reports progress to this thread's sink, if any. A sink that reports again from inside is
/// not called twice (the nested report is dropped).
pub fn report(phase: &str, done: u64, total: u64) {
    SINK.with(|s| {
        if let Ok(mut sink) = s.try_borrow_mut() {
            if let Some(f) = sink.as_mut() {
                f(phase, done, total);
            }
        }
    });
}

/// How often long loops report: every this many units (and at the end).
pub const EVERY: u64 = 4096;

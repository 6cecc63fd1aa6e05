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

/// `sink` called at most ten times a second, plus every report that ends a phase (`done`
/// reaching `total`): what a person watching needs, whatever the face draws.
pub fn throttled(mut sink: impl FnMut(&str, u64, u64)) -> impl FnMut(&str, u64, u64) {
    let mut last: Option<std::time::Instant> = None;
    move |phase, done, total| {
        if done >= total || last.is_none_or(|t| t.elapsed() >= std::time::Duration::from_millis(100)) {
            last = Some(std::time::Instant::now());
            sink(phase, done, total);
        }
    }
}

/// How often long loops report: every this many units (and at the end).
pub const EVERY: u64 = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_passes_the_first_report_and_each_phases_last() {
        let mut seen = Vec::new();
        {
            let mut sink = throttled(|phase: &str, done, total| seen.push((phase.to_string(), done, total)));
            for done in 1..=1000 {
                sink("import", done, 1000);
            }
            sink("read", 5, 5);
        }
        assert_eq!(seen.first(), Some(&("import".to_string(), 1, 1000)));
        assert!(seen.contains(&("import".to_string(), 1000, 1000)) && seen.contains(&("read".to_string(), 5, 5)));
        assert!(seen.len() < 10, "{} reports passed in a burst", seen.len());
    }
}

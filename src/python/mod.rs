//! The Python face: the `ssgm._core` extension module behind the `ssgm` package.
//!
//! A thin face (STYLE habit 3): each method converts its arguments ([`conversion`]), calls
//! the core with the GIL released, and converts the result back into handles
//! ([`handles`]), records ([`records`]) or plain values. Refusals become the exception of
//! their family ([`exceptions`]); nothing here decides anything.

mod analysis;
mod conversion;
mod exceptions;
mod fast;
mod handles;
mod import_data;
mod records;
mod reviews;
mod tenant;

use exceptions::Raise;
use pyo3::prelude::*;

/// How `run_script` runs a script: the default limits with `timeout` seconds of wall clock
/// (`None`: no limit), and file access inside the `allow` folders only (none by default).
pub(crate) fn script_options(
    timeout: Option<f64>,
    allow: Option<Vec<std::path::PathBuf>>,
) -> crate::Result<crate::scripting::RunOptions> {
    use crate::error::{Code, Error};
    let timeout = match timeout {
        None => None,
        Some(t) if t.is_nan() || t <= 0.0 => {
            return Err(Error::new(
                Code::InvalidSetting,
                format!("run_script() timeout must be a number of seconds above 0, or None, not {t}"),
            ))
        }
        // Longer than a Duration holds: no limit in practice.
        Some(t) => std::time::Duration::try_from_secs_f64(t).ok(),
    };
    let sandbox = crate::scripting::Sandbox::new(allow.unwrap_or_default())?;
    let limits = crate::scripting::Limits { timeout, ..crate::scripting::Limits::default() };
    Ok(crate::scripting::RunOptions { limits, sandbox, interrupt: None, progress: false })
}

/// `run_script(source, *, path=None, timeout=60.0, allow=None)`: runs a Rhai script that
/// makes or loads its own tenant and returns its final value.
#[pyfunction]
#[pyo3(signature = (source, *, path=None, timeout=Some(60.0), allow=None), text_signature = "(source, *, path=None, timeout=60.0, allow=None)")]
fn run_script(
    py: Python<'_>,
    source: &str,
    path: Option<String>,
    timeout: Option<f64>,
    allow: Option<Vec<std::path::PathBuf>>,
) -> PyResult<Py<PyAny>> {
    let source = source.to_string();
    let value = py
        .detach(move || {
            let options = script_options(timeout, allow)?;
            crate::scripting::run_script_with(&source, path.as_deref(), None, &options)
        })
        .raise(py)?;
    Ok(conversion::to_py(py, &value)?.unbind())
}

/// `main(argv)`: the `ssgm` command line (`console`, `run FILE`, `check FILE`) for
/// `python -m ssgm`; returns the exit status.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<String>) -> i32 {
    let mut args = vec!["ssgm".to_string()];
    args.extend(argv);
    py.detach(move || crate::scripting::cli_main(args))
}

/// `catalogue()`: every command and query of a tenant, declared once in the core: name,
/// kind, parameters (name, type, default, keyword-only), Python signature, return type,
/// audit activity and doc. Rhai's `catalogue()` gives the same list.
#[pyfunction]
fn catalogue(py: Python<'_>) -> PyResult<Py<PyAny>> {
    Ok(conversion::to_py(py, &crate::catalogue::view())?.unbind())
}

/// `_set_progress(callback)`: installs `callback(phase, done, total)` (or none) as this
/// thread's receiver of the core's progress reports (`ssgm.progress()` is the friendly form).
/// Calls are at most ten a second, plus the last of each phase.
#[pyfunction]
fn _set_progress(callback: Option<Py<PyAny>>) {
    crate::progress::set_sink(callback.map(progress_sink));
}

/// A progress sink that calls a Python callable, throttled; its exceptions are not the core's.
pub(crate) fn progress_sink(callback: Py<PyAny>) -> crate::progress::Sink {
    Box::new(crate::progress::throttled(move |phase: &str, done: u64, total: u64| {
        Python::attach(|py| {
            if let Err(e) = callback.call1(py, (phase, done, total)) {
                e.print(py);
            }
        });
    }))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<tenant::Tenant>()?;
    m.add_class::<handles::User>()?;
    m.add_class::<handles::Group>()?;
    m.add_class::<handles::Resource>()?;
    m.add_class::<handles::Request>()?;
    m.add_class::<records::Settings>()?;
    m.add_class::<records::Decision>()?;
    m.add_class::<records::Access>()?;
    m.add_class::<records::AccessPanel>()?;
    m.add_class::<records::AuditEntry>()?;
    m.add_class::<records::ProvisioningEvent>()?;
    m.add_class::<analysis::Capability>()?;
    m.add_class::<analysis::Route>()?;
    m.add_class::<analysis::Step>()?;
    m.add_class::<analysis::Exposure>()?;
    m.add_class::<analysis::Gatekeeper>()?;
    m.add_class::<analysis::Diff>()?;
    m.add_class::<analysis::Gains>()?;
    m.add_class::<analysis::Changes>()?;
    m.add_function(wrap_pyfunction!(tenant::diff, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::_exposure_html, m)?)?;
    m.add_class::<records::Notification>()?;
    m.add_class::<records::DeletedGroup>()?;
    // §14
    m.add_class::<handles::Review>()?;
    m.add_class::<reviews::AccessReviewDecision>()?;
    // §15
    m.add_class::<handles::AccessPackage>()?;
    m.add_class::<handles::PackagePolicy>()?;
    m.add_class::<handles::PackageRequest>()?;
    m.add_class::<handles::PackageAssignment>()?;
    m.add_class::<records::ApprovalStage>()?;
    m.add_class::<records::StageDecision>()?;
    m.add_class::<records::Drift>()?;
    exceptions::register(m)?;
    m.add_function(wrap_pyfunction!(tenant::graph_to_directory, m)?)?;
    m.add_function(wrap_pyfunction!(tenant::_tenant_from_snapshot, m)?)?;
    m.add_function(wrap_pyfunction!(records::_record, m)?)?;
    m.add_function(wrap_pyfunction!(run_script, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(catalogue, m)?)?;
    m.add_function(wrap_pyfunction!(_set_progress, m)?)?;
    Ok(())
}

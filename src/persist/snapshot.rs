//! Snapshots: a tenant's name, state and history in one JSON file, written atomically (temp
//! file, fsync, rename). Loading reads the state (fast: no replay) and keeps the history, so
//! `events`, `replay` and forks go on as before (R-8.4). A snapshot without a `state` (written
//! by hand, say) is loaded by replaying its history.
//!
//! ```json
//! {"format": "ssgm-snapshot", "version": 1, "name": "contoso", "import_report": null,
//!  "history": [{"op": "add_user", "upn": "admin@contoso.com", ...}, ...],
//!  "state": {"settings": {...}, "users": [...], "groups": [...], ...}}
//! ```

use super::state::State;
use super::{io_error, journal};
use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::tenant::Tenant;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The format name written in every snapshot.
pub const FORMAT: &str = "ssgm-snapshot";
/// The snapshot format version this build writes and reads.
pub const VERSION: u64 = 1;

#[derive(Serialize)]
struct SnapshotOut<'a> {
    format: &'static str,
    version: u64,
    name: &'a str,
    import_report: Option<&'a Value>,
    history: &'a [Command],
    state: State,
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotIn {
    format: Option<String>,
    version: Option<Value>,
    name: String,
    #[serde(default)]
    import_report: Option<Value>,
    history: Vec<crate::command::FastCommand>,
    #[serde(default)]
    state: Option<State>,
}

/// `corrupt_snapshot` unless the format is ours, `unsupported_version` unless the version is.
fn check_header(format: Option<&str>, version: Option<&Value>, origin: &str) -> Result<()> {
    if format != Some(FORMAT) {
        return Err(Error::new(
            Code::CorruptSnapshot,
            format!("{origin} is not an ssgm snapshot (no \"format\": \"{FORMAT}\")"),
        ));
    }
    if version.and_then(Value::as_u64) != Some(VERSION) {
        let shown = version.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
        return Err(Error::new(
            Code::UnsupportedVersion,
            format!("{origin} has snapshot version {shown}; this build reads version {VERSION}"),
        ));
    }
    Ok(())
}

/// The snapshot of `tenant` as JSON bytes.
pub fn to_bytes(tenant: &Tenant) -> Result<Vec<u8>> {
    let out = SnapshotOut {
        format: FORMAT,
        version: VERSION,
        name: tenant.name(),
        import_report: tenant.import_report(),
        history: tenant.history(),
        state: State::of(tenant),
    };
    serde_json::to_vec(&out).map_err(|e| Error::new(Code::IoError, format!("cannot encode snapshot: {e}")))
}

/// Reads a snapshot from bytes: `corrupt_snapshot` with the position for damaged input,
/// `unsupported_version` for a newer or unknown version.
pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Tenant> {
    let corrupt = |e: serde_json::Error| {
        Error::new(
            Code::CorruptSnapshot,
            format!("{origin} is not a valid snapshot: {e} (line {}, column {})", e.line(), e.column()),
        )
    };
    // One parse in the usual case; the header alone is read only to explain a failure (a
    // newer version's body may not fit this build's shape).
    // Checking the UTF-8 once, up front, spares the parser checking every string.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str::<SnapshotIn>(text),
        Err(_) => serde_json::from_slice::<SnapshotIn>(bytes),
    };
    let snap: SnapshotIn = match parsed {
        Ok(snap) => {
            check_header(snap.format.as_deref(), snap.version.as_ref(), origin)?;
            snap
        }
        Err(e) => {
            if let Ok(header) = serde_json::from_slice::<Header>(bytes) {
                check_header(header.format.as_deref(), header.version.as_ref(), origin)?;
            }
            return Err(corrupt(e));
        }
    };
    let history: Vec<Command> = snap.history.into_iter().map(|c| c.0).collect();
    let mut tenant = match snap.state {
        Some(state) => {
            let mut t = state.into_tenant(&snap.name)?;
            t.history = history;
            t
        }
        None => Tenant::replay(history, None, &snap.name),
    };
    tenant.set_import_report(snap.import_report);
    Ok(tenant)
}

/// Tells temp files of one process apart, so concurrent saves to one path never collide.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Why `path` may not be replaced by a saved file, if so; else the permissions of the
/// regular file there (kept by the new one), if any. Symbolic links, FIFOs, devices and
/// directories are refused (they would be replaced by a regular file, or block), as is the
/// journal of an open tenant (saving over it would destroy that tenant's journal).
fn replaceable(path: &Path) -> Result<Option<std::fs::Permissions>> {
    let refuse = |why: &str| Error::new(Code::IoError, format!("{}: {why}; nothing was written", path.display()));
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, &e)),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(refuse("is a symbolic link; save replaces only regular files (name the file it points to)"));
    }
    if !kind.is_file() {
        return Err(refuse(
            "is not a regular file (a directory, FIFO, socket or device); save writes only regular files",
        ));
    }
    if journal::is_open_journal(path) {
        return Err(refuse("is the journal of a tenant open in this process; a snapshot saved over it would destroy the journal (save to another path)"));
    }
    if journal::is_locked(path) {
        return Err(refuse("is locked: it is the journal of a tenant open in another process (save to another path)"));
    }
    Ok(Some(meta.permissions()))
}

/// Writes bytes atomically: a temp file of its own beside `path`, fsync, rename, fsync of
/// the folder. The file replaced keeps its permission bits; see [`replaceable`] for what is
/// refused (`io_error`, nothing written).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let kept = replaceable(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "snapshot".into());
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{file_name}.{}.{n}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(perms) = &kept {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            // Never readable by more than the file it replaces, not even for a moment.
            options.mode(perms.mode() & 0o7777);
        }
        let mut f = options.open(&tmp)?;
        if let Some(perms) = kept {
            // The umask may have narrowed the mode at creation.
            f.set_permissions(perms)?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(path, &e));
    }
    Ok(())
}

/// Saves a snapshot of `tenant` at `path`, atomically.
pub fn save(tenant: &Tenant, path: &Path) -> Result<()> {
    write_atomic(path, &to_bytes(tenant)?)
}

/// Loads the snapshot at `path`.
pub fn load(path: &Path) -> Result<Tenant> {
    let bytes = super::read_regular(path).map_err(|e| io_error(path, &e))?;
    from_bytes(&bytes, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r8_4_garbage_is_a_corrupt_snapshot_with_a_position() {
        let err = from_bytes(b"{\"format\": \"ssgm-snapshot\",\n  \"version\": 1, oops", "x.json").err();
        assert_eq!(err.as_ref().and_then(|e| e.code()), Some(Code::CorruptSnapshot));
        assert!(err.map(|e| e.message().contains("line 2")).unwrap_or(false));
    }

    #[test]
    fn r8_4_newer_versions_are_unsupported() {
        let err = from_bytes(br#"{"format": "ssgm-snapshot", "version": 99, "name": "x", "history": []}"#, "x").err();
        assert_eq!(err.and_then(|e| e.code()), Some(Code::UnsupportedVersion));
        let err = from_bytes(br#"{"format": "other", "version": 1}"#, "x").err();
        assert_eq!(err.and_then(|e| e.code()), Some(Code::CorruptSnapshot));
        let err = from_bytes(b"[1,2]", "x").err();
        assert_eq!(err.and_then(|e| e.code()), Some(Code::CorruptSnapshot));
    }
}

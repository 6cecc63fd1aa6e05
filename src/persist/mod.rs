//! Files: atomic snapshots and the append-only journal.

pub mod journal;
pub mod snapshot;
pub mod state;

use crate::error::{Code, Error};
use std::path::Path;

/// The bytes of the regular file at `path` (symbolic links followed). A FIFO, a device or a
/// folder is refused before it is opened, so that reading can neither block for ever nor
/// run without end (`/dev/zero`).
pub(crate) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
    }
    std::fs::read(path)
}

pub(crate) fn io_error(path: &Path, err: &std::io::Error) -> Error {
    Error::new(Code::IoError, format!("{}: {err}", path.display()))
}

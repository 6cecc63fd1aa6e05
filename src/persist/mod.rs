//! Files: atomic snapshots and the append-only journal.

pub mod journal;
pub mod snapshot;
pub mod state;

use crate::error::{Code, Error};
use std::path::Path;

pub(crate) fn io_error(path: &Path, err: &std::io::Error) -> Error {
    Error::new(Code::IoError, format!("{}: {err}", path.display()))
}

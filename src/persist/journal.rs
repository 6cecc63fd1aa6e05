//! The durable journal behind `Tenant.open`: an append-only file with one history
//! entry per line, each line `<crc32 as 8 hex digits> <json>\n`.
//!
//! * Every entry (refused commands and clock moves too, so the audit log replays the same)
//!   is written and, under the default [`SyncPolicy::Always`], fsynced before the command
//!   returns.
//! * On open, a torn last record (a crash mid-write: no final newline, or a damaged final
//!   line) is truncated away and reported; a damaged record anywhere else refuses the open
//!   with `corrupt_journal` naming its line, changing nothing.
//! * The file is locked exclusively (`flock`) while open, so a second writer is refused.

use super::io_error;
use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::tenant::Tenant;
use fs2::FileExt;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The format name in a journal's first line.
pub const FORMAT: &str = "ssgm-journal";
/// The journal format version this build writes and reads.
pub const VERSION: u64 = 1;

/// When appended entries reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPolicy {
    /// fsync after every entry: an acknowledged command survives a power cut (default).
    #[default]
    Always,
    /// Leave flushing to the operating system: survives a process crash, not a power cut.
    Never,
}

impl SyncPolicy {
    /// The policy named `always` or `never`.
    pub fn parse(name: &str) -> Option<SyncPolicy> {
        match name {
            "always" => Some(SyncPolicy::Always),
            "never" => Some(SyncPolicy::Never),
            _ => None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u64,
    name: String,
}

/// An open, locked journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    sync: SyncPolicy,
}

/// What opening a journal found.
#[derive(Debug)]
pub struct Opened {
    /// The tenant its history replays to.
    pub tenant: Tenant,
    /// The journal, ready for appends.
    pub journal: Journal,
    /// A note when a torn last record was truncated.
    pub recovered: Option<String>,
}

fn line_of(json: &[u8]) -> Vec<u8> {
    let mut out = format!("{:08x} ", crc32fast::hash(json)).into_bytes();
    out.extend_from_slice(json);
    out.push(b'\n');
    out
}

/// The JSON of a line if its checksum holds.
fn payload(line: &[u8]) -> Option<&[u8]> {
    let (crc, rest) = (line.get(..8)?, line.get(8..)?);
    let json = rest.strip_prefix(b" ")?;
    let crc = u32::from_str_radix(std::str::from_utf8(crc).ok()?, 16).ok()?;
    (crc32fast::hash(json) == crc).then_some(json)
}

impl Journal {
    /// Opens (or creates) the journal at `path`, replays it, and locks it for writing.
    pub fn open(path: &Path, name: &str, sync: SyncPolicy) -> Result<Opened> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| io_error(path, &e))?;
        if file.try_lock_exclusive().is_err() {
            return Err(Error::new(
                Code::IoError,
                format!("{} is open for writing elsewhere (it is locked)", path.display()),
            ));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| io_error(path, &e))?;
        let shown = path.display().to_string();
        let corrupt = |line: usize, why: &str| {
            Error::new(Code::CorruptJournal, format!("{shown}: line {line} is damaged ({why})"))
        };

        // Split into complete lines; a trailing piece without a newline is a torn write.
        let mut lines: Vec<(usize, &[u8])> = Vec::new();
        let mut start = 0;
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                lines.push((start, bytes.get(start..i).unwrap_or(&[])));
                start = i + 1;
            }
        }
        let mut keep_len = start;
        let mut recovered = (start < bytes.len())
            .then(|| format!("{shown}: a torn last record ({} bytes) was truncated", bytes.len() - start));

        let mut header: Option<Header> = None;
        let mut history: Vec<Command> = Vec::new();
        let count = lines.len();
        for (n, (offset, line)) in lines.iter().enumerate() {
            let number = n + 1;
            let last = number == count && recovered.is_none();
            let parsed = payload(line).ok_or("checksum mismatch");
            let parsed = match (n, parsed) {
                (0, Ok(json)) => serde_json::from_slice::<Header>(json).map(|h| header = Some(h)).map_err(|_| "not a journal header"),
                (_, Ok(json)) => serde_json::from_slice::<crate::command::FastCommand>(json).map(|c| history.push(c.0)).map_err(|_| "not a history entry"),
                (_, Err(e)) => Err(e),
            };
            if let Err(why) = parsed {
                if last {
                    keep_len = *offset;
                    recovered = Some(format!("{shown}: a torn last record (line {number}) was truncated"));
                    break;
                }
                return Err(corrupt(number, why));
            }
        }
        let name = match &header {
            Some(h) if h.format != FORMAT => {
                return Err(Error::new(Code::CorruptJournal, format!("{shown}: line 1 is not an ssgm journal header")))
            }
            Some(h) if h.version != VERSION => {
                return Err(Error::new(
                    Code::UnsupportedVersion,
                    format!("{shown} has journal version {}; this build reads version {VERSION}", h.version),
                ))
            }
            Some(h) => h.name.clone(),
            None => name.to_string(),
        };
        let mut journal = Journal { path: path.to_path_buf(), file, sync };
        if keep_len < bytes.len() {
            journal.file.set_len(keep_len as u64).map_err(|e| io_error(path, &e))?;
        }
        journal.file.seek(SeekFrom::Start(keep_len as u64)).map_err(|e| io_error(path, &e))?;
        if header.is_none() {
            let h = Header { format: FORMAT.into(), version: VERSION, name: name.clone() };
            let json = serde_json::to_vec(&h).map_err(|e| Error::new(Code::IoError, e.to_string()))?;
            journal.write_line(&json)?;
        }
        let tenant = Tenant::replay(history, None, &name);
        Ok(Opened { tenant, journal, recovered })
    }

    fn write_line(&mut self, json: &[u8]) -> Result<()> {
        let line = line_of(json);
        self.file.write_all(&line).map_err(|e| io_error(&self.path, &e))?;
        if self.sync == SyncPolicy::Always {
            self.file.sync_data().map_err(|e| io_error(&self.path, &e))?;
        }
        Ok(())
    }

    /// Appends one history entry; durable when this returns (under [`SyncPolicy::Always`]).
    pub fn append(&mut self, cmd: &Command) -> Result<()> {
        let json = serde_json::to_vec(cmd).map_err(|e| Error::new(Code::IoError, e.to_string()))?;
        self.write_line(&json)
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

//! The durable journal behind `Tenant.open` (R-8.4): an append-only file with one history
//! entry per line. Version 2 chains its records:
//!
//! ```text
//! <crc32 of the rest, 8 hex digits> <sequence number> <crc32 of the previous record> <json>\n
//! ```
//!
//! The first record (sequence number 0, previous checksum `00000000`) is the header
//! `{"format": "ssgm-journal", "version": 2, "name": …}`; record `n` is line `n + 1`.
//!
//! * Every entry (refused commands and clock moves too, so the audit log replays the same)
//!   is written and, under the default [`SyncPolicy::Always`], fsynced before the command
//!   takes effect (see [`crate::Store::execute`]). A write that fails is cut off again, so
//!   the file stays a whole journal; if even that fails the journal refuses every later write.
//! * On open, only a torn last record (a crash mid-write: the final piece has no newline) is
//!   cut off; its bytes are appended to `<journal>.torn` first, and the open reports it. Any
//!   other damage, a record whose checksum fails, a record out of sequence (a line deleted,
//!   duplicated or moved) or one that does not follow its predecessor's checksum, refuses the
//!   open with `corrupt_journal` naming its line, changing nothing. A file that does not start
//!   with a journal header (a snapshot, say) is refused the same way and left as it is; an
//!   empty file becomes a new journal.
//! * A version 1 journal (`<crc32 of json> <json>` lines, no chain) is read and rewritten as
//!   version 2 in one atomic step on open.
//! * The file is locked exclusively (`flock`) while open, so a second writer is refused; a
//!   process forked from the one that opened it may not write to it. Open journals are
//!   registered, so a snapshot is never saved over one (see [`is_open_journal`]).

use super::io_error;
use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::tenant::Tenant;
use fs2::FileExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The format name in a journal's first line.
pub const FORMAT: &str = "ssgm-journal";
/// The journal format version this build writes (it also reads version 1).
pub const VERSION: u64 = 2;

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

    /// The policy a face's `fsync=` names; another word is `invalid_setting`, in every face.
    pub fn named(name: &str) -> Result<SyncPolicy> {
        SyncPolicy::parse(name).ok_or_else(|| {
            Error::new(Code::InvalidSetting, format!("fsync must be \"always\" or \"never\", not {name:?}"))
        })
    }
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    format: &'a str,
    version: u64,
    name: &'a str,
}

#[derive(Deserialize)]
struct HeaderIn {
    format: Option<String>,
    version: Option<Value>,
    name: Option<String>,
}

/// Faults to inject into a journal's writes, for testing what a full or failing disk does.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// Bytes that may still be written; a write beyond them writes what fits and fails.
    pub write_budget: Option<u64>,
    /// Cutting a failed record off fails too.
    pub fail_truncate: bool,
}

/// The canonical paths of the journals open in this process.
static OPEN: parking_lot::Mutex<BTreeSet<PathBuf>> = parking_lot::const_mutex(BTreeSet::new());

/// Whether `path` is the journal of a tenant open in this process.
pub fn is_open_journal(path: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|p| OPEN.lock().contains(&p))
}

/// Whether the regular file at `path` is locked by a journal open in any process (a lock
/// cannot be probed without opening the file, so call this only for regular files).
pub fn is_locked(path: &Path) -> bool {
    let Ok(file) = File::open(path) else { return false };
    match FileExt::try_lock_shared(&file) {
        Ok(()) => {
            let _ = FileExt::unlock(&file);
            false
        }
        Err(e) => e.raw_os_error() == fs2::lock_contended_error().raw_os_error(),
    }
}

/// Locks `file` exclusively, waiting a moment for a lock that is about to go: a process
/// being spawned holds copies of its parent's files (and so their locks) until it starts
/// its program, so a journal just closed may still be locked for a few milliseconds.
fn lock_soon(file: &File) -> bool {
    for _ in 0..40 {
        if file.try_lock_exclusive().is_ok() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    file.try_lock_exclusive().is_ok()
}

/// An open, locked journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    /// The canonical path under which the journal is registered.
    key: Option<PathBuf>,
    file: File,
    sync: SyncPolicy,
    /// The length of the whole records written.
    len: u64,
    /// The sequence number of the next record.
    seq: u64,
    /// The checksum of the last record.
    prev: u32,
    /// The process that opened the journal (and holds its lock).
    pid: u32,
    /// Why the journal refuses writes, once a failed write could not be cut off.
    broken: Option<String>,
    faults: Faults,
}

/// What opening a journal found.
#[derive(Debug)]
pub struct Opened {
    /// The tenant its history replays to.
    pub tenant: Tenant,
    /// The journal, ready for appends.
    pub journal: Journal,
    /// A note when a torn last record was cut off (and where its bytes were kept).
    pub recovered: Option<String>,
}

/// A version 2 record: the line and its checksum.
fn record(seq: u64, prev: u32, json: &[u8]) -> (Vec<u8>, u32) {
    let body_start = 9;
    let mut out = Vec::with_capacity(json.len() + 40);
    out.extend_from_slice(b"00000000 ");
    out.extend_from_slice(format!("{seq} {prev:08x} ").as_bytes());
    out.extend_from_slice(json);
    let crc = crc32fast::hash(out.get(body_start..).unwrap_or(&[]));
    out.splice(..8, format!("{crc:08x}").into_bytes());
    out.push(b'\n');
    (out, crc)
}

fn hex32(bytes: &[u8]) -> Option<u32> {
    if bytes.len() != 8 {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(bytes).ok()?, 16).ok()
}

/// A line's checksum and the rest of it, if the checksum holds.
fn checked(line: &[u8]) -> Option<(u32, &[u8])> {
    let crc = hex32(line.get(..8)?)?;
    let rest = line.get(8..)?.strip_prefix(b" ")?;
    (crc32fast::hash(rest) == crc).then_some((crc, rest))
}

/// The sequence number, previous checksum and JSON of a version 2 record's checked rest.
fn chained(rest: &[u8]) -> Option<(u64, u32, &[u8])> {
    let space = rest.iter().position(|b| *b == b' ')?;
    let seq_text = std::str::from_utf8(rest.get(..space)?).ok()?;
    if seq_text.is_empty() || !seq_text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seq = seq_text.parse().ok()?;
    let prev = hex32(rest.get(space + 1..space + 9)?)?;
    let json = rest.get(space + 9..)?.strip_prefix(b" ")?;
    Some((seq, prev, json))
}

/// Whether bytes with no newline are the start of a header this build writes (a crash while
/// creating a journal): at least its checksum, sequence number, link and opening brace, so
/// that no other file is ever taken for one.
fn torn_header(bytes: &[u8]) -> bool {
    let skeleton = format!("######## 0 00000000 {{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"name\":");
    bytes.len() >= 21
        && bytes.iter().zip(skeleton.bytes()).all(|(b, s)| if s == b'#' { b.is_ascii_hexdigit() } else { *b == s })
}

fn header_json(name: &str) -> Result<Vec<u8>> {
    serde_json::to_vec(&HeaderOut { format: FORMAT, version: VERSION, name })
        .map_err(|e| Error::new(Code::IoError, format!("cannot encode a journal header: {e}")))
}

/// Appends `bytes` to `<path>.torn` and syncs it: torn bytes are kept, never lost.
fn keep_torn(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let mut name = path.as_os_str().to_os_string();
    name.push(".torn");
    let aside = PathBuf::from(name);
    let result = OpenOptions::new().create(true).append(true).open(&aside).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    result.map_err(|e| {
        Error::new(
            Code::IoError,
            format!(
                "{}: cannot keep its torn last record in {}: {e}; nothing was changed",
                path.display(),
                aside.display()
            ),
        )
    })?;
    Ok(aside)
}

/// The header and entries of a journal's complete lines, or the damage that refuses it.
struct Parsed {
    name: String,
    version: u64,
    history: Vec<Command>,
    /// Where the JSON of every line is (the header's first), for rewriting a version 1 journal.
    payloads: Vec<(usize, usize)>,
    seq: u64,
    prev: u32,
}

fn parse(bytes: &[u8], lines: &[(usize, usize)], shown: &str) -> Result<Parsed> {
    let corrupt =
        |line: usize, why: &str| Error::new(Code::CorruptJournal, format!("{shown}: line {line} is damaged ({why})"));
    let not_a_journal = || {
        Error::new(
            Code::CorruptJournal,
            format!("{shown} does not start with an ssgm journal header (is it a journal?); it was left as it is"),
        )
    };
    let line_at = |(start, end): (usize, usize)| bytes.get(start..end).unwrap_or(&[]);
    let Some(first) = lines.first() else { return Err(not_a_journal()) };
    let (crc, rest) = checked(line_at(*first)).ok_or_else(not_a_journal)?;
    // Version 1 puts the JSON right after the checksum; version 2 a sequence number first.
    let (version, json) = if rest.first() == Some(&b'{') {
        (1, rest)
    } else {
        match chained(rest) {
            Some((0, 0, json)) => (2, json),
            _ => return Err(not_a_journal()),
        }
    };
    let header: HeaderIn = serde_json::from_slice(json).map_err(|_| not_a_journal())?;
    if header.format.as_deref() != Some(FORMAT) {
        return Err(not_a_journal());
    }
    let stated = header.version.as_ref().and_then(Value::as_u64);
    if stated != Some(version) {
        let shown_version = header.version.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
        return Err(Error::new(
            Code::UnsupportedVersion,
            format!("{shown} has journal version {shown_version}; this build reads versions 1 and {VERSION}"),
        ));
    }
    let base = first.0 + (line_at(*first).len() - json.len());
    let mut payloads = vec![(base, base + json.len())];
    let mut history = Vec::with_capacity(lines.len());
    let mut prev = crc;
    for (n, span) in lines.iter().enumerate().skip(1) {
        let number = n + 1;
        let line = line_at(*span);
        let (crc, rest) = checked(line).ok_or_else(|| corrupt(number, "checksum mismatch"))?;
        let json = if version == 1 {
            rest
        } else {
            let (seq, link, json) = chained(rest).ok_or_else(|| corrupt(number, "not a journal record"))?;
            if seq != n as u64 {
                return Err(corrupt(
                    number,
                    &format!("record {seq} where record {n} belongs: a line was deleted, duplicated or moved"),
                ));
            }
            if link != prev {
                return Err(corrupt(number, "it does not follow the record before it: a line was replaced"));
            }
            json
        };
        let cmd = serde_json::from_slice::<crate::command::FastCommand>(json)
            .map_err(|e| corrupt(number, &format!("not a history entry: {e}")))?;
        history.push(cmd.0);
        let start = span.0 + (line.len() - json.len());
        payloads.push((start, start + json.len()));
        prev = crc;
    }
    Ok(Parsed { name: header.name.unwrap_or_default(), version, history, seq: lines.len() as u64, prev, payloads })
}

impl Journal {
    /// [`Journal::open`] as `Tenant.open(path)` does it in every face: a new journal's tenant
    /// is named after its file.
    pub fn open_file(path: &Path, sync: SyncPolicy) -> Result<Opened> {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "journal".into());
        Journal::open(path, &name, sync)
    }

    /// Opens (or creates) the journal at `path`, replays it, and locks it for writing.
    pub fn open(path: &Path, name: &str, sync: SyncPolicy) -> Result<Opened> {
        let shown = path.display().to_string();
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_file() {
                return Err(Error::new(
                    Code::IoError,
                    format!(
                        "{shown} is not a regular file (a directory, FIFO, socket or device); a journal must be one"
                    ),
                ));
            }
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| io_error(path, &e))?;
        if !lock_soon(&file) {
            return Err(Error::new(Code::IoError, format!("{shown} is open for writing elsewhere (it is locked)")));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| io_error(path, &e))?;

        // Complete lines; a trailing piece without a newline is a torn write.
        let mut lines: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                lines.push((start, i));
                start = i + 1;
            }
        }
        let tail = bytes.get(start..).unwrap_or(&[]);
        let fresh = lines.is_empty() && (tail.is_empty() || torn_header(tail));
        let parsed = if fresh { None } else { Some(parse(&bytes, &lines, &shown)?) };
        let mut recovered = None;
        if !tail.is_empty() {
            let aside = keep_torn(path, tail)?;
            recovered = Some(format!(
                "{shown}: a torn last record (line {}, {} bytes) was cut off and kept in {}",
                lines.len() + 1,
                tail.len(),
                aside.display()
            ));
        }
        let mut journal = Journal {
            path: path.to_path_buf(),
            key: None,
            file,
            sync,
            len: start as u64,
            seq: 0,
            prev: 0,
            pid: std::process::id(),
            broken: None,
            faults: Faults::default(),
        };
        if !tail.is_empty() {
            journal.cut_to(start as u64).map_err(|e| io_error(path, &e))?;
        } else {
            journal.file.seek(SeekFrom::Start(start as u64)).map_err(|e| io_error(path, &e))?;
        }
        let (name, history) = match parsed {
            None => {
                journal.write_record(&header_json(name)?)?;
                (name.to_string(), Vec::new())
            }
            Some(p) if p.version == 1 => {
                journal.rewrite(&bytes, &p)?;
                (p.name, p.history)
            }
            Some(p) => {
                journal.seq = p.seq;
                journal.prev = p.prev;
                (p.name, p.history)
            }
        };
        if let Ok(key) = std::fs::canonicalize(&journal.path) {
            OPEN.lock().insert(key.clone());
            journal.key = Some(key);
        }
        let tenant = Tenant::replay(history, None, &name);
        Ok(Opened { tenant, journal, recovered })
    }

    /// Rewrites a version 1 journal as version 2, atomically: the new file is written beside
    /// it, synced and locked, then renamed over it (the old one stays locked until then).
    fn rewrite(&mut self, bytes: &[u8], parsed: &Parsed) -> Result<()> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{file_name}.{}.v{VERSION}.tmp", std::process::id()));
        let shown = self.path.display().to_string();
        let fail = |e: std::io::Error| {
            let _ = std::fs::remove_file(&tmp);
            Error::new(
                Code::IoError,
                format!("{shown}: cannot rewrite it as journal version {VERSION}: {e}; it was left as it is"),
            )
        };
        let mut file = OpenOptions::new().read(true).write(true).create_new(true).open(&tmp).map_err(fail)?;
        if let Ok(meta) = self.file.metadata() {
            let _ = file.set_permissions(meta.permissions());
        }
        file.try_lock_exclusive().map_err(fail)?;
        let header = header_json(&parsed.name)?;
        let (mut seq, mut prev) = (0, 0);
        let mut out = Vec::with_capacity(bytes.len() + parsed.payloads.len() * 24);
        let entries = parsed.payloads.iter().skip(1).map(|(start, end)| bytes.get(*start..*end).unwrap_or(&[]));
        for json in std::iter::once(header.as_slice()).chain(entries) {
            let (line, crc) = record(seq, prev, json);
            out.extend_from_slice(&line);
            seq += 1;
            prev = crc;
        }
        file.write_all(&out).and_then(|_| file.sync_all()).map_err(fail)?;
        std::fs::rename(&tmp, &self.path).map_err(fail)?;
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        // The old file (and its lock) goes only now, once the new one stands in its place.
        drop(std::mem::replace(&mut self.file, file));
        (self.len, self.seq, self.prev) = (out.len() as u64, seq, prev);
        Ok(())
    }

    /// Writes one record at the end; a failed write is cut off again (see [`Journal::append`]).
    fn write_record(&mut self, json: &[u8]) -> Result<()> {
        let (line, crc) = record(self.seq, self.prev, json);
        let start = self.len;
        let written = self.write_bytes(&line).and_then(|_| match self.sync {
            SyncPolicy::Always => self.file.sync_data(),
            SyncPolicy::Never => Ok(()),
        });
        let Err(e) = written else {
            self.len += line.len() as u64;
            self.seq += 1;
            self.prev = crc;
            return Ok(());
        };
        let shown = self.path.display().to_string();
        match self.cut_to(start) {
            Ok(()) => Err(Error::new(Code::IoError, format!("{shown}: {e}; the command was not applied"))),
            Err(cut) => {
                let why = format!(
                    "{shown}: a write failed ({e}) and its partial record could not be cut off ({cut}); \
                     the journal is read-only: fix the disk, then reopen it"
                );
                self.broken = Some(why.clone());
                Err(Error::new(Code::IoError, why))
            }
        }
    }

    fn write_bytes(&mut self, line: &[u8]) -> std::io::Result<()> {
        match self.faults.write_budget {
            Some(budget) if (line.len() as u64) > budget => {
                let fits = line.get(..budget as usize).unwrap_or(&[]);
                self.file.write_all(fits)?;
                self.faults.write_budget = Some(0);
                Err(std::io::Error::other("no space left on device (injected)"))
            }
            Some(budget) => {
                self.file.write_all(line)?;
                self.faults.write_budget = Some(budget - line.len() as u64);
                Ok(())
            }
            None => self.file.write_all(line),
        }
    }

    /// Cuts the file back to `len` bytes, synced, and writes on from there.
    fn cut_to(&mut self, len: u64) -> std::io::Result<()> {
        if self.faults.fail_truncate {
            return Err(std::io::Error::other("cannot truncate (injected)"));
        }
        self.file.set_len(len)?;
        self.file.sync_all()?;
        self.file.seek(SeekFrom::Start(len))?;
        self.len = len;
        Ok(())
    }

    /// Appends one history entry; durable when this returns (under [`SyncPolicy::Always`]).
    /// A failure (`io_error`) leaves the file as it was, so the command must not take effect;
    /// a process forked from the one that opened the journal may not write to it.
    pub fn append(&mut self, cmd: &Command) -> Result<()> {
        let me = std::process::id();
        if me != self.pid {
            return Err(Error::new(
                Code::IoError,
                format!(
                    "journal {} was opened by process {}; a forked child ({me}) cannot write to it; reopen it",
                    self.path.display(),
                    self.pid
                ),
            ));
        }
        if let Some(why) = &self.broken {
            return Err(Error::new(Code::IoError, why.clone()));
        }
        let json = serde_json::to_vec(cmd)
            .map_err(|e| Error::new(Code::IoError, format!("cannot encode a history entry: {e}")))?;
        self.write_record(&json)
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Injects faults into later writes (tests of full and failing disks).
    #[doc(hidden)]
    pub fn inject_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        if let Some(key) = &self.key {
            OPEN.lock().remove(key);
        }
    }
}

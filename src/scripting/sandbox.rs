//! The folders a script may read and write files in.
//!
//! Paths are resolved canonically (`..` and symlinks followed, relative paths against the
//! current directory) before they are checked, so a script cannot step out of its folders
//! through a link. Reads take regular files of at most [`MAX_READ`] bytes only (no
//! `/dev/zero`, no FIFO). A refused path is `io_error` naming the path and the folders allowed.

use crate::error::{Code, Error};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The largest file a script may read (a snapshot, a journal, a Graph export file).
pub const MAX_READ: u64 = 256 << 20;

/// How deep into a Graph export folder the files are checked (`groups/<id>/members.json`).
const EXPORT_DEPTH: usize = 3;

/// Folders a script may use; [`Sandbox::default`] allows none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sandbox {
    folders: Vec<PathBuf>,
}

fn io(message: String) -> Error {
    Error::new(Code::IoError, message)
}

impl Sandbox {
    /// The folders given, resolved; each must exist and be a folder (`io_error` otherwise).
    pub fn new<P: AsRef<Path>>(folders: impl IntoIterator<Item = P>) -> crate::Result<Sandbox> {
        let mut out = Vec::new();
        for folder in folders {
            let folder = folder.as_ref();
            let canonical = std::fs::canonicalize(folder)
                .map_err(|e| io(format!("cannot allow the folder {}: {e}", folder.display())))?;
            if !canonical.is_dir() {
                return Err(io(format!("cannot allow {}: it is not a folder", folder.display())));
            }
            if !out.contains(&canonical) {
                out.push(canonical);
            }
        }
        Ok(Sandbox { folders: out })
    }

    /// The allowed folders, resolved.
    pub fn folders(&self) -> &[PathBuf] {
        &self.folders
    }

    fn contains(&self, canonical: &Path) -> bool {
        self.folders.iter().any(|f| canonical.starts_with(f))
    }

    fn outside(&self, path: &str) -> Error {
        if self.folders.is_empty() {
            io(format!(
                "{path}: this script may not use files (no folder is allowed); allow one with --allow DIR or run_script(allow=[...])"
            ))
        } else {
            let shown: Vec<String> = self.folders.iter().map(|f| f.display().to_string()).collect();
            io(format!(
                "{path} is outside the folders this script may use ({}); allow another with --allow DIR or run_script(allow=[...])",
                shown.join(", ")
            ))
        }
    }

    fn resolve_existing(&self, path: &str) -> crate::Result<PathBuf> {
        let canonical = std::fs::canonicalize(path).map_err(|e| io(format!("{path}: {e}")))?;
        if self.contains(&canonical) {
            Ok(canonical)
        } else {
            Err(self.outside(path))
        }
    }

    /// A file the script reads: inside the folders, regular, at most [`MAX_READ`] bytes.
    pub fn readable_file(&self, path: &str) -> crate::Result<PathBuf> {
        let canonical = self.resolve_existing(path)?;
        check_regular(path, &canonical)?;
        Ok(canonical)
    }

    /// Reads a file the script may read, stopping at [`MAX_READ`] bytes (the file may grow
    /// after it was checked).
    pub fn read(&self, path: &str) -> crate::Result<Vec<u8>> {
        let canonical = self.readable_file(path)?;
        let file = std::fs::File::open(&canonical).map_err(|e| io(format!("{path}: {e}")))?;
        let mut bytes = Vec::new();
        file.take(MAX_READ + 1).read_to_end(&mut bytes).map_err(|e| io(format!("{path}: {e}")))?;
        if bytes.len() as u64 > MAX_READ {
            return Err(too_large(path));
        }
        Ok(bytes)
    }

    /// A folder the script reads (a Graph export): inside the folders, and every file in it
    /// (to the depth an export has) a regular file inside them too, of at most [`MAX_READ`].
    pub fn readable_folder(&self, path: &str) -> crate::Result<PathBuf> {
        let canonical = self.resolve_existing(path)?;
        if canonical.is_dir() {
            self.check_tree(path, &canonical, EXPORT_DEPTH)?;
        }
        // A file or a missing folder: the reader says what is wrong with it.
        Ok(canonical)
    }

    fn check_tree(&self, shown: &str, dir: &Path, depth: usize) -> crate::Result<()> {
        let entries = std::fs::read_dir(dir).map_err(|e| io(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| io(format!("{}: {e}", dir.display())))?;
            let path = entry.path();
            let name = format!("{shown}/{}", entry.file_name().to_string_lossy());
            let Ok(canonical) = std::fs::canonicalize(&path) else {
                continue; // a dangling link: the reader finds nothing there
            };
            if !self.contains(&canonical) {
                return Err(self.outside(&name));
            }
            if canonical.is_dir() {
                if depth > 1 {
                    self.check_tree(&name, &canonical, depth - 1)?;
                }
            } else {
                check_regular(&name, &canonical)?;
            }
        }
        Ok(())
    }

    /// A file the script writes (or opens as a journal): its folder exists inside the
    /// allowed folders; if it exists, it is a regular file (a link is followed and checked).
    pub fn writable_file(&self, path: &str) -> crate::Result<PathBuf> {
        let p = Path::new(path);
        if std::fs::symlink_metadata(p).is_ok() {
            let canonical = self.resolve_existing(path)?;
            check_regular(path, &canonical)?;
            return Ok(canonical);
        }
        let name = match p.components().next_back() {
            Some(Component::Normal(name)) => name.to_os_string(),
            _ => return Err(io(format!("{path}: not a file name"))),
        };
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let folder =
            std::fs::canonicalize(parent).map_err(|e| io(format!("{path}: its folder {}: {e}", parent.display())))?;
        if !self.contains(&folder) {
            return Err(self.outside(path));
        }
        Ok(folder.join(name))
    }
}

impl Sandbox {
    /// The snapshot at `path`, read as the script may: an error about its content says what
    /// is wrong and where (line, column), never what the file holds.
    pub fn load_snapshot(&self, path: &str) -> crate::Result<crate::Tenant> {
        let bytes = self.read(path)?;
        crate::persist::snapshot::from_bytes(&bytes, path).map_err(|e| content_free(e, path, &bytes))
    }
}

/// A snapshot error without the file's content (serde quotes the values it did not expect).
fn content_free(err: Error, path: &str, bytes: &[u8]) -> Error {
    match err.code() {
        Some(Code::CorruptSnapshot) => match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            // A syntax error names a position and what was expected there, nothing read.
            Err(e) => Error::new(Code::CorruptSnapshot, format!("{path} is not a valid snapshot: it is not JSON ({e})")),
            Ok(_) => match position_of(err.message()) {
                Some((line, column)) => Error::new(
                    Code::CorruptSnapshot,
                    format!("{path} is not a valid snapshot: a value does not fit the snapshot format at line {line}, column {column}"),
                ),
                None => Error::new(Code::CorruptSnapshot, format!("{path} is not an ssgm snapshot")),
            },
        },
        Some(Code::UnsupportedVersion) => Error::new(
            Code::UnsupportedVersion,
            format!(
                "{path} has a snapshot version this build does not read (it reads version {})",
                crate::persist::snapshot::VERSION
            ),
        ),
        _ => err,
    }
}

/// The `(line L, column C)` that ends a snapshot error.
fn position_of(message: &str) -> Option<(usize, usize)> {
    let rest = message.strip_suffix(')')?;
    let rest = &rest[rest.rfind("(line ")? + "(line ".len()..];
    let (line, column) = rest.split_once(", column ")?;
    Some((line.parse().ok()?, column.parse().ok()?))
}

fn too_large(path: &str) -> Error {
    io(format!("{path} is larger than {} MiB, the most a script may read", MAX_READ >> 20))
}

fn check_regular(path: &str, canonical: &Path) -> crate::Result<()> {
    let meta = std::fs::metadata(canonical).map_err(|e| io(format!("{path}: {e}")))?;
    if !meta.is_file() {
        return Err(io(format!("{path} is not a regular file (a script reads and writes regular files only)")));
    }
    if meta.len() > MAX_READ {
        return Err(too_large(path));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_resolved_before_they_are_checked() {
        let root = tempfile::tempdir().unwrap();
        let inside = root.path().join("in");
        std::fs::create_dir(&inside).unwrap();
        std::fs::write(root.path().join("secret"), "TOP-SECRET").unwrap();
        let sandbox = Sandbox::new([&inside]).unwrap();
        let escape = format!("{}/../secret", inside.display());
        let e = sandbox.readable_file(&escape).unwrap_err();
        assert_eq!(e.code(), Some(Code::IoError));
        assert!(e.message().contains("is outside the folders"), "{}", e.message());
        assert!(sandbox.writable_file(&escape).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.path().join("secret"), inside.join("link")).unwrap();
            let link = format!("{}/link", inside.display());
            assert!(sandbox.readable_file(&link).is_err());
            assert!(sandbox.writable_file(&link).is_err());
        }
        let ok = format!("{}/new.json", inside.display());
        assert_eq!(sandbox.writable_file(&ok).unwrap(), std::fs::canonicalize(&inside).unwrap().join("new.json"));
        assert!(Sandbox::default().writable_file(&ok).unwrap_err().message().contains("may not use files"));
    }

    #[test]
    fn r8_4_a_bad_snapshot_error_shows_no_content() {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::new([dir.path()]).unwrap();
        let cases: [(&str, &str); 3] = [
            ("a.json", "TOP-SECRET-1 root:x:0:0"),
            ("b.json", "{\"format\": \"ssgm-snapshot\", \"version\": 1, \"name\": [\"TOP-SECRET-2\"]}"),
            ("c.json", "{\"format\": \"ssgm-snapshot\", \"version\": \"TOP-SECRET-3\"}"),
        ];
        for (name, content) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, content).unwrap();
            let e = sandbox.load_snapshot(&path.display().to_string()).unwrap_err();
            assert!(!e.message().contains("TOP-SECRET"), "{}", e.message());
            assert!(e.message().starts_with(&path.display().to_string()), "{}", e.message());
        }
        let e = sandbox.load_snapshot(&dir.path().join("b.json").display().to_string()).unwrap_err();
        assert!(e.message().contains("line 1, column"), "{}", e.message());
        assert_eq!(position_of("x (line 3, column 14)"), Some((3, 14)));
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_not_read() {
        let sandbox = Sandbox::new(["/dev"]).unwrap();
        let e = sandbox.read("/dev/zero").unwrap_err();
        assert!(e.message().contains("not a regular file"), "{}", e.message());
    }
}

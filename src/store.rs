//! The thread-safe shared handle the faces hold: readers run in parallel; a command's
//! decision and change happen under one write lock, so no other command slips between.

use crate::command::Command;
use crate::error::Result;
use crate::persist::journal::Journal;
use crate::records::{Decision, Outcome};
use crate::tenant::Tenant;
use parking_lot::{Mutex, RwLock};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A tenant shared between threads (and between the Python and Rhai faces).
#[derive(Debug)]
pub struct Store {
    tenant: RwLock<Tenant>,
    journal: Mutex<Option<Journal>>,
    /// Bumped by every command, so a face can tell whether an answer it kept still holds.
    version: AtomicU64,
}

impl Store {
    /// A store holding `tenant`.
    pub fn new(tenant: Tenant) -> Arc<Store> {
        Arc::new(Store { tenant: RwLock::new(tenant), journal: Mutex::new(None), version: AtomicU64::new(0) })
    }

    /// A store whose every command is appended to `journal` before it returns.
    pub fn with_journal(tenant: Tenant, journal: Journal) -> Arc<Store> {
        Arc::new(Store { tenant: RwLock::new(tenant), journal: Mutex::new(Some(journal)), version: AtomicU64::new(0) })
    }

    /// Executes a command atomically. With a journal, the command is written (and synced)
    /// first and applied only once it is durable (a refused command too: keeps it in
    /// the history; a refused clock move is not written, R-10.7). If the write fails the
    /// command does not take effect and the error is `io_error`.
    pub fn execute(&self, cmd: Command) -> Result<Outcome> {
        // A value too deep to read back never reaches the journal (a type error, R-10.13).
        cmd.check_depth()?;
        let mut tenant = self.tenant.write();
        {
            let mut journal = self.journal.lock();
            if let Some(j) = journal.as_mut() {
                // The state is a function of the history: the entry is the command.
                if !cmd.is_clock() || tenant.clock_target(&cmd).is_ok() {
                    j.append(&cmd)?;
                }
            }
        }
        let result = tenant.execute(cmd);
        self.version.fetch_add(1, Ordering::Release);
        result
    }

    /// Runs `f` on the journal, if there is one (tests inject faults this way).
    #[doc(hidden)]
    pub fn journal_mut<R>(&self, f: impl FnOnce(&mut Journal) -> R) -> Option<R> {
        self.journal.lock().as_mut().map(f)
    }

    /// A dry run under a read lock.
    pub fn check(&self, cmd: &Command) -> Decision {
        self.tenant.read().check(cmd)
    }

    /// Reads the tenant under a shared lock.
    pub fn read<R>(&self, f: impl FnOnce(&Tenant) -> R) -> R {
        f(&self.tenant.read())
    }

    /// Reads two tenants together (a diff, R-12.5) under their shared locks, taken in one
    /// fixed order so two such readers cannot wait on each other; one lock if they are the
    /// same store.
    pub fn read_pair<R>(a: &Arc<Store>, b: &Arc<Store>, f: impl FnOnce(&Tenant, &Tenant) -> R) -> R {
        if Arc::ptr_eq(a, b) {
            let t = a.tenant.read();
            return f(&t, &t);
        }
        if Arc::as_ptr(a) < Arc::as_ptr(b) {
            let x = a.tenant.read();
            let y = b.tenant.read();
            f(&x, &y)
        } else {
            let y = b.tenant.read();
            let x = a.tenant.read();
            f(&x, &y)
        }
    }

    /// Reads the tenant if no writer holds it right now (for quick reads that should not
    /// wait, or release the GIL, when nobody is writing).
    pub fn try_read<R>(&self, f: impl FnOnce(&Tenant) -> R) -> Option<R> {
        self.tenant.try_read().map(|t| f(&t))
    }

    /// A number that changes whenever a command runs: answers read at one version hold
    /// until the version moves.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// An independent copy of the tenant (no journal).
    pub fn snapshot_tenant(&self) -> Tenant {
        self.tenant.read().clone()
    }

    /// The journal's path, if any.
    pub fn journal_path(&self) -> Option<std::path::PathBuf> {
        self.journal.lock().as_ref().map(|j| j.path().to_path_buf())
    }
}

//! History: replay of all or a prefix, and forks.

use crate::command::Command;
use crate::tenant::Tenant;

impl Tenant {
    /// the tenant that the first `until` entries of `events` (all, if `None`) build.
    pub fn replay(events: impl IntoIterator<Item = Command>, until: Option<usize>, name: &str) -> Tenant {
        let mut t = Tenant::new(name);
        let limit = until.unwrap_or(usize::MAX);
        for cmd in events.into_iter().take(limit) {
            // Refusals are part of the history: their outcome is already in the log.
            let _ = t.execute(cmd);
        }
        t
    }

    /// An independent copy, for what-if studies.
    pub fn fork(&self) -> Tenant {
        self.clone()
    }
}

//! Timed events (R-8.7): one ordered queue of due events for every area of the SPEC.
//!
//! An event is kept under a [`Key`] that sorts as R-8.7 fires: by due instant, then by the
//! SPEC section it belongs to (§13, then §14, then §15), then by the creation order of the
//! object it belongs to, then in the order it was scheduled. A clock move pops events from
//! the front while they are due, so a move that fires nothing looks at one entry only,
//! whatever the tenant's size. Each event also names its [`Owner`], the object whose change
//! unschedules it (a renewed group, a stopped review), so unscheduling touches only that
//! object's few events.
//!
//! ```
//! use ssgm::schedule::{Event, Notice, Schedule};
//! let mut s = Schedule::default();
//! s.schedule(20, Event::Expire { group: 0 });
//! s.schedule(10, Event::Notice { group: 0, notice: Notice::Expiry30 });
//! assert_eq!(s.next_due(), Some(10));
//! assert_eq!(s.pop_due(15).map(|(k, _)| k.due), Some(10));
//! assert!(s.pop_due(15).is_none());
//! ```

use crate::model::{GroupIx, ReviewIx, Timestamp};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// R-13.6: the three notices before a group expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// 30 days before.
    #[serde(rename = "expiry_30")]
    Expiry30,
    /// 15 days before.
    #[serde(rename = "expiry_15")]
    Expiry15,
    /// 1 day before.
    #[serde(rename = "expiry_1")]
    Expiry1,
}

impl Notice {
    /// Every notice, earliest first.
    pub const ALL: [Notice; 3] = [Notice::Expiry30, Notice::Expiry15, Notice::Expiry1];

    /// The notice's name, as the notification log shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Notice::Expiry30 => "expiry_30",
            Notice::Expiry15 => "expiry_15",
            Notice::Expiry1 => "expiry_1",
        }
    }

    /// How many days before `expires_at` it is due.
    pub fn days_before(self) -> i64 {
        match self {
            Notice::Expiry30 => 30,
            Notice::Expiry15 => 15,
            Notice::Expiry1 => 1,
        }
    }
}

/// A timed event. §14 and §15 add their kinds here, each with its section, object and owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// R-13.6: a notice before expiry.
    Notice {
        /// The group.
        group: GroupIx,
        /// Which notice.
        notice: Notice,
    },
    /// R-13.5: the automatic renewal of an active group.
    AutoRenew {
        /// The group.
        group: GroupIx,
    },
    /// R-13.7: the group expires and is deleted.
    Expire {
        /// The group.
        group: GroupIx,
    },
    /// R-13.10: a soft-deleted group is purged.
    Purge {
        /// The group.
        group: GroupIx,
    },
    // ----- §14 access reviews -----
    /// R-14.8: a review ends.
    ReviewEnd {
        /// The review.
        review: ReviewIx,
    },
    /// R-14.8, R-14.10: a completed review's results are applied.
    ReviewAutoApply {
        /// The review.
        review: ReviewIx,
    },
    // ----- §15 (R-15.10, R-15.11, R-15.20) -----
    /// R-15.10: a pending package request's stage times out.
    PackageTimeout {
        /// The package request (its index).
        request: u32,
        /// Its creation order among package requests and assignments (R-15.20).
        order: u64,
    },
    /// R-15.11: a package assignment expires.
    PackageExpiry {
        /// The assignment (its index).
        assignment: u32,
        /// Its creation order among package requests and assignments (R-15.20).
        order: u64,
    },
}

/// The object an event belongs to: its change unschedules the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    /// A group (§13).
    Group(GroupIx),
    /// An access review (§14).
    Review(ReviewIx),
    /// A package request (§15).
    PackageRequest(u32),
    /// A package assignment (§15).
    PackageAssignment(u32),
}

impl Event {
    /// The SPEC section whose turn the event fires in (R-8.7).
    pub fn section(&self) -> u8 {
        match self {
            Event::Notice { .. } | Event::AutoRenew { .. } | Event::Expire { .. } | Event::Purge { .. } => 13,
            Event::ReviewEnd { .. } | Event::ReviewAutoApply { .. } => 14,
            Event::PackageTimeout { .. } | Event::PackageExpiry { .. } => 15,
        }
    }

    /// The object it belongs to.
    pub fn owner(&self) -> Owner {
        match *self {
            Event::Notice { group, .. }
            | Event::AutoRenew { group }
            | Event::Expire { group }
            | Event::Purge { group } => Owner::Group(group),
            Event::ReviewEnd { review } | Event::ReviewAutoApply { review } => Owner::Review(review),
            Event::PackageTimeout { request, .. } => Owner::PackageRequest(request),
            Event::PackageExpiry { assignment, .. } => Owner::PackageAssignment(assignment),
        }
    }

    /// The creation order of its object, within its section.
    fn object_order(&self) -> u64 {
        match *self {
            Event::PackageTimeout { order, .. } | Event::PackageExpiry { order, .. } => order,
            _ => match self.owner() {
                Owner::Group(g) => u64::from(g),
                Owner::Review(r) => u64::from(r),
                Owner::PackageRequest(x) | Owner::PackageAssignment(x) => u64::from(x),
            },
        }
    }
}

/// Where an event sits in the queue: R-8.7's firing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    /// The due instant.
    pub due: Timestamp,
    /// The SPEC section (13, 14, 15).
    pub section: u8,
    /// The creation order of the event's object.
    pub object: u64,
    /// The order it was scheduled in.
    pub seq: u64,
}

/// The queue of scheduled events.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    queue: BTreeMap<Key, Event>,
    by_owner: FxHashMap<Owner, Vec<Key>>,
    next_seq: u64,
}

impl Schedule {
    /// Schedules `event` at `due`; returns its key.
    pub fn schedule(&mut self, due: Timestamp, event: Event) -> Key {
        let key = Key { due, section: event.section(), object: event.object_order(), seq: self.next_seq };
        self.next_seq += 1;
        self.queue.insert(key, event);
        self.by_owner.entry(event.owner()).or_default().push(key);
        key
    }

    /// Unschedules every event of `owner` that `pick` selects.
    pub fn unschedule(&mut self, owner: Owner, mut pick: impl FnMut(&Event) -> bool) {
        let Some(keys) = self.by_owner.get_mut(&owner) else { return };
        let queue = &mut self.queue;
        keys.retain(|k| match queue.get(k) {
            Some(e) if pick(e) => {
                queue.remove(k);
                false
            }
            Some(_) => true,
            None => false,
        });
        if keys.is_empty() {
            self.by_owner.remove(&owner);
        }
    }

    /// Unschedules every event of `owner`.
    pub fn unschedule_all(&mut self, owner: Owner) {
        if let Some(keys) = self.by_owner.remove(&owner) {
            for k in keys {
                self.queue.remove(&k);
            }
        }
    }

    /// Whether `owner` has a scheduled event that `pick` selects.
    pub fn has(&self, owner: Owner, mut pick: impl FnMut(&Event) -> bool) -> bool {
        self.by_owner.get(&owner).is_some_and(|keys| keys.iter().any(|k| self.queue.get(k).is_some_and(&mut pick)))
    }

    /// The due instant of the first event, if any.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.queue.first_key_value().map(|(k, _)| k.due)
    }

    /// Takes the first event if it is due at or before `limit`.
    pub fn pop_due(&mut self, limit: Timestamp) -> Option<(Key, Event)> {
        let first = self.queue.first_entry()?;
        if first.key().due > limit {
            return None;
        }
        let (key, event) = first.remove_entry();
        let owner = event.owner();
        if let Some(keys) = self.by_owner.get_mut(&owner) {
            if let Some(pos) = keys.iter().position(|k| *k == key) {
                keys.swap_remove(pos);
            }
            if keys.is_empty() {
                self.by_owner.remove(&owner);
            }
        }
        Some((key, event))
    }

    /// Every scheduled event, in firing order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Event)> {
        self.queue.iter()
    }

    /// How many events are scheduled.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The sequence number the next scheduled event will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// A schedule read back from a snapshot: its events under their keys, and its counter.
    pub fn restore(events: Vec<(Key, Event)>, next_seq: u64) -> Schedule {
        let mut s = Schedule { next_seq, ..Schedule::default() };
        for (key, event) in events {
            s.queue.insert(key, event);
            s.by_owner.entry(event.owner()).or_default().push(key);
            s.next_seq = s.next_seq.max(key.seq + 1);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r8_7_events_fire_by_instant_then_object_then_scheduling_order() {
        let mut s = Schedule::default();
        s.schedule(5, Event::Expire { group: 2 });
        s.schedule(5, Event::Notice { group: 1, notice: Notice::Expiry1 });
        s.schedule(5, Event::AutoRenew { group: 1 });
        s.schedule(3, Event::Purge { group: 9 });
        let order: Vec<Event> = std::iter::from_fn(|| s.pop_due(10).map(|(_, e)| e)).collect();
        assert_eq!(
            order,
            vec![
                Event::Purge { group: 9 },
                Event::Notice { group: 1, notice: Notice::Expiry1 },
                Event::AutoRenew { group: 1 },
                Event::Expire { group: 2 },
            ]
        );
        assert!(s.is_empty());
    }

    #[test]
    fn r8_7_unscheduling_removes_only_the_owners_events() {
        let mut s = Schedule::default();
        s.schedule(5, Event::Expire { group: 1 });
        s.schedule(4, Event::AutoRenew { group: 1 });
        s.schedule(6, Event::Expire { group: 2 });
        s.unschedule(Owner::Group(1), |e| matches!(e, Event::AutoRenew { .. }));
        assert!(!s.has(Owner::Group(1), |e| matches!(e, Event::AutoRenew { .. })));
        assert!(s.has(Owner::Group(1), |_| true));
        s.unschedule_all(Owner::Group(1));
        assert_eq!(s.len(), 1);
        assert_eq!(s.next_due(), Some(6));
        let copy = Schedule::restore(s.iter().map(|(k, e)| (*k, *e)).collect(), s.next_seq());
        assert!(copy.iter().eq(s.iter()));
        assert_eq!(copy.next_seq(), s.next_seq());
    }
}

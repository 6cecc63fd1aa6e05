//! Group lifecycle (SPEC §13): expiration and renewal, notices, soft delete, restore and
//! purge, and the naming policy. The decisions of its commands are in `rules`; this
//! module holds their effects and the timed events they schedule (R-8.7, [`crate::schedule`]).
//!
//! ```
//! use ssgm::{Command, Tenant};
//! let mut t = Tenant::new("contoso");
//! t.execute(Command::AddUser {
//!     upn: "admin@contoso.com".into(), display_name: None, department: None,
//!     roles: vec!["global_admin".into()], enabled: true, manager: None,
//! }).unwrap();
//! let mut settings = serde_json::Map::new();
//! settings.insert("expiration_scope".into(), "all".into());
//! t.execute(Command::Configure { actor: "admin@contoso.com".into(), settings }).unwrap();
//! t.execute(Command::CreateGroup {
//!     actor: "admin@contoso.com".into(), name: "Team".into(), kind: "microsoft365".into(),
//!     join_policy: None, description: String::new(), owners: vec![], members: vec![],
//!     on_premises: false,
//! }).unwrap();
//! t.execute(Command::Advance { micros: 180 * 86_400_000_000 }).unwrap();
//! assert_eq!(t.deleted_groups().count(), 1); // expired after its 180 days (R-13.7)
//! ```

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::records::{Notification, Outcome};
use crate::rules::{misrouted, refuse, Args};
use crate::schedule::{Event, Notice, Owner, Schedule};
use crate::tenant::Tenant;

/// The catalogue entries of §13 commands and queries (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        command(
            "add_group_to_expiration",
            Actor,
            &[ACTOR, GROUP],
            "None",
            "Add group to lifecycle policy",
            "Adds a Microsoft 365 group to the expiration policy's selected list (R-13.2).",
        ),
        command(
            "remove_group_from_expiration",
            Actor,
            &[ACTOR, GROUP],
            "None",
            "Remove group from lifecycle policy",
            "Removes a group from the expiration policy's selected list (R-13.2).",
        ),
        command(
            "renew",
            Actor,
            &[ACTOR, GROUP],
            "Group",
            "Renew group",
            "Renews a covered group: it expires a lifetime from now (R-13.4).",
        ),
        command(
            "restore_group",
            Actor,
            &[ACTOR, GROUP],
            "Group",
            "Restore group",
            "Restores a soft-deleted Microsoft 365 group by id (R-13.9).",
        ),
        command(
            "purge_group",
            Actor,
            &[ACTOR, GROUP],
            "None",
            "Hard delete group",
            "Deletes a soft-deleted group for good (R-13.10).",
        ),
        command(
            "record_activity",
            Seeding,
            &[GROUP],
            "None",
            "Record group activity",
            "Seeding: records use of a group, which renews it automatically when covered (R-13.5).",
        ),
        query(
            "enforced_name",
            &[USER, req("name", Ty::Text)],
            "str",
            "The name the naming policy gives a user's new Microsoft 365 group (R-13.13).",
        ),
        query("deleted_groups", &[], "list[DeletedGroup]", "Soft-deleted groups, in deletion order (R-13.8)."),
        query("notification_log", &[], "list[Notification]", "The expiry notices sent (R-13.6)."),
    ];
}

/// One day of the logical clock, in microseconds.
pub const DAY: i64 = 86_400_000_000;
/// R-13.3: a group newly covered never expires sooner than this many days.
pub const FLOOR_DAYS: i64 = 35;
/// R-13.5: an active group is renewed this many days before it expires.
pub const AUTO_RENEW_DAYS: i64 = 35;
/// R-13.10: a soft-deleted group is purged this many days after its deletion.
pub const RESTORE_DAYS: i64 = 30;
/// R-13.1: the selected list holds at most this many groups.
pub const MAX_SELECTED: usize = 500;

fn days(n: i64) -> i64 {
    n.saturating_mul(DAY)
}

/// R-13.12: the words of a name: runs of letters and numbers.
fn words(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

impl Tenant {
    // ----- queries ---------------------------------------------------------------------------

    /// R-13.6: the notification log.
    pub fn notification_log(&self) -> &[Notification] {
        &self.notifications
    }

    /// R-13.8: soft-deleted groups, in deletion order.
    pub fn deleted_groups(&self) -> impl Iterator<Item = GroupIx> + '_ {
        self.deleted_order.values().copied()
    }

    /// R-13.1: the selected list, in the order groups were added.
    pub fn expiration_selected(&self) -> &[GroupIx] {
        &self.selected
    }

    /// R-8.7: the events scheduled now, in firing order.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// R-13.1: whether the group is covered under `settings` (a live Microsoft 365 group, with
    /// scope `all`, or `selected` and in the selected list).
    pub(crate) fn covered_with(&self, settings: &Settings, g: GroupIx) -> bool {
        let Some(group) = self.live_group(g) else { return false };
        group.kind == GroupKind::Microsoft365
            && match settings.expiration_scope {
                ExpirationScope::None => false,
                ExpirationScope::All => true,
                ExpirationScope::Selected => self.selected.contains(&g),
            }
    }

    /// R-13.1: whether the group is covered now.
    pub fn covered(&self, g: GroupIx) -> bool {
        self.covered_with(&self.settings, g)
    }

    fn lifetime(&self) -> i64 {
        days(i64::try_from(self.settings.expiration_lifetime_days).unwrap_or(i64::MAX))
    }

    /// R-13.9: a soft-deleted group by id or handle (names do not resolve to deleted groups).
    pub fn find_deleted_group(&self, r: &str) -> Result<GroupIx> {
        match self.ids.get(r) {
            Some(Object::Group(g)) if self.groups.get(*g as usize).is_some_and(Group::soft_deleted) => Ok(*g),
            _ => Err(Error::new(Code::GroupNotFound, format!("there is no deleted group {r:?}"))),
        }
    }

    // ----- naming (R-13.11 – R-13.14) ----------------------------------------------------------

    /// R-13.11: whether the naming policy shapes a name `actor` gives a group of `kind`.
    fn naming_applies(&self, actor: UserIx, kind: GroupKind) -> bool {
        kind == GroupKind::Microsoft365 && !self.users[actor as usize].roles.has(Role::GlobalAdmin)
    }

    /// R-13.13: the stored name for a valid, trimmed `given` name: the prefix and suffix
    /// around it, checked as a name (`invalid_name`, step 2).
    pub(crate) fn shaped_name(&self, actor: UserIx, kind: GroupKind, given: String) -> Result<String> {
        let pattern = &self.settings.naming_prefix_suffix;
        if pattern.is_empty() || !self.naming_applies(actor, kind) {
            return Ok(given);
        }
        let department = self.users[actor as usize].department.as_deref().unwrap_or("");
        // Settings hold [GroupName] exactly once; [Department] is replaced in the text around
        // it, so neither the given name nor the department is read as a placeholder.
        let (before, after) = pattern.split_once(GROUP_NAME_TOKEN).unwrap_or((pattern.as_str(), ""));
        let shaped = format!(
            "{}{given}{}",
            before.replace(DEPARTMENT_TOKEN, department),
            after.replace(DEPARTMENT_TOKEN, department)
        );
        clean_name(&shaped).map(str::to_string).ok_or_else(|| {
            Error::new(
                Code::InvalidName,
                format!("the naming policy makes {given:?} into {shaped:?}, which is not a valid name"),
            )
        })
    }

    /// R-13.12: `blocked_word` (step 8) when a word of the given name is blocked.
    pub(crate) fn check_blocked_words(&self, actor: UserIx, kind: GroupKind, given: &str) -> Result<()> {
        if self.settings.blocked_words.is_empty() || !self.naming_applies(actor, kind) {
            return Ok(());
        }
        let blocked: Vec<String> = self.settings.blocked_words.iter().map(|w| fold(w).into_owned()).collect();
        match words(given).find(|w| blocked.iter().any(|b| *b == fold(w))) {
            Some(word) => Err(Error::new(
                Code::BlockedWord,
                format!("the group name {given:?} contains the blocked word {word:?}"),
            )),
            None => Ok(()),
        }
    }

    /// R-13.13: the name a Microsoft 365 group created by `user` with `name` would get, or the
    /// refusal (a query: no command, nothing recorded).
    pub fn enforced_name(&self, user: &str, name: &str) -> Result<String> {
        let u = self.find_user(user)?;
        let given = group_name(name)?;
        let shaped = self.shaped_name(u, GroupKind::Microsoft365, given.clone())?;
        self.check_blocked_words(u, GroupKind::Microsoft365, &given)?;
        Ok(shaped)
    }

    // ----- expiry and its events (R-13.3 – R-13.7) --------------------------------------------

    /// Sets a covered group's `expires_at` and schedules its notices, automatic renewal and
    /// expiry, replacing what it had. Nothing is scheduled before now (R-8.7).
    pub(crate) fn set_expiry(&mut self, g: GroupIx, expires: Timestamp) {
        let now = self.now;
        self.schedule.unschedule_all(Owner::Group(g));
        let Some(group) = self.groups.get_mut(g as usize) else { return };
        group.expires_at = Some(expires);
        let active = group.active_since_anchor;
        for notice in Notice::ALL {
            let at = expires.saturating_sub(days(notice.days_before()));
            if at > now {
                self.schedule.schedule(at, Event::Notice { group: g, notice });
            }
        }
        if active {
            self.schedule_auto_renew(g, expires);
        }
        self.schedule.schedule(expires.max(now), Event::Expire { group: g });
    }

    fn schedule_auto_renew(&mut self, g: GroupIx, expires: Timestamp) {
        let at = expires.saturating_sub(days(AUTO_RENEW_DAYS)).max(self.now);
        self.schedule.schedule(at, Event::AutoRenew { group: g });
    }

    /// R-13.3: a group that becomes uncovered loses `expires_at` and its events.
    pub(crate) fn uncover(&mut self, g: GroupIx) {
        self.schedule.unschedule_all(Owner::Group(g));
        if let Some(group) = self.groups.get_mut(g as usize) {
            group.expires_at = None;
        }
    }

    /// R-13.3: an existing group newly covered (or every covered group when the lifetime
    /// changes): anchor + lifetime, but never sooner than 35 days from now.
    pub(crate) fn cover_existing(&mut self, g: GroupIx) {
        let Some(group) = self.groups.get(g as usize) else { return };
        let expires = group.anchor().saturating_add(self.lifetime()).max(self.now.saturating_add(days(FLOOR_DAYS)));
        self.set_expiry(g, expires);
    }

    /// R-13.3: a group created while covered expires at anchor + lifetime.
    pub(crate) fn cover_new(&mut self, g: GroupIx) {
        if self.covered(g) {
            let anchor = self.groups[g as usize].anchor();
            self.set_expiry(g, anchor.saturating_add(self.lifetime()));
        }
    }

    /// R-13.4, R-13.5, R-13.9: renews a covered group now (no 35-day floor).
    pub(crate) fn renew_now(&mut self, g: GroupIx) {
        let now = self.now;
        let Some(group) = self.groups.get_mut(g as usize) else { return };
        group.renewed_at = Some(now);
        group.active_since_anchor = false;
        self.set_expiry(g, now.saturating_add(self.lifetime()));
    }

    /// R-13.3: after a settings change (`configure`, an import), groups `range` whose coverage
    /// or lifetime changed get their new `expires_at`, or lose it.
    pub(crate) fn recover_groups(&mut self, before: &Settings, range: std::ops::Range<GroupIx>) {
        let lifetime_changed = before.expiration_lifetime_days != self.settings.expiration_lifetime_days;
        if before.expiration_scope == self.settings.expiration_scope && !lifetime_changed {
            return;
        }
        for g in range {
            match (self.covered_with(before, g), self.covered(g)) {
                (false, true) => self.cover_existing(g),
                (true, false) => self.uncover(g),
                (true, true) if lifetime_changed => self.cover_existing(g),
                _ => {}
            }
        }
    }

    /// R-13.2: adds a group to, or takes it off, the selected list.
    pub(crate) fn select_now(&mut self, g: GroupIx, add: bool) {
        let was = self.covered(g);
        if add {
            self.selected.push(g);
        } else {
            self.selected.retain(|x| *x != g);
        }
        match (was, self.covered(g)) {
            (false, true) => self.cover_existing(g),
            (true, false) => self.uncover(g),
            _ => {}
        }
    }

    /// R-13.5: records use of a group; a covered one is then renewed automatically.
    pub(crate) fn record_activity_now(&mut self, g: GroupIx) {
        let now = self.now;
        let Some(group) = self.groups.get_mut(g as usize) else { return };
        group.last_activity = Some(now);
        group.active_since_anchor = true;
        let expires = group.expires_at;
        if let Some(expires) = expires.filter(|_| self.covered(g)) {
            if !self.schedule.has(Owner::Group(g), |e| matches!(e, Event::AutoRenew { .. })) {
                self.schedule_auto_renew(g, expires);
            }
        }
    }

    /// R-13.6: appends a notice, its recipients read now.
    fn notify(&mut self, g: GroupIx, notice: Notice) {
        let Some(group) = self.groups.get(g as usize) else { return };
        let recipients: Vec<String> = if group.owners.is_empty() {
            self.settings
                .expiration_notification_emails
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            group.owners.iter().filter_map(|u| self.users.get(*u as usize)).map(|u| u.id.clone()).collect()
        };
        let entry = Notification {
            seq: self.notifications.len() as u64 + 1,
            time: self.now,
            group: group.id.clone(),
            notice,
            recipients,
        };
        self.notifications.push(entry);
    }

    /// R-8.7: fires one §13 event at the current instant (its due instant).
    pub(crate) fn fire_lifecycle(&mut self, event: Event) {
        match event {
            Event::Notice { group, notice } => self.notify(group, notice),
            Event::AutoRenew { group } => {
                self.record_event("Autorenew group", group, |t, _| t.renew_now(group));
            }
            Event::Expire { group } => {
                self.record_event("Delete group", group, |t, seq| t.delete_group_now(None, group, seq));
            }
            Event::Purge { group } => {
                self.record_event("Hard delete group", group, |t, _| t.purge_now(group));
            }
            // Other sections fire their own.
            _ => {}
        }
    }

    /// §13 import (R-8.5): groups `base..` come from the data, with `dates` by position.
    /// Existing groups follow a settings change as `configure` makes them (R-13.3). A
    /// `deleted_at` group is kept deleted at that instant, its purge 30 days later (never
    /// before now, R-8.7); a covered group keeps a given `expires_at` without the 35-day
    /// floor, or gets anchor + lifetime with it.
    pub(crate) fn import_lifecycle(&mut self, before: Option<&Settings>, base: GroupIx, dates: &[GroupDates]) {
        if let Some(before) = before {
            self.recover_groups(before, 0..base);
        }
        // Deletion order is the order of the instants (data order for equal ones).
        let mut deleted: Vec<(Timestamp, GroupIx)> = Vec::new();
        for (i, d) in dates.iter().enumerate() {
            let g = base + i as GroupIx;
            if let Some(group) = self.groups.get_mut(g as usize) {
                group.renewed_at = d.renewed_at;
            }
            if let Some(at) = d.deleted_at {
                deleted.push((at, g));
            } else if self.covered(g) {
                match d.expires_at {
                    Some(at) => self.set_expiry(g, at),
                    None => self.cover_existing(g),
                }
            }
        }
        deleted.sort_unstable();
        for (at, g) in deleted {
            self.import_deleted(g, at);
        }
    }

    /// R-13.8 for an imported group: what it was given is kept for its restore, not linked.
    fn import_deleted(&mut self, g: GroupIx, at: Timestamp) {
        let kept = self.keep_for_restore(g);
        self.unlink_group(g);
        self.unname_group(g);
        if let Some(u) = self.groups[g as usize].created_by {
            if let Some(user) = self.users.get_mut(u as usize) {
                user.created_groups = user.created_groups.saturating_sub(1);
            }
        }
        let Some(kept) = kept else { return };
        let group = &mut self.groups[g as usize];
        group.deleted = true;
        group.deleted_at = Some(at);
        group.kept = Some(kept);
        self.deleted_order.insert(self.next_deleted, g);
        group.deleted_order = self.next_deleted;
        self.next_deleted += 1;
        let purge = at.saturating_add(days(RESTORE_DAYS)).max(self.now);
        self.schedule.schedule(purge, Event::Purge { group: g });
    }

    // ----- soft delete, restore, purge (R-13.8 – R-13.10) --------------------------------------

    /// R-13.8: what a Microsoft 365 group keeps when it is deleted: called before its links go.
    pub(crate) fn keep_for_restore(&self, g: GroupIx) -> Option<Box<Kept>> {
        let group = self.groups.get(g as usize).filter(|x| x.kind == GroupKind::Microsoft365)?;
        let members = group.direct_users().collect();
        Some(Box::new(Kept {
            owners: group.owners.clone(),
            members,
            assigned_to: group.assigned_to.clone(),
            selected: self.selected.contains(&g),
        }))
    }

    /// R-13.8: after R-4.13's removals, keeps a Microsoft 365 group among the deleted ones, out
    /// of the selected list, its purge due in 30 days. Other kinds are gone for good.
    pub(crate) fn soft_delete(&mut self, g: GroupIx, kept: Option<Box<Kept>>) {
        self.schedule.unschedule_all(Owner::Group(g));
        let now = self.now;
        let Some(group) = self.groups.get_mut(g as usize) else { return };
        group.expires_at = None;
        let Some(kept) = kept else { return };
        group.deleted_at = Some(now);
        group.kept = Some(kept);
        self.selected.retain(|x| *x != g);
        self.deleted_order.insert(self.next_deleted, g);
        group.deleted_order = self.next_deleted;
        self.next_deleted += 1;
        self.schedule.schedule(now.saturating_add(days(RESTORE_DAYS)), Event::Purge { group: g });
    }

    /// R-13.9: brings a soft-deleted group back with what it kept; access comes back with
    /// provisioning entries caused by `seq`; a covered group is renewed at once.
    pub(crate) fn restore_now(&mut self, g: GroupIx, seq: u64) {
        let Some(group) = self.groups.get_mut(g as usize) else { return };
        let Some(kept) = group.kept.take() else { return };
        group.deleted = false;
        group.deleted_at = None;
        let (name, created_by, order) = (fold(&group.name).into_owned(), group.created_by, group.deleted_order);
        self.deleted_order.remove(&order);
        self.schedule.unschedule_all(Owner::Group(g));
        let names = self.group_names.entry(name).or_default();
        names.push(g);
        names.sort_unstable();
        if let Some(user) = created_by.and_then(|u| self.users.get_mut(u as usize)) {
            user.created_groups += 1;
        }
        let mut pairs = Vec::with_capacity(kept.members.len() * kept.assigned_to.len());
        for u in &kept.members {
            for r in &kept.assigned_to {
                pairs.push((*u, *r));
            }
        }
        self.provision(pairs, seq, |t| {
            for u in &kept.owners {
                t.link_owner(g, *u);
            }
            for u in &kept.members {
                t.link_member(g, Principal::User(*u));
            }
            for r in &kept.assigned_to {
                t.link_assignment(*r, Principal::Group(g));
            }
        });
        if kept.selected && self.selected.len() < MAX_SELECTED {
            self.selected.push(g);
        }
        if self.covered(g) {
            self.renew_now(g);
        }
        // R-15.17: back into the packages and policies it left, then delivered.
        self.packages_restore_group(g, seq);
    }

    /// R-13.10: deletes a soft-deleted group for good (its id stays taken, R-1.1).
    pub(crate) fn purge_now(&mut self, g: GroupIx) {
        self.schedule.unschedule_all(Owner::Group(g));
        self.packages_purge_group(g);
        if let Some(group) = self.groups.get_mut(g as usize) {
            if group.kept.take().is_some() {
                self.deleted_order.remove(&group.deleted_order);
            }
        }
    }
}

// ----- the §13 commands: rules and effects -----

impl Tenant {
    /// The rules of the §13 commands: a plan or a refusal in §9's order.
    pub(crate) fn decide_lifecycle(&self, a: &mut Args, cmd: &Command) -> Result<LifecyclePlan> {
        match cmd {
            Command::AddGroupToExpiration { actor, group } | Command::RemoveGroupFromExpiration { actor, group } => {
                let adding = matches!(cmd, Command::AddGroupToExpiration { .. });
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                self.lifecycle_admin(actor, "manage the expiration policy")?;
                self.expiration_kind(group)?;
                let listed = self.selected.contains(&group);
                if adding && self.selected.len() >= crate::lifecycle::MAX_SELECTED {
                    return refuse(
                        Code::ExpirationGroupLimit,
                        format!(
                            "the expiration policy already lists {} groups, the most allowed, so {} cannot be added",
                            self.selected.len(),
                            self.dg(group)
                        ),
                    );
                }
                match (adding, listed) {
                    (true, true) => {
                        refuse(Code::AlreadySelected, format!("{} is already in the expiration policy", self.dg(group)))
                    }
                    (false, false) => {
                        refuse(Code::NotSelected, format!("{} is not in the expiration policy", self.dg(group)))
                    }
                    _ => Ok(LifecyclePlan::Select { group, add: adding }),
                }
            }
            Command::Renew { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                // R-13.4: an owner's right, whatever the self-service settings.
                if !self.group_admin(actor) && !self.groups[group as usize].owners.contains(&actor) {
                    return refuse(
                        Code::NotOwner,
                        format!("{} is not an owner of {}, so cannot renew it", self.du(actor), self.dg(group)),
                    );
                }
                if !self.covered(group) {
                    return refuse(
                        Code::ExpirationNotApplicable,
                        format!("{} is not covered by the expiration policy, so it cannot be renewed", self.dg(group)),
                    );
                }
                Ok(LifecyclePlan::Renew { group })
            }
            Command::RestoreGroup { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.deleted_group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                let was_owner = self.groups[group as usize].kept.as_ref().is_some_and(|k| k.owners.contains(&actor));
                if !self.group_admin(actor) && !was_owner {
                    return refuse(
                        Code::NotOwner,
                        format!(
                            "{} was not an owner of the deleted {}, so cannot restore it",
                            self.du(actor),
                            self.dg(group)
                        ),
                    );
                }
                Ok(LifecyclePlan::Restore { group })
            }
            Command::PurgeGroup { actor, group } => {
                let actor_r = a.actor(actor);
                let group_r = a.deleted_group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.active(actor)?;
                self.lifecycle_admin(actor, &format!("purge the deleted {}", self.dg(group)))?;
                Ok(LifecyclePlan::Purge { group })
            }
            Command::RecordActivity { group } => {
                let group = a.group(group)?;
                Ok(LifecyclePlan::RecordActivity { group })
            }
            _ => misrouted(cmd),
        }
    }

    /// The effects of the §13 commands.
    pub(crate) fn apply_lifecycle(&mut self, plan: LifecyclePlan, seq: u64) -> (Outcome, Created) {
        match plan {
            LifecyclePlan::Select { group, add } => {
                self.select_now(group, add);
                (Outcome::Nothing, Created::Nothing)
            }
            LifecyclePlan::Renew { group } => {
                self.renew_now(group);
                (Outcome::Group(self.groups[group as usize].id.clone()), Created::Nothing)
            }
            LifecyclePlan::Restore { group } => {
                self.restore_now(group, seq);
                (Outcome::Group(self.groups[group as usize].id.clone()), Created::Nothing)
            }
            LifecyclePlan::Purge { group } => {
                self.purge_now(group);
                (Outcome::Nothing, Created::Nothing)
            }
            LifecyclePlan::RecordActivity { group } => {
                self.record_activity_now(group);
                (Outcome::Nothing, Created::Nothing)
            }
        }
    }
}

//! A tenant: its state, and the execution pipeline every command shares: resolve and decide
//! (the rules of the command's area, sent there by `rules`), apply (the effects of
//! its area), record (audit, history), and fire the timed events a clock move makes due.
//! Lookups are in `lookup`, the bookkeeping every area's effects share in `links`.
//!
//! ```
//! use ssgm::{Command, Tenant};
//! let mut t = Tenant::new("contoso");
//! t.execute(Command::AddUser {
//!     upn: "admin@contoso.com".into(), display_name: None, department: None,
//!     roles: vec!["global_admin".into()], enabled: true, manager: None,
//! }).unwrap();
//! assert_eq!(t.audit_log().len(), 1);
//! ```

mod links;
mod lookup;

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::records::{AuditEntry, Decision, Outcome, ProvisioningEvent};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

/// The catalogue entries of the clock moves (R-8.3), `check` (R-10.11) and the history and log queries (§8) (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        command(
            "advance",
            Clock,
            &[
                kw("days", Ty::Number, "0"),
                kw("hours", Ty::Number, "0"),
                kw("minutes", Ty::Number, "0"),
                kw("seconds", Ty::Number, "0"),
            ],
            "datetime",
            "",
            "Moves the clock forward (R-8.3); a negative or non-finite duration is invalid_time.",
        ),
        command(
            "set_time",
            Clock,
            &[req("when", Ty::Time)],
            "datetime",
            "",
            "Moves the clock to a later instant (R-8.3, R-10.7).",
        ),
        query(
            "check",
            &[
                ACTOR,
                req("command", Ty::Command),
                Param { name: "args", ty: Ty::Arguments, default: None, keyword_only: false },
            ],
            "Decision",
            "Dry run of an actor command by name, not recorded (R-10.11).",
        ),
        query("audit_log", &[], "list[AuditEntry]", "The audit log (R-8.1)."),
        query("provisioning_log", &[], "list[ProvisioningEvent]", "The provisioning log (R-7.7)."),
        query("events", &[], "list[dict]", "The history (R-8.4): every command and clock move, in order."),
        query("fork", &[], "Tenant", "An independent copy, for what-if studies."),
        query("save", &[req("path", Ty::Path)], "None", "Writes an atomic snapshot."),
    ];
}

/// One directory: settings, objects, logs, clock and history (SPEC §1).
#[derive(Debug, Clone)]
pub struct Tenant {
    pub(crate) name: String,
    pub(crate) settings: Settings,
    pub(crate) now: Timestamp,
    pub(crate) users: Vec<User>,
    pub(crate) groups: Vec<Group>,
    pub(crate) resources: Vec<Resource>,
    pub(crate) requests: Vec<Request>,
    /// Every id ever given, to what (R-1.1: never reused).
    pub(crate) ids: FxHashMap<String, Object>,
    pub(crate) upns: FxHashMap<String, UserIx>,
    /// Disabled users (usually few), so access checks need not touch the user records.
    pub(crate) disabled: FxHashSet<UserIx>,
    pub(crate) group_names: FxHashMap<String, Vec<GroupIx>>,
    pub(crate) resource_names: FxHashMap<String, ResourceIx>,
    /// Requests of each user, in creation order.
    pub(crate) user_requests: Vec<Vec<RequestIx>>,
    /// Pending requests, in creation order.
    pub(crate) pending: std::collections::BTreeSet<RequestIx>,
    pub(crate) next_id: [u64; 4],
    pub(crate) audit: Vec<AuditEntry>,
    pub(crate) provisioning: Vec<ProvisioningEvent>,
    pub(crate) history: Vec<Command>,
    pub(crate) import_report: Option<Value>,
    /// R-8.7: timed events due later.
    pub(crate) schedule: crate::schedule::Schedule,
    /// R-13.1: the expiration policy's selected list, in the order groups were added.
    pub(crate) selected: Vec<GroupIx>,
    /// R-13.8: soft-deleted groups by their place in the order of deletions.
    pub(crate) deleted_order: std::collections::BTreeMap<u64, GroupIx>,
    pub(crate) next_deleted: u64,
    /// R-13.6: the notification log.
    pub(crate) notifications: Vec<crate::records::Notification>,
    /// §14: access reviews, in creation order, and the counter of their generated ids.
    pub(crate) reviews: Vec<review::Review>,
    pub(crate) next_review_id: u64,
    /// §15: access packages, policies, requests and assignments.
    pub(crate) pkg: package::Packages,
    /// When who has access to each resource last changed (R-7.3): a tick of `access_clock`
    /// set by every change of an application's grants or blocks, read by callers that keep
    /// an answer until it changes. Never written: a loaded or forked tenant starts anew.
    pub(crate) access_epochs: Vec<u64>,
    /// The tick of the last change of the disabled users, which every resource's answer holds.
    pub(crate) disabled_epoch: u64,
    pub(crate) access_clock: u64,
}

/// Id prefixes of generated ids, by kind.
pub(crate) const PREFIXES: [&str; 4] = ["u-", "g-", "r-", "req-"];
const USER: usize = 0;
const GROUP: usize = 1;
const RESOURCE: usize = 2;
const REQUEST: usize = 3;

impl Tenant {
    /// A new, empty tenant with default settings; its clock reads 2016-06-14T00:00:00Z.
    pub fn new(name: impl Into<String>) -> Tenant {
        Tenant {
            name: name.into(),
            settings: Settings::default(),
            now: EPOCH_START,
            users: Vec::new(),
            groups: Vec::new(),
            resources: Vec::new(),
            requests: Vec::new(),
            ids: FxHashMap::default(),
            upns: FxHashMap::default(),
            disabled: FxHashSet::default(),
            group_names: FxHashMap::default(),
            resource_names: FxHashMap::default(),
            user_requests: Vec::new(),
            pending: Default::default(),
            next_id: [1; 4],
            audit: Vec::new(),
            provisioning: Vec::new(),
            history: Vec::new(),
            import_report: None,
            schedule: Default::default(),
            selected: Vec::new(),
            deleted_order: Default::default(),
            next_deleted: 0,
            notifications: Vec::new(),
            reviews: Vec::new(),
            next_review_id: 1,
            pkg: Default::default(),
            access_epochs: Vec::new(),
            disabled_epoch: 0,
            access_clock: 0,
        }
    }

    /// The tenant's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The current settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The logical clock (R-8.3).
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The audit log (R-8.1).
    pub fn audit_log(&self) -> &[AuditEntry] {
        &self.audit
    }

    /// The provisioning log (R-7.7).
    pub fn provisioning_log(&self) -> &[ProvisioningEvent] {
        &self.provisioning
    }

    /// The history (R-8.4).
    pub fn history(&self) -> &[Command] {
        &self.history
    }

    /// The report of the Graph import that made this tenant (R-11.7), if any.
    pub fn import_report(&self) -> Option<&Value> {
        self.import_report.as_ref()
    }

    /// Keeps the report of the Graph import that made this tenant (R-11.7).
    pub fn set_import_report(&mut self, report: Option<Value>) {
        self.import_report = report;
    }

    /// Executes one command or clock move: decides it, applies it if allowed, records it in
    /// the audit log (clock moves are not audited) and the history.
    pub fn execute(&mut self, cmd: Command) -> Result<Outcome> {
        // R-10.13: a value nested too deep to read back is a type error, not a command.
        cmd.check_depth()?;
        if cmd.is_clock() {
            let result = self.move_clock(&cmd);
            if result.is_ok() {
                // R-10.7: a refused clock move is not part of the history.
                self.history.push(cmd);
            }
            return result;
        }
        let prepared = self.prepare(&cmd);
        let seq = self.audit.len() as u64 + 1;
        let Prepared { actor, activity, mut targets, plan } = prepared;
        let result = match plan {
            Ok(plan) => {
                let (outcome, created) = self.apply(plan, seq);
                match created {
                    Created::Nothing => {}
                    Created::Named(id) => {
                        if let Some(first) = targets.first_mut() {
                            *first = id;
                        }
                    }
                    Created::Extra(id) => targets.push(id),
                    Created::Many(ids) => targets.extend(ids),
                    Created::At(at, id) => {
                        if let Some(t) = targets.get_mut(at) {
                            *t = id;
                        }
                    }
                    Created::Extras(ids) => targets.extend(ids),
                }
                self.audit.push(AuditEntry {
                    seq,
                    time: self.now,
                    actor,
                    activity,
                    targets,
                    success: true,
                    code: None,
                });
                Ok(outcome)
            }
            Err(err) => {
                self.audit.push(AuditEntry {
                    seq,
                    time: self.now,
                    actor,
                    activity,
                    targets,
                    success: false,
                    code: err.code(),
                });
                Err(err)
            }
        };
        self.history.push(cmd);
        result
    }

    /// A dry run: the decision `execute` would reach, changing nothing (not audited, not in
    /// the history). Seeding commands and clock moves are `unknown_command` (R-10.11).
    pub fn check(&self, cmd: &Command) -> Decision {
        if !cmd.checkable() {
            return Decision::refused(&Error::new(
                Code::UnknownCommand,
                format!("check does not accept {}: only actor commands and checked reads", cmd.name()),
            ));
        }
        match self.prepare(cmd).plan {
            Ok(_) => Decision::allowed(cmd.name()),
            Err(e) => Decision::refused(&e),
        }
    }

    fn move_clock(&mut self, cmd: &Command) -> Result<Outcome> {
        let t = self.clock_target(cmd)?;
        // R-8.7: every event due by the new instant fires first, each at its own instant.
        self.fire_due(t);
        self.now = t;
        Ok(Outcome::Time(t))
    }

    /// R-8.3, R-10.7: the instant a clock move would set, or why it is refused, changing
    /// nothing (a refused clock move does not enter the history).
    pub fn clock_target(&self, cmd: &Command) -> Result<Timestamp> {
        let target = match cmd {
            Command::Advance { micros } if *micros >= 0 => self.now.checked_add(*micros),
            Command::Advance { .. } => None,
            Command::SetTime { micros } => Some(*micros),
            _ => None,
        };
        match target {
            Some(t) if t > LATEST => {
                Err(Error::new(Code::InvalidTime, format!("the clock cannot move past {}", format_time(LATEST))))
            }
            Some(t) if t >= self.now => Ok(t),
            Some(t) => Err(Error::new(
                Code::InvalidTime,
                format!("the clock cannot move back from {} to {}", format_time(self.now), format_time(t)),
            )),
            None => Err(Error::new(Code::InvalidTime, "the clock can only move forward")),
        }
    }

    /// R-8.7: fires every event due at or before `until`, each at its due instant, those it
    /// schedules included. A move that fires nothing looks at the queue's first entry only.
    fn fire_due(&mut self, until: Timestamp) {
        while let Some((key, event)) = self.schedule.pop_due(until) {
            self.now = key.due.max(self.now);
            // Each area fires its own kinds. §15's expiries trim member lists once at the end
            // of the move; anything else reads memberships, so they are trimmed first.
            if event.section() == 15 {
                self.fire_package(event);
                continue;
            }
            self.flush_package_removals();
            match event.section() {
                14 => self.fire_review(event),
                _ => self.fire_lifecycle(event),
            }
        }
        self.flush_package_removals();
    }

    /// A fired event that changes the state: one audit entry of actor `system` naming
    /// `group`, whose `seq` is the cause of the provisioning `apply` makes (R-8.7).
    pub(crate) fn record_event(
        &mut self,
        activity: &'static str,
        group: GroupIx,
        apply: impl FnOnce(&mut Tenant, u64),
    ) {
        let target = self.groups.get(group as usize).map(|g| g.id.clone()).unwrap_or_default();
        self.record_system(activity, target, apply);
    }

    /// A fired event's audit entry (actor `system`, one target), `apply` run with its `seq`.
    pub(crate) fn record_system(
        &mut self,
        activity: &'static str,
        target: String,
        apply: impl FnOnce(&mut Tenant, u64),
    ) {
        let seq = self.audit.len() as u64 + 1;
        apply(self, seq);
        self.audit.push(AuditEntry {
            seq,
            time: self.now,
            actor: "system".to_string(),
            activity,
            targets: vec![target],
            success: true,
            code: None,
        });
    }

    /// Carries out a plan through the effects of its area.
    fn apply(&mut self, plan: Plan, seq: u64) -> (Outcome, Created) {
        match plan {
            Plan::User(plan) => self.apply_users(plan, seq),
            Plan::Group(plan) => self.apply_groups(plan, seq),
            Plan::Request(plan) => self.apply_requests(plan, seq),
            Plan::Resource(plan) => self.apply_resources(plan, seq),
            Plan::Lifecycle(plan) => self.apply_lifecycle(plan, seq),
            Plan::Import(plan) => {
                let (counts, ssgm) = self.apply_import(*plan);
                let created = match ssgm {
                    Some(id) => Created::Extra(id),
                    None => Created::Nothing,
                };
                (Outcome::Imported(counts), created)
            }
            Plan::Review(plan) => {
                let (outcome, created) = self.apply_review_plan(plan, seq);
                (outcome, if created.is_empty() { Created::Nothing } else { Created::Many(created) })
            }
            Plan::Package(plan) => self.apply_package(*plan, seq),
        }
    }
}

pub(crate) const KIND_USER: usize = USER;
pub(crate) const KIND_GROUP: usize = GROUP;
pub(crate) const KIND_RESOURCE: usize = RESOURCE;
pub(crate) const KIND_REQUEST: usize = REQUEST;

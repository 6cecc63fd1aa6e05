//! A tenant: its state, and command execution: decide (in [`crate::rules`]), apply, record.
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

use crate::command::Command;
use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::records::{AuditEntry, Change, Decision, Outcome, ProvisioningEvent};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

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
    pub(crate) reviews: Vec<crate::reviews::Review>,
    pub(crate) next_review_id: u64,
    /// §15: access packages, policies, requests and assignments.
    pub(crate) pkg: crate::packages::Packages,
}

/// Id prefixes of generated ids, by kind.
const PREFIXES: [&str; 4] = ["u-", "g-", "r-", "req-"];
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

    // ----- ids and lookups -----------------------------------------------------------------

    /// R-1.1: the next generated id of a kind, skipping every id that is or was taken.
    pub(crate) fn generate_id(&mut self, kind: usize) -> String {
        loop {
            let id = format!("{}{}", PREFIXES[kind], self.next_id[kind]);
            self.next_id[kind] += 1;
            if !self.ids.contains_key(&id) {
                return id;
            }
        }
    }

    /// The id `generate_id` would give next, without taking it.
    pub(crate) fn peek_ids(&self, kind: usize, count: usize, also_taken: &FxHashSet<String>) -> Vec<String> {
        let mut out = Vec::with_capacity(count);
        let mut n = self.next_id[kind];
        while out.len() < count {
            let id = format!("{}{}", PREFIXES[kind], n);
            n += 1;
            if !self.ids.contains_key(&id) && !also_taken.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// Whether an id is or was taken by any object (R-8.5 `duplicate_id`).
    pub(crate) fn id_taken(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    pub(crate) fn live_group(&self, g: GroupIx) -> Option<&Group> {
        self.groups.get(g as usize).filter(|g| !g.deleted)
    }

    /// The refusal for a reference `r` that names no object of the kind `code` is about, in
    /// one wording for every face: `there is no user "x" in tenant "contoso"`, or, for the id
    /// of a deleted group, that it was deleted.
    pub fn not_found(&self, code: Code, r: &str) -> Error {
        let word = match code {
            Code::UserNotFound => "user",
            Code::GroupNotFound => "group",
            Code::ResourceNotFound => "resource",
            Code::RequestNotFound => "request",
            Code::ReviewNotFound => "access review",
            _ => "object",
        };
        if code == Code::GroupNotFound {
            if let Some(Object::Group(g)) = self.ids.get(r) {
                if let Some(group) = self.groups.get(*g as usize).filter(|g| g.deleted) {
                    return Error::new(code, format!("group {:?} ({r}) was deleted", group.name));
                }
            }
        }
        Error::new(code, format!("there is no {word} {r:?} in tenant {:?}", self.name))
    }

    /// R-1.4: a user by id, then upn.
    pub fn find_user(&self, r: &str) -> Result<UserIx> {
        if let Some(Object::User(u)) = self.ids.get(r) {
            return Ok(*u);
        }
        self.upns.get(fold(r.trim()).as_ref()).copied().ok_or_else(|| self.not_found(Code::UserNotFound, r))
    }

    fn group_by_name(&self, r: &str) -> Result<Option<GroupIx>> {
        match self.group_names.get(fold(r.trim()).as_ref()).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([g]) => Ok(Some(*g)),
            Some(many) => Err(Error::new(
                Code::AmbiguousName,
                format!("{} groups are named {r:?}; name one by its id", many.len()),
            )),
        }
    }

    /// R-1.4: a live group by id, then by name (R-1.2: `ambiguous_name` if several).
    pub fn find_group(&self, r: &str) -> Result<GroupIx> {
        if let Some(Object::Group(g)) = self.ids.get(r) {
            if self.live_group(*g).is_some() {
                return Ok(*g);
            }
        }
        self.group_by_name(r)?.ok_or_else(|| self.not_found(Code::GroupNotFound, r))
    }

    /// R-1.4: a resource by id, then by name.
    pub fn find_resource(&self, r: &str) -> Result<ResourceIx> {
        if let Some(Object::Resource(x)) = self.ids.get(r) {
            return Ok(*x);
        }
        self.resource_names
            .get(fold(r.trim()).as_ref())
            .copied()
            .ok_or_else(|| self.not_found(Code::ResourceNotFound, r))
    }

    /// A request by id.
    pub fn find_request(&self, r: &str) -> Result<RequestIx> {
        match self.ids.get(r) {
            Some(Object::Request(q)) => Ok(*q),
            _ => Err(self.not_found(Code::RequestNotFound, r)),
        }
    }

    /// R-1.4: a principal by id (user or group), then upn, then group name; unresolved is
    /// `user_not_found` when the text contains `@`, else `group_not_found`.
    pub fn find_principal(&self, r: &str) -> Result<Principal> {
        match self.ids.get(r) {
            Some(Object::User(u)) => return Ok(Principal::User(*u)),
            Some(Object::Group(g)) if self.live_group(*g).is_some() => return Ok(Principal::Group(*g)),
            _ => {}
        }
        if let Some(u) = self.upns.get(fold(r.trim()).as_ref()) {
            return Ok(Principal::User(*u));
        }
        if let Some(g) = self.group_by_name(r)? {
            return Ok(Principal::Group(g));
        }
        if r.contains('@') {
            Err(self.not_found(Code::UserNotFound, r))
        } else {
            Err(self.not_found(Code::GroupNotFound, r))
        }
    }

    /// What an id names, if anything live.
    pub fn object(&self, id: &str) -> Option<Object> {
        match self.ids.get(id) {
            Some(Object::Group(g)) if self.live_group(*g).is_none() => None,
            other => other.copied(),
        }
    }

    // ----- descriptions for messages (R-9: one sentence naming the objects) ---------------

    pub(crate) fn du(&self, u: UserIx) -> String {
        self.users.get(u as usize).map(|u| u.upn.clone()).unwrap_or_default()
    }

    pub(crate) fn dg(&self, g: GroupIx) -> String {
        match self.groups.get(g as usize) {
            Some(g) => format!("group {:?} ({})", g.name, g.id),
            None => String::from("a group"),
        }
    }

    pub(crate) fn dr(&self, r: ResourceIx) -> String {
        match self.resources.get(r as usize) {
            Some(r) => format!("{} {:?} ({})", r.kind.as_str(), r.name, r.id),
            None => String::from("a resource"),
        }
    }

    pub(crate) fn dp(&self, p: Principal) -> String {
        match p {
            Principal::User(u) => self.du(u),
            Principal::Group(g) => self.dg(g),
        }
    }

    pub(crate) fn dq(&self, q: RequestIx) -> String {
        self.requests.get(q as usize).map(|q| format!("request {}", q.id)).unwrap_or_default()
    }

    /// The id of a principal.
    pub fn principal_id(&self, p: Principal) -> &str {
        match p {
            Principal::User(u) => self.users.get(u as usize).map(|u| u.id.as_str()).unwrap_or(""),
            Principal::Group(g) => self.groups.get(g as usize).map(|g| g.id.as_str()).unwrap_or(""),
        }
    }

    // ----- reading objects -------------------------------------------------------------------

    /// Users, in creation order.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// Every group slot, deleted ones included (see [`Group::deleted`]).
    pub fn all_groups(&self) -> &[Group] {
        &self.groups
    }

    /// Live groups, in creation order.
    pub fn groups(&self) -> impl Iterator<Item = (GroupIx, &Group)> {
        self.groups.iter().enumerate().filter(|(_, g)| !g.deleted).map(|(i, g)| (i as GroupIx, g))
    }

    /// Resources, in creation order.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// Requests, in creation order.
    pub fn requests(&self) -> &[Request] {
        &self.requests
    }

    /// A user by index.
    pub fn user(&self, u: UserIx) -> Option<&User> {
        self.users.get(u as usize)
    }

    /// A group by index (possibly deleted).
    pub fn group(&self, g: GroupIx) -> Option<&Group> {
        self.groups.get(g as usize)
    }

    /// A resource by index.
    pub fn resource(&self, r: ResourceIx) -> Option<&Resource> {
        self.resources.get(r as usize)
    }

    /// A request by index.
    pub fn request(&self, q: RequestIx) -> Option<&Request> {
        self.requests.get(q as usize)
    }

    /// Requests filtered by status, group and requester, in creation order.
    pub fn requests_where(
        &self,
        status: Option<RequestStatus>,
        group: Option<GroupIx>,
        requester: Option<UserIx>,
    ) -> Vec<RequestIx> {
        let pick = |q: &RequestIx| {
            self.requests.get(*q as usize).is_some_and(|r| {
                status.is_none_or(|s| r.status == s)
                    && group.is_none_or(|g| r.group == g)
                    && requester.is_none_or(|u| r.requester == u)
            })
        };
        match (requester, status) {
            (Some(u), _) => self
                .user_requests
                .get(u as usize)
                .map(|qs| qs.iter().copied().filter(pick).collect())
                .unwrap_or_default(),
            (None, Some(RequestStatus::Pending)) => self.pending.iter().copied().filter(pick).collect(),
            _ => (0..self.requests.len() as RequestIx).filter(pick).collect(),
        }
    }

    // ----- applying ------------------------------------------------------------------------

    pub(crate) fn register_user(
        &mut self,
        id: String,
        upn: String,
        display_name: String,
        department: Option<String>,
        roles: Roles,
        enabled: bool,
    ) -> UserIx {
        let u = self.users.len() as UserIx;
        self.ids.insert(id.clone(), Object::User(u));
        self.upns.insert(fold(&upn).into_owned(), u);
        if !enabled {
            self.disabled.insert(u);
        }
        self.users.push(User {
            id,
            upn,
            display_name,
            department,
            roles,
            enabled,
            groups: Vec::new(),
            owner_of: Vec::new(),
            assigned_to: Vec::new(),
            created_groups: 0,
            last_sign_in: None,
            manager: None,
        });
        self.user_requests.push(Vec::new());
        u
    }

    /// Adds a group with no links yet; owners and members are linked by the caller.
    pub(crate) fn register_group(&mut self, id: String, spec: &NewGroup) -> GroupIx {
        let g = self.groups.len() as GroupIx;
        self.ids.insert(id.clone(), Object::Group(g));
        self.group_names.entry(fold(&spec.name).into_owned()).or_default().push(g);
        self.groups.push(Group {
            id,
            name: spec.name.clone(),
            description: spec.description.clone(),
            kind: spec.kind,
            join_policy: spec.join_policy,
            owners: Vec::new(),
            members: Vec::new(),
            parents: Vec::new(),
            assigned_to: Vec::new(),
            on_premises: spec.on_premises,
            created_by: spec.created_by,
            created_at: self.now,
            deleted: false,
            expires_at: None,
            renewed_at: None,
            last_activity: None,
            active_since_anchor: false,
            deleted_at: None,
            kept: None,
            deleted_order: 0,
        });
        if let Some(user) = spec.created_by.and_then(|u| self.users.get_mut(u as usize)) {
            user.created_groups += 1;
        }
        g
    }

    pub(crate) fn register_resource(&mut self, id: String, name: String, kind: ResourceKind) -> ResourceIx {
        let r = self.resources.len() as ResourceIx;
        self.ids.insert(id.clone(), Object::Resource(r));
        self.resource_names.insert(fold(&name).into_owned(), r);
        self.resources.push(Resource {
            id,
            name,
            kind,
            owners: Vec::new(),
            assigned: Vec::new(),
            assigned_groups: FxHashSet::default(),
            assigned_users: FxHashSet::default(),
            blocked: Vec::new(),
            blocked_set: FxHashSet::default(),
            grants: FxHashMap::default(),
        });
        r
    }

    pub(crate) fn link_owner(&mut self, g: GroupIx, u: UserIx) {
        if let Some(group) = self.groups.get_mut(g as usize) {
            group.owners.push(u);
        }
        if let Some(user) = self.users.get_mut(u as usize) {
            user.owner_of.push(g);
        }
    }

    pub(crate) fn unlink_owner(&mut self, g: GroupIx, u: UserIx) {
        if let Some(group) = self.groups.get_mut(g as usize) {
            group.owners.retain(|x| *x != u);
        }
        if let Some(user) = self.users.get_mut(u as usize) {
            user.owner_of.retain(|x| *x != g);
        }
    }

    /// Adds or removes one grant of application `r` to user `u` (R-7.4).
    fn count_grant(&mut self, r: ResourceIx, u: UserIx, add: bool) {
        let Some(res) = self.resources.get_mut(r as usize) else { return };
        if res.kind != ResourceKind::Application {
            return;
        }
        if add {
            *res.grants.entry(u).or_insert(0) += 1;
        } else if let Some(n) = res.grants.get_mut(&u) {
            *n -= 1;
            if *n == 0 {
                res.grants.remove(&u);
            }
        }
    }

    /// Counts the grants that a user's direct membership of `g` gives or takes.
    pub(crate) fn count_membership(&mut self, g: GroupIx, u: UserIx, add: bool) {
        let assigned = match self.groups.get(g as usize) {
            Some(group) if !group.assigned_to.is_empty() => group.assigned_to.clone(),
            _ => return,
        };
        for r in assigned {
            self.count_grant(r, u, add);
        }
    }

    pub(crate) fn link_member(&mut self, g: GroupIx, p: Principal) {
        if let Some(group) = self.groups.get_mut(g as usize) {
            group.members.push(p);
        }
        match p {
            Principal::User(u) => {
                if let Some(user) = self.users.get_mut(u as usize) {
                    user.groups.push(g);
                }
                self.count_membership(g, u, true);
            }
            Principal::Group(c) => {
                if let Some(child) = self.groups.get_mut(c as usize) {
                    child.parents.push(g);
                }
            }
        }
    }

    /// §15 (R-8.7): ends user `u`'s direct membership of `g` but leaves the group's member
    /// list for the caller to trim, so many removals at one instant stay linear.
    pub(crate) fn unlink_user_later(&mut self, g: GroupIx, u: UserIx) {
        if let Some(user) = self.users.get_mut(u as usize) {
            user.groups.retain(|x| *x != g);
        }
        self.count_membership(g, u, false);
    }

    pub(crate) fn unlink_member(&mut self, g: GroupIx, p: Principal) {
        if let Some(group) = self.groups.get_mut(g as usize) {
            if let Some(pos) = group.members.iter().position(|m| *m == p) {
                group.members.remove(pos);
            }
        }
        match p {
            Principal::User(u) => {
                if let Some(user) = self.users.get_mut(u as usize) {
                    user.groups.retain(|x| *x != g);
                }
                self.count_membership(g, u, false);
            }
            Principal::Group(c) => {
                if let Some(child) = self.groups.get_mut(c as usize) {
                    child.parents.retain(|x| *x != g);
                }
            }
        }
    }

    pub(crate) fn link_assignment(&mut self, r: ResourceIx, p: Principal) {
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.assigned.push(p);
            match p {
                Principal::User(u) => {
                    res.assigned_users.insert(u);
                }
                Principal::Group(g) => {
                    res.assigned_groups.insert(g);
                }
            }
        }
        match p {
            Principal::User(u) => {
                if let Some(user) = self.users.get_mut(u as usize) {
                    user.assigned_to.push(r);
                }
            }
            Principal::Group(g) => {
                if let Some(group) = self.groups.get_mut(g as usize) {
                    group.assigned_to.push(r);
                }
            }
        }
        self.count_assignment(r, p, true);
    }

    /// Counts the grants of application `r` that assigning `p` gives or takes.
    fn count_assignment(&mut self, r: ResourceIx, p: Principal, add: bool) {
        match p {
            Principal::User(u) => self.count_grant(r, u, add),
            Principal::Group(g) => {
                let users: Vec<UserIx> = match self.groups.get(g as usize) {
                    Some(group) => group
                        .members
                        .iter()
                        .filter_map(|m| match m {
                            Principal::User(u) => Some(*u),
                            Principal::Group(_) => None,
                        })
                        .collect(),
                    None => return,
                };
                if add {
                    if let Some(res) = self.resources.get_mut(r as usize) {
                        if res.kind == ResourceKind::Application {
                            res.grants.reserve(users.len());
                        }
                    }
                }
                for u in users {
                    self.count_grant(r, u, add);
                }
            }
        }
    }

    pub(crate) fn unlink_assignment(&mut self, r: ResourceIx, p: Principal) {
        self.count_assignment(r, p, false);
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.assigned.retain(|x| *x != p);
            match p {
                Principal::User(u) => {
                    res.assigned_users.remove(&u);
                }
                Principal::Group(g) => {
                    res.assigned_groups.remove(&g);
                }
            }
        }
        match p {
            Principal::User(u) => {
                if let Some(user) = self.users.get_mut(u as usize) {
                    user.assigned_to.retain(|x| *x != r);
                }
            }
            Principal::Group(g) => {
                if let Some(group) = self.groups.get_mut(g as usize) {
                    group.assigned_to.retain(|x| *x != r);
                }
            }
        }
    }

    pub(crate) fn link_block(&mut self, r: ResourceIx, u: UserIx) {
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.blocked.push(u);
            res.blocked_set.insert(u);
        }
    }

    fn unlink_block(&mut self, r: ResourceIx, u: UserIx) {
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.blocked.retain(|x| *x != u);
            res.blocked_set.remove(&u);
        }
    }

    pub(crate) fn link_resource_owner(&mut self, r: ResourceIx, u: UserIx) {
        if let Some(res) = self.resources.get_mut(r as usize) {
            res.owners.push(u);
        }
    }

    /// Links the owners and members of freshly registered groups (an import, a loaded
    /// snapshot), sizing every user's and group's list once rather than growing it link by
    /// link.
    pub(crate) fn link_groups(&mut self, links: Vec<(GroupIx, Vec<UserIx>, Vec<Principal>)>) {
        let mut per_user: Vec<u32> = vec![0; self.users.len()];
        for (_, _, members) in &links {
            for m in members {
                if let Principal::User(u) = m {
                    if let Some(n) = per_user.get_mut(*u as usize) {
                        *n += 1;
                    }
                }
            }
        }
        for (user, n) in self.users.iter_mut().zip(per_user) {
            if n > 0 {
                user.groups.reserve_exact(n as usize);
            }
        }
        for (g, owners, members) in links {
            if let Some(group) = self.groups.get_mut(g as usize) {
                group.members.reserve_exact(members.len());
            }
            for u in owners {
                self.link_owner(g, u);
            }
            for p in members {
                self.link_member(g, p);
            }
        }
    }

    /// Creates a group from a decided plan, with its owners and members.
    pub(crate) fn create_group_now(&mut self, spec: NewGroup) -> GroupIx {
        let id = match &spec.id {
            Some(id) => id.clone(),
            None => self.generate_id(GROUP),
        };
        let g = self.register_group(id, &spec);
        for u in &spec.owners {
            self.link_owner(g, *u);
        }
        for p in &spec.members {
            self.link_member(g, *p);
        }
        g
    }

    /// R-2.4: the SSGM group a `configure` or an import must create, if any.
    pub(crate) fn ssgm_group_needed(&self, settings: &Settings) -> bool {
        settings.self_service_scope == SelfServiceScope::Some
            && self.group_names.get(fold(&settings.self_service_group).as_ref()).is_none_or(|gs| gs.is_empty())
    }

    /// R-2.4: creates the SSGM group.
    pub(crate) fn create_ssgm_group(&mut self, created_by: Option<UserIx>) -> GroupIx {
        let spec = NewGroup {
            name: self.settings.self_service_group.clone(),
            description: String::new(),
            kind: GroupKind::Security,
            join_policy: JoinPolicy::OwnersOnly,
            owners: Vec::new(),
            members: Vec::new(),
            on_premises: false,
            created_by,
            id: None,
        };
        self.create_group_now(spec)
    }

    fn apply(&mut self, plan: Plan, seq: u64) -> (Outcome, Created) {
        match plan {
            Plan::AddUser { upn, display_name, department, roles, enabled, manager } => {
                let id = self.generate_id(USER);
                let u = self.register_user(id.clone(), upn, display_name, department, roles, enabled);
                self.users[u as usize].manager = manager;
                (Outcome::User(id.clone()), Created::Named(id))
            }
            Plan::SetEnabled { user, enabled } => {
                let pairs = self.pairs_of_user(user);
                self.provision(pairs, seq, |t| {
                    if let Some(x) = t.users.get_mut(user as usize) {
                        x.enabled = enabled;
                    }
                    if enabled {
                        t.disabled.remove(&user);
                    } else {
                        t.disabled.insert(user);
                    }
                });
                (Outcome::User(self.users[user as usize].id.clone()), Created::Nothing)
            }
            Plan::SetRoles { user, roles } => {
                if let Some(x) = self.users.get_mut(user as usize) {
                    x.roles = roles;
                }
                (Outcome::User(self.users[user as usize].id.clone()), Created::Nothing)
            }
            Plan::Import(plan) => {
                let (counts, ssgm) = self.apply_import(*plan);
                let created = match ssgm {
                    Some(id) => Created::Extra(id),
                    None => Created::Nothing,
                };
                (Outcome::Imported(counts), created)
            }
            Plan::Configure { actor, settings } => {
                let before = std::mem::replace(&mut self.settings, settings);
                self.recover_groups(&before, 0..self.groups.len() as GroupIx);
                let created = if self.ssgm_group_needed(&self.settings) {
                    let g = self.create_ssgm_group(Some(actor));
                    Created::Extra(self.groups[g as usize].id.clone())
                } else {
                    Created::Nothing
                };
                (Outcome::Settings(self.settings.clone()), created)
            }
            Plan::CreateGroup(spec) => {
                let g = self.create_group_now(*spec);
                self.cover_new(g);
                let id = self.groups[g as usize].id.clone();
                (Outcome::Group(id.clone()), Created::Named(id))
            }
            Plan::UpdateGroup { group, name, description, join_policy } => {
                if let Some(name) = name {
                    let old = fold(&self.groups[group as usize].name).into_owned();
                    if let Some(list) = self.group_names.get_mut(&old) {
                        list.retain(|x| *x != group);
                        if list.is_empty() {
                            self.group_names.remove(&old);
                        }
                    }
                    let list = self.group_names.entry(fold(&name).into_owned()).or_default();
                    list.push(group);
                    list.sort_unstable();
                    self.groups[group as usize].name = name;
                }
                let g = &mut self.groups[group as usize];
                if let Some(d) = description {
                    g.description = d;
                }
                if let Some(p) = join_policy {
                    g.join_policy = p;
                }
                (Outcome::Group(g.id.clone()), Created::Nothing)
            }
            Plan::DeleteGroup { actor, group } => {
                self.delete_group_now(Some(actor), group, seq);
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::Select { group, add } => {
                self.select_now(group, add);
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::Renew { group } => {
                self.renew_now(group);
                (Outcome::Group(self.groups[group as usize].id.clone()), Created::Nothing)
            }
            Plan::Restore { group } => {
                self.restore_now(group, seq);
                (Outcome::Group(self.groups[group as usize].id.clone()), Created::Nothing)
            }
            Plan::Purge { group } => {
                self.purge_now(group);
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::RecordActivity { group } => {
                self.record_activity_now(group);
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::Review(plan) => {
                let (outcome, created) = self.apply_review_plan(plan, seq);
                (outcome, if created.is_empty() { Created::Nothing } else { Created::Many(created) })
            }
            Plan::Package(plan) => self.apply_package(*plan, seq),
            Plan::AddMember { group, member } => {
                let pairs = self.pairs_of_membership(group, member);
                self.provision(pairs, seq, |t| t.link_member(group, member));
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::RemoveMember { group, member } => {
                let pairs = self.pairs_of_membership(group, member);
                self.provision(pairs, seq, |t| t.unlink_member(group, member));
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::AddOwner { group, user } => {
                self.link_owner(group, user);
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::RemoveOwner { group, user } => {
                self.unlink_owner(group, user);
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::RequestToJoin { group, requester, justification, settle } => {
                let id = self.generate_id(REQUEST);
                let q = self.requests.len() as RequestIx;
                self.ids.insert(id.clone(), Object::Request(q));
                let mut req = Request {
                    id: id.clone(),
                    group,
                    requester,
                    justification,
                    status: RequestStatus::Pending,
                    decided_by: None,
                    reason: String::new(),
                    created_at: self.now,
                    decided_at: None,
                };
                if let Some(reason) = settle {
                    req.status = RequestStatus::Approved;
                    req.reason = reason.to_string();
                    req.decided_at = Some(self.now);
                } else {
                    self.pending.insert(q);
                }
                self.requests.push(req);
                if let Some(list) = self.user_requests.get_mut(requester as usize) {
                    list.push(q);
                }
                if settle.is_some() {
                    let member = Principal::User(requester);
                    let pairs = self.pairs_of_membership(group, member);
                    self.provision(pairs, seq, |t| t.link_member(group, member));
                }
                (Outcome::Request(id.clone()), Created::Extra(id))
            }
            Plan::Settle { request, by, status, reason } => {
                let now = self.now;
                self.pending.remove(&request);
                let req = &mut self.requests[request as usize];
                req.status = status;
                req.decided_by = Some(by);
                req.reason = reason;
                req.decided_at = Some(now);
                let (group, requester, id) = (req.group, req.requester, req.id.clone());
                if status == RequestStatus::Approved {
                    let member = Principal::User(requester);
                    let already = self.users[requester as usize].groups.contains(&group);
                    if !already && self.live_group(group).is_some() {
                        let pairs = self.pairs_of_membership(group, member);
                        self.provision(pairs, seq, |t| t.link_member(group, member));
                    }
                }
                (Outcome::Request(id), Created::Nothing)
            }
            Plan::CreateResource { name, kind, owners } => {
                let id = self.generate_id(RESOURCE);
                let r = self.register_resource(id.clone(), name, kind);
                for u in owners {
                    self.link_resource_owner(r, u);
                }
                (Outcome::Resource(id.clone()), Created::Named(id))
            }
            Plan::AddResourceOwner { resource, user } => {
                self.link_resource_owner(resource, user);
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::RemoveResourceOwner { resource, user } => {
                if let Some(res) = self.resources.get_mut(resource as usize) {
                    res.owners.retain(|x| *x != user);
                }
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::Assign { resource, principal } => {
                let pairs = self.pairs_of_assignment(resource, principal);
                self.provision(pairs, seq, |t| t.link_assignment(resource, principal));
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::Unassign { resource, principal } => {
                let pairs = self.pairs_of_assignment(resource, principal);
                self.provision(pairs, seq, |t| t.unlink_assignment(resource, principal));
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::Block { resource, user } => {
                self.provision(vec![(user, resource)], seq, |t| t.link_block(resource, user));
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::Unblock { resource, user } => {
                self.provision(vec![(user, resource)], seq, |t| t.unlink_block(resource, user));
                (Outcome::Nothing, Created::Nothing)
            }
            Plan::ListMembers { group } => {
                let members = self.groups[group as usize]
                    .members
                    .iter()
                    .map(|p| match *p {
                        Principal::User(_) => crate::records::Member::User(self.principal_id(*p).to_string()),
                        Principal::Group(_) => crate::records::Member::Group(self.principal_id(*p).to_string()),
                    })
                    .collect();
                (Outcome::Members(members), Created::Nothing)
            }
            Plan::ListAccess { resource } => {
                let users =
                    self.who_has_access(resource).iter().filter_map(|u| self.user(*u)).map(|u| u.id.clone()).collect();
                (Outcome::Users(users), Created::Nothing)
            }
        }
    }

    /// Takes a group out of the name index (a deleted group is found by no name).
    pub(crate) fn unname_group(&mut self, g: GroupIx) {
        let Some(group) = self.groups.get(g as usize) else { return };
        let key = fold(&group.name).into_owned();
        if let Some(list) = self.group_names.get_mut(&key) {
            list.retain(|x| *x != g);
            if list.is_empty() {
                self.group_names.remove(&key);
            }
        }
    }

    /// R-4.13: takes a group out of every group it belongs to, and its members, owners and
    /// assignments out of it.
    pub(crate) fn unlink_group(&mut self, g: GroupIx) {
        let group = &self.groups[g as usize];
        let parents = group.parents.clone();
        let members = group.members.clone();
        let owners = group.owners.clone();
        let assigned = group.assigned_to.clone();
        for p in parents {
            self.unlink_member(p, Principal::Group(g));
        }
        for m in members {
            self.unlink_member(g, m);
        }
        for u in owners {
            self.unlink_owner(g, u);
        }
        for r in assigned {
            self.unlink_assignment(r, Principal::Group(g));
        }
    }

    /// R-4.13: removes a group from everything, cancels its pending requests, withdraws the
    /// access that depended on it; a Microsoft 365 group is kept for restore (R-13.8). With
    /// no actor, the group expired (R-13.7).
    pub(crate) fn delete_group_now(&mut self, actor: Option<UserIx>, g: GroupIx, seq: u64) {
        let kept = self.keep_for_restore(g);
        let pairs = self.pairs_of_group(g);
        let now = self.now;
        self.provision(pairs, seq, |t| t.unlink_group(g));
        let pending: Vec<RequestIx> =
            self.pending.iter().copied().filter(|q| self.requests[*q as usize].group == g).collect();
        for q in pending {
            self.pending.remove(&q);
            let req = &mut self.requests[q as usize];
            req.status = RequestStatus::Cancelled;
            req.decided_by = actor;
            req.reason = if actor.is_some() { "group_deleted" } else { "group_expired" }.to_string();
            req.decided_at = Some(now);
        }
        // R-14.12: its reviews are cancelled in the same command.
        self.cancel_reviews_of(g, actor);
        self.unname_group(g);
        if let Some(u) = self.groups[g as usize].created_by {
            if let Some(user) = self.users.get_mut(u as usize) {
                user.created_groups = user.created_groups.saturating_sub(1);
            }
        }
        self.groups[g as usize].deleted = true;
        // R-15.17: out of every package, policy and pending request, in this command.
        self.packages_forget_group(g, kept.is_some());
        self.soft_delete(g, kept);
    }

    /// R-7.7: evaluates access for `pairs` before and after `change`, and appends one
    /// provisioning entry per pair whose effective access changed, ordered by user then
    /// resource.
    pub(crate) fn provision(
        &mut self,
        mut pairs: Vec<(UserIx, ResourceIx)>,
        cause: u64,
        change: impl FnOnce(&mut Tenant),
    ) {
        pairs.sort_unstable();
        pairs.dedup();
        let before: Vec<bool> = pairs.iter().map(|(u, r)| self.has_access_ix(*u, *r)).collect();
        change(self);
        for ((u, r), was) in pairs.into_iter().zip(before) {
            let is = self.has_access_ix(u, r);
            if is != was {
                let seq = self.provisioning.len() as u64 + 1;
                self.provisioning.push(ProvisioningEvent {
                    seq,
                    time: self.now,
                    user: self.users[u as usize].id.clone(),
                    resource: self.resources[r as usize].id.clone(),
                    change: if is { Change::Provisioned } else { Change::Deprovisioned },
                    cause,
                });
            }
        }
    }
}

pub(crate) const KIND_USER: usize = USER;
pub(crate) const KIND_GROUP: usize = GROUP;
pub(crate) const KIND_RESOURCE: usize = RESOURCE;

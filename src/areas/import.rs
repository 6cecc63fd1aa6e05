//! Bulk seeding with `import_directory`: the data's shape, its validation (atomic,
//! in §9's steps) and its application.

use crate::error::{Code, Error, Result};
use crate::model::*;
use crate::records::ImportCounts;
use crate::tenant::{Tenant, KIND_GROUP, KIND_RESOURCE, KIND_USER};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};

/// The catalogue entries of import (R-8.5) (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[command(
        "import_directory",
        Seeding,
        &[req("data", Ty::Data)],
        "dict",
        "Import directory",
        "Seeding: many users, groups and resources in one command (R-8.5); returns the counts.",
    )];
}

/// Where the data's own ids and upns point, as final indexes.
struct DataIndex<'d> {
    ids: FxHashMap<&'d str, Principal>,
    upns: FxHashMap<std::borrow::Cow<'d, str>, UserIx>,
}

fn bad_name(what: &str, value: &str) -> Error {
    Error::new(Code::InvalidName, format!("import_directory: {what} {value:?} is not valid"))
}

impl Tenant {
    fn import_user_ref(&self, ix: &DataIndex<'_>, r: &str) -> Result<UserIx> {
        if let Some(Principal::User(u)) = ix.ids.get(r) {
            return Ok(*u);
        }
        if let Some(Object::User(u)) = self.ids.get(r) {
            return Ok(*u);
        }
        let key = fold(r.trim());
        if let Some(u) = ix.upns.get(key.as_ref()) {
            return Ok(*u);
        }
        self.upns
            .get(key.as_ref())
            .copied()
            .ok_or_else(|| Error::new(Code::UserNotFound, format!("import_directory: there is no user {r:?}")))
    }

    fn import_principal_ref(&self, ix: &DataIndex<'_>, r: &str) -> Result<Principal> {
        if let Some(p) = ix.ids.get(r) {
            return Ok(*p);
        }
        match self.ids.get(r) {
            Some(Object::User(u)) => return Ok(Principal::User(*u)),
            Some(Object::Group(g)) if self.live_group(*g).is_some() => return Ok(Principal::Group(*g)),
            _ => {}
        }
        let key = fold(r.trim());
        if let Some(u) = ix.upns.get(key.as_ref()).or_else(|| self.upns.get(key.as_ref())) {
            return Ok(Principal::User(*u));
        }
        let code = if r.contains('@') { Code::UserNotFound } else { Code::GroupNotFound };
        Err(Error::new(code, format!("import_directory: there is no user or group {r:?}")))
    }

    /// validates the whole data, in §9's steps, before anything changes.
    pub(crate) fn decide_import(&self, data: &DirectoryData) -> Result<ImportPlan> {
        let base_u = self.users.len() as UserIx;
        let base_g = self.groups.len() as GroupIx;
        // Ids: given ones kept; missing ones generated in data order, skipping every taken id.
        let given: FxHashSet<String> = data
            .users
            .iter()
            .filter_map(|u| u.id.clone())
            .chain(data.groups.iter().filter_map(|g| g.id.clone()))
            .chain(data.resources.iter().filter_map(|r| r.id.clone()))
            .collect();
        let missing = |n: usize, kind: usize| self.peek_ids(kind, n, &given);
        let mut gen_u = missing(data.users.iter().filter(|u| u.id.is_none()).count(), KIND_USER).into_iter();
        let mut gen_g = missing(data.groups.iter().filter(|g| g.id.is_none()).count(), KIND_GROUP).into_iter();
        let mut gen_r = missing(data.resources.iter().filter(|r| r.id.is_none()).count(), KIND_RESOURCE).into_iter();
        let user_ids: Vec<String> =
            data.users.iter().map(|u| u.id.clone().or_else(|| gen_u.next()).unwrap_or_default()).collect();
        let group_ids: Vec<String> =
            data.groups.iter().map(|g| g.id.clone().or_else(|| gen_g.next()).unwrap_or_default()).collect();
        let resource_ids: Vec<String> =
            data.resources.iter().map(|r| r.id.clone().or_else(|| gen_r.next()).unwrap_or_default()).collect();

        let mut ix = DataIndex { ids: FxHashMap::default(), upns: FxHashMap::default() };
        ix.ids.reserve(given.len());
        ix.upns.reserve(data.users.len());
        for (i, u) in data.users.iter().enumerate() {
            let p = Principal::User(base_u + i as UserIx);
            if let Some(id) = &u.id {
                ix.ids.entry(id.as_str()).or_insert(p);
            }
            ix.upns.entry(fold(u.upn.trim())).or_insert(base_u + i as UserIx);
        }
        for (i, g) in data.groups.iter().enumerate() {
            if let Some(id) = &g.id {
                ix.ids.entry(id.as_str()).or_insert(Principal::Group(base_g + i as GroupIx));
            }
        }

        // Step 1: references, in data order (users' managers first, R-15.18).
        let managers = data
            .users
            .iter()
            .map(|u| u.manager.as_deref().map(|r| self.import_user_ref(&ix, r)).transpose())
            .collect::<Result<Vec<_>>>()?;
        let mut groups_refs = Vec::with_capacity(data.groups.len());
        for g in &data.groups {
            let owners = g.owners.iter().map(|r| self.import_user_ref(&ix, r)).collect::<Result<Vec<_>>>()?;
            let members = g.members.iter().map(|r| self.import_principal_ref(&ix, r)).collect::<Result<Vec<_>>>()?;
            let created_by = g.created_by.as_deref().map(|r| self.import_user_ref(&ix, r)).transpose()?;
            groups_refs.push((merge(owners), merge(members), created_by));
        }
        let mut resource_refs = Vec::with_capacity(data.resources.len());
        for r in &data.resources {
            let owners = r.owners.iter().map(|x| self.import_user_ref(&ix, x)).collect::<Result<Vec<_>>>()?;
            let assigned = r.assigned.iter().map(|x| self.import_principal_ref(&ix, x)).collect::<Result<Vec<_>>>()?;
            let blocked = r.blocked.iter().map(|x| self.import_user_ref(&ix, x)).collect::<Result<Vec<_>>>()?;
            resource_refs.push((merge(owners), merge(assigned), merge(blocked)));
        }

        // Step 2: invalid_name, invalid_kind, invalid_join_policy, invalid_role, invalid_setting.
        let check_id = |id: &Option<String>| match id {
            Some(id) if !valid_id(id) => Err(bad_name("id", id)),
            _ => Ok(()),
        };
        for u in &data.users {
            check_id(&u.id)?;
            clean_upn(&u.upn).ok_or_else(|| bad_name("user principal name", &u.upn))?;
        }
        for g in &data.groups {
            check_id(&g.id)?;
            clean_name(&g.name).ok_or_else(|| bad_name("group name", &g.name))?;
        }
        for r in &data.resources {
            check_id(&r.id)?;
            clean_name(&r.name).ok_or_else(|| bad_name("resource name", &r.name))?;
        }
        let group_kinds = data.groups.iter().map(|g| parse_group_kind(&g.kind)).collect::<Result<Vec<_>>>()?;
        let resource_kinds = data.resources.iter().map(|r| parse_resource_kind(&r.kind)).collect::<Result<Vec<_>>>()?;
        let policies = data.groups.iter().map(|g| parse_join_policy(&g.join_policy)).collect::<Result<Vec<_>>>()?;
        let mut dates = Vec::with_capacity(data.groups.len());
        for (g, kind) in data.groups.iter().zip(&group_kinds) {
            let at = |field: &str, text: &Option<String>| -> Result<Option<Timestamp>> {
                text.as_deref()
                    .map(|t| {
                        parse_time(t).ok_or_else(|| {
                            Error::new(
                                Code::InvalidTime,
                                format!(
                                    "import_directory: group {:?} has {field} {t:?}, which is not an ISO 8601 instant",
                                    g.name
                                ),
                            )
                        })
                    })
                    .transpose()
            };
            let d = GroupDates {
                renewed_at: at("renewed_at", &g.renewed_at)?,
                expires_at: at("expires_at", &g.expires_at)?,
                deleted_at: at("deleted_at", &g.deleted_at)?,
            };
            if d.deleted_at.is_some() && *kind != GroupKind::Microsoft365 {
                return Err(Error::new(
                    Code::InvalidKind,
                    format!(
                        "import_directory: group {:?} is a {} group: only Microsoft 365 groups are kept deleted (deleted_at)",
                        g.name,
                        kind.as_str()
                    ),
                ));
            }
            dates.push(d);
        }
        let roles = data.users.iter().map(|u| parse_roles(&u.roles)).collect::<Result<Vec<_>>>()?;
        let settings = match &data.settings {
            Some(map) => {
                let changes: Vec<(String, Value)> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                Some(self.settings.with_changes(&changes)?)
            }
            None => None,
        };
        let max_owners = settings.as_ref().unwrap_or(&self.settings).max_owners_per_group;

        // Step 9: owner_limit.
        for (g, (owners, _, _)) in data.groups.iter().zip(&groups_refs) {
            if owners.len() as u64 > max_owners {
                return Err(Error::new(
                    Code::OwnerLimit,
                    format!(
                        "import_directory: group {:?} has {} owners, more than the {max_owners} allowed",
                        g.name,
                        owners.len()
                    ),
                ));
            }
        }

        // Step 10: duplicate_name, then duplicate_id.
        let mut upns: FxHashSet<String> = FxHashSet::default();
        for u in &data.users {
            let key = fold(u.upn.trim());
            if self.upns.contains_key(key.as_ref()) || !upns.insert(key.into_owned()) {
                return Err(Error::new(
                    Code::DuplicateName,
                    format!("import_directory: a user named {} already exists", u.upn.trim()),
                ));
            }
        }
        let mut names: FxHashSet<String> = FxHashSet::default();
        for r in &data.resources {
            let key = fold(r.name.trim());
            if self.resource_names.contains_key(key.as_ref()) || !names.insert(key.into_owned()) {
                return Err(Error::new(
                    Code::DuplicateName,
                    format!("import_directory: a resource named {:?} already exists", r.name.trim()),
                ));
            }
        }
        let mut seen_ids: FxHashSet<&str> = FxHashSet::default();
        let entry_ids = data
            .users
            .iter()
            .map(|u| &u.id)
            .chain(data.groups.iter().map(|g| &g.id))
            .chain(data.resources.iter().map(|r| &r.id));
        for id in entry_ids.flatten() {
            if self.id_taken(id) || !seen_ids.insert(id.as_str()) {
                return Err(Error::new(Code::DuplicateId, format!("import_directory: the id {id:?} is already taken")));
            }
        }

        // Step 11: nested_group_not_allowed, not_security_principal, cycle.
        let kind_of = |g: GroupIx| -> GroupKind {
            if g >= base_g {
                group_kinds.get((g - base_g) as usize).copied().unwrap_or(GroupKind::Security)
            } else {
                self.groups[g as usize].kind
            }
        };
        for ((g, kind), (_, members, _)) in data.groups.iter().zip(&group_kinds).zip(&groups_refs) {
            for m in members {
                if let Principal::Group(c) = m {
                    if !(*kind == GroupKind::Security && kind_of(*c).nestable()) {
                        return Err(Error::new(
                            Code::NestedGroupNotAllowed,
                            format!(
                                "import_directory: a {} group cannot be a member of {} group {:?}",
                                kind_of(*c).as_str(),
                                kind.as_str(),
                                g.name
                            ),
                        ));
                    }
                }
            }
        }
        for (r, (_, assigned, _)) in data.resources.iter().zip(&resource_refs) {
            for p in assigned {
                if let Principal::Group(g) = p {
                    if kind_of(*g) == GroupKind::Distribution {
                        return Err(Error::new(
                            Code::NotSecurityPrincipal,
                            format!(
                                "import_directory: a distribution list cannot be assigned to resource {:?}",
                                r.name
                            ),
                        ));
                    }
                }
            }
        }
        // Only the data's own groups can form a cycle: existing groups gain no members here.
        let children: Vec<Vec<usize>> = groups_refs
            .iter()
            .map(|(_, members, _)| {
                members
                    .iter()
                    .filter_map(|m| match m {
                        Principal::Group(c) if *c >= base_g => Some((*c - base_g) as usize),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        // a user who is their own manager, in data order before the groups.
        if let Some(u) = managers.iter().enumerate().position(|(i, m)| *m == Some(base_u + i as UserIx)) {
            return Err(Error::new(
                Code::Cycle,
                format!("import_directory: user {} cannot be their own manager", data.users[u].upn.trim()),
            ));
        }
        let managers: Vec<(UserIx, UserIx)> =
            managers.into_iter().enumerate().filter_map(|(i, m)| m.map(|m| (base_u + i as UserIx, m))).collect();
        if let Some(i) = find_cycle(&children) {
            let name = data.groups.get(i).map(|g| g.name.as_str()).unwrap_or("");
            return Err(Error::new(
                Code::Cycle,
                format!("import_directory: group {name:?} would contain itself through nesting"),
            ));
        }

        // Decided: build the plan.
        let mut counts = ImportCounts {
            users: data.users.len() as u64,
            groups: data.groups.len() as u64,
            resources: data.resources.len() as u64,
            ..ImportCounts::default()
        };
        let users = data
            .users
            .iter()
            .zip(user_ids)
            .zip(roles)
            .map(|((u, id), roles)| {
                let upn = u.upn.trim().to_string();
                let display = u.display_name.clone().unwrap_or_else(|| upn.clone());
                (id, upn, display, u.department.clone(), roles, u.enabled, u.last_sign_in)
            })
            .collect();
        let mut groups = Vec::with_capacity(data.groups.len());
        for (((g, id), (kind, policy)), (owners, members, created_by)) in
            data.groups.iter().zip(group_ids).zip(group_kinds.iter().zip(policies)).zip(groups_refs)
        {
            counts.owners += owners.len() as u64;
            counts.memberships += members.len() as u64;
            groups.push((
                id.clone(),
                NewGroup {
                    name: g.name.trim().to_string(),
                    description: g.description.clone(),
                    kind: *kind,
                    join_policy: policy,
                    owners,
                    members,
                    on_premises: g.on_premises,
                    created_by,
                    id: Some(id),
                },
            ));
        }
        let mut resources = Vec::with_capacity(data.resources.len());
        for (((r, id), kind), (owners, assigned, blocked)) in
            data.resources.iter().zip(resource_ids).zip(resource_kinds).zip(resource_refs)
        {
            counts.owners += owners.len() as u64;
            counts.assignments += assigned.len() as u64;
            counts.blocks += blocked.len() as u64;
            resources.push(NewResource { id, name: r.name.trim().to_string(), kind, owners, assigned, blocked });
        }
        Ok(ImportPlan { users, groups, resources, settings, dates, counts, managers })
    }

    /// Applies a decided import; returns its counts and the id of a group created.
    pub(crate) fn apply_import(&mut self, plan: ImportPlan) -> (ImportCounts, Option<String>) {
        let ImportPlan { users, groups, resources, settings, dates, counts, managers } = plan;
        self.users.reserve(users.len());
        self.user_requests.reserve(users.len());
        self.groups.reserve(groups.len());
        self.resources.reserve(resources.len());
        self.ids.reserve(users.len() + groups.len() + resources.len());
        self.upns.reserve(users.len());
        self.group_names.reserve(groups.len());
        let total = (users.len() + groups.len() + resources.len()) as u64;
        let mut done = 0u64;
        let tick = |done: &mut u64| {
            *done += 1;
            if *done % crate::progress::EVERY == 0 {
                crate::progress::report("import", *done, total);
            }
        };
        for (id, upn, display, department, roles, enabled, last_sign_in) in users {
            let u = self.register_user(id, upn, display, department, roles, enabled);
            self.users[u as usize].last_sign_in = last_sign_in;
            tick(&mut done);
        }
        for (u, m) in managers {
            self.users[u as usize].manager = Some(m);
        }
        // Register every group before linking, so members may name later entries.
        let base_g = self.groups.len() as GroupIx;
        let mut links = Vec::with_capacity(groups.len());
        for (id, spec) in groups {
            let g = self.register_group(id, &spec);
            links.push((g, spec.owners, spec.members));
            tick(&mut done);
        }
        debug_assert!(links.first().is_none_or(|l| l.0 == base_g));
        self.link_groups(links);
        for r in resources {
            let x = self.register_resource(r.id, r.name, r.kind);
            for u in r.owners {
                self.link_resource_owner(x, u);
            }
            for p in r.assigned {
                self.link_assignment(x, p);
            }
            for u in r.blocked {
                self.link_block(x, u);
            }
            tick(&mut done);
        }
        crate::progress::report("import", total, total);
        let mut created = None;
        let before = settings.map(|settings| std::mem::replace(&mut self.settings, settings));
        // §13: deleted entries leave their links for restore; the others get their dates.
        self.import_lifecycle(before.as_ref(), base_g, &dates);
        if before.is_some() && self.ssgm_group_needed(&self.settings) {
            let g = self.create_ssgm_group(None);
            created = Some(self.groups[g as usize].id.clone());
        }
        (counts, created)
    }
}

/// The index of a group on a cycle of `children`, if any (iterative three-colour DFS).
fn find_cycle(children: &[Vec<usize>]) -> Option<usize> {
    let mut colour = vec![0u8; children.len()];
    for start in 0..children.len() {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some((node, next)) = stack.pop() {
            match children.get(node).and_then(|c| c.get(next)) {
                Some(&child) => {
                    stack.push((node, next + 1));
                    match colour.get(child) {
                        Some(1) => return Some(child),
                        Some(0) => {
                            colour[child] = 1;
                            stack.push((child, 0));
                        }
                        _ => {}
                    }
                }
                None => colour[node] = 2,
            }
        }
    }
    None
}

impl Tenant {
    /// a new tenant whose history is one `import_directory` of the Graph export at
    /// `path`, with `settings` merged into the import's settings. A refused import
    /// returns the refusal and no tenant. The report is kept as [`Tenant::import_report`].
    pub fn from_graph(path: &std::path::Path, name: Option<&str>, settings: &Map<String, Value>) -> Result<Tenant> {
        Tenant::from_graph_at(path, name, settings, None)
    }

    /// [`Tenant::from_graph`] with `now`: the history is `set_time(now)`, then the
    /// import, so that the export's dates (§13, §14) are read at the export's date. A `now`
    /// earlier than the start is `invalid_time`, as for `set_time`.
    pub fn from_graph_at(
        path: &std::path::Path,
        name: Option<&str>,
        settings: &Map<String, Value>,
        now: Option<Timestamp>,
    ) -> Result<Tenant> {
        let data = crate::graph::graph_to_directory(path, settings)?;
        let report = data.report.clone();
        let name = match name {
            Some(n) => n.to_string(),
            None => path
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "graph".to_string()),
        };
        let mut tenant = Tenant::new(name);
        if let Some(micros) = now {
            tenant.execute(crate::command::Command::SetTime { micros })?;
        }
        tenant.execute(crate::command::Command::ImportDirectory { data: Box::new(data) })?;
        tenant.import_report = report;
        Ok(tenant)
    }
}

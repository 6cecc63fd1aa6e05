//! Ids, lookups by reference, descriptions for messages and reading objects.

use super::{Tenant, PREFIXES};
use crate::error::{Code, Error, Result};
use crate::model::*;
use rustc_hash::FxHashSet;

impl Tenant {
    // ----- ids and lookups -----------------------------------------------------------------

    /// the next generated id of a kind, skipping every id that is or was taken.
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

    /// a user by id, then upn.
    pub fn find_user(&self, r: &str) -> Result<UserIx> {
        if let Some(Object::User(u)) = self.ids.get(r) {
            return Ok(*u);
        }
        self.upns.get(fold(r.trim()).as_ref()).copied().ok_or_else(|| self.not_found(Code::UserNotFound, r))
    }

    pub(crate) fn group_by_name(&self, r: &str) -> Result<Option<GroupIx>> {
        match self.group_names.get(fold(r.trim()).as_ref()).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([g]) => Ok(Some(*g)),
            Some(many) => Err(Error::new(
                Code::AmbiguousName,
                format!("{} groups are named {r:?}; name one by its id", many.len()),
            )),
        }
    }

    /// a live group by id, then by name (R-1.2: `ambiguous_name` if several).
    pub fn find_group(&self, r: &str) -> Result<GroupIx> {
        if let Some(Object::Group(g)) = self.ids.get(r) {
            if self.live_group(*g).is_some() {
                return Ok(*g);
            }
        }
        self.group_by_name(r)?.ok_or_else(|| self.not_found(Code::GroupNotFound, r))
    }

    /// a resource by id, then by name.
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

    /// a principal by id (user or group), then upn, then group name; unresolved is
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
}

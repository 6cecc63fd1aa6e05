//! what a user may do right now, each right decided by its command's rule.

use super::{Capability, Right, GROUP_KINDS};
use crate::model::{GroupIx, GroupKind, ResourceIx, UserIx};
use crate::rules::quietly;
use crate::tenant::Tenant;

/// A capability's object, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Obj {
    Kind(u8),
    Group(GroupIx),
    Resource(ResourceIx),
}

/// The justification a `join` probe gives (R-12.1: "with a justification").
const PROBE_JUSTIFICATION: &str = "capabilities";
/// A valid name for the `create` probe (R-12.1: "with a valid name").
const PROBE_NAME: &str = "New group";

impl Tenant {
    /// what `u` may do right now, rights in R-12.1's order, the objects of each in
    /// creation order. A disabled user, or an index out of range, has none.
    pub fn capabilities(&self, u: UserIx) -> Vec<Capability> {
        self.capability_objects(u, &Right::ALL, None)
            .into_iter()
            .map(|(right, obj)| Capability { right, object: self.object_id(obj) })
            .collect()
    }

    /// The id (or kind name) of an object.
    pub(crate) fn object_id(&self, obj: Obj) -> String {
        match obj {
            Obj::Kind(k) => GROUP_KINDS.get(k as usize).map(|k| k.as_str()).unwrap_or_default().to_string(),
            Obj::Group(g) => self.group(g).map(|g| g.id.clone()).unwrap_or_default(),
            Obj::Resource(r) => self.resource(r).map(|r| r.id.clone()).unwrap_or_default(),
        }
    }

    /// The capabilities of `u` for `rights`, by index. `owned`: the resources `u` owns, when
    /// the caller has an index of them (a diff asks for every user).
    pub(crate) fn capability_objects(
        &self,
        u: UserIx,
        rights: &[Right],
        owned: Option<&[ResourceIx]>,
    ) -> Vec<(Right, Obj)> {
        if (u as usize) >= self.users.len() {
            return Vec::new();
        }
        quietly(|| {
            let mut out = Vec::new();
            // The owner rights admit only admins and owners: ask about those groups only.
            let gated: Vec<GroupIx> = if rights
                .iter()
                .any(|r| matches!(r, Right::Change | Right::ManageMembers | Right::Decide | Right::ListMembers))
            {
                self.gate_candidates(u)
            } else {
                Vec::new()
            };
            let standing: Vec<ResourceIx> =
                if rights.iter().any(|r| matches!(r, Right::ManageAccess | Right::ListAccess)) {
                    self.standing_candidates(u, owned)
                } else {
                    Vec::new()
                };
            for right in rights {
                match right {
                    Right::Create => {
                        for (i, kind) in GROUP_KINDS.iter().enumerate() {
                            if self.may_create(u, *kind) {
                                out.push((Right::Create, Obj::Kind(i as u8)));
                            }
                        }
                    }
                    Right::Change => out.extend(
                        gated
                            .iter()
                            .filter(|g| self.decide_update_group(u, **g, None, Some(""), None).is_ok())
                            .map(|g| (Right::Change, Obj::Group(*g))),
                    ),
                    Right::ManageMembers => out.extend(
                        gated
                            .iter()
                            .filter(|g| self.decide_membership_standing(u, **g).is_ok())
                            .map(|g| (Right::ManageMembers, Obj::Group(*g))),
                    ),
                    Right::Decide => out.extend(
                        gated
                            .iter()
                            .filter(|g| self.decide_pending_request(u, **g).is_ok())
                            .map(|g| (Right::Decide, Obj::Group(*g))),
                    ),
                    Right::Join => out.extend(
                        self.groups()
                            .filter(|(g, _)| self.decide_request(u, *g, PROBE_JUSTIFICATION).is_ok())
                            .map(|(g, _)| (Right::Join, Obj::Group(g))),
                    ),
                    Right::ManageAccess => out.extend(
                        standing
                            .iter()
                            .filter(|r| self.decide_access_standing(u, **r).is_ok())
                            .map(|r| (Right::ManageAccess, Obj::Resource(*r))),
                    ),
                    Right::ListMembers => out.extend(
                        gated
                            .iter()
                            .filter(|g| self.decide_list_members(u, **g).is_ok())
                            .map(|g| (Right::ListMembers, Obj::Group(*g))),
                    ),
                    Right::ListAccess => out.extend(
                        standing
                            .iter()
                            .filter(|r| self.decide_list_access(u, **r).is_ok())
                            .map(|r| (Right::ListAccess, Obj::Resource(*r))),
                    ),
                }
            }
            out
        })
    }

    /// R-12.1 `create`: `create_group` by `u` with a valid name and otherwise default
    /// arguments.
    fn may_create(&self, u: UserIx, kind: GroupKind) -> bool {
        self.decide_create_group(u, PROBE_NAME, kind.as_str(), None, "", Vec::new(), Vec::new(), false).is_ok()
    }
}

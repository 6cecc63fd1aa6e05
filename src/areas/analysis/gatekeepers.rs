//! the role-less users who can change who reaches a resource right now.

use super::{Gatekeeper, Right};
use crate::model::{ResourceIx, Roles, UserIx};
use crate::rules::quietly;
use crate::tenant::Tenant;

impl Tenant {
    /// users in creation order, then `manage_access` (the resource), `manage_members`
    /// and `decide` (R-12.2's considered groups, in creation order).
    pub fn gatekeepers(&self, r: ResourceIx) -> Vec<Gatekeeper> {
        let Some(ctx) = self.route_context(r) else { return Vec::new() };
        let res = &self.resources[r as usize];
        // Only admins and owners pass the standing steps of these commands (R-4.8, R-5.6,
        // ); without a role, that leaves the owners.
        let mut candidates: Vec<UserIx> = res.owners.clone();
        for c in &ctx.groups {
            candidates.extend(self.groups[c.group as usize].owners.iter().copied());
        }
        candidates.retain(|u| self.users[*u as usize].roles == Roles::default());
        candidates.sort_unstable();
        candidates.dedup();
        quietly(|| {
            let mut out = Vec::new();
            for u in candidates {
                let uid = &self.users[u as usize].id;
                let entry = |right, object: &str| Gatekeeper { user: uid.clone(), right, object: object.to_string() };
                if self.decide_access_standing(u, r).is_ok() {
                    out.push(entry(Right::ManageAccess, &res.id));
                }
                for c in &ctx.groups {
                    if self.decide_membership_standing(u, c.group).is_ok() {
                        out.push(entry(Right::ManageMembers, &self.groups[c.group as usize].id));
                    }
                }
                for c in &ctx.groups {
                    if self.decide_pending_request(u, c.group).is_ok() {
                        out.push(entry(Right::Decide, &self.groups[c.group as usize].id));
                    }
                }
            }
            out
        })
    }
}

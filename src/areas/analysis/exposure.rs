//! every user's standing towards a resource, and their first route.

use super::{Exposure, Status};
use crate::model::{ResourceIx, Roles};
use crate::tenant::Tenant;

impl Tenant {
    /// one record per user, in creation order (empty for an index out of range).
    pub fn exposure(&self, r: ResourceIx) -> Vec<Exposure> {
        let Some(ctx) = self.route_context(r) else { return Vec::new() };
        let blocked = &self.resources[r as usize].blocked_set;
        let mut out = Vec::with_capacity(self.users.len());
        for (u, user) in self.users.iter().enumerate() {
            let u = u as u32;
            let (status, route) = if self.has_access_ix(u, r) {
                (Status::HasAccess, None)
            } else if !user.enabled {
                (Status::Disabled, None)
            } else if blocked.contains(&u) {
                (Status::Blocked, None)
            } else if user.roles != Roles::default() {
                (Status::Role, None)
            } else {
                match self.route_plans(&ctx, u).first() {
                    Some(p) if p.helpers.is_empty() => (Status::OnTheirOwn, Some(self.route_record(&ctx, u, p))),
                    Some(p) => (Status::Helper, Some(self.route_record(&ctx, u, p))),
                    None => (Status::AdminOnly, None),
                }
            };
            out.push(Exposure { user: user.id.clone(), status, route });
        }
        out
    }
}

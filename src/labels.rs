//! What a handle shows of its object: a short label read from the typed object, the same
//! for both faces, which each write it in their own style (`User('bob@contoso.com',
//! id='u-2')` in Python, `User(u-2, bob@contoso.com)` in Rhai).

use crate::call::HandleKind;
use crate::model::package::PackageObject as P;
use crate::model::Object;
use crate::tenant::Tenant;

/// A handle's short description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// A user's upn, or the name of a group, resource, package or policy.
    Name(String),
    /// A review's name and status.
    NameStatus(String, &'static str),
    /// A join request: its status, its group (name, id) and its requester (upn, id).
    Request {
        /// The request's status.
        status: &'static str,
        /// The group's name and id.
        group: (String, String),
        /// The requester's upn and id.
        requester: (String, String),
    },
    /// A package request's status or a package assignment's state.
    Status(&'static str),
    /// A group since deleted.
    Deleted,
    /// Nothing of this kind has this id in the tenant.
    Missing,
}

impl Tenant {
    /// The index of the live object of `kind` with this id (R-1.4: handles are by id).
    pub fn index_of(&self, kind: HandleKind, id: &str) -> Option<u32> {
        let pkg = self.package_data();
        match (kind, self.object(id)?) {
            (HandleKind::Package, Object::Package(P::Package(p))) => {
                pkg.packages.get(p as usize).filter(|x| !x.deleted).map(|_| p)
            }
            (HandleKind::Policy, Object::Package(P::Policy(p))) => {
                pkg.policies.get(p as usize).filter(|x| !x.deleted).map(|_| p)
            }
            (HandleKind::PackageRequest, Object::Package(P::Request(q))) => Some(q),
            (HandleKind::Assignment, Object::Package(P::Assignment(a))) => Some(a),
            (HandleKind::User, Object::User(u)) => Some(u),
            (HandleKind::Group, Object::Group(g)) => Some(g),
            (HandleKind::Resource, Object::Resource(r)) => Some(r),
            (HandleKind::Request, Object::Request(q)) => Some(q),
            (HandleKind::Review, Object::Review(r)) => Some(r),
            _ => None,
        }
    }

    /// The id of the object of `kind` at index `ix` (empty if there is none): how a face
    /// turns the indexes a query answers with into handles, without reading core vectors.
    pub fn id_at(&self, kind: HandleKind, ix: u32) -> String {
        let pkg = self.package_data();
        let i = ix as usize;
        let id = match kind {
            HandleKind::User => self.users().get(i).map(|x| &x.id),
            HandleKind::Group => self.all_groups().get(i).map(|x| &x.id),
            HandleKind::Resource => self.resources().get(i).map(|x| &x.id),
            HandleKind::Request => self.requests().get(i).map(|x| &x.id),
            HandleKind::Review => self.review_at(ix).map(|x| &x.id),
            HandleKind::Package => pkg.packages.get(i).map(|x| &x.id),
            HandleKind::Policy => pkg.policies.get(i).map(|x| &x.id),
            HandleKind::PackageRequest => pkg.requests.get(i).map(|x| &x.id),
            HandleKind::Assignment => pkg.assignments.get(i).map(|x| &x.id),
        };
        id.cloned().unwrap_or_default()
    }

    /// The label of the object of `kind` with this id.
    pub fn label(&self, kind: HandleKind, id: &str) -> Label {
        let Some(ix) = self.index_of(kind, id) else {
            let deleted = kind == HandleKind::Group && matches!(self.ids.get(id), Some(Object::Group(_)));
            return if deleted { Label::Deleted } else { Label::Missing };
        };
        let pkg = self.package_data();
        let found = match kind {
            HandleKind::User => self.user(ix).map(|u| Label::Name(u.upn.clone())),
            HandleKind::Group => self.group(ix).map(|g| Label::Name(g.name.clone())),
            HandleKind::Resource => self.resource(ix).map(|r| Label::Name(r.name.clone())),
            HandleKind::Request => self.request(ix).map(|q| {
                let group = self.all_groups().get(q.group as usize);
                let requester = self.user(q.requester);
                Label::Request {
                    status: q.status.as_str(),
                    group: group.map(|g| (g.name.clone(), g.id.clone())).unwrap_or_default(),
                    requester: requester.map(|u| (u.upn.clone(), u.id.clone())).unwrap_or_default(),
                }
            }),
            HandleKind::Review => self.review_at(ix).map(|r| Label::NameStatus(r.name.clone(), r.status.as_str())),
            HandleKind::Package => pkg.packages.get(ix as usize).map(|p| Label::Name(p.name.clone())),
            HandleKind::Policy => pkg.policies.get(ix as usize).map(|p| Label::Name(p.name.clone())),
            HandleKind::PackageRequest => pkg.requests.get(ix as usize).map(|q| Label::Status(q.status.as_str())),
            HandleKind::Assignment => pkg.assignments.get(ix as usize).map(|a| Label::Status(a.state.as_str())),
        };
        found.unwrap_or(Label::Missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{build, Arg};

    fn run(t: &mut Tenant, name: &str, args: &[&str]) -> crate::Result<crate::Outcome> {
        let args: Vec<Arg> = args.iter().map(|a| Arg::Str(a.to_string())).collect();
        t.execute(build(name, &args, &[])?)
    }

    #[test]
    fn r1_4_labels_read_the_live_object_by_id_and_kind() -> crate::Result<()> {
        let mut t = Tenant::new("contoso");
        run(&mut t, "add_user", &["admin@contoso.com"])?;
        t.execute(build(
            "set_roles",
            &[Arg::Str("admin@contoso.com".into()), Arg::List(vec![Arg::Str("global_admin".into())])],
            &[],
        )?)?;
        run(&mut t, "create_group", &["admin@contoso.com", "Sales"])?;
        assert_eq!(t.label(HandleKind::User, "u-1"), Label::Name("admin@contoso.com".into()));
        assert_eq!(t.label(HandleKind::Group, "g-1"), Label::Name("Sales".into()));
        // An id of another kind names nothing of this one.
        assert_eq!(t.label(HandleKind::Resource, "g-1"), Label::Missing);
        run(&mut t, "delete_group", &["admin@contoso.com", "g-1"])?;
        assert_eq!(t.label(HandleKind::Group, "g-1"), Label::Deleted);
        assert_eq!(t.index_of(HandleKind::Group, "g-1"), None);
        Ok(())
    }
}

//! The values a script holds: a `Tenant` (a shared store) and handles of its objects.
//!
//! Handles are an `Arc` of the store and an id: they read the current state when asked, and
//! they are resolved by id, so handles of a tenant also work on its forks. They are
//! equal when they name the same object of the same store.

use crate::call::HandleKind;
use crate::labels::Label;
use crate::store::Store;
use crate::tenant::Tenant;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A tenant as a script holds it: the store it shares with every other holder.
#[derive(Clone)]
pub struct TenantHandle {
    store: Arc<Store>,
}

impl TenantHandle {
    /// The handle of `store`.
    pub fn new(store: Arc<Store>) -> TenantHandle {
        TenantHandle { store }
    }

    /// The store behind it.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }
}

impl PartialEq for TenantHandle {
    fn eq(&self, other: &TenantHandle) -> bool {
        Arc::ptr_eq(&self.store, &other.store)
    }
}

impl fmt::Display for TenantHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.store.read(|t| t.name().to_string());
        write!(f, "Tenant({name:?})")
    }
}

impl fmt::Debug for TenantHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, users, groups, resources, requests) = self.store.read(|t| {
            (t.name().to_string(), t.users().len(), t.groups().count(), t.resources().len(), t.requests().len())
        });
        write!(f, "Tenant({name:?}: {users} users, {groups} groups, {resources} resources, {requests} requests)")
    }
}

/// What a handle's property holds, so the getter knows how to turn ids into handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A plain value, as the view has it.
    Plain,
    /// One user id (or none).
    User,
    /// A list of user ids.
    Users,
    /// One group id.
    Group,
    /// A list of user and group ids.
    Principals,
    // ----- §15 -----
    /// A list of group ids.
    Groups,
    /// One access package id.
    Package,
    /// A list of access package ids.
    Packages,
    /// One policy id.
    Policy,
    /// A list of policy ids.
    Policies,
    /// One package request id.
    PackageRequest,
    /// One package assignment id.
    Assignment,
    /// `"none"`, `"all"` or a list of user and group ids.
    Requestors,
    /// A list of stage maps whose approvers are user and group ids.
    Stages,
    /// A list of decision maps whose approver is a user id.
    Decisions,
}

/// The kind of object a handle type names. Implemented by the four marker types.
pub trait Kind: Send + Sync + 'static {
    /// The core's kind.
    const KIND: HandleKind;
    /// The Rhai type name.
    const NAME: &'static str;
    /// The properties, in the order of the object's view (`views.rs`).
    const FIELDS: &'static [(&'static str, Field)];
}

/// Marker: users.
pub struct UserKind;
/// Marker: groups.
pub struct GroupKind;
/// Marker: resources.
pub struct ResourceKind;
/// Marker: join requests.
pub struct RequestKind;

impl Kind for UserKind {
    const KIND: HandleKind = HandleKind::User;
    const NAME: &'static str = "User";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("upn", Field::Plain),
        ("display_name", Field::Plain),
        ("department", Field::Plain),
        ("roles", Field::Plain),
        ("enabled", Field::Plain),
        ("last_sign_in", Field::Plain),
        ("manager", Field::User),
    ];
}

impl Kind for GroupKind {
    const KIND: HandleKind = HandleKind::Group;
    const NAME: &'static str = "Group";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("name", Field::Plain),
        ("description", Field::Plain),
        ("kind", Field::Plain),
        ("join_policy", Field::Plain),
        ("owners", Field::Users),
        ("members", Field::Principals),
        ("on_premises", Field::Plain),
        ("created_by", Field::User),
        ("created_at", Field::Plain),
        ("expires_at", Field::Plain),
        ("renewed_at", Field::Plain),
        ("last_activity", Field::Plain),
    ];
}

impl Kind for ResourceKind {
    const KIND: HandleKind = HandleKind::Resource;
    const NAME: &'static str = "Resource";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("name", Field::Plain),
        ("kind", Field::Plain),
        ("owners", Field::Users),
        ("assigned", Field::Principals),
        ("blocked", Field::Users),
    ];
}

impl Kind for RequestKind {
    const KIND: HandleKind = HandleKind::Request;
    const NAME: &'static str = "Request";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("group", Field::Group),
        ("requester", Field::User),
        ("justification", Field::Plain),
        ("status", Field::Plain),
        ("decided_by", Field::User),
        ("reason", Field::Plain),
        ("created_at", Field::Plain),
        ("decided_at", Field::Plain),
    ];
}

// ----- §14 access reviews -----

/// Marker: access reviews.
pub struct ReviewKind;

impl Kind for ReviewKind {
    const KIND: HandleKind = HandleKind::Review;
    const NAME: &'static str = "Review";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("name", Field::Plain),
        ("group", Field::Plain),
        ("reviewer_type", Field::Plain),
        ("reviewers", Field::Users),
        ("fallback_used", Field::Plain),
        ("duration_days", Field::Plain),
        ("default_decision", Field::Plain),
        ("auto_apply", Field::Plain),
        ("justification_required", Field::Plain),
        ("status", Field::Plain),
        ("created_by", Field::User),
        ("start", Field::Plain),
        ("end", Field::Plain),
        ("ended_at", Field::Plain),
        ("ended_by", Field::User),
        ("applied_at", Field::Plain),
        ("applied_by", Field::User),
        ("decisions", Field::Plain),
    ];
}

/// A review handle (Rhai type `Review`).
pub type ReviewHandle = Handle<ReviewKind>;
// ----- §15 -----

/// Marker: access packages.
pub struct PackageKind;
/// Marker: package policies.
pub struct PolicyKind;
/// Marker: package requests.
pub struct PackageRequestKind;
/// Marker: package assignments.
pub struct AssignmentKind;

impl Kind for PackageKind {
    const KIND: HandleKind = HandleKind::Package;
    const NAME: &'static str = "AccessPackage";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("name", Field::Plain),
        ("description", Field::Plain),
        ("groups", Field::Groups),
        ("incompatible_packages", Field::Packages),
        ("incompatible_groups", Field::Groups),
        ("policies", Field::Policies),
        ("created_by", Field::User),
        ("created_at", Field::Plain),
    ];
}

impl Kind for PolicyKind {
    const KIND: HandleKind = HandleKind::Policy;
    const NAME: &'static str = "PackagePolicy";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("package", Field::Package),
        ("name", Field::Plain),
        ("requestors", Field::Requestors),
        ("justification_required", Field::Plain),
        ("stages", Field::Stages),
        ("expires", Field::Plain),
        ("created_at", Field::Plain),
    ];
}

impl Kind for PackageRequestKind {
    const KIND: HandleKind = HandleKind::PackageRequest;
    const NAME: &'static str = "PackageRequest";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("package", Field::Package),
        ("policy", Field::Policy),
        ("requester", Field::User),
        ("justification", Field::Plain),
        ("status", Field::Plain),
        ("stage", Field::Plain),
        ("stage_due_at", Field::Plain),
        ("decisions", Field::Decisions),
        ("decided_by", Field::User),
        ("reason", Field::Plain),
        ("assignment", Field::Assignment),
        ("created_at", Field::Plain),
        ("decided_at", Field::Plain),
    ];
}

impl Kind for AssignmentKind {
    const KIND: HandleKind = HandleKind::Assignment;
    const NAME: &'static str = "PackageAssignment";
    const FIELDS: &'static [(&'static str, Field)] = &[
        ("id", Field::Plain),
        ("package", Field::Package),
        ("policy", Field::Policy),
        ("user", Field::User),
        ("state", Field::Plain),
        ("request", Field::PackageRequest),
        ("justification", Field::Plain),
        ("created_at", Field::Plain),
        ("expires_at", Field::Plain),
        ("ended_at", Field::Plain),
    ];
}

/// A live view of one object of one tenant: its store and its id.
pub struct Handle<K: Kind> {
    store: Arc<Store>,
    id: String,
    kind: PhantomData<fn() -> K>,
}

/// A user handle (Rhai type `User`).
pub type UserHandle = Handle<UserKind>;
/// A group handle (Rhai type `Group`).
pub type GroupHandle = Handle<GroupKind>;
/// A resource handle (Rhai type `Resource`).
pub type ResourceHandle = Handle<ResourceKind>;
/// A request handle (Rhai type `Request`).
pub type RequestHandle = Handle<RequestKind>;

impl<K: Kind> Clone for Handle<K> {
    fn clone(&self) -> Self {
        Handle { store: self.store.clone(), id: self.id.clone(), kind: PhantomData }
    }
}

impl<K: Kind> PartialEq for Handle<K> {
    /// equal only within one tenant.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.store, &other.store) && self.id == other.id
    }
}

impl<K: Kind> Handle<K> {
    /// The handle of the object `id` of `store`.
    pub fn new(store: &Arc<Store>, id: impl Into<String>) -> Self {
        Handle { store: store.clone(), id: id.into(), kind: PhantomData }
    }

    /// The object's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The store the handle reads.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The object's index in `t`, if `t` has it (live).
    pub(crate) fn index(&self, t: &Tenant) -> Option<u32> {
        t.index_of(K::KIND, &self.id)
    }

    /// A short label: the upn, the name or the status (the core's [`Label`]).
    fn label(&self, t: &Tenant) -> String {
        match t.label(K::KIND, &self.id) {
            Label::Name(name) if K::KIND == HandleKind::User => name,
            Label::Name(name) => format!("{name:?}"),
            Label::NameStatus(name, status) => format!("{name:?}, {status}"),
            Label::Request { status, .. } | Label::Status(status) => status.to_string(),
            Label::Deleted => "deleted".into(),
            Label::Missing => "not in this tenant".into(),
        }
    }
}

impl<K: Kind> fmt::Display for Handle<K> {
    /// `User(u-1, alice@contoso.com)`, `Group(g-1, "Sales")`, `Request(req-1, pending)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = self.store.read(|t| self.label(t));
        write!(f, "{}({}, {label})", K::NAME, self.id)
    }
}

impl<K: Kind> fmt::Debug for Handle<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

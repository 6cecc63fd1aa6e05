//! `Tenant`: the Python class over one [`Store`]. Commands convert their arguments to
//! [`Arg`]s, build the core's [`Command`] with [`call::build`] (the same binding and type
//! checks as the Rhai face), execute it with the GIL released, and turn the [`Outcome`] into
//! handles and records. Queries read under one read lock, also with the GIL released.

use super::conversion::{
    args, dict_kwargs, entry_to_json, kwargs, py_to_time, reference, setting_kwargs, time_to_py, to_arg, to_json,
    to_py, Opt,
};
use super::exceptions::Raise;
use super::fast::RefCache;
use super::handles::{make_handle, make_handles};
use super::records::{escape, Access, AccessPanel, AuditEntry, Decision, ProvisioningEvent, Settings};
use crate::call::{self, Arg, HandleKind};
use crate::command::Command;
use crate::model::format_time;
use crate::persist::journal::{Journal, SyncPolicy};
use crate::persist::snapshot;
use crate::records::{Member, Outcome};
use crate::store::Store;
use crate::views::{counts_view, decision_view, settings_view};
use pyo3::exceptions::{PyRuntimeWarning, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};
use std::ffi::CString;
use std::path::PathBuf;
use std::sync::Arc;

type Core = crate::tenant::Tenant;

const USER: &[HandleKind] = &[HandleKind::User];
const GROUP: &[HandleKind] = &[HandleKind::Group];
const RESOURCE: &[HandleKind] = &[HandleKind::Resource];
const REQUEST: &[HandleKind] = &[HandleKind::Request];
const USER_REF: &str = "a User, an id or a upn";
const GROUP_REF: &str = "a Group, an id or a name";
const RESOURCE_REF: &str = "a Resource, an id or a name";
const REQUEST_REF: &str = "a Request or an id";
// §15
const PACKAGE: &[HandleKind] = &[HandleKind::Package];
const POLICY: &[HandleKind] = &[HandleKind::Policy];
const PACKAGE_REQUEST: &[HandleKind] = &[HandleKind::PackageRequest];
const ASSIGNMENT: &[HandleKind] = &[HandleKind::Assignment];
const PACKAGE_REF: &str = "an AccessPackage, an id or a name";
const POLICY_REF: &str = "a PackagePolicy or an id";
const PACKAGE_REQUEST_REF: &str = "a PackageRequest or an id";
const ASSIGNMENT_REF: &str = "a PackageAssignment or an id";

/// a datetime given as `expires` is the instant's RFC 3339 text (naive read as UTC).
fn expires_arg<'py>(py: Python<'py>, func: &str, expires: Opt<'py>) -> PyResult<Opt<'py>> {
    match expires {
        Opt::Given(v) if v.cast::<pyo3::types::PyDateTime>().is_ok() => {
            let t = py_to_time(func, "expires", &v)?;
            Ok(Opt::Given(PyString::new(py, &format_time(t)).into_any()))
        }
        other => Ok(other),
    }
}

/// A tenant: one directory with its settings, objects, logs, clock and history (SPEC §1).
#[pyclass(frozen, module = "ssgm._core")]
pub struct Tenant {
    pub(crate) store: Arc<Store>,
    refs: RefCache,
}

impl Tenant {
    fn wrap(tenant: Core) -> Tenant {
        Tenant { store: Store::new(tenant), refs: Python::attach(RefCache::new) }
    }

    /// Reads the tenant under its read lock, with the GIL released.
    fn read<R, F>(&self, py: Python<'_>, f: F) -> R
    where
        F: FnOnce(&Core) -> R + Send,
        R: Send,
    {
        let store = self.store.clone();
        py.detach(move || store.read(f))
    }

    /// A filtered list of the core (`requests`, `reviews`, `package_requests`,
    /// `package_assignments`): the options given, bound, resolved and answered by the core.
    fn filtered(
        &self,
        py: Python<'_>,
        query: &'static str,
        options: [(&str, Option<&Bound<'_, PyAny>>); 3],
    ) -> PyResult<Py<PyAny>> {
        let mut given = Vec::with_capacity(options.len());
        for (name, value) in options {
            if let Some(value) = value {
                given.push((name.to_string(), to_arg(value)?));
            }
        }
        let ids = self.read(py, move |t| call::filtered(t, query, &given)).raise(py)?;
        self.handles(py, ids)
    }

    fn handle<'py>(&self, py: Python<'py>, kind: HandleKind, id: String) -> PyResult<Py<PyAny>> {
        Ok(make_handle(py, &self.store, kind, id)?.unbind())
    }

    fn handles(&self, py: Python<'_>, items: Vec<(HandleKind, String)>) -> PyResult<Py<PyAny>> {
        Ok(make_handles(py, &self.store, items)?.unbind())
    }

    /// Builds and executes the command `name`.
    fn command(&self, py: Python<'_>, name: &str, args: Vec<Arg>, kwargs: Vec<(String, Arg)>) -> PyResult<Py<PyAny>> {
        let cmd = call::build(name, &args, &kwargs).raise(py)?;
        self.execute(py, cmd)
    }

    /// Executes a command with the GIL released and converts what it returns.
    fn execute(&self, py: Python<'_>, cmd: Command) -> PyResult<Py<PyAny>> {
        let store = self.store.clone();
        let outcome = py.detach(move || store.execute(cmd)).raise(py)?;
        Ok(match outcome {
            Outcome::Members(members) => self.handles(
                py,
                members
                    .into_iter()
                    .map(|m| match m {
                        Member::User(id) => (HandleKind::User, id),
                        Member::Group(id) => (HandleKind::Group, id),
                    })
                    .collect(),
            )?,
            Outcome::Users(users) => self.handles(py, users.into_iter().map(|id| (HandleKind::User, id)).collect())?,
            Outcome::Nothing => py.None(),
            Outcome::User(id) => self.handle(py, HandleKind::User, id)?,
            Outcome::Group(id) => self.handle(py, HandleKind::Group, id)?,
            Outcome::Resource(id) => self.handle(py, HandleKind::Resource, id)?,
            Outcome::Request(id) => self.handle(py, HandleKind::Request, id)?,
            Outcome::Settings(s) => Bound::new(py, Settings::from_view(settings_view(&s)))?.into_any().unbind(),
            Outcome::Imported(counts) => to_py(py, &counts_view(&counts))?.unbind(),
            Outcome::Time(t) => time_to_py(py, t)?.into_any().unbind(),
            // §14
            Outcome::Review(id) => self.handle(py, HandleKind::Review, id)?,
            Outcome::Reviews(ids) => self.handles(py, ids.into_iter().map(|id| (HandleKind::Review, id)).collect())?,
            Outcome::ReviewDecision { review, user } => {
                let view = self.read(py, move |t| t.review_decision_view(&review, &user));
                Bound::new(py, super::reviews::AccessReviewDecision::from_view(Some(self.store.clone()), view))?
                    .into_any()
                    .unbind()
            }
            // §15
            Outcome::Package(id) => self.handle(py, HandleKind::Package, id)?,
            Outcome::Policy(id) => self.handle(py, HandleKind::Policy, id)?,
            Outcome::PackageRequest(id) => self.handle(py, HandleKind::PackageRequest, id)?,
            Outcome::Assignment(id) => self.handle(py, HandleKind::Assignment, id)?,
        })
    }

    /// Resolves one reference with `find`, under the read lock.
    fn find<T: Send>(
        &self,
        py: Python<'_>,
        r: String,
        find: impl FnOnce(&Core, &str) -> crate::Result<T> + Send,
    ) -> PyResult<T> {
        self.read(py, move |t| find(t, &r)).raise(py)
    }
}

/// A path argument: a str or an `os.PathLike`.
fn path_of(path: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    path.extract::<PathBuf>().map_err(|_| {
        PyTypeError::new_err(format!(
            "a path must be a str or an os.PathLike, not {}",
            path.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })
}

#[pymethods]
impl Tenant {
    /// A new, empty tenant; its clock reads 2016-06-14T00:00:00Z.
    #[new]
    fn new(name: &str) -> Tenant {
        Tenant::wrap(Core::new(name))
    }

    // ----- properties ----------------------------------------------------------------------

    /// The tenant's name (a label, not part of the history).
    #[getter]
    fn name(&self, py: Python<'_>) -> String {
        self.read(py, |t| t.name().to_string())
    }

    /// The current settings (SPEC §2).
    #[getter]
    fn settings(&self, py: Python<'_>) -> Settings {
        Settings::from_view(self.read(py, |t| settings_view(t.settings())))
    }

    /// The logical clock, an aware UTC datetime.
    #[getter]
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let now = self.read(py, |t| t.now());
        Ok(time_to_py(py, now)?.into_any())
    }

    /// The report of the Graph import that made this tenant, or None.
    #[getter]
    fn import_report(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.read(py, |t| t.import_report().cloned()) {
            Some(v) => Ok(to_py(py, &v)?.unbind()),
            None => Ok(py.None()),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let (name, users, groups, resources, requests, now) = self.read(py, |t| {
            (
                t.name().to_string(),
                t.users().len(),
                t.groups().count(),
                t.resources().len(),
                t.requests().len(),
                t.now(),
            )
        });
        let name = PyString::new(py, &name).repr().map(|r| r.to_string()).unwrap_or_default();
        format!(
            "Tenant({name}, users={users}, groups={groups}, resources={resources}, requests={requests}, now='{}')",
            format_time(now)
        )
    }

    fn _repr_html_(&self, py: Python<'_>) -> String {
        let (name, counts, settings, now, journal) = self.read(py, |t| {
            (
                t.name().to_string(),
                [
                    ("users", t.users().len()),
                    ("groups", t.groups().count()),
                    ("resources", t.resources().len()),
                    ("requests", t.requests().len()),
                    ("audit entries", t.audit_log().len()),
                    ("provisioning events", t.provisioning_log().len()),
                    ("history entries", t.history().len()),
                ],
                t.settings().to_pairs(),
                t.now(),
                self.store.journal_path(),
            )
        });
        let mut out = format!("<table><caption>Tenant {}</caption>", escape(&name));
        let mut row = |k: &str, v: &str| {
            out.push_str(&format!(
                "<tr><th style=\"text-align:left\">{}</th><td style=\"text-align:left\">{}</td></tr>",
                escape(k),
                escape(v)
            ))
        };
        row("now", &format_time(now));
        for (k, v) in counts {
            row(k, &v.to_string());
        }
        for (k, v) in settings {
            let shown = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            row(k, &shown);
        }
        if let Some(p) = journal {
            row("journal", &p.display().to_string());
        }
        out.push_str("</table>");
        out
    }

    // ----- seeding -------------------------------------------------------------------------

    /// Seeds a user (no actor; audited as `system`).
    #[pyo3(
        signature = (upn, *, display_name=Opt::Missing, department=Opt::Missing, roles=Opt::Missing, enabled=Opt::Missing, manager=Opt::Missing),
        text_signature = "($self, upn, *, display_name=None, department=None, roles=(), enabled=True, manager=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn add_user(
        &self,
        py: Python<'_>,
        upn: &Bound<'_, PyAny>,
        display_name: Opt<'_>,
        department: Opt<'_>,
        roles: Opt<'_>,
        enabled: Opt<'_>,
        manager: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![
            ("display_name", display_name),
            ("department", department),
            ("roles", roles),
            ("enabled", enabled),
            ("manager", manager),
        ])?;
        self.command(py, "add_user", args(&[upn])?, kw)
    }

    /// Enables or disables a user.
    fn set_enabled(&self, py: Python<'_>, user: &Bound<'_, PyAny>, enabled: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "set_enabled", args(&[user, enabled])?, Vec::new())
    }

    /// Replaces a user's roles.
    fn set_roles(&self, py: Python<'_>, user: &Bound<'_, PyAny>, roles: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "set_roles", args(&[user, roles])?, Vec::new())
    }

    /// Seeds many objects in one command; returns the counts.
    fn import_directory(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        // Read straight into the core's data, with the GIL held for that only, and checked as
        // Rhai's is: bools are not ints, handles stand for their ids only where their kind
        // fits, datetimes are instants, nesting is bounded, then the strict shape; any of it
        // failing is a TypeError.
        let cmd = super::import_data::import_command(data)?;
        self.execute(py, cmd)
    }

    // ----- commands --------------------------------------------------------------------------

    /// Changes settings: all or none; unknown names and bad values are refusals.
    #[pyo3(signature = (actor, **settings))]
    fn configure(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "configure", args(&[actor])?, setting_kwargs(settings)?)
    }

    /// Creates a group.
    #[pyo3(
        signature = (actor, name, *, kind=Opt::Missing, join_policy=Opt::Missing, description=Opt::Missing, owners=Opt::Missing, members=Opt::Missing, on_premises=Opt::Missing),
        text_signature = "($self, actor, name, *, kind='security', join_policy=None, description='', owners=(), members=(), on_premises=False)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn create_group(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        kind: Opt<'_>,
        join_policy: Opt<'_>,
        description: Opt<'_>,
        owners: Opt<'_>,
        members: Opt<'_>,
        on_premises: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![
            ("kind", kind),
            ("join_policy", join_policy),
            ("description", description),
            ("owners", owners),
            ("members", members),
            ("on_premises", on_premises),
        ])?;
        self.command(py, "create_group", args(&[actor, name])?, kw)
    }

    /// Changes a group's name, description or join policy.
    #[pyo3(
        signature = (actor, group, *, name=Opt::Missing, description=Opt::Missing, join_policy=Opt::Missing),
        text_signature = "($self, actor, group, *, name=None, description=None, join_policy=None)"
    )]
    fn update_group(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
        name: Opt<'_>,
        description: Opt<'_>,
        join_policy: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![("name", name), ("description", description), ("join_policy", join_policy)])?;
        self.command(py, "update_group", args(&[actor, group])?, kw)
    }

    /// Deletes a group.
    fn delete_group(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, group: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "delete_group", args(&[actor, group])?, Vec::new())
    }

    /// Adds a member, a user or a group.
    fn add_member(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
        member: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "add_member", args(&[actor, group, member])?, Vec::new())
    }

    /// Removes a member.
    fn remove_member(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
        member: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "remove_member", args(&[actor, group, member])?, Vec::new())
    }

    /// Adds an owner.
    fn add_owner(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
        user: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "add_owner", args(&[actor, group, user])?, Vec::new())
    }

    /// Removes an owner.
    fn remove_owner(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
        user: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "remove_owner", args(&[actor, group, user])?, Vec::new())
    }

    /// Leaves a group.
    fn leave(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, group: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "leave", args(&[actor, group])?, Vec::new())
    }

    /// Adds a Microsoft 365 group to the expiration policy's selected list.
    fn add_group_to_expiration(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "add_group_to_expiration", args(&[actor, group])?, Vec::new())
    }

    /// Takes a group off the selected list.
    fn remove_group_from_expiration(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "remove_group_from_expiration", args(&[actor, group])?, Vec::new())
    }

    /// Renews a covered group.
    fn renew(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, group: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "renew", args(&[actor, group])?, Vec::new())
    }

    /// Restores a soft-deleted group, named by id or handle.
    fn restore_group(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, group: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "restore_group", args(&[actor, group])?, Vec::new())
    }

    /// Deletes a soft-deleted group for good.
    fn purge_group(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, group: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "purge_group", args(&[actor, group])?, Vec::new())
    }

    /// Seeding: records use of a group.
    fn record_activity(&self, py: Python<'_>, group: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "record_activity", args(&[group])?, Vec::new())
    }

    // ----- §14 access reviews ------------------------------------------------------------------

    /// Creates one access review per group, its items and reviewers a snapshot of now
    /// `groups` is a list, or one group alone.
    #[pyo3(
        signature = (actor, name, groups, *, reviewer_type=Opt::Missing, reviewers=Opt::Missing, fallback_reviewers=Opt::Missing, duration_days=Opt::Missing, default_decision=Opt::Missing, auto_apply=Opt::Missing, justification_required=Opt::Missing),
        text_signature = "($self, actor, name, groups, *, reviewer_type='owners', reviewers=(), fallback_reviewers=(), duration_days=14, default_decision='none', auto_apply=False, justification_required=False)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn create_review(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        groups: &Bound<'_, PyAny>,
        reviewer_type: Opt<'_>,
        reviewers: Opt<'_>,
        fallback_reviewers: Opt<'_>,
        duration_days: Opt<'_>,
        default_decision: Opt<'_>,
        auto_apply: Opt<'_>,
        justification_required: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![
            ("reviewer_type", reviewer_type),
            ("reviewers", reviewers),
            ("fallback_reviewers", fallback_reviewers),
            ("duration_days", duration_days),
            ("default_decision", default_decision),
            ("auto_apply", auto_apply),
            ("justification_required", justification_required),
        ])?;
        self.command(py, "create_review", args(&[actor, name, groups])?, kw)
    }

    /// A reviewer decides one item: `approve`, `deny` or `dont_know`.
    #[pyo3(signature = (actor, review, user, decision, justification=Opt::Missing), text_signature = "($self, actor, review, user, decision, justification='')")]
    fn decide_review(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        review: &Bound<'_, PyAny>,
        user: &Bound<'_, PyAny>,
        decision: &Bound<'_, PyAny>,
        justification: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![("justification", justification)])?;
        self.command(py, "decide_review", args(&[actor, review, user, decision])?, kw)
    }

    /// Completes an in-progress review now.
    fn stop_review(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, review: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "stop_review", args(&[actor, review])?, Vec::new())
    }

    /// Applies a completed review's results.
    fn apply_review(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, review: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "apply_review", args(&[actor, review])?, Vec::new())
    }

    /// Seeding: the user signs in now.
    fn record_sign_in(&self, py: Python<'_>, user: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "record_sign_in", args(&[user])?, Vec::new())
    }

    /// Access reviews in creation order, filtered by status, group (a deleted group's id
    /// too) and reviewer.
    #[pyo3(signature = (*, status=None, group=None, reviewer=None))]
    fn reviews(
        &self,
        py: Python<'_>,
        status: Option<&Bound<'_, PyAny>>,
        group: Option<&Bound<'_, PyAny>>,
        reviewer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.filtered(py, "reviews", [("status", status), ("group", group), ("reviewer", reviewer)])
    }

    /// An access review by handle or id (`NotFound`: review_not_found).
    fn review(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("review", "id", id, &[HandleKind::Review], "a Review or an id")?;
        let id = self
            .find(py, r, |t, r| t.find_review(r).map(|x| t.review_at(x).map(|x| x.id.clone()).unwrap_or_default()))?;
        self.handle(py, HandleKind::Review, id)
    }

    /// The name the naming policy gives a Microsoft 365 group `user` names `name`.
    fn enforced_name(&self, py: Python<'_>, user: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
        let user = match args(&[user])?.pop() {
            Some(Arg::Str(s)) | Some(Arg::Handle(HandleKind::User, s)) => s,
            _ => {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "enforced_name() argument 'user' must be a User, an id or a upn",
                ))
            }
        };
        let name = name.to_string();
        self.read(py, move |t| t.enforced_name(&user, &name)).raise(py)
    }

    /// Soft-deleted groups, in deletion order.
    fn deleted_groups(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let views: Vec<Value> = self.read(py, |t| t.deleted_groups().map(|g| t.deleted_group_view(g)).collect());
        let items = views
            .into_iter()
            .map(|v| Bound::new(py, crate::python::records::DeletedGroup::from_view(v)))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }

    /// The notification log.
    fn notification_log(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let views: Vec<Value> =
            self.read(py, |t| t.notification_log().iter().map(crate::views::notification_view).collect());
        let items = views
            .into_iter()
            .map(|v| Bound::new(py, crate::python::records::Notification::from_view(v)))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }

    /// Asks to join a group (§5).
    #[pyo3(signature = (actor, group, justification=Opt::Missing), text_signature = "($self, actor, group, justification='')")]
    fn request_to_join(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
        justification: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "request_to_join", args(&[actor, group])?, kwargs(vec![("justification", justification)])?)
    }

    /// Approves a pending request.
    #[pyo3(signature = (actor, request, reason=Opt::Missing), text_signature = "($self, actor, request, reason='')")]
    fn approve(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        reason: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "approve", args(&[actor, request])?, kwargs(vec![("reason", reason)])?)
    }

    /// Denies a pending request.
    #[pyo3(signature = (actor, request, reason=Opt::Missing), text_signature = "($self, actor, request, reason='')")]
    fn deny(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        reason: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "deny", args(&[actor, request])?, kwargs(vec![("reason", reason)])?)
    }

    /// Cancels a pending request.
    fn cancel(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "cancel", args(&[actor, request])?, Vec::new())
    }

    /// Creates a resource.
    #[pyo3(
        signature = (actor, name, *, kind=Opt::Missing, owners=Opt::Missing),
        text_signature = "($self, actor, name, *, kind='application', owners=())"
    )]
    fn create_resource(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        kind: Opt<'_>,
        owners: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "create_resource", args(&[actor, name])?, kwargs(vec![("kind", kind), ("owners", owners)])?)
    }

    /// Adds an owner to a resource.
    fn add_resource_owner(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
        user: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "add_resource_owner", args(&[actor, resource, user])?, Vec::new())
    }

    /// Removes an owner from a resource.
    fn remove_resource_owner(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
        user: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "remove_resource_owner", args(&[actor, resource, user])?, Vec::new())
    }

    /// Assigns a user or a group to a resource.
    fn assign(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
        principal: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "assign", args(&[actor, resource, principal])?, Vec::new())
    }

    /// Removes an assignment.
    fn unassign(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
        principal: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "unassign", args(&[actor, resource, principal])?, Vec::new())
    }

    /// Blocks a user from a resource.
    fn block(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
        user: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "block", args(&[actor, resource, user])?, Vec::new())
    }

    /// Lifts a block.
    fn unblock(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
        user: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "unblock", args(&[actor, resource, user])?, Vec::new())
    }

    /// Checked read: a group's direct members, as the actor sees them.
    fn list_members(&self, py: Python<'_>, actor: &Bound<'_, PyAny>, group: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "list_members", args(&[actor, group])?, Vec::new())
    }

    /// Checked read: everyone with access to a resource.
    fn list_access(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        resource: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "list_access", args(&[actor, resource])?, Vec::new())
    }

    /// A dry run of any actor command or checked read, by name: never changes state, never
    /// audited.
    #[pyo3(signature = (actor, command, *args, **kwargs))]
    fn check(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        command: &str,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Decision> {
        let positional = args.iter().map(|a| to_arg(&a)).collect::<PyResult<Vec<_>>>()?;
        let kwargs = if command == "configure" { setting_kwargs(kwargs)? } else { dict_kwargs(kwargs)? };
        let cmd = call::build_check(&to_arg(actor)?, command, &positional, &kwargs).raise(py)?;
        let store = self.store.clone();
        let decision = py.detach(move || store.check(&cmd));
        Ok(Decision::from_view(decision_view(&decision)))
    }

    // ----- the clock -------------------------------------------------------------------------

    /// Moves the clock forward; a negative total is `invalid_time`.
    #[pyo3(
        signature = (*, days=Opt::Missing, hours=Opt::Missing, minutes=Opt::Missing, seconds=Opt::Missing),
        text_signature = "($self, *, days=0, hours=0, minutes=0, seconds=0)"
    )]
    fn advance(
        &self,
        py: Python<'_>,
        days: Opt<'_>,
        hours: Opt<'_>,
        minutes: Opt<'_>,
        seconds: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let mut parts = Vec::new();
        for (name, value) in [("days", days), ("hours", hours), ("minutes", minutes), ("seconds", seconds)] {
            if let Opt::Given(v) = value {
                parts.push((name.to_string(), to_arg(&v)?));
            }
        }
        let cmd = call::advance(&parts).raise(py)?;
        self.execute(py, cmd)
    }

    /// Sets the clock to a later instant: an aware datetime, or a naive one
    /// read as UTC.
    fn set_time(&self, py: Python<'_>, when: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let micros = py_to_time("set_time", "when", when)?;
        self.execute(py, Command::SetTime { micros })
    }

    // ----- access packages (§15) ---------------------------------------------------------------

    /// Seeding: sets or clears a user's manager.
    fn set_manager(&self, py: Python<'_>, user: &Bound<'_, PyAny>, manager: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.command(py, "set_manager", args(&[user, manager])?, Vec::new())
    }

    /// Creates an access package of groups.
    #[pyo3(signature = (actor, name, *, description=Opt::Missing, groups=Opt::Missing), text_signature = "($self, actor, name, *, description='', groups=())")]
    fn create_package(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        description: Opt<'_>,
        groups: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![("description", description), ("groups", groups)])?;
        self.command(py, "create_package", args(&[actor, name])?, kw)
    }

    /// Renames or describes a package.
    #[pyo3(signature = (actor, package, *, name=Opt::Missing, description=Opt::Missing), text_signature = "($self, actor, package, *, name=None, description=None)")]
    fn update_package(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
        name: Opt<'_>,
        description: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![("name", name), ("description", description)])?;
        self.command(py, "update_package", args(&[actor, package])?, kw)
    }

    /// Deletes a package with no active assignment or pending request.
    fn delete_package(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "delete_package", args(&[actor, package])?, Vec::new())
    }

    /// Adds a group to a package; its active assignments' users gain it.
    fn add_package_group(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "add_package_group", args(&[actor, package, group])?, Vec::new())
    }

    /// Takes a group out of a package; its active assignments' users lose it.
    fn remove_package_group(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
        group: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "remove_package_group", args(&[actor, package, group])?, Vec::new())
    }

    /// Makes a package or a group incompatible with a package, one way.
    fn add_incompatible(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
        other: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "add_incompatible", args(&[actor, package, other])?, Vec::new())
    }

    /// Lifts an incompatibility.
    fn remove_incompatible(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
        other: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "remove_incompatible", args(&[actor, package, other])?, Vec::new())
    }

    /// Creates a policy of a package.
    #[pyo3(
        signature = (actor, package, name, *, requestors=Opt::Missing, justification_required=Opt::Missing, stages=Opt::Missing, expires=Opt::Missing),
        text_signature = "($self, actor, package, name, *, requestors='none', justification_required=True, stages=(), expires='never')"
    )]
    #[allow(clippy::too_many_arguments)]
    fn create_policy(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        requestors: Opt<'_>,
        justification_required: Opt<'_>,
        stages: Opt<'_>,
        expires: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![
            ("requestors", requestors),
            ("justification_required", justification_required),
            ("stages", stages),
            ("expires", expires_arg(py, "create_policy", expires)?),
        ])?;
        self.command(py, "create_policy", args(&[actor, package, name])?, kw)
    }

    /// Changes a policy; an option left None is unchanged.
    #[pyo3(
        signature = (actor, policy, *, name=Opt::Missing, requestors=Opt::Missing, justification_required=Opt::Missing, stages=Opt::Missing, expires=Opt::Missing),
        text_signature = "($self, actor, policy, *, name=None, requestors=None, justification_required=None, stages=None, expires=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn update_policy(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        policy: &Bound<'_, PyAny>,
        name: Opt<'_>,
        requestors: Opt<'_>,
        justification_required: Opt<'_>,
        stages: Opt<'_>,
        expires: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![
            ("name", name),
            ("requestors", requestors),
            ("justification_required", justification_required),
            ("stages", stages),
            ("expires", expires_arg(py, "update_policy", expires)?),
        ])?;
        self.command(py, "update_policy", args(&[actor, policy])?, kw)
    }

    /// Deletes a policy not in use.
    fn delete_policy(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        policy: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "delete_policy", args(&[actor, policy])?, Vec::new())
    }

    /// An administrator assigns a package directly.
    #[pyo3(signature = (actor, package, user, policy, *, justification=Opt::Missing), text_signature = "($self, actor, package, user, policy, *, justification='')")]
    fn assign_package(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
        user: &Bound<'_, PyAny>,
        policy: &Bound<'_, PyAny>,
        justification: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![("justification", justification)])?;
        self.command(py, "assign_package", args(&[actor, package, user, policy])?, kw)
    }

    /// Re-adds an active assignment's missing memberships.
    fn reprocess_assignment(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        assignment: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "reprocess_assignment", args(&[actor, assignment])?, Vec::new())
    }

    /// Requests a package under a policy that offers itself.
    #[pyo3(signature = (actor, package, justification=Opt::Missing, *, policy=Opt::Missing), text_signature = "($self, actor, package, justification='', *, policy=None)")]
    fn request_package(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        package: &Bound<'_, PyAny>,
        justification: Opt<'_>,
        policy: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![("justification", justification), ("policy", policy)])?;
        self.command(py, "request_package", args(&[actor, package])?, kw)
    }

    /// Approves a request's stage.
    #[pyo3(signature = (actor, request, justification=Opt::Missing), text_signature = "($self, actor, request, justification='')")]
    fn approve_package_request(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        justification: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![("justification", justification)])?;
        self.command(py, "approve_package_request", args(&[actor, request])?, kw)
    }

    /// Denies a pending request.
    #[pyo3(signature = (actor, request, justification=Opt::Missing), text_signature = "($self, actor, request, justification='')")]
    fn deny_package_request(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        justification: Opt<'_>,
    ) -> PyResult<Py<PyAny>> {
        let kw = kwargs(vec![("justification", justification)])?;
        self.command(py, "deny_package_request", args(&[actor, request])?, kw)
    }

    /// Cancels a pending request: the requester or an admin.
    fn cancel_package_request(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "cancel_package_request", args(&[actor, request])?, Vec::new())
    }

    /// Ends an active assignment: its user or an admin.
    fn remove_assignment(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        assignment: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        self.command(py, "remove_assignment", args(&[actor, assignment])?, Vec::new())
    }

    /// Access packages, in creation order.
    fn packages(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ids = self.read(py, |t| {
            t.packages().into_iter().map(|p| (HandleKind::Package, t.id_at(HandleKind::Package, p))).collect()
        });
        self.handles(py, ids)
    }

    /// The package with this id or name (package_not_found).
    fn package(&self, py: Python<'_>, r#ref: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("package", "ref", r#ref, PACKAGE, PACKAGE_REF)?;
        let id = self.find(py, r, |t, r| t.find_package(r).map(|p| t.id_at(HandleKind::Package, p)))?;
        self.handle(py, HandleKind::Package, id)
    }

    /// Policies, of one package or all, in creation order.
    #[pyo3(signature = (*, package=None))]
    fn policies(&self, py: Python<'_>, package: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let package = package.map(|p| reference("policies", "package", p, PACKAGE, PACKAGE_REF)).transpose()?;
        let found = self.read(py, move |t| -> crate::Result<Vec<(HandleKind, String)>> {
            let p = package.map(|p| t.find_package(&p)).transpose()?;
            Ok(t.policies_of(p).into_iter().map(|x| (HandleKind::Policy, t.id_at(HandleKind::Policy, x))).collect())
        });
        let ids = found.raise(py)?;
        self.handles(py, ids)
    }

    /// The policy with this id (policy_not_found).
    fn policy(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("policy", "id", id, POLICY, POLICY_REF)?;
        let id = self.find(py, r, |t, r| t.find_policy(r, None).map(|p| t.id_at(HandleKind::Policy, p)))?;
        self.handle(py, HandleKind::Policy, id)
    }

    /// Package requests in creation order, filtered by status, package and requester.
    #[pyo3(signature = (*, status=None, package=None, requester=None))]
    fn package_requests(
        &self,
        py: Python<'_>,
        status: Option<&Bound<'_, PyAny>>,
        package: Option<&Bound<'_, PyAny>>,
        requester: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.filtered(py, "package_requests", [("status", status), ("package", package), ("requester", requester)])
    }

    /// The package request with this id (request_not_found).
    fn package_request(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("package_request", "id", id, PACKAGE_REQUEST, PACKAGE_REQUEST_REF)?;
        let id = self.find(py, r, |t, r| t.find_package_request(r).map(|q| t.id_at(HandleKind::PackageRequest, q)))?;
        self.handle(py, HandleKind::PackageRequest, id)
    }

    /// Assignments in creation order, filtered by state, package and user.
    #[pyo3(signature = (*, state=None, package=None, user=None))]
    fn package_assignments(
        &self,
        py: Python<'_>,
        state: Option<&Bound<'_, PyAny>>,
        package: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.filtered(py, "package_assignments", [("state", state), ("package", package), ("user", user)])
    }

    /// The assignment with this id (assignment_not_found).
    fn package_assignment(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("package_assignment", "id", id, ASSIGNMENT, ASSIGNMENT_REF)?;
        let id = self.find(py, r, |t, r| t.find_assignment(r).map(|a| t.id_at(HandleKind::Assignment, a)))?;
        self.handle(py, HandleKind::Assignment, id)
    }

    /// Active assignments' groups their users are missing from.
    #[pyo3(signature = (*, package=None))]
    fn assignment_drift(&self, py: Python<'_>, package: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let package = package.map(|p| reference("assignment_drift", "package", p, PACKAGE, PACKAGE_REF)).transpose()?;
        let views = self
            .read(py, move |t| -> crate::Result<Vec<Value>> {
                let p = package.map(|p| t.find_package(&p)).transpose()?;
                Ok(t.assignment_drift(p).iter().map(|d| t.drift_view(d)).collect())
            })
            .raise(py)?;
        Ok(super::records::package_records(py, "Drift", views)?.unbind())
    }

    /// Active assignments whose user now holds incompatible access.
    #[pyo3(signature = (*, package=None))]
    fn incompatible_assignments(&self, py: Python<'_>, package: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let package =
            package.map(|p| reference("incompatible_assignments", "package", p, PACKAGE, PACKAGE_REF)).transpose()?;
        let found = self.read(py, move |t| -> crate::Result<Vec<(HandleKind, String)>> {
            let p = package.map(|p| t.find_package(&p)).transpose()?;
            Ok(t.incompatible_assignments(p)
                .into_iter()
                .map(|a| (HandleKind::Assignment, t.id_at(HandleKind::Assignment, a)))
                .collect())
        });
        let ids = found.raise(py)?;
        self.handles(py, ids)
    }

    // ----- analyst queries (no actor, R-6.4) -------------------------------------------------

    /// Every user, in creation order.
    fn users(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ids = self.read(py, |t| t.users().iter().map(|u| (HandleKind::User, u.id.clone())).collect());
        self.handles(py, ids)
    }

    /// Every existing group, in creation order.
    fn groups(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ids = self.read(py, |t| t.groups().map(|(_, g)| (HandleKind::Group, g.id.clone())).collect());
        self.handles(py, ids)
    }

    /// Every resource, in creation order.
    fn resources(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ids = self.read(py, |t| t.resources().iter().map(|r| (HandleKind::Resource, r.id.clone())).collect());
        self.handles(py, ids)
    }

    /// Requests, in creation order, filtered by status, group and requester.
    #[pyo3(signature = (*, status=None, group=None, requester=None))]
    fn requests(
        &self,
        py: Python<'_>,
        status: Option<&Bound<'_, PyAny>>,
        group: Option<&Bound<'_, PyAny>>,
        requester: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.filtered(py, "requests", [("status", status), ("group", group), ("requester", requester)])
    }

    /// A user by handle, id or upn (`NotFound` if there is none).
    fn user(&self, py: Python<'_>, r#ref: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("user", "ref", r#ref, USER, USER_REF)?;
        let id =
            self.find(py, r, |t, r| t.find_user(r).map(|u| t.user(u).map(|x| x.id.clone()).unwrap_or_default()))?;
        self.handle(py, HandleKind::User, id)
    }

    /// A group by handle, id or name (`NotFound` if there is none).
    fn group(&self, py: Python<'_>, r#ref: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("group", "ref", r#ref, GROUP, GROUP_REF)?;
        let id =
            self.find(py, r, |t, r| t.find_group(r).map(|g| t.group(g).map(|x| x.id.clone()).unwrap_or_default()))?;
        self.handle(py, HandleKind::Group, id)
    }

    /// A resource by handle, id or name (`NotFound` if there is none).
    fn resource(&self, py: Python<'_>, r#ref: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("resource", "ref", r#ref, RESOURCE, RESOURCE_REF)?;
        let id = self
            .find(py, r, |t, r| t.find_resource(r).map(|x| t.resource(x).map(|x| x.id.clone()).unwrap_or_default()))?;
        self.handle(py, HandleKind::Resource, id)
    }

    /// A request by handle or id (`NotFound` if there is none).
    fn request(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("request", "id", id, REQUEST, REQUEST_REF)?;
        let id =
            self.find(py, r, |t, r| t.find_request(r).map(|q| t.request(q).map(|x| x.id.clone()).unwrap_or_default()))?;
        self.handle(py, HandleKind::Request, id)
    }

    /// Whether a user has effective access to a resource.
    fn has_access(&self, py: Python<'_>, user: &Bound<'_, PyAny>, resource: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.refs.has_access(py, &self.store, user, resource)
    }

    /// `has_access` for each (user, resource) pair, in order, under one read lock.
    #[pyo3(signature = (pairs, resources=None))]
    fn has_access_many(
        &self,
        py: Python<'_>,
        pairs: &Bound<'_, PyAny>,
        resources: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        match resources {
            None => self.refs.has_access_many(py, &self.store, pairs),
            Some(resources) => self.refs.has_access_columns(py, &self.store, pairs, resources),
        }
    }

    /// Every path that grants a user access to a resource, and what cancels them.
    fn explain_access(&self, py: Python<'_>, user: &Bound<'_, PyAny>, resource: &Bound<'_, PyAny>) -> PyResult<Access> {
        let u = reference("explain_access", "user", user, USER, USER_REF)?;
        let r = reference("explain_access", "resource", resource, RESOURCE, RESOURCE_REF)?;
        let view = self.read(py, move |t| Ok(t.access_view_named(t.find_user(&u)?, t.find_resource(&r)?))).raise(py)?;
        Ok(Access::from_view(view))
    }

    /// Everyone with effective access to a resource, in creation order.
    fn who_has_access(&self, py: Python<'_>, resource: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.refs.who_has_access(py, &self.store, resource)
    }

    /// Every resource a user has effective access to, in creation order.
    fn access_of(&self, py: Python<'_>, user: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let u = reference("access_of", "user", user, USER, USER_REF)?;
        let ids = self
            .read(py, move |t| {
                let x = t.find_user(&u)?;
                Ok(t.access_of(x)
                    .into_iter()
                    .filter_map(|r| t.resource(r).map(|r| (HandleKind::Resource, r.id.clone())))
                    .collect::<Vec<_>>())
            })
            .raise(py)?;
        self.handles(py, ids)
    }

    /// A user's Access Panel.
    fn access_panel(&self, py: Python<'_>, user: &Bound<'_, PyAny>) -> PyResult<AccessPanel> {
        let u = reference("access_panel", "user", user, USER, USER_REF)?;
        let view = self
            .read(py, move |t| {
                let x = t.find_user(&u)?;
                Ok(t.panel_view_named(&t.access_panel(x)))
            })
            .raise(py)?;
        Ok(AccessPanel::from_view(self.store.clone(), view))
    }

    /// The audit log.
    fn audit_log(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let views: Vec<Value> = self.read(py, |t| t.audit_log().iter().map(|e| t.audit_view_named(e)).collect());
        let items =
            views.into_iter().map(|v| Bound::new(py, AuditEntry::from_view(v))).collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }

    /// The provisioning log.
    fn provisioning_log(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let views: Vec<Value> =
            self.read(py, |t| t.provisioning_log().iter().map(|e| t.provisioning_view_named(e)).collect());
        let items =
            views.into_iter().map(|v| Bound::new(py, ProvisioningEvent::from_view(v))).collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }

    /// A `pandas.DataFrame` of `what`: `"users"`, `"groups"`, `"resources"`, `"requests"`,
    /// `"audit"`, `"provisioning"` (one column per field, names beside ids) or `"access"` (a
    /// users × resources matrix of booleans). See `ssgm.frames`; pandas is optional.
    fn frame(slf: &Bound<'_, Self>, what: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        Ok(py.import("ssgm.frames")?.getattr("frame")?.call1((slf, what))?.unbind())
    }

    // ----- history and persistence -----------------------------------------------------------

    /// The history: every command, allowed or refused, and every clock move, in
    /// order, as JSON-ready dicts.
    fn events(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let values: Vec<Value> = self.read(py, |t| t.history().iter().map(Command::to_value).collect());
        Ok(to_py(py, &Value::Array(values))?.unbind())
    }

    /// The tenant the first `until` events build (all of them when None), R-8.4.
    #[staticmethod]
    #[pyo3(signature = (events, *, until=None, name="replay"))]
    fn replay(
        py: Python<'_>,
        events: &Bound<'_, PyAny>,
        until: Option<&Bound<'_, PyAny>>,
        name: &str,
    ) -> PyResult<Tenant> {
        let until = match until {
            None => None,
            Some(u) => {
                if u.cast::<PyBool>().is_ok() || u.cast::<PyInt>().is_err() {
                    return Err(PyTypeError::new_err("replay() argument 'until' must be an int or None"));
                }
                let n: i64 = u.extract()?;
                Some(
                    usize::try_from(n)
                        .map_err(|_| PyValueError::new_err("replay() argument 'until' must not be negative"))?,
                )
            }
        };
        let mut commands = Vec::new();
        for (i, event) in events.try_iter()?.enumerate() {
            let value =
                entry_to_json(&event?).map_err(|e| PyTypeError::new_err(format!("event {i}: {}", e.value(py))))?;
            let cmd =
                Command::from_value(value).map_err(|e| PyTypeError::new_err(format!("event {i}: {}", e.message())))?;
            commands.push(cmd);
        }
        let name = name.to_string();
        Ok(Tenant::wrap(py.detach(move || Core::replay(commands, until, &name))))
    }

    /// An independent copy, for what-if studies (handles of this tenant work on it).
    fn fork(&self, py: Python<'_>) -> Tenant {
        Tenant::wrap(self.read(py, |t| t.fork()))
    }

    fn __copy__(&self, py: Python<'_>) -> Tenant {
        self.fork(py)
    }

    fn __deepcopy__(&self, py: Python<'_>, memo: &Bound<'_, PyAny>) -> Tenant {
        let _ = memo;
        self.fork(py)
    }

    /// Pickles as a snapshot (history and name); the copy is in memory, without a journal.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let bytes = self.read(py, snapshot::to_bytes).raise(py)?;
        let rebuild = py.import("ssgm._core")?.getattr("_tenant_from_snapshot")?;
        let args = PyTuple::new(py, [PyBytes::new(py, &bytes)])?;
        PyTuple::new(py, [rebuild, args.into_any()])
    }

    /// Saves an atomic snapshot: a crash never leaves a half-written file.
    fn save(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = path_of(path)?;
        self.read(py, move |t| snapshot::save(t, &path)).raise(py)
    }

    /// Loads a snapshot written by `save`.
    #[staticmethod]
    fn load(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Tenant> {
        let path = path_of(path)?;
        let tenant = py.detach(move || snapshot::load(&path)).raise(py)?;
        Ok(Tenant::wrap(tenant))
    }

    /// A durable tenant: replays the journal at `path` (created if missing) and appends every
    /// command to it before returning. A torn last record is truncated with a RuntimeWarning.
    #[staticmethod]
    #[pyo3(signature = (path, *, fsync="always"))]
    fn open(py: Python<'_>, path: &Bound<'_, PyAny>, fsync: &str) -> PyResult<Tenant> {
        let path = path_of(path)?;
        let sync = SyncPolicy::named(fsync).raise(py)?;
        let opened = py.detach(move || Journal::open_file(&path, sync)).raise(py)?;
        let note = opened.recovered.clone();
        let tenant = Tenant { store: Store::with_journal(opened.tenant, opened.journal), refs: RefCache::new(py) };
        if let Some(note) = note {
            let text = CString::new(note.replace('\0', "")).map_err(|e| PyValueError::new_err(e.to_string()))?;
            PyErr::warn(py, &py.get_type::<PyRuntimeWarning>(), &text, 1)?;
        }
        Ok(tenant)
    }

    /// Runs a Rhai script with `tenant` bound to this tenant (both see one store) and returns
    /// its final value (handles as ids). A failure is a `ScriptError` with
    /// `file:line:column: message`. `timeout` is its wall-clock limit in seconds (`None`: no
    /// limit); its files must be inside the `allow` folders (none by default).
    #[pyo3(signature = (source, *, path=None, timeout=Some(60.0), allow=None), text_signature = "($self, source, *, path=None, timeout=60.0, allow=None)")]
    fn run_script(
        &self,
        py: Python<'_>,
        source: &str,
        path: Option<String>,
        timeout: Option<f64>,
        allow: Option<Vec<PathBuf>>,
    ) -> PyResult<Py<PyAny>> {
        let (source, store) = (source.to_string(), self.store.clone());
        let value = py
            .detach(move || {
                let options = super::script_options(timeout, allow)?;
                crate::scripting::run_script_with(&source, path.as_deref(), Some(store), &options)
            })
            .raise(py);
        let value = value?;
        Ok(to_py(py, &value)?.unbind())
    }

    /// A new tenant from a Microsoft Graph export folder.
    #[staticmethod]
    #[pyo3(signature = (path, *, name=None, settings=None, now=None, progress=false))]
    fn from_graph(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        name: Option<String>,
        settings: Option<&Bound<'_, PyDict>>,
        now: Option<&Bound<'_, PyAny>>,
        progress: bool,
    ) -> PyResult<Tenant> {
        // `progress=True`: the reading and the import report as `ssgm.progress()` shows them.
        let sink = if progress {
            Some(py.import("ssgm._progress")?.getattr("default_callback")?.call0()?.unbind())
        } else {
            None
        };
        let path = path_of(path)?;
        let now = match now {
            Some(n) if !n.is_none() => Some(py_to_time("from_graph", "now", n)?),
            _ => None,
        };
        let mut overrides = Map::new();
        if let Some(s) = settings {
            for (k, v) in s.iter() {
                overrides.insert(k.extract::<String>()?, to_json(&v)?);
            }
        }
        let tenant = py
            .detach(move || match sink {
                Some(cb) => crate::progress::with_sink(super::progress_sink(cb), || {
                    Core::from_graph_at(&path, name.as_deref(), &overrides, now)
                }),
                None => Core::from_graph_at(&path, name.as_deref(), &overrides, now),
            })
            .raise(py)?;
        Ok(Tenant::wrap(tenant))
    }

    // ----- analysis (SPEC §12) ----------------------------------------------------------------

    /// What a user may do right now.
    fn capabilities(&self, py: Python<'_>, user: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let u = reference("capabilities", "user", user, USER, USER_REF)?;
        let views = self.read(py, move |t| Ok(views_of(&t.capabilities(t.find_user(&u)?)))).raise(py)?;
        self.records(py, views, super::analysis::Capability::new)
    }

    /// How a user could come to reach a resource through self-service.
    fn routes(&self, py: Python<'_>, user: &Bound<'_, PyAny>, resource: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let u = reference("routes", "user", user, USER, USER_REF)?;
        let r = reference("routes", "resource", resource, RESOURCE, RESOURCE_REF)?;
        let views =
            self.read(py, move |t| Ok(views_of(&t.routes(t.find_user(&u)?, t.find_resource(&r)?)))).raise(py)?;
        self.records(py, views, super::analysis::Route::new)
    }

    /// Every user's standing towards a resource, in creation order.
    fn exposure(&self, py: Python<'_>, resource: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("exposure", "resource", resource, RESOURCE, RESOURCE_REF)?;
        let views = self.read(py, move |t| Ok(views_of(&t.exposure(t.find_resource(&r)?)))).raise(py)?;
        let items = self.records(py, views, super::analysis::Exposure::new)?;
        let wrap = py.import("ssgm.analysis")?.getattr("Exposures")?;
        Ok(wrap.call1((items,))?.unbind())
    }

    /// The role-less users who can change who reaches a resource.
    fn gatekeepers(&self, py: Python<'_>, resource: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = reference("gatekeepers", "resource", resource, RESOURCE, RESOURCE_REF)?;
        let views = self.read(py, move |t| Ok(views_of(&t.gatekeepers(t.find_resource(&r)?)))).raise(py)?;
        self.records(py, views, super::analysis::Gatekeeper::new)
    }

    /// What differs from this tenant to `after`, as `ssgm.diff(self, after)`.
    fn diff(&self, py: Python<'_>, after: PyRef<'_, Tenant>) -> super::analysis::Diff {
        let (a, b) = (self.store.clone(), after.store.clone());
        let d = py.detach(move || Store::read_pair(&a, &b, crate::analysis::diff));
        super::analysis::Diff::new(after.store.clone(), &d)
    }

    /// The tenant as Graphviz DOT text.
    fn to_dot(&self, py: Python<'_>) -> String {
        self.read(py, |t| t.to_dot())
    }

    /// The tenant as a `networkx.MultiDiGraph`; `ImportError` without networkx.
    fn to_networkx(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let nx = py.import("networkx").map_err(|_| {
            pyo3::exceptions::PyImportError::new_err("to_networkx needs networkx (pip install networkx)")
        })?;
        let (nodes, edges) = self.read(py, |t| {
            let (n, e) = t.graph();
            (views_of(&n), views_of(&e))
        });
        let graph = nx.getattr("MultiDiGraph")?.call0()?;
        let mut node_items = Vec::with_capacity(nodes.len());
        for mut n in nodes {
            let id = n.as_object_mut().and_then(|m| m.remove("id")).unwrap_or(Value::Null);
            node_items.push(PyTuple::new(py, [to_py(py, &id)?, to_py(py, &n)?])?);
        }
        graph.call_method1("add_nodes_from", (PyList::new(py, node_items)?,))?;
        let mut edge_items = Vec::with_capacity(edges.len());
        for e in edges {
            let get = |k: &str| e.get(k).cloned().unwrap_or(Value::Null);
            let attrs = serde_json::json!({ "type": get("type") });
            edge_items.push(PyTuple::new(
                py,
                [to_py(py, &get("source"))?, to_py(py, &get("target"))?, to_py(py, &get("type"))?, to_py(py, &attrs)?],
            )?);
        }
        graph.call_method1("add_edges_from", (PyList::new(py, edge_items)?,))?;
        Ok(graph.unbind())
    }

    /// Runs steps in order (a route's `steps`, `Step`s or dicts `{actor, command, args}`);
    /// returns each step's result; the first refusal is raised (the steps before it stay
    /// applied: apply routes to a fork).
    fn apply(&self, py: Python<'_>, steps: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let mut out = Vec::new();
        let mut made: Option<String> = None;
        for (i, item) in steps.try_iter()?.enumerate() {
            let item = item?;
            let step = match item.cast::<super::analysis::Step>() {
                Ok(s) => s.get().core(),
                Err(_) => to_json(&item).ok().and_then(|v| serde_json::from_value(v).ok()),
            }
            .ok_or_else(|| {
                PyTypeError::new_err(format!("apply() step {i} must be a Step or a dict {{actor, command, args}}"))
            })?;
            let cmd = crate::analysis::step_command(&step, made.as_deref()).raise(py)?;
            let result = self.execute(py, cmd)?;
            let bound = result.bind(py);
            made = match super::handles::handle_of(bound) {
                Some((HandleKind::Request, id)) => Some(id),
                _ => None,
            };
            out.push(result);
        }
        Ok(PyList::new(py, out)?.into_any().unbind())
    }
}

impl Tenant {
    /// Records of a list of views, each made by `make` with this tenant's store.
    fn records<T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
        &self,
        py: Python<'_>,
        views: Vec<Value>,
        make: fn(Arc<Store>, Value) -> T,
    ) -> PyResult<Py<PyAny>> {
        let items =
            views.into_iter().map(|v| Bound::new(py, make(self.store.clone(), v))).collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
}

fn views_of<T: serde::Serialize>(records: &[T]) -> Vec<Value> {
    records.iter().map(crate::analysis::view).collect()
}

/// `diff(before, after)`: what differs from one tenant to another.
#[pyfunction]
pub fn diff(py: Python<'_>, before: PyRef<'_, Tenant>, after: PyRef<'_, Tenant>) -> super::analysis::Diff {
    before.diff(py, after)
}

/// Unpickles a tenant (see `Tenant.__reduce__`).
#[pyfunction]
pub fn _tenant_from_snapshot(py: Python<'_>, data: &[u8]) -> PyResult<Tenant> {
    let bytes = data.to_vec();
    let tenant = py.detach(move || snapshot::from_bytes(&bytes, "pickle")).raise(py)?;
    Ok(Tenant::wrap(tenant))
}

/// `graph_to_directory(path)`: the `import_directory` data of a Graph export, with its
/// `report` section.
#[pyfunction]
pub fn graph_to_directory(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let path = path_of(path)?;
    let data = py.detach(move || crate::graph::graph_to_directory(&path, &Map::new())).raise(py)?;
    Ok(to_py(py, &data.to_value())?.unbind())
}

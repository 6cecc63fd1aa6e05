"""ssgm: an executable model of Azure AD / Microsoft Entra ID self-service group management.

>>> import ssgm
>>> t = ssgm.Tenant("contoso")
>>> admin = t.add_user("admin@contoso.com", roles=["global_admin"])
>>> t.configure(admin, delegated_group_management=True).delegated_group_management
True

Everything is implemented in the Rust core; this package re-exports its Python face,
``ssgm._core``.
"""

from collections.abc import Sequence as _Sequence

from ssgm._core import (
    Access,
    AccessPanel,
    AuditEntry,
    Capability,
    Changes,
    Conflict,
    Decision,
    Diff,
    Exposure,
    Gains,
    Gatekeeper,
    Group,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ProvisioningEvent,
    Notification,
    DeletedGroup,
    Review,
    AccessReviewDecision,
    Request,
    Resource,
    Route,
    ScriptError,
    Settings,
    SsgmError,
    Step,
    StorageError,
    Tenant,
    User,
    __version__,
    catalogue,
    diff,
    error_codes,
    graph_to_directory,
    main,
    run_script,
    # §15
    AccessPackage,
    ApprovalStage,
    Drift,
    PackageAssignment,
    PackagePolicy,
    PackageRequest,
    StageDecision,
)
from ssgm._progress import progress
from ssgm._refs import Ref

__all__ = [
    # §15
    "AccessPackage",
    "ApprovalStage",
    "Drift",
    "PackageAssignment",
    "PackagePolicy",
    "PackageRequest",
    "StageDecision",
    "Access",
    "AccessPanel",
    "AuditEntry",
    "Capability",
    "Changes",
    "Conflict",
    "Decision",
    "Diff",
    "Exposure",
    "Gains",
    "Gatekeeper",
    "Group",
    "InvalidArgument",
    "NotFound",
    "PermissionDenied",
    "ProvisioningEvent",
    "Ref",
    "Notification",
    "DeletedGroup",
    "Review",
    "AccessReviewDecision",
    "Request",
    "Resource",
    "Route",
    "ScriptError",
    "Settings",
    "SsgmError",
    "Step",
    "StorageError",
    "Tenant",
    "User",
    "__version__",
    "catalogue",
    "diff",
    "error_codes",
    "graph_to_directory",
    "main",
    "progress",
    "run_script",
]

# Records follow the named-tuple protocol; as registered Sequences, a list of them goes
# straight into pandas.DataFrame with one column per field.
for _record in (Settings, Decision, Access, AccessPanel, AuditEntry, ProvisioningEvent, Notification, DeletedGroup,
                AccessReviewDecision):
    _Sequence.register(_record)
del _record

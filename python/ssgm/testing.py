"""Assertions for tests of a tenant's policy, whose failure messages say why.

>>> import ssgm
>>> from ssgm.testing import assert_allowed, assert_refused
>>> t = ssgm.Tenant("contoso")
>>> admin = t.add_user("admin@contoso.com", roles=["global_admin"])
>>> bob = t.add_user("bob@contoso.com")
>>> assert_refused(t, bob, "create_group", "Sales", code="self_service_disabled").code
'self_service_disabled'

The ``ssgm`` pytest plugin (``ssgm.pytest_plugin``, loaded automatically once ssgm is
installed) re-exports these helpers and adds the fixtures ``tenant``, ``admin`` and
``tenant_from``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional, Union

import ssgm

ADMIN_UPN = "admin@contoso.com"
"""The upn of the global admin the ``tenant`` fixture seeds."""

TENANT_NAME = "contoso"
"""The name of the tenant the ``tenant`` fixture makes."""

_REASONS = {
    "blocked": "blocked: a block overrides every grant (R-7.5)",
    "disabled": "the account is disabled (R-7.6)",
    "nested_group": "member of a nested group: applications reach direct members only (R-7.4)",
    "not_assigned": "not assigned, directly or through a group (R-7.3)",
}


def new_tenant(name: str = TENANT_NAME, admin: str = ADMIN_UPN) -> ssgm.Tenant:
    """A new tenant with one global admin (what the ``tenant`` fixture returns)."""
    t = ssgm.Tenant(name)
    t.add_user(admin, roles=["global_admin"])
    return t


def tenant_from_source(source: Union[str, "os.PathLike[str]"], **options: Any) -> ssgm.Tenant:
    """A tenant built from ``source``: a folder is a Microsoft Graph export
    (``Tenant.from_graph(source, **options)``), a ``.rhai`` file a script run with ``tenant``
    bound to a new tenant (``options`` may give its ``name``), any other file a snapshot
    (``Tenant.load``)."""
    path = Path(source)
    if path.is_dir():
        return ssgm.Tenant.from_graph(path, **options)
    if path.suffix == ".rhai":
        t = ssgm.Tenant(options.pop("name", path.stem))
        if options:
            raise TypeError(f"a Rhai script takes only the option 'name', not {', '.join(options)}")
        t.run_script(path.read_text(encoding="utf-8"), path=str(path))
        return t
    if options:
        raise TypeError(f"a snapshot takes no options, not {', '.join(options)}")
    return ssgm.Tenant.load(path)


def _describe(t: ssgm.Tenant, kind: str, ref: Any) -> str:
    """``bob@contoso.com (u-2)`` or ``application 'CRM' (r-1)``; the reference as given when
    it names nothing."""
    try:
        if kind == "user":
            u = t.user(ref)
            return f"{u.upn} ({u.id})"
        r = t.resource(ref)
        return f"{r.kind} {r.name!r} ({r.id})"
    except (ssgm.SsgmError, TypeError):
        return repr(ref)


def _user(t: ssgm.Tenant, ref: Any) -> str:
    return _describe(t, "user", ref)


def _resource(t: ssgm.Tenant, ref: Any) -> str:
    return _describe(t, "resource", ref)


def _paths(access: ssgm.Access) -> str:
    names = access.path_names
    if not names:
        return "none"
    return "; ".join(" → ".join(p) if len(p) > 1 else f"{p[0]} (direct)" for p in names)


def why(t: ssgm.Tenant, user: Any, resource: Any) -> str:
    """One paragraph on why ``user`` does or does not reach ``resource``: the paths (as
    names), the block, the disabled account, and the rule that decides."""
    a = t.explain_access(user, resource)
    verdict = "has access to" if a.granted else "has no access to"
    lines = [f"{_user(t, user)} {verdict} {_resource(t, resource)}"]
    if a.reason is not None:
        lines.append(f"  why: {_REASONS.get(a.reason, a.reason)}")
    lines.append(f"  paths: {_paths(a)}")
    lines.append(f"  blocked: {a.blocked}, disabled: {a.disabled}")
    r = t.resource(resource)
    assigned = [p.upn if isinstance(p, ssgm.User) else p.name for p in r.assigned]
    lines.append(f"  assigned to the resource: {', '.join(assigned) if assigned else 'nobody'}")
    return "\n".join(lines)


def assert_access(t: ssgm.Tenant, user: Any, resource: Any) -> ssgm.Access:
    """Fails unless ``user`` has effective access to ``resource``; returns the explanation."""
    __tracebackhide__ = True
    if not t.has_access(user, resource):
        raise AssertionError(why(t, user, resource))
    return t.explain_access(user, resource)


def assert_no_access(t: ssgm.Tenant, user: Any, resource: Any) -> ssgm.Access:
    """Fails if ``user`` has effective access to ``resource``; returns the explanation."""
    __tracebackhide__ = True
    if t.has_access(user, resource):
        raise AssertionError(why(t, user, resource))
    return t.explain_access(user, resource)


def _call(command: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    shown = [repr(a.id if hasattr(a, "id") else a) for a in args]
    shown += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{command}({', '.join(shown)})"


def assert_allowed(t: ssgm.Tenant, actor: Any, command: str, *args: Any, **kwargs: Any) -> ssgm.Decision:
    """Fails unless ``t.check(actor, command, *args, **kwargs)`` allows it; the message gives
    the refusal's code and sentence. Nothing changes and nothing is logged (``check``)."""
    __tracebackhide__ = True
    d = t.check(actor, command, *args, **kwargs)
    if not d.allowed:
        raise AssertionError(
            f"{_user(t, actor)} may not {_call(command, args, kwargs)}: refused with {d.code}: {d.message}"
        )
    return d


def assert_refused(
    t: ssgm.Tenant, actor: Any, command: str, *args: Any, code: Optional[str] = None, **kwargs: Any
) -> ssgm.Decision:
    """Fails unless ``t.check(actor, command, ...)`` refuses it (with ``code`` when given)."""
    __tracebackhide__ = True
    d = t.check(actor, command, *args, **kwargs)
    if d.allowed:
        raise AssertionError(f"{_user(t, actor)} may {_call(command, args, kwargs)}: it is allowed")
    if code is not None and d.code != code:
        raise AssertionError(
            f"{_user(t, actor)} {_call(command, args, kwargs)} is refused with {d.code}, not {code}: {d.message}"
        )
    return d


__all__ = [
    "ADMIN_UPN",
    "TENANT_NAME",
    "assert_access",
    "assert_allowed",
    "assert_no_access",
    "assert_refused",
    "new_tenant",
    "tenant_from_source",
    "why",
]

"""``Tenant.frame(what)``: a ``pandas.DataFrame`` of a tenant's objects, logs or access.

One row per object or entry, one column per field, and beside every column of ids a column of
the names they stand for (``owners`` and ``owner_names``, ``actor`` and ``actor_name``: the
convention of ``to_dict(names=True)``, a user's name being its upn). ``"access"`` is the
access matrix: one row per user (by upn), one column per resource (by name), ``True`` where the
user has effective access (R-7.3 – R-7.6).

pandas is optional: without it, ``frame`` raises ``ImportError`` naming it.

>>> import ssgm
>>> t = ssgm.Tenant("contoso")
>>> admin = t.add_user("admin@contoso.com", roles=["global_admin"])
>>> t.frame("users")[["id", "upn", "roles"]]  # doctest: +NORMALIZE_WHITESPACE
    id                upn           roles
0  u-1  admin@contoso.com  [global_admin]
"""

from __future__ import annotations

from typing import Any, Callable

WHAT = ("users", "groups", "resources", "requests", "audit", "provisioning", "access")


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - exercised when pandas is missing
        raise ImportError("Tenant.frame needs pandas, which is not installed: pip install pandas") from e
    return pandas


def _rows(items: Any) -> list[dict[str, Any]]:
    return [x.to_dict(names=True) for x in items]


_ROWS: dict[str, Callable[[Any], list[dict[str, Any]]]] = {
    "users": lambda t: _rows(t.users()),
    "groups": lambda t: _rows(t.groups()),
    "resources": lambda t: _rows(t.resources()),
    "requests": lambda t: _rows(t.requests()),
    "audit": lambda t: _rows(t.audit_log()),
    "provisioning": lambda t: _rows(t.provisioning_log()),
}


def access_matrix(tenant: Any) -> Any:
    """Users × resources, ``True`` where the user has effective access (one read lock)."""
    pd = _pandas()
    users, resources = tenant.users(), tenant.resources()
    flags = tenant.has_access_many([(u, r) for u in users for r in resources])
    n = len(resources)
    data = [flags[i * n : (i + 1) * n] for i in range(len(users))]
    return pd.DataFrame(
        data,
        index=pd.Index([u.upn for u in users], name="user"),
        columns=pd.Index([r.name for r in resources], name="resource"),
        dtype=bool,
    )


def frame(tenant: Any, what: str) -> Any:
    """The ``pandas.DataFrame`` of ``what``, one of ``ssgm.frames.WHAT``."""
    if not isinstance(what, str):
        raise TypeError(f"frame() argument 'what' must be a str, not {type(what).__name__}")
    if what not in WHAT:
        raise ValueError(f"frame() takes one of {', '.join(repr(w) for w in WHAT)}, not {what!r}")
    pd = _pandas()
    if what == "access":
        return access_matrix(tenant)
    return pd.DataFrame(_ROWS[what](tenant))

"""The ssgm pytest plugin, loaded by the ``pytest11`` entry point once ssgm is installed.

Fixtures:

- ``tenant``: a new tenant ``contoso`` with one global admin, ``admin@contoso.com``;
- ``admin``: that admin's ``User`` handle (it pulls in ``tenant``);
- ``tenant_from``: ``tenant_from(source, **options)`` builds a tenant from a Microsoft Graph
  export folder, a ``.rhai`` script or a snapshot file once per test session, and gives each
  call a fork of it, so a test changes only its own copy.

Assertions (from ``ssgm.testing``, also importable from this module): ``assert_access``,
``assert_no_access``, ``assert_allowed``, ``assert_refused``; their messages say why (paths,
block, disabled account, the rule; or the refusal's code and sentence).

::

    def test_sales_reach_crm(tenant_from):
        t = tenant_from("tests/data/graph/contoso")
        assert_access(t, "alice@contoso.com", "Salesforce")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import ssgm
from ssgm.testing import (
    ADMIN_UPN,
    assert_access,
    assert_allowed,
    assert_no_access,
    assert_refused,
    new_tenant,
    tenant_from_source,
)

__all__ = ["assert_access", "assert_allowed", "assert_no_access", "assert_refused"]


@pytest.fixture
def tenant() -> ssgm.Tenant:
    """A new tenant ``contoso`` with one global admin, ``admin@contoso.com`` (``admin``)."""
    return new_tenant()


@pytest.fixture
def admin(tenant: ssgm.Tenant) -> ssgm.User:
    """The global admin of the ``tenant`` fixture."""
    return tenant.user(ADMIN_UPN)


def _key(source: Any, options: dict[str, Any]) -> tuple[str, str]:
    return (str(Path(os.fspath(source)).resolve()), repr(sorted(options.items())))


@pytest.fixture(scope="session")
def _ssgm_built_tenants() -> Iterator[dict[tuple[str, str], ssgm.Tenant]]:
    built: dict[tuple[str, str], ssgm.Tenant] = {}
    yield built
    built.clear()


@pytest.fixture
def tenant_from(_ssgm_built_tenants: dict[tuple[str, str], ssgm.Tenant]) -> Callable[..., ssgm.Tenant]:
    """``tenant_from(source, **options)``: a fork of the tenant ``source`` builds (a Graph
    export folder, a ``.rhai`` script or a snapshot; see ``ssgm.testing.tenant_from_source``),
    built once per test session."""

    def make(source: Any, **options: Any) -> ssgm.Tenant:
        key = _key(source, options)
        base = _ssgm_built_tenants.get(key)
        if base is None:
            base = tenant_from_source(source, **options)
            _ssgm_built_tenants[key] = base
        return base.fork()

    return make

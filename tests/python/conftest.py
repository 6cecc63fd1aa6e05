"""Shared fixtures: small tenants built through the public Python API only."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import ssgm


@dataclasses.dataclass
class World:
    """A tenant with one user of each kind, self-service switched on (scope `all`)."""

    t: ssgm.Tenant
    admin: ssgm.User  # global_admin
    gadmin: ssgm.User  # groups_admin
    appadmin: ssgm.User  # application_admin
    alice: ssgm.User
    bob: ssgm.User
    carol: ssgm.User
    dave: ssgm.User


def make_world(**settings: Any) -> World:
    t = ssgm.Tenant("contoso")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    gadmin = t.add_user("gadmin@contoso.com", roles=["groups_admin"])
    appadmin = t.add_user("appadmin@contoso.com", roles=["application_admin"])
    alice = t.add_user("alice@contoso.com", department="Sales")
    bob = t.add_user("bob@contoso.com", department="Sales")
    carol = t.add_user("carol@contoso.com")
    dave = t.add_user("dave@contoso.com")
    values = dict(delegated_group_management=True, users_can_create_security_groups=True)
    values.update(settings)
    t.configure(admin, **values)
    return World(t, admin, gadmin, appadmin, alice, bob, carol, dave)


@pytest.fixture
def w() -> World:
    return make_world()


def state(t: ssgm.Tenant) -> dict[str, Any]:
    """Everything observable about a tenant except its audit log and history."""
    return {
        "settings": t.settings.to_dict(),
        "now": t.now,
        "users": [u.to_dict() for u in t.users()],
        "groups": [g.to_dict() for g in t.groups()],
        "resources": [r.to_dict() for r in t.resources()],
        "requests": [r.to_dict() for r in t.requests()],
        "provisioning": [e.to_dict() for e in t.provisioning_log()],
    }


def full_state(t: ssgm.Tenant) -> dict[str, Any]:
    """Everything observable, audit log included (R-8.4)."""
    s = state(t)
    s["audit"] = [e.to_dict() for e in t.audit_log()]
    return s


def codes_of(t: ssgm.Tenant) -> list[str | None]:
    return [e.code for e in t.audit_log()]

"""Wrong Python types raise TypeError before any refusal, and are not commands: not audited,
not in the history (R-10.13)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

import pytest

import ssgm
from conftest import World, full_state


def cases(w: World) -> list[tuple[str, Callable[[], Any]]]:
    t = w.t
    g = t.create_group(w.admin, "G", owners=[w.bob], join_policy="owner_approval")
    app = t.create_resource(w.admin, "App")
    r = t.request_to_join(w.carol, g, "please")
    return [
        ("group where a user is expected", lambda: t.add_owner(w.admin, g, g)),
        ("group as actor", lambda: t.create_group(g, "X")),
        ("resource as member", lambda: t.add_member(w.admin, g, app)),
        ("request as group", lambda: t.delete_group(w.admin, r)),
        ("user as request", lambda: t.approve(w.bob, w.carol)),
        ("int as name", lambda: t.create_group(w.admin, 42)),
        ("None as name", lambda: t.create_resource(w.admin, None)),
        ("str as owners", lambda: t.create_group(w.admin, "X", owners="bob@contoso.com")),
        ("int in members", lambda: t.create_group(w.admin, "X", members=[w.carol, 3])),
        ("set as roles", lambda: t.add_user("x@contoso.com", roles={"global_admin"})),
        ("str as roles", lambda: t.set_roles(w.carol, "global_admin")),
        ("int as enabled", lambda: t.set_enabled(w.carol, 1)),
        ("None as enabled", lambda: t.add_user("x@contoso.com", enabled=None)),
        ("None as kind", lambda: t.create_group(w.admin, "X", kind=None)),
        ("bool as description", lambda: t.update_group(w.admin, g, description=True)),
        ("int as justification", lambda: t.request_to_join(w.dave, g, 7)),
        ("float as reason", lambda: t.deny(w.bob, r, 1.5)),
        ("keyword-only given positionally", lambda: t.create_group(w.admin, "X", "microsoft365")),
        ("unknown keyword", lambda: t.create_group(w.admin, "X", colour="red")),
        ("missing argument", lambda: t.add_member(w.admin, g)),
        ("list as data", lambda: t.import_directory([])),
        ("unknown import section", lambda: t.import_directory({"printers": []})),
        ("unknown import field", lambda: t.import_directory({"users": [{"upn": "x@contoso.com", "age": 3}]})),
        ("missing import field", lambda: t.import_directory({"users": [{"display_name": "X"}]})),
        ("wrong import field type", lambda: t.import_directory({"users": [{"upn": "x@contoso.com", "enabled": "yes"}]})),
        ("non-str dict key", lambda: t.import_directory({1: []})),
        ("group as has_access user", lambda: t.has_access(g, app)),
        ("int as lookup", lambda: t.user(3)),
        ("user as resource lookup", lambda: t.resource(w.carol)),
        ("str as set_time", lambda: t.set_time("2017-01-01")),
        ("date as set_time", lambda: t.set_time(date(2017, 1, 1))),
        ("str as advance", lambda: t.advance(days="1")),
        ("bool as advance", lambda: t.advance(hours=True)),
        ("positional advance", lambda: t.advance(1)),
        ("int as command name", lambda: t.check(w.admin, 3)),
        ("group where check expects a user", lambda: t.check(w.admin, "add_owner", g, g)),
        ("self-nesting list", lambda: t.create_group(w.admin, "X", members=_self_list())),
        ("int as requests status", lambda: t.requests(status=3)),
        ("int as requests group", lambda: t.requests(group=3)),
        ("str as Tenant name", lambda: ssgm.Tenant(3)),
    ]


def _self_list() -> list[Any]:
    x: list[Any] = []
    x.append(x)
    return x


CASE_NAMES = [name for name, _ in cases(__import__("conftest").make_world())]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_r10_13_wrong_types_raise_type_error_and_record_nothing(w: World, name: str) -> None:
    """R-10.13: a wrong Python type raises TypeError before any refusal; such a call is not a
    command: not audited, not in the history, no state change."""
    call = dict(cases(w))[name]
    before, events = full_state(w.t), w.t.events()
    with pytest.raises(TypeError):
        call()
    assert full_state(w.t) == before
    assert w.t.events() == events


def test_r10_13_type_error_wins_over_refusal(w: World) -> None:
    """R-10.13: the type error comes first, even when the call would also be refused."""
    g = w.t.create_group(w.admin, "G")
    with pytest.raises(TypeError):
        w.t.add_owner("ghost@contoso.com", g, g)  # the actor does not exist either


def test_r10_13_messages_name_the_parameter(w: World) -> None:
    """R-10.13: the TypeError names the function, the parameter and the type given."""
    g = w.t.create_group(w.admin, "G")
    with pytest.raises(TypeError, match=r"add_owner\(\) argument 'user' must be .*not Group"):
        w.t.add_owner(w.admin, g, g)


def test_r10_9_configure_values_of_the_wrong_type_are_refusals(w: World) -> None:
    """R-2.1, R-10.9 (API.md): configure validates its values itself: a wrong type is an
    audited `invalid_setting` refusal, not a TypeError."""
    n = len(w.t.audit_log())
    with pytest.raises(ssgm.InvalidArgument) as e:
        w.t.configure(w.admin, max_groups_per_user="10")
    assert e.value.code == "invalid_setting"
    assert len(w.t.audit_log()) == n + 1


def test_r10_13_bool_is_not_an_int_and_int_not_a_bool(w: World) -> None:
    """R-10.9, R-10.13: True is accepted only where a bool is expected."""
    u = w.t.add_user("flag@contoso.com", enabled=False)
    assert u.enabled is False
    w.t.set_enabled(u, True)
    assert u.enabled is True
    with pytest.raises(ssgm.InvalidArgument):
        w.t.configure(w.admin, max_owners_per_group=True)


def test_r10_13_handles_cannot_be_made_or_changed_from_python(w: World) -> None:
    """R-10.13: handles are frozen views; they are made by the tenant only."""
    with pytest.raises(TypeError):
        ssgm.User()  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        w.carol.upn = "x@contoso.com"  # type: ignore[misc]
    assert isinstance(w.t.now, datetime)


def test_r10_13_return_types_match_api(w: World) -> None:
    """R-10.13, API.md: each command returns what API.md (and the stub) says."""
    t = w.t
    u = t.add_user("new@contoso.com")
    assert isinstance(u, ssgm.User)
    assert isinstance(t.set_enabled(u, True), ssgm.User) and isinstance(t.set_roles(u, []), ssgm.User)
    assert isinstance(t.configure(w.admin), ssgm.Settings)
    g = t.create_group(w.admin, "G", owners=[w.bob], join_policy="owner_approval")
    assert isinstance(g, ssgm.Group) and isinstance(t.update_group(w.admin, g, name="H"), ssgm.Group)
    assert t.add_member(w.bob, g, w.carol) is None and t.remove_member(w.bob, g, w.carol) is None
    assert t.add_owner(w.admin, g, w.carol) is None and t.remove_owner(w.admin, g, w.carol) is None
    r = t.request_to_join(w.dave, g, "please")
    assert isinstance(r, ssgm.Request) and isinstance(t.cancel(w.dave, r), ssgm.Request)
    r = t.request_to_join(w.dave, g, "please")
    assert isinstance(t.deny(w.bob, r), ssgm.Request)
    app = t.create_resource(w.admin, "App")
    assert isinstance(app, ssgm.Resource)
    assert t.assign(w.admin, app, g) is None and t.block(w.admin, app, w.dave) is None
    assert t.list_access(w.admin, app) == [] and t.list_members(w.bob, g) == []
    assert isinstance(t.check(w.admin, "delete_group", g), ssgm.Decision)
    assert isinstance(t.explain_access(w.carol, app), ssgm.Access)
    assert isinstance(t.access_panel(w.carol), ssgm.AccessPanel)
    assert all(isinstance(e, ssgm.AuditEntry) for e in t.audit_log())
    assert isinstance(t.advance(), datetime) and isinstance(t.now, datetime)
    assert isinstance(t.import_directory({}), dict)
    assert t.delete_group(w.admin, g) is None
    assert isinstance(t.events()[0], dict) and isinstance(t.settings, ssgm.Settings)
    assert isinstance(repr(t), str) and "<table" in t._repr_html_()
    assert repr(w.bob) == "User('bob@contoso.com', id='u-5')"
    assert repr(g) == "Group(<deleted>, id='g-1')"

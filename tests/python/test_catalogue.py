"""One declaration per command and query: the Python methods, the stub and the Rhai engine
agree with the core's catalogue (names, parameters, order, keyword-only options, defaults),
and both faces answer the same questions alike, refusal codes included."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest

import ssgm

STUB = Path(ssgm.__file__).parent / "_core.pyi"
CATALOGUE = ssgm.catalogue()


def _stub_methods() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Tenant":
            found: dict[str, ast.FunctionDef] = {}
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found.setdefault(item.name, item)
            return found
    raise AssertionError("no class Tenant in the stub")


def _expected(entry: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """The catalogue's parameters as (name, kind, default) in Python's terms."""
    out = []
    for p in entry["params"]:
        if p["type"] == "settings":
            out.append((p["name"], "VAR_KEYWORD", None))
        elif p["type"] == "arguments":
            out.append(("args", "VAR_POSITIONAL", None))
            out.append(("kwargs", "VAR_KEYWORD", None))
        else:
            kind = "KEYWORD_ONLY" if p["keyword_only"] else "POSITIONAL_OR_KEYWORD"
            out.append((p["name"], kind, p["default"]))
    return out


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e["name"] for e in CATALOGUE])
def test_python_method_matches_the_catalogue(entry: dict[str, Any]) -> None:
    """Each catalogued command and query is a `Tenant` method with the catalogue's signature."""
    method = getattr(ssgm.Tenant, entry["name"], None)
    assert method is not None, f"Tenant has no method {entry['name']}"
    assert _python_params(method) == _expected(entry), f"{entry['name']}{inspect.signature(method)} != {entry['signature']}"


def _python_params(method: Any) -> list[tuple[str, str, str | None]]:
    params = [p for p in inspect.signature(method).parameters.values() if p.name != "self"]
    got = []
    for p in params:
        default = None if p.default is inspect.Parameter.empty else repr(p.default)
        got.append((p.name, p.kind.name, default))
    return got


def test_the_signature_check_catches_a_face_that_drifts() -> None:
    """The check above is not vacuous: a method whose default, keyword-only option, order or
    name differs from the catalogue's is reported."""
    entry = next(e for e in CATALOGUE if e["name"] == "create_group")
    right = ssgm.Tenant.create_group
    assert _python_params(right) == _expected(entry)

    def wrong_default(self, actor, name, *, kind="securty", join_policy=None, description="", owners=(), members=(), on_premises=False):  # type: ignore[no-untyped-def]
        ...

    def positional_option(self, actor, name, kind="security", *, join_policy=None, description="", owners=(), members=(), on_premises=False):  # type: ignore[no-untyped-def]
        ...

    def renamed(self, actor, group_name, *, kind="security", join_policy=None, description="", owners=(), members=(), on_premises=False):  # type: ignore[no-untyped-def]
        ...

    def faithful(self, actor, name, *, kind="security", join_policy=None, description="", owners=(), members=(), on_premises=False):  # type: ignore[no-untyped-def]
        ...

    # The fakes differ from the real signature in one place each.
    assert _python_params(faithful) == _expected(entry)
    for drifted in (wrong_default, positional_option, renamed):
        assert _python_params(drifted) != _expected(entry), drifted.__name__


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e["name"] for e in CATALOGUE])
def test_stub_matches_the_catalogue(entry: dict[str, Any]) -> None:
    """The stub `_core.pyi` declares each entry with the catalogue's parameter names, order and
    keyword-only options."""
    fn = _stub_methods().get(entry["name"])
    assert fn is not None, f"the stub has no Tenant.{entry['name']}"
    a = fn.args
    got = [(x.arg, "POSITIONAL_OR_KEYWORD") for x in a.posonlyargs + a.args if x.arg != "self"]
    if a.vararg:
        got.append((a.vararg.arg, "VAR_POSITIONAL"))
    got += [(x.arg, "KEYWORD_ONLY") for x in a.kwonlyargs]
    if a.kwarg:
        got.append((a.kwarg.arg, "VAR_KEYWORD"))
    assert got == [(n, k) for n, k, _ in _expected(entry)]


def test_rhai_lists_the_same_catalogue() -> None:
    """Rhai's `catalogue()` is the same declaration as Python's."""
    assert ssgm.run_script("catalogue()") == CATALOGUE


def test_r10_11_check_accepts_what_the_catalogue_marks_checkable() -> None:
    """R-10.11: `check` takes exactly the catalogue's actor commands and checked reads."""
    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    for e in CATALOGUE:
        if e["checkable"]:
            continue
        with pytest.raises(ssgm.InvalidArgument) as err:
            t.check(admin, e["name"])
        assert err.value.code == "unknown_command"
    assert {e["name"] for e in CATALOGUE if e["checkable"]} >= {"configure", "create_group", "list_access"}


# ----- one answer to every question -----------------------------------------------------------


def _scenario() -> tuple[ssgm.Tenant, dict[str, Any]]:
    t = ssgm.Tenant("contoso")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    alice = t.add_user("alice@contoso.com", display_name="Alice")
    bob = t.add_user("bob@contoso.com")
    erin = t.add_user("erin@contoso.com")
    t.configure(admin, delegated_group_management=True)
    crm = t.create_resource(admin, "Salesforce")
    site = t.create_resource(admin, "Intranet", kind="site")
    sales = t.create_group(admin, "Sales", owners=[alice], join_policy="owner_approval")
    inner = t.create_group(admin, "Inner", members=[bob])
    t.add_member(admin, sales, inner)
    t.assign(admin, crm, sales)
    t.assign(admin, site, sales)
    t.add_member(alice, sales, erin)
    t.request_to_join(bob, sales, "please")
    t.block(admin, crm, erin)
    return t, {"admin": admin, "alice": alice, "bob": bob, "erin": erin, "crm": crm, "sales": sales}


def _ids(value: Any) -> Any:
    """Python answers in the shape Rhai returns them: handles as ids, records as dicts."""
    if isinstance(value, list):
        return [_ids(v) for v in value]
    if hasattr(value, "to_dict") and not hasattr(value, "id"):
        return _ids(value.to_dict())
    if hasattr(value, "id"):
        return value.id
    if isinstance(value, dict):
        return {k: _ids(v) for k, v in value.items()}
    return value


RHAI_IDS = """
fn ids(v) {
    if type_of(v) == "array" { return v.map(|x| ids(x)); }
    if type_of(v) == "map" { let m = #{}; for k in v.keys() { m[k] = ids(v[k]); } return m; }
    if type_of(v) in ["User", "Group", "Resource", "Request"] { return v.id; }
    v
}
"""

QUERIES = [
    ("users()", lambda t: t.users()),
    ("groups()", lambda t: t.groups()),
    ("resources()", lambda t: t.resources()),
    ("requests()", lambda t: t.requests()),
    ('requests(#{ status: "pending" })', lambda t: t.requests(status="pending")),
    ('user("bob@contoso.com")', lambda t: t.user("bob@contoso.com")),
    ('group("Sales")', lambda t: t.group("Sales")),
    ('resource("Salesforce")', lambda t: t.resource("Salesforce")),
    ('request("req-1")', lambda t: t.request("req-1")),
    ('has_access("erin@contoso.com", "Salesforce")', lambda t: t.has_access("erin@contoso.com", "Salesforce")),
    ('has_access("bob@contoso.com", "Intranet")', lambda t: t.has_access("bob@contoso.com", "Intranet")),
    (
        'has_access_many([["bob@contoso.com", "Intranet"], ["alice@contoso.com", "Salesforce"]])',
        lambda t: t.has_access_many([("bob@contoso.com", "Intranet"), ("alice@contoso.com", "Salesforce")]),
    ),
    ('explain_access("bob@contoso.com", "Intranet")', lambda t: t.explain_access("bob@contoso.com", "Intranet")),
    ('explain_access("erin@contoso.com", "Salesforce")', lambda t: t.explain_access("erin@contoso.com", "Salesforce")),
    ('who_has_access("Intranet")', lambda t: t.who_has_access("Intranet")),
    ('access_of("bob@contoso.com")', lambda t: t.access_of("bob@contoso.com")),
    ('access_panel("alice@contoso.com")', lambda t: t.access_panel("alice@contoso.com")),
    ('list_members("alice@contoso.com", "Sales")', lambda t: t.list_members("alice@contoso.com", "Sales")),
    ('check("bob@contoso.com", "delete_group", ["Sales"])', lambda t: t.check("bob@contoso.com", "delete_group", "Sales")),
]


@pytest.mark.parametrize("rhai,python", QUERIES, ids=[q for q, _ in QUERIES])
def test_every_query_answers_alike_in_python_and_rhai(rhai: str, python: Any) -> None:
    """The same question through Python and through Rhai (`run_script` on the same tenant)
    gets the same answer."""
    t, _ = _scenario()
    assert t.run_script(RHAI_IDS + f"ids(tenant.{rhai})") == _ids(python(t))


REFUSALS = [
    # (Rhai call, Python call, code): one refusal of every family, and the face-side checks.
    ('delete_group("bob@contoso.com", "Sales")', lambda t: t.delete_group("bob@contoso.com", "Sales"), "not_owner"),
    ('add_member("admin@contoso.com", "Nope", "bob@contoso.com")', lambda t: t.add_member("admin@contoso.com", "Nope", "bob@contoso.com"), "group_not_found"),
    ('add_member("alice@contoso.com", "Sales", "erin@contoso.com")', lambda t: t.add_member("alice@contoso.com", "Sales", "erin@contoso.com"), "already_member"),
    ('create_group("admin@contoso.com", "")', lambda t: t.create_group("admin@contoso.com", ""), "invalid_name"),
    ("advance(#{ days: -1 })", lambda t: t.advance(days=-1), "invalid_time"),
    ('advance(#{ hours: 1.0 / 0.0 })', lambda t: t.advance(hours=float("inf")), "invalid_time"),
    ('requests(#{ status: "maybe" })', lambda t: t.requests(status="maybe"), "invalid_kind"),
    # Several faulty options: the core reads the status word before it looks up the group.
    ('requests(#{ status: "maybe", group: "Nope" })', lambda t: t.requests(status="maybe", group="Nope"), "invalid_kind"),
    ('package_requests(#{ requester: "nobody@contoso.com", "package": "Nope" })',
     lambda t: t.package_requests(requester="nobody@contoso.com", package="Nope"), "package_not_found"),
    ('user("nobody@contoso.com")', lambda t: t.user("nobody@contoso.com"), "user_not_found"),
    ('has_access("bob@contoso.com", "r-99")', lambda t: t.has_access("bob@contoso.com", "r-99"), "resource_not_found"),
]


@pytest.mark.parametrize("rhai,python,code", REFUSALS, ids=[c for _, _, c in REFUSALS])
def test_every_refusal_has_the_same_code_and_message_in_python_and_rhai(rhai: str, python: Any, code: str) -> None:
    """A refusal carries the same code, family and message in both faces."""
    t, _ = _scenario()
    with pytest.raises(ssgm.SsgmError) as err:
        python(t)
    assert err.value.code == code
    got = t.run_script(f"let r = (); try {{ tenant.{rhai}; }} catch (e) {{ r = e; }} r")
    assert isinstance(got, dict), got
    assert got["code"] == code
    assert got["family"] == type(err.value).__name__
    assert got["message"] == str(err.value)


def test_r10_13_filtered_lists_give_one_type_error_in_both_faces() -> None:
    """R-10.13: the filtered lists bind their options in the core: a wrong type wins over a
    status that is no status and a group that does not exist, worded alike in both faces."""
    t, _ = _scenario()
    with pytest.raises(TypeError) as err:
        t.reviews(status="maybe", group="Nope", reviewer=3)
    got = t.run_script('let r = (); try { tenant.reviews(#{ status: "maybe", group: "Nope", reviewer: 3 }); } catch (e) { r = e; } r')
    assert str(err.value) == "reviews() argument 'reviewer' must be a User, an id or a upn, not int"
    assert got == str(err.value)  # a type error reaches a Rhai catch as its message
    bad = t.run_script('let r = (); try { tenant.package_assignments(#{ status: "x" }); } catch (e) { r = e; } r')
    assert bad == "package_assignments() got an unexpected option 'status'"


# ----- no face-side answer goes stale (R-1.4) ------------------------------------------------


def test_r1_4_an_id_shadows_a_name_as_soon_as_it_exists() -> None:
    """R-1.4: an id resolves before a name, so a resource named like a later id stops being
    what that string names once the id exists, in every face and every query."""
    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    u = t.add_user("u@c.com")
    r1 = t.create_resource(admin, "r-2")
    t.assign(admin, r1, u)
    assert t.has_access(u, "r-2") and t.has_access_many([(u, "r-2")]) == [True]
    assert [x.id for x in t.who_has_access("r-2")] == [u.id]
    t.create_resource(admin, "Other")  # takes the id r-2
    assert t.has_access(u, "r-2") is False
    assert t.has_access_many([(u, "r-2")]) == [False]
    assert t.has_access_many([u], ["r-2"]) == [False]
    assert t.who_has_access("r-2") == []
    assert t.explain_access(u, "r-2").granted is False
    assert t.run_script('tenant.has_access("u@c.com", "r-2")') is False


def test_r1_4_a_user_id_shadows_a_upn_after_an_import() -> None:
    """R-1.4: an imported id equal to a string seen before as a upn now names the new user."""
    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    a = t.add_user("x@c.com")
    app = t.create_resource(admin, "App")
    t.assign(admin, app, a)
    assert t.has_access("x@c.com", "App")
    t.import_directory({"users": [{"id": "X@C.COM", "upn": "other@c.com"}]})
    assert t.has_access("x@c.com", "App") is True  # ids match exactly, upns fold case
    assert t.has_access("X@C.COM", "App") is False


def test_a_str_subclass_resolves_as_its_text() -> None:
    """A `str` subclass with its own equality and hash resolves by its text, not by Python's
    dict semantics."""

    class Sneaky(str):
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 0

    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    u = t.add_user("u@c.com")
    v = t.add_user("v@c.com")
    app = t.create_resource(admin, "App")
    t.assign(admin, app, u)
    assert t.has_access(Sneaky("u@c.com"), "App") is True
    assert t.has_access(Sneaky("v@c.com"), "App") is False
    assert t.has_access_many([(Sneaky("u@c.com"), "App"), (Sneaky("v@c.com"), "App")]) == [True, False]
    assert v.id != u.id


@pytest.mark.parametrize("how", ["fork", "replay", "load"])
def test_r1_4_handles_and_strings_resolve_in_copies(how: str, tmp_path: Path) -> None:
    """R-1.4: handles resolve by id in forks, replays and loads; answers there follow the
    copy's own state, not the original's."""
    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    u = t.add_user("u@c.com")
    app = t.create_resource(admin, "App")
    assert t.has_access(u, app) is False
    if how == "fork":
        c = t.fork()
    elif how == "replay":
        c = ssgm.Tenant.replay(t.events())
    else:
        t.save(tmp_path / "t.json")
        c = ssgm.Tenant.load(tmp_path / "t.json")
    c.assign("admin@c.com", "App", "u@c.com")
    assert c.has_access(u, app) is True and c.has_access("u@c.com", "App") is True
    assert [x.id for x in c.who_has_access(app)] == [u.id]
    assert t.has_access(u, app) is False and t.who_has_access(app) == []


def test_who_has_access_follows_every_command() -> None:
    """A repeated `who_has_access` after a command reads the new state."""
    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    u = t.add_user("u@c.com")
    app = t.create_resource(admin, "App")
    assert t.who_has_access(app) == []
    t.assign(admin, app, u)
    first = t.who_has_access(app)
    assert [x.id for x in first] == [u.id]
    first.clear()  # the caller's list is its own
    assert [x.id for x in t.who_has_access(app)] == [u.id]
    t.block(admin, app, u)
    assert t.who_has_access(app) == []


def test_r8_6_columns_need_equal_lengths() -> None:
    """R-8.6: `has_access_many(users, resources)`; unequal lengths are a type error."""
    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    u = t.add_user("u@c.com")
    app = t.create_resource(admin, "App")
    t.assign(admin, app, u)
    assert t.has_access_many((x for x in [u, admin]), ("App", app)) == [True, False]
    with pytest.raises(TypeError):
        t.has_access_many([u], ["App", "App"])
    with pytest.raises(TypeError):
        t.has_access_many("u@c.com", "App")
    with pytest.raises(ssgm.NotFound):
        t.has_access_many([u], ["Nope"])


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e["name"] for e in CATALOGUE])
def test_the_stub_carries_the_catalogues_doc(entry: dict[str, Any]) -> None:
    """Editors show the stub's docstrings: each catalogued method's is the catalogue's doc."""
    fn = _stub_methods().get(entry["name"])
    assert fn is not None
    assert ast.get_docstring(fn) == entry["doc"]

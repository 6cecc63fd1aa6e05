"""Input handling shared by both faces: handles of the wrong kind inside import data, any
iterable where a list is taken, instants in data, and case folding done by the core only."""

from __future__ import annotations

import pytest

import ssgm


def world() -> tuple[ssgm.Tenant, ssgm.User, ssgm.User, ssgm.Group, ssgm.Resource]:
    t = ssgm.Tenant("contoso")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    bob = t.add_user("bob@contoso.com")
    g = t.create_group(admin, "Sales")
    r = t.create_resource(admin, "Salesforce")
    return t, admin, bob, g, r


@pytest.mark.parametrize(
    "section, field, which",
    [
        ("groups", "members", "resource"),
        ("groups", "owners", "group"),
        ("groups", "created_by", "resource"),
        ("resources", "blocked", "group"),
        ("resources", "assigned", "resource"),
        ("resources", "owners", "group"),
    ],
)
def test_r10_13_r8_5_a_handle_of_the_wrong_kind_in_import_data_is_a_type_error(
    section: str, field: str, which: str
) -> None:
    """R-10.13, R-8.5: a Resource handle among a group's members (or a Group among blocked
    users) is a TypeError naming where it sits, not a lookup of its id; nothing is imported."""
    t, admin, bob, g, r = world()
    wrong = {"resource": r, "group": g}[which]
    value = wrong if field == "created_by" else [bob, wrong] if field != "owners" or section == "groups" else [wrong]
    entry = {"name": "New", field: value}
    before = len(t.events())
    with pytest.raises(TypeError) as e:
        t.import_directory({section: [entry]})
    assert f"{section}[0].{field}" in str(e.value)
    assert len(t.events()) == before
    # The right kinds are read as their ids.
    ok_value = bob if field == "created_by" else [bob]
    t.import_directory({section: [{"name": "Right", field: ok_value}]})


def test_r10_13_r8_5_rhai_refuses_the_same_wrong_handle_in_import_data() -> None:
    """R-10.13 in both faces: the core binds import data for Python and Rhai alike."""
    t, admin, bob, g, r = world()
    with pytest.raises(TypeError) as py_err:
        t.import_directory({"groups": [{"name": "New", "members": [r]}]})
    with pytest.raises(ssgm.ScriptError) as rhai_err:
        t.run_script('let r = tenant.resource("Salesforce"); tenant.import_directory(#{ groups: [#{ name: "New", members: [r] }] });')
    assert "groups[0].members[0]" in str(py_err.value)
    assert "groups[0].members[0]" in str(rhai_err.value)


def test_r8_5_lists_in_import_data_and_arguments_take_any_iterable() -> None:
    """R-8.5, R-10.13: generators (and other iterables) stand for lists, as lists and tuples do."""
    t, admin, bob, g, r = world()
    counts = t.import_directory(
        {"users": (dict(upn=f"u{i}@contoso.com") for i in range(3)), "groups": [{"name": "Gen", "members": (u for u in [bob])}]}
    )
    assert counts["users"] == 3
    assert [m.upn for m in t.group("Gen").members] == ["bob@contoso.com"]
    team = t.create_group(admin, "Team", owners=(u for u in [bob]))
    assert [o.upn for o in team.owners] == ["bob@contoso.com"]
    # Text is not a list of references.
    with pytest.raises(TypeError):
        t.create_group(admin, "Bad", owners="bob@contoso.com")
    with pytest.raises(TypeError):
        t.create_group(admin, "Bad", owners=b"bob")  # type: ignore[arg-type]


def test_r10_8_folding_is_the_cores_in_both_faces() -> None:
    """R-10.8: names fold with the core's lowercasing, also for letters newer than Python's
    Unicode tables (U+1C89 CYRILLIC CAPITAL LETTER TJE, U+A7CB, U+A7DC, U+10D50): Python and
    Rhai find the same objects and refuse the same duplicates."""
    t, admin, bob, g, r = world()
    for upper in ["\u1c89", "\ua7cb", "\ua7dc", "\U00010d50"]:
        name = f"Team {upper}"
        t.create_group(admin, name)
        lower = f"team {upper.lower()}"
        # Whatever the folding gives, both faces agree on it.
        py_found = [x.name for x in t.groups() if x.name == name]
        try:
            py_lookup = t.group(lower).name
        except ssgm.NotFound:
            py_lookup = None
        rhai_lookup = t.run_script(
            f'let out = (); try {{ out = tenant.group("{lower}").name; }} catch {{ }} out'
        )
        assert py_lookup == rhai_lookup
        assert py_found == [name]
        # Resource names are unique as folded: the second is a duplicate in both faces,
        # or in neither.
        t.create_resource(admin, f"App {upper}")
        f = t.fork()
        try:
            t.create_resource(admin, f"app {upper.lower()}")
            py_code = None
        except ssgm.Conflict as e:
            py_code = e.code
        rhai_code = f.run_script(
            f'let a = tenant.user("admin@contoso.com"); '
            f'let out = (); try {{ tenant.create_resource(a, "app {upper.lower()}"); }} catch (e) {{ out = e.code; }} out'
        )
        assert py_code == rhai_code
    # The core's folding (Unicode 16) maps U+1C89 to U+1C8A, which Python 3.11's str.lower()
    # does not: found only if no face folds on its own.
    assert t.group("team \u1c8a").name == "Team \u1c89"
    assert t.run_script('tenant.group("team \u1c8a").name') == "Team \u1c89"


@pytest.mark.parametrize(
    "python, rhai, code, hint",
    [
        (
            lambda t, a: t.configure(a, delegated_group_managment=True),
            "tenant.configure(a, #{ delegated_group_managment: true })",
            "invalid_setting",
            '(did you mean "delegated_group_management"?)',
        ),
        (
            lambda t, a: t.create_group(a, "X", kind="securty"),
            'tenant.create_group(a, "X", #{ kind: "securty" })',
            "invalid_kind",
            '(did you mean "security"?)',
        ),
        (
            lambda t, a: t.create_group(a, "X", join_policy="owner_aproval"),
            'tenant.create_group(a, "X", #{ join_policy: "owner_aproval" })',
            "invalid_join_policy",
            '(did you mean "owner_approval"?)',
        ),
        (
            lambda t, a: t.set_roles(a, ["global_admn"]),
            'tenant.set_roles(a, ["global_admn"])',
            "invalid_role",
            '(did you mean "global_admin"?)',
        ),
        (
            lambda t, a: t.requests(status="pendng"),
            'tenant.requests(#{ status: "pendng" })',
            "invalid_kind",
            '(did you mean "pending"?)',
        ),
        (
            lambda t, a: t.reviews(status="aplied"),
            'tenant.reviews(#{ status: "aplied" })',
            "invalid_kind",
            '(did you mean "applied"?)',
        ),
        (
            lambda t, a: t.package_requests(status="delivred"),
            'tenant.package_requests(#{ status: "delivred" })',
            "invalid_kind",
            '(did you mean "delivered"?)',
        ),
        (
            lambda t, a: t.package_assignments(state="expird"),
            'tenant.package_assignments(#{ state: "expird" })',
            "invalid_kind",
            '(did you mean "expired"?)',
        ),
    ],
)
def test_r10_13_a_mistyped_name_names_the_closest_valid_one_in_both_faces(python, rhai, code, hint) -> None:  # type: ignore[no-untyped-def]
    """R-2.1, R-10.13, R-14.14, R-15.16: an unknown setting, kind, join policy, role, status or
    state names the closest valid one, in the same words through Python and through Rhai."""
    t, admin, bob, g, r = world()
    with pytest.raises(ssgm.SsgmError) as e:
        python(t, admin)
    assert e.value.code == code and hint in str(e.value)
    got = t.run_script(
        f'let a = tenant.user("admin@contoso.com"); let out = (); try {{ {rhai}; }} catch (e) {{ out = [e.code, e.message]; }} out'
    )
    assert got[0] == e.value.code and got[1] in str(e.value)


def test_r10_11_check_names_the_closest_command_and_keyword() -> None:
    """R-10.11, R-10.13: `check` of a mistyped command or keyword names the closest one."""
    t, admin, bob, g, r = world()
    with pytest.raises(TypeError) as e:
        t.check(admin, "create_group", "X", kinnd="security")
    assert "did you mean 'kind'" in str(e.value) or 'did you mean "kind"' in str(e.value)
    with pytest.raises(ssgm.SsgmError) as e2:
        t.check(admin, "add_membr", g, bob)
    assert e2.value.code == "unknown_command"
    assert 'did you mean "add_member"' in str(e2.value)


@pytest.mark.parametrize("query, param", [("requests", "status"), ("reviews", "status"), ("package_requests", "status"), ("package_assignments", "state")])
def test_r10_13_a_status_filter_of_the_wrong_type_is_a_type_error_in_both_faces(query: str, param: str) -> None:
    """R-10.13: a filter that is no str is a TypeError naming the query and the parameter."""
    t, admin, bob, g, r = world()
    with pytest.raises(TypeError, match=f"{query}\\(\\) argument '{param}' must be a str or None, not int"):
        getattr(t, query)(**{param: 3})
    with pytest.raises(ssgm.ScriptError, match=f"{query}\\(\\) argument '{param}' must be a str or None, not int"):
        t.run_script(f"tenant.{query}(#{{ {param}: 3 }})")

"""R-8.5, R-10.13: `import_directory` reads Python data straight into the core's import data
(one pass), and answers exactly as Rhai's `import_directory` does for the same data: the same
counts and history entry for good data, the same exception type and message for bad data."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional

import pytest

import ssgm


def world() -> ssgm.Tenant:
    t = ssgm.Tenant("contoso")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    t.add_user("bob@contoso.com")
    t.create_group(admin, "Sales")
    t.create_resource(admin, "Salesforce")
    return t


class H:
    """A handle in test data, made on the tenant at hand (`kind` is user, group or resource)."""

    def __init__(self, kind: str, ref: str) -> None:
        self.kind, self.ref = kind, ref

    def py(self, t: ssgm.Tenant) -> Any:
        return getattr(t, self.kind)(self.ref)

    def rhai(self) -> str:
        return f"tenant.{self.kind}({json.dumps(self.ref)})"


BOB, SALES, APP = H("user", "bob@contoso.com"), H("group", "Sales"), H("resource", "Salesforce")


class Gen:
    """A generator of the items in test data (a list in Rhai)."""

    def __init__(self, *items: Any) -> None:
        self.items = items


def to_py(t: ssgm.Tenant, value: Any) -> Any:
    if isinstance(value, H):
        return value.py(t)
    if isinstance(value, Gen):
        return (to_py(t, v) for v in value.items)
    if isinstance(value, dict):
        return {k: to_py(t, v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_py(t, v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_py(t, v) for v in value)
    return value


def to_rhai(value: Any) -> str:
    """The Rhai literal of the same data: instants are the ISO 8601 text Rhai gives them as."""
    if isinstance(value, H):
        return value.rhai()
    if isinstance(value, Gen):
        return to_rhai(list(value.items))
    if isinstance(value, dict):
        return "#{" + ", ".join(f"{json.dumps(k)}: {to_rhai(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_rhai(v) for v in value) + "]"
    if value is None:
        return "()"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "(0.0 / 0.0)"
        if math.isinf(value):
            return "(1.0 / 0.0)" if value > 0 else "(-1.0 / 0.0)"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        utc = aware.astimezone(timezone.utc)
        us = utc.microsecond
        fraction = "" if us == 0 else f".{us // 1000:03d}" if us % 1000 == 0 else f".{us:06d}"
        return json.dumps(utc.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z")
    raise TypeError(f"no Rhai literal for {value!r}")


def python_answer(data: Any) -> tuple[str, Any]:
    t = world()
    before = len(t.events())
    try:
        counts = t.import_directory(to_py(t, data))
    except Exception as e:  # noqa: BLE001 - the answer is the exception
        if isinstance(e, TypeError):
            assert len(t.events()) == before, "a type error is recorded nowhere"
        return type(e).__name__, str(e)
    return "ok", (counts, t.events()[-1])


def rhai_answer(data: Any, setup: str = "") -> tuple[str, Any]:
    """Rhai's answer for the same data (`setup` may build parts of it, for `data` to name)."""
    t = world()
    literal = data if isinstance(data, str) and setup else to_rhai(data)
    got = t.run_script(
        f"{setup} let r = (); try {{ r = #{{ ok: tenant.import_directory({literal}) }}; }} catch (e) {{ r = #{{ err: e }}; }} r"
    )
    if "ok" in got:
        return "ok", (got["ok"], t.events()[-1])
    err = got["err"]
    if isinstance(err, dict):
        return err["family"], err["message"]
    return "TypeError", str(err)


GOOD: list[tuple[str, Any]] = [
    ("empty", {}),
    (
        "handles where their kind fits",
        {
            "users": [{"upn": "carol@contoso.com", "manager": BOB, "roles": ["groups_admin"], "enabled": False}],
            "groups": [
                {"name": "Team", "owners": [BOB], "members": [BOB, SALES], "created_by": BOB},
                {"name": "Other", "members": ["carol@contoso.com"]},
            ],
            "resources": [{"name": "Wiki", "kind": "site", "owners": [BOB], "assigned": [SALES, BOB], "blocked": [BOB]}],
            "settings": {"self_service_group": SALES, "max_groups_per_user": 7},
            "report": {"source": "test", "counts": [1, -2, 3.5, None, True], "owners": [BOB]},
        },
    ),
    ("generators and tuples", {"users": Gen(*({"upn": f"g{i}@contoso.com"} for i in range(5))), "groups": ({"name": "G", "members": Gen(BOB)},)}),
    ("naive datetime read as UTC", {"users": [{"upn": "n@contoso.com", "last_sign_in": datetime(2016, 6, 14, 9, 30, 15, 250)}]}),
    (
        "aware datetimes in other zones",
        {
            "users": [{"upn": "a@contoso.com", "last_sign_in": datetime(2016, 6, 14, 9, 30, tzinfo=timezone(timedelta(hours=-7)))}],
            "groups": [{"name": "M", "kind": "microsoft365", "renewed_at": datetime(2016, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=5, minutes=30)))}],
        },
    ),
    ("unicode text", {"users": [{"upn": "z\u00e9@contoso.com", "display_name": "Z\u00e9 \u2603 \U0001f600"}]}),
    ("an entry as a list, as JSON reads it", {"users": [["u-9", "x@contoso.com"]]}),
    ("nested report at the bound", {"report": [[[[[[[[[[{"k": "leaf"}]]]]]]]]]]}),
]

BAD: list[tuple[str, Any]] = [
    ("a resource among members, deep in the list", {"groups": [{"name": "A"}, {"name": "B"}, {"name": "C", "members": [APP]}]}),
    ("a group as an owner", {"groups": [{"name": "A", "owners": [BOB, SALES]}]}),
    ("a group as created_by", {"groups": [{"name": "A", "created_by": SALES}]}),
    ("a group as a manager", {"users": [{"upn": "m@contoso.com", "manager": SALES}]}),
    ("a group among blocked users", {"resources": [{"name": "R", "blocked": [BOB, SALES]}]}),
    ("a resource assigned", {"resources": [{"name": "R", "assigned": [APP]}]}),
    ("a user as the self-service group", {"settings": {"self_service_group": BOB}}),
    ("a handle as a upn", {"users": [{"upn": BOB}]}),
    ("a handle deep in the report", {"report": {"a": [{"b": [1, APP]}]}}),
    ("a handle in a generator", {"groups": [{"name": "A", "members": Gen(BOB, APP)}]}),
    ("a bool for a count setting", {"settings": {"max_groups_per_user": True}}),
    ("an int for a bool", {"users": [{"upn": "x@contoso.com", "enabled": 1}]}),
    ("a bool for text", {"users": [{"upn": True}]}),
    ("a float for text", {"users": [{"upn": 1.5}]}),
    ("a negative int for text", {"groups": [{"name": -3}]}),
    ("None for text", {"groups": [{"name": None}]}),
    ("text for a list", {"users": [{"upn": "x@contoso.com", "roles": "groups_admin"}]}),
    ("a dict for a list", {"users": {"upn": "x@contoso.com"}}),
    ("a list for settings", {"settings": [1]}),
    ("an unknown section", {"printers": []}),
    ("an unknown field", {"users": [{"upn": "x@contoso.com", "age": 3}]}),
    ("a missing field", {"users": [{"display_name": "X"}]}),
    ("an entry as a too long list", {"resources": [["r-9", "R", "application", [], [], [], "extra"]]}),
    ("not an instant", {"users": [{"upn": "x@contoso.com", "last_sign_in": "yesterday"}]}),
    ("NaN in the report", {"report": {"x": [float("nan")]}}),
    ("infinity in a setting", {"settings": {"max_groups_per_user": float("inf")}}),
    ("a list as data", []),
    ("text as data", "users"),
    ("None as data", None),
    ("a handle as data", BOB),
    ("a refusal after reading", {"users": [{"id": "x1", "upn": "x@contoso.com"}, {"id": "x1", "upn": "y@contoso.com"}]}),
]


@pytest.mark.parametrize("name,data", GOOD + BAD, ids=[n for n, _ in GOOD + BAD])
def test_r8_5_r10_13_python_and_rhai_import_alike(name: str, data: Any) -> None:
    """R-8.5, R-10.13: the same data gives the same counts and history entry, or the same
    exception family and message (the path of a wrong value included), in both faces."""
    py = python_answer(data)
    assert py == rhai_answer(data)
    assert (py[0] == "ok") == any(data is d for _, d in GOOD), py


# ----- what only Python can write --------------------------------------------------------------


def error_of(t: ssgm.Tenant, data: Any) -> tuple[type, str]:
    with pytest.raises(Exception) as e:
        t.import_directory(data)
    return type(e.value), str(e.value)


@pytest.mark.parametrize(
    "data,kind,message",
    [
        ({"users": [{"upn": "x@contoso.com", "roles": {"a"}}]}, TypeError, "import_directory() data users[0].roles must be plain data, not set"),
        ({"users": [{"upn": "x@contoso.com", "roles": frozenset()}]}, TypeError, "import_directory() data users[0].roles must be plain data, not frozenset"),
        ({"users": [{"upn": b"x@contoso.com"}]}, TypeError, "import_directory() data users[0].upn must be plain data, not bytes"),
        ({"report": {"n": 2**70}}, TypeError, "import_directory() data report.n must be plain data, not int"),
        ({"report": {"n": object()}}, TypeError, "import_directory() data report.n must be plain data, not object"),
        ({1: []}, TypeError, "dict keys must be str, not int"),
        ({"report": {"a": {2: 1}}}, TypeError, "dict keys must be str, not int"),
        ({"report": {"[x]": {1, 2}}}, TypeError, "import_directory() data report[x] must be plain data, not set"),
        ({"users": [{"upn": "x@contoso.com", "enabled": 1}]}, TypeError, "import_directory data: invalid type: integer `1`, expected a boolean"),
        ({"users": [{"upn": None}]}, TypeError, "import_directory data: invalid type: null, expected a string"),
        ({"users": [{"upn": 2.0}]}, TypeError, "import_directory data: invalid type: floating point `2.0`, expected a string"),
        (set(), TypeError, "import_directory() argument 'data' must be a dict, not set"),
        ((x for x in []), TypeError, "import_directory() argument 'data' must be a dict, not list"),
    ],
)
def test_r10_13_what_only_python_can_write_is_refused_as_before(data: Any, kind: type, message: str) -> None:
    """R-10.13: sets, bytes, ints beyond 64 bits, other objects and non-str keys are type
    errors naming where they sit; shape errors keep their wording."""
    t = world()
    before = len(t.events())
    assert error_of(t, data) == (kind, message)
    assert len(t.events()) == before


def test_r10_13_deep_nesting_is_a_type_error_at_the_bound_not_a_crash() -> None:
    """R-10.13: a list nested 100,000 deep is a TypeError (stopped at 64 levels, no stack
    overflow), in every section; one level inside the bound is accepted, in both faces."""
    t = world()
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    for data in ({"users": deep}, {"settings": {"x": deep}}, {"report": deep}, {"users": [{"upn": "x", "roles": deep}]}):
        assert error_of(t, data) == (TypeError, "arguments may nest lists and dicts at most 64 deep")

    def nested(depth: int) -> Any:
        value: Any = "leaf"
        for _ in range(depth):
            value = [value]
        return value

    for depth in (63, 64):
        setup = f'let a = "leaf"; for i in 0..{depth} {{ a = [a]; }}'
        py, rhai = python_answer({"report": nested(depth)}), rhai_answer("#{ report: a }", setup)
        if depth == 63:
            assert py == rhai and py[0] == "ok"
        else:
            # Each face words its own bound (Rhai's is the script's value_depth).
            assert py == ("TypeError", "arguments may nest lists and dicts at most 64 deep")
            assert rhai[0] != "ok"


# ----- which error is raised when data has several (R-10.13) ----------------------------------

SEVERAL: list[tuple[str, Any]] = [
    ("a wrong handle after a wrong type", {"groups": [{"name": 5}], "resources": [{"assigned": [APP], "name": "R"}]}),
    ("a wrong handle after an unknown field", {"groups": [{"bogus": 1, "name": "A"}, {"members": [BOB, APP], "name": "B"}]}),
    ("a wrong handle after a missing field", {"users": [{"display_name": "X"}, {"manager": SALES, "upn": "y@contoso.com"}]}),
    ("NaN after a wrong shape", {"report": {"a": 1}, "settings": 3, "users": [{"last_sign_in": float("nan"), "upn": "x@c.com"}]}),
    ("the first of two wrong handles", {"groups": [{"members": [APP], "name": "A", "owners": [SALES]}]}),
    ("the first of two wrong types", {"users": [{"enabled": "no", "upn": 5}]}),
    ("a wrong handle left in a too long list", {"users": [["u-9", "x@c.com", None, None, [], True, None, None, [APP]]]}),
]


@pytest.mark.parametrize("name,data", SEVERAL, ids=[n for n, _ in SEVERAL])
def test_r10_13_the_error_raised_among_several_is_rhai_s(name: str, data: Any) -> None:
    """R-10.13: with several things wrong, Python raises the error Rhai raises: a value that
    is not data (a wrong handle, NaN) anywhere before any wrong shape, else the first."""
    py = python_answer(data)
    assert py[0] == "TypeError"
    assert py == rhai_answer(data)


def test_r10_13_too_deep_or_a_bad_key_anywhere_wins_over_everything() -> None:
    """R-10.13: nesting past the bound, a key that is no str or an exception from a generator,
    anywhere in the data, is raised before a wrong handle or a wrong shape met earlier."""
    t = world()
    deep: list = []
    for _ in range(100):
        deep = [deep]
    bad = {"groups": [{"name": 5, "members": [t.resource("Salesforce")]}]}

    def failing() -> Any:
        yield 1
        raise ValueError("late")

    assert error_of(t, {**bad, "report": deep}) == (TypeError, "arguments may nest lists and dicts at most 64 deep")
    assert error_of(t, {**bad, "report": {"x": {3: 1}}}) == (TypeError, "dict keys must be str, not int")
    assert error_of(t, {**bad, "report": failing()}) == (ValueError, "late")
    # The first exception stops the reading: what comes after it is not read.
    later = failing()
    assert error_of(t, {"report": failing(), "users": later}) == (ValueError, "late")
    assert next(later) == 1
    assert error_of(t, {"users": [{"upn": "a@c.com", "roles": deep}]})[1] == "arguments may nest lists and dicts at most 64 deep"


def test_r8_5_an_exception_raised_by_a_generator_is_raised_as_it_is() -> None:
    """R-8.5: a generator's own exception reaches the caller unchanged; nothing is imported."""
    t = world()
    before = len(t.events())

    def users() -> Any:
        yield {"upn": "a@contoso.com"}
        raise ValueError("the source failed")

    with pytest.raises(ValueError, match="the source failed"):
        t.import_directory({"users": users()})
    assert len(t.events()) == before


def big(n: int) -> Any:
    return ({"upn": f"u{i}@contoso.com", "department": f"d{i % 7}"} for i in range(n))


def test_r8_5_200k_users_from_a_generator_import_as_from_a_list() -> None:
    """R-8.5: 200,000 users streamed from a generator import as the same list does; the data
    is read once, as it comes."""
    n = 200_000
    t, u = ssgm.Tenant("big"), ssgm.Tenant("big")
    counts = t.import_directory({"users": big(n)})
    assert counts == u.import_directory({"users": list(big(n))}) and counts["users"] == n
    assert t.events()[-1] == u.events()[-1]
    assert t.user(f"u{n - 1}@contoso.com").department == f"d{(n - 1) % 7}"


def test_r8_5_r10_13_many_users_from_a_generator_import_as_from_a_script() -> None:
    """R-8.5, R-10.13: thousands of users from a generator import as the same users Rhai
    imports from the list it builds (Rhai's own checks on a growing list bound its size here)."""
    n = 5_000
    setup = f'let u = []; for i in 0..{n} {{ u.push(#{{ upn: `u${{i}}@contoso.com`, department: `d${{i % 7}}` }}); }}'
    rhai = rhai_answer("#{ users: u }", setup)
    t = world()
    counts = t.import_directory({"users": big(n)})
    assert rhai == ("ok", (counts, t.events()[-1]))

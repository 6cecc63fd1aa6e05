"""Group lifecycle through the Python face (SPEC §13): import of lifecycle dates (R-8.5 as §13
amends it), `Tenant.from_graph(now=)` (R-11.1), and the same answers through Rhai."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ssgm

EXPORT = Path(__file__).resolve().parents[1] / "data" / "graph" / "contoso"
START = datetime(2016, 6, 14, tzinfo=timezone.utc)


def tenant() -> tuple[ssgm.Tenant, ssgm.User, ssgm.User]:
    t = ssgm.Tenant("contoso")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    bob = t.add_user("bob@contoso.com")
    return t, admin, bob


def test_r8_5_r13_import_takes_datetimes_and_iso_text_for_group_dates() -> None:
    """R-8.5/§13: `renewed_at`, `expires_at`, `deleted_at` as datetimes (aware or naive UTC) or
    ISO 8601 text; a covered group keeps its `expires_at` without the 35-day floor."""
    t, admin, bob = tenant()
    t.advance(days=10)
    t.import_directory(
        {
            "settings": {"expiration_scope": "all"},
            "groups": [
                {
                    "id": "g-a",
                    "name": "A",
                    "kind": "microsoft365",
                    "owners": [bob],
                    "renewed_at": START + timedelta(days=1),
                    "expires_at": datetime(2016, 6, 26),  # naive: UTC
                },
                {"id": "g-b", "name": "B", "kind": "microsoft365", "expires_at": "2016-07-01T00:00:00+02:00"},
                {"id": "g-c", "name": "C", "kind": "microsoft365", "deleted_at": START + timedelta(days=2)},
            ],
        }
    )
    a = t.group("g-a")
    assert a.renewed_at == START + timedelta(days=1)
    assert a.expires_at == START + timedelta(days=12)
    assert t.group("g-b").expires_at == datetime(2016, 6, 30, 22, tzinfo=timezone.utc)
    [deleted] = t.deleted_groups()
    assert (deleted.id, deleted.deleted_at) == ("g-c", START + timedelta(days=2))
    # The event machinery takes it from there: A expires two days later.
    t.advance(days=2)
    assert "g-a" in [d.id for d in t.deleted_groups()]


def test_r8_5_r13_bad_dates_in_import_data() -> None:
    """R-8.5/§13: a wrong type is a TypeError (R-10.13); text that is no instant is
    `invalid_time`; `deleted_at` on another kind is `invalid_kind`; nothing is imported."""
    t, admin, bob = tenant()
    with pytest.raises(TypeError):
        t.import_directory({"groups": [{"name": "M", "kind": "microsoft365", "expires_at": 17}]})
    with pytest.raises(ssgm.InvalidArgument) as e:
        t.import_directory({"groups": [{"name": "M", "kind": "microsoft365", "expires_at": "next week"}]})
    assert e.value.code == "invalid_time"
    with pytest.raises(ssgm.InvalidArgument) as e:
        t.import_directory({"groups": [{"name": "S", "deleted_at": START}]})
    assert e.value.code == "invalid_kind"
    assert [g.name for g in t.groups()] == []


def test_r11_1_from_graph_now_starts_the_clock_at_the_exports_date() -> None:
    """R-11.1: with `now`, the history is set_time(now) then the import; the export's §13 dates
    (R-11.2's lifecycle files) make sense at that date."""
    now = datetime(2017, 3, 1, tzinfo=timezone.utc)
    t = ssgm.Tenant.from_graph(EXPORT, settings={"expiration_scope": "all"}, now=now)
    assert [e["op"] for e in t.events()] == ["set_time", "import_directory"]
    assert t.now == now
    assert t.settings.expiration_lifetime_days == 365
    retail = t.group("Retail")
    assert retail.expires_at == datetime(2017, 9, 1, 10, tzinfo=timezone.utc)
    assert [(d.name, d.deleted_at) for d in t.deleted_groups()] == [
        ("Old project", datetime(2017, 2, 20, 8, 15, tzinfo=timezone.utc))
    ]
    # The export's scope is Selected, with an empty list: without the override nothing expires.
    plain = ssgm.Tenant.from_graph(EXPORT, now=now)
    assert plain.settings.expiration_scope == "selected"
    assert plain.group("Retail").expires_at is None
    with pytest.raises(ssgm.InvalidArgument) as e:
        ssgm.Tenant.from_graph(EXPORT, now=datetime(2000, 1, 1, tzinfo=timezone.utc))
    assert e.value.code == "invalid_time"
    with pytest.raises(TypeError):
        ssgm.Tenant.from_graph(EXPORT, now="2017-03-01")  # type: ignore[arg-type]


def test_r11_1_from_graph_now_gives_the_same_tenant_in_rhai() -> None:
    """R-11.1 in both faces: Rhai's `from_graph(path, #{now})` builds the same tenant."""
    now = datetime(2017, 3, 1, tzinfo=timezone.utc)
    t = ssgm.Tenant.from_graph(EXPORT, settings={"expiration_scope": "all"}, now=now)
    script = f"""
        let c = from_graph("{EXPORT}", #{{ now: "2017-03-01T00:00:00Z", settings: #{{ expiration_scope: "all" }} }});
        let g = c.group("Retail");
        [c.now, g.expires_at, c.deleted_groups().len()]
    """
    got = t.run_script(script, allow=[str(EXPORT)])
    assert got == ["2017-03-01T00:00:00Z", "2017-09-01T10:00:00Z", 1]


def test_r8_5_r13_import_dates_agree_between_python_and_rhai() -> None:
    """R-8.5/§13: the same import through Rhai (instants as text) gives the same dates."""
    t, admin, bob = tenant()
    data = {"groups": [{"id": "g-d", "name": "D", "kind": "microsoft365", "deleted_at": "2016-06-10T00:00:00Z"}]}
    t.import_directory(data)
    other, _, _ = tenant()
    other.run_script(
        'tenant.import_directory(#{ groups: [#{ id: "g-d", name: "D", kind: "microsoft365", deleted_at: "2016-06-10T00:00:00Z" }] });'
    )
    assert [(d.id, d.deleted_at) for d in t.deleted_groups()] == [(d.id, d.deleted_at) for d in other.deleted_groups()]

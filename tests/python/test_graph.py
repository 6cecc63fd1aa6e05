"""Import from a Microsoft Graph export (SPEC §11), through the Python face, on the fixture
export tests/data/graph/contoso (described in its README)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ssgm

EXPORT = Path(__file__).resolve().parents[1] / "data" / "graph" / "contoso"


def test_r11_1_graph_to_directory_is_import_data_with_a_report() -> None:
    """R-11.1, R-11.7: graph_to_directory returns import_directory data and its report."""
    data = ssgm.graph_to_directory(EXPORT)
    assert set(data) >= {"users", "groups", "resources", "settings", "report"}
    report = data["report"]
    assert report["skipped"] == {
        "device": 1,
        "directoryRole": 1,
        "membershipRule": 1,
        "nested_group_not_allowed": 1,
        "orgContact": 1,
        "servicePrincipal": 1,
    }
    assert report["renamed"] == {"2c4d6e8f-0a1b-4c3d-9e5f-7a9b1c3d5e7f": "Salesforce (2c4d6e8f-0a1b-4c3d-9e5f-7a9b1c3d5e7f)"}
    # §13: the lifecycle policy (`Selected`: its list is not exported) and the naming values are
    # read; the selected list is named right after the scope's place.
    assert report["settings_from_defaults"] == [
        "delegated_group_management",
        "self_service_scope",
        "self_service_group",
        "max_groups_per_user",
        "max_owners_per_group",
        "expiration_selected_groups",
        # §14's setting: Graph's accessReviewPolicy is not read.
        "group_owners_manage_reviews",
    ]
    # The data imports as it is: the same counts as from_graph's tenant.
    t = ssgm.Tenant("by hand")
    counts = t.import_directory(data)
    # Ten groups: the nine live ones and the soft-deleted "Old project" (§13).
    assert counts["users"] == 11 and counts["groups"] == 10 and counts["resources"] == 3


def test_r11_1_from_graph_builds_the_tenant() -> None:
    """R-11.1, R-11.3 – R-11.6, R-7.4, R-7.6: the imported tenant's roles, settings and access."""
    t = ssgm.Tenant.from_graph(EXPORT)
    assert t.name == "contoso"  # the folder's name
    assert [e["op"] for e in t.events()] == ["import_directory"]
    assert t.user("meganb@contoso.com").roles == ["global_admin"]
    assert t.user("isaiahl@contoso.com").roles == ["groups_admin"]  # through a role-assignable group
    assert t.user("diegos@contoso.com").roles == []
    assert t.user("johannal@contoso.com").enabled is False
    s = t.settings
    assert (s.users_can_create_security_groups, s.users_can_create_microsoft365_groups) == (False, False)
    assert s.microsoft365_creation_group == "Microsoft 365 creators"
    assert s.delegated_group_management is False
    reach = {r.name: sorted(u.upn for u in t.who_has_access(r)) for r in t.resources()}
    assert reach == {
        "Salesforce": ["gradya@contoso.com", "leeg@contoso.com", "lynner@contoso.com"],
        "Workday": ["adelev@contoso.com", "diegos@contoso.com", "lynner@contoso.com", "pradeepg@contoso.com"],
        "Salesforce (2c4d6e8f-0a1b-4c3d-9e5f-7a9b1c3d5e7f)": [],
    }
    assert t.group("Engineering (synced)").on_premises
    assert t.import_report == ssgm.graph_to_directory(EXPORT)["report"]


def test_r11_8_settings_and_name_override(tmp_path: Path) -> None:
    """R-11.8: `settings=` wins over the export and is part of the one import; `name=` names
    the tenant; str paths work."""
    t = ssgm.Tenant.from_graph(str(EXPORT), name="lab", settings={"delegated_group_management": True, "users_can_create_security_groups": True})
    assert t.name == "lab"
    assert t.settings.delegated_group_management and t.settings.users_can_create_security_groups
    assert [e["op"] for e in t.events()] == ["import_directory"]
    assert "delegated_group_management" not in t.import_report["settings_from_defaults"]  # type: ignore[index]
    with pytest.raises(ssgm.InvalidArgument) as e:
        ssgm.Tenant.from_graph(EXPORT, settings={"max_owners_per_group": 0})
    assert e.value.code == "invalid_setting"
    with pytest.raises(TypeError):
        ssgm.Tenant.from_graph(EXPORT, settings=[("a", 1)])  # type: ignore[arg-type]


def test_r11_2_broken_exports_are_invalid_export(tmp_path: Path) -> None:
    """R-11.2: a missing required file or a file that is not JSON is `invalid_export`, naming
    the file."""
    broken = tmp_path / "broken"
    shutil.copytree(EXPORT, broken)
    (broken / "groups.json").write_text("{not json")
    with pytest.raises(ssgm.StorageError) as e:
        ssgm.Tenant.from_graph(broken)
    assert e.value.code == "invalid_export" and "groups.json" in str(e.value)
    (broken / "groups.json").unlink()
    with pytest.raises(ssgm.StorageError) as e:
        ssgm.graph_to_directory(broken)
    assert e.value.code == "invalid_export"

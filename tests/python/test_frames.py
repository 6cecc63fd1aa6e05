"""`Tenant.frame(what)`: DataFrames of a tenant's objects, logs and access, names beside ids
(R-7.7, R-7.8, R-8.1 give the fields; the frames add nothing the records do not say)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import ssgm

pd = pytest.importorskip("pandas")

GRAPH = Path(__file__).parent.parent / "data" / "graph" / "contoso"


@pytest.fixture(scope="module")
def imported() -> ssgm.Tenant:
    return ssgm.Tenant.from_graph(GRAPH)


def test_r8_1_audit_frame_has_one_column_per_field_and_names_beside_ids(w) -> None:
    """R-8.1: one row per entry; `actor_name` right after `actor`, `target_names` after
    `targets`; times stay aware UTC."""
    g = w.t.create_group(w.alice, "Sales <EMEA>")
    w.t.add_member(w.alice, g, w.bob)
    f = w.t.frame("audit")
    cols = list(f.columns)
    assert cols == ["seq", "time", "actor", "actor_name", "activity", "targets", "target_names", "outcome", "code"]
    assert len(f) == len(w.t.audit_log())
    last = f.iloc[-1]
    assert last["actor"] == w.alice.id and last["actor_name"] == "alice@contoso.com"
    assert last["targets"] == [g.id, w.bob.id] and last["target_names"] == ["Sales <EMEA>", "bob@contoso.com"]
    assert str(f["time"].dt.tz) == "UTC"
    assert f.iloc[0]["actor_name"] == "system"  # seeding has no user for a name


def test_r7_7_provisioning_frame_joins_its_cause_activity(w) -> None:
    """R-7.7: `cause` is the audit `seq`; the frame carries that entry's activity too."""
    crm = w.t.create_resource(w.admin, "CRM")
    g = w.t.create_group(w.alice, "CRM users")
    w.t.assign(w.admin, crm, g)
    w.t.add_member(w.alice, g, w.bob)
    w.t.block(w.admin, crm, w.bob)
    f = w.t.frame("provisioning")
    audit = w.t.frame("audit").set_index("seq")
    assert len(f) == len(w.t.provisioning_log()) >= 2
    assert list(f["user_name"]) == [w.t.user(u).upn for u in f["user"]]
    assert set(f["resource_name"]) == {"CRM"}
    assert list(f["cause_activity"]) == [audit.loc[c, "activity"] for c in f["cause"]]
    last = f.iloc[-1]
    assert (last["user_name"], last["change"]) == ("bob@contoso.com", "deprovisioned")
    assert last["cause_activity"] == w.t.audit_log()[-1].activity == audit.iloc[-1]["activity"]
    assert w.t.provisioning_log()[-1].cause_activity == last["cause_activity"]


def test_r1_objects_frames_name_their_references(imported: ssgm.Tenant) -> None:
    """SPEC §1: users, groups, resources and requests, one row each, names beside ids."""
    users = imported.frame("users")
    assert list(users["upn"]) == [u.upn for u in imported.users()]
    groups = imported.frame("groups")
    row = groups.set_index("name").loc["Salesforce users"]
    assert row["owner_names"] == ["adelev@contoso.com"]
    assert row["member_names"] == ["lynner@contoso.com", "leeg@contoso.com", "Sales interns"]
    assert len(row["members"]) == 3 and all(m != n for m, n in zip(row["members"], row["member_names"]))
    resources = imported.frame("resources").set_index("name")
    assert resources.loc["Salesforce", "assigned_names"] == ["Salesforce users", "gradya@contoso.com"]
    assert list(groups.columns).index("owner_names") == list(groups.columns).index("owners") + 1


def test_r5_requests_frame(w) -> None:
    """SPEC §5: a request's group and requester by name beside their ids."""
    g = w.t.create_group(w.alice, "Travel", join_policy="owner_approval")
    w.t.request_to_join(w.carol, g, "trip to Oslo")
    f = w.t.frame("requests")
    assert list(f["group_name"]) == ["Travel"] and list(f["requester_name"]) == ["carol@contoso.com"]
    assert list(f["decided_by_name"]) == [None] and list(f["status"]) == ["pending"]


def test_r7_3_access_frame_is_the_matrix_of_has_access(imported: ssgm.Tenant) -> None:
    """R-7.3 – R-7.6: users × resources, True exactly where `has_access` is."""
    m = imported.frame("access")
    assert list(m.index) == [u.upn for u in imported.users()]
    assert list(m.columns) == [r.name for r in imported.resources()]
    assert m.index.name == "user" and m.columns.name == "resource"
    assert all(str(d) == "bool" for d in m.dtypes)
    for u in imported.users():
        for r in imported.resources():
            assert m.loc[u.upn, r.name] == imported.has_access(u, r)
    assert m["Salesforce"].sum() == 3  # the nested "Sales interns" do not count


def test_frame_of_an_empty_tenant_and_bad_arguments() -> None:
    t = ssgm.Tenant("empty")
    assert t.frame("access").shape == (0, 0)
    assert len(t.frame("groups")) == 0
    with pytest.raises(ValueError, match="'users'.*not 'user'"):
        t.frame("user")
    with pytest.raises(TypeError):
        t.frame(3)  # type: ignore[arg-type]


def test_frame_without_pandas_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas is optional: without it `frame` raises ImportError naming pandas."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pandas"):
        ssgm.Tenant("x").frame("users")

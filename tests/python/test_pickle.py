"""Everything pickles: records as their values, handles as `ssgm.Ref` (the id, kind, name
and tenant's name; no tenant), so a process-pool worker can return what it computes."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import ssgm

GRAPH = Path(__file__).parent.parent / "data" / "graph" / "contoso"
ADMIN = "meganb@contoso.com"  # the Graph fixture's global admin

# Eight what-if changes, each a command of the admin on a fork.
CHANGES: list[tuple[str, tuple[str, ...]]] = [
    ("block", ("Salesforce", "leeg@contoso.com")),
    ("unassign", ("Salesforce", "Salesforce users")),
    ("block", ("Workday", "diegos@contoso.com")),
    ("remove_member", ("Salesforce users", "lynner@contoso.com")),
    ("add_member", ("Salesforce users", "nestorw@contoso.com")),
    ("assign", ("Workday", "Salesforce users")),
    ("add_member", ("Retail", "gradya@contoso.com")),
    ("unassign", ("Workday", "Retail")),
]


def what_if(t: ssgm.Tenant, change: tuple[str, tuple[str, ...]]) -> dict[str, Any]:
    """Applies one change to a fork of `t`; who reaches what, why, and what it provisioned."""
    f = t.fork()
    before = len(f.provisioning_log())
    command, args = change
    getattr(f, command)(ADMIN, *args)
    return {
        "who": {r.name: f.who_has_access(r) for r in f.resources()},
        "why": f.explain_access("nestorw@contoso.com", "Salesforce"),
        "provisioned": f.provisioning_log()[before:],
        "last": f.audit_log()[-1],
        "panel": f.access_panel("adelev@contoso.com"),
        "settings": f.settings,
        "check": f.check("leeg@contoso.com", "delete_group", "Retail"),
    }


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """Handles become ids (a handle and the Ref it pickles to name the same object)."""
    return {
        **result,
        "who": {k: [str(u.id) for u in v] for k, v in result["who"].items()},
        "panel": {k: [str(x.id) for x in v] for k, v in zip(result["panel"]._fields, result["panel"])},
    }


@pytest.fixture(scope="module")
def imported() -> ssgm.Tenant:
    return ssgm.Tenant.from_graph(GRAPH)


def test_r8_4_every_record_pickles_equal(imported: ssgm.Tenant) -> None:
    """Records are values: a pickled copy equals the original, names and times included."""
    t = imported.fork()
    t.block(ADMIN, "Salesforce", "leeg@contoso.com")
    records = [
        t.settings,
        t.check("leeg@contoso.com", "delete_group", "Retail"),
        t.explain_access("leeg@contoso.com", "Salesforce"),
        t.explain_access("nestorw@contoso.com", "Salesforce"),
        t.audit_log()[-1],
        t.provisioning_log()[-1],
    ]
    for r in records:
        copy = pickle.loads(pickle.dumps(r))
        assert type(copy) is type(r) and copy == r and hash(copy) == hash(r)
        assert copy.to_dict(names=True) == r.to_dict(names=True) and repr(copy) == repr(r)
    assert pickle.loads(pickle.dumps(t.audit_log()[-1])).time.tzinfo is not None


def test_r6_3_access_panel_pickles_with_refs(imported: ssgm.Tenant) -> None:
    """R-6.3: an unpickled panel keeps its sections, as Refs naming the groups."""
    panel = imported.access_panel("adelev@contoso.com")
    copy = pickle.loads(pickle.dumps(panel))
    assert copy.to_dict(names=True) == panel.to_dict(names=True)
    assert [g.id for g in panel.owner_of] == list(copy.owner_of)
    assert [g.name for g in panel.owner_of] == [r.name for r in copy.owner_of]
    assert all(isinstance(r, ssgm.Ref) and r.kind == "group" for r in copy.owner_of)
    assert copy == pickle.loads(pickle.dumps(panel)) and copy != panel  # no tenant


def test_r1_4_a_handle_pickles_as_a_ref_that_resolves_anywhere(imported: ssgm.Tenant) -> None:
    """R-1.4: the Ref is the id, so it is a reference on the tenant, its forks and copies;
    `resolve` gives the live handle back (equal within its tenant, R-10.15)."""
    t = imported.fork()
    lee = t.user("leeg@contoso.com")
    group = t.group("Salesforce users")
    ref = pickle.loads(pickle.dumps(lee))
    assert isinstance(ref, ssgm.Ref) and isinstance(ref, str)
    assert (ref, ref.kind, ref.name, ref.tenant) == (lee.id, "user", "leeg@contoso.com", "contoso")
    assert ref.resolve(t) == lee and t.user(ref) == lee
    assert t.has_access(ref, "Salesforce")
    copy = pickle.loads(pickle.dumps(t))
    copy.remove_member(ADMIN, pickle.loads(pickle.dumps(group)), ref)
    assert not copy.has_access(ref, "Salesforce") and t.has_access(ref, "Salesforce")
    gref = pickle.loads(pickle.dumps(group))
    assert (gref.kind, gref.name) == ("group", "Salesforce users")
    assert pickle.loads(pickle.dumps(gref)) == gref and pickle.loads(pickle.dumps(gref)).name == gref.name
    assert repr(gref) == f"Ref('group', 'Salesforce users', id={group.id!r})"
    with pytest.raises(ValueError, match="kind"):
        ssgm.Ref("x", "planet")


def test_r1_4_eight_what_if_forks_in_a_process_pool_match_serial(imported: ssgm.Tenant) -> None:
    """R-1.4, R-8.4: eight forks, each with its own change, computed in worker processes,
    give exactly the serial answers (handles come back as Refs, records as equal values)."""
    serial = [comparable(what_if(imported, c)) for c in CHANGES]
    assert len({repr(s["who"]) for s in serial}) == len(CHANGES)  # every change matters
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        pooled = list(pool.map(what_if, [imported] * len(CHANGES), CHANGES))
    assert all(isinstance(u, ssgm.Ref) for p in pooled for us in p["who"].values() for u in us)
    assert [comparable(p) for p in pooled] == serial
    # The names come along: no lookup in the parent is needed.
    assert pooled[4]["who"]["Salesforce"][-1].name in {
        u.upn for u in imported.users()
    }


def test_r1_4_the_same_sweep_runs_on_a_local_dask_cluster(imported: ssgm.Tenant) -> None:
    """R-1.4, R-8.4: the eight-fork sweep on a local Dask cluster of two worker processes (its
    `concurrent.futures` executor and `client.map`) gives the serial answers."""
    distributed = pytest.importorskip("distributed")
    serial = [comparable(what_if(imported, c)) for c in CHANGES]
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with distributed.Client(cluster) as client:
            executor = client.get_executor()
            pooled = list(executor.map(what_if, [imported] * len(CHANGES), CHANGES))
            assert [comparable(p) for p in pooled] == serial
            futures = client.map(what_if, [imported] * len(CHANGES), CHANGES, pure=False)
            assert [comparable(p) for p in client.gather(futures)] == serial
    finally:
        cluster.close()

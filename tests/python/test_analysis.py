"""SPEC §12 through Python: capabilities, routes, exposure, gatekeepers, diff, DOT and
networkx, apply; the same answers through Rhai."""

from __future__ import annotations

import pathlib
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssgm

GRAPH = pathlib.Path(__file__).resolve().parent.parent / "data" / "graph" / "contoso"


def delegated() -> tuple[ssgm.Tenant, dict[str, ssgm.User]]:
    """§0's first scenario: two business owners, each with a group assigned to Salesforce."""
    t = ssgm.Tenant("contoso")
    u = {"admin": t.add_user("admin@contoso.com", roles=["global_admin"])}
    for name in ["owner", "manager", "ann", "zoe"]:
        u[name] = t.add_user(f"{name}@contoso.com")
    t.configure(u["admin"], delegated_group_management=True)
    app = t.create_resource(u["admin"], "Salesforce")
    g1 = t.create_group(u["admin"], "Salesforce users", owners=[u["owner"]], members=[u["ann"]])
    g2 = t.create_group(u["admin"], "Salesforce EMEA", owners=[u["manager"]])
    t.assign(u["admin"], app, g1)
    t.assign(u["admin"], app, g2)
    return t, u


def test_r12_1_capabilities_are_records_with_handles() -> None:
    t, u = delegated()
    caps = t.capabilities(u["owner"])
    group = t.group("Salesforce users")
    assert [(c.right, c.object) for c in caps] == [
        ("manage_members", group),
        ("decide", group),
        ("list_members", group),
    ]
    assert caps[0].to_dict() == {"right": "manage_members", "object": group.id}
    assert "Capability(right='manage_members'" in repr(caps[0])
    admin_caps = t.capabilities(u["admin"])
    assert [c.object for c in admin_caps if c.right == "create"][0] == "security"
    assert t.resource("Salesforce") in [c.object for c in admin_caps if c.right == "manage_access"]


def test_r12_2_r12_3_r12_4_the_delegated_scenario() -> None:
    t, u = delegated()
    routes = t.routes(u["zoe"], "Salesforce")
    # one added_by_owner route through each business owner's group.
    assert [(r.kind, r.group.name, r.helpers) for r in routes] == [
        ("added_by_owner", "Salesforce users", [u["owner"]]),
        ("added_by_owner", "Salesforce EMEA", [u["manager"]]),
    ]
    step = routes[0].steps[0]
    assert (step.actor, step.command, step.args) == (u["owner"], "add_member", [t.group("Salesforce users").id, u["zoe"].id])
    #
    exposure = t.exposure("Salesforce")
    assert isinstance(exposure, list)
    status = {e.user.upn: e.status for e in exposure}
    assert status == {
        "admin@contoso.com": "role",
        "owner@contoso.com": "self",
        "manager@contoso.com": "self",
        "ann@contoso.com": "has_access",
        "zoe@contoso.com": "helper",
    }
    assert "<table>" in exposure._repr_html_() and "zoe@contoso.com" in exposure._repr_html_()
    zoe = next(e for e in exposure if e.user == u["zoe"])
    assert zoe.route == routes[0]
    # each business owner keeps the gate of their own group only.
    gk = [(g.user.upn, g.right, g.object.name) for g in t.gatekeepers("Salesforce")]
    assert gk == [
        ("owner@contoso.com", "manage_members", "Salesforce users"),
        ("owner@contoso.com", "decide", "Salesforce users"),
        ("manager@contoso.com", "manage_members", "Salesforce EMEA"),
        ("manager@contoso.com", "decide", "Salesforce EMEA"),
    ]


def test_apply_a_route_to_a_fork() -> None:
    t, u = delegated()
    t.update_group(u["admin"], "Salesforce EMEA", join_policy="owner_approval")
    route = next(r for r in t.routes(u["zoe"], "Salesforce") if r.kind == "request")
    assert route.steps[1].args == [None]
    fork = t.fork()
    results = fork.apply(route.steps)
    assert isinstance(results[0], ssgm.Request) and results[1].status == "approved"
    assert fork.has_access(u["zoe"], "Salesforce") and not t.has_access(u["zoe"], "Salesforce")
    # Dicts work as steps; the first refusal is raised, the steps before it stay applied.
    fork2 = t.fork()
    bad = [
        {"actor": u["zoe"].id, "command": "request_to_join", "args": [t.group("Salesforce EMEA").id, "hi"]},
        {"actor": u["zoe"].id, "command": "approve", "args": [None]},
    ]
    with pytest.raises(ssgm.PermissionDenied) as e:
        fork2.apply(bad)
    assert e.value.code == "not_owner"
    assert len(fork2.requests()) == len(t.requests()) + 1
    with pytest.raises(TypeError):
        fork2.apply([42])


def test_r12_5_diff_of_a_what_if() -> None:
    t, u = delegated()
    assert not ssgm.diff(t, t.fork())
    what_if = t.fork()
    what_if.configure(u["admin"], self_service_scope="some")
    d = ssgm.diff(t, what_if)
    assert d and d == t.diff(what_if)
    assert d.settings == {"self_service_scope": ["all", "some"]}
    assert len(d.objects.added) == 1 and d.objects.removed == []
    owner, group = u["owner"].id, t.group("Salesforce users").id
    assert (owner, "manage_members", group) in d.capabilities.lost
    assert d.access.gained == [] and d.access.lost == []
    assert d.to_dict()["settings"] == {"self_service_scope": ["all", "some"]}
    html = d._repr_html_()
    assert "<table>" in html and "capabilities" in html
    assert "capabilities=+0/-4" in repr(d)
    # Mirror.
    back = ssgm.diff(what_if, t)
    assert back.capabilities.gained == d.capabilities.lost


def test_r12_6_dot_and_networkx() -> None:
    t, _ = delegated()
    dot = t.to_dot()
    assert dot.startswith("digraph ssgm {")
    assert dot == t.fork().to_dot()
    pydot = pytest.importorskip("pydot")
    with warnings.catch_warnings():
        # pydot's parser uses pyparsing names that newer pyparsing deprecates.
        warnings.simplefilter("ignore")
        (graph,) = pydot.graph_from_dot_data(dot)
    assert len(graph.get_nodes()) == 5 + 2 + 1
    assert len(graph.get_edges()) == 1 + 2 + 2


def test_r12_6_networkx_on_the_graph_fixture() -> None:
    nx = pytest.importorskip("networkx")
    t = ssgm.Tenant.from_graph(GRAPH)
    g = t.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == len(t.users()) + len(t.groups()) + len(t.resources())
    edges = sum(len(x.members) + len(x.owners) for x in t.groups()) + sum(
        len(r.owners) + len(r.assigned) + len(r.blocked) for r in t.resources()
    )
    assert g.number_of_edges() == edges
    user = t.users()[0]
    assert g.nodes[user.id] == {"type": "user", "name": user.upn, "label": user.upn, "enabled": user.enabled}
    for _, _, data in g.edges(data=True):
        assert data["type"] in {"member", "owner", "assigned", "blocked"}


def test_to_networkx_names_networkx_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "networkx", None)
    with pytest.raises(ImportError, match="networkx"):
        ssgm.Tenant("x").to_networkx()


def test_python_and_rhai_give_the_same_answers() -> None:
    t, u = delegated()
    script = """
        #{ caps: tenant.capabilities("owner@contoso.com"),
           routes: tenant.routes("zoe@contoso.com", "Salesforce"),
           exposure: tenant.exposure("Salesforce"),
           gatekeepers: tenant.gatekeepers("Salesforce"),
           diff: diff(tenant, tenant),
           dot: tenant.to_dot() }
    """
    got = t.run_script(script)
    assert got["caps"] == [c.to_dict() for c in t.capabilities(u["owner"])]
    assert got["routes"] == [r.to_dict() for r in t.routes(u["zoe"], "Salesforce")]
    assert got["exposure"] == [e.to_dict() for e in t.exposure("Salesforce")]
    assert got["gatekeepers"] == [g.to_dict() for g in t.gatekeepers("Salesforce")]
    assert got["diff"] == ssgm.diff(t, t).to_dict()
    assert got["dot"] == t.to_dot()


# ----- properties --------------------------------------------------------------------------------

USERS = ["admin@c.com", "bob@c.com", "carol@c.com", "dan@c.com"]
OPS = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 3), st.integers(0, 2), st.integers(0, 3)),
    max_size=25,
)


def random_tenant(ops: list[tuple[int, int, int, int]]) -> ssgm.Tenant:
    t = ssgm.Tenant("p")
    t.add_user(USERS[0], roles=["global_admin"])
    for x in USERS[1:]:
        t.add_user(x)
    t.configure(USERS[0], delegated_group_management=True, users_can_create_security_groups=True)
    t.create_resource(USERS[0], "App", owners=[USERS[3]])
    t.create_resource(USERS[0], "Site", kind="site")
    groups = ["G0", "G1", "G2"]
    for op, a, g, y in ops:
        actor, group, user = USERS[a], groups[g], USERS[y]
        try:
            if op == 0:
                t.create_group(actor, group, join_policy=["open", "owner_approval", "owners_only"][y % 3])
            elif op == 1:
                t.add_member(actor, group, user)
            elif op == 2:
                t.add_owner(actor, group, user)
            elif op == 3:
                t.request_to_join(actor, group, "x")
            elif op == 4:
                t.assign(USERS[0], ["App", "Site"][y % 2], group)
            elif op == 5:
                t.add_member(actor, group, groups[y % 3])
            elif op == 6:
                t.block(USERS[0], "App", user)
            else:
                t.set_enabled(user, y != 0)
        except (ssgm.SsgmError, TypeError):
            pass
    return t


@settings(max_examples=40, deadline=None)
@given(OPS)
def test_r12_3_every_route_applied_to_a_fork_gives_access(ops: list[tuple[int, int, int, int]]) -> None:
    t = random_tenant(ops)
    for resource in ["App", "Site"]:
        for e in t.exposure(resource):
            routes = t.routes(e.user, resource)
            if e.status == "self":
                assert routes[0].helpers == []
            for r in routes:
                fork = t.fork()
                fork.apply(r.steps)
                assert fork.has_access(e.user, resource)


@settings(max_examples=40, deadline=None)
@given(OPS, OPS)
def test_r12_5_diffs_mirror_and_copies_do_not_differ(
    ops: list[tuple[int, int, int, int]], more: list[tuple[int, int, int, int]]
) -> None:
    t = random_tenant(ops)
    assert not ssgm.diff(t, ssgm.Tenant.replay(t.events()))
    other = random_tenant(ops + more)
    d, back = ssgm.diff(t, other), ssgm.diff(other, t)
    assert d.access.gained == back.access.lost and d.members.added == back.members.removed
    pairs = lambda x: {(u.id, r.id) for u in x.users() for r in x.resources() if x.has_access(u, r)}  # noqa: E731
    assert set(d.access.gained) == pairs(other) - pairs(t)
    assert set(d.access.lost) == pairs(t) - pairs(other)

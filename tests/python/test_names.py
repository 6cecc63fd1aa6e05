"""Names beside ids and rich display: records and handles give the names of the objects their
ids name (`<field>_name`, `<field, singular>_names`; a user's name is its upn), reprs show
names first, `_repr_html_` shows names in place of ids, escaped, in Python's spelling."""

from __future__ import annotations

from pathlib import Path

import ssgm

GRAPH = Path(__file__).parent.parent / "data" / "graph" / "contoso"


def test_r8_1_audit_entry_names_its_actor_and_targets(w) -> None:
    """R-8.1, R-10.3: targets are ids; the names follow, a name recorded as given stays itself."""
    g = w.t.create_group(w.alice, "Travel")
    w.t.add_member(w.alice, g, w.bob)
    e = w.t.audit_log()[-1]
    assert (e.actor, e.actor_name) == (w.alice.id, "alice@contoso.com")
    assert e.targets == [g.id, w.bob.id] and e.target_names == ["Travel", "bob@contoso.com"]
    # The default dict and the named-tuple protocol are unchanged.
    assert e.to_dict() == dict(zip(e._fields, e))
    named = e.to_dict(names=True)
    assert list(named) == ["seq", "time", "actor", "actor_name", "activity", "targets", "target_names", "outcome", "code"]
    assert repr(e).index("actor_name='alice@contoso.com'") < repr(e).index("actor='u-")
    try:
        w.t.add_member(w.alice, g, "nobody@contoso.com")
    except ssgm.NotFound:
        pass
    refused = w.t.audit_log()[-1]
    assert refused.target_names == ["Travel", "nobody@contoso.com"]


def test_r8_1_deleted_group_keeps_its_name_in_the_log(w) -> None:
    """R-1.1: ids are never reused, so an old entry still names a deleted group."""
    g = w.t.create_group(w.alice, "Short-lived")
    w.t.delete_group(w.alice, g)
    assert w.t.audit_log()[-1].target_names == ["Short-lived"]


def test_r7_8_access_names_paths_and_says_why_not() -> None:
    """R-7.8 paths as names; the reason: R-7.4 nested group, R-7.5 block, R-7.6 disabled."""
    t = ssgm.Tenant.from_graph(GRAPH)
    lynne = t.explain_access("lynner@contoso.com", "Salesforce")
    assert lynne.granted and lynne.reason is None
    assert lynne.path_names == [["Salesforce users", "lynner@contoso.com"]]
    assert len(lynne.paths[0]) == 2 and lynne.paths[0][-1] == t.user("lynner@contoso.com").id
    nested = t.explain_access("nestorw@contoso.com", "Salesforce")
    assert not nested.granted and nested.reason == "nested_group" and nested.paths == []
    html = nested._repr_html_()
    assert "member of a nested group: applications reach direct members only" in html
    disabled = t.explain_access("johannal@contoso.com", "Workday")
    assert disabled.disabled and disabled.reason == "disabled" and disabled.path_names
    admin = t.user("meganb@contoso.com")
    t.block(admin, "Salesforce", "leeg@contoso.com")
    blocked = t.explain_access("leeg@contoso.com", "Salesforce")
    assert blocked.reason == "blocked" and "blocked" in blocked._repr_html_()
    assert t.explain_access("meganb@contoso.com", "Salesforce").reason == "not_assigned"


def test_r7_7_provisioning_event_names_and_cause_activity(w) -> None:
    """R-7.7: the event's user and resource by name, and the activity of its cause."""
    crm = w.t.create_resource(w.admin, "CRM")
    w.t.assign(w.admin, crm, w.bob)
    p = w.t.provisioning_log()[-1]
    assert (p.user_name, p.resource_name) == ("bob@contoso.com", "CRM")
    assert p.cause_activity == w.t.audit_log()[p.cause - 1].activity
    assert p.to_dict() == dict(zip(p._fields, p))
    assert p.to_dict(names=True)["cause_activity"] == p.cause_activity


def test_r6_3_access_panel_names(w) -> None:
    """R-6.3: every section's names beside its ids."""
    g = w.t.create_group(w.alice, "Travel", join_policy="owner_approval")
    w.t.request_to_join(w.carol, g, "trip")
    panel = w.t.access_panel(w.alice)
    d = panel.to_dict(names=True)
    assert d["owner_of"] == [g.id] and d["owner_of_names"] == ["Travel"]
    assert panel.to_dict() == {k: d[k] for k in panel._fields}
    html = panel._repr_html_()
    assert "Travel" in html and "Group(" not in html  # names, no reprs inside cells


def test_r10_15_handles_to_dict_names_and_html(w) -> None:
    """Handles: `to_dict(names=True)` names owners and members; the table shows names."""
    g = w.t.create_group(w.alice, "<b>Bold</b> & co", owners=[w.bob])
    w.t.add_member(w.alice, g, w.carol)
    d = g.to_dict(names=True)
    assert d["owner_names"] == [w.t.user(u).upn for u in d["owners"]]
    assert "carol@contoso.com" in d["member_names"] and d["created_by_name"] == "alice@contoso.com"
    assert g.to_dict() == {k: v for k, v in d.items() if not k.endswith(("_name", "_names"))}
    html = g._repr_html_()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html and "<b>Bold" not in html
    assert "False" in html and "false" not in html  # on_premises, in Python's spelling
    assert "carol@contoso.com" in html and w.carol.id not in html and w.alice.id not in html
    assert "bob@contoso.com" in w.bob._repr_html_()


def test_request_repr_names_first(w) -> None:
    """A request's repr: who asked for which group, then status and ids."""
    g = w.t.create_group(w.alice, "Travel", join_policy="owner_approval")
    r = w.t.request_to_join(w.carol, g, "trip")
    assert repr(r) == (
        f"Request('carol@contoso.com' -> 'Travel', status='pending', id={r.id!r}, "
        f"group={g.id!r}, requester={w.carol.id!r})"
    )
    assert r.to_dict(names=True)["group_name"] == "Travel"


def test_decision_html_python_spelling(w) -> None:
    d = w.t.check(w.carol, "delete_group", w.t.create_group(w.alice, "X"))
    html = d._repr_html_()
    assert "False" in html and d.code in html and "&quot;X&quot;" in html


def test_r14_14_r15_16_panel_names_of_reviews_and_packages(w) -> None:
    """R-14.14, R-15.16: the Access Panel's review and package sections get names beside ids
    (a review and a package by their names; requests and assignments, which have none, by id)."""
    g = w.t.create_group(w.admin, "Reviewed", owners=[w.alice], members=[w.carol])
    (review,) = w.t.create_review(w.admin, "Q3 review", g)
    kit = w.t.create_package(w.admin, "Kit", groups=[g])
    w.t.create_policy(w.admin, kit, "Everyone", requestors="all", justification_required=False)
    d = w.t.access_panel(w.alice).to_dict(names=True)
    assert d["reviews"] == [review.id] and d["review_names"] == ["Q3 review"]
    assert d["packages"] == [kit.id] and d["package_names"] == ["Kit"]
    req = w.t.request_package(w.bob, kit)
    d = w.t.access_panel(w.bob).to_dict(names=True)
    assert d["package_assignments"] == [req.assignment.id] == d["package_assignment_names"]


def test_r14_r15_handles_name_their_objects(w) -> None:
    """§14, §15: `to_dict(names=True)` of reviews, packages, policies, requests and
    assignments names the groups, users, packages and policies they hold."""
    g = w.t.create_group(w.admin, "Reviewed", owners=[w.alice], members=[w.carol])
    (review,) = w.t.create_review(w.admin, "Q3 review", g)
    d = review.to_dict(names=True)
    assert (d["group_name"], d["reviewer_names"], d["created_by_name"]) == ("Reviewed", ["alice@contoso.com"], "admin@contoso.com")
    kit = w.t.create_package(w.admin, "Kit", groups=[g])
    pol = w.t.create_policy(w.admin, kit, "Everyone", requestors="all", justification_required=False)
    assert kit.to_dict(names=True)["group_names"] == ["Reviewed"]
    assert kit.to_dict(names=True)["policy_names"] == ["Everyone"]
    assert pol.to_dict(names=True)["package_name"] == "Kit"
    req = w.t.request_package(w.bob, kit)
    r = req.to_dict(names=True)
    assert (r["package_name"], r["policy_name"], r["requester_name"]) == ("Kit", "Everyone", "bob@contoso.com")
    a = req.assignment.to_dict(names=True)
    assert (a["package_name"], a["user_name"]) == ("Kit", "bob@contoso.com")
    assert review.to_dict() == {k: d[k] for k in review.to_dict()}


def test_r1_4_handles_show_the_same_label_in_python_and_rhai(w) -> None:
    """R-1.4: a handle shows the live object its id names, read by the core for both faces:
    after a rename, an approval and a deletion, Python's repr and Rhai's to_string agree."""
    g = w.t.create_group(w.alice, "Travel", join_policy="owner_approval")
    r = w.t.request_to_join(w.carol, g, "trip")
    w.t.update_group(w.alice, g, name="Trips")
    w.t.approve(w.alice, r)
    assert repr(g) == f"Group('Trips', id={g.id!r})"
    assert "status='approved'" in repr(r) and "-> 'Trips'" in repr(r)
    shown = w.t.run_script(f'[tenant.group("{g.id}").to_string(), tenant.request("{r.id}").to_string()]')
    assert shown == [f'Group({g.id}, "Trips")', f"Request({r.id}, approved)"]
    w.t.delete_group(w.alice, g)
    assert repr(g) == f"Group(<deleted>, id={g.id!r})"
    assert w.t.run_script(f'tenant.user("{w.carol.id}").to_string()') == f"User({w.carol.id}, carol@contoso.com)"

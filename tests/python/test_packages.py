"""Access packages (SPEC §15) through the Python face: handles, records, refusals, events,
and the same answers through Rhai."""

from datetime import datetime, timedelta, timezone

import pytest

import ssgm

ADMIN = "admin@contoso.com"


def tenant():
    t = ssgm.Tenant("contoso")
    u = {
        "admin": t.add_user(ADMIN, roles=["global_admin"]),
        "bob": t.add_user("bob@contoso.com"),
        "dave": t.add_user("dave@contoso.com"),
    }
    u["carol"] = t.add_user("carol@contoso.com", manager=u["bob"])
    sales = t.create_group(ADMIN, "Sales")
    crm = t.create_group(ADMIN, "CRM")
    app = t.create_resource(ADMIN, "Salesforce")
    t.assign(ADMIN, app, sales)
    pkg = t.create_package(ADMIN, "Sales tools", groups=[sales, crm])
    pol = t.create_policy(
        ADMIN,
        pkg,
        "Employees",
        requestors="all",
        stages=[{"manager": True, "timeout_days": 7}, {"approvers": [u["dave"]], "timeout_days": 7}],
        expires=30,
    )
    return t, u, pkg, pol


def test_r15_18_user_manager_and_set_manager():
    t, u, _, _ = tenant()
    assert u["carol"].manager == u["bob"]
    assert u["bob"].manager is None
    t.set_manager(u["bob"], u["dave"])
    assert u["bob"].manager == u["dave"]
    with pytest.raises(ssgm.Conflict) as e:
        t.set_manager(u["bob"], u["bob"])
    assert e.value.code == "cycle"
    t.set_manager(u["bob"], None)
    assert u["bob"].manager is None
    assert u["carol"].to_dict()["manager"] == u["bob"].id


def test_r15_4_handles_and_records():
    t, u, pkg, pol = tenant()
    assert isinstance(pkg, ssgm.AccessPackage) and isinstance(pol, ssgm.PackagePolicy)
    assert [g.name for g in pkg.groups] == ["Sales", "CRM"]
    assert pkg.policies == [pol]
    assert pol.package == pkg and pol.requestors == "all" and pol.expires == 30
    stage = pol.stages[0]
    assert isinstance(stage, ssgm.ApprovalStage)
    assert stage.manager is True and stage.timeout_days == 7 and stage.justification_required is True
    assert pol.stages[1].approvers == [u["dave"].id]
    assert t.package("sales tools") == pkg and t.policy(pol.id) == pol
    later = datetime(2017, 1, 1, tzinfo=timezone.utc)
    p2 = t.create_policy(ADMIN, pkg, "Later", expires=later, requestors=[u["bob"]])
    assert p2.expires == later and p2.requestors == [u["bob"]]
    # wrong types are TypeErrors, not commands.
    n = len(t.events())
    with pytest.raises(TypeError):
        t.create_policy(ADMIN, pkg, "X", stages=[{"approvers": [], "colour": "red"}])
    with pytest.raises(TypeError):
        t.create_policy(ADMIN, pkg, "X", expires=True)
    with pytest.raises(TypeError):
        t.create_policy(ADMIN, pkg, "X", stages=[{"manager": True, "timeout_days": True}])
    assert len(t.events()) == n
    with pytest.raises(ssgm.InvalidArgument) as e:
        t.create_policy(ADMIN, pkg, "X", stages=[{"manager": True, "timeout_days": 15}])
    assert e.value.code == "invalid_policy"


def test_r15_9_two_stages_then_delivery_and_r15_12_expiry():
    t, u, pkg, pol = tenant()
    r = t.request_package(u["carol"], pkg, "quarter close", policy="Employees")
    assert isinstance(r, ssgm.PackageRequest)
    assert (r.status, r.stage, r.policy) == ("pending", 1, pol)
    assert r.stage_due_at == datetime(2016, 6, 21, tzinfo=timezone.utc)
    assert t.access_panel(u["bob"]).package_approvals == [r]
    with pytest.raises(ssgm.PermissionDenied) as e:
        t.approve_package_request(u["carol"], r, "me")
    assert e.value.code == "self_approval"
    with pytest.raises(ssgm.PermissionDenied) as e:
        t.approve_package_request(u["admin"], r, "admin")
    assert e.value.code == "not_approver"
    t.approve_package_request(u["bob"], r, "ok")
    assert r.stage == 2
    t.approve_package_request(u["dave"], r, "ok")
    assert r.status == "delivered" and r.decided_by == u["dave"]
    d = r.decisions
    assert [(x.stage, x.outcome, x.approver) for x in d] == [(1, "approved", u["bob"].id), (2, "approved", u["dave"].id)]
    a = r.assignment
    assert isinstance(a, ssgm.PackageAssignment)
    assert a.user == u["carol"] and a.request == r and a.state == "delivered"
    assert a.expires_at == datetime(2016, 7, 14, tzinfo=timezone.utc)
    assert t.has_access(u["carol"], "Salesforce")
    panel = t.access_panel(u["carol"])
    assert panel.package_assignments == [a] and panel.package_requests == [r]
    t.advance(days=30)
    assert a.state == "expired" and a.ended_at == datetime(2016, 7, 14, tzinfo=timezone.utc)
    assert not t.has_access(u["carol"], "Salesforce")
    assert t.audit_log()[-1].activity == "Remove access package assignment"
    assert t.package_assignments(state="expired") == [a]
    assert t.package_requests(status="delivered", requester=u["carol"]) == [r]


def test_r15_10_timeout_and_r15_15_drift():
    t, u, pkg, _ = tenant()
    r = t.request_package(u["carol"], pkg, "x")
    t.advance(days=7)
    assert (r.status, r.reason, r.decided_by) == ("denied", "timed_out", None)
    direct = t.create_policy(ADMIN, pkg, "Direct")
    a = t.assign_package(ADMIN, pkg, u["bob"], direct, justification="rota")
    t.remove_member(ADMIN, "Sales", u["bob"])
    drift = t.assignment_drift()
    assert len(drift) == 1 and isinstance(drift[0], ssgm.Drift)
    assert drift[0].to_dict() == {"assignment": a.id, "user": u["bob"].id, "package": pkg.id, "group": t.group("Sales").id}
    t.reprocess_assignment(ADMIN, a)
    assert t.assignment_drift() == []


def test_r15_21_codes_and_families():
    codes = ssgm.error_codes()
    for code, family in [
        ("package_not_found", "NotFound"),
        ("policy_not_found", "NotFound"),
        ("assignment_not_found", "NotFound"),
        ("invalid_policy", "InvalidArgument"),
        ("self_approval", "PermissionDenied"),
        ("not_approver", "PermissionDenied"),
        ("not_in_policy_scope", "PermissionDenied"),
        ("incompatible_access", "PermissionDenied"),
        ("approval_required", "PermissionDenied"),
        ("already_incompatible", "Conflict"),
        ("not_incompatible", "Conflict"),
        ("assignment_not_active", "Conflict"),
        ("in_use", "Conflict"),
    ]:
        assert codes[code].__name__ == family
    t, u, pkg, _ = tenant()
    with pytest.raises(ssgm.NotFound) as e:
        t.package("nope")
    assert e.value.code == "package_not_found"
    with pytest.raises(ssgm.NotFound) as e:
        t.package_assignment("pa-9")
    assert e.value.code == "assignment_not_found"
    with pytest.raises(ssgm.PermissionDenied) as e:
        t.create_package(u["bob"], "Mine")
    assert e.value.code == "not_admin"
    assert t.check(u["bob"], "create_package", "Mine").code == "not_admin"


def test_python_and_rhai_give_the_same_answers():
    t, u, pkg, _ = tenant()
    t.request_package(u["carol"], pkg, "x")
    script = """
        let r = tenant.request_package("bob@contoso.com", "Sales tools", "why");
        #{ packages: tenant.packages().map(|p| p.to_dict()),
           policies: tenant.policies().map(|p| p.to_dict()),
           requests: tenant.package_requests().map(|q| q.to_dict()),
           approvals: tenant.access_panel("bob@contoso.com").package_approvals.map(|q| q.id),
           stage: r.stage, pkg: r["package"].name }
    """
    got = t.run_script(script)

    def plain(d):
        return {k: (v.isoformat().replace("+00:00", "Z") if isinstance(v, datetime) else v) for k, v in d.items()}

    assert got["packages"] == [plain(p.to_dict()) for p in t.packages()]
    assert got["policies"] == [plain(p.to_dict()) for p in t.policies()]
    assert got["requests"] == [plain(q.to_dict()) for q in t.package_requests()]
    assert got["approvals"] == [q.id for q in t.access_panel(u["bob"]).package_approvals]
    assert got["stage"] == 1 and got["pkg"] == "Sales tools"


def test_r15_16_rhai_reaches_the_package_query_as_access_package() -> None:
    """R-15.16 in Rhai: `package` is a reserved word there, so `package(ref)` is called as
    `access_package(ref)`, with the same answer and the same refusal as Python's."""
    t = ssgm.Tenant("c")
    admin = t.add_user("admin@c.com", roles=["global_admin"])
    p = t.create_package(admin, "Sales")
    assert t.run_script('tenant.access_package("Sales").id') == t.package("Sales").id == p.id
    with pytest.raises(ssgm.NotFound) as e:
        t.package("Nope")
    got = t.run_script('let out = (); try { tenant.access_package("Nope"); } catch (e) { out = [e.code, e.message]; } out')
    assert got[0] == e.value.code == "package_not_found" and got[1] in str(e.value)

"""The ssgm pytest plugin (registered by the `pytest11` entry point) and the `ssgm` console
script (registered by `[project.scripts]`): what `pip install .` gives a user.

The plugin's own tests run inner pytest sessions with `pytester`; each names the rule its
fixture or assertion relies on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import ssgm

pytest_plugins = ["pytester"]

GRAPH = Path(__file__).parent.parent / "data" / "graph" / "contoso"
SCRIPTS = Path(__file__).parent.parent.parent / "scripts"


def test_entry_points_are_registered() -> None:
    """Installing ssgm registers the plugin with pytest and the `ssgm` command."""
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert plugins.get("ssgm") == "ssgm.pytest_plugin"
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("ssgm") == "ssgm.__main__:cli"


def test_r2_1_tenant_and_admin_fixtures_load_without_an_import(pytester: pytest.Pytester) -> None:
    """The fixtures need no import or conftest: the entry point loads the plugin. The admin is
    a global admin, so `configure` is allowed (R-2.1); each test gets a new tenant."""
    pytester.makepyfile(
        """
        import ssgm

        def test_admin_configures(tenant, admin):
            assert isinstance(tenant, ssgm.Tenant) and tenant.name == "contoso"
            assert admin.upn == "admin@contoso.com" and admin.roles == ["global_admin"]
            assert tenant.configure(admin, delegated_group_management=True).delegated_group_management
            tenant.add_user("bob@contoso.com")

        def test_each_test_has_its_own_tenant(tenant):
            assert [u.upn for u in tenant.users()] == ["admin@contoso.com"]
            assert not tenant.settings.delegated_group_management
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_r1_4_tenant_from_builds_once_per_session_and_forks_per_test(pytester: pytest.Pytester) -> None:
    """R-1.4: `tenant_from` builds each source once per session and gives every test a fork,
    so one test's changes never reach another's tenant."""
    pytester.makeconftest(
        """
        import ssgm.pytest_plugin as plugin

        BUILDS = []
        _build = plugin.tenant_from_source

        def counting(source, **options):
            BUILDS.append(str(source))
            return _build(source, **options)

        plugin.tenant_from_source = counting
        """
    )
    pytester.makepyfile(
        f"""
        from conftest import BUILDS
        GRAPH = {str(GRAPH)!r}

        def test_a_blocks(tenant_from):
            t = tenant_from(GRAPH)
            t.block("meganb@contoso.com", "Salesforce", "leeg@contoso.com")
            assert not t.has_access("leeg@contoso.com", "Salesforce")

        def test_b_sees_no_block(tenant_from):
            t = tenant_from(GRAPH)
            assert t.has_access("leeg@contoso.com", "Salesforce")
            assert tenant_from(GRAPH) is not t

        def test_c_options_are_another_source(tenant_from):
            t = tenant_from(GRAPH, settings={{"delegated_group_management": True}})
            assert t.settings.delegated_group_management

        def test_z_built_twice_only(tenant_from):
            assert len(BUILDS) == 2, BUILDS
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_r8_4_tenant_from_a_script_and_a_snapshot(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """A `.rhai` script seeds the tenant bound as `tenant`; a snapshot (R-8.4) loads as saved."""
    script = tmp_path / "seed.rhai"
    script.write_text(
        'let admin = tenant.add_user("admin@fabrikam.com", #{ roles: ["global_admin"] });\n'
        'let crm = tenant.create_resource(admin, "CRM");\n'
        'tenant.assign(admin, crm, tenant.add_user("bob@fabrikam.com"));\n'
    )
    snap = tmp_path / "snap.json"
    t = ssgm.Tenant("saved")
    t.add_user("carol@saved.com")
    t.save(snap)
    pytester.makepyfile(
        f"""
        from ssgm.testing import assert_access

        def test_script(tenant_from):
            t = tenant_from({str(script)!r})
            assert t.name == "seed"
            assert_access(t, "bob@fabrikam.com", "CRM")

        def test_snapshot(tenant_from):
            t = tenant_from({str(snap)!r})
            assert (t.name, [u.upn for u in t.users()]) == ("saved", ["carol@saved.com"])
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_r7_4_assert_access_failure_says_why(pytester: pytest.Pytester) -> None:
    """R-7.4, R-7.5, R-7.6, R-7.8: a failed access assertion names the paths, the block, the
    disabled account and the rule."""
    pytester.makepyfile(
        f"""
        from ssgm.pytest_plugin import assert_access, assert_no_access
        GRAPH = {str(GRAPH)!r}

        def test_nested(tenant_from):
            assert_access(tenant_from(GRAPH), "nestorw@contoso.com", "Salesforce")

        def test_disabled(tenant_from):
            assert_access(tenant_from(GRAPH), "johannal@contoso.com", "Workday")

        def test_blocked(tenant_from):
            t = tenant_from(GRAPH)
            t.block("meganb@contoso.com", "Salesforce", "leeg@contoso.com")
            assert_access(t, "leeg@contoso.com", "Salesforce")

        def test_has_access(tenant_from):
            assert_no_access(tenant_from(GRAPH), "lynner@contoso.com", "Salesforce")

        def test_passes(tenant_from):
            t = tenant_from(GRAPH)
            assert assert_access(t, "leeg@contoso.com", "Salesforce").granted
            assert assert_no_access(t, "nestorw@contoso.com", "Salesforce").reason == "nested_group"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=4)
    out = result.stdout.str()
    assert "nestorw@contoso.com (08fa38e4" in out and "has no access to application 'Salesforce'" in out
    assert "member of a nested group: applications reach direct members only (R-7.4)" in out
    assert "the account is disabled (R-7.6)" in out and "paths: johannal@contoso.com (direct); Retail → johannal@contoso.com" in out
    assert "blocked: a block overrides every grant (R-7.5)" in out and "blocked: True, disabled: False" in out
    assert "lynner@contoso.com (e8a02cc7" in out and "paths: Salesforce users → lynner@contoso.com" in out
    assert "assigned to the resource: Salesforce users, gradya@contoso.com" in out


def test_r9_assert_allowed_and_refused_give_code_and_message(pytester: pytest.Pytester) -> None:
    """SPEC §9: a refusal's stable code and its sentence appear in the failure message;
    `check` is a dry run, so the assertions change nothing (R-10.11)."""
    pytester.makepyfile(
        """
        from ssgm.testing import assert_allowed, assert_refused

        def test_allowed_fails(tenant, admin):
            bob = tenant.add_user("bob@contoso.com")
            assert_allowed(tenant, bob, "create_group", "Sales", join_policy="open")

        def test_refused_fails(tenant, admin):
            assert_refused(tenant, admin, "create_group", "Sales")

        def test_wrong_code(tenant, admin):
            bob = tenant.add_user("bob@contoso.com")
            assert_refused(tenant, bob, "create_group", "Sales", code="not_owner")

        def test_passes(tenant, admin):
            bob = tenant.add_user("bob@contoso.com")
            n = len(tenant.audit_log())
            assert assert_allowed(tenant, admin, "create_group", "Sales").allowed
            d = assert_refused(tenant, bob, "create_group", "Sales", code="self_service_disabled")
            assert d.code == "self_service_disabled" and len(tenant.audit_log()) == n
            assert not tenant.groups()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=3)
    out = result.stdout.str()
    assert "bob@contoso.com (u-2) may not create_group('Sales', join_policy='open'): refused with self_service_disabled: " in out
    assert "delegated group management is off" in out
    assert "admin@contoso.com (u-1) may create_group('Sales'): it is allowed" in out
    assert "is refused with self_service_disabled, not not_owner" in out


# ----- the console script ---------------------------------------------------------------------


def ssgm_command() -> str:
    """The `ssgm` command installed beside this interpreter."""
    found = shutil.which("ssgm", path=str(Path(sys.executable).parent))
    assert found, "pip install . (or maturin develop) installs the ssgm command beside python"
    return found


@pytest.mark.parametrize("script", ["delegated_group_management.rhai", "self_service_group_management.rhai"])
def test_console_script_runs_like_python_m_ssgm(script: str, tmp_path: Path) -> None:
    """`ssgm run FILE` is the CLI of `python -m ssgm run FILE`: same output, exit 0."""
    path = str(SCRIPTS / script)
    env = {**os.environ, "HOME": str(tmp_path)}
    cmd = subprocess.run([ssgm_command(), "run", path], capture_output=True, text=True, timeout=300, env=env)
    mod = subprocess.run([sys.executable, "-m", "ssgm", "run", path], capture_output=True, text=True, timeout=300, env=env)
    assert cmd.returncode == 0, cmd.stderr
    assert (cmd.returncode, cmd.stdout, cmd.stderr) == (mod.returncode, mod.stdout, mod.stderr)
    assert cmd.stdout


def test_console_script_reports_errors_with_position(tmp_path: Path) -> None:
    """A failing script exits non-zero with `file:line:column: message` (API.md, Scripting)."""
    bad = tmp_path / "bad.rhai"
    bad.write_text('let t = tenant("x");\nassert(false, "boom");\n')
    env = {**os.environ, "HOME": str(tmp_path)}
    run = subprocess.run([ssgm_command(), "run", str(bad)], capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode != 0 and f"{bad}:2:" in run.stderr and "boom" in run.stderr
    check = subprocess.run([ssgm_command(), "check", str(bad)], capture_output=True, text=True, timeout=300, env=env)
    assert check.returncode == 0, check.stderr

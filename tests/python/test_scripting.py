"""Rhai from Python (API.md "Scripting"): `Tenant.run_script` shares the store with Python,
`ssgm.run_script` runs a standalone script, `python -m ssgm` is the `ssgm` binary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import ssgm
from conftest import World


def test_r8_4_a_script_and_python_see_one_store(w: World) -> None:
    """R-8.4, API.md: with `tenant` bound to the Python tenant, the script's commands land in
    the same history and its handles come back as ids."""
    n = len(w.t.events())
    gid = w.t.run_script('let g = tenant.create_group("alice@contoso.com", "From Rhai"); g')
    assert w.t.group(gid).name == "From Rhai"
    assert w.t.group(gid).created_by == w.alice
    assert len(w.t.events()) == n + 1
    assert w.t.run_script("tenant.users().len()") == len(w.t.users())


def test_r9_refusals_in_scripts_are_script_errors_with_position(w: World) -> None:
    """R-9: an uncaught refusal or a syntax error is a ScriptError `file:line:column: message`."""
    with pytest.raises(ssgm.ScriptError) as e:
        w.t.run_script('\ntenant.create_resource("alice@contoso.com", "App")', path="mine.rhai")
    assert e.value.code == "script_error"
    assert str(e.value).startswith("mine.rhai:2:")
    with pytest.raises(ssgm.ScriptError):
        ssgm.run_script("let = ;")


def test_r9_a_script_catches_a_refusal_by_code(w: World) -> None:
    """R-9 (API.md, Rhai): a refusal thrown in Rhai is a map with its code."""
    code = w.t.run_script(
        'let code = "none";\n'
        'try { tenant.create_resource("alice@contoso.com", "App"); } catch (e) { code = e.code; }\n'
        "code"
    )
    assert code == "not_admin"


def test_r1_1_standalone_run_script_makes_its_own_tenant() -> None:
    """R-1.1, API.md: `ssgm.run_script` runs a script that makes its own tenant, independent
    of every other tenant."""
    value = ssgm.run_script('let t = tenant("x"); t.add_user("a@x.com"); t.users().len()')
    assert value == 1


def test_r9_python_m_ssgm_runs_and_checks_files(tmp_path: Path) -> None:
    """R-9 (script_error), API.md: `python -m ssgm run FILE` exits 0, non-zero with
    file:line:column on error; `check FILE` compiles only."""
    ok = tmp_path / "ok.rhai"
    ok.write_text('let t = tenant("x");\nassert(t.users().len() == 0);\n')
    bad = tmp_path / "bad.rhai"
    bad.write_text("let t = tenant(\"x\");\nassert(false, \"boom\");\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "ssgm", *a], capture_output=True, text=True, timeout=300)  # noqa: E731
    assert run("run", str(ok)).returncode == 0
    failed = run("run", str(bad))
    assert failed.returncode != 0
    assert "bad.rhai:2:" in failed.stdout + failed.stderr
    assert run("check", str(bad)).returncode == 0  # it parses
    assert ssgm.main(["check", str(ok)]) == 0

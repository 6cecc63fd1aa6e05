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


# ----- containment (issue: no script may crash the host, run without end or roam the disk) -----


def test_r9_deep_data_from_a_script_is_a_script_error_not_a_crash(w: World) -> None:
    """SPEC §9 script_error: a value nested 3000 deep once killed the interpreter (SIGSEGV);
    it is refused with the limit named, and the tenant goes on."""
    with pytest.raises(ssgm.ScriptError) as e:
        w.t.run_script("let a = []; for i in 0..3000 { a = [a]; } a")
    assert e.value.code == "script_error"
    assert "nested more than 64 levels" in str(e.value)
    assert w.t.run_script("let a = 1; for i in 0..60 { a = [a]; } a") is not None


def test_r9_sleep_never_panics_and_is_an_ordinary_exception(w: World) -> None:
    """SPEC §9: sleep(1e300) raised PanicException (a BaseException); now a ScriptError."""
    for source in ("sleep(1e300)", "sleep(9223372036854775807)", "sleep(-1.0)"):
        with pytest.raises(ssgm.ScriptError) as e:
            w.t.run_script(source)
        assert "sleep()" in str(e.value)
        assert isinstance(e.value, Exception)


def test_r9_timeout_stops_runaway_scripts(w: World) -> None:
    """SPEC §9 script_error naming the limit: each runaway form stops within its time limit."""
    for source in ("loop { }", "let a = []; loop { a.push(1); }", "loop { tenant.users(); }", "sleep(30)"):
        with pytest.raises(ssgm.ScriptError) as e:
            w.t.run_script(source, timeout=0.5)
        assert "time limit of 0.5 s" in str(e.value) or "operations" in str(e.value), (source, str(e.value))
    assert w.t.run_script("1 + 1", timeout=None) == 2
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ssgm.InvalidArgument) as e2:
            ssgm.run_script("1", timeout=bad)
        assert e2.value.code == "invalid_setting"


def test_r1_3_free_text_from_a_script_is_capped(w: World) -> None:
    """R-1.3: a 64 MB display name no longer goes straight in: text over 1 MiB is refused."""
    n = len(w.t.users())
    with pytest.raises(ssgm.ScriptError) as e:
        w.t.run_script('let s = "x"; for i in 0..21 { s += s; } tenant.add_user("big@contoso.com", #{ display_name: s })')
    assert "longer than the 1048576 bytes" in str(e.value)
    assert len(w.t.users()) == n


def test_r8_4_script_files_stay_inside_allowed_folders(w: World, tmp_path: Path) -> None:
    """StorageError io_error: with no `allow`, a script touches no file; with it, only files
    inside those folders, `..` and links resolved; a refused load never shows the content."""
    target = tmp_path / "t.json"
    with pytest.raises(ssgm.ScriptError) as e:
        w.t.run_script(f"tenant.save({str(target)!r})".replace("'", '"'))
    assert "io_error" in str(e.value) and "may not use files" in str(e.value)
    assert not target.exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    inside = mine / "t.json"
    w.t.run_script(f'tenant.save("{inside}")', allow=[mine])
    assert ssgm.Tenant.load(inside).name == "contoso"
    assert ssgm.run_script(f'load("{inside}").name', allow=[str(mine)]) == "contoso"
    secret = tmp_path / "shadow"
    secret.write_text('"TOP-SECRET"')
    with pytest.raises(ssgm.ScriptError) as e:
        ssgm.run_script(f'load("{mine}/../shadow")', allow=[mine])
    assert "is outside the folders" in str(e.value)
    (mine / "shadow").write_text('"TOP-SECRET"')
    with pytest.raises(ssgm.ScriptError) as e:
        ssgm.run_script(f'load("{mine}/shadow")', allow=[mine])
    assert "corrupt_snapshot" in str(e.value) and "TOP-SECRET" not in str(e.value)
    with pytest.raises(ssgm.StorageError):
        ssgm.run_script("1", allow=[tmp_path / "missing"])


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_r9_ctrl_c_in_the_console_interrupts_the_script_and_keeps_the_state(tmp_path: Path) -> None:
    """Ctrl-C while an input runs stops it and returns to the prompt with the variables kept."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the console on the pseudo-terminal
        os.environ["HOME"] = str(tmp_path)
        os.execv(sys.executable, [sys.executable, "-m", "ssgm", "console", "--timeout", "none"])
    seen = b""

    def read_until(marker: bytes, timeout: float = 60.0) -> bytes:
        nonlocal seen
        end = time.monotonic() + timeout
        while marker not in seen and time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        return seen

    try:
        assert b"ssgm> " in read_until(b"ssgm> ")
        # Each input waits for the prompt that follows the last one, so that the Ctrl-C
        # reaches a running input, not the line editor.
        seen = b""
        os.write(fd, b"let x = 0;\r")
        assert b"ssgm> " in read_until(b"ssgm> ", 10), seen
        seen = b""
        os.write(fd, b"loop { x += 1; }\r")
        assert b"loop" in read_until(b"loop", 10), seen
        time.sleep(1.0)
        os.write(fd, b"\x03")
        assert b"interrupted (Ctrl-C)" in read_until(b"interrupted", 30), seen
        seen = b""
        os.write(fd, b"x > 0\r")
        assert b"=> true" in read_until(b"=> true", 30), seen
        # Ctrl-C at the prompt drops the line typed so far and keeps the session.
        seen = b""
        os.write(fd, b"x = -1")
        assert b"x = -1" in read_until(b"x = -1", 10), seen
        os.write(fd, b"\x03")
        time.sleep(0.5)
        seen = b""
        os.write(fd, b"x > 0\r")
        assert b"=> true" in read_until(b"=> true", 30), seen
        os.write(fd, b":quit\r")
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (OSError, ChildProcessError):
            pass
        os.close(fd)

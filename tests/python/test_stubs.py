"""The hand-written stub python/ssgm/_core.pyi matches the compiled module (API.md, R-10.13:
the types users and type checkers see are the types the face checks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ssgm

STUB_DIR = Path(ssgm.__file__).parent
ALLOWLIST = STUB_DIR.parent.parent / "tests" / "python" / "stubtest_allowlist.txt"


def test_r10_13_stubtest_accepts_the_stub(tmp_path: Path) -> None:
    """R-10.13: `python -m mypy.stubtest ssgm._core` finds no difference."""
    cmd = [sys.executable, "-m", "mypy.stubtest", "ssgm._core"]
    if ALLOWLIST.exists():
        cmd += ["--allowlist", str(ALLOWLIST)]
    # Run in a temporary folder: mypy leaves its cache in the working directory.
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_r10_13_package_exports_everything_of_the_core() -> None:
    """R-10.13: `ssgm` re-exports every public name of `ssgm._core`, and types itself."""
    import ssgm._core as core

    public = {n for n in core.__all__ if not n.startswith("_") or n == "__version__"}
    assert public <= set(ssgm.__all__)
    assert all(getattr(ssgm, n) is getattr(core, n) for n in public)
    assert (STUB_DIR / "py.typed").exists()


def test_r10_13_typed_usage_checks_with_mypy(tmp_path: Path) -> None:
    """R-10.13: code using the API type-checks, and a Group where a user is expected does not."""
    good = tmp_path / "good.py"
    good.write_text(
        "import ssgm\n"
        "t = ssgm.Tenant('x')\n"
        "a = t.add_user('a@x.com', roles=['global_admin'])\n"
        "g = t.create_group(a, 'G', owners=[a])\n"
        "members: list[ssgm.User | ssgm.Group] = t.list_members(a, g)\n"
        "ok: bool = t.has_access(a, 'App') if t.resources() else False\n"
        "when = t.advance(days=1).isoformat()\n"
    )
    bad = tmp_path / "bad.py"
    bad.write_text("import ssgm\nt = ssgm.Tenant('x')\ng = t.create_group('a', 'G')\nt.add_owner('a', g, g)\n")
    run = lambda f: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(f)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    ok = run(good)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ko = run(bad)
    assert ko.returncode != 0 and "add_owner" in ko.stdout
    # with the closed vocabularies: a mistyped kind, setting or role is caught.
    slips = tmp_path / "slips.py"
    slips.write_text(
        "import ssgm\n"
        "t = ssgm.Tenant('x')\n"
        "a = t.add_user('a@x.com', roles=['global_admn'])\n"
        "t.create_group(a, 'G', kind='securty')\n"
        "t.configure(a, delegated_group_managment=True)\n"
        "t.configure(a, max_owners_per_group='ten')\n"
    )
    out = run(slips).stdout
    for line in (3, 4, 5, 6):
        assert f"slips.py:{line}:" in out, out

"""Keeps benches/bench.py from rotting: its quick mode must run, agree and print the table.

It asserts nothing about timings: the benchmark reports targets, it does not enforce them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ssgm  # noqa: F401  (the benchmark must exercise ssgm, not skip it)

BENCH = Path(__file__).resolve().parents[2] / "benches" / "bench.py"


def test_bench_quick_runs_and_prints_the_table(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "all agree" in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if line.startswith("operation"))
    for column in ("ssgm", "pure Python", "casbin", "ratio(s)", "target", "met"):
        assert column in header
    for operation in (
        "has_access by id",
        "has_access by handle",
        "has_access_many",
        "who_has_access",
        "import_directory",
        "memory after build",
    ):
        assert operation in proc.stdout

    results = json.loads(out.read_text())
    assert results["ssgm_available"] is True
    assert results["config"]["quick"] is True
    assert {row["operation"] for row in results["table"]} >= {
        "has_access by id (app)",
        "has_access by handle (app)",
    }

"""Keeps benches/bench.py from rotting: its quick mode must run, agree and print the table,
and its --compare mode must run the ssgm measurements in two interpreters side by side.

It asserts nothing about timings: the benchmark reports targets, it does not enforce them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import ssgm  # noqa: F401  (the benchmark must exercise ssgm, not skip it)

BENCH = Path(__file__).resolve().parents[2] / "benches" / "bench.py"

OPERATIONS = (
    "has_access by id (app",
    "has_access by handle",
    "has_access_many (calls of",
    "has_access_many, 2 threads",
    "who_has_access right after a command",
    "import_directory",
    "peak RSS growth of the import",
)


def run_bench(tmp_path: Path, *extra: str) -> "tuple[str, Dict[str, Any]]":
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "all agree" in proc.stdout
    return proc.stdout, json.loads(out.read_text())


def headers(stdout: str, second: str) -> List[List[str]]:
    """The header rows of the printed tables whose second column is `second`."""
    cells = [[c.strip() for c in line.split(" | ")] for line in stdout.splitlines()]
    return [c for c in cells if len(c) > 2 and c[0] == "operation" and c[1] == second]


def test_bench_quick_runs_and_prints_the_table(tmp_path: Path) -> None:
    stdout, results = run_bench(tmp_path)
    (header,) = headers(stdout, "ssgm")
    for column in ("ssgm", "pure Python", "casbin", "ratio(s)", "target", "met"):
        assert column in header
    for operation in OPERATIONS:
        assert operation in stdout
    assert "PEAK RSS GROWTH" in stdout and "tracemalloc" in stdout  # says which memory it reports

    assert results["ssgm_available"] is True
    assert results["config"]["quick"] is True
    pairs = results["config"]["pairs"]
    assert results["agreement"]["pairs"] > 0
    # the timed pairs are distinct, and ssgm answered them as pure Python did
    assert results["results"]["ssgm"]["answers"] == results["results"]["python"]["answers"]
    assert f"{pairs} distinct" in stdout
    marks = {row["met"] for row in results["table"]}
    assert marks <= {"met", "NOT MET", "met (partial)", "NOT MET (partial)", "n/a", "-"}
    assert marks & {"met", "NOT MET"}
    memory = results["results"]["ssgm"]
    assert memory["rss_method"] in ("VmHWM", "ru_maxrss") and memory["rss_peak_growth"] > 0


def test_bench_quick_compare_with_itself(tmp_path: Path) -> None:
    stdout, results = run_bench(tmp_path, "--compare", sys.executable)
    (compared,) = headers(stdout, "old")
    for column in ("old", "new", "new/old", "per round"):
        assert column in compared
    assert len(headers(stdout, "ssgm")) == 2  # both full tables
    labels = {row["operation"] for row in results["comparison"]}
    assert {"has_access by id", "has_access_many (pairs)", "import_directory", "peak RSS growth of the import"} <= labels
    assert results["results"]["ssgm_old"]["answers"] == results["results"]["ssgm"]["answers"]
    assert results["table_old"] and results["table"]

"""Progress of long calls (from_graph, import_directory): `ssgm.progress()` and
`Tenant.from_graph(progress=True)`; the reports come from the core (R-8.5, R-11.1 are the
calls they follow; nothing about the result changes)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import ssgm

EXPORT = Path(__file__).resolve().parents[1] / "data" / "graph" / "contoso"


def data(n: int) -> dict:
    return {"users": [{"upn": f"u{i}@contoso.com"} for i in range(n)], "groups": [{"name": "All", "members": [f"u{i}@contoso.com" for i in range(n)]}]}


def test_r8_5_a_big_import_reports_its_progress_to_the_callback() -> None:
    """R-8.5: inside `ssgm.progress(cb)`, an import reports (phase, done, total), counting
    up to its total; outside the block nothing is reported and the result is the same."""
    seen: list[tuple[str, int, int]] = []
    t = ssgm.Tenant("big")
    with ssgm.progress(lambda phase, done, total: seen.append((phase, done, total))):
        counts = t.import_directory(data(10_000))
    assert counts["users"] == 10_000
    assert seen and seen[-1] == ("import", 10_001, 10_001)
    assert [d for _, d, _ in seen] == sorted(d for _, d, _ in seen)
    before = len(seen)
    ssgm.Tenant("quiet").import_directory(data(10_000))
    assert len(seen) == before


def test_r11_1_from_graph_progress_true_shows_reading_and_import(capsys: pytest.CaptureFixture[str]) -> None:
    """R-11.1: `from_graph(progress=True)` shows the reading of the export and the import
    (tqdm bars, or counts on stderr without tqdm), and gives the same tenant."""
    t = ssgm.Tenant.from_graph(EXPORT, progress=True)
    err = capsys.readouterr().err
    assert "read" in err and "import" in err
    assert [u.id for u in t.users()] == [u.id for u in ssgm.Tenant.from_graph(EXPORT).users()]


def test_progress_is_per_thread_and_nests() -> None:
    """A block's callback sees only its own thread's calls; an inner block replaces it until
    it ends."""
    outer: list[str] = []
    inner: list[str] = []
    other: list[str] = []

    def elsewhere() -> None:
        ssgm.Tenant("t2").import_directory(data(5000))

    with ssgm.progress(lambda p, d, n: outer.append(p)):
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        with ssgm.progress(lambda p, d, n: inner.append(p)):
            ssgm.Tenant("a").import_directory(data(100))
        ssgm.Tenant("b").import_directory(data(100))
    assert inner == ["import"] and outer == ["import"] and other == []

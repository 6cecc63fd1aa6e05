"""Writes the tables of the docs that come from the core, so they cannot drift:
``docs/reference/codes.md`` (every refusal code, ``ssgm.error_codes()``) and
``docs/reference/settings.md`` (every setting with its default, a new tenant's settings).

Run ``python docs/gen_tables.py`` (``dev/docs.sh`` does); ``--check`` exits 1 when a committed
table differs from what the core says (``tests/python/test_docs.py`` runs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import ssgm

HERE = Path(__file__).parent / "reference"


def codes() -> str:
    rows = ["# Refusal codes", "", "Every refusal raises the exception of its family, whose `.code` is one of these "
            "stable codes (generated from `ssgm.error_codes()`).", "", "| code | exception |", "|---|---|"]
    rows += [f"| `{c}` | `ssgm.{cls.__name__}` |" for c, cls in sorted(ssgm.error_codes().items())]
    return "\n".join(rows) + "\n"


def settings() -> str:
    s = ssgm.Tenant("defaults").settings
    rows = ["# Settings", "", "The tenant-wide settings `configure` changes, with the value of a new tenant "
            "(generated from `ssgm.Tenant(...).settings`).", "", "| setting | type | default |", "|---|---|---|"]
    for k, v in s.to_dict().items():
        rows.append(f"| `{k}` | `{type(v).__name__}` | `{v!r}` |")
    return "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    tables = {"codes.md": codes(), "settings.md": settings()}
    if "--check" in argv:
        stale = [n for n, text in tables.items() if not (HERE / n).exists() or (HERE / n).read_text() != text]
        if stale:
            print("stale (run python docs/gen_tables.py):", ", ".join(stale))
        return 1 if stale else 0
    for n, text in tables.items():
        (HERE / n).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

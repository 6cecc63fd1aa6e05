"""The shipped docs cannot drift from the code: every rule number cited in `src/` is in the
rules reference, and the settings and codes tables are what the core says (R-2.1, SPEC §9)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent


def test_every_rule_cited_in_src_is_in_the_reference() -> None:
    cited = {m for p in (ROOT / "src").rglob("*.rs") for m in re.findall(r"R-\d+\.\d+", p.read_text(encoding="utf-8"))}
    listed = set(re.findall(r"\*\*(R-\d+\.\d+)\*\*", (ROOT / "docs" / "reference" / "rules.md").read_text(encoding="utf-8")))
    assert cited and not cited - listed, sorted(cited - listed)


def test_r9_codes_and_settings_tables_match_the_core() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "docs" / "gen_tables.py"), "--check"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_readme_layout_lists_every_core_module_and_nothing_gone() -> None:
    """README's layout is the house by SPEC area: every module of `src/` is in it, and every
    path it names exists, so a rule is found from the folder list alone."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    named = set(re.findall(r"(src/[A-Za-z0-9_/.]+)", block))
    # Indented lines name the files of the folder above them (src/areas/).
    folder = None
    for line in block.splitlines():
        m = re.match(r"(src/[A-Za-z0-9_/]+/)\s", line)
        if m:
            folder = m.group(1)
        elif folder and (f := re.match(r"  ([a-z_]+(?:\.rs|/))\s", line)):
            named.add(folder + f.group(1))
    assert named, "no paths in README's layout"
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"README's layout names paths that do not exist: {missing}"
    modules = {f"src/{p.name}" if p.is_file() else f"src/{p.name}/" for p in (ROOT / "src").iterdir() if p.name != "lib.rs"}
    areas = ROOT / "src" / "areas"
    modules |= {f"src/areas/{p.name}" if p.is_file() else f"src/areas/{p.name}/" for p in areas.iterdir() if p.name != "mod.rs"}
    unlisted = sorted(m for m in modules if not any(n == m.rstrip("/") or n.startswith(m) for n in named))
    assert not unlisted, f"modules missing from README's layout: {unlisted}"

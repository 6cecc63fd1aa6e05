"""The example notebook `examples/what_if.ipynb` runs from top to bottom and reaches its
answer (R-7.4: the nested member gains Salesforce once a business owner adds him directly,
which delegated group management allows, R-2.2). Needs nbclient, nbformat, ipykernel and
pandas (the `notebooks` extra); skipped without them."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("pandas")

EXAMPLES = Path(__file__).parent.parent.parent / "examples"


def text_of(cell: dict) -> str:
    out = []
    for o in cell.get("outputs", []):
        out.append(o.get("text", ""))
        data = o.get("data", {})
        out.append(data.get("text/plain", ""))
        out.append(data.get("text/html", ""))
    return "\n".join(out)


def test_r2_2_what_if_notebook_executes_and_finds_the_gain() -> None:
    nb = nbformat.read(EXAMPLES / "what_if.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(o.get("output_type") != "error" for c in code for o in c.get("outputs", []))
    texts = [text_of(c) for c in code]
    assert any("self_service_disabled" in t for t in texts)  # the original refuses
    assert any("gained: ['nestorw@contoso.com']" in t and "lost: []" in t for t in texts)
    assert any("member of a nested group: applications reach direct members only" in t for t in texts)
    assert any("Add member to group" in t and "provisioned" in t for t in texts)  # cause_activity

"""The screening engine is core: nothing under corridor.match imports the edges
(store, fetch, sources) or the layers above (services, cli, render, api, web)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MATCH = Path(__file__).resolve().parents[1] / "src" / "corridor" / "match"
FORBIDDEN = ("store", "fetch", "sources", "services", "cli", "render", "api", "web")


def _imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


@pytest.mark.parametrize("path", sorted(MATCH.rglob("*.py")), ids=lambda p: str(p.relative_to(MATCH)))
def test_match_imports_no_higher_layer_nor_edge(path: Path) -> None:
    bad = [m for m in _imports(path) if m.startswith("corridor.") and m.split(".")[1] in FORBIDDEN]
    assert not bad, f"{path.name} imports {bad}"


def test_the_scan_sees_the_modules() -> None:
    names = {p.name for p in MATCH.rglob("*.py")}
    assert {"screener.py", "index.py", "retrieval.py", "algorithm.py", "dates.py"} <= names
    assert "corridor.match.index" in _imports(MATCH / "screener.py")

"""The layering of `src/corridor/`, enforced (docs/architecture.md draws it).

Core (pure, no I/O): types, names, match, trade, intel — with the shared base
modules errors and model.  Edges: sources, store, fetch.  The application layer:
services.  Interfaces: cli, api, web, batch, spark and the render helpers.  A
module may import its own layer and those below it, never one above; the core
imports no edge and reads no settings.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "corridor"

BASE = {"errors", "types", "model", "programs", "_native"}
CORE = {"names", "match", "trade", "intel"}
EDGES = {"sources", "store", "fetch"}
APPLICATION = {"services", "settings", "demo"}
INTERFACES = {"cli", "api", "web", "render", "batch", "spark"}

# what each part may import besides itself
ALLOWED: dict[str, set[str]] = {
    "types": {"errors"},
    "errors": set(),
    "_native": set(),
    "model": {"types", "errors"},
    "programs": set(),
    **{part: BASE | CORE for part in CORE},
    **{part: BASE | CORE | EDGES | {"settings"} for part in EDGES},
    **{part: BASE | CORE | EDGES | APPLICATION for part in APPLICATION},
    **{part: BASE | CORE | EDGES | APPLICATION | INTERFACES for part in INTERFACES},
}


def _part(module: str) -> str | None:
    names = module.split(".")
    if names[0] != "corridor" or len(names) < 2:
        return None
    return names[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every corridor module imported anywhere in the file (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "corridor":  # from corridor import settings
                found.extend((node.lineno, f"corridor.{alias.name}") for alias in node.names)
    return found


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _part_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if rel.parts else ""


def test_every_module_has_a_layer() -> None:
    parts = {_part_of(p) for p in _sources()} - {"__init__"}
    assert parts <= set(ALLOWED), f"modules outside the layer map: {sorted(parts - set(ALLOWED))}"


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_layer_above_its_own(path: Path) -> None:
    own = _part_of(path)
    if own == "__init__":
        return
    allowed = ALLOWED[own] | {own}
    wrong = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        if (part := _part(module)) is not None and part not in allowed
    ]
    assert not wrong, f"{path.relative_to(PACKAGE)} ({own}) imports above its layer: {wrong}"


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    # the scanner itself: an import inside a function is found
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from corridor.store import db\n    import corridor.cli\n")
    assert [m for _, m in _imports(sample)] == ["corridor.store", "corridor.cli"]

"""The compiled screening modules (mypyc): current, and equal to the sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import corridor
from corridor import _native

# Screens the UN list and prints every hit; run once compiled, once from sources.
SCRIPT = r"""
import json, sys
from pathlib import Path
import corridor
from corridor.match import Query, Screener
from corridor.sources import parse

entities = list(parse(Path(sys.argv[1])).entities)
screener = Screener.from_entities(entities)
queries = [e.caption for e in entities[::7]] + [
    "김정은", "Kimjongun", "Ri Yong Gil", "KOMID", "Korea Mining Development Trading", "Mirim Technology",
    "Rostshipservike", "Kim Chol", "Pak Yong Sik", "Cho Il U", "Jang Song Thaek", "(주) 조선상사",
]
out = {"mode": corridor.NATIVE_MODE, "hits": []}
for name in queries:
    for schema in ("Thing", "Person", "LegalEntity"):
        hits = screener.screen(Query(name, schema=schema), threshold=0.5)
        out["hits"].append([name, schema, [[h.entity_id, round(h.score, 9), h.explanation.summary] for h in hits]])
print(json.dumps(out))
"""


def test_mode_decision() -> None:
    assert _native.decide(True, "abc", "abc", pure_requested=False) == "compiled"
    assert _native.decide(True, "abc", "abd", pure_requested=False) == "stale"
    assert _native.decide(True, None, "abc", pure_requested=False) == "stale"
    assert _native.decide(True, "abc", "abc", pure_requested=True) == "interpreted"
    assert _native.decide(False, None, "", pure_requested=False) == "interpreted"


def test_installed_build_is_current() -> None:
    # `make install` rebuilds the extensions when a compiled module changes; a
    # stale build here means the tests would run other code than the sources
    assert corridor.NATIVE_MODE != "stale", "compiled modules are stale: run `make install`"
    if _native.has_extensions() and os.environ.get(_native.PURE_ENV) != "1":
        assert corridor.NATIVE_MODE == "compiled"
        import corridor.match.screener as screener

        assert not screener.__file__ or not screener.__file__.endswith(".py")


def test_source_digest_follows_the_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _native.source_digest()
    copy = tmp_path / "corridor"
    for module in _native.COMPILED:
        target = copy.joinpath(*module.split(".")[1:]).with_suffix(".py")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_native.source_path(module).read_bytes())
    monkeypatch.setattr(_native, "PACKAGE_DIR", copy)
    assert _native.source_digest() == before
    align = copy / "match" / "align.py"
    align.write_text(align.read_text() + "\n# edited\n")
    assert _native.source_digest() != before


def _run(shared_data: Path, pure: bool) -> dict[str, object]:
    env = dict(os.environ)
    env.pop(_native.PURE_ENV, None)
    if pure:
        env[_native.PURE_ENV] = "1"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(shared_data / "un/2026-05-08/consolidated.xml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_compiled_and_interpreted_screen_alike(shared_data: Path) -> None:
    if not _native.has_extensions():
        pytest.skip("not compiled (installed with CORRIDOR_PURE_PYTHON=1): nothing to compare")
    compiled = _run(shared_data, pure=False)
    interpreted = _run(shared_data, pure=True)
    assert (compiled["mode"], interpreted["mode"]) == ("compiled", "interpreted")
    hits = compiled["hits"]
    assert isinstance(hits, list) and len(hits) > 400
    assert sum(1 for _name, _schema, found in hits if found) > 300
    assert hits == interpreted["hits"]

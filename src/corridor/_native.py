"""Compiled or interpreted: which way the screening hot path runs.

`setup.py` compiles the modules in COMPILED with mypyc (typed Python → C
extensions, built beside the sources) and records the digest of their sources in
DIGEST_FILE.  mypyc compiles them as one group whose modules call each other
directly in C, so either all of them run compiled or none does:

  compiled      the extensions exist and were built from the sources as they are
  interpreted   no extensions (CORRIDOR_PURE_PYTHON=1 at install), or
                CORRIDOR_PURE_PYTHON=1 now
  stale         the extensions were built from other sources (a module edited
                since): the sources run, with a warning, until `make install`

This file imports nothing from corridor: `setup.py` runs it before the package
exists.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

COMPILED = (
    "corridor.types.text",
    "corridor.names.legal_forms",
    "corridor.names.korean",
    "corridor.names.cyrillic",
    "corridor.names.korean_cyrillic",
    "corridor.names.scripts",
    "corridor.names.tokens",
    "corridor.match.algorithm",
    "corridor.match.records",
    "corridor.match.terms",
    "corridor.match.align",
    "corridor.match.features.schema",
    "corridor.match.features.dates",
    "corridor.match.features.countries",
    "corridor.match.features.gender",
    "corridor.match.features.identifiers",
    "corridor.match.query",
    "corridor.match.index",
    "corridor.match.retrieval",
    "corridor.match.explain",
    "corridor.match.screener",
)
PACKAGE_DIR = Path(__file__).resolve().parent
DIGEST_FILE = PACKAGE_DIR / "_native.digest"
PURE_ENV = "CORRIDOR_PURE_PYTHON"


def source_path(module: str) -> Path:
    return PACKAGE_DIR.joinpath(*module.split(".")[1:]).with_suffix(".py")


def source_digest() -> str:
    """sha256 over the sources of the compiled modules, in order."""
    digest = hashlib.sha256()
    for module in COMPILED:
        digest.update(module.encode() + b"\0" + source_path(module).read_bytes() + b"\0")
    return digest.hexdigest()


def has_extensions() -> bool:
    """Any compiled module on disk (a module list changed since the build counts too)."""
    return any(
        source_path(module).with_suffix(suffix).exists()
        for module in COMPILED
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
    )


def decide(extensions: bool, recorded: str | None, actual: str, pure_requested: bool) -> str:
    """The mode (see the module docstring) from what is on disk and asked for."""
    if not extensions or pure_requested:
        return "interpreted"
    return "compiled" if recorded == actual else "stale"


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Imports the compiled modules from their .py sources."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in COMPILED:
            return importlib.util.spec_from_file_location(fullname, source_path(fullname))
        return None


def install() -> str:
    """Decide the mode once, at `import corridor`; for interpreted or stale runs
    make the sources win over any extension.  Returns the mode."""
    extensions = has_extensions()
    recorded = DIGEST_FILE.read_text().strip() if DIGEST_FILE.exists() else None
    actual = source_digest() if extensions else ""
    mode = decide(extensions, recorded, actual, os.environ.get(PURE_ENV) == "1")
    if mode == "stale":
        warnings.warn(
            "corridor: the compiled screening modules were built from other sources; "
            "running the sources instead (slower). Rebuild with `make install`.",
            RuntimeWarning,
            stacklevel=2,
        )
    if mode != "compiled" and extensions and not any(isinstance(f, _SourceFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder())
    return mode

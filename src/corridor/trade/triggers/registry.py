"""The trigger-kind registry: each module of `corridor.trade.triggers` registers one
kind (`@register` on its `TriggerKind` subclass).  A new kind is one module here
plus its entry in `packs/pack.schema.json`; nothing else names the kinds.

Modules are imported on first use (`kinds()`), in name order; the order kinds run
in does not matter (reasons are sorted at the end, each kind only adds reasons and
cap charges).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from corridor.trade.triggers.base import TriggerKind

_REGISTRY: dict[str, TriggerKind] = {}
_LOADED = False
_NOT_KINDS = frozenset({"base", "registry"})

K = TypeVar("K", bound="type[TriggerKind]")


def register(cls: K) -> K:
    """Class decorator: one instance of the kind, under its `kind` name."""
    instance = cls()
    if instance.kind in _REGISTRY and type(_REGISTRY[instance.kind]) is not cls:
        raise RuntimeError(f"trigger kind {instance.kind!r} registered twice")
    _REGISTRY[instance.kind] = instance
    return cls


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    from corridor.trade import triggers

    for module in sorted(pkgutil.iter_modules(triggers.__path__), key=lambda m: m.name):
        if module.name not in _NOT_KINDS and not module.name.startswith("_"):
            importlib.import_module(f"{triggers.__name__}.{module.name}")
    _LOADED = True


def kinds() -> Mapping[str, TriggerKind]:
    """Every registered kind, by name."""
    _load()
    return dict(sorted(_REGISTRY.items()))


def get(kind: str) -> TriggerKind:
    _load()
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise KeyError(f"unknown trigger kind {kind!r} (known: {', '.join(sorted(_REGISTRY))})") from None

"""The trade vocabularies are defined once (packs/vocabularies.yaml) and agree with
the rule packs' schema; the trigger kinds are registered one module each and agree
with the schema; trade/ imports nothing from the edges or the interfaces."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from corridor.trade import batch, transaction
from corridor.trade.rules import PACKS_DIR
from corridor.trade.triggers import registry
from corridor.trade.vocabularies import load_vocabularies, vocabularies

SCHEMA: dict[str, Any] = json.loads((PACKS_DIR / "pack.schema.json").read_text(encoding="utf-8"))
TRIGGER = SCHEMA["$defs"]["trigger"]["properties"]
TRADE = Path(transaction.__file__).resolve().parent


def _enum(node: dict[str, Any]) -> list[str]:
    if "$ref" in node:
        return _enum(SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]])
    if "items" in node:
        return _enum(node["items"])
    return list(node["enum"])


@pytest.mark.parametrize(
    ("schema_enum", "vocabulary"),
    [
        (_enum(SCHEMA["$defs"]["evidence_kind"]), "evidence_kinds"),
        (_enum(SCHEMA["$defs"]["service_kind"]), "service_kinds"),
        (_enum(TRIGGER["methods_any"]), "payment_methods"),
        (_enum(TRIGGER["finance_any"]), "finance_kinds"),
    ],
)
def test_schema_enums_agree_with_the_vocabularies(schema_enum: list[str], vocabulary: str) -> None:
    assert schema_enum == list(getattr(vocabularies(), vocabulary))


def test_the_parser_and_the_batch_layout_use_the_vocabularies() -> None:
    v = vocabularies()
    assert v.evidence_kinds == transaction.EVIDENCE_KINDS and v.service_kinds == transaction.SERVICE_KINDS
    assert v.payment_methods == transaction.PAYMENT_METHODS and v.finance_kinds == transaction.FINANCE_KINDS
    assert {f"{k}_ref" for k in v.evidence_kinds} <= set(batch.CSV_TX_COLUMNS)
    assert v.role_groups["receiving"] | v.role_groups["sending"] | v.role_groups["bank"] <= set(v.party_roles)


def test_a_bad_vocabulary_file_names_the_field(tmp_path: Path) -> None:
    from corridor.errors import ParseError

    text = (PACKS_DIR / "vocabularies.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "vocabularies.yaml"
    bad.write_text(text.replace("  - licence\n", "  - Licence\n"), encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_vocabularies(bad)
    assert "evidence_kinds" in info.value.where


def test_every_trigger_kind_has_a_module_and_a_schema_entry() -> None:
    kinds = registry.kinds()
    assert sorted(kinds) == sorted(TRIGGER["kind"]["enum"])
    common = {
        "kind",
        "outcome",
        "explain",
        "applies_from",
        "applies_until",
        "unless_evidence",
        "exemptions",
        "scope",
    }
    declared = set(TRIGGER)
    for name, kind in kinds.items():
        assert kind.fields <= declared, (name, kind.fields - declared)
        assert type(kind).__module__ == f"corridor.trade.triggers.{name}"  # one module per kind
    # every schema field belongs to some kind (or is common)
    assert declared - common == set().union(*(k.fields for k in kinds.values()))


def test_unknown_kind_is_named() -> None:
    with pytest.raises(KeyError, match="unknown trigger kind 'nope'"):
        registry.get("nope")


FORBIDDEN = (
    "corridor.store",
    "corridor.fetch",
    "corridor.sources",
    "corridor.services",
    "corridor.cli",
    "corridor.render",
    "corridor.api",
    "corridor.web",
    "corridor.settings",
    "sqlalchemy",
)


@pytest.mark.parametrize("path", sorted(TRADE.rglob("*.py")), ids=lambda p: str(p.relative_to(TRADE)))
def test_trade_imports_no_edge_or_interface(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
    bad = [n for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)]
    assert not bad, bad

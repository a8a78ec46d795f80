"""The trade vocabularies (`packs/vocabularies.yaml`), loaded and validated once.

Evidence kinds, service kinds, payment methods, finance kinds, party roles and the
other closed word lists exist only in that file: the transaction parser, the CSV
batch columns and the rule packs' schema enums (checked by a test) use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corridor.trade.rules import PACKS_DIR, read_yaml, validate_document


@dataclass(frozen=True, slots=True)
class Vocabularies:
    transaction_types: tuple[str, ...]
    modes: tuple[str, ...]
    party_roles: tuple[str, ...]
    role_groups: dict[str, frozenset[str]]
    party_schemas: tuple[str, ...]
    vessel_roles: tuple[str, ...]
    bank_roles: tuple[str, ...]
    evidence_kinds: tuple[str, ...]
    service_kinds: tuple[str, ...]
    payment_methods: tuple[str, ...]
    finance_kinds: tuple[str, ...]
    payment_for: tuple[str, ...]


def load_vocabularies(path: Path | None = None) -> Vocabularies:
    path = path or PACKS_DIR / "vocabularies.yaml"
    data = read_yaml(path)
    validate_document(path, data, "vocabularies.schema.json")
    return Vocabularies(
        transaction_types=tuple(data["transaction_types"]),
        modes=tuple(data["modes"]),
        party_roles=tuple(data["party_roles"]),
        role_groups={k: frozenset(v) for k, v in data["role_groups"].items()},
        party_schemas=tuple(data["party_schemas"]),
        vessel_roles=tuple(data["vessel_roles"]),
        bank_roles=tuple(data["bank_roles"]),
        evidence_kinds=tuple(data["evidence_kinds"]),
        service_kinds=tuple(data["service_kinds"]),
        payment_methods=tuple(data["payment_methods"]),
        finance_kinds=tuple(data["finance_kinds"]),
        payment_for=tuple(data["payment_for"]),
    )


@lru_cache(maxsize=1)
def vocabularies() -> Vocabularies:
    """The bundled vocabularies."""
    return load_vocabularies()

"""Small helpers shared by several test modules."""

from __future__ import annotations

from typing import Any

from corridor.model import Entity
from corridor.sources.base import ListMeta, ParsedList

ParsedByRef = tuple[ListMeta, dict[str, Entity]]


def by_list_ref(parsed: ParsedList) -> ParsedByRef:
    """A parsed list's entities keyed by the list's own reference (asserted unique)."""
    entities: dict[str, Entity] = {}
    for entity in parsed.entities:
        assert entity.list_ref not in entities
        entities[entity.list_ref] = entity
    return parsed.meta, entities


def capped_transactions(count: int) -> list[dict[str, Any]]:
    """Diesel shipments to the DPRK that exhaust the 2022 cap part way, among others."""
    out = []
    for i in range(count):
        if i % 3 == 0:
            out.append(
                {
                    "id": f"D-{i:04d}",
                    "type": "shipment",
                    "date": f"2022-{1 + i % 12:02d}-15",
                    "origin": "RU",
                    "destination": "KP",
                    "goods": [{"hs_code": "2710.19", "product": "diesel", "quantity": 4000, "unit": "t"}],
                    "evidence": {"notification": f"N-{i}"},
                }
            )
        elif i % 3 == 1:
            out.append(
                {
                    "id": f"C-{i:04d}",
                    "type": "shipment",
                    "date": "2022-11-22",
                    "origin": "KP",
                    "destination": "RU",
                    "parties": [{"name": "Korea Mining Development Trading Corporation", "role": "exporter"}],
                    "goods": [{"hs_code": "8703.23", "description": "cars", "quantity": 2, "unit": "pcs"}],
                }
            )
        else:
            out.append({"id": f"B-{i:04d}", "type": "shipment", "date": "2022-13-45", "destination": "cn"})
    return out

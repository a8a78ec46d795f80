"""Schema compatibility: which listed schemata a query schema may meet.

A Person query never meets a Company; a Thing query meets every schema."""

from __future__ import annotations

COMPATIBLE: dict[str, frozenset[str]] = {
    "Person": frozenset({"Person", "LegalEntity"}),
    "Organization": frozenset({"Organization", "Company", "LegalEntity"}),
    "Company": frozenset({"Company", "Organization", "LegalEntity"}),
    "LegalEntity": frozenset({"Person", "Organization", "Company", "LegalEntity"}),
    "Vessel": frozenset({"Vessel"}),
    "Aircraft": frozenset({"Aircraft"}),
}


def schema_allows(query_schema: str, entity_schema: str) -> bool:
    if query_schema == "Thing":
        return True
    return entity_schema in COMPATIBLE.get(query_schema, frozenset({query_schema}))

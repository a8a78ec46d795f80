"""Small helpers shared by several test modules."""

from __future__ import annotations

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

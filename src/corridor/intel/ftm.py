"""An analysis as FollowTheMoney entities, built and validated by the FtM model.

    Article       the report: title, publishedAt, language, bodyText, sourceUrl, contentHash
    Person / Organization / PublicBody / Company / Vessel
                  each party and vessel named (Vessel with imoNumber), `topics` "sanction"
                  when the screening engine found it on a list, `notes` with the hits
    Airplane      each aircraft: registrationNumber, type, model, manufacturer, country
                  (of its register), operator (the operator's Organization entity)
    Address       each gazetteer place (full, city, country)
    Mention       one per named party, vessel or place: document → Article,
                  resolved → the entity, name, detectedSchema, contextCountry

Entity ids are stable: made from the report's content hash and the fact's key, so the
same report gives the same entities.  `add` goes through FtM's property types, which
clean and reject bad values (a bad country code never reaches the output).

Pure, no I/O.
"""

from __future__ import annotations

from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.util import make_entity_id

from corridor.intel.model import Analysis, Fact

_LANGUAGES = {"en": "eng", "ru": "rus", "ko": "kor"}
_SCHEMA = {
    "Person": "Person",
    "Organization": "Organization",
    "PublicBody": "PublicBody",
    "Company": "Company",
    "LegalEntity": "LegalEntity",
    "Vessel": "Vessel",
}


def _entity(schema: str, *parts: str) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = make_entity_id("corridor-intel", *parts)
    return proxy


def to_ftm(analysis: Analysis) -> list[dict[str, Any]]:
    """The FtM entities of one analysed report (as dicts, `EntityProxy.to_dict()`)."""
    doc = analysis.document
    article = _entity("Article", doc.sha256)
    article.add("title", doc.title)
    article.add("publishedAt", doc.report_date.isoformat())
    article.add("contentHash", doc.sha256)
    article.add("bodyText", doc.text)
    if doc.language in _LANGUAGES:
        article.add("language", _LANGUAGES[doc.language])
    if doc.source.startswith(("http://", "https://")):
        article.add("sourceUrl", doc.source)
    else:
        article.add("fileName", doc.source.rsplit("/", 1)[-1])
    entities: list[EntityProxy] = [article]
    for fact in analysis.facts:
        if fact.kind in ("entity", "vessel"):
            entity = _party(fact, doc.sha256, analysis.screening.get(fact.key, []))
        elif fact.kind == "aircraft":
            entity = _airplane(fact, doc.sha256, analysis)
            _mark_listed(entity, analysis.screening.get(fact.key, []))
        elif fact.kind == "place":
            entity = _entity("Address", doc.sha256, fact.key)
            entity.add("full", fact.label)
            entity.add("country", fact.attrs["country"])
            if "city" in fact.attrs["roles"]:
                entity.add("city", fact.label)
            entity.add("summary", ", ".join(fact.attrs["roles"]))
            article.add("locationMentioned", fact.label)
        else:
            continue
        entities.append(entity)
        mention = _entity("Mention", doc.sha256, fact.key, "mention")
        mention.add("document", article.id)
        mention.add("resolved", entity.id)
        mention.add("name", fact.label)
        mention.add("detectedSchema", entity.schema.name)
        if fact.kind == "place":
            mention.add("contextCountry", fact.attrs["country"])
        entities.append(mention)
        if entity.schema.name == "Person":
            article.add("peopleMentioned", fact.label)
        elif fact.kind == "entity":
            article.add("companiesMentioned", fact.label)
    return [e.to_dict() for e in entities]


def _airplane(fact: Fact, content_hash: str, analysis: Analysis) -> EntityProxy:
    a = fact.attrs
    entity = _entity("Airplane", content_hash, fact.key)
    entity.add("name", fact.label)
    entity.add("registrationNumber", a.get("registration") or None)
    entity.add("type", a.get("type") or None)
    entity.add("model", a.get("type") or None)
    entity.add("manufacturer", a.get("manufacturer") or None)
    entity.add("country", a.get("country") or None)
    operator = str(a.get("operator") or "")
    if operator:
        entity.add("notes", f"operator: {operator}")
        party = next(
            (f for f in analysis.facts if f.kind == "entity" and f.label == operator),
            None,
        )
        if party is not None:  # the operator is one of the report's parties: link to its entity
            entity.add("operator", make_entity_id("corridor-intel", content_hash, party.key))
    return entity


def _party(fact: Fact, content_hash: str, hits: list[Any]) -> EntityProxy:
    schema = _SCHEMA.get(str(fact.attrs.get("schema", "")), "LegalEntity")
    if fact.kind == "vessel":
        schema = "Vessel"
    entity = _entity(schema, content_hash, fact.key)
    entity.add("name", fact.label)
    if fact.kind == "vessel" and fact.attrs.get("imo"):
        entity.add("imoNumber", f"IMO{fact.attrs['imo']}")
    _mark_listed(entity, hits)
    return entity


def _mark_listed(entity: EntityProxy, hits: list[Any]) -> None:
    if hits:
        entity.add("topics", "sanction")
        for hit in hits[:5]:
            entity.add(
                "notes", f"possible list match: {hit.caption} ({hit.entity_id}, score {hit.score:.2f})"
            )

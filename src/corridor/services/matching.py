"""Matching by example: a FollowTheMoney entity (schema and properties, as yente's
`/match` takes it) screened against the active lists.

This is the application layer of the yente dialect; the HTTP layer only parses the
request and renders `EntityMatch` results.  What it does:

- maps the example's properties onto the engine's `Query`: every name property
  (`name`, `alias`, `previousName`, `weakAlias`, or `firstName` … `lastName`
  joined) is screened, and each listed entity keeps its best-scoring name;
  `birthDate`, the first of `nationality` / `citizenship` / `country` /
  `jurisdiction`, `gender`, `imoNumber` and the identifier properties
  (`registrationNumber`, `idNumber`, `passportNumber`, `swiftBic`, `taxNumber`,
  `innCode`, `ogrnCode`, `leiCode`…) qualify it;
- screens at the *cutoff* (results at all) and marks `match` at the *threshold*,
  as yente does (cutoff ≤ threshold; both default to Corridor's calibrated 0.80);
- filters by dataset (the `/match/{dataset}` path, `include_dataset`,
  `exclude_dataset`), schema, topics, `changed_since` and excluded entity ids.

Bad input raises `InputError` naming the field as `queries.KEY.properties.PROP`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, final

from followthemoney import model

from corridor.errors import InputError
from corridor.match.algorithm import DEFAULT
from corridor.match.model import Hit, Query, QueryError
from corridor.match.screener import Screener
from corridor.model import Entity
from corridor.services.catalog import Catalog

# FtM schema (or an ancestor) -> the engine's query schema, most specific first
_SCHEMA_MAP: tuple[tuple[str, str], ...] = (
    ("Person", "Person"),
    ("Vessel", "Vessel"),
    ("Airplane", "Aircraft"),
    ("Company", "Company"),
    ("Organization", "Organization"),
    ("LegalEntity", "LegalEntity"),
)
NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "abbreviation")
NAME_PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction", "mainCountry", "flag")
IDENTIFIER_PROPS = (
    "registrationNumber",
    "idNumber",
    "passportNumber",
    "swiftBic",
    "taxNumber",
    "vatCode",
    "innCode",
    "ogrnCode",
    "okpoCode",
    "kppCode",
    "leiCode",
    "dunsCode",
    "uniqueEntityId",
    "bikCode",
    "mmsi",
    "callSign",
    "serialNumber",
    "registrationNumber",
)
MAX_NAMES = 20  # names screened per example: enough for any real party, bounded work
SEARCH_THRESHOLD = 0.60  # `/search`: a looser net than a match
TOPIC_SANCTION = "sanction"
ALGORITHM_ALIASES = ("best", "default")


def algorithm_names() -> tuple[str, ...]:
    return (DEFAULT.name, *ALGORITHM_ALIASES)


def check_algorithm(name: str | None) -> str:
    """Corridor runs one calibrated algorithm; `best` and `default` (what yente's
    clients send) name it.  Another name is refused rather than silently replaced."""
    if name is None or name in algorithm_names():
        return DEFAULT.name
    known = ", ".join(algorithm_names())
    raise InputError("algorithm", f"unknown algorithm {name!r}; Corridor offers {known}")


@final
@dataclass(frozen=True, slots=True)
class Example:
    """An entity to match, as the client gave it."""

    key: str
    schema: str
    properties: Mapping[str, tuple[str, ...]]
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": self.schema,
            "properties": {k: list(v) for k, v in self.properties.items()},
        }
        if self.id is not None:
            out["id"] = self.id
        return out


def _field(key: str, prop: str = "") -> str:
    return f"queries.{key}.properties.{prop}" if prop else f"queries.{key}"


def parse_example(key: str, raw: object) -> Example:
    """An example from request JSON: `{"schema": …, "properties": {prop: value or [values]}}`."""
    if not isinstance(raw, Mapping):
        raise InputError(_field(key), "must be an object with `schema` and `properties`")
    schema = raw.get("schema")
    if not isinstance(schema, str) or model.get(schema) is None:
        raise InputError(f"queries.{key}.schema", f"unknown FollowTheMoney schema {str(schema)[:60]!r}")
    props = raw.get("properties", {})
    if not isinstance(props, Mapping):
        raise InputError(f"queries.{key}.properties", "must be an object of property: [values]")
    ftm_schema = model.get(schema)
    assert ftm_schema is not None
    out: dict[str, tuple[str, ...]] = {}
    for prop, values in props.items():
        if not isinstance(prop, str):
            raise InputError(_field(key), "property names must be strings")
        if prop not in ftm_schema.properties:
            raise InputError(_field(key, prop), f"is not a property of schema {schema}")
        items = values if isinstance(values, list) else [values]
        cleaned: list[str] = []
        for value in items:
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise InputError(_field(key, prop), "values must be strings")
            text = str(value).strip()
            if text:
                cleaned.append(text)
        if cleaned:
            out[prop] = tuple(dict.fromkeys(cleaned))
    entity_id = raw.get("id")
    return Example(key, schema, out, entity_id if isinstance(entity_id, str) else None)


def query_schema(schema: str) -> str:
    ftm_schema = model.get(schema)
    if ftm_schema is None:
        raise InputError("schema", f"unknown FollowTheMoney schema {schema!r}")
    for ancestor, mapped in _SCHEMA_MAP:
        if ftm_schema.is_a(ancestor):
            return mapped
    return "Thing"


def names_of(example: Example) -> list[str]:
    names: list[str] = []
    for prop in NAME_PROPS:
        names.extend(example.properties.get(prop, ()))
    parts = [example.properties[p][0] for p in NAME_PART_PROPS if example.properties.get(p)]
    if parts:
        names.append(" ".join(parts))
    return list(dict.fromkeys(names))[:MAX_NAMES]


def _first(example: Example, props: Sequence[str]) -> tuple[str, str] | None:
    for prop in props:
        values = example.properties.get(prop)
        if values:
            return prop, values[0]
    return None


def queries_of(example: Example) -> list[Query]:
    """One engine query per name of the example, sharing its qualifiers; InputError
    names the property a bad value came from."""
    from corridor.match.query import validate_birth_date, validate_country, validate_gender, validate_imo
    from corridor.types.identifiers import normalize_identifier

    names = names_of(example)
    if not names:
        raise InputError(_field(example.key), "has no name (name, alias, or firstName/lastName)")
    schema = query_schema(example.schema)

    def checked(prop: str, value: str, check: Any) -> Any:
        try:
            return check(value)
        except QueryError as exc:
            raise InputError(_field(example.key, prop), exc.message) from None

    birth = _first(example, ("birthDate",))
    birth_date = checked("birthDate", birth[1][:10], validate_birth_date) if birth else None
    country_given = _first(example, COUNTRY_PROPS)
    country = checked(country_given[0], country_given[1], validate_country) if country_given else None
    gender_given = _first(example, ("gender",))
    gender = checked("gender", gender_given[1], validate_gender) if gender_given else None
    imo: str | None = None
    for value in example.properties.get("imoNumber", ()):
        imo = checked("imoNumber", value.upper().removeprefix("IMO").strip(), validate_imo)
        break
    identifiers: list[str] = []
    for prop in dict.fromkeys(IDENTIFIER_PROPS):
        for value in example.properties.get(prop, ()):
            # a value too short to identify anything says nothing: left out, not refused
            if len(normalize_identifier(value)) >= 4:
                identifiers.append(value)
    return [
        Query(
            name=name,
            schema=schema,
            birth_date=birth_date,
            country=country,
            imo=imo,
            identifiers=list(dict.fromkeys(identifiers)),
            gender=gender,
            id=example.id,
        )
        for name in names
    ]


@final
@dataclass(frozen=True, slots=True)
class MatchOptions:
    """`/match` parameters (yente's names)."""

    limit: int = 5
    threshold: float = DEFAULT.threshold
    cutoff: float | None = None  # results at all; None: the threshold
    algorithm: str = DEFAULT.name
    datasets: frozenset[str] = frozenset()  # list keys searched (the path dataset resolved)
    include_datasets: frozenset[str] = frozenset()
    exclude_datasets: frozenset[str] = frozenset()
    exclude_schema: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    changed_since: str | None = None  # ISO date or timestamp
    exclude_entity_ids: frozenset[str] = frozenset()

    @property
    def floor(self) -> float:
        return min(self.cutoff if self.cutoff is not None else self.threshold, self.threshold)


@final
@dataclass(slots=True)
class EntityMatch:
    """One result: the listed entity, its score and whether it is a match."""

    hit: Hit
    entity: Entity | None  # the full record (None if it left the store meanwhile)
    match: bool
    names_screened: int


@final
@dataclass(slots=True)
class ExampleResult:
    example: Example
    results: list[EntityMatch] = field(default_factory=list)
    total: int = 0


def _allowed(hit: Hit, catalog: Catalog, options: MatchOptions, excluded: frozenset[str]) -> bool:
    source = hit.list
    if options.datasets and source not in options.datasets:
        return False
    if options.include_datasets and source not in options.include_datasets:
        return False
    if source in options.exclude_datasets:
        return False
    if hit.entity_id in excluded:
        return False
    if options.exclude_schema and _schema_excluded(hit.schema, options.exclude_schema):
        return False
    if options.topics and TOPIC_SANCTION not in options.topics:
        return False
    if options.changed_since:
        dates = catalog.dates(hit.entity_id)
        if dates is None or dates.last_change[: len(options.changed_since)] < options.changed_since:
            return False
    return True


def _schema_excluded(schema: str, excluded: frozenset[str]) -> bool:
    from corridor.sources.ftm_json import EXPORT_SCHEMA

    ftm_schema = model.get(EXPORT_SCHEMA.get(schema, schema))
    return schema in excluded or (ftm_schema is not None and any(ftm_schema.is_a(s) for s in excluded))


def _excluded_ids(catalog: Catalog, ids: Iterable[str]) -> frozenset[str]:
    return frozenset(catalog.resolve(i) or i for i in ids)


def match(
    screener: Screener, catalog: Catalog, examples: Sequence[Example], options: MatchOptions
) -> list[ExampleResult]:
    """Screen each example against `screener` (the index `catalog` describes); results
    best first, at most `options.limit` each."""
    excluded = _excluded_ids(catalog, options.exclude_entity_ids)
    # ask the engine for more than the limit: filters may drop some of its hits
    wanted = max(options.limit * 4, options.limit + len(excluded) + 20)
    out: list[ExampleResult] = []
    for example in examples:
        queries = queries_of(example)
        best: dict[str, Hit] = {}
        for query in queries:
            try:
                found = screener.screen(query, options.floor, wanted)
            except QueryError as exc:
                raise InputError(_field(example.key, "name"), f"{query.name[:60]!r}: {exc.message}") from None
            for hit in found:
                current = best.get(hit.entity_id)
                if current is None or hit.score > current.score:
                    best[hit.entity_id] = hit
        hits = sorted(
            (h for h in best.values() if _allowed(h, catalog, options, excluded)),
            key=lambda h: (-h.score, h.entity_id),
        )
        shown = hits[: options.limit]
        records = catalog.entities(h.entity_id for h in shown)
        result = ExampleResult(example, total=len(hits))
        for hit in shown:
            result.results.append(
                EntityMatch(hit, records.get(hit.entity_id), hit.score >= options.threshold, len(queries))
            )
        out.append(result)
    return out


def search(
    screener: Screener,
    catalog: Catalog,
    text: str,
    *,
    schema: str = "Thing",
    datasets: frozenset[str] = frozenset(),
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[EntityMatch], int]:
    """Entities whose names resemble `text` (a looser net than `match`), with the total."""
    mapped = query_schema(schema) if schema != "Thing" else "Thing"
    try:
        hits = screener.screen(Query(name=text, schema=mapped), SEARCH_THRESHOLD, offset + limit + 100)
    except QueryError as exc:
        raise InputError("q", exc.message) from None
    allowed = [h for h in hits if not datasets or h.list in datasets]
    page = allowed[offset : offset + limit]
    records = catalog.entities(h.entity_id for h in page)
    return [EntityMatch(h, records.get(h.entity_id), h.score >= DEFAULT.threshold, 1) for h in page], len(
        allowed
    )

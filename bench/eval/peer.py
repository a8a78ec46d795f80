"""The peer: nomenklatura's `logic-v2` matcher (what yente's /match uses), in-process.

`LogicV2.compare(query, candidate, config)` scores one pair of FollowTheMoney
entity proxies in [0, 1]; yente reports a match at score >= 0.70
(`yente.settings.SCORE_THRESHOLD`).  Config is `LogicV2.default_config()`: the
algorithm's own defaults (nm_extra_query_name 0.8, nm_family_name_weight 1.3...).

Our `Entity` is converted to FtM properties here: primary name -> name, alias ->
alias, weak alias -> weakAlias, former -> previousName, birth dates, nationality,
country, gender and identifiers (imoNumber, mmsi, passportNumber, idNumber,
taxNumber/innCode, registrationNumber/ogrnCode, swiftBic).

nomenklatura caches a proxy's parsed names by proxy id (functools.lru_cache on
`entity_names`), so every query proxy gets a unique id.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from corridor.model import Entity, NameKind

THRESHOLD = 0.70  # yente.settings.SCORE_THRESHOLD

_SCHEMA = {"Aircraft": "Airplane", "Thing": "LegalEntity"}
_NAME_PROP = {
    NameKind.PRIMARY: "name",
    NameKind.ALIAS: "alias",
    NameKind.WEAK_ALIAS: "weakAlias",
    NameKind.FORMER: "previousName",
}
_ids = itertools.count()


def _add(proxy: EntityProxy, prop: str, value: str) -> None:
    if value and prop in proxy.schema.properties:
        proxy.add(prop, value, quiet=True, cleaned=False)


def entity_proxy(entity: Entity) -> EntityProxy:
    proxy = model.make_entity(_SCHEMA.get(entity.schema, entity.schema))
    proxy.id = entity.id
    for name in entity.names:
        _add(proxy, _NAME_PROP[name.kind], name.full)
    for date in entity.birth_dates:
        _add(proxy, "birthDate", date.start)
        if date.end:
            _add(proxy, "birthDate", date.end)
    for code in entity.nationalities:
        _add(proxy, "nationality", code)
    for code in entity.countries:
        _add(proxy, "country", code)
    if entity.gender:
        _add(proxy, "gender", entity.gender)
    for ident in entity.identifiers:
        value = ident.value
        digits = re.sub(r"\D", "", value)
        if ident.type == "imo":
            _add(proxy, "imoNumber", f"IMO{digits}")
        elif ident.type == "mmsi":
            _add(proxy, "mmsi", value)
        elif ident.type == "passport":
            _add(proxy, "passportNumber", value)
        elif ident.type == "national_id":
            _add(proxy, "idNumber", value)
        elif ident.type == "tax_id":
            _add(proxy, "taxNumber", value)
            if ident.country == "ru" and len(digits) in (10, 12):
                _add(proxy, "innCode", digits)
        elif ident.type == "registration":
            _add(proxy, "registrationNumber", value)
            if ident.country == "ru" and len(digits) in (13, 15):
                _add(proxy, "ogrnCode", digits)
        elif ident.type == "swift":
            _add(proxy, "swiftBic", value)
    return proxy


def query_proxy(query: dict[str, str], with_birth_date: bool = True) -> EntityProxy:
    proxy = model.make_entity(_SCHEMA.get(query.get("schema", "Thing"), query.get("schema", "Thing")))
    proxy.id = f"query-{next(_ids)}"
    _add(proxy, "name", query["name"])
    if with_birth_date and query.get("birth_date"):
        _add(proxy, "birthDate", query["birth_date"])
    if query.get("country"):
        _add(proxy, "country", query["country"])
    if query.get("imo"):
        _add(proxy, "imoNumber", "IMO" + re.sub(r"\D", "", query["imo"]))
    return proxy


def name_proxy(name: str, schema: str) -> EntityProxy:
    """A proxy with one name only, for name-pair timing against `compare`."""
    return query_proxy({"name": name, "schema": schema})


class LogicV2Scorer:
    """Scores query/candidate pairs with logic-v2, caching candidate proxies."""

    def __init__(self, entities: dict[str, Entity]) -> None:
        from nomenklatura.matching import LogicV2

        self.algorithm = LogicV2
        self.config = LogicV2.default_config()
        self.entities = entities
        self._proxies: dict[str, EntityProxy] = {}

    def candidate(self, entity_id: str) -> EntityProxy:
        proxy = self._proxies.get(entity_id)
        if proxy is None:
            proxy = self._proxies[entity_id] = entity_proxy(self.entities[entity_id])
        return proxy

    def score(self, query: EntityProxy, candidate: EntityProxy) -> float:
        return float(self.algorithm.compare(query, candidate, self.config).score)

    def warm_up(self) -> None:
        """The first cross-script comparison loads transliteration data (seconds)."""
        probe = entity_proxy(Entity(id="warm-up", source="bench", schema="Person"))
        probe.add("name", "KIM JONG UN")
        for name in ("김정은", "Ким Чен Ын", "Kim Jong Un"):
            self.score(name_proxy(name, "Person"), probe)

    def version(self) -> str:
        from importlib.metadata import version

        return version("nomenklatura")

    def describe(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm.NAME, "threshold": THRESHOLD, "nomenklatura": self.version()}

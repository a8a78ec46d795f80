"""OpenRefine reconciliation (W3C API 0.2) at /reconcile/{dataset}: every response
validated against JSON Schemas written from the specification
(tests/schemas/reconcile/), queries form-encoded and JSON, roles, batch limits,
one audit record per query call, and a preview page that escapes list data."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from corridor.services import audit, keys, lists
from corridor.store import db, queries

SCHEMAS = Path(__file__).parent / "schemas" / "reconcile"
HOSTILE = "<img src=x onerror=alert(1)> Ryonbong Trading"


def validate(document: Any, name: str) -> None:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())


class Site:
    def __init__(self, client: TestClient, engine: db.Engine, made: dict[str, str]) -> None:
        self.client = client
        self.engine = engine
        self.keys = made

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"ApiKey {self.keys[role]}"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[Site]:
    from corridor import settings
    from corridor.api.app import create_app

    home = tmp_path_factory.mktemp("reconcile")
    saved = os.environ.get("CORRIDOR_HOME")
    os.environ["CORRIDOR_HOME"] = str(home)
    url = f"sqlite:///{home / 'corridor.db'}"
    engine = db.engine(url)
    lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    hostile = home / "hostile.jsonl"
    hostile.write_text(
        json.dumps(
            {
                "id": "hostile-1",
                "schema": "Company",
                "properties": {"name": [HOSTILE]},
                "datasets": ["recon_test"],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    lists.import_path(engine, hostile, "ftm")
    made = {role.value: keys.create(engine, f"recon-{role.value}", role).secret for role in keys.ROLE_ORDER}
    app = create_app(url, home=home)
    with TestClient(app) as client:
        deadline = time.monotonic() + 120
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        yield Site(client, engine, made)
    if saved is None:
        os.environ.pop("CORRIDOR_HOME", None)
    else:
        os.environ["CORRIDOR_HOME"] = saved
    settings.reload()


def _un_person(engine: db.Engine) -> tuple[str, str, str | None]:
    """A UN-listed DPRK person from the store: (id, a Latin name, birth year)."""
    for entity in queries.iter_active_entities(engine):
        if entity.source == "un" and entity.schema == "Person" and entity.list_ref.startswith("KPi."):
            name = next((n.full for n in entity.names if n.full.isascii() and len(n.full.split()) >= 2), None)
            if name:
                year = entity.birth_dates[0].start[:4] if entity.birth_dates else None
                return entity.id, name, year
    raise AssertionError("no UN DPRK person in the store")


def test_the_manifest(site: Site) -> None:
    answer = site.client.get("/reconcile/default", headers=site.h("viewer"))
    assert answer.status_code == 200
    manifest = answer.json()
    validate(manifest, "manifest")
    assert {t["id"] for t in manifest["defaultTypes"]} >= {"Person", "Company", "Vessel"}
    assert manifest["suggest"]["entity"]["service_url"].endswith("/reconcile/default")


def test_queries_form_encoded_as_openrefine_sends_them(site: Site) -> None:
    entity_id, name, _year = _un_person(site.engine)
    batch = {
        "q0": {"query": name, "type": "Person", "limit": 3},
        "q1": {"query": "Nobody Atall Zzyzx", "type": "Person"},
    }
    before = audit.head(site.engine).seq
    answer = site.client.post(
        "/reconcile/default", data={"queries": json.dumps(batch)}, headers=site.h("screener")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    validate(body, "reconciliation-result-batch")
    top = body["q0"]["result"][0]
    assert top["id"] == entity_id and top["match"] is True and top["score"] >= 80
    assert len(body["q0"]["result"]) <= 3 and body["q1"]["result"] == []
    # one record for the call, naming every candidate
    assert audit.head(site.engine).seq == before + 1
    (record,) = audit.tail(site.engine, 1)
    assert record.summary["endpoint"] == "/reconcile/default" and record.summary["queries"] == 2
    assert {h["entity_id"] for h in record.summary["hits"]} >= {entity_id}


def test_queries_as_json_with_properties_that_narrow(site: Site) -> None:
    entity_id, name, year = _un_person(site.engine)
    if year is None:
        pytest.skip("the chosen entity has no birth date")
    wrong = str(int(year) - 30)
    batch = {
        "right": {"query": name, "type": "Person", "properties": [{"pid": "birthDate", "v": year}]},
        "wrong": {"query": name, "type": "Person", "properties": [{"pid": "Person:birthDate", "v": wrong}]},
    }
    answer = site.client.post("/reconcile/un", json={"queries": batch}, headers=site.h("screener")).json()
    validate(answer, "reconciliation-result-batch")
    right = next(c for c in answer["right"]["result"] if c["id"] == entity_id)
    wrong_score = next((c["score"] for c in answer["wrong"]["result"] if c["id"] == entity_id), 0.0)
    assert right["score"] > wrong_score  # a birth date 30 years off costs
    assert any(f["id"] == "birth_date" for f in right["features"])


def test_queries_as_a_get_parameter(site: Site) -> None:
    _entity_id, name, _year = _un_person(site.engine)
    answer = site.client.get(
        "/reconcile/default",
        params={"queries": json.dumps({"q": {"query": name}})},
        headers=site.h("screener"),
    )
    assert answer.status_code == 200
    validate(answer.json(), "reconciliation-result-batch")


def test_roles_and_bad_input(site: Site) -> None:
    batch = json.dumps({"q": {"query": "Kim"}})
    assert site.client.post("/reconcile/default", data={"queries": batch}).status_code == 401
    assert site.client.get("/reconcile/default").status_code == 401
    assert (
        site.client.post("/reconcile/default", data={"queries": batch}, headers=site.h("viewer")).status_code
        == 403
    )
    before = audit.head(site.engine).seq
    too_many = json.dumps({f"q{i}": {"query": "Kim"} for i in range(101)})
    answer = site.client.post("/reconcile/default", data={"queries": too_many}, headers=site.h("screener"))
    assert answer.status_code == 400 and "limit is 100" in answer.json()["detail"]
    answer = site.client.post("/reconcile/default", data={"queries": "{not json"}, headers=site.h("screener"))
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["detail"]
    answer = site.client.post(
        "/reconcile/default",
        data={"queries": json.dumps({"q": {"query": "Kim", "type": "Starship"}})},
        headers=site.h("screener"),
    )
    assert answer.status_code == 400 and "queries.q.type" in answer.json()["detail"]
    assert site.client.get("/reconcile/nowhere", headers=site.h("viewer")).status_code == 404
    assert audit.head(site.engine).seq == before


def test_suggest_entity_type_and_property(site: Site) -> None:
    entity_id, name, _year = _un_person(site.engine)
    entities = site.client.get(
        "/reconcile/default/suggest/entity", params={"prefix": name}, headers=site.h("viewer")
    ).json()
    validate(entities, "suggest-response")
    assert entity_id in {e["id"] for e in entities["result"]}
    kinds = site.client.get(
        "/reconcile/default/suggest/type", params={"prefix": "pers"}, headers=site.h("viewer")
    ).json()
    validate(kinds, "suggest-response")
    assert [k["id"] for k in kinds["result"]] == ["Person"]
    props = site.client.get(
        "/reconcile/default/suggest/property", params={"prefix": "birth"}, headers=site.h("viewer")
    ).json()
    validate(props, "suggest-response")
    assert "birthDate" in {p["id"] for p in props["result"]}


def test_data_extension_and_proposed_properties(site: Site) -> None:
    entity_id, _name, year = _un_person(site.engine)
    proposed = site.client.get(
        "/reconcile/default/extend/property", params={"type": "Person"}, headers=site.h("viewer")
    ).json()
    validate(proposed, "propose-properties-response")
    assert "nationality" in {p["id"] for p in proposed["properties"]}
    extend = {
        "ids": [entity_id, "no-such-entity"],
        "properties": [{"id": "birthDate"}, {"id": "nationality"}],
    }
    answer = site.client.post(
        "/reconcile/default", data={"extend": json.dumps(extend)}, headers=site.h("viewer")
    ).json()
    validate(answer, "data-extension-response")
    assert [m["id"] for m in answer["meta"]] == ["birthDate", "nationality"]
    if year:
        assert any(v["str"].startswith(year) for v in answer["rows"][entity_id]["birthDate"])
    assert answer["rows"]["no-such-entity"] == {"birthDate": [], "nationality": []}


def test_the_preview_page_escapes_list_data(site: Site) -> None:
    answer = site.client.get(
        "/reconcile/default/preview", params={"id": "ftm:hostile-1"}, headers=site.h("viewer")
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "<img" not in answer.text and "&lt;img src=x onerror=alert(1)&gt;" in answer.text
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert (
        site.client.get(
            "/reconcile/default/preview", params={"id": "nope"}, headers=site.h("viewer")
        ).status_code
        == 404
    )

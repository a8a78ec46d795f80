"""The HTTP API through FastAPI's test client, on SQLite and PostgreSQL: every
endpoint and role boundary, yente's request and response shapes, bad input
refused with the right status and nothing written, and the audit trail."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from corridor.services import audit, keys, lists
from corridor.services.keys import PERMISSIONS, ROLE_ORDER, Permission, minimum_role
from corridor.store import db, queries
from corridor.store.schema_audit import POSTGRES_TRIGGERS, SQLITE_TRIGGERS

ROOT = Path(__file__).resolve().parents[1]
UN_OLD = "un/2026-02-27/consolidated.xml"
OFAC_SDN = "ofac/sdn_csv_only_2024-05-03"


@dataclass
class Api:
    client: TestClient
    engine: Engine
    keys: dict[str, str]  # role -> key
    home: Path

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"ApiKey {self.keys[role]}"}


def _match_body(name: str, schema: str = "Person", **props: list[str]) -> dict[str, Any]:
    return {"queries": {"q1": {"schema": schema, "properties": {"name": [name], **props}}}}


def _store_url(kind: str, tmp: Path, postgres: str | None) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'corridor.db'}", None
    assert postgres is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{postgres}{sep}options=-csearch_path%3D{schema}", drop


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[Api]:
    from corridor import settings
    from corridor.api.app import create_app

    postgres = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    home = tmp_path_factory.mktemp(f"api-{request.param}")
    url, drop = _store_url(request.param, home, postgres)
    saved = os.environ.get("CORRIDOR_HOME")
    os.environ["CORRIDOR_HOME"] = str(home)
    settings.reload()
    engine = db.engine(url)
    lists.import_path(engine, shared_data / UN_OLD)
    lists.import_path(engine, shared_data / OFAC_SDN)
    made = {role.value: keys.create(engine, f"api-{role.value}", role).secret for role in ROLE_ORDER}
    app = create_app(url, home=home)
    try:
        with TestClient(app) as client:
            deadline = time.monotonic() + 180
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the index did not load"
                time.sleep(0.2)
            yield Api(client, engine, made, home)
    finally:
        if saved is None:
            os.environ.pop("CORRIDOR_HOME", None)
        else:
            os.environ["CORRIDOR_HOME"] = saved
        settings.reload()
        if drop is not None:
            engine.dispose()
            drop()


def _scenario() -> list[dict[str, Any]]:
    import yaml

    data = yaml.safe_load((ROOT / "examples/corridor-2022.yaml").read_text(encoding="utf-8"))
    return list(data["transactions"])


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))  # YAML dates as the ISO text a client sends


# every endpoint with the permission it needs and a valid request
ENDPOINTS: list[tuple[str, str, Permission, dict[str, Any]]] = [
    ("POST", "/match/default", Permission.SCREEN, {"json": _match_body("Kim Jong Un")}),
    ("GET", "/search/default?q=Kim%20Jong%20Un", Permission.READ_LISTS, {}),
    ("GET", "/entities/ofac-20157", Permission.READ_LISTS, {}),
    ("GET", "/catalog", Permission.READ_LISTS, {}),
    ("GET", "/algorithms", Permission.READ_LISTS, {}),
    ("POST", "/screen", Permission.SCREEN, {"json": {"queries": [{"name": "Kim Jong Un"}]}}),
    (
        "POST",
        "/compare",
        Permission.SCREEN,
        {"json": {"pairs": [{"name1": "Kim Jong Un", "name2": "김정은"}]}},
    ),
    ("POST", "/check", Permission.CHECK, {"json": {"transactions": [_as_json(_scenario()[0])]}}),
    ("GET", "/ledger", Permission.READ_LEDGER, {}),
    ("GET", "/rules", Permission.READ_LISTS, {}),
    ("GET", "/rules/UN-2397-5", Permission.READ_LISTS, {}),
    ("GET", "/hs?q=diesel", Permission.READ_LISTS, {}),
    ("GET", "/lists", Permission.READ_LISTS, {}),
    ("GET", "/lists/un/versions", Permission.READ_LISTS, {}),
    ("GET", "/portfolio", Permission.ALERTS_READ, {}),
    ("GET", "/alerts?state=open&sort=score", Permission.ALERTS_READ, {}),
    ("GET", "/monitor/last", Permission.ALERTS_READ, {}),
    ("POST", "/monitor/run", Permission.PORTFOLIO, {"json": {"full": True}}),
    ("GET", "/keys", Permission.KEYS_MANAGE, {}),
    ("GET", "/audit/verify", Permission.AUDIT_READ, {}),
    ("GET", "/audit/tail", Permission.AUDIT_READ, {}),
    ("GET", "/audit/export", Permission.AUDIT_READ, {}),
]


def _call(api: Api, method: str, path: str, extra: dict[str, Any], headers: dict[str, str] | None) -> Any:
    return api.client.request(method, path, headers=headers or {}, **extra)


def test_health_probes_need_no_key(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "permission", "extra"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_every_endpoint_refuses_no_key_and_a_bad_key(
    api: Api, method: str, path: str, permission: Permission, extra: dict[str, Any]
) -> None:
    for headers in (
        None,
        {"Authorization": "ApiKey cor_000000000000_" + "A" * 43},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ):
        answer = _call(api, method, path, extra, headers)
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.json()["code"] == "unauthorized"
        assert answer.headers.get("www-authenticate") == "ApiKey"


@pytest.mark.parametrize(
    ("method", "path", "permission", "extra"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_every_endpoint_answers_its_role_and_refuses_the_role_below(
    api: Api, method: str, path: str, permission: Permission, extra: dict[str, Any]
) -> None:
    needed = minimum_role(permission)
    answer = _call(api, method, path, extra, api.h(needed.value))
    assert answer.status_code == 200, answer.text
    if needed.rank > 0:
        below = ROLE_ORDER[needed.rank - 1]
        assert permission not in PERMISSIONS[below]
        refused = _call(api, method, path, extra, api.h(below.value))
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
        assert needed.value in refused.json()["detail"]


def test_bearer_is_accepted_as_well(api: Api) -> None:
    answer = api.client.get("/catalog", headers={"Authorization": f"Bearer {api.keys['viewer']}"})
    assert answer.status_code == 200


def _kim_jong_un_ids(engine: Engine) -> set[str]:
    """The active records named Kim Jong Un on the lists (read from the store, not assumed)."""
    found = set()
    for entity in queries.iter_active_entities(engine):
        for name in entity.names:
            words = sorted(name.full.casefold().replace(",", " ").split())
            if words == ["jong", "kim", "un"]:
                found.add(entity.id)
    return found


def test_match_finds_kim_jong_un_from_hangul_in_yentes_shape(api: Api) -> None:
    expected = _kim_jong_un_ids(api.engine)
    assert expected, "the OFAC snapshot lists Kim Jong Un"
    answer = api.client.post(
        "/match/default", json=_match_body("김정은", birthDate=["1984-01-08"]), headers=api.h("screener")
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["limit"] == 5 and answer.headers["x-batch-size"] == "1"
    response = body["responses"]["q1"]
    assert response["status"] == 200
    assert response["query"] == {
        "schema": "Person",
        "properties": {"name": ["김정은"], "birthDate": ["1984-01-08"]},
    }
    assert response["total"]["relation"] == "eq" and response["total"]["value"] >= len(response["results"])
    top = response["results"][0]
    for field in (
        "id",
        "caption",
        "schema",
        "properties",
        "datasets",
        "referents",
        "target",
        "first_seen",
        "last_seen",
        "last_change",
        "score",
        "match",
        "features",
        "explanations",
    ):
        assert field in top, field
    assert set(top["referents"]) & expected
    assert top["match"] is True and top["score"] >= 0.8
    assert top["explanations"]["name"]["query_name"] == "김정은"
    assert {p["method"] for p in top["explanations"]["name"]["parts"]} == {"korean-romanization"}
    assert top["features"]["birth_date"] > 0  # the date moved the score, and says so


def test_match_limit_threshold_cutoff_and_filters(api: Api) -> None:
    h = api.h("screener")
    body = _match_body("Kim Jong")
    loose = api.client.post("/match/default?cutoff=0.5&limit=20", json=body, headers=h).json()["responses"][
        "q1"
    ]
    results = loose["results"]
    assert len(results) >= 2
    assert all(
        r["match"] == (r["score"] >= 0.8) for r in results
    )  # match at the threshold, shown from the cutoff
    assert any(not r["match"] for r in results)
    one = api.client.post("/match/default?cutoff=0.5&limit=1", json=body, headers=h).json()["responses"]["q1"]
    assert (
        len(one["results"]) == 1
        and one["results"][0]["id"] == results[0]["id"]
        and one["total"]["value"] == loose["total"]["value"]
    )
    strict = api.client.post("/match/default?threshold=0.999", json=body, headers=h).json()["responses"]["q1"]
    assert all(r["score"] >= 0.999 for r in strict["results"])
    first = results[0]
    excluded = api.client.post(
        f"/match/default?cutoff=0.5&limit=20&exclude_entity_ids={first['id']}", json=body, headers=h
    ).json()["responses"]["q1"]
    assert first["id"] not in {r["id"] for r in excluded["results"]}
    only_un = api.client.post(
        "/match/default?cutoff=0.5&limit=20&include_dataset=un", json=body, headers=h
    ).json()["responses"]["q1"]
    assert all(r["datasets"] == ["un"] for r in only_un["results"])
    no_un = api.client.post(
        "/match/default?cutoff=0.5&limit=20&exclude_dataset=un", json=body, headers=h
    ).json()["responses"]["q1"]
    assert all("un" not in r["datasets"] for r in no_un["results"])
    path_un = api.client.post("/match/un?cutoff=0.5&limit=20", json=body, headers=h).json()["responses"]["q1"]
    assert {r["id"] for r in path_un["results"]} == {r["id"] for r in only_un["results"]}
    no_people = api.client.post(
        "/match/default?cutoff=0.5&limit=20&exclude_schema=Person", json=body, headers=h
    ).json()["responses"]["q1"]
    assert all(r["schema"] != "Person" for r in no_people["results"])
    future = api.client.post(
        "/match/default?cutoff=0.5&changed_since=2099-01-01", json=body, headers=h
    ).json()["responses"]["q1"]
    assert future["results"] == []


def test_match_maps_identifiers_and_imo_numbers(api: Api) -> None:
    vessels = [
        e
        for e in queries.iter_active_entities(api.engine)
        if e.schema == "Vessel" and any(i.type == "imo" for i in e.identifiers)
    ]
    assert vessels
    vessel = vessels[0]
    imo = next(i.value for i in vessel.identifiers if i.type == "imo")
    answer = api.client.post(
        "/match/default",
        json=_match_body("ANY NAME AT ALL", "Vessel", imoNumber=[f"IMO{imo}"]),
        headers=api.h("screener"),
    ).json()["responses"]["q1"]
    assert vessel.id in answer["results"][0]["referents"] or answer["results"][0]["id"] == vessel.id.replace(
        ":", "-"
    )


def _head(api: Api) -> int:
    return audit.head(api.engine).seq


BAD_MATCHES: list[tuple[str, dict[str, Any], int, str]] = [
    (
        "malformed JSON",
        {"content": b'{"queries": {', "headers": {"Content-Type": "application/json"}},
        400,
        "not valid JSON",
    ),
    (
        "unknown schema",
        {"json": {"queries": {"q": {"schema": "Starship", "properties": {"name": ["x"]}}}}},
        400,
        "queries.q.schema",
    ),
    (
        "property not of the schema",
        {
            "json": {
                "queries": {
                    "q": {"schema": "Person", "properties": {"name": ["Kim"], "imoNumber": ["9253325"]}}
                }
            }
        },
        400,
        "queries.q.properties.imoNumber",
    ),
    (
        "control characters",
        {"json": _match_body("\u0000\u0001\u0007\u001b")},
        400,
        "queries.q1.properties.name",
    ),
    (
        "no name",
        {"json": {"queries": {"q": {"schema": "Person", "properties": {"birthDate": ["1984"]}}}}},
        400,
        "queries.q",
    ),
    ("bad date", {"json": _match_body("Kim Jong Un", birthDate=["1984-13-45"])}, 400, "birthDate"),
    (
        "101 queries",
        {
            "json": {
                "queries": {
                    f"q{i}": {"schema": "Person", "properties": {"name": ["Kim"]}} for i in range(101)
                }
            }
        },
        400,
        "limit is 100",
    ),
    ("no queries", {"json": {"queries": {}}}, 400, "no queries"),
    ("weights", {"json": {**_match_body("Kim"), "weights": {"name_literal": 0.8}}}, 400, "weights"),
    ("body of the wrong shape", {"json": {"queries": ["a list"]}}, 422, "queries"),
]


@pytest.mark.parametrize(
    ("case", "extra", "status", "says"), BAD_MATCHES, ids=[c for c, _, _, _ in BAD_MATCHES]
)
def test_bad_match_requests_are_refused_and_write_nothing(
    api: Api, case: str, extra: dict[str, Any], status: int, says: str
) -> None:
    before = _head(api)
    given = dict(extra)  # the parameters are shared by the SQLite and PostgreSQL runs
    headers = {**api.h("screener"), **given.pop("headers", {})}
    answer = api.client.post("/match/default", headers=headers, **given)
    assert answer.status_code == status, answer.text
    assert says in answer.text
    assert "Traceback" not in answer.text and "detail" in answer.json()
    assert _head(api) == before


def test_unknown_dataset_and_algorithm(api: Api) -> None:
    before = _head(api)
    answer = api.client.post("/match/nope", json=_match_body("Kim"), headers=api.h("screener"))
    assert answer.status_code == 404 and "nope" in answer.json()["detail"]
    answer = api.client.post(
        "/match/default?algorithm=logic-v2", json=_match_body("Kim"), headers=api.h("screener")
    )
    assert answer.status_code == 400 and "logic-v2" in answer.json()["detail"]
    assert (
        api.client.post(
            "/match/default?algorithm=best", json=_match_body("Kim"), headers=api.h("screener")
        ).status_code
        == 200
    )
    assert _head(api) == before + 1


def test_a_body_over_the_limit_is_refused_before_it_is_read(api: Api) -> None:
    before = _head(api)
    big = (
        b'{"queries": {"q": {"schema": "Person", "properties": {"name": ["'
        + b"a" * (10 * 1024 * 1024)
        + b'"]}}}}'
    )
    answer = api.client.post(
        "/match/default", content=big, headers={**api.h("screener"), "Content-Type": "application/json"}
    )
    assert answer.status_code == 413 and "larger than" in answer.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"queries": {"q": {"schema": "Person", "properties": {"name": ["'
        for _ in range(10):
            yield b"a" * (1024 * 1024)
        yield b'"]}}}}'

    answer = api.client.post(
        "/match/default", content=chunks(), headers={**api.h("screener"), "Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert _head(api) == before


def test_match_writes_one_audit_record_with_the_index_versions(api: Api) -> None:
    before = _head(api)
    body = _match_body("Kim Jong Un")
    answer = api.client.post("/match/default", json=body, headers=api.h("screener")).json()
    (record,) = audit.tail(api.engine, 1)
    assert record.seq == before + 1
    assert (record.actor, record.role, record.channel, record.action) == (
        "api-screener",
        "screener",
        "api",
        "screen",
    )
    active = {v.source: {"version_id": v.id, "sha256": v.sha256} for v in queries.active_versions(api.engine)}
    assert record.versions == active
    shown = [(r["referents"] or [r["id"]])[0] for r in answer["responses"]["q1"]["results"]]
    assert [h["entity_id"] for h in record.summary["hits"]] == shown
    assert record.summary["endpoint"] == "/match/default"
    assert audit.verify(api.engine).ok


def test_screen_and_compare(api: Api) -> None:
    before = _head(api)
    answer = api.client.post(
        "/screen",
        json={
            "queries": [
                {"id": "a", "name": "김정은", "schema": "Person"},
                {"id": "b", "name": "Nobody Atall Zzyzx"},
            ]
        },
        headers=api.h("screener"),
    )
    assert answer.status_code == 200
    results = {r["id"]: r for r in answer.json()["results"]}
    assert (
        set(results["a"]["hits"][0]["entity_id"] for _ in [0]) <= _kim_jong_un_ids(api.engine)
        and results["b"]["hits"] == []
    )
    bad = api.client.post(
        "/screen",
        json={"queries": [{"name": "x"}, {"name": "y", "schema": "Starship"}]},
        headers=api.h("screener"),
    )
    assert bad.status_code == 400 and "queries[1].schema" in bad.json()["detail"]
    unknown = api.client.post(
        "/screen", json={"queries": [{"name": "x", "colour": "red"}]}, headers=api.h("screener")
    )
    assert unknown.status_code == 422
    pairs = api.client.post(
        "/compare",
        json={"pairs": [{"id": 1, "name1": "Choe Ryong Hae", "name2": "최룡해"}]},
        headers=api.h("screener"),
    )
    assert pairs.status_code == 200 and pairs.json()["results"][0]["score"] >= 0.8
    assert [r.action for r in audit.tail(api.engine, 2)] == ["screen", "compare"]
    assert _head(api) == before + 2


def test_check_gives_verdicts_with_citations_and_records_caps_only_for_analysts(api: Api) -> None:
    from corridor.services import trade

    transactions = _scenario()
    gasoline = next(t for t in transactions if t["id"] == "RU-KP-GASOLINE-2022-10")
    payload = _as_json({"transactions": [gasoline]})
    answer = api.client.post("/check", json=payload, headers=api.h("screener"))
    assert answer.status_code == 200
    (result,) = answer.json()["results"]
    verdict = result["verdict"]
    expected = trade.check_data(
        {"transactions": [gasoline]}, "x", trade.evaluator(None), record=False
    ).verdicts[0]
    assert verdict["verdict"] == expected.outcome.value
    assert {r["citation"] for r in verdict["reasons"]} == {r.citation for r in expected.reasons}
    assert all("verification" in r for r in verdict["reasons"])
    # recording needs the analyst role
    refused = api.client.post("/check", json={**payload, "record": True}, headers=api.h("screener"))
    assert refused.status_code == 403
    before = api.client.get("/ledger", headers=api.h("analyst")).json()["periods"]
    recorded = api.client.post("/check", json={**payload, "record": True}, headers=api.h("analyst")).json()
    assert recorded["results"][0]["verdict"]["recorded_in_ledger"] is True
    after = api.client.get("/ledger", headers=api.h("analyst")).json()["periods"]
    shipments = lambda periods: sum(len(p["shipments"]) for p in periods)  # noqa: E731
    assert shipments(after) == shipments(before) + 1


def test_check_a_file_upload_and_a_bad_transaction(api: Api) -> None:
    content = (ROOT / "examples/corridor-2022.yaml").read_bytes()
    answer = api.client.post(
        "/check/file",
        files={"file": ("corridor-2022.yaml", content, "application/yaml")},
        headers=api.h("screener"),
    )
    assert answer.status_code == 200
    assert answer.json()["checked"] == len(_scenario()) and answer.json()["errors"] == 0
    mixed = api.client.post(
        "/check",
        json={"transactions": [{"id": "BAD", "date": "not a date"}, _as_json(_scenario()[0])]},
        headers=api.h("screener"),
    ).json()
    assert mixed["checked"] == 1 and mixed["errors"] == 1
    assert mixed["results"][0]["error"]["where"]


def test_entities_both_id_forms_nested_and_unknown(api: Api) -> None:
    (entity_id,) = sorted(_kim_jong_un_ids(api.engine))[:1]
    ftm = entity_id.replace(":", "-")
    one = api.client.get(f"/entities/{ftm}", headers=api.h("viewer")).json()
    other = api.client.get(f"/entities/{entity_id}", headers=api.h("viewer")).json()
    assert one["id"] == other["id"] == ftm and entity_id in one["referents"]
    sanctions = one["properties"]["sanctions"]
    assert sanctions[0]["schema"] == "Sanction" and sanctions[0]["properties"]["entity"] == [ftm]
    flat = api.client.get(f"/entities/{ftm}?nested=false", headers=api.h("viewer")).json()
    assert "sanctions" not in flat["properties"]
    assert api.client.get("/entities/nobody-here", headers=api.h("viewer")).status_code == 404


def test_catalog_algorithms_search_lists_rules_hs(api: Api) -> None:
    v = api.h("viewer")
    catalog = api.client.get("/catalog", headers=v).json()
    names = {d["name"]: d for d in catalog["datasets"]}
    active = {ver.source for ver in queries.active_versions(api.engine)}
    assert active <= set(names) and {"default", "sanctions"} <= set(names)
    assert set(names["default"]["children"]) == active
    algorithms = api.client.get("/algorithms", headers=v).json()
    assert algorithms["default"] == algorithms["best"] and algorithms["algorithms"][0]["threshold"] == 0.8
    found = api.client.get("/search/default?q=Kim%20Jong%20Un&limit=3", headers=v).json()
    assert found["total"]["value"] >= 1 and len(found["results"]) <= 3 and found["results"][0]["schema"]
    listed = api.client.get("/lists", headers=v).json()["lists"]
    assert {item["list"] for item in listed} == active
    assert api.client.get("/lists/un/versions", headers=v).json()["versions"][0]["source"] == "un"
    assert api.client.get("/lists/nope/versions", headers=v).status_code == 400
    rule = api.client.get("/rules/UN-2397-5", headers=v).json()
    assert rule["id"] == "UN-2397-5" and rule["verification"] in ("V", "P", "U")
    assert api.client.get("/rules/NO-SUCH-RULE", headers=v).status_code == 404
    code = api.client.get("/hs?q=2710.19", headers=v).json()
    assert code["path"]["chapter"]["code"] == "27"
    words = api.client.get("/hs?q=wheat%20flour", headers=v).json()
    assert any(m["code"].startswith("1101") for m in words["matches"])


def test_keys_over_the_api_and_revocation_at_once(api: Api) -> None:
    before = _head(api)
    made = api.client.post("/keys", json={"name": "erp-temp", "role": "screener"}, headers=api.h("admin"))
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    secret = made.json()["key"]
    assert api.client.get("/catalog", headers={"Authorization": f"ApiKey {secret}"}).status_code == 200
    listed = api.client.get("/keys", headers=api.h("admin")).text
    assert "erp-temp" in listed and secret not in listed
    assert api.client.delete("/keys/erp-temp", headers=api.h("admin")).status_code == 200
    assert api.client.get("/catalog", headers={"Authorization": f"ApiKey {secret}"}).status_code == 401
    assert [r.action for r in audit.tail(api.engine, 2)] == ["key.create", "key.revoke"]
    assert _head(api) == before + 2
    bad = api.client.post("/keys", json={"name": "x", "role": "emperor"}, headers=api.h("admin"))
    assert bad.status_code == 400 and "role" in bad.json()["detail"]


def test_audit_export_and_tampering_is_named(api: Api) -> None:
    api.client.post("/match/default", json=_match_body("Kim Jong Un"), headers=api.h("screener"))
    exported = api.client.get("/audit/export", headers=api.h("reviewer")).text.splitlines()
    assert len(exported) == _head(api) and json.loads(exported[-1])["hash"]
    assert api.client.get("/audit/verify", headers=api.h("reviewer")).json()["ok"] is True
    target = max(1, _head(api) - 1)
    with api.engine.begin() as conn:  # a database superuser goes around the append-only triggers
        names = POSTGRES_TRIGGERS if conn.dialect.name == "postgresql" else SQLITE_TRIGGERS
        for name in names:
            conn.execute(
                text(
                    f"DROP TRIGGER IF EXISTS {name}"
                    + (" ON audit_records" if conn.dialect.name == "postgresql" else "")
                )
            )
        conn.execute(
            text("UPDATE audit_records SET actor = 'someone else' WHERE seq = :seq"), {"seq": target}
        )
    answer = api.client.get("/audit/verify", headers=api.h("reviewer"))
    assert answer.status_code == 409
    assert answer.json()["bad_seq"] == target and str(target) in answer.json()["message"]


def test_lists_update_from_a_local_publisher_then_diff(
    api: Api, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """POST /lists/update (admin) fetches from the registry's URL, here a publisher on
    127.0.0.1 serving the newer UN file; the diff between the versions is served."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from corridor.fetch.registry import OfficialSource
    from corridor.services import lists as lists_service

    body = (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()

    class Publisher(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Publisher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/consolidated.xml"
    monkeypatch.setattr(
        lists_service,
        "official_sources",
        lambda: (OfficialSource("un", "un", url, "consolidated.xml", 500_000, "UN (test)", "test"),),
    )
    try:
        assert (
            api.client.post("/lists/update", json={"sources": ["un"]}, headers=api.h("analyst")).status_code
            == 403
        )
        assert (
            api.client.post("/lists/update", json={"sources": ["nope"]}, headers=api.h("admin")).status_code
            == 400
        )
        before = _head(api)
        answer = api.client.post("/lists/update", json={"sources": ["un"]}, headers=api.h("admin"))
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200, answer.text
    (update,) = answer.json()["updates"]
    assert update["list"] == "un" and update["status"] == "imported"
    (record,) = audit.tail(api.engine, 1)
    assert record.seq == before + 1 and record.action == "update" and record.actor == "api-admin"
    versions = api.client.get("/lists/un/versions", headers=api.h("viewer")).json()["versions"]
    assert len(versions) >= 2
    old, new = versions[-2]["id"], versions[-1]["id"]
    diff = api.client.get(f"/lists/un/diff?old={old}&new={new}", headers=api.h("viewer")).json()
    expected = queries.diff(api.engine, "un", str(old), str(new))
    assert len(diff["added"]) == len(expected.added) and len(diff["removed"]) == len(expected.removed)
    assert len(diff["changed"]) == len(expected.changed) and (
        expected.added or expected.changed or expected.removed
    )


def test_list_import_needs_the_admin_role_and_a_bad_file_changes_nothing(api: Api) -> None:
    files = {"file": ("consolidated.xml", b"<?xml version='1.0'?><nothing/>", "application/xml")}
    assert api.client.post("/lists/import", files=files, headers=api.h("reviewer")).status_code == 403
    versions = len(queries.versions(api.engine))
    before = _head(api)
    answer = api.client.post("/lists/import", files=files, headers=api.h("admin"))
    assert 400 <= answer.status_code < 500 and "detail" in answer.json()
    assert len(queries.versions(api.engine)) == versions
    (record,) = audit.tail(api.engine, 1)  # the refused attempt is on the record, with its reason
    assert record.seq == before + 1 and record.summary["outcome"] == "failed"
    hostile = {
        "file": (
            "../../etc/passwd",
            b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
            "application/xml",
        )
    }
    refused = api.client.post("/lists/import", files=hostile, headers=api.h("admin"))
    detail = refused.json()["detail"]
    assert refused.status_code == 422 and "DOCTYPE" in detail
    assert (
        detail.startswith("passwd: ") and str(api.home) not in detail
    )  # the name given, not the server's path
    assert not list((api.home / "uploads").glob("**/*"))  # nothing left behind

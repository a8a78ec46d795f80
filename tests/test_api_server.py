"""A real `corridor serve --workers 2` process on 127.0.0.1, started and stopped by
the tests, on SQLite and PostgreSQL: yente's own client (nomenklatura's
`YenteEnricher`) finds and expands Kim Jong Un from 김정은; a list import served
during traffic loses no request and the workers switch to the new index;
`--no-auth` is refused off loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from corridor.services import audit, keys, lists
from corridor.store import db, queries

ROOT = Path(__file__).resolve().parents[1]
UN_OLD = "un/2026-02-27/consolidated.xml"
UN_NEW = "un/2026-05-08/consolidated.xml"
OFAC_SDN = "ofac/sdn_csv_only_2024-05-03"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "CORRIDOR_HOME": str(home),
        "CORRIDOR_DATABASE_URL": url,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    }


def serve(home: Path, url: str, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corridor.cli", "serve", "--port", str(port), *args],
        env=_env(home, url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "the server exited")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the server did not become ready"
        time.sleep(0.3)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Server:
    base: str
    engine: Engine
    home: Path
    url: str
    screener: str
    admin: str


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[Server]:
    home = tmp_path_factory.mktemp(f"server-{request.param}")
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'corridor.db'}"
    else:
        postgres = request.getfixturevalue("postgres_url")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin_engine = create_engine(postgres)
        with admin_engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"

        def drop() -> None:
            with admin_engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin_engine.dispose()

    engine = db.engine(url)
    lists.import_path(engine, shared_data / UN_OLD)
    lists.import_path(engine, shared_data / OFAC_SDN)
    screener = keys.create(engine, "erp", "screener").secret
    admin = keys.create(engine, "ops", "admin").secret
    process, base = serve(home, url, "--workers", "2")
    try:
        yield Server(base, engine, home, url, screener, admin)
    finally:
        stop(process)
        engine.dispose()
        if drop is not None:
            drop()


def test_yente_enricher_finds_and_expands_kim_jong_un(server: Server, tmp_path: Path) -> None:
    from followthemoney import Dataset, StatementEntity
    from nomenklatura.cache import Cache
    from nomenklatura.db import make_session
    from nomenklatura.enrich.yente import YenteEnricher

    listed = {
        entity.id.replace(":", "-")
        for entity in queries.iter_active_entities(server.engine)
        if any(sorted(n.full.casefold().split()) == ["jong", "kim", "un"] for n in entity.names)
    }
    assert listed
    with make_session(f"sqlite:///{tmp_path / 'nomenklatura.db'}") as session:
        dataset = Dataset.make({"name": "corridor_client", "title": "A yente client"})
        cache = Cache(session, dataset, create=True)
        config = {"api": f"{server.base}/", "api_key": server.screener, "dataset": "default", "cache_days": 0}
        enricher = YenteEnricher(dataset, cache, config)
        query = StatementEntity.from_data(
            dataset, {"id": "q-1", "schema": "Person", "properties": {"name": ["김정은"]}}
        )
        matches = list(enricher.match(query))
        assert matches and matches[0].id in listed
        expanded = list(enricher.expand(query, matches[0]))
    assert expanded[0].id == matches[0].id and expanded[0].schema.name == "Person"
    assert any(e.schema.name == "Sanction" for e in expanded[1:])
    # the client's calls were authenticated and audited as the key
    records = [
        r
        for r in audit.tail(server.engine, 5)
        if r.actor == "erp" and r.summary.get("endpoint") == "/match/default"
    ]
    assert records and records[-1].channel == "api"


def test_an_import_during_traffic_loses_no_request(server: Server, shared_data: Path) -> None:
    headers = {"Authorization": f"ApiKey {server.screener}"}
    body = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Kim Jong Un"]}}}}
    statuses: list[int] = []
    errors: list[str] = []
    stop_traffic = threading.Event()

    def traffic() -> None:
        with httpx.Client(base_url=server.base, headers=headers, timeout=30) as client:
            while not stop_traffic.is_set():
                try:
                    statuses.append(client.post("/match/default", json=body).status_code)
                except httpx.HTTPError as error:
                    errors.append(repr(error))

    threads = [threading.Thread(target=traffic) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        new_file = shared_data / UN_NEW
        with new_file.open("rb") as handle:
            answer = httpx.post(
                f"{server.base}/lists/import",
                files={"file": ("consolidated.xml", handle, "application/xml")},
                data={"source": "un"},
                headers={"Authorization": f"ApiKey {server.admin}"},
                timeout=300,
            )
        assert answer.status_code == 200, answer.text
        imported = answer.json()
        assert imported["outcome"] == "active" and imported["list"] == "un"
        # both workers switch to the new index (each checks the active versions every few seconds)
        deadline = time.monotonic() + 90
        switched = 0
        while time.monotonic() < deadline and switched < 6:
            catalog = httpx.get(
                f"{server.base}/catalog", headers={"Authorization": f"ApiKey {server.admin}"}, timeout=30
            ).json()
            un = next(d for d in catalog["datasets"] if d["name"] == "un")
            switched = switched + 1 if un["sha256"] == imported["sha256"] else 0
            time.sleep(0.5)
        assert switched >= 6, "the workers did not all serve the new version"
    finally:
        stop_traffic.set()
        for thread in threads:
            thread.join()
    assert not errors, errors[:3]
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    # screenings after the switch name the new version in their audit records
    after = httpx.post(f"{server.base}/match/default", json=body, headers=headers, timeout=30)
    assert after.status_code == 200
    (record,) = audit.tail(server.engine, 1)
    assert record.versions["un"]["sha256"] == imported["sha256"]
    assert audit.verify(server.engine).ok


def test_no_auth_is_refused_off_loopback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'corridor.db'}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridor.cli",
            "serve",
            "--host",
            "0.0.0.0",
            "--no-auth",
            "--port",
            str(free_port()),
        ],
        env=_env(tmp_path, url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        "--no-auth" in done.stderr and "loopback" in done.stderr.replace("\n", " ")
    ) or "127.0.0.1" in done.stderr


def test_no_auth_on_loopback_serves_without_a_key_and_says_so(tmp_path: Path, shared_data: Path) -> None:
    url = f"sqlite:///{tmp_path / 'corridor.db'}"
    engine = db.engine(url)
    lists.import_path(engine, shared_data / UN_OLD)
    process, base = serve(tmp_path, url, "--no-auth")
    try:
        answer = httpx.post(
            f"{base}/match/un",
            json={
                "queries": {
                    "q": {
                        "schema": "Thing",
                        "properties": {"name": ["Korea Mining Development Trading Corporation"]},
                    }
                }
            },
            timeout=30,
        )
        assert answer.status_code == 200
        (record,) = audit.tail(engine, 1)
        assert record.actor == "no-auth" and record.role == "no-auth"
    finally:
        stop(process)

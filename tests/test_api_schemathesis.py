"""A bounded schemathesis run against `/openapi.json`: requests generated from the
API's own schema (valid and invalid), sent with an admin key to the ASGI app;
no 5xx, and every error in the one JSON shape.  Imports, updates and key
revocations are left out (they change the store under the run)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.services import keys, lists
from corridor.store import db

MUTATING = {
    ("POST", "/lists/import"),
    ("POST", "/lists/update"),
    ("DELETE", "/keys/{name_or_id}"),
    ("POST", "/keys"),
}
EXAMPLES = int(os.environ.get("CORRIDOR_SCHEMATHESIS_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def app_and_key(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[tuple[Any, str]]:
    from fastapi.testclient import TestClient

    from corridor import settings as corridor_settings
    from corridor.api.app import create_app

    home = tmp_path_factory.mktemp("schemathesis")
    saved = os.environ.get("CORRIDOR_HOME")
    os.environ["CORRIDOR_HOME"] = str(home)
    url = f"sqlite:///{home / 'corridor.db'}"
    engine = db.engine(url)
    lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    key = keys.create(engine, "fuzzer", "admin").secret
    app = create_app(url, home=home)
    with TestClient(app) as client:  # runs the lifespan: the index loads
        deadline = time.monotonic() + 120
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        yield app, key
    if saved is None:
        os.environ.pop("CORRIDOR_HOME", None)
    else:
        os.environ["CORRIDOR_HOME"] = saved
    corridor_settings.reload()


def test_no_generated_request_gets_a_server_error(app_and_key: tuple[Any, str]) -> None:
    import schemathesis
    from schemathesis.generation import GenerationMode

    app, key = app_and_key
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tested = [op for op in operations if (op.method.upper(), op.path) not in MUTATING]
    assert len(tested) >= 20  # every data endpoint is in the schema
    failures: list[str] = []
    calls = 0
    for operation in tested:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            nonlocal calls
            calls += 1
            response = case.call(headers={"Authorization": f"ApiKey {key}"})
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}"
                )
            elif response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                body = response.json()
                if not isinstance(body, dict) or "detail" not in body:
                    failures.append(
                        f"{case.method} {case.formatted_path}: error without `detail`: {response.text[:200]}"
                    )

        run()
    assert calls >= len(tested) * 5
    assert not failures, "\n".join(failures[:10])

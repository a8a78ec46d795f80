"""Password sign-in is throttled (services/signin): after too many failures for one
account name, or from one client address, within the window, the sign-in page
refuses (429, Retry-After) even the right password; every failure is in the audit
trail with the name tried and the address, never the password; a refused attempt
writes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.test_web import FIXTURE_PEOPLE, ready_client, write_ftm

from corridor.services import audit, signin, users
from corridor.store import db
from corridor.store.audit import read_snapshot, records_of

PASSWORD = "correct horse battery staple"
WRONG = "a wrong guess at the password"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, db.Engine]]:
    from corridor.services import lists

    monkeypatch.setenv("CORRIDOR_SIGNIN_MAX_FAILURES", "3")
    monkeypatch.setenv("CORRIDOR_SIGNIN_MAX_FAILURES_ADDRESS", "5")
    url = f"sqlite:///{tmp_path / 'corridor.db'}"
    engine = db.engine(url)
    lists.import_path(engine, write_ftm(tmp_path / "people.jsonl", FIXTURE_PEOPLE), "ftm")
    for name in ("ann", "bob", "cy"):
        users.create(engine, name, "analyst", PASSWORD)
    with ready_client(url, tmp_path) as client:
        yield client, engine


def attempt(client: TestClient, name: str, password: str) -> tuple[int, str, str | None]:
    client.cookies.clear()
    token = re.search(r'name="token" value="([^"]+)"', client.get("/ui/login").text)
    assert token
    answer = client.post(
        "/ui/login",
        data={"name": name, "password": password, "token": token.group(1), "next": "/ui/home"},
        follow_redirects=False,
    )
    return answer.status_code, answer.text, answer.headers.get("retry-after")


def failures(engine: db.Engine) -> list[audit.AuditRecord]:
    with read_snapshot(engine) as conn:
        return records_of(conn, audit.Action.SIGN_IN_FAILED.value, since="2000")


def test_an_account_is_refused_after_its_failures_even_with_the_right_password(
    site: tuple[TestClient, db.Engine],
) -> None:
    client, engine = site
    assert attempt(client, "ann", WRONG)[0] == 401
    assert attempt(client, "ann", PASSWORD)[0] == 303  # under the limit, the right password works
    assert attempt(client, "ann", WRONG)[0] == 401
    assert attempt(client, "Ann ", WRONG)[0] == 401  # the third: one account, however it is typed
    status, text, retry = attempt(client, "ann", PASSWORD)
    assert status == 429
    assert "too many failed sign-ins" in text
    assert retry is not None and 0 < int(retry) <= 900
    # another account from the same address is not locked out by ann's failures
    assert attempt(client, "bob", PASSWORD)[0] == 303
    records = failures(engine)
    assert len(records) == 3  # the refused attempt wrote nothing
    assert {record.summary["name"] for record in records} == {"ann"}
    assert all(record.summary["address"] == "testclient" for record in records)
    assert all(record.channel == "web" and record.actor == "anonymous" for record in records)
    assert not any(
        WRONG in repr(record.to_dict()) or PASSWORD in repr(record.to_dict()) for record in records
    )
    assert audit.verify(engine).ok


def test_an_address_is_refused_after_failures_over_many_names(site: tuple[TestClient, db.Engine]) -> None:
    client, engine = site
    for name in ("bob", "cy", "nobody", "someone", "else"):
        assert attempt(client, name, WRONG)[0] == 401
    assert attempt(client, "ann", PASSWORD)[0] == 429  # the address has used its five
    assert len(failures(engine)) == 5


def test_a_refusal_ends_when_its_failures_leave_the_window(tmp_path: Path) -> None:
    engine = db.engine(f"sqlite:///{tmp_path / 'u.db'}")
    limits = signin.Limits(per_name=2, per_address=10, window=600)
    assert signin.retry_after(engine, "ann", "10.0.0.1", limits) == 0
    for _ in range(2):
        audit.record(
            engine,
            actor="anonymous",
            role="anonymous",
            channel="web",
            action="sign_in.failed",
            request={"name": "ann", "address": "10.0.0.1"},
            result_summary={"name": "ann", "address": "10.0.0.1"},
        )
    last = failures(engine)[-1].time.timestamp()
    first = failures(engine)[0].time.timestamp()
    wait = signin.retry_after(engine, "ANN", "10.0.0.2", limits, now=last + 1)
    assert 0 < wait <= 600 and abs(wait - (first + 600 - (last + 1))) <= 1
    assert signin.retry_after(engine, "bob", "10.0.0.2", limits, now=last + 1) == 0
    assert signin.retry_after(engine, "ann", "10.0.0.1", limits, now=first + 601) == 0

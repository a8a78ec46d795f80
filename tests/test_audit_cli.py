"""`corridor keys …` and `corridor audit …` end to end through typer's CliRunner,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text, update
from typer.testing import CliRunner

from corridor.cli import app
from corridor.services import audit, keys
from corridor.store import db
from corridor.store.schema_audit import POSTGRES_TRIGGERS, SQLITE_TRIGGERS, audit_records

runner = CliRunner()


@pytest.fixture
def opts(db_url: str) -> list[str]:
    return ["--db", db_url]


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_keys_create_list_revoke(opts: list[str], db_url: str) -> None:
    code, out, errors = _run("keys", "create", "--role", "screener", "--name", "onboarding", *opts)
    assert code == 0, errors
    secret = out.strip()
    assert secret.startswith("cor_") and len(secret.splitlines()) == 1  # the key alone on stdout
    assert "only time the key is shown" in errors and "salted hash" in errors
    engine = db.engine(db_url)
    principal = keys.authenticate(engine, secret)
    assert principal is not None and principal.role is keys.Role.SCREENER

    code, out, _ = _run("keys", "list", *opts)
    assert code == 0 and "onboarding" in out and "screener" in out and "never" not in out
    assert secret not in out and secret[16:] not in out
    code, out, _ = _run("keys", "list", "--json", *opts)
    (listed,) = json.loads(out)
    assert listed["name"] == "onboarding" and listed["revoked_at"] is None
    assert set(listed) == {"key_id", "name", "role", "created_at", "last_used_at", "revoked_at"}

    code, out, _ = _run("keys", "revoke", "onboarding", *opts)
    assert code == 0 and "revoked key onboarding" in out
    assert keys.authenticate(engine, secret) is None
    code, out, _ = _run("keys", "list", "--json", *opts)
    assert json.loads(out)[0]["revoked_at"] is not None

    code, _, errors = _run("keys", "revoke", "onboarding", *opts)
    assert code == 1 and "revoked already" in errors
    code, _, errors = _run("keys", "revoke", "nobody", *opts)
    assert code == 1 and "no key named 'nobody'" in errors
    code, _, errors = _run("keys", "create", "--role", "root", "--name", "x", *opts)
    assert code == 2 and "unknown role" in errors


def test_audit_verify_export_tail_head(opts: list[str], db_url: str, tmp_path: Path) -> None:
    engine = db.engine(db_url)
    assert _run("keys", "create", "--role", "admin", "--name", "ops", *opts)[0] == 0
    first = audit.record(
        engine,
        actor="[b]ev\x1b",
        role="screener",
        channel="api",
        action="screen",
        request={"q": "김정은"},
        result_summary={"hits": [{"entity_id": "un:KPi.033", "score": 0.97, "name": "\u202e[/]"}]},
    )
    assert _run("keys", "revoke", "ops", *opts)[0] == 0

    code, out, _ = _run("audit", "verify", *opts)
    assert code == 0 and out.startswith("chain intact: 3 records\n")
    assert f"head 3 {audit.head(engine).hash}" in out

    code, out, _ = _run("audit", "head", *opts)
    head = audit.head(engine)
    assert code == 0 and out.strip() == f"3 {head.hash}"
    code, out, _ = _run("audit", "head", "--json", *opts)
    assert json.loads(out) == {"seq": 3, "hash": head.hash}

    code, out, _ = _run("audit", "tail", "-n", "2", *opts)
    assert code == 0
    assert "key.revoke" in out and "screen" in out and "key.create" not in out
    # control characters shown, not obeyed; markup printed as written
    assert "\x1b" not in out and "\u202e" not in out
    assert "[b]ev\\x1b" in out

    code, out, _ = _run("audit", "export", *opts)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3 and all(line.isascii() for line in lines)
    exported = [json.loads(line) for line in lines]
    assert exported[1] == first.to_dict()
    assert [e["action"] for e in exported] == ["key.create", "screen", "key.revoke"]

    target = tmp_path / "trail.jsonl"
    code, _, errors = _run("audit", "export", "--since", first.at, "--output", str(target), *opts)
    assert code == 0 and "exported 2 records" in errors
    assert [json.loads(line)["seq"] for line in target.read_text().splitlines()] == [2, 3]
    code, _, errors = _run("audit", "export", "--since", "yesterday", *opts)
    assert code == 2 and "--since" in errors


def test_audit_verify_names_a_tampered_record(opts: list[str], db_url: str) -> None:
    engine = db.engine(db_url)
    for name in ("a", "b", "c"):
        assert _run("keys", "create", "--role", "viewer", "--name", name, *opts)[0] == 0
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for trigger in POSTGRES_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER {trigger} ON audit_records"))
        else:
            for trigger in SQLITE_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER {trigger}"))
        conn.execute(update(audit_records).where(audit_records.c.seq == 2).values(actor="someone-else"))
    code, out, errors = _run("audit", "verify", *opts)
    assert code == 1 and out == ""
    assert "chain broken at record 2" in errors and "edited" in errors

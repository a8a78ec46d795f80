"""Web sign-in accounts: argon2id hashes (never the password), constant-cost
refusals, sessions that end with a password change or a disabled account, every
change audited; and `corridor users …` (issue 10 §4)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import ConflictError, InputError, NotFoundError, UnauthorizedError
from corridor.services import audit, sessions, users
from corridor.store import db
from corridor.store.schema_audit import users as users_table

PASSWORD = "correct horse battery staple"


def test_a_password_is_stored_only_as_an_argon2id_hash(db_url: str) -> None:
    engine = db.engine(db_url)
    users.create(engine, "ann", "analyst", PASSWORD)
    with engine.connect() as conn:
        row = conn.execute(select(users_table)).one()
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    principal = users.authenticate(engine, "ann", PASSWORD)
    assert principal is not None and principal.name == "ann" and principal.role.value == "analyst"
    assert users.authenticate(engine, "ann", PASSWORD + "x") is None
    assert users.authenticate(engine, "nobody", PASSWORD) is None
    assert users.authenticate(engine, "ann", "") is None


def test_bad_names_passwords_and_duplicates_are_refused_with_the_field(tmp_path: Path) -> None:
    engine = db.engine(f"sqlite:///{tmp_path / 'u.db'}")
    with pytest.raises(InputError) as short:
        users.create(engine, "ann", "analyst", "short")
    assert short.value.location.field == "password"
    with pytest.raises(InputError) as name:
        users.create(engine, "<ann>", "analyst", PASSWORD)
    assert name.value.location.field == "name"
    with pytest.raises(InputError) as role:
        users.create(engine, "ann", "boss", PASSWORD)
    assert role.value.location.field == "role"
    with pytest.raises(InputError):
        users.create(engine, "ann", "analyst", "tab\there and long enough")
    users.create(engine, "ann", "analyst", PASSWORD)
    before = audit.head(engine).seq
    with pytest.raises(ConflictError):
        users.create(engine, "ann", "viewer", PASSWORD)
    assert audit.head(engine).seq == before  # the refused creation left no record
    with pytest.raises(NotFoundError):
        users.set_role(engine, "bob", "viewer")


def test_sessions_end_when_the_password_changes_or_the_account_is_disabled(tmp_path: Path) -> None:
    engine = db.engine(f"sqlite:///{tmp_path / 'u.db'}")
    secret = b"s" * 32
    users.create(engine, "ann", "reviewer", PASSWORD)
    cookie, session = sessions.open_user_session(engine, secret, "ann", PASSWORD)
    assert sessions.read_session(engine, secret, cookie) is not None
    assert session.principal.role.value == "reviewer"
    with pytest.raises(UnauthorizedError):
        sessions.open_user_session(engine, secret, "ann", "wrong password here")
    time.sleep(1.1)  # cookies count whole seconds
    users.set_password(engine, "ann", PASSWORD + " two")
    assert sessions.read_session(engine, secret, cookie) is None  # began before the change
    cookie, _ = sessions.open_user_session(engine, secret, "ann", PASSWORD + " two")
    users.set_role(engine, "ann", "viewer")
    found = sessions.read_session(engine, secret, cookie)
    assert found is not None and found.principal.role.value == "viewer"  # the role is read each time
    users.disable(engine, "ann")
    assert sessions.read_session(engine, secret, cookie) is None
    assert users.authenticate(engine, "ann", PASSWORD + " two") is None
    with pytest.raises(ConflictError):
        users.disable(engine, "ann")
    users.enable(engine, "ann")
    assert users.authenticate(engine, "ann", PASSWORD + " two") is not None
    actions = [r.action for r in audit.tail(engine, 20)]
    assert actions.count("user.change") == 4 and actions.count("user.create") == 1


def test_a_forged_user_subject_is_refused(tmp_path: Path) -> None:
    engine = db.engine(f"sqlite:///{tmp_path / 'u.db'}")
    users.create(engine, "ann", "admin", PASSWORD)
    assert users.principal_of(engine, "user-1", session_started=2e12) is not None
    for subject in ("user-", "user-x", "user-99", "user-1a", "user-١"):
        assert users.principal_of(engine, subject, session_started=2e12) is None


def test_the_users_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_HOME", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["users", "add", "ann", "--role", "analyst", "--password-file", "-", "--db", url],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    generated = runner.invoke(app, ["users", "add", "rex", "--role", "reviewer", "--generate", "--db", url])
    assert generated.exit_code == 0, generated.output
    password = generated.stdout.strip().splitlines()[-1]
    engine = db.engine(url)
    assert users.authenticate(engine, "rex", password) is not None
    listed = runner.invoke(app, ["users", "list", "--json", "--db", url])
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["role"]) for r in rows] == [("ann", "analyst"), ("rex", "reviewer")]
    assert "hash" not in listed.stdout and PASSWORD not in listed.stdout
    short = runner.invoke(
        app, ["users", "passwd", "ann", "--password-file", "-", "--db", url], input="short\n"
    )
    assert short.exit_code == 2 and "password" in short.output
    assert runner.invoke(app, ["users", "role", "ann", "reviewer", "--db", url]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "ann", "--db", url]).exit_code == 0
    assert users.authenticate(engine, "ann", PASSWORD) is None
    unknown = runner.invoke(app, ["users", "disable", "nobody", "--db", url])
    assert unknown.exit_code != 0 and "nobody" in unknown.output

"""`corridor users …`: web sign-in accounts (passwords hashed with argon2id)."""

from __future__ import annotations

import getpass
import json
import secrets
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from corridor.cli.common import DbOption, JsonOption, console, engine_for, err
from corridor.errors import InputError
from corridor.render import safe
from corridor.services import keys, users

users_app = typer.Typer(no_args_is_help=True, help="User accounts for the web pages (roles: viewer … admin).")

_ROLES = ", ".join(role.value for role in keys.ROLE_ORDER)
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Read the password from the first line of this file ('-' for standard input) "
        "instead of asking for it.",
    ),
]
GenerateOption = Annotated[
    bool, typer.Option("--generate", help="Make a random password and print it once on standard output.")
]


def _password(source: Path | None, generate: bool) -> tuple[str, bool]:
    """The password to set, and whether it was generated (and so must be shown)."""
    if generate and source is not None:
        raise InputError("--generate", "give either --generate or --password-file, not both")
    if generate:
        return secrets.token_urlsafe(18), True
    if source is not None:
        text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
        lines = text.splitlines()
        return (lines[0] if lines else ""), False
    if not sys.stdin.isatty():
        raise InputError("password", "no terminal to ask on: use --password-file FILE (or -) or --generate")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise InputError("password", "the two passwords differ")
    return first, False


def _show_generated(name: str, password: str) -> None:
    err.print(
        Text(f"The password of {name} is shown this once; Corridor keeps only its hash.", style="yellow")
    )
    sys.stdout.write(password + "\n")
    sys.stdout.flush()


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The sign-in name (unique).")],
    role: Annotated[str, typer.Option("--role", help=f"One of {_ROLES}.")],
    password_file: PasswordFileOption = None,
    generate: GenerateOption = False,
    db_url: DbOption = None,
) -> None:
    """Create an account; the password is asked for twice unless given otherwise."""
    password, generated = _password(password_file, generate)
    created = users.create(engine_for(db_url), name, role, password)
    err.print(safe.join(Text("created ", style="green"), f"user {created.name} (role {created.role.value})."))
    if generated:
        _show_generated(created.name, password)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%SZ")


@users_app.command("list")
def users_list(db_url: DbOption = None, as_json: JsonOption = False) -> None:
    """Every account with its role and dates (never a password or its hash)."""
    listed = users.list_users(engine_for(db_url))
    if as_json:
        rows = [
            {
                "name": u.name,
                "role": u.role.value,
                "created_at": u.created_at.isoformat(),
                "password_changed_at": u.password_changed_at.isoformat(),
                "disabled_at": u.disabled_at.isoformat() if u.disabled_at else None,
            }
            for u in listed
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=Text(f"Users: {sum(u.active for u in listed)} active, {len(listed)} in all"))
    for column in ("name", "role", "created", "password changed", "disabled"):
        table.add_column(column)
    for u in listed:
        table.add_row(
            safe.text(u.name),
            safe.text(u.role.value),
            safe.text(_when(u.created_at)),
            safe.text(_when(u.password_changed_at)),
            safe.text(_when(u.disabled_at), style="red"),
        )
    console.print(table)


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="The account.")],
    password_file: PasswordFileOption = None,
    generate: GenerateOption = False,
    db_url: DbOption = None,
) -> None:
    """Set a new password; the account's open web sessions end."""
    password, generated = _password(password_file, generate)
    changed = users.set_password(engine_for(db_url), name, password)
    console.print(safe.text(f"new password for {changed.name}; its open sessions have ended"))
    if generated:
        _show_generated(changed.name, password)


@users_app.command("role")
def users_role(
    name: Annotated[str, typer.Argument(help="The account.")],
    role: Annotated[str, typer.Argument(help=f"One of {_ROLES}.")],
    db_url: DbOption = None,
) -> None:
    """Change an account's role (takes effect at its next page)."""
    changed = users.set_role(engine_for(db_url), name, role)
    console.print(safe.text(f"user {changed.name} now has role {changed.role.value}"))


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="The account.")], db_url: DbOption = None) -> None:
    """The account signs in no more and its open sessions end (the row stays, for the record)."""
    changed = users.disable(engine_for(db_url), name)
    console.print(safe.text(f"user {changed.name} is disabled"))


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="The account.")], db_url: DbOption = None) -> None:
    """Let a disabled account sign in again."""
    changed = users.enable(engine_for(db_url), name)
    console.print(safe.text(f"user {changed.name} is enabled"))

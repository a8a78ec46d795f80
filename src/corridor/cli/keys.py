"""`corridor keys …`: create, list and revoke API keys."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from corridor.cli.common import DbOption, JsonOption, console, engine_for, err
from corridor.render import safe
from corridor.services import keys

keys_app = typer.Typer(no_args_is_help=True, help="API keys for `corridor serve` (roles: viewer … admin).")

_ROLES = ", ".join(role.value for role in keys.ROLE_ORDER)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="Who or what the key is for (unique).")],
    role: Annotated[str, typer.Option("--role", help=f"One of {_ROLES}.")],
    db_url: DbOption = None,
) -> None:
    """Create a key and print it once: Corridor keeps only a salted hash of it."""
    created = keys.create(engine_for(db_url), name, role)
    err.print(
        safe.join(
            Text("created ", style="green"),
            f"key {created.name} (role {created.role.value}, id {created.key_id}).",
        )
    )
    err.print(
        Text(
            "This is the only time the key is shown: Corridor stores only a salted hash of it. "
            "Copy it now; if it is lost, revoke it and create another.",
            style="yellow",
        )
    )
    # the key alone on stdout, so `corridor keys create … > file` captures just the key
    sys.stdout.write(created.secret + "\n")
    sys.stdout.flush()


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%SZ")


@keys_app.command("list")
def keys_list(db_url: DbOption = None, as_json: JsonOption = False) -> None:
    """Every key with its role and dates (never the key or its hash)."""
    listed = keys.list_keys(engine_for(db_url))
    if as_json:
        rows = [
            {
                "key_id": k.key_id,
                "name": k.name,
                "role": k.role.value,
                "created_at": k.created_at.isoformat(),
                "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            for k in listed
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=Text(f"API keys: {sum(k.active for k in listed)} active, {len(listed)} in all"))
    for column in ("id", "name", "role", "created", "last used", "revoked"):
        table.add_column(column)
    for k in listed:
        table.add_row(
            safe.text(k.key_id),
            safe.text(k.name),
            safe.text(k.role.value),
            safe.text(_when(k.created_at)),
            safe.text(_when(k.last_used_at) or "never"),
            safe.text(_when(k.revoked_at), style="red"),
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(
    name: Annotated[str, typer.Argument(help="The key's name or id.")],
    db_url: DbOption = None,
) -> None:
    """Revoke a key: it is refused from now on (the row stays, for the record)."""
    revoked = keys.revoke(engine_for(db_url), name)
    console.print(safe.text(f"revoked key {revoked.name} (id {revoked.key_id}, role {revoked.role.value})"))

"""Web sessions: an analyst signs in with their API key once; the browser then holds
a signed session cookie, never the key.

The cookie is `<key id>.<session id>.<expiry>.<signature>`, the signature an
HMAC-SHA256 under the home's session secret (`CORRIDOR_HOME/web/.secret`, 0600,
made from `secrets` on first use).  Every request checks the signature and the
expiry, then the key itself (`keys.principal_of`), so a revoked key's sessions
end with it.  The CSRF token of a session is an HMAC of its id under the same
secret: a form posted without it, or with another session's, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from corridor.errors import UnauthorizedError
from corridor.services import keys
from corridor.services.secrets import home_secret

SESSION_SECONDS = 8 * 3600  # a working day
SECRET_FILE = ".secret"


def secret_for(home: Path) -> bytes:
    """The home's session secret (`services.secrets`: 0600, made on first use)."""
    return home_secret(home / "web", SECRET_FILE)


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    principal: keys.Principal
    session_id: str
    expires: int


def open_session(
    engine: Engine, secret: bytes, presented_key: str, *, now: float | None = None
) -> tuple[str, Session]:
    """The cookie value and the session for a key typed into the sign-in form
    (UnauthorizedError for a key that is not valid)."""
    principal = keys.authenticate(engine, presented_key)
    if principal is None:
        raise UnauthorizedError("that key is not valid (unknown, revoked or mistyped)")
    session_id = secrets.token_urlsafe(16)
    expires = int((now if now is not None else time.time()) + SESSION_SECONDS)
    payload = f"{principal.key_id}.{session_id}.{expires}"
    return f"{payload}.{_sign(secret, payload)}", Session(principal, session_id, expires)


def read_session(
    engine: Engine, secret: bytes, cookie: str | None, *, now: float | None = None
) -> Session | None:
    """The session a cookie stands for, or None: forged, expired, or its key revoked."""
    if not cookie or len(cookie) > 300:
        return None
    parts = cookie.split(".")
    if len(parts) != 4:
        return None
    key_id, session_id, expires_text, signature = parts
    if not hmac.compare_digest(_sign(secret, f"{key_id}.{session_id}.{expires_text}"), signature):
        return None
    try:
        expires = int(expires_text)
    except ValueError:
        return None
    if expires < (now if now is not None else time.time()):
        return None
    principal = keys.principal_of(engine, key_id)
    return None if principal is None else Session(principal, session_id, expires)


def csrf_token(secret: bytes, session: Session) -> str:
    return _sign(secret, f"csrf.{session.session_id}")


def check_csrf(secret: bytes, session: Session, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(csrf_token(secret, session), presented)

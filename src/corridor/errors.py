"""One error model for everything a user can cause.

Every error that bad input, a missing record, a busy store or a failed download
can raise derives from `CorridorError`.  It carries a message, where the problem
is (`Where`: file, line, field) and the HTTP status an API answers it with, so the
CLI prints one kind of error line and the API maps one type to its status.
Programming errors stay ordinary exceptions: they are bugs, not answers.

Pure, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Where:
    """The place of bad input: a file, a line (or row, element) in it, a field."""

    file: str = ""
    line: str = ""  # "line 12", "row 7", "element <INDIVIDUAL>": as the format counts
    field: str = ""  # "goods[1].quantity", "imo"

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.line, self.field) if part)

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("file", self.file), ("line", self.line), ("field", self.field)) if v}


class CorridorError(Exception):
    """Base of every error a user of Corridor can cause or be told about."""

    status: int = 400
    code: str = "error"

    def __init__(self, message: str, *, where: Where | None = None, status: int | None = None) -> None:
        self.message = message
        self.location = where or Where()
        if status is not None:
            self.status = status
        place = str(self.location)
        super().__init__(f"{place}: {message}" if place else message)

    def to_dict(self) -> dict[str, object]:
        """The API's error body (`{"detail": ...}` as yente has it), with the place."""
        body: dict[str, object] = {"detail": str(self), "code": self.code}
        if self.location.to_dict():
            body["where"] = self.location.to_dict()
        return body


class InputError(CorridorError, ValueError):
    """Bad input from a user: a query, a transaction field, an option."""

    status = 400
    code = "bad_input"

    def __init__(self, field: str, message: str, *, file: str = "", line: str = "") -> None:
        self.field = field
        super().__init__(message, where=Where(file=file, line=line, field=field))


class ParseError(CorridorError, ValueError):
    """A file that cannot be read as its format: names the file and the place in it."""

    status = 422
    code = "unparseable"

    def __init__(self, path: Path | str, where: str, message: str) -> None:
        self.path = str(path)
        self.where = where  # the place inside the file, as the format counts it
        super().__init__(message, where=Where(file=self.path, line=where))


class LimitError(CorridorError):
    """Input larger than Corridor accepts (a body, a batch, a decompressed file)."""

    status = 413
    code = "too_large"


class UnauthorizedError(CorridorError):
    """No credentials, or credentials that are not a valid key (unknown, revoked, malformed)."""

    status = 401
    code = "unauthorized"


class ForbiddenError(CorridorError):
    """A valid key whose role does not grant the permission an action needs."""

    status = 403
    code = "forbidden"


class NotFoundError(CorridorError, LookupError):
    """A list, version, entity or rule that does not exist."""

    status = 404
    code = "not_found"


class ConflictError(CorridorError):
    """A request that contradicts the stored state (a version held back, a stale id)."""

    status = 409
    code = "conflict"


class StoreBusyError(CorridorError):
    """The store is locked by another writer for longer than we wait."""

    status = 503
    code = "store_busy"


class IntegrityError(CorridorError):
    """Stored data failed its check (a tampered or truncated index, an audit chain)."""

    status = 500
    code = "integrity"


class FetchError(CorridorError):
    """A download from a publisher failed (network, size, digest, deadline)."""

    status = 502
    code = "fetch_failed"

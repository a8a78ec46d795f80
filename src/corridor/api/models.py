"""Request bodies, as pydantic models: FastAPI validates them and `/openapi.json`
describes them.  Values are checked again, with the field named, by the
application layer (`services.matching`, `match.query`, `trade.batch`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EntityExample(BaseModel):
    """An entity to match, as yente takes it: a FollowTheMoney schema and properties."""

    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", examples=["Person"])
    properties: dict[str, str | list[Any]] = Field(default_factory=dict, examples=[{"name": ["김정은"]}])


class MatchRequest(BaseModel):
    """`POST /match/{dataset}`: up to the batch limit of examples, keyed freely."""

    queries: dict[str, EntityExample | None] = Field(
        ...,
        examples=[{"q1": {"schema": "Person", "properties": {"name": ["김정은"], "birthDate": ["1984"]}}}],
    )
    weights: dict[str, float] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)


class ScreenQuery(BaseModel):
    """One query in the CLI's format (`corridor screen --input`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | int | None = None
    name: str = Field(..., examples=["Kim Jong Un"])
    schema_: str = Field("Thing", alias="schema", examples=["Person"])
    birth_date: str | int | None = Field(None, examples=["1984-01-08"])
    country: str | None = Field(None, examples=["kp"])
    imo: str | int | None = None
    identifiers: list[str] = Field(default_factory=list)
    gender: str | None = None


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queries: list[ScreenQuery] = Field(..., min_length=1)
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    limit: int = Field(10, ge=1, le=100)


class ComparePair(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | int | None = None
    name1: str
    name2: str
    schema_: str = Field("Person", alias="schema")


class CompareRequest(BaseModel):
    pairs: list[ComparePair] = Field(..., min_length=1)


class CheckRequest(BaseModel):
    """One transaction or a batch, in the format of `corridor check` files."""

    transactions: list[dict[str, Any]] = Field(..., min_length=1)
    record: bool = Field(False, description="Count capped lines in the ledger (analyst role).")


class KeyCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    role: str = Field(..., examples=["screener"])


class UpdateRequest(BaseModel):
    sources: list[str] = Field(
        default_factory=list, description="List keys to update (default: every enabled one)."
    )


class AlertAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(..., min_length=1, max_length=200)


class AlertNote(BaseModel):
    """A comment, an escalation's reason or a return's reason."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., min_length=1, max_length=10_000)


class AlertDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(
        ..., examples=["false_positive"], description="true_match | false_positive | inconclusive"
    )
    reason: str = Field(..., min_length=1, max_length=10_000)


class MonitorRun(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full: bool = Field(True, description="Screen every party (a delta needs the versions it starts from).")

"""The store of reports: stories, reports and their facts (migration 0003).

intel_stories  one row per story (a report and its near-duplicates and rewrites)
intel_reports  one row per report: source, date, text hash (unique), language, the
               MinHash signature, the cleaned text, screening hits and legal checks
intel_facts    one row per fact of a report: kind, key, label, attributes, evidence

`save_analysis` writes one report and all its facts in one database transaction:
a crash or an error leaves nothing of that report stored, and the same text (same
sha256) is never stored twice.  How many independent stories support a fact is
counted over the stories of the reports that state it (`fact_support`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import OperationalError

from corridor.errors import NotFoundError, StoreBusyError
from corridor.intel.model import Analysis
from corridor.intel.stories import Signature

metadata = MetaData()

intel_stories = Table(
    "intel_stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

intel_reports = Table(
    "intel_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", Integer, ForeignKey("intel_stories.id"), nullable=False),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("report_date", String(10), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("format", String(16), nullable=False),
    Column("partial", Boolean, nullable=False),
    Column("warnings", Text, nullable=False),
    Column("signature", Text, nullable=False),
    Column("shingles", Integer, nullable=False),
    Column("story_score", Float, nullable=True),
    Column("body", Text, nullable=False),
    Column("screening", Text, nullable=False),
    Column("checks", Text, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("sha256", name="uq_intel_reports_sha256"),
)
Index("ix_intel_reports_story", intel_reports.c.story_id)

intel_facts = Table(
    "intel_facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("intel_reports.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("key", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("attrs", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("sentence", Text, nullable=False),
)
Index("ix_intel_facts_key", intel_facts.c.kind, intel_facts.c.key)
Index("ix_intel_facts_report", intel_facts.c.report_id)


@dataclass(frozen=True, slots=True)
class Saved:
    report_id: int
    story_id: int
    new_story: bool
    duplicate: bool  # the same text was already stored (nothing written)
    facts: int


@dataclass(frozen=True, slots=True)
class StoryRow:
    id: int
    title: str
    reports: list[dict[str, Any]]

    @property
    def first_date(self) -> str:
        return min((r["report_date"] for r in self.reports), default="")

    @property
    def last_date(self) -> str:
        return max((r["report_date"] for r in self.reports), default="")


@dataclass(slots=True)
class FactSupport:
    kind: str
    key: str
    label: str
    stories: int  # independent stories stating it
    reports: int
    attrs: dict[str, Any] = field(default_factory=dict)
    mentions: list[dict[str, Any]] = field(default_factory=list)  # report, story, span, sentence


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _busy(exc: OperationalError) -> bool:
    text = str(exc).casefold()
    return "locked" in text or "busy" in text


def signatures(engine: Engine) -> Iterator[tuple[str, str, Signature]]:
    """(report id, story id, signature) of every stored report, for the story index."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                intel_reports.c.id,
                intel_reports.c.story_id,
                intel_reports.c.signature,
                intel_reports.c.shingles,
            )
        )
        for report_id, story_id, raw, size in rows:
            yield str(report_id), str(story_id), Signature(tuple(json.loads(raw)), int(size))


def find_report(engine: Engine, sha256: str) -> tuple[int, int] | None:
    """(report id, story id) of the stored report with this text hash, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(intel_reports.c.id, intel_reports.c.story_id).where(intel_reports.c.sha256 == sha256)
        ).first()
    return (int(row[0]), int(row[1])) if row else None


def save_analysis(
    engine: Engine, analysis: Analysis, sig: Signature, story_id: int | None, story_score: float | None
) -> Saved:
    """Store one analysed report and its facts atomically; `story_id` None starts a story."""
    doc = analysis.document
    now = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as conn:
            existing = conn.execute(
                select(intel_reports.c.id, intel_reports.c.story_id).where(
                    intel_reports.c.sha256 == doc.sha256
                )
            ).first()
            if existing is not None:
                return Saved(int(existing[0]), int(existing[1]), False, True, 0)
            new_story = story_id is None
            if story_id is None:
                story_key = conn.execute(
                    insert(intel_stories).values(title=doc.title or doc.source, created_at=now)
                ).inserted_primary_key
                assert story_key is not None
                story_id = int(story_key[0])
            report_key = conn.execute(
                insert(intel_reports).values(
                    story_id=story_id,
                    source=doc.source,
                    title=doc.title,
                    report_date=doc.report_date.isoformat(),
                    sha256=doc.sha256,
                    language=doc.language,
                    format=doc.raw_format,
                    partial=doc.partial,
                    warnings=_dumps(doc.warnings),
                    signature=_dumps(sig.to_list()),
                    shingles=sig.size,
                    story_score=story_score,
                    body=doc.text,
                    screening=_dumps({k: [h.to_dict() for h in v] for k, v in analysis.screening.items()}),
                    checks=_dumps([c.to_dict() for c in analysis.checks]),
                    ingested_at=now,
                )
            ).inserted_primary_key
            assert report_key is not None
            report_id = int(report_key[0])
            rows = [
                {
                    "report_id": report_id,
                    "kind": fact.kind,
                    "key": fact.key,
                    "label": fact.label,
                    "attrs": _dumps(fact.to_dict()["attrs"]),
                    "evidence": _dumps([e.to_dict() for e in fact.evidence]),
                    "span_start": fact.first.start,
                    "span_end": fact.first.end,
                    "sentence": fact.first.sentence,
                }
                for fact in analysis.facts
            ]
            if rows:
                conn.execute(insert(intel_facts), rows)
    except OperationalError as exc:
        if _busy(exc):
            raise StoreBusyError("the store is busy (another writer holds its lock); try again") from exc
        raise
    return Saved(report_id, story_id, new_story, False, len(rows))


def stories(engine: Engine) -> list[StoryRow]:
    """Every story with its reports, newest report first within a story."""
    with engine.connect() as conn:
        story_rows = conn.execute(
            select(intel_stories.c.id, intel_stories.c.title).order_by(intel_stories.c.id)
        ).all()
        report_rows = conn.execute(
            select(
                intel_reports.c.id,
                intel_reports.c.story_id,
                intel_reports.c.source,
                intel_reports.c.title,
                intel_reports.c.report_date,
                intel_reports.c.story_score,
                intel_reports.c.partial,
            ).order_by(intel_reports.c.report_date, intel_reports.c.id)
        ).all()
    by_story: dict[int, list[dict[str, Any]]] = {}
    for rid, sid, source, title, date, score, partial in report_rows:
        by_story.setdefault(int(sid), []).append(
            {
                "id": int(rid),
                "source": source,
                "title": title,
                "report_date": date,
                "story_score": score,
                "partial": bool(partial),
            }
        )
    return [StoryRow(int(sid), title, by_story.get(int(sid), [])) for sid, title in story_rows]


def fact_support(
    engine: Engine, *, kind: str | None = None, key_contains: str | None = None, limit: int = 200
) -> list[FactSupport]:
    """Facts with how many independent stories and reports state them, most supported
    first; `key_contains` filters on the normalised key (e.g. an entity's name)."""
    query = select(
        intel_facts.c.kind,
        intel_facts.c.key,
        func.min(intel_facts.c.label),
        func.count(func.distinct(intel_reports.c.story_id)),
        func.count(func.distinct(intel_facts.c.report_id)),
    ).join(intel_reports, intel_reports.c.id == intel_facts.c.report_id)
    if kind:
        query = query.where(intel_facts.c.kind.in_(kind.split(",")))
    if key_contains:
        query = query.where(intel_facts.c.key.contains(key_contains))
    query = (
        query.group_by(intel_facts.c.kind, intel_facts.c.key)
        .order_by(
            func.count(func.distinct(intel_reports.c.story_id)).desc(), intel_facts.c.kind, intel_facts.c.key
        )
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        out = [FactSupport(k, key, label, int(s), int(r)) for k, key, label, s, r in rows]
        for support in out:
            mentions = conn.execute(
                select(
                    intel_facts.c.report_id,
                    intel_reports.c.story_id,
                    intel_reports.c.source,
                    intel_facts.c.span_start,
                    intel_facts.c.span_end,
                    intel_facts.c.sentence,
                    intel_facts.c.attrs,
                )
                .join(intel_reports, intel_reports.c.id == intel_facts.c.report_id)
                .where(intel_facts.c.kind == support.kind, intel_facts.c.key == support.key)
                .order_by(intel_facts.c.report_id)
            ).all()
            for rid, sid, source, start, end, sentence, attrs in mentions:
                support.mentions.append(
                    {
                        "report_id": int(rid),
                        "story_id": int(sid),
                        "source": source,
                        "start": int(start),
                        "end": int(end),
                        "sentence": sentence,
                    }
                )
                if not support.attrs:
                    support.attrs = json.loads(attrs)
    return out


def report(engine: Engine, report_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(intel_reports).where(intel_reports.c.id == report_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no stored report {report_id}")
    return dict(row)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "stories": int(conn.execute(select(func.count()).select_from(intel_stories)).scalar_one()),
            "reports": int(conn.execute(select(func.count()).select_from(intel_reports)).scalar_one()),
            "facts": int(conn.execute(select(func.count()).select_from(intel_facts)).scalar_one()),
        }

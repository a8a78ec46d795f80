"""The reports page (/ui/intel): paste a report or upload its file, and read its
facts — each with the sentence that supports it and the words highlighted — the
screening hits of its parties and vessels (explained), and what the trade rule
packs say of the activities it describes, with citations and verification marks;
and the stories of the intel store (`corridor intel ingest`) with the number of
reports behind each (/ui/intel/stories).

The page parses the form and renders; the extraction and its audit record are
`api.routers.intel.extract`'s, as for the API.  Every text shown is escaped by the
templates' autoescaping: a report that contains markup shows it as text."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from corridor.api.routers.intel import extract, extract_upload
from corridor.api.security import app_state
from corridor.errors import CorridorError, InputError
from corridor.intel.model import Analysis, Evidence, Fact, ScreenHit
from corridor.services import intel as service
from corridor.services.keys import Permission
from corridor.web.pages import page
from corridor.web.session import WebUser, check_form, require_page

router = APIRouter(prefix="/ui", include_in_schema=False)
Reader = Annotated[WebUser, Depends(require_page(Permission.SCREEN))]
MAX_FORM_TEXT = 500_000
KIND_ORDER = ("entity", "vessel", "aircraft", "place", "goods", "quantity", "date", "activity")
KIND_TITLES = {
    "entity": "Organisations and people",
    "vessel": "Vessels",
    "aircraft": "Aircraft",
    "place": "Places",
    "goods": "Goods",
    "quantity": "Quantities",
    "date": "Dates",
    "activity": "Activities",
}
SHOWN_ATTRS = ("schema", "country", "role", "heading", "hs", "imo", "direction", "activity", "registration")


@dataclass(frozen=True, slots=True)
class Quote:
    """A sentence split around the words of a fact: before, the words, after."""

    before: str
    words: str
    after: str
    start: int
    end: int


@dataclass(slots=True)
class FactView:
    label: str
    details: list[tuple[str, str]]
    quotes: list[Quote]
    hits: list[ScreenHit] = field(default_factory=list)


def quote(evidence: Evidence) -> Quote:
    """The evidence's sentence with its span marked (the whole sentence as context
    when the span lies outside it)."""
    sentence = evidence.sentence
    start = evidence.start - evidence.sentence_start
    end = evidence.end - evidence.sentence_start
    if not (0 <= start <= end <= len(sentence)) or sentence[start:end] != evidence.text:
        found = sentence.find(evidence.text)
        if found < 0:
            return Quote(sentence, "", "", evidence.start, evidence.end)
        start, end = found, found + len(evidence.text)
    return Quote(sentence[:start], sentence[start:end], sentence[end:], evidence.start, evidence.end)


def _detail(value: Any) -> str:
    if hasattr(value, "label"):
        return str(value.label())
    return str(value)


def fact_view(fact: Fact, hits: list[ScreenHit]) -> FactView:
    details = [(k, _detail(fact.attrs[k])) for k in SHOWN_ATTRS if fact.attrs.get(k) not in (None, "", [])]
    for k in ("quantity", "date"):
        if fact.attrs.get(k) is not None:
            details.append((k, _detail(fact.attrs[k])))
    return FactView(fact.label, details, [quote(e) for e in fact.evidence[:5]], hits)


def analysis_view(analysis: Analysis) -> dict[str, Any]:
    groups = []
    for kind in KIND_ORDER:
        facts = analysis.of_kind(kind)
        if facts:
            views = [fact_view(f, analysis.screening.get(f.key, [])) for f in facts]
            groups.append({"kind": kind, "title": KIND_TITLES[kind], "facts": views})
    doc = analysis.document
    return {
        "document": doc,
        "groups": groups,
        "checks": analysis.checks,
        "hits": sum(len(v) for v in analysis.screening.values()),
        "facts": len(analysis.facts),
    }


def _text(form: Any, name: str, limit: int) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _date(raw: str) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError("date", f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _form_page(user: WebUser, code: int = 200, **context: Any) -> Response:
    values = {"text": "", "date": "", "result": None, "error": ""} | context
    return page("intel.html", code, title="Reports into facts", user=user, **values)


@router.get("/intel")
async def intel_form(user: Reader) -> Response:
    return _form_page(user)


@router.post("/intel")
async def intel_extract(request: Request, user: Reader) -> Response:
    form = await request.form()
    check_form(request, user, form)
    state = app_state(request)
    text = _text(form, "text", MAX_FORM_TEXT)
    raw_date = _text(form, "date", 20)
    upload = form.get("file")
    try:
        date = _date(raw_date)
        if isinstance(upload, UploadFile) and upload.filename:
            analysis = await extract_upload(state, user.actor, upload, date, "/ui/intel")
        else:
            if len(text) >= MAX_FORM_TEXT:
                raise InputError(
                    "text",
                    f"the pasted text is longer than {MAX_FORM_TEXT:,} characters: upload it as a file",
                )
            analysis = await extract(
                state, user.actor, text.encode("utf-8"), "pasted text", date, ".txt", "/ui/intel"
            )
    except CorridorError as error:
        return _form_page(user, 400, text=text, date=raw_date, error=str(error))
    return _form_page(user, text=text, date=raw_date, result=analysis_view(analysis))


@router.get("/intel/stories")
async def intel_stories(request: Request, user: Reader) -> Response:
    found = await asyncio.to_thread(service.list_stories, app_state(request).engine)
    stories = sorted(found, key=lambda s: s.last_date, reverse=True)
    stories.sort(key=lambda s: -len(s.reports))  # the most supported first, newest first among equals
    return page("intel_stories.html", title="Stories", user=user, stories=stories)

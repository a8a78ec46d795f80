"""Reports into facts over HTTP: `POST /intel/extract` (a report's text in a JSON
body) and `POST /intel/extract/file` (an uploaded .txt, .md or .html report).

The answer is the analysis as `corridor intel extract --json` gives it: every fact
with its sentence and span, the screening hits of each party and vessel (explained),
and what the trade rule packs say of each activity, with citations and verification
marks.  Nothing is stored but the audit record (`intel.extract`); `corridor intel
ingest` keeps reports.  The web page /ui/intel calls `extract` below."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Annotated

from fastapi import APIRouter, Depends, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile as AnyUpload

from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.api.state import AppState
from corridor.api.uploads import as_upload, private_folder, save
from corridor.errors import CorridorError, InputError
from corridor.intel.model import Analysis
from corridor.services import audit
from corridor.services import intel as service
from corridor.services.keys import Permission

router = APIRouter(tags=["Intel"])
Screener = Annotated[Caller, Depends(require(Permission.SCREEN))]
MAX_TEXT = 2_000_000  # characters of a pasted report (a file may be up to service.MAX_FILE_BYTES)
_analyse_lock = threading.Lock()  # one extraction at a time per process: the extractor keeps caches


class ExtractRequest(BaseModel):
    text: str = Field(
        min_length=1, max_length=MAX_TEXT, description="The report: plain text, Markdown or HTML"
    )
    date: dt.date | None = Field(None, description="The report's date: relative dates are resolved from it")
    format: str = Field("text", pattern="^(text|markdown|html)$")


SUFFIX = {"text": ".txt", "markdown": ".md", "html": ".html"}


def _engines(state: AppState) -> service.Engines:
    screener, catalog, _versions = state.screener()
    return service.engines_over(state.engine, screener, catalog.key, state.home)


def _run(state: AppState, data: bytes, source: str, date: dt.date | None, suffix: str) -> Analysis:
    built = _engines(state)
    with _analyse_lock:
        return service.analyse_bytes(data, source, built, date, "report", suffix)


async def extract(
    state: AppState,
    actor: audit.Actor,
    data: bytes,
    source: str,
    date: dt.date | None,
    suffix: str,
    endpoint: str,
) -> Analysis:
    """One report analysed (in a worker thread) and its audit record written."""
    if not data.strip():
        raise InputError("text", "the report is empty: paste a text or choose a file")
    analysis = await asyncio.to_thread(_run, state, data, source, date, suffix)
    _screener, _catalog, versions = state.screener()
    await state.recorder.record(
        actor,
        audit.Action.INTEL_EXTRACT,
        {"endpoint": endpoint, "source": source, "sha256": analysis.document.sha256},
        {"endpoint": endpoint, **service.audit_summary(analysis)},
        versions,
    )
    return analysis


@router.post("/intel/extract", summary="A report's facts, screened and checked against the trade rule packs")
async def extract_text(request: Request, body: ExtractRequest, caller: Screener) -> JSON:
    analysis = await extract(
        app_state(request),
        caller.actor,
        body.text.encode("utf-8"),
        "request",
        body.date,
        SUFFIX[body.format],
        "/intel/extract",
    )
    return JSON(analysis.to_dict())


@router.post(
    "/intel/extract/file", summary="An uploaded report (.txt, .md, .html): its facts, screened and checked"
)
async def extract_file(
    request: Request, file: UploadFile, caller: Screener, date: dt.date | None = None
) -> JSON:
    state = app_state(request)
    analysis = await extract_upload(state, caller.actor, file, date, "/intel/extract/file")
    return JSON(analysis.to_dict())


async def extract_upload(
    state: AppState, actor: audit.Actor, file: AnyUpload, date: dt.date | None, endpoint: str
) -> Analysis:
    """An uploaded report saved privately (api/uploads.py: size limit, safe name,
    removed afterwards) and analysed; errors name the upload, not the server's path."""
    with private_folder(state.settings, "intel-") as folder:
        path = await save(file, folder, state.settings, suffixes=service.REPORT_SUFFIXES)
        try:
            data = await asyncio.to_thread(service.read_report, path)
            return await extract(state, actor, data, path.name, date, path.suffix, endpoint)
        except CorridorError as error:
            raise as_upload(error, path.name) from error

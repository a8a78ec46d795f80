"""Health, readiness and the algorithm catalogue.

`/healthz` and `/readyz` answer without a key (a load balancer's probes) and say
nothing but the state; `/algorithms` needs a key like any data endpoint."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.match.algorithm import DEFAULT
from corridor.services.keys import Permission
from corridor.services.matching import ALGORITHM_ALIASES

router = APIRouter(tags=["System"])
Viewer = Annotated[Caller, Depends(require(Permission.READ_LISTS))]


@router.get("/healthz", summary="The process is up")
async def healthz() -> JSON:
    return JSON({"status": "ok"})


@router.get("/readyz", summary="The screening index is loaded (503 until it is)")
async def readyz(request: Request) -> JSON:
    state = app_state(request)
    if not state.ready:
        return JSON({"status": "loading", "detail": "the screening index is not loaded yet"}, status_code=503)
    return JSON({"status": "ok"})


def algorithms_document() -> dict[str, Any]:
    return {
        "algorithms": [
            {
                "name": DEFAULT.name,
                "description": (
                    "Corridor's screening engine: script-aware name alignment (Hangul, McCune–Reischauer, "
                    "Revised Romanization, Cyrillic and its Latin spellings), every part explained, "
                    "qualified by birth date, country, gender, identifiers and IMO number. "
                    f"Calibrated threshold {DEFAULT.threshold:.2f} (yente's default is 0.70): "
                    "it is the default `threshold` and `cutoff` of /match here; see docs/screening.md."
                ),
                "threshold": DEFAULT.threshold,
                "features": {
                    "name_score": {"description": "aligned name parts, weighted", "coefficient": 1.0},
                    "birth_date": {"description": "same / near / far birth date", "coefficient": 1.0},
                    "country": {"description": "query country among the entity's", "coefficient": 1.0},
                    "gender": {"description": "same or other gender", "coefficient": 1.0},
                    "identifier": {"description": "a shared identifier lifts the score", "coefficient": 1.0},
                    "imo": {"description": "the same or another IMO number", "coefficient": 1.0},
                },
            }
        ],
        "default": DEFAULT.name,
        "best": DEFAULT.name,
        "aliases": list(ALGORITHM_ALIASES),
    }


@router.get("/algorithms", summary="The matching algorithm and its calibrated threshold")
async def algorithms(_caller: Viewer) -> JSON:
    return JSON(algorithms_document())

"""OpenRefine reconciliation (service API 0.2) — placeholder router, filled in below."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["Reconciliation"])

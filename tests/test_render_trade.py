"""Rich renderables: the verdict report, rules list/show, HS lookups, the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console, RenderableType

from corridor.render.trade import (
    hs_path_renderable,
    hs_search_table,
    ledger_renderable,
    rule_renderable,
    rules_table,
    verdict_renderable,
)
from corridor.services.trade import check_file, ledger_summary
from corridor.store.db import engine
from corridor.store.ledger import CapLedger
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator
from corridor.trade.rules import default_rulebook

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def text(renderable: RenderableType) -> str:
    console = Console(record=True, width=220, color_system=None)
    console.print(renderable)
    return console.export_text()


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


def test_verdict_report_shows_verdict_citations_and_marks(
    nomenclature: hs.Nomenclature, sqlite_url: str
) -> None:
    ev = Evaluator(default_rulebook(), hs=nomenclature, ledger=CapLedger(engine(sqlite_url)))
    verdicts = {v.transaction_id: v for v in check_file(EXAMPLES / "corridor-2022.yaml", ev)}
    workers = text(verdict_renderable(verdicts["KP-RU-WORKERS-2022-11"]))
    assert "PROHIBITED" in workers and "UNSCR 2397 (2017) para 8 (unverified) [P]" in workers
    assert "partly verified: paragraph unverified" in workers
    lpg = text(verdict_renderable(verdicts["RU-KP-LPG-2022-10"]))
    assert "CAPPED_REPORTABLE" in lpg and "UNSCR 2397 (2017) para 5 [V]" in lpg and "11.6 bbl/t" in lpg
    assert "Caps" in lpg and "51,100.000" in lpg
    coal = text(verdict_renderable(verdicts["RU-CN-COAL-VIA-RAJIN-2022-12"]))
    assert "exempt" in coal and "EX-RAJIN-COAL" in coal and "Rajin is a DPRK port" in coal


def test_rules_list_and_show() -> None:
    book = default_rulebook()
    listing = text(rules_table(book, regime="UN"))
    assert "UN-2397-5" in listing and "US-EO13722" not in listing
    shown = text(rule_renderable(book.get("UN-2397-7a")))
    assert "para 7 (unverified)" in shown and "84, 85" in shown and "[EX-AC-PARTS]" in shown
    assert "civil_aircraft_spare_parts" in shown and "[S1]" in shown
    cap = text(rule_renderable(book.get("UN-2397-4")))
    assert "4,000,000 bbl or 525,000 t per 12 months from 22 December" in cap


def test_hs_and_ledger_renderables(nomenclature: hs.Nomenclature, sqlite_url: str) -> None:
    search = text(hs_search_table("diesel", nomenclature.search("diesel", 3)))
    assert "271019" in search and "synonym" in search
    path = text(hs_path_renderable(nomenclature.path("2710.19.43")))
    assert "Chapter 27" in path and "National digits 43" in path
    led = CapLedger(engine(sqlite_url))
    assert "empty" in text(ledger_renderable(led.summary(default_rulebook().caps())))
    ev = Evaluator(default_rulebook(), hs=nomenclature, ledger=led)
    check_file(EXAMPLES / "transactions" / "gasoline.yaml", ev)
    shown = text(ledger_renderable(ledger_summary(engine(sqlite_url))))
    assert (
        "UN-2397-5 2022: 17,000.000 bbl of 500,000 bbl (3.40 %), 1 line(s)" in shown
        and "EX-GASOLINE-1" in shown
    )

"""The analysts' pages in a real browser: Debian's headless Chromium driven by
Playwright against a real `corridor serve` process on 127.0.0.1.

Covers signing in with a user account, screening «김정은» and opening the
entity, checking a transaction and reading its citations (by keyboard); and the
monitoring loop: import a portfolio holding listed parties, import a newer UN
list and see the delta raise a *changed* and a *new* alert, decide one as a
reviewer, be refused approving it as the same user, approve it as another
reviewer, and see the approved false positive stay quiet on the next run.  Screenshots of the pages
are written to the test's folder, or to docs/screenshots/ with
CORRIDOR_WRITE_SCREENSHOTS=1 (two of them are committed there)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.test_web_cases import NEW, OLD, picked_entities

from corridor.services import keys, lists, users
from corridor.store import db

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser test password"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    message = f"*** NOT TESTED: {reason} ***"
    if IN_CI:
        pytest.fail(message + " (CI=true: this must not be skipped)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[tuple[str, str]]:
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium; `make test` does it)")
    home = tmp_path_factory.mktemp("browser-home")
    url = f"sqlite:///{home / 'corridor.db'}"
    engine = db.engine(url)
    lists.import_path(engine, shared_data / OLD)
    people = home / "people.jsonl"
    people.write_text(
        json.dumps(
            {
                "id": "browser-kju",
                "schema": "Person",
                "caption": "Kim Jong Un",
                "properties": {"name": ["Kim Jong Un"], "birthDate": ["1984-01-08"]},
                "datasets": ["browser_test"],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    lists.import_path(engine, people, "ftm")
    for name, role in (("anna", "analyst"), ("rita", "reviewer"), ("rex", "reviewer")):
        users.create(engine, name, role, PASSWORD)
    key = keys.create(engine, "list-admin", "admin").secret
    port = _free_port()
    env = {
        **os.environ,
        "CORRIDOR_HOME": str(home),
        "CORRIDOR_DATABASE_URL": url,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "corridor.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (
                process.stderr.read().decode() if process.stderr else "server exited"
            )
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.3)
        yield base, key
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (it is in the dev extra)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _shots(tmp_path: Path) -> Path:
    if os.environ.get("CORRIDOR_WRITE_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


def _sign_in(page: Any, name: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")


def _new_session(browser: Any, base: str, name: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/ui/login")
    _sign_in(page, name)
    page.wait_for_url(f"{base}/ui/home")
    return page


def test_sign_in_screen_open_the_entity_and_check_a_transaction(
    server: tuple[str, str], browser: Any, tmp_path: Path, shared_data: Path
) -> None:
    base, _admin_key = server
    shots = _shots(tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/ui/screen")
    # sent to sign in, and back to the page asked for after
    assert "/ui/login" in page.url
    _sign_in(page, "anna")
    page.wait_for_url(f"{base}/ui/screen")
    assert "anna" in page.inner_text("header")

    # screen «김정은» by keyboard only: type the name, Tab to the kind, choose Person, submit
    page.get_by_label("Name (any script)").fill("김정은")
    page.keyboard.press("Tab")
    page.get_by_label("Kind").select_option("Person")
    page.get_by_role("button", name="Screen").press("Enter")
    page.wait_for_selector("article.hit")
    first = page.locator("article.hit").first
    assert "Kim Jong Un" in first.inner_text()
    assert "korean-romanization" in first.inner_text()
    page.screenshot(path=str(shots / "screen.png"), full_page=True)

    first.get_by_role("link", name="Kim Jong Un").click()
    page.wait_for_url(f"{base}/ui/entities/**")
    assert page.locator("h1").inner_text() == "Kim Jong Un"
    assert "1984-01-08" in page.inner_text("main")

    # a trade check: paste the corridor scenario, read verdicts and citations
    page.get_by_role("link", name="Trade check").click()
    page.wait_for_url(f"{base}/ui/check")
    page.get_by_label("Transactions (YAML or JSON)").fill(
        (ROOT / "examples/corridor-2022.yaml").read_text(encoding="utf-8")
    )
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("article.verdict")
    text = page.inner_text("main")
    assert "RU-KP-GASOLINE-2022-10" in text and "CAPPED_REPORTABLE" in text
    assert "UNSCR 2397" in text  # the refined-petroleum cap's paragraph is cited
    page.screenshot(path=str(shots / "check.png"))

    # a report into facts: the seed pasted, its facts and the law that applies
    seed = sorted((shared_data.parent / "seeds").glob("*.txt"))[0]
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{base}/ui/intel")
    page.get_by_label("Report text").fill(seed.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Extract").click()
    page.wait_for_selector("section[aria-labelledby='law']")
    report = page.inner_text("main")
    assert "Vladivostok" in report and "2710" in report  # a place and the fuels' heading
    assert "2397" in report  # the refined-petroleum cap cited
    # the law and the first facts, as an analyst scrolls to them
    page.locator("section[aria-labelledby='law']").evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(shots / "intel.png"))

    # readable on a phone: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/ui/screen")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    page.close()


def test_portfolio_delta_alerts_four_eyes_and_suppression(
    server: tuple[str, str], browser: Any, tmp_path: Path, shared_data: Path
) -> None:
    base, admin_key = server
    shots = _shots(tmp_path)
    changed, added = picked_entities(shared_data, tmp_path)
    parties = tmp_path / "parties.csv"
    parties.write_text(
        f"id,name,schema\np-changed,{changed},Person\np-added,{added},Person\np-none,Qqq Zzyzx Unlisted,Person\n",
        encoding="utf-8",
    )
    anna = _new_session(browser, base, "anna")
    anna.get_by_role("link", name="Portfolio", exact=True).click()
    anna.get_by_label("File (CSV, JSONL or XLSX", exact=False).set_input_files(str(parties))
    anna.get_by_role("button", name="Import").click()
    anna.wait_for_selector("text=Imported parties.csv")
    assert "3 parties; 3 added" in anna.inner_text("main")
    anna.get_by_role("button", name="Run monitoring now").click()
    anna.wait_for_selector("text=Monitoring (full)")
    anna.get_by_role("link", name="Open the alert queue").click()
    queue = anna.inner_text("table.queue")
    assert changed in queue and added not in queue

    # a newer UN list arrives (imported over the API): the delta runs by itself
    with (shared_data / NEW).open("rb") as handle:
        answer = httpx.post(
            f"{base}/lists/import",
            headers={"Authorization": f"ApiKey {admin_key}"},
            files={"file": ("consolidated.xml", handle, "application/xml")},
            data={"source": "un"},
            timeout=300,
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["monitoring"]["kind"] == "delta"
    anna.goto(f"{base}/ui/alerts")
    rows = {
        r.inner_text().split("\t")[1].strip(): r.inner_text()
        for r in anna.locator("table.queue tbody tr").all()
    }
    changed_row = next(text for party, text in rows.items() if party.startswith(changed))
    added_row = next(text for party, text in rows.items() if party.startswith(added))
    assert "changed" in changed_row and "new" in added_row
    anna.get_by_label("Kind").select_option("changed")
    anna.get_by_role("button", name="Show").click()
    assert added not in anna.inner_text("table.queue")

    # rita decides the new alert, and may not approve her own decision
    rita = _new_session(browser, base, "rita")
    rita.get_by_role("link", name="Alerts", exact=True).click()
    rita.wait_for_selector("table.queue")
    rita.locator("table.queue tbody tr", has_text=added).get_by_role("link").first.click()
    assert "Listed entity" in rita.inner_text("main") and "Why it matched" in rita.inner_text("main")
    rita.get_by_label("false positive").check()
    rita.get_by_label("Reason (required)").fill("Different person: the birth year on file differs.")
    rita.get_by_role("button", name="Decide").click()
    rita.wait_for_selector("text=Decided false positive by rita")
    rita.screenshot(path=str(shots / "alert-review.png"), full_page=True)
    review_url = rita.url
    rita.get_by_role("button", name="Approve the decision").click()
    assert "four eyes" in rita.inner_text("[role=alert]")

    # rex approves it
    rex = _new_session(browser, base, "rex")
    rex.goto(review_url)
    rex.get_by_role("button", name="Approve the decision").click()
    rex.wait_for_selector("text=approved by rex")
    # the queue and the review are readable on a phone: nothing wider than the screen
    rex.set_viewport_size({"width": 390, "height": 844})
    for path in (review_url, f"{base}/ui/alerts", f"{base}/ui/home"):
        rex.goto(path)
        assert rex.evaluate("document.documentElement.scrollWidth") <= 390 + 1, path

    # the next run leaves the approved false positive quiet
    anna.goto(f"{base}/ui/portfolio")
    anna.get_by_role("button", name="Run monitoring now").click()
    anna.wait_for_selector("text=Monitoring (full)")
    anna.goto(review_url)
    assert "approved by rex" in anna.inner_text("main")
    anna.goto(f"{base}/ui/home")
    assert "Open alerts" in anna.inner_text("main")
    anna.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    for page in (anna, rita, rex):
        page.close()

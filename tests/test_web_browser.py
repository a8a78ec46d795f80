"""The analysts' pages in a real browser: Debian's headless Chromium driven by
Playwright against a real `corridor serve` process on 127.0.0.1.

Covers signing in, screening «김정은» and opening the entity, and checking a
transaction and reading its citations, all by keyboard.  Screenshots of the pages
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

from corridor.services import keys, lists
from corridor.store import db

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
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
    lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
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
    key = keys.create(engine, "analyst-anna", "analyst").secret
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


def test_sign_in_screen_open_the_entity_and_check_a_transaction(
    server: tuple[str, str], browser: Any, tmp_path: Path
) -> None:
    base, key = server
    shots = _shots(tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/ui/screen")
    # sent to sign in, and back to the page asked for after
    assert "/ui/login" in page.url
    page.get_by_label("API key").fill(key)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/ui/screen")
    assert "analyst-anna" in page.inner_text("header")

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
    page.get_by_label("Transactions (YAML or JSON)").fill(
        (ROOT / "examples/corridor-2022.yaml").read_text(encoding="utf-8")
    )
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("article.verdict")
    text = page.inner_text("main")
    assert "RU-KP-GASOLINE-2022-10" in text and "CAPPED_REPORTABLE" in text
    assert "UNSCR 2397" in text  # the refined-petroleum cap's paragraph is cited
    page.screenshot(path=str(shots / "check.png"))

    # readable on a phone: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/ui/screen")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    page.close()

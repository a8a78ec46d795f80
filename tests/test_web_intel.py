"""The reports page /ui/intel and the API's /intel/extract (issue 12 §2) through
FastAPI's test client, on the real UN list: every page refuses the anonymous
visitor and the role below (viewer), every POST needs its CSRF token and changes
nothing without it, each extraction is audited, report text and list data are
escaped, and the page shows what the extractor found — each fact with its
sentence and its words marked, the screening hits, the rule packs' findings with
their citations and verification marks — and the stored stories."""

from __future__ import annotations

import datetime as dt
import html as stdlib_html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from tests.test_web import Site as WebSite
from tests.test_web import ready_client, write_ftm

from corridor.services import audit, keys, lists, users
from corridor.services import intel as service
from corridor.store import db

HERE = Path(__file__).resolve().parent
UN = "un/2026-05-08/consolidated.xml"
PASSWORD = "a long enough password"
HOSTILE_NAME = "Hostile <b>Trading</b> Company"  # a listed name with markup in it
PEOPLE = {"vic": "viewer", "sam": "screener"}
SEED_DATE = dt.date(2022, 11, 22)


class Site(WebSite):
    def sign_in(self, name: str) -> TestClient:
        return self.sign_in_user(name, PASSWORD)


@pytest.fixture(scope="module")
def seeds(shared_data: Path) -> list[Path]:
    return sorted((shared_data.parent / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, shared_data: Path, seeds: list[Path]) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("intel-web-home")
    url = f"sqlite:///{home / 'corridor.db'}"
    engine = db.engine(url)
    lists.import_path(engine, shared_data / UN)
    lists.import_path(
        engine, write_ftm(home / "hostile.jsonl", [("web-xss", "Company", HOSTILE_NAME)]), "ftm"
    )
    for name, role in PEOPLE.items():
        users.create(engine, name, role, PASSWORD)
    made = {role.value: keys.create(engine, f"k-{role.value}", role).secret for role in keys.ROLE_ORDER}
    # the intel store: the two seeds (one story) and an unrelated report
    folder = home / "reports"
    folder.mkdir()
    for seed in seeds:
        shutil.copy(seed, folder / seed.name)
    shutil.copy(
        HERE.parent / "bench/intel/reports/r02_dailynk_laborers_khabarovsk.txt", folder / "unrelated.txt"
    )
    service.ingest_dir(engine, folder, service.engines(None, screen=False), SEED_DATE)
    with ready_client(url, home) as client:
        yield Site(client, engine, made)


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/intel").text)
    assert found
    return found.group(1)


def _shown(page: str) -> str:
    """The page's text as a reader sees it (tags removed, entities decoded)."""
    return stdlib_html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.mark.parametrize("path", ["/ui/intel", "/ui/intel/stories"])
def test_an_anonymous_visitor_is_sent_to_sign_in(site: Site, path: str) -> None:
    site.client.cookies.clear()
    answer = site.client.get(path, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/ui/login?next={path}"


def test_an_anonymous_or_tokenless_post_extracts_nothing(site: Site) -> None:
    site.client.cookies.clear()
    before = audit.head(site.engine).seq
    answer = site.client.post("/ui/intel", data={"text": "Daily NK reported it."}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login")
    client = site.sign_in("sam")
    signed_in = audit.head(site.engine).seq
    assert signed_in == before + 1  # the sign-in alone is recorded
    for token in ("forged", None):
        data = {"text": "Daily NK reported it."} | ({"csrf": token} if token else {})
        refused = client.post("/ui/intel", data=data)
        assert refused.status_code == 403 and "security token" in refused.text
    assert audit.head(site.engine).seq == signed_in


@pytest.mark.parametrize("path", ["/ui/intel", "/ui/intel/stories"])
def test_the_role_below_is_refused(site: Site, path: str) -> None:
    assert site.sign_in("sam").get(path).status_code == 200
    viewer = site.sign_in("vic")
    assert viewer.get(path).status_code == 403
    if path == "/ui/intel":
        home = viewer.get("/ui/home").text
        token = re.search(r'name="csrf" value="([^"]+)"', home)
        assert token
        before = audit.head(site.engine).seq
        refused = viewer.post(path, data={"text": "Daily NK reported it.", "csrf": token.group(1)})
        assert refused.status_code == 403 and audit.head(site.engine).seq == before


def test_the_nav_entry_follows_the_permission(site: Site) -> None:
    assert 'href="/ui/intel"' in site.sign_in("sam").get("/ui/home").text
    assert 'href="/ui/intel"' not in site.sign_in("vic").get("/ui/home").text


def test_a_seed_shows_its_facts_spans_and_the_law(site: Site, seeds: list[Path]) -> None:
    client = site.sign_in("sam")
    text = seeds[0].read_text(encoding="utf-8")
    before = audit.head(site.engine).seq
    answer = client.post(
        "/ui/intel", data={"text": text, "date": SEED_DATE.isoformat(), "csrf": _csrf(client)}
    )
    assert answer.status_code == 200, answer.text[:500]
    page = answer.text
    # the same analysis through the service: every fact's label and every marked span is on the page
    expected = service.analyse_bytes(
        text.encode(), "pasted text", service.engines(None, screen=False), SEED_DATE
    )
    assert len(expected.facts) > 10
    for fact in expected.facts:
        assert str(escape(fact.label)) in page, fact.label
        assert f"<mark>{escape(fact.evidence[0].text)}</mark>" in page, fact.evidence[0].text
    # wheat flour found as HS 1101, with its sentence, the words marked
    (flour,) = [f for f in expected.of_kind("goods") if f.attrs.get("heading") == "1101"]
    sentence = flour.first.sentence
    cut = flour.first.start - flour.first.sentence_start
    assert f"{escape(sentence[:cut])}<mark>{escape(flour.first.text)}</mark>" in page
    # the law: each finding with its citation and its verification mark, none shown verified unless it is
    shown = _shown(page)
    findings = [f for c in expected.checks for f in c.findings]
    assert any(f.outcome == "PROHIBITED" for f in findings)
    for finding in findings:
        assert finding.citation in shown
        mark = finding.verification + ("" if finding.verified else " (unverified)")
        assert mark in shown
    # one audit record of the extraction, with its hash and counts, not the text
    assert audit.head(site.engine).seq == before + 1
    (record,) = audit.tail(site.engine, 1)
    assert (record.action, record.channel, record.actor) == ("intel.extract", "web", "sam")
    assert record.summary["sha256"] == expected.document.sha256
    request = {"endpoint": "/ui/intel", "source": "pasted text", "sha256": expected.document.sha256}
    assert record.request_sha256 == audit.request_hash(request)
    assert record.summary["facts"]["goods"] == len(expected.of_kind("goods"))
    assert "wheat flour" not in str(record.summary)


def test_screening_hits_are_shown_and_explained(site: Site) -> None:
    client = site.sign_in("sam")
    text = (HERE / "intel_data" / "written_listed.md").read_text(encoding="utf-8")
    answer = client.post("/ui/intel", data={"text": text, "date": "2024-03-20", "csrf": _csrf(client)})
    assert answer.status_code == 200
    expected = service.analyse_bytes(
        text.encode(), "x.txt", service.engines(site.engine), dt.date(2024, 3, 20)
    )
    hits = expected.screening["entity:korea ryonbong general corporation"]
    assert hits
    for hit in hits:
        assert f'href="/ui/entities/{hit.entity_id}"' in answer.text.replace("%3A", ":")
        assert hit.explanation and str(escape(hit.explanation)) in answer.text


def test_report_text_and_list_data_are_escaped(site: Site) -> None:
    client = site.sign_in("sam")
    text = (
        "<script>alert('report')</script> <img src=x onerror=alert(1)> Funds went to the Hostile Trading "
        "Company in Vladivostok, Daily NK said on 3 March 2024."
    )
    answer = client.post("/ui/intel", data={"text": text, "csrf": _csrf(client)})
    assert answer.status_code == 200
    page = answer.text
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page  # shown as text in the form and in the evidence
    assert "script-src 'none'" in answer.headers["content-security-policy"]
    # the listed entity whose name is markup is a hit, shown escaped
    assert "possible listed match" in page and str(escape(HOSTILE_NAME)) in page


def test_an_uploaded_report_and_bad_uploads(site: Site, seeds: list[Path], tmp_path: Path) -> None:
    client = site.sign_in("sam")
    token = _csrf(client)
    data = seeds[1].read_bytes()
    answer = client.post(
        "/ui/intel",
        data={"csrf": token, "date": SEED_DATE.isoformat()},
        files={"file": ("daily nk.html", data, "text/html")},
    )
    assert answer.status_code == 200
    assert "<mark>wheat flour</mark>" in answer.text and "daily_nk.html" in answer.text
    before = audit.head(site.engine).seq
    for name, body, message in [
        ("report.exe", b"MZ\x00\x00", "expected a"),
        ("report.txt", bytes(range(256)) * 20, "text"),
        ("empty.txt", b"", "empty"),
    ]:
        refused = client.post(
            "/ui/intel", data={"csrf": token}, files={"file": (name, body, "application/octet-stream")}
        )
        assert refused.status_code == 400, name
        (error,) = re.findall(r'<p class="error" role="alert">([^<]*)</p>', refused.text)
        assert message in error and "/uploads/" not in error and str(site.engine.url) not in error
    assert audit.head(site.engine).seq == before  # nothing extracted, nothing recorded
    bad_date = client.post("/ui/intel", data={"csrf": token, "text": "Daily NK", "date": "tomorrow"})
    assert bad_date.status_code == 400 and "not a date" in bad_date.text


def test_stories_list_the_seeds_as_one_story_of_two_reports(site: Site, seeds: list[Path]) -> None:
    page = site.sign_in("sam").get("/ui/intel/stories").text
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td class=\"num\">(\d+)</td>", page, re.S)
    stored = service.list_stories(site.engine)
    assert sorted(int(n) for _, n in rows) == sorted(len(s.reports) for s in stored) == [1, 2]
    (title, count) = rows[0]
    assert count == "2"  # the most supported first
    (seed_story,) = [s for s in stored if len(s.reports) == 2]
    assert stdlib_html.unescape(title) == seed_story.title
    for seed in seeds:
        assert seed.name in page


def test_api_extract_answers_the_screener_and_refuses_the_viewer(site: Site, seeds: list[Path]) -> None:
    body = {"text": seeds[0].read_text(encoding="utf-8"), "date": SEED_DATE.isoformat()}
    refused = site.client.post("/intel/extract", json=body, headers=site.api("viewer"))
    assert refused.status_code == 403
    assert site.client.post("/intel/extract", json=body).status_code == 401
    before = audit.head(site.engine).seq
    answer = site.client.post("/intel/extract", json=body, headers=site.api("screener"))
    assert answer.status_code == 200
    got = answer.json()
    headings = {f["attrs"].get("heading") for f in got["facts"] if f["kind"] == "goods"}
    assert {"1101", "2710", "2711"} <= headings
    for fact in got["facts"]:
        for ev in fact["evidence"]:
            assert ev["text"] in ev["sentence"]
    assert audit.head(site.engine).seq == before + 1
    upload = site.client.post(
        "/intel/extract/file",
        files={"file": ("seed.txt", seeds[0].read_bytes(), "text/plain")},
        params={"date": SEED_DATE.isoformat()},
        headers=site.api("screener"),
    )
    assert upload.status_code == 200 and upload.json()["facts"]
    empty = site.client.post("/intel/extract", json={"text": " "}, headers=site.api("screener"))
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]

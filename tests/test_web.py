"""The analysts' pages (`/ui`) through FastAPI's test client: every page refuses an
anonymous visitor and the wrong role, every state change needs the session's CSRF
token, list data is escaped, and screenings and checks are audited as `web`."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from corridor.services import audit, keys, lists
from corridor.store import db

ROOT = Path(__file__).resolve().parents[1]
SCRIPT_NAME = "<script>alert('x')</script> Hostile Trading"
FIXTURE_PEOPLE = [
    ("web-kju", "Person", "Kim Jong Un"),
    ("web-xss", "Company", SCRIPT_NAME),
]


def write_ftm(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for ident, schema, name in rows:
            record = {
                "id": ident,
                "schema": schema,
                "caption": name,
                "properties": {"name": [name]},
                "datasets": ["web_test"],
            }
            handle.write(json.dumps(record) + "\n")
    return path


class Site:
    """A running app under the test client, with an API key per role."""

    def __init__(self, client: TestClient, engine: db.Engine, keys_by_role: dict[str, str]) -> None:
        self.client = client
        self.engine = engine
        self.keys = keys_by_role

    def _sign_in_with(self, fields: dict[str, str]) -> TestClient:
        self.client.cookies.clear()
        form = self.client.get("/ui/login")
        token = re.search(r'name="token" value="([^"]+)"', form.text)
        assert token
        answer = self.client.post(
            "/ui/login", data={**fields, "token": token.group(1), "next": "/ui/home"}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        return self.client

    def sign_in(self, role: str) -> TestClient:
        """Signed in with the API key of `role`."""
        return self._sign_in_with({"key": self.keys[role]})

    def sign_in_user(self, name: str, password: str) -> TestClient:
        """Signed in with a user account."""
        return self._sign_in_with({"name": name, "password": password})

    def csrf(self) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get("/ui/home").text)
        assert found
        return found.group(1)

    def api(self, role: str) -> dict[str, str]:
        return {"Authorization": f"ApiKey {self.keys[role]}"}


@contextmanager
def ready_client(url: str, home: Path) -> Iterator[TestClient]:
    """The app on `url` with `home` as CORRIDOR_HOME, under the test client, once
    its screening index has loaded."""
    from corridor import settings
    from corridor.api.app import create_app

    old_home = settings.current().home
    os.environ["CORRIDOR_HOME"] = str(home)
    try:
        with TestClient(create_app(url, home=home), base_url="http://testserver") as client:
            deadline = time.monotonic() + 120
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the index did not load"
                time.sleep(0.2)
            yield client
    finally:
        os.environ["CORRIDOR_HOME"] = str(old_home)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("web-home")
    url = f"sqlite:///{home / 'corridor.db'}"
    engine = db.engine(url)
    lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    lists.import_path(engine, write_ftm(home / "web.jsonl", FIXTURE_PEOPLE), "ftm")
    made = {role.value: keys.create(engine, f"web-{role.value}", role).secret for role in keys.ROLE_ORDER}
    with ready_client(url, home) as client:
        yield Site(client, engine, made)


PAGES = ["/ui/home", "/ui/screen", "/ui/check", "/ui/ledger", "/ui/entities/un:KPi.033"]


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(site: Site, path: str) -> None:
    site.client.cookies.clear()
    answer = site.client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/ui/login?next=" + path.split(":")[0])


@pytest.mark.parametrize("path", ["/ui/screen", "/ui/check", "/ui/logout"])
def test_an_anonymous_post_changes_nothing(site: Site, path: str) -> None:
    site.client.cookies.clear()
    before = audit.head(site.engine).seq
    answer = site.client.post(path, data={"name": "Kim Jong Un"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login")
    assert audit.head(site.engine).seq == before


# the lowest role each page needs (services.keys.PERMISSIONS): the role below is refused
NEEDS = {"/ui/home": "viewer", "/ui/screen": "screener", "/ui/check": "screener", "/ui/ledger": "analyst"}


@pytest.mark.parametrize("path", sorted(NEEDS))
def test_each_page_needs_its_role(site: Site, path: str) -> None:
    order = [role.value for role in keys.ROLE_ORDER]
    needed = NEEDS[path]
    client = site.sign_in(needed)
    assert client.get(path).status_code == 200
    below = order.index(needed) - 1
    if below >= 0:
        client = site.sign_in(order[below])
        refused = client.get(path)
        assert refused.status_code == 403
        assert "text/html" in refused.headers["content-type"] and needed in refused.text


def test_a_wrong_key_does_not_sign_in(site: Site) -> None:
    site.client.cookies.clear()
    form = site.client.get("/ui/login")
    token = re.search(r'name="token" value="([^"]+)"', form.text)
    assert token
    answer = site.client.post(
        "/ui/login", data={"key": "cor_000000000000_" + "x" * 43, "token": token.group(1)}
    )
    assert answer.status_code == 401
    assert "corridor_session" not in answer.cookies


def test_sign_in_needs_the_form_token_and_never_redirects_off_site(site: Site) -> None:
    site.client.cookies.clear()
    site.client.get("/ui/login")
    refused = site.client.post("/ui/login", data={"key": site.keys["viewer"], "token": "forged"})
    assert refused.status_code == 403
    form = site.client.get("/ui/login")
    token = re.search(r'name="token" value="([^"]+)"', form.text)
    assert token
    answer = site.client.post(
        "/ui/login",
        data={"key": site.keys["viewer"], "token": token.group(1), "next": "https://evil.example/ui"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/home"


def test_every_state_change_needs_the_csrf_token(site: Site) -> None:
    client = site.sign_in("analyst")
    good = site.csrf()
    before = audit.head(site.engine).seq
    for token in (None, "0" * 64, good[:-1] + ("0" if good[-1] != "0" else "1")):
        data = {"name": "Kim Jong Un", "schema": "Person"}
        if token is not None:
            data["csrf"] = token
        assert client.post("/ui/screen", data=data).status_code == 403
        assert client.post("/ui/check", data={**data, "document": "id: x"}).status_code == 403
        assert client.post("/ui/logout", data=data).status_code == 403
    assert audit.head(site.engine).seq == before  # nothing screened, checked or recorded
    # another session's token is another session's
    other = site.sign_in("analyst")
    assert other.post("/ui/screen", data={"name": "Kim Jong Un", "csrf": good}).status_code == 403


def test_screening_renders_hits_and_is_audited_as_web(site: Site) -> None:
    client = site.sign_in("screener")
    answer = client.post("/ui/screen", data={"name": "김정은", "schema": "Person", "csrf": site.csrf()})
    assert answer.status_code == 200
    assert "Kim Jong Un" in answer.text and "korean-romanization" in answer.text
    (record,) = audit.tail(site.engine, 1)
    assert record.channel == "web" and record.actor == "web-screener" and record.role == "screener"
    assert any(hit["entity_id"] == "ftm:web-kju" for hit in record.summary["hits"])


def test_list_data_is_escaped_in_every_page(site: Site) -> None:
    client = site.sign_in("screener")
    # a plain query that matches the listed name: the markup on the page can only be the list's
    answer = client.post(
        "/ui/screen",
        data={"name": "Script Alert X Script Hostile Trading", "schema": "Company", "csrf": site.csrf()},
    )
    assert answer.status_code == 200 and "ftm:web-xss" in answer.text
    assert "<script>alert" not in answer.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in answer.text
    entity = client.get("/ui/entities/ftm:web-xss")
    assert (
        entity.status_code == 200 and "<script>alert" not in entity.text and "&lt;script&gt;" in entity.text
    )
    # and the input echoed back
    echoed = client.post("/ui/screen", data={"name": "<b>bold</b> Trading", "csrf": site.csrf()})
    assert "<b>bold</b>" not in echoed.text and "&lt;b&gt;bold&lt;/b&gt;" in echoed.text


def test_pages_forbid_scripts_and_framing(site: Site) -> None:
    client = site.sign_in("viewer")
    answer = client.get("/ui/home")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in answer.text


def test_a_trade_check_shows_verdicts_with_citations(site: Site) -> None:
    client = site.sign_in("screener")
    document = (ROOT / "examples/corridor-2022.yaml").read_text(encoding="utf-8")
    before = audit.head(site.engine).seq
    answer = client.post("/ui/check", data={"document": document, "csrf": site.csrf()})
    assert answer.status_code == 200
    from corridor.services import trade

    expected = trade.check_document(ROOT / "examples/corridor-2022.yaml", trade.evaluator(None), record=False)
    assert answer.text.count('class="card verdict"') == len(expected.items)
    for verdict in expected.verdicts:
        assert verdict.transaction_id in answer.text
        for reason in verdict.reasons:
            assert str(escape(reason.citation)) in answer.text  # as the template escapes it
    (record,) = audit.tail(site.engine, 1)
    assert record.seq == before + 1 and record.action == "check" and record.channel == "web"


def test_a_bad_document_is_an_error_page_and_nothing_is_recorded(site: Site) -> None:
    client = site.sign_in("screener")
    before = audit.head(site.engine).seq
    answer = client.post("/ui/check", data={"document": "transactions: [ {", "csrf": site.csrf()})
    assert answer.status_code == 400 and 'role="alert"' in answer.text
    assert audit.head(site.engine).seq == before


def test_a_revoked_keys_session_ends(site: Site) -> None:
    created = keys.create(site.engine, "web-temp", "viewer")
    site.keys["temp"] = created.secret
    client = site.sign_in("temp")
    assert client.get("/ui/home").status_code == 200
    keys.revoke(site.engine, "web-temp")
    answer = client.get("/ui/home", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login")


def test_sign_out_ends_the_session(site: Site) -> None:
    client = site.sign_in("viewer")
    answer = client.post("/ui/logout", data={"csrf": site.csrf()}, follow_redirects=False)
    assert answer.status_code == 303
    client.cookies.clear()  # as the browser does with the deleted cookie
    assert client.get("/ui/home", follow_redirects=False).status_code == 303

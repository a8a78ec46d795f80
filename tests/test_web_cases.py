"""The monitoring pages and API (issue 10 §3–4) through FastAPI's test client, on
real UN snapshots: sign in with an account; import a portfolio; a list import
raises a *changed* and a *new* alert by itself (delta); decide as one user, be
refused approving your own decision, approve as another reviewer; the approved
false positive stays quiet; every page and action refuses the anonymous and the
wrong role and needs its CSRF token; list data is escaped."""

from __future__ import annotations

import html as stdlib_html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select
from tests.test_web import Site as WebSite
from tests.test_web import ready_client, write_ftm

from corridor.services import alerts, audit, keys, lists, users
from corridor.store import db
from corridor.store.schema import entities

OLD = "un/2026-02-27/consolidated.xml"
NEW = "un/2026-05-08/consolidated.xml"
PASSWORD = "a long enough password"
HOSTILE = "<script>alert('x')</script> Hostile Trading"
PEOPLE = {"ann": "analyst", "rita": "reviewer", "rex": "reviewer", "vic": "viewer", "sam": "screener"}


def picked_entities(shared: Path, tmp: Path) -> tuple[str, str]:
    """The caption of a UN entity that changes between the snapshots (not in its
    names) and of one the newer snapshot adds, read from the list diff."""
    scratch = db.engine(f"sqlite:///{tmp / 'scratch.db'}")
    lists.import_path(scratch, shared / OLD)
    lists.import_path(scratch, shared / NEW)
    change = lists.diff(scratch, "un")
    with scratch.connect() as conn:
        schema = dict(conn.execute(select(entities.c.entity_id, entities.c.schema)).all())
    changed = next(
        c.caption
        for c in change.changed
        if schema.get(c.entity_id) == "Person" and not any("name" in f.name for f in c.fields)
    )
    added = next(caption for ident, caption in change.added if schema.get(ident) == "Person")
    scratch.dispose()
    return changed, added


class Site(WebSite):
    def sign_in(self, name: str) -> TestClient:
        """Signed in with the account `name` (all share one password here)."""
        return self.sign_in_user(name, PASSWORD)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("cases-home")
    url = f"sqlite:///{home / 'corridor.db'}"
    engine = db.engine(url)
    lists.import_path(engine, shared_data / OLD)
    lists.import_path(engine, write_ftm(home / "hostile.jsonl", [("web-xss", "Company", HOSTILE)]), "ftm")
    for name, role in PEOPLE.items():
        users.create(engine, name, role, PASSWORD)
    made = {role.value: keys.create(engine, f"k-{role.value}", role).secret for role in keys.ROLE_ORDER}
    with ready_client(url, home) as client:
        yield Site(client, engine, made)


PAGES = ["/ui/alerts", "/ui/alerts/1", "/ui/portfolio", "/ui/lists", "/ui/lists/un", "/ui/lists/un/diff"]
POSTS = [
    "/ui/portfolio/import",
    "/ui/monitor/run",
    "/ui/alerts/1/decide",
    "/ui/alerts/1/approve",
    "/ui/alerts/1/assign",
    "/ui/alerts/1/comment",
]


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(site: Site, path: str) -> None:
    site.client.cookies.clear()
    answer = site.client.get(path, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login?next=")


@pytest.mark.parametrize("path", POSTS)
def test_an_anonymous_or_tokenless_post_changes_nothing(site: Site, path: str) -> None:
    site.client.cookies.clear()
    before = audit.head(site.engine).seq
    answer = site.client.post(path, data={"outcome": "true_match", "reason": "x"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login")
    client = site.sign_in("rita")
    after_sign_in = audit.head(site.engine).seq
    assert after_sign_in == before + 1  # the sign-in itself is recorded, nothing else
    refused = client.post(path, data={"outcome": "true_match", "reason": "x", "csrf": "forged"})
    assert refused.status_code == 403 and "security token" in refused.text
    assert audit.head(site.engine).seq == after_sign_in


# the lowest role each page and action needs (services.keys.PERMISSIONS); the role below is refused
NEEDS = {
    ("GET", "/ui/lists"): ("vic", None),
    ("GET", "/ui/alerts"): ("ann", "sam"),
    ("GET", "/ui/portfolio"): ("ann", "sam"),
    ("POST", "/ui/monitor/run"): ("ann", "sam"),
    ("POST", "/ui/portfolio/import"): ("ann", "sam"),
    ("POST", "/ui/alerts/1/comment"): ("ann", "sam"),
}


@pytest.mark.parametrize(("method", "path"), sorted(NEEDS))
def test_each_page_and_action_refuses_the_role_below(site: Site, method: str, path: str) -> None:
    allowed, below = NEEDS[(method, path)]
    if method == "GET":
        assert site.sign_in(allowed).get(path).status_code == 200
    if below is None:
        return
    client = site.sign_in(below)
    before = audit.head(site.engine).seq
    data = {"csrf": site.csrf(), "text": "x"} if method == "POST" else None
    refused = client.request(method, path, data=data)
    assert refused.status_code == 403 and "analyst" in refused.text
    assert audit.head(site.engine).seq == before


def test_a_wrong_password_is_refused_and_audited_without_the_password(site: Site) -> None:
    site.client.cookies.clear()
    token = re.search(r'name="token" value="([^"]+)"', site.client.get("/ui/login").text)
    assert token
    before = audit.head(site.engine).seq
    answer = site.client.post(
        "/ui/login", data={"name": "ann", "password": "not the password", "token": token.group(1)}
    )
    assert answer.status_code == 401 and "do not match" in answer.text
    assert "corridor_session" not in answer.cookies
    assert audit.head(site.engine).seq == before + 1  # one record: the failure, for the throttle
    (failure,) = audit.tail(site.engine, 1)
    assert failure.action == "sign_in.failed" and failure.summary["name"] == "ann"
    assert "not the password" not in repr(failure.to_dict())


def test_the_viewer_sees_lists_but_not_alerts(site: Site) -> None:
    client = site.sign_in("vic")
    assert client.get("/ui/lists").status_code == 200
    home = client.get("/ui/home")
    assert home.status_code == 200 and "Open alerts" not in home.text and 'href="/ui/alerts"' not in home.text
    for path in ("/ui/alerts", "/ui/portfolio"):
        refused = client.get(path)
        assert refused.status_code == 403 and "analyst" in refused.text
    assert client.get("/alerts", headers=site.api("viewer")).status_code == 403
    assert client.get("/alerts").status_code == 401


def test_portfolio_delta_four_eyes_and_suppression(site: Site, shared_data: Path, tmp_path: Path) -> None:
    changed, added = picked_entities(shared_data, tmp_path)
    client = site.sign_in("ann")
    csv = f"id,name,schema\np-changed,{changed},Person\np-added,{added},Person\n,no id,Person\np-none,Qqq Zzyzx Unlisted,Person\np-x,{HOSTILE},Company\n"
    imported = client.post(
        "/ui/portfolio/import",
        data={"csrf": site.csrf()},
        files={"file": ("parties.csv", csv.encode(), "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    assert (
        "4 parties" in imported.text
        and "left out" in imported.text
        and '<td class="num">4</td>' in imported.text
    )
    ran = client.post("/ui/monitor/run", data={"csrf": site.csrf()})
    assert ran.status_code == 200 and "Monitoring (full)" in ran.text
    first = {a.party_id: a for a in alerts.list_page(site.engine, limit=500).alerts}
    assert "p-changed" in first and "p-added" not in first and "p-none" not in first
    # list data is text in every page that shows it
    queue = client.get("/ui/alerts").text
    assert HOSTILE not in queue and str(escape(HOSTILE)) in queue
    hostile = first["p-x"].id
    review = client.get(f"/ui/alerts/{hostile}").text
    assert "<script>alert" not in review and str(escape(HOSTILE)) in review
    case = client.get(f"/ui/alerts/{hostile}/case")
    assert "<script>alert" not in case.text and case.headers["content-security-policy"].startswith(
        "default-src"
    )

    # the newer UN list, imported over the API by an admin: the delta runs by itself
    with (shared_data / NEW).open("rb") as handle:
        answer = client.post(
            "/lists/import",
            headers=site.api("admin"),
            files={"file": ("consolidated.xml", handle, "application/xml")},
            data={"source": "un"},
        )
    assert answer.status_code == 200, answer.text
    run = answer.json()["monitoring"]
    assert run["kind"] == "delta" and run["changed"] >= 1 and run["raised"] >= 1
    assert run["screened"] < run["parties"]
    now = {a.party_id: a for a in alerts.list_page(site.engine, limit=500).alerts}
    assert now["p-changed"].kind == "changed" and now["p-added"].kind == "new"
    page = client.get("/ui/alerts?kind=changed").text
    assert changed in page and added not in page

    # four eyes: rita decides and may not approve; rex approves
    target = now["p-added"].id
    client = site.sign_in("rita")
    decided = client.post(
        f"/ui/alerts/{target}/decide",
        data={"csrf": site.csrf(), "outcome": "false_positive", "reason": "other person: birth date differs"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    own = client.post(f"/ui/alerts/{target}/approve", data={"csrf": site.csrf()})
    assert own.status_code == 403 and "four eyes" in own.text
    assert alerts.get(site.engine, target).state == "decided"
    client = site.sign_in("ann")  # an analyst may decide but not approve
    assert client.post(f"/ui/alerts/{target}/approve", data={"csrf": site.csrf()}).status_code == 403
    client = site.sign_in("rex")
    approved = client.post(f"/ui/alerts/{target}/approve", data={"csrf": site.csrf()}, follow_redirects=False)
    assert approved.status_code == 303
    after = alerts.get(site.engine, target)
    assert (after.state, after.decided_by, after.approved_by) == ("approved", "rita", "rex")
    assert [e.action for e in after.events][-2:] == ["alert.decide", "alert.approve"]
    records = [(r.actor, r.action, r.channel) for r in audit.tail(site.engine, 10)]
    assert ("rex", "alert.approve", "web") in records and ("rita", "alert.decide", "web") in records
    # the approved false positive stays quiet on the next run
    again = client.post("/ui/monitor/run", data={"csrf": site.csrf()})
    assert again.status_code == 200
    quiet = alerts.get(site.engine, target)
    assert quiet.state == "approved" and quiet.updated_at == after.updated_at

    # the dashboard counts what is open, by state and age
    home = client.get("/ui/home").text
    assert "Open alerts" in home and "Last monitoring run" in home and "full run" in home


def test_the_diff_viewer_shows_fields(site: Site, shared_data: Path) -> None:
    client = site.sign_in("vic")
    versions = lists.versions(site.engine, "un")
    if len(versions) < 2:
        lists.import_path(site.engine, shared_data / NEW)
        versions = lists.versions(site.engine, "un")
    page = client.get(f"/ui/lists/un/diff?old={versions[0].id}&new={versions[-1].id}")
    assert page.status_code == 200
    change = lists.diff(site.engine, "un", str(versions[0].id), str(versions[-1].id))
    assert f"Changed ({len(change.changed)})" in page.text and f"Added ({len(change.added)})" in page.text
    assert str(escape(change.changed[0].caption)) in page.text
    listing = client.get("/ui/lists/un").text
    assert f"diff with {versions[0].id}" in listing


def test_the_alert_api_keeps_the_same_rules(site: Site, tmp_path: Path) -> None:
    client = site.client
    client.cookies.clear()
    parties = "\n".join(
        json.dumps(p)
        for p in (
            {"id": "api-1", "name": HOSTILE, "schema": "Company"},
            {"id": "api-2", "name": "Qqq Api Person"},
        )
    )
    imported = client.post(
        "/portfolio/import",
        headers=site.api("analyst"),
        files={"file": ("api.jsonl", parties.encode(), "application/x-ndjson")},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["path"] == "api.jsonl"  # the upload's name, never the server's path
    assert (
        client.post(
            "/portfolio/import", headers=site.api("screener"), files={"file": ("a.csv", b"id,name\n")}
        ).status_code
        == 403
    )
    wrong = client.post("/portfolio/import", headers=site.api("analyst"), files={"file": ("a.exe", b"MZ")})
    assert wrong.status_code == 400 and "a.exe" in wrong.text
    ran = client.post("/monitor/run", headers=site.api("analyst"), json={"full": True})
    assert ran.status_code == 200 and ran.json()["kind"] == "full"
    listed = client.get("/alerts", params={"party_id": "api-1"}, headers=site.api("analyst")).json()
    assert listed["total"] == 1
    alert_id = listed["alerts"][0]["id"]
    bad = client.get("/alerts", params={"sort": "sideways"}, headers=site.api("analyst"))
    assert bad.status_code == 400 and "sort" in bad.text
    no_reason = client.post(
        f"/alerts/{alert_id}/decide",
        headers=site.api("analyst"),
        json={"outcome": "true_match", "reason": " "},
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    decided = client.post(
        f"/alerts/{alert_id}/decide",
        headers=site.api("reviewer"),
        json={"outcome": "true_match", "reason": "same company"},
    )
    assert decided.status_code == 200 and decided.json()["state"] == "decided"
    assert client.post(f"/alerts/{alert_id}/approve", headers=site.api("analyst")).status_code == 403
    own = client.post(f"/alerts/{alert_id}/approve", headers=site.api("reviewer"))
    assert own.status_code == 403 and "four eyes" in own.text
    approved = client.post(f"/alerts/{alert_id}/approve", headers=site.api("admin"))
    assert approved.status_code == 200 and approved.json()["approved_by"] == "k-admin"
    case = client.get(f"/alerts/{alert_id}/case", headers=site.api("analyst")).json()
    assert [e["action"] for e in case["history"]][-2:] == ["alert.decide", "alert.approve"]
    html = client.get(f"/alerts/{alert_id}/case", params={"format": "html"}, headers=site.api("analyst"))
    assert "<script>alert" not in html.text and stdlib_html.escape(HOSTILE) in html.text

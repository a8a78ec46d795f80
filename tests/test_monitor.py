"""Portfolio, alerts and monitoring on real UN snapshots: a delta after a list
update gives the same alerts as a full run; four eyes; suppression; case files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from corridor.errors import ConflictError, ForbiddenError, InputError
from corridor.services import alerts, audit, monitoring, portfolio
from corridor.services.audit import Actor, Channel
from corridor.services.lists import import_path
from corridor.store import db
from corridor.store.schema import entities
from corridor.store.schema_monitor import alerts as alerts_table

OLD = "2026-02-27"
NEW = "2026-05-08"


def _un(shared: Path, date: str) -> Path:
    path = shared / "un" / date / "consolidated.xml"
    if not path.exists():
        pytest.skip(f"no UN snapshot {date}")
    return path


def _captions(eng: Engine, count: int, step: int) -> list[tuple[str, str]]:
    with eng.connect() as conn:
        rows = conn.execute(
            select(entities.c.caption, entities.c.schema).order_by(entities.c.entity_id)
        ).all()
    return [(r.caption, r.schema) for r in rows[::step][:count]]


def _portfolio_file(tmp_path: Path, shared: Path) -> Path:
    """Parties named as listed entities of the old and the new snapshot, and others."""
    scratch = db.engine(f"sqlite:///{tmp_path / 'scratch.db'}")
    import_path(scratch, _un(shared, NEW))
    names = _captions(scratch, 40, 7)
    scratch.dispose()
    # near misses: listed names with a letter dropped, or the parts turned round
    for caption, schema in _captions_of(shared, 30, 11):
        words = caption.split()
        if len(words) > 1:
            names.append((" ".join(words[::-1]), schema))
        if len(words[0]) > 5:
            names.append((" ".join([words[0][:3] + words[0][4:], *words[1:]]), schema))
    # innocents, some sharing common words with listed names
    names += [
        ("Maria Ivanova", "Person"),
        ("Acme Trading Ltd", "Organization"),
        ("Kim Chol", "Person"),
        ("Pak Min-jun", "Person"),
        ("Korea Bakery Company", "Organization"),
        ("Ivan Petrovich Sidorov", "Person"),
        ("Golden Star Shipping", "Organization"),
        ("김민준", "Person"),
        ("Иван Петров", "Person"),
        ("王伟", "Person"),
    ]
    path = tmp_path / "parties.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {"id": f"p{i}", "name": n, "schema": s if s in ("Person", "Organization") else "Thing"}
            )
            + "\n"
            for i, (n, s) in enumerate(names)
        ),
        encoding="utf-8",
    )
    return path


def _captions_of(shared: Path, count: int, step: int) -> list[tuple[str, str]]:
    """Captions of the old snapshot's entities (some the update changes or removes)."""
    from corridor.sources import parse

    found = [(e.caption, e.schema) for e in parse(_un(shared, OLD)).entities]
    return sorted(found)[::step][:count]


def _state(eng: Engine) -> set[tuple[str, str, str, str, str]]:
    with eng.connect() as conn:
        rows = conn.execute(select(alerts_table)).all()
    return {(r.party_id, r.entity_id, r.kind, r.state, r.entity_digest) for r in rows}


def test_delta_after_a_un_update_gives_the_same_alerts_as_a_full_run(
    tmp_path: Path, shared_data: Path
) -> None:
    parties_file = _portfolio_file(tmp_path, shared_data)
    results = {}
    for mode in ("delta", "full"):
        eng = db.engine(f"sqlite:///{tmp_path / f'{mode}.db'}")
        home = tmp_path / mode
        home.mkdir()
        import_path(eng, _un(shared_data, OLD))
        portfolio.import_file(eng, parties_file)
        first = monitoring.run_full(eng, home=home)
        assert first.raised > 0
        # a decided and approved false positive on the old list
        some = alerts.list_page(eng, limit=500).alerts
        target = sorted(some, key=lambda a: a.party_id)[0]
        alerts.decide(
            eng, target.id, "false_positive", "different person", by=Actor("ann", "analyst", Channel.API)
        )
        alerts.approve(eng, target.id, by=Actor("rev", "reviewer", Channel.API))
        # the portfolio changes too: a party renamed, one removed, one added
        lines = parties_file.read_text(encoding="utf-8").splitlines()
        changed = json.loads(lines[1])
        changed["name"] = changed["name"] + " Holding"
        lines[1] = json.dumps(changed, ensure_ascii=False)
        lines[2] = json.dumps({"id": "added", "name": "Mahmoud Karimi", "schema": "Person"})
        second_file = tmp_path / f"parties-{mode}.jsonl"
        second_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = portfolio.import_file(eng, second_file)
        assert report.changed and report.added and report.removed
        before = monitoring.active_version_ids(eng)
        import_path(eng, _un(shared_data, NEW))
        if mode == "delta":
            result = monitoring.run_delta(eng, before, home=home)
            assert result.kind == "delta"
            assert result.screened < result.parties
        else:
            result = monitoring.run_full(eng, home=home)
        results[mode] = (_state(eng), result)
        eng.dispose()
    delta_state, delta = results["delta"]
    full_state, full = results["full"]
    assert delta_state == full_state
    assert (delta.raised, delta.changed, delta.delisted) == (full.raised, full.changed, full.delisted)
    assert delta.raised + delta.changed > 0  # the update did touch the portfolio
    assert delta.screened < delta.parties / 3, delta  # the point: far fewer parties screened


def _alert_db(db_url: str, tmp_path: Path, shared: Path) -> tuple[Engine, int]:
    eng = db.engine(db_url)
    import_path(eng, _un(shared, NEW))
    name = _captions(eng, 1, 1)[0][0]
    path = tmp_path / "p.csv"
    path.write_text(f"id,name,schema\nx1,{name},Thing\n,no id,Thing\nx2,Someone Unlisted Qqq,Person\n")
    report = portfolio.import_file(eng, path)
    assert [b.line for b in report.bad] == [3]
    assert report.added == ["x1", "x2"]
    monitoring.run_full(eng, home=tmp_path / "home")
    page = alerts.list_page(eng, party_id="x1")
    assert page.total >= 1
    return eng, page.alerts[0].id


def test_four_eyes_suppression_and_audit(db_url: str, tmp_path: Path, shared_data: Path) -> None:
    eng, alert_id = _alert_db(db_url, tmp_path, shared_data)
    ann = Actor("ann", "analyst", Channel.API)
    with pytest.raises(InputError):
        alerts.decide(eng, alert_id, "false_positive", " ", by=ann)
    with pytest.raises(ForbiddenError):
        alerts.decide(eng, alert_id, "false_positive", "why", by=Actor("v", "viewer", Channel.API))
    alerts.assign(eng, alert_id, "ann", by=ann)
    alerts.comment(eng, alert_id, "looking", by=ann)
    decided = alerts.decide(eng, alert_id, "false_positive", "born elsewhere", by=ann)
    assert decided.state == "decided" and decided.decided_by == "ann"
    with pytest.raises(ForbiddenError):
        alerts.approve(eng, alert_id, by=Actor("ann", "reviewer", Channel.API))  # her own decision
    with pytest.raises(ForbiddenError):
        alerts.approve(eng, alert_id, by=Actor("bob", "analyst", Channel.API))  # not a reviewer
    back = alerts.send_back(eng, alert_id, "check the date", by=Actor("rev", "reviewer", Channel.API))
    assert back.state == "in_review" and back.outcome is None
    alerts.decide(eng, alert_id, "false_positive", "born elsewhere, checked", by=ann)
    approved = alerts.approve(eng, alert_id, by=Actor("rev", "reviewer", Channel.API))
    assert approved.state == "approved" and approved.approved_by == "rev"
    actions = [e.action for e in approved.events]
    assert actions == [
        "raised",
        "alert.assign",
        "alert.comment",
        "alert.decide",
        "alert.return",
        "alert.decide",
        "alert.approve",
    ]
    trail = [r.action for r in audit.tail(eng, 50)]
    for action in ("alert.decide", "alert.approve", "alert.return", "monitor.run", "portfolio.import"):
        assert action in trail
    assert audit.verify(eng).ok
    # the next run leaves the approved false positive quiet
    again = monitoring.run_full(eng, home=tmp_path / "home")
    assert again.raised == again.changed == 0
    assert alerts.get(eng, alert_id).state == "approved"
    eng.dispose()


def test_a_failed_transition_writes_nothing(db_url: str, tmp_path: Path, shared_data: Path) -> None:
    eng, alert_id = _alert_db(db_url, tmp_path, shared_data)
    seq = audit.head(eng).seq
    events = len(alerts.get(eng, alert_id).events)
    with pytest.raises(ConflictError):
        alerts.approve(eng, alert_id, by=Actor("rev", "reviewer", Channel.API))  # nothing decided yet
    assert audit.head(eng).seq == seq
    assert len(alerts.get(eng, alert_id).events) == events
    eng.dispose()


def test_case_file_escapes_listed_values(db_url: str, tmp_path: Path, shared_data: Path) -> None:
    eng, alert_id = _alert_db(db_url, tmp_path, shared_data)
    with db.engine(db_url).begin() as conn:
        conn.execute(alerts_table.update().values(caption="<script>alert(1)</script>"))
    alerts.decide(
        eng, alert_id, "true_match", "<b>same</b> passport", by=Actor("ann", "analyst", Channel.API)
    )
    case = alerts.case_file(eng, alert_id)
    assert case["listed_entity"]["record"]["id"] == case["alert"]["entity_id"]
    assert case["history"][-1]["actor"] == "ann"
    page = alerts.case_file_html(case)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>same</b>" not in page
    eng.dispose()

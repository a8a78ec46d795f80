"""The screening service: one index per process, swapped when the active list
versions change, on both store back ends; the old index is not leaked."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from tests.test_index_security import write_ftm

from corridor.match import Query
from corridor.services import screening as services
from corridor.services.lists import import_path as import_list
from corridor.store import db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _ids(service: services.ScreeningService, name: str) -> list[str]:
    return [h.entity_id for h in service.screen(Query(name))]


def test_the_index_follows_the_active_versions_without_a_restart(db_url: str, tmp_path: Path) -> None:
    engine = db.engine(db_url)
    import_list(engine, write_ftm(tmp_path / "a.jsonl", "swap_a", [("p-1", "Person", "Zorblax Quentaroo")]))
    clock = Clock()
    service = services.ScreeningService(engine, tmp_path / "home", check_every=30, clock=clock)
    first = service.current()
    assert _ids(service, "Zorblax Quentaroo") == ["ftm:p-1"]
    assert service.current() is first  # loaded once
    report = service.report
    assert report is not None and report.origin == "built" and report.entities == 1

    import_list(engine, write_ftm(tmp_path / "b.jsonl", "swap_b", [("p-2", "Person", "Vexmira Tolundova")]))
    # within the check interval the running index keeps serving, unchanged
    assert service.current() is first and _ids(service, "Vexmira Tolundova") == []
    clock.now += 31
    second = service.current()
    assert second is not first and len(second) == 2
    assert _ids(service, "Vexmira Tolundova") == ["ftm:p-2"]
    assert _ids(service, "Zorblax Quentaroo") == ["ftm:p-1"]
    # only the current index file is kept
    files = sorted(p.name for p in (tmp_path / "home" / "index").glob("screener-*.idx"))
    assert service.report is not None and files == [service.report.path.name]

    # another process with the same home loads the saved index
    other = services.ScreeningService(engine, tmp_path / "home")
    assert len(other.current()) == 2
    assert other.report is not None and other.report.origin == "loaded"


def test_refresh_checks_at_once_and_a_swap_frees_the_old_index(tmp_path: Path) -> None:
    engine = db.engine(f"sqlite:///{tmp_path / 'corridor.db'}")
    import_list(engine, write_ftm(tmp_path / "a.jsonl", "free_a", [("p-1", "Person", "Zorblax Quentaroo")]))
    service = services.ScreeningService(engine, tmp_path / "home", check_every=3600, clock=Clock())
    service.current()
    holder = weakref.ref(service._active)  # the old index and what it reflects
    try:
        old = weakref.ref(service.current())
    except TypeError:  # compiled (mypyc) classes take no weak references
        old = None
    import_list(engine, write_ftm(tmp_path / "b.jsonl", "free_b", [("p-2", "Person", "Vexmira Tolundova")]))
    assert len(service.current()) == 1  # not checked yet
    assert len(service.refresh()) == 2  # checked now
    assert holder() is None
    if old is not None:
        assert old() is None
    assert gc.get_freeze_count() > 0  # the new index is kept out of the collector
    # full passes, which walk the screening caches, are made rarer (not switched off)
    assert gc.isenabled() and gc.get_threshold()[2] >= services.FULL_COLLECTION_EVERY > 10


def test_a_busy_build_keeps_the_old_index_serving(tmp_path: Path) -> None:
    engine = db.engine(f"sqlite:///{tmp_path / 'corridor.db'}")
    import_list(engine, write_ftm(tmp_path / "a.jsonl", "busy_a", [("p-1", "Person", "Zorblax Quentaroo")]))
    service = services.ScreeningService(engine, tmp_path / "home", check_every=0)
    first = service.current()
    import_list(engine, write_ftm(tmp_path / "b.jsonl", "busy_b", [("p-2", "Person", "Vexmira Tolundova")]))
    with service._building:  # another caller is building the new index
        assert service.current() is first
    assert len(service.current()) == 2


def test_load_screener_and_party_screener_use_the_process_service(tmp_path: Path) -> None:
    engine = db.engine(f"sqlite:///{tmp_path / 'corridor.db'}")
    home = tmp_path / "home"
    assert services.party_screener(engine, home) is None  # no list loaded
    import_list(engine, write_ftm(tmp_path / "a.jsonl", "proc_a", [("c-1", "Company", "Quendaria Holding")]))
    screener = services.load_screener(engine, home)
    assert services.load_screener(engine, home) is screener
    rebuilt = services.load_screener(engine, home, rebuild=True)
    assert rebuilt is not screener and len(rebuilt) == 1
    parties = services.party_screener(engine, home)
    assert parties is not None and parties.screener is rebuilt
    assert [h.entity_id for h in parties.screen("Quendaria Holding", "Company")] == ["ftm:c-1"]


@pytest.mark.parametrize("check_every", [0.0, 5.0])
def test_current_checks_the_versions_at_most_every_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check_every: float
) -> None:
    engine = db.engine(f"sqlite:///{tmp_path / 'corridor.db'}")
    import_list(engine, write_ftm(tmp_path / "a.jsonl", "cheap_a", [("p-1", "Person", "Zorblax Quentaroo")]))
    clock = Clock()
    service = services.ScreeningService(engine, tmp_path / "home", check_every=check_every, clock=clock)
    service.current()
    checks: list[str] = []
    real = services.index_key
    monkeypatch.setattr(services, "index_key", lambda e: checks.append("x") or real(e))
    for _ in range(5):
        service.current()
    assert len(checks) == (5 if check_every == 0.0 else 0)
    clock.now += check_every + 1
    service.current()
    assert len(checks) == (6 if check_every == 0.0 else 1)

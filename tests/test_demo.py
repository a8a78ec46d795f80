"""Which shared snapshots `make demo` imports."""

from __future__ import annotations

from pathlib import Path

from corridor.demo import newest_snapshots, snapshots


def test_newest_snapshot_per_list(shared_data: Path) -> None:
    newest = {s.list_key: s for s in newest_snapshots(shared_data)}
    assert newest["un"].date == max(p.name for p in (shared_data / "un").iterdir())
    assert newest["un"].path.name == "consolidated.xml"
    # the sdn.csv-only snapshot of 2024 is newer than the full 2021 CSV sets
    assert newest["ofac-sdn"].date == "2024-05-03" and newest["ofac-sdn"].path.is_dir()
    # the consolidated XML of 2026-01 beats the CSV set of 2025-12
    assert newest["ofac-cons"].path.name == "consolidated.xml" and newest["ofac-cons"].date == "2026-01-08"
    assert newest["uk"].date == "2025-04-14"
    assert all(s.path.exists() for s in newest.values())
    # every snapshot is one list's; no list is imported twice
    assert len(newest) == len({s.list_key for s in snapshots(shared_data)})


def test_empty_folder_has_no_snapshots(tmp_path: Path) -> None:
    assert newest_snapshots(tmp_path) == []

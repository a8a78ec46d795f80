"""Finding the newest snapshot of every list in the shared data folder.

The shared folder keeps each snapshot in a directory named `<kind>_<date>` (or
just `<date>` for the UN).  Several kinds can hold the same list (OFAC's SDN
comes as full CSV sets and as sdn.csv alone), so kinds map to list keys and the
newest date per list wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# directory-name prefix -> (list key, import hint, file to import inside it or "" for the directory)
_KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("un/", "un", "un", "consolidated.xml"),
    ("ofac/sdn_csv_", "ofac-sdn", "ofac", ""),
    ("ofac/nonsdn_consolidated_xml", "ofac-cons", "ofac", "consolidated.xml"),
    ("ofac/nonsdn_cons_csv_set", "ofac-cons", "ofac", ""),
    ("ofac/nonsdn_cons_advanced_xml", "ofac-cons", "ofac", "cons_advanced.xml"),
    ("uk/ofsi_conlist", "uk", "uk", "ConList.xlsx"),
    ("uk/fcdo_uk_sanctions_list", "uk-fcdo", "uk", "UK_Sanctions_List_summary.ods"),
)

_DATE_RE = re.compile(r"(\d{4}-\d{2}(?:-\d{2})?)$")


@dataclass(frozen=True, slots=True)
class Snapshot:
    list_key: str
    hint: str
    date: str
    path: Path


def snapshots(data_dir: Path) -> list[Snapshot]:
    """Every list snapshot in the shared data folder, oldest first."""
    found = []
    for directory in sorted(p for p in data_dir.glob("*/*") if p.is_dir()):
        relative = f"{directory.parent.name}/{directory.name}"
        match = _DATE_RE.search(directory.name)
        if not match:
            continue
        if relative.startswith("ftm/"):
            # each OpenSanctions export is its own dataset; prefer the full FtM entities
            for filename in ("entities.ftm.json", "targets.simple.csv"):
                if (directory / filename).exists():
                    key = "ftm:" + directory.name[: match.start()].rstrip("_-")
                    found.append(Snapshot(key, "ftm", match.group(1), directory / filename))
                    break
            continue
        for prefix, key, hint, filename in _KINDS:
            if relative.startswith(prefix):
                path = directory / filename if filename else directory
                if path.exists():
                    found.append(Snapshot(key, hint, match.group(1), path))
                break
    return sorted(found, key=lambda s: (s.list_key, s.date))


def newest_snapshots(data_dir: Path) -> list[Snapshot]:
    """The newest snapshot of each list (what `make demo` imports)."""
    newest: dict[str, Snapshot] = {}
    for snap in snapshots(data_dir):
        if snap.list_key not in newest or snap.date >= newest[snap.list_key].date:
            newest[snap.list_key] = snap
    return sorted(newest.values(), key=lambda s: s.list_key)

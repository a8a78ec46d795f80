"""Program and regime tags grouped by the sanctions regime they belong to.

Each list names its programs its own way: the UN "DPRK", OFAC "DPRK3" or
"RUSSIA-EO14024", the UK "Democratic People's Republic of Korea", the EU "PRK".
`regimes_of` maps a tag to the regime families the corridor cares about.
"""

from __future__ import annotations

import re

_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "DPRK",
        re.compile(
            r"^(dprk\d*|dprk-nkspea|nkspea|prk|kp|democratic people.s republic of korea|north korea)$", re.I
        ),
    ),
    (
        "Russia",
        re.compile(
            r"^(russia.*|rus|ru|caatsa - russia|cyber\d*-russia|ukraine-eo1366\d|ukraine-eo13685|ukr|"
            r"russia-eo14024|russia-eo14039|russia-eo14066|russia-eo14068|russia-eo14071)$",
            re.I,
        ),
    ),
    ("Iran", re.compile(r"^(iran.*|irn|ir|ifsr|irgc|fse-ir)$", re.I)),
    ("Syria", re.compile(r"^(syria.*|syr|fse-sy)$", re.I)),
)


def regimes_of(program: str) -> list[str]:
    """The regime families a program tag belongs to (may be empty)."""
    tag = program.strip()
    return [family for family, pattern in _FAMILIES if pattern.match(tag)]

"""JSON Lines records: one JSON object per line, and only one.

JSON leaves U+0085, U+2028 and U+2029 unescaped, and line readers (Python's
`str.splitlines`, older JavaScript) take them for line ends, so a name holding
one would split its record in two (found by fuzzing the batch screener).
`jsonl_line` escapes them; every JSON Lines file Corridor writes goes through it.

Pure, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_LINE_BREAKS = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def jsonl_text(record: Mapping[str, Any]) -> str:
    """One record as a line of text (ending in one newline); a lone surrogate
    (from a JSON escape or undecodable input) is written escaped."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":")).translate(_LINE_BREAKS)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(record, separators=(",", ":"))
    return text + "\n"


def jsonl_line(record: Mapping[str, Any]) -> bytes:
    """One record as UTF-8 bytes, ending in one newline."""
    return jsonl_text(record).encode("utf-8")

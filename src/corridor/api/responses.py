"""JSON responses serialised with orjson (several times faster than the standard
library on /match results; non-string keys and NaN are refused, as JSON wants)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)

"""Gender as lists and queries write it, to FollowTheMoney's "male" / "female".

Pure functions, no I/O.
"""

from __future__ import annotations

_MALE = frozenset(("m", "male", "man", "мужской", "муж", "м", "남", "남성"))
_FEMALE = frozenset(("f", "female", "woman", "женский", "жен", "ж", "여", "여성"))


def to_gender(value: str | None) -> str | None:
    """ "male", "female", or None for an empty value; ValueError for anything else."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().casefold().rstrip(".")
    if text in _MALE:
        return "male"
    if text in _FEMALE:
        return "female"
    raise ValueError(f"{value!r} is not male or female")

"""Identifiers: IMO ship numbers (with their check digit), SWIFT/BIC codes,
registration and document numbers.  Defined here once; the list parsers, the
screening engine and the trade checks call these.

Pure functions, no I/O.
"""

from __future__ import annotations

import re

from corridor.types.text import is_ascii_digits

_IMO_PREFIX = re.compile(r"(?i)^\s*imo\s*(?:no\.?|number)?\s*:?\s*")
_IMO_IN_TEXT = re.compile(r"(?i)\bIMO\s*(?:no\.?|number)?\s*:?\s*(\d{7})\b")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")


def imo_check_digit_ok(digits: str) -> bool:
    """IMO ship numbers: 7 digits, the last = Σ digit_i × (7..2) mod 10 of the first six."""
    if len(digits) != 7 or not is_ascii_digits(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(digits[6])


def normalize_imo(value: str) -> str | None:
    """The 7 digits of an IMO number ("IMO 9253325" → "9253325"), None if malformed
    or failing the check digit."""
    digits = re.sub(r"[^0-9]", "", str(value))
    return digits if imo_check_digit_ok(digits) else None


def imo_problem(value: str) -> tuple[str, str | None]:
    """(digits, problem) for an IMO number as a user writes it ("IMO 9253325",
    "9253 325"): problem is None when it is well formed and passes its check digit."""
    digits = _IMO_PREFIX.sub("", str(value)).replace(" ", "").strip()
    if not re.fullmatch(r"\d{7}", digits):
        return digits, "is not an IMO number (7 digits)"
    if not imo_check_digit_ok(digits):
        return digits, "fails the IMO check digit"
    return digits, None


def imos_in_text(text: str) -> list[str]:
    """Valid IMO numbers written as "IMO 1234567" anywhere in free text (list comments)."""
    return [m for m in _IMO_IN_TEXT.findall(text or "") if imo_check_digit_ok(m)]


def normalize_bic(value: str) -> str | None:
    """A SWIFT/BIC code upper-cased without spaces (8 or 11 characters), None if malformed."""
    code = re.sub(r"\s+", "", str(value)).upper()
    return code if _BIC.fullmatch(code) else None


def normalize_identifier(value: str) -> str:
    """The comparable form of a document or registration number: letters and digits
    only, upper case ("12-345/a" → "12345A")."""
    return _NOT_ALNUM.sub("", str(value).upper())

"""Quantities, ranges and money in report text.

"2 million tonnes", "125 thousand barrels", "20,000–50,000 workers", "between 1,000
and 9,000 dwt", "US$1.2 billion", "$80 a day", "10.6 bln rubles": a number (with
thousands separators and a scale word), optionally a range, then a unit or a currency
from the lexicon.  A number with no unit after it takes the people noun of its
sentence or the sentence before ("As many as 20,000- 50,000, could be invited": the
workers of the sentence before), marked `unit_inferred`.  Years, days of months and
numbers inside names or codes are not quantities.

Pure, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from corridor.intel.model import Quantity
from corridor.intel.vocab import Vocabulary

_NUMBER = r"\d{1,3}(?:[,\u00a0 ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Words that may stand between a number and its unit: "1,000 North Korean workers".
_FILLER = r"(?:(?:north\s+korean|russian|new|more|additional|dprk|korean|chinese|of|metric|северокорейских|корейских|российских|новых|иностранных)\s+){0,3}"
_DASH = r"\s*(?:-|–|—|to|and|до|~)\s*"
_HEDGES = (
    "as many as",
    "up to",
    "more than",
    "over",
    "at least",
    "about",
    "around",
    "roughly",
    "approximately",
    "nearly",
    "almost",
    "some",
    "an estimated",
    "between",
    "from",
    "less than",
    "under",
    "свыше",
    "более",
    "около",
    "до",
    "от",
)
_HEDGE_RE = re.compile(
    r"(?:" + "|".join(re.escape(h) for h in sorted(_HEDGES, key=len, reverse=True)) + r")\s*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class QuantityMatch:
    start: int
    end: int
    quantity: Quantity


class QuantityFinder:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        units = sorted(vocab.units, key=len, reverse=True)
        scales = sorted(vocab.scales, key=len, reverse=True)
        currencies = sorted(vocab.currencies, key=len, reverse=True)
        symbols = [c for c in currencies if not c.isalpha()]
        words = [c for c in currencies if c.isalpha()]
        unit_alt = "|".join(re.escape(u) for u in units)
        scale_alt = "|".join(re.escape(s) for s in scales)
        sym_alt = "|".join(re.escape(s) for s in symbols)
        cur_alt = "|".join(re.escape(w) for w in words)
        # a scale word ends at a word boundary, or runs into a Korean particle or unit (3만 톤)
        number = rf"(?:{_NUMBER})(?:\s*(?:{scale_alt})(?:\b|(?=[\uac00-\ud7a3])))?"
        self._regex = re.compile(
            rf"(?<![\w.,])(?P<sym>{sym_alt})?\s?(?P<low>{number})"
            rf"(?:(?P<dash>{_DASH})(?P<sym2>{sym_alt})?(?P<high>{number}))?"
            rf"(?:\s*(?:-|\s)?(?:(?P<cur>{cur_alt})\b|(?:{_FILLER}(?P<unit>{unit_alt}))(?!(?![\uac00-\ud7a3])[^\W\d_])))?",
            re.IGNORECASE,
        )
        self._people = re.compile(
            r"\b(workers|laborers|labourers|labou?r|workforce|troops|soldiers|tourists|people|personnel)\b",
            re.IGNORECASE,
        )

    def _value(self, text: str) -> Decimal | None:
        match = re.match(rf"({_NUMBER})\s*([^\d\s].*)?$", text.strip(), re.IGNORECASE)
        if not match:
            return None
        digits = re.sub(r"[,\u00a0 ]", "", match.group(1))
        try:
            value = Decimal(digits)
        except InvalidOperation:
            return None
        scale = (match.group(2) or "").strip().casefold()
        if scale:
            value *= self.vocab.scales.get(scale, 1)
        return value

    def _scale_of(self, text: str) -> int:
        match = re.match(rf"({_NUMBER})\s*([^\d\s].*)?$", text.strip(), re.IGNORECASE)
        scale = (match.group(2) or "").strip().casefold() if match else ""
        return self.vocab.scales.get(scale, 1) if scale else 1

    def find(self, text: str, sentence_start: int = 0, context: str = "") -> list[QuantityMatch]:
        """Quantities in one sentence (`text`); `context` is the sentence before, for an
        implied people unit.  Spans are offset by `sentence_start`."""
        found: list[QuantityMatch] = []
        position = 0
        while True:
            match = self._regex.search(text, position)
            if match is None:
                break
            position = match.end() if match.end() > position else position + 1
            low = self._value(match.group("low"))
            if low is None:
                continue
            high_text = match.group("high")
            high = self._value(high_text) if high_text else low
            if high is None:
                continue
            scale = self._scale_of(high_text) if high_text else 1
            if scale > 1 and self._scale_of(match.group("low")) == 1 and low * scale <= high:
                low *= scale  # "20-50 thousand", "от 20 до 50 тысяч": the scale is said once
            dash = (match.group("dash") or "").strip().casefold()
            hedge = _HEDGE_RE.search(text[: match.start()])
            qualifier = hedge.group(0).strip().casefold() if hedge else ""
            end = match.end()
            symbol = (match.group("sym") or match.group("sym2") or "").casefold()
            currency_word = (match.group("cur") or "").casefold()
            unit_word = (match.group("unit") or "").casefold()
            if high_text and dash == "and" and qualifier != "between":
                # "5 and 6": two numbers, not a range, unless "between ... and ...": the
                # second is read again on its own
                high, end, currency_word, unit_word = low, match.end("low"), "", ""
                position = match.start("high")
            raw_low = match.group("low")
            if not (symbol or currency_word or unit_word) and _is_year_or_day(
                text, match.start("low"), raw_low, high_text
            ):
                continue
            if symbol or currency_word:
                code = self.vocab.currencies.get(symbol) or self.vocab.currencies.get(currency_word, "")
                quantity = Quantity(low, high, code, "money")
            elif unit_word:
                unit = self.vocab.units[unit_word]
                quantity = Quantity(low, high, unit.unit, unit.dimension)
            else:
                if low < 100 or "." in raw_low:
                    continue
                noun = self._people.search(text) or self._people.search(context)
                if noun is None:
                    continue
                word = noun.group(1).casefold()
                unit_name = "workers" if word.startswith(("lab", "work", "person")) else "people"
                quantity = Quantity(low, high, unit_name, "people", unit_inferred=True)
            if high < low:
                quantity = Quantity(
                    high, low, quantity.unit, quantity.dimension, unit_inferred=quantity.unit_inferred
                )
            if qualifier == "от" or (qualifier in ("between", "from") and not quantity.is_range):
                qualifier = ""
            start = hedge.start() if hedge and qualifier else match.start()
            quantity = Quantity(
                quantity.low,
                quantity.high,
                quantity.unit,
                quantity.dimension,
                qualifier,
                quantity.unit_inferred,
            )
            stop = end
            while stop > start and text[stop - 1].isspace():
                stop -= 1
            found.append(QuantityMatch(sentence_start + start, sentence_start + stop, quantity))
        return found


_MONTHS = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?$|^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)


def _is_year_or_day(text: str, start: int, raw: str, high: str | None) -> bool:
    digits = raw.replace(",", "")
    if re.fullmatch(r"(19|20)\d\d", digits):
        return True
    before = text[max(0, start - 12) : start].strip().split()
    after = text[start + len(raw) : start + len(raw) + 12].strip().split()
    if before and _MONTHS.search(before[-1]) and len(digits) <= 2:
        return True
    if after and _MONTHS.search(after[0]) and len(digits) <= 2:
        return True
    # part of a name or code: "No. 300", "Resolution 2397", "1718 Committee"
    if before and before[-1].casefold().rstrip(".") in (
        "no",
        "number",
        "resolution",
        "resolutions",
        "para",
        "paragraph",
    ):
        return True
    return bool(after and after[0][:1].isupper() and not high)

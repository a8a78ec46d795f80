"""Aircraft named in a report: registration mark, type and operator (data/aircraft.yaml).

* A registration mark ("P-632", "RA-64018") is taken by its national pattern, only in
  a sentence that speaks of aircraft (an aircraft word, a type or an operator); the
  register's country comes with the pattern.
* Its type is the nearest aircraft type in the sentence ("Tu-204", "Ил-62").
* Its operator is the operator named in the sentence, else the last one named in the
  three sentences before, else the report's only operator of the register's country
  ("P-632" in a report about Air Koryo).
* A type named with no registration in its sentence is an aircraft of its own, keyed
  by operator and type ("Air Koryo Tupolev Tu-204"), unless the report gives a
  registration for that operator and type.

Pure, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corridor.intel.model import Sentence
from corridor.intel.phrases import Folded, PhraseMatch
from corridor.intel.vocab import Vocabulary


@dataclass(frozen=True, slots=True)
class AircraftMention:
    start: int  # the registration's span, or the type's when there is none
    end: int
    registration: str
    register_country: str
    type_id: str
    operator: str


@dataclass(frozen=True, slots=True)
class OperatorMention:
    start: int
    end: int
    name: str


def _sentence_index(sentences: list[Sentence], position: int) -> int:
    for i, sentence in enumerate(sentences):
        if sentence.start <= position < sentence.end:
            return i
    return -1


def find_aircraft(
    text: str, folded: Folded, sentences: list[Sentence], vocab: Vocabulary
) -> tuple[list[AircraftMention], list[OperatorMention]]:
    operators = [
        OperatorMention(m.start, m.end, m.value[0])
        for m in vocab.operator_matcher.find_folded(folded)
        if text[m.start : m.start + 1].isupper() or not text[m.start : m.start + 1].isalpha()
    ]
    types: list[PhraseMatch[list[str]]] = vocab.aircraft_type_matcher.find_folded(folded)
    words = vocab.aircraft_words.find_folded(folded)
    if not (operators or types or words):
        return [], operators

    def in_sentence(items: list[Any], i: int) -> list[Any]:
        return [x for x in items if _sentence_index(sentences, x.start) == i]

    def operator_for(i: int, position: int, country: str) -> str:
        here = in_sentence(operators, i)
        if here:
            return min(here, key=lambda o: abs(o.start - position)).name
        before = [o for o in operators if i - 3 <= _sentence_index(sentences, o.start) < i]
        if before:
            return before[-1].name
        of_country = {o.name for o in operators if not country or vocab.operators[o.name].country == country}
        return next(iter(of_country)) if len(of_country) == 1 else ""

    mentions: list[AircraftMention] = []
    used_types: set[int] = set()
    for i, sentence in enumerate(sentences):
        s_types = in_sentence(types, i)
        if not (s_types or in_sentence(words, i) or in_sentence(operators, i)):
            continue
        for pattern, country in vocab.registrations:
            for found in pattern.finditer(text, sentence.start, sentence.end):
                nearest = min(s_types, key=lambda t: abs(t.start - found.start()), default=None)
                if nearest is not None:
                    used_types.add(nearest.start)
                mentions.append(
                    AircraftMention(
                        found.start(),
                        found.end(),
                        found.group(0),
                        country,
                        nearest.value[0] if nearest is not None else "",
                        operator_for(i, found.start(), country),
                    )
                )
    registered = {(m.operator, m.type_id) for m in mentions if m.registration}
    for found_type in types:
        if found_type.start in used_types:
            continue
        i = _sentence_index(sentences, found_type.start)
        operator = operator_for(i, found_type.start, "")
        if (operator, found_type.value[0]) in registered:
            continue
        mentions.append(
            AircraftMention(found_type.start, found_type.end, "", "", found_type.value[0], operator)
        )
    mentions.sort(key=lambda m: m.start)
    return mentions, operators

"""Organisations, state bodies, people and vessels named in a sentence (rules, no model).

English (and other Latin-script) text: a name is a run of capitalised words, joined by
"of", "the", "for", "de", "&" inside it; a possessive ("Korea's") ends a run.  A run is

* an organisation when it holds an organisation word of the lexicon (Ministry, Bureau,
  Corporation, LLC, Bank, Railways...): a state body (FtM `PublicBody`) when its words
  are a state body's (Ministry, Bureau, Committee...) and no company word;
* a person after a title ("President", "deputy director", "spokesperson"), before or
  after a speech verb ("said", "told"), or shaped like a Korean (surname first: Kim,
  Ri, Pak...) or Russian (Given Surname-ov/-ev/-in/-sky...) name;
* a vessel after a ship word ("tanker", "vessel", "the Russian-flagged"), in quotes
  near one, or ending in a hull number ("Sin Pyong 5") in a sentence about ships.

Runs that are only gazetteer places, side words (Russia, North Korean) or lexicon
non-names are not names.  Cyrillic text: "ООО «Name»", "Министерство …" and the
same organisation words; Korean text has no rule-based names (the listed-name and
known-organisation gazetteers still apply).

Pure, no I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from corridor.intel.vocab import Vocabulary
from corridor.types.countries import to_code

_TOKEN = re.compile(r"[^\W_][\w'’.&-]*|&", re.UNICODE)
_CONNECTORS = frozenset(("of", "the", "for", "de", "&", "du", "des", "la"))
_KEEP_DOT = frozenset(("co", "corp", "inc", "ltd", "st", "u.s", "u.n"))
_RUN_BREAK = re.compile(r"[,;:()\[\]!?\"“”«»]|\.\s")
# Words that never begin a name, even an organisation's ("Korea Ryonbong General
# Corporation" keeps its "Korea"; "According to Reuters" loses its "According").
_FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "according",
        "however",
        "meanwhile",
        "moreover",
        "and",
        "but",
        "or",
        "if",
        "while",
        "when",
        "where",
        "after",
        "before",
        "since",
        "during",
        "although",
        "also",
        "now",
        "then",
        "today",
        "yesterday",
        "recently",
        "earlier",
        "later",
        "last",
        "next",
        "some",
        "many",
        "most",
        "several",
        "other",
        "another",
        "both",
        "all",
        "such",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "to",
        "of",
        "as",
        "its",
        "his",
        "her",
        "their",
        "our",
    ]
)
# Capitalised words that end a name: "General Assembly on October 12" is no name.
_BREAKERS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
_LEGAL = frozenset(
    (
        "llc",
        "ltd",
        "co",
        "corp",
        "corporation",
        "company",
        "inc",
        "jsc",
        "pjsc",
        "ojsc",
        "cjsc",
        "limited",
        "ооо",
        "ао",
        "пао",
        "оао",
        "зао",
    )
)
_SHIP_WORDS = r"(?:oil\s+|product\s+|chemical\s+|cargo\s+|container\s+|bulk\s+|fishing\s+|naval\s+|transport\s+)?(?:tankers?|vessels?|ships?|freighters?|carriers?|oilers?|boats?|ferry|ferries|tugs?|tugboats?|icebreakers?|trawlers?|barges?|dredgers?|yachts?)"
_FLAGGED = r"(?:[A-Z][a-z]+(?:\s[A-Z][a-z]+)?-flagged)"
_SHIP_NAME = r"(?:[A-Z][\w'’-]*|\d{1,3})(?:\s(?:[A-Z][\w'’-]*|\d{1,3}))*"
_VESSEL_AFTER = re.compile(
    rf"(?:\b{_FLAGGED}\s+(?:{_SHIP_WORDS}\s+)?|\b{_SHIP_WORDS}(?:,)?\s+(?:the\s+|called\s+|named\s+)?)(?P<name>{_SHIP_NAME})(?:\s+and\s+(?:the\s+)?(?P<name2>{_SHIP_NAME}))?"
)
# "the Mangyongbong-92 ferry", "The Sky Ocean tanker": a name before the ship word
_VESSEL_BEFORE = re.compile(rf"\b[Tt]he\s+(?P<name>{_SHIP_NAME})\s+{_SHIP_WORDS}\b")
_TIME_AFTER = re.compile(r":\d\d\b")
# "танкер San Ma 2", "судно «Rye Song Gang 1»": a ship written in Latin letters after a Russian ship word
_RU_VESSEL_AFTER = re.compile(
    r"(?i:\b(?:танкер|судн|сухогруз|теплоход|паром|балкер|контейнеровоз|буксир|ледокол)[а-яё]*)"
    r"\s+[«\"“„]?(?P<name>[A-Z][\w-]*(?:\s(?:[A-Z][\w-]*|\d{1,3}))*)"
)
# "InvestStroiTrest company", "TonnelYuzhStroi, a construction company": a firm by its head noun
_COMPANY_AFTER = re.compile(
    r"\s+(?:company|corporation|firm|holding|concern)\b"
    r"|,\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:company|corporation|firm|contractor|developer|operator|shipowner)\b"
)
_QUOTED = re.compile(r"[‘'\"“](?P<name>[A-Z][^’'\"”\n]{2,40}?)[’'\"”]")
_SHIP_CUE = re.compile(
    rf"\b{_SHIP_WORDS}\b|\bIMO\b|-flagged\b|\b(?:танкер|судн|суд(?:ов|ам|ами)\b|сухогруз|контейнеровоз|паром|корабл)",
    re.IGNORECASE,
)
_CYRILLIC_ORG = re.compile(
    r"\b(?:ООО|АО|ПАО|ОАО|ЗАО|компания|компании)\s+[«\"“](?P<name>[^»\"”]{2,60})[»\"”]"
)
_CYRILLIC_STATE = re.compile(
    r"\b(?P<name>(?:Министерство|Министерства|Министерству|Комитет|Федеральная служба|Агентство)(?:\s+[а-яё]+){1,5})"
)


@dataclass(frozen=True, slots=True)
class NameMatch:
    start: int  # within the sentence
    end: int
    name: str
    kind: str  # entity | vessel
    schema: str  # Person | Organization | Company | PublicBody | Vessel
    why: str


class _Tokens:
    """A sentence's words and their positions, split only when a run needs its neighbours."""

    __slots__ = ("_split", "sentence")

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        self._split: tuple[list[int], list[str]] | None = None

    def get(self) -> tuple[list[int], list[str]]:
        if self._split is None:
            matches = list(_TOKEN.finditer(self.sentence))
            self._split = ([m.start() for m in matches], [m.group(0) for m in matches])
        return self._split


class _Tok:
    """A word of a sentence: its span, text, and text without a final full stop, case-folded."""

    __slots__ = ("bare", "end", "start", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.bare = text.rstrip(".").casefold()


def _possessive(token: str) -> bool:
    return token.endswith(("'s", "’s", "s'", "s’")) and len(token) > 3


class NameFinder:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def _runs(self, sentence: str) -> list[list[_Tok]]:
        runs: list[list[_Tok]] = []
        current: list[_Tok] = []
        previous_end = 0
        for match in _TOKEN.finditer(sentence):
            raw = match.group(0)
            first = raw[0]
            if not current and not (first.isupper() or first == "&"):
                previous_end = match.end()
                continue  # the common case: a lower-case word outside any name
            text = raw.rstrip(".") if raw.casefold().rstrip(".") not in _KEEP_DOT else raw
            start = match.start()
            if current:
                gap = sentence[previous_end:start]
                if gap != " " and (_RUN_BREAK.search(gap) is not None or "\n" in gap):
                    runs.append(current)
                    current = []
            possessive = _possessive(text)
            word = text[:-2] if possessive else text
            capital = word[:1].isupper() or (
                word[:1].isdigit()
                and bool(current)
                and len(word) <= 3
                and current[-1].bare not in _CONNECTORS
            )
            if capital and word.casefold() in _BREAKERS:
                if current:
                    runs.append(current)
                current = []
            elif capital:
                current.append(_Tok(start, start + len(word), word))
                if possessive or (raw.endswith(".") and not text.endswith(".")):
                    runs.append(current)
                    current = []
            elif current and word.casefold() in _CONNECTORS:
                current.append(_Tok(start, start + len(text), text))
            elif current:
                runs.append(current)
                current = []
            previous_end = match.end()
        if current:
            runs.append(current)
        trimmed = []
        for run in runs:
            while run and (run[-1].bare in _CONNECTORS):
                run = run[:-1]
            organisation = any(self._is_org_word(t.bare) for t in run)
            while run and (
                run[0].bare in _CONNECTORS
                or run[0].bare in _FUNCTION_WORDS
                or (run[0].bare in self.vocab.not_names and len(run) > 1 and not organisation)
            ):
                run = run[1:]
            if run:
                trimmed.append(run)
        return trimmed

    def _is_org_word(self, word: str) -> bool:
        return word in self.vocab.state_words or word in self.vocab.company_words

    def find(self, sentence: str, claimed: list[tuple[int, int]]) -> list[NameMatch]:
        """Names in one sentence outside the `claimed` spans (sentence offsets)."""
        found: list[NameMatch] = []
        taken = list(claimed)

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e in taken)

        ship_sentence = bool(_SHIP_CUE.search(sentence))
        if ship_sentence:
            for match in _VESSEL_AFTER.finditer(sentence):
                for group in ("name", "name2"):
                    if match.group(group) is None:
                        continue
                    start, end = match.span(group)
                    name = self._clean_vessel(sentence[start:end])
                    if name and free(start, start + len(name)):
                        found.append(
                            NameMatch(start, start + len(name), name, "vessel", "Vessel", "after a ship word")
                        )
                        taken.append((start, start + len(name)))
            for match in _VESSEL_BEFORE.finditer(sentence):
                start, end = match.span("name")
                name = self._clean_vessel(sentence[start:end])
                if (
                    not name
                    or "-flagged" in sentence[start:end].casefold()
                    or self._only_common(name)
                    or any(self._is_org_word(w.casefold()) for w in name.split())
                ):
                    continue
                start = sentence.index(name, start)
                if free(start, start + len(name)):
                    found.append(
                        NameMatch(start, start + len(name), name, "vessel", "Vessel", "before a ship word")
                    )
                    taken.append((start, start + len(name)))
            for match in _QUOTED.finditer(sentence):
                start, end = match.span("name")
                name = match.group("name").strip()
                words = name.split()
                shaped = len(words) <= 4 and all(w[:1].isupper() or w.isdigit() for w in words)
                if shaped and free(start, end) and not self._only_common(name):
                    found.append(NameMatch(start, end, name, "vessel", "Vessel", "quoted near a ship word"))
                    taken.append((start, end))
        for match in _RU_VESSEL_AFTER.finditer(sentence):
            start, end = match.span("name")
            name = self._clean_vessel(sentence[start:end])
            if name and free(start, start + len(name)):
                found.append(
                    NameMatch(start, start + len(name), name, "vessel", "Vessel", "after a ship word")
                )
                taken.append((start, start + len(name)))
        for regex, schema in ((_CYRILLIC_ORG, "Company"), (_CYRILLIC_STATE, "PublicBody")):
            for match in regex.finditer(sentence):
                start, end = match.span("name")
                if free(start, end):
                    found.append(
                        NameMatch(start, end, match.group("name"), "entity", schema, "organisation pattern")
                    )
                    taken.append((start, end))
        tokens = _Tokens(sentence)
        left: list[list[_Tok]] = []
        for run in self._runs(sentence):
            for piece in self._split_claimed(run, taken):
                named = self._classify(piece, sentence, tokens, ship_sentence)
                if named is not None:
                    found.append(named)
                    taken.append((named.start, named.end))
                else:
                    left.append(piece)
        if ship_sentence:
            found.extend(self._listed_with_vessels(left, sentence, found, claimed))
        found.sort(key=lambda m: m.start)
        return found

    def _listed_with_vessels(
        self, runs: list[list[_Tok]], sentence: str, found: list[NameMatch], claimed: list[tuple[int, int]]
    ) -> list[NameMatch]:
        """Names in a list with vessels ("Yu Son, Chon Ma San, Sam Ma 2, and An San"), or
        followed by a ship apposition ("Rye Song Gang 1, a 3,003 dwt product tanker")."""
        out: list[NameMatch] = []
        spans = [(m.start, m.end) for m in found if m.kind == "vessel"] + list(claimed)
        for run in runs:
            words = [t.bare for t in run]
            if len(run) > 4 or any(w in self.vocab.not_names or w in _CONNECTORS for w in words):
                continue
            start, end = run[0].start, run[-1].end
            after = sentence[end : end + 60]
            apposition = re.match(rf",\s+(?:a|an)\s+(?:[\w,-]+\s+){{0,4}}{_SHIP_WORDS}\b", after)
            listed = any(
                re.fullmatch(r"\s*(?:,|and|or|,\s*and|или|либо|и)\s*", sentence[e:start])
                or re.fullmatch(r"\s*(?:,|and|or|,\s*and|или|либо|и)\s*", sentence[end:s])
                for s, e in spans
                if (e <= start and start - e <= 6) or (s >= end and s - end <= 6)
            )
            if apposition or listed:
                out.append(
                    NameMatch(
                        start,
                        end,
                        sentence[start:end],
                        "vessel",
                        "Vessel",
                        "listed with vessels" if listed else "ship apposition",
                    )
                )
                spans.append((start, end))
        return out

    def _split_claimed(self, run: list[_Tok], taken: list[tuple[int, int]]) -> list[list[_Tok]]:
        pieces: list[list[_Tok]] = []
        current: list[_Tok] = []
        for tok in run:
            if any(tok.start < e and s < tok.end for s, e in taken):
                if current:
                    pieces.append(current)
                current = []
            else:
                current.append(tok)
        if current:
            pieces.append(current)
        out = []
        for piece in pieces:
            while piece and piece[-1].bare in _CONNECTORS:
                piece = piece[:-1]
            while piece and piece[0].bare in _CONNECTORS:
                piece = piece[1:]
            if piece:
                out.append(piece)
        return out

    def _after_title(self, run: list[_Tok]) -> list[_Tok] | None:
        """The name after a title of one to three words at the start of a run (after a
        nationality or other common word: "Japanese Chief Cabinet Secretary ...")."""
        while (
            len(run) > 3
            and run[0].bare in self.vocab.not_names
            and run[0].bare not in self.vocab.person_titles
        ):
            run = run[1:]
        words = [t.bare for t in run]
        for size in (3, 2, 1):
            if len(run) <= size:
                continue
            title = " ".join(words[:size])
            if title in self.vocab.person_titles or (size == 1 and words[0] in self.vocab.person_titles):
                rest = run[size:]
                # "Secretary of State Hillary Clinton": skip "of X" after the title
                while len(rest) > 2 and rest[0].bare in _CONNECTORS:
                    rest = rest[2:]
                rest = [t for t in rest if t.bare not in _CONNECTORS]
                if (
                    2 <= len(rest) <= 3
                    and all(t.text[:1].isupper() for t in rest)
                    and not any(
                        t.bare in self.vocab.state_words or t.bare in self.vocab.company_words for t in rest
                    )
                ):
                    return rest
                if len(rest) > 3 and all(t.text[:1].isupper() for t in rest[-2:]):
                    return rest[-2:]
        return None

    def _only_common(self, name: str) -> bool:
        words = [w.casefold() for w in re.findall(r"[^\W_]+", name)]
        return not words or all(w in self.vocab.not_names or w in _CONNECTORS for w in words)

    def _clean_vessel(self, name: str) -> str:
        """A ship's name after a ship word, less the words that cannot be part of it
        ("SEA PRIMORYE" keeps its "SEA"; "Vityaz was" loses nothing it needs)."""
        words = name.split()
        while words and (
            words[-1].casefold() in _FUNCTION_WORDS
            or words[-1].casefold() in _CONNECTORS
            or (not words[-1].isupper() and words[-1].casefold() in self.vocab.not_names)
        ):
            words.pop()
        while words and (
            words[0].casefold() in _FUNCTION_WORDS
            or (not words[0].isupper() and words[0].casefold() in self.vocab.not_names)
        ):
            words.pop(0)
        if not words or words[0][:1].isdigit():
            return ""
        return " ".join(words)

    def _classify(
        self, run: list[_Tok], sentence: str, tokens: _Tokens, ship_sentence: bool
    ) -> NameMatch | None:
        words = [t.bare for t in run]
        start, end = run[0].start, run[-1].end
        name = sentence[start:end]
        if all(w in self.vocab.not_names or w in _CONNECTORS or w.isdigit() for w in words):
            return None
        if to_code(name) is not None:
            return None  # "the Russian Federation" is a country, not a party
        shouted = [t for t in run if len(t.text) >= 4 and t.text.isupper()]
        if len(shouted) >= 3 and len(shouted) < len(run):
            return None  # "NORTH KOREA-RUSSIA SUMMIT News Today": a headline or a page's section bar
        state = any(w in self.vocab.state_words for w in words)
        company = any(w in self.vocab.company_words for w in words)
        titled_first = self._after_title(run)
        if titled_first is not None and len(titled_first) >= 2:
            # "Japanese Chief Cabinet Secretary Yoshihide Suga": a person after a title,
            # whatever state word the title holds
            return NameMatch(
                titled_first[0].start,
                titled_first[-1].end,
                sentence[titled_first[0].start : titled_first[-1].end],
                "entity",
                "Person",
                "after a title",
            )
        if (state or company) and len(run) >= 2:
            legal = any(w in _LEGAL for w in words)
            schema = "PublicBody" if state and not company else "Company" if legal else "Organization"
            return NameMatch(start, end, name, "entity", schema, "organisation word")
        if (
            ship_sentence
            and len(run) >= 2
            and run[-1].text.isdigit()
            and not _TIME_AFTER.match(sentence, end)
        ):
            return NameMatch(start, end, name, "vessel", "Vessel", "name with a hull number")
        positions, words_of = tokens.get()
        found_at = bisect_left(positions, run[0].start)
        index = found_at if found_at < len(positions) and positions[found_at] == run[0].start else None
        before = words_of[index - 1].casefold().rstrip(".,") if index else ""
        before2 = " ".join(words_of[max(0, (index or 0) - 2) : index or 0]).casefold().rstrip(".,")
        following_at = bisect_left(positions, run[-1].end)
        after_index = following_at if following_at < len(positions) else None
        after = words_of[after_index].casefold() if after_index is not None else ""
        # titles as the run's own first words: "President Vladimir Putin", "Defence Minister
        # Sergei Shoigu", "Secretary of State Hillary Clinton": the person is the words after
        titled = self._after_title(run)
        if titled is not None:
            return NameMatch(
                titled[0].start,
                titled[-1].end,
                sentence[titled[0].start : titled[-1].end],
                "entity",
                "Person",
                "after a title",
            )
        if (
            len(run) <= 3
            and not any(w in self.vocab.not_names for w in words)
            and _COMPANY_AFTER.match(sentence, end)
        ):
            return NameMatch(start, end, name, "entity", "Company", "company apposition")
        if len(run) < 2 or len(run) > 4 or any(w in _CONNECTORS for w in words):
            return None
        if any(w in self.vocab.not_names for w in words):
            return None
        personal = before in self.vocab.person_titles or before2 in self.vocab.person_titles
        speaker = after in self.vocab.speech_verbs or before in self.vocab.speech_verbs
        # "Yaroslav Guk, deputy director of ...", "Gary Howard, Middle East correspondent"
        following = sentence[run[-1].end : run[-1].end + 60]
        appositive = (
            bool(re.match(r"\s*,\s*(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,3}?(?P<t>[\w-]+)\b", following))
            and any(
                w.strip(",.").casefold() in self.vocab.person_titles
                for w in following.split(",")[1].split()[:4]
            )
            if following.lstrip().startswith(",") and len(following.split(",")) > 1
            else False
        )
        byline = before in ("by", "author") and len(run) <= 3
        personal = personal or appositive or byline
        korean = words[0] in self.vocab.korean_surnames and all(len(w) <= 9 for w in words)
        russian = len(run) in (2, 3) and any(
            words[-1].endswith(e) and len(words[-1]) > len(e) + 2 for e in self.vocab.russian_endings
        )
        if personal or speaker or korean or russian:
            why = "after a title" if personal else "speaker" if speaker else "name shape"
            return NameMatch(start, end, name, "entity", "Person", why)
        return None

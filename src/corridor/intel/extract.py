"""Reports into facts: `Extractor.read` (bytes → `Document`) and `Extractor.facts`.

Reading: the bytes must be text (UTF-8, or UTF-16 with its BOM); NUL bytes or
undecodable bytes make a `ParseError` naming the file; an empty or furniture-only file
too.  The format is taken from the suffix or the content (HTML, Markdown, text) and the
boilerplate removed (`clean`).  The language is detected: English gets every rule;
Russian gets the gazetteers (places, goods, activities, listed names, known
organisations, aircraft), quantities, dates, natasha's NER for people, organisations
and places (`russian`), and the Cyrillic organisation and vessel patterns (marked
partial only when natasha cannot be loaded); Korean gets the gazetteers, quantities and
dates, marked partial; any other language gets the gazetteers only, marked partial.

Facts, each with its evidence (sentence and span in `Document.text`):

    place     corridor gazetteer id, name, country, roles
    goods     goods id, HS heading (+ description), code for checks, direction, quantity
    quantity  number or range with unit (people, tonnes, barrels, money...)
    date      resolved date range and precision
    activity  vocabulary id, with the goods, places, dates, counts and parties near it
    entity    organisation / state body / person, schema, why it was taken as a name
    vessel    name, IMO number when given
    aircraft  registration mark, type, operator (`aircraft`)

Pure, no I/O.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from collections.abc import Iterable

from corridor.errors import ParseError
from corridor.intel import clean
from corridor.intel.aircraft import find_aircraft
from corridor.intel.dates import find_dates
from corridor.intel.listed import ListedMatch, ListedNames
from corridor.intel.model import Document, Evidence, Fact, Quantity, Sentence
from corridor.intel.names import NameFinder
from corridor.intel.phrases import Folded, PhraseMatch, fold
from corridor.intel.quantities import QuantityFinder
from corridor.intel.russian import RuSpan, RussianNer
from corridor.intel.russian import shared as shared_russian_ner
from corridor.intel.vocab import Vocabulary
from corridor.types.countries import to_code
from corridor.types.identifiers import imo_check_digit_ok
from corridor.types.text import name_key

SUPPORTED_LANGUAGES = {"en": "English", "ru": "Russian", "ko": "Korean"}
MAX_TEXT_CHARS = 2_000_000  # cleaned text; callers cap the file size before reading
_PETROLEUM_HEADINGS = ("2709", "2710", "2711")
_IMO = re.compile(r"\bIMO(?:\s*(?:no\.?|number))?[\s:#]*(\d{7})\b", re.IGNORECASE)
_CLAUSE = re.compile(
    r",\s*(?:while|whereas|but|and\s+(?:russia|north korea))\b|;|\s+while\s+|\s+whereas\s+"
    r"|,\s*(?:а|но|однако|тогда как|в то время как)\s",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_LIST_JOIN = re.compile(r"\s*(?:,|и|или|либо|and|or|&|,\s*and|,\s*и)\s*(?:the\s+)?", re.IGNORECASE)
_COORDINATED = re.compile(r"\s*(?:,|and|or|&|и|,\s*and)\s*", re.IGNORECASE)
_RU_SHIP_BEFORE = re.compile(
    r"\b(?:танкер|судн|суд(?=ов\b|ам\b|ами\b)|сухогруз|теплоход|корабл|пароход|паром|балкер|контейнеровоз"
    r"|траулер|лихтер|буксир|ледокол|барж|яхт)[а-яё]*(?:\s+|\s*[—–:-]\s*)[«\"“„]?$",
    re.IGNORECASE,
)
# Oblique case endings Russian glues to the last word of a Korean name ("Ким Чен Ына",
# "Ким Ир Сену", "Пак Тхэ Соном") and the consonants a Korean syllable can end with
# in Russian spelling: "Ына" is "Ын", "Чжу" stays "Чжу".
_KOREAN_CASE_ENDINGS = ("ом", "ым", "ем", "а", "у", "е", "я", "ю")
_KOREAN_CODAS = "нмрлкптг"
_TRANSFER_CUES = frozenset(("arms trade", "arms deal", "arms transfers", "military cargo"))
_JUSTEXT_LANGUAGE = {"en": "English", "ru": "Russian", "ko": "Korean"}


def decode(data: bytes, source: str) -> str:
    """The text of a file's bytes, or ParseError when they are not text."""
    if not data.strip():
        raise ParseError(source, "", "the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(source, f"byte {exc.start}", "not valid UTF-16 text") from None
    if b"\x00" in data[:65536]:
        raise ParseError(source, "", "a binary file (NUL bytes), not a text, Markdown or HTML report")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = sum(1 for b in data[:65536] if b < 9 or 13 < b < 32)
        if bad:
            raise ParseError(source, "", "a binary file, not a text, Markdown or HTML report") from None
        raise ParseError(source, f"byte {exc.start}", "not UTF-8 text (save the report as UTF-8)") from None


class Extractor:
    """The rule-based extractor over one vocabulary (places, goods, activities, lexicon)."""

    def __init__(self, vocab: Vocabulary, russian_ner: RussianNer | None = None) -> None:
        self.vocab = vocab
        self.names = NameFinder(vocab)
        self.quantities = QuantityFinder(vocab)
        self.russian_ner = russian_ner if russian_ner is not None else shared_russian_ner()

    # --- reading ---------------------------------------------------------------------

    def read(
        self, data: bytes, source: str, report_date: dt.date | None = None, suffix: str = ""
    ) -> Document:
        text = decode(data, source)
        return self.read_text(text, source, report_date, suffix, sha256=hashlib.sha256(data).hexdigest())

    def read_text(
        self, raw: str, source: str, report_date: dt.date | None = None, suffix: str = "", sha256: str = ""
    ) -> Document:
        warnings: list[str] = []
        if not raw.strip():
            raise ParseError(source, "", "the file is empty")
        fmt = clean.detect_format(raw, suffix)
        if fmt == "html":
            language_guess = clean.detect_language(re.sub(r"<[^>]*>", " ", raw))
            text = clean.html_to_text(raw, _JUSTEXT_LANGUAGE.get(language_guess, "English"))
        elif fmt == "markdown":
            text = clean.markdown_to_text(raw)
        else:
            text = raw
        text = clean.strip_boilerplate(text.replace("\u00a0", " "), self.vocab)
        if not text.strip():
            raise ParseError(source, "", f"no report text left after removing page furniture ({fmt})")
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
            warnings.append(f"text cut at {MAX_TEXT_CHARS:,} characters: facts after that are missing")
        language = clean.detect_language(text)
        partial = bool(warnings)
        if language == "ru" and not self.russian_ner.available():
            partial = True
            warnings.append(
                "Russian text without the Russian NER (natasha could not be loaded: "
                f"{self.russian_ner.error}): places, goods, activities, quantities, dates, listed and "
                "known names and the Cyrillic organisation patterns only"
            )
        elif language == "ko":
            partial = True
            warnings.append(
                f"{SUPPORTED_LANGUAGES[language]} text: places, goods, activities, quantities, dates and listed "
                "names only (no rule-based people or organisations but the known ones)"
            )
        elif language not in ("en", "ru"):
            partial = True
            warnings.append(
                "language not supported (not English, Russian or Korean): gazetteer matches only "
                "(places, goods, listed names); people, organisations, dates and activities not extracted"
            )
        title = next((line.strip() for line in text.split("\n") if line.strip()), "")[:300]
        given = report_date is not None
        if report_date is None:
            report_date = dt.date.today()
            warnings.append("no report date given (--date): relative dates resolved against today")
        return Document(
            source=source,
            text=text,
            title=title,
            report_date=report_date,
            language=language,
            sentences=clean.split_sentences(text),
            raw_format=fmt,
            sha256=sha256 or hashlib.sha256(raw.encode("utf-8")).hexdigest(),
            partial=partial,
            warnings=warnings,
            date_given=given,
        )

    # --- facts -----------------------------------------------------------------------

    def facts(self, doc: Document, listed: ListedNames | None = None) -> list[Fact]:
        builder = _Facts(doc)
        folded = fold(_POSSESSIVE.sub("  ", doc.text))  # "the UN's", "Russia's": the name, then a space
        full = doc.language == "en"
        some = doc.language in ("en", "ru", "ko")
        claimed = _Spans(len(doc.text))

        places = self.vocab.place_matcher.find_folded(folded)
        previous_place = -1
        facility = (
            re.compile(
                r"\s+(?P<noun>(?:[A-Z][a-z]+\s+){0,2}(?:"
                + "|".join(
                    r"\s+".join(w[:1].upper() + w[1:] for w in n.split()) for n in self.vocab.facility_nouns
                )
                + r"))\b"
            )
            if self.vocab.facility_nouns
            else None
        )
        for match in places:
            place = self.vocab.places[match.value[0]]
            served = facility.match(doc.text, match.end) if facility is not None else None
            if served is not None:
                # "Vladivostok International Airport": the facility, and the city it serves
                name = doc.text[match.start : served.end()]
                attrs_f: dict[str, object] = {
                    "place_id": "",
                    "name": name,
                    "country": place.country,
                    "roles": [served.group("noun").split()[-1].casefold()],
                    "why": "facility of a known place",
                    "serves": place.id,
                }
                builder.add("place", f"place:{name_key(name)}", name, match.start, served.end(), attrs_f)
                claimed.add((match.start, served.end()))
            listed_with_places = previous_place >= 0 and bool(
                _COORDINATED.fullmatch(doc.text[previous_place : match.start])
            )
            if "capital" in place.roles and not (
                listed_with_places or _locative(doc.text, match.start, match.end)
            ):
                continue  # "Pyongyang has made clear": the government, not the place
            if _in_capitals_name(doc.text, match.start, match.end):
                continue  # "the tanker SEA PRIMORYE": a word of a name written in capitals
            previous_place = match.end
            builder.add(
                "place",
                f"place:{place.id}",
                place.name,
                match.start,
                match.end,
                {
                    "place_id": place.id,
                    "name": place.name,
                    "country": place.country,
                    "roles": list(place.roles),
                },
            )
            claimed.add((match.start, match.end))

        if listed is not None:
            for hit in listed.find(folded, doc.text):
                if claimed.overlaps(hit.start, hit.end):
                    continue
                self._listed_fact(builder, hit)
                claimed.add((hit.start, hit.end))

        for match in self.vocab.known_organisations.find_folded(folded):
            if claimed.overlaps(match.start, match.end) or not _capitalised(
                doc.text[match.start : match.end]
            ):
                continue
            name = match.value[0]
            builder.add(
                "entity",
                f"entity:{name_key(name)}",
                name,
                match.start,
                match.end,
                {"name": name, "schema": "Organization", "why": "known organisation"},
            )
            claimed.add((match.start, match.end))

        self._aircraft(doc, folded, builder, claimed)

        not_goods = [(m.start, m.end) for m in self.vocab.not_goods.find_folded(folded)]
        goods_matches = [
            m
            for m in self.vocab.goods_matcher.find_folded(folded)
            if not _overlaps(m.start, m.end, not_goods)
            and _next_word(doc.text, m.end) not in self.vocab.compound_heads
        ]
        sides = self.vocab.side_matcher.find_folded(folded) if some else []
        cues = self.vocab.activity_matcher.find_folded(folded) if some else []
        if some:
            for regex, activity_id in self.vocab.activity_patterns:
                for found in regex.finditer(doc.text):
                    if not _overlaps(found.start(), found.end(), [(c.start, c.end) for c in cues]):
                        cues.append(
                            PhraseMatch(found.start(), found.end(), found.group(0).casefold(), [activity_id])
                        )
            cues.sort(key=lambda c: c.start)

        if doc.language == "ru":
            for span in self.russian_ner.spans(doc.text):
                if not claimed.overlaps(span.start, span.end) and self._russian_fact(builder, span):
                    claimed.add((span.start, span.end))

        if full:
            for start, end, name, noun in self._unknown_places(doc.text):
                if claimed.overlaps(start, end):
                    continue
                builder.add(
                    "place",
                    f"place:{name_key(name)}",
                    name,
                    start,
                    end,
                    {"place_id": "", "name": name, "country": "", "roles": [noun], "why": "place noun"},
                )
                claimed.add((start, end))

        for sentence in doc.sentences:
            s_claimed = claimed.within(sentence.start, sentence.end)
            if full or doc.language == "ru":
                for named in self.names.find(sentence.text, s_claimed):
                    start, end = sentence.start + named.start, sentence.start + named.end
                    if claimed.overlaps(start, end):
                        continue
                    schema = "Vessel" if named.kind == "vessel" else named.schema
                    attrs: dict[str, object] = {"name": named.name, "schema": schema, "why": named.why}
                    builder.add(
                        named.kind, f"{named.kind}:{name_key(named.name)}", named.name, start, end, attrs
                    )
                    claimed.add((start, end))
            for imo_match in _IMO.finditer(sentence.text):
                digits = imo_match.group(1)
                if imo_check_digit_ok(digits):
                    builder.attach_imo(sentence.start + imo_match.start(), digits)

        quantities: list[tuple[int, int, Quantity]] = []
        previous = ""
        for sentence in doc.sentences:
            for q in self.quantities.find(sentence.text, sentence.start, previous):
                if claimed.overlaps(q.start, q.end):
                    continue
                quantities.append((q.start, q.end, q.quantity))
                builder.add(
                    "quantity",
                    f"quantity:{q.quantity.label()}",
                    q.quantity.label(),
                    q.start,
                    q.end,
                    {"quantity": q.quantity},
                )
            previous = sentence.text
        dates = []
        if some:
            for sentence in doc.sentences:
                for d in find_dates(sentence.text, doc.report_date, sentence.start):
                    dates.append(d)
                    builder.add(
                        "date",
                        f"date:{d.date.label()}",
                        d.date.label(),
                        d.start,
                        d.end,
                        {"date": d.date, "written": d.text},
                    )

        previous_goods: tuple[int, str | None] = (-1, None)
        for match in goods_matches:
            if claimed.overlaps(match.start, match.end):
                continue
            if doc.language == "ru" and self._russian_verb(doc.text[match.start : match.end]):
                continue  # "стала" (became) shares its stem with "сталь" (steel): goods are nouns
            if doc.language == "ru" and self._other_word(doc.text[match.start : match.end], match.value[0]):
                continue  # "сырьё" (raw materials) shares its stem with "сыр" (cheese)
            term = self.vocab.goods[match.value[0]]
            goods_sentence = _sentence_of(doc.sentences, match.start)
            direction = (
                self._direction(doc.text, goods_sentence, match, sides, places) if goods_sentence else None
            )
            if (
                direction is None
                and previous_goods[0] >= 0
                and _COORDINATED.fullmatch(doc.text[previous_goods[0] : match.start])
            ):
                direction = previous_goods[1]  # "Russian oil and petroleum": one adjective for both
            previous_goods = (match.end, direction)
            quantity = _nearest_quantity(quantities, match.start, match.end, goods_sentence)
            attrs = {
                "goods_id": term.id,
                "label": term.label,
                "heading": term.heading,
                "hs_description": term.description,
                "code": term.code,
                "product": term.product,
                "written": doc.text[match.start : match.end],
            }
            fact = builder.add("goods", f"goods:{term.id}", term.label, match.start, match.end, attrs)
            directions: list[str] = fact.attrs.setdefault("directions", [])
            if direction and direction not in directions:
                directions.append(direction)
            if quantity is not None:
                fact.attrs.setdefault("quantities", []).append(quantity)
            if goods_sentence is not None:
                goods_dates: list[object] = fact.attrs.setdefault("dates", [])
                for found_date in dates:
                    if (
                        goods_sentence.start <= found_date.start < goods_sentence.end
                        and found_date.date not in goods_dates
                    ):
                        goods_dates.append(found_date.date)

        for match in cues:
            if claimed.overlaps(match.start, match.end):
                continue
            activity = self.vocab.activities[match.value[0]]
            cue_sentence = _sentence_of(doc.sentences, match.start)
            if cue_sentence is None:
                continue
            context = self._activity_context(
                doc, cue_sentence, builder, _next_sentence(doc.sentences, cue_sentence), sides
            )
            if activity.check == "labour" and "kp" not in context["sides"]:  # type: ignore[operator]
                continue  # workers of no DPRK side: not a labour dispatch
            if activity.check == "payment_in_kind" and not any(
                g["heading"] in _PETROLEUM_HEADINGS
                for g in context["goods"]  # type: ignore[attr-defined]
            ):
                continue  # payment in kind here means paid with oil
            if activity.check == "arms" and not (
                context["transfer"]
                or match.phrase in _TRANSFER_CUES
                or any(
                    self.vocab.activities[c.value[0]].check == "payment_in_kind"
                    and cue_sentence.start <= c.start < cue_sentence.end
                    for c in cues
                )
            ):
                continue  # "shortages of weapons" is no arms transfer; "weapons in exchange for oil" is
            fact = builder.add(
                "activity",
                f"activity:{activity.id}",
                activity.label,
                match.start,
                match.end,
                {"activity": activity.id, "check": activity.check, "service_kind": activity.service_kind},
            )
            _merge_context(fact.attrs, context)
        labour = builder.by_key.get("activity:labour_dispatch")
        if labour is not None and not labour.attrs.get("counts"):
            # "As many as 20,000-50,000 could be invited": the report's worker counts
            labour.attrs["counts"] = [q for _s, _e, q in quantities if q.unit == "workers"]
        return builder.result()

    def _unknown_places(self, text: str) -> list[tuple[int, int, str, str]]:
        """Places the gazetteer does not know, named with a place noun: "Jeju Island",
        "the Churikin district", "the port of Dunai", "the town of Fokino"."""
        name = r"[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+){0,2}"
        nouns = "|".join(re.escape(n) for n in self.vocab.place_nouns)
        heads = "|".join(re.escape(h) for h in sorted(self.vocab.place_heads, key=len, reverse=True))
        out: list[tuple[int, int, str, str]] = []
        for match in re.finditer(rf"\b(?P<name>{name})\s+(?P<noun>(?i:{nouns}))\b", text):
            words = match.group("name").split()
            owner = words[0].rstrip("sS")
            if (
                len(words) > 1
                and owner[-1:] in "'’"
                and (to_code(owner[:-1]) is not None or owner[:-1].casefold() in self.vocab.not_names)
            ):
                # "China's Jilin province": the place is Jilin, China only owns it
                cut = match.start() + len(words[0]) + 1
                label = text[cut : match.end("name")]
                noun = match.group("noun").casefold()
                descriptive = (
                    noun in ("district", "region", "province", "county")
                    and not match.group("noun")[0].isupper()
                )
                out.append(
                    (
                        cut,
                        match.end("name") if descriptive else match.end(),
                        label if descriptive else text[cut : match.end()],
                        noun,
                    )
                )
                continue
            if (
                all(w.casefold() in self.vocab.not_names for w in words)
                or words[0].casefold() in self.vocab.not_names
            ):
                continue
            noun = match.group("noun").casefold()
            # "Jeju Island", "Danube naval base" are the names; "the Churikin district" is Churikin
            descriptive = (
                noun in ("district", "region", "province", "county") and not match.group("noun")[0].isupper()
            )
            end = match.end("name") if descriptive else match.end()
            label = text[match.start() : end]
            out.append((match.start(), end, label, noun))
        for match in re.finditer(rf"\b(?:{heads})\s+of\s+(?P<name>{name})", text):
            words = match.group("name").split()
            if words[0].casefold() in self.vocab.not_names:
                continue
            out.append((match.start("name"), match.end("name"), match.group("name"), "place"))
        return out

    def _other_word(self, written: str, goods_id: str) -> bool:
        """A one-word Cyrillic goods match whose dictionary form is none of the goods
        term's ("вооружённым" is not "вооружение", "сырьё" is not "сыр")."""
        word = written.strip().casefold()
        terms = self.vocab.goods_words.get(goods_id, set())
        if " " in word or not terms or word in terms or not re.search(r"[а-яё]", word):
            return False
        lemma = self.russian_ner.lemmas(word)
        return bool(lemma) and not any(lemma & self.russian_ner.lemmas(t) for t in terms)

    def _russian_verb(self, written: str) -> bool:
        """A one-word Cyrillic goods match that the morphology reads as a verb."""
        if " " in written.strip() or not re.search(r"[а-яё]", written, re.IGNORECASE):
            return False
        return self.russian_ner.part_of_speech(written.casefold()) in ("VERB", "INFN", "PRTS", "GRND")

    def _aircraft(self, doc: Document, folded: Folded, builder: _Facts, claimed: _Spans) -> None:
        """Aircraft (registration, type, operator) and the operators named as organisations."""
        mentions, operators = find_aircraft(doc.text, folded, doc.sentences, self.vocab)
        for op in operators:
            if not claimed.overlaps(op.start, op.end):
                attrs: dict[str, object] = {
                    "name": op.name,
                    "schema": "Organization",
                    "why": "aircraft operator",
                }
                builder.add("entity", f"entity:{name_key(op.name)}", op.name, op.start, op.end, attrs)
                claimed.add((op.start, op.end))
        for mention in mentions:
            listed = (
                builder.by_key.get(f"aircraft:{name_key(mention.registration)}")
                if mention.registration
                else None
            )
            if claimed.overlaps(mention.start, mention.end) and listed is None:
                continue
            kind = self.vocab.aircraft_types.get(mention.type_id)
            operator = self.vocab.operators.get(mention.operator)
            if mention.registration:
                key, label = f"aircraft:{name_key(mention.registration)}", mention.registration
            else:
                key = f"aircraft:{name_key(mention.operator) or 'unknown'}:{mention.type_id}"
                label = f"{mention.operator} {kind.label if kind else ''}".strip()
            attrs = {
                "registration": mention.registration,
                "country": mention.register_country or (operator.country if operator else ""),
                "type": kind.label if kind else "",
                "type_id": mention.type_id,
                "manufacturer": kind.manufacturer if kind else "",
                "operator": mention.operator,
            }
            fact = builder.add("aircraft", key, label, mention.start, mention.end, attrs)
            for name, value in attrs.items():
                if value and not fact.attrs.get(name):
                    fact.attrs[name] = value  # a later mention may say what an earlier one did not
            claimed.add((mention.start, mention.end))

    def _russian_fact(self, builder: _Facts, span: RuSpan) -> bool:
        """A span of the Russian NER as a fact: a person, an organisation or state body,
        or a place the gazetteer does not know; countries and sides ("России", "КНДР")
        and common words ("СМИ") are not names."""
        text = builder.doc.text
        if span.text.count("«") > span.text.count("»") and "»" in text[span.end : span.end + 2]:
            closing = text.index("»", span.end) + 1  # ООО «Name»: natasha's span stops before the quote
            span = RuSpan(span.start, closing, span.kind, text[span.start : closing], span.normal + "»")
        normal = span.normal.strip(" ")
        if normal.count("«") != normal.count("»"):
            normal = normal.strip("«»")
        words = [w.casefold() for w in re.findall(r"[^\W\d_]+", normal)]
        if (
            not words
            or all(w in self.vocab.not_names for w in words)
            or normal.casefold() in self.vocab.not_names
        ):
            return False
        known_place = self.vocab.place_matcher.find(normal)
        whole_place = bool(known_place) and known_place[0].start == 0 and known_place[0].end >= len(normal)
        sides = self.vocab.side_matcher.find(span.text)
        if not whole_place and sides and sides[0].start == 0 and sides[-1].end >= len(span.text.rstrip()):
            return False  # Россия, Северной Кореи, КНДР: a side of the corridor, not a party or place
        if to_code(normal) is not None or to_code(span.text) is not None:
            return False
        ner = self.russian_ner
        if span.kind != "place" and _RU_SHIP_BEFORE.search(text[max(0, span.start - 40) : span.start]):
            name = normal.strip('«»"“”')
            ship: dict[str, object] = {
                "name": name,
                "schema": "Vessel",
                "why": "after a ship word",
                "written": span.text,
            }
            builder.add("vessel", f"vessel:{name_key(name)}", name, span.start, span.end, ship)
            return True
        # one word that the dictionary knows as an adjective ("Бишкекское") or as a
        # common noun ("Фабрика"): a word capitalised, not a name
        if (
            span.kind != "place"
            and len(words) == 1
            and not normal.isupper()
            and (ner.part_of_speech(words[0]) in ("ADJF", "ADJS") or ner.common_word(words[0]))
        ):
            return False
        if span.kind == "person" and words[0] in self.vocab.korean_surnames:
            normal = _korean_nominative(span.text.strip())
        if span.kind == "person" and words[0] in self.vocab.korean_surnames:
            known_place, whole_place = [], False  # the name changed: "Ким Чен Ын" is no place
        if span.kind != "place" and whole_place:
            span = RuSpan(span.start, span.end, "place", span.text, normal)  # "Пхеньян" read as a body
        if span.kind == "place" and not known_place and self._common_phrase(builder.doc, span, words):
            return False  # "Автомобильный мост" opening a sentence: a common noun phrase
        if span.kind == "place":
            known = self.vocab.place_matcher.find(normal)
            if known and known[0].start == 0 and known[0].end >= len(normal):
                place = self.vocab.places[known[0].value[0]]
                attrs: dict[str, object] = {
                    "place_id": place.id,
                    "name": place.name,
                    "country": place.country,
                    "roles": list(place.roles),
                }
                builder.add("place", f"place:{place.id}", place.name, span.start, span.end, attrs)
                return True
            attrs = {"place_id": "", "name": normal, "country": "", "roles": [], "why": "Russian NER"}
            builder.add("place", f"place:{name_key(normal)}", normal, span.start, span.end, attrs)
            return True
        if span.kind == "person":
            schema = "Person"
        else:
            legal = words[0] in ("ооо", "ао", "пао", "оао", "зао")
            state = words[0] in self.vocab.state_words
            company = any(w in self.vocab.company_words for w in words)
            schema = "Company" if legal else "PublicBody" if state and not company else "Organization"
        attrs = {"name": normal, "schema": schema, "why": "Russian NER", "written": span.text}
        builder.add("entity", f"entity:{name_key(normal)}", normal, span.start, span.end, attrs)
        return True

    def _common_phrase(self, doc: Document, span: RuSpan, words: list[str]) -> bool:
        """A Russian NER place that opens a sentence and whose words are all common
        dictionary words with no geographical reading: the capital letter says nothing."""
        sentence = _sentence_of(doc.sentences, span.start)
        before = doc.text[sentence.start if sentence is not None else 0 : span.start]
        opens = not before.strip(' «"“„-—') or before.rstrip(' «"“„-—\t').endswith("\n")
        return (
            opens
            and all(self.russian_ner.common_word(w) for w in words)
            and not any(self.russian_ner.place_word(w) for w in words)
        )

    def _listed_fact(self, builder: _Facts, hit: ListedMatch) -> None:
        schemas = {c.schema for c in hit.candidates}
        if schemas == {"Aircraft"}:  # a listed aircraft's registration mark ("EP-GOM")
            attrs: dict[str, object] = {
                "registration": hit.text,
                "country": "",
                "type": "",
                "type_id": "",
                "manufacturer": "",
                "operator": "",
                "why": "listed name",
                "listed_candidates": [c.entity_id for c in hit.candidates][:10],
            }
            builder.add("aircraft", f"aircraft:{name_key(hit.text)}", hit.text, hit.start, hit.end, attrs)
            return
        kind = "vessel" if schemas == {"Vessel"} else "entity"
        schema = next(iter(schemas)) if len(schemas) == 1 else "LegalEntity"
        builder.add(
            kind,
            f"{kind}:{name_key(hit.text)}",
            hit.text,
            hit.start,
            hit.end,
            {
                "name": hit.text,
                "schema": schema,
                "why": "listed name",
                "listed_candidates": [c.entity_id for c in hit.candidates][:10],
            },
        )

    def _direction(
        self,
        text: str,
        sentence: Sentence,
        goods: PhraseMatch[list[str]],
        sides: list[PhraseMatch[list[str]]],
        places: list[PhraseMatch[list[str]]],
    ) -> str | None:
        """to_dprk (Russia → DPRK) or from_dprk, from the words around the goods."""
        # 1. an adjective just before: "Russian wheat flour", "North Korean coal"
        for side in sides:
            if side.end <= goods.start and goods.start - side.end <= 3 and sentence.start <= side.start:
                gap = text[side.end : goods.start]
                if not re.search(r"[,.;]", gap) and _adjective(side.phrase):
                    return "to_dprk" if side.value[0] == "ru" else "from_dprk"
        clause_start, clause_end = _clause(text, sentence, goods.start)
        clause = text[clause_start:clause_end]
        clause_sides = [s for s in sides if clause_start <= s.start < clause_end]
        # 2. "from Russia", "to North Korea"
        for side in clause_sides:
            before = text[max(clause_start, side.start - 12) : side.start].casefold().split()
            prep = before[-1] if before else ""
            if prep in ("from", "из", "от"):
                return "to_dprk" if side.value[0] == "ru" else "from_dprk"
            if prep in ("to", "into", "в", "во") and side.start > goods.start:
                return "to_dprk" if side.value[0] == "kp" else "from_dprk"
            written = text[side.start : side.end].casefold()
            if prep in ("в", "во", "на") and written.endswith(("ю", "у")):
                # "продавать в Россию станки": the accusative says where to, before or after
                return "to_dprk" if side.value[0] == "kp" else "from_dprk"
        # 3. where it was loaded and discharged: a Russian place then a DPRK place, or the reverse
        countries = [
            self.vocab.places[m.value[0]].country
            for m in places
            if sentence.start <= m.start < sentence.end
            and self.vocab.places[m.value[0]].country in ("ru", "kp")
        ]
        if countries and "ru" in countries and "kp" in countries:
            return "to_dprk" if countries[0] == "ru" else "from_dprk"
        # 4. subject + verb: "North Korea ... supplied", "North Korea needs ... imports"
        words = re.findall(r"[^\W\d_]+", clause.casefold())
        exporting = any(w in self.vocab.export_verbs for w in words)
        importing = any(w in self.vocab.import_verbs for w in words) or "needs" in words
        # the nearest side named as a noun before the goods ("North Korea ... imports"),
        # else the first after; "Russian" as an adjective is no subject
        nouns = [s for s in clause_sides if not _adjective(s.phrase)]
        before_goods = [s for s in nouns if s.start < goods.start]
        subject = before_goods[-1] if before_goods else (nouns[0] if nouns else None)
        if subject is not None:
            party = subject.value[0]
            if exporting and not importing:
                return "from_dprk" if party == "kp" else "to_dprk"
            if importing and not exporting:
                return "to_dprk" if party == "kp" else "from_dprk"
        return None

    def _activity_context(
        self,
        doc: Document,
        sentence: Sentence,
        builder: _Facts,
        following: Sentence | None,
        sides: list[PhraseMatch[list[str]]],
    ) -> dict[str, object]:
        """What is said with an activity: the goods, parties, vessels, dates and counts of its
        sentence, and the places of its sentence and the next ("... offices. Regions likely
        to receive them include Vladivostok...")."""
        context: dict[str, list[object]] = {
            "goods": [],
            "places": [],
            "dates": [],
            "counts": [],
            "parties": [],
            "vessels": [],
            "sides": [],
            "kinds": [],
        }
        if following is not None:
            for fact in builder.in_span(following.start, following.end):
                if fact.kind == "place":
                    context["places"].append(
                        {"key": fact.key, "name": fact.label, "country": fact.attrs["country"]}
                    )
        for fact in builder.in_span(sentence.start, sentence.end):
            context["kinds"].append(fact.kind)
            if fact.kind == "goods":
                context["goods"].append(
                    {
                        "key": fact.key,
                        "heading": fact.attrs["heading"],
                        "code": fact.attrs["code"],
                        "label": fact.label,
                        "product": fact.attrs.get("product", ""),
                        "directions": list(fact.attrs.get("directions", [])),
                    }
                )
            elif fact.kind == "place":
                place = {"key": fact.key, "name": fact.label, "country": fact.attrs["country"]}
                if place not in context["places"]:
                    context["places"].insert(0, place)
            elif fact.kind == "date":
                context["dates"].append(fact.attrs["date"])
            elif fact.kind == "quantity" and fact.attrs["quantity"].dimension == "people":
                context["counts"].append(fact.attrs["quantity"])
            elif fact.kind == "entity":
                context["parties"].append(
                    {"key": fact.key, "name": fact.label, "schema": fact.attrs.get("schema", "")}
                )
            elif fact.kind == "vessel":
                context["vessels"].append(
                    {"key": fact.key, "name": fact.label, "imo": fact.attrs.get("imo", "")}
                )
        for side in sides:
            if sentence.start <= side.start < sentence.end:
                context["sides"].append(side.value[0])
        words = set(re.findall(r"[^\W\d_]+", sentence.text.casefold()))
        context["transfer"] = [True] if words & (self.vocab.export_verbs | self.vocab.import_verbs) else []
        return context  # type: ignore[return-value]


_ADJECTIVE_ENDINGS = ("russian", "korean", "ский", "ские", "ских", "ского", "ской", "кий", "кие")


def _adjective(phrase: str) -> bool:
    return phrase.endswith(_ADJECTIVE_ENDINGS)


def _korean_nominative(written: str) -> str:
    """A Korean name as Russian writes it, in the nominative: the case ending taken
    off its last word ("Ким Чен Ына" → "Ким Чен Ын", "Кима" → "Ким"); the dictionary's
    Russian names are no guide here ("Ир" is no form of "Ира")."""
    words = written.split()
    last = words[-1]
    for ending in _KOREAN_CASE_ENDINGS:
        stem = last[: -len(ending)]
        if last.casefold().endswith(ending) and len(stem) >= 2 and stem[-1].casefold() in _KOREAN_CODAS:
            return " ".join([*words[:-1], stem])
    return written


def _merge_context(attrs: dict[str, object], context: dict[str, object]) -> None:
    for key in ("goods", "places", "dates", "counts", "parties", "vessels"):
        values: list[object] = attrs.setdefault(key, [])  # type: ignore[assignment]
        for value in context[key]:  # type: ignore[attr-defined]
            if value not in values:
                values.append(value)


_LOCATIVES = frozenset(
    [
        "in",
        "at",
        "to",
        "from",
        "near",
        "outside",
        "around",
        "via",
        "into",
        "of",
        "across",
        "through",
        "toward",
        "towards",
        "inside",
        "visited",
        "visit",
        "visiting",
        "arrived",
        "reached",
        "left",
        "leaving",
        "entered",
        "в",
        "во",
        "из",
        "на",
        "до",
        "через",
        "под",
        "около",
    ]
)


def _locative(text: str, start: int, end: int) -> bool:
    """A capital used as a place: after a locative word ("in Pyongyang", "tours of
    Pyongyang"), written in capitals as a dateline ("MOSCOW, October 2"), or before
    "city"/"region"."""
    written = text[start:end]
    if written.isupper() and len(written) > 3:
        return True
    if re.match(r"['’]s\b", text[end : end + 3]):
        return False  # "Moscow's war", "Pyongyang's access": the state
    before = text[max(0, start - 20) : start].split()
    if before and before[-1].casefold().strip(",.;:(") in _LOCATIVES:
        return True
    after = text[end : end + 12].split()
    return bool(after) and after[0].casefold().strip(",.;:") in ("city", "region", "province", "area")


def _in_capitals_name(text: str, start: int, end: int) -> bool:
    """A gazetteer word inside a name written in capitals ("SEA PRIMORYE", "AMUR BAY")."""
    written = text[start:end]
    if not (written.isupper() and any(c.isalpha() for c in written)):
        return False
    before = re.search(r"([^\W\d_]{2,})[ \t]+$", text[max(0, start - 30) : start])
    after = re.match(r"[ \t]+([^\W\d_]{2,})", text[end : end + 30])
    return bool((before and before.group(1).isupper()) or (after and after.group(1).isupper()))


def _capitalised(written: str) -> bool:
    """A proper name starts with a capital as written ("the diplomat said" is no mention
    of The Diplomat; "the UN panel" is one of the UN Panel of Experts)."""
    words = [
        w
        for w in re.findall(r"[^\W\d_][\w'’-]*", written)
        if w.casefold() not in ("of", "the", "and", "for", "de")
    ]
    return bool(words) and words[0][0].isupper()


def _next_word(text: str, end: int) -> str:
    match = re.match(r"[\s-]*([^\W\d_]+)", text[end : end + 30])
    return match.group(1).casefold() if match else ""


def _next_sentence(sentences: list[Sentence], sentence: Sentence) -> Sentence | None:
    index = sentences.index(sentence)
    return sentences[index + 1] if index + 1 < len(sentences) else None


class _Spans:
    """Character spans of a text already taken by a fact (a name is not also a goods word)."""

    def __init__(self, length: int) -> None:
        self._mask = bytearray(length)
        self._spans: list[tuple[int, int]] = []

    def add(self, span: tuple[int, int]) -> None:
        start, end = span
        self._mask[start:end] = b"\x01" * (end - start)
        self._spans.append(span)

    def overlaps(self, start: int, end: int) -> bool:
        return self._mask.find(1, start, end) != -1

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """The taken spans that start in [start, end), relative to `start`."""
        return [(a - start, b - start) for a, b in self._spans if start <= a < end]


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _sentence_of(sentences: list[Sentence], position: int) -> Sentence | None:
    lo, hi = 0, len(sentences)
    while lo < hi:
        mid = (lo + hi) // 2
        if sentences[mid].end <= position:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(sentences) and sentences[lo].start <= position < sentences[lo].end:
        return sentences[lo]
    return None


def _clause(text: str, sentence: Sentence, position: int) -> tuple[int, int]:
    start, end = sentence.start, sentence.end
    for match in _CLAUSE.finditer(text, sentence.start, sentence.end):
        if match.end() <= position:
            start = match.end()
        elif match.start() >= position:
            end = match.start()
            break
    return start, end


def _nearest_quantity(
    quantities: list[tuple[int, int, Quantity]], start: int, end: int, sentence: Sentence | None
) -> Quantity | None:
    """The goods amount: a mass, volume, barrel or money quantity just before ("2 million
    tonnes of coal") or after ("coal ... 50,000 tonnes") the goods, in its sentence."""
    if sentence is None:
        return None
    best: tuple[int, Quantity] | None = None
    for q_start, q_end, quantity in quantities:
        if not (sentence.start <= q_start < sentence.end) or quantity.dimension in (
            "people",
            "count",
            "capacity",
        ):
            continue
        distance = start - q_end if q_end <= start else q_start - end if q_start >= end else 0
        if distance < 0 or distance > 40:
            continue
        if best is None or distance < best[0]:
            best = (distance, quantity)
    return best[1] if best else None


class _Facts:
    """Facts of one report, merged by key, evidence in order."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.by_key: dict[str, Fact] = {}
        self.spans: list[tuple[int, int, Fact]] = []

    def add(self, kind: str, key: str, label: str, start: int, end: int, attrs: dict[str, object]) -> Fact:
        sentence = _sentence_of(self.doc.sentences, start)
        evidence = Evidence(
            start,
            end,
            self.doc.text[start:end],
            sentence.text if sentence else self.doc.text[max(0, start - 100) : end + 100],
            sentence.start if sentence else max(0, start - 100),
        )
        fact = self.by_key.get(key)
        if fact is None:
            fact = Fact(kind, key, label, [], dict(attrs))
            self.by_key[key] = fact
        if all(e.start != start for e in fact.evidence):
            fact.evidence.append(evidence)
            self.spans.append((start, end, fact))
        return fact

    def in_span(self, start: int, end: int) -> list[Fact]:
        seen: list[Fact] = []
        for s, _e, fact in self.spans:
            if start <= s < end and fact not in seen:
                seen.append(fact)
        return seen

    def attach_imo(self, position: int, imo: str) -> None:
        """An IMO number belongs to the vessel named just before it."""
        best: tuple[int, Fact] | None = None
        for _s, e, fact in self.spans:
            if (
                fact.kind == "vessel"
                and e <= position
                and position - e <= 40
                and (best is None or e > best[0])
            ):
                best = (e, fact)
        if best is not None:
            best[1].attrs["imo"] = imo  # the name stays the key: the IMO is an attribute

    def _coordinated_with_vessels(self) -> None:
        """A name in a list with a vessel ("Angara или Lady R", "the Sky Ocean and the
        Dunai") is a vessel too, unless a list or a rule said what it is."""
        vessels = [e for f in self.by_key.values() if f.kind == "vessel" for e in f.evidence]
        text = self.doc.text
        for key, fact in list(self.by_key.items()):
            if fact.kind != "entity" or fact.attrs.get("why") in ("listed name", "known organisation"):
                continue
            if fact.attrs.get("schema") not in ("Organization", "LegalEntity", None):
                continue
            if not any(
                _LIST_JOIN.fullmatch(text[e.end : v.start]) or _LIST_JOIN.fullmatch(text[v.end : e.start])
                for e in fact.evidence
                for v in vessels
                if 0 <= v.start - e.end <= 8 or 0 <= e.start - v.end <= 8
            ):
                continue
            del self.by_key[key]
            new_key = f"vessel:{name_key(fact.label)}"
            target = self.by_key.get(new_key)
            if target is None:
                attrs = dict(fact.attrs, schema="Vessel", why="listed with vessels")
                self.by_key[new_key] = Fact("vessel", new_key, fact.label, list(fact.evidence), attrs)
            else:
                target.evidence.extend(e for e in fact.evidence if e not in target.evidence)

    def _short_names(self) -> None:
        """A person named once in full and then by one of those names alone ("Vladimir
        Putin" … "Putin", "Ким Дон Джил" … "Ким") is one fact: the short mentions join
        the full name when exactly one full name of the report has that word first or last."""
        people = [f for f in self.by_key.values() if f.kind == "entity" and f.attrs.get("schema") == "Person"]
        full = [f for f in people if len(f.label.split()) >= 2]
        for fact in list(self.by_key.values()):
            words = fact.label.split()
            if fact.kind != "entity" or len(words) != 1 or fact.attrs.get("why") in ("listed name",):
                continue
            if fact.attrs.get("schema") not in ("Person", "Organization", None):
                continue
            word = words[0].casefold()
            owners = [
                f for f in full if word in (f.label.split()[0].casefold(), f.label.split()[-1].casefold())
            ]
            if len(owners) != 1:
                continue
            owner = owners[0]
            owner.evidence.extend(e for e in fact.evidence if all(o.start != e.start for o in owner.evidence))
            del self.by_key[fact.key]

    def result(self) -> list[Fact]:
        self._coordinated_with_vessels()
        self._short_names()
        facts = list(self.by_key.values())
        for fact in facts:
            fact.evidence.sort(key=lambda e: e.start)
            if fact.kind == "goods" and fact.attrs.get("quantities"):
                fact.attrs["quantity"] = max(fact.attrs["quantities"], key=lambda q: q.high)
        order = {
            k: i
            for i, k in enumerate(
                ("entity", "vessel", "aircraft", "place", "goods", "activity", "quantity", "date")
            )
        }
        facts.sort(key=lambda f: (order.get(f.kind, 9), f.first.start))
        return facts


__all__ = ["SUPPORTED_LANGUAGES", "Extractor", "decode"]

"""Russian named entities: people, organisations and places, by natasha's NER.

natasha 1.6.0 ships its models inside its wheel (the navec news embeddings and the
slovnet NER and morphology models, `natasha/data/`): they are read from the installed
package, never downloaded.  The models are loaded once per process, on the first
Russian report (about two seconds), and reused.

Each span comes with its normal form: a person's name in the nominative ("Сергеем
Лавровым" → "Сергей Лавров", by natasha's morphology), an organisation's first word in
the nominative and the rest as written ("Министерства внешнеэкономических связей" →
"Министерство внешнеэкономических связей"), a place as natasha normalises it.

Where natasha cannot be imported (a broken install), `RussianNer.available()` is
False and the extractor says so in the report's warnings; the rule patterns for
Russian organisations still run.

Pure: no network, no files but the package's own model data.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

NER_KINDS = {"PER": "person", "ORG": "organisation", "LOC": "place"}


@dataclass(frozen=True, slots=True)
class RuSpan:
    start: int  # in the text given
    end: int
    kind: str  # person | organisation | place
    text: str  # as written
    normal: str  # the name in its dictionary form


class _Models:
    def __init__(self) -> None:
        from natasha import MorphVocab, NewsEmbedding, NewsNERTagger, Segmenter

        embedding = NewsEmbedding()
        self.segmenter = Segmenter()
        self.ner = NewsNERTagger(embedding)
        self.vocab = MorphVocab()


class RussianNer:
    """natasha's NER over a Russian text (the models loaded on first use)."""

    def __init__(self) -> None:
        self._models: _Models | None = None
        self._error: str | None = None
        self._lock = threading.Lock()

    def _load(self) -> _Models | None:
        if self._models is None and self._error is None:
            with self._lock:
                if self._models is None and self._error is None:
                    try:
                        self._models = _Models()
                    except Exception as exc:  # an import or model file problem: reported, not fatal
                        self._error = f"{type(exc).__name__}: {exc}"
        return self._models

    def available(self) -> bool:
        return self._load() is not None

    @property
    def error(self) -> str | None:
        self._load()
        return self._error

    def part_of_speech(self, word: str) -> str | None:
        """The most likely part of speech of one Russian word (pymorphy2's OpenCorpora tag:
        NOUN, VERB, ADJF...), None without the models."""
        models = self._load()
        if models is None:
            return None
        parses = models.vocab.parse(word)
        return str(parses[0].tag.POS) if parses else None

    def spans(self, text: str) -> list[RuSpan]:
        models = self._load()
        if models is None or not text.strip():
            return []
        from natasha import Doc

        doc = Doc(text)
        doc.segment(models.segmenter)
        doc.tag_ner(models.ner)
        out: list[RuSpan] = []
        for span in doc.spans:
            kind = NER_KINDS.get(span.type)
            if kind is None:
                continue
            start = span.start
            if (
                out
                and kind == "organisation"
                and out[-1].kind == "organisation"
                and not text[out[-1].end : start].strip()
            ):
                # natasha cuts "Совет Безопасности ООН" in two: a body and the body it belongs to
                start = out.pop().start
            written = text[start : span.stop]
            out.append(RuSpan(start, span.stop, kind, written, _normal(kind, written, models)))
        return out

    def common_word(self, word: str) -> bool:
        """A dictionary word that is no name: a common noun, an adjective or a verb form
        in every reading the morphology has ("Фабрика", "Бишкекское"), not a name, a place,
        an organisation, a trademark or an abbreviation.  False without the models."""
        models = self._load()
        if models is None or not word:
            return False
        parses = models.vocab.parse(word.casefold())
        proper = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"}
        return (
            bool(parses)
            and all(p.is_known and not (proper & set(p.tag.grammemes)) for p in parses)
            and str(parses[0].tag.POS) in ("NOUN", "ADJF", "ADJS", "PRTF", "VERB", "INFN")
        )

    def lemmas(self, word: str) -> set[str]:
        """The dictionary forms of `word` in every reading (empty without the models)."""
        models = self._load()
        if models is None:
            return set()
        return {str(p.normal_form).replace("ё", "е") for p in models.vocab.parse(word.casefold())}

    def place_word(self, word: str) -> bool:
        """One of the morphology's readings of `word` is a geographical name."""
        models = self._load()
        if models is None:
            return False
        return any("Geox" in set(p.tag.grammemes) for p in models.vocab.parse(word.casefold()))


_NAME_GRAMMEMES = frozenset(("Name", "Surn", "Patr"))
_WORD = re.compile(r"[А-Яа-яЁё]+")


def _cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _inflect(form: Any, grammemes: set[str]) -> str | None:
    from pymorphy2.analyzer import Parse

    inflected = Parse.inflect(form, grammemes)  # pymorphy2's own (OpenCorpora) grammemes
    return str(inflected.word) if inflected is not None else None


def _normal(kind: str, written: str, models: _Models) -> str:
    """The dictionary form of a span, word by word with pymorphy2 (natasha's MorphVocab):
    a person's given names, patronymics and surnames in the nominative (words the
    dictionary does not know as names, such as Korean names, stay as written); an
    organisation's first word in the nominative, the rest as written; a place's nouns
    in the nominative and its adjectives agreeing with its last noun."""
    vocab = models.vocab

    def replace(match: re.Match[str], word: str) -> str:
        return written[: match.start()] + word + written[match.end() :]

    try:
        words = list(_WORD.finditer(written))
        if not words:
            return written
        if kind == "organisation":
            first = words[0]
            forms = vocab.parse(first.group(0).casefold())
            if forms and forms[0].tag.POS == "NOUN":
                return replace(first, _cased(str(forms[0].normal_form), first.group(0)))
            return written
        pieces: list[tuple[re.Match[str], str]] = []
        if kind == "person":
            for match in words:
                forms = vocab.parse(match.group(0).casefold())
                named = next((f for f in forms if _NAME_GRAMMEMES & set(f.tag.grammemes)), None)
                nominative = _inflect(named, {"nomn"}) if named is not None else None
                if nominative:
                    pieces.append((match, _cased(nominative, match.group(0))))
        else:
            parsed = [(m, vocab.parse(m.group(0).casefold())) for m in words]
            nouns = [(m, f[0]) for m, f in parsed if f and f[0].tag.POS == "NOUN"]
            gender = str(nouns[-1][1].tag.gender or "") if nouns else ""
            for match, forms in parsed:
                if not forms:
                    continue
                form = forms[0]
                if form.tag.POS == "NOUN":
                    pieces.append((match, _cased(str(form.normal_form), match.group(0))))
                elif form.tag.POS == "ADJF" and (gender or form.tag.gender):
                    # agreeing with the last noun, or alone ("реки Туманной") in its own gender
                    agreed = _inflect(form, {"nomn", "sing", gender or str(form.tag.gender)})
                    if agreed:
                        pieces.append((match, _cased(agreed, match.group(0))))
        out = written
        for match, word in sorted(pieces, key=lambda p: -p[0].start()):
            out = out[: match.start()] + word + out[match.end() :]
        return out
    except Exception:  # the morphology has no answer for this span: keep it as written
        return written


_shared = RussianNer()


def shared() -> RussianNer:
    """The process's one NER (the models are large: loaded once)."""
    return _shared

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
        from natasha import (
            MorphVocab,
            NewsEmbedding,
            NewsMorphTagger,
            NewsNERTagger,
            Segmenter,
        )

        embedding = NewsEmbedding()
        self.segmenter = Segmenter()
        self.ner = NewsNERTagger(embedding)
        self.morph = NewsMorphTagger(embedding)
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
        if not doc.spans:
            return []
        doc.tag_morph(models.morph)
        out = []
        for span in doc.spans:
            kind = NER_KINDS.get(span.type)
            if kind is None:
                continue
            written = text[span.start : span.stop]
            out.append(RuSpan(span.start, span.stop, kind, written, _normal(span, kind, written, models)))
        return out


def _normal(span: Any, kind: str, written: str, models: _Models) -> str:
    try:
        if kind == "organisation":
            first = span.tokens[0]
            first.lemmatize(models.vocab)
            lemma = str(first.lemma or first.text)
            head = lemma[:1].upper() + lemma[1:] if first.text[:1].isupper() else lemma
            if first.text.isupper():
                head = lemma.upper()
            return head + written[len(first.text) :]
        span.normalize(models.vocab)
        normal = str(span.normal or written)
    except Exception:  # the morphology has no answer for this span: keep it as written
        return written
    # keep the capitals as written ("Син Хон Чхоль"), the endings as normalised
    return normal if normal.split()[0][:1].isupper() else written


_shared = RussianNer()


def shared() -> RussianNer:
    """The process's one NER (the models are large: loaded once)."""
    return _shared

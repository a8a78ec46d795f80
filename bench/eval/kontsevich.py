"""Korean personal names in Cyrillic, as Russian documents write them: kinds
`korean_cyrillic` (a listed Korean person's name in Cyrillic) and
`near_miss_korean_cyrillic` (one given-name syllable changed, then in Cyrillic).

Written from the published Kontsevich tables (Концевич, the system of Russian
Korean studies, as in the Большая российская энциклопедия) and the spellings of
the Russian press and of customs paperwork, syllable by syllable from Hangul
(our own Latin → Hangul converter, `korean.to_hangul`), independently of the
engine's `corridor.names.korean_cyrillic`, which reads the other way and on a
coarser key.  Styles, one drawn per example:

  kontsevich         the strict system, given name one word with the sound rules
                     inside it (Ким Чжонъын, Чхве Рёнхэ)
  kontsevich_spaced  the strict system, a word per syllable (Ким Чжон Ын)
  press              the usual newspaper and customs spelling: ㅈ as ч or дж, ㅓ
                     after ㅈ ㅊ ㅅ as е, ㅕ as ё or е, final ㄹ as ль or р, 리 as
                     Ли, 최 as Цой or Чхве (Ким Чен Ын, Ли Ен Хо, Пак Пон Джу)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from bench.eval import korean

if TYPE_CHECKING:
    from bench.eval.sets import Builder, Example

POSITIVE_KINDS = ("korean_cyrillic",)
NEGATIVE_KINDS = ("near_miss_korean_cyrillic",)

# Kontsevich: initials ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ
_INITIAL = (
    "к",
    "кк",
    "н",
    "т",
    "тт",
    "р",
    "м",
    "п",
    "пп",
    "с",
    "сс",
    "",
    "чж",
    "чч",
    "чх",
    "кх",
    "тх",
    "пх",
    "х",
)
# the voiced readings inside a word (after a vowel or ㄴ ㄹ ㅁ ㅇ): ㄱ г, ㄷ д, ㅂ б
_VOICED = {0: "г", 3: "д", 7: "б"}
# medials ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
_MEDIAL = (
    "а",
    "э",
    "я",
    "йя",
    "о",
    "е",
    "ё",
    "е",
    "о",
    "ва",
    "вэ",
    "ве",
    "ё",
    "у",
    "во",
    "ве",
    "ви",
    "ю",
    "ы",
    "ый",
    "и",
)
# finals (index 0: none) ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ
_FINAL = (
    "",
    "к",
    "к",
    "к",
    "н",
    "н",
    "н",
    "т",
    "ль",
    "к",
    "м",
    "ль",
    "ль",
    "ль",
    "п",
    "ль",
    "м",
    "п",
    "п",
    "т",
    "т",
    "н",
    "т",
    "т",
    "к",
    "т",
    "п",
    "т",
)
_VOICING_FINALS = frozenset({4, 8, 16, 21})  # ㄴ ㄹ ㅁ ㅇ
_PRESS_SURNAMES = {"리": "Ли", "최": "Цой", "이": "Ли", "류": "Рю", "림": "Лим"}


def _syllable(char: str, previous_final: int | None, style: str, rng: random.Random) -> str:
    """One Hangul syllable; `previous_final` is the final of the syllable before
    it in the same word (None at the start of a word)."""
    initial, medial, final = korean.decompose(char)
    onset = _INITIAL[initial]
    inside = previous_final is not None and (previous_final == 0 or previous_final in _VOICING_FINALS)
    if inside and initial in _VOICED:
        onset = _VOICED[initial]
    vowel = _MEDIAL[medial]
    if initial == 11 and medial == 5:  # ㅔ with no consonant: э
        vowel = "э"
    coda = _FINAL[final]
    if style == "press":
        if initial == 12:  # ㅈ
            onset = rng.choice(("ч", "ч", "дж", "чж"))
        if medial == 4 and initial in (9, 10, 12, 13, 14):  # ㅓ after ㅅ ㅆ ㅈ ㅉ ㅊ
            vowel = "е"
        if medial in (6, 12) and rng.random() < 0.4:  # ㅕ ㅛ written without the dots
            vowel = "е"
        if final == 8 and rng.random() < 0.5:  # ㄹ
            coda = "р"
    return onset + vowel + coda


def _word(hangul: str, style: str, rng: random.Random) -> str:
    """A word of Hangul syllables, with Kontsevich's rules inside it: ㅇ before a
    vowel нъ, ㄹ before a vowel р."""
    out: list[str] = []
    previous: int | None = None
    for index, char in enumerate(hangul):
        piece = _syllable(char, previous, style, rng)
        _initial, _medial, final = korean.decompose(char)
        following = hangul[index + 1] if index + 1 < len(hangul) else ""
        if following and korean.decompose(following)[0] == 11:  # the next syllable starts with a vowel
            if final == 21:
                piece = piece[:-1] + "нъ"
            elif final == 8:
                piece = piece[: -len("ль")] + "р" if piece.endswith("ль") else piece
        out.append(piece)
        previous = final
    return "".join(out)


def to_cyrillic(hangul: str, style: str, rng: random.Random) -> str:
    """A Hangul personal name (surname first, one syllable) in Cyrillic."""
    surname, given = hangul[0], hangul[1:]
    if style == "press" and surname in _PRESS_SURNAMES and rng.random() < 0.7:
        family = _PRESS_SURNAMES[surname]
    else:
        family = _word(surname, style, rng).capitalize()
    if style == "kontsevich":
        words = [_word(given, style, rng).capitalize()] if given else []
    else:
        words = [_word(char, style, rng).capitalize() for char in given]
    return " ".join([family, *words])


_STYLES = ("kontsevich", "kontsevich_spaced", "press", "press")


def korean_cyrillic(builder: Builder) -> Iterator[Example]:
    rng = builder.rng("korean_cyrillic")
    for _round in range(2):
        for entity, name, parsed in builder.korean_pool():
            renderings = korean.to_hangul(parsed, limit=1)
            if not renderings or builder.korean_ambiguous(renderings[0], entity.id):
                continue
            style = rng.choice(_STYLES)
            text = to_cyrillic(renderings[0], style, rng)
            yield builder.korean_person(entity, text, rng, f"{style} Cyrillic of {name!r} ({renderings[0]})")


def near_miss_korean_cyrillic(builder: Builder) -> Iterator[Example]:
    from bench.eval.sets import negative

    rng = builder.rng("near_miss_korean_cyrillic")
    for entity, name, changed in builder.korean_near_misses(rng):
        latin = korean.format_name(changed.family, changed.given, "spaced")
        renderings = korean.to_hangul(changed, limit=1)
        if not renderings or builder.is_listed(latin, person=True):
            continue
        if builder.korean_ambiguous(renderings[0], ""):
            continue  # the changed name is another listed person's
        style = rng.choice(_STYLES)
        yield negative(
            to_cyrillic(renderings[0], style, rng),
            f"one syllable changed from {name!r} ({entity.id}), {style} Cyrillic",
        )


def builders(builder: Builder) -> list[tuple[str, Callable[[], Iterator[Example]]]]:
    """The builders of this module's kinds, for `sets.Builder.build`."""
    return [
        ("korean_cyrillic", lambda: korean_cyrillic(builder)),
        ("near_miss_korean_cyrillic", lambda: near_miss_korean_cyrillic(builder)),
    ]

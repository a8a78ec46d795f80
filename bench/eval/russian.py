"""Russian names for the evaluation sets: Cyrillic -> Latin in several schemes,
Latin -> Cyrillic, patronymics, and first names for near misses.

The same Russian name reaches a screening system in many spellings: OFAC and
the UK write a BGN/PCGN-like form ("Sergey Mikhaylovich KOZLOV"), Russian
passports since 2013 use ICAO Doc 9303 ("Sergei Mikhailovich KOZLOV"), German
and French documents their own conventions ("Sergej Michailowitsch Koslow",
"Sergueï Mikhaïlovitch Kozlov"), Russian registers the Cyrillic original.

Written independently of `corridor.names` (see the package docstring).
"""

from __future__ import annotations

import re

_VOWELS_CYR = set("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ")
_SIGNS = set("ьъЬЪ")

# Letter tables per scheme (lower case).  "е"/"ё"/"й"/"с" are handled by rules below.
_BASE: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian and Belarusian letters (the lists write those names in their own Cyrillic)
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "w",
}  # fmt: skip
_ICAO = {**_BASE, "й": "i", "ъ": "ie", "ю": "iu", "я": "ia"}
_GERMAN = {
    **_BASE, "в": "w", "ж": "sch", "з": "s", "й": "j", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
    "щ": "schtsch", "ю": "ju", "я": "ja",
}  # fmt: skip
_FRENCH = {
    **_BASE, "ж": "j", "й": "i", "у": "ou", "х": "kh", "ч": "tch", "ш": "ch", "щ": "chtch", "ю": "iou",
    "я": "ia",
}  # fmt: skip

SCHEMES = ("bgn", "icao", "german", "french")
_TABLES = {"bgn": _BASE, "icao": _ICAO, "german": _GERMAN, "french": _FRENCH}


def _word_to_latin(word: str, scheme: str) -> str:
    table = _TABLES[scheme]
    lower = word.lower()
    out: list[str] = []
    for i, char in enumerate(lower):
        prev = lower[i - 1] if i else ""
        nxt = lower[i + 1] if i + 1 < len(lower) else ""
        after_vowel_or_start = not prev or prev in _VOWELS_CYR or prev in _SIGNS
        if char not in table:
            out.append(char)
            continue
        latin = table[char]
        if char == "е":
            if scheme == "bgn" and after_vowel_or_start:
                latin = "ye"
            elif scheme == "german" and after_vowel_or_start:
                latin = "je"
        elif char == "ё":
            latin = {"bgn": "yo", "icao": "e", "german": "jo", "french": "io"}[scheme]
            if scheme in ("bgn", "german") and prev in ("ж", "ч", "ш", "щ"):
                latin = "o"
        elif char == "й":
            if scheme == "bgn" and prev == "и" and not nxt:
                latin = "y"  # Dmitriy
            elif scheme == "german":
                latin = "j" if nxt in _VOWELS_CYR else "i"
                if prev in ("и", "ы") and not nxt:
                    latin = ""  # Juri, Dmitri
            elif scheme == "french" and prev in ("и", "ы") and not nxt:
                latin = ""  # Iouri, Dmitri
        elif char == "с" and scheme in ("german", "french") and prev in _VOWELS_CYR and nxt in _VOWELS_CYR:
            latin = "ss"
        elif char == "г" and scheme == "french" and nxt in ("е", "и", "ы", "э", "ё"):
            latin = "gu"
        elif char == "в" and scheme == "german" and not nxt:
            latin = "w"
        out.append(latin)
    text = "".join(out)
    if word.isupper() and len(word) > 1:
        return text.upper()
    if word[:1].isupper():
        return text[:1].upper() + text[1:]
    return text


def cyrillic_to_latin(text: str, scheme: str = "bgn") -> str:
    """Transliterate Cyrillic text word by word, keeping case style and punctuation."""
    if scheme not in _TABLES:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {SCHEMES}")
    return re.sub(r"[А-Яа-яЁёІіЇїЄєҐґЎў]+", lambda m: _word_to_latin(m.group(0), scheme), text)


# Latin -> Cyrillic, longest sequence first.  Reads BGN, ICAO and common spellings.
_LATIN_SEQ: tuple[tuple[str, str], ...] = (
    ("shch", "щ"), ("iya", "ия"), ("iia", "ия"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("yu", "ю"), ("iu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("x", "кс"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "к"), ("q", "к"), ("j", "й"),
    ("'", "ь"),
)  # fmt: skip
_VOWELS_LAT = set("aeiouy")


def _word_to_cyrillic(word: str) -> str:
    lower = word.lower()
    out: list[str] = []
    i = 0
    while i < len(lower):
        rest = lower[i:]
        prev = lower[i - 1] if i else ""
        if rest[:2] in ("ya", "ye", "yu", "yo") and prev and prev not in _VOWELS_LAT and prev.isalpha():
            out.append("ь")  # a soft sign before the iotated vowel: Darya, Yuryevich, Ilya
            out.append({"ya": "я", "ye": "е", "yu": "ю", "yo": "ё"}[rest[:2]])
            i += 2
            continue
        if rest.startswith("y"):
            nxt = rest[1:2]
            if rest in ("y",) and prev in ("i", "y"):
                out.append("й")  # Dmitriy / Gorkiy: -iy, -yy
                i += 1
                continue
            if nxt not in ("a", "e", "o", "u") and prev in _VOWELS_LAT:
                out.append("й")  # Sergey, Nikolay
                i += 1
                continue
            if nxt not in ("a", "e", "o", "u"):
                out.append("ы")  # Ryzhkov
                i += 1
                continue
        if rest.startswith("ii") and len(rest) == 2:
            out.append("ий")  # ICAO Dmitrii
            i += 2
            continue
        for latin, cyr in _LATIN_SEQ:
            if rest.startswith(latin):
                if latin == "e" and not prev:
                    cyr = "е"
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(rest[0])
            i += 1
    text = "".join(out)
    if word.isupper() and len(word) > 1:
        return text.upper()
    if word[:1].isupper():
        return text[:1].upper() + text[1:]
    return text


def latin_to_cyrillic(text: str) -> str:
    """A plausible Cyrillic spelling of a transliterated Russian name
    ("Sergey Mikhaylovich KOZLOV" -> "Сергей Михайлович КОЗЛОВ")."""
    return re.sub(r"[A-Za-z']+", lambda m: _word_to_cyrillic(m.group(0)), text)


_PATRONYMIC_LAT = re.compile(
    r"(ovich|evich|yevich|ievich|ich|ovitch|evitch|ovna|evna|yevna|ichna|inichna)$", re.I
)
_PATRONYMIC_CYR = re.compile(r"(ович|евич|ич|овна|евна|ична|инична)$", re.I)


def is_patronymic(word: str) -> bool:
    return bool(_PATRONYMIC_LAT.search(word) or _PATRONYMIC_CYR.search(word)) and len(word) > 5


def drop_patronymic(name: str) -> str | None:
    """The name without its patronymic, or None when it has none (or only that)."""
    words = name.split()
    kept = [w for w in words if not is_patronymic(w.strip(","))]
    if len(kept) == len(words) or len(kept) < 2:
        return None
    return " ".join(kept)


_RUSSIAN_SURNAME = re.compile(
    r"(ov|ev|yev|iev|in|yn|sky|skiy|skii|skaya|ova|eva|ina|enko|ko|ich|uk|yuk|chuk|ets|ikh|ykh)$", re.I
)


def looks_russian(name: str) -> bool:
    """A Latin name that reads as Russian (or Ukrainian/Belarusian): it has a
    patronymic or an East Slavic surname ending.  "Imad Mtanyus KHURI" does not."""
    words = [w.strip(",.") for w in name.split()]
    return any(is_patronymic(w) for w in words) or any(
        _RUSSIAN_SURNAME.search(w) for w in words if len(w) > 3
    )


def looks_female(name: str) -> bool:
    words = [w.strip(",").lower() for w in name.split()]
    for word in words:
        if re.search(r"(ovna|evna|ichna|овна|евна|ична)$", word):
            return True
    return any(re.search(r"(ova|eva|ina|aya|skaya|ова|ева|ина|ая)$", w) for w in words[-1:] + words[:1])


FIRST_NAMES_MALE = (
    "Aleksandr", "Sergey", "Dmitriy", "Andrey", "Aleksey", "Vladimir", "Mikhail", "Nikolay", "Ivan",
    "Yevgeniy", "Pavel", "Oleg", "Igor", "Viktor", "Yuriy", "Roman", "Maksim", "Denis", "Artem",
    "Anton", "Konstantin", "Vadim", "Vyacheslav", "Valeriy", "Gennadiy", "Boris", "Anatoliy", "Leonid",
    "Stanislav", "Ruslan", "Timur", "Grigoriy", "Kirill", "Fedor", "Stepan", "Vasiliy", "Petr",
    "Arkadiy", "Gleb", "Yaroslav",
)  # fmt: skip
FIRST_NAMES_FEMALE = (
    "Yelena", "Olga", "Natalya", "Irina", "Tatyana", "Svetlana", "Anna", "Mariya", "Yekaterina",
    "Marina", "Lyudmila", "Galina", "Larisa", "Oksana", "Yuliya", "Valentina", "Nina", "Vera",
    "Nadezhda", "Lyubov", "Alla", "Zhanna", "Inna", "Polina", "Kseniya", "Darya", "Viktoriya",
    "Alina", "Veronika", "Margarita",
)  # fmt: skip

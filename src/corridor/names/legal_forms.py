"""Legal forms of companies, across languages, mapped to classes.

A legal form says what kind of company a name belongs to, not which one, so in
scoring it weighs little; two names whose legal forms are of different classes
(an LLC against a JSC) are noted as such.  Classes:

  llc   LLC, L.L.C., Limited Liability Company, OOO / ООО, Obshchestvo s
        Ogranichennoy Otvetstvennostyu, TOO / ТОО (Kazakh LLP), FZ-LLC
  jsc   JSC, AO / АО, OAO, ZAO, PAO / ПАО, OJSC, CJSC, PJSC, (Public/Open/Closed)
        Joint Stock Company, Aktsionernoye Obshchestvo, 주식회사 (stock company)
  ltd   Ltd, Limited, Co. Ltd, Company Limited, Limited Company, Pte Ltd, Pvt Ltd,
        유한회사
  corp  Corporation, Corp
  inc   Inc, Incorporated
  co    Company, Co (alone)
  gmbh  GmbH, Gesellschaft mit beschränkter Haftung
  plc   PLC, Public Limited Company
  sa    S.A., SARL, SAS, SpA, Srl, Ltda, AG, NV, BV, AS, AB, Oy (European forms)
  fze   FZE, FZCO, FZC (UAE free-zone establishments)
  llp   LLP, LP, Limited Partnership
  ip    IP / ИП (Russian individual entrepreneur), sole proprietorship
  sue   FGUP / ФГУП, FSUE, GUP, MUP: (Federal) State / Municipal Unitary Enterprise

"Trading", "Group", "Holding", "Industrial", "International" are NOT legal
forms: they are words of the name (Korea Mining Development Trading Corporation
is not the same firm as Korea Mining Development Corporation).  They are common,
so the index gives them a low weight from their frequency.

Russian phrases are matched on the Russian phonetic key of each word so every
transliteration (Ogranichennoy / Ogranichennoi / ограниченной) is recognised.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from corridor.names.cyrillic import is_cyrillic, russian_key, transliterate

_FORMS: dict[str, tuple[str, ...]] = {
    "llc": (
        "llc",
        "l l c",
        "limited liability company",
        "limited liability co",
        "limited liability partnership company",
        "ooo",
        "ооо",
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "общество с ограниченной ответственностью",
        "too",
        "тоо",
        "товарищество с ограниченной ответственностью",
        "tovarishchestvo s ogranichennoy otvetstvennostyu",
        "fz llc",
        "fzllc",
        "llc fz",
    ),
    "jsc": (
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "jsc",
        "ao",
        "ао",
        "oao",
        "оао",
        "zao",
        "зао",
        "pao",
        "пао",
        "nao",
        "нао",
        "joint stock company",
        "jointstock company",
        "joint stock co",
        "public joint stock company",
        "open joint stock company",
        "closed joint stock company",
        "non public joint stock company",
        "joint stock commercial bank",
        "jscb",
        "jcsb",
        "aktsionernoye obshchestvo",
        "aktsionernoe obshchestvo",
        "акционерное общество",
        "publichnoye aktsionernoye obshchestvo",
        "публичное акционерное общество",
        "otkrytoye aktsionernoye obshchestvo",
        "открытое акционерное общество",
        "zakrytoye aktsionernoye obshchestvo",
        "закрытое акционерное общество",
        "주식회사",
        "주",
    ),
    "ltd": (
        "ltd",
        "limited",
        "co ltd",
        "co limited",
        "company limited",
        "company ltd",
        "limited company",
        "pte ltd",
        "pvt ltd",
        "private limited",
        "pte",
        "pvt",
        "유한회사",
        "유",  # (유), the usual abbreviation
    ),
    "corp": ("corporation", "corp"),
    "inc": ("inc", "incorporated", "инк"),
    "co": ("company", "co", "compania", "compagnie", "cie", "companiya", "компания"),
    "gmbh": ("gmbh", "gesellschaft mit beschrankter haftung", "gesellschaft mit beschraenkter haftung"),
    "sue": (
        "fgup",
        "fsue",
        "gup",
        "mup",
        "sue",
        "фгуп",
        "гуп",
        "муп",
        "federal state unitary enterprise",
        "state unitary enterprise",
        "municipal unitary enterprise",
        "federalnoye gosudarstvennoye unitarnoye predpriyatiye",
        "федеральное государственное унитарное предприятие",
        "государственное унитарное предприятие",
    ),
    "plc": ("plc", "public limited company"),
    "sa": (
        "sa",
        "s a",
        "sarl",
        "s a r l",
        "sas",
        "s a s",
        "spa",
        "s p a",
        "srl",
        "s r l",
        "ltda",
        "ag",
        "nv",
        "bv",
        "as",
        "ab",
        "oy",
        "sl",
        "sae",
        "sa de cv",
        "s a de c v",
        "s de rl",
        "s de r l",
        "s de rl de cv",
        "s de r l de c v",
        "sapi de cv",
        "s a p i de c v",
        "sa de c v",
    ),
    "fze": ("fze", "fzco", "fzc", "fz co", "dmcc", "free zone establishment", "free zone company"),
    "llp": ("llp", "lp", "limited partnership", "limited liability partnership"),
    "ip": (
        "ip",
        "ип",
        "individualnyy predprinimatel",
        "индивидуальный предприниматель",
        "sole proprietorship",
    ),
}

# Forms that are also ordinary words or Korean syllables (Sa, Ao, As, Ip, Co...):
# recognised only where the schema says the name is an organisation.
AMBIGUOUS = frozenset(
    {
        "ao",
        "as",
        "ab",
        "ag",
        "sa",
        "s a",
        "nv",
        "bv",
        "co",
        "ip",
        "too",
        "sl",
        "oy",
        "pte",
        "pvt",
        "주",
        "유",
        "spa",
        "nao",
        "cie",
        "lp",
    }
)

MAX_PHRASE = 7


# A Latin word one keyboard slip off a legal-form word of TYPO_LENGTH-1+ letters is
# that word when it has LONG_SLIP+ letters, ends the name or stands next to a
# legal-form word (LIMIHED, LIABILITH, JOINT STOFK; not LIMITEX TRADING).
TYPO_LENGTH = 6
LONG_SLIP = 8


@lru_cache(maxsize=16384)
def _word_key(word: str) -> str:
    # Short forms compare by spelling (OOO is not the Korean surname O); long
    # words by phonetic key so transliteration variants meet.
    if len(word) <= 4:
        return transliterate(word) if is_cyrillic(word) else word
    return russian_key(word)


@lru_cache(maxsize=16384)
def _slip_key(word: str) -> str:
    """The key of a word read with a keyboard slip fixed (`_slip_fixed`)."""
    fixed = _slip_fixed(word)
    return _word_key(fixed) if fixed != word else ""


@lru_cache(maxsize=1)
def _form_words() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """The long Latin words of the legal forms, and their one-letter deletions → words."""
    words = frozenset(
        w
        for phrases in _FORMS.values()
        for p in phrases
        for w in p.split()
        if len(w) >= TYPO_LENGTH - 1 and w.isascii() and w.isalpha()
    )
    deletions: dict[str, set[str]] = {}
    for word in words:
        for i in range(len(word)):
            deletions.setdefault(word[:i] + word[i + 1 :], set()).add(word)
    return words, {k: tuple(sorted(v)) for k, v in deletions.items()}


@lru_cache(maxsize=1)
def _form_word_keys() -> frozenset[str]:
    """The key of every word of every legal form."""
    return frozenset(_word_key(w) for phrases in _FORMS.values() for p in phrases for w in p.split())


def _slip_fixed(word: str) -> str:
    """A Latin word one keyboard slip (wrong or extra key, a letter left out, two
    swapped; the first letter kept) off a legal-form word is read as that word
    (LIABILITH, LIMIHED, CORPOEATION); any other word is returned as it is."""
    if len(word) < TYPO_LENGTH - 1 or not word.isascii():
        return word
    words, deletions = _form_words()
    if word in words:
        return word
    near = set(deletions.get(word, ()))
    for i in range(len(word)):
        shorter = word[:i] + word[i + 1 :]
        if shorter in words:
            near.add(shorter)
        near.update(deletions.get(shorter, ()))
    for candidate in sorted(near):
        if candidate[0] == word[0] and OSA.distance(word, candidate) == 1:
            return candidate
    return word


@lru_cache(maxsize=1)
def _phrase_table() -> dict[tuple[str, ...], tuple[str, bool]]:
    table: dict[tuple[str, ...], tuple[str, bool]] = {}
    for form_class, phrases in _FORMS.items():
        for phrase in phrases:
            key = tuple(_word_key(w) for w in phrase.split())
            table.setdefault(key, (form_class, phrase in AMBIGUOUS))
    return table


def legal_form_class(phrase: str) -> str | None:
    """The class of a legal form written out ("Limited Liability Company" → llc)."""
    found = _phrase_table().get(tuple(_word_key(w) for w in phrase.casefold().split()))
    return found[0] if found else None


@lru_cache(maxsize=1)
def _first_keys() -> frozenset[str]:
    return frozenset(key[0] for key in _phrase_table())


def find_legal_forms(tokens: list[str], allow_ambiguous: bool) -> list[tuple[int, int, str]]:
    """Spans (start, end, class) of legal forms in a token list, longest first,
    non-overlapping.  `tokens` are normalised tokens (Latin, Cyrillic or Hangul)."""
    table = _phrase_table()
    first = _first_keys()
    keys = [_word_key(t) for t in tokens]
    last = len(tokens) - 1
    words = _form_word_keys()
    for i, token in enumerate(tokens):
        if keys[i] in words or len(token) < TYPO_LENGTH - 1:
            continue
        # a slip is read as a legal-form word only where one may stand: a long word,
        # the last word, or next to another legal-form word (JOINT STOFK COMPANY)
        beside = (i > 0 and keys[i - 1] in words) or (i < last and keys[i + 1] in words)
        if len(token) >= LONG_SLIP or i == last or beside:
            keys[i] = _slip_key(token) or keys[i]
    spans: list[tuple[int, int, str]] = []
    index = 0
    while index < len(tokens):
        if keys[index] not in first:
            index += 1
            continue
        for length in range(min(MAX_PHRASE, len(tokens) - index), 0, -1):
            found = table.get(tuple(keys[index : index + length]))
            if found and (allow_ambiguous or not found[1]):
                spans.append((index, index + length, found[0]))
                index += length
                break
        else:
            index += 1
    return spans

"""Part-by-part alignment of two analysed names and the name score.

Every query token is compared with every listed token by the best method that
applies, in this order (the first that fires wins):

  exact                 same Latin form (after transliteration)            1.00
  legal-form            both legal forms: same class 1.00, other class     0.40
  korean-romanization   same Korean key (MR/RR/DPRK/popular spellings)      0.95
                        same loose key (o/u merged: Chol/Chul)             0.90
  cyrillic-translit     same Russian key, one side Cyrillic or both Latin   0.95
  gender-form           same key after -ova→-ov, -skaya→-skiy               0.85
  initial               one side a single letter, first letters equal       0.60
  fuzzy                 OSA (Levenshtein + transpositions) similarity of text or of the Russian
                        keys ≥ 0.75 (tokens of 4+ letters; two one-syllable
                        Korean tokens never fuzzy-match: Nam/Nan are two names,
                        nor meet on the Russian key: Jong/Yong)             ≤ 0.92
  typo                  a keyboard slip, same first letter: one edit in a
                        token of 4+ letters / two in one of 8+, or of 7+
                        outside personal names (vessels, companies; not
                        between two common name parts: Igor/Egor)   0.88 / 0.80

Pairs are taken greedily, best first, each token used once: the alignment is
order-insensitive (KIM Jong Un = Jong Un Kim).  Tokens left over on both sides
are then tried as run-together spellings: one token against two or three
adjacent tokens of the other side (Kimjongun = Kim Jong Un, 정은 = Jong Un,
Yongchol = Yong Chol), and as a last resort all leftovers of each side joined
(a space in the wrong place: Ade lAnwar = Adel Anwar).

The name score is a weighted agreement (a weighted Dice coefficient):

    score = Σ_pairs sim · (w_q + w_l) / (Σ_pairs (w_q + w_l) + Σ w(unmatched query tokens)
                                          + Σ f · w(unmatched listed tokens))

where f = 1 when the query has a name part of its own left over (the names then
contradict each other: Kim Jong Nam vs Kim Jong Un), else 0.5 for a listed part
the query simply does not give, and 0.15 for a missing patronymic.  A common
name part (Kim, Choe: low weight) says little when it matches but a lot when it
contradicts, so a contradicting leftover counts at least CONTRADICTION_FLOOR.
Parts matched in an order that is not a rotation of the listed order (Kim Yong
Su vs Kim Su Yong: another given name) cost a factor ORDER_FACTOR; moving the
surname from front to back (KIM, Yong Su vs Yong Su KIM) is a rotation and free.
"""

from __future__ import annotations

import itertools

from rapidfuzz.distance import OSA

from corridor.names import korean, scripts
from corridor.names.cyrillic import russian_key
from corridor.names.korean_cyrillic import coarse_key, loose_key
from corridor.names.tokens import ARABIC_ARTICLES, Tok

MIN_FUZZY = 0.75
MAX_FUZZY = 0.92
MISSING_LISTED = 0.5
MISSING_PATRONYMIC = 0.15
SIGNIFICANT = 0.2  # a leftover query token of at least this weight contradicts
# A common name part (Kim, Choe) says little when it matches but a lot when it
# contradicts: unmatched name parts count at least this weight.
CONTRADICTION_FLOOR = 0.7
# Matched parts in another order than a rotation of the listed order (Kim Yong Su
# vs Kim Su Yong; but not KIM, Yong Su vs Yong Su KIM) cost this factor.
ORDER_FACTOR = 0.9

# optimal string alignment: Levenshtein that counts a transposition (Iavn/Ivan) as one edit
_lev = OSA.normalized_similarity
_osa_distance = OSA.distance

# Keyboard slips (`_typo_credit`): one edit in a token of 4+ letters, two in one of 8+.
TYPO_ONE = 0.88
TYPO_ONE_LENGTH = 4
TYPO_TWO = 0.8
TYPO_TWO_LENGTH = 8
# two slips also in a shorter word of 7+ letters when neither is part of a personal
# name (vessel and company names are short: BAREENTRS for BARENTS); personal names
# keep the 8-letter rule (MOLOTOV and MOROZOV are two names)
TYPO_TWO_SHORT = 7


_ZERO = (0.0, "")
_PERSON_PARTS = frozenset({"family", "given", "patronymic"})
_NO_FUZZY_TAGS = frozenset({"stopword", "number"})


def pair_score(q: Tok, lt: Tok) -> tuple[float, str]:
    """Similarity and method of one query token against one listed token."""
    if q.text == lt.text:
        if q.legal and lt.legal:
            return 1.0, "legal-form"
        if q.script != lt.script:
            if (q.kkey and q.script == "Cyrillic") or (lt.kkey and lt.script == "Cyrillic"):
                return 1.0, "korean-cyrillic"  # Иль ~ Il: a Korean name read from Cyrillic
            return 1.0, _SCRIPT_METHOD.get(q.script if q.script != "Latin" else lt.script, "exact")
        return 1.0, "exact"
    if q.legal or lt.legal:
        if q.legal and lt.legal:
            return (1.0 if q.legal == lt.legal else 0.4), "legal-form"
        return _ZERO
    if q.tag in _NO_FUZZY_TAGS or lt.tag in _NO_FUZZY_TAGS:
        if q.text in ARABIC_ARTICLES and lt.text in ARABIC_ARTICLES:
            return 1.0, "arabic article"
        return _ZERO
    if q.script in _ICU_SCRIPTS or lt.script in _ICU_SCRIPTS:
        return _script_pair(q, lt)
    both_korean = bool(q.kkey and lt.kkey)
    if both_korean and (q.script == "Cyrillic") != (lt.script == "Cyrillic"):
        # a Korean name read from Cyrillic carries the coarse key (Чен: 정 or 전), and
        # is judged by it alone: Пхёнгук reads as Phyong-uk too, which is not
        # Phyong, and another syllable is another name
        return _korean_cyrillic_likeness(coarse_key(q.kkey), coarse_key(lt.kkey))
    elif both_korean:
        if q.kkey == lt.kkey:
            return 0.95, "korean-romanization"
        if q.kloose == lt.kloose:
            return 0.90, "korean-romanization"
    # Two single Korean syllables are judged by the Korean key alone (Jong ≠ Yong);
    # longer tokens may only look Korean (Poutine = pou-ti-ne) and get the Russian key.
    syllables = both_korean and q.ksyllables == 1 and lt.ksyllables == 1
    # a Hangul token is Korean for certain: its Korean key says it all (요종 is
    # not Yong, though German would spell them alike)
    hangul = both_korean and (q.script == "Hangul" or lt.script == "Hangul")
    if not syllables and not hangul:
        lkeys = lt.rkeys
        for key in q.rkeys:
            if key in lkeys:
                if _other_chinese_name(q, lt):
                    return _ZERO  # Yan/Jian, Zhou/Su: alike to the Russian key, two Chinese names
                return 0.95, _russian_method(q, lt)
        if q.rstem == lt.rstem and len(q.rstem) > 4:
            return 0.85, "gender-form"
    qlen = len(q.text)
    llen = len(lt.text)
    if qlen == 1 or llen == 1:
        if qlen != llen and q.text[0] == lt.text[0] and not both_korean:
            return 0.6, "initial"
        return _ZERO
    shortest, longest = (qlen, llen) if qlen < llen else (llen, qlen)
    typo = 0.0
    if longest >= TYPO_ONE_LENGTH and shortest >= TYPO_ONE_LENGTH - 1:
        # a keyboard slip: judged before the similarity floor, so a letter left out
        # of a 4-letter word (Yog for Yong) still counts; the plain similarity wins
        # where it is higher (two slips in a 15-letter word)
        typo = _typo_credit(q, lt, qlen, llen, shortest)
    if shortest < 4 or syllables or (both_korean and not _same_first_syllable(q.text, lt.text)):
        # 송진 ≠ Dongjin: a typo never changes a whole Korean syllable
        return (typo, "typo") if typo else _ZERO
    sim = 0.0
    # Levenshtein similarity can't exceed shortest/longest: skip hopeless pairs
    if shortest >= MIN_FUZZY * longest:
        sim = _lev(q.text, lt.text, score_cutoff=MIN_FUZZY)
    if not syllables and sim < MAX_FUZZY:
        qkey, lkey = q.rkeys[0], lt.rkeys[0]
        if min(len(qkey), len(lkey)) >= MIN_FUZZY * max(len(qkey), len(lkey)):
            sim = max(sim, _lev(qkey, lkey, score_cutoff=MIN_FUZZY))
    sim = min(sim, MAX_FUZZY)
    if (typo or sim >= MIN_FUZZY) and _other_chinese_name(q, lt):
        return _ZERO
    if typo > sim:
        return typo, "typo"
    if sim < MIN_FUZZY:
        return _ZERO
    return sim, "fuzzy"


# Script families read by ICU (`names.scripts`): their tokens are compared by their
# Latin reading, and explained by the transliteration that matched.
_ICU_SCRIPTS = frozenset(scripts.FAMILIES)
SKELETON_SIM = 0.85  # same consonant skeleton (abjads, Thai, kana against Latin)
SKELETON_SHORT = 0.8  # ... of only SKELETON_MIN letters (عبد bd: Abd; דוד dd: David)
SKELETON_MIN = 2  # letters a skeleton needs to retrieve by
SKELETON_ONE = 0.7  # ... of one letter (אבן n: Ivan; פופוב p: Popov): credited, never retrieved by,
SKELETON_ONE_LENGTH = 4  # only in an abjad (vowels unwritten) and for a Latin word this long (not Han, Su)
ABJADS = frozenset({"Arabic", "Hebrew"})


def _script_pair(q: Tok, lt: Tok) -> tuple[float, str]:
    """A pair with a token in an ICU-read script: the ordinary comparison of the
    Latin readings (the token taken as Latin), or the consonant skeleton of an
    abjad/Thai/kana token against a Latin one; the method names the
    transliteration ("Arabic → Latin (ICU)", "Hanja → Korean reading")."""
    fam = q.script if q.script in _ICU_SCRIPTS else lt.script
    q_as = q._replace(script="Latin") if q.script in _ICU_SCRIPTS else q
    l_as = lt._replace(script="Latin") if lt.script in _ICU_SCRIPTS else lt
    sim, method = pair_score(q_as, l_as)
    if fam == "Han" and method not in ("exact", "korean-romanization"):
        # Hanzi are read for certain: another Pinyin (or a likeness) is another name
        # (王 wang is not Kwang; Wade-Giles spellings are not covered)
        return _ZERO
    if fam in scripts.SKELETON_FAMILIES and sim < SKELETON_SIM:
        qs = _common_skeleton(tok_skeletons(q, fam), tok_skeletons(lt, fam))
        if qs:
            if len(qs) > SKELETON_MIN:
                sim, method = SKELETON_SIM, "consonant skeleton"
            elif len(qs) == SKELETON_MIN:
                sim, method = max(sim, SKELETON_SHORT), "consonant skeleton"
            elif fam in ABJADS and len(lt.text if q.script == fam else q.text) >= SKELETON_ONE_LENGTH:
                sim, method = max(sim, SKELETON_ONE), "consonant skeleton"
    if sim <= 0.0:
        return _ZERO
    name = scripts.label("Hanja" if method == "korean-romanization" and fam == "Han" else fam)
    return sim, name if method in ("exact", "korean-romanization") else f"{name}, {method}"


def tok_skeletons(tok: Tok, fam: str) -> tuple[str, ...]:
    """The consonant skeleton of a token under a family's rules: from its own
    letters when it is in that family's script, else those of its Latin text
    (`scripts.skeletons`: a letter the script writes two ways gives two)."""
    if tok.script == fam:
        return (scripts.token_skeleton(tok.orig, tok.text, fam),)
    return scripts.skeletons(tok.text, fam)


def joined_skeleton(toks: tuple[Tok, ...] | list[Tok]) -> str:
    """The consonant skeleton of adjacent tokens of one skeleton family written
    together (ال دبس: ldbs, as ALDABBAS)."""
    fam = toks[0].script
    return scripts.token_skeleton("".join(t.orig for t in toks), "".join(t.text for t in toks), fam)


def _common_skeleton(one: tuple[str, ...], two: tuple[str, ...]) -> str:
    for found in one:
        if found and found in two:
            return found
    return ""


CHINESE_GIVEN_SYLLABLES = 2  # Chinese given names have one or two syllables


def _other_chinese_name(q: Tok, lt: Tok) -> bool:
    """Two different parts of personal names that both read as one or two Pinyin
    syllables are two Chinese names (Haitao/Haibao, Wei/Wen, Yan/Jian, Zhou/Su):
    no typo, likeness or phonetic key credits them, as for Korean syllables (the
    Korean key, judged before, still does).  A slip that leaves no valid Pinyin
    (Haitoa) still counts."""
    if q.tag not in _PERSON_PARTS or lt.tag not in _PERSON_PARTS:
        return False
    one = scripts.pinyin_syllables(q.text)
    if not one or len(one) > CHINESE_GIVEN_SYLLABLES:
        return False
    two = scripts.pinyin_syllables(lt.text)
    return two is not None and 0 < len(two) <= CHINESE_GIVEN_SYLLABLES


def _typo_credit(q: Tok, lt: Tok, qlen: int, llen: int, shortest: int) -> float:
    """The credit of a keyboard slip: one edit (a neighbouring key, a letter left out
    or doubled, two letters swapped) in a token of TYPO_ONE_LENGTH+ letters, or two
    in one of TYPO_TWO_LENGTH+, whatever the token's length (a plain similarity
    would give a 4-letter word with one slip only 0.75).  Not between two names
    both known as common name parts (the prior table: Igor/Egor are two names,
    not one typo); the first letters must agree (clerks read the start back);
    two parts of personal names that both read as the same number of Korean
    syllables are judged by the Korean key alone (Yongchol/Yongchil, Chol/Chil are two names; Yongcjol,
    Yog for Yong, Kaang for Kwang are slips; in a vessel's or a company's name
    YUNA for YUAN is a slip too)."""
    if q.text[0] != lt.text[0] or abs(qlen - llen) > 2:
        return 0.0
    if q.script == "Hangul" or lt.script == "Hangul":
        return 0.0  # a Hangul syllable is exact: another one is another name
    if (
        q.kkey
        and lt.kkey
        and q.ksyllables == lt.ksyllables
        and (q.tag in _PERSON_PARTS or lt.tag in _PERSON_PARTS)
    ):
        return 0.0  # Korean personal names alike in syllables: the Korean key has judged them (Chol/Chil)
    if q.weight < 1.0 and lt.weight < 1.0 and shortest < TYPO_TWO_LENGTH:
        return 0.0
    distance = _osa_distance(q.text, lt.text, score_cutoff=2)
    if distance == 1 and max(qlen, llen) >= TYPO_ONE_LENGTH:
        return TYPO_ONE
    if distance == 2 and (
        shortest >= TYPO_TWO_LENGTH
        or (shortest >= TYPO_TWO_SHORT and q.tag not in _PERSON_PARTS and lt.tag not in _PERSON_PARTS)
    ):
        return TYPO_TWO
    return 0.0


def _same_first_syllable(first: str, second: str) -> bool:
    one = korean.segment_latin(first)
    two = korean.segment_latin(second)
    if not one or not two:
        return True
    return korean.korean_loose_key(one[0]) == korean.korean_loose_key(two[0])


_SCRIPT_METHOD = {
    "Hangul": "korean-romanization",
    "Cyrillic": "cyrillic-translit",
    "Other": "transliteration",
    **{fam: scripts.label(fam) for fam in scripts.FAMILIES},
}
# Spellings that only transliterations of Russian produce.
_RUSSIAN_MARKS = ("zh", "kh", "shch", "ts", "iy", "yy", "ye", "yu", "ya", "yo", "sch", "ou", "ij", "ii", "w")


def _russian_method(q: Tok, lt: Tok) -> str:
    if q.script == "Cyrillic" or lt.script == "Cyrillic" or q.tag == "patronymic" or lt.tag == "patronymic":
        return "cyrillic-translit"
    if any(mark in q.text or mark in lt.text for mark in _RUSSIAN_MARKS):
        return "cyrillic-translit"
    return "phonetic"


def _korean_cyrillic_likeness(one: str, other: str) -> tuple[float, str]:
    """Two coarse Korean keys (`korean_cyrillic`), one read from Cyrillic: alike
    (0.90), alike with u = o (0.85: Сон ~ Sung, the popular spelling's u), or not."""
    if one == other:
        return 0.90, "korean-cyrillic"
    if loose_key(one) == loose_key(other):
        return 0.85, "korean-cyrillic"
    return _ZERO


def _korean_cyrillic_joined(*toks: Tok) -> str:
    """The coarse Korean key of Korean tokens written together (`korean_cyrillic`):
    Cyrillic tokens already carry theirs; Latin ones are joined and keyed."""
    if toks[0].script == "Cyrillic":
        return coarse_key("".join(t.kkey for t in toks))
    return coarse_key(korean.korean_key("".join(t.text for t in toks)))


def _joined_score(single: Tok, parts: list[Tok]) -> tuple[float, str]:
    """One token against the run-together spelling of several."""
    joined = "".join(p.text for p in parts)
    if single.text == joined:
        if single.script == "Hangul" or parts[0].script == "Hangul":
            return 0.98, "korean-romanization"
        return 0.98, "run-together"
    if single.kkey and all(p.kkey for p in parts) and "Cyrillic" in (single.script, parts[0].script):
        likeness = _korean_cyrillic_likeness(_korean_cyrillic_joined(single), _korean_cyrillic_joined(*parts))
        if likeness[0] or all(p.ksyllables == 1 for p in parts):
            return likeness
    elif single.kkey and all(p.kkey for p in parts):
        key = korean.korean_key(joined)
        if single.kkey == key:
            if single.script == "Han" or parts[0].script == "Han":
                return 0.95, scripts.label("Hanja")
            return 0.95, "korean-romanization"
        if single.kloose == key.replace("u", "o"):
            return 0.90, "korean-romanization"
        if all(p.ksyllables == 1 for p in parts):
            return 0.0, ""  # Korean syllables are judged by the key alone (철남 ≠ Chol Sam)
    if single.script == "Han" or parts[0].script == "Han":
        return 0.0, ""  # Hanzi are read for certain, as in a pair (云军 yunjun is not Junjun)
    fam = parts[0].script
    if fam in scripts.SKELETON_FAMILIES and single.script == "Latin" and all(p.script == fam for p in parts):
        # the article or a particle run into the listed Latin word (ال دبس: ALDABBAS)
        key = joined_skeleton(parts)
        if len(key) > SKELETON_MIN and key in scripts.skeletons(single.text, fam):
            return SKELETON_SIM - 0.02, f"{scripts.label(fam)}, consonant skeleton, run-together"
    if single.rkeys[0] == russian_key(joined):
        return 0.93, "run-together"
    if len(joined) >= 6:
        sim = _lev(single.text, joined)
        if sim >= 0.85:
            return min(sim, MAX_FUZZY) - 0.02, "run-together"
    return 0.0, ""


# One aligned pair: (similarity, query token indexes, listed token indexes, method)
Pair = tuple[float, tuple[int, ...], tuple[int, ...], str]


# The pairs one listed token makes with the query: (query token index, similarity,
# method) for every query token that scores above 0, in query order.
RowHits = tuple[tuple[int, float, str], ...]


def row_hits(qtoks: tuple[Tok, ...], lt: Tok) -> RowHits:
    """The query tokens that score against one listed token.  Tokens whose starts
    differ beyond one typo (first letter, first sound, or the next two letters
    shifted by one) and that are not both Korean nor both legal forms cannot
    match: they are skipped unscored."""
    text = lt.text
    first, head, second, sound = text[0], text[:2], text[1:3], lt.rkeys[0][:1]
    korean_l, legal_l = bool(lt.kkey), bool(lt.legal)
    shifted = (head, second)  # a typo in, or a letter added at, the start
    dropped = (second, head[::-1])  # a first letter dropped, or the first two swapped
    hits = []
    for i, q in enumerate(qtoks):
        if (
            q.text[0] == first
            or q.rkeys[0][:1] == sound
            or q.text[1:3] in shifted
            or q.text[:2] in dropped
            or (korean_l and q.kkey)
            or (legal_l and q.legal)
            or q.script in scripts.SKELETON_FAMILIES
        ):
            sim, method = pair_score(q, lt)
            if sim > 0.0:
                hits.append((i, sim, method))
    return tuple(hits)


def align(
    qtoks: tuple[Tok, ...],
    qw: tuple[float, ...] | list[float],
    ltoks: tuple[Tok, ...],
    lw: tuple[float, ...] | list[float],
    cache: dict[int, RowHits] | None = None,
) -> tuple[float, list[Pair]]:
    """(name score, aligned pairs) of a query name against a listed name.
    `qw`/`lw` are the token weights; `cache` memoises, across the candidates of
    one query, the scores of every query token against a listed token, keyed by
    the id() of the listed token (the index interns its tokens, so equal tokens
    are one object that lives as long as the index)."""
    candidates: list[tuple[float, float, int, int, str]] = []
    for j, lt in enumerate(ltoks):
        if cache is not None:
            row = cache.get(id(lt))
            if row is None:
                row = cache[id(lt)] = row_hits(qtoks, lt)
        else:
            row = row_hits(qtoks, lt)
        wl = lw[j]
        for i, sim, method in row:
            candidates.append((sim * (qw[i] + wl), sim, i, j, method))
    used_q = [False] * len(qtoks)
    used_l = [False] * len(ltoks)
    pairs: list[Pair] = []
    if candidates:
        candidates.sort(reverse=True)
        for _weighted, sim, i, j, method in candidates:
            if used_q[i] or used_l[j]:
                continue
            used_q[i] = used_l[j] = True
            pairs.append((sim, (i,), (j,), method))
        _absorb_legal_forms(qtoks, ltoks, used_q, used_l, pairs)
    free_q = len(qtoks) - sum(used_q)
    free_l = len(ltoks) - sum(used_l)
    # a run-together spelling leaves the sides with different numbers of tokens
    if free_q != free_l and ((free_q >= 1 and free_l >= 2) or (free_l >= 1 and free_q >= 2)):
        _run_together(qtoks, ltoks, used_q, used_l, pairs)
        free_q = len(qtoks) - sum(used_q)
        free_l = len(ltoks) - sum(used_l)
    if free_q and free_l and free_q + free_l >= 3:
        _leftovers_joined(qtoks, ltoks, used_q, used_l, pairs)
    score = _score(qtoks, qw, ltoks, lw, used_q, used_l, pairs)
    if len(pairs) >= 3 and not _rotated_order(pairs):
        score *= ORDER_FACTOR
    return score, pairs


def _rotated_order(pairs: list[Pair]) -> bool:
    """True when the matched name parts (legal forms aside) appear in the listed
    name in the query's order, up to a rotation (surname moved to the front or back)."""
    order = [lj[0] for _sim, qi, lj, method in sorted(pairs, key=lambda p: p[1][0]) if method != "legal-form"]
    if len(order) < 3:
        return True
    start = order.index(min(order))
    rotated = order[start:] + order[:start]
    return all(a < b for a, b in itertools.pairwise(rotated))


def _absorb_legal_forms(
    qtoks: tuple[Tok, ...], ltoks: tuple[Tok, ...], used_q: list[bool], used_l: list[bool], pairs: list[Pair]
) -> None:
    """Words of a multi-word legal form (Limited Liability Company) join the pair
    their class already made (ООО ~ Limited Liability Company)."""
    for index, (sim, qi, lj, method) in enumerate(pairs):
        if method != "legal-form" or not qtoks[qi[0]].legal:
            continue
        q_class, l_class = qtoks[qi[0]].legal, ltoks[lj[0]].legal
        extra_q = tuple(i for i, t in enumerate(qtoks) if not used_q[i] and t.legal == q_class)
        extra_l = tuple(j for j, t in enumerate(ltoks) if not used_l[j] and t.legal == l_class)
        if extra_q or extra_l:
            for i in extra_q:
                used_q[i] = True
            for j in extra_l:
                used_l[j] = True
            pairs[index] = (sim, tuple(sorted(qi + extra_q)), tuple(sorted(lj + extra_l)), method)


def _run_together(
    qtoks: tuple[Tok, ...], ltoks: tuple[Tok, ...], used_q: list[bool], used_l: list[bool], pairs: list[Pair]
) -> None:
    """Leftover tokens of one side against runs of 2-4 adjacent leftover tokens of
    the other, tried only where the single token starts like the run (same first
    two letters or first two sounds) and the lengths agree."""
    for single_side in (True, False):
        singles, many = (qtoks, ltoks) if single_side else (ltoks, qtoks)
        used_single, used_many = (used_q, used_l) if single_side else (used_l, used_q)
        size_many = len(many)
        lengths = [len(t.text) for t in many]
        # the shortest run two adjacent free tokens make: shorter singles can't be one
        shortest = min(
            (
                lengths[k] + lengths[k + 1]
                for k in range(size_many - 1)
                if not (used_many[k] or used_many[k + 1] or many[k].legal or many[k + 1].legal)
            ),
            default=0,
        )
        if not shortest:
            continue
        for i, tok in enumerate(singles):
            size = len(tok.text)
            if used_single[i] or tok.legal or size < (3 if tok.script == "Hangul" else 4):
                continue
            slack = max(2, size // 4)
            if size + slack < shortest:
                continue
            # a script written without its vowels reads shorter than the Latin word
            # (ال دبس: aldbs for ALDABBAS): any shorter run may be the word
            short_ok = tok.script == "Latin" and many[0].script in scripts.SKELETON_FAMILIES
            text, rkey, kkey = tok.text, tok.rkeys[0], tok.kkey
            for start in range(size_many - 1):
                head = many[start]
                if used_many[start] or head.legal:
                    continue
                if not (
                    text.startswith(head.text[:2])
                    or rkey.startswith(head.rkeys[0][:2])
                    or (kkey and head.kkey and kkey.startswith(head.kkey[:2]))
                ):
                    continue
                total = lengths[start]
                for end in range(start + 1, min(size_many, start + 4)):
                    if used_many[end] or many[end].legal:
                        break
                    total += lengths[end]
                    if total > size + slack:
                        break
                    if total < size - slack and not short_ok:
                        continue
                    sim, method = _joined_score(tok, list(many[start : end + 1]))
                    if sim > 0.0:
                        used_single[i] = True
                        idx = tuple(range(start, end + 1))
                        for k in idx:
                            used_many[k] = True
                        pairs.append((sim, (i,), idx, method) if single_side else (sim, idx, (i,), method))
                        break
                if used_single[i]:
                    break


def _leftovers_joined(
    qtoks: tuple[Tok, ...], ltoks: tuple[Tok, ...], used_q: list[bool], used_l: list[bool], pairs: list[Pair]
) -> None:
    """Last resort for a space in the wrong place (Ade lAnwar = Adel Anwar): all
    leftover name tokens of each side, joined in order, compared as one."""
    free_q = [i for i, used in enumerate(used_q) if not used and not qtoks[i].legal]
    free_l = [j for j, used in enumerate(used_l) if not used and not ltoks[j].legal]
    if not free_q or not free_l or len(free_q) + len(free_l) < 3 or len(free_q) > 4 or len(free_l) > 4:
        return
    # a misplaced space joins neighbours: leftovers on either side of a matched
    # part are two names (전철영 = Jon Chol Yong is not CHO chun RYONG)
    if _matched_between(qtoks, used_q, free_q) or _matched_between(ltoks, used_l, free_l):
        return
    joined_q = "".join(qtoks[i].text for i in free_q)
    joined_l = "".join(ltoks[j].text for j in free_l)
    if abs(len(joined_q) - len(joined_l)) > 2 or len(joined_q) < 5:
        return
    if joined_q == joined_l:
        sim = 1.0
    elif all(qtoks[i].kkey for i in free_q) and all(ltoks[j].kkey for j in free_l):
        # Korean syllables are judged by the key alone (경철 ≠ Yong Chol)
        if "Cyrillic" in (qtoks[free_q[0]].script, ltoks[free_l[0]].script):
            same = _korean_cyrillic_joined(*(qtoks[i] for i in free_q)) == _korean_cyrillic_joined(
                *(ltoks[j] for j in free_l)
            )
        else:
            same = korean.korean_loose_key(joined_q) == korean.korean_loose_key(joined_l)
        sim = 0.92 if same else 0.0
    else:
        sim = _lev(joined_q, joined_l, score_cutoff=0.85)
    if sim < 0.85:
        return
    for i in free_q:
        used_q[i] = True
    for j in free_l:
        used_l[j] = True
    pairs.append((min(sim, MAX_FUZZY) - 0.02, tuple(free_q), tuple(free_l), "run-together"))


def _matched_between(toks: tuple[Tok, ...], used: list[bool], free: list[int]) -> bool:
    """True when a matched name part (not a legal form) lies between the free parts."""
    return any(used[k] and not toks[k].legal for k in range(free[0], free[-1]))


def _score(
    qtoks: tuple[Tok, ...],
    qw: tuple[float, ...] | list[float],
    ltoks: tuple[Tok, ...],
    lw: tuple[float, ...] | list[float],
    used_q: list[bool],
    used_l: list[bool],
    pairs: list[Pair],
) -> float:
    if not pairs:
        return 0.0
    num = 0.0
    den = 0.0
    for sim, qi, lj, _method in pairs:
        weight = 0.0
        for i in qi:
            weight += qw[i]
        for j in lj:
            weight += lw[j]
        num += sim * weight
        den += weight
    contradicting = False
    for i, used in enumerate(used_q):
        if not used:
            if qw[i] >= SIGNIFICANT:
                contradicting = True
                den += max(qw[i], CONTRADICTION_FLOOR)
            else:
                den += qw[i]
    for j, used in enumerate(used_l):
        if not used:
            if contradicting:
                den += max(lw[j], CONTRADICTION_FLOOR) if lw[j] >= SIGNIFICANT else lw[j]
            elif ltoks[j].tag == "patronymic":
                den += lw[j] * MISSING_PATRONYMIC
            else:
                den += lw[j] * MISSING_LISTED
    return num / den if den else 0.0

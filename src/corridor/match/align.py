"""Part-by-part alignment of two analysed names and the name score.

Every query token is compared with every listed token by the best method that
applies, in this order (the first that fires wins):

  exact                 same Latin form (after transliteration)            1.00
  legal-form            both legal forms: same class 1.00, other class     0.40
  korean-romanization   same Korean key (MR/RR/DPRK/popular spellings)      0.95
                        same loose key (o/u merged: Chol/Chul)             0.90
  cyrillic-translit     same Russian key, one side Cyrillic or both Latin   0.95
  (gender form)         same key after -ova→-ov, -skaya→-skiy               0.85
  initial               one side a single letter, first letters equal       0.60
  fuzzy                 Levenshtein similarity of text or of the Russian
                        keys ≥ 0.75 (tokens of 4+ letters; two Korean
                        syllables never fuzzy-match: Nam/Nan are two names) ≤ 0.92

Pairs are taken greedily, best first, each token used once: the alignment is
order-insensitive (KIM Jong Un = Jong Un Kim).  Tokens left over on both sides
are then tried as run-together spellings: one token against two or three
adjacent tokens of the other side (Kimjongun = Kim Jong Un, 정은 = Jong Un,
Yongchol = Yong Chol).

The name score is a weighted agreement (a weighted Dice coefficient):

    score = Σ_pairs sim · (w_q + w_l) / (Σ_pairs (w_q + w_l) + Σ w(unmatched query tokens)
                                          + Σ f · w(unmatched listed tokens))

where f = 1 when the query has a name part of its own left over (the names then
contradict each other: Kim Jong Nam vs Kim Jong Un), else 0.6 for a listed part
the query simply does not give, and 0.15 for a missing patronymic.  A common
name part (Kim, Choe: low weight) says little when it matches but a lot when it
contradicts, so a contradicting leftover counts at least CONTRADICTION_FLOOR.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from corridor.names import korean
from corridor.names.cyrillic import russian_key, surname_stem
from corridor.names.tokens import Tok

MIN_FUZZY = 0.75
MAX_FUZZY = 0.92
MISSING_LISTED = 0.6
MISSING_PATRONYMIC = 0.15
SIGNIFICANT = 0.2  # a leftover query token of at least this weight contradicts
# A common name part (Kim, Choe) says little when it matches but a lot when it
# contradicts: unmatched name parts count at least this weight.
CONTRADICTION_FLOOR = 0.7

_lev = Levenshtein.normalized_similarity


def pair_score(q: Tok, lt: Tok) -> tuple[float, str]:
    """Similarity and method of one query token against one listed token."""
    if q.text == lt.text:
        if q.legal and lt.legal:
            return 1.0, "legal-form"
        if q.script != lt.script:
            return 1.0, _SCRIPT_METHOD.get(q.script if q.script != "Latin" else lt.script, "exact")
        return 1.0, "exact"
    if q.legal or lt.legal:
        if q.legal and lt.legal:
            return (1.0 if q.legal == lt.legal else 0.4), "legal-form"
        return 0.0, ""
    if q.tag == "stopword" or lt.tag == "stopword" or q.tag == "number" or lt.tag == "number":
        return 0.0, ""
    both_korean = bool(q.kkey and lt.kkey)
    if both_korean:
        if q.kkey == lt.kkey:
            return 0.95, "korean-romanization"
        if q.kloose == lt.kloose:
            return 0.90, "korean-romanization"
    else:
        for key in q.rkeys:
            if key in lt.rkeys:
                return 0.95, _russian_method(q, lt)
        if len(q.rkeys[0]) > 4 and surname_stem(q.rkeys[0]) == surname_stem(lt.rkeys[0]):
            return 0.85, _russian_method(q, lt)
    qlen = len(q.text)
    llen = len(lt.text)
    if qlen == 1 or llen == 1:
        if qlen != llen and q.text[0] == lt.text[0] and not both_korean:
            return 0.6, "initial"
        return 0.0, ""
    shortest = min(qlen, llen)
    if shortest < 4 or (both_korean and shortest < 6):
        return 0.0, ""
    sim = _lev(q.text, lt.text)
    if not both_korean:
        sim = max(sim, _lev(q.rkeys[0], lt.rkeys[0]))
    if sim < MIN_FUZZY:
        return 0.0, ""
    return min(sim, MAX_FUZZY), "fuzzy"


_SCRIPT_METHOD = {"Hangul": "korean-romanization", "Cyrillic": "cyrillic-translit", "Other": "transliteration"}
# Spellings that only transliterations of Russian produce.
_RUSSIAN_MARKS = ("zh", "kh", "shch", "ts", "iy", "yy", "ye", "yu", "ya", "yo", "sch", "ou", "ij", "ii", "w")


def _russian_method(q: Tok, lt: Tok) -> str:
    if q.script == "Cyrillic" or lt.script == "Cyrillic" or q.tag == "patronymic" or lt.tag == "patronymic":
        return "cyrillic-translit"
    if any(mark in q.text or mark in lt.text for mark in _RUSSIAN_MARKS):
        return "cyrillic-translit"
    return "phonetic"


def _joined_score(single: Tok, parts: list[Tok]) -> tuple[float, str]:
    """One token against the run-together spelling of several."""
    joined = "".join(p.text for p in parts)
    if single.text == joined:
        if single.script == "Hangul" or parts[0].script == "Hangul":
            return 0.98, "korean-romanization"
        return 0.98, "run-together"
    if single.kkey and all(p.kkey for p in parts):
        key = korean.korean_key(joined)
        if single.kkey == key:
            return 0.95, "korean-romanization"
        if single.kloose == key.replace("u", "o"):
            return 0.90, "korean-romanization"
        return 0.0, ""
    if single.rkeys[0] == russian_key(joined):
        return 0.93, "run-together"
    if len(joined) >= 6:
        sim = _lev(single.text, joined)
        if sim >= 0.85:
            return min(sim, MAX_FUZZY) - 0.02, "run-together"
    return 0.0, ""


# One aligned pair: (similarity, query token indexes, listed token indexes, method)
Pair = tuple[float, tuple[int, ...], tuple[int, ...], str]


def align(
    qtoks: tuple[Tok, ...],
    qw: tuple[float, ...] | list[float],
    ltoks: tuple[Tok, ...],
    lw: tuple[float, ...] | list[float],
    cache: dict[tuple[int, int], tuple[float, str]] | None = None,
) -> tuple[float, list[Pair]]:
    """(name score, aligned pairs) of a query name against a listed name.
    `qw`/`lw` are the token weights; `cache` memoises token pair scores across
    the candidates of one query (keyed by query index and listed token)."""
    candidates: list[tuple[float, float, int, int, str]] = []
    for j, lt in enumerate(ltoks):
        lid = id(lt)
        for i, q in enumerate(qtoks):
            if cache is not None:
                ck = (i, lid)
                found = cache.get(ck)
                if found is None:
                    found = cache[ck] = pair_score(q, lt)
                sim, method = found
            else:
                sim, method = pair_score(q, lt)
            if sim > 0.0:
                candidates.append((sim * (qw[i] + lw[j]), sim, i, j, method))
    candidates.sort(reverse=True)
    used_q = [False] * len(qtoks)
    used_l = [False] * len(ltoks)
    pairs: list[Pair] = []
    for _weighted, sim, i, j, method in candidates:
        if used_q[i] or used_l[j]:
            continue
        used_q[i] = used_l[j] = True
        pairs.append((sim, (i,), (j,), method))
    _absorb_legal_forms(qtoks, ltoks, used_q, used_l, pairs)
    if (len(pairs) < len(qtoks) or len(pairs) < len(ltoks)) and len(qtoks) + len(ltoks) > 2:
        _run_together(qtoks, ltoks, used_q, used_l, pairs)
    return _score(qtoks, qw, ltoks, lw, used_q, used_l, pairs), pairs


def _absorb_legal_forms(
    qtoks: tuple[Tok, ...], ltoks: tuple[Tok, ...], used_q: list[bool], used_l: list[bool], pairs: list[Pair]
) -> None:
    """Words of a multi-word legal form (Limited Liability Company) join the pair
    their class already made (ООО ~ Limited Liability Company)."""
    for index, (sim, qi, lj, method) in enumerate(pairs):
        if method != "legal-form":
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


def _free_runs(used: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of every span of 2-4 adjacent unused tokens."""
    spans = []
    size = len(used)
    for start in range(size):
        if used[start]:
            continue
        for end in range(start + 2, min(size, start + 4) + 1):
            if used[end - 1]:
                break
            spans.append((start, end))
    return spans


def _run_together(
    qtoks: tuple[Tok, ...], ltoks: tuple[Tok, ...], used_q: list[bool], used_l: list[bool], pairs: list[Pair]
) -> None:
    for single_side in ("q", "l"):
        singles, many = (qtoks, ltoks) if single_side == "q" else (ltoks, qtoks)
        used_single, used_many = (used_q, used_l) if single_side == "q" else (used_l, used_q)
        spans = _free_runs(used_many)
        if not spans:
            continue
        spans.sort(key=lambda s: s[0] - s[1])  # longest first
        for i, tok in enumerate(singles):
            if used_single[i] or len(tok.text) < 3 or tok.legal:
                continue
            for start, end in spans:
                if any(used_many[start:end]):
                    continue
                sim, method = _joined_score(tok, list(many[start:end]))
                if sim > 0.0:
                    used_single[i] = True
                    for k in range(start, end):
                        used_many[k] = True
                    idx = tuple(range(start, end))
                    pairs.append((sim, (i,), idx, method) if single_side == "q" else (sim, idx, (i,), method))
                    break


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
        weight = sum(qw[i] for i in qi) + sum(lw[j] for j in lj)
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

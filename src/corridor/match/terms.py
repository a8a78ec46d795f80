"""What the index knows of one token: its retrieval keys and its weight.

Shared by the index build (`match.index`) and query retrieval
(`match.retrieval`), so a listed name and a query are keyed the same way:

  t<text>     the token's Latin form
  r<key>      each Russian phonetic key (of Korean-readable tokens too, from two
              syllables: Ali is a-li)
  k<key>      the loose Korean key of Korean tokens
  c<key>      their coarse Korean key (u = o), and C<key> too for a Korean name
              read from Cyrillic (`korean_cyrillic`)
  (the same keys for runs of 2-3 adjacent tokens joined: Kim Jong Un is also
  found as kimjongun, Yong Chol as yongchol)
  p<first four sounds>, s<last four sounds> of the main Russian key: a token
  spelled with a longer slip (`typo_keys`)

A query looks its Korean tokens up by the coarse key only where one side is
Cyrillic (`query_keys`): a Latin or Hangul token by C<key> (the Cyrillic listed
names), a Cyrillic one by c<key> (every listed Korean name), so Latin queries
do not pay for the coarser key among Latin names.

Weights: the prior weight of `names.tokens`, capped by how many listed names
have the token (`idf_weight`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from corridor.names import korean
from corridor.names.cyrillic import russian_key
from corridor.names.korean_cyrillic import coarse_key, loose_key
from corridor.names.tokens import Tok


def idf_weight(df: int, total: int) -> float:
    """Token weight from how many listed names have it: 1 for rare tokens, down to
    0.3 for tokens in most names."""
    if df <= 2 or total <= 2:
        return 1.0
    return max(0.3, 1.0 - 0.7 * math.log(df / 2) / math.log(max(total / 2, 3)))


def token_weight(tok: Tok, df: int, total: int) -> float:
    """The weight of a token among `total` listed names, `df` of which have it;
    legal forms, stopwords and numbers keep their prior weight."""
    if tok.legal or tok.tag == "stopword" or tok.tag == "number":
        return tok.weight
    return min(tok.weight, idf_weight(df, total))


def token_keys(tok: Tok) -> list[str]:
    """Retrieval keys of one token (see the module docstring)."""
    if tok.legal or tok.tag == "stopword":
        return []
    keys = ["t" + tok.text]
    if tok.kkey:
        if tok.script == "Cyrillic":  # a Korean name read from Cyrillic
            loose = loose_key(tok.kkey)
            keys.append("c" + loose)
            keys.append("C" + loose)
            keys.extend("r" + rkey for rkey in tok.rkeys)
            return keys
        keys.append("k" + tok.kloose)
        keys.append("c" + loose_key(coarse_key(tok.kkey)))
        if tok.ksyllables < 2:
            return keys
    # Russian keys for Korean-readable tokens of two syllables or more too: Ali
    # reads as a-li, yet an Arabic spelling (علي aly) meets it by its Russian key
    # alone (one-syllable ones, Kim, Jong, Li, are found by their Korean keys)
    for rkey in tok.rkeys:
        keys.append("r" + rkey)
    return keys


def typo_keys(tok: Tok) -> list[str]:
    """Keys that still find a token with a typo: the first and last four sounds
    of its Russian key (not for patronymics, which all end alike)."""
    main = tok.rkeys[0]
    if len(main) < 6 or tok.legal or tok.kkey or tok.tag in ("stopword", "patronymic"):
        return []
    return ["p" + main[:4], "s" + main[-4:]]


def joined_keys(toks: tuple[Tok, ...] | list[Tok]) -> list[str]:
    """Retrieval keys of adjacent tokens written together."""
    joined = "".join(t.text for t in toks)
    keys = ["t" + joined]
    if all(t.kkey for t in toks) and toks[0].script == "Cyrillic":
        key = loose_key(coarse_key("".join(t.kkey for t in toks)))
        keys.extend(("c" + key, "C" + key))
    elif all(t.kkey for t in toks):
        keys.append("k" + korean.korean_loose_key(joined))
        keys.append("c" + loose_key(coarse_key(korean.korean_key(joined))))
    else:
        keys.append("r" + russian_key(joined))
    return keys


def spans(toks: tuple[Tok, ...]) -> Iterator[tuple[int, int]]:
    """Runs of 2-3 adjacent name tokens (no legal forms, stopwords, numbers)."""
    size = len(toks)
    for start in range(size):
        for end in range(start + 2, min(size, start + 3) + 1):
            if any(t.legal or t.tag in ("stopword", "number") for t in toks[start:end]):
                break
            yield start, end


def one_deletions(text: str) -> set[str]:
    """Every spelling of `text` less one letter (the symmetric-deletion keys)."""
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


def query_keys(keys: list[str], tok_script: str) -> list[str]:
    """The keys a query token (or run) looks up, of its `token_keys` or
    `joined_keys`: the coarse Korean key only across Cyrillic (module docstring)."""
    if tok_script == "Cyrillic":
        return [k for k in keys if k[0] != "C"]
    return ["C" + k[1:] if k[0] == "c" else k for k in keys]

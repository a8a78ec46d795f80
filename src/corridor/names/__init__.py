"""Name analysis: normalisation, legal forms, Korean and Russian romanization keys,
tagged tokens.  Pure functions, no I/O; used by `corridor.match`."""


def clear_caches() -> None:
    """Forget every memoised name and token analysis (the tables stay loaded), so
    that a benchmark measures names as if seen for the first time."""
    from corridor.names import cyrillic, korean, korean_cyrillic, legal_forms, scripts, tokens
    from corridor.types import text

    for cached in (
        tokens.analyze,
        tokens.token_forms,
        cyrillic.russian_keys,
        korean.korean_key,
        korean.korean_loose_key,
        korean.hangul_key,
        korean.segment_latin,
        korean_cyrillic.read_cyrillic,
        korean_cyrillic.coarse_key,
        korean_cyrillic.cyrillic_key,
        korean_cyrillic.syllables,
        legal_forms._word_key,
        scripts.to_latin,
        scripts.hanja_reading,
        scripts.skeletons,
        scripts.token_skeleton,
        scripts.pinyin_syllables,
        text.normalize,
        text._fold_char,
    ):
        cached.cache_clear()

"""Screening evaluation: labelled example sets built from the official lists,
the protocol that scores a screener (ours and nomenklatura's logic-v2) on them.

The generators here deliberately share no code or tables with `corridor.names`
so the engine is never graded against its own transliteration tables.
"""

"""Name analysis: normalisation, legal forms, Korean and Russian romanization keys,
tagged tokens.  Pure functions, no I/O; used by `corridor.match`."""

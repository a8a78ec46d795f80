"""Corridor: sanctions compliance for the Russia–DPRK trade corridor."""

from corridor import _native

__version__ = "0.1.0"

# "compiled", "interpreted" or "stale" (see corridor._native)
NATIVE_MODE = _native.install()

"""Corridor: sanctions compliance for the Russia–DPRK trade corridor."""

__version__ = "0.1.0"

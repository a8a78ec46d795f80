"""Benchmarks and the screening evaluation harness (not part of the installed package)."""

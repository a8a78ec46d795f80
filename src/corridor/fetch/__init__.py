"""Fetching the official list files from their publishers (or a mirror)."""

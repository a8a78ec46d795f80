"""List parsers, one module per official format, and format detection.

`parse(path, hint)` picks the parser (from the hint or by sniffing the file) and
returns a streaming `ParsedList`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from corridor.sources.base import ListMeta, ParsedList, ParseError, is_html_page, read_head, reject_dtd

# Order matters for sniffing: the more specific formats first.
PARSER_MODULES = (
    "un_xml",
    "un_vessels",
    "ofac_advanced",
    "ofac_xml",
    "ofac_csv",
    "eu_xml",
    "uk_conlist",
    "uk_fcdo",
    "ftm_json",
    "os_simple_csv",
)

# `--source` hints (the publisher) to the parsers that can read its files.
HINTS: dict[str, tuple[str, ...]] = {
    "un": ("un_xml", "un_vessels"),
    "ofac": ("ofac_advanced", "ofac_xml", "ofac_csv"),
    "uk": ("uk_conlist", "uk_fcdo"),
    "eu": ("eu_xml",),
    "ftm": ("ftm_json", "os_simple_csv"),
}

__all__ = ["HINTS", "PARSER_MODULES", "ListMeta", "ParseError", "ParsedList", "detect", "parse"]


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"corridor.sources.{name}")


def _sample_file(path: Path) -> Path:
    """The file whose head identifies a directory's format (OFAC CSV sets...)."""
    if path.is_file():
        return path
    for name in ("sdn.csv", "cons_prim.csv", "SDN.CSV", "CONS_PRIM.CSV"):
        if (path / name).exists():
            return path / name
    files = sorted(p for p in path.iterdir() if p.is_file())
    if not files:
        raise ParseError(path, "", "empty directory: no list file to import")
    if len(files) > 1:
        raise ParseError(path, "", "directory holds several files; name the list file to import")
    return files[0]


def detect(path: Path, hint: str | None = None) -> ModuleType:
    """The parser module for `path`; ParseError when no parser recognises it."""
    if not path.exists():
        raise ParseError(path, "", "no such file or directory")
    candidates: tuple[str, ...] = PARSER_MODULES
    if hint:
        if hint not in HINTS:
            raise ParseError(path, "", f"unknown source {hint!r}; expected one of {', '.join(HINTS)}")
        candidates = HINTS[hint]
    sample = _sample_file(path)
    head = read_head(sample, 65536)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and not is_html_page(head):
        # before any sniffing: a DOCTYPE however hidden (comments, PIs, padding) is refused;
        # only a web page's bare `<!DOCTYPE html>` (no subset, no identifiers) is let through,
        # and HTML is read by an HTML parser that expands no entities
        reject_dtd(sample)
    for name in candidates:
        module = _module(name)
        if module.sniff(sample, head):
            return module
    expected = f"a {hint} list file" if hint else "a known sanctions list format"
    raise ParseError(sample, "", f"unrecognised file format: this is not {expected}")


def parse(path: Path, hint: str | None = None) -> ParsedList:
    module = detect(path, hint)
    parsed: ParsedList = module.parse(path)
    return parsed

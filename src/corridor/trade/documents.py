"""Reading transaction documents (YAML / JSON) without trusting them.

A transaction file comes from a user, so the YAML loader is a restricted safe
loader: aliases may not expand the document beyond `MAX_EXPANDED_NODES` nodes
(a 1.3 kB "billion laughs" file would otherwise expand to gigabytes when
walked), dates and timestamps stay text (the
transaction parser reads them and names the field of a bad one: `2022-13-45`),
and integers longer than `MAX_INT_DIGITS` stay text (the parser refuses them by
field instead of Python refusing them with no field).  JSON numbers too large for
Python, nesting too deep for the parser, and bytes that are not UTF-8 become a
`ParseError` naming the file and the place.  Pure: the caller reads the bytes
(`corridor.services.trade`, which checks the size before reading).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from corridor.errors import LimitError, ParseError, Where

MAX_ALIASES = 1000
MAX_EXPANDED_NODES = 100_000
MAX_INT_DIGITS = 64
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


class _TransactionLoader(yaml.SafeLoader):
    """SafeLoader with an expansion budget and text dates.

    Each composed node is weighed by the nodes it stands for once aliases are
    expanded (a scalar 1, a collection 1 + its items); every alias adds the weight
    of the node it refers to.  A document whose expanded size passes
    MAX_EXPANDED_NODES, or that uses more than MAX_ALIASES aliases, is refused
    while composing, before anything is expanded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.expanded = 0
        self._weights: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        alias = self.check_event(AliasEvent)
        mark = self.peek_event().start_mark
        node = super().compose_node(parent, index)
        if node is None:
            return node
        if alias:
            self.aliases += 1
            self.expanded += self._weights.get(id(node), 1)
        else:
            weight = 1
            if isinstance(node, SequenceNode):
                weight += sum(self._weights.get(id(item), 1) for item in node.value)
            elif isinstance(node, MappingNode):
                weight += sum(
                    self._weights.get(id(k), 1) + self._weights.get(id(v), 1) for k, v in node.value
                )
            self._weights[id(node)] = weight
            self.expanded += 1
        if self.aliases > MAX_ALIASES or self.expanded > MAX_EXPANDED_NODES:
            raise _AliasBudget(f"line {mark.line + 1}, column {mark.column + 1}")
        return node


class _AliasBudget(Exception):
    def __init__(self, where: str) -> None:
        self.where = where


def _as_text(loader: yaml.SafeLoader, node: ScalarNode) -> str:
    return str(loader.construct_scalar(node))


def _int_or_text(loader: yaml.SafeLoader, node: ScalarNode) -> int | str:
    text = str(loader.construct_scalar(node))
    if len(text) > MAX_INT_DIGITS:
        return text
    return int(loader.construct_yaml_int(node))


_TransactionLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
_TransactionLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


def parse_yaml(text: str, path: Path | str) -> Any:
    """One YAML document from untrusted text; ParseError naming the file and place."""
    try:
        return yaml.load(text, Loader=_TransactionLoader)
    except _AliasBudget as exc:
        raise ParseError(
            path, exc.where, f"too many YAML aliases (more than {MAX_ALIASES}): refused"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParseError(path, where, f"invalid YAML: {exc.problem or exc}") from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise ParseError(path, "", f"invalid YAML: {type(exc).__name__}: {_cut(str(exc))}") from None


def parse_json(text: str, path: Path | str, where: str = "") -> Any:
    """One JSON value from untrusted text; ParseError naming the file and place."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if where:  # one line of a JSONL file
            raise ParseError(path, where, f"malformed JSON: {exc.msg} (column {exc.colno})") from None
        raise ParseError(
            path, f"line {exc.lineno}, column {exc.colno}", f"malformed JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise ParseError(path, where, "malformed JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ParseError(path, where, f"malformed JSON: {_cut(str(exc))}") from None


def decode(data: bytes, source: Path | str) -> str:
    """A document's bytes as text: UTF-8 (a BOM is allowed); ParseError naming the
    line of the first byte that is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(source, f"line {line}", f"not UTF-8 text (byte 0x{data[exc.start]:02x})") from None


def parse_document(data: bytes, suffix: str, source: Path | str) -> Any:
    """A .yaml/.yml/.json document's bytes, parsed without trusting them."""
    suffix = suffix.casefold()
    if suffix not in (".yaml", ".yml", ".json"):
        raise ParseError(source, "", f"unsupported file type {suffix!r} (use .json, .yaml or .yml)")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise LimitError(
            f"file too large ({len(data):,} bytes; at most {MAX_DOCUMENT_BYTES:,})",
            where=Where(file=str(source)),
        )
    text = decode(data, source)
    return parse_json(text, source) if suffix == ".json" else parse_yaml(text, source)


def _cut(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."

"""The screening index: build it from entities, save it, load it back.

Build (`Index.build`): every name of every entity is analysed once
(`names.tokens.analyze`) and stored with its token weights; an inverted index
maps the keys of `match.terms` (token text, loose Korean key, Russian keys, and
the same for runs of 2-3 adjacent tokens) to the names that have them; exact
tables map identifiers and IMO numbers to entities; and two tables of listed
*tokens* serve a query token spelled another way: a symmetric-deletion table
(every listed token less one letter → the token: one typo) and the first and
last four sounds of each token's Russian key (a longer slip).  `listed_tokens`
finds the analysed listed tokens by their Latin form (derived from the table of
distinct tokens when loaded, not stored).

File format (`save` / `load`): an index file can never run code and is checked
before anything in it is read.

    MAGIC (25 bytes) | format version (2 bytes, big endian) | HMAC-SHA256 (32 bytes) | payload

The payload is one JSON document (orjson) of plain lists, strings and numbers:
tables of the distinct tokens and token tuples, then the records and postings
referring to them by position.  The HMAC, keyed with a secret of the home
(`services.screening` keeps it in CORRIDOR_HOME/index/.key), covers magic,
version and payload, and is verified before the payload is decoded: a file
that is empty, truncated, edited, of another format version or written with
another key raises `IntegrityError`, and so does anything that would not decode
to an index.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import os
import re
import struct
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, final

import orjson

from corridor.errors import IntegrityError, Where
from corridor.match.records import EntityRecord, ListedDate, NameRecord
from corridor.match.terms import joined_keys, one_deletions, spans, token_keys, token_weight, typo_keys
from corridor.model import Entity, Name
from corridor.names.glossary import countries_named
from corridor.names.tokens import Tok, analyze, schema_kind
from corridor.types.identifiers import normalize_identifier, normalize_imo

MAGIC = b"corridor screening index\n"
FORMAT_VERSION = 8  # 7: coarse Korean keys (korean_cyrillic); 8: Russian keys of Korean tokens
_VERSION = struct.Struct(">H")
_DIGEST_SIZE = 32
HEADER_SIZE = len(MAGIC) + _VERSION.size + _DIGEST_SIZE
MIN_KEY_SIZE = 32


@final
class Index:
    """The tables screening reads (see the module docstring).  Names and
    entities are referred to by their position in `names` and `entities`."""

    __slots__ = (
        "deletes",
        "df",
        "entities",
        "entity_names",
        "identifiers",
        "imos",
        "listed_tokens",
        "name_left",
        "name_weights",
        "names",
        "postings",
        "spellings",
    )

    def __init__(
        self,
        entities: list[EntityRecord],
        names: list[NameRecord],
        postings: dict[str, list[int]],
        df: dict[str, int],
        identifiers: dict[str, list[int]],
        imos: dict[str, list[int]],
        entity_names: list[list[int]],
        deletes: dict[str, list[str]],
        spellings: dict[str, list[str]],
        listed_tokens: dict[str, list[Tok]],
    ) -> None:
        self.entities = entities
        self.names = names
        self.postings = postings  # retrieval key → names
        self.df = df  # token text → number of listed names with it
        self.identifiers = identifiers  # normalised identifier → entities
        self.imos = imos  # IMO number → entities
        self.entity_names = entity_names  # entity → its names
        self.deletes = deletes  # a listed token less one letter → the tokens
        self.spellings = spellings  # typo key → listed token texts
        self.listed_tokens = listed_tokens  # Latin form → the distinct listed tokens with it
        self.name_weights = [sum(rec.weights) for rec in names]
        # the weight a listed name leaves over when nothing of it matches, less
        # what is cheap to leave over (patronymics, legal forms): see match.retrieval
        self.name_left = [
            sum(
                w
                for t, w in zip(rec.tokens, rec.weights, strict=True)
                if not t.legal and t.tag != "patronymic"
            )
            for rec in names
        ]

    def __len__(self) -> int:
        return len(self.entities)

    # --- build -------------------------------------------------------------------------

    @classmethod
    def build(cls, entities: Iterable[Entity]) -> Index:
        ent_recs: list[EntityRecord] = []
        raw_names: list[tuple[int, str, str, tuple[Tok, ...]]] = []
        identifiers: dict[str, list[int]] = {}
        imos: dict[str, list[int]] = {}
        for entity in entities:
            index = len(ent_recs)
            record = entity_record(entity)
            ent_recs.append(record)
            for value in record.identifiers:
                identifiers.setdefault(value, []).append(index)
            for value in record.imos:
                imos.setdefault(value, []).append(index)
            kind_name = schema_kind(entity.schema)
            seen: set[tuple[str, ...]] = set()
            for name in entity.names:
                toks = analyze(_name_text(name, entity.schema), kind_name)
                if not toks:
                    continue
                signature = tuple(t.text for t in toks)
                if signature in seen:
                    continue
                seen.add(signature)
                raw_names.append((index, name.full, str(name.kind.value), toks))
        ent_recs = shared_countries(ent_recs, organisation_name_keys(raw_names, ent_recs))
        total = len(raw_names)
        df: Counter[str] = Counter()
        for _, _, _, toks in raw_names:
            df.update({t.text for t in toks if not t.legal})
        interned: dict[Tok, Tok] = {}
        interned_names: dict[tuple[Tok, ...], tuple[Tok, ...]] = {}
        interned_weights: dict[tuple[float, ...], tuple[float, ...]] = {}
        names: list[NameRecord] = []
        postings: dict[str, list[int]] = {}
        entity_names: list[list[int]] = [[] for _ in ent_recs]
        for nid, (index, full, kind, toks) in enumerate(raw_names):
            # identical names (the same designation on several lists) share one
            # tuple, so screening aligns each distinct name once
            toks = interned_names.setdefault(toks, tuple(interned.setdefault(t, t) for t in toks))
            weights = tuple(token_weight(t, df.get(t.text, 0), total) for t in toks)
            weights = interned_weights.setdefault(weights, weights)
            names.append(NameRecord(index, full, kind, toks, weights))
            entity_names[index].append(nid)
            keys: set[str] = set()
            for tok in toks:
                keys.update(token_keys(tok))
            for start, end in spans(toks):
                keys.update(joined_keys(toks[start:end]))
            for key in keys:
                postings.setdefault(key, []).append(nid)
        listed_tokens: dict[str, list[Tok]] = {}
        for tok in interned:
            listed_tokens.setdefault(tok.text, []).append(tok)
        return cls(
            ent_recs,
            names,
            postings,
            dict(df),
            identifiers,
            imos,
            entity_names,
            _deletes({t.text for t in interned if not t.legal and t.tag != "stopword"}),
            _spellings(interned),
            listed_tokens,
        )

    # --- persistence -------------------------------------------------------------------

    def save(self, path: str | Path, key: bytes) -> None:
        """Write the index to `path` atomically (a temporary file, then a rename),
        authenticated with `key`."""
        _check_key(key)
        payload = orjson.dumps(self._state())
        head = MAGIC + _VERSION.pack(FORMAT_VERSION)
        digest = hmac.new(key, head + payload, hashlib.sha256).digest()
        target = Path(path)
        # a file of its own beside the target (two writers never share one), renamed
        # over the target: a half-written index is never read
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(head)
                handle.write(digest)
                handle.write(payload)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path, key: bytes) -> Index:
        """Read an index written by `save` with the same key; IntegrityError when
        the file is not one, or not intact (checked before decoding anything)."""
        _check_key(key)
        where = str(path)
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise  # no index yet: the caller builds one
        except OSError as exc:
            raise IntegrityError(
                f"cannot read the screening index: {exc.strerror or exc}", where=_at(where)
            ) from None
        if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
            problem = "empty" if not data else "not a screening index, or truncated"
            raise IntegrityError(f"the screening index is {problem}", where=_at(where))
        digest_at = len(MAGIC) + _VERSION.size
        head, digest, payload = data[:digest_at], data[digest_at:HEADER_SIZE], data[HEADER_SIZE:]
        expected = hmac.new(key, head + payload, hashlib.sha256).digest()
        if not hmac.compare_digest(digest, expected):
            raise IntegrityError(
                "the screening index fails its integrity check (edited, truncated or written with another key)",
                where=_at(where),
            )
        (version,) = _VERSION.unpack(head[len(MAGIC) :])
        if version != FORMAT_VERSION:
            raise IntegrityError(
                f"the screening index is of format {version}, not {FORMAT_VERSION}", where=_at(where)
            )
        # millions of new containers, none of them garbage: the cyclic collector's
        # passes while they are made would only walk them (and the rest of the
        # heap) again and again, doubling the load time
        collecting = gc.isenabled()
        gc.disable()
        try:
            return cls._from_state(orjson.loads(payload))
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, ValueError) as exc:
            # authentic yet undecodable: written by a broken build; never trusted
            raise IntegrityError(f"the screening index does not decode: {exc}", where=_at(where)) from None
        finally:
            if collecting:
                gc.enable()

    def _state(self) -> dict[str, Any]:
        """The index as plain JSON values; tokens and token tuples once each."""
        tok_ids: dict[int, int] = {}
        tokens: list[list[Any]] = []
        tuple_ids: dict[int, int] = {}
        token_tuples: list[list[int]] = []
        weight_ids: dict[int, int] = {}
        weight_tuples: list[tuple[float, ...]] = []

        def tok_id(tok: Tok) -> int:
            found = tok_ids.get(id(tok))
            if found is None:
                found = tok_ids[id(tok)] = len(tokens)
                tokens.append(
                    [
                        tok.orig,
                        tok.text,
                        tok.kkey,
                        tok.kloose,
                        tok.ksyllables,
                        list(tok.rkeys),
                        tok.rstem,
                        tok.tag,
                        tok.legal,
                        tok.script,
                        tok.weight,
                    ]
                )
            return found

        names: list[list[Any]] = []
        for rec in self.names:
            tid = tuple_ids.get(id(rec.tokens))
            if tid is None:
                tid = tuple_ids[id(rec.tokens)] = len(token_tuples)
                token_tuples.append([tok_id(t) for t in rec.tokens])
            wid = weight_ids.get(id(rec.weights))
            if wid is None:
                wid = weight_ids[id(rec.weights)] = len(weight_tuples)
                weight_tuples.append(rec.weights)
            names.append([rec.entity, rec.full, rec.kind, tid, wid])
        entities = [
            [
                e.id,
                e.source,
                e.ref,
                e.caption,
                e.schema,
                [[d.start, d.end, d.approximate] for d in e.birth_dates],
                list(e.countries),
                e.gender,
                list(e.identifiers),
                list(e.imos),
                e.party,
                list(e.lists),
            ]
            for e in self.entities
        ]
        return {
            "tokens": tokens,
            "token_tuples": token_tuples,
            "weight_tuples": weight_tuples,
            "entities": entities,
            "names": names,
            "postings": self.postings,
            "df": self.df,
            "identifiers": self.identifiers,
            "imos": self.imos,
            "entity_names": self.entity_names,
            "deletes": self.deletes,
            "spellings": self.spellings,
        }

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> Index:
        tokens = [
            Tok(r[0], r[1], r[2], r[3], int(r[4]), tuple(r[5]), r[6], r[7], r[8], r[9], float(r[10]))
            for r in state["tokens"]
        ]
        token_tuples = [tuple([tokens[i] for i in ids]) for ids in state["token_tuples"]]
        weight_tuples = [tuple([float(w) for w in ws]) for ws in state["weight_tuples"]]
        names = [
            NameRecord(int(r[0]), r[1], r[2], token_tuples[r[3]], weight_tuples[r[4]]) for r in state["names"]
        ]
        entities = [
            EntityRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                tuple([ListedDate(d[0], d[1], bool(d[2])) for d in r[5]]),
                tuple(r[6]),
                r[7],
                tuple(r[8]),
                tuple(r[9]),
                r[10],
                tuple(r[11]),
            )
            for r in state["entities"]
        ]
        listed: dict[str, list[Tok]] = {}  # the distinct tokens are the table's rows
        for tok in tokens:
            listed.setdefault(tok.text, []).append(tok)
        return cls(
            entities,
            names,
            state["postings"],
            state["df"],
            state["identifiers"],
            state["imos"],
            state["entity_names"],
            state["deletes"],
            state["spellings"],
            listed,
        )


def new_key() -> bytes:
    """A fresh secret for authenticating index files."""
    import secrets

    return secrets.token_bytes(MIN_KEY_SIZE)


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_KEY_SIZE:
        raise ValueError(f"an index key is at least {MIN_KEY_SIZE} bytes")


def _at(path: str) -> Where:
    return Where(file=path)


def _deletes(texts: set[str]) -> dict[str, list[str]]:
    """One-letter deletions of every listed token (4+ letters) → the tokens: the
    symmetric-deletion index that finds a typo'd query token's listed spelling."""
    found: dict[str, list[str]] = {}
    for text in sorted(texts):
        if len(text) < 4 or not text.isalpha():
            continue
        for variant in one_deletions(text):
            found.setdefault(variant, []).append(text)
    return found


def _spellings(tokens: Iterable[Tok]) -> dict[str, list[str]]:
    """Typo keys (`terms.typo_keys`) of every listed token → the tokens: candidates
    for an unknown query token's listed spelling."""
    found: dict[str, set[str]] = {}
    for tok in tokens:
        for key in typo_keys(tok):
            found.setdefault(key, set()).add(tok.text)
    return {k: sorted(v) for k, v in found.items()}


def _name_text(name: Name, schema: str) -> str:
    """The string analysed for a listed name: "family, given patronymic" when the
    list gives the parts (so parts are tagged right), else the full name."""
    if schema == "Person" and name.family and (name.given or name.patronymic):
        rest = " ".join(p for p in (name.given, name.patronymic) if p)
        return f"{name.family}, {rest}"
    return name.full


def entity_record(entity: Entity) -> EntityRecord:
    """What screening keeps of an entity besides its names."""
    dates = tuple(ListedDate(d.start, d.end, d.approximate) for d in entity.birth_dates if d.start)
    countries = list(dict.fromkeys([*entity.nationalities, *entity.countries]))
    for address in entity.addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)
    if not countries and entity.schema != "Person":
        # no country given (OFAC's sdn.csv gives none): what the names say
        countries = [c.lower() for c in countries_named([n.full for n in entity.names], entity.programs)]
    idents: list[str] = []
    imos: list[str] = []
    for ident in entity.identifiers:
        if ident.type == "imo":
            digits = normalize_imo(ident.value)
            if digits:
                imos.append(digits)
                continue
        norm = normalize_identifier(ident.value)
        if len(norm) >= 4:
            idents.append(norm)
    return EntityRecord(
        entity.id,
        entity.source,
        entity.list_ref,
        entity.caption,
        entity.schema,
        dates,
        tuple(countries),
        entity.gender,
        tuple(dict.fromkeys(idents)),
        tuple(dict.fromkeys(imos)),
        party_of(entity),
        tuple(dict.fromkeys([entity.source, *entity.also_on])),
    )


def organisation_name_keys(
    raw_names: list[tuple[int, str, str, tuple[Tok, ...]]], records: list[EntityRecord]
) -> list[tuple[int, str]]:
    """(record position, key) for the names of organisations: the name's tokens
    without legal forms, and without a bracketed abbreviation ("DAEDONG CREDIT
    BANK (DCB)" and "DAEDONG CREDIT BANK" are one key)."""
    keys: list[tuple[int, str]] = []
    for position, full, kind, toks in raw_names:
        if records[position].schema == "Person" or kind == "weak_alias":
            continue
        keys.append((position, " ".join(t.text for t in toks if not t.legal)))
        if "(" in full:
            bare = analyze(_BRACKETED.sub(" ", full), schema_kind(records[position].schema))
            keys.append((position, " ".join(t.text for t in bare if not t.legal)))
    return keys


_BRACKETED = re.compile(r"\([^)]*\)")


def shared_countries(records: list[EntityRecord], name_keys: list[tuple[int, str]]) -> list[EntityRecord]:
    """A record without countries takes those of the other records of its
    designation: the same party (a copy citing the UN reference) or, for
    organisations, a name of the same key (`organisation_name_keys`: OFAC's sdn.csv
    gives KOMID no country and no UN reference; the UN record gives KP).  A key
    whose records give different countries says nothing."""
    by_party: dict[str, tuple[str, ...]] = {}
    by_name: dict[str, tuple[str, ...] | None] = {}
    for rec in records:
        if rec.countries:
            by_party.setdefault(rec.party, rec.countries)
    for position, key in name_keys:
        countries = records[position].countries
        if key and countries:
            known = by_name.get(key, countries)
            by_name[key] = countries if known == countries else None
    from_names: dict[int, tuple[str, ...]] = {}
    for position, key in name_keys:
        found = by_name.get(key)
        if found and not records[position].countries:
            from_names.setdefault(position, found)
    out: list[EntityRecord] = []
    for position, rec in enumerate(records):
        shared: tuple[str, ...] | None = None
        if not rec.countries:
            shared = by_party.get(rec.party) or from_names.get(position)
        if shared is None:
            out.append(rec)
            continue
        out.append(
            EntityRecord(
                rec.id,
                rec.source,
                rec.ref,
                rec.caption,
                rec.schema,
                rec.birth_dates,
                shared,
                rec.gender,
                rec.identifiers,
                rec.imos,
                rec.party,
                rec.lists,
            )
        )
    return out


def party_of(entity: Entity) -> str:
    """The designation an entity's record is a copy of (`EntityRecord.party`)."""
    if entity.source == "un" or not entity.un_refs:
        return entity.id
    return "un:" + entity.un_refs[0]

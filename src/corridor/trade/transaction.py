"""The transaction model: what a trade check looks at, parsed from plain dicts.

A transaction is a shipment, a contract or a payment.  Its parts (all optional
except id, type and date):

    id, type (shipment|contract|payment), date, description, mode (sea|rail|road|air|pipeline)
    origin, destination                       countries (names or ISO codes)
    parties:   [{name, role, country, address, schema}]
    goods:     [{hs_code, tnved | cn | hts | national_code + national_system,
                 description (any language), quantity, unit, product, origin,
                 direction, dprk_labour, value, currency, evidence}]
               a national code is checked against hs_code (or gives it) and read in
               the tariff tables; the products the line names (national code, product,
               description) and what does not add up are kept on the GoodsLine
               (`trade.identification`)
    vessels:   [{name, imo, flag, role (carrier|sts_counterparty), chartered, sts, owner, manager}]
    ports:     {loading: [..], discharge: [..], transshipment: [..]}   names or {name, country}
    payment:   {method, currency, amount, payment_for, finance: [..],
                banks: [{name, role (ordering|beneficiary|correspondent|intermediary), country}],
                settlement_goods: [goods lines given as payment]}
    labour:    [{nationality, count, employer, site, income_earning, sector}]
    joint_ventures: [{name, partners: [{name, country}], project, purpose, status}]
    services:  [{kind, location, city, provider, description}]
    evidence:  {committee_approval: ref, notification: ref, origin_certificate: ref, ...}
    us_nexus / eu_nexus / uk_nexus: true|false   (override the derived nexus)

`parse_transaction(data, source=..., where=...)` raises `ParseError(source, where,
message)` whose `where` names the field ("row 4, field goods[2].quantity").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from corridor.errors import InputError, ParseError
from corridor.trade.hs import HSCode, HSCodeError, Nomenclature, normalise_code
from corridor.trade.identification import GoodsIssue, Naming, NationalCode, identify, national_code
from corridor.trade.products import vocabulary as product_vocabulary
from corridor.trade.tariffs import CODE_DIGITS, SYSTEMS, format_code
from corridor.trade.tariffs import tables as tariff_tables
from corridor.trade.vocabularies import vocabularies
from corridor.types.countries import candidates, to_code
from corridor.types.dates import parse_single
from corridor.types.identifiers import imo_check_digit_ok
from corridor.types.text import name_key, normalize

_V = vocabularies()
# The closed word lists come from packs/vocabularies.yaml (defined once).
TRANSACTION_TYPES = _V.transaction_types
MODES = _V.modes
PARTY_ROLES = _V.party_roles
PARTY_SCHEMAS = _V.party_schemas
VESSEL_ROLES = _V.vessel_roles
BANK_ROLES = _V.bank_roles
EVIDENCE_KINDS = _V.evidence_kinds
SERVICE_KINDS = _V.service_kinds
PAYMENT_METHODS = _V.payment_methods
FINANCE_KINDS = _V.finance_kinds
PAYMENT_FOR = _V.payment_for
# Numbers: no quantity, value or count in trade is near 10^15, and refusing longer
# text up front keeps Decimal arithmetic (28 digits) and conversions exact.
MAX_NUMBER = Decimal("1e15")
MAX_NUMBER_TEXT = 64

# Unit spellings -> (canonical unit, dimension).  "ton"/"tons" are refused on purpose:
# short, long and metric tons differ and petroleum caps need the right one.
UNITS: dict[str, tuple[str, str]] = {}
for _canon, _dim, _aliases in (
    (
        "t",
        "mass",
        ("t", "tonne", "tonnes", "mt", "metric ton", "metric tons", "metric tonne", "metric tonnes"),
    ),
    ("kg", "mass", ("kg", "kgs", "kilogram", "kilograms")),
    ("bbl", "volume", ("bbl", "bbls", "barrel", "barrels")),
    ("l", "volume", ("l", "litre", "litres", "liter", "liters")),
    ("kl", "volume", ("kl", "kilolitre", "kilolitres", "kiloliter", "kiloliters")),
    ("m3", "volume", ("m3", "cbm", "cubic metre", "cubic metres", "cubic meter", "cubic meters")),
    ("pcs", "count", ("pcs", "pc", "piece", "pieces", "unit", "units", "u", "nos", "no", "item", "items")),
    ("sets", "count", ("set", "sets")),
    ("pairs", "count", ("pair", "pairs")),
    ("head", "count", ("head",)),
    ("m", "length", ("m", "metre", "metres", "meter", "meters")),
    ("m2", "area", ("m2", "sqm", "square metre", "square metres", "square meter", "square meters")),
):
    for _alias in _aliases:
        UNITS[_alias] = (_canon, _dim)

_TOP_KEYS = frozenset(
    [
        "id",
        "type",
        "date",
        "description",
        "mode",
        "origin",
        "destination",
        "parties",
        "goods",
        "vessels",
        "ports",
        "payment",
        "labour",
        "joint_ventures",
        "services",
        "evidence",
        "us_nexus",
        "eu_nexus",
        "uk_nexus",
        "notes",
    ]
)
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_IMO = re.compile(r"^(?:imo)?\s*(\d{7})$", re.IGNORECASE)


class FieldError(InputError):
    """A bad value; `field` is the dotted path inside the transaction."""


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    role: str
    country: str | None = None
    address: str = ""
    schema: str = "LegalEntity"
    key: str = ""  # the name normalised (any script), for identity and indicator matching
    identifiers: tuple[str, ...] = ()  # "kind:value", e.g. "inn:2540123456"

    @property
    def identity(self) -> tuple[str, str, str, tuple[str, ...]]:
        """Who the party is within a transaction: the same name (in any script,
        normalised, initials joined: "L.L.C." = "LLC"), schema, country and
        identifiers is the same party."""
        return (name_key(self.name), self.schema, self.country or "", self.identifiers)


@dataclass(frozen=True, slots=True)
class GoodsLine:
    line_no: int
    hs: HSCode
    description: str
    quantity: Decimal
    unit: str
    dimension: str  # mass / volume / count / length / area
    product: str = ""  # descriptor, e.g. "jet fuel"
    origin: str | None = None
    direction: str | None = None  # to_dprk / from_dprk: overrides the transaction's
    settlement: bool = False  # given as payment (for labour, services...); goes to the DPRK side
    dprk_labour: bool = False  # made wholly or partly by DPRK workers
    value: Decimal | None = None
    currency: str = ""
    evidence: Mapping[str, str] = field(default_factory=dict)
    descriptor: str = ""  # normalised product + description, for term matching
    national: tuple[NationalCode, ...] = ()  # TN VED / CN / HTS codes given for the line
    products: tuple[str, ...] = ()  # products named (national code, product, description)
    product_set: frozenset[str] = frozenset()  # the products with every broader one
    namings: tuple[Naming, ...] = ()  # which source named which product
    issues: tuple[GoodsIssue, ...] = ()  # what does not add up (data-quality review)
    label_text: str = ""  # the label, computed once by the parser

    @property
    def label(self) -> str:
        return self.label_text or goods_label(
            self.line_no, self.hs, self.national, self.product, self.description
        )


def goods_label(
    line_no: int, code: HSCode, national: Sequence[NationalCode], product: str, description: str
) -> str:
    """ "line 2: HS 2710.19 (TN VED 2710 19 210 0) jet fuel": how reasons name a line."""
    text = product or description
    codes = "".join(f" ({n.label})" for n in national)
    return f"line {line_no}: HS {code.dotted()}{codes}" + (f" {text}" if text else "")


@dataclass(frozen=True, slots=True)
class Vessel:
    name: str
    imo: str = ""
    flag: str | None = None
    role: str = "carrier"
    chartered: bool = False
    sts: bool = False


@dataclass(frozen=True, slots=True)
class Port:
    name: str
    country: str | None = None  # as stated; the nexus data also recognises port names


@dataclass(frozen=True, slots=True)
class Payment:
    method: str = ""
    currency: str = ""
    amount: Decimal | None = None
    payment_for: str = ""
    finance: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LabourEntry:
    nationality: str
    count: int
    employer: str = ""
    site: str = ""
    income_earning: bool = True  # presumed: income-earning unless stated otherwise
    sector: str = ""


@dataclass(frozen=True, slots=True)
class JointVenture:
    name: str
    partners: tuple[Party, ...] = ()
    project: str = ""
    purpose: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class Service:
    kind: str
    location: str | None = None
    city: str = ""
    provider: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Transaction:
    id: str
    type: str
    date: dt.date
    description: str = ""
    mode: str = ""
    origin: str | None = None
    destination: str | None = None
    parties: tuple[Party, ...] = ()
    goods: tuple[GoodsLine, ...] = ()
    vessels: tuple[Vessel, ...] = ()
    loading: tuple[Port, ...] = ()
    discharge: tuple[Port, ...] = ()
    transshipment: tuple[Port, ...] = ()
    payment: Payment | None = None
    labour: tuple[LabourEntry, ...] = ()
    joint_ventures: tuple[JointVenture, ...] = ()
    services: tuple[Service, ...] = ()
    evidence: Mapping[str, str] = field(default_factory=dict)
    us_nexus: bool | None = None
    eu_nexus: bool | None = None
    uk_nexus: bool | None = None

    def evidence_for(self, line: GoodsLine | None = None) -> Mapping[str, str]:
        if line is None or not line.evidence:
            return self.evidence
        return {**self.evidence, **line.evidence}


# --- parsing ----------------------------------------------------------------------


def _text(value: Any, path: str, *, required: bool = False) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(path, "missing value")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FieldError(path, f"expected text, got {type(value).__name__}")
    if isinstance(value, int) and not -(10**MAX_NUMBER_TEXT) < value < 10**MAX_NUMBER_TEXT:
        raise FieldError(path, f"number too long (more than {MAX_NUMBER_TEXT} digits)")
    return " ".join(str(value).split())


def _bool(value: Any, path: str, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    raise FieldError(path, f"expected true/false, got {value!r}")


def _opt_bool(value: Any, path: str) -> bool | None:
    if value is None or value == "":
        return None
    return _bool(value, path)


def _country(value: Any, path: str) -> str | None:
    text = _text(value, path)
    if not text:
        return None
    code = to_code(text)
    if code is None:
        either = candidates(text)
        if either:
            raise FieldError(
                path,
                f"ambiguous country {text!r}: it may be {' or '.join(either)}"
                " (write the country's full name or its ISO code, e.g. КНДР / kp, Республика Корея / kr)",
            )
        raise FieldError(path, f"unknown country {text!r}")
    return code


def _choice(
    value: Any, path: str, allowed: Sequence[str], *, required: bool = False, default: str = ""
) -> str:
    text = _text(value, path, required=required).casefold().replace(" ", "_").replace("-", "_")
    if not text:
        return default
    if text not in allowed:
        raise FieldError(path, f"unknown value {_short(value)} (expected one of: {', '.join(allowed)})")
    return text


def _decimal(value: Any, path: str, *, what: str = "quantity") -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError(path, f"missing {what}")
    if isinstance(value, bool):
        raise FieldError(path, f"non-numeric {what} {value!r}")
    if isinstance(value, int) and not -(10**MAX_NUMBER_TEXT) < value < 10**MAX_NUMBER_TEXT:
        raise FieldError(path, f"{what} too large (at most {MAX_NUMBER:,.0f})")
    text = str(value).strip()
    if len(text) > MAX_NUMBER_TEXT:
        raise FieldError(path, f"{what} too long ({len(text):,} characters; at most {MAX_NUMBER_TEXT})")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise FieldError(path, f"non-numeric {what} {_short(value)}") from None
    if not number.is_finite():
        raise FieldError(path, f"non-numeric {what} {_short(value)}")
    if number < 0:
        raise FieldError(path, f"negative {what} {_short(value)}")
    if number > MAX_NUMBER:
        raise FieldError(path, f"{what} too large: {_short(value)} (at most {MAX_NUMBER:,.0f})")
    return number


def _short(value: Any, limit: int = 40) -> str:
    """A bad value as the message quotes it, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "...'"


def _date(value: Any, path: str) -> dt.date:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError(path, "missing date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) > 40:
        raise FieldError(path, f"malformed date {_short(text)} (use YYYY-MM-DD)")
    try:
        return (
            dt.date.fromisoformat(text[:10])
            if len(text) >= 10 and text[4] == "-"
            else _loose_date(text, path)
        )
    except ValueError:
        raise FieldError(path, f"malformed date {text!r} (use YYYY-MM-DD)") from None


def _loose_date(text: str, path: str) -> dt.date:
    iso = parse_single(text)
    if not iso or len(iso) != 10:
        raise FieldError(path, f"malformed date {text!r} (use YYYY-MM-DD; a full day is needed)")
    return dt.date.fromisoformat(iso)


def _list(value: Any, path: str) -> list[Any]:
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        raise FieldError(path, f"expected a list, got {type(value).__name__}")
    return list(value)


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, Mapping):
        raise FieldError(path, f"expected a mapping, got {type(value).__name__}")
    return value


def _check_keys(data: Mapping[str, Any], path: str, allowed: frozenset[str] | set[str]) -> None:
    for key in data:
        if key not in allowed:
            prefix = f"{path}." if path else ""
            raise FieldError(
                f"{prefix}{key}", f"unknown field (expected one of: {', '.join(sorted(allowed))})"
            )


def _evidence(value: Any, path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, ref in _mapping(value, path).items():
        if key not in EVIDENCE_KINDS:
            raise FieldError(
                f"{path}.{key}", f"unknown evidence kind (expected one of: {', '.join(EVIDENCE_KINDS)})"
            )
        text = _text(ref, f"{path}.{key}")
        if text:
            out[key] = text
    return out


_PARTY_KEYS = frozenset({"name", "role", "country", "address", "schema", "bank_role", "identifiers"})


def _identifiers(value: Any, path: str) -> tuple[str, ...]:
    """{kind: value} or ["kind:value", ...] -> sorted ("kind:value", ...), values normalised."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for kind, ident in value.items():
            pairs.append((_text(kind, f"{path}"), _text(ident, f"{path}.{kind}", required=True)))
    else:
        for i, item in enumerate(_list(value, path)):
            text = _text(item, f"{path}[{i}]", required=True)
            kind, _, ident = text.rpartition(":")
            pairs.append((kind, ident))
    out = []
    for kind, ident in pairs:
        key = normalize(ident).replace(" ", "")
        if not key:
            raise FieldError(path, f"identifier {ident!r} has no letters or digits")
        out.append(f"{normalize(kind).replace(' ', '_')}:{key}")
    return tuple(sorted(set(out)))


def _party(value: Any, path: str, default_role: str = "") -> Party:
    if isinstance(value, str):
        value = {"name": value}
    data = _mapping(value, path)
    _check_keys(data, path, _PARTY_KEYS)
    name = _text(data.get("name"), f"{path}.name", required=True)
    role = _choice(
        data.get("role"), f"{path}.role", PARTY_ROLES, required=not default_role, default=default_role
    )
    if role == "bank" and data.get("bank_role"):
        role = _choice(data.get("bank_role"), f"{path}.bank_role", BANK_ROLES) + "_bank"
    schema = _text(data.get("schema"), f"{path}.schema") or "LegalEntity"
    if schema not in PARTY_SCHEMAS:
        raise FieldError(
            f"{path}.schema", f"unknown schema {schema!r} (expected one of: {', '.join(PARTY_SCHEMAS)})"
        )
    key = normalize(name)
    if not key:
        # An empty key would make every such party "the same" and skip screening it.
        raise FieldError(f"{path}.name", f"name {_short(name)} has no letters or digits in any script")
    return Party(
        name=name,
        role=role,
        country=_country(data.get("country"), f"{path}.country"),
        address=_text(data.get("address"), f"{path}.address"),
        schema=schema,
        key=key,
        identifiers=_identifiers(data.get("identifiers"), f"{path}.identifiers"),
    )


_GOODS_KEYS = frozenset(
    {
        "hs_code",
        "hs",
        "description",
        "quantity",
        "unit",
        "product",
        "origin",
        "direction",
        "dprk_labour",
        "value",
        "currency",
        "evidence",
        "line_no",
        "tnved",
        "cn",
        "hts",
        "national_code",
        "national_system",
    }
)


def _has_national(data: Mapping[str, Any]) -> bool:
    return any(data.get(key) not in (None, "") for key in (*SYSTEMS, "national_code"))


def _national_codes(
    data: Mapping[str, Any], path: str, hs: Nomenclature, raw_code: Any
) -> tuple[HSCode | None, list[NationalCode], bool]:
    """The line's HS code and national codes, checked against each other.  Returns
    (HS code or None when only a national code was given, national codes, whether
    the HS code carries national digits without a system)."""
    code: HSCode | None = None
    if raw_code is not None and not (
        isinstance(raw_code, str) and not raw_code.strip() and _has_national(data)
    ):
        try:
            code = hs.validate(raw_code, f"{path}.hs_code")
        except HSCodeError as exc:
            raise FieldError(exc.field, exc.message) from None
    given: list[tuple[str, str, Any]] = [
        (system, f"{path}.{system}", data[system]) for system in SYSTEMS if data.get(system) not in (None, "")
    ]
    system_raw = data.get("national_system")
    if data.get("national_code") not in (None, ""):
        system = _choice(system_raw, f"{path}.national_system", tuple(SYSTEMS))
        if not system:
            raise FieldError(
                f"{path}.national_system", f"national_code needs its system ({', '.join(SYSTEMS)})"
            )
        given.append((system, f"{path}.national_code", data["national_code"]))
    elif system_raw not in (None, ""):
        system = _choice(system_raw, f"{path}.national_system", tuple(SYSTEMS))
        if code is None or not code.national:
            raise FieldError(
                f"{path}.national_system",
                "national_system without a national code (national_code or hs_code digits)",
            )
        given.append((system, f"{path}.hs_code", code.digits))
    tables = tariff_tables()
    out: list[NationalCode] = []
    for system, field_name, value in given:
        try:
            digits = normalise_code(value, field_name)
        except HSCodeError as exc:
            raise FieldError(exc.field, exc.message.replace("HS code", f"{SYSTEMS[system]} code")) from None
        if len(digits) not in CODE_DIGITS[system]:
            lengths = " or ".join(str(n) for n in CODE_DIGITS[system])
            raise FieldError(
                field_name,
                f"{SYSTEMS[system]} code {str(value).strip()!r} has {len(digits)} digits ({lengths} expected)",
            )
        try:
            under = hs.validate(digits[:6], field_name)
        except HSCodeError as exc:
            raise FieldError(
                field_name, f"{SYSTEMS[system]} code {str(value).strip()!r}: {exc.message}"
            ) from None
        if code is None:
            code = under
        elif not (digits.startswith(code.digits) or code.digits.startswith(digits)):
            raise FieldError(
                field_name,
                f"{SYSTEMS[system]} code {format_code(system, digits)} is not under HS {code.raw} "
                f"({path}.hs_code): correct the one that is wrong",
            )
        out.append(national_code(system, digits, field_name, tables))
    # National digits in hs_code are read when a national code of a system covers them
    # (the same digits, or longer ones, given with their system).
    unsystemed = (
        code is not None and bool(code.national) and not any(n.digits.startswith(code.digits) for n in out)
    )
    return code, out, unsystemed


def _goods(value: Any, path: str, line_no: int, hs: Nomenclature, *, settlement: bool = False) -> GoodsLine:
    data = _mapping(value, path)
    _check_keys(data, path, _GOODS_KEYS)
    raw_code = data.get("hs_code", data.get("hs"))
    code, national, unsystemed = _national_codes(data, path, hs, raw_code)
    if code is None:
        raise FieldError(f"{path}.hs_code", "missing HS code (give hs_code, or a tnved, cn or hts code)")
    quantity = _decimal(data.get("quantity"), f"{path}.quantity")
    unit_text = _text(data.get("unit"), f"{path}.unit", required=True)
    unit_key = " ".join(unit_text.casefold().replace(".", "").split())
    if unit_key in ("ton", "tons", "short ton", "long ton"):
        raise FieldError(
            f"{path}.unit", f"ambiguous unit {unit_text!r}: use t (metric tonne), kg, bbl, l, kl or m3"
        )
    if unit_key not in UNITS:
        known = sorted({canon for canon, _ in UNITS.values()})
        raise FieldError(f"{path}.unit", f"unknown unit {unit_text!r} (expected one of: {', '.join(known)})")
    unit, dimension = UNITS[unit_key]
    direction = _choice(data.get("direction"), f"{path}.direction", ("to_dprk", "from_dprk")) or None
    product = _text(data.get("product"), f"{path}.product")
    description = _text(data.get("description"), f"{path}.description")
    value_raw = data.get("value")
    found = identify(
        code,
        product,
        description,
        national,
        product_vocabulary(),
        tariff_tables(),
        unsystemed_digits=unsystemed,
    )
    return GoodsLine(
        line_no=line_no,
        hs=code,
        description=description,
        quantity=quantity,
        unit=unit,
        dimension=dimension,
        product=product,
        origin=_country(data.get("origin"), f"{path}.origin"),
        direction=direction,
        settlement=settlement,
        dprk_labour=_bool(data.get("dprk_labour"), f"{path}.dprk_labour"),
        value=_decimal(value_raw, f"{path}.value", what="value") if value_raw not in (None, "") else None,
        currency=_text(data.get("currency"), f"{path}.currency").upper(),
        evidence=_evidence(data.get("evidence"), f"{path}.evidence"),
        descriptor=normalize(f"{product} {description}"),
        national=tuple(national),
        products=found.products,
        product_set=found.closure,
        namings=found.namings,
        issues=found.issues,
        label_text=goods_label(line_no, code, national, product, description),
    )


def _port(value: Any, path: str) -> Port:
    if isinstance(value, Mapping):
        _check_keys(value, path, {"name", "country"})
        return Port(
            name=_text(value.get("name"), f"{path}.name", required=True),
            country=_country(value.get("country"), f"{path}.country"),
        )
    return Port(name=_text(value, path, required=True))


def _vessel(value: Any, path: str, parties: list[Party]) -> Vessel:
    data = _mapping(value, path)
    _check_keys(data, path, {"name", "imo", "flag", "role", "chartered", "sts", "owner", "manager"})
    imo_text = _text(data.get("imo"), f"{path}.imo")
    imo = ""
    if imo_text:
        match = _IMO.match(imo_text.replace(" ", ""))
        if not match:
            raise FieldError(f"{path}.imo", f"malformed IMO number {imo_text!r} (7 digits)")
        imo = match.group(1)
        if not imo_check_digit_ok(imo):
            raise FieldError(f"{path}.imo", f"IMO number {imo_text!r} fails its check digit")
    for key, role in (("owner", "vessel_owner"), ("manager", "vessel_manager")):
        if data.get(key):
            parties.append(_party(data[key], f"{path}.{key}", default_role=role))
    return Vessel(
        name=_text(data.get("name"), f"{path}.name", required=True),
        imo=imo,
        flag=_country(data.get("flag"), f"{path}.flag"),
        role=_choice(data.get("role"), f"{path}.role", VESSEL_ROLES, default="carrier"),
        chartered=_bool(data.get("chartered"), f"{path}.chartered"),
        sts=_bool(data.get("sts"), f"{path}.sts"),
    )


def _count(value: Any, path: str) -> int:
    number = _decimal(value, path, what="count")
    if number != number.to_integral_value():
        raise FieldError(path, f"count must be a whole number, got {value!r}")
    return int(number)


def build_transaction(data: Mapping[str, Any], hs: Nomenclature) -> Transaction:
    """Parse a transaction dict; FieldError names the field of the first problem."""
    if not isinstance(data, Mapping):
        raise FieldError("(transaction)", f"expected a mapping, got {type(data).__name__}")
    _check_keys(data, "", _TOP_KEYS)
    tx_id = _text(data.get("id"), "id", required=True)
    tx_type = _choice(data.get("type"), "type", TRANSACTION_TYPES, required=True)
    date = _date(data.get("date"), "date")
    parties = [_party(p, f"parties[{i}]") for i, p in enumerate(_list(data.get("parties"), "parties"))]
    goods = [_goods(g, f"goods[{i}]", i + 1, hs) for i, g in enumerate(_list(data.get("goods"), "goods"))]
    vessels = [
        _vessel(v, f"vessels[{i}]", parties) for i, v in enumerate(_list(data.get("vessels"), "vessels"))
    ]
    ports = _mapping(data.get("ports"), "ports")
    _check_keys(ports, "ports", {"loading", "discharge", "transshipment"})

    def port_list(key: str) -> tuple[Port, ...]:
        raw = ports.get(key)
        items = raw if isinstance(raw, list | tuple) else ([raw] if raw else [])
        return tuple(_port(p, f"ports.{key}[{i}]") for i, p in enumerate(items))

    payment: Payment | None = None
    if data.get("payment"):
        pay = _mapping(data["payment"], "payment")
        _check_keys(
            pay,
            "payment",
            {"method", "currency", "amount", "payment_for", "finance", "banks", "settlement_goods"},
        )
        for i, bank in enumerate(_list(pay.get("banks"), "payment.banks")):
            bank_data = dict(_mapping(bank, f"payment.banks[{i}]"))
            role = _choice(
                bank_data.pop("role", ""), f"payment.banks[{i}].role", BANK_ROLES, default="correspondent"
            )
            parties.append(_party({**bank_data, "role": f"{role}_bank"}, f"payment.banks[{i}]"))
        for i, g in enumerate(_list(pay.get("settlement_goods"), "payment.settlement_goods")):
            goods.append(_goods(g, f"payment.settlement_goods[{i}]", len(goods) + 1, hs, settlement=True))
        amount = pay.get("amount")
        payment = Payment(
            method=_choice(pay.get("method"), "payment.method", PAYMENT_METHODS),
            currency=_text(pay.get("currency"), "payment.currency").upper(),
            amount=_decimal(amount, "payment.amount", what="amount") if amount not in (None, "") else None,
            payment_for=_choice(pay.get("payment_for"), "payment.payment_for", PAYMENT_FOR),
            finance=tuple(
                _choice(f, f"payment.finance[{i}]", FINANCE_KINDS, required=True)
                for i, f in enumerate(_list(pay.get("finance"), "payment.finance"))
            ),
        )
    labour = []
    for i, entry in enumerate(_list(data.get("labour"), "labour")):
        item = _mapping(entry, f"labour[{i}]")
        path = f"labour[{i}]"
        _check_keys(item, path, {"nationality", "count", "employer", "site", "income_earning", "sector"})
        nationality = _country(item.get("nationality"), f"{path}.nationality")
        if nationality is None:
            raise FieldError(f"{path}.nationality", "missing value")
        labour.append(
            LabourEntry(
                nationality=nationality,
                count=_count(item.get("count"), f"{path}.count"),
                employer=_text(item.get("employer"), f"{path}.employer"),
                site=_text(item.get("site"), f"{path}.site"),
                income_earning=_bool(item.get("income_earning"), f"{path}.income_earning", default=True),
                sector=_text(item.get("sector"), f"{path}.sector"),
            )
        )
        if item.get("employer"):
            parties.append(_party({"name": item["employer"], "role": "employer"}, f"{path}.employer"))
    ventures = []
    for i, entry in enumerate(_list(data.get("joint_ventures"), "joint_ventures")):
        item = _mapping(entry, f"joint_ventures[{i}]")
        path = f"joint_ventures[{i}]"
        _check_keys(item, path, {"name", "partners", "project", "purpose", "status"})
        partners = tuple(
            _party(p, f"{path}.partners[{j}]", default_role="partner")
            for j, p in enumerate(_list(item.get("partners"), f"{path}.partners"))
        )
        parties.extend(partners)
        ventures.append(
            JointVenture(
                name=_text(item.get("name"), f"{path}.name", required=True),
                partners=partners,
                project=_text(item.get("project"), f"{path}.project")
                .casefold()
                .replace(" ", "_")
                .replace("-", "_"),
                purpose=_text(item.get("purpose"), f"{path}.purpose")
                .casefold()
                .replace(" ", "_")
                .replace("-", "_"),
                status=_text(item.get("status"), f"{path}.status"),
            )
        )
    services = []
    for i, entry in enumerate(_list(data.get("services"), "services")):
        item = _mapping(entry, f"services[{i}]")
        path = f"services[{i}]"
        _check_keys(item, path, {"kind", "location", "city", "provider", "description"})
        services.append(
            Service(
                kind=_choice(item.get("kind"), f"{path}.kind", SERVICE_KINDS, required=True),
                location=_country(item.get("location"), f"{path}.location"),
                city=_text(item.get("city"), f"{path}.city"),
                provider=_text(item.get("provider"), f"{path}.provider"),
                description=_text(item.get("description"), f"{path}.description"),
            )
        )
        if item.get("provider"):
            parties.append(_party({"name": item["provider"], "role": "provider"}, f"{path}.provider"))
    return Transaction(
        id=tx_id,
        type=tx_type,
        date=date,
        description=_text(data.get("description"), "description"),
        mode=_choice(data.get("mode"), "mode", MODES),
        origin=_country(data.get("origin"), "origin"),
        destination=_country(data.get("destination"), "destination"),
        parties=tuple(parties),
        goods=tuple(goods),
        vessels=tuple(vessels),
        loading=port_list("loading"),
        discharge=port_list("discharge"),
        transshipment=port_list("transshipment"),
        payment=payment,
        labour=tuple(labour),
        joint_ventures=tuple(ventures),
        services=tuple(services),
        evidence=_evidence(data.get("evidence"), "evidence"),
        us_nexus=_opt_bool(data.get("us_nexus"), "us_nexus"),
        eu_nexus=_opt_bool(data.get("eu_nexus"), "eu_nexus"),
        uk_nexus=_opt_bool(data.get("uk_nexus"), "uk_nexus"),
    )


def parse_transaction(
    data: Mapping[str, Any], hs: Nomenclature, *, source: str = "<input>", where: str = ""
) -> Transaction:
    """Parse one transaction; bad input raises ParseError(source, "where, field X", message)."""
    try:
        return build_transaction(data, hs)
    except FieldError as exc:
        place = f"{where}, field {exc.field}" if where else f"field {exc.field}"
        raise ParseError(source, place, exc.message) from None

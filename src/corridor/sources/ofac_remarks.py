"""Facts OFAC writes as labelled text: the sdn.csv "Remarks" field and sdnList `idList`.

The legacy CSV keeps almost everything except names and addresses in one
`Remarks` string of `;`-separated segments, each "LABEL VALUE":

    DOB 25 Jan 1969; POB Klimovsk, Russia; Gender Male; Passport M00021291
    (South Africa) issued 04 May 2010 expires 03 May 2020; a.k.a. 'KOMID';
    Linked To: VELMUR MANAGEMENT PTE LTD.

The sdnList XML puts the same labels in `idList/id/idType` ("Passport",
"SWIFT/BIC", "Secondary sanctions risk:", "Gender", "Organization Established
Date"...), so both parsers share the label table here (`RemarkFacts.add_labelled`).

Facts checked against the shared files (sdn.csv 2021-04/2021-07/2024-05-03,
cons_prim.csv 2025-12, consolidated.xml 2026-01-08):
* remarks a.k.a./f.k.a. names are exactly OFAC's *weak* aliases (the XML
  `category=weak` ones); strong aliases live in alt.csv / akaList.  So remark
  aliases become NameKind.WEAK_ALIAS (f.k.a. -> FORMER with note "weak").
* a quoted alias may itself contain quotes (`a.k.a. 'LLC 'DSD''`) but no quoted
  text contains `;`, so segments are split on `;` and an alias is the whole
  segment minus the outer quotes.
* the whole remark ends with one `.`; when the last value ends in a dotted
  abbreviation ("S.A.", "CO., LTD.") that dot is the abbreviation's own.
* the field is cut at 1000 characters; the CSV sets carry the rest in
  *_comments.csv.  A cut remark's last segment is kept as a note, unparsed.
Anything not recognised is kept in `notes`, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from corridor.model import DateSpec, Entity, Identifier, Name, NameKind, make_name
from corridor.types.countries import to_code
from corridor.types.dates import parse_date

REMARKS_FIELD_LIMIT = 1000  # sdn.csv cuts Remarks here; the overflow goes to *_comments.csv


@dataclass(slots=True)
class RemarkFacts:
    """Everything recognised in one remark (or one XML idList), plus the rest as notes."""

    names: list[Name] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    birth_dates: list[DateSpec] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO alpha-2
    citizenships: list[str] = field(default_factory=list)  # ISO alpha-2
    countries: list[str] = field(default_factory=list)  # other links (registration...)
    gender: str = ""
    titles: list[str] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    properties: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_property(self, key: str, value: str) -> None:
        value = " ".join(value.split())
        if value:
            values = self.properties.setdefault(key, [])
            if value not in values:
                values.append(value)

    def add_labelled(
        self, label: str, value: str, country: str = "", issued: str = "", expires: str = ""
    ) -> None:
        """One "LABEL VALUE" fact (an XML id or a parsed remark segment)."""
        _apply_label(self, label, value, country, issued, expires)


# --- countries ------------------------------------------------------------------

_COUNTRY_FIXES = (
    (re.compile(r"^(?:Region:\s*|possibly\s+)", re.IGNORECASE), ""),
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"^St\.?\s+", re.IGNORECASE), "Saint "),
    (re.compile(r"\bd\s+(?=Ivoire)", re.IGNORECASE), "d'"),
)


def country_code(text: str) -> str | None:
    """ISO alpha-2 for a country as OFAC writes it ("Korea, North", "Bahamas, The",
    "St. Kitts & Nevis", "Region: Crimea", "Cote d Ivoire"), None if not a country."""
    text = " ".join(text.split()).strip(" .")
    if not text:
        return None
    code = to_code(text)
    if code:
        return code
    fixed = text
    for pattern, repl in _COUNTRY_FIXES:
        fixed = pattern.sub(repl, fixed)
    code = to_code(fixed)
    if code:
        return code
    # "Congo, Republic of the" / "North Macedonia, The Republic of": try "B A" and "A".
    if "," in fixed:
        head, tail = (part.strip() for part in fixed.split(",", 1))
        return to_code(f"{tail} {head}") or to_code(head)
    return None


# --- labels ---------------------------------------------------------------------

# OFAC label (as written, compared case-insensitively without trailing ":" / "-")
# -> (kind, argument).  Kinds: id:<type> (Identifier), prop:<key> (property),
# and the special handlers named in _apply_label.
_LABELS: dict[str, tuple[str, str]] = {}


def _register(kind: str, *labels: str) -> None:
    for label in labels:
        _LABELS[_label_key(label)] = (kind, label)


def _label_key(label: str) -> str:
    return " ".join(label.split()).rstrip(" :-").casefold()


_register(
    "id:passport",
    "Passport",
    "Diplomatic Passport",
    "British National Overseas Passport",
    "Travel Document Number",
    "Refugee ID Card",
)
_register(
    "id:national_id",
    "National ID No.",
    "Cedula No.",
    "C.U.R.P.",
    "D.N.I.",
    "Personal ID Card",
    "Kenyan ID No.",
    "Turkish Identification Number",
    "National Foreign ID Number",
    "Numero de Identidad",
    "Tazkira National ID Card",
    "Citizen's Card Number",
    "Residency Number",
    "C.U.I.",
    "C.U.I.P.",
    "I.F.E.",
    "Credencial electoral",
    "Electoral Registry No.",
    "Identification Number",
    "Birth Certificate Number",
    "Social Security Number",
    "SSN",
    "Driver's License No.",
    "Cartilla de Servicio Militar Nacional",
    "VisaNumberID",
    "Stateless Person ID Card",
    "Stateless Person Passport",
    "N.I.E.",
    "CNP (Personal Numerical Code)",
    "Romanian Permanent Resident CAN",
)
_register(
    "id:tax_id",
    "Tax ID No.",
    "R.F.C.",
    "NIT #",
    "RUC #",
    "C.U.I.T.",
    "V.A.T. Number",
    "US FEIN",
    "Italian Fiscal Code",
    "Fiscal Code",
    "RTN",
    "RFC",
    "RIF #",
    "Paraguayan tax identification number",
    "Romanian Tax Registration",
    "C.I.F.",
    "Numero Unico de Identificacao Tributaria (NUIT)",
)
_register(
    "id:registration",
    "Registration Number",
    "Registration ID",
    "Government Gazette Number",
    "Company Number",
    "UK Company Number",
    "Business Registration Number",
    "Business Registration Document #",
    "Business Number",
    "Commercial Registry Number",
    "Folio Mercantil No.",
    "Matricula Mercantil No",
    "C.R. No.",
    "Trade License No.",
    "Chamber of Commerce Number",
    "Istanbul Chamber of Comm. No.",
    "Dubai Chamber of Commerce Membership No.",
    "Public Registration Number",
    "Legal Entity Number",
    "Unified Social Credit Code (USCC)",
    "United Social Credit Code Certificate (USCCC)",
    "Economic Register Number (CBLS)",
    "Central Registration System Number",
    "Certificate of Incorporation Number",
    "Enterprise Number",
    "Branch Unit Number",
    "Registered Charity No.",
    "D-U-N-S Number",
    "LE Number",
    "License",
    "Permit Number",
    "File Number",
    "BIK (RU)",
    "Chinese Commercial Code",
    "Romanian C.R.",
)
_register("id:swift", "SWIFT/BIC")
_register("id:mmsi", "MMSI")
_register("id:email", "Email Address", "Email")
_register("id:website", "Website")
_register("id:phone", "Phone", "Phone Number", "Telephone", "Telephone No.", "Fax", "Fax No.")
_register(
    "id:aircraft_serial",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Construction Number (also called L/N or S/N or F/N)",
    "Aircraft Serial Identification",
)
_register("id:aircraft_registration", "Aircraft Tail Number", "Previous Aircraft Tail Number")
_register("id:other", "ISIN", "Aircraft Mode S Transponder Code")
_register("crypto", "Digital Currency Address")
_register("imo", "Vessel Registration Identification", "IMO")
_register("dob", "DOB", "Date of Birth")
_register("pob", "POB", "Place of Birth")
_register("nationality", "nationality")
_register("citizenship", "citizen", "citizenship")
_register("jurisdiction", "Nationality of Registration")
_register("gender", "Gender")
_register("linked", "Linked To")
_register("title", "Title")
_register("flag", "Vessel Flag", "Other Vessel Flag")
_register("past_flag", "Former Vessel Flag")
_register("date:buildDate", "Vessel Year of Build", "Aircraft Manufacture Date")
_register("date:incorporationDate", "Organization Established Date")
_register("prop:type", "Vessel Type", "Other Vessel Type")
_register("prop:callSign", "Vessel Call Sign", "Call Sign")
_register("prop:model", "Aircraft Model")
_register("prop:operator", "Aircraft Operator")
_register("prop:sector", "Organization Type")
_register("prop:classification", "Target Type")
_register("prop:ticker", "Equity Ticker")
_register("prop:issuerName", "Issuer Name")
_register("prop:unLocode", "UN/LOCODE")
_register("prop:secondarySanctionsRisk", "Secondary sanctions risk")
_register(
    "prop:prohibitedTransactions",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions",
)
_register("prop:additionalSanctionsInformation", "Additional Sanctions Information")

# Directive / program information keeps its label: the label carries the meaning
# ("Listing Date (EO 14024 Directive 2): 24 Feb 2022").
_SANCTIONS_INFO_RE = re.compile(
    r"^(?:Executive Order \d+ [^:]*?(?:information|Directive Determination|Directive Information)"
    r"|(?:Listing|Effective) Date \([^)]*\)"
    r"|Purchase/Sales For Divestment Date \([^)]*\)"
    r"|CAATSA Section \d+ Information"
    r"|IFCA Determination)\s*[:-]?",
    re.IGNORECASE,
)
# Unknown "... No. / Number / ID / Code / #" labels: still an identifier, typed "other".
_GENERIC_ID_RE = re.compile(
    r"^(?P<label>[A-Z][\w.'/&() -]{1,60}?(?:No\.?|Number|ID|Code|#))\s*:?\s+(?P<value>(?=.*\d).+)$"
)
_ALIAS_RE = re.compile(r"^(?P<kind>[afn])\.k\.a\.,?\s*(?P<name>.*)$", re.IGNORECASE)
_LINKED_PAREN_RE = re.compile(r"^\(Linked To:\s*(?P<name>.*)\)$", re.IGNORECASE)
_ALT_RE = re.compile(r"^alt\.\s+", re.IGNORECASE)
_ABBREV_END_RE = re.compile(r"(?:\b[A-Za-z]\.)+$|\b(?:LTD|LTDA|CO|CORP|INC|Ltd|Ltda|Co|Corp|Inc)\.$")
# "M0018061/104,issued 12 September 1993", "... (Russia) issued 2009 expires 2019"
_ID_VALUE_RE = re.compile(
    r"^(?P<value>.*?)"
    r"(?P<parens>(?:\s*\([^()]*\))*)"
    r"(?:[\s,]+issued\s+(?P<issued>.*?))?"
    r"(?:[\s,]+expires\s+(?P<expires>.*?))?\s*$",
    re.IGNORECASE,
)
_PLAIN_LABELS = {
    "passport",
    "swift/bic",
    "email address",
    "website",
    "mmsi",
    "phone number",
    "tax id no.",
    "national id no.",
    "imo",
}
_IMO_RE = re.compile(r"^IMO\s*\d{7}\b.*$", re.IGNORECASE)
_CRYPTO_RE = re.compile(r"^(?P<currency>[A-Za-z0-9]{2,8})\s+(?P<address>\S+)$")
_YEAR_SPAN_RE = re.compile(r"\b(\d{4})\s*-\s*(\d{4})\b")


@lru_cache(maxsize=1)
def _label_re() -> re.Pattern[str]:
    """All labels, longest first, so the first alternative that matches is the longest."""
    keys = sorted(_LABELS, key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(k) for k in keys) + r")(?=$|[\s:#-])", re.IGNORECASE)


def _split_label(segment: str) -> tuple[str, tuple[str, str], str] | None:
    """The longest known label that starts `segment`: (label as written, spec, value)."""
    match = _label_re().match(segment)
    if match is None:
        return None
    label = match.group(0)
    return label, _LABELS[_label_key(label)], segment[match.end() :].lstrip(" :-").strip()


def _date(text: str) -> DateSpec | None:
    text = _YEAR_SPAN_RE.sub(r"\1 to \2", text)  # "circa 1979-1982"
    return parse_date(text, day_first=True)


def _add_unique(items: list[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


def _add_identifier(facts: RemarkFacts, ident: Identifier) -> None:
    for known in facts.identifiers:
        if (known.type, known.value, known.country) == (ident.type, ident.value, ident.country):
            return
    facts.identifiers.append(ident)


def _identifier(
    facts: RemarkFacts,
    id_type: str,
    label: str,
    value: str,
    country: str = "",
    issued: str = "",
    expires: str = "",
) -> None:
    """An identifier; in a remark the value may carry "(Country) issued D expires D"."""
    notes: list[str] = []
    if not (country or issued or expires) and id_type not in ("email", "website", "other"):
        match = _ID_VALUE_RE.match(value)
        if match and match.group("value").strip():
            value = match.group("value").strip(" ,")
            issued = (match.group("issued") or "").strip()
            expires = (match.group("expires") or "").strip()
            for paren in re.findall(r"\(([^()]*)\)", match.group("parens") or ""):
                if not country and country_code(paren):
                    country = paren
                else:
                    notes.append(f"({paren})")
    code = ""
    if country:
        code = country_code(country) or ""
        if not code:
            notes.append(f"country: {country}")
    if label.casefold().rstrip(" :-") not in _PLAIN_LABELS:
        notes.insert(0, label.rstrip(" :-"))
    if issued:
        notes.append(f"issued {issued}")
    if expires:
        notes.append(f"expires {expires}")
    value = " ".join(value.split())
    if not value:
        return
    _add_identifier(facts, Identifier(id_type, value, code, "; ".join(notes)))


def _crypto(facts: RemarkFacts, value: str) -> None:
    """ "XBT 12QtD5BF..." -> the address, with the currency in the note."""
    match = _CRYPTO_RE.match(value)
    if match:
        note = f"Digital Currency Address - {match.group('currency')}"
        _add_identifier(facts, Identifier("other", match.group("address"), "", note))
    elif value:
        _add_identifier(facts, Identifier("other", value, "", "Digital Currency Address"))


def _apply_label(facts: RemarkFacts, label: str, value: str, country: str, issued: str, expires: str) -> None:
    key = _label_key(label)
    value = " ".join(value.split())
    if key.startswith("digital currency address"):  # XML: "Digital Currency Address - XBT"
        currency = label.strip()[len("Digital Currency Address") :].strip(" -:")
        _crypto(facts, f"{currency} {value}".strip())
        return
    spec = _LABELS.get(key)
    if spec is None:
        if _SANCTIONS_INFO_RE.match(label.strip()):
            facts.add_property("sanctionsInformation", f"{label.strip()} {value}")
        else:
            _identifier(facts, "other", label, value, country, issued, expires)
        return
    kind, canonical = spec
    if kind.startswith("id:") and (imo := _IMO_RE.match(value)):
        kind, value = "imo", imo.group(0)  # "Identification Number IMO 6040603"
    if kind == "crypto":
        _crypto(facts, value)
    elif kind.startswith("id:"):
        _identifier(facts, kind[3:], label, value, country, issued, expires)
    elif kind.startswith("prop:"):
        facts.add_property(kind[5:], value)
    elif kind.startswith("date:"):
        spec_date = _date(value)
        plain = spec_date and not spec_date.end and not spec_date.approximate
        facts.add_property(kind[5:], spec_date.start if spec_date and plain else value)
    elif kind == "imo":
        match = re.match(r"^IMO\s*(\d{7})\b\s*(.*)$", value, re.IGNORECASE)
        if match:
            _identifier(facts, "imo", "IMO", match.group(1) + " " + match.group(2), country, issued, expires)
        else:  # "RS 150443 (Russia)", a bare number: a national vessel registration
            _identifier(facts, "registration", canonical, value, country, issued, expires)
    elif kind == "dob":
        date = _date(value)
        if date:
            if date not in facts.birth_dates:
                facts.birth_dates.append(date)
        else:
            facts.notes.append(f"{canonical} {value}")
    elif kind == "pob":
        _add_unique(facts.birth_places, value)
    elif kind in ("nationality", "citizenship", "jurisdiction", "flag", "past_flag"):
        code = country_code(value)
        if not code:
            facts.notes.append(f"{canonical} {value}")
            return
        if kind == "nationality":
            _add_unique(facts.nationalities, code)
        elif kind == "citizenship":
            _add_unique(facts.citizenships, code)
        elif kind == "jurisdiction":
            _add_unique(facts.countries, code)
            facts.add_property("jurisdiction", code)
        elif kind == "flag":
            facts.add_property("flag", code)
        else:
            facts.add_property("pastFlags", code)
        if value.casefold().startswith("possibly"):
            facts.notes.append(f"{canonical} {value}")
    elif kind == "gender":
        gender = value.casefold()
        if gender in ("male", "female"):
            facts.gender = gender
        else:
            facts.notes.append(f"Gender {value}")
    elif kind == "linked":
        _add_unique(facts.linked_to, value)
    elif kind == "title":
        _add_unique(facts.titles, value)


def _split_segments(text: str) -> list[str]:
    """Split on ";" and drop the remark's closing "." (unless it ends an abbreviation)."""
    segments = [" ".join(part.split()) for part in text.split(";")]
    segments = [seg for seg in segments if seg]
    if segments:
        last = segments[-1]
        if last.endswith(".") and not _ABBREV_END_RE.search(last):
            segments[-1] = last[:-1].rstrip()
    return [seg for seg in segments if seg]


def person_name(text: str, kind: NameKind = NameKind.PRIMARY, note: str = "") -> Name | None:
    """OFAC "LAST, First Middle[, Jr.]" -> Name("First Middle LAST[ Jr.]", given, family);
    a name without a comma (a mononym, a nickname) is kept whole."""
    if "," not in text:
        return make_name(text, kind, note=note)
    family, rest = (part.strip() for part in text.split(",", 1))
    suffix = ""
    if "," in rest:
        rest, suffix = (part.strip() for part in rest.split(",", 1))
    if not rest or not family:
        return make_name(text, kind, note=note)
    full = " ".join(part for part in (rest, family, suffix) if part)
    return make_name(full, kind, given=rest, family=family, note=note)


def _alias(facts: RemarkFacts, kind_letter: str, raw: str) -> bool:
    raw = raw.strip()
    if len(raw) < 2 or not (raw.startswith("'") and raw.endswith("'")):
        return False
    text = raw[1:-1]
    # Remark names are OFAC's weak ones: WEAK_ALIAS, or FORMER noted "weak" (as the XML
    # parser notes a weak f.k.a.); "now known as" is kept as a weak alias with its label.
    kind = NameKind.FORMER if kind_letter == "f" else NameKind.WEAK_ALIAS
    note = {"f": "weak", "n": "n.k.a."}.get(kind_letter, "")
    name = make_name(text, kind, note=note)
    if name and name not in facts.names:
        facts.names.append(name)
    return name is not None


def parse_segment(facts: RemarkFacts, segment: str) -> None:
    """Add one remark segment's facts to `facts` (unknown text goes to notes)."""
    body = _ALT_RE.sub("", segment)
    if match := _ALIAS_RE.match(body):
        if not _alias(facts, match.group("kind").lower(), match.group("name")):
            facts.notes.append(segment)
        return
    if match := _LINKED_PAREN_RE.match(body):
        _add_unique(facts.linked_to, match.group("name").strip())
        return
    found = _split_label(body)
    if found is not None:
        label, _spec, value = found
        if value:
            _apply_label(facts, label, value, "", "", "")
            return
    if match := _SANCTIONS_INFO_RE.match(body):
        facts.add_property("sanctionsInformation", body)
        return
    if match := _GENERIC_ID_RE.match(body):
        _identifier(facts, "other", match.group("label"), match.group("value"))
        return
    if segment.endswith(".") and not _ABBREV_END_RE.search(segment):
        segment = segment[:-1].rstrip()  # a sentence's full stop, not part of the fact
    facts.notes.append(segment)


def parse_remarks(text: str, *, truncated: bool = False) -> RemarkFacts:
    """All facts in an OFAC remark.  `truncated`: the text was cut (1000-character
    limit, no overflow file), so its last segment is kept as a note, unparsed."""
    facts = RemarkFacts()
    text = text.strip()
    if not text or text == "-0-":
        return facts
    segments = _split_segments(text) if not truncated else [s.strip() for s in text.split(";") if s.strip()]
    if truncated and segments:
        facts.notes.append(f"[remarks cut at {REMARKS_FIELD_LIMIT} characters] {segments.pop()}")
    for segment in segments:
        parse_segment(facts, segment)
    return facts


def apply_facts(entity: Entity, facts: RemarkFacts) -> None:
    """Merge `facts` into `entity` without duplicating what it already has.
    A person's remark alias written "LAST, First" is put in natural order."""
    for name in facts.names:
        if entity.schema == "Person" and not name.family and name.full.count(",") == 1:
            name = person_name(name.full, name.kind, name.note) or name
        if name not in entity.names:
            entity.names.append(name)
    for ident in facts.identifiers:
        if not any(
            (known.type, known.value, known.country) == (ident.type, ident.value, ident.country)
            for known in entity.identifiers
        ):
            entity.identifiers.append(ident)
    for date in facts.birth_dates:
        if date not in entity.birth_dates:
            entity.birth_dates.append(date)
    for place in facts.birth_places:
        _add_unique(entity.birth_places, place)
    for code in (*facts.nationalities, *facts.citizenships):
        _add_unique(entity.nationalities, code)
    for code in facts.citizenships:
        entity.add_property("citizenship", code)
    for code in facts.countries:
        _add_unique(entity.countries, code)
    if facts.gender and not entity.gender:
        entity.gender = facts.gender
    for title in facts.titles:
        _add_unique(entity.titles, title)
    for linked in facts.linked_to:
        _add_unique(entity.linked_to, linked)
    for key, values in facts.properties.items():
        for value in values:
            entity.add_property(key, value)
    # sdn.csv repeats the Title column inside Remarks (a title may itself hold ";").
    title_parts = {part.strip().rstrip(".") for title in entity.titles for part in title.split(";")}
    for note in facts.notes:
        if note.rstrip(".") not in title_parts:
            _add_unique(entity.notes, note)

"""parse_remarks on real OFAC remark strings (copied verbatim from the shared sdn.csv files;
`test_samples_are_verbatim_from_the_files` proves each one is in its file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.model import DateSpec, Entity, Identifier, NameKind
from corridor.sources.ofac_remarks import apply_facts, country_code, parse_remarks, person_name

# (file under ofac/, ent_num, remarks) — the Remarks field of that row, as in the file.
KOMID = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "9345",
    "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; "
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: North Korea "
    "Sanctions Regulations section 510.214; a.k.a. 'KOMID'.",
)
ALIS = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "48260",
    "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; "
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: North Korea "
    "Sanctions Regulations section 510.214; Organization Established Date 30 Sep 2016; Tax ID No. "
    "2543103179 (Russia); Registration Number 1162536087230 (Russia); a.k.a. 'ALIAS LLC'; a.k.a. "
    "'ALIS LLC'; Linked To: CHINYONG INFORMATION TECHNOLOGY COOPERATION COMPANY.",
)
FAR_EASTERN_BANK = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "37517",
    "SWIFT/BIC FAEBRU8V; BIK (RU) 040507705; Secondary sanctions risk: North Korea Sanctions "
    "Regulations, sections 510.201 and 510.210; Transactions Prohibited For Persons Owned or Controlled "
    "By U.S. Financial Institutions: North Korea Sanctions Regulations section 510.214; Tax ID No. "
    "2540016961 (Russia); Legal Entity Number 253400YGH90JM0RMLU50 (Russia); Registration Number "
    "1022500000786 (Russia).",
)
CHONG_CHON_GANG = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "17069",
    "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; "
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: North Korea "
    "Sanctions Regulations section 510.214; Vessel Registration Identification IMO 7937317.",
)
ARTAVIL = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "15036",
    "Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; alt. Former Vessel Flag None Identified; "
    "alt. Former Vessel Flag Tanzania; Additional Sanctions Information - Subject to Secondary Sanctions; "
    "Vessel Registration Identification IMO 9187629; MMSI 572469210; f.k.a. 'ALPHA'; Linked To: NATIONAL "
    "IRANIAN TANKER COMPANY.",
)
RI_SONG_UN = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "24997",
    "DOB 16 Dec 1955; POB N. Hwanghae, North Korea; nationality Korea, North; Gender Male; Secondary "
    "sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; Transactions "
    "Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: North Korea Sanctions "
    "Regulations section 510.214; Passport 836110063 (Korea, North) issued 04 Feb 2016 expires 04 Feb "
    "2021; Economic and Commercial Counsellor at DPRK Embassy in Mongolia.",
)
KOZLOV = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "37621",
    "DOB 31 May 1960; nationality Russia; citizen Russia; Gender Male; Secondary sanctions risk: North "
    "Korea Sanctions Regulations, sections 510.201 and 510.210; Transactions Prohibited For Persons Owned "
    "or Controlled By U.S. Financial Institutions: North Korea Sanctions Regulations section 510.214; "
    "Passport 723367854 (Russia) expires 04 Mar 2023; Linked To: JON, Jin Yong.",
)
NAQDI = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "12057",
    "DOB 1951 to 1953; alt. DOB 1960 to 1962; alt. DOB Apr 1961; alt. DOB 1953; POB Najaf, Iraq; alt. POB "
    "Tehran, Iran; nationality Iran; Additional Sanctions Information - Subject to Secondary Sanctions; "
    "Gender Male; Brigadier General and Commander of the IRGC Basij Resistance Force; President of the "
    "Organization of the Basij of the Oppressed; Chief of the Mobilization of the Oppressed Organization; "
    "Head of the Basij.",
)
KIM_YONG_CHOL = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "12211",
    "DOB circa 1947; alt. DOB circa 1946; POB Pyongan-Pukto, North Korea; Secondary sanctions risk: North "
    "Korea Sanctions Regulations, sections 510.201 and 510.210; Transactions Prohibited For Persons Owned "
    "or Controlled By U.S. Financial Institutions: North Korea Sanctions Regulations section 510.214.",
)
AIRCRAFT = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "18150",
    "Aircraft Manufacture Date 2002; Aircraft Model Airbus A340-642; Aircraft Manufacturer's Serial Number "
    "(MSN) 391; Aircraft Tail Number EP-MMH; Additional Sanctions Information - Subject to Secondary "
    "Sanctions; Linked To: MAHAN AIR.",
)
RDIF = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "34337",
    "Website www.rdif.ru; alt. Website www.investinrussia.com; Organization Established Date 11 Apr 2017; "
    "Organization Type: Trusts, funds and similar financial entities; Target Type Financial Institution; "
    "alt. Target Type State-Owned Enterprise; Tax ID No. 7703425673 (Russia); Government Gazette Number "
    "15110384 (Russia); Registration Number 1177746367017 (Russia); a.k.a. 'JSC MC RDIF'; a.k.a. 'AO UK "
    "RFPI'.",
)
ESFAHAN = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "25064",
    "Website www.en.msc.ir; Additional Sanctions Information - Subject to Secondary Sanctions; Executive "
    "Order 13846 information: LOANS FROM UNITED STATES FINANCIAL INSTITUTIONS.  Sec. 5(a)(i); alt. "
    "Executive Order 13846 information: FOREIGN EXCHANGE.  Sec. 5(a)(ii); alt. Executive Order 13846 "
    "information: BANKING TRANSACTIONS.  Sec. 5(a)(iii); alt. Executive Order 13846 information: BLOCKING "
    "PROPERTY AND INTERESTS IN PROPERTY.  Sec. 5(a)(iv); alt. Executive Order 13846 information: BAN ON "
    "INVESTMENT IN EQUITY OR DEBT OF SANCTIONED PERSON.  Sec. 5(a)(v); alt. Executive Order 13846 "
    "information: SANCTIONS ON PRINCIPAL EXECUTIVE OFFICERS. Sec. 5(a)(vii); National ID No. 10260289464 "
    "(Iran); Commercial Registry Number 411175869887 (Iran); Linked To: MEHR-E EQTESAD-E IRANIAN "
    "INVESTMENT COMPANY.",
)
CHEIL = (
    "sdn_csv_only_2024-05-03/sdn.csv",
    "22985",
    "SWIFT/BIC KYCBKPPY; Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and "
    "510.210; Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions: "
    "North Korea Sanctions Regulations section 510.214; f.k.a. 'KYONGYONG CREDIT BANK'.",
)
SAMPLES = (
    KOMID,
    ALIS,
    FAR_EASTERN_BANK,
    CHONG_CHON_GANG,
    ARTAVIL,
    RI_SONG_UN,
    KOZLOV,
    NAQDI,
    KIM_YONG_CHOL,
    AIRCRAFT,
    RDIF,
    ESFAHAN,
    CHEIL,
)


def _ids(text: str) -> set[tuple[str, str, str]]:
    return {(i.type, i.value, i.country) for i in parse_remarks(text).identifiers}


def test_samples_are_verbatim_from_the_files(shared_data: Path) -> None:
    import csv

    wanted = {(name, ent): text for name, ent, text in SAMPLES}
    for name in {name for name, _, _ in SAMPLES}:
        with open(shared_data / "ofac" / name, encoding="ascii", newline="") as handle:
            for row in csv.reader(line for line in handle if line[:1].isdigit()):
                if (name, row[0]) in wanted:
                    assert row[11] == wanted.pop((name, row[0]))
    assert not wanted, f"samples not found in their files: {sorted(wanted)}"


def test_komid_weak_alias_and_sanctions_flags() -> None:
    facts = parse_remarks(KOMID[2])
    assert [(n.full, n.kind) for n in facts.names] == [("KOMID", NameKind.WEAK_ALIAS)]
    assert facts.properties["secondarySanctionsRisk"] == [
        "North Korea Sanctions Regulations, sections 510.201 and 510.210"
    ]
    assert facts.properties["prohibitedTransactions"] == ["North Korea Sanctions Regulations section 510.214"]
    assert facts.notes == []


def test_llc_alis_russian_ids_aliases_and_link() -> None:
    facts = parse_remarks(ALIS[2])
    assert _ids(ALIS[2]) == {("tax_id", "2543103179", "ru"), ("registration", "1162536087230", "ru")}
    assert [n.full for n in facts.names] == ["ALIAS LLC", "ALIS LLC"]
    assert all(n.kind is NameKind.WEAK_ALIAS for n in facts.names)
    assert facts.properties["incorporationDate"] == ["2016-09-30"]
    # The closing "." of the remark is not part of the linked name.
    assert facts.linked_to == ["CHINYONG INFORMATION TECHNOLOGY COOPERATION COMPANY"]


def test_far_eastern_bank_swift_and_registry_numbers() -> None:
    facts = parse_remarks(FAR_EASTERN_BANK[2])
    ids = {(i.type, i.value, i.country): i.note for i in facts.identifiers}
    assert ("swift", "FAEBRU8V", "") in ids
    assert ("tax_id", "2540016961", "ru") in ids
    assert ids[("registration", "253400YGH90JM0RMLU50", "ru")] == "Legal Entity Number"
    assert ids[("registration", "040507705", "")] == "BIK (RU)"
    assert ("registration", "1022500000786", "ru") in ids


def test_vessel_imo() -> None:
    assert _ids(CHONG_CHON_GANG[2]) == {("imo", "7937317", "")}


def test_vessel_flags_mmsi_and_former_name() -> None:
    facts = parse_remarks(ARTAVIL[2])
    assert _ids(ARTAVIL[2]) == {("imo", "9187629", ""), ("mmsi", "572469210", "")}
    assert facts.properties["pastFlags"] == ["mt", "tv", "tz"]
    assert "Former Vessel Flag None Identified" in facts.notes  # not a country: kept, not dropped
    assert [(n.full, n.kind, n.note) for n in facts.names] == [("ALPHA", NameKind.FORMER, "weak")]
    assert facts.properties["additionalSanctionsInformation"] == ["Subject to Secondary Sanctions"]


def test_person_dob_pob_nationality_gender_passport() -> None:
    facts = parse_remarks(RI_SONG_UN[2])
    assert facts.birth_dates == [DateSpec("1955-12-16")]
    assert facts.birth_places == ["N. Hwanghae, North Korea"]
    assert facts.nationalities == ["kp"]
    assert facts.gender == "male"
    assert facts.identifiers == [
        Identifier("passport", "836110063", "kp", "issued 04 Feb 2016; expires 04 Feb 2021")
    ]
    assert facts.notes == ["Economic and Commercial Counsellor at DPRK Embassy in Mongolia"]


def test_russian_national_citizenship_and_linked_person() -> None:
    facts = parse_remarks(KOZLOV[2])
    assert facts.nationalities == ["ru"] and facts.citizenships == ["ru"]
    assert facts.identifiers == [Identifier("passport", "723367854", "ru", "expires 04 Mar 2023")]
    assert facts.linked_to == ["JON, Jin Yong"]


def test_dob_ranges_months_and_several_places() -> None:
    facts = parse_remarks(NAQDI[2])
    assert facts.birth_dates == [
        DateSpec("1951", "1953", False, "1951 to 1953"),
        DateSpec("1960", "1962", False, "1960 to 1962"),
        DateSpec("1961-04"),
        DateSpec("1953"),
    ]
    assert facts.birth_places == ["Najaf, Iraq", "Tehran, Iran"]
    assert facts.properties["additionalSanctionsInformation"] == ["Subject to Secondary Sanctions"]
    assert len(facts.notes) == 4  # the positions are not facts we model: kept as notes


def test_circa_dates_are_approximate() -> None:
    facts = parse_remarks(KIM_YONG_CHOL[2])
    assert [(d.start, d.approximate) for d in facts.birth_dates] == [("1947", True), ("1946", True)]


def test_aircraft_facts() -> None:
    facts = parse_remarks(AIRCRAFT[2])
    ids = {(i.type, i.value) for i in facts.identifiers}
    assert ids == {("aircraft_serial", "391"), ("aircraft_registration", "EP-MMH")}
    assert facts.properties["model"] == ["Airbus A340-642"]
    assert facts.properties["buildDate"] == ["2002"]
    assert facts.linked_to == ["MAHAN AIR"]


def test_russia_company_websites_types_and_aliases() -> None:
    facts = parse_remarks(RDIF[2])
    assert {i.value for i in facts.identifiers if i.type == "website"} == {
        "www.rdif.ru",
        "www.investinrussia.com",
    }
    assert facts.properties["sector"] == ["Trusts, funds and similar financial entities"]
    assert facts.properties["classification"] == ["Financial Institution", "State-Owned Enterprise"]
    assert facts.properties["incorporationDate"] == ["2017-04-11"]
    assert [n.full for n in facts.names] == ["JSC MC RDIF", "AO UK RFPI"]
    assert facts.notes == []


def test_executive_order_13846_information_kept_with_label() -> None:
    facts = parse_remarks(ESFAHAN[2])
    info = facts.properties["sanctionsInformation"]
    assert len(info) == 6
    assert (
        info[0]
        == "Executive Order 13846 information: LOANS FROM UNITED STATES FINANCIAL INSTITUTIONS. Sec. 5(a)(i)"
    )
    assert ("registration", "411175869887", "ir") in _ids(ESFAHAN[2])
    assert ("national_id", "10260289464", "ir") in _ids(ESFAHAN[2])


def test_fka_is_former_name() -> None:
    facts = parse_remarks(CHEIL[2])
    assert [(n.full, n.kind) for n in facts.names] == [("KYONGYONG CREDIT BANK", NameKind.FORMER)]
    assert ("swift", "KYCBKPPY", "") in _ids(CHEIL[2])


def test_alias_with_inner_quotes_and_abbreviation_at_end() -> None:
    # From cons_prim.csv 22387 / 2024 sdn.csv link patterns: quotes inside the alias, and a
    # final linked name whose own abbreviation dot ends the remark.
    facts = parse_remarks("a.k.a. 'LLC 'DSD''; Linked To: TRILIANCE PETROCHEMICAL CO. LTD.")
    assert [n.full for n in facts.names] == ["LLC 'DSD'"]
    assert facts.linked_to == ["TRILIANCE PETROCHEMICAL CO. LTD."]


def test_truncated_remark_keeps_the_cut_segment_as_note() -> None:
    text = "DOB 12 Jul 1986; a.k.a. 'tianyinyin0404'; a.k.a. 'snowsjo"
    facts = parse_remarks(text, truncated=True)
    assert [n.full for n in facts.names] == ["tianyinyin0404"]
    assert facts.notes == ["[remarks cut at 1000 characters] a.k.a. 'snowsjo"]


def test_unknown_segments_are_kept() -> None:
    facts = parse_remarks("ICTY indictee; Individual's height is 6 feet 2 inches.")
    assert facts.notes == ["ICTY indictee", "Individual's height is 6 feet 2 inches"]


def test_empty_and_null_remarks() -> None:
    assert parse_remarks("-0- ") == parse_remarks("")
    assert parse_remarks("").notes == [] and parse_remarks("").names == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Korea, North", "kp"),
        ("Russia", "ru"),
        ("St. Kitts & Nevis", "kn"),
        ("Bahamas, The", "bs"),
        ("Congo, Republic of the", "cg"),
        ("Region: Gaza", "ps"),
        ("Cote d Ivoire", "ci"),
        ("North Macedonia, The Republic of", "mk"),
        ("None Identified", None),
        ("undetermined", None),
    ],
)
def test_country_code_for_ofac_spellings(text: str, code: str | None) -> None:
    assert country_code(text) == code


def test_person_name_natural_order() -> None:
    name = person_name("DELOS REYES, Feliciano Semborio, Jr.")
    assert name is not None
    assert (name.full, name.given, name.family) == (
        "Feliciano Semborio DELOS REYES Jr.",
        "Feliciano Semborio",
        "DELOS REYES",
    )
    mononym = person_name("ZULKARNAEN")
    assert mononym is not None and (mononym.full, mononym.family) == ("ZULKARNAEN", "")


def test_apply_facts_orders_person_alias_and_skips_title_repeat() -> None:
    entity = Entity("ofac:1", "ofac-sdn", "Person", titles=["Consul General, Shenyang, China"])
    apply_facts(entity, parse_remarks("Consul General, Shenyang, China; a.k.a. 'ZAHAR, Mahmoud'."))
    assert entity.notes == []
    assert [(n.full, n.given, n.family) for n in entity.names] == [("Mahmoud ZAHAR", "Mahmoud", "ZAHAR")]

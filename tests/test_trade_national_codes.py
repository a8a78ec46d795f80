"""National tariff codes (issue 15, item 1): TN VED, CN and HTS codes decide where the
HS 6-digit code cannot, rules may target a national subheading, and a national code
that is unknown or not under the line's HS code is an error or a REVIEW, never
ignored.  Expected verdicts are RULES.md's (quoted at each test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.errors import ParseError
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.products import vocabulary
from corridor.trade.rules import PACKS_DIR, Outcome, default_rulebook, load_rulebook
from corridor.trade.tariffs import CODE_DIGITS, SYSTEMS, load_table, tables
from corridor.trade.transaction import parse_transaction

P, C, R, OK = Outcome.PROHIBITED, Outcome.CAPPED_REPORTABLE, Outcome.REVIEW, Outcome.CLEAR
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@pytest.fixture(scope="module")
def evaluator(nomenclature: hs.Nomenclature, shared_data: Path) -> Evaluator:
    return Evaluator(default_rulebook(shared_data / "hs"), hs=nomenclature)


def tx(goods: dict[str, Any], **data: Any) -> dict[str, Any]:
    return {
        "id": "T",
        "type": "shipment",
        "date": "2024-03-01",
        "origin": "ru",
        "destination": "kp",
        "goods": [{"quantity": 100, "unit": "t", **goods}],
        "evidence": {"notification": "RU-1718-N-1"},
        **data,
    }


def check(ev: Evaluator, nomenclature: hs.Nomenclature, goods: dict[str, Any], **data: Any) -> Verdict:
    return ev.check(parse_transaction(tx(goods, **data), nomenclature), record=False)


def by_rule(verdict: Verdict) -> dict[str, set[Outcome]]:
    out: dict[str, set[Outcome]] = {}
    for reason in verdict.reasons:
        out.setdefault(reason.rule_id, set()).add(reason.outcome)
    return out


# --- the tables ------------------------------------------------------------------------


def test_every_table_entry_sits_under_hs_2022_and_names_known_products(shared_data: Path) -> None:
    codes = frozenset(hs.load(shared_data / "hs").entries)
    products = tuple(vocabulary().products)
    for system in SYSTEMS:
        table = load_table(PACKS_DIR / f"tariff_{system}.yaml", products, codes)
        assert table.system == system and table.verification == "U"  # none checked against an official copy
        assert {"11", "27", "72", "73", "84", "85", "87", "97"} <= set(table.chapters)
        for code in table.entries:
            assert len(code) in (8, 10)
        # the codes the rules need at national depth are there
        assert {e.product for e in table.entries.values()} >= {
            "jet_fuel",
            "lpg",
            "coal",
            "natural_gas",
            "crude",
        }


def test_each_tables_origin_is_recorded_in_the_docs() -> None:
    docs = (ROOT / "docs" / "trade.md").read_text(encoding="utf-8")
    for system in SYSTEMS:
        head = (PACKS_DIR / f"tariff_{system}.yaml").read_text(encoding="utf-8").split("system:")[0]
        head = " ".join(line.lstrip("# ") for line in head.splitlines())  # the comment as one text
        assert "ORIGIN:" in head and "NOT checked against" in head
        assert f"tariff_{system}.yaml" in docs
    assert "not checked against an official copy" in docs


def test_a_table_with_an_unknown_product_or_code_is_refused(tmp_path: Path, shared_data: Path) -> None:
    body = (
        "system: cn\ntitle: t\ndigits: [8]\nedition: e\nverification: U\nchapters: ['27']\n"
        "codes:\n  '27101921': {description: jet, product: jetfuel}\n"
    )
    path = tmp_path / "t.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ParseError, match=r"code 27101921, field product.*unknown product 'jetfuel'"):
        load_table(path, tuple(vocabulary().products))
    path.write_text(body.replace("jetfuel", "jet_fuel").replace("27101921", "27100021"), encoding="utf-8")
    with pytest.raises(ParseError, match="271000 is not an HS 2022 subheading"):
        load_table(path, tuple(vocabulary().products), frozenset(hs.load(shared_data / "hs").entries))


def test_a_ten_digit_code_under_an_eight_digit_group_is_read_at_the_group() -> None:
    tnved = tables()["tnved"]
    exact = tnved.lookup("2710192100")
    assert exact is not None and exact.code == "2710192100" and exact.product == "jet_fuel"
    group = tnved.lookup("2710194210")
    assert group is not None and group.code == "27101942" and group.product == "diesel"
    assert tnved.lookup("8479899700") is None


# --- the national code decides ---------------------------------------------------------

# RULES.md 2.3: "The HS 6-digit code cannot separate jet kerosene (2710.19) from diesel
# (2710.19), so the engine needs a **product descriptor / CN-level code**."  UN-2270-31:
# aviation fuel TO the DPRK "prohibited / exempt | **V**"; UN-2397-5: refined products
# "capped + reportable" (V).
DECIDES = [
    ({"tnved": "2710192100"}, P),  # TN VED: jet fuel (kerosene type)
    ({"tnved": "2710 19 421 0"}, C),  # TN VED: gas oil, sulphur <= 0.001 % (group 2710 19 42)
    ({"cn": "27101921"}, P),  # CN: kerosene, jet fuel
    ({"cn": "2710 19 43"}, C),  # CN: gas oils
    ({"cn": "27101231"}, P),  # CN: aviation spirit (avgas) under HS 2710.12
    ({"cn": "27101245"}, C),  # CN: motor spirit under the same HS 2710.12
    ({"hts": "2710.19.11"}, P),  # HTS: kerosene-type jet fuel
    ({"national_code": "2710192100", "national_system": "tnved"}, P),
    ({"hs_code": "2710192100", "national_system": "tnved"}, P),
    ({"hs_code": "2710.19", "tnved": "2710192100"}, P),
]


@pytest.mark.parametrize(("goods", "expected"), DECIDES)
def test_the_national_code_decides_where_hs6_cannot(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, goods: dict[str, Any], expected: Outcome
) -> None:
    v = check(evaluator, nomenclature, goods)
    assert v.outcome is expected, [(r.rule_id, r.outcome.value) for r in v.reasons]
    rules = by_rule(v)
    assert C in rules["UN-2397-5"]  # a refined product either way
    if expected is P:
        assert rules["UN-2270-31"] == {P}
    else:
        assert "UN-2270-31" not in rules  # no "product not named" review: the code named it
    assert "DQ-GOODS-NATIONAL" not in rules and "DQ-GOODS-CONFLICT" not in rules


def test_without_a_national_code_or_product_hs6_alone_goes_to_review(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(evaluator, nomenclature, {"hs_code": "2710.19"})
    assert by_rule(v)["UN-2270-31"] == {R}


def test_the_national_code_sets_the_petroleum_factor(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # RULES.md 2.2: "Gas oil / diesel | 0.133 | 7.5"; an unnamed 2710 product is counted
    # at 8.5 ("If the product is unknown, take the **highest applicable factor**").
    named = check(evaluator, nomenclature, {"tnved": "2710194210"})
    unnamed = check(evaluator, nomenclature, {"hs_code": "2710.19"})
    assert named.charges[0].product == "diesel" and "7.5 bbl/t" in named.charges[0].conversion
    assert "TN VED 2710 19 421 0" in named.charges[0].conversion
    assert "8.5 bbl/t" in unnamed.charges[0].conversion


# --- unknown and mismatching codes -----------------------------------------------------

BAD = [
    ({"hs_code": "2710.19", "tnved": "2701120000"}, "goods[0].tnved", "is not under HS 2710.19"),
    ({"hs_code": "2710192100", "cn": "27101943"}, "goods[0].cn", "is not under HS 2710192100"),
    ({"cn": "2710192100"}, "goods[0].cn", "10 digits (8 expected)"),
    ({"tnved": "27101921"}, "goods[0].tnved", "8 digits (10 expected)"),
    ({"hts": "2710.19.1"}, "goods[0].hts", "7 digits (8 or 10 expected)"),
    ({"tnved": "9999999999"}, "goods[0].tnved", "999999 is not in HS 2022"),
    ({"tnved": "27I0192100"}, "goods[0].tnved", "malformed"),
    ({"national_code": "2710192100"}, "goods[0].national_system", "needs its system"),
    ({"national_code": "2710192100", "national_system": "gost"}, "goods[0].national_system", "unknown value"),
    (
        {"hs_code": "2710.19", "national_system": "tnved"},
        "goods[0].national_system",
        "without a national code",
    ),
    ({"description": "jet fuel"}, "goods[0].hs_code", "missing HS code"),
]


@pytest.mark.parametrize(("goods", "field", "message"), BAD)
def test_a_national_code_that_does_not_fit_is_an_error_naming_its_field(
    nomenclature: hs.Nomenclature, goods: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ParseError) as info:
        parse_transaction(tx(goods), nomenclature, source="tx.yaml")
    text = str(info.value)
    assert f"field {field}" in text and message in text and "tx.yaml" in text


def test_a_code_the_table_does_not_know_goes_to_review(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(evaluator, nomenclature, {"tnved": "8479899700"}, destination="cn", evidence={})
    assert v.outcome is R
    (reason,) = [r for r in v.reasons if r.rule_id == "DQ-GOODS-NATIONAL"]
    assert "TN VED 8479 89 970 0" in " ".join(reason.notes) and "HS 8479.89" in " ".join(reason.notes)


def test_national_digits_without_their_system_go_to_review(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(evaluator, nomenclature, {"hs_code": "1101001500"}, evidence={})
    assert v.outcome is R
    (reason,) = [r for r in v.reasons if r.rule_id == "DQ-GOODS-NATIONAL"]
    assert "no system" in " ".join(reason.notes)
    # given with its system, the same line is read and clear (RULES.md 7.2 row 2: flour
    # "No UN goods ban ... **PERMITTED (screen)**")
    assert check(evaluator, nomenclature, {"tnved": "1101001500"}, evidence={}).outcome is OK


def test_national_code_and_description_that_disagree_go_to_review(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # a jet-fuel code declared for diesel: the ban applies, the conflict is shown
    v = check(evaluator, nomenclature, {"tnved": "2710192100", "description": "топливо дизельное"})
    assert v.outcome is P and by_rule(v)["UN-2270-31"] == {P}
    (reason,) = [r for r in v.reasons if r.rule_id == "DQ-GOODS-CONFLICT"]
    assert "TN VED 2710 19 210 0" in " ".join(reason.notes) and "«топливо дизельное»" in " ".join(
        reason.notes
    )


def test_code_digits_per_system() -> None:
    assert CODE_DIGITS == {"tnved": (10,), "cn": (8,), "hts": (8, 10)}


# --- a rule can target a national subheading -------------------------------------------

PACK = """
pack: {id: test_national, title: t, regime: UN, compiled: "2026-12-03", basis: test}
sources: {S1: {title: s}}
rules:
- id: TEST-CN-JET
  regime: UN
  title: jet fuel by CN subheading
  instrument: Test instrument
  paragraph: para 1
  verification: U
  verified: false
  sources: [S1]
  status: in_force
  dates: {adopted: "2016-01-01", in_force_from: "2016-01-01"}
  direction: to_dprk
  measure: prohibited
  hs: {prefixes: ["271019"], mapping: pack, verification: U}
  triggers:
    - kind: goods
      direction: to_dprk
      national_any: [NATIONAL]
      outcome: prohibited
      explain: CN jet fuel.
  explanation: test
"""


def test_a_rule_can_target_a_national_subheading(tmp_path: Path, nomenclature: hs.Nomenclature) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK.replace("NATIONAL", '"cn:27101921", "tnved:271019210"'), encoding="utf-8")
    ev = Evaluator(load_rulebook([path], hs=nomenclature), hs=nomenclature)
    assert by_rule(check(ev, nomenclature, {"cn": "27101921"})) == {"TEST-CN-JET": {P}}
    assert by_rule(check(ev, nomenclature, {"tnved": "2710192100"})) == {"TEST-CN-JET": {P}}
    assert check(ev, nomenclature, {"cn": "27101943"}).reasons == []  # gas oil: same HS-6, not targeted
    assert check(ev, nomenclature, {"hs_code": "2710.19", "product": "jet fuel"}).reasons == []  # no code


def test_a_national_target_outside_the_rules_hs_codes_is_refused(
    tmp_path: Path, nomenclature: hs.Nomenclature
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK.replace("NATIONAL", '"cn:27011100"'), encoding="utf-8")
    with pytest.raises(
        ParseError, match=r"rule TEST-CN-JET, field triggers\[0\].national_any\[0\].*never match"
    ):
        load_rulebook([path], hs=nomenclature)
    path.write_text(PACK.replace("NATIONAL", '"dk:27101921"'), encoding="utf-8")
    with pytest.raises(ParseError, match="national_any"):
        load_rulebook([path], hs=nomenclature)


def test_the_russian_exporters_file_with_tnved_codes_and_cyrillic_goods() -> None:
    """examples/russian-exporter.yaml: TN VED codes, Cyrillic descriptions, no English
    `product:` field.  RULES.md: UN-2397-5 refined products "capped + reportable" (V);
    UN-2270-31 aviation fuel "prohibited / exempt" (V) and 2.3 "**prohibited outright**
    ... even though it is a refined product"; 2.4 LPG "capped + reportable at 11.6 bbl/t,
    **plus** a mandatory origin attestation that the product is not NGL"; UN-2397-6b
    "Machinery | FROM | 84 (P) | prohibited"; 7.2 row 2 wheat flour "**PERMITTED (screen)**"."""
    from corridor.services import trade

    result = trade.check_document(
        ROOT / "examples/russian-exporter.yaml", trade.evaluator(None), record=False
    )
    assert not result.errors, [str(e.error) for e in result.errors]
    v = {x.transaction_id: x for x in result.verdicts}
    expected = {
        "ДВ-ДТ-2024-017": ("CAPPED_REPORTABLE", "UN-2397-5"),
        "ДВ-МУКА-2024-021": ("CLEAR", None),
        "ДВ-ИМП-2024-005": ("PROHIBITED", "UN-2397-6b"),
        "ДВ-АВИА-2024-030": ("PROHIBITED", "UN-2270-31"),
        "ДВ-СУГ-2024-033": ("CAPPED_REPORTABLE", "UN-2397-5"),
        "ДВ-ДТ-2024-041": ("PROHIBITED", "UN-2270-31"),
    }
    assert set(v) == set(expected)
    for tx_id, (outcome, rule_id) in expected.items():
        assert v[tx_id].outcome.value == outcome, (
            tx_id,
            [(r.rule_id, r.outcome.value) for r in v[tx_id].reasons],
        )
        if rule_id:
            assert any(r.rule_id == rule_id and r.outcome.value == outcome for r in v[tx_id].reasons), tx_id
    diesel = v["ДВ-ДТ-2024-017"].charges[0]
    assert diesel.product == "diesel" and "7.5 bbl/t" in diesel.conversion  # not the 8.5 default
    lpg = v["ДВ-СУГ-2024-033"].charges[0]
    assert lpg.product == "lpg" and "11.6 bbl/t" in lpg.conversion
    # the jet-fuel code declared for diesel: banned, and the conflict shown
    assert "DQ-GOODS-CONFLICT" in v["ДВ-ДТ-2024-041"].rule_ids
    for tx_id in expected:
        if tx_id != "ДВ-ДТ-2024-041":
            assert not any(r.startswith("DQ-") for r in v[tx_id].rule_ids), tx_id


def test_the_ban_says_what_identified_the_goods(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    v = check(evaluator, nomenclature, {"tnved": "2710192100", "description": "керосин авиационный"})
    ban = next(r for r in v.reasons if r.rule_id == "UN-2270-31")
    (note,) = [n for n in ban.notes if n.startswith("goods identified by")]
    assert "TN VED 2710 19 210 0" in note and "description «керосин авиационный»" in note

"""Countries in any script: the names, abbreviations and adjectives Russian and
Korean documents use resolve to the ISO code their English names have, in one
place (`types.countries`), and a trade check reads them as it reads the codes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from corridor.types import countries

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("КНДР", "kp"),
        ("Корейская Народно-Демократическая Республика", "kp"),  # pycountry's Russian ISO name
        ("Северная Корея", "kp"),
        ("северокорейская", "kp"),
        ("РФ", "ru"),
        ("Российская Федерация", "ru"),
        ("россия", "ru"),
        ("КНР", "cn"),
        ("Китай", "cn"),
        ("조선", "kp"),
        ("북한", "kp"),
        ("조선민주주의인민공화국", "kp"),  # pycountry's Korean ISO name
        ("로씨야", "ru"),  # as the DPRK writes Russia
        ("러시아 연방", "ru"),
        ("대한민국", "kr"),
        ("중국", "cn"),
        ("Korea, North", "kp"),
        ("Democratic People's Republic of Korea", "kp"),
        ("RUS", "ru"),
    ],
)
def test_names_in_any_script_resolve(written: str, code: str) -> None:
    assert countries.to_code(written) == code


@pytest.mark.parametrize("ambiguous", ["Korea", "Корея", "한국어", "Республика", ""])
def test_an_ambiguous_or_unknown_name_is_not_guessed(ambiguous: str) -> None:
    # "Korea" alone could be either Korea: a DPRK nexus must never be guessed away
    assert countries.to_code(ambiguous) is None


def test_every_alias_is_valid_and_resolves_to_its_own_code() -> None:
    table = countries.aliases()
    assert set(table) == {"en", "ru", "ko"}
    for language, names in table.items():
        for name, code in names.items():
            assert countries.to_code(name) == code, (language, name)


def test_a_transaction_in_russian_and_korean_is_checked_as_the_coded_one() -> None:
    """RULES.md: refined petroleum to the DPRK is capped and reportable (UNSCR 2397
    para 5); the country written «Российская Федерация» → «КНДР» or «조선» must give
    the verdict the codes RU → KP give."""
    from corridor.services import trade

    document = yaml.safe_load((ROOT / "examples/corridor-2022.yaml").read_text(encoding="utf-8"))
    gasoline = next(t for t in document["transactions"] if t["id"] == "RU-KP-GASOLINE-2022-10")
    evaluator = trade.evaluator(None)
    coded = trade.check_data({"transactions": [gasoline]}, "coded", evaluator, record=False).verdicts[0]
    for origin, destination in (("Российская Федерация", "КНДР"), ("러시아", "조선")):
        written = copy.deepcopy(gasoline)
        written["origin"], written["destination"] = origin, destination
        for party in written["parties"]:
            party["country"] = origin if party["country"] == "RU" else destination
        result = trade.check_data({"transactions": [written]}, "written", evaluator, record=False)
        assert not result.errors, [str(e.error) for e in result.errors]
        verdict = result.verdicts[0]
        assert verdict.outcome == coded.outcome
        assert verdict.rule_ids == coded.rule_ids
        assert verdict.directions == coded.directions


def test_the_russian_exporters_file_gets_the_rulings_of_rules_md() -> None:
    """examples/russian-exporter.yaml, written in Cyrillic with TN VED codes.
    RULES.md: "UN-2397-5 | 5 | All refined petroleum products … TO the DPRK | … |
    capped + reportable"; "UN-2397-6b | 6 | Machinery | FROM | 84 (P) | prohibited";
    wheat flour to the DPRK is not banned (no rule names HS 1101)."""
    from corridor.services import trade

    result = trade.check_document(
        ROOT / "examples/russian-exporter.yaml", trade.evaluator(None), record=False
    )
    assert not result.errors, [str(e.error) for e in result.errors]
    by_id = {v.transaction_id: v for v in result.verdicts}
    assert by_id["ДВ-ДТ-2024-017"].outcome.value == "CAPPED_REPORTABLE"
    assert "UN-2397-5" in by_id["ДВ-ДТ-2024-017"].rule_ids
    assert by_id["ДВ-МУКА-2024-021"].outcome.value == "CLEAR"
    assert by_id["ДВ-ИМП-2024-005"].outcome.value == "PROHIBITED"
    assert any(r.startswith("UN-2397-6") for r in by_id["ДВ-ИМП-2024-005"].rule_ids)


@pytest.mark.parametrize("written", ["Корея", "Korea", "코리아", "корейская"])
def test_an_ambiguous_korea_is_refused_naming_both_koreas(written: str) -> None:
    """«Корея» alone is either Korea: a transaction writing it is refused with the two
    candidates named, never read as the DPRK or the South."""
    from corridor.errors import ParseError
    from corridor.services import trade
    from corridor.trade.transaction import parse_transaction

    assert countries.candidates(written) == ("kp", "kr")
    data = {
        "id": "AMBIGUOUS-KOREA",
        "type": "shipment",
        "date": "2024-03-01",
        "origin": "ru",
        "destination": written,
        "goods": [{"hs_code": "1101", "description": "мука пшеничная", "quantity": 10, "unit": "t"}],
    }
    with pytest.raises(ParseError) as caught:
        parse_transaction(data, trade.nomenclature())
    message = str(caught.value)
    assert "destination" in message and "ambiguous" in message and "kp" in message and "kr" in message


@pytest.mark.parametrize(
    ("written", "code"),
    [("Российской Федерации", "ru"), ("России", "ru"), ("Северной Кореи", "kp"), ("Республики Корея", "kr")],
)
def test_the_genitive_forms_of_documents_resolve(written: str, code: str) -> None:
    # «происхождение: Российской Федерации», «грузополучатель из Северной Кореи»
    assert countries.to_code(written) == code
    assert countries.candidates(written) == ()

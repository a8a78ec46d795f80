"""Rule packs: schema validation, cross-checks against RULES.md and SOURCES.md, errors."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from corridor.sources.base import ParseError
from corridor.trade import hs
from corridor.trade.rules import DEFAULT_PACKS, PACKS_DIR, RuleBook, load_rulebook


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@pytest.fixture(scope="module")
def rulebook(nomenclature: hs.Nomenclature) -> RuleBook:
    # Validated against the real HS 2022 file: every HS prefix must exist.
    return load_rulebook(hs=nomenclature)


def test_all_packs_load(rulebook: RuleBook) -> None:
    assert [p.id for p in rulebook.packs] == list(DEFAULT_PACKS)
    assert {"UN-2397-5", "UN-2270-31", "US-EO13722", "EU-1509-16D", "RU-CHPL-T1", "UK-DPRK-AF"} <= set(
        rulebook.rules
    )


def test_verified_only_for_v_and_unverified_paragraphs_say_so(rulebook: RuleBook) -> None:
    for rule in rulebook.rules.values():
        assert rule.verified == (rule.verification == "V"), rule.id
        if rule.regime == "DATA":
            # data-quality checks cite no provision and say so (never a paragraph)
            assert not rule.verified and rule.citation.endswith("(no legal basis: a data-quality check)"), (
                rule.id
            )
            continue
        if rule.verified:
            assert "(unverified)" not in rule.citation, rule.id
        else:
            assert f"{rule.paragraph} (unverified)" in rule.citation, rule.id
        assert rule.citation.endswith(f"[{rule.verification}]")


def _rules_md_marks(rules_md: Path) -> dict[str, str]:
    """RULES.md table rows: rule id -> mark (first V/P/U of the status cell)."""
    marks = {}
    for line in rules_md.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or not re.match(r"^(UN|EX|US)-", cells[0]):
            continue
        for cell in reversed(cells):
            match = re.match(r"^(?:para )?(?:\*\*)?([VPU])(?:\*\*)?(?:\b|$)", cell)
            if match:
                marks[cells[0]] = match.group(1)
                break
    return marks


# RULES.md ids written differently in the packs (ranges, split rows).
_ALIASES = {
    "UN-1874-18/19/20": "UN-1874-18-20",
    "UN-2270-19/20": "UN-2270-19-20",
    "UN-2270-33..35": "UN-2270-33-35",
    "UN-2375-7..10": "UN-2375-7-10",
    "UN-2397-11/12": "UN-2397-11-12",
    "US-CAATSA-321b": "US-CAATSA-321B",
    "US-EO13466/13551/13570": "US-EO13570",
    "EX-PRIOR-CONTRACT": "EX-PRIOR-CONTRACT-COAL",
}


def test_marks_agree_with_rules_md(rulebook: RuleBook, shared_data: Path) -> None:
    marks = _rules_md_marks(shared_data.parent / "regimes" / "RULES.md")
    assert len(marks) >= 80  # the UN, exemption and US tables
    checked = 0
    for md_id, mark in marks.items():
        rule = rulebook.rules.get(_ALIASES.get(md_id, md_id))
        assert rule is not None, f"RULES.md row {md_id} has no rule in the packs"
        assert rule.verification == mark, f"{rule.id}: pack {rule.verification}, RULES.md {mark}"
        checked += 1
    assert checked == len(marks)


def test_chpl_pack_is_the_sources_md_list_and_unverified(rulebook: RuleBook, shared_data: Path) -> None:
    text = (shared_data / "SOURCES.md").read_text(encoding="utf-8")
    section = text[text.index("### Common High Priority items list") :]
    expected: dict[str, list[str]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| (1|2|3A|3B|4A|4B) \| ([0-9 ]+) \|$", line.strip())
        if match:
            expected[match.group(1)] = match.group(2).split()
    assert sum(len(v) for v in expected.values()) == 50
    for tier, codes in expected.items():
        rule = rulebook.get(f"RU-CHPL-T{tier}")
        assert rule.hs is not None and list(rule.hs.prefixes) == codes
        assert rule.verified is False and rule.hs.verification != "V"
        assert "(unverified)" in rule.citation


def test_statuses_and_dates(rulebook: RuleBook) -> None:
    poe = rulebook.get("UN-1874-26")
    assert poe.status == "expired" and poe.expired_on == dt.date(2024, 5, 1)
    assert not poe.in_force(dt.date(2024, 6, 1)) and poe.in_force(dt.date(2023, 6, 1))
    old_cap = rulebook.get("UN-2375-14")
    assert old_cap.status == "superseded" and old_cap.superseded_by == "UN-2397-5"
    assert old_cap.in_force(dt.date(2017, 11, 1)) and not old_cap.in_force(dt.date(2018, 3, 1))
    for rule in rulebook.rules.values():
        if rule.status == "superseded":
            assert rule.superseded_by in rulebook.rules
        if rule.status == "in_force":
            assert rule.in_force(dt.date(2026, 1, 1)), rule.id


def test_caps(rulebook: RuleBook) -> None:
    refined = rulebook.get("UN-2397-5").cap
    crude = rulebook.get("UN-2397-4").cap
    assert refined is not None and refined.limit("bbl") == 500000 and refined.period.kind == "calendar_year"
    assert crude is not None and (crude.limit("bbl"), crude.limit("t")) == (4000000, 525000)
    before, after = (
        crude.period.period_for(dt.date(2022, 12, 21)),
        crude.period.period_for(dt.date(2022, 12, 22)),
    )
    assert before is not None and before[0] == "2021-12-22/2022-12-21"
    assert after is not None and after[0] == "2022-12-22/2023-12-21"
    assert rulebook.petroleum is not None
    lpg = rulebook.petroleum.products["lpg"]
    assert (str(lpg.t_to_bbl), lpg.verification) == ("11.6", "V")


def test_goods_index(rulebook: RuleBook) -> None:
    to_dprk = {t.rule_id for t, exact in rulebook.goods_triggers("to_dprk", "271019") if exact}
    assert {"UN-2397-5", "UN-2397-5-RPT", "UN-2270-31"} <= to_dprk
    from_dprk = {t.rule_id for t, _ in rulebook.goods_triggers("from_dprk", "842952")}
    assert "UN-2397-6b" in from_dprk and "UN-2397-7a" not in from_dprk
    broad = {t.rule_id: exact for t, exact in rulebook.goods_triggers("to_dprk", "2710")}
    assert broad["UN-2397-5"] is True and broad["UN-2270-31"] is False  # 2710 may be jet fuel


# --- bad packs --------------------------------------------------------------------------


def _broken_pack(tmp_path: Path, edit: object) -> Path:
    data = yaml.load((PACKS_DIR / "un_dprk.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    edit(data)  # type: ignore[operator]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
    return path


def _rule(data: dict, rule_id: str) -> dict:
    return next(r for r in data["rules"] if r["id"] == rule_id)


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (
            lambda d: _rule(d, "UN-2397-5").update(verification="X"),
            "rule UN-2397-5, field verification",
            "is not one of",
        ),
        (
            lambda d: _rule(d, "UN-2397-7a").update(verified=True),
            "rule UN-2397-7a, field verified",
            "False was expected",
        ),
        (
            lambda d: _rule(d, "UN-2397-6b")["hs"].update(prefixes=[84]),
            "rule UN-2397-6b, field hs.prefixes[0]",
            "not of type",
        ),
        (
            lambda d: _rule(d, "UN-2397-6b")["hs"].update(prefixes=["8803"]),
            "rule UN-2397-6b, field hs.prefixes",
            "8803 is not in HS 2022",
        ),
        (
            lambda d: _rule(d, "UN-2371-8").update(sources=["S999"]),
            "rule UN-2371-8, field sources",
            "S999 is not defined",
        ),
        (lambda d: _rule(d, "UN-2397-5").pop("dates"), "rule UN-2397-5", "'dates' is a required property"),
        (
            lambda d: _rule(d, "UN-2375-14")["dates"].pop("superseded_by"),
            "rule UN-2375-14, field dates",
            "superseded_by",
        ),
        (
            lambda d: _rule(d, "UN-2371-8")["triggers"][0]["exemptions"][0].update(rule="EX-NOPE"),
            "rule UN-2371-8",
            "unknown rule 'EX-NOPE'",
        ),
    ],
)
def test_bad_pack_names_file_rule_and_field(
    tmp_path: Path, nomenclature: hs.Nomenclature, edit: object, where: str, message: str
) -> None:
    path = _broken_pack(tmp_path, edit)
    with pytest.raises(ParseError) as info:
        load_rulebook([path], hs=nomenclature)
    assert info.value.path == str(path)
    assert info.value.where.startswith(where), info.value.where
    assert message in info.value.message


def test_duplicate_rule_ids_across_packs(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    shutil.copy(PACKS_DIR / "uk_dprk.yaml", copy)
    with pytest.raises(ParseError, match="duplicate rule id"):
        load_rulebook([PACKS_DIR / "uk_dprk.yaml", copy])


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("pack:\n  id: x\nrules: [\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_rulebook([path])
    assert info.value.where.startswith("line ")

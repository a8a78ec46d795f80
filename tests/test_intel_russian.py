"""Russian reports: natasha's NER (models from the installed wheel, nothing downloaded),
Russian inflection in the phrase gazetteers, Russian dates, quantities and goods
direction, and the rule packs on a Russian report."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.intel.dates import find_dates
from corridor.intel.extract import Extractor
from corridor.intel.model import Document, Fact
from corridor.intel.phrases import PhraseMatcher
from corridor.intel.russian import RussianNer
from corridor.intel.vocab import vocabulary
from corridor.services import intel as service
from corridor.services.trade import nomenclature

HERE = Path(__file__).resolve().parent
REPORT = HERE / "intel_data" / "ru_trade_offices.txt"
REPORT_DATE = dt.date(2022, 11, 22)  # a Tuesday


@pytest.fixture(scope="module")
def extractor(shared_data: Path) -> Extractor:
    return Extractor(vocabulary(nomenclature().describe))


@pytest.fixture(scope="module")
def report(extractor: Extractor) -> tuple[Document, list[Fact]]:
    doc = extractor.read(REPORT.read_bytes(), str(REPORT), REPORT_DATE, suffix=".txt")
    return doc, extractor.facts(doc)


def by_label(facts: list[Fact], kind: str) -> dict[str, Fact]:
    return {f.label: f for f in facts if f.kind == kind}


def test_spans_are_exact(report: tuple[Document, list[Fact]]) -> None:
    doc, facts = report
    assert doc.language == "ru" and not doc.partial
    for fact in facts:
        for evidence in fact.evidence:
            assert doc.text[evidence.start : evidence.end] == evidence.text
            assert evidence.text in evidence.sentence


def test_people_and_organisations_by_the_ner(report: tuple[Document, list[Fact]]) -> None:
    _, facts = report
    entities = by_label(facts, "entity")
    # the name in the nominative, the span as written (genitive)
    person = entities["Алексей Чекунков"]
    assert person.attrs["schema"] == "Person" and person.first.text == "Алексея Чекункова"
    assert entities["Министерство внешнеэкономических связей"].attrs["schema"] == "PublicBody"
    company = entities["ООО «Приморское морское пароходство»"]
    assert company.attrs["schema"] == "Company" and company.first.text.endswith("»")
    # countries and sides are not parties; "СМИ" and the like are not names
    assert not {"Россия", "России", "КНДР", "Северная Корея"} & set(entities)
    vessels = by_label(facts, "vessel")
    assert set(vessels) == {"Витязь"}  # after "Танкер", not an organisation


def test_places_goods_and_directions(report: tuple[Document, list[Fact]]) -> None:
    _, facts = report
    places = by_label(facts, "place")
    for name, country in (
        ("Vladivostok", "ru"),
        ("Nakhodka", "ru"),
        ("Khabarovsk", "ru"),
        ("Moscow", "ru"),
        ("Slavyanka", "ru"),
    ):
        assert places[name].attrs["country"] == country
    goods = by_label(facts, "goods")
    expected = {
        "wheat flour": ("1101", "to_dprk", "пшеничную муку"),  # inflected inside the phrase
        "gasoline": ("2710", "to_dprk", "бензин"),
        "diesel": ("2710", "to_dprk", "дизельное топливо"),
        "LPG": ("2711", "to_dprk", "сжиженный газ"),
        "machinery": ("84", "from_dprk", "станки"),
        "vehicles": ("87", "from_dprk", "автомобили"),
    }
    for label, (heading, direction, written) in expected.items():
        fact = goods[label]
        assert fact.attrs["heading"] == heading
        assert fact.attrs["directions"] == [direction], label
        assert fact.first.text == written
    gasoline = goods["gasoline"].attrs["quantity"]
    assert (gasoline.high, gasoline.unit) == (200_000, "t")


def test_dates_quantities_activities(report: tuple[Document, list[Fact]]) -> None:
    _, facts = report
    dates = {f.first.text: f.attrs["date"] for f in facts if f.kind == "date"}
    assert dates["в прошлую пятницу"].start == dt.date(2022, 11, 18)
    assert dates["в следующем месяце"].label() == "2022-12"
    assert dates["в октябре"].label() == "2022-10"
    assert dates["октябре 2021 года"].label() == "2021-10"
    workers = next(f for f in facts if f.kind == "quantity" and f.attrs["quantity"].unit == "workers")
    assert (workers.attrs["quantity"].low, workers.attrs["quantity"].high) == (20_000, 50_000)
    activities = {f.key for f in facts if f.kind == "activity"}
    assert {"activity:trade_office", "activity:labour_dispatch", "activity:payment_in_kind"} <= activities
    labour = next(f for f in facts if f.key == "activity:labour_dispatch")
    assert labour.attrs["counts"][0].high == 50_000


def test_russian_report_gets_its_rulings(shared_data: Path) -> None:
    built = service.engines(None, screen=False)
    analysis = service.analyse_file(REPORT, built, REPORT_DATE)
    rules = {c.activity: {f.rule_id for f in c.findings} for c in analysis.checks}
    assert {"UN-2397-5", "UN-2397-5-RPT"} <= rules["goods:gasoline:to_dprk"]
    assert "UN-2397-6b" in rules["goods:machinery:from_dprk"]
    assert {"UN-2397-8"} <= rules["activity:labour_dispatch"]
    flour = next(c for c in analysis.checks if c.activity == "goods:wheat-flour:to_dprk")
    assert flour.outcome == "CLEAR"
    for check in analysis.checks:
        for finding in check.findings:
            assert finding.citation and finding.verification in ("V", "P", "U")


def test_ner_without_its_package_is_a_marked_partial_result(shared_data: Path) -> None:
    class Broken(RussianNer):
        def _load(self) -> None:
            self._error = "ModuleNotFoundError: No module named 'natasha'"
            return None

    extractor = Extractor(vocabulary(nomenclature().describe), russian_ner=Broken())
    doc = extractor.read(REPORT.read_bytes(), str(REPORT), REPORT_DATE, suffix=".txt")
    assert doc.partial and "natasha" in doc.warnings[0]
    facts = extractor.facts(doc)
    labels = {f.label for f in facts}
    assert "Vladivostok" in labels and "wheat flour" in labels  # the gazetteers still run
    assert "Алексей Чекунков" not in labels


def test_models_come_from_the_wheel_and_nothing_is_downloaded() -> None:
    """In a fresh interpreter with every socket refused, the NER loads and names a person;
    its model files lie inside the installed natasha package."""
    code = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network use during NER")
socket.socket.connect = refuse
socket.create_connection = refuse
from pathlib import Path
import natasha
from corridor.intel.russian import RussianNer
ner = RussianNer()
spans = ner.spans("Вчера министр Сергей Лавров прибыл в Пхеньян.")
print([(s.kind, s.normal) for s in spans])
data = Path(natasha.__file__).parent / "data"
print(sorted(p.name for p in data.rglob("*.tar")))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    spans_line, files_line = done.stdout.strip().splitlines()[-2:]
    assert "('person', 'Сергей Лавров')" in spans_line
    assert "slovnet_ner_news_v1.tar" in files_line and "navec_news_v1_1B_250K_300d_100q.tar" in files_line


def test_cyrillic_phrases_match_inflected_words() -> None:
    matcher = PhraseMatcher([("пшеничная мука", "flour"), ("дизельное топливо", "diesel"), ("бензин", "gas")])
    text = "Закупки пшеничной муки, дизельного топлива и бензином; мукомольный завод не в счёт."
    found = [(text[m.start : m.end], m.value[0]) for m in matcher.find(text)]
    assert found == [("пшеничной муки", "flour"), ("дизельного топлива", "diesel"), ("бензином", "gas")]
    # stems are whole words: "мука" does not match inside "мукомольный"
    assert PhraseMatcher([("мука", "flour")]).find("мукомольный завод") == []
    # switched off, only the phrase as folded (and short endings) match
    plain = PhraseMatcher([("пшеничная мука", "flour")], stem_cyrillic=False)
    assert plain.find("пшеничной муки") == []


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("в прошлую пятницу", "2022-11-18"),
        ("в пятницу", "2022-11-18"),
        ("в следующий понедельник", "2022-11-28"),
        ("на прошлой неделе", "week of 2022-11-14"),
        ("в прошлом месяце", "2022-10"),
        ("в этом году", "2022"),
        ("вчера", "2022-11-21"),
        ("в декабре", "2021-12"),
        ("в марте 2024 года", "2024-03"),
        ("7 марта", "2022-03-07"),
    ],
)
def test_russian_dates(text: str, label: str) -> None:
    (found,) = find_dates(f"Это случилось {text}.", REPORT_DATE)
    assert found.date.label() == label


def test_a_verb_sharing_a_goods_stem_is_not_goods(extractor: Extractor) -> None:
    # "стала" (became) and "сталь" (steel) have one Snowball stem: the morphology decides
    text = "Поездка стала самой многочисленной. Россия поставила в КНДР сталь и пшеничную муку."
    doc = extractor.read_text(text, "ru.txt", REPORT_DATE)
    goods = [(f.label, f.first.text) for f in extractor.facts(doc) if f.kind == "goods"]
    assert ("steel", "сталь") in goods and ("wheat flour", "пшеничную муку") in goods
    assert all(written != "стала" for _, written in goods)

"""Screening, the rule packs, FollowTheMoney output, the store of reports and stories,
and bad input: through the services and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import LimitError, ParseError
from corridor.intel.analyse import analyse
from corridor.services import intel as service
from corridor.services.lists import import_path
from corridor.store import db
from corridor.store import intel as store

HERE = Path(__file__).resolve().parent
runner = CliRunner()
SEED_DATE = dt.date(2022, 11, 22)


@pytest.fixture(scope="module")
def seeds_dir(shared_data: Path) -> Path:
    return shared_data.parent / "seeds"


@pytest.fixture(scope="module")
def un_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[str, Path]:
    """A store with the UN list (small) and its screening index."""
    home = tmp_path_factory.mktemp("intel-home")
    url = f"sqlite:///{home / 'corridor.db'}"
    import_path(db.engine(url), shared_data / "un/2026-05-08/consolidated.xml")
    return url, home


@pytest.fixture(scope="module")
def engines_with_lists(un_store: tuple[str, Path]) -> service.Engines:
    url, home = un_store
    return service.engines(db.engine(url), home=home)


@pytest.fixture(scope="module")
def engines_no_lists(shared_data: Path) -> service.Engines:
    return service.engines(None, screen=False)


def test_seed_activities_get_their_rulings(engines_no_lists: service.Engines, seeds_dir: Path) -> None:
    analysis = service.analyse_file(sorted(seeds_dir.glob("*.txt"))[0], engines_no_lists, SEED_DATE)
    checks = {c.activity: c for c in analysis.checks}
    rules = {k: {f.rule_id for f in c.findings} for k, c in checks.items()}
    for petroleum in ("goods:gasoline:to_dprk", "goods:diesel:to_dprk", "goods:lpg:to_dprk"):
        assert {"UN-2397-5", "UN-2397-5-RPT"} <= rules[petroleum]  # the cap and its reporting
    assert checks["goods:machinery:from_dprk"].outcome == "PROHIBITED"
    assert "UN-2397-6b" in rules["goods:machinery:from_dprk"]
    assert checks["activity:labour_dispatch"].outcome == "PROHIBITED"
    assert "UN-2397-8" in rules["activity:labour_dispatch"]
    flour = checks["goods:wheat-flour:to_dprk"]
    assert flour.outcome == "CLEAR"  # no ban on wheat flour
    assert not [f for f in flour.findings if f.outcome == "PROHIBITED"]
    # the citations and marks are the packs' own, never shown as verified when they are not
    for check in analysis.checks:
        for finding in check.findings:
            assert finding.verification in ("V", "P", "U")
            assert finding.verified == (finding.verification == "V")
            assert f"[{finding.verification}]" in finding.citation


def test_listed_party_is_found_and_screened(engines_with_lists: service.Engines) -> None:
    path = HERE / "intel_data" / "written_listed.md"
    analysis = service.analyse_file(path, engines_with_lists, dt.date(2024, 3, 20))
    key = "entity:korea ryonbong general corporation"
    hits = analysis.screening[key]
    assert hits and hits[0].entity_id.startswith("un:KPe.") and hits[0].score >= 0.8 and hits[0].explanation
    # an unlisted state body of the seeds is screened and found on no list
    seed = analyse(
        engines_with_lists.extractor.read_text(
            "North Korea’s Ministry of External Economic Relations is selecting cadres.", "x.txt", SEED_DATE
        ),
        engines_with_lists.extractor,
        listed=engines_with_lists.listed,
        screen=engines_with_lists.screen,
    )
    assert seed.screening["entity:ministry of external economic relations"] == []


def test_listed_names_gazetteer_is_confirmed_by_the_engine(engines_with_lists: service.Engines) -> None:
    assert engines_with_lists.listed is not None and len(engines_with_lists.listed) > 1000
    text = "Funds were moved through namchongang trading corporation, a source said."  # lower case: no rule finds it
    doc = engines_with_lists.extractor.read_text(text, "x.txt", SEED_DATE)
    analysis = analyse(
        doc, engines_with_lists.extractor, listed=engines_with_lists.listed, screen=engines_with_lists.screen
    )
    (fact,) = [f for f in analysis.facts if f.kind == "entity"]
    assert fact.attrs["why"] == "listed name" and analysis.screening[fact.key]
    # without the engine to confirm it, a gazetteer candidate is not a fact
    bare = analyse(doc, engines_with_lists.extractor, listed=engines_with_lists.listed, screen=None)
    assert not [f for f in bare.facts if f.kind == "entity"]


def test_ftm_entities_validate(engines_no_lists: service.Engines, seeds_dir: Path) -> None:
    from followthemoney import model

    from corridor.intel.ftm import to_ftm

    analysis = service.analyse_file(sorted(seeds_dir.glob("*.txt"))[0], engines_no_lists, SEED_DATE)
    entities = [model.get_proxy(e) for e in to_ftm(analysis)]
    schemata = {e.schema.name for e in entities}
    assert {"Article", "Mention", "PublicBody", "Address", "Organization"} <= schemata
    ids = {e.id for e in entities}
    assert len(ids) == len(entities)
    for mention in (e for e in entities if e.schema.name == "Mention"):
        assert mention.first("document") in ids and mention.first("resolved") in ids
    assert to_ftm(analysis) == to_ftm(analysis)  # stable ids


def test_ingest_groups_the_seeds_into_one_story(
    db_url: str, engines_no_lists: service.Engines, seeds_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for seed in seeds_dir.glob("*.txt"):
        shutil.copy(seed, folder / seed.name)
    bench = HERE.parent / "bench/intel/reports"
    shutil.copy(bench / "r02_dailynk_laborers_khabarovsk.txt", folder / "unrelated.txt")
    engine = db.engine(db_url)
    summary = service.ingest_dir(engine, folder, engines_no_lists, SEED_DATE)
    assert (summary.stored, summary.failed) == (3, 0)
    stories = service.list_stories(engine)
    sizes = sorted(len(s.reports) for s in stories)
    assert sizes == [1, 2]
    (together,) = [s for s in stories if len(s.reports) == 2]
    assert {Path(r["source"]).name for r in together.reports} == {p.name for p in seeds_dir.glob("*.txt")}
    # facts carry how many independent stories support them
    support = {r.key: r for r in service.fact_support(engine)}
    assert support["entity:construction guidance bureau"].stories == 1
    assert support["entity:construction guidance bureau"].reports == 2
    assert support["place:vladivostok"].stories == 2  # the seeds' story and the unrelated report
    rows = service.fact_support(engine, entity="Construction Guidance")
    assert [r.label for r in rows] == ["Construction Guidance Bureau"]
    assert rows[0].mentions[0]["sentence"]
    # ingesting again stores nothing twice
    again = service.ingest_dir(engine, folder, engines_no_lists, SEED_DATE)
    assert (again.stored, again.duplicates) == (0, 3)
    assert store.counts(engine)["reports"] == 3


def test_a_failing_report_stores_nothing(
    db_url: str, engines_no_lists: service.Engines, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.engine(db_url)
    analysis = service.analyse_file(sorted(seeds_dir.glob("*.txt"))[0], engines_no_lists, SEED_DATE)
    from corridor.intel.stories import signature

    sig = signature(analysis.document.text)
    broken = analysis.facts[0]
    broken.evidence.clear()  # a fact without evidence cannot be written: the insert fails midway
    with pytest.raises(IndexError):
        store.save_analysis(engine, analysis, sig, None, None)
    assert store.counts(engine) == {"stories": 0, "reports": 0, "facts": 0}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.intel_reports)).scalar_one() == 0


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("empty.txt", b"", ParseError, "empty"),
        ("blank.txt", b"   \n\n  ", ParseError, "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ParseError, "binary"),
        ("latin1.txt", "Khasan – Rajin".encode("cp1252") + b"\xe9\xe8", ParseError, "UTF-8"),
        ("furniture.txt", b"Posted by\nHeader Ads Widget\nShare this\n", ParseError, "furniture"),
    ],
)
def test_bad_files_name_the_file(
    engines_no_lists: service.Engines, tmp_path: Path, name: str, content: bytes, error: type, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        service.analyse_file(path, engines_no_lists, SEED_DATE)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_too_large_a_file_is_refused_before_reading(
    engines_no_lists: service.Engines, tmp_path: Path
) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse
    with pytest.raises(LimitError) as caught:
        service.analyse_file(path, engines_no_lists, SEED_DATE)
    assert caught.value.status == 413 and str(path) in str(caught.value)


def test_html_with_scripts_and_broken_markup(engines_no_lists: service.Engines, tmp_path: Path) -> None:
    html = (
        "<html><head><title>Tankers at Vostochny</title><script>alert('x'); var Nampho = 1;</script>"
        "<style>.a{}</style></head><body><nav>Home | World | Rason news</nav>"
        "<div class='article'><h1>Tankers at Vostochny</h1><p>North Korean tankers loaded diesel at Vostochny "
        "and sailed to Nampho last week, according to satellite images seen by the Open Source Centre.<p>"
        "The shipments breach the cap on refined petroleum that the UN Security Council set in 2017, analysts said."
        "<div class='comments'>Comment by Ivan: Wonsan is nice</div><footer>Subscribe to our newsletter</footer>"
        "<b>unclosed <i>tags"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    analysis = service.analyse_file(path, engines_no_lists, dt.date(2024, 4, 2))
    text = analysis.document.text
    assert analysis.document.raw_format == "html"
    assert (
        "alert" not in text
        and "var Nampho" not in text
        and "Comment by" not in text
        and "Subscribe" not in text
    )
    places = {f.label for f in analysis.facts if f.kind == "place"}
    assert {"Vostochny", "Nampho"} <= places and "Wonsan" not in places and "Rason" not in places
    assert "Open Source Centre" in {f.label for f in analysis.facts if f.kind == "entity"}


def test_unsupported_language_is_a_marked_partial_result(
    engines_no_lists: service.Engines, tmp_path: Path
) -> None:
    path = tmp_path / "pl.txt"
    path.write_text(
        "Statki, które pływają pod północnokoreańską banderą, wpłynęły do portu Wostocznyj, a potem "
        "do portu Chongjin, gdzie dokonano rozładunku produktów naftowych.",
        encoding="utf-8",
    )
    analysis = service.analyse_file(path, engines_no_lists, dt.date(2024, 3, 27))
    assert analysis.document.language == "other" and analysis.document.partial
    assert any("not supported" in w for w in analysis.document.warnings)
    assert {f.label for f in analysis.facts if f.kind == "place"} == {"Chongjin"}
    assert not [f for f in analysis.facts if f.kind in ("entity", "activity", "date")]


def test_cli_extract_json_ftm_and_errors(un_store: tuple[str, Path], seeds_dir: Path, tmp_path: Path) -> None:
    url, home = un_store
    env = {"CORRIDOR_HOME": str(home)}
    seed = str(sorted(seeds_dir.glob("*.txt"))[0])
    result = runner.invoke(
        app, ["intel", "extract", seed, "--date", "2022-11-22", "--json", "--db", url], env=env
    )
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert report["report_date"] == "2022-11-22"
    labels = {f["label"] for f in report["facts"]}
    assert {"Ministry of External Economic Relations", "Vladivostok", "LPG"} <= labels
    result = runner.invoke(
        app, ["intel", "extract", seed, "--date", "2022-11-22", "--ftm", "--db", url], env=env
    )
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["schema"] == "Article"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(
        app, ["intel", "extract", seed, str(empty), "--date", "2022-11-22", "--db", url], env=env
    )
    assert result.exit_code == 1  # one of two failed: said, the other shown
    output = " ".join(result.output.split())
    assert "empty.txt" in output and "the file is empty" in output
    result = runner.invoke(app, ["intel", "extract", seed, "--date", "22/11/2022"], env=env)
    assert result.exit_code == 2 and "not a date" in " ".join(result.output.split())


def test_cli_renders_report_text_inert(
    engines_no_lists: service.Engines, tmp_path: Path, un_store: tuple[str, Path]
) -> None:
    _url, home = un_store
    path = tmp_path / "evil.txt"
    path.write_text(
        "The [bold red]Construction Guidance Bureau[/] sent workers from North Korea to Vladivostok.\x1b]0;pwned\x07",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["intel", "extract", str(path), "--date", "2024-01-01", "--no-screen"],
        env={"CORRIDOR_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    assert "\x1b]0;" not in result.output and "\\x1b" in result.output
    assert "[bold red]" in result.output  # shown as written, never parsed as markup


def test_cli_ingest_stories_facts(db_url: str, seeds_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"CORRIDOR_HOME": str(home)}
    result = runner.invoke(
        app,
        ["intel", "ingest", str(seeds_dir), "--date", "2022-11-22", "--db", db_url, "--no-screen"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "2 stored" in result.output and "joins story" in result.output
    result = runner.invoke(app, ["intel", "stories", "--json", "--db", db_url], env=env)
    stories = json.loads(result.stdout)
    assert len(stories) == 1 and len(stories[0]["reports"]) == 2
    result = runner.invoke(
        app, ["intel", "facts", "--entity", "ministry of external", "--json", "--db", db_url], env=env
    )
    (fact,) = json.loads(result.stdout)
    assert (fact["label"], fact["stories"], fact["reports"]) == (
        "Ministry of External Economic Relations",
        1,
        2,
    )
    result = runner.invoke(app, ["intel", "ingest", str(tmp_path / "missing"), "--db", db_url], env=env)
    assert result.exit_code == 1 and "no such directory" in " ".join(result.output.split())

"""Rich rendering of reports into facts: an analysis, stories and fact support.

Everything that comes from a report, a list or the store is shown as `rich.text.Text`
built from `corridor.types.text.inert(...)`: never parsed as markup, with control and
bidi characters made visible.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from corridor.intel.model import Analysis, Fact
from corridor.store.intel import FactSupport, StoryRow
from corridor.types.text import inert

_OUTCOME_STYLE = {
    "PROHIBITED": "bold red",
    "LICENCE_REQUIRED": "red",
    "CAPPED_REPORTABLE": "yellow",
    "REVIEW": "magenta",
    "CLEAR": "green",
    "ERROR": "bold red",
}
_KIND_TITLE = {
    "entity": "Parties",
    "vessel": "Vessels",
    "aircraft": "Aircraft",
    "place": "Places",
    "goods": "Goods",
    "activity": "Activities",
    "quantity": "Quantities",
    "date": "Dates",
}


def t(value: object, style: str = "") -> Text:
    return Text(inert(value), style=style)


def _details(fact: Fact) -> str:
    a = fact.attrs
    if fact.kind == "entity":
        return f"{a.get('schema', '')} ({a.get('why', '')})"
    if fact.kind == "vessel":
        return f"IMO {a['imo']}" if a.get("imo") else "(no IMO given)"
    if fact.kind == "aircraft":
        parts = [a.get("type") or "type not given", a.get("operator") or "operator not given"]
        if a.get("country"):
            parts.append(
                f"register {str(a['country']).upper()}"
                if a.get("registration")
                else str(a["country"]).upper()
            )
        return " · ".join(parts)
    if fact.kind == "place":
        return f"{str(a['country']).upper()} · {', '.join(a['roles'])}"
    if fact.kind == "goods":
        parts = [f"HS {a['heading']} {a.get('hs_description', '')[:60]}".strip()]
        if a.get("directions"):
            parts.append(
                " / ".join("Russia → DPRK" if d == "to_dprk" else "DPRK → Russia" for d in a["directions"])
            )
        if a.get("quantity") is not None:
            parts.append(a["quantity"].label())
        return " · ".join(parts)
    if fact.kind == "activity":
        parts = []
        if a.get("goods"):
            parts.append("goods: " + ", ".join(g["label"] for g in a["goods"]))
        if a.get("places"):
            parts.append("at: " + ", ".join(p["name"] for p in a["places"][:4]))
        if a.get("counts"):
            parts.append("count: " + ", ".join(q.label() for q in a["counts"][:2]))
        if a.get("dates"):
            parts.append("when: " + ", ".join(d.label() for d in a["dates"][:2]))
        return " · ".join(parts)
    if fact.kind == "date":
        date = a["date"]
        return f"{date.start.isoformat()} … {date.end.isoformat()} ({date.precision}{', relative' if date.relative else ''})"
    if fact.kind == "quantity":
        q = a["quantity"]
        return f"{q.dimension}{' (unit inferred)' if q.unit_inferred else ''}"
    return ""


def analysis_renderable(analysis: Analysis, *, show_sentences: bool = False) -> RenderableType:
    doc = analysis.document
    head = Text()
    head.append_text(t(doc.title or doc.source, "bold"))
    head.append("\n")
    head.append_text(
        t(f"{doc.source} · {doc.report_date.isoformat()} · {doc.language} · {doc.raw_format}", "dim")
    )
    parts: list[RenderableType] = [head]
    if doc.partial or doc.warnings:
        warning = Text()
        if doc.partial:
            warning.append("PARTIAL RESULT", style="bold yellow")
            warning.append(": ")
        warning.append_text(t("; ".join(doc.warnings)))
        parts.append(warning)
    for kind in ("entity", "vessel", "aircraft", "place", "goods", "activity", "quantity", "date"):
        facts = analysis.of_kind(kind)
        if not facts:
            continue
        table = Table(title=_KIND_TITLE[kind], title_justify="left", show_lines=False, expand=False)
        table.add_column("fact")
        table.add_column("details")
        table.add_column("evidence (span: words)")
        if kind in ("entity", "vessel", "aircraft"):
            table.add_column("screening")
        for fact in facts:
            ev = fact.first
            evidence = t(
                f"[{ev.start}:{ev.end}] {ev.text!r}"
                + (f" +{len(fact.evidence) - 1}" if len(fact.evidence) > 1 else "")
            )
            if show_sentences:
                evidence.append("\n")
                evidence.append_text(t(ev.sentence[:240], "dim"))
            row: list[RenderableType] = [t(fact.label, "bold"), t(_details(fact)), evidence]
            if kind in ("entity", "vessel", "aircraft"):
                hits = analysis.screening.get(fact.key)
                if hits is None:
                    row.append(t("not screened", "dim"))
                elif not hits:
                    row.append(t("no hit", "green"))
                else:
                    cell = Text()
                    for hit in hits[:3]:
                        cell.append_text(t(f"{hit.caption} ({hit.entity_id}, {hit.score:.2f})", "bold red"))
                        cell.append("\n")
                        cell.append_text(t(hit.explanation[:160], "dim"))
                        cell.append("\n")
                    row.append(cell)
            table.add_row(*row)
        parts.append(table)
    if analysis.checks:
        table = Table(title="What the rule packs say (hypothetical transactions)", title_justify="left")
        table.add_column("activity")
        table.add_column("verdict")
        table.add_column("rule · citation [mark]")
        table.add_column("why")
        for check in analysis.checks:
            style = _OUTCOME_STYLE.get(check.outcome, "")
            if check.error:
                table.add_row(t(check.description), t(check.outcome, style), t(""), t(check.error))
                continue
            shown = [f for f in check.findings if f.outcome != "CLEAR"][:6] or check.findings[:2]
            if not shown:
                table.add_row(t(check.description), t(check.outcome, style), t("—"), t("no rule applies"))
            for i, finding in enumerate(shown):
                table.add_row(
                    t(check.description if i == 0 else ""),
                    t(finding.outcome, _OUTCOME_STYLE.get(finding.outcome, "")),
                    t(f"{finding.rule_id} · {finding.citation}"),
                    t(finding.message[:200]),
                )
        parts.append(table)
        parts.append(t("Not legal advice: paragraphs marked P or U are unverified (docs/trade.md).", "dim"))
    return Panel(Group(*parts), title=t("report", "bold"), expand=True)


def stories_table(stories: list[StoryRow]) -> Table:
    table = Table(title="Stories", title_justify="left")
    table.add_column("story", justify="right")
    table.add_column("reports", justify="right")
    table.add_column("dates")
    table.add_column("title / reports")
    for story in stories:
        cell = Text()
        cell.append_text(t(story.title, "bold"))
        for report in story.reports:
            cell.append("\n")
            score = report.get("story_score")
            joined = f" (joined at {score:.2f})" if score is not None else ""
            cell.append_text(t(f"#{report['id']} {report['report_date']} {report['source']}{joined}", "dim"))
        dates = (
            story.first_date
            if story.first_date == story.last_date
            else f"{story.first_date} … {story.last_date}"
        )
        table.add_row(t(story.id), t(len(story.reports)), t(dates), cell)
    return table


def support_table(rows: list[FactSupport], title: str = "Facts") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("kind")
    table.add_column("fact")
    table.add_column("stories", justify="right")
    table.add_column("reports", justify="right")
    table.add_column("first said")
    for row in rows:
        first: dict[str, Any] = row.mentions[0] if row.mentions else {}
        said = t(
            f"#{first.get('report_id', '')} [{first.get('start', '')}:{first.get('end', '')}] {first.get('sentence', '')[:160]}",
            "dim",
        )
        table.add_row(t(row.kind), t(row.label, "bold"), t(row.stories), t(row.reports), said)
    return table

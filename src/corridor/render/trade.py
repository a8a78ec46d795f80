"""Rich renderables for the trade commands: verdicts, rules, HS lookups, the ledger.

Every citation is shown as the rule gives it: an unverified paragraph carries
"(unverified)" and the V/P/U mark, so nothing unverified is ever shown as fact.

Everything that comes from a transaction, a list or a pack reaches the console as
`rich.text.Text` built by `plain()` (after `corridor.types.text.inert`): never as
a markup string, so `[/red]` in a transaction id prints as itself and control
characters cannot drive the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from corridor.trade.evaluate import Verdict
from corridor.trade.hs import HSMatch, HSPath
from corridor.trade.ledger import PeriodUsage
from corridor.trade.rules import Outcome, Rule, RuleBook
from corridor.types.text import inert

STYLE = {
    Outcome.PROHIBITED: "bold white on red",
    Outcome.LICENCE_REQUIRED: "bold black on dark_orange",
    Outcome.CAPPED_REPORTABLE: "bold black on yellow",
    Outcome.REVIEW: "bold black on cyan",
    Outcome.CLEAR: "bold black on green",
}
MARK_STYLE = {"V": "green", "P": "yellow", "U": "red"}
MARK_TEXT = {"V": "verified", "P": "partly verified: paragraph unverified", "U": "unverified"}


def plain(value: object, style: str = "") -> Text:
    """Data as inert text: no markup, control characters made visible."""
    return Text(inert(value), style=style)


def _lines(value: object, style: str = "") -> Text:
    """Inert text that keeps its line breaks (each line made inert on its own)."""
    return Text("\n".join(inert(line) for line in str(value).split("\n")), style=style)


def _mark(mark: str) -> Text:
    return plain(mark, style=MARK_STYLE.get(mark, ""))


def verdict_renderable(verdict: Verdict) -> RenderableType:
    head = Text()
    head.append(f" {verdict.outcome.value} ", style=STYLE[verdict.outcome])
    head.append(inert(f"  transaction {verdict.transaction_id}  {verdict.date.isoformat()}"))
    if verdict.directions:
        head.append(inert("  (" + ", ".join(verdict.directions) + ")"))
    parts: list[RenderableType] = [head]

    reasons = Table(title="Reasons", show_lines=True, expand=True)
    reasons.add_column("Outcome", no_wrap=True)
    reasons.add_column("Rule / citation", ratio=2)
    reasons.add_column("Subject", ratio=2)
    reasons.add_column("Why", ratio=4)
    for r in verdict.reasons:
        label = (
            "note"
            if r.outcome is Outcome.CLEAR and not r.exemption
            else ("exempt" if r.exemption else r.outcome.value)
        )
        cite = Text(f"{inert(r.rule_id)}\n{inert(r.citation)}\n")
        cite.append(
            inert(MARK_TEXT.get(r.verification, r.verification)), style=MARK_STYLE.get(r.verification, "")
        )
        if r.exemption:
            cite.append(f"\nexemption: {inert(r.exemption_citation)}")
        why = plain(r.message)
        for note in r.notes:
            why.append(f"\n- {inert(note)}", style="dim")
        if r.sources:
            why.append("\nsources: " + " ".join(f"[{inert(s)}]" for s in r.sources), style="dim")
        reasons.add_row(
            Text(label, style=STYLE[r.outcome] if label != "note" else "dim"), cite, plain(r.subject), why
        )
    if verdict.reasons:
        parts.append(reasons)
    else:
        parts.append(Text("No rule applies (no DPRK nexus found and no list hits).", style="green"))

    hits = [(s, h) for s in verdict.screening for h in s.hits]
    if hits:
        table = Table(title="Screening hits", expand=True)
        for col in ("Screened", "Listed as", "List / ref", "Score", "Programs", "Why"):
            table.add_column(col)
        for s, h in hits:
            table.add_row(
                plain(s.subject),
                plain(h.caption),
                plain(f"{h.list} {h.ref}"),
                Text(f"{h.score:.2f}"),
                plain(", ".join(h.programs)),
                plain(h.explanation),
            )
        parts.append(table)
    else:
        screened = len(verdict.screening)
        parts.append(Text(f"Screening: {screened} part(ies)/vessel(s) screened, no hits.", style="dim"))

    if verdict.nexus:
        table = Table(title="DPRK nexus", expand=True)
        for col in ("Kind", "Where", "Finding", "Stated?"):
            table.add_column(col)
        for f in verdict.nexus:
            table.add_row(
                plain(f.kind),
                plain(f.subject),
                plain(f.detail + ("" if f.strength == "strong" else " (weak)")),
                Text("yes" if f.stated else "found"),
            )
        parts.append(table)

    if verdict.caps:
        table = Table(title="Caps", expand=True)
        for col in ("Cap", "Period", "Before (bbl)", "This (bbl)", "After (bbl)", "Limit", "Used"):
            table.add_column(
                col, justify="right" if col.startswith(("Before", "This", "After", "Used")) else "left"
            )
        for c in verdict.caps:
            limit = " / ".join(
                x
                for x in (
                    f"{c.limit_bbl:,} bbl" if c.limit_bbl else "",
                    f"{c.limit_t:,} t" if c.limit_t else "",
                )
                if x
            )
            table.add_row(
                plain(c.cap_id),
                plain(c.period),
                Text(f"{c.before_bbl:,.3f}"),
                Text(f"{c.this_bbl:,.3f}"),
                Text(f"{c.after_bbl:,.3f}"),
                Text(limit),
                Text(f"{c.percent_after:.2f} %", style="red" if c.over else ""),
            )
        parts.append(table)
        parts.append(
            Text(
                "Recorded in the ledger." if verdict.recorded else "Not recorded in the ledger.", style="dim"
            )
        )
    elif verdict.charges:
        table = Table(title="Counted against caps (ledger not consulted)", expand=True)
        for col in ("Cap", "Period", "Line", "Barrels", "Conversion"):
            table.add_column(col)
        for charge in verdict.charges:
            table.add_row(
                plain(charge.cap_id),
                plain(charge.period),
                Text(str(charge.line_no)),
                Text(f"{charge.barrels:,.3f}"),
                plain(charge.conversion),
            )
        parts.append(table)
    for warning in verdict.warnings:
        parts.append(plain(f"warning: {warning}", style="yellow"))
    return Panel(
        Group(*parts),
        title=plain(f"Trade check {verdict.transaction_id}"),
        border_style=STYLE[verdict.outcome].split()[-1],
    )


def rules_table(rulebook: RuleBook, *, regime: str | None = None, status: str | None = None) -> Table:
    table = Table(title=plain(f"Rules ({', '.join(p.id for p in rulebook.packs)})"), expand=True)
    for col in ("ID", "Regime", "Citation", "Mark", "Status", "Measure", "Direction", "Title"):
        table.add_column(col)
    for rule in rulebook.rules.values():
        if regime and rule.regime.casefold() != regime.casefold():
            continue
        if status and rule.status != status:
            continue
        table.add_row(
            plain(rule.id),
            plain(rule.regime),
            plain(f"{rule.instrument} {rule.paragraph_label}"),
            _mark(rule.verification),
            plain(rule.status),
            plain(rule.measure),
            plain(rule.direction),
            plain(rule.title),
        )
    return table


def rule_renderable(rule: Rule) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    mark = Text(
        f"{rule.verification} ({MARK_TEXT.get(rule.verification, '')})",
        style=MARK_STYLE.get(rule.verification, ""),
    )
    rows: list[tuple[str, RenderableType]] = [
        ("Title", rule.title),
        ("Regime / pack", f"{rule.regime} / {rule.pack}"),
        ("Citation", rule.citation),
        ("Verification", mark),
    ]
    if rule.verification_note:
        rows.append(("", rule.verification_note))
    dates = f"adopted {rule.adopted}, in force from {rule.in_force_from}"
    if rule.superseded_by:
        dates += f", superseded by {rule.superseded_by} from {rule.superseded_on}"
    if rule.expired_on:
        dates += f", no longer applies from {rule.expired_on}"
    rows += [("Status", f"{rule.status}: {dates}")]
    if rule.dates_note:
        rows.append(("", rule.dates_note))
    rows += [("Direction", rule.direction), ("Measure", rule.measure)]
    if rule.hs:
        hs_text = ", ".join(rule.hs.prefixes) + f"  [{rule.hs.mapping} mapping, {rule.hs.verification}]"
        rows.append(("HS prefixes", hs_text))
        if rule.hs.caveat():
            rows.append(("", rule.hs.caveat()))
        if rule.hs.note:
            rows.append(("", rule.hs.note))
    if rule.cap:
        rows.append(
            (
                "Cap",
                rule.cap.describe()
                + f"; thresholds {', '.join(f'{t:g} %' for t in rule.cap.thresholds)} ({rule.cap.thresholds_verification})",
            )
        )
        if rule.cap.note:
            rows.append(("", rule.cap.note))
    if rule.scope.nexus != "any":
        rows.append(("Scope", f"{rule.scope.nexus.upper()} nexus; otherwise: {rule.scope.otherwise}"))
    for trig in rule.triggers:
        extra = ""
        if trig.exemptions:
            extra = " Exemptions: " + ", ".join(
                f"{e.id} [{e.rule_id}] (needs: {'; '.join(x for x in (', '.join(e.evidence), e.conditions.describe()) if x) or '-'})"
                for e in trig.exemptions
            )
        rows.append(
            (f"Trigger {trig.index + 1}", f"{trig.kind} -> {trig.outcome.value}: {trig.explain}{extra}")
        )
    rows.append(("Explanation", rule.explanation))
    for source in rule.sources:
        rows.append(("Source", source.cite()))
    if not rule.sources:
        rows.append(("Source", "none retrieved (analyst knowledge)"))
    for label, value in rows:
        table.add_row(plain(label), plain(value) if isinstance(value, str) else value)
    return Panel(table, title=plain(rule.id))


def hs_search_table(query: str, matches: Sequence[HSMatch]) -> Table:
    table = Table(title=plain(f"HS 2022 search: {query!r}"), expand=True)
    for col in ("Code", "Level", "Description", "Why"):
        table.add_column(col)
    for m in matches:
        table.add_row(plain(m.code), Text(str(m.level)), plain(m.description), plain(m.via))
    return table


def hs_path_renderable(path: HSPath) -> RenderableType:
    lines = path.lines()
    if path.code.national:
        lines.append(f"National digits {path.code.national} (not validated against a national tariff)")
    return Panel(_lines("\n".join(lines)), title=plain(f"HS {path.code.dotted()}"))


def ledger_renderable(usages: Iterable[PeriodUsage], *, show_shipments: bool = True) -> RenderableType:
    parts: list[RenderableType] = []
    for usage in usages:
        limit = " or ".join(
            x
            for x in (
                f"{usage.limit_bbl:,} bbl" if usage.limit_bbl else "",
                f"{usage.limit_t:,} t" if usage.limit_t else "",
            )
            if x
        )
        title = f"{usage.cap_id} {usage.period}: {usage.barrels:,.3f} bbl"
        if usage.limit_t:
            title += f" / {usage.tonnes:,.3f} t"
        title += f" of {limit or '?'} ({usage.percent:.2f} %), {len(usage.shipments)} line(s)"
        if not show_shipments:
            parts.append(plain(title))
            continue
        table = Table(title=plain(title), expand=True)
        for col in (
            "Date",
            "Transaction",
            "Line",
            "HS",
            "Product",
            "Quantity",
            "Barrels",
            "Conversion",
            "Notification",
        ):
            table.add_column(col, justify="right" if col in ("Quantity", "Barrels", "Line") else "left")
        for row in usage.shipments:
            table.add_row(
                plain(row.shipment_date),
                plain(row.transaction_id),
                Text(str(row.line_no)),
                plain(row.hs_code),
                plain(row.product),
                plain(f"{row.quantity:,} {row.unit}"),
                Text(f"{row.barrels:,.3f}"),
                plain(row.conversion),
                plain(row.notification_ref or "-"),
            )
        parts.append(table)
    if not parts:
        parts.append(Text("The cap ledger is empty."))
    return Group(*parts)


def verdicts_table(verdicts: Sequence[Verdict], title: str = "Verdicts") -> Table:
    """One row per transaction: the verdict and the rules behind its deciding reasons."""
    table = Table(title=plain(title), expand=True)
    for col in ("Transaction", "Date", "Verdict", "Deciding rules (citation, mark)", "Screening hits"):
        table.add_column(col, overflow="fold")
    for verdict in verdicts:
        deciding = (
            [r for r in verdict.reasons if r.outcome is verdict.outcome]
            if verdict.outcome is not Outcome.CLEAR
            else []
        )
        cited = list(dict.fromkeys(r.citation for r in deciding))
        hits = sum(len(s.hits) for s in verdict.screening)
        table.add_row(
            plain(verdict.transaction_id),
            Text(verdict.date.isoformat()),
            Text(verdict.outcome.value, style=STYLE.get(verdict.outcome, "")),
            plain("; ".join(cited[:4]) + (f" (+{len(cited) - 4})" if len(cited) > 4 else "") or "-"),
            Text(str(hits)),
        )
    return table


def check_errors(errors: Sequence[tuple[str, str]]) -> RenderableType:
    """Transactions that could not be checked: (transaction id or where, message)."""
    table = Table(title="Not checked", expand=True)
    table.add_column("Transaction", overflow="fold")
    table.add_column("Error", overflow="fold")
    for label, message in errors:
        table.add_row(plain(label), plain(message, style="red"))
    return table

"""`EvalDetail`: the per-case detail of one eval configuration, which known issue it found
and who found it.

The eval screen shows it as a pane on a large terminal; `EvalDetailScreen`
(`ui/screens/eval_detail.py`) shows it full screen. One row per known issue of
every case: found or missed, and for a pair `✓ both`, `◀ only A` or `▶ only B`:
an issue only one of the two found is one the other alone would have missed,
what the pair bought. Glyph and word, never colour alone; `· judge` when the
judge model made or confirmed the match. The highlighted issue's full text is
shown below the table, with the matches behind it and who made each (the
matcher, or the judge with its one-line reason). Suite and model text (titles,
issue descriptions, the judge's reasons) is untrusted: plain `Text`, controls
made visible, never markup, and each field cut by `shown` (a suite file or a
judge's reply may hold a multi-megabyte word).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from duo_tui.eval.detail import (
    BOTH,
    CLEAN,
    FOUND,
    MISSED,
    NOT_RUN,
    ONLY_A,
    ONLY_B,
    IssueRow,
    config_rows,
    pair_gain,
    short_names,
)
from duo_tui.eval.results import ConfigResult, EvalReport, MatchRecord
from duo_tui.eval.suite import Suite
from duo_tui.ui.match_marks import ONLY_A_GLYPH, ONLY_B_GLYPH
from duo_tui.ui.visible import SHOWN_CHARS, shown_line, visible

__all__ = ["EvalDetail", "detail_head", "match_line"]

_COLUMNS = ("case", "findings", "issue", "severity", "found by", "known issue")


def _pct(n: int | None, d: int | None, v: float | None) -> str:
    return "-" if v is None or d is None else f"{100 * v:.0f}% ({n}/{d})"


def detail_head(report: EvalReport, cfg: ConfigResult) -> Text:
    """What the configuration scored, and for a pair what it found that one alone missed."""
    names = short_names(report.models)
    t = Text()
    t.append(shown_line(cfg.name), style="bold")
    t.append(
        f" · {cfg.cases}/{report.cases} cases · recall {_pct(cfg.found, cfg.issues, cfg.recall)}"
        f" · precision {_pct(cfg.hits, cfg.findings, cfg.precision)}"
    )
    if cfg.agreed is not None:
        t.append(
            f" · agreed {_pct(cfg.agreed_hits, cfg.agreed, cfg.agreed_precision)}"
            f" vs one only {_pct(cfg.single_hits, cfg.single, cfg.single_precision)}"
        )
    gain = pair_gain(cfg)
    if gain is not None:
        a, b = (shown_line(names[m]) for m in cfg.models)
        t.append("\n")
        if gain.total:
            t.append(f"the pair found {gain.total} issue(s) one of them alone missed: ")
            t.append(f"{ONLY_A_GLYPH} {gain.only_a} only {a}", style="bold")
            t.append(f" ({b} alone missed them), ")
            t.append(f"{ONLY_B_GLYPH} {gain.only_b} only {b}", style="bold")
            t.append(f" ({a} alone missed them)")
        else:
            t.append("the pair found nothing that each of them did not find alone")
    return visible(t)


def match_line(r: MatchRecord, model: str) -> Text:
    """One match behind an issue, and who made it: `✓ a F2 (judge, joined: reason)`;
    the judge's no is `✗`. Model text is cleaned to one line, never markup."""
    t = Text("✓ " if r.matched else "✗ ", style="bold")
    t.append(f"{model} {shown_line(r.finding)}")
    if r.title:
        title = shown_line(r.title)
        t.append(f" “{title if len(title) <= 60 else title[:59] + '…'}”")
    if r.by == "judge":
        t.append(f" · judge ({shown_line(r.applied)})" if r.applied else " · judge", style="bold")
        if r.reason:
            t.append(": " + shown_line(r.reason, SHOWN_CHARS))
    else:
        t.append(" · matcher" + (f" {r.score:.2f}" if r.score is not None else ""))
    return t


class EvalDetail(Vertical):
    """The per-case table of one configuration, its summary above, the issue's text below."""

    DEFAULT_CSS = """
    EvalDetail { height: 1fr; }
    EvalDetail > .eval-detail-head { height: auto; padding: 0 1; }
    EvalDetail > DataTable { height: 1fr; }
    EvalDetail > .eval-issue-text { height: auto; max-height: 6; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, focusable: bool = True) -> None:
        super().__init__(id=id)
        self.table_focusable = focusable
        self.rows: list[IssueRow] = []
        self.config: ConfigResult | None = None
        self.models: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", classes="eval-detail-head")
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        table.can_focus = self.table_focusable
        yield table
        yield Static("", classes="eval-issue-text")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*_COLUMNS)

    def _var(self, name: str) -> str:
        return self.app.theme_variables.get(name, "")

    def _found_cell(self, row: IssueRow, names: list[str]) -> Text:
        label, var = {
            BOTH: ("✓ both", "duo-agree"),
            FOUND: ("✓ found", "duo-agree"),
            ONLY_A: (f"{ONLY_A_GLYPH} only {names[0]}", "duo-only-a"),
            ONLY_B: (f"{ONLY_B_GLYPH} only {names[-1]}", "duo-only-b"),
            MISSED: ("✗ missed", "duo-hunk-rejected"),
            CLEAN: ("clean change", ""),
            NOT_RUN: ("not reviewed", ""),
        }[row.found_by]
        style = f"bold {self._var(var)}" if var else "dim"
        cell = Text(label, style=style)
        if row.judged:
            cell.append(" · judge")
        return cell

    def show(self, report: EvalReport, suite: Suite, cfg: ConfigResult) -> None:
        self.config = cfg
        self.models = list(report.models)
        self.rows = config_rows(report, suite, cfg)
        self.query_one(".eval-detail-head", Static).update(detail_head(report, cfg))
        short = short_names(report.models)
        names = [shown_line(short[m]) for m in cfg.models]
        table: DataTable[Text] = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        room = max(40, (self.size.width or self.app.size.width) - 72)  # the other columns
        for k, row in enumerate(self.rows):
            counts = ""
            if row.first and row.findings is not None:
                counts = f"{row.findings}" + (
                    f" · {row.false_alarms} false" if row.false_alarms else ""
                )
            description = shown_line(row.description)
            table.add_row(
                Text(shown_line(row.case) if row.first else "", style="bold"),
                Text(counts),
                Text(shown_line(row.issue)),
                Text(
                    shown_line(row.severity),
                    style=self._var(f"duo-{row.severity}") if row.severity else "",
                ),
                self._found_cell(row, names),
                Text(description if len(description) <= room else description[: room - 1] + "…"),
                key=str(k),
            )
        if self.rows:
            table.move_cursor(row=max(0, min(keep, len(self.rows) - 1)), animate=False)
            self._describe(table.cursor_row)

    def _describe(self, k: int) -> None:
        if not 0 <= k < len(self.rows):
            return
        row = self.rows[k]
        what = f"{row.case} {row.issue}: " if row.issue else f"{row.case}: "
        text = Text(shown_line(what) + shown_line(row.description, SHOWN_CHARS))
        short = short_names(self.models)
        for r in row.matches:
            text.append("\n")
            text.append_text(match_line(r, shown_line(short.get(r.model, r.model))))
        self.query_one(".eval-issue-text", Static).update(visible(text))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._describe(event.cursor_row)

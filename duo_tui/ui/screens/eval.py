"""The eval screen: each reviewer alone and every pair, as a table and a bar chart, live.

`duo-tui eval` in a terminal plays its run here. The run goes in a thread
worker with its own event loop (`duo_tui.eval.command.run_plan`); the run's
callbacks post immutable snapshots (`duo_tui.eval.live`) back as messages, so
the event loop never waits on a review. While it runs: a progress bar with
reviews and cases done, the spend against `--max-cost`, the reviews under way
and a per-case strip; the table and the chart fill in as cases complete. Then:
one row per configuration (recall, precision, agreed vs one-only precision,
cost, tokens, review time), the chart (recall and cost), and per-case detail of
the highlighted configuration (a pane on a large terminal; enter opens it full
screen). `s` stops the run and keeps what is done. Model names and suite text
are untrusted: plain `Text`, controls made visible, never markup.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from duo_tui.eval.detail import short_names
from duo_tui.eval.live import CACHED, DONE, FAILED, RUNNING, LiveRun, Snapshot
from duo_tui.eval.report import HEAD, compact_cells, cost_text, row_cells
from duo_tui.eval.results import ConfigResult, EvalReport
from duo_tui.eval.suite import Suite
from duo_tui.ui.eval_messages import EvalDetailWanted, EvalReported
from duo_tui.ui.visible import shown_line, visible
from duo_tui.ui.widgets.eval_chart import ChartRow, EvalChart
from duo_tui.ui.widgets.eval_detail import EvalDetail
from duo_tui.ui.widgets.quiet_footer import QuietFooter

if TYPE_CHECKING:
    from duo_tui.eval.command import EvalPlan

__all__ = ["EvalScreen"]

CHART_BESIDE = 62  # columns the chart needs to sit beside the table
TALL = 36  # rows from which the detail of the highlighted configuration is shown below
FULL_CELLS = 120  # columns from which the progress bar is long
_GLYPH = {DONE: "●", CACHED: "●", RUNNING: "◐", FAILED: "✗"}
_COMPACT_HEAD = ("configuration", "cases", "recall", "prec.", "agreed", "one only")


class EvalScreen(Screen[None]):
    """Run an eval plan (or show a finished report) as a table, a chart and per-case detail."""

    DEFAULT_CSS = """
    EvalScreen { layout: vertical; }
    #eval-head { height: auto; padding: 0 1; background: $panel; }
    #eval-status { height: auto; padding: 0 1; }
    EvalScreen.-pane #eval-status { margin-bottom: 1; }
    #eval-top { height: auto; layout: vertical; }
    #eval-table { height: auto; max-height: 12; }
    #eval-chart { margin-top: 1; }
    #eval-cases { height: auto; padding: 0 1; margin-top: 1; color: $text-muted; }
    #eval-pane { display: none; }
    EvalScreen.-wide #eval-top { layout: horizontal; }
    EvalScreen.-wide #eval-table { width: auto; }
    EvalScreen.-wide #eval-chart { width: 1fr; margin-top: 0; }
    EvalScreen.-pane #eval-pane {
        display: block; height: 1fr; margin-top: 1; border-top: solid $panel-lighten-2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "detail", "Per-case detail", id="eval.detail", show=False),
        Binding("d", "detail", "Per-case detail", id="eval.detail_key"),
        Binding("s", "stop", "Stop the run", id="eval.stop"),
        Binding("question_mark", "app.help", "Help", id="eval.help"),
    ]

    class Progress(Message):
        def __init__(self, snap: Snapshot) -> None:
            super().__init__()
            self.snap = snap

    class Finished(Message):
        def __init__(self, report: EvalReport) -> None:
            super().__init__()
            self.report = report

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        plan: EvalPlan | None = None,
        *,
        suite: Suite | None = None,
        report: EvalReport | None = None,
    ) -> None:
        super().__init__()
        self.plan = plan
        if plan is not None:
            suite, models = plan.suite, list(plan.models)
        elif suite is not None and report is not None:
            models = list(report.models)
        else:
            raise ValueError("EvalScreen needs a plan to run, or a suite and its report")
        self.suite: Suite = suite
        self.models: list[str] = models
        self.report: EvalReport | None = report
        self._reported = report  # the newest report posted up (`EvalReported`)
        self.snap: Snapshot | None = None
        self.finished = report is not None
        self.error: str | None = None
        self.stopped_by_user = False
        self._stop_asked = False  # a stop that came before the run's task existed
        self._run_loop: asyncio.AbstractEventLoop | None = None
        self._run_task: asyncio.Task[Any] | None = None
        self._live: LiveRun | None = None
        self.done_event = threading.Event()  # set when the run's thread is done
        self.status_text = ""
        self.cases_text = ""
        if plan is None:
            self.done_event.set()

    @classmethod
    def finished_report(cls, suite: Suite, report: EvalReport) -> EvalScreen:
        """A finished report, shown without running anything."""
        return cls(suite=suite, report=report)

    def compose(self) -> ComposeResult:
        yield Static("", id="eval-head")
        yield Static("", id="eval-status")
        with Horizontal(id="eval-top"):
            yield DataTable(id="eval-table", cursor_type="row", zebra_stripes=True)
            yield EvalChart(id="eval-chart")
        yield Static("", id="eval-cases")
        yield EvalDetail(id="eval-pane", focusable=False)
        yield QuietFooter()

    def on_mount(self) -> None:
        self._layout_classes()
        self._head()
        if self.plan is not None and not self.finished:
            self._live = LiveRun(self.suite, self.models)
            self.snap = self._live.snapshot()
            self.report = self._live.report()  # every configuration, nothing scored yet
            self.run_worker(self._run, thread=True, group="eval", exit_on_error=False)
            self.set_interval(0.25, self._tick)
        self._fill()
        self.query_one("#eval-table", DataTable).focus()
        self._status()
        self._cases()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return not self.finished  # the key is shown only while the run goes
        return True

    def on_resize(self) -> None:
        before = (self.has_class("-wide"), self.has_class("-pane"), self._full_cells)
        self._layout_classes()
        if (self.has_class("-wide"), self.has_class("-pane"), self._full_cells) != before:
            self._fill(rebuild=True)
        self._head()
        self._status()
        self._cases()

    def _full_width(self) -> int:
        """Columns the table takes with full model names and fractions, at the most:
        the layout does not change while the numbers grow."""
        names = [" + ".join(c) for c in self._configs()]
        i, cases = self.suite.issue_count, len(self.suite.cases)
        cells = [
            max([len(n) for n in names] + [len(HEAD[0])]),
            len(f"{cases}/{cases}"),
            len(f"100% ({i}/{i})"),
            *[len("100% (999/999)")] * 3,  # precision, agreed, one only
            len("$10.000+?"),
            len("999.9k"),
            len("9999.9s"),
        ]
        return sum(cells) + 2 * len(cells)  # each cell's padding

    def _configs(self) -> list[list[str]]:
        from itertools import combinations

        return [[m] for m in self.models] + [list(p) for p in combinations(self.models, 2)]

    def _layout_classes(self) -> None:
        w, h = self.app.size
        need = self._full_width()
        wide = w >= need + CHART_BESIDE
        self.set_class(wide, "-wide")  # the chart beside the table
        self.set_class(h >= TALL or (wide and h >= TALL - 8), "-pane")  # detail below
        self._full_cells = need <= w - 2  # else short names and percentages only

    def _var(self, name: str) -> str:
        return self.app.theme_variables.get(name, "")

    # -- the run (on its own thread) ------------------------------------------------

    def _run(self) -> None:
        from duo_tui.errors import DuoError
        from duo_tui.eval.command import run_plan
        from duo_tui.redact import redact

        assert self.plan is not None and self._live is not None
        live, plan = self._live, self.plan
        loop = asyncio.new_event_loop()
        last = [0.0]

        def progress(outcome: Any) -> None:
            complete = live.finished(outcome)
            now = loop.time()
            report = None
            if complete and now - last[0] >= 0.2:
                last[0] = now
                report = live.report()
            self.post_message(self.Progress(live.snapshot(report)))

        def started(model: str, case: str) -> None:
            live.started(model, case)
            self.post_message(self.Progress(live.snapshot()))

        async def main() -> EvalReport:
            self._run_task = asyncio.current_task()
            if self._stop_asked:  # a quit came before the run began: it never begins
                self.stopped_by_user = True
                raise asyncio.CancelledError
            return await run_plan(plan, progress, started)

        try:
            self._run_loop = loop
            report = loop.run_until_complete(main())
            self.post_message(self.Finished(report))
        except asyncio.CancelledError:
            self.post_message(self.Finished(live.report(stopped="stopped by you before the end")))
        except DuoError as exc:
            self.post_message(self.Failed(shown_line(redact(str(exc)))))
        except Exception as exc:  # a crash in a review must not take the screen down
            self.post_message(self.Failed(shown_line(redact(f"{type(exc).__name__}: {exc}"))))
        finally:
            self._run_loop = None
            loop.close()
            plan.close()
            self.done_event.set()

    def stop_run(self) -> None:
        """Stop the run where it is (thread-safe), or before it begins (the run's thread
        checks once its task exists); what is done is kept and shown."""
        self._stop_asked = True
        loop, task = self._run_loop, self._run_task
        if loop is not None and task is not None and not task.done():
            self.stopped_by_user = True
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:
                pass  # the loop closed in between: the run is over anyway

    def on_unmount(self) -> None:
        self.stop_run()

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        self.snap = message.snap
        if message.snap.report is not None and not self.finished:
            self.report = message.snap.report
            self._fill()
        self._status()
        self._cases()

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.finished = True
        self.report = message.report
        self.refresh_bindings()
        if self._live is not None:
            self.snap = self._live.snapshot(message.report)
        self._fill()
        self._status()
        self._cases()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.finished = True
        self.error = message.error
        self.refresh_bindings()
        self._status()
        self.notify(f"eval failed: {message.error}", severity="error", timeout=10)

    def _tick(self) -> None:
        if not self.finished:
            self._status()

    # -- what is shown --------------------------------------------------------------

    def _head(self) -> None:
        s = self.suite
        demo = self.plan is not None and self.plan.demo
        start = (
            f"eval · suite {shown_line(s.name)}: {len(s.cases)} cases, {s.issue_count} known issues"
        )
        names = f" · reviewers: {', '.join(shown_line(m) for m in self.models)}"
        tail = " · demo: scripted reviewers" if demo else ""
        if len(start + names + tail) > self.app.size.width - 2:  # one line: the table names them
            names, tail = f" · {len(self.models)} reviewers", " · demo" if demo else ""
        t = Text()
        t.append("eval", style="bold")
        t.append(start[4:] + names)
        t.append(tail, style="dim")
        self.query_one("#eval-head", Static).update(visible(t))

    def _bar(self, done: int, total: int, width: int) -> Text:
        filled = round(width * done / total) if total else width
        t = Text()
        t.append("━" * filled, style=self._var("primary"))
        t.append("━" * (width - filled), style=self._var("duo-stage-pending"))
        return t

    def _status(self) -> None:
        t = Text()
        cap = self.plan.max_cost if self.plan is not None else None
        snap = self.snap
        report = self.report
        if self.error:
            t.append("✗ the run failed: ", style=f"bold {self._var('error')}")
            t.append(self.error)
        elif not self.finished and snap is not None:
            wide = self.app.size.width >= FULL_CELLS
            t.append("▶ reviewing " if wide else "▶ ", style=f"bold {self._var('primary')}")
            t.append_text(self._bar(snap.done, snap.total, 40 if wide else 14))
            t.append(
                f" {snap.done}/{snap.total} reviews · {snap.cases_done}/{len(self.suite.cases)}"
                f" cases · {cost_text(snap.spent_usd)}"
                + (f" of {cost_text(cap)} max" if cap is not None else " spent")
                + f" · {snap.elapsed_s:.1f}s"
            )
            if snap.running:
                now = ", ".join(f"{shown_line(m)} on {shown_line(c)}" for m, c in snap.running[:2])
                more = f" (+{len(snap.running) - 2})" if len(snap.running) > 2 else ""
                t.append(f"\n  now: {now}{more}", style="dim")
        elif report is not None:
            reviews = sum(1 for r in report.reviews if not r.get("skipped"))
            cached = sum(1 for r in report.reviews if r.get("cached"))
            not_run = len(self.suite.cases) * len(self.models) - reviews
            # a run stopped short (by you, by the cost cap) is not "done"
            mark, var = ("■ stopped", "warning") if report.stopped else ("✓ done", "success")
            t.append(mark, style=f"bold {self._var(var)}")
            t.append(
                f": {reviews} reviews"
                + (f" ({cached} from the cache)" if cached else "")
                + (f", {not_run} not run" if not_run else "")
                + f" in {report.wall_s:.1f}s · spent {cost_text(report.spent_usd)}"
                + (f" of {cost_text(cap)} max" if cap is not None else "")
            )
            if report.stopped:
                t.append("\nPARTIAL: ", style=f"bold {self._var('warning')}")
                t.append(shown_line(report.stopped))
            elif report.partial:
                failed = sum(1 for r in report.reviews if r.get("error"))
                t.append("\nPARTIAL: ", style=f"bold {self._var('warning')}")
                t.append(f"{failed} review(s) failed and are left out")
        self.status_text = t.plain  # what the status line says (the tests read it)
        self.query_one("#eval-status", Static).update(visible(t))

    def _cases(self) -> None:
        t = Text()
        snap = self.snap
        if not self.finished and snap is not None and not self.has_class("-pane"):
            # a small terminal: one glyph per case, on one line
            t.append("cases ", style="bold")
            for _cid, states in snap.states:
                t.append(self._case_glyph(states), style=self._case_style(states))
            t.append("  ● reviewed  ◐ under way  ○ waiting  ✗ failed", style="dim")
        elif not self.finished and snap is not None:
            t.append("cases ", style="bold")
            room, used = self.app.size.width - 2, 6
            for k, (cid, states) in enumerate(snap.states):
                name = shown_line(cid)
                width = len(name) + 1 + len(states)
                if k and used + 2 + width > room:  # an entry is never split over two lines
                    t.append("\n")
                    used = 0
                elif k:
                    t.append("  ")
                    used += 2
                used += width
                t.append(name + " ")
                for st in states:
                    t.append(
                        _GLYPH.get(st, "○"), style=self._var("primary") if st == RUNNING else ""
                    )
            t.append("\n● reviewed  ◐ reviewing  ○ waiting  ✗ failed or not run", style="dim")
        elif self.report is not None and self.report.configs:
            key = "↑↓" if self.has_class("-pane") else "enter"
            t.append(
                f"{key}: which known issues a configuration found, and which only a pair found"
                " · agreed / one only: precision of the findings both / one reviewer raised",
                style="dim",
            )
        self.cases_text = t.plain
        self.query_one("#eval-cases", Static).update(t)

    @staticmethod
    def _case_glyph(states: tuple[str, ...]) -> str:
        if any(st == FAILED for st in states):
            return "✗"
        if all(st in (DONE, CACHED) for st in states):
            return "●"
        return "○" if all(st not in (DONE, CACHED, RUNNING) for st in states) else "◐"

    def _case_style(self, states: tuple[str, ...]) -> str:
        return self._var("primary") if RUNNING in states else ""

    def _rows_cells(self, cfg: ConfigResult, total: int) -> list[Text]:
        if self._full_cells:
            name, values = cfg.name, row_cells(cfg, total)[1:]
        else:  # a narrow terminal: model names without their provider, percentages only
            short = short_names(self.models)
            name, values = " + ".join(short[m] for m in cfg.models), compact_cells(cfg, total)
        out = [Text(shown_line(name), style="bold" if len(cfg.models) == 2 else "")]
        out += [Text(v) for v in values]
        if cfg.agreed_precision is not None and cfg.agreed_precision > (
            cfg.single_precision or 0.0
        ):  # the agreement signal holds: agreed findings are more often real
            out[4].stylize(f"bold {self._var('duo-agree')}")
        return out

    def _fill(self, rebuild: bool = False) -> None:
        table: DataTable[Text] = self.query_one("#eval-table", DataTable)
        if rebuild or not table.columns:
            table.clear(columns=True)
            head = HEAD if self._full_cells else (*_COMPACT_HEAD, "cost", "tokens", "time")
            table.add_columns(*head)
        row = table.cursor_row
        table.clear()
        report = self.report
        configs = report.configs if report is not None else []
        for cfg in configs:
            table.add_row(*self._rows_cells(cfg, report.cases if report else 0), key=cfg.name)
        if configs:
            table.move_cursor(row=max(0, min(row, len(configs) - 1)), animate=False)
        short = short_names(self.models)
        self.query_one(EvalChart).show(
            [
                ChartRow(
                    " + ".join(short[m] for m in c.models),
                    c.recall,
                    c.cost_usd,
                    c.cost_known,
                    len(c.models) == 2,
                )
                for c in configs
            ]
        )
        self._pane()

    def _current(self) -> ConfigResult | None:
        table = self.query_one("#eval-table", DataTable)
        if self.report is None or not self.report.configs or table.cursor_row < 0:
            return None
        return self.report.configs[min(table.cursor_row, len(self.report.configs) - 1)]

    def _pane(self) -> None:
        if self.report is not None and self.report is not self._reported:
            self._reported = self.report  # a detail opened while the run goes follows it
            self.post_message(EvalReported(self.report))
        cfg = self._current()
        if cfg is not None and self.report is not None:
            self.query_one("#eval-pane", EvalDetail).show(self.report, self.suite, cfg)

    @on(DataTable.RowHighlighted, "#eval-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._pane()

    @on(DataTable.RowSelected, "#eval-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_detail()

    # -- actions --------------------------------------------------------------------

    def action_detail(self) -> None:
        cfg = self._current()
        if cfg is None or self.report is None:
            self.notify("no configuration has a scored case yet", timeout=3)
            return
        self.post_message(EvalDetailWanted(self.report, self.suite, cfg))

    def action_stop(self) -> None:
        if self.finished or self._run_loop is None:
            self.notify("the run is over", timeout=3)
            return
        self.stop_run()
        self.notify("stopping: the reviews done so far are kept (and cached)", timeout=4)

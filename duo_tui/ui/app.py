"""`DuoApp`: the Textual application (`duo-tui`, `duo-tui --demo`, `resume`, `triage`).

Start-up does nothing heavy before the first frame: no SDK import, no git
work, no file scan. The session opens in the pipeline thread once the
workbench is on screen; the configured models' SDKs are imported in the
background then, giving way to every key until its frame is drawn
(`duo_tui/providers/preload.py`).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType, Keymap

from duo_tui.core.enums import Mode
from duo_tui.providers.preload import InputGate, install_gate, uninstall_gate
from duo_tui.safe_text import clean
from duo_tui.shutdown import StopOnSignal, exit_status
from duo_tui.ui import perf
from duo_tui.ui.perf import FastApp
from duo_tui.ui.pipeline_thread import JOIN_TIMEOUT_S, prepare_opening
from duo_tui.ui.visible import shown, shown_line

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from duo_tui.core.models import Review, TriageResult
    from duo_tui.eval.command import EvalPlan
    from duo_tui.eval.results import EvalReport
    from duo_tui.eval.suite import Suite
    from duo_tui.session_summary import SessionInfo
    from duo_tui.ui.eval_messages import EvalDetailWanted, EvalReported
    from duo_tui.ui.screens.eval import EvalScreen
    from duo_tui.ui.screens.triage import TriageScreen
    from duo_tui.ui.workbench import WorkbenchScreen

DEFAULT_DEMO_PACE = 900.0  # characters per second: fast, but a human can follow it


_INPUT_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
"""Input the UI answers before background imports go on."""

GC_THRESHOLDS = (2000, 20, 1000)
"""Young collections a little rarer, full ones very rare (see `tune_gc`)."""


def tune_gc() -> None:
    """Keep the collector from pausing the UI: freeze what start-up built, rarely collect it all.

    Rendering makes many short-lived objects, and a full collection walks every
    object the process holds (Textual, and once imported the model SDKs: hundreds
    of thousands). Measured while four panes stream, the default thresholds gave
    seven full collections in six seconds, up to 100 ms each, the worst key
    latencies; these thresholds gave none, and no collection over 13 ms. Cyclic
    garbage is still collected, by the rare full collections.
    """
    import gc

    from duo_tui.ui import release_gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    release_gc()  # if the CLI held it for start-up


class DuoApp(FastApp, App[None]):
    """The duo-tui workbench."""

    TITLE = "duo-tui"
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "q", "quit", "Quit", id="quit", tooltip="Quit; the session is saved and can be resumed"
        ),
        Binding("h", "history", "History", id="history", show=False),
        Binding("ctrl+t", "next_theme", "Theme", id="next_theme", show=False),
    ]

    def __init__(
        self,
        *,
        demo: bool = False,
        repo: Path | str | None = None,
        config_path: Path | str | None = None,
        theme_name: str | None = None,
        resume: str | None = None,
        triage: tuple[Review, Review] | None = None,
        request: str | None = None,
        mode: str = "manual",
        pace: float | None = None,
        autopilot: bool = False,
        triage_out: Path | str | None = None,
        eval_plan: EvalPlan | None = None,
        eval_report: tuple[Suite, EvalReport] | None = None,
        triage_result: TriageResult | None = None,
    ) -> None:
        super().__init__()
        self.eval_plan = eval_plan  # `duo-tui eval` in a terminal: the run to play
        self.eval_report = eval_report  # or a finished report to show
        self.eval_screen: EvalScreen | None = None
        self.demo = demo
        self.repo_arg = Path(repo) if repo else None
        self.config_path = Path(config_path) if config_path else None
        self.theme_arg = theme_name
        self.resume_id = resume
        self.triage_reviews = triage
        self.triage_out = Path(triage_out) if triage_out else None  # standalone: decisions
        self.triage_result = triage_result  # standalone: the match, when a judge settled it
        self.exit_message = ""  # said on stderr after the screen is gone (standalone triage)
        self.request = request
        self.start_mode = Mode(mode)
        self.start_autopilot = autopilot
        env_pace = os.environ.get("DUO_TUI_DEMO_PACE")
        self.pace = pace if pace is not None else float(env_pace) if env_pace else DEFAULT_DEMO_PACE
        self.theme_problems: list[str] = []
        self._keymap_applied = False
        self.keymap_overrides: dict[str, str] = {}
        """The `[ui] keys` applied (binding id -> keys): what key hints are built from."""
        self.last_key_at = 0.0
        self.sdk_preload: threading.Thread | None = None
        """The thread importing the SDKs after the first frame (None: not started)."""
        self.import_gate = InputGate(blocks_others=perf.waits_for_imports_of)
        """Background imports (the SDKs) step aside while a key is being answered."""
        self._answering = False
        self._first_frame_done = False
        self._after_first_frame: list[Callable[[], object]] = []
        self.workbench: WorkbenchScreen | None = None
        """The workbench this app opened (None: it opened none)."""
        self.stop_signals = StopOnSignal(self._quit_on_signal)
        """SIGTERM and SIGHUP end the app as `q` does (see `duo_tui.shutdown`)."""
        self._adopt_starting_theme()

    # -- input first ----------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _INPUT_EVENTS):
            self.last_key_at = time.monotonic()  # the workbench gives input priority
            self.import_gate.hold()  # input injected past the driver (tests, web)
            self._answering = True
            if not perf.ENABLED:
                # Stock Textual tells nobody a frame was written: after the refresh
                # that follows this event will do (see `frame_written`).
                self.call_after_refresh(self.frame_written, False)
        await super().on_event(event)

    def frame_written(self, batched: bool) -> None:
        """A frame was written (`batched`: inside an update batch, which Textual drops).

        With the render speed-ups on, `FastApp` calls this after each frame it
        displays; on stock Textual, `call_after_refresh` after input and on mount.
        """
        # The first frame written after the input was taken up answers it (or shows
        # the stream it interrupted; either way the gate holds at most 0.1 s).
        if self._answering:
            self._answering = False
            self.import_gate.release()
        if not self._first_frame_done and not batched:
            self._first_frame_done = True
            for callback in self._after_first_frame:
                self.call_later(callback)
            self._after_first_frame.clear()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain text with its control characters made visible.

        Toasts carry model and repository text (errors echoed by providers, commit
        subjects, stop reasons, file names), so the message is cleaned and never
        parsed as markup, whatever the caller asked (`markup` is ignored): a `[` in
        a model's words must not style the toast or bind a click to an action. A
        multi-megabyte message is cut (`ui/visible.py`): the toast shows its start.
        """
        super().notify(
            clean(shown(str(message))),
            title=shown_line(str(title)),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run `callback` (on the app's loop) once the first frame is on screen.

        For work the first frame does not need: it then does not delay it.
        """
        if self._first_frame_done:
            self.call_later(callback)
        else:
            self._after_first_frame.append(callback)

    def on_unmount(self) -> None:
        from duo_tui.ui import release_gc

        uninstall_gate()
        self.stop_signals.uninstall()
        release_gc()  # closed before the first frame: the collector must not stay off

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Our .tcss uses $duo-* variables; give every theme (even Textual's own) a value.
        from duo_tui.ui.themes import duo_variable_defaults

        return duo_variable_defaults()

    # -- start-up -------------------------------------------------------------------

    def _adopt_starting_theme(self) -> None:
        """Make a shipped starting theme current before the stylesheet is first parsed.

        Setting `theme` once the app runs re-parses every CSS source and restyles the
        app; done here the first parse already uses the theme's variables. What
        `App._watch_theme` would do at this point is done directly: the stylesheet's
        variables, the theme and dark/light classes, the ANSI colour mapping.
        """
        from duo_tui.ui.themes import builtin_theme

        if not perf.ENABLED:
            return  # stock: `on_mount` sets the theme (one more stylesheet parse)
        start = builtin_theme(self.theme_arg or "duo-dark")
        if start is None:
            return  # a user theme or an unknown name: on_mount deals with it
        self.register_theme(start)
        self.set_reactive(App.theme, start.name)
        self.stylesheet.set_variables(self.get_css_variables())  # nothing is parsed yet
        self.add_class(f"-theme-{start.name}", update=False)
        self.set_class(start.dark, "-dark-mode", update=False)
        self.set_class(not start.dark, "-light-mode", update=False)
        self.adopt_ansi_colours()

    def on_mount(self) -> None:
        from duo_tui.ui.themes import builtin_theme

        if perf.ENABLED:
            self.gate_driver_input(self.import_gate, _INPUT_EVENTS)
        else:
            self.call_after_refresh(self.frame_written, False)  # the first frame
        # After the driver's own handlers (the web driver takes SIGTERM and SIGINT).
        self.stop_signals.install(asyncio.get_running_loop())

        # Before the first frame only the starting theme, read fast (a shipped one is
        # current since __init__); every theme file (with validation, and the user's
        # own) is registered right after it.
        wanted = self.theme_arg or "duo-dark"
        if self.theme != wanted and self.theme_arg is not None:
            self._register_all_themes()  # a user theme named on the command line
            if wanted in self.available_themes:
                self.theme = wanted
        if self.theme != wanted:
            if self.theme_arg is not None:
                self.notify(f"unknown theme {wanted!r}; using duo-dark", severity="warning")
            fallback = builtin_theme("duo-dark")
            if fallback is not None:
                self.register_theme(fallback)
            self.theme = "duo-dark" if fallback is not None else "textual-dark"
        self.after_first_frame(self._apply_ui_config)
        if self.eval_plan is not None or self.eval_report is not None:
            from duo_tui.ui.screens.eval import EvalScreen

            if self.eval_plan is not None:
                self.eval_screen = EvalScreen(self.eval_plan)
            else:
                assert self.eval_report is not None
                self.eval_screen = EvalScreen.finished_report(*self.eval_report)
            self.push_screen(self.eval_screen)
            return
        if self.triage_reviews is not None:
            from duo_tui.ui.screens.triage import TriageScreen

            a, b = self.triage_reviews
            self.push_screen(
                TriageScreen.standalone(a, b, out=self.triage_out, result=self.triage_result)
            )
            return
        if self.demo or self.resume_id is not None or self.request:
            self._open_workbench()
        else:
            from duo_tui.ui.screens.new_session import NewSessionScreen

            self.push_screen(NewSessionScreen(), self._new_session_chosen)

    def on_triage_screen_left(self, message: TriageScreen.Left) -> None:
        """`duo-tui triage A B`: leaving its screen ends the program; what the screen
        said is printed on stderr once the screen is gone (see `cli.py`)."""
        self.exit_message = message.said
        self.exit()

    def on_eval_detail_wanted(self, message: EvalDetailWanted) -> None:
        """The eval report's enter on a configuration: its per-case detail, full screen."""
        from duo_tui.ui.screens.eval_detail import EvalDetailScreen

        self.push_screen(EvalDetailScreen(message.report, message.suite, message.config))

    def on_eval_reported(self, message: EvalReported) -> None:
        """The eval run went on: the detail screens opened from it show the newer report."""
        from duo_tui.ui.screens.eval_detail import EvalDetailScreen

        for screen in self.screen_stack:
            if isinstance(screen, EvalDetailScreen):
                screen.update_report(message.report)

    def _register_all_themes(self) -> None:
        from duo_tui.ui.themes import register_themes

        problems = register_themes(self)
        self.theme_problems = [str(p) for p in problems]
        for p in self.theme_problems:
            self.notify(f"theme skipped: {p}", severity="warning", timeout=8)
        self._themes_registered = True

    def set_keymap(self, keymap: Keymap) -> None:
        """Remap keys by binding id; the screens' key hints are drawn again."""
        super().set_keymap(keymap)
        self.keymap_overrides = dict(keymap)
        from duo_tui.ui.keys import KeysChanged

        for screen in self.screen_stack:
            screen.post_message(KeysChanged())

    def _apply_ui_config(self) -> None:
        """After the first frame: all themes, remapped keys and the configured theme from `[ui]`."""
        tune_gc()
        install_gate(self.import_gate)
        if not getattr(self, "_themes_registered", False):
            self._register_all_themes()
        from duo_tui.config import load_config
        from duo_tui.errors import ConfigError

        try:
            repo = self.repo_arg if self.repo_arg and (self.repo_arg / ".duo").is_dir() else None
            config = load_config(repo, self.config_path)
        except ConfigError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        ui = config.ui
        if not self.demo and self.triage_reviews is None and self.eval_screen is None:
            # The models' SDKs load now, in the background, so the first call is quick.
            from duo_tui.providers.preload import preload_in_background

            roles = config.roles
            self.sdk_preload = preload_in_background(
                [roles.planner, roles.executor, *roles.reviewers]
            )
        if ui.keys:
            self.set_keymap(dict(ui.keys))
        if self.theme_arg is None and ui.theme != self.theme:
            if ui.theme in self.available_themes:
                self.theme = ui.theme
            else:
                self.notify(f"[ui] theme {ui.theme!r} is not installed", severity="warning")

    def _new_session_chosen(self, result: object) -> None:
        if not isinstance(result, tuple):
            self.exit()
            return
        self.request, mode = result
        self.start_mode = Mode(mode)
        self._open_workbench()

    def _open_workbench(self) -> None:
        from duo_tui.ui.workbench import WorkbenchScreen

        screen = WorkbenchScreen()
        self.workbench = screen
        self.push_screen(screen)
        # The session opens (git work, imports) only after the first frame is on screen.
        self.call_after_refresh(screen.start, self._opener(), prepare_opening)

    def _opener(self) -> Any:
        """What the pipeline thread runs to open the session (git work happens there)."""
        demo, repo_arg, config_path = self.demo, self.repo_arg, self.config_path
        resume_id, request, mode, pace = self.resume_id, self.request, self.start_mode, self.pace
        autopilot = self.start_autopilot

        def open_(driver: Any, bridge: Any) -> Any:
            from duo_tui.config import load_config
            from duo_tui.service import (
                create_demo_repo,
                demo_config,
                find_repo,
                open_existing,
                open_new,
            )

            if demo and resume_id is None:
                from duo_tui.demo.project import REQUEST

                repo = create_demo_repo(repo_arg)
                config = demo_config(load_config(None, config_path))
                return open_new(
                    repo,
                    request or REQUEST,
                    config,
                    driver=driver,
                    mode=mode,
                    autopilot=autopilot,
                    demo=True,
                    pace=pace,
                    listeners=[bridge],
                )
            repo = find_repo((repo_arg or Path.cwd()).resolve())
            config = load_config(repo, config_path)
            if resume_id is not None:
                return open_existing(
                    repo, resume_id or None, config, driver=driver, pace=pace, listeners=[bridge]
                )
            from duo_tui.providers.registry import check_models

            roles = config.roles.to_roles()
            check_models([roles.planner, roles.executor, *roles.effective_reviewers()], config)
            return open_new(
                repo,
                request or "",
                config,
                driver=driver,
                mode=mode,
                autopilot=autopilot or mode == Mode.AUTO,
                listeners=[bridge],
            )

        return open_

    # -- app-wide actions -----------------------------------------------------------

    async def action_quit(self) -> None:
        self.quit(0)

    def quit(self, return_code: int = 0) -> None:
        """End the app: the pipeline stops where it is, the session is saved."""
        if self.workbench is not None:
            self.workbench.stop_pipeline()
        if self.eval_screen is not None:
            self.eval_screen.stop_run()
        self.exit(return_code=return_code)

    def _quit_on_signal(self, signum: int) -> None:
        self.quit(exit_status(signum))

    def close_session(self, timeout: float = JOIN_TIMEOUT_S) -> SessionInfo | None:
        """After the app ended: wait (bounded) for the pipeline to save and close.

        Returns what the exit message needs, or None if no session was opened.
        """
        screen = self.workbench
        if screen is None:
            return None
        screen.stop_pipeline()
        pipeline = screen.pipeline
        if pipeline is None:
            return None
        pipeline.join(timeout)
        return pipeline.info

    def action_history(self) -> None:
        from duo_tui.ui.screens.sessions import SessionsScreen

        # the open session's repository (the one it resolved), else the one asked for
        wb = self.workbench
        repo = Path(wb.repo_path) if wb is not None and wb.repo_path else self.repo_arg
        self.push_screen(SessionsScreen(repo))

    def action_help(self) -> None:
        """The keys of the screen on top, for screens that do not open the help themselves
        (the task list, a task's detail: they bind `?` to `app.help`)."""
        from duo_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_next_theme(self) -> None:
        names = [n for n in self.available_themes if n.startswith("duo-")] or list(
            self.available_themes
        )
        i = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(i + 1) % len(names)]
        self.notify(f"theme: {self.theme}", timeout=2)

    def get_system_commands(self, screen):  # type: ignore[no-untyped-def]
        yield from super().get_system_commands(screen)
        from duo_tui.ui.commands import duo_commands

        yield from duo_commands(self, screen)

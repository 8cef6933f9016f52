"""`duo-tui run`: the pipeline without a UI, progress on stderr, a JSON report."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import Any, TextIO

from duo_tui.config import Config
from duo_tui.core.events import (
    ErrorEvent,
    Event,
    Notice,
    Recovered,
    Retrying,
    SessionEnded,
    StageFinished,
    StageStarted,
    StreamFinished,
)
from duo_tui.core.models import Mode, cached_text
from duo_tui.core.review_rerun import reviewer_name
from duo_tui.core.runner import HeadlessDriver
from duo_tui.errors import ConfigError, DiskFullError
from duo_tui.redact import redact
from duo_tui.safe_text import clean, clean_obj
from duo_tui.shutdown import StopOnSignal, exit_status
from duo_tui.store.atomic import find_disk_full, write_atomic


def say(out: TextIO, line: str) -> None:
    """Print a progress line holding untrusted text (model output, file names, errors).

    Controls are made visible, and a continuation line is indented, so model text
    can neither drive the terminal nor pass for a progress line of its own.
    """
    print(clean(redact(line)).replace("\n", "\n    "), file=out, flush=True)


def stream_label(stream: str) -> str:
    """What a progress line calls a stream: the role that writes it, not its routing name
    ("exec" -> "executor", "review:1" -> "reviewer B")."""
    if stream.startswith("review:"):
        index = stream.partition(":")[2]
        return f"reviewer {reviewer_name(int(index)) if index.isdigit() else index}"
    return {"plan": "planner", "exec": "executor"}.get(stream, stream)


class ProgressPrinter:
    """Turns runner events into short progress lines."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, ev: Event) -> None:
        line = None
        if isinstance(ev, StageStarted):
            who = f" ({ev.model})" if ev.model else ""
            where = f" {ev.task_id} round {ev.round}" if ev.task_id else ""
            line = f"▶ {ev.stage.value}{where}{who}"
        elif isinstance(ev, StageFinished):
            if ev.state.value != "awaiting_decision":  # autopilot decides at once; say it once
                line = f"  {ev.stage.value}: {ev.state.value} — {ev.summary}"
        elif isinstance(ev, StreamFinished):
            u = ev.usage
            tok = f"{u.input_tokens if u.input_tokens is not None else '?'}→{u.output_tokens if u.output_tokens is not None else '?'} tokens"
            if cached_text(u):
                tok += f" ({cached_text(u)})"
            cost = f", ${u.cost_usd:.4f}" if u.cost_usd is not None else ", cost unknown"
            line = f"  · {stream_label(ev.stream)} {ev.model}: {tok}{cost}" + (
                "" if ev.complete else f" (incomplete: {ev.ending or 'failed'})"
            )
        elif isinstance(ev, Retrying):
            line = f"  ↻ {stream_label(ev.stream)}: {ev.reason}; attempt {ev.attempt}/{ev.max_attempts} in {ev.wait_s:.1f}s"
        elif isinstance(ev, Recovered):
            line = f"  ✓ {stream_label(ev.stream)}: recovered, answered on attempt {ev.attempt}/{ev.max_attempts}"
        elif isinstance(ev, ErrorEvent):
            line = f"  ✗ {ev.message}" + (f" — {ev.what_to_do}" if ev.what_to_do else "")
        elif isinstance(ev, Notice):
            line = f"  {'!' if ev.severity != 'information' else 'i'} {ev.message}"
        elif isinstance(ev, SessionEnded):
            line = f"■ session {ev.status}" + (f": {ev.stop_reason}" if ev.stop_reason else "")
        if line is not None:
            say(self.out, line)


HEADLESS_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Outside the TUI Ctrl+C stops the run too."""


def check_report_path(path: Path | None) -> None:
    """Refuse a `--json FILE` that could not be written, before anything runs (exit 2).

    The file may exist (it is replaced) but must be a regular file; its folder
    must exist and be writable: folders are never created for it.
    """
    if path is None:
        return
    target = path.expanduser()
    if target.is_dir():
        raise ConfigError(f"--json {path}: that is a directory; name a file in it")
    if target.exists() and not target.is_file():
        raise ConfigError(f"--json {path}: that is not a regular file")
    folder = target.parent
    if not folder.is_dir():
        raise ConfigError(
            f"--json {path}: the folder {folder} does not exist (it is not created for you)"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"--json {path}: the folder {folder} is not writable")


def write_report(path: Path | None, report: dict[str, Any]) -> None:
    if path is None:
        return
    write_atomic(path, redact(json.dumps(clean_obj(report), indent=2)) + "\n")


def exit_code(report: dict[str, Any]) -> int:
    return 0 if report.get("converged") and report.get("committed") else 1


async def run_headless(
    repo: Path,
    task: str | None,
    config: Config,
    *,
    mode: Mode = Mode.AUTO,
    demo: bool = False,
    resume: str | None = None,
    resume_latest: bool = False,
    json_path: Path | None = None,
    err: TextIO = sys.stderr,
) -> int:
    # Ctrl+C, SIGTERM and SIGHUP stop the run where it is, with the report written;
    # a second one forces the exit (see duo_tui.shutdown).
    me = asyncio.current_task()
    assert me is not None

    def stop(_signum: int) -> None:
        me.cancel()

    stopper = StopOnSignal(stop, HEADLESS_STOP_SIGNALS)
    stopper.install(asyncio.get_running_loop())
    try:
        return await _run_headless(
            repo,
            task,
            config,
            stopper,
            mode=mode,
            demo=demo,
            resume=resume,
            resume_latest=resume_latest,
            json_path=json_path,
            err=err,
        )
    finally:
        stopper.uninstall()


async def _run_headless(
    repo: Path,
    task: str | None,
    config: Config,
    stopper: StopOnSignal,
    *,
    mode: Mode,
    demo: bool,
    resume: str | None,
    resume_latest: bool,
    json_path: Path | None,
    err: TextIO,
) -> int:
    from duo_tui.service import open_existing, open_new

    check_report_path(json_path)
    printer = ProgressPrinter(err)
    driver = HeadlessDriver()
    if resume or resume_latest:
        ws = open_existing(repo, resume, config, driver=driver, autopilot=True, listeners=[printer])
        for p in ws.problems:
            say(err, f"  ! {p}")
        say(err, f"resuming {ws.session.id} on {ws.session.branch}")
    else:
        assert task is not None
        ws = open_new(
            repo,
            task,
            config,
            driver=driver,
            mode=mode,
            autopilot=True,
            demo=demo,
            listeners=[printer],
        )
        say(err, f"session {ws.session.id} on {ws.session.branch} in {ws.session.worktree}")
        for w in ws.session.warnings:
            say(err, f"  ! {w}")
    try:
        report = await ws.pipeline.run()
    except asyncio.CancelledError:
        if stopper.received is None:
            raise
        # The pipeline saved the session on cancellation: say so, in the report too.
        report = interrupted_report(ws.session, stopper.received, repo)
        write_report(json_path, report)
        say(err, f"■ {report['stop_reason']}")
        return exit_status(stopper.received)
    except (DiskFullError, OSError) as exc:
        full = find_disk_full(exc)
        if full is None:
            raise
        # The session on disk is the last state that could be saved: resumable as is.
        report = disk_full_report(ws.session, full, repo)
        say(err, f"  ✗ {full}")
        try:
            write_report(json_path, report)
        except DiskFullError:
            say(err, "  ✗ the JSON report could not be written either: the disk is full")
        say(err, f"■ {report['stop_reason']}")
        return 1
    finally:
        ws.close()
    write_report(json_path, report)
    if report.get("commit"):
        say(err, f"committed {report['commit'][:10]} on {report['branch']}")
    return exit_code(report)


def interrupted_report(session: Any, signum: int, repo: Path) -> dict[str, Any]:
    """The report of a run stopped by a signal: not converged, the session resumable."""
    from duo_tui.core.report import build_report

    report = build_report(session)
    name = signal.Signals(signum).name
    resume = shlex.join(["duo-tui", "run", "--resume", session.id, "--repo", str(repo)])
    report["converged"] = False
    report["interrupted"] = name
    report["stop_reason"] = f"interrupted by {name}; the session is saved: `{resume}` continues it"
    return report


def disk_full_report(session: Any, exc: DiskFullError, repo: Path) -> dict[str, Any]:
    """The report of a run stopped by a full disk: not converged, the session resumable."""
    from duo_tui.core.report import build_report

    report = build_report(session)
    resume = shlex.join(["duo-tui", "run", "--resume", session.id, "--repo", str(repo)])
    report["converged"] = False
    report["stop_reason"] = f"the disk is full; free some space, then `{resume}` continues"
    report["errors"] = [*report.get("errors", []), str(exc)]
    return report


def run_sync(**kwargs: Any) -> int:
    return asyncio.run(run_headless(**kwargs))

"""Generate the README screenshots from the real app: `python screenshots/make_screenshots.py`.

Every SVG is a frame of `DuoApp(demo=True)` driven by Textual's Pilot, the
same way a user drives it with the keyboard; nothing is drawn by hand. The
demo runs offline on its built-in script in a throw-away repository.

Written next to this file:

- workbench-streaming.svg  the workbench while both reviewers stream (200×60)
- workbench-triage.svg     the workbench at the triage checkpoint (200×60)
- triage.svg               the triage screen (`t`)
- diff-hunks.svg           the diff at the execute checkpoint with one hunk rejected
- help.svg                 the help screen (`?`)
- workbench-80x24.svg      the narrow layout: one pane at a time, in tabs
- eval.svg                 `duo-tui eval --demo` when it has finished (120×40), the
                           first pair highlighted: who found which known issue

Options: `--out DIR` writes elsewhere; `--only NAME` (repeatable) makes only
the named shots; `--png` also renders each SVG to PNG with cairosvg (for a
quick look; not needed by the README). A full run takes about two minutes,
almost all of it the paced streaming shot.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WIDE = (200, 60)
NARROW = (80, 24)
MEDIUM = (120, 40)
STREAM_PACE = 400.0  # characters per second: slow enough to catch the reviews mid-stream


def _ensure_git_identity(tmp: Path) -> None:
    """Give git an identity (the demo commits) when the user has none configured."""
    import subprocess

    have = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True)
    if have.returncode == 0 and have.stdout.strip():
        return
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = duo screenshots\n\temail = screenshots@duo-tui.invalid\n"
        "[init]\n\tdefaultBranch = main\n",
        encoding="utf-8",
    )
    os.environ["GIT_CONFIG_GLOBAL"] = str(gitconfig)


def _neutral_python() -> None:
    """Put this interpreter's directory first on PATH, so the demo's gate command reads
    `python -m unittest ...` and no one's virtual environment path is in a screenshot."""
    here = str(Path(sys.executable).parent)
    os.environ["PATH"] = os.pathsep.join([here, *os.environ.get("PATH", "").split(os.pathsep)])


# -- driving the workbench ---------------------------------------------------------------


async def _wait(
    pilot: Any, predicate: Callable[[], bool], what: str, timeout: float = 60.0
) -> None:
    waited = 0.0
    while not predicate():
        await pilot.pause(0.05)
        waited += 0.05
        if waited > timeout:
            raise TimeoutError(f"timed out waiting for {what}")


async def _workbench(pilot: Any) -> Any:
    from duo_tui.ui.screens.workbench import WorkbenchScreen

    app = pilot.app
    await _wait(
        pilot,
        lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack),
        "the workbench",
    )
    return next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))


async def _accept_until(pilot: Any, wb: Any, stage: str) -> None:
    """Accept every checkpoint until the one for `stage` is awaited."""
    while True:
        await _wait(
            pilot,
            lambda: wb.checkpoint is not None or wb.ended is not None,
            f"the {stage} checkpoint",
        )
        if wb.ended is not None:
            raise RuntimeError(f"the session ended before the {stage} checkpoint")
        if wb.checkpoint.stage.value == stage:
            return
        sent = len(wb.decisions_sent)
        await pilot.press("a")
        await _wait(pilot, lambda n=sent: len(wb.decisions_sent) > n, "the accept to be sent")


async def _settle(pilot: Any) -> None:
    """Let queued events render and toasts expire, so the frame shows the screen itself."""
    await pilot.pause(0.3)
    pilot.app.clear_notifications()
    await pilot.pause(0.2)


def _reviews_streaming(wb: Any) -> bool:
    from duo_tui.ui.widgets.stream_pane import StreamPane

    if wb.running != "review":
        return False
    texts = [wb.query_one(f"#stream-review-{i}", StreamPane).text for i in range(2)]
    return all(len(t) > 600 for t in texts)


# -- the shots ------------------------------------------------------------------------------


async def shot_streaming(pilot: Any, out: Path) -> None:
    wb = await _workbench(pilot)
    await _accept_until(pilot, wb, "gate")
    await pilot.press("a")
    await _wait(pilot, lambda: _reviews_streaming(wb), "both reviews to stream")
    pilot.app.clear_notifications()
    await pilot.pause(0.1)
    pilot.app.save_screenshot(str(out / "workbench-streaming.svg"))


async def shot_triage(pilot: Any, out: Path) -> None:
    wb = await _workbench(pilot)
    await _accept_until(pilot, wb, "triage")
    await _settle(pilot)
    pilot.app.save_screenshot(str(out / "workbench-triage.svg"))
    await pilot.press("t")
    await pilot.pause(0.3)
    await pilot.press("down")  # select a group so the detail shows both reviewers' words
    await _settle(pilot)
    pilot.app.save_screenshot(str(out / "triage.svg"))


async def shot_diff(pilot: Any, out: Path) -> None:
    from duo_tui.ui.widgets.diff_view import DiffView

    wb = await _workbench(pilot)
    await _accept_until(pilot, wb, "execute")
    await pilot.press("d")
    await pilot.pause(0.2)
    diff = wb.query_one(DiffView)
    if pilot.app.focused is not diff:
        # `d` should focus the diff; if it did not, click it as a user would.
        print(
            f"note: after `d` the focus is on {pilot.app.focused!r}, not the diff", file=sys.stderr
        )
        await pilot.click(diff, offset=(2, 0))
        await pilot.pause(0.1)
    await pilot.press("j")
    await pilot.press("space")
    await _wait(pilot, lambda: bool(diff.rejected_hunks), "a rejected hunk", timeout=5)
    await _settle(pilot)
    pilot.app.save_screenshot(str(out / "diff-hunks.svg"))


async def shot_help(pilot: Any, out: Path) -> None:
    wb = await _workbench(pilot)
    await _accept_until(pilot, wb, "plan")
    await pilot.press("question_mark")
    await _settle(pilot)
    pilot.app.save_screenshot(str(out / "help.svg"))


async def shot_narrow(pilot: Any, out: Path) -> None:
    wb = await _workbench(pilot)
    await _accept_until(pilot, wb, "triage")
    await pilot.press("3")  # the review A tab, with its matched findings
    await _settle(pilot)
    pilot.app.save_screenshot(str(out / "workbench-80x24.svg"))


async def shot_eval(pilot: Any, out: Path) -> None:
    from duo_tui.ui.screens.eval import EvalScreen

    app = pilot.app
    await _wait(pilot, lambda: isinstance(app.screen, EvalScreen), "the eval screen")
    screen = app.screen
    await _wait(pilot, lambda: screen.finished, "the eval run to finish")
    await pilot.press("down", "down", "down")  # the first pair: who found what
    await _settle(pilot)
    pilot.app.save_screenshot(str(out / "eval.svg"))


def _demo_app(tmp: Path, pace: float) -> Any:
    """`duo-tui --demo` in a throw-away repository under `tmp`."""
    from duo_tui.ui.app import DuoApp

    return DuoApp(demo=True, repo=tmp / "demo", pace=pace)


def _eval_app(tmp: Path, pace: float) -> Any:
    """`duo-tui eval --demo` with an empty review cache under `tmp` (so it really runs)."""
    from duo_tui.cli_parser import build_parser
    from duo_tui.eval.command import plan_eval
    from duo_tui.ui.app import DuoApp

    args = build_parser().parse_args(["eval", "--demo", "--cache", str(tmp / "eval-cache")])
    return DuoApp(eval_plan=plan_eval(args))


Shot = Callable[[Any, Path], Awaitable[None]]
AppFactory = Callable[[Path, float], Any]
SHOTS: dict[str, tuple[tuple[int, int], float, Shot, AppFactory]] = {
    "workbench-streaming": (WIDE, STREAM_PACE, shot_streaming, _demo_app),
    "workbench-triage": (WIDE, 0.0, shot_triage, _demo_app),  # also makes triage.svg
    "diff-hunks": (WIDE, 0.0, shot_diff, _demo_app),
    "help": (WIDE, 0.0, shot_help, _demo_app),
    "workbench-80x24": (NARROW, 0.0, shot_narrow, _demo_app),
    "eval": (MEDIUM, 0.0, shot_eval, _eval_app),
}


async def make(out: Path, only: list[str] | None = None) -> list[Path]:
    """Make the screenshots (all, or those named in `only`) into `out`; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    before = {p: p.stat().st_mtime_ns for p in out.glob("*.svg")}
    with tempfile.TemporaryDirectory(prefix="duo-shots-") as tmp_name:
        tmp = Path(tmp_name)
        _ensure_git_identity(tmp)
        _neutral_python()
        os.environ.setdefault("DUO_TUI_CONFIG_DIR", str(tmp / "duo-config"))
        for name, (size, pace, shot, factory) in SHOTS.items():
            if only and name not in only and not (name == "workbench-triage" and "triage" in only):
                continue
            app = factory(tmp / name, pace)
            async with app.run_test(size=size) as pilot:
                await shot(pilot, out)
                await pilot.press("q")
            print(f"made {name}", file=sys.stderr)
    return sorted(p for p in out.glob("*.svg") if before.get(p) != p.stat().st_mtime_ns)


def to_png(svg: Path) -> Path:
    import cairosvg

    png = svg.with_suffix(".png")
    cairosvg.svg2png(url=str(svg), write_to=str(png))
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the SVGs")
    parser.add_argument(
        "--only", action="append", choices=[*SHOTS, "triage"], help="make only these"
    )
    parser.add_argument("--png", action="store_true", help="also render PNGs with cairosvg")
    args = parser.parse_args(argv)
    made = asyncio.run(make(args.out, args.only))
    for svg in made:
        print(svg)
        if args.png:
            print(to_png(svg))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The raw files of `.duo/` keep their bytes; every place that shows them cleans them (issue 16).

gate.log holds what model-written code printed, the reviews and the triage hold
model text, session.json the models a resumed session runs with: a file keeps
it as it was, and each surface that shows it makes its controls visible and
never reads it as markup. The pane titles of a resumed session (its models,
read from session.json) did neither: a model name holding ESC reached the
terminal and one holding `[@click=...]` became a clickable action.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.ui.screens.workbench import _Opened
from tests.core.helpers import (
    EXECUTOR,
    HARMLESS_FIX,
    PLANNER,
    STACKING,
    make_script,
    review,
    run_auto,
)
from tests.pilot._helpers import wait_for

from .hostile import MARKUP, PAYLOAD, forbidden_in
from .test_sanitise_tui import hostile_tui, shown_safely

#: The start of the payload as `clean` shows it.
SHOWN = "␛]52;c;"


async def test_pane_titles_show_model_names_from_session_files_visibly(tmp_path: Path) -> None:
    async with hostile_tui(tmp_path) as (app, pilot, wb):
        await wait_for(pilot, lambda: bool(wb.branch), what="the session's branch")
        # the models of a resumed session, as its session.json names them
        models = ["anthropic/p", f"openai/{PAYLOAD}", f"anthropic/{MARKUP}", "openai/r2"]
        wb.handle(_Opened(wb.session_id, wb.branch, wb.mode, wb.autopilot, models, []))
        await shown_safely(pilot, app, f"code · {SHOWN}", "review A · [@click")


def _poison(folder: Path) -> None:
    """The payload in every raw file of a session folder (text appended, JSON strings)."""
    for path in folder.rglob("*"):
        if not path.is_file() or path.name in ("lock", "session.json.bak"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".log", ".patch", ".md", ".txt"):
            path.write_text(f"{text}\n{PAYLOAD}\n", encoding="utf-8")
        elif path.suffix in (".json", ".jsonl"):
            hostile = json.dumps(PAYLOAD)[1:-1]
            text = text.replace("Discount codes stack", f"{hostile} stack")
            path.write_text(text.replace('"accept"', f'"accept{hostile}"'), encoding="utf-8")


@pytest.mark.parametrize(
    "args", [["export", "--format", "md"], ["export", "--format", "json"], ["sessions"]]
)
def test_cli_surfaces_show_poisoned_session_files_visibly(demo_repo: Path, args: list[str]) -> None:
    reviews = {
        ("review", PLANNER): [review(PLANNER, [STACKING]), review(PLANNER)],
        ("review", EXECUTOR): [review(EXECUTOR, [STACKING]), review(EXECUTOR)],
        "fix": HARMLESS_FIX,
    }
    run = run_auto(demo_repo, make_script(reviews))
    assert run.report["committed"], run.report
    _poison(next((demo_repo / ".duo" / "sessions").iterdir()))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main([*args, "--repo", str(demo_repo)]) == 0
    text = out.getvalue()
    if "json" in args:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    assert forbidden_in(text) == [] and forbidden_in(err.getvalue()) == []
    if args[0] == "export":
        assert SHOWN in text  # the gate log, diff, plan and findings: shown, not dropped

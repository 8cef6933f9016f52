"""`duo-tui triage A B` in a terminal matches within the repository's `[limits]` (issue 16).

`--json`, `--sarif` and the text table honoured the configured limits, but the
triage screen matched the two reviews again with the defaults: a repository
that lowered `term_chars` (the matcher's cost on a hostile word) was not
obeyed by the one path a person actually looks at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from duo_tui import cli
from duo_tui.core import triage
from duo_tui.limits import Limits
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.triage import TriageScreen
from tests.pilot._helpers import wait_for
from tests.security.bounded import finding, write_review


def test_the_triage_screen_matches_within_the_configured_term_chars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / ".duo").mkdir(parents=True)
    (repo / ".duo" / "config.toml").write_text("[limits]\nterm_chars = 16\n", encoding="utf-8")
    a = write_review(tmp_path / "a.json", [finding(1, "cache eviction " + "x" * 500)])
    b = write_review(tmp_path / "b.json", [finding(2, "cache eviction is wrong")])

    seen: list[Limits | None] = []
    real_match = triage.match_reviews

    def spy(*args: Any, limits: Limits | None = None, **kw: Any) -> Any:
        seen.append(limits)
        return real_match(*args, limits=limits, **kw)

    shown: list[TriageScreen] = []
    real_run = DuoApp.run

    def run_headless(app: DuoApp, **kw: Any) -> Any:
        async def look(pilot: Any) -> None:
            await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), what="triage")
            shown.append(app.screen)  # type: ignore[arg-type]
            app.exit()

        return real_run(app, headless=True, size=(160, 40), auto_pilot=look)

    monkeypatch.setattr(triage, "match_reviews", spy)
    monkeypatch.setattr(DuoApp, "run", run_headless)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    monkeypatch.chdir(repo)

    assert cli.main(["triage", str(a), str(b)]) == 0
    assert shown, "the triage screen never opened"
    assert seen and all(lim is not None and lim.term_chars == 16 for lim in seen), seen

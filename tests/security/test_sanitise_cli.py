"""Issue 16: model and repository text reaches no terminal, file or commit as control
sequences, outside the TUI: `duo-tui run`'s progress, its JSON report, the git commit
message, `duo-tui export` (md, json), `duo-tui sessions`, the `duo-tui triage` errors,
the triage exports (Markdown, SARIF) and the learned rules in `.ai/constitution.md`.

The hostile demo session (tests/security/hostile.py) carries the payload in the plan,
the task title, the commit subject and the review findings; it runs once per module.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import duo_tui.demo.script as demo_script_module
from duo_tui.cli import main
from duo_tui.config import Config
from duo_tui.core.context import append_rule
from duo_tui.core.models import Finding, Review, Severity
from duo_tui.core.triage import match_reviews
from duo_tui.core.triage_export import triage_markdown, triage_sarif
from duo_tui.headless import run_headless
from duo_tui.providers.base import FaultKind
from duo_tui.providers.scripted import ScriptedAnswer
from duo_tui.service import create_demo_repo, demo_config

from .hostile import PAYLOAD, VISIBLE, forbidden_in, hostile_script

#: The start of `VISIBLE` (without its backslash, which JSON doubles).
SHOWN = "␛]52;c;cm0gLXJmIH4=␇␛]0;pwned␇␛[2J"


@dataclass
class HostileRun:
    repo: Path
    code: int
    progress: str
    report_text: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.report_text)  # type: ignore[no-any-return]


def _isolate_git(mp: pytest.MonkeyPatch, home: Path) -> None:
    cfg = home / "gitconfig"
    cfg.write_text("[user]\n\tname = duo test\n\temail = test@duo-tui.invalid\n")
    mp.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    mp.setenv("DUO_TUI_CONFIG_DIR", str(home / "duo-config"))
    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"):
        mp.delenv(var, raising=False)


def play(tmp: Path, script: Any) -> HostileRun:
    """`duo-tui run --demo --json` (in process) with the demo script replaced by `script`."""
    repo = create_demo_repo(tmp / "repo")
    err = io.StringIO()
    report = tmp / "report.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo_script_module, "demo_script", lambda: script)
        code = asyncio.run(
            run_headless(
                repo,
                "add discount codes",
                demo_config(Config()),
                demo=True,
                json_path=report,
                err=err,
            )
        )
    return HostileRun(repo, code, err.getvalue(), report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    """The hostile demo session, converged and committed."""
    tmp = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as mp:
        _isolate_git(mp, tmp)
        yield play(tmp, hostile_script())


def test_run_progress_shows_the_commit_subject_visibly(hostile_run: HostileRun) -> None:
    assert hostile_run.code == 0, hostile_run.progress
    assert forbidden_in(hostile_run.progress) == []
    assert (
        f"commit on duo/add-discount-codes: feat(cart): add percentage discount codes{VISIBLE}"
        in (hostile_run.progress)
    )


def test_run_progress_shows_a_provider_error_visibly(tmp_path: Path) -> None:
    """An error message echoed from a provider is model-controlled text too."""
    script = hostile_script()
    script["plan"] = [ScriptedAnswer("", fail=FaultKind.AUTH, fail_message=f"denied\n{PAYLOAD}")]
    run = play(tmp_path, script)
    assert run.code == 1
    assert forbidden_in(run.progress) == []
    assert VISIBLE in run.progress
    # a line break in the message cannot start a line that looks like duo-tui's own
    assert not any(line.startswith("␛") for line in run.progress.splitlines())


def test_json_report_shows_a_provider_error_visibly(tmp_path: Path) -> None:
    """The report's stop reason and errors are read by scripts and printed by CI logs."""
    script = hostile_script()
    script["plan"] = [ScriptedAnswer("", fail=FaultKind.AUTH, fail_message=PAYLOAD)]
    report = play(tmp_path, script).report
    shown = json.dumps(report, ensure_ascii=False)
    assert forbidden_in(shown) == []
    assert SHOWN in shown


def test_commit_message_is_committed_visibly(hostile_run: HostileRun) -> None:
    message = subprocess.run(
        ["git", "log", "-1", "--format=%B", hostile_run.report["branch"]],
        cwd=hostile_run.repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert forbidden_in(message) == []
    assert message.startswith(f"feat(cart): add percentage discount codes{VISIBLE}\n")


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_export_file_and_stdout_hold_no_control_characters(
    hostile_run: HostileRun, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"export.{fmt}"
    assert main(["export", "--repo", str(hostile_run.repo), "--format", fmt, "-o", str(out)]) == 0
    assert main(["export", "--repo", str(hostile_run.repo), "--format", fmt]) == 0
    stdout = capsys.readouterr().out
    for text in (out.read_text(encoding="utf-8"), stdout):
        shown = json.dumps(json.loads(text), ensure_ascii=False) if fmt == "json" else text
        assert forbidden_in(shown) == []
        assert SHOWN in shown  # shown, not dropped


def test_export_to_file_json_holds_no_control_characters(
    hostile_run: HostileRun, tmp_path: Path
) -> None:
    from duo_tui.store.export import export_to_file
    from duo_tui.store.session_store import SessionStore

    store = SessionStore.latest(hostile_run.repo)
    assert store is not None
    text = export_to_file(store, tmp_path / "e.json", "json").read_text(encoding="utf-8")
    assert forbidden_in(text) == []
    assert SHOWN in text


def test_sessions_listing_shows_a_broken_session_visibly(
    hostile_run: HostileRun, capsys: pytest.CaptureFixture[str]
) -> None:
    """A session file is repository text: its problems are listed with controls made visible."""
    sessions = hostile_run.repo / ".duo" / "sessions"
    good = json.loads(next(sessions.glob("*/session.json")).read_text())
    good["usage_by_model"] = {PAYLOAD: 5}  # a dict key ends up in the error message
    folder = sessions / "2026-01-01-broken"
    folder.mkdir()
    (folder / "session.json").write_text(json.dumps(good))
    assert main(["sessions", "--repo", str(hostile_run.repo)]) == 0
    listing = capsys.readouterr().out
    assert "2026-01-01-broken" in listing and "broken" in listing
    assert forbidden_in(listing) == []
    assert "␛]52;c;" in listing


@pytest.mark.parametrize("as_json", [True, False])
def test_triage_error_names_a_hostile_file_name_visibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    """A review file named by the repository (`\\x1b]0;...`) is named, not obeyed."""
    bad = tmp_path / "review\x1b]0;pwned\x07\u202e.json"
    bad.write_text("{not json")
    code = main(["triage", str(bad), str(bad), *(["--json"] if as_json else [])])
    err = capsys.readouterr().err
    assert code == 2
    assert "not valid JSON" in err
    assert forbidden_in(err) == []
    assert "review␛]0;pwned␇<U+202E>.json" in err


def _review(reviewer: str, title: str) -> Review:
    return Review(
        reviewer=reviewer,
        summary=PAYLOAD,
        findings=[
            Finding(
                id="F1",
                severity=Severity.HIGH,
                title=title,
                file="app/x.py",
                detail=PAYLOAD,
                suggestion=PAYLOAD,
            )
        ],
    )


def test_triage_markdown_and_sarif_hold_no_control_characters() -> None:
    a = _review("anthropic/a" + PAYLOAD, "tokens are not checked" + PAYLOAD)
    b = _review("openai/b", "token check missing" + PAYLOAD)
    result = match_reviews(a, b)
    md = triage_markdown(a, b, result, {"a:F1": "fix" + PAYLOAD})
    sarif = json.dumps(triage_sarif(a, b, result), ensure_ascii=False)
    for text in (md, sarif):
        assert forbidden_in(text) == []
        assert "␛]52;c;" in text


def test_a_learned_rule_is_written_visibly(tmp_path: Path) -> None:
    """A finding turned into a rule of `.ai/constitution.md` is repository text from then on."""
    path = append_rule(tmp_path, "never trust input" + PAYLOAD + "\n- fake rule", "F1" + PAYLOAD)
    text = path.read_text(encoding="utf-8")
    assert forbidden_in(text) == []
    assert "never trust input␛]52;c;" in text
    assert "\n- fake rule" not in text  # the rule stays one bullet


def test_commit_subject_and_body_are_committed_visibly(demo_repo: Path) -> None:
    """The one place duo commits cleans the whole message, whoever wrote it (an edited
    message, a model's body): subject and body, `git log` shows no control sequence."""
    from duo_tui.vcs.worktree import SessionWorktree

    wt = SessionWorktree.create(demo_repo, "hostile")
    (wt.path / "NOTES.md").write_text("notes\n")
    sha = wt.commit(f"docs: add notes{PAYLOAD}\n\nwhy: {PAYLOAD}\nsecond line\r\n")
    message = subprocess.run(
        ["git", "log", "-1", "--format=%B", sha],
        cwd=demo_repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert forbidden_in(message) == []
    assert message.startswith(f"docs: add notes{VISIBLE}\n\nwhy: {VISIBLE}\nsecond line\n")


def test_triage_without_a_terminal_prints_the_table_visibly(tmp_path: Path) -> None:
    """`duo-tui triage A B` piped (no terminal for the screen) prints the triage as text,
    review text made visible; it used to wait forever for a terminal."""
    a = _review("anthropic/a", "tokens are not checked" + PAYLOAD)
    b = _review("openai/b", "token check missing" + PAYLOAD)
    (tmp_path / "a.json").write_text(a.model_dump_json())
    (tmp_path / "b.json").write_text(b.model_dump_json())
    proc = subprocess.run(
        [sys.executable, "-m", "duo_tui", "triage", "a.json", "b.json"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert "## Review triage" in proc.stdout
    assert forbidden_in(proc.stdout) == []
    assert "tokens are not checked␛]52;c;" in proc.stdout

"""A split task keeps to its files: flagged, declined by autopilot, counted by the trace;
a task whose edits cannot apply can be rerun with the current files, skipped or merged.

The demo plan's T1 names shop/discounts.py, shop/cart.py and tests/test_discounts.py;
split at the task list it becomes T1a (the first two) and T1b (the tests).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.core.models import Stage, StageState
from duo_tui.demo.script import _EXECUTE

from .helpers import HARMLESS_FIX, make_script, run_manual

TESTS_FILE = "tests/test_discounts.py"


def _split_then(answer):  # type: ignore[no-untyped-def]
    """Split T1 at the task list; then `answer(cp)` (None: accept)."""

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if "task_ops" in cp.actions:
            tasks = cp.data.tasks
            if tasks is not None and len(tasks) == 1:
                return UserDecision("accept", task_ops={tasks[0].id: "split"})
            return None
        return answer(cp)

    return policy


def _files_in(repo: Path, rev: str) -> list[str]:
    out = subprocess.run(
        ["git", "show", "--name-only", "--format=", rev],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(x for x in out.splitlines() if x)


def test_the_split_demo_survives_and_commits_each_part(demo_repo: Path) -> None:
    seen: list[Checkpoint] = []

    def answer(cp: Checkpoint) -> UserDecision | None:
        seen.append(cp)
        return None

    run = run_manual(demo_repo, None, _split_then(answer))
    assert run.report["converged"], run.report["stop_reason"]
    failed = [cp for cp in seen if cp.state == StageState.FAILED]
    assert failed == []
    branch = run.report["branch"]
    assert _files_in(demo_repo, f"{branch}~1") == ["shop/cart.py", "shop/discounts.py"]
    assert _files_in(demo_repo, branch) == [TESTS_FILE]
    assert run.report["trace"]["scope_creep_hunks"] == []


def test_edits_outside_the_task_are_flagged_and_declined_by_autopilot(demo_repo: Path) -> None:
    # the executor answers T1a with the whole change (the tests file is T1b's)
    script = make_script({"execute": [_EXECUTE, _EXECUTE.split("tests/test_discounts.py")[0]]})
    flagged: list[Checkpoint] = []

    def answer(cp: Checkpoint) -> UserDecision | None:
        if cp.stage == Stage.EXECUTE and cp.task_id == "T1a" and not flagged:
            flagged.append(cp)
            return UserDecision("autopilot")
        return None

    run = run_manual(demo_repo, script, _split_then(answer))
    assert flagged and "edits outside T1a's files: tests/test_discounts.py" in flagged[0].summary
    log = [d for d in run.ws.store.decisions() if d.stage == Stage.EXECUTE]  # type: ignore[attr-defined]
    auto = [d for d in log if d.task_id == "T1a" and d.action == "accept"]
    assert auto and auto[0].by == "autopilot"
    assert auto[0].data["rejected_hunks"] == [TESTS_FILE]
    # T1a's commit holds its own files only
    commits = subprocess.run(
        ["git", "log", "--format=%H %s", run.report["branch"]],
        cwd=demo_repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    first = commits[-2].split()[0]  # the oldest is the demo repository's own commit
    assert TESTS_FILE not in _files_in(demo_repo, first)


def test_accepted_edits_outside_the_task_are_scope_creep(demo_repo: Path) -> None:
    # the human keeps T1a's stray edit of the tests file: the trace must say so
    script = make_script({"execute": [_EXECUTE, HARMLESS_FIX]})
    run = run_manual(demo_repo, script, _split_then(lambda cp: None))
    assert run.report["converged"], run.report["stop_reason"]
    creep = run.report["trace"]["scope_creep_hunks"]
    # T1a's edit of T1b's tests file, and T1b's edit of T1a's cart.py
    assert sorted(h.split("#")[0] for h in creep) == ["shop/cart.py", TESTS_FILE]


def _failing_t1b(action: str, third: str = HARMLESS_FIX):  # type: ignore[no-untyped-def]
    """T1a applies the whole change; T1b gets it again, which cannot apply any more."""
    script = make_script({"execute": [_EXECUTE, _EXECUTE, third]})
    failed: list[Checkpoint] = []

    def answer(cp: Checkpoint) -> UserDecision | None:
        if cp.stage == Stage.EXECUTE and cp.state == StageState.FAILED and not failed:
            failed.append(cp)
            return UserDecision(action)  # type: ignore[arg-type]
        return None

    return script, failed, answer


def test_a_task_that_cannot_apply_can_be_skipped(demo_repo: Path) -> None:
    script, failed, answer = _failing_t1b("skip_task")
    run = run_manual(demo_repo, script, _split_then(answer))
    assert failed and {"rerun", "skip_task", "merge_task"} <= set(failed[0].actions)
    assert run.report["converged"], run.report["stop_reason"]
    states = {t.id: t.state.value for t in run.ws.session.tasks}
    assert states == {"T1a": "committed", "T1b": "skipped"}


def test_a_task_that_cannot_apply_can_be_merged_with_the_previous(demo_repo: Path) -> None:
    script, _failed, answer = _failing_t1b("merge_task")
    run = run_manual(demo_repo, script, _split_then(answer))
    assert run.report["converged"], run.report["stop_reason"]
    merged = run.ws.session.tasks[-1]
    assert merged.state.value == "committed"
    assert set(merged.files) == {"shop/discounts.py", "shop/cart.py", TESTS_FILE}
    assert "merged with T1a" in merged.title


def test_a_rerun_after_failed_blocks_shows_those_files_as_they_are(demo_repo: Path) -> None:
    script, _failed, answer = _failing_t1b("rerun")
    run = run_manual(demo_repo, script, _split_then(answer))
    assert run.report["converged"], run.report["stop_reason"]
    t1b = [r for r in run.requests("execute") if "Task T1b" in run.prompt(r)]
    assert len(t1b) == 2
    # the first T1b prompt shows only its own file; the rerun also the files that failed
    assert "shop/cart.py\n<untrusted-data" not in run.prompt(t1b[0])
    assert "shop/cart.py\n<untrusted-data" in run.prompt(t1b[1])

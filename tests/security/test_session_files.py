"""JSON nested without end in any session file is a clear problem, never a RecursionError (issue 16).

`json.loads` raises `RecursionError` (not a `ValueError`) on a document nested
a few thousand deep, so every reader that caught only `ValueError` let a
hand-mangled or hostile file end in a traceback. Every reader of a session
file now goes through `limits.loads_json`: session.json (the backup is used),
the decision and call logs (the line is skipped), the lock's holder note, the
plan check's history (a warning; the check goes on), the resume's redraw, the
export, the task detail and the eval cache.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from duo_tui.core.align_history import ALIGN_HISTORY_FILE, AlignHistory, history_markdown
from duo_tui.core.events import AwaitingDecision, Event
from duo_tui.core.models import Mode, Stage
from duo_tui.core.replay import replay_events
from duo_tui.demo.script import demo_script
from duo_tui.eval.runner import EvalCache
from duo_tui.eval.suite import Case
from duo_tui.store import SessionStore, export_json
from duo_tui.store.lock import read_holder
from duo_tui.store.task_view import load_task_detail
from tests.core.helpers import clean_script, config, run_auto
from tests.security.restart import resume, session_dir, until, warnings

DEEP = "[" * 100_000
NESTED = "nested deeper than 64 levels"


def _finished(repo: Path) -> SessionStore:
    """A converged one-round session of the demo, its store opened afresh."""
    run = run_auto(repo, clean_script())
    assert run.report["committed"], run.report
    return SessionStore.open(repo, run.ws.session.id)


def test_a_nested_session_json_opens_from_its_backup(demo_repo: Path) -> None:
    store = _finished(demo_repo)
    (store.path / "session.json").write_text(DEEP, encoding="utf-8")
    session, problems = store.load()
    assert session.tasks  # the backup's
    assert NESTED in problems[0] and "session.json.bak" in problems[0], problems


def test_a_nested_line_of_the_decision_log_is_skipped(demo_repo: Path) -> None:
    store = _finished(demo_repo)
    log = store.path / "decisions.jsonl"
    kept = len(store.decisions())
    with log.open("a", encoding="utf-8") as fh:
        fh.write(DEEP + "\n")
    _session, problems = store.load()
    assert any(p.startswith("decisions.jsonl line") and NESTED in p for p in problems), problems
    assert len(store.decisions()) == kept


def test_the_redraw_of_a_resumed_session_skips_nested_files(demo_repo: Path) -> None:
    store = _finished(demo_repo)
    session, _ = store.load()
    round1 = store.path / "T1" / "round-1"
    for path in [store.path / "trace.json", round1 / "triage.json", *round1.glob("review-*.json")]:
        path.write_text(DEEP, encoding="utf-8")
    kinds = [getattr(e, "kind", None) for e in replay_events(session, store)]
    assert "plan" in kinds and "diff" in kinds
    assert "review" not in kinds and "triage" not in kinds and "trace" not in kinds


def test_export_and_task_detail_name_a_nested_triage(demo_repo: Path) -> None:
    store = _finished(demo_repo)
    (store.path / "T1" / "round-1" / "triage.json").write_text(DEEP, encoding="utf-8")
    exported = export_json(store)
    assert any("T1/round-1/triage.json is unreadable" in p for p in exported["problems"])
    session, _ = store.load()
    detail = load_task_detail(store, session.tasks[0])
    assert any(NESTED in p for p in detail.problems), detail.problems


def test_a_nested_or_blocking_lock_note_is_no_holder(tmp_path: Path) -> None:
    note = tmp_path / "lock"
    note.write_text(DEEP, encoding="utf-8")
    assert read_holder(note) is None
    fifo = tmp_path / "fifo-lock"
    os.mkfifo(fifo)
    result: list[object] = []
    reader = threading.Thread(target=lambda: result.append(read_holder(fifo)), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # unblock the reader before failing
        with open(fifo, "w"):
            pass
    assert result == [None]


def test_a_nested_or_mistyped_plan_check_history_is_empty_and_said() -> None:
    said: list[str] = []
    assert AlignHistory.from_json(DEEP, said.append).rounds == []
    mistyped = '{"rounds": [{"check": 1, "plan_version": 1, "verdict": 5, "critique": []}]}'
    history = AlignHistory.from_json(mistyped, said.append)
    assert history.rounds == [] and history_markdown(history, lambda _v: "") == ""
    assert NESTED in said[0] and "verdict" in said[1], said


def test_a_nested_plan_check_history_is_a_warning_and_the_check_goes_on(
    demo_repo: Path,
) -> None:
    def plan_waits(ev: Event) -> bool:
        return isinstance(ev, AwaitingDecision) and ev.checkpoint.stage == Stage.PLAN

    cfg = config()
    until(demo_repo, plan_waits, cfg, demo_script(), mode=Mode.MANUAL)
    history = session_dir(demo_repo) / ALIGN_HISTORY_FILE
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text(DEEP, encoding="utf-8")

    report, events, _provider = resume(demo_repo, cfg, demo_script())

    assert report["committed"], report
    shown = warnings(events)
    assert ALIGN_HISTORY_FILE in shown and NESTED in shown, shown
    align = [
        e for e in events if isinstance(e, AwaitingDecision) and e.checkpoint.stage == Stage.ALIGN
    ]
    assert align and align[0].checkpoint.data.align_rounds  # the check ran afresh


def test_a_nested_eval_cache_entry_is_reviewed_again(tmp_path: Path) -> None:
    cache = EvalCache(tmp_path)
    case = Case(id="c1", title="t", description="d", language="python", diff="", files={})
    path = cache.path("x/a", case)
    path.write_text(DEEP, encoding="utf-8")
    assert cache.load("x/a", case) is None


def _huge(path: Path) -> None:
    """A file past the session-file limit, made sparse so the test stays cheap."""
    from duo_tui.limits import SESSION_FILE_BYTES

    with path.open("wb") as fh:
        fh.write(b'{"id": "')
        fh.truncate(SESSION_FILE_BYTES + 10)


def test_a_huge_session_json_is_not_read_whole_and_opens_from_its_backup(
    demo_repo: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    store = _finished(demo_repo)
    _huge(store.path / "session.json")
    real = Path.read_bytes

    def guarded(self: Path) -> bytes:
        assert self.name != "session.json", "session.json read whole"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    session, problems = store.load()
    assert session.tasks  # the backup's
    assert "over the limit" in problems[0] and "session.json.bak" in problems[0], problems


def test_a_huge_request_md_is_not_read_by_the_session_list(demo_repo: Path) -> None:
    from duo_tui.store.session_list import summarize

    store = _finished(demo_repo)
    for name in ("session.json", "session.json.bak"):
        (store.path / name).unlink()
    _huge(store.path / "request.md")
    summary = summarize(store.path)
    assert summary.request == ""
    assert summary.error and "session.json" in summary.error


def test_task_detail_reads_the_triage_typed_and_names_a_row_it_cannot_read(
    demo_repo: Path,
) -> None:
    import json

    from duo_tui.core.artifacts import TriageGroup

    store = _finished(demo_repo)
    path = store.path / "T1" / "round-1" / "triage.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    groups = stored["groups"] if isinstance(stored, dict) else stored
    finding = {"id": "F1", "severity": "high", "title": "Unbounded retry"}
    good = {
        "key": "G98",
        "kind": "only",
        "severity": "high",
        "title": "Unbounded retry",
        "members": [{"reviewer": 1, "finding": finding}],
        "decision": "fix",
    }
    broken = {"key": "G99", "kind": "only", "members": [{"reviewer": 0, "finding": {"id": "X"}}]}
    groups += [good, broken]
    path.write_text(json.dumps(stored), encoding="utf-8")
    session, _ = store.load()
    detail = load_task_detail(store, session.tasks[0])
    shown = detail.rounds[0].triage
    assert shown and all(isinstance(g, TriageGroup) for g in shown)
    assert "G99" not in {g.key for g in shown} and len(shown) == len(groups) - 1
    mine = next(g for g in shown if g.key == "G98")
    assert (mine.decision, mine.members[0].reviewer, mine.members[0].finding.id) == ("fix", 1, "F1")
    assert any("triage.json: a group that does not read" in p for p in detail.problems)

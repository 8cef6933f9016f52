"""SessionStore: layout, save/load round trip, tolerant loading, listing, recovery."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from duo_tui.core.models import (
    CallRecord,
    Review,
    Stage,
    StageState,
    TriagePair,
    TriageResult,
    Usage,
)
from duo_tui.core.session import Decision, RoundSummary, Session, StageRun, Task
from duo_tui.errors import ConfigError, DuoError
from duo_tui.store import SessionStore, mark_interrupted, new_session_id
from duo_tui.store.session_store import ensure_git_excluded

MakeSession = Callable[..., Session]
Spawn = Callable[..., subprocess.Popen[str]]


def test_new_session_id_date_slug_and_suffixes(repo: Path) -> None:
    day = date(2026, 11, 21)
    assert new_session_id("Add rate limit!", day) == "2026-11-21-add-rate-limit"
    assert new_session_id("x", "2026-01-02", existing={"2026-01-02-x"}) == "2026-01-02-x-2"
    (repo / ".duo/sessions/2026-11-21-add-rate-limit").mkdir(parents=True)
    (repo / ".duo/sessions/2026-11-21-add-rate-limit-2").mkdir(parents=True)
    assert new_session_id("Add rate limit", day, repo=repo) == "2026-11-21-add-rate-limit-3"


def test_create_makes_layout_and_git_exclude(repo: Path, make_session: MakeSession) -> None:
    store = SessionStore.create(repo, make_session())
    assert store.path == repo / ".duo/sessions/2026-11-21-add-rate-limit"
    assert (store.path / "session.json").is_file()
    assert (store.path / "request.md").read_text() == "Add rate limit\n"
    exclude = (repo / ".git/info/exclude").read_text()
    assert "/.duo/" in exclude.splitlines()  # vcs.repo.EXCLUDE_LINE
    # idempotent: a second session does not add the line again
    SessionStore.create(repo, make_session("2026-11-21-other", "other"))
    ensure_git_excluded(repo)
    assert (repo / ".git/info/exclude").read_text().splitlines().count("/.duo/") == 1
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    assert ".duo" not in status.stdout
    with pytest.raises(DuoError, match="already exists"):
        SessionStore.create(repo, make_session())


def test_git_exclude_in_linked_worktree_goes_to_common_dir(
    repo: Path, make_session: MakeSession, tmp_path: Path
) -> None:
    def git(*args: str, cwd: Path = repo) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=cwd,
            check=True,
            capture_output=True,
        )

    (repo / "a.txt").write_text("a\n")
    git("add", "a.txt")
    git("commit", "-qm", "init")
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", str(wt), "-b", "duo/x")
    SessionStore.create(wt, make_session())
    assert "/.duo/" in (repo / ".git/info/exclude").read_text().splitlines()


def test_not_a_git_repo_still_works(tmp_path: Path, make_session: MakeSession) -> None:
    store = SessionStore.create(tmp_path, make_session())
    assert store.load()[1] == []
    assert (tmp_path / ".duo/.gitignore").read_text().strip().endswith("*")


def _rich_session(make_session: MakeSession) -> Session:
    s = make_session()
    s.plan_version = 2
    s.tasks = [Task(id="T1", title="limiter", files=["app/limit.py"], round=2)]
    s.rounds = [RoundSummary(task_id="T1", round=1, findings={"high": 1}, fix=["a:F1"])]
    s.add_usage("openai/gpt-5.5", Stage.EXECUTE, Usage(input_tokens=10, output_tokens=5))
    run = StageRun(stage=Stage.EXECUTE, task_id="T1", model="openai/gpt-5.5")
    run.move(StageState.RUNNING)
    s.current = run
    s.runs.append(run.model_copy())
    return s


def test_save_load_round_trip(repo: Path, make_session: MakeSession) -> None:
    s = _rich_session(make_session)
    store = SessionStore.create(repo, s)
    store.write_plan(1, "# plan v1\n")
    store.write_plan(2, "# plan v2\n")
    store.save(s)
    loaded, problems = SessionStore.open(repo, s.id).load()
    assert problems == []
    assert loaded == s
    assert store.read_plan() == "# plan v2\n"
    assert store.read_plan(1) == "# plan v1\n"
    assert store.plan_versions() == [1, 2]
    # plain readable JSON
    assert json.loads((store.path / "session.json").read_text())["id"] == s.id


def test_save_keeps_previous_version_as_bak(repo: Path, make_session: MakeSession) -> None:
    s = make_session()
    store = SessionStore.create(repo, s)
    s.stop_reason = "second"
    store.save(s)
    bak = json.loads((store.path / "session.json.bak").read_text())
    assert bak["stop_reason"] is None
    assert json.loads((store.path / "session.json").read_text())["stop_reason"] == "second"
    leftovers = [p.name for p in store.path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_corrupt_session_json_falls_back_to_bak(repo: Path, make_session: MakeSession) -> None:
    s = make_session()
    store = SessionStore.create(repo, s)
    s.stop_reason = "kept in bak"
    store.save(s)
    s.stop_reason = "lost"
    store.save(s)
    (store.path / "session.json").write_text('{"id": "2026-11-21-add-rate-limit", "slu')
    loaded, problems = store.load()
    assert loaded.stop_reason == "kept in bak"
    assert len(problems) == 1
    assert "session.json is not valid JSON" in problems[0]
    assert "session.json.bak" in problems[0]
    # saving again must not overwrite the good backup with the corrupt file
    store.save(loaded)
    assert json.loads((store.path / "session.json.bak").read_text())["stop_reason"] == "kept in bak"
    assert store.load()[1] == []


def test_hand_edited_invalid_session_json_is_named(repo: Path, make_session: MakeSession) -> None:
    store = SessionStore.create(repo, make_session())
    store.save(make_session())
    data = json.loads((store.path / "session.json").read_text())
    data["mode"] = "turbo"
    (store.path / "session.json").write_text(json.dumps(data))
    loaded, problems = store.load()
    assert "session.json does not match the session format (mode:" in problems[0]
    assert "opened the previous version from session.json.bak" in problems[0]
    store.save(loaded)  # the mangled file must not become the backup
    assert json.loads((store.path / "session.json.bak").read_text())["mode"] == "manual"


def test_both_broken_rebuilds_from_request(repo: Path, make_session: MakeSession) -> None:
    store = SessionStore.create(repo, make_session())
    (store.path / "session.json").write_text("garbage")
    (store.path / "session.json.bak").unlink(missing_ok=True)
    session, problems = store.load()
    assert session.request.strip() == "Add rate limit"
    assert "request.md" in problems[0]
    (store.path / "request.md").unlink()
    with pytest.raises(DuoError, match="cannot be opened"):
        store.load()


def test_missing_plan_and_artifact_named_in_problems(repo: Path, make_session: MakeSession) -> None:
    s = make_session(plan_version=2)
    s.runs = [StageRun(stage=Stage.EXECUTE, task_id="T1", artifact="T1/round-1/edits.md")]
    store = SessionStore.create(repo, s)
    store.write_plan(1, "v1")
    store.write_artifact("T1/round-1/edits.md", "edits")
    (store.path / "T1/round-1/edits.md").unlink()
    (store.path / "decisions.jsonl").write_text('{"stage": "plan", "action": "accept"}\n{bad\n')
    session, problems = store.load()
    assert session.plan_version == 2
    assert any(p.startswith("plan-v2.md is missing") for p in problems)
    assert not any("plan-v1.md" in p for p in problems)
    assert any(p.startswith("T1/round-1/edits.md is missing") for p in problems)
    assert any(p.startswith("decisions.jsonl line 2") for p in problems)


def test_artifacts_layout_and_path_safety(repo: Path, make_session: MakeSession) -> None:
    store = SessionStore.create(repo, make_session())
    assert store.write_edits("T1", 1, "raw answer") == "T1/round-1/edits.md"
    assert store.write_diff("T1", 1, "--- a\n+++ b\n") == "T1/round-1/diff.patch"
    assert store.write_gate_log("T1", 1, "ok") == "T1/round-1/gate.log"
    review = Review(reviewer="anthropic/claude-opus-4-7", summary="fine")
    raw, js = store.write_review("T1", 1, 1, "anthropic/claude-opus-4-7", "{...}", review)
    assert raw == "T1/round-1/review-1-anthropic-claude-opus-4-7.raw.txt"
    assert js == "T1/round-1/review-1-anthropic-claude-opus-4-7.json"
    assert Review.model_validate_json(store.read_artifact(js) or "") == review
    triage = TriageResult(pairs=[TriagePair(a="F1", b="F2", kind="agree")])
    assert store.write_triage("T1", 1, triage) == "T1/round-1/triage.json"
    assert store.read_artifact("T1/round-1/edits.md") == "raw answer"
    assert store.read_artifact("nope.md") is None
    assert store.task_dirs() == ["T1"] and store.rounds_of("T1") == [1]
    for bad in ["../escape.md", "/etc/passwd", "T1/../../x", "", "a//b", "session.json", "lock"]:
        with pytest.raises(ValueError, match="refused"):
            store.write_artifact(bad, "x")
    os.symlink(repo, store.path / "out")
    with pytest.raises(ValueError, match="leaves the session"):
        store.write_artifact("out/evil.txt", "x")
    assert not (repo / "evil.txt").exists()


def test_open_unknown_and_invalid_ids(repo: Path) -> None:
    with pytest.raises(ConfigError, match="duo-tui sessions"):
        SessionStore.open(repo, "2026-01-01-nothing")
    with pytest.raises(ConfigError, match="not a valid session id"):
        SessionStore.open(repo, "../..")


def test_decisions_appended_fsynced_and_read_by_another_process(
    repo: Path, make_session: MakeSession, monkeypatch: pytest.MonkeyPatch, spawn: Spawn
) -> None:
    from duo_tui.store import atomic

    store = SessionStore.create(repo, make_session())
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    store.append_decision(Decision(stage=Stage.PLAN, action="accept", reason="looks right"))
    assert synced, "append_decision must fsync"
    monkeypatch.undo()
    store.append_decision(
        Decision(stage=Stage.TRIAGE, action="finding", data={"a:F1": "fix"}, by="autopilot")
    )
    proc = spawn(
        """
        import sys, json
        from pathlib import Path
        from duo_tui.store import SessionStore
        store = SessionStore.open(Path(sys.argv[1]), sys.argv[2])
        print(json.dumps([d.action for d in store.decisions()]))
        """,
        str(repo),
        store.id,
    )
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert json.loads(out) == ["accept", "finding"]
    decisions, problems = store.read_decisions()
    assert problems == [] and decisions[1].data == {"a:F1": "fix"}


def test_transcript_round_trip(repo: Path, make_session: MakeSession) -> None:
    store = SessionStore.create(repo, make_session())
    rec = CallRecord(
        call_id="c1",
        role="planner",
        model="anthropic/claude-opus-4-7",
        stage=Stage.PLAN,
        latency_s=1.5,
        usage=Usage(input_tokens=100, output_tokens=50, cost_usd=0.01),
        request_text="plan this\nplease",
        response_text="# Plan\n",
    )
    store.append_call(rec)
    assert store.calls() == [rec]
    (store.path / "transcript.jsonl").open("a").write('{"call_id": "c2"}\n')
    calls, problems = store.read_calls()
    assert calls == [rec]
    assert problems and problems[0].startswith("transcript.jsonl line 2: not a valid CallRecord")


def test_list_sessions_newest_first_and_broken_listed(
    repo: Path, make_session: MakeSession
) -> None:
    assert SessionStore.list_sessions(repo) == []
    assert SessionStore.latest(repo) is None
    old = make_session("2026-11-20-old", "old one")
    SessionStore.create(repo, old)
    time.sleep(1.1)  # timestamps have one-second resolution
    new = make_session("2026-11-21-new", "new one", mode="auto")
    new.usage_by_model["m/x"] = Usage(cost_usd=0.25)
    SessionStore.create(repo, new)
    broken = SessionStore.create(repo, make_session("2026-11-19-broken", "broken one"))
    (broken.path / "session.json").write_text("{nope")
    (broken.path / "session.json.bak").unlink(missing_ok=True)
    os.utime(broken.path, (1, 1))  # very old
    listed = SessionStore.list_sessions(repo)
    assert [s.id for s in listed] == ["2026-11-21-new", "2026-11-20-old", "2026-11-19-broken"]
    newest = listed[0]
    assert (newest.request, newest.mode, newest.status, newest.cost_usd) == (
        "new one",
        "auto",
        "active",
        0.25,
    )
    assert newest.error is None and newest.age().endswith("s")
    bad = listed[2]
    assert bad.status == "broken" and bad.request == "broken one"
    assert bad.error and "session.json is not valid JSON" in bad.error
    latest = SessionStore.latest(repo)
    assert latest is not None and latest.id == "2026-11-21-new"


def test_mark_interrupted(repo: Path, make_session: MakeSession) -> None:
    s = _rich_session(make_session)
    store = SessionStore.create(repo, s)
    # simulate a restart: load what the dead process saved
    loaded, _ = store.load()
    assert loaded.current is not None and loaded.current.state == StageState.RUNNING
    assert store.mark_interrupted(loaded) is True
    again, _ = store.load()
    assert again.current is not None
    assert again.current.state == StageState.FAILED
    assert again.current.interrupted and again.current.error == "interrupted"
    assert again.runs[-1].state == StageState.FAILED and again.runs[-1].interrupted
    assert mark_interrupted(again) is False  # nothing running any more
    again.current.move(StageState.RUNNING)  # the runner may rerun it
    assert again.current.state == StageState.RUNNING

"""export_markdown / export_json: what a pull request reader and a script need."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.core.models import (
    FindingDecision,
    Review,
    Stage,
    TriagePair,
    TriageResult,
    Usage,
)
from duo_tui.core.session import (
    Decision,
    RoundSummary,
    Session,
    SessionStatus,
    Task,
    TaskState,
)
from duo_tui.store import SessionStore, export_json, export_markdown, export_to_file

A = "anthropic/claude-opus-4-7"
B = "openai/gpt-5.5"


def _review(reviewer: str, findings: list[dict[str, object]], summary: str) -> Review:
    return Review.model_validate(
        {"reviewer": reviewer, "verdict": "request_changes", "score": 6, "summary": summary,
         "findings": findings}
    )  # fmt: skip


@pytest.fixture
def store(repo: Path, make_session: Callable[..., Session]) -> SessionStore:
    s = make_session(plan_version=2, mode="auto")
    s.status = SessionStatus.CONVERGED
    s.branch = "duo/add-rate-limit"
    s.tasks = [
        Task(
            id="T1",
            title="token bucket limiter",
            state=TaskState.COMMITTED,
            round=2,
            commit="0123456789abcdef0123",
            commit_message="feat(api): add token bucket rate limit\n\nbody",
            finding_decisions={"a:F2": FindingDecision.DISMISS},
        )
    ]
    s.rounds = [
        RoundSummary(task_id="T1", round=1, findings={"critical": 1, "high": 1}, fix=["a:F1"],
                     gate_passed=True),
        RoundSummary(task_id="T1", round=2, findings={"low": 1}, converged=True,
                     gate_passed=True),
    ]  # fmt: skip
    s.add_usage(A, Stage.PLAN, Usage(input_tokens=1000, output_tokens=400, cost_usd=0.12))
    s.add_usage(
        B,
        Stage.EXECUTE,
        Usage(input_tokens=2000, output_tokens=800, cost_usd=0.3, cache_read_tokens=1500),
    )
    s.commits = ["0123456789abcdef0123"]
    st = SessionStore.create(repo, s)
    st.write_plan(1, "# Plan v1\nold")
    st.write_plan(2, "# Plan v2\n\n1. add limiter\n2. wire it")
    st.write_diff("T1", 1, "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-old\n+round one\n")
    st.write_diff("T1", 2, "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-old\n+final ```x```\n")
    st.write_gate_log("T1", 1, "\n".join(f"test {i} ok" for i in range(60)))
    ra = _review(A, [
        {"id": "F1", "severity": "critical", "title": "race in bucket refill",
         "file": "app/limit.py", "line_start": 40, "line_end": 52},
        {"id": "F2", "severity": "low", "title": "naming | style"},
    ], "Two problems.")  # fmt: skip
    rb = _review(B, [{"id": "F1", "severity": "high", "title": "refill not atomic"}], "One.")
    st.write_review("T1", 1, 1, A, "raw a", ra)
    st.write_review("T1", 1, 2, B, "raw b", rb)
    st.write_triage(
        "T1",
        1,
        TriageResult(pairs=[TriagePair(a="F1", b="F1", kind="severity")], only_a=["F2"]),
        reviewers=[A, B],
        decisions={"a:F1": "fix"},
    )
    st.write_review("T1", 2, 1, A, "not json at all", None)
    st.write_triage("T1", 2, TriageResult(only_a=["F2"]), reviewers=[A, B])
    st.append_decision(Decision(stage=Stage.PLAN, action="accept", reason="good plan"))
    s.stop_reason = None
    st.save(s)
    return st


def test_export_markdown_contents(store: SessionStore) -> None:
    md = export_markdown(store)
    assert md.startswith("# duo-tui session `2026-11-21-add-rate-limit`")
    assert "**Status:** converged and committed" in md and "**Cost:** $0.42" in md
    assert "## Request\n\n> Add rate limit" in md
    assert (
        "## Plan (v2)\n\n### Plan v2\n" in md
        and "2. wire it" in md
        and "old" not in md.split("## Plan")[1][:30]
    )
    # final diff is the last round's, in a diff fence; the backticks inside force a longer fence
    final = md.split("## Final diff")[1].split("## Rounds")[0]
    assert "````diff\n" in final and "+final ```x```" in final and "round one" not in final
    # earlier round's diff is folded
    assert "<summary>Diff of round 1</summary>" in md
    # long gate log is folded
    assert "<summary>Gate log</summary>" in md and "test 59 ok" in md
    # reviews: summary and findings table (pipes escaped)
    assert "#### Review 1: anthropic/claude-opus-4-7 — request_changes, score 6/10" in md
    assert "| F1 | critical | app/limit.py:40-52 | race in bucket refill |" in md
    assert "naming \\| style" in md
    assert "#### Review 1: anthropic-claude-opus-4-7 — could not be parsed" in md
    assert "not json at all" in md
    # triage with decisions
    assert (
        "| severity conflict | F1 [critical] race in bucket refill (app/limit.py:40) "
        "| F1 [high] refill not atomic | fix |"
    ) in md
    assert "| only A | F2 [low] naming \\| style | — | pending |" in md
    assert "| only A | F2 | — | dismiss |" in md  # round 2: decision from the task
    # findings by severity, commits, cost per model
    assert "| task | round | critical | high | medium | low | info | gate | converged |" in md
    assert "| T1 | 1 | 1 | 1 | 0 | 0 | 0 | passed | no |" in md
    assert "- `0123456789` feat(api): add token bucket rate limit" in md
    assert "| model | input tokens | cached input | output tokens | cost |" in md
    assert "| `openai/gpt-5.5` | 2000 | 1.5k cached | 800 | $0.30 |" in md
    assert "| `anthropic/claude-opus-4-7` | 1000 | — | 400 | $0.12 |" in md  # not said
    assert "| **total** | 3000 | 1.5k cached | 1200 | $0.42 |" in md
    # and per stage
    assert "| stage | input tokens | cached input | output tokens | cost |" in md
    assert "| plan | 1000 | — | 400 | $0.12 |" in md
    assert "| execute | 2000 | 1.5k cached | 800 | $0.30 |" in md
    assert "| plan | — | 1 | accept | human | good plan |" in md
    assert md.count("<details>") == md.count("</details>")


def test_export_markdown_stop_reason(store: SessionStore) -> None:
    s, _ = store.load()
    s.status = SessionStatus.STOPPED
    s.stop_reason = "5 rounds without converging"
    store.save(s)
    md = export_markdown(store)
    assert "> **Stopped:** 5 rounds without converging" in md
    assert "**Status:** stopped" in md


def test_export_json_contents(store: SessionStore, tmp_path: Path) -> None:
    data = export_json(store)
    json.dumps(data)  # serialisable
    assert data["format"] == "duo-export v1"
    assert data["session"] == "2026-11-21-add-rate-limit"
    assert data["converged"] is True and data["committed"] is True
    assert data["plan"]["version"] == 2 and data["plan"]["text"].startswith("# Plan v2")
    assert data["findings"] == {"critical": 0, "high": 0, "medium": 0, "low": 1, "info": 0}
    assert data["cost_usd"] == pytest.approx(0.42)
    assert data["usage_by_model"][A]["input_tokens"] == 1000
    assert data["tokens"] == {
        "input": 3000,
        "output": 1200,
        "cache_read": 1500,
        "cache_write": None,
    }
    assert data["usage_by_stage"]["execute"]["cache_read_tokens"] == 1500
    (task,) = data["tasks"]
    assert task["final_round"] == 2 and "+final" in task["final_diff"]
    r1 = task["rounds"][0]
    assert [r["model"] for r in r1["reviews"]] == [A, B]
    assert r1["reviews"][0]["review"]["findings"][0]["id"] == "F1"
    assert r1["triage"]["pairs"][0]["kind"] == "severity"
    assert r1["triage_table"][0]["decision"] == "fix"
    assert r1["summary"]["findings"] == {"critical": 1, "high": 1}
    assert data["commits"] == [
        {"sha": "0123456789abcdef0123", "message": "feat(api): add token bucket rate limit\n\nbody",
         "task": "T1"}
    ]  # fmt: skip
    assert [d["action"] for d in data["decisions"]] == ["accept"]
    assert data["stop_reason"] is None and data["problems"] == []
    out = export_to_file(store, tmp_path / "e.json", "json")
    assert json.loads(out.read_text())["session"] == data["session"]
    assert export_to_file(store, tmp_path / "e.md").read_text().startswith("# duo-tui")


def test_export_of_a_fresh_session(repo: Path, make_session: Callable[..., Session]) -> None:
    store = SessionStore.create(repo, make_session())
    md = export_markdown(store)
    assert "## Request" in md and "## Final diff" not in md
    assert export_json(store)["tasks"] == []


def test_export_sarif_is_valid_sarif_with_a_run_per_task(store: SessionStore) -> None:
    import jsonschema

    from duo_tui.store.sarif_export import export_sarif

    schema_path = Path(__file__).resolve().parents[1] / "fixtures" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_path.read_text())
    doc = export_sarif(store)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)
    (run,) = doc["runs"]  # T1: round 2's A review does not parse, so round 1 is used
    assert run["properties"]["task"] == "T1" and run["properties"]["round"] == 1
    by_id = {(r["properties"]["side"], r["properties"]["findingId"]): r for r in run["results"]}
    assert set(by_id) == {("a", "F1"), ("a", "F2"), ("b", "F1")}
    uri = by_id["a", "F1"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "app/limit.py"


def test_export_command_sarif(store: SessionStore, repo: Path) -> None:
    import subprocess
    import sys

    from tests.store.conftest import child_env

    out = repo / "t.sarif"
    run = subprocess.run(
        [sys.executable, "-m", "duo_tui", "export", store.path.name, "--format", "sarif",
         "-o", str(out), "--repo", str(repo)],
        capture_output=True, text=True, env=child_env(), cwd=repo, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["version"] == "2.1.0"


@pytest.mark.parametrize("where", ["unreachable", "directory"])
def test_export_to_a_path_it_cannot_write_says_so_without_a_traceback(
    repo: Path,
    make_session: Callable[..., Session],
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    from duo_tui.cli import main

    SessionStore.create(repo, make_session())
    target = repo / "x.md" if where == "directory" else Path("/proc/duo-no-such/x.md")
    if where == "directory":
        target.mkdir()  # a directory where the file should go
    code = main(["export", "--repo", str(repo), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"-o {target}: cannot write it" in err and "Traceback" not in err


def test_an_unexpected_os_error_is_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from duo_tui import cli

    def refuse(_args: object) -> int:
        raise PermissionError(13, "Permission denied", "/srv/locked\x1b[2J")

    monkeypatch.setattr(cli, "_dispatch", refuse)
    assert cli.main(["sessions"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("duo-tui: Permission denied (/srv/locked") and "\x1b" not in err

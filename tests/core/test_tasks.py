"""L plans: decomposition into tasks, one commit per task, oversize flags, task edits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.core.models import Mode, Stage
from duo_tui.providers.base import ModelRequest
from duo_tui.providers.scripted import ScriptedAnswer

from .helpers import ans, git_log, make_script, plan_text, review, run_auto, run_manual

BASE = "chore: the shop project before the demo session"


def task(tid: str, files: list[str], lines: int = 50) -> dict[str, Any]:
    name = tid.lower()
    return {
        "id": tid,
        "title": f"Add module {name}",
        "goal": f"create {', '.join(files)}",
        "files": files,
        "criteria": ["unittest passes"],
        "est_lines": lines,
        "commit": f"feat(shop): add module {name}",
    }


def manifest(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "size": "L",
        "commit": "feat(shop): add modules",
        "steps": [
            {"id": f"S{i}", "text": t["title"], "files": t["files"]} for i, t in enumerate(tasks, 1)
        ],
        "tasks": tasks,
    }


def create(files: list[str]) -> str:
    """An executor answer creating each file with one constant."""
    blocks = []
    for f in files:
        const = re.sub(r"\W", "_", f).upper()
        blocks.append(
            f"{f}\n```python\n<<<<<<< SEARCH\n=======\n{const} = 1\n>>>>>>> REPLACE\n```\n"
        )
    return "Creating the module.\n\n" + "\n".join(blocks)


def per_task_script(tasks: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    """Plan/reviews from a dict; execute answered by the task id named in the prompt."""
    base = make_script(
        {
            "plan": plan_text(manifest(tasks)),
            "review": review("reviewer"),
        },
        drop=[("review", "anthropic/claude-opus-4-7"), ("review", "openai/gpt-5.5")],
    )
    files_of = {t["id"]: t["files"] for t in tasks}
    cursor: dict[str, int] = {}

    def answer(request: ModelRequest) -> ScriptedAnswer:
        prompt = "\n".join(m.content for m in request.messages)
        if request.purpose == "execute":
            tid = re.search(r"Task (T[\w.]+):", prompt)
            assert tid is not None
            tid_s = tid.group(1)
            files = files_of.get(tid_s) or files_of[tid_s.rstrip("ab")]
            if tid_s.endswith(("a", "b")) and tid_s not in files_of:  # a split half
                half = (len(files) + 1) // 2
                files = files[:half] if tid_s.endswith("a") else files[half:]
            return ans(create(files))
        answers = base[request.purpose]
        i = cursor.get(request.purpose, 0)
        cursor[request.purpose] = i + 1
        return answers[min(i, len(answers) - 1)]

    return answer


THREE = [task("T1", ["shop/a.py"]), task("T2", ["shop/b.py"]), task("T3", ["shop/c.py"])]


def test_l_plan_makes_one_commit_per_task_in_order(demo_repo: Path) -> None:
    run = run_auto(demo_repo, per_task_script(THREE), mode=Mode.FAST)  # type: ignore[arg-type]
    r = run.report
    assert r["size"] == "L"
    assert r["converged"] and r["committed"]
    assert [t["id"] for t in r["tasks"]] == ["T1", "T2", "T3"]
    assert all(t["state"] == "committed" for t in r["tasks"])
    assert git_log(demo_repo, r["branch"]) == [
        "feat(shop): add module t3",
        "feat(shop): add module t2",
        "feat(shop): add module t1",
        BASE,
    ]
    assert r["commits"] == [t["commit"] for t in r["tasks"]]
    # each commit holds its own task's file only
    from subprocess import run as sh

    for t in r["tasks"]:
        files = sh(
            ["git", "show", "--name-only", "--format=", t["commit"]],
            cwd=demo_repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert files == t["files"]


def test_task_with_four_files_is_flagged_oversize(demo_repo: Path) -> None:
    tasks = [
        task("T1", ["shop/a.py", "shop/b.py", "shop/c.py", "shop/d.py"]),
        task("T2", ["shop/e.py"]),
    ]
    run = run_auto(demo_repo, per_task_script(tasks), mode=Mode.FAST)  # type: ignore[arg-type]
    r = run.report
    flags = {t["id"]: t["oversize"] for t in r["tasks"]}
    assert flags["T1"] and "4 files" in flags["T1"]
    assert flags["T2"] is None


def ops_at_tasks(ops: dict[str, str]):  # type: ignore[no-untyped-def]
    done: list[bool] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.PLAN and "task_ops" in cp.actions and not done:
            done.append(True)
            return UserDecision("accept", task_ops=ops)
        return None

    return policy


def test_task_ops_skip_and_reorder(demo_repo: Path) -> None:
    run = run_manual(
        demo_repo,
        per_task_script(THREE),
        ops_at_tasks({"T2": "skip", "T3": "up"}),  # type: ignore[arg-type]
        mode=Mode.FAST,
    )
    r = run.report
    assert [t["id"] for t in r["tasks"]] == ["T1", "T3", "T2"]
    states = {t["id"]: t["state"] for t in r["tasks"]}
    assert states == {"T1": "committed", "T3": "committed", "T2": "skipped"}
    assert git_log(demo_repo, r["branch"]) == [
        "feat(shop): add module t3",
        "feat(shop): add module t1",
        BASE,
    ]
    assert not (run.worktree / "shop/b.py").exists()
    ops = [d for d in run.ws.store.decisions() if d.data.get("task_ops")]  # type: ignore[attr-defined]
    assert ops and ops[0].data["task_ops"] == {"T2": "skip", "T3": "up"}
    # the task list was shown again after the edit, then accepted
    task_cps = [c for c in run.checkpoints if "task_ops" in c.actions]
    assert len(task_cps) == 2
    assert [t.id for t in task_cps[1].data.tasks or ()] == ["T1", "T3", "T2"]


def test_task_ops_split(demo_repo: Path) -> None:
    tasks = [task("T1", ["shop/a.py"], 60), task("T2", ["shop/b.py", "shop/b2.py"], 60)]
    run = run_manual(
        demo_repo,
        per_task_script(tasks),
        ops_at_tasks({"T2": "split"}),  # type: ignore[arg-type]
        mode=Mode.FAST,
    )
    r = run.report
    assert [t["id"] for t in r["tasks"]] == ["T1", "T2a", "T2b"]
    assert [t["files"] for t in r["tasks"]] == [["shop/a.py"], ["shop/b.py"], ["shop/b2.py"]]
    assert all(t["state"] == "committed" for t in r["tasks"])
    assert len(git_log(demo_repo, r["branch"])) == 4

"""Task edits and resizing at the plan checkpoint; splitting an oversize change at the
execute checkpoint (by hand and by autopilot); a fast session switching to the full
workflow (and, headless, going on with a warning)."""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path
from typing import Any

from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.core.models import Mode, Stage
from duo_tui.core.plan_manifest import edit_task, split_by_bound
from duo_tui.core.session import Task
from duo_tui.providers.base import ModelRequest
from duo_tui.providers.scripted import ScriptedAnswer

from .helpers import ans, config, git_log, make_script, plan_text, review, run_auto, run_manual
from .test_tasks import BASE, THREE, create, manifest, task

# -- pure rules ------------------------------------------------------------------------------


def test_edit_task_normalises_files_and_refuses_paths_outside_the_repo() -> None:
    t = Task(id="T1", title="old", files=["a.py"], criteria=["x"])
    problems = edit_task(
        t,
        {
            "title": "  New   title ",
            "goal": " do it ",
            "files": "shop/a.py, ./shop/b.py\n../evil.py, /etc/passwd, .git/config, shop/a.py",
            "criteria": "first\n\n second ",
        },
        max_files=3,
    )
    assert t.title == "New title"
    assert t.goal == "do it"
    assert t.files == ["shop/a.py", "shop/b.py"]
    assert t.criteria == ["first", "second"]
    assert t.oversize is None
    assert len(problems) == 3 and all("refused" in p for p in problems)
    # an empty title keeps the old one; more files than the bound flags it again
    problems = edit_task(t, {"title": " ", "files": ["a", "b", "c", "d"]}, max_files=3)
    assert t.title == "New title" and problems and "title" in problems[0]
    assert t.oversize and "4 files" in t.oversize


def test_split_by_bound_keeps_modules_with_their_tests_and_respects_the_bound() -> None:
    t = Task(
        id="T3",
        title="Receipts",
        goal="print them",
        files=["shop/receipt.py", "tests/test_receipt.py", "README.md"],
        criteria=["unittest passes"],
        commit_message="feat(receipt): render",
    )
    changed = ["README.md", "shop/receipt.py", "shop/totals.py", "tests/test_totals.py"]
    changed += ["tests/test_receipt.py"]
    parts = split_by_bound(t, changed, 40, max_files=2, max_lines=100)
    assert [p.files for p in parts] == [
        ["shop/receipt.py", "tests/test_receipt.py"],
        ["README.md"],
        ["shop/totals.py", "tests/test_totals.py"],
    ]
    assert [p.id for p in parts] == ["T3a", "T3b", "T3c"]
    assert all(p.split_from == "T3" and p.criteria == ["unittest passes"] for p in parts)
    assert parts[0].title == "Receipts (part 1/3)"
    assert "Part 1 of 3" in parts[0].goal
    assert parts[2].commit_message == "feat(receipt): render (part 3/3)"
    # deterministic
    again = split_by_bound(t, list(reversed(changed)), 40, max_files=2, max_lines=100)
    assert [p.files for p in again] == [p.files for p in parts]
    # lines alone: two files, three times the line bound -> two parts of one file
    two = Task(id="T1", title="t", files=["a.py", "b.py"])
    assert [p.files for p in split_by_bound(two, ["a.py", "b.py"], 300, 3, 100)] == [
        ["a.py"],
        ["b.py"],
    ]
    # one file cannot be split
    one = Task(id="T1", title="t", files=["a.py"])
    assert split_by_bound(one, ["a.py"], 500, 3, 100) == [one]


# -- the plan checkpoint: edit a task, resize ------------------------------------------------


def files_script(tasks: list[dict[str, Any]], extra: dict[str, list[str]] | None = None):  # type: ignore[no-untyped-def]
    """Plan from `tasks`; every execute creates the files its prompt lets it touch, plus
    `extra[task id]` the first time that task runs (to make a change outgrow its bound)."""
    base = make_script({"plan": plan_text(manifest(tasks)), "review": review("reviewer")})
    base.pop(("review", "anthropic/claude-opus-4-7"), None)
    base.pop(("review", "openai/gpt-5.5"), None)
    cursor: dict[str, int] = {}
    extra = dict(extra or {})

    def answer(request: ModelRequest) -> ScriptedAnswer:
        prompt = "\n".join(m.content for m in request.messages)
        if request.purpose == "execute":
            tid = re.search(r"Task (T[\w.]+):", prompt)
            allowed = re.search(r"Files it may touch: (.+)", prompt)
            assert tid is not None and allowed is not None
            files = [f.strip() for f in allowed.group(1).split(",")]
            return ans(create(files + extra.pop(tid.group(1), [])))
        answers = base[request.purpose]
        i = cursor.get(request.purpose, 0)
        cursor[request.purpose] = i + 1
        return answers[min(i, len(answers) - 1)]

    return answer


def at_tasks(*decisions: UserDecision):  # type: ignore[no-untyped-def]
    queue = list(decisions)

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.PLAN and "task_ops" in cp.actions and queue:
            return queue.pop(0)
        return None

    return policy


def test_editing_a_task_goes_through_the_core_log_and_session_files(demo_repo: Path) -> None:
    edit = UserDecision(
        "edit",
        task_edits={
            "T2": {
                "title": "Add module b and its twin",
                "goal": "create shop/b.py and shop/b2.py, nothing else",
                "files": "shop/b.py, shop/b2.py, ../outside.py",
                "criteria": "unittest passes\nshop/b2.py exists",
            }
        },
    )
    run = run_manual(
        demo_repo,
        files_script(THREE),  # type: ignore[arg-type]
        at_tasks(edit),
        mode=Mode.FAST,
    )
    r = run.report
    assert r["converged"], r["stop_reason"]
    t2 = next(t for t in r["tasks"] if t["id"] == "T2")
    assert t2["title"] == "Add module b and its twin"
    assert t2["files"] == ["shop/b.py", "shop/b2.py"]
    # the task list was shown again with the edit, then accepted
    task_cps = [c for c in run.checkpoints if "task_ops" in c.actions]
    assert "task_edit" in task_cps[0].actions
    assert task_cps[1].data.tasks[1].goal == "create shop/b.py and shop/b2.py, nothing else"
    # the executor was given the edited task
    prompts = [run.prompt(q) for q in run.requests("execute")]
    t2_prompt = next(p for p in prompts if "Task T2:" in p)
    assert "Goal: create shop/b.py and shop/b2.py, nothing else" in t2_prompt
    assert "Files it may touch: shop/b.py, shop/b2.py" in t2_prompt
    assert "- shop/b2.py exists" in t2_prompt
    assert (run.worktree / "shop/b2.py").exists()
    # the decision log holds the edit; the refused path was said
    store = run.ws.store
    logged = [d for d in store.decisions() if d.data.get("task_edits")]  # type: ignore[attr-defined]
    assert logged and logged[0].action == "edit"
    assert logged[0].data["task_edits"]["T2"]["title"] == "Add module b and its twin"
    notices = [getattr(e, "message", "") for e in run.events]
    assert any("refused file '../outside.py'" in n for n in notices)
    # the session's files hold the edited task
    session, _ = store.load()  # type: ignore[attr-defined]
    assert session.tasks[1].criteria == ["unittest passes", "shop/b2.py exists"]
    doc = json.loads(store.read_artifact("tasks.json"))  # type: ignore[attr-defined]
    assert doc["tasks"][1]["files"] == ["shop/b.py", "shop/b2.py"]
    md = store.read_artifact("T2/task.md")  # type: ignore[attr-defined]
    assert md is not None and "shop/b2.py exists" in md and "Add module b and its twin" in md


def test_size_override_rederives_the_task_list(demo_repo: Path) -> None:
    run = run_manual(
        demo_repo,
        files_script(THREE),  # type: ignore[arg-type]
        at_tasks(UserDecision("accept", size="M")),
        mode=Mode.FAST,
    )
    r = run.report
    task_cps = [c for c in run.checkpoints if "task_ops" in c.actions]
    assert task_cps[0].data.size == "L" and len(task_cps[0].data.tasks or ()) == 3
    assert task_cps[1].data.size == "M" and len(task_cps[1].data.tasks or ()) == 1
    assert "the rule says L, overridden by the human" in task_cps[1].data.size_why
    assert r["size"] == "M" and [t["id"] for t in r["tasks"]] == ["T1"]
    assert r["tasks"][0]["files"] == ["shop/a.py", "shop/b.py", "shop/c.py"]
    assert len(git_log(demo_repo, r["branch"])) == 2
    sized = [d for d in run.ws.store.decisions() if d.data.get("size")]  # type: ignore[attr-defined]
    assert sized and sized[0].data["size"] == "M"


# -- the execute checkpoint: split an oversize change ----------------------------------------

# four files in all: sized L (more files than the bound of 3), two tasks within the bound
TWO = [task("T1", ["shop/a.py", "shop/a2.py"]), task("T2", ["shop/b.py", "shop/c.py"])]


def test_split_at_the_execute_checkpoint_discards_and_reruns_the_first_part(
    demo_repo: Path,
) -> None:
    seen: list[Checkpoint] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.EXECUTE and cp.task_id == "T2":
            seen.append(cp)
            return UserDecision("split")
        return None

    run = run_manual(
        demo_repo,
        files_script(TWO, {"T2": ["shop/d.py", "shop/e.py"]}),  # type: ignore[arg-type]
        policy,
        mode=Mode.FAST,
    )
    r = run.report
    assert r["converged"], r["stop_reason"]
    assert "split" in seen[0].actions and "bound 3 files" in seen[0].summary
    assert "S splits the task" in seen[0].summary
    # the parts respect the bound; the first ran right after the split
    assert [t["id"] for t in r["tasks"]] == ["T1", "T2a", "T2b"]
    assert [t["files"] for t in r["tasks"]][1:] == [
        ["shop/b.py", "shop/c.py"],
        ["shop/d.py", "shop/e.py"],
    ]
    parts_cps = [c for c in run.checkpoints if c.stage == Stage.EXECUTE and c.task_id != "T1"]
    assert [c.task_id for c in parts_cps] == ["T2", "T2a", "T2b"]
    assert all("split" not in c.actions for c in parts_cps[1:])  # within the bound now
    assert git_log(demo_repo, r["branch"]) == [
        "feat(shop): add module t2 (part 2/2)",
        "feat(shop): add module t2 (part 1/2)",
        "feat(shop): add module t1",
        BASE,
    ]
    store = run.ws.store
    logged = [d for d in store.decisions() if d.action == "split"]  # type: ignore[attr-defined]
    assert len(logged) == 1 and logged[0].by == "human" and logged[0].task_id == "T2"
    assert logged[0].data["split_into"] == {
        "T2a": ["shop/b.py", "shop/c.py"],
        "T2b": ["shop/d.py", "shop/e.py"],
    }
    session, _ = store.load()  # type: ignore[attr-defined]
    assert [(t.id, t.state.value) for t in session.replaced_tasks] == [("T2", "replaced")]
    doc = json.loads(store.read_artifact("tasks.json"))  # type: ignore[attr-defined]
    assert [t["id"] for t in doc["replaced"]] == ["T2"]
    # the discarded attempt is kept in its own folder, and exported as replaced
    assert "shop/e.py" in (store.read_artifact("T2/round-1/diff.patch") or "")  # type: ignore[attr-defined]
    from duo_tui.store.markdown_export import export_markdown

    md = export_markdown(store)  # type: ignore[arg-type]
    assert re.search(r"\| T2 \|[^\n]*\| replaced \|", md)
    assert "### T2:" not in md and "### T2a:" in md  # a discarded change is no final diff


def test_autopilot_splits_a_change_far_over_the_bound(demo_repo: Path) -> None:
    extra = {"T2": [f"shop/x{i}.py" for i in range(6)]}  # 8 files: more than twice 3
    run = run_auto(demo_repo, files_script(TWO, extra), mode=Mode.FAST)  # type: ignore[arg-type]
    r = run.report
    assert r["converged"], r["stop_reason"]
    assert [t["id"] for t in r["tasks"]] == ["T1", "T2a", "T2b", "T2c"]
    assert all(len(t["files"]) <= 3 for t in r["tasks"])
    assert all(t["state"] == "committed" for t in r["tasks"])
    logged = [d for d in run.ws.store.decisions() if d.action == "split"]  # type: ignore[attr-defined]
    assert len(logged) == 1 and logged[0].by == "autopilot"
    assert "split automatically" in logged[0].reason


def test_autopilot_accepts_a_change_a_little_over_the_bound_with_the_flag(
    demo_repo: Path,
) -> None:
    run = run_auto(
        demo_repo,
        files_script(TWO, {"T2": ["shop/d.py", "shop/e.py"]}),  # type: ignore[arg-type]
        mode=Mode.FAST,
    )
    r = run.report
    assert r["converged"]
    assert [t["id"] for t in r["tasks"]] == ["T1", "T2"]
    assert "4 files" in (r["tasks"][1]["oversize"] or "")
    assert not [d for d in run.ws.store.decisions() if d.action == "split"]  # type: ignore[attr-defined]


def test_autopilot_splits_a_task_once_even_if_its_parts_grow_again(demo_repo: Path) -> None:
    many = [f"shop/y{i}.py" for i in range(7)]
    script = files_script(TWO, {"T2": many, "T2a": many, "T2b": many, "T2c": many})
    run = run_auto(demo_repo, script, mode=Mode.FAST)  # type: ignore[arg-type]
    r = run.report
    assert r["converged"], r["stop_reason"]
    ids = [t["id"] for t in r["tasks"]]
    assert ids[0] == "T1" and all(i.startswith("T2") and len(i) == 3 for i in ids[1:])
    assert [d.action for d in run.ws.store.decisions()].count("split") == 1  # type: ignore[attr-defined]
    assert any(t["oversize"] for t in r["tasks"][1:])  # accepted with the flag


# -- a fast session that grows ---------------------------------------------------------------


def _fast_config() -> Any:
    cfg = config()
    cfg.loop.fast_max_files = 2  # the demo's change touches three files
    return cfg


def test_fast_session_switches_to_the_full_workflow(demo_repo: Path) -> None:
    seen: list[Checkpoint] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.EXECUTE and not seen:
            seen.append(cp)
            return UserDecision("full_workflow")
        return None

    run = run_manual(demo_repo, make_script(), policy, mode=Mode.FAST, config=_fast_config())
    r = run.report
    assert "full_workflow" in seen[0].actions
    assert "W switches to the full workflow" in seen[0].summary
    assert r["converged"], r["stop_reason"]
    assert r["mode"] == "manual"
    # after the switch: plan alignment, then sizing and the task list, then the new task
    stages = [c.stage.value for c in run.checkpoints]
    first_exec = stages.index("execute")
    after = stages[first_exec + 1 :]
    assert after[:2] == ["align", "plan"] and "task_ops" in run.checkpoints[first_exec + 2].actions
    assert len(run.requests("align")) >= 1
    assert [t["id"] for t in r["tasks"]] == ["T1.2"]  # T1's folder keeps the discarded try
    assert not any("fast session" in w for w in r["warnings"])
    logged = [d for d in run.ws.store.decisions() if d.action == "full_workflow"]  # type: ignore[attr-defined]
    assert len(logged) == 1 and logged[0].data["mode_from"] == "fast"
    assert logged[0].data["mode_to"] == "manual"
    session, _ = run.ws.store.load()  # type: ignore[attr-defined]
    assert session.aligned and session.replaced_tasks[0].id == "T1"
    assert session.autopilot is False  # the autopilot switch is kept as it was
    assert len(git_log(demo_repo, r["branch"])) == 2


def test_headless_fast_run_goes_on_with_the_warning_in_the_report(
    demo_repo: Path, tmp_path: Path
) -> None:
    from duo_tui.headless import run_headless

    report_path = tmp_path / "report.json"
    err = io.StringIO()
    code = asyncio.run(
        run_headless(
            demo_repo,
            "Add percentage discount codes to the cart",
            _fast_config(),
            mode=Mode.FAST,
            demo=True,
            json_path=report_path,
            err=err,
        )
    )
    report = json.loads(report_path.read_text())
    assert code == 0 and report["converged"], report["stop_reason"]
    assert report["mode"] == "fast"
    assert any("fast session's change to T1 touched 3 files" in w for w in report["warnings"])
    assert "switches to the full workflow" not in err.getvalue()  # nothing to press here
    assert "consider the full workflow" in err.getvalue()


def test_task_detail_reads_a_run_task_from_the_session_files(demo_repo: Path) -> None:
    from duo_tui.store.task_view import load_task_detail, read_session

    run = run_auto(demo_repo, files_script(THREE), mode=Mode.FAST)  # type: ignore[arg-type]
    store = run.ws.store
    session = read_session(store)  # type: ignore[arg-type]
    assert session is not None
    t1 = session.tasks[0]
    detail = load_task_detail(store, t1)  # type: ignore[arg-type]
    assert [r.round for r in detail.rounds] == [1]
    r1 = detail.rounds[0]
    assert r1.gate == "passed"
    assert len(r1.reviews) == 2
    assert detail.diff is not None and "+SHOP_A_PY = 1" in detail.diff
    assert detail.commit == t1.commit and detail.commit_message == "feat(shop): add module t1"
    assert (store.read_artifact("T1/task.md") or "").startswith("# T1: Add module t1")  # type: ignore[attr-defined]
    # a task that never ran has no rounds and no commit
    pending = load_task_detail(store, session.tasks[0].model_copy(update={"id": "T9"}))  # type: ignore[arg-type]
    assert pending.rounds == [] and pending.diff is None

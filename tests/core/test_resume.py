"""Crash safety: SIGKILL a paced headless session at chosen moments, then resume it.

A small wrapper (written to a temp dir) plays the demo session exactly like
`duo-tui run --demo` but with the scripted models streaming at a human pace
and a gate that takes a moment, so a kill can land inside a chosen stage. The
test polls session.json for `current.stage`, kills the process, and resumes
with the real CLI: `python -m duo_tui run --resume --repo DIR --json R`.

The crashed sessions are made once, concurrently (module fixture), and each
test checks one promise about all of them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

WRAPPER = r"""
import asyncio, os, shlex, signal, sys
from pathlib import Path

from duo_tui.config import Config
from duo_tui.core.events import ArtifactReady
from duo_tui.core.models import Mode
from duo_tui.core.runner import HeadlessDriver
from duo_tui.demo.project import REQUEST
from duo_tui.headless import ProgressPrinter
from duo_tui.service import create_demo_repo, demo_config, open_new

repo = create_demo_repo(Path(sys.argv[1]))
pace = float(sys.argv[2])
die_on_commit = "--die-on-commit" in sys.argv
cfg = demo_config(Config())
py = shlex.quote(sys.executable)
# A gate that takes a moment, so that a kill can land inside it.
cfg.gate.commands = [f"{py} -c 'import time; time.sleep(0.5)'", *cfg.gate.commands]
listeners = [ProgressPrinter(sys.stderr)]
if die_on_commit:
    # Die right after `git commit`, before the session records the commit.
    def die(ev):
        if isinstance(ev, ArtifactReady) and ev.kind == "commit":
            os.kill(os.getpid(), signal.SIGKILL)
    listeners.append(die)
ws = open_new(repo, REQUEST, cfg, driver=HeadlessDriver(), mode=Mode.AUTO, autopilot=True,
              demo=True, pace=pace, listeners=listeners)
asyncio.run(ws.pipeline.run())
ws.close()
"""

PACE = 3000.0  # characters per second: the demo run takes ~7 s
PY = sys.executable


@dataclass
class Crash:
    """One scenario: where to kill, and what was seen before and after."""

    name: str
    stage: str | None  # kill when current.stage is this and running (None: the wrapper dies itself)
    round: int = 1
    corrupt: bool = False  # break session.json by hand before resuming
    probe_lock: bool = False  # try a second process while the first one runs
    repo: Path = Path()
    killed_at: dict[str, Any] = field(default_factory=dict)
    decisions_before: list[str] = field(default_factory=list)
    lock_probe: subprocess.CompletedProcess[str] | None = None
    resumed: subprocess.CompletedProcess[str] | None = None
    report: dict[str, Any] = field(default_factory=dict)
    session: dict[str, Any] = field(default_factory=dict)


SCENARIOS = [
    Crash("plan", "plan", 1),
    Crash("align", "align", 1),
    Crash("execute", "execute", 1),
    Crash("gate", "gate", 1),
    Crash("review-1", "review", 1, corrupt=True),
    Crash("fix", "fix", 2),
    Crash("review-2", "review", 2),
    Crash("after-git-commit", None, probe_lock=True),
]


def session_dir(repo: Path) -> Path | None:
    found = list((repo / ".duo" / "sessions").glob("*/session.json"))
    return found[0].parent if found else None


def read_session(repo: Path) -> dict[str, Any] | None:
    d = session_dir(repo)
    if d is None:
        return None
    try:
        return json.loads((d / "session.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None


def cli(repo: Path, *args: str) -> list[str]:
    return [PY, "-m", "duo_tui", "run", "--resume", "--repo", str(repo), *args]


def crash(c: Crash, wrapper: Path, env: dict[str, str]) -> Crash:
    args = [PY, str(wrapper), str(c.repo), str(PACE)]
    if c.stage is None:
        args.append("--die-on-commit")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 40
        while c.stage is not None and time.monotonic() < deadline and proc.poll() is None:
            cur = ((read_session(c.repo) or {}).get("current")) or {}
            if (cur.get("stage"), cur.get("state"), cur.get("round")) == (
                c.stage,
                "running",
                c.round,
            ):
                break
            time.sleep(0.01)
        while c.probe_lock and proc.poll() is None and time.monotonic() < deadline:
            if (read_session(c.repo) or {}).get("current"):
                break  # the session exists and the first process holds its lock
            time.sleep(0.01)
        if c.probe_lock and proc.poll() is None:
            c.lock_probe = subprocess.run(
                cli(c.repo), capture_output=True, text=True, env=env, timeout=60
            )
        if c.stage is not None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=40)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    c.killed_at = (read_session(c.repo) or {}).get("current") or {}
    d = session_dir(c.repo)
    assert d is not None, f"{c.name}: no session was created"
    decisions = d / "decisions.jsonl"
    c.decisions_before = decisions.read_text().splitlines() if decisions.exists() else []
    if c.corrupt:
        (d / "session.json").write_text('{"id": "broken", "tasks": [')
    report_path = c.repo.parent / f"{c.name}.json"
    c.resumed = subprocess.run(
        cli(c.repo, "--json", str(report_path)), capture_output=True, text=True, env=env, timeout=90
    )
    if report_path.exists():
        c.report = json.loads(report_path.read_text())
    c.session = read_session(c.repo) or {}
    return c


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Crash]:
    """Every scenario, killed and resumed (run concurrently: most of the time is pacing)."""
    root = tmp_path_factory.mktemp("crash")
    wrapper = root / "paced_demo.py"
    wrapper.write_text(WRAPPER)
    gitconfig = root / "gitconfig"
    gitconfig.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        DUO_TUI_CONFIG_DIR=str(root / "duo-config"),
    )
    scenarios = [Crash(c.name, c.stage, c.round, c.corrupt, c.probe_lock) for c in SCENARIOS]
    for c in scenarios:
        c.repo = root / c.name / "repo"
        c.repo.parent.mkdir()
    with ThreadPoolExecutor(max_workers=len(scenarios)) as pool:
        done = list(pool.map(lambda c: crash(c, wrapper, env), scenarios))
    return {c.name: c for c in done}


NAMES = [c.name for c in SCENARIOS]


def explain(c: Crash) -> str:
    err = c.resumed.stderr if c.resumed else "(not resumed)"
    return (
        f"{c.name}: killed at {c.killed_at.get('stage')}/{c.killed_at.get('state')}\n{err[-3000:]}"
    )


@pytest.mark.parametrize("name", NAMES)
def test_resume_converges_with_one_commit(crashed: dict[str, Crash], name: str) -> None:
    c = crashed[name]
    assert c.resumed is not None and c.resumed.returncode == 0, explain(c)
    r = c.report
    assert r["converged"] is True and r["committed"] is True, explain(c)
    assert r["rounds"] == 2 and len(r["commits"]) == 1, explain(c)
    bodies = subprocess.run(
        ["git", "log", "--format=%H %s%n%b%x00", f"main..{r['branch']}"],
        cwd=c.repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commits = [b for b in bodies.split("\x00") if b.strip()]
    assert len(commits) == 1, bodies
    assert "Duo-Session:" in commits[0]
    assert commits[0].strip().startswith(r["commit"])
    assert "feat(cart): add percentage discount codes" in commits[0]


@pytest.mark.parametrize("name", NAMES)
def test_decisions_before_the_kill_survive(crashed: dict[str, Crash], name: str) -> None:
    c = crashed[name]
    d = session_dir(c.repo)
    assert d is not None
    after = (d / "decisions.jsonl").read_text().splitlines()
    if name != "plan":  # a kill inside the first stage comes before any decision
        assert c.decisions_before, f"{name}: nothing was decided before the kill"
    complete = [line for line in c.decisions_before if line.endswith("}")]
    assert after[: len(complete)] == complete
    if c.stage is not None:  # the resumed run decided the rest on top
        assert len(after) > len(complete)


@pytest.mark.parametrize(
    "name", [c.name for c in SCENARIOS if c.stage is not None and not c.corrupt]
)
def test_interrupted_stage_is_marked(crashed: dict[str, Crash], name: str) -> None:
    c = crashed[name]
    assert c.killed_at.get("state") == "running", f"{name}: killed at {c.killed_at}"
    assert (c.killed_at["stage"], c.killed_at["round"]) == (c.stage, c.round)
    marked = [r for r in c.session["runs"] if r.get("interrupted")]
    assert len(marked) == 1, explain(c)
    assert (marked[0]["stage"], marked[0]["round"]) == (c.killed_at["stage"], c.killed_at["round"])
    assert marked[0]["state"] == "failed" and marked[0]["error"] == "interrupted"
    stage = c.killed_at["stage"]
    assert f"the {stage} stage was interrupted" in (c.resumed.stderr if c.resumed else "")


def test_second_process_gets_a_clear_lock_message(crashed: dict[str, Crash]) -> None:
    probe = crashed["after-git-commit"].lock_probe
    assert probe is not None, "the first process ended before the probe"
    assert probe.returncode != 0
    assert "is in use by process pid" in probe.stderr
    assert "paced_demo.py" in probe.stderr  # names the holder's command line
    assert "Traceback" not in probe.stderr


def test_corrupted_session_json_resumes_from_backup(crashed: dict[str, Crash]) -> None:
    c = crashed["review-1"]
    assert c.resumed is not None
    assert "session.json.bak" in c.resumed.stderr, explain(c)
    assert c.report.get("converged") is True, explain(c)
    # the backup is one save older: it predates the review that was running
    assert json.loads((session_dir(c.repo) / "session.json").read_text())["status"] == "converged"  # type: ignore[operator]


def test_commit_made_before_the_crash_is_kept(crashed: dict[str, Crash]) -> None:
    c = crashed["after-git-commit"]
    assert c.killed_at.get("stage") == "commit"
    assert c.resumed is not None
    assert "made before the restart" in c.resumed.stderr, explain(c)


def test_restart_while_awaiting_a_decision_restores_the_reviews(demo_repo: Path) -> None:
    """The TUI closed at the review checkpoint: reopening shows the same reviews, no new calls."""
    import asyncio

    from duo_tui.core.events import AwaitingDecision, Event, UserDecision
    from duo_tui.core.models import Mode, Stage
    from duo_tui.core.runner import QueueDriver
    from duo_tui.providers.scripted import ScriptedProvider
    from duo_tui.service import open_existing, open_new

    from .helpers import CLEAN_REVIEWS, REQUEST, config, make_script

    first = ScriptedProvider(make_script(CLEAN_REVIEWS))
    reached = asyncio.Event

    async def until_review() -> None:
        driver = QueueDriver()
        at_review = reached()

        def answer(ev: Event) -> None:
            if isinstance(ev, AwaitingDecision):
                if ev.checkpoint.stage == Stage.REVIEW:
                    at_review.set()
                else:
                    driver.answer(UserDecision("accept"))

        ws = open_new(
            demo_repo,
            REQUEST,
            config(),
            driver=driver,
            mode=Mode.FAST,
            listeners=[answer],
            providers=lambda _m: first,
        )
        task = asyncio.create_task(ws.pipeline.run())
        await asyncio.wait_for(at_review.wait(), 30)
        task.cancel()  # the process goes away while the checkpoint waits
        with pytest.raises(asyncio.CancelledError):
            await task
        ws.close()

    asyncio.run(until_review())
    assert [q.purpose for q in first.requests].count("review") == 2

    second = ScriptedProvider(make_script(CLEAN_REVIEWS))
    shown: list[str] = []

    async def resume() -> dict[str, Any]:
        driver = QueueDriver()

        def answer(ev: Event) -> None:
            if isinstance(ev, AwaitingDecision):
                shown.append(f"{ev.checkpoint.stage.value}: {ev.checkpoint.summary}")
                driver.answer(UserDecision("accept"))

        ws = open_existing(
            demo_repo,
            None,
            config(),
            driver=driver,
            listeners=[answer],
            providers=lambda _m: second,
        )
        try:
            return await asyncio.wait_for(ws.pipeline.run(), 30)
        finally:
            ws.close()

    report = asyncio.run(resume())
    assert report["converged"] and report["committed"] and report["rounds"] == 1
    assert second.requests == []  # the reviews were restored, not asked again
    assert shown[0] == "review: 2 review(s), 0 finding(s)"

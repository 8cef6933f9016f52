"""Opening and resuming sessions: the one seam both front ends (TUI and headless) use.

It finds the repository, creates the session's worktree, store and lock, picks
the providers (scripted for the demo, real SDKs otherwise) and builds the
`Pipeline`. Nothing here imports Textual.
"""

from __future__ import annotations

import shlex
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from duo_tui.config import Config, GateConfig, RolesConfig
from duo_tui.core.events import Event
from duo_tui.core.models import Mode, Stage
from duo_tui.core.pipeline import Pipeline
from duo_tui.core.runner import Driver
from duo_tui.core.session import Session, slugify
from duo_tui.errors import ConfigError, GitError
from duo_tui.providers.base import Provider
from duo_tui.vcs.repo import init_committed, toplevel

if TYPE_CHECKING:
    from duo_tui.providers.scripted import ScriptKey
    from duo_tui.store.session_store import SessionStore


def find_repo(start: Path) -> Path:
    """The top level of the git repository containing `start` (exit 2 if none)."""
    if not start.exists():
        raise ConfigError(f"--repo {start}: no such directory")
    if not start.is_dir():
        raise ConfigError(f"--repo {start}: not a directory")
    try:
        top = toplevel(start)
    except (GitError, OSError) as exc:  # no git binary
        raise ConfigError(f"git is not available: {exc}") from None
    if top is None:
        raise ConfigError(
            f"{start} is not inside a git repository (run `git init` or pass --repo DIR)"
        )
    return top


def create_demo_repo(target: Path | None = None) -> Path:
    """A throw-away git repository holding the demo project, committed once."""
    from duo_tui.demo.project import FILES

    if target is None:
        root = Path(tempfile.mkdtemp(prefix="duo-demo-"))
    else:
        root = target.expanduser().resolve()
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise ConfigError(f"--repo {target}: for --demo this must be a new or empty directory")
        root.mkdir(parents=True, exist_ok=True)
    for rel, text in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")

    init_committed(
        root,
        user="duo demo",
        email="demo@duo-tui.invalid",
        message="chore: the shop project before the demo session",
    )
    return root


def demo_config(base: Config | None = None) -> Config:
    """The demo's configuration: scripted roles and the project's real unittest gate."""
    from duo_tui.demo.script import EXECUTOR, PLANNER

    cfg = (base or Config()).model_copy(deep=True)
    cfg.roles = RolesConfig(planner=PLANNER, executor=EXECUTOR, reviewers=[PLANNER, EXECUTOR])
    py = _python_command()
    cfg.gate = GateConfig(commands=[f"{py} -m unittest discover -s tests -q"], timeout_s=120)
    return cfg


def _python_command() -> str:
    """This interpreter as the gate should name it: `python` (or `python3`) when that
    name on PATH is this very interpreter (same directory, same file), else its path.

    The gate command is shown on screen and in logs: a bare name keeps the path of
    someone's virtual environment out of screenshots and shared reports.
    """
    import os
    import shutil

    here = Path(sys.executable)
    for name in ("python", "python3"):
        found = shutil.which(name)
        if not found:
            continue
        try:
            same = Path(found).absolute().parent == here.absolute().parent and os.path.samefile(
                found, here
            )
        except OSError:
            same = False
        if same:
            return name
    return shlex.quote(sys.executable)


def provider_factory(
    config: Config,
    demo: bool,
    pace: float = 0.0,
    *,
    consumed: Mapping[ScriptKey, int] | None = None,
    request: str = "",
) -> Callable[[str], Provider]:
    """Model string -> provider. The demo answers from its script.

    `consumed` (demo only) says how many answers of each script key a resumed
    session already used, so the script continues where the session stopped.
    """
    if demo:
        from duo_tui.demo.large import large_script, wants_large
        from duo_tui.demo.script import demo_script
        from duo_tui.providers.scripted import ScriptedProvider

        # A request about receipts plays the L scenario (three tasks, three commits).
        script = large_script() if wants_large(request) else demo_script()
        for key, used in (consumed or {}).items():
            answers = script.get(key)
            if answers and used > 0:
                # The last answer repeats, so at least that one is kept.
                script[key] = answers[min(used, len(answers) - 1) :]
        scripted = ScriptedProvider(script, chunk_chars=12, chars_per_s=pace)
        return lambda model: scripted

    cache: dict[str, Provider] = {}

    def make(model: str) -> Provider:
        if model not in cache:
            from duo_tui.providers.registry import make_provider

            cache[model] = make_provider(model, config)
        return cache[model]

    return make


_PURPOSE_BY_STAGE_ROLE: dict[tuple[Stage, str], str] = {
    (Stage.PLAN, "planner"): "plan",
    (Stage.ALIGN, "executor"): "align",
    (Stage.ALIGN, "planner"): "revise",
    (Stage.EXECUTE, "executor"): "execute",
    (Stage.FIX, "executor"): "fix",
    (Stage.REVIEW, "reviewer"): "review",
}


def demo_answers_used(
    store: SessionStore, session: Session, config: Config
) -> dict[ScriptKey, int]:
    """How many scripted answers per script key a demo session has used so far.

    Counted from the transcript. Calls of the run that was interrupted are left
    out: that stage runs again and must get the same answers again. Without
    this a resumed demo would replay the script from the start (round-1
    reviews in round 2, a fix that no longer applies).
    """
    from duo_tui.demo.script import demo_script

    script = demo_script()
    cur = session.current
    redo = (cur.stage, cur.round, cur.task_id) if cur is not None and cur.interrupted else None
    used: dict[ScriptKey, int] = {}
    reviews_seen: dict[tuple[str | None, int, str], int] = {}
    for rec in store.calls():
        if redo is not None and (rec.stage, rec.round, rec.task_id) == redo:
            continue
        purpose = _PURPOSE_BY_STAGE_ROLE.get((rec.stage, rec.role))
        if purpose is None:
            continue
        if purpose == "review" and config.loop.rebuttal:
            # With rebuttals each reviewer answers twice per round: review, then rebuttal.
            k = (rec.task_id, rec.round, rec.model)
            n = reviews_seen.get(k, 0)
            reviews_seen[k] = n + 1
            purpose = "rebuttal" if n % 2 else "review"
        key: ScriptKey = (purpose, rec.model) if (purpose, rec.model) in script else purpose
        used[key] = used.get(key, 0) + 1
    return used


@dataclass
class Workspace:
    """An open session: everything the pipeline needs, and the lock that guards it."""

    repo: Path
    session: Session
    store: object
    worktree: object
    pipeline: Pipeline
    lock: object
    problems: list[str] = field(default_factory=list)

    def close(self) -> None:
        release = getattr(self.lock, "release", None)
        if release is not None:
            release()


def open_new(
    repo: Path,
    request: str,
    config: Config,
    *,
    driver: Driver,
    mode: Mode = Mode.MANUAL,
    autopilot: bool = False,
    demo: bool = False,
    pace: float = 0.0,
    listeners: list[Callable[[Event], None]] | None = None,
    providers: Callable[[str], Provider] | None = None,
) -> Workspace:
    """Create a session (id, worktree on duo/<slug>, store, lock) and its pipeline.

    Everything that can be refused is checked before anything is created, and
    the session exists only once its worktree does (see `duo_tui.session_setup`).
    """
    from duo_tui.session_setup import create_session, preflight

    if not request.strip():
        raise ConfigError("the task is empty: say what you want built")
    roles = config.roles.to_roles()
    preflight(repo, config, check_models=providers is None and not demo)
    slug = slugify(request)
    session = Session(
        id="",  # assigned when its folder is claimed
        slug=slug,
        request=request,
        mode=mode,
        autopilot=autopilot,
        roles=roles,
        repo=str(repo),
        demo=demo,
    )
    store, lock, wt = create_session(repo, session)
    try:
        changes = wt.user_changes()
        if changes:
            session.warnings.append(
                f"{len(changes)} uncommitted change(s) in your checkout are not part of this session "
                f"(it starts from your last commit): {', '.join(changes[:5])}"
                + (" ..." if len(changes) > 5 else "")
            )
        store.save(session)
        pipeline = Pipeline(
            session,
            config=config,
            store=store,
            providers=providers or provider_factory(config, demo, pace, request=request),
            driver=driver,
            repo=repo,
            worktree=wt,
            listeners=listeners,
        )
    except BaseException:
        lock.release()
        raise
    return Workspace(repo, session, store, wt, pipeline, lock)


def open_existing(
    repo: Path,
    session_id: str | None,
    config: Config,
    *,
    driver: Driver,
    autopilot: bool | None = None,
    pace: float = 0.0,
    listeners: list[Callable[[Event], None]] | None = None,
    providers: Callable[[str], Provider] | None = None,
) -> Workspace:
    """Reopen a persisted session (default: the latest) to continue it.

    The session gets a usable worktree first (an interrupted creation is
    finished, a deleted folder recreated from the branch); a session without
    one raises and never runs (see `duo_tui.session_setup.attach_worktree`).
    """
    from duo_tui.session_setup import attach_worktree
    from duo_tui.store.session_store import SessionStore

    if session_id:
        store = SessionStore.open(repo, session_id)
    else:
        latest = SessionStore.latest(repo)
        if latest is None:
            raise ConfigError(
                f"no sessions in {repo}/.duo/sessions: start one with `duo-tui run TASK`"
            )
        store = latest
    lock = store.lock()
    lock.acquire()
    try:
        session, problems, wt = attach_worktree(repo, store, store.load)
        if session.demo:
            config = demo_config(config)
        interrupted = store.mark_interrupted(session)
        if interrupted:
            problems.append(
                f"the {session.current.stage.value if session.current else ''} stage was interrupted; it will run again"
            )
        if autopilot is not None:
            session.autopilot = autopilot
        store.save(session)
        if providers is None:
            consumed = demo_answers_used(store, session, config) if session.demo else None
            providers = provider_factory(
                config, session.demo, pace, consumed=consumed, request=session.request
            )
        pipeline = Pipeline(
            session,
            config=config,
            store=store,
            providers=providers,
            driver=driver,
            repo=repo,
            worktree=wt,
            listeners=listeners,
        )
        pipeline.resume_from(session.current)
    except BaseException:
        lock.release()
        raise
    return Workspace(repo, session, store, wt, pipeline, lock, problems)

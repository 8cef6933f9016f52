"""Issue 16: a session exists only once its worktree does, whatever fails while it is made.

Each test drives one way the old code ended with a session that had no
worktree (a repository without commits, a full disk, kill -9 during
`git worktree add`, session.json and its backup both broken) and checks that
the session never runs in the user's checkout: it is finished in a worktree,
or nothing is left, or resuming stops with a message. Real git, the demo's
scripted models.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import duo_tui.vcs.worktree_setup as worktree_mod
from duo_tui.core.runner import HeadlessDriver
from duo_tui.demo.project import REQUEST
from duo_tui.errors import ConfigError, DuoError, GitError
from duo_tui.service import demo_config, open_new

from .checkout import (
    checkout_files,
    demo_project_without_commits,
    duo_branches,
    git,
    git_status,
    linked_worktrees,
    play,
    resume_demo,
    session_dirs,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def new_demo_session(repo: Path) -> str:
    """Create a demo session (nothing run yet) and close it; return its id."""
    ws = open_new(repo, REQUEST, demo_config(), driver=HeadlessDriver(), autopilot=True, demo=True)
    ws.close()
    return ws.session.id


def assert_nothing_left(repo: Path) -> None:
    assert session_dirs(repo) == []
    assert duo_branches(repo) == []
    assert linked_worktrees(repo) == []
    assert not any((repo / ".duo" / "worktrees").glob("*"))


# ----------------------------------------------------------------------------- no commits yet


def test_no_commits_yet_is_bad_input_leaves_nothing_and_resume_later_never_runs(
    tmp_path: Path,
) -> None:
    repo = demo_project_without_commits(tmp_path / "repo")
    with pytest.raises(ConfigError, match="no commits yet") as exc:
        open_new(repo, REQUEST, demo_config(), driver=HeadlessDriver(), autopilot=True, demo=True)
    assert exc.value.exit_code == 2
    assert_nothing_left(repo)

    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first commit")
    before = checkout_files(repo)
    with pytest.raises(ConfigError, match="no sessions"):
        resume_demo(repo)
    assert checkout_files(repo) == before
    assert git_status(repo) == ""


def test_a_branchless_session_left_by_an_older_version_never_runs(demo_repo: Path) -> None:
    """The exact session.json the old code saved before failing: `"branch": null`."""
    sid = new_demo_session(demo_repo)
    folder = demo_repo / ".duo" / "sessions" / sid
    data = json.loads((folder / "session.json").read_text())
    git(demo_repo, "worktree", "remove", "--force", data["worktree"])
    git(demo_repo, "branch", "-D", data["branch"])
    data.update(branch=None, worktree=None, base_commit=None)
    (folder / "session.json").write_text(json.dumps(data))
    (folder / "session.json.bak").unlink(missing_ok=True)
    before = checkout_files(demo_repo)

    with pytest.raises(ConfigError, match="no worktree and no branch"):
        resume_demo(demo_repo)
    assert checkout_files(demo_repo) == before
    assert git_status(demo_repo) == ""


# ----------------------------------------------------------------------------- broken files


def test_session_json_and_backup_both_corrupt_never_runs(demo_repo: Path) -> None:
    sid = new_demo_session(demo_repo)
    folder = demo_repo / ".duo" / "sessions" / sid
    branch = json.loads((folder / "session.json").read_text())["branch"]
    (folder / "session.json").write_text("{ not json")
    (folder / "session.json.bak").write_text("\x00\x01 garbage")
    before = checkout_files(demo_repo)

    with pytest.raises(ConfigError, match="no worktree and no branch") as exc:
        resume_demo(demo_repo)
    assert "session.json" in str(exc.value)  # the message names what broke
    assert checkout_files(demo_repo) == before
    assert git_status(demo_repo) == ""
    assert duo_branches(demo_repo) == [branch]  # its branch (the work) is kept


# ----------------------------------------------------------------------------- full disk


def test_enospc_while_the_worktree_is_made_leaves_nothing(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = worktree_mod.run

    def full_disk(cwd: Path, *args: str, **kw: object) -> str:
        if args[:2] == ("worktree", "add"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(cwd, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(worktree_mod, "run", full_disk)
    before = checkout_files(demo_repo)
    with pytest.raises(DuoError, match="No space left on device"):
        new_demo_session(demo_repo)
    monkeypatch.setattr(worktree_mod, "run", real)

    assert_nothing_left(demo_repo)
    with pytest.raises(ConfigError, match="no sessions"):
        resume_demo(demo_repo)
    assert checkout_files(demo_repo) == before
    assert git_status(demo_repo) == ""


def test_git_failing_after_it_made_the_branch_leaves_no_branch(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git worktree add -b` makes the branch, then the checkout fails on a full disk."""
    real = worktree_mod.run

    def fails_half_way(cwd: Path, *args: str, **kw: object) -> str:
        if args[:2] == ("worktree", "add"):
            branch, head = args[args.index("-b") + 1], args[-1]
            real(cwd, "branch", branch, head)
            raise GitError("creating the session worktree failed: No space left on device")
        return real(cwd, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(worktree_mod, "run", fails_half_way)
    with pytest.raises(GitError):
        new_demo_session(demo_repo)
    assert_nothing_left(demo_repo)


def test_enospc_writing_session_json_after_the_worktree_removes_the_worktree_too(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from duo_tui.store.session_store import SessionStore

    def full_disk(self: SessionStore, session: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path / "session.json"))

    monkeypatch.setattr(SessionStore, "save", full_disk)
    with pytest.raises(DuoError, match="No space left on device"):
        new_demo_session(demo_repo)
    assert_nothing_left(demo_repo)


def test_sessions_lists_an_interrupted_creation_as_such(demo_repo: Path) -> None:
    from duo_tui.store.session_store import SessionStore

    folder = demo_repo / ".duo" / "sessions" / "2026-01-01-x"
    folder.mkdir(parents=True)
    (folder / "request.md").write_text("x\n")
    (folder / "creating.json").write_text("{}")
    [row] = SessionStore.list_sessions(demo_repo)
    assert row.status == "creating"
    assert "run --resume 2026-01-01-x" in (row.error or "")


# ----------------------------------------------------------------------------- kill -9

KILLED_CREATION = """
import os, signal, sys
from pathlib import Path

import duo_tui.vcs.worktree_setup as w
from duo_tui.core.runner import HeadlessDriver
from duo_tui.demo.project import REQUEST
from duo_tui.service import demo_config, open_new

repo, when = Path(sys.argv[1]), sys.argv[2]
real = w.run


def run(cwd, *args, **kw):
    if args[:2] == ("worktree", "add"):
        if when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        out = real(cwd, *args, **kw)
        if when == "partial":  # git killed mid-checkout: locked record, half the files
            path = Path(args[-2])
            Path(real(path, "rev-parse", "--absolute-git-dir"), "locked").write_text("initializing")
            for p in sorted(path.rglob("*.py"))[::2]:
                p.unlink()
        os.kill(os.getpid(), signal.SIGKILL)
    return real(cwd, *args, **kw)


w.run = run
open_new(repo, REQUEST, demo_config(), driver=HeadlessDriver(), autopilot=True, demo=True)
"""


@pytest.mark.parametrize("when", ["before", "after", "partial"])
def test_kill_9_during_git_worktree_add_then_resume_works_in_a_worktree(
    demo_repo: Path, when: str
) -> None:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_CREATION, str(demo_repo), when],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    before = checkout_files(demo_repo)

    ws = resume_demo(demo_repo)
    report = play(ws)

    assert checkout_files(demo_repo) == before
    assert git_status(demo_repo) == ""
    assert any("interrupted" in p for p in ws.problems)
    assert report["committed"], report["stop_reason"]
    assert duo_branches(demo_repo) == [report["branch"]]
    worktree = Path(ws.session.worktree or "")
    assert worktree.parent == (demo_repo / ".duo" / "worktrees").resolve()
    assert git(demo_repo, "rev-parse", report["branch"]) == report["commit"]


def test_finishing_an_interrupted_creation_never_undoes_another_sessions_worktree(
    demo_repo: Path,
) -> None:
    """The marker of an interrupted creation names a branch that another session now
    owns (its half-made leftovers were cleaned by hand, then the name was reused)."""
    ws = open_new(
        demo_repo, REQUEST, demo_config(), driver=HeadlessDriver(), autopilot=True, demo=True
    )
    ws.close()
    other = Path(ws.session.worktree or "")
    (other / "shop" / "cart.py").write_text("# work in progress of the other session\n")
    folder = demo_repo / ".duo" / "sessions" / "2026-01-01-interrupted"
    folder.mkdir()
    (folder / "request.md").write_text(REQUEST + "\n")
    marker = ws.session.model_copy(update={"id": folder.name, "worktree": None})
    (folder / "creating.json").write_text(marker.model_dump_json())

    resumed = resume_demo(demo_repo, folder.name)
    resumed.close()
    assert (other / "shop" / "cart.py").read_text() == "# work in progress of the other session\n"
    assert ws.session.branch in duo_branches(demo_repo)
    assert resumed.session.branch != ws.session.branch
    assert sorted(Path(p) for p in linked_worktrees(demo_repo)) == sorted(
        [other, Path(resumed.session.worktree or "")]
    )


# ----------------------------------------------------------------------------- several runs at once


def test_a_session_id_taken_between_the_check_and_the_mkdir_gets_the_next_one(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another `run` creates the same id right after this one chose it."""
    import duo_tui.store.session_store as store_mod

    real = store_mod.new_session_id
    raced: list[str] = []

    def racing(*args: object, **kw: object) -> str:
        sid = real(*args, **kw)  # type: ignore[arg-type]
        if not raced:
            raced.append(sid)
            (demo_repo / ".duo" / "sessions" / sid).mkdir(parents=True)
        return sid

    monkeypatch.setattr(store_mod, "new_session_id", racing)
    sid = new_demo_session(demo_repo)
    assert sid == f"{raced[0]}-2"


def test_four_runs_started_at_once_each_get_their_own_session_and_branch(
    demo_repo: Path,
) -> None:
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            results.append(new_demo_session(demo_repo))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(set(results)) == 4
    assert len(duo_branches(demo_repo)) == 4
    assert len(linked_worktrees(demo_repo)) == 4


START_ONE = """
import sys, time
from pathlib import Path

from duo_tui.core.runner import HeadlessDriver
from duo_tui.demo.project import REQUEST
from duo_tui.service import demo_config, open_new

start_at = float(sys.argv[2])
time.sleep(max(0.0, start_at - time.time()))
ws = open_new(Path(sys.argv[1]), REQUEST, demo_config(), driver=HeadlessDriver(), demo=True)
ws.close()
print(ws.session.id, ws.session.branch)
"""


def test_four_processes_started_at_once_each_get_their_own_session_and_branch(
    demo_repo: Path,
) -> None:
    import time

    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    start_at = str(time.time() + 3)  # after every interpreter has imported duo_tui
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", START_ONE, str(demo_repo), start_at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in outs]
    ids = {out.split()[0] for out, _ in outs}
    branches = {out.split()[1] for out, _ in outs}
    assert len(ids) == 4 and len(branches) == 4
    assert sorted(duo_branches(demo_repo)) == sorted(branches)
    assert len(session_dirs(demo_repo)) == 4

"""Issue 16: no code path of the runner resolves to the user's checkout.

The guard (`duo_tui.vcs.guard`) is asked before every edit, gate run and
commit; these tests aim a session at the user's checkout in the ways left
once creation is safe (a runner given no worktree, a worktree object whose
path is the checkout, a hand-edited session.json) and check that nothing in the
checkout changes. Real git, the demo's scripted models.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from duo_tui.core.pipeline import Pipeline
from duo_tui.core.runner import HeadlessDriver
from duo_tui.core.session import Session
from duo_tui.demo.project import REQUEST
from duo_tui.errors import DuoError, GitError
from duo_tui.service import demo_config, open_new, provider_factory
from duo_tui.store.session_store import SessionStore
from duo_tui.vcs.worktree import SessionWorktree

from .checkout import checkout_files, git, git_status, linked_worktrees, play, resume_demo


def bare_pipeline(repo: Path, worktree: SessionWorktree | None) -> Pipeline:
    """A demo pipeline built by hand around `worktree` (what service.py would pass)."""
    session = Session(
        id="2026-01-01-hand-made", slug="hand-made", request=REQUEST, demo=True, autopilot=True
    )
    store = SessionStore.create(repo, session)
    config = demo_config()
    return Pipeline(
        session,
        config=config,
        store=store,
        providers=provider_factory(config, True, request=REQUEST),
        driver=HeadlessDriver(),
        repo=repo,
        worktree=worktree,
    )


def test_a_runner_without_a_worktree_refuses_to_exist(demo_repo: Path) -> None:
    before = checkout_files(demo_repo)
    with pytest.raises(GitError, match="its own worktree"):
        asyncio.run(bare_pipeline(demo_repo, None).run())
    assert checkout_files(demo_repo) == before
    assert git_status(demo_repo) == ""


def test_a_worktree_that_is_the_users_checkout_is_refused_before_any_write(
    demo_repo: Path,
) -> None:
    head = git(demo_repo, "rev-parse", "HEAD")
    git(demo_repo, "branch", "duo/hand-made")
    aimed_at_checkout = SessionWorktree(
        repo_root=demo_repo,
        slug="hand-made",
        branch="duo/hand-made",
        path=demo_repo,
        base=head,
        common_dir=demo_repo / ".git",
    )
    before = checkout_files(demo_repo)
    report = asyncio.run(bare_pipeline(demo_repo, aimed_at_checkout).run())
    assert not report["committed"]
    assert "refusing to work in" in (report["stop_reason"] or "")
    assert checkout_files(demo_repo) == before
    assert git_status(demo_repo) == ""
    assert git(demo_repo, "rev-parse", "HEAD") == head


def test_session_json_naming_a_folder_inside_the_checkout_is_not_used(demo_repo: Path) -> None:
    """A hand-edited session.json points the (deleted) worktree at an empty folder of
    the user's; resuming must not check the branch out there."""
    ws = open_new(
        demo_repo, REQUEST, demo_config(), driver=HeadlessDriver(), autopilot=True, demo=True
    )
    ws.close()
    folder = demo_repo / ".duo" / "sessions" / ws.session.id
    worktree = Path(ws.session.worktree or "")
    git(demo_repo, "worktree", "remove", "--force", str(worktree))
    users_folder = demo_repo / "notes"
    users_folder.mkdir()
    data = json.loads((folder / "session.json").read_text())
    data["worktree"] = str(users_folder)
    (folder / "session.json").write_text(json.dumps(data))
    before = checkout_files(demo_repo)

    report = play(resume_demo(demo_repo))
    assert list(users_folder.iterdir()) == []
    assert checkout_files(demo_repo) == before
    assert report["committed"]
    assert worktree.is_dir()  # recreated at its own place, from its branch
    assert [Path(p) for p in linked_worktrees(demo_repo)] == [worktree]


def test_a_deleted_worktree_folder_is_recreated_from_its_branch(demo_repo: Path) -> None:
    ws = open_new(
        demo_repo, REQUEST, demo_config(), driver=HeadlessDriver(), autopilot=True, demo=True
    )
    ws.close()
    worktree = Path(ws.session.worktree or "")
    shutil.rmtree(worktree)
    before = checkout_files(demo_repo)
    report = play(resume_demo(demo_repo))
    assert report["committed"]
    assert git(demo_repo, "rev-parse", report["branch"]) == report["commit"]
    assert checkout_files(demo_repo) == before


def test_a_deleted_branch_stops_the_resume_with_a_message(demo_repo: Path) -> None:
    ws = open_new(
        demo_repo, REQUEST, demo_config(), driver=HeadlessDriver(), autopilot=True, demo=True
    )
    ws.close()
    git(demo_repo, "worktree", "remove", "--force", ws.session.worktree or "")
    git(demo_repo, "branch", "-D", ws.session.branch or "")
    before = checkout_files(demo_repo)
    with pytest.raises(DuoError, match="cannot be resumed"):
        resume_demo(demo_repo)
    assert checkout_files(demo_repo) == before


def test_a_worktree_folder_that_lost_its_git_file_is_never_used(demo_repo: Path) -> None:
    """Without its `.git` file the folder is plain files inside the user's repository:
    git run there would stage and commit into the user's own branch."""
    ws = open_new(
        demo_repo, REQUEST, demo_config(), driver=HeadlessDriver(), autopilot=True, demo=True
    )
    ws.close()
    worktree = Path(ws.session.worktree or "")
    (worktree / ".git").unlink()
    head = git(demo_repo, "rev-parse", "HEAD")
    before = checkout_files(demo_repo)

    with pytest.raises(GitError, match=r"Move .* away"):
        play(resume_demo(demo_repo))
    assert git(demo_repo, "rev-parse", "HEAD") == head
    assert git_status(demo_repo) == ""

    shutil.move(str(worktree), str(demo_repo.parent / "moved-away"))
    report = play(resume_demo(demo_repo))
    assert report["committed"]
    assert git(demo_repo, "rev-parse", report["branch"]) == report["commit"]
    assert git(demo_repo, "rev-parse", "HEAD") == head
    assert checkout_files(demo_repo) == before

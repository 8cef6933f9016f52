"""Helpers of the checkout tests: what the user's checkout holds, and what a session left.

Every test of tests/security/test_checkout_*.py attacks one way a session could
write into the user's own checkout, or leave a branch behind; these helpers
read the evidence with real git.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

from duo_tui.core.runner import HeadlessDriver
from duo_tui.demo.project import FILES
from duo_tui.service import Workspace, demo_config, open_existing


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def checkout_files(repo: Path) -> dict[str, bytes]:
    """Every file of the user's checkout (outside .git and .duo), by relative path."""
    out = {}
    for p in sorted(repo.rglob("*")):
        rel = p.relative_to(repo)
        if rel.parts[0] in (".git", ".duo") or not p.is_file():
            continue
        out[rel.as_posix()] = p.read_bytes()
    return out


def git_status(repo: Path) -> str:
    """The user's `git status --porcelain` (untracked files too)."""
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def duo_branches(repo: Path) -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/duo/").split()


def linked_worktrees(repo: Path) -> list[str]:
    """Worktrees git knows besides the main checkout."""
    paths = [
        line.split(" ", 1)[1]
        for line in git(repo, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]
    return [p for p in paths if Path(p).resolve() != repo.resolve()]


def session_dirs(repo: Path) -> list[str]:
    root = repo / ".duo" / "sessions"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def demo_project_without_commits(repo: Path) -> Path:
    """The demo project's files in a fresh repository with no commit yet."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for rel, text in FILES.items():
        p = repo / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return repo


def resume_demo(repo: Path, session_id: str | None = None) -> Workspace:
    """`duo-tui run --resume` in-process for a demo session (scripted models)."""
    return open_existing(repo, session_id, demo_config(), driver=HeadlessDriver(), autopilot=True)


def play(ws: Workspace) -> dict[str, Any]:
    try:
        return asyncio.run(ws.pipeline.run())
    finally:
        ws.close()

"""What a session must never change in the user's checkout, and a checkout with work in progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def user_state(root: Path, git: Callable[..., str], index_bytes: bool = True) -> dict[str, object]:
    """Everything about the user's checkout that a session must not change.

    `index_bytes=False` compares the index by content (`ls-files --stage`) instead of
    byte for byte: an aborted merge necessarily rewrites the index file.
    """
    files = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if rel.parts[0] in (".git", ".duo") or not p.is_file():
            continue
        files[str(rel)] = p.read_bytes()
    return {
        "head": git(root, "rev-parse", "HEAD"),
        "branch": git(root, "symbolic-ref", "HEAD"),
        "status": git(root, "status", "--porcelain=v1", "-uall"),
        "staged": git(root, "diff", "--cached"),
        "index": (root / ".git" / "index").read_bytes()
        if index_bytes
        else git(root, "ls-files", "--stage"),
        "files": files,
    }


def dirty_user_tree(root: Path, git: Callable[..., str]) -> None:
    (root / "README.md").write_text("# demo\nuser edit\n")
    (root / "notes.txt").write_text("untracked user file\n")
    (root / "app" / "y.py").write_text("print('staged')\n")
    git(root, "add", "app/y.py")

"""Path safety for edits: :func:`safe_path` keeps every write inside the repository and out of ``.git``."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from duo_tui.errors import EditError, UnsafePathError


def _is_git_component(part: str) -> bool:
    # ".git" in any case; also ".git." / ".git " which Windows maps to ".git".
    return part.rstrip(". ").lower() == ".git" or part.lower() == ".git"


def safe_path(root: Path, rel: str) -> Path:
    """The absolute, symlink-resolved location of ``rel`` inside ``root``.

    Raises :class:`UnsafePathError` for empty or absolute paths, ``~``, any
    ``..`` component, NUL bytes, anything named ``.git`` (any case, at any
    depth: the directory, its contents, a worktree's ``.git`` file), and any
    path whose resolved location (following symlinks anywhere on the way,
    including a symlinked final file) is outside ``root`` or inside ``.git``.
    Backslashes count as separators. Symlinks that stay inside ``root`` are
    followed, so the returned path is where bytes would really be written.
    """
    if not rel or not rel.strip() or "\0" in rel:
        raise UnsafePathError(f"Refusing the empty or invalid path {rel!r}.")
    text = rel.replace("\\", "/")
    if text.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", text):
        raise UnsafePathError(f"Refusing {rel!r}: edits must use paths relative to the repository.")
    parts = [p for p in PurePosixPath(text).parts if p not in ("", ".")]
    if not parts:
        raise UnsafePathError(f"Refusing {rel!r}: it names the repository root, not a file.")
    if ".." in parts:
        raise UnsafePathError(f"Refusing {rel!r}: '..' may not appear in an edit path.")
    if any(_is_git_component(p) for p in parts):
        raise UnsafePathError(f"Refusing {rel!r}: nothing inside .git may be edited.")
    try:
        real_root = root.resolve(strict=True)
    except OSError as exc:
        raise EditError(f"The repository root {root} does not exist: {exc}") from exc
    try:
        resolved = real_root.joinpath(*parts).resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loops and friends
        raise UnsafePathError(f"Refusing {rel!r}: cannot resolve it ({exc}).") from exc
    if not resolved.is_relative_to(real_root) or resolved == real_root:
        raise UnsafePathError(f"Refusing {rel!r}: it resolves outside the repository ({resolved}).")
    if any(_is_git_component(p) for p in resolved.relative_to(real_root).parts):
        raise UnsafePathError(f"Refusing {rel!r}: it resolves into .git ({resolved}).")
    return resolved

"""What goes into prompts about the repository: an overview, file contents, rules.

All of it is repository content, so it is wrapped as untrusted data.
"""

from __future__ import annotations

from pathlib import Path

from duo_tui.prompts import untrusted
from duo_tui.safe_text import clean_line
from duo_tui.store.atomic import write_atomic
from duo_tui.vcs.repo import tracked_files as git_tracked_files

CONSTITUTION = Path(".ai") / "constitution.md"
MAX_FILE_CHARS = 60_000
MAX_OVERVIEW_FILES = 300


def tracked_files(root: Path) -> list[str]:
    """Files git knows about in `root` (falls back to a shallow walk)."""
    files = git_tracked_files(root)
    if files is not None:
        return files
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts and ".duo" not in p.parts
    )[:MAX_OVERVIEW_FILES]


def repo_overview(root: Path) -> str:
    files = tracked_files(root)
    shown = files[:MAX_OVERVIEW_FILES]
    more = f"\n... and {len(files) - len(shown)} more" if len(files) > len(shown) else ""
    return "Repository files:\n" + untrusted("git ls-files", "\n".join(shown) + more)


def file_contents(root: Path, paths: list[str]) -> str:
    """The current text of the named files (those that exist), with line numbers off."""
    parts = []
    for rel in dict.fromkeys(paths):
        p = root / rel
        try:
            if not p.is_file() or not p.resolve().is_relative_to(root.resolve()):
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if len(text) > MAX_FILE_CHARS:
            text = text[:MAX_FILE_CHARS] + "\n... (truncated)"
        parts.append(f"{rel}\n" + untrusted(rel, text))
    return ("Current files:\n\n" + "\n\n".join(parts)) if parts else ""


def read_constitution(repo: Path) -> str:
    """Rules the human approved for this repository (may be empty)."""
    p = repo / CONSTITUTION
    try:
        text = p.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    if not text:
        return ""
    return "Rules for this repository, approved by its maintainers (follow them):\n\n" + text


def append_rule(repo: Path, rule: str, source: str) -> Path:
    """Append one learned rule to `.ai/constitution.md` (after the human confirmed it)."""
    p = repo / CONSTITUTION
    p.parent.mkdir(parents=True, exist_ok=True)
    before = (
        p.read_text(encoding="utf-8")
        if p.exists()
        else "# Constitution\n\nRules learned from reviews in duo-tui.\n\n"
    )
    # A finding's words (model text): one bullet, controls made visible.
    line = f"- {clean_line(rule.strip())} _(from {clean_line(source)})_\n"
    # the user's file: replaced whole (a crash leaves the old rules, never half a line)
    write_atomic(p, before + line, mode=None)
    return p

"""What duo-tui says about the session when the workbench closes, and where demo repositories are.

On quit or finish the TUI prints the session's id, its branch, the demo
repository (for `--demo`) and the exact command that reopens the session.
Demo repositories are throw-away: they stay where they were made (the
system's temporary directory unless `--repo DIR` named one) so a demo
session can be resumed, and `duo-tui sessions --demo` lists them.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

DEMO_PREFIX = "duo-demo-"
"""Name prefix of the demo repositories made in the temporary directory."""


@dataclass
class SessionInfo:
    """The session a workbench opened."""

    id: str
    branch: str
    repo: str
    demo: bool
    status: str = "active"


def resume_command(info: SessionInfo, cwd: Path | None = None) -> str:
    """The command that reopens the session from `cwd` (default: the current directory)."""
    parts = ["duo-tui", "resume", info.id]
    here = (cwd or Path.cwd()).resolve()
    repo = Path(info.repo)
    if info.demo or not (here == repo or repo in here.parents):
        parts += ["--repo", str(repo)]
    return shlex.join(parts)


def exit_message(info: SessionInfo, cwd: Path | None = None) -> str:
    """The lines printed when the workbench closes (the id and branch come from session
    files in the repository: untrusted, so they are shown with controls made visible)."""
    from duo_tui.safe_text import clean_line

    state = "saved" if info.status == "active" else info.status
    branch = clean_line(info.branch) if info.branch else "(none yet)"
    lines = [f"duo-tui: session {clean_line(info.id)} {clean_line(state)}, on branch {branch}"]
    if info.demo:
        lines.append(
            f"  demo repository: {clean_line(info.repo)} "
            "(throw-away; `duo-tui sessions --demo` lists them)"
        )
    verb = {"active": "continue it", "blocked": "continue it once fixed"}.get(
        info.status, "open it again"
    )
    lines.append(f"  {verb}: {clean_line(resume_command(info, cwd))}")
    return "\n".join(lines) + "\n"


def demo_repos(root: Path | None = None) -> list[Path]:
    """This user's demo repositories in the temporary directory, newest first.

    Only directories this user owns: in a shared /tmp anyone can make a `duo-demo-*`.
    """
    import os
    import tempfile

    base = root or Path(tempfile.gettempdir())
    found = []
    try:
        for p in base.iterdir():
            if not p.name.startswith(DEMO_PREFIX) or p.is_symlink():
                continue
            try:
                if p.is_dir() and p.stat().st_uid == os.getuid() and (p / ".git").exists():
                    found.append(p)
            except OSError:
                continue
    except OSError:
        return []
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

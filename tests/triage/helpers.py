"""Small builders shared by the triage tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from duo_tui.core.models import Finding, Review

#: The repository's root (a worktree's, when the tests run in one).
ROOT = Path(__file__).resolve().parents[2]


def shared_set(name: str, env: str) -> Path:
    """The development set ``../shared/NAME`` beside the repository or its worktree
    folder (as the benchmarks find it), or ``$ENV`` when set."""
    given = os.environ.get(env)
    if given:
        return Path(given)
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / name).is_dir():
            return base / "shared" / name
    return ROOT.parent / "shared" / name


def finding(fid: str, title: str, **kw: Any) -> Finding:
    """A finding with sensible defaults."""
    kw.setdefault("severity", "medium")
    return Finding(id=fid, title=title, **kw)


def review(name: str, *findings: Finding) -> Review:
    return Review(reviewer=name, findings=list(findings))

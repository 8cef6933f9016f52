"""Small builders shared by the triage tests."""

from __future__ import annotations

from typing import Any

from duo_tui.core.models import Finding, Review


def finding(fid: str, title: str, **kw: Any) -> Finding:
    """A finding with sensible defaults."""
    kw.setdefault("severity", "medium")
    return Finding(id=fid, title=title, **kw)


def review(name: str, *findings: Finding) -> Review:
    return Review(reviewer=name, findings=list(findings))

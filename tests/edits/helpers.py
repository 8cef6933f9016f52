"""Shared by the tests of `duo_tui.core.edits`: the answer corpus, trees written byte-exactly, blocks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from duo_tui.core.edits import EditBlock

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "edits"
EXPECTATIONS: dict[str, Any] = json.loads((CORPUS / "expectations.json").read_text("utf-8"))
BASE: dict[str, str] = EXPECTATIONS["_base"]
CASES: dict[str, dict[str, Any]] = EXPECTATIONS["cases"]


BLOCK_BODY = "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` byte-exactly (no newline translation)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path -> bytes)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def block(path: str, search: str, replace: str, index: int = 1) -> EditBlock:
    return EditBlock(path=path, search=search, replace=replace, index=index)


def answer(*parts: tuple[str, str, str]) -> str:
    """An executor answer with one fenced block per (path, search, replace)."""
    out = []
    for path, search, replace in parts:
        out.append(
            f"{path}\n```python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"
        )
    return "\n".join(out)

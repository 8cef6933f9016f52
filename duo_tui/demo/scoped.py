"""The demo executor keeps to its task: only the edit blocks for the task's files.

The scripted demo answers with one change for the whole plan. When the human
splits the task, a real executor would be asked for each part's files only; the
demo does the same by keeping, from its scripted answer, the SEARCH/REPLACE
blocks whose file the prompt's task names ("Files it may touch: ..."). Text
outside blocks is kept; a prompt without such a line keeps every block.
"""

from __future__ import annotations

import re

from duo_tui.providers.base import ModelRequest

_FILES_RE = re.compile(r"^Files it may touch: (.+)$", re.MULTILINE)
# one block as the demo script writes it: a path line, a fence, the block, a fence
_BLOCK_RE = re.compile(
    r"^(?P<path>[\w./-]+)\n```\w*\n<{7} SEARCH\n.*?\n>{7} REPLACE\n```\n?", re.MULTILINE | re.DOTALL
)


def task_files(request: ModelRequest) -> set[str] | None:
    """The files the prompt's task may touch, or None when it names none."""
    for m in request.messages:
        found = _FILES_RE.search(m.content)
        if found:
            return {p.strip() for p in found.group(1).split(",") if p.strip()}
    return None


def keep_task_blocks(text: str, request: ModelRequest) -> str:
    """`text` without the blocks for files outside the prompt's task."""
    allowed = task_files(request)
    if allowed is None:
        return text
    return _BLOCK_RE.sub(lambda m: m.group(0) if m.group("path") in allowed else "", text)


_REJECTED_RE = re.compile(r"^The human rejected the previous attempt: (.+)$", re.MULTILINE)


def plan_with_feedback(text: str, request: ModelRequest) -> str:
    """The demo planner answers a rejection: the reason appears in the new plan.

    A real planner revises its plan from the reason; the scripted one cannot, so it
    says what it was asked, under its own heading, before the steps."""
    reasons: list[str] = []
    for m in request.messages:
        reasons += [r.strip() for r in _REJECTED_RE.findall(m.content) if r.strip()]
    if not reasons:
        return text
    note = "## Changed as you asked\n" + "".join(f"- {r}\n" for r in reasons) + "\n"
    at = text.find("## Steps")
    return text[:at] + note + text[at:] if at >= 0 else text + "\n" + note

"""Explain failures: the closest region for a SEARCH that matches nowhere, and the rerun prompt text.

The fuzzy search is bounded so that a failure never takes long; it only explains,
it never decides where an edit goes.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Sequence

from duo_tui.core.edits.model import EditApplyError, EditBlock
from duo_tui.errors import EditError

# Bounds for the explanatory fuzzy search, so a failure never takes long.
_FUZZY_CANDIDATES = 8
_FUZZY_MAX_LINES = 50_000
_FUZZY_LINE_CHARS = 400
_WORD_RE = re.compile(r"\w+")


def _line_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(
        None, a.strip()[:_FUZZY_LINE_CHARS], b.strip()[:_FUZZY_LINE_CHARS]
    ).ratio()


def _closest_region(bodies: Sequence[str], search: Sequence[str]) -> tuple[int, int, float] | None:
    """(start, length, similarity) of the region most like ``search``.

    Windows of SEARCH's length are ranked by how much of each line's words
    occur in SEARCH (linear, via prefix sums); only the best few are then
    compared line by line with :class:`difflib.SequenceMatcher`.
    """
    if not bodies or not search:
        return None
    bodies = bodies[:_FUZZY_MAX_LINES]
    win = min(len(search), len(bodies))
    words = {w for s in search for w in _WORD_RE.findall(s)}
    prefix = [0.0]
    for line in bodies:
        found = _WORD_RE.findall(line)
        share = sum(1 for w in found if w in words) / len(found) if found else 0.0
        prefix.append(prefix[-1] + share)
    starts = range(len(bodies) - win + 1)
    picks = heapq.nlargest(
        _FUZZY_CANDIDATES, starts, key=lambda i: (prefix[i + win] - prefix[i], -i)
    )
    best: tuple[float, int] = (-1.0, 0)
    for i in sorted(picks):
        pairs = zip(search[:win], bodies[i : i + win], strict=True)
        ratio = sum(_line_similarity(a, b) for a, b in pairs) / len(search)
        if ratio > best[0]:
            best = (ratio, i)
    return best[1], win, best[0]


def _no_match_message(
    block: EditBlock, bodies: Sequence[str], search: Sequence[str], evolved: bool
) -> str:
    head = f"Block {block.index} ({block.path}): the SEARCH section does not match the file"
    head += " (as changed by the earlier blocks for it)." if evolved else "."
    region = _closest_region(bodies, search)
    if region is None:
        return head + " The file is empty."
    start, length, ratio = region
    shown = bodies[start : start + min(length, 40)]
    width = len(str(start + len(shown)))
    listing = "\n".join(f"  {start + k + 1:>{width}} | {text}" for k, text in enumerate(shown))
    if length > len(shown):
        listing += f"\n  {'':>{width}} | ... ({length - len(shown)} more lines)"
    out = [
        head,
        f"Closest region: lines {start + 1}-{start + length}, {ratio:.0%} similar:",
        listing,
    ]
    diff = list(
        difflib.unified_diff(
            list(search), list(bodies[start : start + length]), "SEARCH", "file", n=0, lineterm=""
        )
    )[2:]
    if diff:
        out.append("Differences (- SEARCH, + file):")
        out.extend(f"  {d}" for d in diff[:30])
        if len(diff) > 30:
            out.append(f"  ... ({len(diff) - 30} more diff lines)")
    return "\n".join(out)


def format_failures_for_model(error: EditError) -> str:
    """The text to put into the rerun prompt after ``error`` (from parse or apply)."""
    if isinstance(error, EditApplyError):
        body = "\n\n".join(f.message for f in error.failures)
        count = len(error.failures)
        lead = f"{count} of your SEARCH/REPLACE block{'s' if count != 1 else ''} failed"
    else:
        body = str(error)
        lead = "Your SEARCH/REPLACE edits were refused"
    return (
        f"{lead}, so NONE of your edits were applied; the files are unchanged.\n\n"
        f"{body}\n\n"
        "Send the complete set of SEARCH/REPLACE blocks again, including the blocks that did "
        "not fail. Put the file's path on the line before each fence. Copy every SEARCH line "
        "exactly from the current file (indentation, comments, blank lines) and include enough "
        "lines that it matches exactly one place. Use an empty SEARCH only to create a new file, "
        "and only paths inside the repository."
    )

"""`duo-tui triage A.json B.json --json`: match two review files, print the result.

Without `--json` and without a terminal (piped, in CI) `duo-tui triage` prints the
triage as a Markdown table instead of opening the triage screen (`triage_text`).
Kept free of Textual and of every provider SDK so the command starts fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from duo_tui.core.reviews import load_review_file
from duo_tui.core.triage import match_reviews
from duo_tui.errors import DiskFullError, ReviewParseError
from duo_tui.limits import Limits
from duo_tui.safe_text import clean

__all__ = ["triage_json", "triage_sarif_file", "triage_text"]


def triage_json(
    path_a: Path, path_b: Path, out: TextIO, err: TextIO, limits: Limits | None = None
) -> int:
    """Print the DESIGN.md triage JSON for two review files.

    Returns 0 on success; on an unreadable or invalid file prints the reason
    (naming the file and the field) to `err` and returns 2.
    """
    try:
        a = load_review_file(Path(path_a), limits)
        b = load_review_file(Path(path_b), limits)
    except ReviewParseError as exc:
        err.write(f"duo-tui triage: {clean(str(exc))}\n")
        return 2
    result = match_reviews(a, b, limits=limits)
    out.write(json.dumps(result.contract_json()) + "\n")
    return 0


def triage_text(
    path_a: Path, path_b: Path, out: TextIO, err: TextIO, limits: Limits | None = None
) -> int:
    """Print the triage of two review files as Markdown (no terminal to show it in).

    The table is review text: `triage_markdown` makes its controls visible. Returns
    0, or 2 with the reason on `err` for an unreadable or invalid file.
    """
    from duo_tui.core.triage_export import triage_markdown

    try:
        a = load_review_file(Path(path_a), limits)
        b = load_review_file(Path(path_b), limits)
    except ReviewParseError as exc:
        err.write(f"duo-tui triage: {clean(str(exc))}\n")
        return 2
    out.write(triage_markdown(a, b, match_reviews(a, b, limits=limits)))
    return 0


def triage_sarif_file(
    path_a: Path, path_b: Path, target: Path, err: TextIO, limits: Limits | None = None
) -> int:
    """Write the triage of two review files as SARIF 2.1.0 to `target` (atomically).

    Returns 0 and says where it wrote on `err`; 2 with the reason for an unreadable
    or invalid review file, or a target that cannot be written (nothing half-written).
    """
    from duo_tui.core.triage_export import triage_sarif
    from duo_tui.store.atomic import write_atomic
    from duo_tui.store.session_store import redact_obj

    try:
        a = load_review_file(Path(path_a), limits)
        b = load_review_file(Path(path_b), limits)
    except ReviewParseError as exc:
        err.write(f"duo-tui triage: {clean(str(exc))}\n")
        return 2
    # redacted as `duo-tui export` is: a reviewer may have quoted a key it saw
    sarif = redact_obj(triage_sarif(a, b, match_reviews(a, b, limits=limits)))
    try:
        write_atomic(Path(target), json.dumps(sarif, indent=2) + "\n")
    except (OSError, DiskFullError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        err.write(f"duo-tui triage: cannot write {clean(str(target))}: {clean(why)}\n")
        return 2
    err.write(f"wrote {clean(str(target))}\n")
    return 0

"""Read a `duo review v1` file strictly, and (for `duo-tui triage --json`) without pydantic.

`read_review_data` is the first half of the strict loader every caller shares:
a regular file within `[limits] review_file_mb`, UTF-8, at most `json_values`
values and `json_depth` levels of JSON, an object, at most
`findings_per_review` findings. Each refusal raises `ReviewParseError` naming
the file and what to fix. The second half, schema and models, is
`duo_tui.core.reviews.review_from_data` (jsonschema words the errors, pydantic
builds the `Review`).

`plain_review` is the quick path of `duo-tui triage --json` (taken by
`duo_tui.core.review_load.load_plain_review`): pydantic and the models cost
~60 ms of start-up that a 20 x 20 triage need not pay. A document it certifies
(the quick schema check passes, the finding ids are unique, and no string
pydantic reads as `str` holds a lone surrogate, the one thing JSON Schema
accepts and pydantic refuses) becomes a `PlainReview`, plain Python objects
with the fields the matcher reads, the values pydantic would give them. Any
other document goes through the full loader, which then raises the same error
`load_review_file` raises, or accepts it as pydantic models. A test checks the
two paths agree on many random documents. No pydantic, numpy or jsonschema here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from duo_tui.core.review_fastcheck import surely_valid
from duo_tui.errors import ReviewParseError
from duo_tui.limits import (
    DEFAULT_LIMITS,
    InputError,
    Limits,
    json_values,
    loads_json,
    read_regular_file,
)

__all__ = [
    "PlainFinding",
    "PlainReview",
    "check_count",
    "drop_null_optionals",
    "duplicate_ids",
    "plain_review",
    "read_review_data",
]

# Optional fields whose `null` means "not given" (what `Review.model_dump()` writes).
_NULLABLE_REVIEW = ("verdict", "score", "summary")
_NULLABLE_FINDING = ("category", "detail", "suggestion", "confidence")
# The fields pydantic validates as `str` (a lone surrogate in one is refused).
_TEXT_REVIEW = ("reviewer", "verdict", "summary")
_TEXT_FINDING = ("id", "severity", "title", "category", "file", "detail", "suggestion")


def check_count(data: Any, lim: Limits, name: str) -> None:
    """Refuse a review with more findings than `[limits] findings_per_review`."""
    findings = data.get("findings") if isinstance(data, dict) else None
    if isinstance(findings, list) and len(findings) > lim.findings_per_review:
        raise ReviewParseError(
            f"{name}: {len(findings)} findings, more than the limit of "
            f"{lim.findings_per_review} per review ([limits] findings_per_review)"
        )


def drop_null_optionals(data: dict[str, Any]) -> dict[str, Any]:
    """`data` without optional keys set to null; everything else untouched."""
    out = {k: v for k, v in data.items() if not (k in _NULLABLE_REVIEW and v is None)}
    findings = data.get("findings")
    if isinstance(findings, list):
        out["findings"] = [
            {k: v for k, v in f.items() if not (k in _NULLABLE_FINDING and v is None)}
            if isinstance(f, dict)
            else f
            for f in findings
        ]
    return out


def duplicate_ids(data: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(index, index of first use, id) for every finding that repeats an earlier id."""
    seen: dict[str, int] = {}
    out = []
    for k, f in enumerate(data.get("findings") or []):
        fid = f.get("id") if isinstance(f, dict) else None
        if not isinstance(fid, str):
            continue
        if fid in seen:
            out.append((k, seen[fid], fid))
        else:
            seen[fid] = k
    return out


def read_review_data(path: Path, limits: Limits | None = None) -> tuple[dict[str, Any], str]:
    """(the JSON object, its text) of a review file, within the limits; else `ReviewParseError`."""
    lim = limits or DEFAULT_LIMITS
    name = str(path)
    try:
        raw = read_regular_file(Path(path), lim.review_file_bytes, setting="review_file_mb")
        text = raw.decode("utf-8")
        if json_values(raw) > lim.json_values:
            raise InputError(
                f"{name}: more than {lim.json_values} JSON values ([limits] json_values)"
            )
    except InputError as exc:
        raise ReviewParseError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ReviewParseError(f"{name}: cannot read the file: not UTF-8 text ({exc})") from None
    del raw
    try:
        data = loads_json(text, lim.json_depth)
    except InputError as exc:
        raise ReviewParseError(f"{name}: {exc} ([limits] json_depth)") from None
    except json.JSONDecodeError as exc:
        raise ReviewParseError(
            f"{name}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            raw=text,
        ) from exc
    if not isinstance(data, dict):
        raise ReviewParseError(
            f"{name}: expected a JSON object (a duo review v1 document), got {type(data).__name__}",
            raw=text,
        )
    check_count(data, lim, name)
    return data, text


class PlainFinding:
    """The fields of a `Finding` the matcher reads, as pydantic would give them.

    `severity` is the plain string (`Severity` is a `StrEnum`: they compare equal).
    """

    __slots__ = (
        "category",
        "detail",
        "file",
        "id",
        "line_end",
        "line_start",
        "severity",
        "suggestion",
        "title",
    )

    def __init__(self, f: dict[str, Any]) -> None:
        self.id: str = f["id"]
        self.severity: str = f["severity"]
        self.title: str = f["title"]
        self.category: str = f.get("category", "")
        self.file: str | None = f.get("file")
        self.line_start: int | None = f.get("line_start")
        self.line_end: int | None = f.get("line_end")
        self.detail: str = f.get("detail", "")
        self.suggestion: str = f.get("suggestion", "")


class PlainReview:
    """A certified review document: its reviewer and findings (see `plain_review`)."""

    __slots__ = ("findings", "reviewer")

    def __init__(self, reviewer: str, findings: list[PlainFinding]) -> None:
        self.reviewer = reviewer
        self.findings = findings


def _unicode_ok(d: dict[str, Any], fields: tuple[str, ...]) -> bool:
    """No lone surrogate in the keys of `d` nor in its `fields` (pydantic refuses them)."""
    for key in d:
        if not key.isascii() and not _encodes(key):
            return False
    for key in fields:
        v = d.get(key)
        if isinstance(v, str) and not v.isascii() and not _encodes(v):
            return False
    return True


def _encodes(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def plain_review(data: dict[str, Any]) -> PlainReview | None:
    """`data` (nulls already dropped) as a `PlainReview` if it is certainly valid, else None.

    Certainly valid: `load_review_file` would accept it. None means "not sure":
    the full loader decides, and words the error if there is one.
    """
    if not surely_valid(data) or duplicate_ids(data) or not _unicode_ok(data, _TEXT_REVIEW):
        return None
    findings = data["findings"]
    if not all(_unicode_ok(f, _TEXT_FINDING) for f in findings):
        return None
    return PlainReview(data["reviewer"], [PlainFinding(f) for f in findings])

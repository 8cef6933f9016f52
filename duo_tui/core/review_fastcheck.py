"""A quick, conservative check that a document obeys the `duo review v1` schema.

`jsonschema` costs about a fifth of `duo-tui triage`'s start-up to import and
build a validator, yet nearly every review file it sees is valid. This module
answers "certainly valid" for the common case in plain Python; anything it is
not sure about (an error, or an edge it does not model such as `2.0` given for
an integer) goes to the full validator, which then finds the error, or accepts,
and words the message. So it may only say True when `jsonschema` would accept:
it never accepts more than `review_schema.json` does. A test checks the two
agree on many random documents.
"""

from __future__ import annotations

from typing import Any

__all__ = ["surely_valid"]

_SEVERITIES = frozenset(("critical", "high", "medium", "low", "info"))
_VERDICTS = frozenset(("approve", "request_changes", "comment"))
_OPTIONAL_TEXT = ("category", "detail", "suggestion")


def _is_int(value: Any) -> bool:
    # JSON Schema's integer; bool is a separate JSON type. Floats go to jsonschema.
    return type(value) is int


def _is_text(value: Any, non_empty: bool = False) -> bool:
    return isinstance(value, str) and (bool(value) or not non_empty)


def _finding_ok(f: Any) -> bool:
    if not isinstance(f, dict):
        return False
    if not (_is_text(f.get("id"), True) and _is_text(f.get("title"), True)):
        return False
    sev = f.get("severity")
    if not (isinstance(sev, str) and sev in _SEVERITIES):
        return False
    for key in _OPTIONAL_TEXT:
        if key in f and not isinstance(f[key], str):
            return False
    if "file" in f and not (f["file"] is None or isinstance(f["file"], str)):
        return False
    for key in ("line_start", "line_end"):
        if key in f:
            v = f[key]
            if not (v is None or (_is_int(v) and v >= 1)):
                return False
    if "confidence" in f:
        c = f["confidence"]
        # NaN and the infinities fail the comparison and go to jsonschema.
        if not ((_is_int(c) or type(c) is float) and 0 <= c <= 1):
            return False
    return True


def surely_valid(data: Any) -> bool:
    """True only if `data` certainly passes `review_schema.json`; False means "ask jsonschema"."""
    if not isinstance(data, dict):
        return False
    if not _is_text(data.get("reviewer"), True):
        return False
    if "verdict" in data:
        v = data["verdict"]
        if not (isinstance(v, str) and v in _VERDICTS):
            return False
    if "score" in data and not (_is_int(data["score"]) and 1 <= data["score"] <= 10):
        return False
    if "summary" in data and not isinstance(data["summary"], str):
        return False
    findings = data.get("findings")
    if not isinstance(findings, list):
        return False
    return all(_finding_ok(f) for f in findings)

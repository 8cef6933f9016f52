"""Read `duo review v1` documents: forgivingly from a model's answer, strictly from files.

A model's answer is prose, Markdown and JSON mixed, sometimes with broken JSON;
`parse_review_text` digs the review out, repairs what is obviously meant,
normalises the small things models get wrong (severity case, line numbers as
strings, reversed line ranges, repeated ids) and then validates the result
against the schema, so every `Review` it returns is valid. A review file given
to `duo-tui triage` is a contract instead: `load_review_file` accepts it only
if it is valid JSON, follows the schema and has unique finding ids, and
otherwise names the file and the field at fault.

Both raise `ReviewParseError` with a message for a human.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from duo_tui.core.models import VERDICTS, Review, Severity
from duo_tui.core.review_fastcheck import surely_valid
from duo_tui.core.review_file import (
    check_count,
    drop_null_optionals,
    duplicate_ids,
    read_review_data,
)
from duo_tui.core.review_repair import repair_review, repair_review_async
from duo_tui.errors import ReviewParseError
from duo_tui.limits import DEFAULT_LIMITS, Limits, json_depth

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError as SchemaError

__all__ = [
    "REVIEW_SCHEMA",
    "load_review_file",
    "parse_review_reply",
    "parse_review_text",
    "review_from_data",
    "schema_errors",
]

if TYPE_CHECKING:  # pragma: no cover
    #: The `duo review v1` JSON Schema (also handed to providers for structured output),
    #: built from the models by duo_tui.core.review_schema on first use (see __getattr__).
    REVIEW_SCHEMA: dict[str, Any]


@cache
def _review_schema() -> dict[str, Any]:
    from duo_tui.core.review_schema import review_json_schema

    return review_json_schema()


def __getattr__(name: str) -> Any:
    # Built lazily: generating it costs ~15 ms that `duo-tui triage --json` need not pay.
    if name == "REVIEW_SCHEMA":
        return _review_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_SEVERITIES = [s.value for s in Severity]
# Words models use for the five levels; mapped only in the forgiving parser.
_SEVERITY_ALIASES = {
    "blocker": "critical",
    "major": "high",
    "moderate": "medium",
    "minor": "low",
    "informational": "info",
    "information": "info",
    "note": "info",
}
_VERDICTS = VERDICTS
_FENCE_RE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_LINE_FIELDS = ("line_start", "line_end")


# --------------------------------------------------------------------------- schema


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_review_schema())


def _path_str(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(err: SchemaError) -> str:
    """One schema error as `field: what is wrong`."""
    where = _path_str(err.absolute_path)
    validator, expected, value = err.validator, err.validator_value, err.instance
    if validator == "required":
        missing = next((k for k in expected if k not in value), "?")
        field = f"{where}.{missing}" if where else missing
        return f"{field}: required field is missing"
    if validator == "enum":
        what = f"{value!r} is not one of {', '.join(str(v) for v in expected)}"
    elif validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        what = f"{value!r} is not of type {' or '.join(kinds)}"
    elif validator == "minimum":
        what = f"{value!r} is less than the minimum {expected}"
    elif validator == "maximum":
        what = f"{value!r} is more than the maximum {expected}"
    elif validator == "minLength":
        what = "must not be empty"
    else:
        what = err.message
    return f"{where or 'document'}: {what}"


def schema_errors(data: Any) -> list[str]:
    """Every way `data` breaks the `duo review v1` schema, in document order."""
    if surely_valid(data):  # the common case, without importing jsonschema
        return []
    errs = sorted(
        _validator().iter_errors(data),
        key=lambda e: [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in e.path],
    )
    return [_describe(e) for e in errs]


def _to_review(data: dict[str, Any], prefix: str, raw: str) -> Review:
    try:
        return Review.model_validate(data)
    except ValidationError as exc:  # schema passed, so this is rare
        first = exc.errors()[0]
        where = _path_str(first["loc"])
        raise ReviewParseError(f"{prefix}{where}: {first['msg']}", raw=raw) from exc


# --------------------------------------------------------------------------- strict


def load_review_file(path: Path, limits: Limits | None = None) -> Review:
    """Load a review file strictly; errors name the file and the field.

    The one leniency: an optional field set to null (as `Review.model_dump()`
    writes it) counts as absent. `limits` (default `DEFAULT_LIMITS`) bounds the
    file's size, its JSON nesting and its number of findings; only a regular
    file is read.
    """
    data, text = read_review_data(Path(path), limits)
    return review_from_data(data, str(path), text)


def review_from_data(data: dict[str, Any], name: str, text: str) -> Review:
    """A review file's JSON object (from `read_review_data`) as a `Review`, checked strictly.

    Raises `ReviewParseError` naming the file `name` and the field at fault.
    """
    problems = schema_errors(drop_null_optionals(data))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ReviewParseError(f"{name}: {problems[0]}{more}", raw=text)
    dups = duplicate_ids(data)
    if dups:
        k, first, fid = dups[0]
        raise ReviewParseError(
            f"{name}: findings[{k}].id: {fid!r} repeats the id of findings[{first}]; "
            "finding ids must be unique within a review",
            raw=text,
        )
    return _to_review(drop_null_optionals(data), f"{name}: ", text)


# --------------------------------------------------------------------------- forgiving


_OPENING = re.compile(r"[{\[]")
#: Starts that fail to decode before the digging gives up (then the repair is tried):
#: prose with code in it has a few dozen; a reply of nothing but `{` has millions.
_MAX_FAILED_STARTS = 500


def _decode_objects(text: str) -> list[Any]:
    """JSON values that decode cleanly from each `{` / `[` of `text`, outermost first."""
    decoder = json.JSONDecoder()
    out: list[Any] = []
    pos, end = 0, len(text)
    failures = 0
    while pos < end:
        # one regex step to the next start: two `find`s over the rest of the text at
        # each start made a reply of 400 KB of `{` take minutes
        found = _OPENING.search(text, pos)
        if found is None:
            break
        i = found.start()
        try:
            value, stop = decoder.raw_decode(text, i)
        except json.JSONDecodeError:
            # each failure costs O(i) (the error counts the lines before it): bounded
            failures += 1
            if failures > _MAX_FAILED_STARTS:
                break
            pos = i + 1
            continue
        except RecursionError:  # nested beyond any review: nothing further in here is one
            break
        out.append(value)
        pos = stop
    return out


def _looks_like_review(value: Any) -> bool:
    if isinstance(value, dict):
        return "findings" in value or "issues" in value
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


_REPAIRED = "the JSON was damaged and has been repaired"


def _decoded(text: str) -> tuple[Any, list[str]]:
    """The review value that decodes cleanly from a model's answer (None if none does),
    and the chunks a repair would try: its fenced blocks, then the whole answer."""
    fenced = [body for lang, body in _FENCE_RE.findall(text) if lang.lower() in ("json", "")]
    for chunk in [*fenced, text]:
        for value in _decode_objects(chunk):
            if _looks_like_review(value):
                return value, []
    return None, [*fenced, text]


def _extract(text: str) -> tuple[Any, list[str]]:
    """The review value in a model's answer, and notes on what had to be repaired."""
    value, chunks = _decoded(text)
    if value is not None:
        return value, []
    # bounded in time: json_repair is far worse than linear on some replies
    value = repair_review(chunks)
    return (value, [_REPAIRED]) if value is not None else (None, [])


def _as_int(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = value.strip().lstrip("Ll").strip()
        if s == "" or s.lower() in ("null", "none", "n/a"):
            return None
        m = re.fullmatch(r"[+-]?\d+(?:\.0+)?", s)
        if m:
            return int(float(s))
    return value


def _normalise_finding(f: dict[str, Any], k: int, notes: list[str]) -> dict[str, Any]:
    f = dict(f)
    sev = f.get("severity")
    if isinstance(sev, str):
        low = sev.strip().lower()
        f["severity"] = _SEVERITY_ALIASES.get(low, low)
    fid = f.get("id")
    if isinstance(fid, int | float) and not isinstance(fid, bool):
        f["id"] = str(fid)
    elif fid is None or (isinstance(fid, str) and not fid.strip()):
        f["id"] = f"F{k + 1}"
        notes.append(f"findings[{k}] had no id; it is now {f['id']!r}")
    elif isinstance(fid, str):
        f["id"] = fid.strip()
    for key in _LINE_FIELDS:
        if key in f:
            value = _as_int(f[key])
            if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                notes.append(f"findings[{k}].{key} {value} is not a line number; dropped")
                value = None
            f[key] = value
    start, end = f.get("line_start"), f.get("line_end")
    if isinstance(start, int) and isinstance(end, int) and end < start:
        f["line_start"], f["line_end"] = end, start
        notes.append(f"findings[{k}]: line_end was before line_start; swapped")
    for key in ("category", "detail", "suggestion"):
        if f.get(key) is None and key in f:
            f[key] = ""
    if isinstance(f.get("file"), str) and not f["file"].strip():
        f["file"] = None
    conf = f.get("confidence")
    if isinstance(conf, str):
        try:
            f["confidence"] = float(conf.strip().rstrip("%")) / (100 if "%" in conf else 1)
        except ValueError:
            f["confidence"] = None
    return f


def _renumber_duplicates(findings: list[dict[str, Any]], notes: list[str]) -> None:
    used = {f.get("id") for f in findings}
    seen: set[str] = set()
    for k, f in enumerate(findings):
        fid = f.get("id")
        if not isinstance(fid, str):
            continue
        if fid in seen:
            n = 2
            while f"{fid}-{n}" in used:
                n += 1
            f["id"] = f"{fid}-{n}"
            used.add(f["id"])
            notes.append(f"findings[{k}].id {fid!r} was already used; renamed {f['id']!r}")
        seen.add(f["id"])


def _normalise(data: dict[str, Any], reviewer: str, notes: list[str]) -> dict[str, Any]:
    data = dict(data)
    if "findings" not in data and isinstance(data.get("issues"), list):
        data["findings"] = data.pop("issues")
    if not isinstance(data.get("reviewer"), str) or not data["reviewer"].strip():
        data["reviewer"] = reviewer
    verdict = data.get("verdict")
    if isinstance(verdict, str):
        v = re.sub(r"[\s-]+", "_", verdict.strip().lower())
        if v in _VERDICTS:
            data["verdict"] = v
        else:
            notes.append(f"verdict {verdict!r} is not one of {', '.join(_VERDICTS)}; dropped")
            data.pop("verdict")
    elif verdict is None:
        data.pop("verdict", None)
    if "score" in data:
        score = _as_int(data["score"])
        if isinstance(score, float):
            score = round(score)
        if score is None:
            data.pop("score")
        else:
            data["score"] = score
    if data.get("summary") is None:
        data.pop("summary", None)
    findings = data.get("findings")
    if isinstance(findings, list):
        data["findings"] = [
            _normalise_finding(f, k, notes) if isinstance(f, dict) else f
            for k, f in enumerate(findings)
        ]
        _renumber_duplicates(data["findings"], notes)
    return data


def parse_review_text(text: str, reviewer: str, limits: Limits | None = None) -> Review:
    """Parse a model's answer into a valid `Review`, forgiving what can be forgiven.

    Accepts a fenced ```json block, JSON surrounded by prose, and JSON with
    minor damage (repaired). `reviewer` fills a missing reviewer name. What
    had to be fixed is listed in the review's extra field ``parse_notes``.
    `limits` (the session's `[limits]`; default `DEFAULT_LIMITS`) bounds the
    nesting and the number of findings.
    """
    value, notes = _extract(text)
    return _parsed(value, notes, text, reviewer, limits)


async def parse_review_reply(text: str, reviewer: str, limits: Limits | None = None) -> Review:
    """`parse_review_text` for the event loop: a damaged reply is repaired in a child
    that is awaited, and killed at once if the caller is cancelled (a quit)."""
    value, chunks = _decoded(text)
    notes: list[str] = []
    if value is None:
        value = await repair_review_async(chunks)
        notes = [_REPAIRED] if value is not None else []
    return _parsed(value, notes, text, reviewer, limits)


def _parsed(
    value: Any, notes: list[str], text: str, reviewer: str, limits: Limits | None
) -> Review:
    """The `Review` of an extracted value, normalised and checked (ReviewParseError)."""
    if value is None:
        raise ReviewParseError(
            f"review by {reviewer}: no JSON review found in the answer "
            "(expected an object with a 'findings' list)",
            raw=text,
        )
    lim = limits or DEFAULT_LIMITS
    if json_depth(value, lim.json_depth) > lim.json_depth:
        raise ReviewParseError(
            f"review by {reviewer}: the JSON is nested deeper than {lim.json_depth} levels "
            "([limits] json_depth)",
            raw=text,
        )
    if isinstance(value, list):
        value = {"findings": value}
        notes.append("the answer was a bare list of findings")
    check_count(value, lim, f"review by {reviewer}")
    data = drop_null_optionals(_normalise(value, reviewer, notes))
    problems = schema_errors(data)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ReviewParseError(f"review by {reviewer}: {problems[0]}{more}", raw=text)
    review = _to_review(data, f"review by {reviewer}: ", text)
    if notes:
        review.parse_notes = notes  # type: ignore[attr-defined]  # extra field
    return review

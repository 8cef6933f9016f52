"""The quick schema check never accepts what the `duo review v1` schema rejects.

`surely_valid` lets `duo-tui triage` skip importing jsonschema for valid files
(issue 18, speed); jsonschema still words every error. So the check must be
sound (True only where jsonschema finds no error) and useful (True for the
ordinary valid documents), which these tests prove on many random documents.
"""

from __future__ import annotations

import json
import random
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

from duo_tui.core.review_fastcheck import surely_valid
from duo_tui.core.reviews import REVIEW_SCHEMA, schema_errors

_VALIDATOR = Draft202012Validator(REVIEW_SCHEMA)

# Values that probe every rule: types, bool-as-int, floats for integers, bounds, NaN.
_ODD: list[Any] = [
    None, True, False, 0, 1, -1, 2, 10, 11, 1.0, 2.5, 0.0, 1e308, float("nan"),
    float("inf"), float("-inf"), "", "x", "high", "info", "approve", "comment", "HIGH",
    [], {}, ["high"], {"a": 1},
]  # fmt: skip
_FINDING_KEYS = [
    "id", "severity", "title", "category", "file", "line_start", "line_end", "detail",
    "suggestion", "confidence", "extra",
]  # fmt: skip
_REVIEW_KEYS = ["reviewer", "findings", "verdict", "score", "summary", "extra"]


def _valid_finding(rng: random.Random, k: int) -> dict[str, Any]:
    f: dict[str, Any] = {
        "id": f"F{k}",
        "severity": rng.choice(["critical", "high", "medium", "low", "info"]),
        "title": "a title",
    }
    for key, value in (
        ("category", "bug"),
        ("file", rng.choice(["a.py", None])),
        ("line_start", rng.choice([1, 40, None])),
        ("line_end", rng.choice([1, 41, None])),
        ("detail", "why"),
        ("suggestion", ""),
        ("confidence", rng.choice([0, 1, 0.5, 0.0, 1.0])),
    ):
        if rng.random() < 0.6:
            f[key] = value
    return f


def _valid_review(rng: random.Random) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "reviewer": "anthropic/x",
        "findings": [_valid_finding(rng, k) for k in range(rng.randint(0, 4))],
    }
    for key, value in (("verdict", "request_changes"), ("score", rng.randint(1, 10))):
        if rng.random() < 0.5:
            doc[key] = value
    if rng.random() < 0.5:
        doc["summary"] = "fine"
    return doc


def _mutate(rng: random.Random, doc: dict[str, Any]) -> None:
    target: Any = doc
    keys = _REVIEW_KEYS
    listed = doc.get("findings")
    findings = [f for f in listed if isinstance(f, dict)] if isinstance(listed, list) else []
    if findings and rng.random() < 0.7:
        target, keys = rng.choice(findings), _FINDING_KEYS
    elif rng.random() < 0.1:
        doc["findings"] = rng.choice(_ODD)
        return
    key = rng.choice(keys)
    if rng.random() < 0.2:
        target.pop(key, None)
    else:
        target[key] = rng.choice(_ODD)


def test_the_quick_check_never_accepts_what_the_schema_rejects() -> None:
    rng = random.Random(18)
    accepted = rejected = 0
    for _ in range(4000):
        doc = _valid_review(rng)
        for _ in range(rng.randint(0, 3)):
            _mutate(rng, doc)
        if rng.random() < 0.02:
            doc = rng.choice(_ODD)  # not even an object
        schema_ok = not any(True for _ in _VALIDATOR.iter_errors(doc))
        if surely_valid(doc):
            assert schema_ok, json.dumps(doc, default=str)
            accepted += 1
        elif not schema_ok:
            rejected += 1
    # Both sides are exercised: many valid documents skip jsonschema, many invalid ones don't.
    assert accepted > 800 and rejected > 800, (accepted, rejected)


def test_ordinary_valid_reviews_skip_jsonschema() -> None:
    rng = random.Random(3)
    for _ in range(300):
        assert surely_valid(_valid_review(rng))
    example = json.loads(files("duo_tui.core").joinpath("review_example.json").read_text())
    assert surely_valid(example)


def test_schema_errors_still_words_what_the_quick_check_leaves_to_it() -> None:
    doc = {"reviewer": "r", "findings": [{"id": "F1", "severity": "high", "title": "t"}]}
    doc["findings"][0]["line_start"] = 0
    assert not surely_valid(doc)
    assert schema_errors(doc) == ["findings[0].line_start: 0 is less than the minimum 1"]
    # An integer-valued float is an integer to JSON Schema: left to jsonschema, accepted.
    doc["findings"][0]["line_start"] = 3.0
    assert not surely_valid(doc)
    assert schema_errors(doc) == []

"""The quick review reader agrees with the strict loader on every document (issue 18, speed).

`duo-tui triage --json` reads a review file with `load_plain_review`: plain
objects, no pydantic, for a document it can certify; the full loader (JSON
Schema, then pydantic) for anything else. So for any file the two must end
the same way: the same `ReviewParseError` message, or the same findings with
the same field values. Checked on many random valid and broken documents,
including what JSON Schema accepts and pydantic refuses (lone surrogates).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from duo_tui.core.models import Review
from duo_tui.core.review_file import PlainReview
from duo_tui.core.review_load import load_plain_review
from duo_tui.core.reviews import load_review_file
from duo_tui.errors import ReviewParseError

from .test_review_fastcheck import _ODD, _mutate, _valid_review

_FIELDS = ("id", "severity", "title", "category", "file", "line_start", "line_end", "detail")
_FIELDS += ("suggestion",)
_NASTY: list[Any] = ["\ud800", "a\udfffb", "é\x00", "😀", None, 3.0, True, 10**30]


def _outcome(load: Any, path: Path) -> tuple[str, Any]:
    try:
        review = load(path)
    except ReviewParseError as exc:
        return "error", str(exc)
    fields = [tuple(getattr(f, k) for k in _FIELDS) for f in review.findings]
    return "ok", (review.reviewer, fields)


def _nasty_mutation(rng: random.Random, doc: dict[str, Any]) -> None:
    """What the schema's own mutations do not reach: surrogates, duplicates, nulls."""
    findings = doc.get("findings")
    target = doc
    if isinstance(findings, list) and findings and isinstance(findings[0], dict):
        target = rng.choice([f for f in findings if isinstance(f, dict)] or [doc])
    roll = rng.random()
    if roll < 0.3:
        key = rng.choice(["title", "detail", "category", "file", "id", "reviewer", "summary"])
        target[key] = rng.choice(_NASTY)
    elif roll < 0.5:
        target[rng.choice(["\ud800", "x\udc00", "ok_extra"])] = rng.choice(_ODD)
    elif roll < 0.7 and isinstance(findings, list) and len(findings) > 1:
        if isinstance(findings[0], dict) and isinstance(findings[-1], dict):
            findings[-1]["id"] = findings[0].get("id")
    else:
        key = rng.choice(["verdict", "score", "summary", "confidence", "category", "detail"])
        target[key] = None


def test_quick_and_strict_loaders_end_the_same_way(tmp_path: Path) -> None:
    rng = random.Random(18)
    plain = errors = 0
    path = tmp_path / "review.json"
    for _ in range(1500):
        doc = _valid_review(rng)
        for _ in range(rng.randint(0, 2)):
            (_mutate if rng.random() < 0.5 else _nasty_mutation)(rng, doc)
        # lone surrogates need ensure_ascii (the default) to reach the file as \ud800
        path.write_text(json.dumps(doc), encoding="utf-8")
        quick, strict = _outcome(load_plain_review, path), _outcome(load_review_file, path)
        assert quick == strict, json.dumps(doc)
        if quick[0] == "ok" and isinstance(load_plain_review(path), PlainReview):
            plain += 1
        errors += quick[0] == "error"
    # both sides exercised: most valid documents skip pydantic, many documents are refused
    assert plain > 400 and errors > 300, (plain, errors)


def test_a_lone_surrogate_is_refused_as_pydantic_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        '{"reviewer": "r", "findings": [{"id": "F1", "severity": "low", "title": "\\ud800"}]}'
    )
    with pytest.raises(ReviewParseError) as strict:
        load_review_file(path)
    with pytest.raises(ReviewParseError) as quick:
        load_plain_review(path)
    assert str(quick.value) == str(strict.value)
    assert "findings[0].title" in str(quick.value)


def test_plain_findings_carry_what_pydantic_gives(tmp_path: Path) -> None:
    doc = {
        "reviewer": "r",
        "summary": None,
        "findings": [
            {"id": "F1", "severity": "high", "title": "t", "detail": None, "confidence": 1},
            {"id": "F2", "severity": "low", "title": "u", "file": "a.py", "line_start": 3, "x": {}},
        ],
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    plain = load_plain_review(path)
    assert isinstance(plain, PlainReview)
    model = Review.model_validate(
        {
            **doc,
            "summary": "",
            "findings": [
                {k: v for k, v in f.items() if v is not None}
                for f in doc["findings"]  # type: ignore[attr-defined]
            ],
        }
    )
    for p, m in zip(plain.findings, model.findings, strict=True):
        assert [getattr(p, k) for k in _FIELDS] == [getattr(m, k) for k in _FIELDS]
        assert p.severity == m.severity

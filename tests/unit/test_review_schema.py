"""The `duo review v1` schema is built from the pydantic models, and equals the contract."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from duo_tui.core.review_schema import review_json_schema
from duo_tui.core.reviews import REVIEW_SCHEMA

CONTRACT = Path(
    os.environ.get(
        "DUO_REVIEW_CONTRACT",
        Path(__file__).resolve().parents[3] / "shared" / "review-schema.json",
    )
)
EXAMPLE = Path(__file__).resolve().parents[2] / "duo_tui" / "core" / "review_example.json"


@pytest.mark.skipif(not CONTRACT.is_file(), reason=f"no review contract at {CONTRACT}")
def test_generated_schema_equals_the_contract() -> None:
    assert review_json_schema() == json.loads(CONTRACT.read_text(encoding="utf-8"))


def test_review_schema_is_the_generated_one_and_a_fresh_copy() -> None:
    assert review_json_schema() == REVIEW_SCHEMA
    copy = review_json_schema()
    copy["properties"].clear()
    assert REVIEW_SCHEMA["properties"], "callers get their own copy"


def _ok(doc: Any) -> bool:
    return Draft202012Validator(review_json_schema()).is_valid(doc)


def _finding(**over: Any) -> dict[str, Any]:
    return {"id": "F1", "severity": "high", "title": "t", **over}


def test_schema_accepts_the_example_and_extras() -> None:
    assert _ok(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert _ok({"reviewer": "r", "findings": [], "extra": 1})
    assert _ok({"reviewer": "r", "findings": [_finding(file=None, line_start=None, x=1)]})


@pytest.mark.parametrize(
    "doc",
    [
        {"reviewer": "r"},  # findings is required although the model defaults it
        {"reviewer": "", "findings": []},
        {"reviewer": "r", "findings": [], "verdict": "lgtm"},
        {"reviewer": "r", "findings": [], "verdict": None},
        {"reviewer": "r", "findings": [], "score": None},
        {"reviewer": "r", "findings": [], "score": 11},
        {"reviewer": "r", "findings": [_finding(severity="blocker")]},
        {"reviewer": "r", "findings": [_finding(confidence=None)]},
        {"reviewer": "r", "findings": [_finding(confidence=1.5)]},
        {"reviewer": "r", "findings": [_finding(line_start=0)]},
        {"reviewer": "r", "findings": [{"id": "F1", "severity": "low"}]},
    ],
)
def test_schema_rejects_what_the_contract_rejects(doc: dict[str, Any]) -> None:
    assert not _ok(doc)

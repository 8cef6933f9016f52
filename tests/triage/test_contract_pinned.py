"""`duo-tui triage --json` prints byte for byte what it printed before the quick path.

Issue 18 (speed) reads valid review files as plain objects and scores small
inputs in plain Python; the DESIGN.md contract must not move. The expected
output was made by the code before that change (see `contract_cases`).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from duo_tui.core.models import Review
from duo_tui.core.review_file import PlainReview
from duo_tui.core.review_load import load_plain_review
from duo_tui.core.triage import match_reviews
from duo_tui.triage_command import triage_json

from .contract_cases import EXPECTED, cases

CASES = cases()


def _write(tmp: Path, name: str, doc: dict) -> Path:  # type: ignore[type-arg]
    path = tmp / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_every_pinned_case_is_there() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert sorted(expected) == sorted(name for name, _, _ in CASES)
    assert sum('"groups"' in out for out in expected.values()) >= 3  # one-to-many is covered


@pytest.mark.parametrize(("name", "a", "b"), CASES, ids=[c[0] for c in CASES])
def test_triage_json_output_is_unchanged(tmp_path: Path, name: str, a: dict, b: dict) -> None:  # type: ignore[type-arg]
    pa, pb = _write(tmp_path, "a.json", a), _write(tmp_path, "b.json", b)
    out, err = io.StringIO(), io.StringIO()
    assert triage_json(pa, pb, out, err) == 0, err.getvalue()
    assert out.getvalue() == json.loads(EXPECTED.read_text(encoding="utf-8"))[name]
    # the quick path took it: plain objects, not pydantic models
    assert isinstance(load_plain_review(pa), PlainReview)
    # and the library's `match_reviews` (pydantic models) says the same
    result = match_reviews(Review.model_validate(a), Review.model_validate(b))
    assert json.dumps(result.contract_json()) + "\n" == out.getvalue()

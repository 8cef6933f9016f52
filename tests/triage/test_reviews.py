"""Parsing review documents: forgiving for model answers, strict for files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from duo_tui.core.models import Severity
from duo_tui.core.reviews import REVIEW_SCHEMA, load_review_file, parse_review_text
from duo_tui.errors import ReviewParseError

GOOD = {
    "reviewer": "openai/gpt-5.5",
    "verdict": "request_changes",
    "score": 6,
    "summary": "one paragraph",
    "findings": [
        {
            "id": "F1",
            "severity": "critical",
            "category": "concurrency",
            "file": "app/webhooks.py",
            "line_start": 40,
            "line_end": 52,
            "title": "duplicate webhook deliveries are processed twice",
            "detail": "d",
            "suggestion": "s",
        },
        {"id": "F2", "severity": "low", "title": "whole-change remark", "file": None},
    ],
}


def test_schema_is_packaged_and_matches_shared_copy() -> None:
    assert REVIEW_SCHEMA["title"] == "duo review v1"
    shared = Path(__file__).resolve().parents[3] / "shared" / "review-schema.json"
    if shared.exists():
        assert json.loads(shared.read_text()) == REVIEW_SCHEMA


def test_plain_json() -> None:
    r = parse_review_text(json.dumps(GOOD), reviewer="x")
    assert r.reviewer == "openai/gpt-5.5"
    assert [f.id for f in r.findings] == ["F1", "F2"]
    assert r.findings[0].severity is Severity.CRITICAL
    assert not hasattr(r, "parse_notes")


def test_fenced_block_with_prose_around() -> None:
    text = (
        "Here is my review of the change.\n\n```json\n"
        + json.dumps(GOOD, indent=2)
        + "\n```\n\nLet me know if {anything} is unclear."
    )
    r = parse_review_text(text, reviewer="x")
    assert len(r.findings) == 2


def test_prose_without_fence_and_braces_in_prose() -> None:
    text = "Notes {not json}. " + json.dumps(GOOD) + " The end {really}."
    assert parse_review_text(text, reviewer="x").findings[0].id == "F1"


def test_damaged_json_is_repaired() -> None:
    text = (
        '```json\n{"findings": [{"id": "F1", "severity": "High", "title": "race",'
        ' "line_start": "40",}, {"id": "F2", "severity": "low", "title": "nit"'
    )
    r = parse_review_text(text, reviewer="anthropic/claude")
    assert r.reviewer == "anthropic/claude"  # filled in
    assert [f.severity for f in r.findings] == [Severity.HIGH, Severity.LOW]
    assert r.findings[0].line_start == 40
    assert any("repaired" in n for n in r.parse_notes)  # type: ignore[attr-defined]


def test_normalisation() -> None:
    data = {
        "verdict": "Request Changes",
        "score": "7",
        "findings": [
            {"id": "F1", "severity": " MEDIUM ", "title": "t", "line_start": 30, "line_end": 12},
            {"id": 2, "severity": "minor", "title": "u", "line_start": "L5", "confidence": None},
        ],
    }
    r = parse_review_text(json.dumps(data), reviewer="m")
    f1, f2 = r.findings
    assert (f1.severity, f1.line_start, f1.line_end) == (Severity.MEDIUM, 12, 30)
    assert (f2.id, f2.severity, f2.line_start, f2.confidence) == ("2", Severity.LOW, 5, None)
    assert r.verdict == "request_changes" and r.score == 7


def test_duplicate_ids_renumbered_deterministically() -> None:
    data = {
        "findings": [
            {"id": "F1", "severity": "low", "title": "a"},
            {"id": "F1", "severity": "low", "title": "b"},
            {"id": "F1-2", "severity": "low", "title": "c"},
            {"id": "F1", "severity": "low", "title": "d"},
        ]
    }
    ids = [f.id for f in parse_review_text(json.dumps(data), reviewer="m").findings]
    assert len(set(ids)) == 4
    assert ids == [f.id for f in parse_review_text(json.dumps(data), reviewer="m").findings]
    notes = parse_review_text(json.dumps(data), reviewer="m").parse_notes  # type: ignore[attr-defined]
    assert any("already used" in n for n in notes)


def test_bare_list_of_findings() -> None:
    r = parse_review_text(json.dumps(GOOD["findings"]), reviewer="m")
    assert r.reviewer == "m" and len(r.findings) == 2


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("I found no problems worth mentioning.", "no JSON review found"),
        (
            '{"findings": [{"id": "F1", "severity": "urgent", "title": "t"}]}',
            "findings[0].severity: 'urgent' is not one of critical, high, medium, low, info",
        ),
        ('{"findings": [{"id": "F1", "severity": "low"}]}', "findings[0].title"),
        (
            '{"findings": [{"id": "F1", "severity": "low", "title": "t"},'
            ' {"id": "F2", "severity": "low", "title": "t", "line_start": "soon"}]}',
            "findings[1].line_start",
        ),
    ],
)
def test_model_output_errors_name_the_field(text: str, needle: str) -> None:
    with pytest.raises(ReviewParseError) as err:
        parse_review_text(text, reviewer="m")
    assert needle in str(err.value)
    assert "review by m" in str(err.value)
    assert err.value.raw == text


# ----------------------------------------------------------------------------- files


def write(tmp_path: Path, name: str, data: object) -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return p


def test_load_good_file(tmp_path: Path) -> None:
    r = load_review_file(write(tmp_path, "a.json", GOOD))
    assert r.finding("F2") is not None and r.finding("F2").file is None  # type: ignore[union-attr]


def test_load_reports_file_and_field(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(GOOD))
    bad["findings"].append({"id": "F3", "severity": "urgent", "title": "t"})
    p = write(tmp_path, "b.json", bad)
    with pytest.raises(ReviewParseError) as err:
        load_review_file(p)
    assert str(err.value) == (
        f"{p}: findings[2].severity: 'urgent' is not one of critical, high, medium, low, info"
    )


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"findings": []}, "reviewer: required field is missing"),
        ({"reviewer": "r"}, "findings: required field is missing"),
        (
            {"reviewer": "r", "findings": [{"id": "F1", "severity": "High", "title": "t"}]},
            "findings[0].severity",  # strict: no case folding for files
        ),
        (
            {
                "reviewer": "r",
                "findings": [{"id": "F1", "severity": "low", "title": "t", "line_start": 0}],
            },
            "findings[0].line_start: 0 is less than the minimum 1",
        ),
        ({"reviewer": "r", "findings": [], "score": 11}, "score: 11 is more than the maximum 10"),
    ],
)
def test_load_strict_errors(tmp_path: Path, content: object, needle: str) -> None:
    p = write(tmp_path, "b.json", content)
    with pytest.raises(ReviewParseError) as err:
        load_review_file(p)
    assert str(err.value).startswith(f"{p}: ")
    assert needle in str(err.value)


def test_load_duplicate_ids_is_an_error(tmp_path: Path) -> None:
    data = json.loads(json.dumps(GOOD))
    data["findings"][1]["id"] = "F1"
    p = write(tmp_path, "dup.json", data)
    with pytest.raises(ReviewParseError, match=r"findings\[1\]\.id: 'F1' repeats"):
        load_review_file(p)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReviewParseError, match="cannot read"):
        load_review_file(tmp_path / "nope.json")


def test_load_accepts_model_dump_with_nulls(tmp_path: Path) -> None:
    """Files written from `Review.model_dump()` carry nulls for optional fields."""
    r = parse_review_text(json.dumps(GOOD), reviewer="x")
    p = write(tmp_path, "dumped.json", r.model_dump(mode="json"))
    assert load_review_file(p) == r

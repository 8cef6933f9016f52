"""Usual CLI mistakes get a named error before anything runs, never silence or a late failure."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.core.reviews import load_review_file
from duo_tui.core.triage import match_reviews
from duo_tui.core.triage_export import triage_markdown

EXAMPLE = Path(__file__).resolve().parents[2] / "duo_tui" / "core" / "review_example.json"


def test_triage_example_with_files_says_it_takes_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "--example", "extra.json"]) == 2
    assert "--example takes no review files" in capsys.readouterr().err


def test_triage_out_without_the_screen_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "decisions.json"
    for extra in ([], ["--json"]):  # pytest's stdin is no terminal; --json has no screen either
        assert main(["triage", str(EXAMPLE), str(EXAMPLE), "--out", str(out), *extra]) == 2
        assert "--out saves the decisions" in capsys.readouterr().err
    assert not out.exists()


def test_eval_json_into_a_missing_or_closed_folder_fails_before_any_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope" / "report.json"
    assert main(["eval", "--demo", "--json", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "review" not in err.split("does not exist")[0].lower()
    if os.geteuid() == 0:
        return  # root writes anywhere: the closed-folder case cannot be shown
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o500)
    assert main(["eval", "--demo", "--json", str(closed / "r.json")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_the_markdown_triage_says_one_finding_not_one_findings() -> None:
    review = load_review_file(EXAMPLE)
    one = review.model_copy(update={"findings": review.findings[:1]})
    text = triage_markdown(one, one, match_reviews(one, one))
    assert "(1 finding)" in text and "(1 findings)" not in text
    assert json.loads(EXAMPLE.read_text())["findings"]  # the example has findings to cut

"""A session obeys the configured `[limits]` when it reads model reviews (issue 16).

`duo-tui triage` honoured `[limits]`, but inside a session the reviewers'
replies were parsed, and their findings matched, with the defaults. Each
test runs a session whose configuration sets a limit smaller than the default
and checks the session applies it (the same replies pass under the defaults).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from duo_tui.config import Config
from duo_tui.core import triage
from duo_tui.limits import Limits
from tests.core.helpers import (
    EXECUTOR,
    PLANNER,
    STACKING,
    config,
    finding,
    make_script,
    review,
    run_auto,
)

THREE = [
    STACKING,
    finding("F2", "low", "typo in a docstring"),
    finding("F3", "low", "unused import"),
]


def _deep(reviewer: str) -> str:
    """A review nested 6 deep (a finding's extra field): over a json_depth of 4."""
    doc = json.loads(review(reviewer, [STACKING]))
    doc["findings"][0]["extra"] = {"a": {"b": {"c": [1]}}}
    return json.dumps(doc)


def _errors(cfg: Config, repo: Path, reviews: dict[Any, Any]) -> str:
    run = run_auto(repo, make_script(reviews), config=cfg)
    return " ".join(run.report["errors"])


@pytest.mark.parametrize("smaller", [True, False])
def test_findings_per_review_is_obeyed_in_a_session(demo_repo: Path, smaller: bool) -> None:
    cfg = config()
    if smaller:
        cfg.limits.findings_per_review = 2
    reviews = {("review", PLANNER): review(PLANNER, THREE), ("review", EXECUTOR): review(EXECUTOR)}
    errors = _errors(cfg, demo_repo, reviews)
    refused = "3 findings, more than the limit of 2 per review ([limits] findings_per_review)"
    assert (refused in errors) is smaller, errors


@pytest.mark.parametrize("smaller", [True, False])
def test_json_depth_is_obeyed_in_a_session(demo_repo: Path, smaller: bool) -> None:
    cfg = config()
    if smaller:
        cfg.limits.json_depth = 4
    reviews = {("review", PLANNER): _deep(PLANNER), ("review", EXECUTOR): review(EXECUTOR)}
    errors = _errors(cfg, demo_repo, reviews)
    refused = "nested deeper than 4 levels ([limits] json_depth)"
    assert (refused in errors) is smaller, errors


def test_the_session_matches_findings_within_the_configured_term_chars(
    demo_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Limits | None] = []
    real = triage.match_reviews

    def spy(*args: Any, limits: Limits | None = None, **kw: Any) -> Any:
        seen.append(limits)
        return real(*args, limits=limits, **kw)

    monkeypatch.setattr(triage, "match_reviews", spy)
    cfg = config()
    cfg.limits.term_chars = 16
    reviews = {
        ("review", PLANNER): [review(PLANNER, [STACKING]), review(PLANNER)],
        ("review", EXECUTOR): [review(EXECUTOR, [STACKING]), review(EXECUTOR)],
    }
    run = run_auto(demo_repo, make_script(reviews), config=cfg)
    assert run.report["committed"], run.report
    assert seen and all(lim is not None and lim.term_chars == 16 for lim in seen), seen

"""Scoring on a hand-built case where the right answer is known."""

from __future__ import annotations

import asyncio
from pathlib import Path

from duo_tui.core.models import Review
from duo_tui.eval.results import build_report
from duo_tui.eval.runner import run_reviews
from duo_tui.eval.scoring import match_case, score_pair
from duo_tui.eval.suite import load_suite
from tests.eval.helpers import BOGUS, FLOAT, SQLI, Reviewers, finding, write_case


def _review(name: str, findings: list[dict]) -> Review:
    return Review.model_validate({"reviewer": name, "findings": findings})


def test_match_and_pair_on_a_known_case(tmp_path: Path) -> None:
    write_case(tmp_path)
    case = load_suite(tmp_path).cases[0]
    a = _review("a", [finding("A1", "critical", 5, SQLI), finding("A2", "low", 4, BOGUS)])
    b = _review("b", [finding("B1", "high", 5, SQLI), finding("B2", "high", 11, FLOAT)])
    ma, mb = match_case(case, a), match_case(case, b)
    assert ma.hits == {"A1": "K1"}
    assert ma.false_alarms == ["A2"]
    assert mb.hits == {"B1": "K1", "B2": "K2"}
    ps = score_pair(a, b, ma, mb)
    assert ps.agreed_pairs == [("A1", "B1")]
    assert (ps.agreed, ps.agreed_hits) == (1, 1)
    assert (ps.single, ps.single_hits) == (2, 1)  # A2 (false alarm), B2 (K2)
    assert ps.found == {"K1", "K2"}
    assert ps.only_b == {"K2"} and ps.only_a == set()


def test_report_numbers_match_the_arithmetic(tmp_path: Path) -> None:
    write_case(tmp_path, "case-a")
    write_case(tmp_path, "case-b")
    clean = write_case(tmp_path, "clean")
    (clean / "case.toml").write_text('title = "Add a user lookup, cleanly"\n')
    suite = load_suite(tmp_path)
    sqli, flt, bogus = (
        finding("F1", "critical", 5, SQLI),
        finding("F2", "high", 11, FLOAT),
        finding("F3", "low", 4, BOGUS),
    )
    reviewers = Reviewers(
        suite,
        {
            ("x/a", "case-a"): [sqli, bogus],
            ("x/a", "case-b"): [sqli],
            ("x/b", "case-a"): [sqli, flt],
            ("x/b", "case-b"): [],
            ("x/b", "clean"): [bogus],
        },
        cost=0.02,
    )
    run = asyncio.run(run_reviews(suite, ["x/a", "x/b"], reviewers))
    report = build_report(suite, ["x/a", "x/b"], run)
    a, b, pair = report.configs
    # 4 known issues over the two seeded cases
    assert (a.found, a.issues, a.hits, a.findings) == (2, 4, 2, 3)
    assert (b.found, b.issues, b.hits, b.findings) == (2, 4, 2, 3)
    assert b.clean_false_alarms == 1
    # the pair: case-a agrees on the injection, a's bogus and b's float are single;
    # case-b: a's injection single; clean: b's bogus single
    assert (pair.found, pair.issues) == (3, 4)
    assert (pair.agreed, pair.agreed_hits) == (1, 1)
    assert (pair.single, pair.single_hits) == (4, 2)
    assert pair.recall == 0.75 and pair.precision == 0.6
    assert pair.agreed_precision == 1.0 and pair.single_precision == 0.5
    assert round(pair.cost_usd, 6) == 0.12 and round(a.cost_usd, 6) == 0.06
    assert pair.input_tokens == 6000 and pair.output_tokens == 600
    detail = {d.case: d for d in pair.detail}
    assert detail["case-a"].only_b == ["K2"] and detail["case-b"].only_a == ["K1"]
    # the matches are in the report for a human to check
    entry = next(r for r in report.reviews if r["model"] == "x/b" and r["case"] == "case-a")
    assert [(f["id"], f["matches"]) for f in entry["findings"]] == [("F1", "K1"), ("F2", "K2")]

"""No module of the package, the benchmarks or the tests is over the house's hard cap of
600 lines (issue #20; aim for under 500: put new logic in a new, well-named module, and
split a test module along the jobs of the code it tests)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HARD_CAP = 600


def test_no_module_is_over_the_hard_cap() -> None:
    over = {
        str(p.relative_to(ROOT)): n
        for tree in ("duo_tui", "benchmarks", "tests")
        for p in sorted((ROOT / tree).rglob("*.py"))
        if "builtin" not in p.relative_to(ROOT).parts  # the eval suite's case data
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > HARD_CAP
    }
    assert over == {}

"""Oversized model output inside a session: a stage error, never a slow commit or gigabytes (issue 16).

- An executor's edit over `[limits] edit_mb` (the attack was a 50 MB edit,
  committed after 133 s with 250 MB of `.duo`): the stage fails naming the
  block and the limit, nothing is applied or committed.
- A reviewer's finding holding one huge word (the attack: a 10 MB word took
  2.5 GB and 104 s): parsed and matched in bounded memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from duo_tui.config import Config
from duo_tui.core.edits import parse_edits
from duo_tui.core.reviews import parse_review_text
from duo_tui.errors import EditError, ReviewParseError
from duo_tui.limits import check_edit_sizes
from tests.core.helpers import config, make_script, run_auto

BIG = 1_200_000  # over the 1 MB default, under the 2 MB reply limit


def _big_edit(path: str = "shop/huge.py") -> str:
    body = "x = 1\n" * (BIG // 6)
    return f"{path}\n```python\n<<<<<<< SEARCH\n=======\n{body}>>>>>>> REPLACE\n```\n"


def test_an_edit_over_the_limit_fails_the_stage_and_is_not_applied(demo_repo: Path) -> None:
    script = make_script({"execute": [_big_edit()] * 4})
    run = run_auto(demo_repo, script)
    assert run.report["committed"] is False
    errors = " ".join(run.report["errors"])
    assert "edit block 1 (shop/huge.py) is 1.2 MB, over the limit of 1 MB" in errors
    assert "[limits] edit_mb" in errors
    worktree = Path(run.ws.session.worktree or "")
    assert worktree.is_dir() and not (worktree / "shop" / "huge.py").exists()


def test_the_edit_limit_is_configurable(demo_repo: Path) -> None:
    cfg: Config = config()
    cfg.limits.edit_mb = 2.0
    blocks = parse_edits(_big_edit()).blocks
    check_edit_sizes(blocks, cfg.limits.to_limits().edit_bytes)  # no error under 2 MB
    with pytest.raises(EditError, match=r"over the limit of 0\.5 MB"):
        check_edit_sizes(blocks, 500_000)


_MATCH_SCRIPT = r"""
import json, resource, sys, time
from duo_tui.core.reviews import parse_review_text
from duo_tui.core.triage import match_reviews
word = "cachekey" * (int(sys.argv[1]) // 8)
doc = {"findings": [
    {"id": "F1", "severity": "high", "title": "cache key collides " + word},
    {"id": "F2", "severity": "low", "title": "typo in the docstring"},
]}
start = time.time()
a = parse_review_text("Here is my review:\n```json\n" + json.dumps(doc) + "\n```", "x/a")
b = parse_review_text(json.dumps({"findings": [
    {"id": "B1", "severity": "high", "title": "the cache key collides for two users"}]}), "x/b")
res = match_reviews(a, b)
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across execve, so a child of a big
# pytest process would report the parent's peak (seen: 1083 MB in a full run).
peak = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"pairs": [[p.a, p.b] for p in res.pairs], "peak": peak,
                  "s": time.time() - start}))
"""


def test_a_huge_word_in_a_model_review_is_matched_in_bounded_memory() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "OPENBLAS_NUM_THREADS": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-c", _MATCH_SCRIPT, str(1_900_000)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["pairs"] == [["F1", "B1"]]
    assert out["peak"] / 1e6 < 300, f"peak RSS {out['peak'] / 1e6:.0f} MB"
    assert out["s"] < 20


@pytest.mark.parametrize(
    "answer",
    ["[" * 100_000, '{"findings": ' + "[" * 5000 + "]" * 5000 + "}"],
    ids=["bare-brackets", "deep-findings"],
)
def test_a_deeply_nested_model_review_is_a_parse_error(answer: str) -> None:
    """It was a RecursionError escaping the review stage (the stage catches DuoError only)."""
    with pytest.raises(ReviewParseError):
        parse_review_text(answer, "x/y")


def test_nesting_over_the_limit_in_a_model_review_is_refused() -> None:
    doc = {"findings": [], "x": json.loads("[" * 100 + "]" * 100)}
    with pytest.raises(ReviewParseError, match="nested deeper than 64 levels"):
        parse_review_text(json.dumps(doc), "x/y")


def test_more_findings_than_the_limit_in_a_model_review_are_refused() -> None:
    findings = [{"id": f"F{k}", "severity": "low", "title": "t"} for k in range(5001)]
    with pytest.raises(ReviewParseError, match="5001 findings, more than the limit of 5000"):
        parse_review_text(json.dumps({"findings": findings}), "x/y")

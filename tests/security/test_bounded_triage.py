"""`duo-tui triage` on hostile review files: a clear error or a bounded run, never a crash (issue 16).

Each case was a traceback, a hang or gigabytes of memory before the limits:
a JSON file nested 100,000 deep, a finding holding one 5 MB word, more
findings than anyone reviews, a FIFO or /dev/zero given as a file.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.bounded import duo, finding, write_review

GOOD = [finding(1, "token refresh races with logout", file="auth.py", line_start=10)]


def _words(rng: random.Random, n: int) -> str:
    vocab = [f"{s}{t}" for s in ("cache", "lock", "token", "auth", "queue") for t in "abcdefgh"]
    return " ".join(rng.choice(vocab) for _ in range(n))


def test_json_nested_100000_deep_is_a_clear_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"reviewer": "x", "findings": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    good = write_review(tmp_path / "good.json", GOOD)
    run = duo("triage", deep, good, "--json")
    assert run.rc == 2, run.err
    assert "deep.json: JSON nested deeper than 64 levels" in run.err
    assert "Traceback" not in run.err


def test_nesting_within_the_decoder_but_over_the_limit_is_refused(tmp_path: Path) -> None:
    doc = '{"reviewer": "x", "findings": [], "x": ' + "[" * 500 + "]" * 500 + "}"
    (tmp_path / "d.json").write_text(doc)
    run = duo("triage", tmp_path / "d.json", tmp_path / "d.json", "--json")
    assert run.rc == 2 and "[limits] json_depth" in run.err, run.err


def test_a_five_megabyte_word_is_matched_in_bounded_memory(tmp_path: Path) -> None:
    big = [finding(2, "cache eviction " + "x" * 5_000_000), *GOOD]
    a = write_review(tmp_path / "a.json", big)
    b = write_review(tmp_path / "b.json", [finding(7, "cache eviction is wrong"), *GOOD])
    run = duo("triage", a, b, "--json")
    assert run.rc == 0, run.err[-2000:]
    result = json.loads(run.out)
    assert {"a": "F1", "b": "F1", "kind": "agree"} in result["pairs"]
    assert {"a": "F2", "b": "F7", "kind": "agree"} in result["pairs"]
    assert run.peak_mb < 300, f"peak RSS {run.peak_mb:.0f} MB"


def test_more_findings_than_the_limit_are_refused(tmp_path: Path) -> None:
    many = [finding(k, f"problem {k}") for k in range(5001)]
    a = write_review(tmp_path / "a.json", many)
    run = duo("triage", a, a, "--json", timeout=120)
    assert run.rc == 2, run.err[-2000:]
    assert "a.json: 5001 findings, more than the limit of 5000" in run.err
    assert "[limits] findings_per_review" in run.err


def test_findings_limit_is_configurable(tmp_path: Path) -> None:
    a = write_review(tmp_path / "a.json", [finding(k, f"problem {k}") for k in range(3)])
    cfg = tmp_path / "c.toml"
    cfg.write_text("[limits]\nfindings_per_review = 2\n")
    run = duo("triage", "--config", cfg, a, a, "--json")
    assert run.rc == 2 and "3 findings, more than the limit of 2" in run.err, run.err


def test_review_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    a = write_review(tmp_path / "a.json", [finding(1, "t", detail="y" * 300_000)])
    cfg = tmp_path / "c.toml"
    cfg.write_text("[limits]\nreview_file_mb = 0.1\n")
    run = duo("triage", "--config", cfg, a, a, "--json")
    assert run.rc == 2, run.err
    assert "over the limit of 0.1 MB ([limits] review_file_mb)" in run.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "review.json"
    os.mkfifo(fifo)
    good = write_review(tmp_path / "good.json", GOOD)
    run = duo("triage", fifo, good, "--json", timeout=30)
    assert run.rc == 2
    assert "review.json: not a regular file" in run.err


def test_dev_zero_is_refused(tmp_path: Path) -> None:
    good = write_review(tmp_path / "good.json", GOOD)
    run = duo("triage", good, "/dev/zero", "--json", timeout=30)
    assert run.rc == 2
    assert "/dev/zero: not a regular file" in run.err


def test_millions_of_tiny_values_are_refused_before_parsing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text(
        '{"reviewer": "x", "findings": [], "j": [' + ",".join(["{}"] * 3_000_000) + "]}"
    )
    run = duo("triage", junk, junk, "--json")
    assert run.rc == 2, run.err[-2000:]
    assert "[limits] json_values" in run.err
    assert run.peak_mb < 300, f"peak RSS {run.peak_mb:.0f} MB"


def test_five_thousand_findings_per_side_stay_under_300_mb(tmp_path: Path) -> None:
    """The largest input the limits accept, with realistic findings: bounded memory."""
    rng = random.Random(5)
    files = [f"src/m{k}.py" for k in range(40)]

    def review(name: str) -> Path:
        items = [
            finding(
                k,
                _words(rng, 8),
                detail=_words(rng, 30),
                file=rng.choice(files),
                line_start=rng.randrange(1, 400),
            )
            for k in range(5000)
        ]
        return write_review(tmp_path / name, items)

    run = duo("triage", review("a.json"), review("b.json"), "--json", timeout=300)
    assert run.rc == 0, run.err[-2000:]
    result = json.loads(run.out)
    ids = [p["a"] for p in result["pairs"]] + result["only_a"]
    assert sorted(ids) == sorted(f"F{k}" for k in range(5000))
    assert run.peak_mb < 300, f"peak RSS {run.peak_mb:.0f} MB"


def test_sparse_path_with_an_identifier_only_last_finding(tmp_path: Path) -> None:
    """A last finding whose only terms are code identifiers has no n-grams (was an IndexError)."""
    rng = random.Random(1)
    vocab = ["".join(rng.choices("abcdefghijklmnop", k=6)) for _ in range(3000)]
    items = [
        finding(k, " ".join(rng.choices(vocab, k=8)), detail=" ".join(rng.choices(vocab, k=30)))
        for k in range(999)
    ]
    items.append(finding(999, "x_1 y_2.z_3"))
    a = write_review(tmp_path / "a.json", items)
    run = duo("triage", a, a, "--json", timeout=300)
    assert run.rc == 0, run.err[-2000:]
    assert {"a": "F999", "b": "F999", "kind": "agree"} in json.loads(run.out)["pairs"]


def test_findings_sharing_many_identifiers_are_matched_in_seconds(tmp_path: Path) -> None:
    """5,000 findings a side naming the same 20 identifiers: the identifier overlap of every
    pair was a Python loop over pairs (minutes); it is one matrix product."""
    code = (
        "import numpy as np, time\n"
        "from duo_tui.core.triage_features import jaccard_table\n"
        "ids = frozenset(f'mod_{k}.get_{k}' for k in range(20))\n"
        "sets = [ids] * 5000\n"
        "start = time.time()\n"
        "for lo in range(0, 5000, 50):\n"
        "    t = jaccard_table(sets[lo:lo + 50], sets)\n"
        "    assert t.shape == (50, 5000) and (t == 1.0).all()\n"
        "print(round(time.time() - start, 1))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_largest_accepted_file_of_random_words_stays_under_300_mb(tmp_path: Path) -> None:
    """Just under 20 MB: 5,000 findings of 400 distinct random words each (the worst case
    for the vocabulary), matched against itself in bounded memory."""
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    items = []
    for k in range(5000):
        words = " ".join("".join(rng.choices(letters, k=7)) for _ in range(400))
        items.append(finding(k, words[:100], detail=words, category=words[:300]))
    a = write_review(tmp_path / "a.json", items)
    assert 15_000_000 < a.stat().st_size < 20_000_000
    run = duo("triage", a, a, "--json", timeout=400)
    assert run.rc == 0, run.err[-2000:]
    assert len(json.loads(run.out)["pairs"]) == 5000
    assert run.peak_mb < 300, f"peak RSS {run.peak_mb:.0f} MB"

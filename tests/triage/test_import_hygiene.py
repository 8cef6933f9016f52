"""The triage core must not pull in Textual or any provider SDK."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("textual", "anthropic", "openai", "litellm")


def test_triage_modules_import_no_ui_or_sdk() -> None:
    code = (
        "import sys, io, json, pathlib, tempfile\n"
        "import duo_tui.core.triage, duo_tui.core.reviews, duo_tui.core.triage_export\n"
        "import duo_tui.triage_command\n"
        "d = pathlib.Path(tempfile.mkdtemp())\n"
        "doc = {'reviewer': 'r', 'findings': [{'id': 'F1', 'severity': 'low', 'title': 't'}]}\n"
        "(d / 'a.json').write_text(json.dumps(doc))\n"
        "rc = duo_tui.triage_command.triage_json(d / 'a.json', d / 'a.json', io.StringIO(), "
        "io.StringIO())\n"
        "assert rc == 0\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(','.join(sorted(bad)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "", proc.stdout


def test_large_inputs_match_without_scipy() -> None:
    """Issue 18: scipy (143 MB, ~0.35 s to import) is gone; large inputs use numpy alone."""
    code = (
        "import random, sys\n"
        "from duo_tui.core.models import Finding, Review\n"
        "from duo_tui.core import triage\n"
        "rng = random.Random(5)\n"
        "words = [f'w{k}x{k * 7 % 13}' for k in range(6000)]\n"
        "def text(): return ' '.join(rng.choices(words, k=40))\n"
        "fa = [Finding(id=f'A{i}', severity='low', title=text(), detail=text()) for i in range(700)]\n"
        "fb = [f.model_copy(update={'id': f'B{i}'}) for i, f in enumerate(fa)]\n"
        "res = triage.match_reviews(Review(reviewer='a', findings=fa), Review(reviewer='b', findings=fb))\n"
        "assert len(res.pairs) == 700, len(res.pairs)\n"
        "scorer = triage._PairScorer(fa, fb, 200)\n"
        "assert scorer.mx.sparse, 'the test must exercise the sparse path'\n"
        "print('scipy' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert proc.stdout.strip() == "False", proc.stdout

"""The triage core must not pull in Textual or any provider SDK."""

from __future__ import annotations

import json
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


def test_the_triage_json_command_imports_no_ui_sdk_or_slow_validator(tmp_path) -> None:
    """Issue 18 speed: the whole `duo-tui triage A B --json` path, as the CLI runs it.

    No Textual, no provider SDK; no asyncio (the CLI imports it only for the
    commands that run an event loop) and no jsonschema (valid reviews pass the
    quick check; jsonschema is imported only to word an error).
    """
    doc = {
        "reviewer": "r",
        "findings": [
            {"id": "F1", "severity": "low", "title": "race in `cache.put`", "file": "a.py"},
            {"id": "F2", "severity": "high", "title": "sql injection", "line_start": 3},
        ],
    }
    (tmp_path / "a.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(doc), encoding="utf-8")
    slow = (*FORBIDDEN, "asyncio", "jsonschema")
    code = (
        "import contextlib, io, sys\n"
        "from duo_tui.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    rc = main(['triage', 'a.json', 'b.json', '--json'])\n"
        "assert rc == 0 and '\"pairs\"' in out.getvalue(), (rc, out.getvalue())\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {slow!r}]\n"
        "print(','.join(sorted(bad)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.stdout.strip() == "", proc.stdout

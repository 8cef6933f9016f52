"""The triage core must not pull in Textual or any provider SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
        "from duo_tui.core import triage, triage_scorer\n"
        "rng = random.Random(5)\n"
        "words = [f'w{k}x{k * 7 % 13}' for k in range(6000)]\n"
        "def text(): return ' '.join(rng.choices(words, k=40))\n"
        "fa = [Finding(id=f'A{i}', severity='low', title=text(), detail=text()) for i in range(700)]\n"
        "fb = [f.model_copy(update={'id': f'B{i}'}) for i, f in enumerate(fa)]\n"
        "res = triage.match_reviews(Review(reviewer='a', findings=fa), Review(reviewer='b', findings=fb))\n"
        "assert len(res.pairs) == 700, len(res.pairs)\n"
        "scorer = triage_scorer.PairScorer(fa, fb, 200)\n"
        "assert scorer.mx.sparse, 'the test must exercise the sparse path'\n"
        "print('scipy' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert proc.stdout.strip() == "False", proc.stdout


def test_the_triage_json_command_imports_no_ui_sdk_or_slow_validator(tmp_path: Path) -> None:
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


def _triage_in_subprocess(
    tmp_path: Path, na: int, nb: int, *args: str, config: str | None = None
) -> tuple[int, str, list[str]]:
    """(exit code, stderr, heavy modules loaded) of `duo-tui triage a.json b.json --json ARGS`."""
    from .contract_cases import random_pair

    a, b = random_pair(11, na, nb)
    (tmp_path / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(b), encoding="utf-8")
    user = tmp_path / "user-config"  # no per-user configuration but the one given
    user.mkdir(exist_ok=True)
    if config is not None:
        (tmp_path / "c.toml").write_text(config, encoding="utf-8")
        args = ("--config", "c.toml", *args)
    heavy = (
        "pydantic",
        "pydantic_core",
        "numpy",
        "jsonschema",
        "duo_tui.config",
        "duo_tui.core.models",
    )
    code = (
        "import contextlib, io, sys\n"
        "from duo_tui.cli import main\n"
        "out, err = io.StringIO(), io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n"
        f"    rc = main(['triage', 'a.json', 'b.json', '--json', *{list(args)!r}])\n"
        "assert rc != 0 or '\"pairs\"' in out.getvalue(), out.getvalue()\n"
        f"print(rc, ','.join(m for m in {heavy!r} if m in sys.modules))\n"
        "print(err.getvalue())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "DUO_TUI_CONFIG_DIR": str(user)},
    )
    first, _, err = proc.stdout.partition("\n")
    rc, _, loaded = first.partition(" ")
    return int(rc), err, [m for m in loaded.split(",") if m]


def test_a_typical_triage_json_imports_neither_pydantic_nor_numpy(tmp_path: Path) -> None:
    """Issue 18: 20 x 20 findings within 150 ms, start-up included: pydantic and the models
    (~60 ms), numpy (~40 ms) and the configuration models are not imported at all."""
    rc, err, loaded = _triage_in_subprocess(tmp_path, 20, 20)
    assert rc == 0 and loaded == [], (err, loaded)


def test_a_limits_only_configuration_keeps_the_quick_path(tmp_path: Path) -> None:
    rc, err, loaded = _triage_in_subprocess(
        tmp_path, 3, 3, config="[limits]\nfindings_per_review = 2\n"
    )
    assert rc == 2 and "3 findings, more than the limit of 2" in err and loaded == [], (err, loaded)
    rc, err, loaded = _triage_in_subprocess(tmp_path, 3, 3, config="[limits]\nterm_chars = 50\n")
    assert rc == 0 and loaded == [], (err, loaded)


def test_a_doubtful_limits_table_gets_the_full_configuration_error(tmp_path: Path) -> None:
    rc, err, loaded = _triage_in_subprocess(tmp_path, 2, 2, config='[limits]\nterm_chars = "x"\n')
    assert rc == 2 and "[limits.term_chars]" in err and "duo_tui.config" in loaded, err
    rc, err, _ = _triage_in_subprocess(tmp_path, 2, 2, config="[limit]\nterm_chars = 50\n")
    assert rc == 2 and "[limit] unknown key" in err, err


def test_triage_json_does_not_check_the_sections_it_does_not_read(tmp_path: Path) -> None:
    """`--json` reads `[limits]` alone; a [roles] mistake is for the commands that use roles."""
    rc, err, loaded = _triage_in_subprocess(tmp_path, 2, 2, config='[roles]\nplanner = "nope"\n')
    assert rc == 0 and loaded == [], (err, loaded)
    rc, err, _ = _triage_in_subprocess(
        tmp_path, 2, 2, "--sarif", "t.sarif", config='[roles]\nplanner = "nope"\n'
    )
    assert rc == 2 and "planner" in err, err  # SARIF redacts with the configured keys: full load


def test_a_large_triage_json_imports_numpy_but_not_pydantic(tmp_path: Path) -> None:
    rc, err, loaded = _triage_in_subprocess(tmp_path, 60, 60)
    assert rc == 0 and loaded == ["numpy"], (err, loaded)

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

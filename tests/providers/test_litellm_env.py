"""Importing litellm through us never loads a `.env` file into the environment.

litellm's `import` runs `dotenv.load_dotenv()` unless `LITELLM_MODE=PRODUCTION`;
a `.env` in a parent folder of the working directory would then put its keys
and settings into our process (and every child of it). Checked in a fresh
interpreter, because litellm is imported once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = (
    "import os\n"
    "from duo_tui.providers.litellm_provider import import_litellm\n"
    "import_litellm()\n"
    "print(os.environ.get('DUO_DOTENV_PROBE', 'absent'), os.environ.get('LITELLM_MODE'))\n"
)


def test_import_litellm_ignores_a_dotenv_in_a_parent_folder(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DUO_DOTENV_PROBE=leaked\nOPENAI_API_KEY=sk-from-dotenv\n")
    work = tmp_path / "project" / "sub"
    work.mkdir(parents=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LITELLM_MODE", "DUO_DOTENV_PROBE", "OPENAI_API_KEY")
    }
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["absent", "PRODUCTION"]

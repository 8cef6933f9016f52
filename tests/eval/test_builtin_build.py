"""The built-in suite is reproducible: `benchmarks/eval_builtin/build.py` makes exactly the shipped
`duo_tui/eval/builtin/`, and the suite seeds every defect class issue #22 lists."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

from duo_tui.eval.suite import load_suite

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "duo_tui" / "eval" / "builtin"
BUILD = ROOT / "benchmarks" / "eval_builtin" / "build.py"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_generator_rebuilds_the_shipped_suite_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "builtin"
    done = subprocess.run(
        [sys.executable, str(BUILD), str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    built, shipped = _tree(out), _tree(SHIPPED)
    assert sorted(built) == sorted(shipped)
    changed = [name for name in built if built[name] != shipped[name]]
    assert not changed, changed
    assert not filecmp.dircmp(out, SHIPPED).diff_files


def test_the_generator_without_an_output_folder_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, str(BUILD)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "build.py" in done.stderr


def test_the_suite_seeds_every_listed_defect_class_and_clean_changes() -> None:
    suite = load_suite("builtin")
    assert 12 <= len(suite.cases) <= 20
    described = " ".join(i.description.lower() for c in suite.cases for i in c.issues)
    for defect in (
        "race condition",
        "sql injection",
        "off-by-one",
        "swallowed error",
        "authorization gap",
        "resource leak",
        "money in floats",
        "timezone slip",
        "n+1 queries",
    ):
        assert defect in described, defect
    assert sum(c.clean for c in suite.cases) >= 2
    languages = {c.language for c in suite.cases}
    assert "python" in languages and len(languages - {"python"}) >= 1

"""The suite format: the built-in suite loads, and every broken suite is a clear exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from duo_tui.eval.suite import SuiteError, load_suite
from tests.eval.helpers import CASE_TOML, DIFF, write_case


def test_builtin_suite_loads_with_issues_on_changed_lines() -> None:
    suite = load_suite("builtin")
    assert len(suite.cases) >= 12
    assert sum(c.clean for c in suite.cases) >= 2
    assert {c.language for c in suite.cases} >= {"python", "go", "javascript"}
    for case in suite.cases:
        added = _added_lines(case.diff)
        for issue in case.issues:
            # a seeded defect is in the change under review, not in old code
            lines = set(range(issue.line_start, issue.line_end + 1))
            assert lines & added.get(issue.file, set()), (case.id, issue)


def _added_lines(diff: str) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    path, line = "", 0
    for raw in diff.splitlines():
        if raw.startswith("+++ "):
            path = raw[4:].removeprefix("b/")
        elif raw.startswith("@@"):
            line = int(raw.split("+")[1].split(",")[0].split(" ")[0])
        elif raw.startswith("+"):
            out.setdefault(path, set()).add(line)
            line += 1
        elif not raw.startswith("-"):
            line += 1
    return out


def test_good_suite_loads(tmp_path: Path) -> None:
    write_case(tmp_path)
    suite = load_suite(tmp_path)
    (case,) = suite.cases
    assert case.title == "Add user lookup and totals (case-a)"
    assert [(k.id, k.line_start, k.line_end, k.severity) for k in case.issues] == [
        ("K1", 5, 6, "critical"),
        ("K2", 10, 12, "high"),
    ]
    assert case.changed_files() == ["app.py"]


BROKEN = [
    ("toml", "title = \n", "case.toml is not valid TOML"),
    ("no-title", 'description = "x"\n', "title is required"),
    ("severity", CASE_TOML.replace('"critical"', '"urgent"'), "issue[0].severity: 'urgent'"),
    ("line", CASE_TOML.replace("line_start = 10", "line_start = 99"), "issue[1].line_start: 99"),
    ("reversed", CASE_TOML.replace("line_end = 6", "line_end = 4"), "line_end: 4 is before"),
    ("file", CASE_TOML.replace('file = "app.py"', 'file = "../x.py"', 1), "issue[0].file"),
    ("missing", CASE_TOML.replace('severity = "high"\n', ""), "issue[1].severity: required"),
    ("unknown", CASE_TOML + 'colour = "red"\n', "unknown field 'colour'"),
]


@pytest.mark.parametrize(("name", "toml", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_case_toml(tmp_path: Path, name: str, toml: str, message: str) -> None:
    write_case(tmp_path, toml=toml)
    with pytest.raises(SuiteError) as err:
        load_suite(tmp_path)
    assert "case case-a" in str(err.value)
    assert message in str(err.value)
    assert err.value.exit_code == 2


def test_broken_diffs_and_files(tmp_path: Path) -> None:
    write_case(tmp_path / "s1", diff="just some text\n")
    with pytest.raises(SuiteError, match="not a unified diff"):
        load_suite(tmp_path / "s1")
    write_case(tmp_path / "s2", diff=DIFF.replace("b/app.py", "b/other.py"))
    with pytest.raises(SuiteError, match=r"changes 'other\.py', which is not under files/"):
        load_suite(tmp_path / "s2")
    d = write_case(tmp_path / "s3")
    os.symlink("/etc/passwd", d / "files" / "secret.txt")
    with pytest.raises(SuiteError, match="symbolic link"):
        load_suite(tmp_path / "s3")
    d = write_case(tmp_path / "s4")
    (d / "change.diff").unlink()
    with pytest.raises(SuiteError, match=r"change\.diff is missing"):
        load_suite(tmp_path / "s4")
    write_case(tmp_path / "s5", cid="Bad Name")
    with pytest.raises(SuiteError, match="not a valid case folder"):
        load_suite(tmp_path / "s5")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SuiteError, match="no case folders"):
        load_suite(tmp_path / "empty")
    with pytest.raises(SuiteError, match="not a folder"):
        load_suite(tmp_path / "nowhere")


def test_cli_broken_suite_exits_2_without_traceback(tmp_path: Path) -> None:
    write_case(tmp_path, toml=CASE_TOML.replace('"critical"', '"urgent"'))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.run(
        [sys.executable, "-m", "duo_tui", "eval", "--demo", "--suite", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "issue[0].severity: 'urgent' is not one of" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_a_byte_code_cache_in_a_case_is_not_case_data(tmp_path: Path) -> None:
    """compileall over the installed package writes __pycache__ into the built-in cases."""
    import compileall
    import shutil

    suite = tmp_path / "suite"
    shutil.copytree(load_suite("builtin").path, suite)
    assert compileall.compile_dir(str(suite), quiet=1)
    assert any(suite.rglob("*.pyc"))
    cases = load_suite(str(suite)).cases
    assert cases and all(".pyc" not in f for c in cases for f in c.files)

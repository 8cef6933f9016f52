"""SARIF from the CLI, valid against the official SARIF 2.1.0 schema with formats checked.

The schema is vendored (tests/fixtures/sarif-schema-2.1.0.json, from
oasis-tcs/sarif-spec, sarif-2.1/schema/): no network at test time. Format
checking is on, so every ``artifactLocation.uri`` must be a valid
``uri-reference`` (needs the rfc3986-validator package; the test refuses to run
without it rather than pass silently).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from duo_tui.core.triage import match_reviews
from duo_tui.core.triage_export import sarif_uri, triage_sarif

from .helpers import finding, review

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "sarif-schema-2.1.0.json").read_text()
)
ROOT = Path(__file__).resolve().parents[2]
HOSTILE_PATHS = [
    "my dir/50% off.py",
    "src\\win\\path.py",
    "a#b?c.py",
    "C:/x/y.py",
    "//host/share.py",
    "caf\u00e9/\u00fcber.py",
    "tab\there.py",
    "[brackets]/x.py",
]


def _validate(doc: dict[str, object]) -> None:
    checker = jsonschema.FormatChecker()
    if "uri-reference" not in checker.checkers:  # pragma: no cover - environment problem
        pytest.fail("uri-reference format checking unavailable: install rfc3986-validator")
    jsonschema.Draft4Validator(SCHEMA, format_checker=checker).validate(doc)


def _reviews():  # type: ignore[no-untyped-def]
    a = review(
        "model/a",
        *[
            finding(f"A{k}", f"problem in {p}", file=p, line_start=3, line_end=5)
            for k, p in enumerate(HOSTILE_PATHS)
        ],
    )
    b = review("model/b", finding("B1", "problem in my dir/50% off.py", file=HOSTILE_PATHS[0]))
    return a, b


def test_hostile_file_names_become_valid_uri_references() -> None:
    a, b = _reviews()
    doc = triage_sarif(a, b, match_reviews(a, b))
    _validate(doc)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]  # type: ignore[index]
    ]
    assert "my%20dir/50%25%20off.py" in uris
    assert "src/win/path.py" in uris
    assert "a%23b%3Fc.py" in uris and "C%3A/x/y.py" in uris
    assert "/host/share.py" in uris  # never an authority
    checker = jsonschema.FormatChecker()
    assert all(checker.conforms(u, "uri-reference") for u in map(sarif_uri, HOSTILE_PATHS))


def test_the_schema_check_is_real() -> None:
    """The validator rejects what the old export wrote: a raw space and % in a uri."""
    a, b = _reviews()
    doc = triage_sarif(a, b, match_reviews(a, b))
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][  # type: ignore[index]
        "uri"
    ] = "my dir/50% off.py"
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc)


def _duo(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "duo_tui", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        timeout=120,
    )


def test_triage_command_writes_sarif(tmp_path: Path) -> None:
    a, b = _reviews()
    (tmp_path / "a.json").write_text(a.model_dump_json())
    (tmp_path / "b.json").write_text(b.model_dump_json())
    run = _duo("triage", "a.json", "b.json", "--sarif", "out dir/t.sarif", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "out dir" / "t.sarif").read_text())
    _validate(doc)
    assert len(doc["runs"][0]["results"]) == len(a.findings) + len(b.findings)
    # A target that cannot be written: exit 2 with the reason, no traceback.
    (tmp_path / "d").mkdir()
    bad = _duo("triage", "a.json", "b.json", "--sarif", "d", cwd=tmp_path)
    assert bad.returncode == 2 and "cannot write d" in bad.stderr
    assert "Traceback" not in bad.stderr

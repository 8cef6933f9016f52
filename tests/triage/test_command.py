"""`duo-tui triage A.json B.json --json` (the function the CLI calls)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from duo_tui.triage_command import triage_json

from .test_matching import CONTEXT_MANAGER, FD_LEAK, TEXT_MODE, TRAVERSAL_A, TRAVERSAL_B


def write(path: Path, reviewer: str, findings: list) -> Path:  # type: ignore[type-arg]
    doc = {"reviewer": reviewer, "findings": [f.model_dump(mode="json") for f in findings]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_prints_contract_json(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", "A", [TRAVERSAL_A, FD_LEAK])
    b = write(tmp_path / "b.json", "B", [TEXT_MODE, TRAVERSAL_B, CONTEXT_MANAGER])
    out, err = io.StringIO(), io.StringIO()
    assert triage_json(a, b, out, err) == 0
    assert err.getvalue() == ""
    data = json.loads(out.getvalue())
    assert set(data) == {"pairs", "only_a", "only_b"}
    assert sorted(data["pairs"], key=lambda p: p["a"]) == [
        {"a": "F1", "b": "F7", "kind": "severity"},
        {"a": "F2", "b": "F4", "kind": "agree"},
    ]
    assert data["only_a"] == [] and data["only_b"] == ["F3"]


def test_bad_file_exits_2_with_message(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", "A", [FD_LEAK])
    b = tmp_path / "b.json"
    b.write_text(
        json.dumps(
            {"reviewer": "B", "findings": [{"id": "F1", "severity": "urgent", "title": "t"}]}
        )
    )
    out, err = io.StringIO(), io.StringIO()
    assert triage_json(a, b, out, err) == 2
    assert out.getvalue() == ""
    assert f"{b}: findings[0].severity: 'urgent' is not one of" in err.getvalue()


def test_missing_and_invalid_json_exit_2(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", "A", [FD_LEAK])
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    for other in (tmp_path / "missing.json", bad):
        err = io.StringIO()
        assert triage_json(a, other, io.StringIO(), err) == 2
        assert str(other) in err.getvalue()

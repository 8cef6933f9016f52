"""The triage screen's files: review text is written with its controls made visible,
and a task id from a plan (model text) cannot steer an export out of the session."""

from __future__ import annotations

from pathlib import Path

from duo_tui.store.triage_files import (
    decisions_document,
    export_name,
    session_export_dir,
    write_decisions,
)


def test_decisions_file_makes_controls_visible(tmp_path: Path) -> None:
    groups = [
        {
            "key": "G1",
            "kind": "only",
            "severity": "high",
            "title": "bad\x1b[2J\u202etitle",
            "members": [{"reviewer": 0, "finding": {"id": "F1"}}],
        }
    ]
    doc = decisions_document(groups, {"G1": "fix"}, {"G1": "ok\x07"}, ("a\x1b", "b"))
    path = write_decisions(tmp_path / "d.json", doc)
    raw = path.read_text(encoding="utf-8")
    assert "\x1b" not in raw and "\u202e" not in raw and "\x07" not in raw
    assert '"decision": "fix"' in raw


def test_a_task_id_cannot_leave_the_exports_directory(tmp_path: Path) -> None:
    name = export_name("md", "../../../etc/passwd", 2)
    assert "/" not in name and not name.startswith(".")
    target = (session_export_dir(tmp_path, "../../s") / name).resolve()
    assert target.is_relative_to((tmp_path / ".duo" / "sessions").resolve())

"""write_atomic, append_line and read_jsonl: crash safety and tolerance."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from duo_tui.errors import DiskFullError
from duo_tui.store import atomic
from duo_tui.store.atomic import append_line, read_jsonl, write_atomic


def test_write_atomic_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.json"
    write_atomic(target, "one")
    write_atomic(target, b"two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.json"]


def test_write_atomic_failure_keeps_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.txt"
    write_atomic(target, "old content")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(DiskFullError, match="the disk is full"):
        write_atomic(target, "new content that never lands")
    monkeypatch.undo()
    assert target.read_text() == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_write_atomic_failure_in_replace_keeps_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.txt"
    write_atomic(target, "old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_append_line_appends_and_refuses_newlines(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    append_line(log, json.dumps({"n": 1}))
    append_line(log, json.dumps({"n": 2}))
    assert log.read_text() == '{"n": 1}\n{"n": 2}\n'
    with pytest.raises(ValueError):
        append_line(log, "a\nb")


def test_append_line_opens_with_o_append(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flags_seen: list[int] = []
    real_open = os.open

    def spy(path: object, flags: int, *args: int) -> int:
        flags_seen.append(flags)
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "open", spy)
    append_line(tmp_path / "l.jsonl", "{}")
    assert any(f & os.O_APPEND for f in flags_seen)


def test_append_after_truncated_line_starts_a_new_line(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text('{"n": 1}\n{"n": 2, "tr')  # killed mid-write
    append_line(log, '{"n": 3}')
    records, errors = read_jsonl(log)
    assert [r["n"] for r in records] == [1, 3]
    assert len(errors) == 1 and "line 2" in errors[0]


def test_read_jsonl_truncated_last_line(tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    log.write_text('{"a": 1}\n{"a": 2}\n{"a": 3, "b": "unfin')
    records, errors = read_jsonl(log)
    assert records == [{"a": 1}, {"a": 2}]
    assert len(errors) == 1
    assert "decisions.jsonl line 3" in errors[0] and "truncated" in errors[0]


def test_read_jsonl_garbage_lines_reported_rest_kept(tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    log.write_bytes(b'{"a": 1}\nthis is garbage\n\n[1, 2]\n\xff\xfe{{\n{"a": 2}\n')
    records, errors = read_jsonl(log)
    assert records == [{"a": 1}, {"a": 2}]
    assert len(errors) == 3
    assert errors[0].startswith("t.jsonl line 2:")
    assert errors[1].startswith("t.jsonl line 4:") and "object" in errors[1]
    assert errors[2].startswith("t.jsonl line 5:")


def test_read_jsonl_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_jsonl(tmp_path / "nope.jsonl") == ([], [])

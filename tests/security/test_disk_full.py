"""A full disk (ENOSPC): the message says so, the files on disk stay valid, `run` exits 1 with
a report, and the session resumes once space is freed (issue 16).

The disk is real: a small tmpfs mounted for the test (needs root, skipped otherwise).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.errors import DiskFullError
from duo_tui.store.atomic import append_line, read_jsonl, write_atomic


def _mount(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    cmd = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]
    return subprocess.run(cmd, capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount(disk, "1m"):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> Path:
    """Take every free byte of `disk`; return the filler (delete it to free the space)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def test_write_atomic_on_a_full_disk_keeps_the_old_file(small_disk: Path) -> None:
    target = small_disk / "session.json"
    write_atomic(target, '{"v": 1}\n')
    _fill(small_disk)
    with pytest.raises(DiskFullError, match="the disk is full"):
        write_atomic(target, '{"v": 2, "pad": "' + "x" * 200_000 + '"}\n')
    assert target.read_text() == '{"v": 1}\n'
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "session.json"]


def test_append_line_on_a_full_disk_leaves_the_log_whole(small_disk: Path) -> None:
    log = small_disk / "decisions.jsonl"
    append_line(log, json.dumps({"n": 1}))
    filler = _fill(small_disk)
    # Leave a little space, so that the record is cut off half-way.
    with open(filler, "r+b") as fh:
        fh.truncate(filler.stat().st_size - 4096)
    with pytest.raises(DiskFullError, match="the disk is full"):
        append_line(log, json.dumps({"n": 2, "pad": "y" * 200_000}))
    assert read_jsonl(log) == ([{"n": 1}], [])
    filler.unlink()
    append_line(log, json.dumps({"n": 3}))
    assert read_jsonl(log) == ([{"n": 1}, {"n": 3}], [])


def _duo(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(
        [sys.executable, "-m", "duo_tui", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("size", ["300k", "460k", "500k"])
def test_run_on_a_full_disk_stops_with_a_report_and_resumes(tmp_path: Path, size: str) -> None:
    """The demo session on a disk too small for it: it runs out while the session writes
    its files (300k), while the reviews stage their diff (460k), while git commits (500k)."""
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount(disk, size):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        repo, report = disk / "repo", tmp_path / "report.json"
        first = _duo("run", "--demo", "--repo", repo, "add discount codes", "--json", report)
        assert "Traceback" not in first.stderr, first.stderr
        assert first.returncode == 1, first.stderr
        assert "the disk is full" in first.stderr
        data = json.loads(report.read_text())
        assert data["converged"] is False and data["committed"] is False
        assert "the disk is full" in data["stop_reason"]
        assert "--resume" in data["stop_reason"]
        subprocess.run(["mount", "-o", "remount,size=4m", str(disk)], check=True)
        again = _duo("run", "--resume", "--repo", repo, "--json", report)
        assert again.returncode == 0, again.stdout + again.stderr
        data = json.loads(report.read_text())
        assert data["converged"] is True and data["committed"] is True
        log = subprocess.run(
            ["git", "-C", str(repo), "log", "--format=%s", "-1", data["branch"]],
            capture_output=True,
            text=True,
            check=True,
        )
        assert log.stdout.startswith("feat(cart)")
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)

"""`duo_tui.core.edits` applying blocks: matching, atomic writes, line endings, new files, speed."""

from __future__ import annotations

import errno
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from duo_tui.core import edits
from duo_tui.core.edits import ApplyResult, EditApplyError, apply_edits, parse_edits, plan_edits
from duo_tui.errors import DiskFullError, EditError
from duo_tui.store.atomic import find_disk_full

from .helpers import answer, block, snapshot, write_tree

# ---------------------------------------------------------------------- matching


def test_exact_match_and_result_counts(repo: Path) -> None:
    result = apply_edits(
        repo,
        [
            block("app/runner.py", "def run(path):\n", "def run(path, *, dry=False):\n", 1),
            block("app/new.py", "", "A = 1\nB = 2\n", 2),
        ],
    )
    assert result.changed == ["app/runner.py"]
    assert result.created == ["app/new.py"]
    assert (result.deleted_lines, result.added_lines) == (1, 3)
    assert (repo / "app/runner.py").read_text() == "def run(path, *, dry=False):\n    return path\n"


def test_blocks_for_one_file_apply_in_order_on_evolving_content(repo: Path) -> None:
    apply_edits(
        repo,
        [
            block("app/config.py", "DEBUG = True\n", "DEBUG = False\nLEVEL = 1\n", 1),
            block("./app/config.py", "LEVEL = 1\n", "LEVEL = 2\n", 2),
        ],
    )
    assert (repo / "app/config.py").read_text() == "DEBUG = False\nLEVEL = 2\n"


def test_negative_indent_drift_reindents_replace(repo: Path) -> None:
    # SEARCH is indented 4 more than the file: REPLACE loses the same 4.
    search = "            for job in self.queue:\n                self.handle(job)\n"
    replace = (
        "            for job in self.queue:\n                self.handle(job)\n            done()\n"
    )
    apply_edits(repo, [block("app/worker.py", search, replace)])
    assert (
        (repo / "app/worker.py")
        .read_text()
        .endswith("        for job in self.queue:\n            self.handle(job)\n        done()\n")
    )


def test_tab_indent_drift(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.go": "func f() {\n\tif x {\n\t\ty()\n\t}\n}\n"})
    apply_edits(tmp_path, [block("m.go", "if x {\n\ty()\n}\n", "if x {\n\tz()\n}\n")])
    assert (tmp_path / "m.go").read_text() == "func f() {\n\tif x {\n\t\tz()\n\t}\n}\n"


def test_non_uniform_indent_does_not_match(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "if x:\n    y()\n"})
    with pytest.raises(EditApplyError, match="does not match"):
        apply_edits(tmp_path, [block("a.py", "if x:\n        y()\n", "pass\n")])


def test_exact_match_preferred_over_drifted_duplicates(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "x = 1\nif a:\n    x = 1\n"})
    apply_edits(tmp_path, [block("a.py", "x = 1\n", "x = 2\n")])
    assert (tmp_path / "a.py").read_text() == "x = 2\nif a:\n    x = 1\n"


def test_ambiguous_match_names_count_and_lines(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "pass\nx = 1\npass\nx = 1\npass\nx = 1\n"})
    with pytest.raises(EditApplyError) as info:
        apply_edits(tmp_path, [block("a.py", "x = 1\n", "x = 2\n", 4)])
    message = str(info.value)
    assert "Block 4 (a.py)" in message
    assert "matches 3 places" in message
    assert "lines 2, 4, 6" in message
    assert info.value.failures[0].index == 4


def test_no_match_shows_closest_region_with_line_numbers(tmp_path: Path) -> None:
    lines = [f"line_{i} = {i}" for i in range(1, 60)]
    lines[29] = "def handler(request):"
    lines[30] = "    return respond(request, status=200)"
    write_tree(tmp_path, {"svc.py": "\n".join(lines) + "\n"})
    search = "def handler(request):\n    return respond(request, status=201)\n"
    with pytest.raises(EditApplyError) as info:
        apply_edits(tmp_path, [block("svc.py", search, "pass\n", 7)])
    message = str(info.value)
    assert "Block 7 (svc.py)" in message
    assert "lines 30-31" in message
    assert "30 | def handler(request):" in message
    assert "% similar" in message
    assert "-    return respond(request, status=201)" in message


def test_no_match_after_earlier_block_says_so(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "a = 1\nb = 2\n"})
    blocks = [block("a.py", "a = 1\n", "a = 10\n", 1), block("a.py", "a = 1\n", "a = 3\n", 2)]
    with pytest.raises(EditApplyError, match="earlier blocks"):
        apply_edits(tmp_path, blocks)


def test_missing_file_with_nonempty_search(repo: Path) -> None:
    with pytest.raises(EditApplyError, match="does not exist"):
        apply_edits(repo, [block("app/nope.py", "x\n", "y\n")])


# ----------------------------------------------------------- atomicity and writes


def test_any_failure_writes_nothing_and_reports_every_failure(repo: Path) -> None:
    before = snapshot(repo)
    blocks = [
        block("app/config.py", "DEBUG = True\n", "DEBUG = False\n", 1),
        block("app/new.py", "", "x = 1\n", 2),
        block("app/settings.py", "TIMEOUT = 99\n", "TIMEOUT = 1\n", 3),
        block("app/runner.py", "nope\n", "x\n", 4),
    ]
    with pytest.raises(EditApplyError) as info:
        apply_edits(repo, blocks)
    assert [f.index for f in info.value.failures] == [3, 4]
    assert "2 edit blocks failed; no file was changed." in str(info.value)
    assert snapshot(repo) == before
    assert not (repo / "app/new.py").exists()


def test_write_failure_rolls_back_written_files(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(repo)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    blocks = [
        block("app/config.py", "DEBUG = True\n", "DEBUG = False\n", 1),
        block("brand/new/dir/x.py", "", "x = 1\n", 2),
        block("app/settings.py", "TIMEOUT = 5\n", "TIMEOUT = 6\n", 3),
    ]
    with pytest.raises(EditError, match="disk full") as info:
        apply_edits(repo, blocks)
    assert "restored" in str(info.value)
    monkeypatch.undo()
    assert snapshot(repo) == before
    assert not (repo / "brand").exists()
    assert not [p for p in repo.rglob("*.duo-tmp")]
    assert not [p for p in repo.rglob(".*.tmp")]  # store.atomic's temporary files


def test_full_disk_during_edits_says_so_and_restores(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while writing edits: every file restored, and the error names the full disk."""
    before = snapshot(repo)
    real_replace = os.replace
    calls = {"n": 0}

    def full_replace(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_replace)
    blocks = [
        block("app/config.py", "DEBUG = True\n", "DEBUG = False\n", 1),
        block("app/settings.py", "TIMEOUT = 5\n", "TIMEOUT = 6\n", 2),
    ]
    with pytest.raises(EditError) as info:
        apply_edits(repo, blocks)
    monkeypatch.undo()
    assert "the disk is full" in str(info.value)
    assert "restored" in str(info.value)
    assert isinstance(find_disk_full(info.value), DiskFullError)
    assert snapshot(repo) == before
    assert not [p for p in repo.rglob(".*.tmp")]


def test_new_file_gets_umask_permissions_and_kept_modes(repo: Path) -> None:
    """A created file gets 0o666 less the umask; an edited file keeps its mode."""
    os.chmod(repo / "app/config.py", 0o755)
    old_umask = os.umask(0o027)
    try:
        apply_edits(
            repo,
            [
                block("app/config.py", "DEBUG = True\n", "DEBUG = False\n", 1),
                block("app/made.py", "", "x = 1\n", 2),
            ],
        )
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((repo / "app/made.py").stat().st_mode) == 0o640
    assert stat.S_IMODE((repo / "app/config.py").stat().st_mode) == 0o755


def test_plan_edits_writes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    planned = plan_edits(
        repo,
        [
            block("app/config.py", "DEBUG = True\n", "DEBUG = False\n"),
            block("app/settings.py", "TIMEOUT = 5\n", "TIMEOUT = 5\n", 2),  # no-op
            block("new.txt", "", "hi\n", 3),
        ],
    )
    assert planned == {"app/config.py": "DEBUG = False\n", "new.txt": "hi\n"}
    assert snapshot(repo) == before


def test_file_mode_is_preserved(tmp_path: Path) -> None:
    write_tree(tmp_path, {"run.sh": "#!/bin/sh\necho a\n"})
    (tmp_path / "run.sh").chmod(0o755)
    apply_edits(tmp_path, [block("run.sh", "echo a\n", "echo b\n")])
    assert stat.S_IMODE((tmp_path / "run.sh").stat().st_mode) == 0o755


def test_symlink_inside_root_edits_the_target(repo: Path) -> None:
    (repo / "alias.py").symlink_to(repo / "app" / "config.py")
    result = apply_edits(repo, [block("alias.py", "DEBUG = True\n", "DEBUG = False\n")])
    assert result.changed == ["app/config.py"]
    assert (repo / "alias.py").is_symlink()
    assert (repo / "app/config.py").read_text() == "DEBUG = False\n"


def test_directory_and_binary_targets_fail(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "blob.bin").write_bytes(b"\xff\xfe\x00x")
    with pytest.raises(EditApplyError) as info:
        apply_edits(tmp_path, [block("pkg", "", "x\n", 1), block("blob.bin", "x\n", "y\n", 2)])
    message = str(info.value)
    assert "not a regular file" in message
    assert "not UTF-8" in message


def test_new_file_below_a_file_fails_at_plan_time(repo: Path) -> None:
    before = snapshot(repo)
    with pytest.raises(EditApplyError, match="not a directory"):
        apply_edits(repo, [block("app/config.py/x.py", "", "x\n")])
    assert snapshot(repo) == before


# ------------------------------------------------------------ line endings, BOM


def test_crlf_file_stays_crlf_with_lf_blocks(tmp_path: Path) -> None:
    write_tree(tmp_path, {"w.py": "a = 1\r\nb = 2\r\nc = 3\r\n"})
    apply_edits(tmp_path, [block("w.py", "b = 2\n", "b = 20\nb2 = 21\n")])
    assert (tmp_path / "w.py").read_bytes() == b"a = 1\r\nb = 20\r\nb2 = 21\r\nc = 3\r\n"


def test_mixed_line_endings_untouched_lines_keep_theirs(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.txt": "a\r\nb\nc\r\nd\r\n"})
    apply_edits(tmp_path, [block("m.txt", "c\n", "C\n")])
    assert (tmp_path / "m.txt").read_bytes() == b"a\r\nb\nC\r\nd\r\n"


def test_missing_final_newline_is_preserved(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.txt": "one\ntwo", "b.txt": "one\ntwo\nthree"})
    apply_edits(
        tmp_path,
        [block("a.txt", "two\n", "TWO\n", 1), block("b.txt", "three\n", "", 2)],
    )
    assert (tmp_path / "a.txt").read_bytes() == b"one\nTWO"
    assert (tmp_path / "b.txt").read_bytes() == b"one\ntwo"


def test_final_newline_is_kept_when_present(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.txt": "one\ntwo\n"})
    apply_edits(tmp_path, [block("a.txt", "two", "TWO")])  # blocks built without newlines
    assert (tmp_path / "a.txt").read_bytes() == b"one\nTWO\n"


def test_bom_is_preserved(tmp_path: Path) -> None:
    write_tree(tmp_path, {"b.cs": "\ufeffusing System;\r\nclass A {}\r\n"})
    apply_edits(tmp_path, [block("b.cs", "using System;\n", "using System.IO;\n")])
    assert (tmp_path / "b.cs").read_bytes() == b"\xef\xbb\xbfusing System.IO;\r\nclass A {}\r\n"


# ------------------------------------------------------------------ file creation


def test_create_fills_an_existing_empty_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": ""})
    result = apply_edits(tmp_path, [block("pkg/__init__.py", "", '"""Pkg."""\n')])
    assert result.changed == ["pkg/__init__.py"]
    assert (tmp_path / "pkg/__init__.py").read_text() == '"""Pkg."""\n'


def test_create_with_identical_content_is_a_noop(repo: Path) -> None:
    result = apply_edits(repo, [block("app/config.py", "", "DEBUG = True\n")])
    assert result == ApplyResult()


def test_create_over_different_content_is_refused(repo: Path) -> None:
    with pytest.raises(EditApplyError, match="already exists"):
        apply_edits(repo, [block("app/config.py", "\n", "DEBUG = 1\n")])
    assert (repo / "app/config.py").read_text() == "DEBUG = True\n"


# ------------------------------------------------------------------- performance


def _two_hundred_blocks(tmp_path: Path) -> tuple[edits.ParseResult, ApplyResult, float]:
    """Parse and apply 200 blocks over 50 files; return both results and the seconds taken."""
    files = {}
    parts = []
    for f in range(50):
        body = "".join(f"def fn_{f}_{i}(x):\n    return x + {i}\n\n\n" for i in range(60))
        files[f"pkg/mod_{f}.py"] = body
        for i in range(0, 60, 15):  # 4 blocks per file
            parts.append(
                (
                    f"pkg/mod_{f}.py",
                    f"def fn_{f}_{i}(x):\n    return x + {i}\n",
                    f"def fn_{f}_{i}(x: int) -> int:\n    return x + {i} * 2\n",
                )
            )
    write_tree(tmp_path, files)
    text = answer(*parts)
    start = time.perf_counter()
    parsed = parse_edits(text)
    result = apply_edits(tmp_path, parsed.blocks)
    return parsed, result, time.perf_counter() - start


def test_200_blocks_over_50_files(tmp_path: Path) -> None:
    parsed, result, _ = _two_hundred_blocks(tmp_path)
    assert len(parsed.blocks) == 200
    assert len(result.changed) == 50
    assert (
        "def fn_7_15(x: int) -> int:\n    return x + 15 * 2\n"
        in (tmp_path / "pkg/mod_7.py").read_text()
    )


@pytest.mark.perf
def test_200_blocks_over_50_files_within_a_second(tmp_path: Path) -> None:
    _, _, elapsed = _two_hundred_blocks(tmp_path)
    assert elapsed < 1.0, elapsed


def _fail_on_large_file(tmp_path: Path) -> float:
    """A SEARCH that matches nowhere in a 30k-line file: the closest region is named."""
    body = "".join(f"value_{i} = compute({i}, {i * 7})\n" for i in range(30_000))
    write_tree(tmp_path, {"big.py": body})
    search = "".join(f"value_{i} = compute({i}, {i * 7 + 1})\n" for i in range(500, 540))
    start = time.perf_counter()
    with pytest.raises(EditApplyError, match="Closest region: lines 501-540"):
        apply_edits(tmp_path, [block("big.py", search, "x = 1\n")])
    return time.perf_counter() - start


def test_failure_on_large_file_names_the_closest_region(tmp_path: Path) -> None:
    _fail_on_large_file(tmp_path)


@pytest.mark.perf
def test_failure_on_large_file_is_fast(tmp_path: Path) -> None:
    assert _fail_on_large_file(tmp_path) < 1.0

"""Diff parsing, hunk patches, and reverting rejected hunks/files in a session worktree."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.errors import GitError
from duo_tui.vcs.diff import (
    FileDiff,
    hunk_patch,
    parse_diff,
    quote_path,
    unquote_path,
)
from duo_tui.vcs.revert import revert_hunks
from duo_tui.vcs.worktree import SessionWorktree

SAMPLE = """\
diff --git a/app/x.py b/app/x.py
index 1111111..2222222 100644
--- a/app/x.py
+++ b/app/x.py
@@ -1,4 +1,4 @@ def top():
 a
-b
+B
 c
 d
@@ -20,3 +20,5 @@ class K:
 t
+u1
+u2
 v
-- not a header, a removed line starting with dashes
diff --git a/new.txt b/new.txt
new file mode 100755
index 0000000..3333333
--- /dev/null
+++ b/new.txt
@@ -0,0 +1,2 @@
+hello
+world
\\ No newline at end of file
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index 4444444..0000000
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/old name.py b/new name.py
similarity index 90%
rename from old name.py
rename to new name.py
index 5555555..6666666 100644
--- a/old name.py\t
+++ b/new name.py\t
@@ -3 +3 @@
-x = 1
+x = 2
diff --git a/img.png b/img.png
index 7777777..8888888 100644
Binary files a/img.png and b/img.png differ
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
diff --git "a/t\\303\\251st \\"q\\".txt" "b/t\\303\\251st \\"q\\".txt"
index 9999999..aaaaaaa 100644
--- "a/t\\303\\251st \\"q\\".txt"
+++ "b/t\\303\\251st \\"q\\".txt"
@@ -1 +1 @@
-1
+2
"""


def test_parse_sample() -> None:
    files = {f.path: f for f in parse_diff(SAMPLE)}
    assert list(files) == [
        "app/x.py",
        "new.txt",
        "gone.txt",
        "new name.py",
        "img.png",
        "run.sh",
        'tést "q".txt',
    ]
    x = files["app/x.py"]
    assert x.status == "modified" and x.old_path == "app/x.py"
    assert [h.id for h in x.hunks] == ["app/x.py#1", "app/x.py#2"]
    h1, h2 = x.hunks
    assert (h1.old_start, h1.old_len, h1.new_start, h1.new_len) == (1, 4, 1, 4)
    assert h1.section == "def top():"
    assert (h2.added, h2.removed) == (2, 1)
    assert h2.lines[-1] == "-- not a header, a removed line starting with dashes"
    assert (x.added, x.removed) == (3, 2)
    assert x.hunk("2") is h2 and x.hunk("#1") is h1 and x.hunk("app/x.py#2") is h2

    new = files["new.txt"]
    assert new.status == "added" and new.old_path is None and new.new_mode == "100755"
    assert new.hunks[0].lines[-1] == "\\ No newline at end of file"
    assert new.added == 2

    gone = files["gone.txt"]
    assert gone.status == "deleted" and gone.removed == 1
    assert (gone.hunks[0].old_len, gone.hunks[0].new_len) == (1, 0)

    ren = files["new name.py"]
    assert ren.status == "renamed" and ren.old_path == "old name.py"

    assert files["img.png"].binary and files["img.png"].hunks == []
    mode = files["run.sh"]
    assert mode.status == "modified" and (mode.old_mode, mode.new_mode) == ("100644", "100755")
    assert files['tést "q".txt'].hunks[0].id == 'tést "q".txt#1'


def test_parse_plain_unified_diff() -> None:
    text = "--- a.txt\t2024-01-01\n+++ a.txt\t2024-01-02\n@@ -1,2 +1,2 @@\n-x\n+y\n z\n"
    (f,) = parse_diff(text)
    assert f.path == "a.txt" and f.status == "modified" and (f.added, f.removed) == (1, 1)
    assert parse_diff("") == []


def test_quote_roundtrip() -> None:
    for name in ["plain.py", 'q"uote.txt', "back\\slash", "tab\there", "nl\nx", "tést"]:
        assert unquote_path(quote_path(name)) == name
    assert quote_path("tést") == "tést"


def test_hunk_patch_applies(tmp_path: Path, git: Callable[..., str]) -> None:
    (f,) = parse_diff(SAMPLE.split("diff --git a/new.txt")[0])
    patch = hunk_patch(f, ["app/x.py#2"])
    assert "@@ -1,4" not in patch and "@@ -20,3 +20,5 @@" in patch
    assert patch.startswith("diff --git a/app/x.py b/app/x.py\n--- a/app/x.py\n+++ b/app/x.py\n")
    with pytest.raises(ValueError):
        hunk_patch(FileDiff("b.png", "b.png", "modified", binary=True))
    # a real round trip through git apply
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q")
    lines = [f"l{i}\n" for i in range(1, 41)]
    (root / "f.txt").write_text("".join(lines))
    lines[2] = "L3\n"
    lines[30] = "L31\n"
    new_text = "".join(lines)
    diff = subprocess.run(
        ["git", "diff", "--no-index", "--src-prefix=a/", "--dst-prefix=b/", "f.txt", "-"],
        cwd=root,
        input=new_text,
        capture_output=True,
        text=True,
    ).stdout
    (fd,) = parse_diff(diff.replace("b/-", "b/f.txt").replace("a/-", "a/f.txt"))
    assert len(fd.hunks) == 2
    (root / "p.diff").write_text(hunk_patch(fd, [fd.hunks[1]]))
    git(root, "apply", "p.diff")
    result = (root / "f.txt").read_text().splitlines()
    assert result[30] == "L31" and result[2] == "l3"


# ----------------------------------------------------------------------------- reverting


def edit_three_places(wt: SessionWorktree) -> None:
    x = wt.path / "app" / "x.py"
    text = x.read_text()
    for a, b in [("line 5\n", "line five\n"), ("line 30\n", "LINE 30\nextra\n"), ("line 80\n", "")]:
        text = text.replace(a, b)
    x.write_text(text)


def test_revert_middle_hunk(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    edit_three_places(wt)
    (wt.path / "app" / "new.py").write_text("new = 1\n")
    before = {f.path: f for f in parse_diff(wt.diff())}
    x = before["app/x.py"]
    assert [h.id for h in x.hunks] == ["app/x.py#1", "app/x.py#2", "app/x.py#3"]

    reverted = revert_hunks(wt, ["app/x.py#2"])
    assert reverted == ["app/x.py#2"]
    after = {f.path: f for f in parse_diff(wt.diff())}
    assert set(after) == {"app/x.py", "app/new.py"}
    kept = after["app/x.py"].hunks
    expected = [x.hunks[0], x.hunks[2]]
    assert [h.lines for h in kept] == [h.lines for h in expected]
    assert [(h.old_start, h.old_len) for h in kept] == [(h.old_start, h.old_len) for h in expected]
    text = (wt.path / "app" / "x.py").read_text()
    assert "line 30\n" in text and "extra" not in text
    assert "line five" in text and "line 80\n" not in text


def test_revert_files_new_deleted_modified(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    edit_three_places(wt)
    (wt.path / "pkg" / "deep").mkdir(parents=True)
    (wt.path / "pkg" / "deep" / "new.py").write_text("new = 1\n")
    (wt.path / "keep.py").write_text("keep = 1\n")
    (wt.path / "README.md").unlink()
    (wt.path / "app" / "y.py").write_text("print('changed')\n")

    reverted = revert_hunks(
        wt,
        {"pkg/deep/new.py": None, "README.md": ["README.md#1"], "app/y.py": None},
    )
    assert sorted(reverted) == ["README.md", "app/y.py", "pkg/deep/new.py"]
    assert not (wt.path / "pkg").exists()  # rejecting a new file deletes it (and empty dirs)
    assert (wt.path / "README.md").read_text() == "# demo\n"
    assert (wt.path / "app" / "y.py").read_text() == "print('y')\n"
    assert sorted(wt.changed_paths()) == ["app/x.py", "keep.py"]


def test_revert_binary_file(repo: Path, git: Callable[..., str]) -> None:
    (repo / "logo.bin").write_bytes(bytes(range(256)))
    git(repo, "add", "logo.bin")
    git(repo, "commit", "-qm", "chore: logo")
    wt = SessionWorktree.create(repo, "bin")
    (wt.path / "logo.bin").write_bytes(bytes(range(255, -1, -1)))
    (f,) = parse_diff(wt.diff())
    assert f.binary
    assert revert_hunks(wt, ["logo.bin"]) == ["logo.bin"]
    assert (wt.path / "logo.bin").read_bytes() == bytes(range(256))


def test_revert_against_older_base(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    (wt.path / "a.txt").write_text("a\n")
    wt.commit("feat: a")
    (wt.path / "b.txt").write_text("b\n")
    revert_hunks(wt, ["a.txt"], base=wt.base)
    assert not (wt.path / "a.txt").exists()
    assert sorted(wt.changed_paths(wt.base)) == ["b.txt"]


def test_revert_stale_diff_touches_nothing(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    edit_three_places(wt)
    shown = wt.diff()
    x = wt.path / "app" / "x.py"
    x.write_text(x.read_text().replace("extra\n", "changed after review\n"))
    snap = wt.snapshot()
    with pytest.raises(GitError):
        revert_hunks(wt, ["app/x.py#1", "app/x.py#2"], diff_text=shown)
    assert wt.snapshot() == snap
    with pytest.raises(GitError, match="unknown"):
        revert_hunks(wt, ["app/x.py#9"])
    with pytest.raises(GitError, match="unknown"):
        revert_hunks(wt, ["nope.py"])


def test_revert_everything_leaves_clean_tree(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    edit_three_places(wt)
    (wt.path / "n.txt").write_text("n\n")
    files = parse_diff(wt.diff())
    revert_hunks(wt, [h.id for f in files for h in f.hunks])
    assert wt.diff() == ""

"""Unified diffs as data: parsing them into files and hunks, and patches of chosen hunks.

`parse_diff` reads git-style (and plain) unified diffs into `FileDiff` objects
whose hunks carry stable ids (`"app/x.py#2"`: the second hunk of that file in
that diff). The code pane shows them; the human accepts or rejects each file
and hunk; `hunk_patch` makes a patch of just some hunks of a file, which
`duo_tui.vcs.revert.revert_hunks` reverse-applies to take the rejected ones
back out of the session worktree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

FileStatus = Literal["added", "modified", "deleted", "renamed"]

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")
_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}
_REV_ESCAPES = {v: k for k, v in _ESCAPES.items() if k not in '\\"'}


@dataclass
class Hunk:
    """One `@@` hunk. `lines` are the body lines with their prefix (' ', '+', '-', '\\')."""

    id: str
    header: str
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        """Number of added lines."""
        return sum(1 for ln in self.lines if ln.startswith("+"))

    @property
    def removed(self) -> int:
        """Number of removed lines."""
        return sum(1 for ln in self.lines if ln.startswith("-"))

    @property
    def section(self) -> str:
        """The function/section context git printed after the `@@ ... @@`."""
        m = _HUNK_RE.match(self.header)
        return m.group(5).strip() if m else ""

    def text(self) -> str:
        """The hunk as patch text (header and body, newline-terminated)."""
        return "\n".join([self.header, *self.lines]) + "\n"


@dataclass
class FileDiff:
    """The change to one file. `old_path` is the path on the old side (None if added)."""

    path: str
    old_path: str | None
    status: FileStatus
    hunks: list[Hunk] = field(default_factory=list)
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    header: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        """Lines added in this file."""
        return sum(h.added for h in self.hunks)

    @property
    def removed(self) -> int:
        """Lines removed in this file."""
        return sum(h.removed for h in self.hunks)

    def hunk(self, hunk_id: str) -> Hunk | None:
        """The hunk with that id (`path#n`, or just `n` / `#n`), if any."""
        full = hunk_id if "#" in hunk_id and not hunk_id.startswith("#") else None
        if full is None:
            full = f"{self.path}#{hunk_id.lstrip('#')}"
        return next((h for h in self.hunks if h.id == full), None)


# --------------------------------------------------------------------------- paths


def unquote_path(text: str) -> str:
    """Undo git's C-style quoting of a path (`"a/t\\303\\251st"` → `a/tést`)."""
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return text
    body = text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and i + 4 <= len(body):
                out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
                i += 4
                continue
            out.extend(_ESCAPES.get(nxt, nxt).encode())
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def quote_path(path: str) -> str:
    """Quote a path the way git does when it holds `"`, `\\` or control characters."""
    if not any(c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return path
    out = []
    for c in path:
        if c in '"\\':
            out.append("\\" + c)
        elif c in _REV_ESCAPES:
            out.append("\\" + _REV_ESCAPES[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\{ord(c):03o}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _strip_prefix(name: str) -> str | None:
    name = name.rstrip("\t")
    if "\t" in name and not name.startswith('"'):  # plain diffs: "--- file\t<timestamp>"
        name = name.split("\t", 1)[0]
    name = unquote_path(name)
    if name == "/dev/null":
        return None
    if name.startswith(("a/", "b/")):
        return name[2:]
    return name


def _git_line_paths(rest: str) -> tuple[str | None, str | None]:
    """Paths of `diff --git a/X b/Y` (best effort; only used when nothing better exists)."""
    if rest.startswith('"'):
        end = _quoted_end(rest)
        a, b = rest[: end + 1], rest[end + 2 :]
        return _strip_prefix(a), _strip_prefix(b)
    if rest.endswith('"'):
        start = rest.rfind(' "')
        return _strip_prefix(rest[:start]), _strip_prefix(rest[start + 1 :])
    n = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and rest[n] == " ":
        a, b = rest[:n], rest[n + 1 :]
        if a[2:] == b[2:]:
            return _strip_prefix(a), _strip_prefix(b)
    a, _, b = rest.partition(" b/")
    return _strip_prefix(a), _strip_prefix("b/" + b) if b else None


def _quoted_end(text: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return len(text) - 1


# --------------------------------------------------------------------------- parsing


class _FileBuilder:
    def __init__(self) -> None:
        self.header: list[str] = []
        self.git_a: str | None = None
        self.git_b: str | None = None
        self.minus: str | None = None
        self.plus: str | None = None
        self.saw_minus = False
        self.saw_plus = False
        self.rename_from: str | None = None
        self.rename_to: str | None = None
        self.copy_from: str | None = None
        self.new_file = False
        self.deleted = False
        self.binary = False
        self.old_mode: str | None = None
        self.new_mode: str | None = None
        self.hunks: list[Hunk] = []

    def build(self) -> FileDiff | None:
        old = self.rename_from or (self.minus if self.saw_minus else self.git_a)
        new = self.rename_to or (self.plus if self.saw_plus else self.git_b)
        if self.new_file or (self.saw_minus and self.minus is None):
            status: FileStatus = "added"
            old = self.copy_from
        elif self.deleted or (self.saw_plus and self.plus is None):
            status = "deleted"
            new = old
        elif self.rename_from is not None or (old is not None and new is not None and old != new):
            status = "renamed"
        else:
            status = "modified"
        path = new or old
        if path is None:
            return None
        for i, h in enumerate(self.hunks, 1):
            h.id = f"{path}#{i}"
        return FileDiff(
            path=path,
            old_path=old if status != "added" else None,
            status=status,
            hunks=self.hunks,
            binary=self.binary,
            old_mode=self.old_mode,
            new_mode=self.new_mode,
            header=self.header,
        )


def parse_diff(text: str) -> list[FileDiff]:
    """Parse a unified diff (git's extended format or plain `---`/`+++`) into files."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    files: list[FileDiff] = []
    cur: _FileBuilder | None = None

    def finish() -> None:
        nonlocal cur
        if cur is not None:
            built = cur.build()
            if built is not None:
                files.append(built)
        cur = None

    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.startswith("diff --git "):
            finish()
            cur = _FileBuilder()
            cur.header.append(line)
            cur.git_a, cur.git_b = _git_line_paths(line[len("diff --git ") :])
            i += 1
            continue
        if line.startswith("--- ") and i + 1 < n and lines[i + 1].startswith("+++ "):
            if cur is None or cur.hunks or cur.saw_minus:
                finish()
                cur = _FileBuilder()
            cur.header += [line, lines[i + 1]]
            cur.minus, cur.saw_minus = _strip_prefix(line[4:]), True
            cur.plus, cur.saw_plus = _strip_prefix(lines[i + 1][4:]), True
            i += 2
            continue
        if line.startswith("@@ ") and cur is not None:
            m = _HUNK_RE.match(line)
            if not m:
                raise ValueError(f"malformed hunk header: {line!r}")
            old_len = int(m.group(2)) if m.group(2) is not None else 1
            new_len = int(m.group(4)) if m.group(4) is not None else 1
            hunk = Hunk(
                id="",
                header=line,
                old_start=int(m.group(1)),
                old_len=old_len,
                new_start=int(m.group(3)),
                new_len=new_len,
            )
            i += 1
            old_left, new_left = old_len, new_len
            while i < n and (old_left > 0 or new_left > 0):
                body = lines[i]
                tag = body[:1]
                if tag in (" ", ""):
                    old_left -= 1
                    new_left -= 1
                elif tag == "-":
                    old_left -= 1
                elif tag == "+":
                    new_left -= 1
                elif tag != "\\":
                    break
                hunk.lines.append(body)
                i += 1
            while i < n and lines[i].startswith("\\"):
                hunk.lines.append(lines[i])
                i += 1
            cur.hunks.append(hunk)
            continue
        if cur is not None and not cur.hunks:
            cur.header.append(line)
            if line.startswith("new file mode "):
                cur.new_file, cur.new_mode = True, line.split()[-1]
            elif line.startswith("deleted file mode "):
                cur.deleted, cur.old_mode = True, line.split()[-1]
            elif line.startswith("old mode "):
                cur.old_mode = line.split()[-1]
            elif line.startswith("new mode "):
                cur.new_mode = line.split()[-1]
            elif line.startswith("rename from "):
                cur.rename_from = unquote_path(line[len("rename from ") :])
            elif line.startswith("rename to "):
                cur.rename_to = unquote_path(line[len("rename to ") :])
            elif line.startswith("copy from "):
                cur.copy_from = unquote_path(line[len("copy from ") :])
            elif line.startswith("copy to "):
                cur.rename_to = unquote_path(line[len("copy to ") :])
                cur.new_file = True
            elif line.startswith("Binary files ") or line == "GIT binary patch":
                cur.binary = True
                if line == "GIT binary patch":
                    i += 1
                    while i < n and not lines[i].startswith("diff --git "):
                        i += 1
                    continue
            elif line.startswith("index ") and len(line.split()) == 3:
                cur.old_mode = cur.old_mode or line.split()[2]
                cur.new_mode = cur.new_mode or line.split()[2]
        i += 1
    finish()
    return files


# --------------------------------------------------------------------------- patches


def _name(prefix: str, path: str | None) -> str:
    if path is None:
        return "/dev/null"
    quoted = quote_path(prefix + path)
    return quoted + ("\t" if " " in path and not quoted.startswith('"') else "")


def hunk_patch(file: FileDiff, hunks: Iterable[Hunk | str] | None = None) -> str:
    """A patch holding only `hunks` (objects or ids; default all) of `file`.

    For added and deleted files it is the whole creation/deletion. For modified
    and renamed files it changes the content of the file at its *new* path
    (no rename), so it can be reverse-applied to the worktree hunk by hunk.
    """
    if file.binary:
        raise ValueError(f"{file.path} is binary; it has no hunks to select")
    if hunks is None:
        chosen = list(file.hunks)
    else:
        wanted = {h.id if isinstance(h, Hunk) else h for h in hunks}
        chosen = [h for h in file.hunks if h.id in wanted or h.id.rpartition("#")[2] in wanted]
    if not chosen:
        return ""
    if file.status == "added":
        head = [
            f"diff --git {quote_path('a/' + file.path)} {quote_path('b/' + file.path)}",
            f"new file mode {file.new_mode or '100644'}",
            "--- /dev/null",
            f"+++ {_name('b/', file.path)}",
        ]
    elif file.status == "deleted":
        head = [
            f"diff --git {quote_path('a/' + file.path)} {quote_path('b/' + file.path)}",
            f"deleted file mode {file.old_mode or '100644'}",
            f"--- {_name('a/', file.path)}",
            "+++ /dev/null",
        ]
    else:
        head = [
            f"diff --git {quote_path('a/' + file.path)} {quote_path('b/' + file.path)}",
            f"--- {_name('a/', file.path)}",
            f"+++ {_name('b/', file.path)}",
        ]
    return "\n".join(head) + "\n" + "".join(h.text() for h in chosen)

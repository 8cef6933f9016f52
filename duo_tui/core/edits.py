"""Parse and apply the executor's SEARCH/REPLACE edit blocks.

The executor answers in the format most models already know (see DESIGN.md,
"Edits")::

    path/to/file.py
    ```python
    <<<<<<< SEARCH
    old lines, copied exactly
    =======
    new lines
    >>>>>>> REPLACE
    ```

Parsing (:func:`parse_edits`) accepts the variants models really write: the
file name on the line before the fence, in the fence's info string or on the
first line inside the fence; decorated names (``**x.py**``, ```` `x.py` ````,
``File: x.py``, ``### x.py``, ``# x.py`` as a comment); several blocks per
fence or per file (a block without a name inherits the previous block's
file); prose between blocks; a missing closing fence; CRLF; markers of 5-9
characters. A malformed block (no ``=======`` divider, no ``>>>>>>> REPLACE``,
a REPLACE marker without SEARCH, no determinable file name) is reported in
:attr:`ParseResult.failures`, never skipped silently.

Applying (:func:`plan_edits`, :func:`apply_edits`) is all-or-nothing: every
path is checked with :func:`safe_path`, every new file content is computed in
memory, and only when every block applies cleanly are files written (each via
a temporary file and :func:`os.replace`; if a write fails, the files already
written are restored). A SEARCH section is located, in order, by

1. an exact line match;
2. a match ignoring trailing whitespace (and CR) on each line;
3. a match where every line's indentation drifted by the same prefix; the
   REPLACE section is then re-indented by the same delta;
4. steps 1-3 again with blank lines at the edges of SEARCH dropped.

The first step that finds exactly one place wins; more than one place is an
ambiguity error. A block that matches nowhere is an error that shows the
closest region of the file (a bounded fuzzy search, used only to explain the
failure). Blocks for one file apply in order on the evolving content. A file's
line endings (per line; new lines get the file's dominant ending), its UTF-8
BOM and its final-newline state are preserved.

Creating files: an empty (or whitespace-only) SEARCH creates the file. If the
file already exists, the block is accepted only when the file is empty
(whitespace-only) or already has exactly the REPLACE content (so rerunning the
same answer is harmless); otherwise it is refused, because silently
overwriting or appending to an existing file is the kind of damage a
misremembered path causes.
"""

from __future__ import annotations

import difflib
import heapq
import os
import re
import secrets
import stat
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from duo_tui.errors import EditError, UnsafePathError

__all__ = [
    "ApplyResult",
    "BlockFailure",
    "EditApplyError",
    "EditBlock",
    "ParseResult",
    "apply_edits",
    "apply_text",
    "format_failures_for_model",
    "parse_edits",
    "plan_edits",
    "safe_path",
]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class EditBlock:
    """One SEARCH/REPLACE block.

    ``search`` and ``replace`` are newline-terminated lines ("" when empty);
    ``index`` is the block's 1-based position in the executor's answer,
    counting malformed blocks too, so numbers match what the model wrote.
    """

    path: str
    search: str
    replace: str
    index: int


@dataclass(frozen=True)
class BlockFailure:
    """Why one block could not be parsed or applied (``path`` may be "")."""

    index: int
    path: str
    message: str


@dataclass
class ParseResult:
    """The well-formed blocks of an answer and the malformed ones."""

    blocks: list[EditBlock] = field(default_factory=list)
    failures: list[BlockFailure] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """The failure messages, one per malformed block."""
        return [f.message for f in self.failures]

    @property
    def ok(self) -> bool:
        """True when no block was malformed."""
        return not self.failures


@dataclass
class ApplyResult:
    """What :func:`apply_edits` did; paths are POSIX, relative to the root."""

    changed: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    deleted_lines: int = 0
    added_lines: int = 0


class EditApplyError(EditError):
    """One or more blocks could not be applied; nothing was written.

    ``str()`` is a readable multi-line report naming each file and block.
    """

    def __init__(self, failures: Sequence[BlockFailure]) -> None:
        self.failures: list[BlockFailure] = list(failures)
        count = len(self.failures)
        head = f"{count} edit block{'s' if count != 1 else ''} failed; no file was changed."
        super().__init__("\n\n".join([head, *(f.message for f in self.failures)]))


# ------------------------------------------------------------------------ parsing

# Markers: 5-9 characters, optional surrounding whitespace, keyword in any case.
_SEARCH_RE = re.compile(r"^\s*<{5,9}\s*SEARCH\s*$", re.IGNORECASE)
_DIVIDER_RE = re.compile(r"^\s*={5,9}\s*$")
_REPLACE_RE = re.compile(r"^\s*>{5,9}\s*REPLACE\s*$", re.IGNORECASE)
_FENCE_RE = re.compile(r"^\s*(?:`{3,}|~{3,})\s*(.*?)\s*$")

# A bare path: word characters, dots, dashes, slashes; no spaces.
_PATHLIKE_RE = re.compile(r"^[\w.@+~\-/\\]+$")
_HAS_EXT_RE = re.compile(r"\.[A-Za-z][A-Za-z0-9_+-]{0,11}$")
# Names models write without an extension.
_KNOWN_BARE_NAMES = frozenset(
    {
        "Makefile",
        "Dockerfile",
        "Containerfile",
        "Procfile",
        "Gemfile",
        "Rakefile",
        "Justfile",
        "justfile",
        "Vagrantfile",
        "LICENSE",
        "CODEOWNERS",
        "README",
        "CHANGELOG",
    }
)
_LIST_PREFIX_RE = re.compile(r"^(?:[-*+]\s+|\d+[.)]\s+)")
_COMMENT_PREFIX_RE = re.compile(r"^(?:#+|//+|--|;+|<!--)\s*")
_LABEL_PREFIX_RE = re.compile(
    r"^(?:(?:new|updated?|modified|created?|edited?)\s+)?(?:file\s*name|file|path)\s*(?::\s*|\s+)",
    re.IGNORECASE,
)
_TRAILING_PAREN_RE = re.compile(r"\s*\([^()]*\)\s*$")
_PROSE_TOKEN_RE = re.compile(r"`([^`\s]+)`|\*\*([^*\s]+)\*\*")


def _is_pathlike(token: str, *, strict: bool) -> bool:
    """Does ``token`` look like a file path (``strict``: needs an extension or a slash)?"""
    if not token or not _PATHLIKE_RE.match(token):
        return False
    if not any(ch.isalnum() for ch in token) or token.endswith((".", "/", "\\")):
        return False
    if "/" in token or "\\" in token or _HAS_EXT_RE.search(token):
        return True
    return not strict and token in _KNOWN_BARE_NAMES


def _normalize_path(token: str) -> str:
    """Backslashes to slashes and no leading ``./`` (models write both)."""
    path = token.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _filename_from_line(line: str) -> str | None:
    """The path if the whole line is a (decorated) file name, else None."""
    text = line.strip()
    if not text or len(text) > 300:
        return None
    # Peel decorations until nothing changes: list bullets, headings/comments,
    # "File:" labels, bold/italic/backticks/quotes, a trailing colon or
    # "(new file)" remark. The order varies between models, hence the loop.
    for _ in range(6):
        before = text
        text = _LIST_PREFIX_RE.sub("", text)
        text = _COMMENT_PREFIX_RE.sub("", text)
        text = text.removesuffix("-->").strip()
        text = _LABEL_PREFIX_RE.sub("", text)
        text = _TRAILING_PAREN_RE.sub("", text)
        text = text.rstrip(":").strip()
        text = text.strip("*`'\"").strip()  # not "_": __init__.py
        if text == before:
            break
    return _normalize_path(text) if _is_pathlike(text, strict=False) else None


def _filename_from_prose(line: str) -> str | None:
    """A path quoted in prose ("Now update `src/a.py`:"), if exactly one is."""
    found = {
        _normalize_path(a or b)
        for a, b in _PROSE_TOKEN_RE.findall(line)
        if _is_pathlike(a or b, strict=True)
    }
    return found.pop() if len(found) == 1 else None


def _filename_from_fence_info(info: str) -> str | None:
    """A path in a fence's info string: ```src/a.py, ```py:src/a.py, ```python title="a.py"."""
    for token in re.split(r"[\s:]+", info):
        token = token.split("=", 1)[-1].strip("\"'`")
        if _is_pathlike(token, strict=True):
            return _normalize_path(token)
    return None


def _search_follows(lines: Sequence[str], start: int) -> bool:
    """Does a SEARCH marker come within the next few non-blank lines (no fence between)?"""
    seen = 0
    for line in lines[start:]:
        if not line.strip():
            continue
        if _SEARCH_RE.match(line):
            return True
        if _FENCE_RE.match(line) or _DIVIDER_RE.match(line) or _REPLACE_RE.match(line):
            return False
        seen += 1
        if seen >= 3:
            return False
    return False


def _to_text(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)


def parse_edits(text: str) -> ParseResult:
    """Split an executor's answer into SEARCH/REPLACE blocks.

    The file name of a block is the most recent name seen since the previous
    block ended: a line that is only a (decorated) path wins over a path quoted
    in prose; a fence that does not lead into a block forgets what was seen.
    Without any, the block inherits the previous block's file. Malformed blocks
    become :class:`BlockFailure` entries with the block number and line.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    result = ParseResult()
    name: str | None = None  # a line that is just a path
    prose_name: str | None = None  # a path quoted in a prose line
    last_path: str | None = None
    index = 0
    i = 0
    total = len(lines)

    def fail(idx: int, path: str | None, message: str) -> None:
        where = f" ({path})" if path else ""
        result.failures.append(BlockFailure(idx, path or "", f"Block {idx}{where}: {message}"))

    while i < total:
        line = lines[i]
        if _SEARCH_RE.match(line):
            index += 1
            path = name or prose_name or last_path
            if path is not None:
                last_path = path
            name = prose_name = None
            start = i
            j = i + 1
            while j < total and not (
                _DIVIDER_RE.match(lines[j])
                or _SEARCH_RE.match(lines[j])
                or _REPLACE_RE.match(lines[j])
            ):
                j += 1
            if j >= total or not _DIVIDER_RE.match(lines[j]):
                fail(index, path, f"line {start + 1}: SEARCH section has no ======= divider.")
                # Skip past a REPLACE marker; before a new SEARCH marker rescan the
                # lines in between, they may name the next block's file.
                i = j + 1 if j < total and _REPLACE_RE.match(lines[j]) else start + 1
                continue
            k = j + 1
            while k < total and not (_REPLACE_RE.match(lines[k]) or _SEARCH_RE.match(lines[k])):
                k += 1
            if k >= total or not _REPLACE_RE.match(lines[k]):
                fail(index, path, f"line {start + 1}: block has no >>>>>>> REPLACE marker.")
                i = j + 1  # rescan: the next block's file name may be in there
                continue
            if path is None:
                fail(
                    index,
                    None,
                    f"line {start + 1}: no file name before the block; put the file's path "
                    "on the line before the opening ``` fence.",
                )
            else:
                search = _to_text(lines[i + 1 : j])
                replace = _to_text(lines[j + 1 : k])
                result.blocks.append(EditBlock(path, search, replace, index))
            i = k + 1
            continue
        if _REPLACE_RE.match(line):
            # A REPLACE marker outside a block: the model dropped the SEARCH marker.
            index += 1
            path = name or prose_name or last_path
            fail(index, path, f"line {i + 1}: >>>>>>> REPLACE without a <<<<<<< SEARCH marker.")
            name = prose_name = None
            i += 1
            continue
        fence = _FENCE_RE.match(line)
        if fence:
            # A fence that does not lead into a block (a closing fence, a shell
            # snippet) ends the context in which a file name was announced.
            if not _search_follows(lines, i + 1):
                name = prose_name = None
            info_name = _filename_from_fence_info(fence.group(1))
            if info_name:
                name = info_name
        elif candidate := _filename_from_line(line):
            name = candidate
        elif candidate := _filename_from_prose(line):
            prose_name = candidate
        i += 1
    return result


# ----------------------------------------------------------------------- paths


def _is_git_component(part: str) -> bool:
    # ".git" in any case; also ".git." / ".git " which Windows maps to ".git".
    return part.rstrip(". ").lower() == ".git" or part.lower() == ".git"


def safe_path(root: Path, rel: str) -> Path:
    """The absolute, symlink-resolved location of ``rel`` inside ``root``.

    Raises :class:`UnsafePathError` for empty or absolute paths, ``~``, any
    ``..`` component, NUL bytes, anything named ``.git`` (any case, at any
    depth: the directory, its contents, a worktree's ``.git`` file), and any
    path whose resolved location (following symlinks anywhere on the way,
    including a symlinked final file) is outside ``root`` or inside ``.git``.
    Backslashes count as separators. Symlinks that stay inside ``root`` are
    followed, so the returned path is where bytes would really be written.
    """
    if not rel or not rel.strip() or "\0" in rel:
        raise UnsafePathError(f"Refusing the empty or invalid path {rel!r}.")
    text = rel.replace("\\", "/")
    if text.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", text):
        raise UnsafePathError(f"Refusing {rel!r}: edits must use paths relative to the repository.")
    parts = [p for p in PurePosixPath(text).parts if p not in ("", ".")]
    if not parts:
        raise UnsafePathError(f"Refusing {rel!r}: it names the repository root, not a file.")
    if ".." in parts:
        raise UnsafePathError(f"Refusing {rel!r}: '..' may not appear in an edit path.")
    if any(_is_git_component(p) for p in parts):
        raise UnsafePathError(f"Refusing {rel!r}: nothing inside .git may be edited.")
    try:
        real_root = root.resolve(strict=True)
    except OSError as exc:
        raise EditError(f"The repository root {root} does not exist: {exc}") from exc
    try:
        resolved = real_root.joinpath(*parts).resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loops and friends
        raise UnsafePathError(f"Refusing {rel!r}: cannot resolve it ({exc}).") from exc
    if not resolved.is_relative_to(real_root) or resolved == real_root:
        raise UnsafePathError(f"Refusing {rel!r}: it resolves outside the repository ({resolved}).")
    if any(_is_git_component(p) for p in resolved.relative_to(real_root).parts):
        raise UnsafePathError(f"Refusing {rel!r}: it resolves into .git ({resolved}).")
    return resolved


# --------------------------------------------------------------------- matching


def _lines(text: str) -> list[str]:
    """Newline-terminated text to a list of lines (no terminators)."""
    if not text:
        return []
    text = text.replace("\r\n", "\n")
    return text.removesuffix("\n").split("\n")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _find_exact(bodies: Sequence[str], search: Sequence[str]) -> list[int]:
    n = len(search)
    first = search[0]
    return [
        i
        for i in range(len(bodies) - n + 1)
        if bodies[i] == first and list(bodies[i : i + n]) == list(search)
    ]


def _find_rstrip(bodies: Sequence[str], search: Sequence[str]) -> list[int]:
    n = len(search)
    stripped = [s.rstrip() for s in search]
    first = stripped[0]
    hits = []
    for i in range(len(bodies) - n + 1):
        if bodies[i].rstrip() != first:
            continue
        if all(bodies[i + k].rstrip() == stripped[k] for k in range(1, n)):
            hits.append(i)
    return hits


@dataclass(frozen=True)
class _Drift:
    """Indentation delta: the file has ``add`` more, or ``remove`` less, than SEARCH."""

    add: str = ""
    remove: str = ""

    def apply(self, line: str) -> str:
        if not line.strip():
            return line
        if self.add:
            return self.add + line
        if line.startswith(self.remove):
            return line[len(self.remove) :]
        # The line is less indented than the SEARCH base: drop what indentation it has.
        lead = _indent(line)
        return line[min(len(lead), len(self.remove)) :]


def _drift_at(bodies: Sequence[str], search: Sequence[str], i: int) -> _Drift | None:
    """The uniform indentation drift that makes ``search`` match at ``i``, if any."""
    drift: _Drift | None = None
    for k, s in enumerate(search):
        f = bodies[i + k]
        s_r, f_r = s.rstrip(), f.rstrip()
        if not s_r or not f_r:
            if s_r or f_r:  # blank lines must line up with blank lines
                return None
            continue
        if s_r.lstrip() != f_r.lstrip():
            return None
        s_ind, f_ind = _indent(s_r), _indent(f_r)
        if drift is None:
            if f_ind.endswith(s_ind):
                drift = _Drift(add=f_ind[: len(f_ind) - len(s_ind)])
            elif s_ind.endswith(f_ind):
                drift = _Drift(remove=s_ind[: len(s_ind) - len(f_ind)])
            else:
                return None
        elif drift.add or not drift.remove:
            if f_ind != drift.add + s_ind:
                return None
        elif s_ind != drift.remove + f_ind:
            return None
    return drift or _Drift()


def _find_drift(bodies: Sequence[str], search: Sequence[str]) -> list[tuple[int, _Drift]]:
    n = len(search)
    # Cheap prefilter: the first non-blank SEARCH line's text must occur on its file line.
    offset, key = next(((k, s.strip()) for k, s in enumerate(search) if s.strip()), (0, ""))
    hits = []
    for i in range(len(bodies) - n + 1):
        if key not in bodies[i + offset]:
            continue
        drift = _drift_at(bodies, search, i)
        if drift is not None:
            hits.append((i, drift))
    return hits


def _trim_edges(search: list[str], replace: list[str]) -> tuple[list[str], list[str]] | None:
    """SEARCH without blank edge lines (REPLACE loses the same blank edges if it has them)."""
    lead = 0
    while lead < len(search) and not search[lead].strip():
        lead += 1
    tail = 0
    while tail < len(search) - lead and not search[len(search) - 1 - tail].strip():
        tail += 1
    if lead == 0 and tail == 0:
        return None
    new_search = search[lead : len(search) - tail]
    new_replace = list(replace)
    for _ in range(lead):
        if new_replace and not new_replace[0].strip():
            new_replace.pop(0)
    for _ in range(tail):
        if new_replace and not new_replace[-1].strip():
            new_replace.pop()
    return new_search, new_replace


@dataclass(frozen=True)
class _Match:
    start: int
    length: int
    replace: list[str]


class _Ambiguous(Exception):
    def __init__(self, starts: list[int], how: str) -> None:
        super().__init__(how)
        self.starts = starts
        self.how = how


def _locate(bodies: Sequence[str], search: list[str], replace: list[str]) -> _Match | None:
    """Find the one place ``search`` matches; raise :class:`_Ambiguous` for several."""
    variants = [(search, replace)]
    trimmed = _trim_edges(search, replace)
    if trimmed is not None and trimmed[0]:
        variants.append(trimmed)
    for s, r in variants:
        n = len(s)
        if n > len(bodies):
            continue
        exact = _find_exact(bodies, s)
        if len(exact) > 1:
            raise _Ambiguous(exact, "exactly")
        if exact:
            return _Match(exact[0], n, list(r))
        loose = _find_rstrip(bodies, s)
        if len(loose) > 1:
            raise _Ambiguous(loose, "ignoring trailing whitespace")
        if loose:
            return _Match(loose[0], n, list(r))
        drifted = _find_drift(bodies, s)
        if len(drifted) > 1:
            raise _Ambiguous([d[0] for d in drifted], "ignoring an indentation shift")
        if drifted:
            start, drift = drifted[0]
            return _Match(start, n, [drift.apply(line) for line in r])
    return None


# Bounds for the explanatory fuzzy search, so a failure never takes long.
_FUZZY_CANDIDATES = 8
_FUZZY_MAX_LINES = 50_000
_FUZZY_LINE_CHARS = 400
_WORD_RE = re.compile(r"\w+")


def _line_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(
        None, a.strip()[:_FUZZY_LINE_CHARS], b.strip()[:_FUZZY_LINE_CHARS]
    ).ratio()


def _closest_region(bodies: Sequence[str], search: Sequence[str]) -> tuple[int, int, float] | None:
    """(start, length, similarity) of the region most like ``search``.

    Windows of SEARCH's length are ranked by how much of each line's words
    occur in SEARCH (linear, via prefix sums); only the best few are then
    compared line by line with :class:`difflib.SequenceMatcher`.
    """
    if not bodies or not search:
        return None
    bodies = bodies[:_FUZZY_MAX_LINES]
    win = min(len(search), len(bodies))
    words = {w for s in search for w in _WORD_RE.findall(s)}
    prefix = [0.0]
    for line in bodies:
        found = _WORD_RE.findall(line)
        share = sum(1 for w in found if w in words) / len(found) if found else 0.0
        prefix.append(prefix[-1] + share)
    starts = range(len(bodies) - win + 1)
    picks = heapq.nlargest(
        _FUZZY_CANDIDATES, starts, key=lambda i: (prefix[i + win] - prefix[i], -i)
    )
    best: tuple[float, int] = (-1.0, 0)
    for i in sorted(picks):
        pairs = zip(search[:win], bodies[i : i + win], strict=True)
        ratio = sum(_line_similarity(a, b) for a, b in pairs) / len(search)
        if ratio > best[0]:
            best = (ratio, i)
    return best[1], win, best[0]


def _no_match_message(
    block: EditBlock, bodies: Sequence[str], search: Sequence[str], evolved: bool
) -> str:
    head = f"Block {block.index} ({block.path}): the SEARCH section does not match the file"
    head += " (as changed by the earlier blocks for it)." if evolved else "."
    region = _closest_region(bodies, search)
    if region is None:
        return head + " The file is empty."
    start, length, ratio = region
    shown = bodies[start : start + min(length, 40)]
    width = len(str(start + len(shown)))
    listing = "\n".join(f"  {start + k + 1:>{width}} | {text}" for k, text in enumerate(shown))
    if length > len(shown):
        listing += f"\n  {'':>{width}} | ... ({length - len(shown)} more lines)"
    out = [
        head,
        f"Closest region: lines {start + 1}-{start + length}, {ratio:.0%} similar:",
        listing,
    ]
    diff = list(
        difflib.unified_diff(
            list(search), list(bodies[start : start + length]), "SEARCH", "file", n=0, lineterm=""
        )
    )[2:]
    if diff:
        out.append("Differences (- SEARCH, + file):")
        out.extend(f"  {d}" for d in diff[:30])
        if len(diff) > 30:
            out.append(f"  ... ({len(diff) - 30} more diff lines)")
    return "\n".join(out)


# --------------------------------------------------------------------- planning


def _split_lines(content: str) -> tuple[list[str], list[str]]:
    """Line bodies and their endings ("\\n", "\\r\\n", or "" for a last line without one)."""
    if not content:
        return [], []
    parts = content.split("\n")
    bodies: list[str] = []
    endings: list[str] = []
    for part in parts[:-1]:
        if part.endswith("\r"):
            bodies.append(part[:-1])
            endings.append("\r\n")
        else:
            bodies.append(part)
            endings.append("\n")
    if parts[-1]:
        bodies.append(parts[-1])
        endings.append("")
    return bodies, endings


@dataclass
class _FilePlan:
    rel: str
    target: Path
    existed: bool
    bom: bool = False
    bodies: list[str] = field(default_factory=list)
    endings: list[str] = field(default_factory=list)
    original: str | None = None
    mode: int | None = None
    applied: int = 0
    added: int = 0
    deleted: int = 0
    error: str | None = None  # why the file cannot be edited at all

    @property
    def newline(self) -> str:
        crlf = sum(1 for e in self.endings if e == "\r\n")
        lf = sum(1 for e in self.endings if e == "\n")
        return "\r\n" if crlf > lf else "\n"

    def content(self) -> str:
        text = "".join(b + e for b, e in zip(self.bodies, self.endings, strict=True))
        return ("\ufeff" + text) if self.bom else text

    def splice(self, start: int, length: int, new: list[str]) -> None:
        """Replace ``length`` lines at ``start`` by ``new``, keeping endings sensible."""
        at_end = start + length == len(self.bodies)
        no_final_newline = bool(self.endings) and self.endings[-1] == ""
        nl = self.newline
        self.bodies[start : start + length] = new
        self.endings[start : start + length] = [nl] * len(new)
        if at_end and no_final_newline and self.bodies:
            # Keep "no newline at end of file" when the edit touched the last line.
            self.endings[-1] = ""


def _load(rel: str, target: Path) -> _FilePlan:
    """Read ``target`` for planning; ``error`` is set if it cannot be edited."""
    plan = _FilePlan(rel=rel, target=target, existed=target.exists())
    if not plan.existed:
        # A new file needs its nearest existing ancestor to be a directory.
        parent = target.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            plan.error = f"{rel} cannot be created: {parent.name} is a file, not a directory."
        return plan
    if not target.is_file():
        plan.error = f"{rel} exists but is not a regular file."
        return plan
    try:
        text = target.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        plan.error = f"{rel} is not UTF-8 text; it cannot be edited with SEARCH/REPLACE."
        return plan
    except OSError as exc:
        plan.error = f"{rel} cannot be read: {exc}."
        return plan
    plan.mode = stat.S_IMODE(target.stat().st_mode)
    plan.original = text
    if text.startswith("\ufeff"):
        plan.bom = True
        text = text[1:]
    plan.bodies, plan.endings = _split_lines(text)
    return plan


def _count_changes(old: Sequence[str], new: Sequence[str]) -> tuple[int, int]:
    """(deleted, added) lines between two small line lists."""
    deleted = added = 0
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            deleted += i2 - i1
            added += j2 - j1
    return deleted, added


def _apply_block(plan: _FilePlan, block: EditBlock) -> str | None:
    """Apply one block to ``plan`` in memory; return an error message or None."""
    search = _lines(block.search)
    replace = _lines(block.replace)
    if not any(s.strip() for s in search):
        return _create(plan, block, replace)
    if not plan.existed and plan.applied == 0:
        return (
            f"Block {block.index} ({block.path}): the file does not exist. To create it, "
            "leave the SEARCH section empty; otherwise check the path."
        )
    try:
        match = _locate(plan.bodies, search, replace)
    except _Ambiguous as amb:
        where = ", ".join(str(s + 1) for s in amb.starts[:10])
        more = ", ..." if len(amb.starts) > 10 else ""
        return (
            f"Block {block.index} ({block.path}): the SEARCH section matches {len(amb.starts)} "
            f"places ({amb.how}), starting at lines {where}{more}. Include more surrounding "
            "lines so that it matches exactly one place."
        )
    if match is None:
        return _no_match_message(block, plan.bodies, search, evolved=plan.applied > 0)
    old = plan.bodies[match.start : match.start + match.length]
    deleted, added = _count_changes(old, match.replace)
    plan.deleted += deleted
    plan.added += added
    plan.splice(match.start, match.length, match.replace)
    plan.applied += 1
    return None


def _create(plan: _FilePlan, block: EditBlock, replace: list[str]) -> str | None:
    """An empty SEARCH: create the file, fill an empty one, or accept identical content."""
    current = plan.bodies
    if any(b.strip() for b in current):
        if [b.rstrip() for b in current] == [r.rstrip() for r in replace]:
            return None  # already has this content: a rerun of the same answer
        return (
            f"Block {block.index} ({block.path}): the SEARCH section is empty, which creates a "
            "new file, but the file already exists with other content. To change it, quote the "
            "lines to replace in SEARCH."
        )
    nl = plan.newline if plan.endings else "\n"
    plan.bodies = list(replace)
    plan.endings = [nl] * len(replace)
    plan.added += len(replace)
    plan.applied += 1
    return None


def _plan(root: Path, blocks: Sequence[EditBlock]) -> list[_FilePlan]:
    """Check paths, then compute every file's new content; raise on any failure."""
    targets: list[tuple[EditBlock, Path]] = []
    unsafe: list[str] = []
    for block in blocks:
        try:
            targets.append((block, safe_path(root, block.path)))
        except UnsafePathError as exc:
            unsafe.append(f"Block {block.index} ({block.path}): {exc}")
    if unsafe:
        raise UnsafePathError("Nothing was written.\n" + "\n".join(unsafe))

    real_root = root.resolve()
    plans: dict[Path, _FilePlan] = {}
    failures: list[BlockFailure] = []
    for block, target in targets:
        plan = plans.get(target)
        if plan is None:
            plan = plans[target] = _load(target.relative_to(real_root).as_posix(), target)
        if plan.error:
            unusable = f"Block {block.index} ({block.path}): {plan.error}"
            failures.append(BlockFailure(block.index, block.path, unusable))
            continue
        # Later blocks still run after a failure, so the model hears about all of them.
        message = _apply_block(plan, block)
        if message:
            failures.append(BlockFailure(block.index, block.path, message))
    if failures:
        raise EditApplyError(failures)
    return [
        p
        for p in plans.values()
        if (not p.existed and p.applied) or (p.existed and p.content() != p.original)
    ]


def plan_edits(root: Path, blocks: Sequence[EditBlock]) -> dict[str, str]:
    """Every file's new content (POSIX path relative to ``root`` -> text), written nowhere.

    Only files that would change or be created are included. Raises
    :class:`UnsafePathError` if any block's path is unsafe, else
    :class:`EditApplyError` listing every block that does not apply.
    """
    return {p.rel: p.content() for p in _plan(root, blocks)}


# ---------------------------------------------------------------------- writing


def _write_atomic(path: Path, data: bytes, mode: int | None) -> None:
    """Write via a temporary file in the same directory and :func:`os.replace`."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.duo-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


def _make_parents(path: Path, created: list[Path]) -> None:
    """Create missing parent directories, remembering them for a rollback."""
    missing = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir()
        created.append(directory)


def apply_edits(root: Path, blocks: Sequence[EditBlock]) -> ApplyResult:
    """Apply ``blocks`` under ``root`` all-or-nothing and say what changed.

    Raises :class:`UnsafePathError` or :class:`EditApplyError` (nothing
    written) when planning fails, and :class:`EditError` if writing fails, after
    restoring every file already written and removing created directories.
    """
    plans = _plan(root, blocks)
    written: list[_FilePlan] = []
    made_dirs: list[Path] = []
    try:
        for plan in plans:
            if not plan.existed:
                _make_parents(plan.target, made_dirs)
            _write_atomic(plan.target, plan.content().encode("utf-8"), plan.mode)
            written.append(plan)
    except BaseException as exc:
        problems = _rollback(written, made_dirs)
        if not isinstance(exc, OSError):
            raise  # an interrupt or a bug: still undone, but not disguised
        note = " Rollback problems: " + "; ".join(problems) if problems else ""
        raise EditError(
            f"Writing the edits failed ({exc}); the {len(written)} file(s) already written "
            f"were restored, nothing was changed.{note}"
        ) from exc
    result = ApplyResult()
    for plan in plans:
        (result.changed if plan.existed else result.created).append(plan.rel)
        result.added_lines += plan.added
        result.deleted_lines += plan.deleted
    return result


def _rollback(written: list[_FilePlan], made_dirs: list[Path]) -> list[str]:
    """Undo writes in reverse order; return what could not be undone."""
    problems = []
    for plan in reversed(written):
        try:
            if plan.existed and plan.original is not None:
                _write_atomic(plan.target, plan.original.encode("utf-8"), plan.mode)
            else:
                plan.target.unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"{plan.rel}: {exc}")
    for directory in reversed(made_dirs):
        with suppress(OSError):
            directory.rmdir()
    return problems


def apply_text(root: Path, text: str) -> ApplyResult:
    """Parse an executor's answer and apply it; malformed blocks abort before any write."""
    parsed = parse_edits(text)
    if parsed.failures:
        raise EditApplyError(parsed.failures)
    return apply_edits(root, parsed.blocks)


# ------------------------------------------------------------------- feedback


def format_failures_for_model(error: EditError) -> str:
    """The text to put into the rerun prompt after ``error`` (from parse or apply)."""
    if isinstance(error, EditApplyError):
        body = "\n\n".join(f.message for f in error.failures)
        count = len(error.failures)
        lead = f"{count} of your SEARCH/REPLACE block{'s' if count != 1 else ''} failed"
    else:
        body = str(error)
        lead = "Your SEARCH/REPLACE edits were refused"
    return (
        f"{lead}, so NONE of your edits were applied; the files are unchanged.\n\n"
        f"{body}\n\n"
        "Send the complete set of SEARCH/REPLACE blocks again, including the blocks that did "
        "not fail. Put the file's path on the line before each fence. Copy every SEARCH line "
        "exactly from the current file (indentation, comments, blank lines) and include enough "
        "lines that it matches exactly one place. Use an empty SEARCH only to create a new file, "
        "and only paths inside the repository."
    )

"""Parse an executor's answer into SEARCH/REPLACE blocks (:func:`parse_edits`).

Accepts the variants models really write; every malformed block becomes a
:class:`~duo_tui.core.edits.model.BlockFailure`, never a silent skip.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from duo_tui.core.edits.model import BlockFailure, EditBlock, ParseResult

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

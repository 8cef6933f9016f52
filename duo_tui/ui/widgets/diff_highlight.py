"""Syntax highlighting of a diff's code with pygments, lazily, a chunk of a hunk at a time.

`DiffHighlighter` gives the tokens of one hunk line as (text, class) pairs,
the class being the suffix of a `diff-view--<class>` component class (`kw`,
`str`, `num`, ...) or None for plain text. It highlights `CHUNK_LINES` lines
of a hunk together, the first time a line of that chunk is asked for, so a
10,000-line new file costs no more to open than a 10-line one. `lexer_for`
picks the lexer by file name; pygments' lexer registry is imported on the
first diff, not at start-up. No Textual here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from pygments.token import Token, _TokenType

from duo_tui.ui.widgets.diff_rows import FileDiffLike, clean_code, split_sign

if TYPE_CHECKING:
    from pygments.lexer import Lexer

__all__ = ["CHUNK_LINES", "DiffHighlighter", "TokenRun", "lexer_for"]

CHUNK_LINES = 100
"""Lines of one hunk highlighted together (pygments runs at ~15k lines/s)."""

TokenRun = tuple[str, str | None]
"""A piece of a highlighted line: its text and its component class suffix (or None)."""

_FAST_LEXERS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".jsx": "jsx",
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".rb": "ruby",
    ".sh": "bash",
    ".md": "markdown",
    ".toml": "toml",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".html": "html",
    ".css": "css",
    ".sql": "sql",
}
"""Common suffixes looked up by alias: much faster than pygments' filename search."""

_LEXER_CLASSES: dict[str, type[Lexer]] = {}


def lexer_for(path: str) -> Lexer:
    """A pygments lexer for `path` (plain text if unknown); lookups are cached per suffix."""
    name = PurePosixPath(path).name
    suffix = PurePosixPath(name).suffix.lower()
    key = suffix or name
    cls = _LEXER_CLASSES.get(key)
    if cls is None:
        # pygments' lexer registry is imported on the first diff, not at start-up.
        from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name
        from pygments.lexers.special import TextLexer
        from pygments.util import ClassNotFound

        try:
            if suffix in _FAST_LEXERS:
                cls = type(get_lexer_by_name(_FAST_LEXERS[suffix]))
            else:
                found = find_lexer_class_for_filename(name)
                cls = found if found is not None else TextLexer
        except ClassNotFound:
            cls = TextLexer
        _LEXER_CLASSES[key] = cls
    return cls(stripnl=False, ensurenl=False, stripall=False)


# pygments token type -> component class suffix (first match walking up the parents).
_TOKEN_CLASSES: dict[_TokenType, str] = {
    Token.Keyword: "kw",
    Token.Operator.Word: "kw",
    Token.Name.Tag: "kw",
    Token.Name.Function: "func",
    Token.Name.Decorator: "func",
    Token.Name.Attribute: "func",
    Token.Name.Class: "class",
    Token.Name.Exception: "class",
    Token.Name.Builtin: "builtin",
    Token.Name.Constant: "num",
    Token.Literal.String: "str",
    Token.Literal.Number: "num",
    Token.Comment: "comment",
    Token.Operator: "op",
}


def _token_class(token: _TokenType, cache: dict[_TokenType, str | None]) -> str | None:
    if token in cache:
        return cache[token]
    found: str | None = None
    walk: _TokenType | None = token
    while walk is not None:
        if walk in _TOKEN_CLASSES:
            found = _TOKEN_CLASSES[walk]
            break
        walk = walk.parent
    cache[token] = found
    return found


class DiffHighlighter:
    """The tokens of the lines of `files`' hunks, each chunk highlighted on first use."""

    def __init__(self, files: Sequence[FileDiffLike] = ()) -> None:
        self._files = files
        self._chunks: dict[tuple[int, int], dict[int, list[list[TokenRun]]]] = {}
        self._lexers: dict[int, Lexer] = {}
        self._token_cache: dict[_TokenType, str | None] = {}

    def set_files(self, files: Sequence[FileDiffLike]) -> None:
        """Highlight another change: forget the chunks and lexers of the last one."""
        self._files = files
        self._chunks.clear()
        self._lexers.clear()

    def highlighted_chunks(self, fi: int, hi: int) -> set[int]:
        """Which chunks of hunk `hi` of file `fi` have been highlighted so far."""
        return set(self._chunks.get((fi, hi), ()))

    def _lexer(self, fi: int) -> Lexer:
        lexer = self._lexers.get(fi)
        if lexer is None:
            lexer = self._lexers[fi] = lexer_for(self._files[fi].path)
        return lexer

    def tokens(self, fi: int, hi: int, line: int) -> list[TokenRun]:
        """Tokens of one hunk line, highlighting its chunk on first use."""
        chunks = self._chunks.setdefault((fi, hi), {})
        chunk_index = line // CHUNK_LINES
        chunk = chunks.get(chunk_index)
        if chunk is None:
            hunk = self._files[fi].hunks[hi]
            first = chunk_index * CHUNK_LINES
            raw = hunk.lines[first : first + CHUNK_LINES]
            codes = [clean_code(split_sign(text)[1]) for text in raw]
            chunk = [[] for _ in codes]
            if raw:
                row = 0
                for token, value in self._lexer(fi).get_tokens("\n".join(codes) + "\n"):
                    kind = _token_class(token, self._token_cache)
                    parts = value.split("\n")
                    for n, part in enumerate(parts):
                        if n:
                            row += 1
                        if part and row < len(chunk):
                            chunk[row].append((part, kind))
            chunks[chunk_index] = chunk
        return chunk[line - chunk_index * CHUNK_LINES]

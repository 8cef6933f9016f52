"""The edit format's data: blocks, failures and results (see :mod:`duo_tui.core.edits`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from duo_tui.errors import EditError


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

"""Exceptions shared by the core, each carrying a message meant for a human."""

from __future__ import annotations


class DuoError(Exception):
    """Base class: the message says what went wrong and what to do about it."""

    exit_code = 1


class ConfigError(DuoError):
    """Bad configuration or command-line input; the CLI exits with 2."""

    exit_code = 2


class InvalidTransition(DuoError):
    """A stage was asked to move to a state it cannot reach from where it is."""


class EditError(DuoError):
    """An executor's edits could not be parsed or applied."""


class UnsafePathError(EditError):
    """An edit targets a path outside the repository or inside `.git/`."""


class ReviewParseError(DuoError):
    """A reviewer's output is not a valid `duo review v1` document."""

    def __init__(self, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


class SessionLockedError(DuoError):
    """Another duo-tui process holds the session (or repository) lock."""


class GitError(DuoError):
    """A git operation failed or the repository is not in a usable state."""


class DiskFullError(DuoError):
    """No space left on the device (or over quota); what was on disk before is intact."""

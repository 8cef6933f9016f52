"""Version control for sessions: the session worktree, diffs and hunks, the quality gate.

Plain Python (no Textual). The user's checkout is never modified except by an
explicit `SessionWorktree.apply_to_user_branch`.
"""

from duo_tui.vcs.commit import Identity, validate_commit_message
from duo_tui.vcs.diff import FileDiff, Hunk, hunk_patch, parse_diff
from duo_tui.vcs.gate import CommandResult, GateResult, run_gate
from duo_tui.vcs.revert import revert_hunks
from duo_tui.vcs.worktree import SessionWorktree

__all__ = [
    "CommandResult",
    "FileDiff",
    "GateResult",
    "Hunk",
    "Identity",
    "SessionWorktree",
    "hunk_patch",
    "parse_diff",
    "revert_hunks",
    "run_gate",
    "validate_commit_message",
]

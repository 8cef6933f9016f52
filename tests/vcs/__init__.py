"""Tests of `duo_tui.vcs`: git, the session worktree, diffs, commits, the gate."""

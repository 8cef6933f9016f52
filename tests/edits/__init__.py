"""Tests of `duo_tui.core.edits`: parsing an executor's answer and applying its blocks."""

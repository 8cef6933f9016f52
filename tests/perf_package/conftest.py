"""Tests of `duo_tui.ui.perf`'s speed-ups: skipped (with the reason) when the switch is off."""

from __future__ import annotations

import pytest

from duo_tui.ui import perf


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if perf.ENABLED:
        return
    skip = pytest.mark.skip(reason=f"render speed-ups off ({perf.REASON})")
    for item in items:
        if "perf_package" in item.nodeid and "test_switch" not in item.nodeid:
            item.add_marker(skip)

"""The convergence rule on the severities of the findings marked fix, on its own.

`core.convergence` judges a round with it; the triage checkpoint's notice
(`core.triage_summary`) names the marks it would leave unfixed. It is here, on
plain strings, so that the workbench (which imports the notice before its first
frame) does not import the pydantic models of `core.models`.
"""

from __future__ import annotations

from collections.abc import Iterable

CRITICAL = "critical"
HIGH = "high"
"""`Severity.CRITICAL.value` and `Severity.HIGH.value` (a test holds them equal)."""


def below_the_bar(severities: Iterable[str], max_high: int) -> bool:
    """The convergence rule on the severities of the findings marked fix: none critical
    and at most `max_high` high, so they alone make no fix round."""
    marked = [str(s) for s in severities]
    return CRITICAL not in marked and marked.count(HIGH) <= max_high

"""The audit log listing."""

from dataclasses import dataclass


@dataclass
class Entry:
    at: str
    actor: str
    action: str


def all_entries(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.at, reverse=True)


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` entries fill."""
    return total // page_size


def page(entries: list[Entry], number: int, page_size: int) -> list[Entry]:
    """Page `number` (1-based) of the newest-first listing."""
    ordered = all_entries(entries)
    start = (number - 1) * page_size
    return ordered[start : start + page_size]

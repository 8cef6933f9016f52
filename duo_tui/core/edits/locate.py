"""Locate a SEARCH section in a file: exact, trailing-whitespace, indentation drift, trimmed edges.

The first step that finds exactly one place wins; more than one is an ambiguity
(:class:`_Ambiguous`); none is ``None``, explained by :mod:`.diagnose`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def _lines(text: str) -> list[str]:
    """Newline-terminated text to a list of lines (no terminators)."""
    if not text:
        return []
    text = text.replace("\r\n", "\n")
    return text.removesuffix("\n").split("\n")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _find_exact(bodies: Sequence[str], search: Sequence[str]) -> list[int]:
    n = len(search)
    first = search[0]
    return [
        i
        for i in range(len(bodies) - n + 1)
        if bodies[i] == first and list(bodies[i : i + n]) == list(search)
    ]


def _find_rstrip(bodies: Sequence[str], search: Sequence[str]) -> list[int]:
    n = len(search)
    stripped = [s.rstrip() for s in search]
    first = stripped[0]
    hits = []
    for i in range(len(bodies) - n + 1):
        if bodies[i].rstrip() != first:
            continue
        if all(bodies[i + k].rstrip() == stripped[k] for k in range(1, n)):
            hits.append(i)
    return hits


@dataclass(frozen=True)
class _Drift:
    """Indentation delta: the file has ``add`` more, or ``remove`` less, than SEARCH."""

    add: str = ""
    remove: str = ""

    def apply(self, line: str) -> str:
        if not line.strip():
            return line
        if self.add:
            return self.add + line
        if line.startswith(self.remove):
            return line[len(self.remove) :]
        # The line is less indented than the SEARCH base: drop what indentation it has.
        lead = _indent(line)
        return line[min(len(lead), len(self.remove)) :]


def _drift_at(bodies: Sequence[str], search: Sequence[str], i: int) -> _Drift | None:
    """The uniform indentation drift that makes ``search`` match at ``i``, if any."""
    drift: _Drift | None = None
    for k, s in enumerate(search):
        f = bodies[i + k]
        s_r, f_r = s.rstrip(), f.rstrip()
        if not s_r or not f_r:
            if s_r or f_r:  # blank lines must line up with blank lines
                return None
            continue
        if s_r.lstrip() != f_r.lstrip():
            return None
        s_ind, f_ind = _indent(s_r), _indent(f_r)
        if drift is None:
            if f_ind.endswith(s_ind):
                drift = _Drift(add=f_ind[: len(f_ind) - len(s_ind)])
            elif s_ind.endswith(f_ind):
                drift = _Drift(remove=s_ind[: len(s_ind) - len(f_ind)])
            else:
                return None
        elif drift.add or not drift.remove:
            if f_ind != drift.add + s_ind:
                return None
        elif s_ind != drift.remove + f_ind:
            return None
    return drift or _Drift()


def _find_drift(bodies: Sequence[str], search: Sequence[str]) -> list[tuple[int, _Drift]]:
    n = len(search)
    # Cheap prefilter: the first non-blank SEARCH line's text must occur on its file line.
    offset, key = next(((k, s.strip()) for k, s in enumerate(search) if s.strip()), (0, ""))
    hits = []
    for i in range(len(bodies) - n + 1):
        if key not in bodies[i + offset]:
            continue
        drift = _drift_at(bodies, search, i)
        if drift is not None:
            hits.append((i, drift))
    return hits


def _trim_edges(search: list[str], replace: list[str]) -> tuple[list[str], list[str]] | None:
    """SEARCH without blank edge lines (REPLACE loses the same blank edges if it has them)."""
    lead = 0
    while lead < len(search) and not search[lead].strip():
        lead += 1
    tail = 0
    while tail < len(search) - lead and not search[len(search) - 1 - tail].strip():
        tail += 1
    if lead == 0 and tail == 0:
        return None
    new_search = search[lead : len(search) - tail]
    new_replace = list(replace)
    for _ in range(lead):
        if new_replace and not new_replace[0].strip():
            new_replace.pop(0)
    for _ in range(tail):
        if new_replace and not new_replace[-1].strip():
            new_replace.pop()
    return new_search, new_replace


@dataclass(frozen=True)
class _Match:
    start: int
    length: int
    replace: list[str]


class _Ambiguous(Exception):
    def __init__(self, starts: list[int], how: str) -> None:
        super().__init__(how)
        self.starts = starts
        self.how = how


def _locate(bodies: Sequence[str], search: list[str], replace: list[str]) -> _Match | None:
    """Find the one place ``search`` matches; raise :class:`_Ambiguous` for several."""
    variants = [(search, replace)]
    trimmed = _trim_edges(search, replace)
    if trimmed is not None and trimmed[0]:
        variants.append(trimmed)
    for s, r in variants:
        n = len(s)
        if n > len(bodies):
            continue
        exact = _find_exact(bodies, s)
        if len(exact) > 1:
            raise _Ambiguous(exact, "exactly")
        if exact:
            return _Match(exact[0], n, list(r))
        loose = _find_rstrip(bodies, s)
        if len(loose) > 1:
            raise _Ambiguous(loose, "ignoring trailing whitespace")
        if loose:
            return _Match(loose[0], n, list(r))
        drifted = _find_drift(bodies, s)
        if len(drifted) > 1:
            raise _Ambiguous([d[0] for d in drifted], "ignoring an indentation shift")
        if drifted:
            start, drift = drifted[0]
            return _Match(start, n, [drift.apply(line) for line in r])
    return None

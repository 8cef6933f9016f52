"""The human's corrections of a triage: split a pair, join two unpaired findings.

A correction works on the triage table (`duo_tui.core.convergence.group_table`:
the plain data the triage screen shows and `triage.json` stores), so the screen
and the core apply the very same function and agree on the result:

* ``split`` a group of two or more findings into one only-group per finding; the
  first keeps the group's key, the others get the key plus ``b``, ``c``, ...;
* ``join`` two only-groups of different reviewers into one pair (agree or
  severity), under the key of the one listed first.

Group keys stay stable, so decisions keyed by group survive a correction: a
split half starts from its pair's decision, a join keeps its first group's.
Each correction is a small dict (`split_group`, `join_groups` return it) that
`apply_corrections` replays by finding, not by key position; the decision log
and `triage.json` record them, labelled ``by: human``.
"""

from __future__ import annotations

import copy
import string
from typing import Any

from duo_tui.core.convergence import MergedFinding
from duo_tui.core.models import Finding, JudgeVerdict, Severity

__all__ = [
    "CorrectionError",
    "apply_corrections",
    "join_groups",
    "merged_from_groups",
    "split_group",
]


class CorrectionError(ValueError):
    """The correction does not apply to this triage (the message says why)."""


def _member_key(m: dict[str, Any]) -> str:
    return f"R{m['reviewer']}:{m['finding']['id']}"


def _rank(severity: Any) -> int:
    try:
        return Severity(str(severity)).rank
    except ValueError:
        return len(Severity)


def _summarise(g: dict[str, Any]) -> None:
    """Set kind, severity and title from the group's members."""
    members = g["members"]
    sevs = [m["finding"].get("severity") for m in members]
    g["severity"] = min(sevs, key=_rank)
    g["title"] = members[0]["finding"].get("title", "")
    if len(members) < 2:
        g["kind"] = "only"
    else:
        g["kind"] = "agree" if len(set(sevs)) == 1 else "severity"


def _index(groups: list[dict[str, Any]], key: str) -> int:
    for k, g in enumerate(groups):
        if g.get("key") == key:
            return k
    raise CorrectionError(f"no finding {key} in this triage")


def split_group(
    groups: list[dict[str, Any]], key: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`groups` with group `key` split into one only-group per finding, and the correction."""
    k = _index(groups, key)
    g = groups[k]
    if len(g["members"]) < 2:
        raise CorrectionError(f"{key} is one reviewer's finding: there is no pair to split")
    halves: list[dict[str, Any]] = []
    new_keys: list[str] = []
    for n, member in enumerate(g["members"]):
        half = {x: copy.deepcopy(v) for x, v in g.items() if x not in ("members", "carried")}
        if n == 0:
            half["key"] = key
            if "carried" in g:
                half["carried"] = copy.deepcopy(g["carried"])
        else:
            half["key"] = f"{key}{string.ascii_lowercase[min(n, 25)]}"
            new_keys.append(half["key"])
        half["members"] = [copy.deepcopy(member)]
        half["by"] = "human"
        _summarise(half)
        halves.append(half)
    correction = {
        "op": "split",
        "key": key,
        "findings": [_member_key(m) for m in g["members"]],
        "new_keys": new_keys,
        "by": "human",
    }
    return [*groups[:k], *halves, *groups[k + 1 :]], correction


def join_groups(
    groups: list[dict[str, Any]], first: str, second: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`groups` with the only-groups `first` and `second` (one finding of A, one of B)
    joined into one pair under the key of the one listed first, and the correction."""
    i, j = _index(groups, first), _index(groups, second)
    if i == j:
        raise CorrectionError("choose two different findings to join")
    i, j = min(i, j), max(i, j)
    g1, g2 = groups[i], groups[j]
    for g in (g1, g2):
        if len(g["members"]) != 1:
            raise CorrectionError(f"{g['key']} is already paired: split it first")
    r1, r2 = g1["members"][0]["reviewer"], g2["members"][0]["reviewer"]
    if r1 == r2:
        raise CorrectionError("both findings are the same reviewer's: join one of A with one of B")
    joined = copy.deepcopy(g1)  # its key, decision and carried-over note stay
    joined["members"] = sorted(
        [copy.deepcopy(g1["members"][0]), copy.deepcopy(g2["members"][0])],
        key=lambda m: m["reviewer"],
    )
    joined["by"] = "human"
    _summarise(joined)
    correction = {
        "op": "join",
        "key": g1["key"],
        "removed": g2["key"],
        "findings": [_member_key(m) for m in joined["members"]],
        "by": "human",
    }
    return [*groups[:i], joined, *groups[i + 1 : j], *groups[j + 1 :]], correction


def _group_of(groups: list[dict[str, Any]], finding: str) -> str:
    for g in groups:
        if any(_member_key(m) == finding for m in g["members"]):
            return str(g["key"])
    raise CorrectionError(f"no finding {finding} in this triage")


def apply_corrections(
    groups: list[dict[str, Any]], corrections: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Replay `corrections` on `groups`: (the corrected groups, the corrections that
    applied, as recorded, and why each other one did not)."""
    applied: list[dict[str, Any]] = []
    errors: list[str] = []
    for c in corrections:
        try:
            found = c.get("findings") if isinstance(c, dict) else None
            if not isinstance(found, list) or not found:
                raise CorrectionError("a correction names no findings")
            if c.get("op") == "split":
                groups, done = split_group(groups, _group_of(groups, str(found[0])))
            elif c.get("op") == "join" and len(found) == 2:
                keys = [_group_of(groups, str(x)) for x in found]
                groups, done = join_groups(groups, keys[0], keys[1])
            else:
                raise CorrectionError(f"unknown correction {str(c.get('op'))[:20]!r}")
        except CorrectionError as exc:
            errors.append(str(exc))
            continue
        applied.append(done)
    return groups, applied, errors


def merged_from_groups(groups: list[dict[str, Any]]) -> list[MergedFinding]:
    """The triage table back as `MergedFinding`s (what convergence is judged on)."""
    out: list[MergedFinding] = []
    for g in groups:
        members = tuple(
            (int(m["reviewer"]), Finding.model_validate(m["finding"])) for m in g["members"]
        )
        said = tuple(JudgeVerdict.model_validate(v) for v in g.get("judge") or [])
        out.append(
            MergedFinding(str(g["key"]), members, str(g["kind"]), str(g.get("by", "")), said)
        )
    return out

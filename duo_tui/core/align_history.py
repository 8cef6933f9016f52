"""What happened in the plan check (align): every round, kept, with the plan's versions.

Each align round is one check of one plan version by the executor (its whole
text and its verdict) and, when it objected, what the planner did: a revision
that became the next plan version, or -- for a plan the human wrote -- a
proposal waiting for the human's consent. The history is stored with the
session (`align/history.json`) and shown at the align checkpoint as Markdown:
each round's objection and the diff from the version it checked to the version
that answered it, so an objection never vanishes behind the final "ready".

Model text in the history is data: it is quoted, and a diff is fenced with a
fence longer than any backtick run inside it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from duo_tui.limits import SESSION_JSON_DEPTH, InputError, loads_json

ALIGN_HISTORY_FILE = "align/history.json"
MAX_DIFF_LINES = 400


@dataclass
class AlignRound:
    """One check of one plan version, and the planner's answer to it."""

    check: int  # 1, 2, ... across every run of the align stage of this session
    plan_version: int  # the version the executor checked
    verdict: str  # ready | blocking
    critique: str  # the executor's whole answer
    revised_to: int | None = None  # the plan version the planner's revision became
    proposal: bool = False  # the planner proposed a revision of the human's plan instead
    model: str = ""  # the executor's model


@dataclass
class AlignHistory:
    """Every align round of a session, oldest first."""

    rounds: list[AlignRound] = field(default_factory=list)

    def add(self, plan_version: int, verdict: str, critique: str, model: str = "") -> AlignRound:
        r = AlignRound(len(self.rounds) + 1, plan_version, verdict, critique, model=model)
        self.rounds.append(r)
        return r

    def to_json(self) -> str:
        return json.dumps({"rounds": [asdict(r) for r in self.rounds]}, indent=2)

    @classmethod
    def from_json(
        cls, text: str | None, on_problem: Callable[[str], None] | None = None
    ) -> AlignHistory:
        """The stored history; an unreadable one is an empty history (nothing is guessed),
        and `on_problem` is told why (not JSON, nested without end, wrong types)."""
        if not text:
            return cls()
        try:
            raw = loads_json(text, SESSION_JSON_DEPTH)
            rounds = raw.get("rounds", []) if isinstance(raw, dict) else None
            if not isinstance(rounds, list):
                raise TypeError("no list of rounds")
            return cls([_round(r) for r in rounds])
        except (ValueError, TypeError, InputError) as exc:
            if on_problem is not None:
                why = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                on_problem(why)
            return cls()


def _round(raw: Any) -> AlignRound:
    """One stored round, its fields type-checked (TypeError names the first wrong one)."""
    if not isinstance(raw, dict):
        raise TypeError("a round is not an object")
    r = AlignRound(**raw)
    for name, kinds in _ROUND_TYPES.items():
        value = getattr(r, name)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise TypeError(f"round {name} is {type(value).__name__}")
    return r


_ROUND_TYPES: dict[str, tuple[type, ...]] = {
    "check": (int,),
    "plan_version": (int,),
    "verdict": (str,),
    "critique": (str,),
    "revised_to": (int, type(None)),
    "proposal": (bool,),
    "model": (str,),
}


def plan_diff(old: str, new: str, old_version: int, new_version: int) -> str:
    """A unified diff between two plan versions (at most MAX_DIFF_LINES lines)."""
    lines = list(
        difflib.unified_diff(
            old.splitlines(),
            new.splitlines(),
            f"plan v{old_version}",
            f"plan v{new_version}",
            lineterm="",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"… {len(lines) - MAX_DIFF_LINES} more line(s)"]
    return "\n".join(lines)


def _fenced(text: str, lang: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def _quoted(text: str) -> str:
    return "\n".join("> " + line for line in (text.strip() or "(empty)").splitlines())


def history_markdown(
    history: AlignHistory,
    read_plan: Callable[[int], str],
    proposal: str | None = None,
) -> str:
    """The align checkpoint's account: every round, its objection, and the plan's diffs."""
    if not history.rounds:
        return ""
    out = [f"# Plan check: {len(history.rounds)} round(s)"]
    for r in history.rounds:
        by = f" · {r.model}" if r.model else ""
        out.append(f"\n## Round {r.check}: plan v{r.plan_version} · {r.verdict.upper()}{by}\n")
        out.append(_quoted(r.critique))
        if r.revised_to is not None:
            diff = plan_diff(
                read_plan(r.plan_version), read_plan(r.revised_to), r.plan_version, r.revised_to
            )
            out.append(f"\nThe planner revised the plan: v{r.plan_version} → v{r.revised_to}\n")
            out.append(_fenced(diff or "(no change)", "diff"))
        elif r.proposal and proposal is not None:
            diff = plan_diff(
                read_plan(r.plan_version), proposal, r.plan_version, r.plan_version + 1
            )
            out.append(
                f"\nThe planner proposes a revision of your plan v{r.plan_version} "
                "(not applied: U uses it, a keeps yours)\n"
            )
            out.append(_fenced(diff or "(no change)", "diff"))
    return "\n".join(out) + "\n"

"""Output budgets and timeouts of one call, sized for the model family.

One `max_tokens=8192` for every call cut reasoning models short: with OpenAI
reasoning models (o1, o3, o4, gpt-5.x) `max_completion_tokens` also pays for
the hidden reasoning, so a non-trivial change could come back empty. Here a
call's budget comes from, in order: `[roles] max_output_tokens` for its role,
`[providers.X] max_output_tokens`, then the model family's default. `ceiling`
is the most the model can write: a reply cut off at the budget is retried once
with a larger budget up to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from duo_tui.config import Config

#: (pattern on the model name, default budget, the model's output limit), first match wins.
FAMILIES: tuple[tuple[str, int, int], ...] = (
    (r"claude-3-5|claude-3-haiku|claude-3-opus|claude-3-sonnet", 8192, 8192),
    (r"claude-(opus-4-0|opus-4-1|opus-4$|opus-4-20|4-opus)", 32000, 32000),
    (r"claude-(opus|sonnet)-4-[6-9](\D|$)", 32000, 128000),  # Opus 4.6, 4.7, Sonnet 4.6
    (r"claude", 32000, 64000),  # Sonnet 3.7, 4 and 4.5, Haiku 4.5, Opus 4.5, later unknowns
    (r"(^|/)(o1|o3|o4)(-|$)", 32000, 100000),  # OpenAI o-series reasoning models
    (r"gpt-5|gpt-oss", 32000, 128000),  # reasoning by default
    (r"gpt-4o|chatgpt-4o", 16384, 16384),
    (r"gpt-4\.1", 32768, 32768),
)
DEFAULT_BUDGET = 8192
"""Any other model: what most APIs accept."""
DEFAULT_CEILING = 32768
"""Any other model: the retry of a cut-off reply asks for up to this much."""


@dataclass(frozen=True)
class Budget:
    """The output budget of one call and the most a retry may ask for."""

    tokens: int
    ceiling: int

    def larger(self) -> int | None:
        """The budget of the retry of a cut-off reply: double, up to the ceiling; None if no more."""
        bigger = min(self.tokens * 2, self.ceiling)
        return bigger if bigger > self.tokens else None


def family_budget(model: str) -> Budget:
    """The default budget and the output limit of `model` ("provider/name")."""
    name = model.split("/", 1)[-1].lower()
    for pattern, tokens, ceiling in FAMILIES:
        if re.search(pattern, name):
            return Budget(tokens, ceiling)
    return Budget(DEFAULT_BUDGET, DEFAULT_CEILING)


def output_budget(model: str, role: str, config: Config) -> Budget:
    """The budget of a `role` call (planner, executor, reviewer) to `model`.

    A configured budget is the user's word: it may pass the family's known limit
    (a newer model may write more), and then it is its own ceiling.
    """
    family = family_budget(model)
    provider = config.provider(model.split("/", 1)[0])
    configured = config.roles.max_output_tokens.get(role) or provider.max_output_tokens
    if configured is None:
        return family
    return Budget(configured, max(configured, family.ceiling))

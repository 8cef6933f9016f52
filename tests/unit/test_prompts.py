"""Tests for duo_tui.prompts.render: every placeholder filled, a missing one fails loudly."""

from __future__ import annotations

import re

import pytest

from duo_tui.prompts import render, template

NAMES = ["align", "execute", "fix", "plan", "rebuttal", "review", "revise", "system"]


def _placeholders(name: str) -> set[str]:
    tpl = template(name)
    found = set()
    for m in tpl.pattern.finditer(tpl.template):
        ident = m.group("named") or m.group("braced")
        if ident:
            found.add(ident)
    return found


def test_missing_value_raises_naming_the_placeholder() -> None:
    # review needs task, diff, files and reviewer; without diff the model would see "$diff"
    with pytest.raises(ValueError, match=r"'review' needs a value for \$diff"):
        render("review", task="T", files="F", reviewer="m")


@pytest.mark.parametrize("name", NAMES)
def test_every_placeholder_is_filled(name: str) -> None:
    names = _placeholders(name)
    assert names, f"{name} has no placeholders"
    values = {n: f"<<{n}-value>>" for n in names}
    out = render(name, **values)
    for n in names:
        assert f"<<{n}-value>>" in out
        assert not re.search(rf"\${{?{n}\b", out), f"${n} left in the {name} prompt"


def test_dollar_in_a_value_is_not_expanded_and_extras_are_ignored() -> None:
    out = render("system", constitution="costs $diff and ${task}", unused="x")
    assert "costs $diff and ${task}" in out

"""The demo after its first fix: what the scripted models do when the human asks for more.

The second reviews are clean but for a low and an info finding, which the
convergence rule leaves as they are. A human who marks one of them fix gets a fix
round (in manual mode their "fix" means what it says), so the demo answers it:
the executor fixes the findings the prompt asks for (`fix_asked`), with edits
that apply to the files as they are then, and the reviewers look at the result
(`review_after`): a finding whose fix is in the change is not reported again.
The same answers serve every later round, so the demo never runs out of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from duo_tui.demo.answers import edit, edits, review
from duo_tui.providers.base import ModelRequest

NAME_THE_CODE = "Error message could name the applied code"
README_CODES = "README does not mention discount codes"

_ALREADY = """\
        if self.discount_pct:
            raise ValueError("a discount code is already applied")
        self.discount_pct = pct
"""
_README_TESTS = "Run the tests with `python -m unittest discover -s tests`.\n"
_README_NOTE = (
    "## Discount codes\n\n"
    "`Cart.apply_code` takes SAVE10 (10% off) or SAVE25 (25% off), one code per cart.\n"
)

# (finding title, what must be in the prompt for the fix to apply, the fix's words, blocks)
_FIXES: list[tuple[str, str, str, str]] = [
    (
        NAME_THE_CODE,
        _ALREADY,
        "The cart keeps the applied code and the error names it.",
        edits(
            edit(
                "shop/cart.py",
                "        self.discount_pct = 0\n",
                '        self.discount_pct = 0\n        self.code = ""\n',
            ),
            edit(
                "shop/cart.py",
                _ALREADY,
                """\
        if self.discount_pct:
            raise ValueError(f"discount code {self.code} is already applied")
        self.discount_pct = pct
        self.code = code.upper()
""",
            ),
        ),
    ),
    (
        README_CODES,
        _README_TESTS,
        "The README says which codes exist (README.md is outside the task's files: "
        "decline the hunk if it should stay so).",
        edit("README.md", _README_TESTS, _README_TESTS + "\n" + _README_NOTE, lang="markdown"),
    ),
]


def _prompt(request: ModelRequest) -> str:
    return "\n".join(m.content for m in request.messages)


def fix_asked(
    first_fix: str, first: Callable[[str, ModelRequest], str]
) -> Callable[[str, ModelRequest], str]:
    """The scripted executor's answer to a fix prompt, made from what it asks.

    A later round's findings get their own edits, each only while what it changes is
    still there; any other fix (a rerun of the first one, a gate that failed, hunks
    the human declined) is the first answer's: `first` adapting `first_fix`.
    """

    def adapt(_text: str, request: ModelRequest) -> str:
        prompt = _prompt(request)
        said, blocks = [], []
        for title, needs, words, block in _FIXES:
            if title in prompt and needs in prompt:
                said.append(words)
                blocks.append(block)
        if not blocks:
            return first(first_fix, request)
        return " ".join(said) + "\n\n" + edits(*blocks)

    return adapt


# whether a later finding still holds, from the change under review (its prompt)
_STILL: dict[str, Callable[[str], bool]] = {
    NAME_THE_CODE: lambda prompt: '"a discount code is already applied"' in prompt,
    README_CODES: lambda prompt: "## Discount codes" not in prompt,
}


def review_after(
    reviewer: str, findings: list[dict[str, Any]]
) -> Callable[[str, ModelRequest], str]:
    """A reviewer's answer after a later fix: `findings` (the second reviews') less those
    whose fix is in the change under review."""

    def adapt(_text: str, request: ModelRequest) -> str:
        prompt = _prompt(request)
        left = [f for f in findings if _STILL.get(str(f["title"]), lambda _p: True)(prompt)]
        summary = (
            "The later fix addressed what was asked; nothing left."
            if not left
            else "The later fix is fine; one note stays."
        )
        return review(reviewer, "approve", 9 if left else 10, summary, left)

    return adapt


def findings_of(doc: str) -> list[dict[str, Any]]:
    """The findings of a scripted review document."""
    found = json.loads(doc).get("findings") or []
    return [f for f in found if isinstance(f, dict)]

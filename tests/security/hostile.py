"""Hostile model and repository text for the sanitiser tests (issue 16).

`PAYLOAD` is what an attacker would put in a finding title, a plan or a commit
subject: OSC 52 (writes `rm -rf ~` to the clipboard), OSC 0 (retitles the
window), CSI 2J (clears the screen), an 8-bit CSI, a lone CR that would let the
rest overwrite the line, and a right-to-left override.
`hostile_script()` is the demo session with the payload in the plan, the task
title, the commit subject, the review summaries and findings (one title also
holds console markup).
"""

from __future__ import annotations

import json

from duo_tui.demo.script import EXECUTOR, PLANNER, demo_script
from duo_tui.providers.scripted import Script, ScriptedAnswer

PAYLOAD = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\x1b[2J\x9b31m\rover\u202edrawkcab"
#: How `duo_tui.untrusted.clean` shows the payload.
VISIBLE = "␛]52;c;cm0gLXJmIH4=␇␛]0;pwned␇␛[2J\\x9b31m␍over<U+202E>drawkcab"

#: Console markup in a finding title: shown as typed, never styled or made clickable.
MARKUP = "[@click=app.quit]click[/] [$error]red[/]"

#: Characters that must never reach a terminal, a file or git from model text.
FORBIDDEN = "\x1b\x07\x9b\r\u202e"

COMMIT = "feat(cart): add percentage discount codes"
TASK_TITLE = "Add percentage discount codes to the cart"
FINDING_TITLE = "Discount codes stack: repeated codes push the total below zero"
REVIEW_SUMMARY = "The feature works for one code"
LARGE_TASK_TITLE = "Discount code table"
DOCSTRING = '"""Discount codes: code -> percent off."""'
#: What the executor writes into a source file (repository text from then on).
CODE_PAYLOAD = "\x1b]0;pwned\x07\u202e"


def _in_json(text: str) -> str:
    """`text` as it sits inside a JSON string literal."""
    return json.dumps(text)[1:-1]


def forbidden_in(text: str) -> list[str]:
    """The forbidden characters found in `text` (empty when it is safe to show)."""
    return sorted({repr(ch) for ch in text if ch in FORBIDDEN})


def hostile_script() -> Script:
    """The demo script with `PAYLOAD` in the plan prose, the manifest's commit subject
    (and task title, which an M plan does not show), two finding titles (one with
    `MARKUP` too) and a review summary; `CODE_PAYLOAD` in a file the executor writes."""
    return _swap(
        demo_script(),
        [
            # plans: prose (raw) and the manifest (JSON-escaped, as a model would write it)
            ("Let a shopper", "Let a shopper" + PAYLOAD),
            (COMMIT, COMMIT + _in_json(PAYLOAD)),
            (TASK_TITLE, TASK_TITLE + _in_json(PAYLOAD)),
            # reviews (JSON documents)
            (FINDING_TITLE, FINDING_TITLE + _in_json(MARKUP + PAYLOAD)),
            (REVIEW_SUMMARY, REVIEW_SUMMARY + _in_json(PAYLOAD)),
            (
                "apply_code adds percentages instead of replacing them",
                "apply_code adds" + _in_json(PAYLOAD),
            ),
            # the executor's edit: a new file's docstring (no CR: it must stay valid Python)
            (DOCSTRING, DOCSTRING[:-3] + CODE_PAYLOAD + '"""'),
        ],
    )


def hostile_large_script() -> Script:
    """The large demo (three tasks, sized L) with `PAYLOAD` in the first task's title."""
    from duo_tui.demo.large import large_script

    return _swap(large_script(), [(LARGE_TASK_TITLE, LARGE_TASK_TITLE + _in_json(PAYLOAD))])


def _swap(script: Script, swaps: list[tuple[str, str]]) -> Script:
    out: Script = {}
    for key, answers in script.items():
        new = []
        for answer in answers:
            text = answer.text
            for old, replacement in swaps:
                text = text.replace(old, replacement)
            new.append(ScriptedAnswer(text, answer.usage))
        out[key] = new
    return out


__all__ = [
    "CODE_PAYLOAD",
    "EXECUTOR",
    "FORBIDDEN",
    "MARKUP",
    "PAYLOAD",
    "PLANNER",
    "VISIBLE",
    "forbidden_in",
    "hostile_large_script",
    "hostile_script",
]

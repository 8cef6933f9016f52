"""Build small suites and scripted reviewers for the eval tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from duo_tui.core.models import Usage
from duo_tui.eval.suite import Suite
from duo_tui.providers.base import ModelRequest
from duo_tui.providers.scripted import ScriptedAnswer, ScriptedProvider

APP = """\
import sqlite3


def find_user(db, name):
    query = f"SELECT id FROM users WHERE name = '{name}'"
    return db.execute(query).fetchone()


def total(prices):
    s = 0.0
    for p in prices:
        s += p
    return s
"""

DIFF = """\
--- /dev/null
+++ b/app.py
@@ -0,0 +1,12 @@
""" + "".join(f"+{line}\n" for line in APP.splitlines())

CASE_TOML = """\
title = "Add user lookup and totals"
[[issue]]
file = "app.py"
line_start = 5
line_end = 6
severity = "critical"
category = "security"
description = "SQL injection: the name is formatted into the query string"

[[issue]]
file = "app.py"
line_start = 10
line_end = 12
severity = "high"
category = "money"
description = "Money summed as floats: prices accumulate binary rounding error"
"""


def write_case(root: Path, cid: str = "case-a", toml: str = CASE_TOML, diff: str = DIFF) -> Path:
    d = root / cid
    (d / "files").mkdir(parents=True)
    (d / "files" / "app.py").write_text(APP)
    # each case its own title: the scripted reviewers tell cases apart by it
    (d / "case.toml").write_text(toml.replace("totals", f"totals ({cid})", 1))
    (d / "change.diff").write_text(diff)
    return d


def finding(fid: str, severity: str, line: int, title: str, file: str = "app.py") -> dict:
    return {
        "id": fid,
        "severity": severity,
        "file": file,
        "line_start": line,
        "line_end": line,
        "title": title,
        "detail": title,
    }


SQLI = "SQL injection: user name formatted into the SELECT query string"
FLOAT = "Money summed as floats: prices accumulate rounding error in total"
BOGUS = "Function find_user lacks a docstring"


class Reviewers:
    """A scripted provider answering each (model, case) with given findings and a fixed cost."""

    def __init__(
        self,
        suite: Suite,
        findings: dict[tuple[str, str], list[dict]],
        cost: float = 0.01,
        chars_per_s: float = 0.0,
    ) -> None:
        self.suite = suite
        self.findings = findings
        self.cost = cost
        self.provider = ScriptedProvider(self._answer, chunk_chars=64, chars_per_s=chars_per_s)

    def _answer(self, request: ModelRequest) -> ScriptedAnswer:
        prompt = request.messages[-1].content
        case = self.case_of(prompt)
        review: dict[str, Any] = {
            "reviewer": request.model,
            "findings": self.findings.get((request.model, case.id), []),
        }
        return ScriptedAnswer(
            json.dumps(review),
            usage=Usage(input_tokens=1000, output_tokens=100, cost_usd=self.cost),
        )

    def case_of(self, prompt: str) -> Any:
        return next(c for c in self.suite.cases if f"Task: {c.title}\n" in prompt)

    def __call__(self, model: str) -> ScriptedProvider:
        return self.provider

    @property
    def calls(self) -> list[tuple[str, str]]:
        out = []
        for r in self.provider.requests:
            case = self.case_of(r.messages[-1].content)
            out.append((r.model, case.id))
        return out

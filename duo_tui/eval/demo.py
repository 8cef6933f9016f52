"""Scripted reviewers for `duo-tui eval --demo`: offline, deterministic, realistic.

Three scripted models review the built-in suite through the real review path
(`ScriptedProvider` behind `ModelCaller`). Each finds a different, overlapping
subset of the seeded issues (chosen by a stable hash, so every run gives the
same report), words its findings in its own way, sometimes misplaces a line,
and raises a few false alarms, some of them shared. Usage is counted from the
text and priced at each demo model's stated rate.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from duo_tui.core.models import Usage
from duo_tui.eval.suite import Case, Suite
from duo_tui.providers.base import ModelRequest, Provider
from duo_tui.providers.scripted import ScriptedAnswer, ScriptedProvider

__all__ = ["DEMO_MODELS", "demo_providers"]


@dataclass(frozen=True)
class _Persona:
    recall: float  # chance of finding a seeded issue
    false_alarm: float  # chance of a false alarm per case
    usd_in: float  # dollars per million input tokens
    usd_out: float
    voice: str  # how this reviewer opens a title


_PERSONAS = {
    "demo/alpha": _Persona(0.7, 0.45, 3.0, 15.0, "{}"),
    "demo/beta": _Persona(0.6, 0.35, 1.25, 10.0, "Bug: {}"),
    "demo/gamma": _Persona(0.45, 0.6, 0.25, 2.0, "Possible issue - {}"),
}
DEMO_MODELS = list(_PERSONAS)

# plausible findings that are not real defects in any built-in case
_FALSE_ALARMS = [
    ("low", "style", "Function is long; consider splitting it into smaller helpers"),
    ("medium", "validation", "Input is not validated before use; add explicit checks"),
    ("low", "docs", "Public function lacks a docstring describing its errors"),
    ("medium", "performance", "Repeated work inside the loop could be hoisted out"),
    ("info", "naming", "Variable name is ambiguous; a more descriptive name would help"),
]


def _chance(*parts: str) -> float:
    h = hashlib.sha256("\0".join(parts).encode()).digest()
    return int.from_bytes(h[:4], "big") / 2**32


def _review(model: str, case: Case) -> dict[str, object]:
    p = _PERSONAS[model]
    findings: list[dict[str, object]] = []
    for issue in case.issues:
        if _chance(model, case.id, issue.id) >= p.recall:
            continue
        shift = 1 if _chance(model, case.id, issue.id, "line") < 0.3 else 0
        # an issue about the whole change (the public benchmark's) has no lines to miss
        start = None if issue.line_start is None else issue.line_start + shift
        end = None if issue.line_end is None else issue.line_end + shift
        findings.append(
            {
                "id": f"F{len(findings) + 1}",
                "severity": issue.severity,
                "category": issue.category,
                "file": issue.file,
                "line_start": start,
                "line_end": end,
                "title": p.voice.format(issue.description.split(". ")[0]),
                "detail": issue.description,
            }
        )
    changed = case.changed_files()
    if changed and _chance(model, case.id, "fa") < p.false_alarm:
        # mostly a reviewer's own false alarm; now and then the one the case invites,
        # which two reviewers may then agree on (agreement is a signal, not a proof)
        seed = case.id if _chance(model, case.id, "shared") < 0.3 else f"{model}\0{case.id}"
        k = int(_chance(seed, "which") * len(_FALSE_ALARMS))
        sev, cat, title = _FALSE_ALARMS[k]
        file = changed[0]
        line = 1 + int(_chance(seed, "where") * max(1, len(case.files[file].splitlines())))
        findings.append(
            {
                "id": f"F{len(findings) + 1}",
                "severity": sev,
                "category": cat,
                "file": file,
                "line_start": line,
                "line_end": line,
                "title": title,
                "detail": title,
            }
        )
    verdict = "request_changes" if findings else "approve"
    return {
        "reviewer": model,
        "verdict": verdict,
        "score": 8 - min(6, 2 * len(findings)),
        "summary": f"{len(findings)} finding(s).",
        "findings": findings,
    }


def _script(suite: Suite) -> Callable[[ModelRequest], ScriptedAnswer]:
    def answer(request: ModelRequest) -> ScriptedAnswer:
        prompt = request.messages[-1].content if request.messages else ""
        case = next((c for c in suite.cases if c.diff in prompt), None)
        persona = _PERSONAS.get(request.model)
        if case is None or persona is None:
            text = json.dumps({"reviewer": request.model, "findings": []})
        else:
            text = "```json\n" + json.dumps(_review(request.model, case), indent=1) + "\n```"
        tokens_in = (len(request.system) + len(prompt)) // 4
        tokens_out = len(text) // 4
        rate_in, rate_out = (persona.usd_in, persona.usd_out) if persona else (0.0, 0.0)
        cost = (tokens_in * rate_in + tokens_out * rate_out) / 1e6
        return ScriptedAnswer(
            text,
            usage=Usage(input_tokens=tokens_in, output_tokens=tokens_out, cost_usd=round(cost, 6)),
        )

    return answer


def demo_providers(suite: Suite, pace: float = 0.0) -> Callable[[str], Provider]:
    """The scripted reviewers; `pace` > 0 streams that many characters a second (the screen)."""
    provider = ScriptedProvider(_script(suite), chunk_chars=256, chars_per_s=pace)
    return lambda _model: provider

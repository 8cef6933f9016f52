"""What the triage judge costs on a typical round: one batched call of 20 x 20 findings.

Builds 20 x 20 rounds from the labelled dev set (`../shared/triage-dev`, three
consecutive cases' findings per side), selects the judge's candidates exactly as
a session does (`duo_tui.core.triage_judge`), renders the real prompt, and
estimates the call: input tokens as prompt characters / 3.5 (Claude and GPT
tokenizers give 3.5-4.5 characters per token on this English-and-JSON mix, so
this errs high), output tokens as 35 per verdict (id, verdict and a 20-word
reason). Prices come from `duo_tui.providers.pricing` (litellm's local map).
Offline: no model is called.

    python benchmarks/judge_cost.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from duo_tui.core.models import Finding, Review  # noqa: E402
from duo_tui.core.triage import match_reviews  # noqa: E402
from duo_tui.core.triage_judge import JUDGE_SYSTEM, judge_prompt, select_candidates  # noqa: E402
from duo_tui.providers.pricing import cost_usd  # noqa: E402

#: The labelled dev set beside the repository (or its worktree folder), or $DUO_TRIAGE_DEV.
DEV = Path(
    os.environ.get("DUO_TRIAGE_DEV")
    or next(
        (
            b / "shared" / "triage-dev"
            for b in (ROOT.parent, ROOT.parent.parent)
            if (b / "shared" / "triage-dev").is_dir()
        ),
        ROOT.parent / "shared" / "triage-dev",
    )
)
CHARS_PER_TOKEN = 3.5
TOKENS_PER_VERDICT = 35
MODELS = ("anthropic/claude-haiku-4-5", "openai/gpt-5-mini", "anthropic/claude-sonnet-4-5")


def rounds(side: int = 20) -> list[tuple[Review, Review]]:
    """20 x 20 rounds: the findings of three consecutive dev cases on each side."""
    cases = [json.loads(p.read_text()) for p in sorted(DEV.glob("case-*.json"))]
    out = []
    for start in range(len(cases) - 2):
        fa: list[Finding] = []
        fb: list[Finding] = []
        for case in cases[start : start + 3]:
            for fs, key in ((fa, "a"), (fb, "b")):
                for f in case[key]["findings"]:
                    fs.append(Finding.model_validate({**f, "id": f"F{len(fs) + 1}"}))
        out.append(
            (Review(reviewer="a", findings=fa[:side]), Review(reviewer="b", findings=fb[:side]))
        )
    return out


def main() -> int:
    if not DEV.is_dir():
        print(f"the dev set is not at {DEV}", file=sys.stderr)
        return 2
    sizes: list[tuple[int, int, int]] = []
    for a, b in rounds():
        cands = select_candidates(a, b, match_reviews(a, b))
        chars = len(JUDGE_SYSTEM) + len(judge_prompt(a, b, cands)) if cands else 0
        tin = round(chars / CHARS_PER_TOKEN)
        sizes.append((len(cands), tin, TOKENS_PER_VERDICT * len(cands)))
    print(f"{len(sizes)} rounds of about 20 x 20 findings (triage-dev, 3 cases per side)")
    for label, pick in (("median", statistics.median), ("largest", max)):
        cands = int(pick(s[0] for s in sizes))
        tin = int(pick(s[1] for s in sizes))
        tout = int(pick(s[2] for s in sizes))
        prices = ", ".join(f"{m} ${cost_usd(m, tin, tout) or 0:.4f}" for m in MODELS)
        print(f"{label}: {cands} candidates, ~{tin} input + ~{tout} output tokens: {prices}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

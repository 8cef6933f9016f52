"""`duo-tui triage A.json B.json --json`: match two review files, print the result.

Without `--json` and without a terminal (piped, in CI) `duo-tui triage` prints the
triage as a Markdown table instead of opening the triage screen (`triage_text`).
Kept free of Textual and of every provider SDK so the command starts fast; without
a judge `triage_json` imports neither pydantic nor, for typical reviews, numpy
(valid files are read as plain objects, small inputs scored in plain Python).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from duo_tui.core.review_load import load_plain_review
from duo_tui.core.triage import contract_json, match_reviews
from duo_tui.errors import DiskFullError, ReviewParseError
from duo_tui.limits import Limits
from duo_tui.safe_text import clean

if TYPE_CHECKING:
    from duo_tui.config import Config
    from duo_tui.core.models import Review, TriageResult

__all__ = ["Matcher", "judged_matcher", "triage_json", "triage_sarif_file", "triage_text"]

#: Matches two reviews: the matcher alone (the default) or settled by a judge model.
Matcher = Callable[["Review", "Review", "Limits | None"], "TriageResult"]


def _offline(a: Review, b: Review, limits: Limits | None) -> TriageResult:
    return match_reviews(a, b, limits=limits)


def judged_matcher(
    model: str, config: Config, err: TextIO, cache_dir: Path | None = None
) -> Matcher:
    """A `Matcher` whose uncertain pairs `model` settles in one call (`--judge MODEL`).

    What the judge did (or why it could not, then the matcher's result stands) and
    what it cost are said on `err`. `model` must have passed `check_models`. The
    answer is kept in `cache_dir` (default: `judge_cache_dir()`, the user's cache), so
    the same reviews judged again by the same model cost no second call.
    """
    from duo_tui.store.judge_cache import JudgeFileCache

    cache = JudgeFileCache(cache_dir)
    memo: list[tuple[Review, Review, TriageResult]] = []  # --sarif and --json: one call

    def match(a: Review, b: Review, limits: Limits | None) -> TriageResult:
        import asyncio

        if memo and memo[0][0] == a and memo[0][1] == b:
            return memo[0][2]

        from duo_tui.core.triage_judge_run import JudgeOutcome, provider_call, run_judge
        from duo_tui.providers.budgets import output_budget
        from duo_tui.providers.registry import aclose_all, make_provider

        base = match_reviews(a, b, limits=limits)

        async def ask() -> JudgeOutcome:
            try:
                tokens = output_budget(model, "judge", config).tokens
                call = provider_call(make_provider(model, config), model, tokens)
                return await run_judge(a, b, base, model, call, lookup=cache.load)
            finally:
                await aclose_all()

        out = asyncio.run(ask())
        u = out.usage
        said = ""
        if out.called:
            price = f"${u.cost_usd:.4f}" if u.cost_usd is not None else "cost unknown"
            said = f" ({u.input_tokens or 0}→{u.output_tokens or 0} tokens, {price})"
        elif out.cached:
            said = " (no call, no cost)"
        if out.cache_entry is not None:
            try:
                said += f"; kept for a rerun in {cache.save(out.cache_entry)}"
            except OSError as exc:
                said += f"; not kept for a rerun: {cache.root}: {exc.strerror or exc}"
        err.write(clean(out.summary() + said) + "\n")
        memo.append((a, b, out.result))
        return out.result

    return match


def triage_json(
    path_a: Path,
    path_b: Path,
    out: TextIO,
    err: TextIO,
    limits: Limits | None = None,
    match: Matcher = _offline,
) -> int:
    """Print the DESIGN.md triage JSON for two review files.

    Returns 0 on success; on an unreadable or invalid file prints the reason
    (naming the file and the field) to `err` and returns 2.
    """
    offline = match is _offline
    load: Callable[[Path, Limits | None], Any] = load_plain_review
    if not offline:  # the judge works on pydantic models
        from duo_tui.core.reviews import load_review_file

        load = load_review_file
    try:
        a = load(Path(path_a), limits)
        b = load(Path(path_b), limits)
    except ReviewParseError as exc:
        err.write(f"duo-tui triage: {clean(str(exc))}\n")
        return 2
    if offline:  # the output of `match_reviews(a, b).contract_json()`, without pydantic
        doc = contract_json(a.findings, b.findings, limits=limits)
    else:
        doc = match(a, b, limits).contract_json()
    out.write(json.dumps(doc) + "\n")
    return 0


def triage_text(
    path_a: Path,
    path_b: Path,
    out: TextIO,
    err: TextIO,
    limits: Limits | None = None,
    match: Matcher = _offline,
) -> int:
    """Print the triage of two review files as Markdown (no terminal to show it in).

    The table is review text: `triage_markdown` makes its controls visible. Returns
    0, or 2 with the reason on `err` for an unreadable or invalid file.
    """
    from duo_tui.core.reviews import load_review_file
    from duo_tui.core.triage_export import triage_markdown

    try:
        a = load_review_file(Path(path_a), limits)
        b = load_review_file(Path(path_b), limits)
    except ReviewParseError as exc:
        err.write(f"duo-tui triage: {clean(str(exc))}\n")
        return 2
    out.write(triage_markdown(a, b, match(a, b, limits)))
    return 0


def triage_sarif_file(
    path_a: Path,
    path_b: Path,
    target: Path,
    err: TextIO,
    limits: Limits | None = None,
    match: Matcher = _offline,
) -> int:
    """Write the triage of two review files as SARIF 2.1.0 to `target` (atomically).

    Returns 0 and says where it wrote on `err`; 2 with the reason for an unreadable
    or invalid review file, or a target that cannot be written (nothing half-written).
    """
    from duo_tui.core.reviews import load_review_file
    from duo_tui.core.triage_export import triage_sarif
    from duo_tui.store.atomic import write_atomic
    from duo_tui.store.session_store import redact_obj

    try:
        a = load_review_file(Path(path_a), limits)
        b = load_review_file(Path(path_b), limits)
    except ReviewParseError as exc:
        err.write(f"duo-tui triage: {clean(str(exc))}\n")
        return 2
    # redacted as `duo-tui export` is: a reviewer may have quoted a key it saw
    sarif = redact_obj(triage_sarif(a, b, match(a, b, limits)))
    try:
        write_atomic(Path(target), json.dumps(sarif, indent=2) + "\n")
    except (OSError, DiskFullError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        err.write(f"duo-tui triage: cannot write {clean(str(target))}: {clean(why)}\n")
        return 2
    err.write(f"wrote {clean(str(target))}\n")
    return 0

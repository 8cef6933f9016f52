"""`duo-tui eval`: the command-line side (arguments, config, output); the work is in runner.py.

`plan_eval` checks the arguments and prepares a run (the suite, the reviewers,
their providers, the cache); `run_plan` runs it and builds the report. The
headless command (`eval_command`) prints the report on stdout; in a terminal
the CLI plays the same plan into the eval screen (`duo_tui.ui.screens.eval`).

A suite is a folder of cases (`suite.py`) or the public benchmark's golden
comments (`golden.py`), whose pull request diffs are fetched once into
`<cache>/pr-diffs/` and read from there afterwards.

Bad input (a broken suite, an unknown model, a negative cap) is a `DuoError`
with exit code 2, reported by `duo_tui.cli.main` without a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from duo_tui.errors import ConfigError, DuoError
from duo_tui.eval.demo import DEMO_MODELS, demo_providers
from duo_tui.eval.report import render_markdown, render_text
from duo_tui.eval.results import EvalReport, build_report
from duo_tui.eval.runner import EvalCache, ReviewOutcome, run_reviews
from duo_tui.eval.suite import Suite, load_suite
from duo_tui.providers.base import Provider
from duo_tui.redact import redact
from duo_tui.safe_text import clean_line

__all__ = [
    "EvalPlan",
    "default_cache_dir",
    "eval_command",
    "open_suite",
    "plan_eval",
    "run_plan",
    "write_report_json",
]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "duo-tui" / "eval"


def _models(args: argparse.Namespace, config: Any) -> list[str]:
    from duo_tui.config import validate_model_string

    if args.models:
        models = [m.strip() for m in args.models.split(",") if m.strip()]
    elif args.demo:
        models = list(DEMO_MODELS)
    else:
        models = config.roles.to_roles().effective_reviewers()
    models = list(dict.fromkeys(models))
    if not models:
        raise ConfigError("duo-tui eval: no reviewers to compare (give --models A,B)")
    for m in models:
        try:
            validate_model_string(m, "--models")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if args.demo and (unknown := [m for m in models if m not in DEMO_MODELS]):
        raise ConfigError(
            f"--demo plays scripted reviewers only ({', '.join(DEMO_MODELS)}); "
            f"not {', '.join(unknown)}"
        )
    return models


def _judge(args: argparse.Namespace, config: Any) -> str | None:
    """The judge model: `--judge MODEL` (or a role), else `[triage] judge`; `--judge off`
    or none configured: the matcher alone. A model nobody can call is a ConfigError."""
    given = getattr(args, "judge", None)
    if given == "off":
        return None
    if args.demo:
        if given:
            raise ConfigError(
                f"--judge {clean_line(given)[:100]}: --demo plays scripted models only; "
                "run without --demo to have a model judge the matches"
            )
        return None
    from duo_tui.config import JUDGE_ROLES, validate_model_string
    from duo_tui.providers.registry import check_models

    roles = config.roles
    triage = config.triage if not given else config.triage.model_copy(update={"judge": given})
    model: str | None = triage.judge_model(roles.planner, roles.executor)
    if model is None:
        return None
    where = "--judge" if given else "[triage] judge"
    validate_model_string(model, f"{where} (a model, one of {', '.join(JUDGE_ROLES)}, or off)")
    try:
        check_models([model], config)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return model


def _say_fetch(pr: Any, k: int, n: int) -> None:
    print(f"eval: fetching the diff of {pr.url} ({k}/{n})", file=sys.stderr, flush=True)


def open_suite(args: argparse.Namespace) -> Suite:
    """The suite `--suite` names: builtin, a folder of cases, or golden comments."""
    if str(args.suite) != "builtin":
        from duo_tui.eval.golden import golden_dir, load_golden_suite

        path = Path(args.suite).expanduser()
        if golden_dir(path) is not None:
            from duo_tui.eval.pr_diffs import PrDiffs

            diffs = PrDiffs((args.cache or default_cache_dir()) / "pr-diffs")
            return load_golden_suite(path, diffs, on_fetch=_say_fetch)
    return load_suite(args.suite)


@dataclass
class EvalPlan:
    """Everything a run needs, checked: what `run_plan` plays (headless or into the screen)."""

    suite: Suite
    models: list[str]
    providers: Callable[[str], Provider]
    cache: EvalCache
    config: Any = None
    demo: bool = False
    max_cost: float | None = None
    concurrency: int = 4
    judge: str | None = None  # the model that settles the matcher's uncertain matches
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def close(self) -> None:
        """Remove the demo's throw-away cache (a real cache stays for the next run)."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def plan_eval(args: argparse.Namespace, demo_pace: float = 0.0) -> EvalPlan:
    """Check the arguments and prepare the run (`demo_pace`: the scripted reviewers'
    characters per second, 0 for as fast as possible)."""
    if args.max_cost is not None and not args.max_cost >= 0:
        raise ConfigError(f"--max-cost {args.max_cost}: must be a number of dollars, 0 or more")
    if args.concurrency < 1:
        raise ConfigError(f"--concurrency {args.concurrency}: must be 1 or more")
    if args.json_path and args.json_path.is_dir():
        raise ConfigError(f"--json {args.json_path}: is a folder; give a file name")
    if args.json_path:
        # Checked before any review is paid for, not when the report is written.
        parent = args.json_path.resolve().parent
        if not parent.is_dir():
            what = "is a file, not a folder" if parent.exists() else "does not exist"
            raise ConfigError(f"--json {args.json_path}: {parent} {what}")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise ConfigError(f"--json {args.json_path}: cannot write in {parent}")
    if args.cache and args.cache.exists() and not args.cache.is_dir():
        raise ConfigError(f"--cache {args.cache}: is not a folder")
    suite = open_suite(args)
    config: Any = None
    if not args.demo:
        from duo_tui.config import load_config

        repo = (args.repo or Path.cwd()).expanduser().resolve()
        config = load_config(repo, getattr(args, "config", None))
    models = _models(args, config)
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.demo:
        providers = demo_providers(suite, pace=demo_pace)
        if args.cache:
            cache_dir = args.cache
        else:
            tmp = tempfile.TemporaryDirectory(prefix="duo-eval-demo-")
            cache_dir = Path(tmp.name)
    else:
        from duo_tui.providers.registry import check_models, make_provider

        check_models(models, config)
        providers = lambda model: make_provider(model, config)  # noqa: E731
        cache_dir = args.cache or default_cache_dir()
    judge = _judge(args, config)
    return EvalPlan(
        suite,
        models,
        providers,
        EvalCache(cache_dir),
        config,
        bool(args.demo),
        args.max_cost,
        args.concurrency,
        judge,
        tmp,
    )


async def run_plan(
    plan: EvalPlan,
    progress: Callable[[ReviewOutcome], None] | None = None,
    started: Callable[[str, str], None] | None = None,
) -> EvalReport:
    """Run every review of `plan` (cached ones are read back) and score them."""
    try:
        run = await run_reviews(
            plan.suite,
            plan.models,
            plan.providers,
            cache=plan.cache,
            max_cost_usd=plan.max_cost,
            concurrency=plan.concurrency,
            config=plan.config,
            progress=progress,
            started=started,
            judge=plan.judge,
        )
    finally:
        if not plan.demo:
            from duo_tui.providers.registry import aclose_all

            await aclose_all()
    return build_report(plan.suite, plan.models, run)


def write_report_json(path: Path, report: EvalReport) -> None:
    from duo_tui.store.atomic import write_atomic

    try:
        write_atomic(path, json.dumps(report.to_json(), indent=2) + "\n")
    except OSError as exc:  # the table is printed and the reviews are cached: nothing lost
        raise DuoError(
            f"--json {path}: cannot write the report ({exc.strerror or exc}); "
            "rerun with another file: the reviews are cached"
        ) from None


def eval_command(args: argparse.Namespace) -> int:
    """Headless: progress on stderr, the report on stdout (text or Markdown), `--json FILE`."""
    plan = plan_eval(args)
    try:
        total = len(plan.suite.cases) * len(plan.models)
        done = [0]

        def progress(o: ReviewOutcome) -> None:
            """One line on stderr per finished review (a real run can take minutes)."""
            done[0] += 1
            how = "cached" if o.cached else f"${o.usage.cost_usd or 0:.4f}"
            if o.error:
                how += f", {o.error}"
            j = o.judgement
            if j is not None and j.candidates:
                paid = "cached" if j.cached else f"${j.usage.cost_usd or 0:.4f}"
                how += f"; judge: {j.candidates} unsure match(es), {paid}"
            line = f"eval: {done[0]}/{total} {o.model} · {o.case} ({how})"
            print(clean_line(redact(line))[:300], file=sys.stderr, flush=True)
            if j is not None and j.error:
                warn = (
                    f"eval: warning: the judge's word on {o.model} · {o.case} is not used "
                    f"({j.error}); the matcher's matches stand"
                )
                print(clean_line(redact(warn))[:400], file=sys.stderr, flush=True)

        report = asyncio.run(run_plan(plan, None if plan.demo else progress))
    finally:
        plan.close()
    sys.stdout.write(render_markdown(report) if args.format == "md" else render_text(report))
    sys.stdout.flush()
    if args.json_path:
        write_report_json(args.json_path, report)
        print(f"duo-tui eval: the report with every match is in {args.json_path}", file=sys.stderr)
    return 0

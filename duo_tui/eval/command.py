"""`duo-tui eval`: the command-line side (arguments, config, output); the work is in runner.py.

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
from pathlib import Path
from typing import Any

from duo_tui.errors import ConfigError, DuoError
from duo_tui.eval.demo import DEMO_MODELS, demo_providers
from duo_tui.eval.report import render_markdown, render_text
from duo_tui.eval.results import build_report
from duo_tui.eval.runner import EvalCache, ReviewOutcome, run_reviews
from duo_tui.eval.suite import load_suite
from duo_tui.redact import redact
from duo_tui.safe_text import clean_line

__all__ = ["default_cache_dir", "eval_command"]


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


def eval_command(args: argparse.Namespace) -> int:
    if args.max_cost is not None and not args.max_cost >= 0:
        raise ConfigError(f"--max-cost {args.max_cost}: must be a number of dollars, 0 or more")
    if args.concurrency < 1:
        raise ConfigError(f"--concurrency {args.concurrency}: must be 1 or more")
    if args.json_path and args.json_path.is_dir():
        raise ConfigError(f"--json {args.json_path}: is a folder; give a file name")
    if args.cache and args.cache.exists() and not args.cache.is_dir():
        raise ConfigError(f"--cache {args.cache}: is not a folder")
    suite = load_suite(args.suite)
    config: Any = None
    if not args.demo:
        from duo_tui.config import load_config

        repo = (args.repo or Path.cwd()).expanduser().resolve()
        config = load_config(repo, getattr(args, "config", None))
    models = _models(args, config)
    with tempfile.TemporaryDirectory(prefix="duo-eval-demo-") as tmp:
        if args.demo:
            providers = demo_providers(suite)
            cache_dir = args.cache or Path(tmp)
        else:
            from duo_tui.providers.registry import check_models, make_provider

            check_models(models, config)
            providers = lambda model: make_provider(model, config)  # noqa: E731
            cache_dir = args.cache or default_cache_dir()
        run = asyncio.run(
            _run(suite, models, providers, EvalCache(cache_dir), args, config, args.demo)
        )
    report = build_report(suite, models, run)
    sys.stdout.write(render_markdown(report) if args.format == "md" else render_text(report))
    sys.stdout.flush()
    if args.json_path:
        from duo_tui.store.atomic import write_atomic

        try:
            write_atomic(args.json_path, json.dumps(report.to_json(), indent=2) + "\n")
        except OSError as exc:  # the table is printed and the reviews are cached: nothing lost
            raise DuoError(
                f"--json {args.json_path}: cannot write the report ({exc.strerror or exc}); "
                "rerun with another file: the reviews are cached"
            ) from None
        print(f"duo-tui eval: the report with every match is in {args.json_path}", file=sys.stderr)
    return 0


async def _run(
    suite: Any,
    models: list[str],
    providers: Any,
    cache: EvalCache,
    args: argparse.Namespace,
    config: Any,
    demo: bool,
) -> Any:
    total = len(suite.cases) * len(models)
    done = [0]

    def progress(o: ReviewOutcome) -> None:
        """One line on stderr per finished review (a real run can take minutes)."""
        done[0] += 1
        how = "cached" if o.cached else f"${o.usage.cost_usd or 0:.4f}"
        if o.error:
            how += f", {o.error}"
        line = f"eval: {done[0]}/{total} {o.model} · {o.case} ({how})"
        print(clean_line(redact(line))[:300], file=sys.stderr, flush=True)

    try:
        return await run_reviews(
            suite,
            models,
            providers,
            cache=cache,
            max_cost_usd=args.max_cost,
            concurrency=args.concurrency,
            config=config,
            progress=None if demo else progress,
        )
    finally:
        if not demo:
            from duo_tui.providers.registry import aclose_all

            await aclose_all()

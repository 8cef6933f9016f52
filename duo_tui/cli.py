"""The `duo-tui` command line (DESIGN.md, "Interfaces that must stay stable").

Heavy imports (Textual, the SDKs, git) happen inside the command that needs
them, so `duo-tui triage --json` and `--help` stay instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from duo_tui.cli_parser import build_parser
from duo_tui.errors import ConfigError, DuoError
from duo_tui.safe_text import clean, clean_line

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.version:
        from duo_tui.version import __version__

        print(f"duo-tui {__version__}")
        return 0
    try:
        return _dispatch(args)
    except DuoError as exc:
        from duo_tui.redact import redact

        print(f"duo-tui: {clean(redact(str(exc)))}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        from duo_tui.store.atomic import find_disk_full

        full = find_disk_full(exc)
        if full is None:  # a file or device problem no command named: said, never a traceback
            where = f" ({clean(str(exc.filename))})" if exc.filename else ""
            print(f"duo-tui: {clean(exc.strerror or str(exc))}{where}", file=sys.stderr)
            return 1
        print(f"duo-tui: {clean(str(full))}", file=sys.stderr)
        return full.exit_code
    except KeyboardInterrupt:
        print("duo-tui: interrupted; the session is saved (duo-tui resume)", file=sys.stderr)
        return 130


def _repo_arg(args: argparse.Namespace) -> Path:
    return (getattr(args, "repo", None) or Path.cwd()).expanduser().resolve()


def _load_config(args: argparse.Namespace, repo: Path | None) -> Any:
    from duo_tui.config import load_config

    return load_config(repo, getattr(args, "config", None))


def _dispatch(args: argparse.Namespace) -> int:
    cmd = args.command
    if cmd == "triage":
        return _triage(args)
    if cmd == "run":
        return _run(args)
    if cmd == "sessions":
        return _sessions(args)
    if cmd == "export":
        return _export(args)
    if cmd == "serve":
        return _serve(args)
    if cmd == "doctor":
        return _doctor(args)
    if cmd == "eval":
        if eval_on_screen(args):
            return _eval_tui(args)
        from duo_tui.eval.command import eval_command

        return eval_command(args)
    if cmd == "resume":
        return _tui(args, resume=args.id or "")
    return _tui(args)


def _triage(args: argparse.Namespace) -> int:
    if args.example:
        if args.a is not None or args.b is not None:
            raise ConfigError("duo-tui triage --example takes no review files: it prints one")
        from importlib.resources import files

        sys.stdout.write(
            files("duo_tui.core").joinpath("review_example.json").read_text(encoding="utf-8")
        )
        return 0
    if args.a is None or args.b is None:
        raise ConfigError(
            "duo-tui triage needs two review documents: duo-tui triage A.json B.json "
            "(an example: duo-tui triage --example)"
        )
    _check_theme(args)
    out = getattr(args, "out", None)
    if out is not None and Path(out).is_dir():
        print(f"duo-tui: --out {clean(str(out))} is a directory: give a file name", file=sys.stderr)
        return EXIT_BAD_INPUT
    if out is not None and (args.json or not (sys.stdin.isatty() and sys.stdout.isatty())):
        raise ConfigError(
            "duo-tui triage --out saves the decisions you make on the triage screen, which "
            "needs a terminal (and no --json); for the match result alone use --json"
        )
    limits = _quick_triage_limits(args)
    match: dict[str, Any] = {}
    if limits is None:
        config = _load_config(args, _repo_arg(args))
        limits = config.limits.to_limits()
        if getattr(args, "judge", None):
            match["match"] = _judge_matcher(args.judge, config)
    if args.sarif is not None:
        from duo_tui.triage_command import triage_sarif_file

        rc = triage_sarif_file(args.a, args.b, args.sarif, sys.stderr, limits, **match)
        if rc or not args.json:
            return rc
    if args.json:
        from duo_tui.triage_command import triage_json

        return triage_json(args.a, args.b, sys.stdout, sys.stderr, limits, **match)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # No terminal for the triage screen (piped, CI): the triage as text instead.
        from duo_tui.triage_command import triage_text

        return triage_text(args.a, args.b, sys.stdout, sys.stderr, limits, **match)
    from duo_tui.core.reviews import load_review_file
    from duo_tui.errors import ReviewParseError

    try:
        a = load_review_file(args.a, limits)
        b = load_review_file(args.b, limits)
    except ReviewParseError as exc:
        print(f"duo-tui: {clean(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from duo_tui.core.triage import match_reviews

    # matched here, within the configured [limits] (the screen alone would use the defaults)
    result = match["match"](a, b, limits) if match else match_reviews(a, b, limits=limits)
    from duo_tui.ui import hold_gc_until_first_frame

    hold_gc_until_first_frame()
    from duo_tui.ui.app import DuoApp

    app = DuoApp(
        triage=(a, b),
        theme_name=getattr(args, "theme", None),
        triage_out=out,
        triage_result=result,
    )
    app.run()
    if app.exit_message:
        # where the decisions went, or that they were not kept (the screen is gone now)
        print(app.exit_message, file=sys.stderr)
    return 0


def _quick_triage_limits(args: argparse.Namespace) -> Any:
    """`duo-tui triage --json` alone reads only `[limits]`, without pydantic (issue 18:
    start-up); None: load the configuration in full (anything else, or a doubtful table)."""
    if not args.json or args.sarif is not None or getattr(args, "judge", None):
        return None
    from duo_tui.config_files import quick_limits

    return quick_limits(_repo_arg(args), getattr(args, "config", None))


def _judge_matcher(judge: str, config: Any) -> Any:
    """`--judge MODEL` (or a role's model) checked before any review is read: a model
    string nobody can call, or a missing key, is a ConfigError (exit 2)."""
    from duo_tui.config import JUDGE_ROLES, validate_model_string
    from duo_tui.providers.registry import check_models
    from duo_tui.triage_command import judged_matcher

    roles = config.roles
    model = config.triage.model_copy(update={"judge": judge}).judge_model(
        roles.planner, roles.executor
    )
    validate_model_string(model, f"--judge (or one of {', '.join(JUDGE_ROLES)})")
    check_models([model], config)
    return judged_matcher(model, config, sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from duo_tui.core.models import Mode
    from duo_tui.headless import check_report_path, run_sync
    from duo_tui.service import create_demo_repo, demo_config, find_repo

    resume = args.resume
    if resume is None and not args.task:
        raise ConfigError("duo-tui run needs a TASK (what to build), or --resume [ID]")
    check_report_path(args.json_path)  # before anything is created or run
    if args.demo and resume is None:
        repo = create_demo_repo(getattr(args, "repo", None))
        config = demo_config(_load_config(args, None))
        print(f"demo repository: {repo}", file=sys.stderr)
    else:
        repo = find_repo(_repo_arg(args))
        config = _load_config(args, repo)
        if resume is None:
            _check_models(config)
    if config.gate.commands:  # `[gate] sandbox = "bubblewrap"` without bwrap: exit 2 now
        from duo_tui.vcs.sandbox import resolve_sandbox

        resolve_sandbox(config.gate.sandbox, config.gate.sandbox_read)
    return run_sync(
        repo=repo,
        task=args.task,
        config=config,
        mode=Mode(args.mode),
        demo=args.demo,
        resume=resume or None,
        resume_latest=resume == "",
        json_path=args.json_path,
    )


def _check_models(config: Any) -> None:
    import asyncio

    from duo_tui.providers.registry import check_models, check_reachable

    judge = config.triage.judge_model(config.roles.planner, config.roles.executor)
    models = [
        config.roles.planner,
        config.roles.executor,
        *config.roles.to_roles().effective_reviewers(),
        *filter(None, [judge]),  # [triage] judge: a key it lacks is a configuration error
    ]
    check_models(models, config)
    asyncio.run(check_reachable(models, config))


def _sessions(args: argparse.Namespace) -> int:
    if getattr(args, "demo", False):
        return _demo_sessions()
    from duo_tui.service import find_repo
    from duo_tui.store.session_store import SessionStore

    repo = find_repo(_repo_arg(args))
    rows = SessionStore.list_sessions(repo)
    if not rows:
        print("no sessions yet: start one with `duo-tui` or `duo-tui run TASK`")
        return 0
    from duo_tui.session_table import session_table

    sys.stdout.write(session_table(rows))
    return 0


def _demo_sessions() -> int:
    """`duo-tui sessions --demo`: the throw-away demo repositories and their sessions."""
    import shlex

    from duo_tui.session_summary import demo_repos
    from duo_tui.store.session_store import SessionStore

    repos = demo_repos()
    if not repos:
        print("no demo repositories: `duo-tui --demo` makes one")
        return 0
    from duo_tui.session_table import align

    for repo in repos:
        print(clean_line(str(repo)))
        rows = []
        for r in SessionStore.list_sessions(repo):
            state = clean_line(str(r.status)) if r.ok else "broken"
            again = shlex.join(["duo-tui", "resume", r.id, "--repo", str(repo)])
            rows.append((clean_line(r.id), state, clean_line(again)))
        for line in align(rows):
            print(f"  {line}")
    print("These are throw-away copies of the demo project; delete one with `rm -rf DIR`.")
    return 0


def _export(args: argparse.Namespace) -> int:
    from duo_tui.service import find_repo
    from duo_tui.store.export import export_json
    from duo_tui.store.markdown_export import export_markdown
    from duo_tui.store.session_store import SessionStore

    repo = find_repo(_repo_arg(args))
    store = SessionStore.open(repo, args.id) if args.id else SessionStore.latest(repo)
    if store is None:
        raise ConfigError("no sessions to export in this repository")
    if args.format == "sarif":
        from duo_tui.store.sarif_export import export_sarif

        text = json.dumps(export_sarif(store), indent=2) + "\n"
    else:
        text = (
            export_markdown(store)
            if args.format == "md"
            else json.dumps(export_json(store), indent=2) + "\n"
        )
    if args.output:
        from duo_tui.store.atomic import write_atomic

        try:
            write_atomic(args.output, text)
        except OSError as exc:  # a missing folder, a directory, no permission
            why = clean(exc.strerror or str(exc))
            raise ConfigError(f"-o {clean(str(args.output))}: cannot write it: {why}") from None
        print(f"wrote {clean(str(args.output))}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _doctor(args: argparse.Namespace) -> int:
    import asyncio

    from duo_tui.doctor import render, run_doctor

    report = asyncio.run(
        run_doctor(
            getattr(args, "repo", None), getattr(args, "config", None), timeout_s=args.timeout
        )
    )
    print(render(report))
    return report.exit_code


def _check_theme(args: argparse.Namespace) -> None:
    """An unknown --theme is bad input: say so, with the themes there are, before any screen."""
    if getattr(args, "theme", None) is not None:
        from duo_tui.ui.themes import check_theme_name

        check_theme_name(args.theme)


def eval_on_screen(args: argparse.Namespace) -> bool:
    """`duo-tui eval` shows its screen in a terminal; with `--json` or `--format`, or
    without a terminal (piped, CI), it prints the report on stdout instead."""
    if args.json_path is not None or args.format is not None:
        return False
    return sys.stdin.isatty() and sys.stdout.isatty()


EVAL_DEMO_PACE = 3000.0
"""Characters a second of the scripted reviewers on the eval screen: the demo takes seconds."""


def _eval_tui(args: argparse.Namespace) -> int:
    _check_theme(args)
    from duo_tui.eval.command import plan_eval

    plan = plan_eval(args, demo_pace=EVAL_DEMO_PACE if args.demo else 0.0)
    from duo_tui.ui import hold_gc_until_first_frame

    hold_gc_until_first_frame()
    from duo_tui.ui.app import DuoApp

    app = DuoApp(eval_plan=plan, theme_name=getattr(args, "theme", None))
    try:
        app.run()
    finally:
        screen = app.eval_screen
        if screen is not None:
            screen.stop_run()
            screen.done_event.wait(10)  # the providers close; the finished reviews are cached
        plan.close()
    screen = app.eval_screen
    if screen is not None and screen.report is not None and screen.finished:
        from duo_tui.eval.report import render_text

        sys.stdout.write(render_text(screen.report))
        if not plan.demo:
            print(
                f"duo-tui eval: the reviews are cached in {plan.cache.root}: a rerun costs nothing",
                file=sys.stderr,
            )
    if screen is not None and screen.error:
        print(f"duo-tui eval: {screen.error}", file=sys.stderr)
        return 1
    return app.return_code or 0


def _serve(args: argparse.Namespace) -> int:
    _check_theme(args)
    from duo_tui.ui.serve import serve

    return serve(args)


def _tui(args: argparse.Namespace, resume: str | None = None) -> int:
    _check_theme(args)
    # repository, configuration, keys and the session, before anything is asked
    from duo_tui.preflight import check_demo_startup, check_startup

    if not args.demo or resume is not None:
        check_startup(getattr(args, "repo", None), getattr(args, "config", None), resume)
    else:
        check_demo_startup(getattr(args, "repo", None), getattr(args, "config", None))
    from duo_tui.ui import hold_gc_until_first_frame

    hold_gc_until_first_frame()
    from duo_tui.ui.app import DuoApp

    app = DuoApp(
        demo=bool(args.demo),
        repo=getattr(args, "repo", None),
        config_path=getattr(args, "config", None),
        theme_name=getattr(args, "theme", None),
        resume=resume,
    )
    try:
        app.run()
    finally:
        _after_tui(app)
    return app.return_code or 0


def _after_tui(app: Any) -> None:
    """Wait (bounded) for the session to be saved and closed, then say where it is."""
    import signal

    from duo_tui.session_summary import exit_message
    from duo_tui.shutdown import STOP_SIGNALS, exit_status, force_exit

    # The app's loop is gone: a signal while the session closes forces the exit.
    for sig in STOP_SIGNALS:
        signal.signal(sig, lambda signum, _frame: force_exit(exit_status(signum)))
    info = app.close_session()
    if info is not None:
        try:
            sys.stderr.write(exit_message(info))
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # the terminal is gone (SIGHUP): the session is saved all the same

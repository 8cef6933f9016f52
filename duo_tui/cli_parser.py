"""The argparse construction of the `duo-tui` command line.

Kept apart from `duo_tui.cli` (which dispatches the commands) so the help
texts, descriptions and examples live in one place. Imports nothing heavy:
`--help` stays instant.

Each subcommand has a one-line description and examples (the epilog), and is
offered only the options that do something for it: `--demo` where there is a
demo (the workbench, `run`, `sessions`, `eval`, `serve`), `--theme` where there is a
screen (the workbench, `resume`, `triage`, `eval`, `serve`), `--config` where a
configuration is read, `--repo` where a repository is.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

# The options every command understands, and the two that only some do.
REPO, CONFIG, THEME, DEMO = "repo", "config", "theme", "demo"

EPILOG = """\
examples:
  duo-tui --demo                       try it offline: a scripted session, no API key
  duo-tui                              open the workbench in this git repository
  duo-tui run "add rate limiting"      the same pipeline headless, with a JSON report
  duo-tui triage a.json b.json         compare two reviews (duo-tui triage --example)
  duo-tui sessions                     this repository's sessions, then duo-tui resume ID

`duo-tui COMMAND --help` shows each command's options and examples."""

COMMANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # name: (one-line description, examples, the optional options it offers)
    "run": (
        "run the pipeline headless (no UI) and write a JSON report; exit 0 only when the "
        "session converged and was committed",
        """\
examples:
  duo-tui run "add rate limiting to /webhook"             every stage, decided by the convergence rule
  duo-tui run "fix the typo in the README" --mode fast    skip the plan check (small changes)
  duo-tui run "add discount codes" --demo --json r.json   the offline demo, report in r.json
  duo-tui run --resume                                    continue the latest session headless
  duo-tui run --resume 2026-11-21-add-rate-limit          continue that session (IDs: duo-tui sessions)""",
        (REPO, CONFIG, DEMO),
    ),
    "triage": (
        "match two review documents (duo review v1 JSON): the triage screen, or the "
        "match as JSON or text",
        """\
examples:
  duo-tui triage a.json b.json                  decide each finding on the triage screen
  duo-tui triage a.json b.json --out d.json     and keep your decisions in d.json
  duo-tui triage a.json b.json --json           print the match: {"pairs": [...], "only_a": [...], "only_b": [...]}
  duo-tui triage a.json b.json --sarif t.sarif  the triage as SARIF 2.1.0
  duo-tui triage a.json b.json --judge anthropic/claude-haiku-4-5   a model settles the unsure pairs
  duo-tui triage --example > a.json             an example review document to start from""",
        (REPO, CONFIG, THEME),
    ),
    "sessions": (
        "list the sessions of this repository (ID, state, rounds, cost, age)",
        """\
examples:
  duo-tui sessions                  the sessions here; reopen one with duo-tui resume ID
  duo-tui sessions --repo ../shop   the sessions of another repository
  duo-tui sessions --demo           the throw-away demo repositories and their sessions""",
        (REPO, DEMO),
    ),
    "resume": (
        "reopen a session in the workbench (default: the latest)",
        """\
examples:
  duo-tui resume                              the latest session of this repository
  duo-tui resume 2026-11-21-add-rate-limit    that session (IDs: duo-tui sessions)""",
        (REPO, CONFIG, THEME),
    ),
    "export": (
        "write a session as Markdown, JSON or SARIF (default: the latest, to stdout)",
        """\
examples:
  duo-tui export                                             the latest session as Markdown
  duo-tui export 2026-11-21-add-rate-limit --format json     that session as JSON (IDs: duo-tui sessions)
  duo-tui export --format sarif -o review.sarif              the findings as SARIF 2.1.0, into a file""",
        (REPO,),
    ),
    "doctor": (
        "check the repository, configuration, keys (never printed), models and gate; "
        "exit 0 when everything is usable, else 2",
        """\
examples:
  duo-tui doctor                   check this repository's setup
  duo-tui doctor --timeout 10      wait at most 10 s for each model's answer""",
        (REPO, CONFIG),
    ),
    "eval": (
        "measure each reviewer alone and every pair on a suite of changes with known issues: "
        "recall, precision, agreement, cost",
        """\
examples:
  duo-tui eval --demo                          offline: scripted reviewers on the built-in suite
  duo-tui eval --max-cost 2 --json eval.json   the configured reviewers, at most $2
  duo-tui eval --models anthropic/claude-opus-4-7,openai/gpt-5.5 --format md
  duo-tui eval --suite ./my-suite              your own cases (README: "Eval")
  duo-tui eval --judge anthropic/claude-haiku-4-5   a model settles the unsure matches
  duo-tui eval --suite ./crb --cache ./crb-cache   the public benchmark's golden_comments/*.json""",
        (REPO, CONFIG, THEME, DEMO),
    ),
    "serve": (
        "the workbench in a browser, on 127.0.0.1 only (each browser gets its own session)",
        """\
examples:
  duo-tui serve                    then open http://127.0.0.1:8000
  duo-tui serve --port 8765        another port
  duo-tui serve --demo             the offline demo in the browser""",
        (REPO, CONFIG, THEME, DEMO),
    ),
}


class _Formatter(argparse.HelpFormatter):
    """Wraps descriptions to the terminal; keeps the examples (text with line breaks) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _options(p: argparse.ArgumentParser, which: tuple[str, ...], suppress: bool) -> None:
    """Add the shared options named in `which`. On a subcommand (`suppress`) an option
    left out keeps the value given before the command (`duo-tui --repo X sessions`)."""
    d: Any = argparse.SUPPRESS if suppress else None
    if REPO in which:
        p.add_argument(
            "--repo",
            type=Path,
            default=d,
            metavar="DIR",
            help="the git repository (default: the current directory)",
        )
    if CONFIG in which:
        p.add_argument(
            "--config",
            type=Path,
            default=d,
            metavar="FILE",
            help="a TOML config file overriding the user's and the repository's",
        )
    if THEME in which:
        p.add_argument(
            "--theme",
            default=d,
            metavar="NAME",
            help="UI theme: duo-dark (default), duo-light, duo-high-contrast, or your own",
        )
    if DEMO in which:
        p.add_argument(
            "--demo",
            action="store_true",
            default=argparse.SUPPRESS if suppress else False,
            help="the offline scripted demo in a throw-away repository (no API key)",
        )


def _sub(sub: Any, name: str) -> argparse.ArgumentParser:
    description, examples, options = COMMANDS[name]
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help=description,
        description=description,
        epilog=examples,
        formatter_class=_Formatter,
    )
    _options(p, options, suppress=True)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duo-tui",
        description="Dual-model adversarial coding: one model plans, another codes, both "
        "review, you decide. Without a COMMAND: the workbench in this git repository.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    _options(parser, (REPO, CONFIG, THEME, DEMO), suppress=False)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = _sub(sub, "run")
    run.add_argument("task", nargs="?", metavar="TASK", help="what to build (the requirement)")
    run.add_argument(
        "--mode",
        choices=["auto", "fast"],
        default="auto",
        help="auto: every stage, decided by the convergence rule (default); "
        "fast: the same without the plan check",
    )
    run.add_argument(
        "--json", dest="json_path", type=Path, metavar="FILE", help="write the JSON report here"
    )
    run.add_argument(
        "--resume",
        nargs="?",
        const="",
        default=None,
        metavar="ID",
        help="continue a session (default: the latest; IDs: duo-tui sessions)",
    )

    tri = _sub(sub, "triage")
    tri.add_argument("a", type=Path, nargs="?", metavar="A.json", help="reviewer A's review")
    tri.add_argument("b", type=Path, nargs="?", metavar="B.json", help="reviewer B's review")
    tri.add_argument("--json", action="store_true", help="print the match result as JSON")
    tri.add_argument(
        "--sarif", type=Path, metavar="FILE", help="write the triage as SARIF 2.1.0 to FILE"
    )
    tri.add_argument(
        "--judge",
        metavar="MODEL",
        help="let MODEL settle the pairs the matcher is unsure of, in one call "
        "(a model string such as anthropic/claude-haiku-4-5, or planner / executor); "
        "its verdicts are kept in $XDG_CACHE_HOME/duo-tui/triage-judge "
        "(~/.cache/duo-tui/triage-judge), keyed by the model, the judge's prompt and "
        "the findings, so a rerun on the same reviews costs nothing",
    )
    tri.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="save your decisions as JSON to FILE when you leave the triage screen",
    )
    tri.add_argument(
        "--example",
        action="store_true",
        help="print an example review document (duo review v1) and exit",
    )

    _sub(sub, "sessions")

    res = _sub(sub, "resume")
    res.add_argument(
        "id",
        nargs="?",
        metavar="ID",
        help="the session (default: the latest; see duo-tui sessions)",
    )

    exp = _sub(sub, "export")
    exp.add_argument(
        "id",
        nargs="?",
        metavar="ID",
        help="the session (default: the latest; see duo-tui sessions)",
    )
    exp.add_argument("--format", choices=["md", "json", "sarif"], default="md", help="default: md")
    exp.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout"
    )

    doc = _sub(sub, "doctor")
    doc.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait for each model's answer (default: 30)",
    )

    ev = _sub(sub, "eval")
    ev.add_argument(
        "--suite",
        default="builtin",
        metavar="builtin|DIR",
        help="the suite: builtin (default), a folder of cases, or the public benchmark's "
        "golden_comments/*.json",
    )
    ev.add_argument(
        "--json", dest="json_path", type=Path, metavar="FILE", help="write the JSON report here"
    )
    ev.add_argument(
        "--format",
        choices=["text", "md"],
        default=None,
        help="print the report on stdout in this format instead of showing the eval screen "
        "(the default without a terminal: text)",
    )
    ev.add_argument(
        "--max-cost", type=float, metavar="USD", help="start no review that would pass this cost"
    )
    ev.add_argument(
        "--models", metavar="A,B,...", help="the reviewers to compare (default: the configured)"
    )
    ev.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="the review cache and the fetched pull request diffs (default: ~/.cache/duo-tui/eval)",
    )
    ev.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="reviews at once (default: 4)"
    )
    ev.add_argument(
        "--judge",
        metavar="MODEL|off",
        help="a model that settles the matcher's uncertain finding/known-issue matches, one "
        "call per review of a case (default: [triage] judge; off: the matcher alone)",
    )

    srv = _sub(sub, "serve")
    srv.add_argument("--port", type=int, default=8000, help="the port on 127.0.0.1 (default: 8000)")
    return parser

"""The argparse construction of the `duo-tui` command line.

Kept apart from `duo_tui.cli` (which dispatches the commands) so the help
texts, descriptions and examples live in one place. Imports nothing heavy:
`--help` stays instant.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _common(p: argparse.ArgumentParser, suppress: bool) -> None:
    d: Any = argparse.SUPPRESS if suppress else None
    p.add_argument(
        "--repo", type=Path, default=d, help="the git repository (default: current directory)"
    )
    p.add_argument(
        "--config", type=Path, default=d, help="a TOML config file overriding the others"
    )
    p.add_argument(
        "--theme", default=d, help="UI theme (duo-dark, duo-light, duo-high-contrast, ...)"
    )
    p.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="offline scripted session in a throw-away repository (no API key)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duo-tui",
        description="Dual-model adversarial coding: one model plans, another codes, both review, you decide.",
    )
    _common(parser, suppress=False)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run the pipeline headless and write a JSON report")
    _common(run, suppress=True)
    run.add_argument("task", nargs="?", help="what to build (the requirement)")
    run.add_argument("--mode", choices=["auto", "fast"], default="auto")
    run.add_argument("--json", dest="json_path", type=Path, help="write the JSON report here")
    run.add_argument(
        "--resume",
        nargs="?",
        const="",
        default=None,
        metavar="ID",
        help="continue a session (default: the latest)",
    )

    tri = sub.add_parser("triage", help="triage two review documents")
    _common(tri, suppress=True)
    tri.add_argument("a", type=Path)
    tri.add_argument("b", type=Path)
    tri.add_argument("--json", action="store_true", help="print the match result as JSON")
    tri.add_argument(
        "--sarif", type=Path, metavar="FILE", help="write the triage as SARIF 2.1.0 to FILE"
    )
    tri.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="save your decisions as JSON to FILE when you leave the triage screen",
    )

    ses = sub.add_parser("sessions", help="list the sessions of this repository")
    _common(ses, suppress=True)

    res = sub.add_parser("resume", help="reopen a session in the workbench (default: the latest)")
    _common(res, suppress=True)
    res.add_argument("id", nargs="?")

    exp = sub.add_parser("export", help="export a session as Markdown, JSON or SARIF")
    _common(exp, suppress=True)
    exp.add_argument("id", nargs="?")
    exp.add_argument("--format", choices=["md", "json", "sarif"], default="md")
    exp.add_argument("-o", "--output", type=Path)

    doc = sub.add_parser(
        "doctor",
        help="check repository, configuration, keys (never printed), models and gate",
    )
    _common(doc, suppress=True)
    doc.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for each model's answer"
    )

    srv = sub.add_parser("serve", help="the workbench in a browser (localhost only)")
    _common(srv, suppress=True)
    srv.add_argument("--port", type=int, default=8000)
    return parser

"""`duo-tui serve`: the workbench in a browser through textual-serve, on localhost only."""

from __future__ import annotations

import argparse
import shlex
import sys


def serve(args: argparse.Namespace) -> int:
    from textual_serve.server import Server

    parts = [sys.executable, "-m", "duo_tui"]
    if getattr(args, "demo", False):
        parts.append("--demo")
    if getattr(args, "repo", None):
        parts += ["--repo", str(args.repo)]
    if getattr(args, "config", None):
        parts += ["--config", str(args.config)]
    if getattr(args, "theme", None):
        parts += ["--theme", str(args.theme)]
    command = " ".join(shlex.quote(p) for p in parts)
    print(
        "WARNING: whoever can reach this port can drive duo-tui with your API keys and your "
        f"repository. Bound to 127.0.0.1:{args.port} only; do not forward it.",
        file=sys.stderr,
    )
    Server(command, host="127.0.0.1", port=args.port, title="duo-tui").serve()
    return 0

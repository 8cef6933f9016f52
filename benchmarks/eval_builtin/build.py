"""Rebuild the built-in eval suite (`duo_tui/eval/builtin/`) from the cases in `cases_*.py`.

    python benchmarks/eval_builtin/build.py duo_tui/eval/builtin

Each case becomes a folder: `files/` (the repository after the change, markers
removed), `change.diff` (before -> after, a unified diff) and `case.toml` (title,
description, language and one `[[issue]]` per key, spanning the lines marked with
it). The output is deterministic: `tests/eval/test_builtin_build.py` checks that
the shipped suite is exactly what this script makes.
"""

from __future__ import annotations

import difflib
import re
import shutil
import sys
from pathlib import Path

import cases_more  # noqa: F401  (declares its cases on import)
import cases_python  # noqa: F401
from registry import CASES, Case

MARK = re.compile(r"[ \t]*(?:#|//)!(K\d+)$")


def esc(s: str) -> str:
    """`s` as the inside of a TOML basic string."""
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _strip_marks(text: str, path: str, lines_of: dict[str, list[tuple[str, int]]]) -> str:
    """`text` without its `#!K` markers, noting each marked line under its key."""
    out_lines = []
    for n, line in enumerate(text.lstrip("\n").splitlines(), 1):
        m = MARK.search(line)
        if m:
            lines_of.setdefault(m.group(1), []).append((path, n))
            line = line[: m.start()]
        out_lines.append(line)
    return "\n".join(out_lines) + "\n"


def build_case(d: Path, cid: str, c: Case) -> None:
    """Write case `cid` into folder `d`."""
    (d / "files").mkdir(parents=True)
    lines_of: dict[str, list[tuple[str, int]]] = {}
    clean_after = {}
    for path, text in c.after.items():
        clean_after[path] = _strip_marks(text, path, lines_of)
        p = d / "files" / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(clean_after[path])
    diff: list[str] = []
    for path in c.after:
        old = c.before.get(path)
        old_lines = [] if old is None else old.lstrip("\n").splitlines(keepends=True)
        new_lines = clean_after[path].splitlines(keepends=True)
        diff += difflib.unified_diff(
            old_lines, new_lines, "/dev/null" if old is None else f"a/{path}", f"b/{path}", n=3
        )
    if not diff:
        raise ValueError(f"{cid}: the change is empty")
    (d / "change.diff").write_text("".join(diff))
    if set(lines_of) != set(c.issues):
        raise ValueError(f"{cid}: marked {sorted(lines_of)} but declared {sorted(c.issues)}")
    toml = [
        f'title = "{esc(c.title)}"',
        f'description = "{esc(c.description)}"',
        f'language = "{c.language}"',
    ]
    for k, (sev, cat, text) in c.issues.items():
        locs = lines_of[k]
        ns = [n for _p, n in locs]
        toml += [
            "",
            "[[issue]]",
            f'file = "{locs[0][0]}"',
            f"line_start = {min(ns)}",
            f"line_end = {max(ns)}",
            f'severity = "{sev}"',
            f'category = "{cat}"',
            f'description = "{esc(text)}"',
        ]
    (d / "case.toml").write_text("\n".join(toml) + "\n")


def build(out: Path) -> None:
    """Replace `out` with the suite's case folders."""
    if out.exists():
        shutil.rmtree(out)
    for cid, c in CASES.items():
        build_case(out / cid, cid, c)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    build(Path(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Rebuild duo_tui/eval/builtin from eval_builtin_cases.py (before/after sources; `#!K1` marks the lines of known issue K1).

Usage: python tools/eval_builtin_build.py duo_tui/eval/builtin
"""

import difflib
import re
import shutil
import sys
from pathlib import Path

OUT = Path(sys.argv[1])
MARK = re.compile(r"[ \t]*(?:#|//)!(K\d+)$")
CASES = {}


def case(cid, title, description, language, before, after, issues):
    CASES[cid] = (title, description, language, before, after, issues)


def esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def build():
    if OUT.exists():
        shutil.rmtree(OUT)
    for cid, (title, desc, lang, before, after, issues) in CASES.items():
        d = OUT / cid
        (d / "files").mkdir(parents=True)
        lines_of = {}
        clean_after = {}
        for path, text in after.items():
            text = text.lstrip("\n")
            out_lines = []
            for n, line in enumerate(text.splitlines(), 1):
                m = MARK.search(line)
                if m:
                    lines_of.setdefault(m.group(1), []).append((path, n))
                    line = line[: m.start()]
                out_lines.append(line)
            clean_after[path] = "\n".join(out_lines) + "\n"
            p = d / "files" / path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(clean_after[path])
        diff = []
        for path in after:
            old = before.get(path)
            old_lines = [] if old is None else (old.lstrip("\n")).splitlines(keepends=True)
            new_lines = clean_after[path].splitlines(keepends=True)
            diff += difflib.unified_diff(
                old_lines, new_lines, "/dev/null" if old is None else f"a/{path}", f"b/{path}", n=3
            )
        assert diff, cid
        (d / "change.diff").write_text("".join(diff))
        toml = [f'title = "{esc(title)}"', f'description = "{esc(desc)}"', f'language = "{lang}"']
        for k, (sev, cat, text) in issues.items():
            locs = lines_of[k]
            path = locs[0][0]
            ns = [n for p, n in locs]
            toml += [
                "",
                "[[issue]]",
                f'file = "{path}"',
                f"line_start = {min(ns)}",
                f"line_end = {max(ns)}",
                f'severity = "{sev}"',
                f'category = "{cat}"',
                f'description = "{esc(text)}"',
            ]
        assert set(lines_of) == set(issues), (cid, lines_of.keys(), issues.keys())
        (d / "case.toml").write_text("\n".join(toml) + "\n")


exec(Path(__file__).with_name("eval_builtin_cases.py").read_text())
build()

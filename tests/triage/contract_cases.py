"""Review pairs whose `duo-tui triage --json` output is pinned (issue 18, speed).

`tests/fixtures/triage-contract-expected.json` holds the output of the command
before the quick path (plain review objects, the plain-Python scorer) existed,
made by the code of commit ee658fe; `test_contract_pinned.py` checks today's
output is byte-identical. The pairs: every (a, b) combination of the vendored
dev cases, and seeded random reviews small enough for the plain-Python scorer
and large enough for numpy.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "triage-dev-mini"
EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "triage-contract-expected.json"

_WORDS = [
    "cache",
    "lock",
    "token",
    "auth",
    "queue",
    "race",
    "null",
    "leak",
    "index",
    "limit",
    "retry",
    "timeout",
    "session",
    "user",
    "password",
    "query",
    "parse",
    "render",
    "encode",
    "decode",
    "close",
    "open",
    "file",
    "buffer",
    "stream",
    "thread",
    "handler",
    "request",
    "response",
    "header",
    "cookie",
    "config",
    "path",
    "upload",
    "delete",
    "update",
    "insert",
]
_SEVERITIES = ("critical", "high", "medium", "low", "info")
_IDENTS = ("`get_user`", "`cacheMap.put`", "`parseHeader()`", "`MAX_SIZE`", "`db.query`")


def _text(rng: random.Random, k: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(k)]
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words) + 1), rng.choice(_IDENTS))
    if rng.random() < 0.2:
        words.append(str(rng.choice((404, 1024, 30, 500))))
    return " ".join(words)


def random_finding(rng: random.Random, fid: str) -> dict[str, Any]:
    """One random valid finding: files, lines and categories present or not."""
    f: dict[str, Any] = {
        "id": fid,
        "severity": rng.choice(_SEVERITIES),
        "title": _text(rng, rng.randint(3, 8)),
    }
    if rng.random() < 0.8:
        f["detail"] = _text(rng, rng.randint(5, 40))
    if rng.random() < 0.5:
        f["suggestion"] = _text(rng, rng.randint(3, 12))
    if rng.random() < 0.7:
        f["file"] = rng.choice(("app/a.py", "app/b.py", "lib/c.ts", "d.rb"))
        if rng.random() < 0.7:
            start = rng.randint(1, 120)
            f["line_start"] = start
            if rng.random() < 0.7:
                f["line_end"] = start + rng.randint(0, 8)
    if rng.random() < 0.6:
        f["category"] = rng.choice(("security", "bug", "performance", "style/naming", "auth"))
    return f


def random_pair(seed: int, na: int, nb: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two reviews; about a third of B rewords a finding of A (shuffled words, other id)."""
    rng = random.Random(seed)
    a = [random_finding(rng, f"A{i + 1}") for i in range(na)]
    b = []
    for j in range(nb):
        if a and rng.random() < 0.35:
            src = dict(rng.choice(a))
            words = src["title"].split()
            rng.shuffle(words)
            src.update(id=f"B{j + 1}", title=" ".join(words))
            b.append(src)
        else:
            b.append(random_finding(rng, f"B{j + 1}"))
    return {"reviewer": "r/a", "findings": a}, {"reviewer": "r/b", "findings": b}


def cases() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, review A, review B) of every pinned pair."""
    docs = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(MINI.glob("case-*.json"))
    }
    out = [(f"{x}-a/{y}-b", docs[x]["a"], docs[y]["b"]) for x in docs for y in docs]
    for seed, na, nb in ((1, 3, 4), (2, 20, 20), (3, 45, 50), (4, 70, 60), (5, 1, 30), (6, 0, 5)):
        a, b = random_pair(seed, na, nb)
        out.append((f"random-{seed}-{na}x{nb}", a, b))
    return out

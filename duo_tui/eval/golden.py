"""A suite in the public code-review benchmark's format: golden comments on real pull requests.

The benchmark (withmartian/code-review-benchmark) keeps its truth in
`golden_comments/*.json`; each file is a JSON array of pull requests::

    [{"pr_title": "FEATURE: automatically downsize large images",
      "url": "https://github.com/OWNER/REPO/pull/1",
      "original_url": "...",                          # optional, not used
      "comments": [{"comment": "The downsize method is defined twice ...",
                    "severity": "Medium"}]}]          # Low | Medium | High | Critical

`--suite DIR` reads this format when `DIR/golden_comments/` exists, or when
`DIR` itself holds `*.json` files and no case folders. Each pull request is a
case: its title is the task, its diff (fetched once, then cached: `pr_diffs.py`)
is the change, and each golden comment is a known issue about the change as a
whole (the benchmark gives no file or line). Reviewers see the diff only, not
the repository. Every problem names the file and the entry and is a
`SuiteError` (exit 2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from duo_tui.eval.pr_diffs import PrDiffs, PullRequest, parse_pr_url
from duo_tui.eval.suite import _MAX_CASES, Case, KnownIssue, Suite, SuiteError
from duo_tui.limits import GOLDEN_FILE_BYTES, InputError, loads_json, read_regular_file

__all__ = ["golden_dir", "load_golden_suite"]

_SEVERITIES = {"critical", "high", "medium", "low", "info"}
_MAX_COMMENTS = 200
_MAX_COMMENT_CHARS = 20_000
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@", re.MULTILINE)


def golden_dir(path: Path) -> Path | None:
    """The folder of golden comment files when `path` is a suite in the benchmark's format."""
    if (path / "golden_comments").is_dir():
        return path / "golden_comments"
    if not path.is_dir():
        return None
    has_json = any(p.is_file() for p in path.glob("*.json"))
    has_cases = any((p / "case.toml").exists() for p in path.iterdir() if p.is_dir())
    return path if has_json and not has_cases else None


def _entries(file: Path) -> list[Any]:
    where = f"golden comments {file.name}"
    try:
        raw = read_regular_file(file, GOLDEN_FILE_BYTES)
        data = loads_json(raw, 16)
    except InputError as exc:
        raise SuiteError(f"{where}: {exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise SuiteError(f"{where}: expected a JSON array of pull requests")
    return data


def _issues(raw: object, at: str) -> tuple[KnownIssue, ...]:
    if not isinstance(raw, list):
        raise SuiteError(f"{at}.comments: expected an array of golden comments")
    if len(raw) > _MAX_COMMENTS:
        raise SuiteError(f"{at}.comments: {len(raw)} comments, more than {_MAX_COMMENTS}")
    out = []
    for k, c in enumerate(raw):
        here = f"{at}.comments[{k}]"
        if not isinstance(c, dict):
            raise SuiteError(f"{here}: expected an object with comment and severity")
        text, sev = c.get("comment"), c.get("severity")
        if not isinstance(text, str) or not text.strip():
            raise SuiteError(f"{here}.comment: must be non-empty text")
        if len(text) > _MAX_COMMENT_CHARS:
            raise SuiteError(f"{here}.comment: longer than {_MAX_COMMENT_CHARS} characters")
        if not isinstance(sev, str) or sev.strip().lower() not in _SEVERITIES:
            raise SuiteError(f"{here}.severity: {sev!r} is not one of Low, Medium, High, Critical")
        out.append(KnownIssue(f"K{k + 1}", None, None, None, sev.strip().lower(), text.strip()))
    return tuple(out)


def _case_id(pr: PullRequest, taken: set[str]) -> str:
    def slug(text: str) -> str:
        s = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
        return s[:50].rstrip("-_") or "pr"

    for cid in (f"{slug(pr.repo)}-{pr.number}", f"{slug(pr.owner)}-{slug(pr.repo)}-{pr.number}"):
        if cid not in taken:
            return cid
    return f"{slug(pr.owner)}-{slug(pr.repo)}-{pr.number}-{len(taken)}"


def load_golden_suite(
    path: Path,
    diffs: PrDiffs,
    on_fetch: Callable[[PullRequest, int, int], None] | None = None,
) -> Suite:
    """The suite of the golden comments under `path` (see `golden_dir`), diffs from `diffs`.

    `on_fetch(pr, k, n)` is called before a diff that is not cached is fetched.
    """
    folder = golden_dir(path)
    if folder is None:
        raise SuiteError(f"suite {path}: no golden_comments/*.json here")
    files = sorted(p for p in folder.glob("*.json") if p.is_file())
    if not files:
        raise SuiteError(f"suite {path}: no golden comment files (*.json) in {folder}")
    prs: list[tuple[PullRequest, str, tuple[KnownIssue, ...]]] = []
    seen: dict[str, str] = {}
    for file in files:
        for i, entry in enumerate(_entries(file)):
            at = f"golden comments {file.name}: [{i}]"
            if not isinstance(entry, dict):
                raise SuiteError(f"{at}: expected an object with url, pr_title and comments")
            url = entry.get("url")
            pr = parse_pr_url(url) if isinstance(url, str) else None
            if pr is None:
                raise SuiteError(
                    f"{at}.url: {url!r} is not a pull request URL "
                    "(https://github.com/OWNER/REPO/pull/N)"
                )
            if pr.url in seen:
                raise SuiteError(f"{at}.url: {pr.url} is listed twice (also in {seen[pr.url]})")
            seen[pr.url] = file.name
            title = entry.get("pr_title")
            if title is not None and not isinstance(title, str):
                raise SuiteError(f"{at}.pr_title: must be text")
            title = (title or "").strip() or f"pull request {pr.owner}/{pr.repo}#{pr.number}"
            prs.append((pr, title[:300], _issues(entry.get("comments"), at)))
            if len(prs) > _MAX_CASES:
                raise SuiteError(f"suite {path}: more than {_MAX_CASES} pull requests")
    if not prs:
        raise SuiteError(f"suite {path}: the golden comment files list no pull requests")
    to_fetch = [pr for pr, _t, _i in prs if not diffs.cached(pr)]
    cases: list[Case] = []
    taken: set[str] = set()
    for pr, title, issues in prs:
        if on_fetch is not None and pr in to_fetch:
            on_fetch(pr, to_fetch.index(pr) + 1, len(to_fetch))
        diff = diffs.get(pr)
        if not _HUNK.search(diff):
            raise SuiteError(f"{pr.url}: the diff has no text hunks (binary or empty change)")
        cid = _case_id(pr, taken)
        taken.add(cid)
        cases.append(Case(cid, title, "", "", diff, {}, issues))
    return Suite(path.name, path, tuple(cases))

"""The public benchmark's format (golden_comments/*.json): diffs fetched once, cached, offline after.

A local HTTP server on 127.0.0.1 stands in for api.github.com
(`DUO_TUI_GITHUB_API` points the adapter at it); nothing here touches the network.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.eval.golden import load_golden_suite
from duo_tui.eval.pr_diffs import DiffFetchError, PrDiffs, parse_pr_url
from tests.eval.helpers import DIFF

TOKEN = "ghp_test0123456789abcdefTOKENvalue"


@dataclass
class FakeGitHub:
    """What the stand-in API was asked, and what it answers."""

    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    diffs: dict[str, bytes] = field(default_factory=dict)  # path -> body


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            body = fake.diffs.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                self.wfile.write(b'{"message": "Not Found"}')
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


GOLDEN = [
    {
        "pr_title": "Add user lookup and totals",
        "url": "https://github.com/acme/shop/pull/7",
        "original_url": "https://github.com/acme-upstream/shop/commit/abc",
        "comments": [
            {"comment": "SQL injection: the name is formatted into the query", "severity": "High"},
            {"comment": "Money summed as floats accumulates rounding error", "severity": "Low"},
        ],
    },
    {
        "pr_title": "Tidy the README",
        "url": "https://github.com/acme/docs/pull/12",
        "comments": [],
    },
]


def write_golden(root: Path, entries: object = GOLDEN, name: str = "acme.json") -> Path:
    folder = root / "golden_comments"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(entries))
    return root


def serve_prs(github: FakeGitHub) -> None:
    github.diffs["/repos/acme/shop/pulls/7"] = DIFF.encode()
    github.diffs["/repos/acme/docs/pulls/12"] = (
        b"diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n"
        b"@@ -1 +1 @@\n-old\n+new\n"
    )


def test_diffs_are_fetched_once_with_the_token_then_read_offline(
    tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_prs(github)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    suite_dir = write_golden(tmp_path / "crb")
    diffs = PrDiffs(tmp_path / "cache", api=github.url)
    suite = load_golden_suite(suite_dir, diffs)

    assert [c.id for c in suite.cases] == ["shop-7", "docs-12"]
    shop = suite.cases[0]
    assert shop.title == "Add user lookup and totals" and shop.diff == DIFF
    assert [(k.id, k.severity, k.file, k.line_start) for k in shop.issues] == [
        ("K1", "high", None, None),
        ("K2", "low", None, None),
    ]
    assert suite.cases[1].clean
    assert sorted(p for p, _h in github.requests) == [
        "/repos/acme/docs/pulls/12",
        "/repos/acme/shop/pulls/7",
    ]
    for _path, headers in github.requests:
        assert headers["authorization"] == f"Bearer {TOKEN}"
        assert headers["accept"] == "application/vnd.github.diff"
    cached = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert cached == ["acme__docs__12.diff", "acme__shop__7.diff"]
    assert all(TOKEN not in p.read_text() for p in (tmp_path / "cache").iterdir())

    # a cache hit makes no request, even with the server gone
    github.diffs.clear()
    again = load_golden_suite(suite_dir, PrDiffs(tmp_path / "cache", api="http://127.0.0.1:9"))
    assert [c.diff for c in again.cases] == [c.diff for c in suite.cases]
    assert len(github.requests) == 2


def test_gh_token_is_the_fallback_and_no_token_sends_none(
    tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_prs(github)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    pr = parse_pr_url("https://github.com/acme/shop/pull/7")
    assert pr is not None
    PrDiffs(tmp_path / "a", api=github.url).get(pr)
    monkeypatch.delenv("GH_TOKEN")
    PrDiffs(tmp_path / "b", api=github.url).get(pr)
    assert github.requests[0][1]["authorization"] == f"Bearer {TOKEN}"
    assert "authorization" not in github.requests[1][1]


def test_a_diff_over_the_limit_is_refused_and_not_cached(
    tmp_path: Path, github: FakeGitHub
) -> None:
    github.diffs["/repos/acme/shop/pulls/7"] = DIFF.encode() + b"+x\n" * 400
    pr = parse_pr_url("https://github.com/acme/shop/pull/7")
    assert pr is not None
    diffs = PrDiffs(tmp_path / "cache", api=github.url, max_bytes=len(DIFF) + 100)
    with pytest.raises(DiffFetchError, match=r"acme/shop/pull/7: the diff is over the limit"):
        diffs.get(pr)
    assert not (tmp_path / "cache" / pr.cache_name).exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_runs_the_benchmark_suite_then_offline(
    tmp_path: Path,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    serve_prs(github)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("DUO_TUI_GITHUB_API", github.url)
    suite_dir = write_golden(tmp_path / "crb")
    cache = tmp_path / "cache"
    report = tmp_path / "r.json"
    args = ["eval", "--demo", "--suite", str(suite_dir), "--cache", str(cache)]
    assert main([*args, "--json", str(report)]) == 0
    out = capsys.readouterr()
    data = json.loads(report.read_text())
    assert data["suite"] == "crb" and data["cases"] == 2 and data["issues"] == 2
    assert "fetching the diff of https://github.com/acme/shop/pull/7" in out.err
    assert TOKEN not in out.err + out.out + report.read_text()
    assert all(TOKEN not in p.read_text() for p in cache.rglob("*") if p.is_file())
    assert (cache / "pr-diffs" / "acme__shop__7.diff").is_file()

    # offline afterwards: the API is unreachable, the cache answers, nothing is fetched
    monkeypatch.setenv("DUO_TUI_GITHUB_API", f"http://127.0.0.1:{_closed_port()}")
    assert main(args) == 0
    out = capsys.readouterr()
    assert "fetching" not in out.err and "demo/alpha + demo/beta" in out.out
    assert len(github.requests) == 2

    # offline with another, empty cache: a clear error naming the pull request, exit 2
    assert main([*args[:-1], str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "https://github.com/acme/shop/pull/7: cannot fetch the diff" in err
    assert "run once online" in err and "Traceback" not in err


def test_http_errors_name_the_pull_request(
    tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("DUO_TUI_GITHUB_API", github.url)
    suite_dir = write_golden(tmp_path / "crb")
    assert main(["eval", "--demo", "--suite", str(suite_dir), "--cache", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "https://github.com/acme/shop/pull/7: cannot fetch the diff: HTTP 404" in err


BROKEN = [
    ("not json", "not valid JSON"),
    (json.dumps({"url": "x"}), "expected a JSON array of pull requests"),
    (json.dumps([{"url": "https://gitlab.com/a/b/pull/1"}]), "[0].url: 'https://gitlab.com"),
    (
        json.dumps([{"url": "https://github.com/a/b/pull/1", "comments": [{"comment": "x"}]}]),
        "[0].comments[0].severity: None is not one of Low, Medium, High, Critical",
    ),
    (
        json.dumps([{"url": "https://github.com/a/b/pull/1", "comments": [{"severity": "High"}]}]),
        "[0].comments[0].comment: must be non-empty text",
    ),
    (json.dumps([{"url": "https://github.com/a/b/pull/1", "comments": "x"}]), "[0].comments:"),
    (
        json.dumps([GOLDEN[0], GOLDEN[0]]),
        "[1].url: https://github.com/acme/shop/pull/7 is listed twice",
    ),
    ("[" * 100 + "]" * 100, "nested deeper than"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_malformed_golden_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    folder = tmp_path / "crb" / "golden_comments"
    folder.mkdir(parents=True)
    (folder / "bad.json").write_text(text)
    code = main(["eval", "--demo", "--suite", str(tmp_path / "crb"), "--cache", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "golden comments bad.json" in err and message in err and "Traceback" not in err

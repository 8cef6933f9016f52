"""Red-team attacks with hostile model replies, beyond issue 16's examples.

A review reply is parsed forgivingly (JSON dug out of prose, damaged JSON
repaired). Parsing must stay fast on any reply under the reply size limit:
a reply built to make the digging or the repair quadratic must end in a clear
error within seconds, not hold the review stage for minutes.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.core.plan_manifest import parse_manifest
from duo_tui.core.reviews import parse_review_text
from duo_tui.errors import ReviewParseError
from duo_tui.service import create_demo_repo

#: Seconds any parse may take here (each reply below took minutes before).
BUDGET_S = 15.0


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param('["' * 20_000, id="40 KB of unclosed strings (json_repair: 90 s)"),
        pytest.param("{" * 400_000, id="400 KB of braces (finding each start: quadratic)"),
        pytest.param(
            "Here is my review:\n```json\n" + '{"findings": [' + '{"title": "' * 30_000 + "\n```",
            id="a fenced, damaged review",
        ),
    ],
)
def test_a_hostile_reply_is_refused_quickly(reply: str) -> None:
    start = time.monotonic()
    with pytest.raises(ReviewParseError):
        parse_review_text(reply, "m")
    took = time.monotonic() - start
    assert took < BUDGET_S, f"parsing took {took:.1f} s"


def test_damaged_json_of_a_real_size_is_still_repaired() -> None:
    findings = ",".join(
        f'{{"id": "F{i}", "severity": "low", "title": "t{i}", "detail": "d",}}' for i in range(200)
    )
    review = parse_review_text('```json\n{"findings": [' + findings + "]\n```", "m")
    assert len(review.findings) == 200
    assert "repaired" in " ".join(getattr(review, "parse_notes", []))


def test_a_plan_manifest_nested_without_end_falls_back_to_the_steps() -> None:
    deep = '{"steps":' * 50_000 + "1" + "}" * 50_000
    manifest = parse_manifest(f"# Plan\n\n- [S1] do it\n\n```json\n{deep}\n```\n")
    assert [s.id for s in manifest.steps] == ["S1"]
    assert manifest.problems


class _DeepErrors(http.server.BaseHTTPRequestHandler):
    """A server (a hostile proxy at api_base) whose error body nests 100,000 deep."""

    BODY = b"[" * 100_000

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(400)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(self.BODY)))
        self.end_headers()
        self.wfile.write(self.BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def deep_error_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DeepErrors)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_provider_error_body_nested_without_end_is_a_clear_error(
    tmp_path: Path, deep_error_server: int
) -> None:
    repo = create_demo_repo(tmp_path / "repo")
    config = tmp_path / "c.toml"
    config.write_text(
        '[roles]\nplanner = "anthropic/claude-opus-4-7"\nexecutor = "anthropic/claude-opus-4-7"\n'
        'reviewers = ["anthropic/claude-opus-4-7"]\n'
        f'[providers.anthropic]\napi_base = "http://127.0.0.1:{deep_error_server}"\n'
        "max_retry_wait_s = 0.05\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "duo_tui", "run", "--config", str(config), "add codes"],
        cwd=repo,
        env={**os.environ, "ANTHROPIC_API_KEY": "sk-ant-" + "z" * 40},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "RecursionError" not in proc.stderr
    assert proc.returncode in (1, 2), proc.stderr[-2000:]
    assert "400" in proc.stderr or "bad request" in proc.stderr.lower(), proc.stderr[-2000:]

"""Red-team attacks on key handling beyond issue 16's examples: a credential in a URL."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from duo_tui.redact import redact
from duo_tui.service import create_demo_repo
from duo_tui.triage_command import triage_sarif_file

PASSWORD = "Hunter2" + "PassWordXyz"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_password_in_api_base_never_reaches_stderr(tmp_path: Path) -> None:
    """`api_base = "http://user:PASSWORD@host"` (basic auth at a proxy) of a server that
    is down: the start-up check names the URL, never the password."""
    repo = create_demo_repo(tmp_path / "repo")
    port = _closed_port()
    config = tmp_path / "c.toml"
    config.write_text(
        '[roles]\nplanner = "anthropic/claude-opus-4-7"\nexecutor = "anthropic/claude-opus-4-7"\n'
        'reviewers = ["anthropic/claude-opus-4-7"]\n'
        f'[providers.anthropic]\napi_base = "http://alice:{PASSWORD}@127.0.0.1:{port}"\n'
    )
    env = {**os.environ, "ANTHROPIC_API_KEY": "sk-ant-" + "z" * 40}
    proc = subprocess.run(
        [sys.executable, "-m", "duo_tui", "run", "--config", str(config), "add codes"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "cannot reach" in proc.stderr
    assert PASSWORD not in proc.stderr + proc.stdout
    assert f"127.0.0.1:{port}" in proc.stderr  # the URL is still named


def test_url_credentials_are_redacted_wherever_redact_runs() -> None:
    for url in (
        f"http://alice:{PASSWORD}@proxy.local:8080/v1",
        f"https://:{PASSWORD}@proxy.local",  # no user name
        f"socks5h://u:{PASSWORD}@10.0.0.1:1080",
    ):
        out = redact(f"error talking to {url}: 502")
        assert PASSWORD not in out, out
        assert "proxy.local" in out or "10.0.0.1" in out
    kept = "see https://example.com/a@b, ssh://git@github.com/x/y and me@example.com"
    assert redact(kept) == kept


def test_the_standalone_sarif_export_carries_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`duo-tui triage A B --sarif FILE`: a reviewer that quoted the key (say from a
    `.env` it read) must not put it into the SARIF file, as `duo-tui export` does not."""
    key = "sk-" + "live" + "z" * 30
    monkeypatch.setenv("OPENAI_API_KEY", key)
    for name in ("a", "b"):
        (tmp_path / f"{name}.json").write_text(
            json.dumps(
                {
                    "version": "duo review v1",
                    "reviewer": name,
                    "findings": [
                        {
                            "id": "F1",
                            "severity": "high",
                            "category": "security",
                            "title": f"the key {key} is committed",
                            "detail": f"app/.env holds OPENAI_API_KEY={key}",
                            "file": "app/.env",
                            "line_start": 1,
                        }
                    ],
                }
            )
        )
    err = io.StringIO()
    rc = triage_sarif_file(tmp_path / "a.json", tmp_path / "b.json", tmp_path / "o.sarif", err)
    assert rc == 0, err.getvalue()
    text = (tmp_path / "o.sarif").read_text()
    assert key not in text
    assert "[REDACTED]" in text and "is committed" in text

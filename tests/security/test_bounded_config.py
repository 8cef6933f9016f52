"""Hostile configuration files: a clear error naming the file, exit 2, never a traceback (issue 16)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from duo_tui.config import load_config
from duo_tui.errors import ConfigError
from tests.security.bounded import duo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    subprocess.run(["git", "init", "-q", str(r)], check=True)
    return r


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("binary.toml", bytes(range(256)) * 8, "not a text file (not UTF-8)"),
        ("deep.toml", b"a = " + b"[" * 2000 + b"]" * 2000 + b"\n", "nested deeper than 32 levels"),
        ("tables.toml", b"x = " + b"{a = " * 2000 + b"1" + b"}" * 2000, "nested deeper than 32"),
        ("big.toml", b"# " + b"x" * 1_100_000 + b"\n", "is over the limit of 1 MB"),
    ],
    ids=["binary", "deep-arrays", "deep-tables", "big"],
)
def test_hostile_config_is_a_clear_error(
    repo: Path, name: str, content: bytes, message: str
) -> None:
    cfg = repo / name
    cfg.write_bytes(content)
    run = duo("run", "--config", cfg, "do something", cwd=repo, timeout=60)
    assert run.rc == 2, run.err
    assert f"{name}: " in run.err and message in run.err
    assert "Traceback" not in run.err


def test_repository_config_that_is_a_fifo_is_refused(repo: Path) -> None:
    (repo / ".duo").mkdir()
    fifo = repo / ".duo" / "config.toml"
    import os

    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"config\.toml: not a regular file"):
        load_config(repo)


def test_limits_table_is_validated(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[limits]\nedit_mb = -1\n")
    with pytest.raises(ConfigError, match=r"\[limits.edit_mb\]"):
        load_config(None, cfg)
    cfg.write_text("[limits]\nedit_mb = 2\nterm_chars = 100\n")
    limits = load_config(None, cfg).limits.to_limits()
    assert limits.edit_bytes == 2_000_000 and limits.term_chars == 100

"""The quality gate: pass, fail fast, timeout, streaming, bounded output, comparisons."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from duo_tui.vcs.gate import CommandResult, GateResult, failed_tests_in, run_gate

PY = sys.executable


def alive(pid: int) -> bool:
    """True if the process exists and is not a zombie (orphans may wait for a reaper)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False
    return True


async def wait_dead(pid: int, seconds: float = 3.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if not alive(pid):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_gate_passes_and_streams(tmp_path: Path) -> None:
    lines: list[str] = []
    result = await run_gate(["echo hello; echo err >&2", "true"], tmp_path, 10, lines.append)
    assert result.passed
    assert [r.exit_code for r in result.results] == [0, 0]
    assert lines[:3] == ["$ echo hello; echo err >&2", "hello", "err"]
    assert lines[3] == "$ true"
    assert result.results[0].output == "hello\nerr\n"
    assert result.failure_score() == (0, 0, 0)
    assert result.summary().startswith("gate passed")


async def test_gate_runs_in_cwd(tmp_path: Path) -> None:
    (tmp_path / "marker.txt").write_text("here\n")
    result = await run_gate(["cat marker.txt"], tmp_path, 10)
    assert result.results[0].output == "here\n"


async def test_gate_fail_fast(tmp_path: Path) -> None:
    result = await run_gate(["echo a", "echo boom; exit 3", "echo never"], tmp_path, 10)
    assert not result.passed
    first, failed, skipped = result.results
    assert first.passed and failed.exit_code == 3 and "boom" in failed.output
    assert skipped.skipped and skipped.exit_code is None and skipped.output == ""
    assert result.skipped == ["echo never"]
    assert result.failed is failed
    assert "exit 3" in result.summary() and "1 skipped" in result.summary()


async def test_gate_timeout_kills_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    cmd = f"echo start; sleep 30 & echo $! > {pidfile}; wait"
    t0 = time.monotonic()
    result = await run_gate([cmd, "echo never"], tmp_path, 0.7)
    elapsed = time.monotonic() - t0
    assert elapsed < 10
    (r, skipped) = result.results
    assert r.timed_out and not r.passed and not result.passed
    assert "start" in r.output and "timed out" in r.output
    assert skipped.skipped
    assert await wait_dead(int(pidfile.read_text()))


async def test_output_arrives_while_running(tmp_path: Path) -> None:
    seen: list[tuple[float, str]] = []
    t0 = time.monotonic()
    cmd = f"{PY} -c \"import time; print('one', flush=True); time.sleep(1.0); print('two')\""
    result = await run_gate([cmd], tmp_path, 20, lambda s: seen.append((time.monotonic(), s)))
    assert result.passed
    stamps = {text: t - t0 for t, text in seen}
    assert stamps["two"] - stamps["one"] > 0.5  # "one" was delivered before the sleep


async def test_output_is_bounded(tmp_path: Path) -> None:
    cmd = f"{PY} -c \"print('x' * 99, end='\\n'); [print('y' * 99) for _ in range(20000)]\""
    result = await run_gate([cmd], tmp_path, 30, max_output_chars=50_000)
    out = result.results[0].output
    assert len(out) < 51_000
    assert out.startswith("[... ") and out.rstrip().endswith("y" * 99)


async def test_callback_errors_do_not_break_gate(tmp_path: Path) -> None:
    def boom(_: str) -> None:
        raise RuntimeError("ui went away")

    result = await run_gate(["echo a", "echo b"], tmp_path, 10, boom)
    assert result.passed


async def test_secret_env_not_passed_and_output_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUO_TEST_API_KEY", "value-that-is-secret-123")
    result = await run_gate(['echo "[${DUO_TEST_API_KEY:-unset}]"'], tmp_path, 10)
    assert result.results[0].output == "[unset]\n"
    fake = "sk-ant-" + "Q" * 30
    lines: list[str] = []
    result = await run_gate([f"echo {fake}"], tmp_path, 10, lines.append)
    assert fake not in result.results[0].output and fake not in lines
    result = await run_gate(
        ['echo "[${DUO_TEST_API_KEY:-unset}]"'], tmp_path, 10, scrub_secrets=False
    )
    assert "value-that-is-secret-123" not in result.results[0].output  # still redacted


async def test_no_commands_passes(tmp_path: Path) -> None:
    assert (await run_gate([], tmp_path, 1)).passed


async def test_cancel_kills_command(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    task = asyncio.create_task(run_gate([f"echo $$ > {pidfile}; sleep 30"], tmp_path, 60))
    for _ in range(100):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await wait_dead(int(pidfile.read_text()))


# ----------------------------------------------------------------------------- scoring


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("....\n===== 2 failed, 10 passed in 1.23s =====\n", 2),
        ("F.E\n1 failed, 1 passed, 1 error in 0.05s\n", 2),
        ("12 passed, 1 warning in 65.10s (0:01:05)\n", 0),
        ("==== 3 errors in 0.30s ====\n", 3),
        ("Ran 4 tests in 0.001s\n\nFAILED (failures=2, errors=1)\n", 3),
        ("Ran 4 tests in 0.001s\n\nOK\n", 0),
        ("src/a.py:1: E501 line too long\nFound 1 error.\n", None),
        ("", None),
    ],
)
def test_failed_tests_parsing(output: str, expected: int | None) -> None:
    assert failed_tests_in(output) == expected


def gate(*results: CommandResult) -> GateResult:
    return GateResult(passed=all(r.passed for r in results), results=list(results))


def ok(cmd: str) -> CommandResult:
    return CommandResult(cmd, 0, "", 0.1)


def failing(cmd: str, output: str = "", timed_out: bool = False) -> CommandResult:
    return CommandResult(cmd, -9 if timed_out else 1, output, 0.1, timed_out=timed_out)


def skipped(cmd: str) -> CommandResult:
    return CommandResult(cmd, None, "", 0.0, skipped=True)


def test_worse_comparison() -> None:
    passed = gate(ok("lint"), ok("pytest"))
    three = gate(ok("lint"), failing("pytest", "3 failed, 7 passed in 1.0s"))
    five = gate(ok("lint"), failing("pytest", "5 failed, 5 passed in 1.0s"))
    lint_fails = gate(failing("lint", "E501"), skipped("pytest"))
    timeout = gate(ok("lint"), failing("pytest", "", timed_out=True))

    assert three.failure_score() == (1, 0, 3)
    assert lint_fails.failure_score() == (2, 0, 0)
    assert five.is_worse_than(three) and not three.is_worse_than(five)
    assert three.is_worse_than(passed) and not passed.is_worse_than(three)
    assert lint_fails.is_worse_than(five)  # failing earlier is worse
    assert timeout.is_worse_than(five)
    assert not three.is_worse_than(three)
    assert three.to_dict()["results"][1]["exit_code"] == 1


async def test_background_child_does_not_hang_gate(tmp_path: Path) -> None:
    pidfile = tmp_path / "bg.pid"
    t0 = time.monotonic()
    result = await run_gate([f"echo done; sleep 30 & echo $! > {pidfile}"], tmp_path, 20)
    assert time.monotonic() - t0 < 10
    assert result.passed and "done" in result.results[0].output
    assert await wait_dead(int(pidfile.read_text()))

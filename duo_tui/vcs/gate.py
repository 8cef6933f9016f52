"""The quality gate: configured lint/test commands run on the session worktree.

SECURITY: the commands run through the shell. They must come ONLY from
configuration (`[gate] commands` of the user's or the repository's config, or
`--config FILE`), never from model output, a review document or any other
text a model produced: that would let a model run arbitrary shell commands.
`run_gate` takes the list as given; callers pass `config.gate.commands` and
nothing else.

The gate runs each command in its own process group (`start_new_session`),
stdout and stderr merged, streamed line by line to `on_output`, with a
per-command timeout after which the whole group is killed. It stops at the
first failing command (fail fast) and records the rest as skipped. Output is
redacted (`duo_tui.redact.redact`) and kept bounded (the last
`max_output_chars` characters per command). The gate executes model-written
code: its environment is an allow-list without any key (`sandbox.gate_env`),
and with a `Sandbox` in bubblewrap mode each command runs inside bwrap (no
network, only the worktree writable; see `duo_tui.vcs.sandbox`).

`GateResult.failure_score` orders two gate runs, so the loop can tell when a
fix made the gate worse than before (`is_worse_than`).
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import os
import re
import signal
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from duo_tui import process_groups
from duo_tui.redact import redact
from duo_tui.vcs.sandbox import Sandbox, bwrap_argv, gate_env, gate_git_dir

log = logging.getLogger(__name__)

MAX_OUTPUT_CHARS = 200_000
_MAX_LINE_CHARS = 64_000
_DRAIN_GRACE_S = 2.0
_PYTEST_LINE = re.compile(
    r"\b\d+ (?:passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)\b"
    r"|\bno tests ran\b"
)
_PYTEST_TIME = re.compile(r"\bin \d+(?:\.\d+)?s\b")
_PYTEST_FAILED = re.compile(r"\b(\d+) (?:failed|errors?)\b")
_UNITTEST_FAILED = re.compile(r"^FAILED \((.*)\)\s*$")
_UNITTEST_COUNTS = re.compile(r"\b(?:failures|errors)=(\d+)")


def failed_tests_in(output: str) -> int | None:
    """Failed (+ errored) tests from a pytest or unittest summary line, None if absent."""
    tail = output.splitlines()[-60:]
    for line in reversed(tail):
        s = line.strip().strip("=").strip()
        m = _UNITTEST_FAILED.match(s)
        if m:
            return sum(int(x) for x in _UNITTEST_COUNTS.findall(m.group(1)))
        if s == "OK" or s.startswith("OK ("):
            return 0
        if _PYTEST_TIME.search(s) and _PYTEST_LINE.search(s):
            return sum(int(x) for x in _PYTEST_FAILED.findall(s))
    return None


@dataclass
class CommandResult:
    """One gate command: its exit code (None if skipped), merged output, duration."""

    command: str
    exit_code: int | None
    output: str
    duration_s: float
    timed_out: bool = False
    skipped: bool = False

    @property
    def passed(self) -> bool:
        """True when it ran to completion with exit code 0."""
        return self.exit_code == 0 and not self.timed_out and not self.skipped

    @property
    def failed_tests(self) -> int | None:
        """Failed tests parsed from a pytest/unittest summary in the output, if any."""
        return failed_tests_in(self.output)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for session files."""
        return {
            "command": self.command,
            "exit_code": self.exit_code,
            "output": self.output,
            "duration_s": round(self.duration_s, 3),
            "timed_out": self.timed_out,
            "skipped": self.skipped,
        }


@dataclass
class GateResult:
    """All commands of one gate run; `passed` only if every command passed."""

    passed: bool
    results: list[CommandResult] = field(default_factory=list)

    @property
    def failed(self) -> CommandResult | None:
        """The command that failed (or timed out), if any."""
        return next((r for r in self.results if not r.skipped and not r.passed), None)

    @property
    def skipped(self) -> list[str]:
        """Commands not run because an earlier one failed."""
        return [r.command for r in self.results if r.skipped]

    def failure_score(self) -> tuple[int, int, int]:
        """How bad the run is; compare lexicographically (higher is worse).

        (commands that did not pass, including skipped ones; commands that
        timed out; failed tests parsed from pytest/unittest summaries).
        A run that fails at an earlier command is therefore worse than one
        that gets further; equal positions are decided by timeouts, then by
        the number of failed tests. (0, 0, 0) means passed.
        """
        not_passed = sum(1 for r in self.results if not r.passed)
        timed_out = sum(1 for r in self.results if r.timed_out)
        tests = sum(r.failed_tests or 0 for r in self.results if not r.passed and not r.skipped)
        return (not_passed, timed_out, tests)

    def is_worse_than(self, other: GateResult) -> bool:
        """True when this run is strictly worse than `other` (see `failure_score`)."""
        return self.failure_score() > other.failure_score()

    def summary(self) -> str:
        """One line for a status bar."""
        if self.passed:
            return f"gate passed ({len(self.results)} command(s))"
        f = self.failed
        if f is None:
            return "gate failed"
        why = "timed out" if f.timed_out else f"exit {f.exit_code}"
        tests = f.failed_tests
        extra = f", {tests} failed test(s)" if tests else ""
        skipped = f"; {len(self.skipped)} skipped" if self.skipped else ""
        return f"gate failed: `{f.command}` {why}{extra}{skipped}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for session files."""
        return {"passed": self.passed, "results": [r.to_dict() for r in self.results]}


class _Tail:
    """The last `limit` characters of a stream of lines."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: deque[str] = deque()
        self.size = 0
        self.dropped = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        while self.size > self.limit and len(self.parts) > 1:
            old = self.parts.popleft()
            self.size -= len(old)
            self.dropped += len(old)
        if self.size > self.limit:  # a single huge part
            only = self.parts.pop()
            cut = len(only) - self.limit
            self.parts.append(only[cut:])
            self.size -= cut
            self.dropped += cut

    def text(self) -> str:
        body = "".join(self.parts)
        if self.dropped:
            return f"[... {self.dropped} characters of earlier output dropped ...]\n{body}"
        return body


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None and not hasattr(os, "killpg"):
        return
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


async def _wait_exit(proc: asyncio.subprocess.Process, timeout_s: float) -> None:
    """Wait until the shell exits (not until its pipes close, unlike `proc.wait()`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    delay = 0.005
    while proc.returncode is None:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.05)


async def _finish(proc: asyncio.subprocess.Process) -> None:
    """Reap the process; if a runaway grandchild still holds the pipe, close it anyway."""
    try:
        await asyncio.wait_for(proc.wait(), _DRAIN_GRACE_S)
    except TimeoutError:
        transport = getattr(proc, "_transport", None)
        if transport is not None:
            transport.close()


async def _spawn(
    command: str, cwd: Path, env: Mapping[str, str], sandbox: Sandbox | None
) -> asyncio.subprocess.Process:
    """Start `command` (through the shell, or inside bubblewrap) in its own session."""
    options: dict[str, Any] = {
        "cwd": str(cwd),
        "stdin": asyncio.subprocess.DEVNULL,
        "stdout": asyncio.subprocess.PIPE,
        "stderr": asyncio.subprocess.STDOUT,
        "env": dict(env),
        "start_new_session": True,
    }
    if sandbox is not None and sandbox.mode == "bubblewrap":
        return await asyncio.create_subprocess_exec(
            *bwrap_argv(sandbox, cwd, command, env), **options
        )
    return await asyncio.create_subprocess_shell(command, **options)


async def _run_one(
    command: str,
    cwd: Path,
    timeout_s: float,
    emit: Callable[[str], None],
    env: Mapping[str, str],
    max_chars: int,
    sandbox: Sandbox | None = None,
) -> CommandResult:
    tail = _Tail(max_chars)

    def lines_out(text: str) -> None:
        # Redact a whole batch at once: per-line redaction costs ~0.1 ms a line.
        for line in redact(text).split("\n"):
            line = line.rstrip("\r")
            tail.add(line + "\n")
            emit(line)

    start = time.monotonic()
    proc = await _spawn(command, cwd, env, sandbox)
    process_groups.register(proc.pid)  # a forced exit kills it (see process_groups)

    async def pump() -> None:
        assert proc.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while True:
            chunk = await proc.stdout.read(65536)
            if not chunk:
                break
            pending += decoder.decode(chunk)
            complete, sep, pending = pending.rpartition("\n")
            if sep:
                lines_out(complete)
            while len(pending) > _MAX_LINE_CHARS:
                lines_out(pending[:_MAX_LINE_CHARS])
                pending = pending[_MAX_LINE_CHARS:]
        pending += decoder.decode(b"", final=True)
        if pending:
            lines_out(pending)

    reader = asyncio.create_task(pump())
    timed_out = False
    try:
        try:
            await _wait_exit(proc, timeout_s)
        except TimeoutError:
            timed_out = True
            _kill_group(proc)
        # Background children may keep the pipe open after the shell exits: give
        # them a moment to finish writing, then kill the group and stop reading.
        done, _ = await asyncio.wait({reader}, timeout=_DRAIN_GRACE_S)
        if not done:
            _kill_group(proc)
            done, _ = await asyncio.wait({reader}, timeout=_DRAIN_GRACE_S)
            if not done:
                reader.cancel()
        _kill_group(proc)  # no stragglers from this command's group
        await _finish(proc)
    except BaseException:  # cancelled (the user quit) or failed: leave no process behind
        _kill_group(proc)
        reader.cancel()
        with suppress(BaseException):
            await _finish(proc)
        raise
    finally:
        process_groups.unregister(proc.pid)
    if reader.done() and not reader.cancelled() and reader.exception() is not None:
        lines_out(f"[duo-tui: reading the output failed: {reader.exception()}]")
    if timed_out:
        lines_out(f"[duo-tui: timed out after {timeout_s:g}s; process group killed]")
    return CommandResult(
        command=command,
        exit_code=proc.returncode,
        output=tail.text(),
        duration_s=time.monotonic() - start,
        timed_out=timed_out,
    )


async def run_gate(
    commands: Sequence[str],
    cwd: Path,
    timeout_s: float,
    on_output: Callable[[str], None] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    scrub_secrets: bool = True,
    max_output_chars: int = MAX_OUTPUT_CHARS,
    passthrough_env: Sequence[str] = (),
    sandbox: Sandbox | None = None,
) -> GateResult:
    """Run the configured gate `commands` in `cwd`, fail fast; see the module docstring.

    `commands` must come from configuration only, never from model output.
    `timeout_s` applies to each command. `on_output` receives every output
    line (without newline, redacted), preceded by a `$ <command>` line per
    command; exceptions it raises are logged and ignored. `env` adds
    variables; ours are reduced to the allow-list plus `passthrough_env`, never a
    key (`scrub_secrets=False` keeps them all, for tests). `sandbox` (see
    `duo_tui.vcs.sandbox.resolve_sandbox`) runs each command in bubblewrap; None
    runs it directly. Cancelling the task kills the running command's process group.
    """
    full_env = gate_env(env, passthrough_env, scrub_secrets)
    if sandbox is not None and sandbox.mode == "bubblewrap" and sandbox.git_dir is None:
        # fixed now: a command may rewrite the worktree's `.git` file for the next one
        sandbox = replace(sandbox, git_dir=gate_git_dir(Path(cwd)))
    callback_failed = False

    def emit(line: str) -> None:
        nonlocal callback_failed
        if on_output is None or callback_failed:
            return
        try:
            on_output(line)
        except Exception:  # a UI callback must not break the gate
            callback_failed = True
            log.exception("gate on_output callback failed; output streaming stopped")

    results: list[CommandResult] = []
    passed = True
    for command in commands:
        if not passed:
            results.append(CommandResult(command, None, "", 0.0, skipped=True))
            continue
        emit(f"$ {command}")
        result = await _run_one(
            command, Path(cwd), timeout_s, emit, full_env, max_output_chars, sandbox
        )
        results.append(result)
        passed = result.passed
    return GateResult(passed=passed, results=results)

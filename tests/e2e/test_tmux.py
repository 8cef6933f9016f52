"""End to end in a real terminal: `python -m duo_tui --demo` driven through tmux.

Each test starts the real program in a detached tmux session on its own
socket, reads the screen with `tmux capture-pane -p`, presses `a` at every
checkpoint (the bar line "◆ <stage> … — …" with "a Accept" in the footer)
until the bar says "✓ converged", checks the commit on the session branch of
the throw-away demo repository, quits with `q` and checks that the program
exited cleanly: exit status 0, the tmux session gone, and no traceback in any
screen or in the raw terminal output (recorded with `tmux pipe-pane`).

DUO_TUI_DEMO_PACE=0 makes the scripted models stream instantly.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

COMMIT_SUBJECT = "feat(cart): add percentage discount codes"
STAGES = ("plan", "align", "execute", "gate", "review", "triage", "fix", "commit")
CHECKPOINT_RE = re.compile(rf"^\s*([◆✗]) ({'|'.join(STAGES)})\b")
"""The checkpoint bar's first line: "◆ plan — plan v1 by …" (✗ when the stage failed).

Only the start of the line is matched: a notification toast can cover the rest."""
POLL = 0.05
TIMEOUT = 45.0


class Tmux:
    """One tmux server on a private socket, holding the program under test."""

    def __init__(self, tmp: Path, width: int, height: int) -> None:
        self.socket = f"duo-e2e-{uuid.uuid4().hex[:10]}"
        self.session = "duo"
        self.tmp = tmp
        self.width, self.height = width, height
        self.screens: list[str] = []
        self.log = tmp / "pane-output.log"
        self.exit_file = tmp / "exit-status"
        self.socket_path = ""

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=10,
        )

    def start(self, repo: Path, env: dict[str, str]) -> None:
        program = shlex.join([sys.executable, "-m", "duo_tui", "--demo", "--repo", str(repo)])
        # The shell wrapper records the exit status; tmux ends the session when it exits.
        command = f"{program}; echo $? > {shlex.quote(str(self.exit_file))}"
        env_flags = [arg for k, v in env.items() for arg in ("-e", f"{k}={v}")]
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                self.session,
                "-x",
                str(self.width),
                "-y",
                str(self.height),
                *env_flags,
                "sh",
                "-c",
                command,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, **env},
        )
        # Everything the program writes to the terminal, including a crash report printed
        # after the screen is restored (which capture-pane would miss once the pane closes).
        self.tmux("pipe-pane", "-t", self.session, "-o", f"cat >> {shlex.quote(str(self.log))}")
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}").stdout.strip()

    def capture(self) -> str:
        screen = self.tmux("capture-pane", "-p", "-t", self.session).stdout
        self.screens.append(screen)
        return screen

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.session, check=False).returncode == 0

    def send(self, key: str) -> None:
        self.tmux("send-keys", "-t", self.session, key)

    def kill(self) -> None:
        self.tmux("kill-server", check=False)
        if self.socket_path:
            Path(self.socket_path).unlink(missing_ok=True)


def _bar_line(screen: str) -> str:
    """The first line of the checkpoint bar: the line under the last rule above the footer.

    (The stage rail's "◆ plan" line at wide sizes looks like a bar line, so position matters.)
    """
    lines = screen.rstrip("\n").splitlines()
    # The footer is the last line (which keys it lists depends on the focused widget).
    footer = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), None)
    if footer is None:
        return ""
    rule = next((i for i in range(footer - 1, -1, -1) if lines[i].lstrip().startswith("─")), None)
    return lines[rule + 1].strip() if rule is not None and rule + 1 < footer else ""


def _checkpoint(screen: str) -> tuple[str, str] | None:
    """(glyph, stage) of the awaited checkpoint, if the bar shows one and accept is offered."""
    m = CHECKPOINT_RE.match(_bar_line(screen))
    return (m.group(1), m.group(2)) if m else None


def _env(tmp: Path) -> dict[str, str]:
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = duo e2e\n\temail = e2e@duo-tui.invalid\n[init]\n\tdefaultBranch = main\n",
        encoding="utf-8",
    )
    return {
        "DUO_TUI_DEMO_PACE": "0",
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "DUO_TUI_CONFIG_DIR": str(tmp / "duo-config"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }


def _walk(tmp_path: Path, width: int, height: int) -> None:
    repo = tmp_path / "demo"
    term = Tmux(tmp_path, width, height)
    seen: list[str] = []
    try:
        term.start(repo, _env(tmp_path))
        deadline = time.monotonic() + TIMEOUT
        last_bar = ""
        sent_at = 0.0
        screen = ""
        while True:
            assert time.monotonic() < deadline, (
                f"no convergence after {TIMEOUT:.0f}s; checkpoints seen {seen}; screen:\n{screen}"
            )
            assert term.alive(), f"the program exited early; last screen:\n{screen}"
            screen = term.capture()
            assert "Traceback" not in screen, screen
            if "✓ converged" in screen:
                break
            cp = _checkpoint(screen)
            if cp is None:
                time.sleep(POLL)
                continue
            glyph, stage = cp
            assert glyph == "◆", f"the {stage} stage failed in the demo:\n{screen}"
            bar = _bar_line(screen)
            # Wait for the bar to change after a key press; press again only if it
            # has not changed for a while (a key lost while the app was busy).
            if bar == last_bar and time.monotonic() - sent_at < 3.0:
                time.sleep(POLL)
                continue
            # nothing important cut (issue 19): the footer keeps ? Help and q Quit whole
            footer = screen.rstrip("\n").splitlines()[-1]
            assert "? Help" in footer and "q Quit" in footer, f"the footer is cut: {footer!r}"
            seen.append(stage)
            term.send("a")
            last_bar, sent_at = bar, time.monotonic()

        for stage in ("plan", "execute", "review", "triage", "commit"):
            assert stage in seen, f"no {stage} checkpoint in {seen}"
        branches = subprocess.run(
            ["git", "for-each-ref", "--format=%(refname:short)", "refs/heads/duo/"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert len(branches) == 1, branches
        subjects = subprocess.run(
            ["git", "log", "--format=%s", branches[0]],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        assert COMMIT_SUBJECT in subjects, subjects

        term.send("q")
        quit_deadline = time.monotonic() + 15
        while term.alive():
            assert time.monotonic() < quit_deadline, f"q did not quit; screen:\n{term.capture()}"
            time.sleep(POLL)
        assert term.exit_file.read_text().strip() == "0", "the program exited with an error"
        for s in term.screens:
            assert "Traceback" not in s, s
        raw = term.log.read_text(encoding="utf-8", errors="replace") if term.log.exists() else ""
        assert "Traceback" not in raw, raw[-4000:]
    finally:
        term.kill()


def test_demo_converges_at_200x60(tmp_path: Path) -> None:
    _walk(tmp_path, 200, 60)


def test_demo_converges_at_200x50(tmp_path: Path) -> None:
    _walk(tmp_path, 200, 50)


def test_demo_converges_at_80x24(tmp_path: Path) -> None:
    _walk(tmp_path, 80, 24)

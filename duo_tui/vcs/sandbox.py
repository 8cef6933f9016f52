"""Where and with what the gate's commands run: a scrubbed environment, and bubblewrap.

The gate executes model-written code (the tests the executor wrote, the code
they import). Two layers limit what that code can reach:

* **The environment is an allow-list** (`gate_env`): only the variables a
  build or a test run needs (PATH, HOME, the locale, TERM, TMPDIR, the Python,
  Node, Go, Rust and Java tool locations, CI) plus the names listed in
  `[gate] env`. Every variable that holds a key (`duo_tui.redact.is_key_env`:
  each configured `api_key_env`, the providers' key variables, `[secrets] env`,
  and any name with KEY/TOKEN/SECRET/PASSWORD/CREDENTIAL) is removed, even
  when `[gate] env` names it.

* **bubblewrap** (`[gate] sandbox = "auto" | "bubblewrap" | "off"`, default
  auto): where `bwrap` works, each command runs inside it with no network
  (its own empty network namespace), its own PID namespace (nothing outlives
  the command), the session worktree the only writable place besides a
  private /tmp, the rest of the system read-only, and the home directory, the
  host's /tmp and the repository's `.duo/` (other sessions, transcripts)
  hidden; only the interpreter's prefix, the user's site directory, the
  worktree's git directory and the directories on PATH/PYTHONPATH that live
  in a hidden place are bound back, read-only. It dies with duo-tui.
  "auto" without a usable bwrap runs the command directly, with the user's
  permissions, and says so; "bubblewrap" without one is a configuration
  error naming how to install it.
"""

from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from duo_tui.errors import ConfigError
from duo_tui.redact import is_key_env
from duo_tui.vcs.pinned import pinned_git_dir

SandboxMode = Literal["auto", "bubblewrap", "off"]

#: Variables passed to the gate (besides the LC_* locale ones and `[gate] env`).
ALLOWED_ENV = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TERM",
        "COLORTERM",
        "NO_COLOR",
        "FORCE_COLOR",
        "TMPDIR",
        "TMP",
        "TEMP",
        "CI",
        "SOURCE_DATE_EPOCH",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "CONDA_DEFAULT_ENV",
        "PYTHONPATH",
        "PYTHONHASHSEED",
        "PYTHONIOENCODING",
        "PYTHONUTF8",
        "PYTHONDONTWRITEBYTECODE",
        "NODE_PATH",
        "GOPATH",
        "GOROOT",
        "GOFLAGS",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "JAVA_HOME",
    }
)
_ALLOWED_PREFIXES = ("LC_",)

INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`, Fedora: "
    "`sudo dnf install bubblewrap`, Arch: `sudo pacman -S bubblewrap`), or set "
    '[gate] sandbox = "auto" or "off"'
)


def gate_env(
    extra: Mapping[str, str] | None = None,
    passthrough: Iterable[str] = (),
    scrub_secrets: bool = True,
) -> dict[str, str]:
    """The environment of gate commands: the allow-list and `passthrough`, never a key.

    `extra` is set on top (duo-tui's own variables). With `scrub_secrets=False`
    the whole environment is inherited (tests of redaction only).
    """
    allowed = ALLOWED_ENV | set(passthrough)
    env = {
        name: value
        for name, value in os.environ.items()
        if not scrub_secrets
        or ((name in allowed or name.startswith(_ALLOWED_PREFIXES)) and not is_key_env(name))
    }
    env.setdefault("PYTHONUNBUFFERED", "1")
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class Sandbox:
    """How the gate runs: `mode` is "bubblewrap" or "off"; `note` says why, in words."""

    mode: Literal["bubblewrap", "off"]
    note: str
    read_paths: tuple[str, ...] = ()
    #: the repository's git directory to bind, fixed before the gate's first command
    #: runs ("" for none; None: look it up), so no command can choose it for the next
    git_dir: str | None = None

    def describe(self) -> str:
        """One line for the gate pane, the gate log and the report."""
        if self.mode == "bubblewrap":
            return "sandbox: bubblewrap (no network; writes only to the worktree)"
        return f"sandbox: off ({self.note})"


@functools.cache
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot be used here (None: it works). Probed once per process."""
    exe = shutil.which("bwrap")
    if exe is None:
        return "bwrap is not installed"
    try:
        proc = subprocess.run(
            [exe, *_BASE_ARGS, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"],
            capture_output=True,
            text=True,
            timeout=10,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bwrap could not start: {exc}"
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return f"bwrap does not work here ({why}; user namespaces may be disabled)"
    return None


def resolve_sandbox(mode: str, read_paths: Iterable[str] = ()) -> Sandbox:
    """The sandbox `[gate] sandbox = mode` gives on this machine; ConfigError when the
    configuration asks for bubblewrap and it is missing or unusable."""
    paths = tuple(str(Path(p).expanduser()) for p in read_paths)
    if mode == "off":
        return Sandbox("off", "[gate] sandbox = off; the gate runs with your permissions")
    problem = bwrap_problem()
    if problem is None:
        return Sandbox("bubblewrap", "", paths)
    if mode == "bubblewrap":
        raise ConfigError(f'[gate] sandbox = "bubblewrap" but {problem}: {INSTALL_HINT}')
    return Sandbox("off", f"{problem}; the gate runs with your permissions")


_BASE_ARGS = (
    "--die-with-parent",
    "--unshare-net",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
)


def _under(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def _git_dir_of(worktree: Path) -> Path | None:
    """The repository's git directory a linked worktree's `.git` file points into."""
    dotgit = worktree / ".git"
    if not dotgit.is_file():
        return None
    try:
        line = dotgit.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    gitdir = Path(line[len("gitdir:") :].strip())
    gitdir = gitdir if gitdir.is_absolute() else (worktree / gitdir)
    # .git/worktrees/<name> -> .git (the objects and refs live there)
    return gitdir.parent.parent if gitdir.parent.name == "worktrees" else gitdir


def gate_git_dir(worktree: Path) -> str:
    """The git directory the sandbox binds for `worktree` ("" for none): the pinned one
    (`duo_tui.vcs.pinned`) of a session worktree, else what its `.git` file says now."""
    pinned = pinned_git_dir(worktree)
    if pinned is not None:
        found: Path | None = pinned.parent.parent if pinned.parent.name == "worktrees" else pinned
    else:
        found = _git_dir_of(worktree.resolve())
    return str(found) if found is not None else ""


def bwrap_argv(sandbox: Sandbox, worktree: Path, command: str, env: Mapping[str, str]) -> list[str]:
    """The argv running `command` through `sh -c` inside bubblewrap, `worktree` writable."""
    worktree = worktree.resolve()
    home = Path(env.get("HOME") or os.environ.get("HOME") or "/").resolve()
    hidden = [Path("/tmp")]
    if home != Path("/") and home.is_dir() and home != Path("/tmp"):
        hidden.append(home)
    args = [shutil.which("bwrap") or "bwrap", *_BASE_ARGS, "--ro-bind", "/", "/"]
    args += ["--dev", "/dev", "--proc", "/proc"]
    for h in hidden:
        args += ["--tmpfs", str(h)]
    # What the commands need from the hidden places, read-only: the interpreter and its
    # packages, the user's site directory, tools on PATH, PYTHONPATH, the git directory.
    wanted: list[str] = [sys.prefix, sys.base_prefix, sys.exec_prefix, site.getuserbase()]
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        if env.get(var):
            wanted.append(env[var])
    for var in ("PATH", "PYTHONPATH"):
        for entry in (p for p in env.get(var, "").split(os.pathsep) if p):
            # a tool installed in a dot-directory of home (~/.pyenv/shims, ~/.cargo/bin)
            # needs the rest of that directory too: bind the whole of it
            parts = Path(entry).parts
            top = home / parts[len(home.parts)] if _under(Path(entry), [home]) else None
            wanted.append(str(top) if top is not None and top.name.startswith(".") else entry)
    gitdir = sandbox.git_dir if sandbox.git_dir is not None else gate_git_dir(worktree)
    if gitdir:
        wanted.append(gitdir)
    wanted += sandbox.read_paths
    seen: set[Path] = set()
    for raw in wanted:
        p = Path(raw)
        if not p.is_absolute():
            continue
        p = p.resolve()
        if p in seen or not _under(p, hidden) or _under(p, [worktree]):
            continue
        seen.add(p)
        args += ["--ro-bind-try", str(p), str(p)]
    # Other sessions' worktrees and the transcripts in the repository's .duo/: hidden.
    if worktree.parent.name == "worktrees" and worktree.parent.parent.name == ".duo":
        args += ["--tmpfs", str(worktree.parent.parent)]
    args += ["--bind", str(worktree), str(worktree)]
    for h in hidden:
        if h == home:
            args += ["--remount-ro", str(h)]  # hidden and read-only: a write there fails
    # Temporary files and caches go to the private /tmp (home is read-only in here).
    args += ["--setenv", "TMPDIR", "/tmp", "--setenv", "XDG_CACHE_HOME", "/tmp/.cache"]
    args += ["--chdir", str(worktree), "--", "/bin/sh", "-c", command]
    return args

"""`duo-tui doctor`: is this machine ready for a session? (repository, config, keys, models, gate)

Checks, in order, and says for each what is wrong and what to fix:

- the repository: a git work tree (`--repo` or the current directory);
- the configuration: every layer parses, and which files were read;
- per model of a role (planner, executor, reviewers): the provider and its SDK
  version, the base URL, where the key comes from (the variable's *name*, never
  its value), and whether the model answers a 1-token call, with the latency;
  offline it says it cannot reach the provider, with the error;
- the gate: each command's executable exists; the sandbox setting, if any.

The report is plain data (`DoctorReport`); `render` turns it into text. Nothing
here imports Textual. Everything shown that came from the configuration or a
server passes through `safe_text.clean_line`.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from duo_tui.errors import ConfigError
from duo_tui.safe_text import clean_line

if TYPE_CHECKING:
    from duo_tui.config import Config

#: Shell words that are not executables on PATH.
_BUILTINS = frozenset({"cd", "test", "[", "true", "false", ":", "echo", "exit", "export", "set"})
_PROBE_PROMPT = "Reply with the single word OK."


@dataclass
class Line:
    """One checked item: what, whether it is usable, and the details to show."""

    label: str
    ok: bool
    detail: str


@dataclass
class ModelCheck:
    model: str
    roles: list[str]
    provider: str = ""  # e.g. "anthropic SDK 2.17.0"
    base_url: str = ""
    key: str = ""  # where the key comes from, never the key
    key_ok: bool = True
    answered: bool = False
    latency_s: float | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.key_ok and self.answered


@dataclass
class DoctorReport:
    checks: list[Line] = field(default_factory=list)
    models: list[ModelCheck] = field(default_factory=list)
    gate: list[Line] = field(default_factory=list)
    sandbox: Line | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in [*self.checks, *self.gate]) and all(m.ok for m in self.models)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 2


def _sdk(prefix: str) -> str:
    package = prefix if prefix in ("anthropic", "openai") else "litellm"
    try:
        return f"{package} {'SDK ' if package != 'litellm' else ''}{version(package)}"
    except PackageNotFoundError:
        return f"{package} (not installed)"


def _key_source(model: str, config: Config, env: dict[str, str]) -> tuple[str, bool]:
    """Where the key of `model` comes from (a variable's name), and whether it is set."""
    from duo_tui.providers import catalog, registry

    prefix = catalog.prefix_of(model)
    names = registry.key_env_vars(prefix, config)
    named_by = (
        f", named by [providers.{prefix}] api_key_env"
        if config.provider(prefix).api_key_env
        else ""
    )
    for name in names:
        if env.get(name, "").strip():
            return f"{name} (environment{named_by})", True
    local = prefix in catalog.LOCAL_PROVIDERS or (
        prefix == "openai" and catalog.is_local_url(registry.base_url(prefix, config, env))
    )
    if local:
        return "none needed (local server)", True
    if not names:
        return "not checked here: litellm reads this provider's own variables", True
    return f"missing: set {' or '.join(names)}{named_by}", False


async def _probe(model: str, config: Config, timeout_s: float) -> tuple[bool, float | None, str]:
    """A 1-token call: (answered, latency in seconds, error)."""
    from duo_tui.providers import catalog, registry
    from duo_tui.providers.base import FaultKind, Message, ModelRequest, ProviderError, StreamEnd

    prefix = catalog.prefix_of(model)
    probe_config = config.model_copy(deep=True)
    probe_config.providers[prefix] = config.provider(prefix).model_copy(
        update={"max_retries": 0, "timeout_s": timeout_s, "stall_timeout_s": timeout_s}
    )
    request = ModelRequest(
        model=model,
        system="",
        messages=[Message("user", _PROBE_PROMPT)],
        purpose="doctor",
        max_tokens=1,
        deadline_s=timeout_s,
        stall_timeout_s=timeout_s,
        first_token_timeout_s=timeout_s,
    )
    started = time.monotonic()
    provider = registry.make_provider(model, probe_config)
    try:
        async for event in provider.stream(request):
            if isinstance(event, StreamEnd):
                # the provider's own clock: it starts after the SDK is imported
                latency = event.latency_s
                return True, latency if latency is not None else time.monotonic() - started, ""
        return False, None, "the stream ended without an answer"
    except ProviderError as err:
        if err.kind in (FaultKind.TRUNCATED, FaultKind.CUT_OFF):
            # Cut off (one token is the whole budget): it reached the model and was answered.
            return True, time.monotonic() - started, ""
        if err.kind in (FaultKind.CONNECTION, FaultKind.TIMEOUT, FaultKind.STALL):
            return False, None, f"cannot reach the provider: {err.message}"
        return False, None, f"{err.message} ({err.what_to_do()})"
    except ConfigError as err:
        return False, None, str(err)
    finally:
        await provider.aclose()


def _without_credentials(url: str) -> str:
    """`url` with any `user:password@` replaced: a base URL may carry a credential."""
    from urllib.parse import urlsplit, urlunsplit

    from duo_tui.redact import redact

    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[-1]
        url = urlunsplit(parts._replace(netloc=f"***@{host}"))
    return redact(url)


def _roles(config: Config) -> dict[str, list[str]]:
    """Model -> the roles it plays, in role order."""
    roles: dict[str, list[str]] = {}
    roles.setdefault(config.roles.planner, []).append("planner")
    roles.setdefault(config.roles.executor, []).append("executor")
    for i, model in enumerate(config.roles.to_roles().effective_reviewers()):
        roles.setdefault(model, []).append(f"reviewer {'AB'[i] if i < 2 else i + 1}")
    judge = config.triage.judge_model(config.roles.planner, config.roles.executor)
    if judge:
        roles.setdefault(judge, []).append("triage judge")
    return roles


def _executable(command: str, repo: Path | None) -> Line:
    label = clean_line(command)
    try:
        words = shlex.split(command)
    except ValueError as exc:
        return Line(label, False, f"cannot be parsed: {exc}")
    words = [w for w in words if not ("=" in w and w.split("=", 1)[0].isidentifier())] or [""]
    exe = words[0]
    if not exe:
        return Line(label, False, "no command")
    if exe in _BUILTINS:
        return Line(label, True, f"{exe}: shell builtin")
    if "/" in exe:
        path = Path(exe) if Path(exe).is_absolute() or repo is None else repo / exe
        found = str(path) if path.is_file() and os.access(path, os.X_OK) else None
    else:
        found = shutil.which(exe)
    if found is None:
        return Line(label, False, f"{clean_line(exe)}: not found")
    return Line(label, True, clean_line(found))


def _sandbox(config: Config) -> Line:
    """The `[gate] sandbox` setting, read defensively (it may not exist in this version)."""
    mode = getattr(config.gate, "sandbox", None)
    bwrap = shutil.which("bwrap")
    have = f"bubblewrap at {bwrap}" if bwrap else "bubblewrap not installed"
    if mode is None:
        return Line("sandbox", True, f"not configured ({have})")
    return Line("sandbox", True, f"{clean_line(str(mode))} ({have})")


async def run_doctor(
    repo_arg: Path | None,
    config_path: Path | None,
    *,
    timeout_s: float = 30.0,
    env: dict[str, str] | None = None,
) -> DoctorReport:
    """Check everything; never raises for a problem it can name."""
    from duo_tui.config import load_config, user_config_path
    from duo_tui.service import find_repo

    env = dict(os.environ) if env is None else env
    report = DoctorReport()
    repo: Path | None = None
    try:
        repo = find_repo((repo_arg or Path.cwd()).expanduser().resolve())
        report.checks.append(Line("repository", True, clean_line(str(repo))))
    except ConfigError as exc:
        report.checks.append(Line("repository", False, clean_line(str(exc))))
    try:
        config = load_config(repo, config_path)
    except ConfigError as exc:
        report.checks.append(Line("configuration", False, clean_line(str(exc))))
        return report
    layers = [user_config_path(), *([repo / ".duo" / "config.toml"] if repo else [])]
    read = [str(p) for p in layers if p.is_file()] + ([str(config_path)] if config_path else [])
    report.checks.append(
        Line("configuration", True, clean_line(", ".join(read) or "defaults (no config file)"))
    )
    report.models = await _check_models(config, timeout_s, env)
    report.gate = [_executable(c, repo) for c in config.gate.commands] or [
        Line("(none)", True, "no [gate] commands configured: edits are not checked")
    ]
    report.sandbox = _sandbox(config)
    return report


async def _check_models(config: Config, timeout_s: float, env: dict[str, str]) -> list[ModelCheck]:
    from duo_tui.config import validate_model_string
    from duo_tui.providers import catalog, registry

    checks: list[ModelCheck] = []
    probes: list[tuple[ModelCheck, str]] = []
    for model, roles in _roles(config).items():
        check = ModelCheck(model=clean_line(model), roles=roles)
        checks.append(check)
        try:
            validate_model_string(model)
        except ConfigError as exc:
            check.key_ok, check.error = False, clean_line(str(exc))
            continue
        prefix = catalog.prefix_of(model)
        check.provider = _sdk(prefix)
        url = registry.base_url(prefix, config, env) or catalog.LOCAL_DEFAULT_BASE.get(prefix)
        check.base_url = clean_line(_without_credentials(url)) if url else "the provider's default"
        check.key, check.key_ok = _key_source(model, config, env)
        if check.key_ok:
            probes.append((check, model))
    # Import every SDK first: an import blocks the loop and would count in the others' latency.
    registry.preload_sdks([model for _, model in probes])
    results = await asyncio.gather(*(_probe(model, config, timeout_s) for _, model in probes))
    for (check, _), (answered, latency, error) in zip(probes, results, strict=True):
        check.answered, check.latency_s, check.error = answered, latency, clean_line(error)
    return checks


def render(report: DoctorReport) -> str:
    """The report as the lines `duo-tui doctor` prints."""

    def mark(ok: bool) -> str:
        return "ok  " if ok else "FAIL"

    out = [f"{mark(c.ok)} {c.label}: {c.detail}" for c in report.checks]
    for m in report.models:
        out.append(f"{mark(m.ok)} {', '.join(m.roles)}: {m.model}")
        if m.provider:
            out.append(f"       provider: {m.provider} · base URL: {m.base_url}")
            out.append(f"       key: {m.key}")
        if m.answered:
            out.append(f"       answers: yes, in {m.latency_s or 0:.2f} s (1-token call)")
        elif m.error:
            out.append(f"       answers: no: {m.error}")
        else:
            out.append("       answers: not tried without a key")
    out += [f"{mark(g.ok)} gate: {g.label}: {g.detail}" for g in report.gate]
    if report.sandbox is not None:
        out.append(f"{mark(report.sandbox.ok)} sandbox: {report.sandbox.detail}")
    problems = sum(not x.ok for x in [*report.checks, *report.gate]) + sum(
        not m.ok for m in report.models
    )
    out.append(
        "ready: everything is usable"
        if report.ok
        else f"not ready: {problems} problem{'s' if problems != 1 else ''} (FAIL above)"
    )
    return "\n".join(out)

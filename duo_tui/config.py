"""Configuration: TOML layered as user file < `.duo/config.toml` < `--config FILE`.

Each section is a pydantic model; unknown keys are errors (a typo should not be
silently ignored) and every error names the file and the key to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from duo_tui.config_files import read_layers, user_config_path
from duo_tui.core.models import Roles
from duo_tui.errors import ConfigError
from duo_tui.limits import MB, Limits
from duo_tui.providers.catalog import KEY_ENV

#: The roles a model call is made for (the keys of `[roles] max_output_tokens`).
ROLE_NAMES = ("planner", "executor", "reviewer")
#: The roles `[triage] judge` may name instead of a model string.
JUDGE_ROLES = ("planner", "executor")

MODEL_STRING_HELP = "model strings are 'provider/model', e.g. 'anthropic/claude-opus-4-7'"


def validate_model_string(value: str, where: str = "model") -> str:
    """Refuse anything that is not `provider/model` with both parts non-empty."""
    provider, sep, name = value.partition("/")
    if not sep or not provider.strip() or not name.strip() or " " in value:
        raise ConfigError(f"{where}: {value!r} is not a valid model string ({MODEL_STRING_HELP})")
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RolesConfig(_Section):
    planner: str = "anthropic/claude-opus-4-7"
    """The model that writes (and revises) the plan."""
    executor: str = "openai/gpt-5.5"
    """The model that writes the code."""
    reviewers: list[str] = Field(default_factory=list)
    """Reviewer models; empty means the planner's and the executor's model."""
    max_output_tokens: dict[str, int] = Field(default_factory=dict)
    """Output budget per role (planner, executor, reviewer): overrides the provider's."""

    @field_validator("max_output_tokens")
    @classmethod
    def _budgets(cls, v: dict[str, int]) -> dict[str, int]:
        for role, tokens in v.items():
            if role not in ROLE_NAMES:
                raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLE_NAMES)}")
            if tokens < 1:
                raise ValueError(f"{role}: the output budget must be at least 1 token")
        return v

    @field_validator("planner", "executor")
    @classmethod
    def _model(cls, v: str) -> str:
        provider, sep, name = v.partition("/")
        if not sep or not provider or not name:
            raise ValueError(f"{v!r} is not 'provider/model'")
        return v

    @field_validator("reviewers")
    @classmethod
    def _models(cls, v: list[str]) -> list[str]:
        for m in v:
            cls._model(m)
        return v

    def to_roles(self) -> Roles:
        return Roles(planner=self.planner, executor=self.executor, reviewers=list(self.reviewers))


class ProviderConfig(_Section):
    api_base: str | None = None
    """Base URL of the provider's API (also ANTHROPIC_BASE_URL / OPENAI_BASE_URL)."""
    api_key_env: str | None = None
    """Name of the environment variable holding the key (never the key itself)."""
    timeout_s: float = Field(default=600.0, gt=0)
    """Overall deadline of one call."""
    stall_timeout_s: float = Field(default=90.0, gt=0)
    """A stream silent for this long between two chunks is a stall (retried once)."""
    first_token_timeout_s: float = Field(default=300.0, gt=0)
    """How long to wait for the first token: reasoning models say nothing while they think."""
    max_output_tokens: int | None = Field(default=None, ge=1)
    """Output budget of one call; default by model family (32k for Claude and reasoning models)."""
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = (
        None
    )
    """Sent only when set; changes the price. OpenAI reasoning models (and litellm) get it as
    `reasoning_effort`; Claude 4.6 and later, thinking, as `output_config.effort` (low to max)."""
    thinking_budget_tokens: int | None = Field(default=None, ge=1024)
    """Anthropic extended thinking: off unless set; these tokens come on top of the budget
    (up to the model's limit). Claude 4.6 and later think adaptively (no fixed budget)."""
    max_retries: int = Field(default=4, ge=0)
    """Retries of a call that failed before streaming (429, 5xx, 529, connection)."""
    max_retry_wait_s: float = Field(default=60.0, ge=0)
    """Cap on one backoff wait, also on a server's Retry-After."""


class GateConfig(_Section):
    commands: list[str] = Field(default_factory=list)
    """Lint/test commands run in the session worktree. Never from a model."""
    timeout_s: float = Field(default=600.0, gt=0)
    sandbox: Literal["auto", "bubblewrap", "off"] = "auto"
    """Run the gate inside bubblewrap (no network, only the worktree writable):
    "auto" where bwrap works, "bubblewrap" always (an error without it), "off" never."""
    env: list[str] = Field(default_factory=list)
    """More environment variables passed to the gate (keys never are)."""
    sandbox_read: list[str] = Field(default_factory=list)
    """More paths the sandboxed gate may read (home and /tmp are hidden otherwise)."""


class LoopConfig(_Section):
    max_rounds: int = Field(default=5, ge=1)
    max_high: int = Field(default=2, ge=0)
    max_cost_usd: float | None = Field(default=None, gt=0)
    max_align_rounds: int = Field(default=3, ge=1)
    max_execute_retries: int = Field(default=2, ge=0)
    """In auto/fast mode, how often a failed execute is asked again with the error."""
    rebuttal: bool = False
    """Show each reviewer the other's findings to concede or contest."""
    fast_max_files: int = Field(default=3, ge=1)
    """A fast session whose change touches more files says so and offers the full workflow."""


class TasksConfig(_Section):
    max_files: int = Field(default=3, ge=1)
    max_lines: int = Field(default=100, ge=1)


class UIConfig(_Section):
    theme: str = "duo-dark"
    keys: dict[str, str] = Field(default_factory=dict)
    """Remapped bindings: binding id -> key(s), e.g. {accept = "enter"}."""
    stream_pace: float = 1.0
    """Demo streaming speed multiplier."""


class TriageConfig(_Section):
    judge: str | None = None
    """A model that settles the matcher's uncertain pairs in one batched call per round:
    a model string ('anthropic/claude-haiku-4-5') or a role ('planner', 'executor');
    off when unset."""

    @field_validator("judge")
    @classmethod
    def _judge(cls, v: str | None) -> str | None:
        if v is None or v in JUDGE_ROLES:
            return v
        provider, sep, name = v.partition("/")
        if not sep or not provider.strip() or not name.strip() or " " in v:
            raise ValueError(
                f"{v!r} is neither 'provider/model' nor a role ({', '.join(JUDGE_ROLES)})"
            )
        return v

    def judge_model(self, planner: str, executor: str) -> str | None:
        """The judge's model string (a role name resolved to its model), or None when off."""
        return {"planner": planner, "executor": executor}.get(self.judge or "", self.judge)


class SecretsConfig(_Section):
    env: list[str] = Field(default_factory=list)
    """More environment variables whose values are secrets: redacted everywhere,
    never passed to the gate (provider key variables are covered already)."""
    allow: list[str] = Field(default_factory=list)
    """Known false positives of the pre-commit secret scan: a regular expression
    matched against the flagged line, or the SHA-1 hex digest of the flagged
    string (as detect-secrets prints it). An inline `pragma: allowlist secret`
    is not honoured: the model writes the scanned lines, pragma included."""

    @field_validator("allow")
    @classmethod
    def _allow(cls, v: list[str]) -> list[str]:
        from duo_tui.vcs.secret_scan import check_allow_patterns

        return check_allow_patterns(v)


class LimitsConfig(_Section):
    """Size limits on inputs (see duo_tui/limits.py); each refusal names its key."""

    # Upper bounds keep a typo (or `inf`) a clear config error, not a crash converting it.
    review_file_mb: float = Field(default=20.0, gt=0, le=10_000)
    edit_mb: float = Field(default=1.0, gt=0, le=1_000)
    term_chars: int = Field(default=200, ge=8)
    findings_per_review: int = Field(default=5000, ge=1)
    json_depth: int = Field(default=64, ge=4, le=500)
    json_values: int = Field(default=500_000, ge=100)
    model_reply_mb: float = Field(default=2.0, gt=0, le=1_000)
    """A model reply longer than this (UTF-8) is stopped and is a stage error."""

    def to_limits(self) -> Limits:
        return Limits(
            review_file_bytes=int(self.review_file_mb * MB),
            edit_bytes=int(self.edit_mb * MB),
            term_chars=self.term_chars,
            findings_per_review=self.findings_per_review,
            json_depth=self.json_depth,
            json_values=self.json_values,
        )


class Config(_Section):
    roles: RolesConfig = Field(default_factory=RolesConfig)
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    gate: GateConfig = Field(default_factory=GateConfig)
    loop: LoopConfig = Field(default_factory=LoopConfig)
    tasks: TasksConfig = Field(default_factory=TasksConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    secrets: SecretsConfig = Field(default_factory=SecretsConfig)
    triage: TriageConfig = Field(default_factory=TriageConfig)

    def model_post_init(self, context: Any, /) -> None:
        # Registered as soon as a configuration exists, before any provider reads a key
        # or anything is written: from here on every writer redacts these values.
        from duo_tui.redact import register_key_env

        register_key_env(self.key_env_names())

    def provider(self, name: str) -> ProviderConfig:
        return self.providers.get(name) or ProviderConfig()

    def key_env_names(self) -> set[str]:
        """Every environment variable this configuration may read a key (or secret) from."""
        names = {n for names in KEY_ENV.values() for n in names}
        names.update(p.api_key_env for p in self.providers.values() if p.api_key_env)
        names.update(self.secrets.env)
        return names


def user_config_dir() -> Path:
    return user_config_path().parent


def _describe(exc: ValidationError, sources: list[Path]) -> str:
    where = ", ".join(str(p) for p in sources) or "defaults"
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"  [{key}] {msg}")
    return f"invalid configuration ({where}):\n" + "\n".join(lines)


def load_config(repo: Path | None = None, explicit: Path | None = None) -> Config:
    """Load and merge the configuration layers; raise ConfigError naming what to fix."""
    data, sources = read_layers(repo, explicit)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, sources)) from None

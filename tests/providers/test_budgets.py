"""Issue 17: output budgets per role and model, sized for the model family; timeouts in config."""

from __future__ import annotations

from pathlib import Path

import pytest

from duo_tui.config import Config, load_config
from duo_tui.errors import ConfigError
from duo_tui.providers.budgets import Budget, family_budget, output_budget


@pytest.mark.parametrize(
    ("model", "tokens", "ceiling"),
    [
        ("anthropic/claude-opus-4-7", 32000, 128000),
        ("anthropic/claude-sonnet-4-6", 32000, 128000),
        ("anthropic/claude-sonnet-4-5", 32000, 64000),
        ("anthropic/claude-sonnet-4-20250514", 32000, 64000),
        ("anthropic/claude-opus-4-1-20250805", 32000, 32000),
        ("anthropic/claude-3-5-haiku-latest", 8192, 8192),
        ("openai/gpt-5.5", 32000, 128000),
        ("openai/o3-mini", 32000, 100000),
        ("openai/gpt-4o", 16384, 16384),
        ("ollama_chat/qwen2.5-coder", 8192, 32768),
    ],
)
def test_family_defaults(model: str, tokens: int, ceiling: int) -> None:
    assert family_budget(model) == Budget(tokens, ceiling)


@pytest.mark.parametrize(
    "model",
    [
        "anthropic/claude-opus-4-7",
        "anthropic/claude-opus-4-6",
        "anthropic/claude-sonnet-4-6",
        "anthropic/claude-sonnet-4-5",
        "anthropic/claude-haiku-4-5",
        "anthropic/claude-opus-4-5",
        "openai/gpt-5.5",
        "openai/gpt-5",
        "openai/o3",
        "openai/gpt-4.1",
        "openai/gpt-4o",
    ],
)
def test_the_ceiling_is_what_litellms_model_map_says_the_model_writes(model: str) -> None:
    """The retry of a cut-off reply may ask for up to the ceiling: it must be the real limit."""
    from importlib.util import find_spec
    from json import loads

    spec = find_spec("litellm")
    assert spec is not None and spec.submodule_search_locations
    path = Path(spec.submodule_search_locations[0]) / "model_prices_and_context_window_backup.json"
    entry = loads(path.read_text(encoding="utf-8"))[model.split("/", 1)[1]]
    assert family_budget(model).ceiling == entry["max_output_tokens"]


def test_no_call_is_sent_with_8192_to_a_reasoning_model() -> None:
    """gpt-5.x counts its reasoning in max_completion_tokens: 8192 left executes empty."""
    assert output_budget("openai/gpt-5.5", "executor", Config()).tokens >= 32000


def test_role_overrides_provider_overrides_family(tmp_path: Path) -> None:
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text(
        "[roles]\nmax_output_tokens = { reviewer = 12000 }\n"
        "[providers.openai]\nmax_output_tokens = 100000\n"
    )
    cfg = load_config(None, cfg_file)
    assert output_budget("openai/gpt-5.5", "reviewer", cfg) == Budget(12000, 128000)
    assert output_budget("openai/gpt-5.5", "executor", cfg) == Budget(100000, 128000)
    assert output_budget("anthropic/claude-opus-4-7", "executor", cfg) == Budget(32000, 128000)
    # a configured budget above the family's known limit is the user's word
    cfg.providers["openai"].max_output_tokens = 200000
    assert output_budget("openai/gpt-5.5", "executor", cfg) == Budget(200000, 200000)


def test_the_retry_budget_doubles_up_to_the_ceiling() -> None:
    assert Budget(32000, 64000).larger() == 64000
    assert Budget(32000, 40000).larger() == 40000
    assert Budget(64000, 64000).larger() is None


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("[roles]\nmax_output_tokens = { writer = 10 }\n", "unknown role 'writer'"),
        ("[roles]\nmax_output_tokens = { executor = 0 }\n", "at least 1 token"),
        ("[providers.openai]\nreasoning_effort = 'extreme'\n", "reasoning_effort"),
        ("[providers.anthropic]\nthinking_budget_tokens = 100\n", "thinking_budget_tokens"),
        ("[providers.openai]\nfirst_token_timeout_s = 0\n", "first_token_timeout_s"),
        ("[limits]\nmodel_reply_mb = 0\n", "model_reply_mb"),
    ],
)
def test_bad_budget_settings_name_the_key(tmp_path: Path, toml: str, words: str) -> None:
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(None, cfg_file)
    assert words in str(info.value)


def test_defaults_are_off_where_they_change_the_price() -> None:
    p = Config().provider("openai")
    assert p.reasoning_effort is None and p.thinking_budget_tokens is None
    assert p.first_token_timeout_s >= 180 and p.stall_timeout_s < p.first_token_timeout_s
    assert Config().limits.model_reply_mb == 2.0

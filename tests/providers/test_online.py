"""One real call per provider; skipped unless real API keys are in the environment."""

from __future__ import annotations

import os

import pytest

from duo_tui.config import Config
from duo_tui.providers import registry

from .support import request, run

MODELS = {
    "ANTHROPIC_API_KEY": os.environ.get("DUO_ONLINE_ANTHROPIC_MODEL", "anthropic/claude-haiku-4-5"),
    "OPENAI_API_KEY": os.environ.get("DUO_ONLINE_OPENAI_MODEL", "openai/gpt-5-mini"),
}


@pytest.mark.online
@pytest.mark.parametrize("key_env", list(MODELS))
async def test_a_real_call_streams_text_and_usage(key_env: str) -> None:
    if not os.environ.get(key_env):
        pytest.skip(f"{key_env} is not set")
    model = MODELS[key_env]
    registry.clear_cache()
    provider = registry.make_provider(model, Config())
    out = await run(provider, request(model, "Reply with the single word: pong", max_tokens=256))
    assert out.error is None, out.error and out.error.message
    assert "pong" in out.text.lower()
    assert out.end is not None
    assert out.end.usage.input_tokens and out.end.usage.output_tokens

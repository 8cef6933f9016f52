"""The registry: lazy imports, provider caching, pre-flight checks and model families."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from duo_tui.config import Config, ProviderConfig
from duo_tui.errors import ConfigError
from duo_tui.providers import registry
from duo_tui.providers.base import Provider

from .fault_server import FaultServer
from .support import FAKE_ANTHROPIC_KEY

HEAVY = ("anthropic", "openai", "litellm", "httpx", "httpx2", "pydantic", "textual")


def test_importing_the_registry_imports_no_sdk() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import duo_tui.providers.registry; "
        "dt = time.perf_counter() - t; "
        f"print(dt, [m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, loaded = out.stdout.split(" ", 1)
    assert loaded.strip() == "[]"
    assert float(seconds) < 0.5


def test_providers_are_cached_per_provider_and_base_url(fake_keys: dict[str, str]) -> None:
    config = Config()
    a1 = registry.make_provider("anthropic/claude-opus-4-7", config)
    a2 = registry.make_provider("anthropic/claude-sonnet-4-5", config)
    assert a1 is a2
    assert isinstance(a1, Provider)
    assert type(a1).__name__ == "AnthropicProvider"
    assert type(registry.make_provider("openai/gpt-5.5", config)).__name__ == "OpenAIProvider"
    other = registry.make_provider("ollama/qwen2.5-coder", config)
    assert type(other).__name__ == "LiteLLMProvider"
    moved = Config(providers={"anthropic": ProviderConfig(api_base="http://127.0.0.1:9")})
    a3 = registry.make_provider("anthropic/claude-opus-4-7", moved)
    assert a3 is not a1
    assert a3.base_url == "http://127.0.0.1:9"  # type: ignore[attr-defined]


def test_base_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, fake_keys: dict[str, str]
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:7")
    provider = registry.make_provider("anthropic/claude-opus-4-7", Config())
    assert provider.base_url == "http://127.0.0.1:7"  # type: ignore[attr-defined]
    config = Config(providers={"anthropic": ProviderConfig(api_base="http://127.0.0.1:8")})
    assert registry.base_url("anthropic", config) == "http://127.0.0.1:8", "config wins"


def test_make_provider_refuses_a_malformed_model() -> None:
    with pytest.raises(ConfigError, match="not a valid model string"):
        registry.make_provider("claude-opus", Config())


def test_check_models_names_the_missing_key() -> None:
    env = {"ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY}
    registry.check_models(["anthropic/claude-opus-4-7", "ollama/llama3"], Config(), env=env)
    with pytest.raises(ConfigError) as info:
        registry.check_models(
            ["anthropic/claude-opus-4-7", "openai/gpt-5.5", "gemini/gemini-2.5-pro", "nope"],
            Config(),
            env=env,
        )
    message = str(info.value)
    assert info.value.exit_code == 2
    assert "openai/gpt-5.5: no API key: set OPENAI_API_KEY" in message
    assert "gemini/gemini-2.5-pro: no API key: set GEMINI_API_KEY (or GOOGLE_API_KEY)" in message
    assert "'nope' is not a valid model string" in message
    assert "ANTHROPIC" not in message


def test_check_models_honours_api_key_env() -> None:
    config = Config(providers={"openai": ProviderConfig(api_key_env="WORK_OPENAI_KEY")})
    with pytest.raises(ConfigError, match="set WORK_OPENAI_KEY"):
        registry.check_models(["openai/gpt-5.5"], config, env={"OPENAI_API_KEY": "x" * 20})
    registry.check_models(["openai/gpt-5.5"], config, env={"WORK_OPENAI_KEY": "x" * 20})


async def test_check_reachable(fault_server: FaultServer) -> None:
    up = Config(providers={"anthropic": ProviderConfig(api_base=fault_server.url)})
    await registry.check_reachable(["anthropic/claude-opus-4-7"], up, env={})
    # Public default endpoints are not probed.
    await registry.check_reachable(["openai/gpt-5.5"], Config(), env={})
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    down = Config(providers={"hosted_vllm": ProviderConfig(api_base=f"http://127.0.0.1:{port}/v1")})
    with pytest.raises(ConfigError) as info:
        await asyncio.wait_for(
            registry.check_reachable(["hosted_vllm/qwen"], down, timeout_s=1, env={}), 5
        )
    message = str(info.value)
    assert f"cannot reach http://127.0.0.1:{port}/v1" in message
    assert "used by hosted_vllm/qwen" in message
    assert "[providers.hosted_vllm] api_base or HOSTED_VLLM_API_BASE" in message


@pytest.mark.parametrize(
    ("model", "fam"),
    [
        ("anthropic/claude-opus-4-7", "anthropic"),
        ("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic"),
        ("openrouter/anthropic/claude-sonnet-4.5", "anthropic"),
        ("openai/gpt-5.5", "openai"),
        ("openai/o3-mini", "openai"),
        ("openrouter/openai/o4-mini", "openai"),
        ("azure/my-deployment", "openai"),
        ("gemini/gemini-2.5-pro", "gemini"),
        ("vertex_ai/gemini-2.5-flash", "gemini"),
        ("ollama/llama3.1:70b", "llama"),
        ("openrouter/meta-llama/llama-3.3-70b-instruct", "llama"),
        ("mistral/mistral-large-latest", "mistral"),
        ("openrouter/mistralai/codestral-2501", "mistral"),
        ("ollama/qwen2.5-coder:32b", "qwen"),
        ("deepseek/deepseek-chat", "deepseek"),
        ("ollama/deepseek-r1-distill-llama", "deepseek"),
        ("xai/grok-4", "xai"),
        ("ollama/phi4", "phi"),
        ("hosted_vllm/starcoder2", "starcoder"),
    ],
)
def test_family(model: str, fam: str) -> None:
    assert registry.family(model) == fam


def test_preload_sdks_imports_only_what_the_models_need() -> None:
    code = (
        "import sys; from duo_tui.providers import registry; "
        "registry.preload_sdks(['anthropic/claude-opus-4-7']); "
        "print([m for m in ('anthropic', 'openai', 'litellm') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['anthropic']"

"""The real anthropic / openai / litellm providers against llm-mock-api (in-process, 127.0.0.1).

Streaming text, provider usage and cost, structured output, and pre-stream
HTTP errors (429 retried then success, 500 and 529 retried until we give up,
401 and 400 never retried).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from llm_mock_api import ErrorReply, ReplyObject, ToolCall
from llm_mock_api.types.reply import Usage as MockUsage

from duo_tui.config import Config, ProviderConfig
from duo_tui.providers import registry
from duo_tui.providers.anthropic_provider import AnthropicProvider
from duo_tui.providers.base import FaultKind, Provider
from duo_tui.providers.litellm_provider import LiteLLMProvider
from duo_tui.providers.openai_provider import OpenAIProvider
from duo_tui.providers.pricing import cost_usd

from .support import FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY, Sleeps, fast_config, policy, request, run

pytestmark = [pytest.mark.usefixtures("fake_keys"), pytest.mark.asyncio(loop_scope="module")]

ANSWER = "Plan: add a token bucket to the webhook handler."
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"verdict": {"type": "string"}, "score": {"type": "integer"}},
    "required": ["verdict"],
}
DOC = {"verdict": "approve", "score": 8}


def anthropic(server: Any, sleeps: Sleeps | None = None) -> AnthropicProvider:
    return AnthropicProvider(
        fast_config(), base_url=server.url, policy=policy(sleeps) if sleeps else None
    )


def openai(server: Any, sleeps: Sleeps | None = None) -> OpenAIProvider:
    return OpenAIProvider(
        fast_config(), base_url=server.url + "/v1", policy=policy(sleeps) if sleeps else None
    )


def vllm(server: Any, sleeps: Sleeps | None = None) -> LiteLLMProvider:
    return LiteLLMProvider(
        "hosted_vllm",
        fast_config(),
        base_url=server.url + "/v1",
        policy=policy(sleeps) if sleeps else None,
    )


MODELS: dict[str, tuple[str, Callable[..., Provider]]] = {
    "anthropic": ("anthropic/claude-opus-4-7", anthropic),
    "openai": ("openai/gpt-5.5", openai),
    "litellm": ("hosted_vllm/qwen2.5-coder", vllm),
}


@pytest.mark.parametrize("kind", list(MODELS))
async def test_streams_text_with_provider_usage_and_cost(mock_server: Any, kind: str) -> None:
    model, make = MODELS[kind]
    mock_server.when("hello").reply(ReplyObject(text=ANSWER, usage=MockUsage(input=42, output=11)))
    out = await run(make(mock_server), request(model))
    assert out.error is None
    assert out.text == ANSWER
    assert len(out.chunks) > 1, "the answer must arrive in several chunks"
    assert out.end is not None
    assert out.end.usage.input_tokens == 42
    assert out.end.usage.output_tokens == 11
    assert out.end.usage.cost_usd == cost_usd(model, 42, 11)
    assert out.end.ttft_s is not None and out.end.latency_s is not None
    assert 0 <= out.end.ttft_s <= out.end.latency_s
    sent = mock_server.history.last().request
    assert sent.streaming
    assert sent.system_message == "You are terse."


async def test_known_models_have_a_cost_unknown_ones_none(mock_server: Any) -> None:
    mock_server.when("hello").reply(
        ReplyObject(text=ANSWER, usage=MockUsage(input=1000, output=100))
    )
    priced = await run(anthropic(mock_server), request("anthropic/claude-opus-4-7"))
    assert priced.end is not None and priced.end.usage.cost_usd == pytest.approx(
        1000 * 5e-06 + 100 * 2.5e-05
    )
    unpriced = await run(vllm(mock_server), request("hosted_vllm/qwen2.5-coder"))
    assert unpriced.end is not None
    assert unpriced.end.usage.input_tokens == 1000
    assert unpriced.end.usage.cost_usd is None


async def test_anthropic_structured_output_on_an_older_model_offers_the_tool(
    mock_server: Any,
) -> None:
    mock_server.when("review").reply(
        ReplyObject(
            tools=[ToolCall(name="duo_review", args=DOC)], usage=MockUsage(input=9, output=4)
        )
    )
    model = "anthropic/claude-sonnet-4-20250514"  # no JSON outputs: the tool, not forced
    out = await run(anthropic(mock_server), request(model, "review", schema=SCHEMA))
    assert out.error is None
    assert json.loads(out.text) == DOC
    assert out.end is not None and out.end.stop_reason == "tool_use"
    raw = mock_server.history.last().request.raw
    assert raw["tools"][0]["name"] == "duo_review"
    assert raw["tools"][0]["input_schema"] == SCHEMA
    assert raw["tool_choice"] == {"type": "auto"}


@pytest.mark.parametrize("kind", ["openai", "litellm"])
async def test_openai_structured_output_uses_response_format(mock_server: Any, kind: str) -> None:
    model, make = MODELS[kind]
    mock_server.when("review").reply(ReplyObject(text=json.dumps(DOC)))
    out = await run(make(mock_server), request(model, "review", schema=SCHEMA))
    assert out.error is None
    assert json.loads(out.text) == DOC
    raw = mock_server.history.last().request.raw
    assert raw["response_format"]["type"] == "json_schema"
    assert raw["response_format"]["json_schema"]["name"] == "duo_review"
    assert raw["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("kind", list(MODELS))
async def test_429_before_the_stream_is_retried_then_succeeds(
    mock_server: Any, kind: str, sleeps: Sleeps
) -> None:
    model, make = MODELS[kind]
    mock_server.when("hello").reply(ReplyObject(text=ANSWER, usage=MockUsage(input=3, output=2)))
    mock_server.next_error(429, "Rate limit reached for requests", "rate_limit_error")
    out = await run(make(mock_server, sleeps), request(model))
    assert out.error is None
    assert out.text == ANSWER
    assert len(out.notices) == 1
    notice = out.notices[0]
    assert (notice.attempt, notice.max_attempts) == (2, 3)
    assert "rate limited (HTTP 429)" in notice.reason
    assert "Rate limit reached" in notice.reason
    assert sleeps.waits == [notice.wait_s]
    assert mock_server.history.count() == 2


@pytest.mark.parametrize(
    ("status", "etype", "kind", "words"),
    [
        (500, "api_error", FaultKind.SERVER, "server error (HTTP 500)"),
        (529, "overloaded_error", FaultKind.OVERLOADED, "provider overloaded (HTTP 529)"),
        (503, "server_error", FaultKind.SERVER, "server error (HTTP 503)"),
    ],
)
@pytest.mark.parametrize("provider_kind", ["anthropic", "openai"])
async def test_persistent_5xx_is_retried_then_reported(
    mock_server: Any,
    sleeps: Sleeps,
    provider_kind: str,
    status: int,
    etype: str,
    kind: FaultKind,
    words: str,
) -> None:
    model, make = MODELS[provider_kind]
    mock_server.when("hello").reply(ReplyObject(error=ErrorReply(status, "busy, try later", etype)))
    out = await run(make(mock_server, sleeps), request(model))
    err = out.error
    assert err is not None
    assert err.kind == kind
    assert err.retryable
    assert words in err.message
    assert "gave up after 2 retries" in err.message
    assert err.partial == ""
    assert [n.attempt for n in out.notices] == [2, 3]
    assert mock_server.history.count() == 3
    assert (
        err.what_to_do()
        == {
            FaultKind.SERVER: "The provider returned a server error; rerun (r).",
            FaultKind.OVERLOADED: (
                "The provider is overloaded; rerun (r) or rerun with another model."
            ),
        }[kind]
    )


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize(
    ("status", "fault"),
    [(401, FaultKind.AUTH), (403, FaultKind.AUTH), (400, FaultKind.BAD_REQUEST)],
)
async def test_auth_and_bad_request_are_not_retried(
    mock_server: Any, sleeps: Sleeps, kind: str, status: int, fault: FaultKind
) -> None:
    model, make = MODELS[kind]
    mock_server.when("hello").reply(
        ReplyObject(error=ErrorReply(status, "invalid x-api-key", "authentication_error"))
    )
    out = await run(make(mock_server, sleeps), request(model))
    assert out.error is not None
    assert out.error.kind == fault
    assert not out.error.retryable
    assert out.notices == [] and sleeps.waits == []
    assert mock_server.history.count() == 1
    assert f"HTTP {status}" in out.error.message
    if fault is FaultKind.AUTH:
        assert out.error.what_to_do().startswith(
            "The API key was refused; check the key's environment variable."
        )


@pytest.mark.parametrize("kind", list(MODELS))
async def test_spend_limit_429_is_not_retried(mock_server: Any, sleeps: Sleeps, kind: str) -> None:
    model, make = MODELS[kind]
    mock_server.when("hello").reply(
        ReplyObject(
            error=ErrorReply(
                429,
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
            )
        )
    )
    out = await run(make(mock_server, sleeps), request(model))
    assert out.error is not None
    assert out.error.kind is FaultKind.SPEND_LIMIT
    assert not out.error.retryable
    assert "spend limit reached" in out.error.message
    assert out.notices == []
    assert mock_server.history.count() == 1
    assert "spend limit" in out.error.what_to_do()


async def test_registry_providers_reach_the_mock_through_config(mock_server: Any) -> None:
    mock_server.when("hello").reply(ReplyObject(text=ANSWER, usage=MockUsage(input=5, output=6)))
    config = Config(
        providers={
            "anthropic": ProviderConfig(api_base=mock_server.url),
            "openai": ProviderConfig(api_base=mock_server.url + "/v1"),
            "hosted_vllm": ProviderConfig(api_base=mock_server.url + "/v1"),
        }
    )
    for model in ("anthropic/claude-opus-4-7", "openai/gpt-5.5", "hosted_vllm/qwen2.5-coder"):
        provider: Provider = registry.make_provider(model, config)
        assert registry.make_provider(model, config) is provider
        out = await run(provider, request(model))
        assert out.error is None, out.error
        assert out.text == ANSWER


async def test_keys_are_sent_but_never_shown(mock_server: Any) -> None:
    """The SDKs send our keys; an error that quotes a key shows it redacted."""
    mock_server.when("hello").reply(
        lambda req: ReplyObject(
            error=ErrorReply(
                401, f"bad key {req.headers.get('x-api-key') or req.headers.get('authorization')}"
            )
        )
    )
    for kind in ("anthropic", "openai"):
        model, make = MODELS[kind]
        out = await run(make(mock_server), request(model))
        assert out.error is not None and out.error.kind is FaultKind.AUTH
        sent = mock_server.history.last().request.headers
        assert FAKE_ANTHROPIC_KEY in str(sent) or FAKE_OPENAI_KEY in str(sent)
        for text in (str(out.error), out.error.message, repr(out.error.args)):
            assert FAKE_ANTHROPIC_KEY not in text and FAKE_OPENAI_KEY not in text
        assert "[REDACTED]" in out.error.message

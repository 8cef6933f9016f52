"""Errors as real APIs send them, answered honestly: waits, retries, words, fall-backs.

Each case is served by our fault server in the provider's own wire format:
litellm's `retry-after` / `retry-after-ms` (its headers live elsewhere), Gemini's
429/503 that litellm wraps as a mid-stream failure, OpenRouter's 402, a 403,
OpenAI's "verify your organization to stream" 400, a compatible server that
rejects `max_completion_tokens`, and a local server without a key.
"""

from __future__ import annotations

import json

import pytest

from duo_tui.config import Config
from duo_tui.providers import registry
from duo_tui.providers.base import FaultKind
from duo_tui.providers.litellm_provider import LiteLLMProvider
from duo_tui.providers.openai_provider import OpenAIProvider

from .fault_server import DONE, FaultServer, Reply, json_reply, openai_chunk, stream_reply
from .support import Sleeps, fast_config, policy, request, run
from .test_faults import gpt, gpt_stream, vllm

pytestmark = pytest.mark.usefixtures("fake_keys")

GEMINI = "gemini/gemini-2.5-flash"
VLLM = "hosted_vllm/qwen2.5-coder"
GPT = "openai/gpt-5.5"


def gemini(server: FaultServer, sleeps: Sleeps) -> LiteLLMProvider:
    return LiteLLMProvider("gemini", fast_config(), base_url=server.url, policy=policy(sleeps))


def gemini_stream(text: str) -> Reply:
    chunk = {
        "candidates": [
            {"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2, "totalTokenCount": 7},
    }
    return stream_reply([f"data: {json.dumps(chunk)}\r\n\r\n".encode()])


@pytest.mark.parametrize(
    ("headers", "wait"), [({"retry-after": "9"}, 9.0), ({"retry-after-ms": "1500"}, 1.5)]
)
async def test_litellm_honours_the_servers_retry_after(
    fault_server: FaultServer, sleeps: Sleeps, headers: dict[str, str], wait: float
) -> None:
    fault_server.push(
        json_reply(429, {"error": {"message": "slow down", "type": "rate_limit"}}, headers),
        stream_reply(gpt_stream("ok")),
    )
    out = await run(vllm(fault_server, sleeps), request(VLLM))
    assert out.error is None and out.text == "ok"
    assert sleeps.waits == [wait]


@pytest.mark.parametrize(
    ("status", "error_status"), [(429, "RESOURCE_EXHAUSTED"), (503, "UNAVAILABLE")]
)
async def test_gemini_429_and_503_before_any_text_are_retried(
    fault_server: FaultServer,
    sleeps: Sleeps,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    error_status: str,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "g" * 39)
    body = {"error": {"code": status, "message": "try again later", "status": error_status}}
    fault_server.push(json_reply(status, body, {"retry-after": "7"}), gemini_stream("hello"))
    out = await run(gemini(fault_server, sleeps), request(GEMINI))
    assert out.error is None, out.error
    assert out.text == "hello"
    assert len(out.notices) == 1 and sleeps.waits == [7.0]
    assert len(fault_server.requests) == 2


async def test_openrouter_402_is_a_spend_limit(
    fault_server: FaultServer, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "r" * 40)
    body = {
        "error": {
            "code": 402,
            "message": "This request requires more credits, or fewer max_tokens. "
            "You requested up to 8192 tokens, but can only afford 100.",
        }
    }
    fault_server.push(json_reply(402, body))
    provider = LiteLLMProvider(
        "openrouter", fast_config(), base_url=fault_server.url + "/api/v1", policy=policy(sleeps)
    )
    out = await run(provider, request("openrouter/openai/gpt-5"))
    assert out.error is not None
    assert out.error.kind is FaultKind.SPEND_LIMIT
    assert "spend limit reached (HTTP 402)" in out.error.message
    assert "spend limit" in out.error.what_to_do()
    assert not out.error.retryable and sleeps.waits == []


async def test_a_403_names_both_a_refused_key_and_no_access(fault_server: FaultServer) -> None:
    body = {"error": {"message": "Project does not have access to model gpt-5.5", "type": "x"}}
    fault_server.push(json_reply(403, body))
    out = await run(gpt(fault_server), request(GPT))
    assert out.error is not None and out.error.kind is FaultKind.AUTH
    message = out.error.message
    assert "HTTP 403" in message and "API key was refused" in message
    assert "no access to this model or project" in message
    assert "no access to this model or project" in out.error.what_to_do()


VERIFY_400 = {
    "error": {
        "message": "Your organization must be verified to stream this model. Please go to: "
        "https://platform.openai.com/settings/organization/general and click on Verify "
        "Organization. If you just verified, it can take up to 15 minutes for access to "
        "propagate.",
        "type": "invalid_request_error",
        "param": "stream",
        "code": "unsupported_value",
    }
}


def completion(text: str) -> Reply:
    return json_reply(
        200,
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt-5.5",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
        },
    )


async def test_unverified_organization_is_explained_and_asked_without_streaming(
    fault_server: FaultServer,
) -> None:
    fault_server.push(json_reply(400, VERIFY_400), completion("whole answer"), completion("again"))
    provider = OpenAIProvider(fast_config(), base_url=fault_server.url + "/v1")
    out = await run(provider, request(GPT))
    assert out.error is None, out.error
    assert out.text == "whole answer"
    assert out.end is not None and out.end.stop_reason == "stop"
    assert (out.end.usage.input_tokens, out.end.usage.output_tokens) == (12, 3)
    assert len(out.notices) == 1
    reason = out.notices[0].reason
    assert "verified organizations" in reason and "without streaming" in reason
    first, second = (r.body for r in fault_server.requests)
    assert first["stream"] is True
    assert "stream" not in second and "stream_options" not in second
    # remembered for this model: the next call does not try to stream
    again = await run(provider, request(GPT))
    assert again.text == "again" and again.notices == []
    assert "stream" not in fault_server.requests[2].body


async def test_a_server_rejecting_max_completion_tokens_gets_max_tokens(
    fault_server: FaultServer,
) -> None:
    mistral_422 = {
        "object": "error",
        "message": {
            "detail": [
                {
                    "type": "extra_forbidden",
                    "loc": ["body", "max_completion_tokens"],
                    "msg": "Extra inputs are not permitted",
                }
            ]
        },
        "type": "invalid_request_error",
    }
    fault_server.push(
        json_reply(422, mistral_422),
        stream_reply(gpt_stream("ok")),
        stream_reply(gpt_stream("ok")),
    )
    provider = gpt(fault_server)
    out = await run(provider, request("openai/mistral-large-latest", max_tokens=1234))
    assert out.error is None, out.error
    first, second = (r.body for r in fault_server.requests)
    assert first["max_completion_tokens"] == 1234 and "max_tokens" not in first
    assert second["max_tokens"] == 1234 and "max_completion_tokens" not in second
    again = await run(provider, request("openai/mistral-large-latest"))
    assert again.error is None
    assert "max_tokens" in fault_server.requests[2].body, "remembered for this base URL"


async def test_a_local_openai_compatible_server_needs_no_key(
    fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    fault_server.push(stream_reply([openai_chunk("hi"), openai_chunk(finish="stop"), DONE]))
    out = await run(OpenAIProvider(fast_config(), base_url=fault_server.url + "/v1"), request(GPT))
    assert out.error is None and out.text == "hi"
    assert fault_server.requests[0].headers["authorization"] == "Bearer no-key"
    # and the start-up check does not ask for one either
    config = Config.model_validate(
        {"providers": {"openai": {"api_base": fault_server.url + "/v1"}}}
    )
    registry.check_models(["openai/qwen2.5-coder"], config, env={})


async def test_a_remote_openai_server_still_needs_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from duo_tui.errors import ConfigError

    config = Config.model_validate({"providers": {"openai": {"api_base": "https://api.example"}}})
    with pytest.raises(ConfigError, match="set OPENAI_API_KEY"):
        registry.check_models([GPT], config, env={})


OUTPUT_LIMIT = {
    "error": {
        "message": "Could not finish the message because max_tokens or model output limit was "
        "reached. Please try again with higher max_tokens.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
}


async def test_openais_output_limit_400_is_a_cut_off_reply_not_a_bad_request(
    fault_server: FaultServer,
) -> None:
    """A reasoning model that spent the budget thinking may answer with this 400: the
    call is cut off (so the caller retries it with a larger budget), not refused."""
    fault_server.push(json_reply(400, OUTPUT_LIMIT))
    out = await run(gpt(fault_server), request(GPT, max_tokens=64))
    err = out.error
    assert err is not None and err.kind is FaultKind.CUT_OFF, err
    assert err.ending == "length" and not err.retryable
    assert "cut off" in err.message and "output token limit" in err.message
    assert len(fault_server.requests) == 1

"""Faults no mock package injects, served by our own `FaultServer`, seen as the user sees them.

Each test checks the FaultKind, the partial text kept, the retryable flag, the
wording of the message and the advice of `what_to_do()`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from duo_tui.providers.anthropic_provider import AnthropicProvider
from duo_tui.providers.base import FaultKind, ModelRequest, Provider, TextChunk
from duo_tui.providers.litellm_provider import LiteLLMProvider
from duo_tui.providers.openai_provider import OpenAIProvider

from .fault_server import (
    DONE,
    FaultServer,
    anthropic_error,
    anthropic_finish,
    anthropic_start,
    anthropic_text,
    json_reply,
    openai_chunk,
    openai_usage,
    sse,
    stream_reply,
)
from .support import FAKE_ANTHROPIC_KEY, Sleeps, fast_config, policy, request, run

pytestmark = pytest.mark.usefixtures("fake_keys")

CLAUDE = "anthropic/claude-opus-4-7"
GPT = "openai/gpt-5.5"
VLLM = "hosted_vllm/qwen2.5-coder"


def claude(server: FaultServer, sleeps: Sleeps | None = None, **kw: object) -> AnthropicProvider:
    pol = policy(sleeps) if sleeps else None
    return AnthropicProvider(fast_config(**kw), base_url=server.url, policy=pol)


def gpt(server: FaultServer, sleeps: Sleeps | None = None, **kw: object) -> OpenAIProvider:
    pol = policy(sleeps) if sleeps else None
    return OpenAIProvider(fast_config(**kw), base_url=server.url + "/v1", policy=pol)


def vllm(server: FaultServer, sleeps: Sleeps | None = None, **kw: object) -> LiteLLMProvider:
    pol = policy(sleeps) if sleeps else None
    return LiteLLMProvider(
        "hosted_vllm", fast_config(**kw), base_url=server.url + "/v1", policy=pol
    )


MAKERS: dict[str, tuple[Callable[..., Provider], str]] = {
    "anthropic": (claude, CLAUDE),
    "openai": (gpt, GPT),
    "litellm": (vllm, VLLM),
}


def claude_stream(*pieces: str, stop: bool = True) -> list[bytes | float]:
    steps: list[bytes | float] = [*anthropic_start(input_tokens=21)]
    steps += [anthropic_text(p) for p in pieces]
    steps += anthropic_finish(output_tokens=4, stop=stop)
    return steps


def gpt_stream(*pieces: str, finish: bool = True, usage: bool = True) -> list[bytes | float]:
    steps: list[bytes | float] = [openai_chunk(p) for p in pieces]
    if finish:
        steps.append(openai_chunk(finish="stop"))
    if usage:
        steps.append(openai_usage(21, 4))
    steps.append(DONE)
    return steps


# -- a complete stream, for reference -------------------------------------------------


async def test_fault_server_speaks_both_wire_formats(fault_server: FaultServer) -> None:
    fault_server.push(
        stream_reply(claude_stream("Hel", "lo")), stream_reply(gpt_stream("Hel", "lo"))
    )
    for out in (
        await run(claude(fault_server), request(CLAUDE)),
        await run(gpt(fault_server), request(GPT)),
    ):
        assert out.error is None
        assert out.text == "Hello"
        assert out.end is not None
        assert (out.end.usage.input_tokens, out.end.usage.output_tokens) == (21, 4)


# -- mid-stream errors ----------------------------------------------------------------


async def test_anthropic_error_event_mid_stream_keeps_the_partial(
    fault_server: FaultServer,
) -> None:
    steps = [
        *anthropic_start(),
        anthropic_text("def handle("),
        anthropic_text("req):"),
        anthropic_error(),
    ]
    fault_server.push(stream_reply(steps))
    out = await run(claude(fault_server), request(CLAUDE))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.MID_STREAM
    assert err.partial == "def handle(req):" == out.text
    assert not err.retryable
    assert err.incomplete
    assert err.message == (
        f"{CLAUDE}: the provider failed mid-answer after 16 characters: "
        "overloaded_error: Overloaded"
    )
    assert err.what_to_do() == (
        "The provider failed mid-answer; the partial text is kept. Rerun (r)."
    )
    assert err.usage.input_tokens == 10
    assert len(fault_server.requests) == 1, "a stream that had started is never retried"


async def test_anthropic_error_event_before_any_text_is_retried(
    fault_server: FaultServer, sleeps: Sleeps
) -> None:
    fault_server.push(
        stream_reply([*anthropic_start(), anthropic_error()]),
        stream_reply(claude_stream("ok")),
    )
    out = await run(claude(fault_server, sleeps), request(CLAUDE))
    assert out.error is None and out.text == "ok"
    assert len(out.notices) == 1
    assert "provider overloaded" in out.notices[0].reason
    assert len(fault_server.requests) == 2


async def test_openai_error_chunk_mid_stream_keeps_the_partial(fault_server: FaultServer) -> None:
    steps = [
        openai_chunk("Step 1: "),
        openai_chunk("add a lock"),
        sse({"error": {"message": "The server had an error", "type": "server_error"}}),
    ]
    fault_server.push(stream_reply(steps))
    out = await run(gpt(fault_server), request(GPT))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.MID_STREAM
    assert err.partial == "Step 1: add a lock"
    assert not err.retryable
    assert "failed mid-answer after 18 characters" in err.message
    assert "The server had an error" in err.message


# -- truncation -------------------------------------------------------------------------


async def test_anthropic_stream_without_message_stop_is_truncated(
    fault_server: FaultServer,
) -> None:
    fault_server.push(stream_reply(claude_stream("Half an ", "answer", stop=False)))
    out = await run(claude(fault_server), request(CLAUDE))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.TRUNCATED
    assert err.partial == "Half an answer"
    assert not err.retryable
    assert err.message == (f"{CLAUDE}: the stream ended without message_stop after 14 characters")
    assert err.what_to_do() == "The stream ended early; the partial text is kept. Rerun (r)."
    assert (err.usage.input_tokens, err.usage.output_tokens) == (21, 4)


async def test_anthropic_connection_dropped_mid_chunk_is_truncated(
    fault_server: FaultServer,
) -> None:
    steps = [*anthropic_start(), anthropic_text("Half")]  # chunked, no terminating chunk
    fault_server.push(stream_reply(steps, chunked=True))
    out = await run(claude(fault_server), request(CLAUDE))
    assert out.error is not None
    assert out.error.kind is FaultKind.TRUNCATED
    assert out.error.partial == "Half"
    assert "the connection dropped after 4 characters" in out.error.message


async def test_openai_stream_without_finish_reason_is_truncated(fault_server: FaultServer) -> None:
    fault_server.push(stream_reply(gpt_stream("Half an ", "answer", finish=False, usage=False)))
    out = await run(gpt(fault_server), request(GPT))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.TRUNCATED
    assert err.partial == "Half an answer"
    assert "ended without a finish_reason after 14 characters" in err.message


async def test_litellm_cut_stream_is_seen_as_complete_but_usage_is_not_invented(
    fault_server: FaultServer,
) -> None:
    """Documented limit: litellm reports a cleanly cut stream as finish_reason="stop"."""
    fault_server.push(stream_reply(gpt_stream("Half an ", "answer", finish=False, usage=False)))
    out = await run(vllm(fault_server), request(VLLM))
    assert out.text == "Half an answer"
    assert out.error is None
    assert out.end is not None and out.end.stop_reason == "stop"
    assert out.end.usage.input_tokens is None, "litellm's token-count estimate is not usage"
    assert out.end.usage.output_tokens is None
    assert out.end.usage.cost_usd is None


async def test_litellm_reports_provider_usage(fault_server: FaultServer) -> None:
    fault_server.push(stream_reply(gpt_stream("All ", "of it")))
    out = await run(vllm(fault_server), request(VLLM))
    assert out.error is None and out.text == "All of it"
    assert out.end is not None
    assert (out.end.usage.input_tokens, out.end.usage.output_tokens) == (21, 4)


async def test_litellm_connection_dropped_mid_chunk_is_truncated(fault_server: FaultServer) -> None:
    fault_server.push(stream_reply([openai_chunk("Half")], chunked=True))
    out = await run(vllm(fault_server), request(VLLM))
    assert out.error is not None
    assert out.error.kind is FaultKind.TRUNCATED, out.error.message
    assert out.error.partial == "Half"
    assert not out.error.retryable


# -- malformed data ---------------------------------------------------------------------


async def test_anthropic_malformed_json_in_the_stream(fault_server: FaultServer) -> None:
    steps = [
        *anthropic_start(),
        anthropic_text("Good "),
        b"event: content_block_delta\ndata: {oops\n\n",
    ]
    fault_server.push(stream_reply(steps))
    out = await run(claude(fault_server), request(CLAUDE))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.MALFORMED
    assert err.partial == "Good "
    assert not err.retryable
    assert "malformed data in the stream after 5 characters" in err.message
    assert err.what_to_do() == "The provider sent malformed data; rerun (r)."


async def test_openai_malformed_json_in_the_stream(fault_server: FaultServer) -> None:
    fault_server.push(stream_reply([openai_chunk("Good "), b"data: {oops\n\n"]))
    out = await run(gpt(fault_server), request(GPT))
    assert out.error is not None
    assert out.error.kind is FaultKind.MALFORMED
    assert out.error.partial == "Good "


# -- Retry-After and spend limits ---------------------------------------------------------


def rate_limited(headers: dict[str, str]) -> object:
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    return json_reply(429, body, headers)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "120"}, 30.0),  # capped at the policy's max wait
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
    ],
)
@pytest.mark.parametrize("kind", ["anthropic", "openai"])
async def test_retry_after_is_honoured_and_capped(
    fault_server: FaultServer, sleeps: Sleeps, kind: str, headers: dict[str, str], expected: float
) -> None:
    make, model, ok = (
        (claude, CLAUDE, claude_stream("done"))
        if kind == "anthropic"
        else (
            gpt,
            GPT,
            gpt_stream("done"),
        )
    )
    fault_server.push(rate_limited(headers), stream_reply(ok))  # type: ignore[arg-type]
    out = await run(make(fault_server, sleeps), request(model))
    assert out.error is None and out.text == "done"
    assert [n.wait_s for n in out.notices] == [expected]
    assert sleeps.waits == [expected]


async def test_retry_after_http_date(fault_server: FaultServer, sleeps: Sleeps) -> None:
    when = datetime.now(UTC) + timedelta(seconds=20)
    fault_server.push(
        rate_limited({"retry-after": format_datetime(when, usegmt=True)}),  # type: ignore[arg-type]
        stream_reply(claude_stream("done")),
    )
    out = await run(claude(fault_server, sleeps), request(CLAUDE))
    assert out.error is None
    assert 17 <= out.notices[0].wait_s <= 20


async def test_retry_after_is_capped_by_the_config(fault_server: FaultServer) -> None:
    """Without an injected policy the config's max_retry_wait_s caps a real wait."""
    fault_server.push(
        rate_limited({"retry-after": "30"}),  # type: ignore[arg-type]
        stream_reply(claude_stream("done")),
    )
    loop = asyncio.get_running_loop()
    start = loop.time()
    out = await run(claude(fault_server, max_retry_wait_s=0.05), request(CLAUDE))
    assert out.error is None
    assert [n.wait_s for n in out.notices] == [0.05]
    assert loop.time() - start < 5


async def test_anthropic_credit_balance_is_a_spend_limit(
    fault_server: FaultServer, sleeps: Sleeps
) -> None:
    body = {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "Your credit balance is too low to access the Anthropic API.",
        },
    }
    fault_server.push(json_reply(400, body))
    out = await run(claude(fault_server, sleeps), request(CLAUDE))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.SPEND_LIMIT
    assert not err.retryable
    assert err.message == (
        f"{CLAUDE}: spend limit reached (HTTP 400): invalid_request_error: "
        "Your credit balance is too low to access the Anthropic API."
    )
    assert err.what_to_do() == (
        "Your account hit its spend limit; raise it or switch model, then rerun."
    )
    assert out.notices == [] and len(fault_server.requests) == 1


async def test_openai_insufficient_quota_429_is_not_retried(
    fault_server: FaultServer, sleeps: Sleeps
) -> None:
    body = {
        "error": {
            "message": "You exceeded your current quota, please check your plan and billing.",
            "type": "insufficient_quota",
            "code": "insufficient_quota",
        }
    }
    fault_server.push(json_reply(429, body, {"retry-after": "1"}))
    out = await run(gpt(fault_server, sleeps), request(GPT))
    assert out.error is not None
    assert out.error.kind is FaultKind.SPEND_LIMIT
    assert out.notices == [] and len(fault_server.requests) == 1


# -- stalls, deadlines, connection failures -----------------------------------------------


@pytest.mark.parametrize("kind", ["anthropic", "openai", "litellm"])
async def test_a_silent_stream_is_a_stall_with_the_partial(
    fault_server: FaultServer, kind: str
) -> None:
    first = {"anthropic": [*anthropic_start(), anthropic_text("First words")]}.get(
        kind, [openai_chunk("First words")]
    )
    fault_server.push(stream_reply([*first, 30.0]))
    make, model = MAKERS[kind]
    loop = asyncio.get_running_loop()
    start = loop.time()
    out = await run(make(fault_server), request(model, stall_timeout_s=0.4))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.STALL
    assert err.partial == "First words"
    assert not err.retryable
    assert err.message == (
        f"{model}: no data for 0.4 s while waiting for the next chunk (11 characters received)"
    )
    assert err.what_to_do() == "The stream stalled; the partial text is kept. Rerun (r)."
    assert loop.time() - start < 3
    await asyncio.wait_for(fault_server.disconnected.wait(), 2)


async def test_no_response_at_all_waits_for_the_first_token_timeout(
    fault_server: FaultServer,
) -> None:
    """Silence before the first token is thinking time: the stall timeout does not apply."""
    fault_server.push(stream_reply([]))
    fault_server.replies[0].status = 200
    fault_server.replies[0].steps = [30.0]
    loop = asyncio.get_running_loop()
    start = loop.time()
    out = await run(
        claude(fault_server), request(CLAUDE, stall_timeout_s=0.2, first_token_timeout_s=0.8)
    )
    assert out.error is not None
    assert out.error.kind is FaultKind.TIMEOUT
    assert "no first token within 0.8 s" in out.error.message
    assert out.error.partial == ""
    assert 0.8 <= loop.time() - start < 3


async def test_the_overall_deadline_is_a_timeout(fault_server: FaultServer) -> None:
    drip: list[bytes | float] = [*anthropic_start()]
    for _ in range(100):
        drip += [anthropic_text("."), 0.05]
    fault_server.push(stream_reply(drip))
    loop = asyncio.get_running_loop()
    start = loop.time()
    out = await run(claude(fault_server), request(CLAUDE, deadline_s=0.6, stall_timeout_s=0.4))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.TIMEOUT
    assert err.partial and set(err.partial) == {"."}
    assert err.message.startswith(f"{CLAUDE}: the call passed its deadline after 0.6 s")
    assert err.what_to_do() == "The call passed its deadline; rerun (r) or pick a faster model."
    assert 0.5 < loop.time() - start < 3


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@pytest.mark.parametrize("kind", ["anthropic", "openai", "litellm"])
async def test_connection_refused_is_retried_then_reported(sleeps: Sleeps, kind: str) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    provider: Provider
    if kind == "anthropic":
        provider, model = (
            AnthropicProvider(fast_config(), base_url=base, policy=policy(sleeps)),
            CLAUDE,
        )
    elif kind == "openai":
        provider, model = (
            OpenAIProvider(fast_config(), base_url=base + "/v1", policy=policy(sleeps)),
            GPT,
        )
    else:
        provider = LiteLLMProvider(
            "hosted_vllm", fast_config(), base_url=base + "/v1", policy=policy(sleeps)
        )
        model = VLLM
    out = await run(provider, request(model))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.CONNECTION
    assert err.retryable
    assert "cannot connect" in err.message
    # the reason itself, not only "Connection error." (openai's whole message)
    assert "connect call failed" in err.message.lower(), err.message
    assert "gave up after 2 retries" in err.message
    assert len(out.notices) == 2
    assert err.what_to_do() == ("Check the network or the base URL in your config, then rerun (r).")


# -- cancellation -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["anthropic", "openai", "litellm"])
async def test_cancelling_the_consumer_closes_the_connection(
    fault_server: FaultServer, kind: str
) -> None:
    first = {"anthropic": [*anthropic_start(), anthropic_text("streaming")]}.get(
        kind, [openai_chunk("streaming")]
    )
    fault_server.push(stream_reply([*first, 30.0]))
    make, model = MAKERS[kind]
    provider = make(fault_server)
    got_first = asyncio.Event()

    async def consume() -> None:
        async for event in provider.stream(request(model)):
            if isinstance(event, TextChunk):
                got_first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_first.wait(), 10)
    assert not fault_server.disconnected.is_set()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(fault_server.disconnected.wait(), 2)
    await provider.aclose()


# -- secrets ------------------------------------------------------------------------------


async def test_a_key_echoed_by_the_server_is_redacted(fault_server: FaultServer) -> None:
    body = {
        "type": "error",
        "error": {
            "type": "authentication_error",
            "message": f"invalid x-api-key {FAKE_ANTHROPIC_KEY}",
        },
    }
    fault_server.push(json_reply(401, body))
    out = await run(claude(fault_server), request(CLAUDE))
    assert FAKE_ANTHROPIC_KEY in str(fault_server.requests[0].headers), "the key was sent"
    err = out.error
    assert err is not None and err.kind is FaultKind.AUTH
    assert FAKE_ANTHROPIC_KEY not in str(err)
    assert err.message == (
        f"{CLAUDE}: API key refused (HTTP 401): authentication_error: invalid x-api-key [REDACTED]"
    )


async def test_missing_key_is_a_config_fault_naming_the_variable(
    fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    out = await run(claude(fault_server), request(CLAUDE))
    assert out.error is not None
    assert out.error.kind is FaultKind.CONFIG
    assert "set ANTHROPIC_API_KEY" in out.error.message
    assert fault_server.requests == []


def test_requests_are_plain_data() -> None:
    req = request(CLAUDE)
    assert isinstance(req, ModelRequest) and req.provider == "anthropic"

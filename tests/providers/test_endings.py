"""Issue 17: every way a real API ends a reply, through the real SDKs, in documented SSE shapes.

A reply that did not end normally is never taken as complete: each ending is a
fault that keeps the partial text and the usage and names the ending; only
`end_turn`, `stop_sequence`, `tool_use` (Anthropic) and `stop` (OpenAI) give a
`StreamEnd`. The streams are the documented shapes (documented_sse.py) with
ping events, thinking blocks, tool input split across events, and OpenAI's
usage in a final chunk with empty `choices`.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from duo_tui.providers.anthropic_provider import AnthropicProvider
from duo_tui.providers.base import FaultKind
from duo_tui.providers.endings import Ending, classify
from duo_tui.providers.litellm_provider import LiteLLMProvider
from duo_tui.providers.openai_provider import OpenAIProvider

from .documented_sse import (
    a_error,
    a_message_start,
    a_ping,
    a_text_block,
    a_thinking_block,
    a_tool_block,
    anthropic_reply,
    o_chunk,
    o_error,
    openai_reply,
    split,
)
from .fault_server import FaultServer, stream_reply
from .support import fast_config, request, run

pytestmark = pytest.mark.usefixtures("fake_keys")

CLAUDE = "anthropic/claude-opus-4-7"
GPT = "openai/gpt-5.5"
REVIEW = '{"reviewer": "r", "verdict": "approve", "findings": [{"id": "F1", "severity": "low"}]}'
SCHEMA: dict[str, object] = {"type": "object"}


def claude(server: FaultServer, **kw: object) -> AnthropicProvider:
    return AnthropicProvider(fast_config(**kw), base_url=server.url)


def gpt(server: FaultServer, **kw: object) -> OpenAIProvider:
    return OpenAIProvider(fast_config(**kw), base_url=server.url + "/v1")


def claude_via_litellm(server: FaultServer) -> LiteLLMProvider:
    return LiteLLMProvider("anthropic", fast_config(), base_url=server.url)


# -- Anthropic --------------------------------------------------------------------------


@pytest.mark.parametrize("stop", ["end_turn", "stop_sequence"])
async def test_anthropic_complete_endings_with_pings_and_thinking(
    fault_server: FaultServer, stop: str
) -> None:
    blocks = [
        *a_thinking_block(0, "Let me", " think."),
        *a_text_block(1, "Hel", "lo", "!", ping_every=1),
    ]
    fault_server.push(anthropic_reply(blocks, stop, output_tokens=30))
    out = await run(claude(fault_server), request(CLAUDE))
    assert out.error is None
    assert out.text == "Hello!", "thinking is not part of the answer"
    assert out.end is not None and out.end.stop_reason == stop
    assert (out.end.usage.input_tokens, out.end.usage.output_tokens) == (472, 30)


async def test_anthropic_tool_input_split_across_events_is_the_json(
    fault_server: FaultServer,
) -> None:
    fault_server.push(anthropic_reply(a_tool_block(0, "duo_review", *split(REVIEW, 7)), "tool_use"))
    out = await run(claude(fault_server), request(CLAUDE, schema=SCHEMA))
    assert out.error is None
    assert json.loads(out.text) == json.loads(REVIEW)
    assert out.end is not None and out.end.stop_reason == "tool_use"


@pytest.mark.parametrize(
    ("stop", "kind", "words"),
    [
        ("max_tokens", FaultKind.CUT_OFF, "the output token limit of 8192 allowed was reached"),
        ("model_context_window_exceeded", FaultKind.CUT_OFF, "the context window is full"),
        ("refusal", FaultKind.REFUSED, "the model refused"),
        ("pause_turn", FaultKind.PAUSED, "paused its turn"),
        ("brand_new_reason", FaultKind.UNKNOWN_ENDING, "unknown stop reason ('brand_new_reason')"),
        (None, FaultKind.UNKNOWN_ENDING, "unknown stop reason (no stop reason)"),
    ],
)
async def test_anthropic_abnormal_endings_are_faults_that_keep_the_text(
    fault_server: FaultServer, stop: str | None, kind: FaultKind, words: str
) -> None:
    fault_server.push(
        anthropic_reply(a_text_block(0, "half of ", "the answ"), stop, output_tokens=8192)
    )
    out = await run(claude(fault_server), request(CLAUDE, max_tokens=8192))
    assert out.end is None, "an abnormal ending is never a complete reply"
    err = out.error
    assert err is not None and err.kind is kind
    assert words in err.message and CLAUDE in err.message
    assert err.partial == "half of the answ"
    assert err.ending == (stop or "none")
    assert (err.usage.input_tokens, err.usage.output_tokens) == (472, 8192), "billed tokens kept"
    assert not err.retryable
    assert len(fault_server.requests) == 1, "the provider does not retry an ending by itself"


async def test_anthropic_review_cut_off_inside_the_tool_json(fault_server: FaultServer) -> None:
    half = REVIEW[: len(REVIEW) // 2]
    fault_server.push(anthropic_reply(a_tool_block(0, "duo_review", *split(half, 3)), "max_tokens"))
    out = await run(claude(fault_server), request(CLAUDE, schema=SCHEMA))
    assert out.error is not None and out.error.kind is FaultKind.CUT_OFF
    assert out.error.partial == half


async def test_anthropic_error_event_before_text_is_retried(fault_server: FaultServer) -> None:
    fault_server.push(
        stream_reply([a_message_start(), a_ping(), a_error("overloaded_error")]),
        anthropic_reply(a_text_block(0, "ok")),
    )
    out = await run(claude(fault_server), request(CLAUDE))
    assert out.error is None and out.text == "ok"
    assert len(out.notices) == 1 and len(fault_server.requests) == 2


async def test_anthropic_error_event_after_text_keeps_the_partial(
    fault_server: FaultServer,
) -> None:
    blocks = a_text_block(0, "some ", "text")[:-1]  # the block never ends
    fault_server.push(stream_reply([a_message_start(), *blocks, a_error("api_error", "boom")]))
    out = await run(claude(fault_server), request(CLAUDE))
    assert out.error is not None and out.error.kind is FaultKind.MID_STREAM
    assert out.error.partial == "some text"
    assert len(fault_server.requests) == 1


async def test_anthropic_thinking_is_off_by_default_and_sent_when_configured(
    fault_server: FaultServer,
) -> None:
    """A model before 4.6 gets a thinking budget (adaptive thinking: test_thinking.py)."""
    older = "anthropic/claude-sonnet-4-5"
    fault_server.push(anthropic_reply(a_text_block(0, "a")), anthropic_reply(a_text_block(0, "b")))
    await run(claude(fault_server), request(older, max_tokens=32000))
    await run(claude(fault_server, thinking_budget_tokens=4096), request(older, max_tokens=32000))
    plain, thinking = (r.body for r in fault_server.requests)
    assert "thinking" not in plain and plain["max_tokens"] == 32000
    assert thinking["thinking"] == {"type": "enabled", "budget_tokens": 4096}
    assert thinking["max_tokens"] == 32000 + 4096, "the output budget comes on top of thinking"


async def test_thinking_deltas_start_the_stall_clock(fault_server: FaultServer) -> None:
    """Before the first token the first-token timeout applies; a thinking delta is a token,
    so a silence after it is a stall, not more thinking time."""
    steps = [a_message_start(), *a_thinking_block(0, "hmm")[:2], 30.0]
    fault_server.push(stream_reply(steps))
    loop = asyncio.get_running_loop()
    start = loop.time()
    out = await run(
        claude(fault_server), request(CLAUDE, stall_timeout_s=0.3, first_token_timeout_s=20)
    )
    assert out.error is not None and out.error.kind is FaultKind.STALL
    assert loop.time() - start < 5


async def test_first_token_timeout_allows_a_long_think(fault_server: FaultServer) -> None:
    """A reasoning model silent for longer than the stall timeout, then answering, is fine."""
    reply = anthropic_reply(a_text_block(0, "thought it through"), "end_turn")
    reply.steps.insert(2, 1.0)  # after message_start and a ping: 1 s before the first token
    fault_server.push(reply)
    out = await run(
        claude(fault_server), request(CLAUDE, stall_timeout_s=0.3, first_token_timeout_s=5)
    )
    assert out.error is None and out.text == "thought it through"


# -- OpenAI -------------------------------------------------------------------------------


async def test_openai_stop_with_usage_in_a_final_chunk_with_empty_choices(
    fault_server: FaultServer,
) -> None:
    fault_server.push(openai_reply(["Hel", "lo"], "stop", prompt=19, completion=10))
    out = await run(gpt(fault_server), request(GPT))
    assert out.error is None and out.text == "Hello"
    assert out.end is not None and out.end.stop_reason == "stop"
    assert (out.end.usage.input_tokens, out.end.usage.output_tokens) == (19, 10)


@pytest.mark.parametrize(
    ("finish", "kind"),
    [
        ("length", FaultKind.CUT_OFF),
        ("content_filter", FaultKind.REFUSED),
        ("something_new", FaultKind.UNKNOWN_ENDING),
    ],
)
async def test_openai_abnormal_finish_reasons_are_faults(
    fault_server: FaultServer, finish: str, kind: FaultKind
) -> None:
    fault_server.push(openai_reply(["<<<<<<< SEARCH\n", "x = 1\n"], finish, completion=32000))
    out = await run(gpt(fault_server), request(GPT, max_tokens=32000))
    assert out.end is None
    assert out.error is not None and out.error.kind is kind
    assert out.error.partial == "<<<<<<< SEARCH\nx = 1\n"
    assert out.error.ending == finish
    assert out.error.usage.output_tokens == 32000, "the usage chunk after the finish is read"


async def test_openai_empty_length_reply_of_a_reasoning_model_is_cut_off(
    fault_server: FaultServer,
) -> None:
    """All of max_completion_tokens went to reasoning: no text, finish_reason "length"."""
    fault_server.push(openai_reply([], "length", completion=32000, reasoning=32000))
    out = await run(gpt(fault_server), request(GPT, max_tokens=32000))
    assert out.error is not None and out.error.kind is FaultKind.CUT_OFF
    assert "after 0 characters, 32000 output tokens" in out.error.message
    assert fault_server.requests[0].body["max_completion_tokens"] == 32000


async def test_openai_refusal_delta_is_a_refusal_not_the_answer(
    fault_server: FaultServer,
) -> None:
    fault_server.push(openai_reply([], "stop", refusal=["I'm sorry, ", "I can't help with that."]))
    out = await run(gpt(fault_server), request(GPT, schema=SCHEMA))
    assert out.error is not None and out.error.kind is FaultKind.REFUSED
    assert "I'm sorry, I can't help with that." in out.error.message
    assert out.text == "" and out.error.partial == ""
    # the refusal came as `delta.refusal` with finish_reason "stop": the call ended in a
    # refusal (the report's calls, the stage rail's mark), and "stop" is not shown as why
    assert out.error.ending == "refusal"
    assert out.error.message == f"{GPT}: the model refused: \"I'm sorry, I can't help with that.\""


async def test_openai_error_before_text_is_retried_and_after_text_keeps_the_partial(
    fault_server: FaultServer,
) -> None:
    role = o_chunk({"role": "assistant", "content": ""})
    fault_server.push(
        stream_reply([role, o_error()]),
        openai_reply(["fine"]),
        stream_reply([role, o_chunk({"content": "half"}), o_error()]),
    )
    first = await run(gpt(fault_server), request(GPT))
    assert first.error is None and first.text == "fine" and len(first.notices) == 1
    second = await run(gpt(fault_server), request(GPT))
    assert second.error is not None and second.error.kind is FaultKind.MID_STREAM
    assert second.error.partial == "half"


async def test_openai_reasoning_effort_only_when_configured(fault_server: FaultServer) -> None:
    fault_server.push(openai_reply(["a"]), openai_reply(["b"]))
    await run(gpt(fault_server), request(GPT))
    await run(gpt(fault_server, reasoning_effort="high"), request(GPT))
    plain, effort = (r.body for r in fault_server.requests)
    assert "reasoning_effort" not in plain
    assert effort["reasoning_effort"] == "high"


# -- litellm: every provider's ending in OpenAI's words -----------------------------------


@pytest.mark.parametrize(
    ("stop", "kind"),
    [
        ("end_turn", None),
        ("max_tokens", FaultKind.CUT_OFF),
        ("model_context_window_exceeded", FaultKind.CUT_OFF),
        ("pause_turn", FaultKind.CUT_OFF),  # litellm maps pause_turn to "length"
        ("refusal", FaultKind.REFUSED),
    ],
)
async def test_litellm_maps_anthropic_endings(
    fault_server: FaultServer, stop: str, kind: FaultKind | None
) -> None:
    fault_server.push(anthropic_reply(a_text_block(0, "part", "ial"), stop))
    out = await run(claude_via_litellm(fault_server), request("anthropic/claude-opus-4-7"))
    if kind is None:
        assert out.error is None and out.text == "partial"
        return
    assert out.error is not None and out.error.kind is kind, out.error
    assert out.error.partial == "partial"


@pytest.mark.parametrize(
    ("finish", "kind"), [("length", FaultKind.CUT_OFF), ("content_filter", FaultKind.REFUSED)]
)
async def test_litellm_openai_wire_endings(
    fault_server: FaultServer, finish: str, kind: FaultKind
) -> None:
    fault_server.push(openai_reply(["abc"], finish))
    provider = LiteLLMProvider("hosted_vllm", fast_config(), base_url=fault_server.url + "/v1")
    out = await run(provider, request("hosted_vllm/qwen2.5-coder"))
    assert out.error is not None and out.error.kind is kind
    assert out.error.partial == "abc"


def test_classify_reads_every_documented_literal() -> None:
    """Every literal of the SDKs' own types has a meaning; none falls through as unknown."""
    from typing import get_args

    from anthropic.types import StopReason
    from openai.types.chat.chat_completion_chunk import Choice

    for reason in get_args(StopReason):
        assert classify(reason) is not Ending.UNKNOWN, reason
    finish = get_args(Choice.model_fields["finish_reason"].annotation)[0]
    for reason in get_args(finish):
        assert classify(reason) is not Ending.UNKNOWN, reason

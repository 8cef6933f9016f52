"""Prompt-cache tokens are counted and priced at their own rates, as the providers bill them.

OpenAI's `prompt_tokens` includes `prompt_tokens_details.cached_tokens` (billed at
the cache-read rate); Anthropic's `input_tokens` excludes `cache_read_input_tokens`
and `cache_creation_input_tokens` (each with its own rate). Served on the wire
by our fault server, with the usage where the APIs put it.
"""

from __future__ import annotations

import io

import pytest

from duo_tui.core.events import StreamFinished
from duo_tui.core.models import Usage
from duo_tui.headless import ProgressPrinter
from duo_tui.providers.pricing import cost_usd

from .fault_server import (
    DONE,
    FaultServer,
    anthropic_block_start,
    anthropic_block_stop,
    anthropic_message_end,
    anthropic_message_start,
    anthropic_text,
    openai_chunk,
    sse,
    stream_reply,
)
from .support import Sleeps, fast_config, policy, request, run
from .test_faults import claude, gpt

pytestmark = pytest.mark.usefixtures("fake_keys")

# gpt-5.5: $5/M input, $0.50/M cache read, $30/M output (litellm's price map)
# claude-opus-4-7: $5/M input, $0.50/M cache read, $6.25/M cache write, $25/M output


def test_cached_openai_tokens_cost_the_cache_read_rate() -> None:
    cost = cost_usd("openai/gpt-5.5", 20_000, 1_000, cache_read_tokens=16_000)
    assert cost == pytest.approx(4_000 * 5e-6 + 16_000 * 5e-7 + 1_000 * 3e-5)  # $0.058
    assert cost_usd("openai/gpt-5.5", 20_000, 1_000) == pytest.approx(0.13)  # none cached


def test_anthropic_cache_reads_and_writes_have_their_own_rates() -> None:
    cost = cost_usd(
        "anthropic/claude-opus-4-7",
        10_100,
        200,
        cache_read_tokens=9_000,
        cache_write_tokens=1_000,
    )
    assert cost == pytest.approx(100 * 5e-6 + 9_000 * 5e-7 + 1_000 * 6.25e-6 + 200 * 2.5e-5)


def test_a_cache_rate_missing_from_the_map_falls_back_to_the_input_rate() -> None:
    # gpt-5.5 has no cache-write price: written tokens cost the plain input rate
    assert cost_usd("openai/gpt-5.5", 1_000, 0, cache_write_tokens=1_000) == pytest.approx(5e-3)


async def test_openai_cached_tokens_from_the_final_usage_chunk(fault_server: FaultServer) -> None:
    usage_chunk = sse(
        {
            "id": "chatcmpl-fault",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-5.5",
            "choices": [],  # the usage chunk has no choices
            "usage": {
                "prompt_tokens": 20_000,
                "completion_tokens": 1_000,
                "total_tokens": 21_000,
                "prompt_tokens_details": {"cached_tokens": 16_000, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 600},
            },
        }
    )
    fault_server.push(
        stream_reply([openai_chunk("ok"), openai_chunk(finish="stop"), usage_chunk, DONE])
    )
    out = await run(gpt(fault_server), request("openai/gpt-5.5"))
    assert out.error is None and out.end is not None
    usage = out.end.usage
    assert (usage.input_tokens, usage.cache_read_tokens, usage.output_tokens) == (
        20_000,
        16_000,
        1_000,
    )
    assert usage.cost_usd == pytest.approx(0.058)


async def test_anthropic_cache_usage_from_message_start(fault_server: FaultServer) -> None:
    steps: list[bytes | float] = [
        anthropic_message_start(
            100, cache_read_input_tokens=9_000, cache_creation_input_tokens=1_000
        ),
        anthropic_block_start(0, {"type": "text", "text": ""}),
        anthropic_text("ok"),
        anthropic_block_stop(0),
        *anthropic_message_end("end_turn", 200),
    ]
    fault_server.push(stream_reply(steps))
    out = await run(claude(fault_server), request("anthropic/claude-opus-4-7"))
    assert out.error is None and out.end is not None
    usage = out.end.usage
    assert usage.input_tokens == 10_100, "the whole prompt: uncached + read + written"
    assert (usage.cache_read_tokens, usage.cache_write_tokens) == (9_000, 1_000)
    assert usage.cost_usd == pytest.approx(
        100 * 5e-6 + 9_000 * 5e-7 + 1_000 * 6.25e-6 + 200 * 2.5e-5
    )


def test_usage_adds_up_cache_tokens() -> None:
    total = Usage(input_tokens=10, cache_read_tokens=4) + Usage(input_tokens=5)
    assert (total.input_tokens, total.cache_read_tokens, total.cache_write_tokens) == (15, 4, None)


def test_headless_progress_shows_cached_tokens() -> None:
    out = io.StringIO()
    usage = Usage(
        input_tokens=20_000, output_tokens=1_000, cost_usd=0.058, cache_read_tokens=16_000
    )
    ProgressPrinter(out)(StreamFinished(stream="exec", model="openai/gpt-5.5", usage=usage))
    assert "20000→1000 tokens (16.0k cached), $0.0580" in out.getvalue()


def test_the_transcript_record_keeps_cached_tokens() -> None:
    from duo_tui.core.models import CallRecord, Stage

    record = CallRecord(
        call_id="c1",
        role="executor",
        model="openai/gpt-5.5",
        stage=Stage.EXECUTE,
        usage=Usage(input_tokens=20_000, output_tokens=5, cache_read_tokens=16_000),
    )
    line = record.model_dump(mode="json")
    assert line["usage"]["cache_read_tokens"] == 16_000
    assert CallRecord.model_validate(line).usage.cache_read_tokens == 16_000


async def test_litellm_anthropic_format_cache_reads_and_writes(
    fault_server: FaultServer, sleeps: Sleeps
) -> None:
    from duo_tui.providers.litellm_provider import LiteLLMProvider

    steps: list[bytes | float] = [
        anthropic_message_start(
            100, cache_read_input_tokens=9_000, cache_creation_input_tokens=1_000
        ),
        anthropic_block_start(0, {"type": "text", "text": ""}),
        anthropic_text("ok"),
        anthropic_block_stop(0),
        *anthropic_message_end("end_turn", 200),
    ]
    fault_server.push(stream_reply(steps))
    provider = LiteLLMProvider(
        "anthropic", fast_config(), base_url=fault_server.url, policy=policy(sleeps)
    )
    out = await run(provider, request("anthropic/claude-opus-4-7"))
    assert out.error is None and out.end is not None
    usage = out.end.usage
    assert (usage.input_tokens, usage.cache_read_tokens, usage.cache_write_tokens) == (
        10_100,
        9_000,
        1_000,
    )
    assert usage.cost_usd == pytest.approx(
        100 * 5e-6 + 9_000 * 5e-7 + 1_000 * 6.25e-6 + 200 * 2.5e-5
    )


def test_progress_lines_name_the_role_not_the_stream() -> None:
    """`run`'s progress says who wrote a reply ("executor", "reviewer B"), not the
    routing names of the streams ("exec", "review:1")."""
    from duo_tui.core.events import Recovered, Retrying

    out = io.StringIO()
    printer = ProgressPrinter(out)
    usage = Usage(input_tokens=10, output_tokens=2)
    printer(StreamFinished(stream="exec", model="openai/gpt-5.5", usage=usage))
    printer(StreamFinished(stream="review:1", model="openai/gpt-5.5", usage=usage))
    printer(Retrying("review:0", 2, 5, 1.0, "the provider is overloaded (529)"))
    printer(Recovered("plan", 2, 5))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  · executor openai/gpt-5.5:"), lines
    assert lines[1].startswith("  · reviewer B openai/gpt-5.5:"), lines
    assert lines[2].startswith("  ↻ reviewer A:"), lines
    assert lines[3].startswith("  ✓ planner: recovered"), lines
    assert not any("exec " in x or "review:" in x for x in lines), lines

"""Anthropic thinking as each model accepts it: adaptive on 4.6 and later, a budget before.

Claude Opus 4.7 (the default planner) refuses `thinking: {"type": "enabled",
"budget_tokens": N}` with a 400 ("thinking.type.enabled is not supported for
this model. Use thinking.type.adaptive and output_config.effort"); on Opus and
Sonnet 4.6 the budget is deprecated. `max_tokens` pays for the thinking, never
past the model's output limit. Checked on the wire against the real SDK.
"""

from __future__ import annotations

import pytest

from duo_tui.providers.anthropic_provider import AnthropicProvider
from duo_tui.providers.schemas import anthropic_adaptive_thinking

from .documented_sse import a_text_block, anthropic_reply
from .fault_server import FaultServer, json_reply
from .support import fast_config, request, run

pytestmark = pytest.mark.usefixtures("fake_keys")

SCHEMA: dict[str, object] = {"type": "object", "properties": {"a": {"type": "string"}}}


def claude(server: FaultServer, **kw: object) -> AnthropicProvider:
    return AnthropicProvider(fast_config(**kw), base_url=server.url)


@pytest.mark.parametrize(
    ("name", "adaptive"),
    [
        ("claude-opus-4-7", True),
        ("claude-opus-4-6", True),
        ("claude-sonnet-4-6", True),
        ("claude-mythos-preview", True),
        ("claude-opus-5", True),
        ("claude-sonnet-4-5-20250929", False),
        ("claude-opus-4-5", False),
        ("claude-haiku-4-5", False),
        ("claude-sonnet-4-20250514", False),
        ("claude-3-7-sonnet-latest", False),
    ],
)
def test_which_models_think_adaptively(name: str, adaptive: bool) -> None:
    assert anthropic_adaptive_thinking(name) is adaptive


async def test_opus_4_7_thinks_adaptively_with_the_effort_beside_the_json_format(
    fault_server: FaultServer,
) -> None:
    fault_server.push(anthropic_reply(a_text_block(0, '{"a": "b"}')))
    provider = claude(fault_server, thinking_budget_tokens=8000, reasoning_effort="medium")
    out = await run(provider, request("anthropic/claude-opus-4-7", max_tokens=32000, schema=SCHEMA))
    assert out.error is None, out.error
    body = fault_server.requests[0].body
    assert body["thinking"] == {"type": "adaptive"}
    assert "budget_tokens" not in body["thinking"]
    assert body["max_tokens"] == 32000 + 8000, "max_tokens pays for the thinking too"
    assert body["output_config"]["effort"] == "medium"
    assert body["output_config"]["format"]["type"] == "json_schema"


async def test_an_effort_the_messages_api_does_not_know_is_not_sent(
    fault_server: FaultServer,
) -> None:
    fault_server.push(anthropic_reply(a_text_block(0, "a")))
    provider = claude(fault_server, thinking_budget_tokens=2048, reasoning_effort="minimal")
    await run(provider, request("anthropic/claude-opus-4-7"))
    body = fault_server.requests[0].body
    assert body["thinking"] == {"type": "adaptive"}
    assert "output_config" not in body


async def test_thinking_never_asks_for_more_than_the_model_can_write(
    fault_server: FaultServer,
) -> None:
    """Sonnet 4.5 writes at most 64k tokens: a 64k budget plus thinking would be a 400."""
    fault_server.push(anthropic_reply(a_text_block(0, "a")))
    provider = claude(fault_server, thinking_budget_tokens=8000)
    await run(provider, request("anthropic/claude-sonnet-4-5", max_tokens=64000))
    body = fault_server.requests[0].body
    assert body["max_tokens"] == 64000
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 8000}


async def test_a_model_refusing_the_thinking_budget_is_asked_adaptively_from_then_on(
    fault_server: FaultServer,
) -> None:
    refused = json_reply(
        400,
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": '"thinking.type.enabled" is not supported for this model. Use '
                '"thinking.type.adaptive" and "output_config.effort" to control thinking '
                "behavior.",
            },
        },
    )
    fault_server.push(
        refused,
        anthropic_reply(a_text_block(0, "thought")),
        anthropic_reply(a_text_block(0, "again")),
    )
    provider = claude(fault_server, thinking_budget_tokens=4096)
    model = "anthropic/claude-newest"  # a name our rule does not know
    out = await run(provider, request(model))
    assert out.error is None, out.error
    assert out.text == "thought"
    first, second = (r.body for r in fault_server.requests)
    assert first["thinking"]["type"] == "enabled"
    assert second["thinking"] == {"type": "adaptive"}
    again = await run(provider, request(model))
    assert again.error is None and len(fault_server.requests) == 3
    assert fault_server.requests[2].body["thinking"] == {"type": "adaptive"}


async def test_an_unrelated_400_is_not_answered_by_changing_the_thinking(
    fault_server: FaultServer,
) -> None:
    refused = json_reply(
        400,
        {"type": "error", "error": {"type": "invalid_request_error", "message": "messages: bad"}},
    )
    fault_server.push(refused)
    out = await run(claude(fault_server, thinking_budget_tokens=4096), request("anthropic/x"))
    assert out.error is not None and "messages: bad" in out.error.message
    assert len(fault_server.requests) == 1


async def test_an_anthropic_refusal_says_its_category_and_explanation(
    fault_server: FaultServer,
) -> None:
    """`message_delta.delta.stop_details` says why Claude refused: the fault quotes it."""
    from .documented_sse import a_message_delta, a_message_start, a_message_stop, a_ping
    from .fault_server import stream_reply

    details = {
        "type": "refusal",
        "category": "cyber",
        "explanation": "The request could enable malware development.",
    }
    steps = [
        a_message_start(),
        a_ping(),
        *a_text_block(0, "I can"),
        a_message_delta("refusal", 3, details),
        a_message_stop(),
    ]
    fault_server.push(stream_reply(steps))
    out = await run(claude(fault_server), request("anthropic/claude-opus-4-7"))
    err = out.error
    assert err is not None and err.kind.value == "refused"
    assert "cyber: The request could enable malware development." in err.message
    assert err.ending == "refusal" and err.partial == "I can"

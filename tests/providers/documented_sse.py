"""Server-sent events exactly as the Anthropic and OpenAI streaming APIs document them.

The fault server's own pieces are the minimum the SDKs parse; these are the
full documented shapes a real API sends, each field present: Anthropic's
`message_start` with its usage, `ping` events, `thinking` blocks with their
`thinking_delta` and `signature_delta`, `tool_use` blocks whose input JSON
arrives split across `input_json_delta` events, `message_delta` with the
`stop_reason` and `message_stop`; OpenAI's chunks with `usage: null` on every
chunk but the last, the role chunk, `refusal` deltas, the `finish_reason`
chunk, and the final usage chunk with empty `choices`. Replies are served by
`FaultServer` (see fault_server.py).

Sources: docs.anthropic.com "Streaming Messages" (event types, the example
streams with thinking and tool use), platform.openai.com "Chat Completions
streaming" (the chunk object, `stream_options.include_usage`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .fault_server import DONE, Reply, Step, sse, stream_reply

# -- Anthropic Messages ------------------------------------------------------------


def a_message_start(input_tokens: int = 472, model: str = "claude-opus-4-7") -> bytes:
    message = {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 2,
        },
    }
    return sse({"type": "message_start", "message": message}, "message_start")


def a_ping() -> bytes:
    return sse({"type": "ping"}, "ping")


def a_block_start(index: int, block: dict[str, Any]) -> bytes:
    return sse(
        {"type": "content_block_start", "index": index, "content_block": block},
        "content_block_start",
    )


def a_delta(index: int, delta: dict[str, Any]) -> bytes:
    return sse(
        {"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta"
    )


def a_block_stop(index: int) -> bytes:
    return sse({"type": "content_block_stop", "index": index}, "content_block_stop")


def a_message_delta(
    stop_reason: str | None, output_tokens: int = 15, stop_details: dict[str, Any] | None = None
) -> bytes:
    """Why the reply stopped; a refusal may say why in `stop_details` (category, explanation)."""
    delta: dict[str, Any] = {"stop_reason": stop_reason, "stop_sequence": None}
    if stop_details is not None:
        delta["stop_details"] = stop_details
    return sse(
        {"type": "message_delta", "delta": delta, "usage": {"output_tokens": output_tokens}},
        "message_delta",
    )


def a_message_stop() -> bytes:
    return sse({"type": "message_stop"}, "message_stop")


def a_error(etype: str = "overloaded_error", message: str = "Overloaded") -> bytes:
    return sse({"type": "error", "error": {"type": etype, "message": message}}, "error")


def a_thinking_block(index: int, *thoughts: str) -> list[bytes]:
    """A thinking block: its deltas, then the signature, as extended thinking streams them."""
    out = [a_block_start(index, {"type": "thinking", "thinking": "", "signature": ""})]
    out += [a_delta(index, {"type": "thinking_delta", "thinking": t}) for t in thoughts]
    out.append(a_delta(index, {"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA"}))
    out.append(a_block_stop(index))
    return out


def a_text_block(index: int, *pieces: str, ping_every: int = 0) -> list[bytes]:
    out = [a_block_start(index, {"type": "text", "text": ""})]
    for i, piece in enumerate(pieces):
        if ping_every and i and i % ping_every == 0:
            out.append(a_ping())
        out.append(a_delta(index, {"type": "text_delta", "text": piece}))
    out.append(a_block_stop(index))
    return out


def a_tool_block(index: int, name: str, *json_pieces: str) -> list[bytes]:
    """A tool_use block whose input JSON arrives split across input_json_delta events."""
    block = {"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": name, "input": {}}
    out = [a_block_start(index, block)]
    out.append(a_delta(index, {"type": "input_json_delta", "partial_json": ""}))
    out += [a_delta(index, {"type": "input_json_delta", "partial_json": p}) for p in json_pieces]
    out.append(a_block_stop(index))
    return out


def anthropic_reply(
    blocks: Sequence[bytes],
    stop_reason: str | None = "end_turn",
    *,
    output_tokens: int = 15,
    input_tokens: int = 472,
    close_block: bool = True,
) -> Reply:
    """A whole documented stream: message_start, a ping, the blocks, message_delta, message_stop.

    A reply cut off at max_tokens ends its last block, then says why in message_delta.
    """
    steps: list[Step] = [a_message_start(input_tokens), a_ping(), *blocks]
    steps += [a_message_delta(stop_reason, output_tokens), a_message_stop()]
    return stream_reply(steps)


def split(text: str, parts: int) -> list[str]:
    """`text` in `parts` pieces of about equal size (split anywhere, as a stream does)."""
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)]


# -- OpenAI Chat Completions ----------------------------------------------------------


def o_chunk(
    delta: dict[str, Any] | None = None,
    finish: str | None = None,
    *,
    choices: bool = True,
    usage: dict[str, Any] | None = None,
    model: str = "gpt-5.5-2026-01-01",
) -> bytes:
    """One chunk as documented: with include_usage every chunk carries `usage` (null but the last)."""
    body: dict[str, Any] = {
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion.chunk",
        "created": 1741570283,
        "model": model,
        "service_tier": "default",
        "system_fingerprint": "fp_44709d6fcb",
        "choices": (
            [{"index": 0, "delta": delta or {}, "logprobs": None, "finish_reason": finish}]
            if choices
            else []
        ),
        "usage": usage,
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def o_usage(prompt: int = 19, completion: int = 10, reasoning: int = 0, cached: int = 0) -> bytes:
    """The last chunk of a stream with include_usage: empty `choices`, the whole usage."""
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    return o_chunk(choices=False, usage=usage)


def o_error(message: str = "The server had an error", etype: str = "server_error") -> bytes:
    """An error object in the stream, as the API sends it when it fails mid-answer."""
    body = {"error": {"message": message, "type": etype, "param": None, "code": None}}
    return f"data: {json.dumps(body)}\n\n".encode()


def openai_reply(
    pieces: Sequence[str],
    finish: str | None = "stop",
    *,
    refusal: Sequence[str] = (),
    prompt: int = 19,
    completion: int = 10,
    reasoning: int = 0,
) -> Reply:
    """A whole documented stream: the role chunk, content (or refusal) deltas, the
    finish_reason chunk, the usage chunk with empty choices, `[DONE]`."""
    first: dict[str, Any] = {"role": "assistant", "content": "", "refusal": None}
    if refusal:
        first = {"role": "assistant", "content": None, "refusal": ""}
    steps: list[Step] = [o_chunk(first)]
    steps += [o_chunk({"content": p}) for p in pieces]
    steps += [o_chunk({"refusal": r}) for r in refusal]
    steps.append(o_chunk({}, finish))
    steps += [o_usage(prompt, completion, reasoning), DONE]
    return stream_reply(steps)

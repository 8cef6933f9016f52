"""Anthropic Messages API through the official `anthropic` SDK, streaming.

Text deltas become `TextChunk`s. Structured output (`request.json_schema`) uses
the API's JSON outputs (`output_config.format`) on models that have them: the
answer is plain text constrained to the schema. Elsewhere (older models, or a
server that refuses `output_config`, remembered per model) it offers one tool
with `tool_choice: auto`; a forced tool is a 400 on models that think. The
tool's `input_json_delta` partial JSON is streamed as text, so the caller
receives the JSON document either way, and prose is left to the tolerant parser. Usage comes from `message_start` and
`message_delta`. Faults: an `error` event mid-stream is MID_STREAM (or, before
any text, classified and retried like a pre-stream error), a stream without
`message_stop` is TRUNCATED, undecodable SSE JSON is MALFORMED, silence is
STALL, the overall deadline TIMEOUT. The `stop_reason` of `message_delta`
decides whether the reply is complete (endings.py): `max_tokens` is CUT_OFF,
`refusal` REFUSED, `pause_turn` PAUSED. With `thinking_budget_tokens` set,
extended thinking is asked for; its deltas are not shown but count as the
model's first token (the stall timeout applies from then on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from duo_tui.providers.base import FaultKind, ModelRequest, ProviderError, ProviderEvent
from duo_tui.providers.schemas import (
    anthropic_output_schema,
    anthropic_supports_json_output,
    clean_schema,
)
from duo_tui.providers.sdk_client import SdkStreamProvider, tool_name
from duo_tui.providers.streaming import Attempt

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic


DEFAULT_KEY_ENV = "ANTHROPIC_API_KEY"


def refuses_output_config(err: ProviderError) -> bool:
    """True when a 400 says the request's `output_config` / `output_format` is not accepted."""
    text = err.message.lower()
    return err.kind is FaultKind.BAD_REQUEST and (
        "output_config" in text or "output_format" in text or "structured output" in text
    )


def add_cache_usage(att: Attempt, usage: Any, uncached: int | None) -> int | None:
    """Fold one Anthropic usage block into `att`; returns the uncached input count so far.

    Anthropic's `input_tokens` excludes the prompt cache: the total prompt is it
    plus `cache_read_input_tokens` plus `cache_creation_input_tokens`, each
    billed at its own rate. `message_delta` may repeat them (cumulative).
    """
    inp = getattr(usage, "input_tokens", None)
    if inp is not None and (uncached is None or inp):
        uncached = inp
    read = getattr(usage, "cache_read_input_tokens", None)
    write = getattr(usage, "cache_creation_input_tokens", None)
    if read is not None:
        att.cache_read_tokens = read
    if write is not None:
        att.cache_write_tokens = write
    if uncached is not None:
        att.input_tokens = uncached + (att.cache_read_tokens or 0) + (att.cache_write_tokens or 0)
    return uncached


class AnthropicProvider(SdkStreamProvider["AsyncAnthropic"]):
    """Streams `anthropic/...` models. One instance per base URL."""

    name = "anthropic"
    default_key_env = DEFAULT_KEY_ENV

    def _setup(self) -> None:
        super()._setup()
        self._no_native_json: set[str] = set()
        """Models whose server refused `output_config.format` (tool fallback from then on)."""

    def _sdk_class(self) -> type[AsyncAnthropic]:
        from anthropic import AsyncAnthropic

        return AsyncAnthropic

    def _params(self, request: ModelRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": request.model_name,
            "max_tokens": request.max_tokens,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        }
        thinking = request.thinking_budget or self.config.thinking_budget_tokens
        if thinking:
            # max_tokens includes the thinking: the output budget comes on top of it.
            params["thinking"] = {"type": "enabled", "budget_tokens": thinking}
            params["max_tokens"] = request.max_tokens + thinking
        if request.system:
            params["system"] = request.system
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.json_schema is not None:
            if self._native_json(request):
                # JSON outputs: the answer is ordinary text constrained to the schema.
                params["output_config"] = {
                    "format": {
                        "type": "json_schema",
                        "schema": anthropic_output_schema(request.json_schema),
                    }
                }
            else:
                # One tool the model may call; never forced (a forced tool_choice is a
                # 400 on models that think). Prose instead is read by the tolerant parser.
                params["tools"] = [
                    {
                        "name": tool_name(request.schema_name),
                        "description": "Give your answer as this tool's input.",
                        "input_schema": clean_schema(request.json_schema),
                    }
                ]
                params["tool_choice"] = {"type": "auto"}
        return params

    def _native_json(self, request: ModelRequest) -> bool:
        return (
            anthropic_supports_json_output(request.model_name)
            and request.model not in self._no_native_json
        )

    async def _attempt(
        self, request: ModelRequest, deadline_at: float, stall_s: float, deadline_s: float
    ) -> AsyncIterator[ProviderEvent]:
        client = self._client_for(request.model)
        att = self._new_attempt(request, deadline_at, stall_s, deadline_s)
        structured = request.json_schema is not None
        native = structured and self._native_json(request)
        try:
            stream = await att.open(
                client.messages.create(**self._params(request), stream=True, timeout=deadline_s)
            )
        except ProviderError as err:
            if not (native and refuses_output_config(err)):
                raise
            # This server or model has no JSON outputs: use the tool instead, from now on.
            self._no_native_json.add(request.model)
            stream = await att.open(
                client.messages.create(**self._params(request), stream=True, timeout=deadline_s)
            )
        got_stop = False
        uncached: int | None = None
        try:
            while (event := await att.read(stream)) is not None:
                kind = getattr(event, "type", None)
                if kind == "content_block_delta":
                    delta = event.delta
                    if delta.type == "text_delta" and delta.text:
                        yield att.text(delta.text)
                    elif delta.type == "input_json_delta" and structured and delta.partial_json:
                        yield att.text(delta.partial_json)
                    elif delta.type in ("thinking_delta", "signature_delta"):
                        att.alive()  # thinking is not shown, but the model has started
                elif kind == "message_start":
                    usage = event.message.usage
                    uncached = add_cache_usage(att, usage, None)
                    att.output_tokens = usage.output_tokens or None
                elif kind == "message_delta":
                    att.stop_reason = event.delta.stop_reason or att.stop_reason
                    usage = event.usage
                    if usage.output_tokens is not None:
                        att.output_tokens = usage.output_tokens
                    uncached = add_cache_usage(att, usage, uncached)
                elif kind == "message_stop":
                    got_stop = True
        finally:
            await stream.close()
        if not got_stop:
            raise att.truncated("message_stop")
        yield att.end()

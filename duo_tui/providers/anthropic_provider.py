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
the model thinks: adaptively on Opus and Sonnet 4.6 and later (Opus 4.7 accepts
nothing else; `reasoning_effort` is sent as `output_config.effort`), with that
budget on older models; a 400 refusing the kind of thinking sent switches to the
other kind for that model. Thinking deltas are not shown but count as the
model's first token (the stall timeout applies from then on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from duo_tui.providers.base import FaultKind, ModelRequest, ProviderError, ProviderEvent
from duo_tui.providers.budgets import family_budget
from duo_tui.providers.schemas import (
    anthropic_adaptive_thinking,
    anthropic_output_schema,
    anthropic_supports_json_output,
    clean_schema,
)
from duo_tui.providers.sdk_client import SdkStreamProvider, tool_name
from duo_tui.providers.streaming import Attempt

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic


DEFAULT_KEY_ENV = "ANTHROPIC_API_KEY"
#: The `output_config.effort` values the Messages API accepts (`reasoning_effort` in config).
EFFORTS = frozenset({"low", "medium", "high", "xhigh", "max"})


def refuses_output_config(err: ProviderError) -> bool:
    """True when a 400 says the request's JSON output format is not accepted."""
    text = err.message.lower()
    if err.kind is not FaultKind.BAD_REQUEST or "effort" in text:
        return False
    return "output_config" in text or "output_format" in text or "structured output" in text


def refuses_thinking(err: ProviderError) -> bool:
    """True when a 400 says the request's kind of thinking is not accepted by this model."""
    text = err.message.lower()
    return err.kind is FaultKind.BAD_REQUEST and ("thinking.type" in text or "adaptive" in text)


def refusal_details(details: Any) -> str:
    """A refusal's `stop_details` as words ("cyber: <explanation>"), or "" when there are none."""
    if getattr(details, "type", None) != "refusal":
        return ""
    parts = [getattr(details, "category", None), getattr(details, "explanation", None)]
    return ": ".join(str(p) for p in parts if p)


def thinking_params(
    model_name: str, max_tokens: int, thinking: int, *, adaptive: bool, effort: str | None
) -> dict[str, Any]:
    """The `thinking`, `max_tokens` and `output_config.effort` of a call that thinks.

    `max_tokens` pays for the thinking too, so `thinking` tokens are added to the
    output budget, never past what the model may write. Opus and Sonnet 4.6 and
    later think adaptively (Opus 4.7 refuses a thinking budget with a 400): the
    model decides how much, guided by `effort`; older models get the budget.
    """
    ceiling = max(max_tokens, family_budget(f"anthropic/{model_name}").ceiling)
    params: dict[str, Any] = {"max_tokens": min(max_tokens + thinking, ceiling)}
    if adaptive:
        params["thinking"] = {"type": "adaptive"}
        if effort in EFFORTS:
            params["output_config"] = {"effort": effort}
    else:
        budget = min(thinking, params["max_tokens"] - 1)
        params["thinking"] = {"type": "enabled", "budget_tokens": budget}
    return params


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
        self._other_thinking: set[str] = set()
        """Models that refused the kind of thinking their name implies (the other one from then on)."""

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
            adaptive = anthropic_adaptive_thinking(request.model_name)
            params.update(
                thinking_params(
                    request.model_name,
                    request.max_tokens,
                    thinking,
                    adaptive=adaptive != (request.model in self._other_thinking),
                    effort=request.reasoning_effort or self.config.reasoning_effort,
                )
            )
        if request.system:
            params["system"] = request.system
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.json_schema is not None:
            if self._native_json(request):
                # JSON outputs: the answer is ordinary text constrained to the schema.
                params["output_config"] = {
                    **params.get("output_config", {}),
                    "format": {
                        "type": "json_schema",
                        "schema": anthropic_output_schema(request.json_schema),
                    },
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

    def _adapt(self, err: ProviderError, request: ModelRequest, native: bool) -> bool:
        """Change what is sent after a 400 that names the cause (once per model and cause)."""
        model = request.model
        if native and model not in self._no_native_json and refuses_output_config(err):
            # This server or model has no JSON outputs: use the tool instead, from now on.
            self._no_native_json.add(model)
            return True
        thinks = request.thinking_budget or self.config.thinking_budget_tokens
        if thinks and model not in self._other_thinking and refuses_thinking(err):
            # "thinking.type.enabled is not supported for this model" (or the reverse).
            self._other_thinking.add(model)
            return True
        return False

    async def _attempt(
        self, request: ModelRequest, deadline_at: float, stall_s: float, deadline_s: float
    ) -> AsyncIterator[ProviderEvent]:
        client = self._client_for(request.model)
        att = self._new_attempt(request, deadline_at, stall_s, deadline_s)
        structured = request.json_schema is not None
        native = structured and self._native_json(request)
        stream = None
        while stream is None:
            try:
                stream = await att.open(
                    client.messages.create(**self._params(request), stream=True, timeout=deadline_s)
                )
            except ProviderError as err:
                if not self._adapt(err, request, native):
                    raise
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
                    refusal = refusal_details(getattr(event.delta, "stop_details", None))
                    if refusal:
                        att.refusal.append(refusal)
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

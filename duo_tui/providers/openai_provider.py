"""OpenAI Chat Completions through the official `openai` SDK, streaming.

`stream_options={"include_usage": True}` makes the server send a final chunk
with usage; it is read from whichever chunk carries it (some servers send it
with non-empty `choices`). Structured output uses `response_format` of type
`json_schema`, `strict` on models that support it (the schema made
strict-compatible by `schemas.openai_strict_schema`), and the JSON arrives as
ordinary content. A stream that ends without any
`finish_reason` is TRUNCATED; an error object mid-stream is MID_STREAM.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from duo_tui.providers.base import FaultKind, ModelRequest, ProviderEvent
from duo_tui.providers.faults import from_exception
from duo_tui.providers.retry import RetryPolicy
from duo_tui.providers.schemas import clean_schema, openai_strict_schema, openai_supports_strict
from duo_tui.providers.sdk_client import LoopClient, read_key, tool_name
from duo_tui.providers.streaming import Attempt, RetryingStreamProvider

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from duo_tui.config import ProviderConfig

DEFAULT_KEY_ENV = "OPENAI_API_KEY"


def chat_messages(request: ModelRequest) -> list[dict[str, str]]:
    """The request as Chat Completions messages (system first when present)."""
    out = [{"role": "system", "content": request.system}] if request.system else []
    out.extend({"role": m.role, "content": m.content} for m in request.messages)
    return out


def response_format(request: ModelRequest, *, strict: bool = False) -> dict[str, Any] | None:
    """`response_format` asking for `request.json_schema`, or None for free text.

    With `strict` the schema is made strict-compatible (closed objects, every
    property required, optional ones nullable); without it, it is only cleaned
    of `$schema`/`$id`/`title`, which some servers reject.
    """
    if request.json_schema is None:
        return None
    schema = (
        openai_strict_schema(request.json_schema) if strict else clean_schema(request.json_schema)
    )
    return {
        "type": "json_schema",
        "json_schema": {"name": tool_name(request.schema_name), "schema": schema, "strict": strict},
    }


class OpenAIProvider(RetryingStreamProvider):
    """Streams `openai/...` models. One instance per base URL."""

    name = "openai"

    def __init__(
        self,
        config: ProviderConfig,
        *,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(config, base_url=base_url, policy=policy)
        self.key_env = config.api_key_env or DEFAULT_KEY_ENV
        self._clients: LoopClient[AsyncOpenAI] = LoopClient(self._make_client)
        self._current_model = "openai"

    def _make_client(self) -> AsyncOpenAI:
        from openai import AsyncOpenAI

        return AsyncOpenAI(
            api_key=read_key(self.key_env, self._current_model),
            base_url=self.base_url,
            max_retries=0,
            timeout=self.config.timeout_s,
        )

    def _before_clock(self, request: ModelRequest) -> None:
        self._current_model = request.model
        self._clients.get()  # imports the SDK: before the clock starts

    def _params(self, request: ModelRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": request.model_name,
            "messages": chat_messages(request),
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_completion_tokens": request.max_tokens,
        }
        if request.temperature is not None:
            params["temperature"] = request.temperature
        fmt = response_format(request, strict=openai_supports_strict(request.model_name))
        if fmt is not None:
            params["response_format"] = fmt
        return params

    async def _attempt(
        self, request: ModelRequest, deadline_at: float, stall_s: float, deadline_s: float
    ) -> AsyncIterator[ProviderEvent]:
        model = request.model
        self._current_model = model
        client = self._clients.get()
        att = Attempt(model, deadline_at=deadline_at, stall_s=stall_s, deadline_s=deadline_s)
        try:
            stream = await att.wait(
                client.chat.completions.create(**self._params(request), timeout=deadline_s),
                "the response",
            )
        except Exception as exc:
            raise from_exception(exc, model=model) from exc
        try:
            while True:
                try:
                    chunk = await att.next(stream)
                except StopAsyncIteration:
                    break
                except Exception as exc:
                    raise from_exception(
                        exc, model=model, partial=att.partial, started=True, usage=att.usage()
                    ) from exc
                usage = getattr(chunk, "usage", None)
                if usage is not None:
                    att.input_tokens = usage.prompt_tokens
                    att.output_tokens = usage.completion_tokens
                for choice in chunk.choices or ():
                    delta = choice.delta
                    if delta is not None:
                        if delta.content:
                            yield att.text(delta.content)
                        refusal = getattr(delta, "refusal", None)
                        if refusal:
                            yield att.text(refusal)
                    if choice.finish_reason:
                        att.stop_reason = choice.finish_reason
        finally:
            await stream.close()
        if att.stop_reason is None:
            raise att.fault(
                FaultKind.TRUNCATED,
                f"the stream ended without a finish_reason after {len(att.partial)} characters",
            )
        yield att.end()

    async def aclose(self) -> None:
        await self._clients.aclose()

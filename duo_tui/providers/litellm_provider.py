"""Every other provider prefix (ollama, gemini, openrouter, bedrock, ...) through `litellm`.

litellm is imported on first use only (it costs seconds), with its remote
price-map download switched off (`LITELLM_LOCAL_MODEL_COST_MAP=True`), its
`.env` loading off (`LITELLM_MODE=PRODUCTION`), its debug output off, its
loggers filtered so a key never reaches a log, and without the parsed copy of
its Anthropic tokenizer that it never reads (`litellm_trim.py`: 13 MiB).

What litellm hides: it reports a stream cut short as `finish_reason="stop"`
and fills in usage it estimated by counting tokens. We report usage only when
the server sent it (litellm keeps the server's chunks in `.chunks`), never the
estimate. TRUNCATED is detected only when the cut leaves a trace: a transport
error (connection dropped inside a chunked body), which litellm re-raises, or
no finish_reason at all should litellm ever pass one through. A server that
closes the connection cleanly in the middle of an answer is seen as a
complete answer (with unknown usage when the server sent none).

litellm maps every provider's stop reason onto OpenAI's words (Anthropic's
`max_tokens`, `pause_turn` and Gemini's `MAX_TOKENS` become `length`;
`refusal` and Gemini's `SAFETY` become `content_filter`): endings.py reads
them like OpenAI's.

Structured output: the schema always goes as `response_format` `json_schema`,
cleaned of `$schema`/`$id`/`title` (Gemini through litellm rejects `$schema`).
`strict: true`, with the schema made strict-compatible, goes to OpenAI-family
models only (`azure/gpt-5`, `openrouter/openai/gpt-5`, ...; `strict_through_litellm`):
the model must support strict structured outputs by OpenAI's own list
(`schemas.openai_supports_strict`) and by litellm's model map
(`litellm.supports_response_schema`, which its documentation names for exactly
this check); where the map records nothing for the route (an OpenRouter entry
without the flag) the OpenAI model's own entry decides.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator
from functools import cache
from typing import TYPE_CHECKING, Any

from duo_tui.providers.base import ModelRequest, ProviderEvent
from duo_tui.providers.openai_provider import add_openai_usage, chat_messages, chat_options
from duo_tui.providers.retry import RetryPolicy
from duo_tui.providers.schemas import openai_supports_strict
from duo_tui.providers.streaming import RetryingStreamProvider
from duo_tui.redact import redact
from duo_tui.safe_text import clean

if TYPE_CHECKING:
    from types import ModuleType

    from duo_tui.config import ProviderConfig

LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm", "httpx")


class _RedactFilter(logging.Filter):
    """Redacts every record of litellm's loggers (they log request parameters) and makes
    its controls visible: litellm prints them on stderr, and they can quote an error
    body (provider or proxy text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = clean(redact(record.getMessage()))
            record.args = None
        except Exception:
            return False
        return True


def import_litellm() -> ModuleType:
    """Import litellm quietly: local price map, no debug output, redacted loggers."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # never fetch the price map remotely
    # In its default "DEV" mode `import litellm` runs dotenv.load_dotenv(), which loads a
    # .env found in the working directory or any parent of it (or of litellm's own
    # package) into our environment: keys and settings the user never gave us.
    os.environ["LITELLM_MODE"] = "PRODUCTION"
    from duo_tui.providers.litellm_trim import dropping_unread_globals

    with dropping_unread_globals():  # its parsed tokenizer: 13 MiB it never reads
        import litellm

    litellm.set_verbose = False
    litellm.suppress_debug_info = True
    litellm.drop_params = True
    for name in LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
        if not any(isinstance(f, _RedactFilter) for f in logger.filters):
            logger.addFilter(_RedactFilter())
    return litellm


#: OpenAI's model names (GPT, the o-series, ChatGPT, Codex), as a route's last segment.
_OPENAI_FAMILY = re.compile(r"^(gpt-|o\d|chatgpt-|codex-)")


def openai_family_name(model: str) -> str | None:
    """The OpenAI model a litellm route names (`azure/gpt-5` -> `gpt-5`,
    `openrouter/openai/gpt-5` -> `gpt-5`), or None for any other family."""
    _prefix, _, rest = model.partition("/")
    parts = rest.split("/")
    if len(parts) > 1 and parts[-2].lower() != "openai":
        return None  # openrouter/google/..., a vendor's own model
    name = parts[-1]
    return name if _OPENAI_FAMILY.match(name.lower()) else None


def _map_flag(litellm: ModuleType, model: str) -> bool | None:
    """litellm's model-map flag `supports_response_schema` for `model`: None when the
    map has no entry for it or the entry does not say."""
    try:
        flag = litellm.get_model_info(model=model).get("supports_response_schema")
    except Exception:
        return None
    return flag if isinstance(flag, bool) else None


@cache
def strict_through_litellm(model: str) -> bool:
    """Whether `model` (a litellm route) gets OpenAI's `strict: true` structured output."""
    name = openai_family_name(model)
    if name is None or not openai_supports_strict(name):
        return False
    litellm = import_litellm()
    if litellm.supports_response_schema(model=model):
        return True
    if _map_flag(litellm, model) is False:
        return False  # litellm says this route does not take a response schema
    return bool(litellm.supports_response_schema(model=f"openai/{name}"))


def _provider_sent_usage(stream: Any) -> bool:
    """True when the server itself reported usage (litellm keeps the raw chunks in `.chunks`)."""
    chunks = getattr(stream, "chunks", None)
    if not isinstance(chunks, list):
        return True
    return any(getattr(chunk, "usage", None) is not None for chunk in chunks)


class LiteLLMProvider(RetryingStreamProvider):
    """Streams any `prefix/model` litellm supports. One instance per (prefix, base URL)."""

    def __init__(
        self,
        prefix: str,
        config: ProviderConfig,
        *,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(config, base_url=base_url, policy=policy)
        self.name = prefix

    def _before_clock(self, request: ModelRequest) -> None:
        import_litellm()  # seconds on first use: before the clock starts

    def _params(self, request: ModelRequest, deadline_s: float) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": request.model,
            "messages": chat_messages(request),
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": request.max_tokens,
            "timeout": deadline_s,
            "num_retries": 0,
            "max_retries": 0,
        }
        if self.base_url:
            params["api_base"] = self.base_url
        if self.config.api_key_env:
            from duo_tui.providers.sdk_client import read_key

            params["api_key"] = read_key(self.config.api_key_env, request.model)
        strict = request.json_schema is not None and strict_through_litellm(request.model)
        params.update(chat_options(request, self.config, strict=strict))
        return params

    async def _attempt(
        self, request: ModelRequest, deadline_at: float, stall_s: float, deadline_s: float
    ) -> AsyncIterator[ProviderEvent]:
        litellm = import_litellm()
        params = self._params(request, deadline_s)
        att = self._new_attempt(request, deadline_at, stall_s, deadline_s)
        stream = await att.open(litellm.acompletion(**params))
        saw_usage = False
        saw_finish = False
        try:
            while (chunk := await att.read(stream)) is not None:
                usage = getattr(chunk, "usage", None)
                if usage is not None and usage.completion_tokens is not None:
                    saw_usage = True
                    add_openai_usage(att, usage)
                for choice in getattr(chunk, "choices", None) or ():
                    delta = getattr(choice, "delta", None)
                    content = getattr(delta, "content", None)
                    if content:
                        yield att.text(content)
                    refusal = getattr(delta, "refusal", None)
                    if isinstance(refusal, str) and refusal:
                        att.refusal.append(refusal)
                    if getattr(delta, "reasoning_content", None):
                        att.alive()  # reasoning is not shown, but the model has started
                    if choice.finish_reason:
                        saw_finish = True
                        att.stop_reason = choice.finish_reason
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                try:
                    await close()
                except Exception:
                    pass
        if not saw_finish:
            raise att.truncated("a finish_reason")
        if not (saw_usage and _provider_sent_usage(stream)):
            # litellm estimates usage by counting tokens when the server sent none;
            # an estimate is not the provider's usage, so it is not shown.
            att.input_tokens = att.output_tokens = att.cache_read_tokens = None
        yield att.end()

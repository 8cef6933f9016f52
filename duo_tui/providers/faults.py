"""Turning what an SDK raises into a `ProviderError` a human can act on.

The three SDKs (anthropic, openai, litellm) raise differently named exceptions
with the same shape: an HTTP `status_code`, a `response` with headers, a parsed
`body`. This module reads that shape by duck typing, so it imports no SDK, and
decides the `FaultKind`, whether our retry loop may retry it, and the wording.
Every message passes through `duo_tui.redact.redact`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from duo_tui.core.models import Usage
from duo_tui.providers.base import FaultKind, ProviderError
from duo_tui.redact import redact

#: Kinds that are transient: retried automatically when they happen before the stream starts.
TRANSIENT = frozenset(
    {FaultKind.RATE_LIMIT, FaultKind.OVERLOADED, FaultKind.SERVER, FaultKind.CONNECTION}
)

#: Words in an error body that mean "your account is out of money", not "slow down".
SPEND_MARKERS = (
    "insufficient_quota",
    "exceeded your current quota",
    "billing",
    "credit balance",
    "spend limit",
    "spending limit",
    "payment required",
)

#: OpenAI's 400 when a reasoning model spent the whole output budget before writing anything.
OUTPUT_LIMIT_400 = "max_tokens or model output limit was reached"

_TRANSPORT_DROP = (
    "RemoteProtocolError",
    "ReadError",
    "ProtocolError",
    "IncompleteRead",
    "ClientPayloadError",
    "ServerDisconnectedError",
    "ConnectionResetError",
    "BrokenResourceError",
    "ClosedResourceError",
    "EndOfStream",
)
#: The same, as litellm words them inside the exceptions it wraps around transport errors.
_DROP_WORDS = (
    "response payload is not completed",
    "transferencodingerror",
    "peer closed connection",
    "incomplete chunked read",
    "remoteprotocolerror",
    "server disconnected",
    "connection reset",
)
_CONNECT_WORDS = (
    "connect call failed",
    "cannot connect to host",
    "connection refused",
    "connecterror",
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
)
_TIMEOUTS = ("Timeout", "TimeoutError")
_CONNECTION = ("ConnectError", "ConnectionError", "APIConnectionError", "ConnectTimeout")


def make_error(
    kind: FaultKind,
    message: str,
    *,
    model: str,
    partial: str = "",
    retryable: bool | None = None,
    retry_after_s: float | None = None,
    usage: Usage | None = None,
) -> ProviderError:
    """A ProviderError whose message names the model and never carries a secret."""
    text = f"{model}: {message}" if model and not message.startswith(model) else message
    return ProviderError(
        kind,
        redact(text),
        model=model,
        partial=partial,
        retryable=kind in TRANSIENT if retryable is None else retryable,
        retry_after_s=retry_after_s,
        usage=usage,
    )


def _names(exc: BaseException) -> list[str]:
    return [cls.__name__ for cls in type(exc).__mro__]


def _has_name(exc: BaseException, fragments: tuple[str, ...]) -> bool:
    return any(frag in name for name in _names(exc) for frag in fragments)


def _chain_has_name(exc: BaseException, fragments: tuple[str, ...], depth: int = 8) -> bool:
    """`_has_name` of `exc` or of what caused it: the openai SDK wraps a transport error
    (httpx's incomplete chunked read) in its own `APIConnectionError`."""
    cause: BaseException | None = exc
    while cause is not None and depth > 0:
        if _has_name(cause, fragments):
            return True
        cause = cause.__cause__ or cause.__context__
        depth -= 1
    return False


def _headers(exc: BaseException) -> Mapping[str, str] | None:
    """The response headers of an HTTP error.

    litellm's exceptions carry a made-up `response` with no headers; the server's
    headers (`retry-after`, `retry-after-ms`) are in `litellm_response_headers`.
    """
    for headers in (
        getattr(exc, "litellm_response_headers", None),
        getattr(getattr(exc, "response", None), "headers", None),
    ):
        if isinstance(headers, Mapping) and headers:
            return headers
    return None


def with_causes(exc: BaseException, message: str, depth: int = 8) -> str:
    """`message` followed by what caused `exc`, where the message alone does not say it.

    The openai SDK says only "Connection error." for a refused connection or an
    unknown host; the reason ("[Errno 111] Connect call failed", "Name or service
    not known") is further down the exception's chain.
    """
    seen = [message]
    cause = exc.__cause__ or exc.__context__
    while cause is not None and depth > 0:
        text = str(cause).strip()
        if text and not any(text in earlier for earlier in seen):
            seen.append(text)
        cause = cause.__cause__ or cause.__context__
        depth -= 1
    return ": ".join([part.rstrip(".") for part in seen[:-1]] + seen[-1:])


def _unwrap_fallback(exc: BaseException, partial: str) -> BaseException | None:
    """The HTTP error inside litellm's `MidStreamFallbackError`, when no text came before it.

    litellm opens some streams (Gemini) lazily, so a 429 or 503 arrives while the
    first chunk is awaited, wrapped as a mid-stream failure; it is a pre-stream error.
    """
    if partial or "MidStreamFallbackError" not in _names(exc):
        return None
    if getattr(exc, "generated_content", ""):
        return None
    original = getattr(exc, "original_exception", None)
    return original if isinstance(original, BaseException) else None


def body_text(body: Any) -> str:
    """The body as text for keyword checks (spend limit, overloaded)."""
    if body is None:
        return ""
    if isinstance(body, str | bytes):
        return body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return json.dumps(body)
    except (TypeError, ValueError):
        return str(body)


def server_message(body: Any, fallback: str = "") -> str:
    """The human part of an error body: `error.type: error.message` when the body has them."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError):  # a hostile body may nest without end
            return body.strip()[:500] or fallback
    if isinstance(body, Mapping):
        err = body.get("error", body)
        if isinstance(err, Mapping):
            etype = err.get("type") or err.get("code")
            msg = err.get("message")
            if msg:
                return f"{etype}: {msg}" if etype else str(msg)
        elif isinstance(err, str):
            return err
    return fallback[:500]


def error_type(body: Any) -> str:
    """`error.type` (Anthropic) or `error.code`/`error.type` (OpenAI) from an error body."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError):
            return ""
    if isinstance(body, Mapping):
        err = body.get("error", body)
        if isinstance(err, Mapping):
            return str(err.get("type") or err.get("code") or "")
    return ""


def embedded_body(message: str) -> Any:
    """The JSON error object quoted inside a wrapped message (litellm quotes the server's body)."""
    start = message.find("{")
    if start < 0:
        return None
    try:
        body, _ = json.JSONDecoder().raw_decode(message[start:])
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def is_spend_limit(body: Any) -> bool:
    """True when an error body says the account is out of credit or over its spend limit."""
    text = body_text(body).lower()
    return any(marker in text for marker in SPEND_MARKERS)


def from_status(
    status: int,
    body: Any,
    headers: Mapping[str, str] | None,
    *,
    model: str,
    fallback: str = "",
) -> ProviderError:
    """Classify an HTTP error response received before the stream started."""
    from duo_tui.providers.retry import parse_retry_after

    if body is None:
        body = embedded_body(fallback)
    detail = server_message(body, fallback) or "no details"
    retry_after = parse_retry_after(headers)
    etype = error_type(body)
    spend = is_spend_limit(body) or is_spend_limit(fallback)
    if (spend and status in (400, 402, 403, 429)) or status == 402:
        # 402 Payment Required: OpenRouter's "requires more credits", whatever the words.
        return make_error(
            FaultKind.SPEND_LIMIT, f"spend limit reached (HTTP {status}): {detail}", model=model
        )
    if status == 401:
        return make_error(FaultKind.AUTH, f"API key refused (HTTP 401): {detail}", model=model)
    if status == 403:
        return make_error(
            FaultKind.AUTH,
            "forbidden (HTTP 403): the API key was refused, or it has no access to this "
            f"model or project: {detail}",
            model=model,
        )
    if status == 429:
        return make_error(
            FaultKind.RATE_LIMIT,
            f"rate limited (HTTP 429): {detail}",
            model=model,
            retry_after_s=retry_after,
        )
    if status == 529 or etype == "overloaded_error":
        return make_error(
            FaultKind.OVERLOADED,
            f"provider overloaded (HTTP {status}): {detail}",
            model=model,
            retry_after_s=retry_after,
        )
    if status == 408:
        return make_error(
            FaultKind.SERVER, f"request timed out at the server (HTTP 408): {detail}", model=model
        )
    if status >= 500:
        return make_error(
            FaultKind.SERVER,
            f"server error (HTTP {status}): {detail}",
            model=model,
            retry_after_s=retry_after,
        )
    if status == 400 and OUTPUT_LIMIT_400 in detail.lower():
        # OpenAI's reasoning models: the budget went on thinking and nothing could be written.
        err = make_error(
            FaultKind.CUT_OFF,
            f"the reply was cut off ('length'): the output token limit was reached before "
            f"any answer (HTTP 400): {detail}",
            model=model,
            retryable=False,
        )
        err.ending = "length"
        return err
    return make_error(
        FaultKind.BAD_REQUEST, f"request refused (HTTP {status}): {detail}", model=model
    )


def from_exception(
    exc: BaseException,
    *,
    model: str,
    partial: str = "",
    started: bool = False,
    usage: Usage | None = None,
) -> ProviderError:
    """Classify any exception an SDK raised.

    `started` is False while waiting for the response headers and True once the
    SDK handed us a stream; errors then are mid-stream faults that keep `partial`.
    """
    if isinstance(exc, ProviderError):
        return exc
    if started:
        original = _unwrap_fallback(exc, partial)
        if original is not None:
            return from_exception(original, model=model, usage=usage)
    raw_msg = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    lowered = raw_msg.lower()
    if not started:
        if status in (None, 500) and any(w in lowered for w in _CONNECT_WORDS):
            return make_error(FaultKind.CONNECTION, f"cannot connect: {raw_msg}", model=model)
        if isinstance(status, int) and status >= 400:
            return from_status(status, body, _headers(exc), model=model, fallback=raw_msg)
        if _has_name(exc, _TIMEOUTS):
            return make_error(
                FaultKind.TIMEOUT, f"no response in time: {with_causes(exc, raw_msg)}", model=model
            )
        if _has_name(exc, _CONNECTION) or isinstance(exc, OSError):
            return make_error(
                FaultKind.CONNECTION, f"cannot connect: {with_causes(exc, raw_msg)}", model=model
            )
        return make_error(
            FaultKind.SERVER,
            f"unexpected {type(exc).__name__}: {raw_msg}",
            model=model,
            retryable=False,
        )

    # The stream had started: the fault keeps what it sent.
    def cut(kind: FaultKind, what: str, detail: str = raw_msg) -> ProviderError:
        return make_error(
            kind,
            f"{what} after {len(partial)} characters: {detail}",
            model=model,
            partial=partial,
            usage=usage,
        )

    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError) or _has_name(
        exc, ("JSONDecodeError", "ValidationError")
    ):
        return cut(FaultKind.MALFORMED, "malformed data in the stream")
    if any(w in lowered for w in _DROP_WORDS):
        return cut(FaultKind.TRUNCATED, "the connection dropped")
    if body is not None or (isinstance(status, int) and status >= 400):
        detail = server_message(body, raw_msg)
        if not partial:
            # Nothing reached the human yet: classify like a pre-stream failure so that
            # transient errors (overloaded, server) are retried.
            etype = error_type(body)
            if (
                etype == "overloaded_error"
                or is_spend_limit(body)
                or etype
                in (
                    "rate_limit_error",
                    "api_error",
                    "server_error",
                )
            ):
                spend_or_rate = is_spend_limit(body) or etype == "rate_limit_error"
                code = 429 if spend_or_rate else 529 if etype == "overloaded_error" else 500
                return from_status(code, body, None, model=model, fallback=raw_msg)
        return cut(FaultKind.MID_STREAM, "the provider failed mid-answer", detail)
    if _has_name(exc, _TIMEOUTS):
        return cut(FaultKind.STALL, "the stream stalled")
    if _chain_has_name(exc, _TRANSPORT_DROP) or isinstance(exc, OSError):
        return cut(FaultKind.TRUNCATED, "the connection dropped", with_causes(exc, raw_msg))
    return cut(FaultKind.MID_STREAM, f"unexpected {type(exc).__name__}")

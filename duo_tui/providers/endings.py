"""How a model's reply ended, and the fault for every ending that is not "complete".

Every API says why a reply stopped: Anthropic's `stop_reason` (`end_turn`,
`stop_sequence`, `tool_use`, `max_tokens`, `model_context_window_exceeded`,
`refusal`, `pause_turn`), OpenAI's `finish_reason` (`stop`, `length`,
`content_filter`, `tool_calls`, `function_call`) and litellm's mapping of every
other provider onto OpenAI's words. A reply that did not end normally is never
taken as complete: `ending_fault` turns it into a `ProviderError` that keeps the
partial text and the usage (the tokens were billed), names the ending, and is
not retried by the pre-stream retry loop (the caller retries a cut-off reply
once with a larger budget; see `duo_tui.core.call_retry`).
"""

from __future__ import annotations

from enum import StrEnum

from duo_tui.core.models import Usage
from duo_tui.providers.base import FaultKind, ProviderError
from duo_tui.providers.faults import make_error


class Ending(StrEnum):
    """What a stop reason means for the reply."""

    COMPLETE = "complete"
    CUT_OFF = "cut_off"
    REFUSED = "refused"
    PAUSED = "paused"
    UNKNOWN = "unknown"


#: Stop reasons of a reply that ended as the model meant it to.
COMPLETE_REASONS = frozenset(
    {
        "end_turn",  # Anthropic
        "stop_sequence",  # Anthropic
        "tool_use",  # Anthropic: the forced structured-output tool was called
        "stop",  # OpenAI, litellm
        "tool_calls",  # OpenAI, litellm
        "function_call",  # OpenAI (legacy)
    }
)
#: The reply was cut off: the output budget or the context window ran out.
CUT_OFF_REASONS = frozenset(
    {
        "max_tokens",  # Anthropic
        "model_context_window_exceeded",  # Anthropic
        "length",  # OpenAI; litellm's word for every provider's token limit
        "max_output_tokens",  # OpenAI Responses (incomplete_details.reason)
        "MAX_TOKENS",  # Gemini, should litellm ever pass it through unmapped
    }
)
#: The model refused, or a content filter stopped it.
REFUSAL_REASONS = frozenset({"refusal", "content_filter", "SAFETY", "RECITATION"})
PAUSE_REASONS = frozenset({"pause_turn"})

#: How much of a refusal's text goes into the message.
REFUSAL_SHOWN_CHARS = 300


def classify(stop_reason: str | None) -> Ending:
    """The meaning of a provider's stop reason (None, an unknown word: UNKNOWN)."""
    if stop_reason in COMPLETE_REASONS:
        return Ending.COMPLETE
    if stop_reason in CUT_OFF_REASONS:
        return Ending.CUT_OFF
    if stop_reason in REFUSAL_REASONS:
        return Ending.REFUSED
    if stop_reason in PAUSE_REASONS:
        return Ending.PAUSED
    return Ending.UNKNOWN


def ending_fault(
    model: str,
    stop_reason: str | None,
    *,
    partial: str,
    usage: Usage | None,
    output_tokens: int | None = None,
    max_tokens: int | None = None,
    refusal: str = "",
) -> ProviderError | None:
    """The fault for a reply that ended as `stop_reason` says, or None when it is complete.

    `refusal` is the refusal text some APIs send apart from the content (OpenAI's
    `delta.refusal`): a reply that carries one is a refusal whatever its stop reason.
    """
    ending = Ending.REFUSED if refusal else classify(stop_reason)
    if ending is Ending.COMPLETE:
        return None
    said = f"{stop_reason!r}" if stop_reason else "no stop reason"
    got = f"{len(partial)} characters"
    if output_tokens is not None:
        got += f", {output_tokens} output tokens"
    if ending is Ending.CUT_OFF:
        budget = (
            f" of {max_tokens} allowed"
            if max_tokens and stop_reason != "model_context_window_exceeded"
            else ""
        )
        what = (
            "the context window is full"
            if stop_reason == "model_context_window_exceeded"
            else f"the output token limit{budget} was reached"
        )
        kind, message = FaultKind.CUT_OFF, f"the reply was cut off ({said}): {what} after {got}"
    elif ending is Ending.REFUSED:
        shown = " ".join(refusal.split())[:REFUSAL_SHOWN_CHARS]
        because = f": {shown!r}" if shown else ""
        # A refusal sent apart from the content ends as a normal stop ("stop"): that
        # word would read as the reason, so only a refusal stop reason is named.
        named = f" ({said})" if classify(stop_reason) is Ending.REFUSED else ""
        kind, message = FaultKind.REFUSED, f"the model refused{named}{because}"
        if not named:
            stop_reason = "refusal"  # how the call ended, for the report and the stage rail
    elif ending is Ending.PAUSED:
        kind, message = (
            FaultKind.PAUSED,
            f"the model paused its turn ({said}) after {got}; the answer is unfinished",
        )
    else:
        kind, message = (
            FaultKind.UNKNOWN_ENDING,
            f"the reply ended with an unknown stop reason ({said}) after {got}; "
            "it is not taken as complete",
        )
    err = make_error(kind, message, model=model, partial=partial, retryable=False, usage=usage)
    err.ending = stop_reason or "none"
    return err

"""Unit tests of the retry policy, the fault classifier and the price lookup (no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from duo_tui.providers import pricing
from duo_tui.providers.base import FaultKind, ProviderError, RetryNotice, TextChunk
from duo_tui.providers.faults import from_status
from duo_tui.providers.retry import RetryPolicy, parse_retry_after, retrying

from .support import Sleeps


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (None, None),
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "40"}, 0.04),
        ({"retry-after": "Wed, 21 Oct 2026 07:28:30 GMT"}, 30.0),
        ({"retry-after": "Wed, 21 Oct 2026 07:27:00 GMT"}, 0.0),  # in the past
        ({"retry-after": "soon"}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str] | None, expected: float | None) -> None:
    now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert parse_retry_after(headers, now=now) == expected


def test_backoff_is_full_jitter_exponential_and_capped() -> None:
    top = RetryPolicy(max_wait_s=10, base_s=1, rng=lambda: 0.999999)
    assert [round(top.wait_s(n, None), 3) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    bottom = RetryPolicy(max_wait_s=10, base_s=1, rng=lambda: 0.0)
    assert bottom.wait_s(3, None) == 0.0
    assert top.wait_s(0, 99.0) == 10.0, "Retry-After is capped too"
    assert top.wait_s(0, 2.5) == 2.5


def _fail(kind: FaultKind, *, partial: str = "", retry_after: float | None = None) -> ProviderError:
    return ProviderError(
        kind,
        f"m: {kind}",
        model="m",
        partial=partial,
        retryable=kind in {FaultKind.RATE_LIMIT, FaultKind.SERVER},
        retry_after_s=retry_after,
    )


async def test_retrying_retries_pre_stream_faults_only() -> None:
    sleeps = Sleeps()
    calls = 0

    async def attempt():  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            raise _fail(FaultKind.RATE_LIMIT, retry_after=4)
        yield TextChunk("a")
        raise _fail(FaultKind.SERVER, partial="a")

    events = []
    with pytest.raises(ProviderError) as info:
        async for ev in retrying(attempt, RetryPolicy(max_retries=3, sleep=sleeps)):
            events.append(ev)
    assert events == [RetryNotice(2, 4, 4.0, "m: rate_limit"), TextChunk("a")]
    assert info.value.kind is FaultKind.SERVER and info.value.partial == "a"
    assert calls == 2, "a fault after the first chunk is not retried"
    assert sleeps.waits == [4.0]


async def test_retrying_gives_up_before_passing_the_deadline() -> None:
    import time

    async def attempt():  # type: ignore[no-untyped-def]
        raise _fail(FaultKind.RATE_LIMIT, retry_after=50)
        yield  # pragma: no cover

    with pytest.raises(ProviderError) as info:
        async for _ in retrying(
            attempt, RetryPolicy(max_retries=3, sleep=Sleeps()), deadline_at=time.monotonic() + 10
        ):
            pass
    assert info.value.kind is FaultKind.RATE_LIMIT


@pytest.mark.parametrize(
    ("status", "body", "kind", "retryable"),
    [
        (
            429,
            {"error": {"type": "rate_limit_error", "message": "slow"}},
            FaultKind.RATE_LIMIT,
            True,
        ),
        (
            429,
            {"error": {"code": "insufficient_quota", "message": "quota"}},
            FaultKind.SPEND_LIMIT,
            False,
        ),
        (402, {"error": {"message": "Payment required: billing"}}, FaultKind.SPEND_LIMIT, False),
        (
            529,
            {"error": {"type": "overloaded_error", "message": "Overloaded"}},
            FaultKind.OVERLOADED,
            True,
        ),
        (500, "Internal Server Error", FaultKind.SERVER, True),
        (502, None, FaultKind.SERVER, True),
        (401, {"error": {"message": "bad key"}}, FaultKind.AUTH, False),
        (403, {"error": {"message": "forbidden"}}, FaultKind.AUTH, False),
        (400, {"error": {"message": "max_tokens too large"}}, FaultKind.BAD_REQUEST, False),
        (404, {"error": {"message": "no such model"}}, FaultKind.BAD_REQUEST, False),
    ],
)
def test_status_classification(status: int, body: object, kind: FaultKind, retryable: bool) -> None:
    err = from_status(status, body, None, model="openai/gpt-5.5")
    assert err.kind is kind
    assert err.retryable is retryable
    assert err.message.startswith("openai/gpt-5.5: ")
    assert f"HTTP {status}" in err.message


def test_cost_of_known_models() -> None:
    assert pricing.cost_usd("anthropic/claude-opus-4-7", 1_000_000, 0) == pytest.approx(5.0)
    assert pricing.cost_usd("openai/gpt-5.5", 0, 1_000_000) == pytest.approx(30.0)
    assert pricing.cost_usd("gemini/gemini-2.5-pro", 1000, 1000) == pytest.approx(
        1000 * 1.25e-06 + 1000 * 1e-05
    )


def test_long_prompts_pay_the_tier_price() -> None:
    cost = pricing.cost_usd("gemini/gemini-2.5-pro", 300_000, 1000)
    assert cost == pytest.approx(300_000 * 2.5e-06 + 1000 * 1.5e-05)


@pytest.mark.parametrize(
    ("model", "tokens"),
    [
        ("anthropic/claude-opus-4-7", (None, 10)),
        ("anthropic/claude-opus-4-7", (10, None)),
        ("hosted_vllm/qwen2.5-coder", (10, 10)),
        ("openai/not-a-real-model", (10, 10)),
        ("openrouter/claude-opus-4-7", (10, 10)),  # the bare name belongs to another provider
    ],
)
def test_unknown_cost_is_none_never_zero(model: str, tokens: tuple[int | None, int | None]) -> None:
    assert pricing.cost_usd(model, *tokens) is None


def test_free_local_models_cost_zero() -> None:
    assert pricing.cost_usd("ollama/llama3", 10, 10) == 0.0

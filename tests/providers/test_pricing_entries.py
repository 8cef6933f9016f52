"""The price map is read for the models a process prices, not kept whole."""

from __future__ import annotations

import sys

import pytest

from duo_tui.providers import pricing


@pytest.fixture(autouse=True)
def fresh_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pricing, "_entries", {})


def test_prime_keeps_only_the_named_models(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = pricing._read_map

    def counting() -> dict[str, object]:
        reads.append(1)
        return real()

    monkeypatch.setattr(pricing, "_read_map", counting)
    pricing.prime(["anthropic/claude-opus-4-7", "openai/gpt-5.5", "nobody/unknown-model"])
    assert set(pricing._entries) == {
        "anthropic/claude-opus-4-7",
        "openai/gpt-5.5",
        "nobody/unknown-model",
    }
    assert len(reads) == 1
    # Only the fields cost needs, and a priced call costs what the rates say.
    entry = pricing._entries["anthropic/claude-opus-4-7"]
    assert entry is not None and "max_tokens" not in entry
    rate_in, rate_out = entry["input_cost_per_token"], entry["output_cost_per_token"]
    assert pricing.cost_usd("anthropic/claude-opus-4-7", 1000, 10) == pytest.approx(
        1000 * rate_in + 10 * rate_out
    )
    assert pricing.cost_usd("nobody/unknown-model", 1000, 10) is None
    assert len(reads) == 1  # pricing primed models reads nothing again


def test_a_model_not_primed_is_read_once_on_demand(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = pricing._read_map
    monkeypatch.setattr(pricing, "_read_map", lambda: reads.append(1) or real())
    assert pricing.cost_usd("openai/gpt-5.5", 100, 100) is not None
    assert pricing.cost_usd("openai/gpt-5.5", 200, 100) is not None
    assert len(reads) == 1
    assert list(pricing._entries) == ["openai/gpt-5.5"]


def test_litellm_s_own_map_is_used_once_it_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeLitellm:
        model_cost = {
            "ollama/qwen2.5-coder": {
                "litellm_provider": "ollama",
                "input_cost_per_token": 0.0,
                "output_cost_per_token": 0.0,
            }
        }

    monkeypatch.setitem(sys.modules, "litellm", FakeLitellm)
    assert pricing._read_map() is FakeLitellm.model_cost
    assert pricing.cost_usd("ollama/qwen2.5-coder", 10, 10) == 0.0

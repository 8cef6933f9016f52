"""Cost of a call from litellm's local price map, without importing litellm.

litellm ships `model_prices_and_context_window_backup.json` inside its package.
We locate the package with `importlib.util.find_spec` (which does not import
it: importing litellm takes seconds) and read that JSON once. A model we have
no price for, or a call whose token counts the provider did not report, costs
`None` (unknown), never 0.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

PRICE_FILE = "model_prices_and_context_window_backup.json"

_TIER = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


_PRICE_FIELDS = frozenset(
    {
        "litellm_provider",
        "input_cost_per_token",
        "output_cost_per_token",
        "cache_read_input_token_cost",
        "cache_creation_input_token_cost",
    }
)
_TIER_PREFIXES = (
    "input_cost_per_token_above_",
    "output_cost_per_token_above_",
    "cache_read_input_token_cost_above_",
    "cache_creation_input_token_cost_above_",
)


@lru_cache(maxsize=1)
def price_map() -> dict[str, dict[str, Any]]:
    """litellm's local price map (empty when litellm is not installed or the file is unreadable)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return {}
    for location in spec.submodule_search_locations:
        path = Path(location) / PRICE_FILE
        try:
            with path.open("rb") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            # Only the fields cost needs: the whole map holds ~4,000 models with dozens
            # of fields each (8 MB resident), kept for the life of the process.
            return {
                k: {
                    f: x for f, x in v.items() if f in _PRICE_FIELDS or f.startswith(_TIER_PREFIXES)
                }
                for k, v in data.items()
                if isinstance(v, dict) and k != "sample_spec"
            }
    return {}


def price_entry(model: str) -> dict[str, Any] | None:
    """The price map entry for a `provider/model` string, or None.

    Looks up the full string first (`gemini/gemini-2.5-pro`), then the bare model
    name, accepted only when the entry belongs to the same provider
    (`anthropic/claude-opus-4-7` -> `claude-opus-4-7`, litellm_provider anthropic).
    """
    prices = price_map()
    entry = prices.get(model)
    if entry is not None:
        return entry
    provider, sep, name = model.partition("/")
    if not sep:
        return None
    entry = prices.get(name)
    if entry is not None and entry.get("litellm_provider") == provider:
        return entry
    return None


def _tier(entry: dict[str, Any], input_tokens: int) -> int:
    """The highest long-context tier (in thousands of tokens) the prompt exceeds, or 0."""
    best = 0
    for key in entry:
        m = _TIER.match(key)
        if m and input_tokens > int(m.group(1)) * 1000 and int(m.group(1)) > best:
            best = int(m.group(1))
    return best


def _rate(entry: dict[str, Any], field: str, tier: int) -> float | None:
    """`field`'s rate, at the tier's price when the map has one."""
    for key in ([f"{field}_above_{tier}k_tokens"] if tier else []) + [field]:
        value = entry.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _rates(entry: dict[str, Any], input_tokens: int) -> tuple[float, float] | None:
    tier = _tier(entry, input_tokens)
    rate_in = _rate(entry, "input_cost_per_token", tier)
    rate_out = _rate(entry, "output_cost_per_token", tier)
    if rate_in is None or rate_out is None:
        return None
    return rate_in, rate_out


def cost_usd(
    model: str,
    input_tokens: int | None,
    output_tokens: int | None,
    *,
    cache_read_tokens: int | None = None,
    cache_write_tokens: int | None = None,
) -> float | None:
    """Dollars for one call, or None when the price or either token count is unknown.

    `input_tokens` counts every prompt token; of those, `cache_read_tokens` are
    billed at the model's cache-read rate and `cache_write_tokens` at its
    cache-write rate (the plain input rate when the map has none).
    """
    if input_tokens is None or output_tokens is None:
        return None
    entry = price_entry(model)
    if entry is None:
        return None
    rates = _rates(entry, input_tokens)
    if rates is None:
        return None
    rate_in, rate_out = rates
    tier = _tier(entry, input_tokens)
    read = max(0, cache_read_tokens or 0)
    write = max(0, cache_write_tokens or 0)
    read_rate = _rate(entry, "cache_read_input_token_cost", tier)
    write_rate = _rate(entry, "cache_creation_input_token_cost", tier)
    uncached = max(0, input_tokens - read - write)
    return (
        uncached * rate_in
        + read * (rate_in if read_rate is None else read_rate)
        + write * (rate_in if write_rate is None else write_rate)
        + output_tokens * rate_out
    )

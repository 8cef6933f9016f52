"""Cost of a call from litellm's local price map, without importing litellm.

litellm ships `model_prices_and_context_window_backup.json` inside its package.
We locate the package with `importlib.util.find_spec` (which does not import
it: importing litellm takes seconds) and keep only the entries of the models
this process prices: one read for the configured models (`prime`), one more for
any model priced later. A model we have
no price for, or a call whose token counts the provider did not report, costs
`None` (unknown), never 0.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import threading
from collections.abc import Iterable
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


def _read_map() -> dict[str, Any]:
    """litellm's whole local price map (empty when litellm is not installed or the file is
    unreadable). Several MB of objects: callers keep only the entries they need.

    Once litellm is imported its own copy, `litellm.model_cost` (loaded from the same
    file: we import it with `LITELLM_LOCAL_MODEL_COST_MAP`), is used rather than a
    second parse."""
    litellm = sys.modules.get("litellm")
    loaded = getattr(litellm, "model_cost", None)
    if isinstance(loaded, dict) and loaded:
        return loaded
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
            return data
    return {}


def _pick(data: dict[str, Any], model: str) -> dict[str, Any] | None:
    """`model`'s entry in the parsed map, cut to the fields cost needs, or None.

    Looks up the full string first (`gemini/gemini-2.5-pro`), then the bare model
    name, accepted only when the entry belongs to the same provider
    (`anthropic/claude-opus-4-7` -> `claude-opus-4-7`, litellm_provider anthropic).
    """
    entry = data.get(model) if model != "sample_spec" else None
    if not isinstance(entry, dict):
        entry = None
        provider, sep, name = model.partition("/")
        bare = data.get(name) if sep and name != "sample_spec" else None
        if isinstance(bare, dict) and bare.get("litellm_provider") == provider:
            entry = bare
    if entry is None:
        return None
    return {f: x for f, x in entry.items() if f in _PRICE_FIELDS or f.startswith(_TIER_PREFIXES)}


# The entries of the models this process has priced (None: no price). The whole map holds
# ~4,000 models with dozens of fields each (4 MiB resident even cut to the price fields),
# while a session prices the handful of models it is configured with.
_entries: dict[str, dict[str, Any] | None] = {}
_entries_lock = threading.Lock()


def prime(models: Iterable[str]) -> None:
    """Read the price map once for every model in `models` not looked up yet (a worker
    thread calls this for the configured models, so pricing a call never parses the map)."""
    with _entries_lock:
        wanted = [m for m in dict.fromkeys(models) if m not in _entries]
        if not wanted:
            return
        data = _read_map()
        for model in wanted:
            _entries[model] = _pick(data, model)


def price_entry(model: str) -> dict[str, Any] | None:
    """The price map entry for a `provider/model` string, or None (see `_pick`)."""
    if model not in _entries:
        prime([model])
    return _entries.get(model)


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

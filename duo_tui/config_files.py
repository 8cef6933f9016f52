"""The configuration files: where they are, reading and merging them, and `[limits]` alone.

`duo_tui.config` validates the merged layers with pydantic models. Loading
those costs more start-up than all of `duo-tui triage --json` on a typical pair
of reviews, and that command reads nothing but `[limits]`. So
`quick_limits` gives it the limits from the same layers, read the same way,
without pydantic: when every section name is one the configuration knows and
the `[limits]` table is certainly valid. Anything else (a misspelt section or
key, a value of the wrong type or out of range) returns None, and the caller
loads the configuration in full, which reports the error as always. The other
sections are not checked on this path: the commands that use them do that.
Plain Python: tomllib and the limits.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from duo_tui.errors import ConfigError
from duo_tui.limits import (
    CONFIG_DEPTH,
    CONFIG_FILE_BYTES,
    MB,
    InputError,
    Limits,
    json_depth,
    read_regular_file,
)

__all__ = [
    "CONFIG_SECTIONS",
    "deep_merge",
    "quick_limits",
    "read_layers",
    "read_toml",
    "user_config_path",
]

#: The top-level tables of the configuration (`duo_tui.config.Config`'s fields; a test
#: keeps the two equal).
CONFIG_SECTIONS = frozenset(
    ("roles", "providers", "gate", "loop", "tasks", "ui", "limits", "secrets", "triage")
)

# `[limits]` keys: (is a float field, lowest allowed, lowest is allowed, highest) as
# `duo_tui.config.LimitsConfig` declares them (a test keeps the two equal).
_LIMIT_FIELDS: dict[str, tuple[bool, float, bool, float | None]] = {
    "review_file_mb": (True, 0, False, 10_000),
    "edit_mb": (True, 0, False, 1_000),
    "term_chars": (False, 8, True, None),
    "findings_per_review": (False, 1, True, None),
    "json_depth": (False, 4, True, 500),
    "json_values": (False, 100, True, None),
    "model_reply_mb": (True, 0, False, 1_000),
}


def user_config_path() -> Path:
    """The per-user config file in the platform's config directory."""
    override = os.environ.get("DUO_TUI_CONFIG_DIR")
    if override:
        return Path(override) / "config.toml"
    from platformdirs import user_config_dir

    return Path(user_config_dir("duo-tui")) / "config.toml"


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`base` with `over` laid on top, tables merged key by key."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def read_toml(path: Path) -> dict[str, Any]:
    """One TOML layer: a regular UTF-8 file of at most 1 MB, nested at most 32 deep."""
    import tomllib  # only when there is a file: ~4 ms of start-up

    try:
        text = read_regular_file(path, CONFIG_FILE_BYTES).decode("utf-8")
        data = tomllib.loads(text)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (not UTF-8); give a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError:
        raise ConfigError(f"{path}: nested deeper than {CONFIG_DEPTH} levels") from None
    if json_depth(data, CONFIG_DEPTH) > CONFIG_DEPTH:
        raise ConfigError(f"{path}: nested deeper than {CONFIG_DEPTH} levels")
    return data


def read_layers(repo: Path | None, explicit: Path | None) -> tuple[dict[str, Any], list[Path]]:
    """The merged layers (user file < `.duo/config.toml` < `--config FILE`) and their paths."""
    data: dict[str, Any] = {}
    sources: list[Path] = []
    layers: list[Path] = [user_config_path()]
    if repo is not None:
        layers.append(repo / ".duo" / "config.toml")
    for path in layers:
        if path.exists():
            data = deep_merge(data, read_toml(path))
            sources.append(path)
    if explicit is not None:
        if not explicit.exists():
            raise ConfigError(f"--config {explicit}: no such file")
        data = deep_merge(data, read_toml(explicit))
        sources.append(explicit)
    return data, sources


def _certain(value: Any, spec: tuple[bool, float, bool, float | None]) -> bool:
    is_float, low, low_ok, high = spec
    if is_float and type(value) is int and abs(value) > 2**53:
        return False  # pydantic rounds it to a float: let it
    if type(value) is int or (is_float and type(value) is float and math.isfinite(value)):
        above = value >= low if low_ok else value > low
        return above and (high is None or value <= high)
    return False  # bool, a string, a float for an integer, NaN, ...: pydantic decides


def limits_of(data: dict[str, Any]) -> Limits | None:
    """The `Limits` of merged configuration `data` if certainly valid, else None."""
    if not CONFIG_SECTIONS.issuperset(data):
        return None
    table = data.get("limits", {})
    if not isinstance(table, dict):
        return None
    for key, value in table.items():
        spec = _LIMIT_FIELDS.get(key)
        if spec is None or not _certain(value, spec):
            return None
    defaults = Limits()
    return Limits(
        # as `LimitsConfig.to_limits`: megabytes are floats (20 MB by default)
        review_file_bytes=int(float(table.get("review_file_mb", 20.0)) * MB),
        edit_bytes=int(float(table.get("edit_mb", 1.0)) * MB),
        term_chars=table.get("term_chars", defaults.term_chars),
        findings_per_review=table.get("findings_per_review", defaults.findings_per_review),
        json_depth=table.get("json_depth", defaults.json_depth),
        json_values=table.get("json_values", defaults.json_values),
    )


def quick_limits(repo: Path | None, explicit: Path | None) -> Limits | None:
    """The configured limits without pydantic, or None: load the configuration in full.

    Raises the `ConfigError` `load_config` raises for an unreadable layer or a
    missing `--config` file (the same code reads the layers).
    """
    data, _ = read_layers(repo, explicit)
    return limits_of(data)

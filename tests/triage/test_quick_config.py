"""`duo-tui triage --json` reads `[limits]` without pydantic, to the same limits (issue 18).

`duo_tui.config_files.limits_of` certifies a `[limits]` table by hand or
declines (None), and the caller then loads the configuration in full, which
words the error. So whenever it answers it must answer what `load_config`
gives, and it must decline whatever `load_config` refuses in `[limits]` or in
the section names; checked on many random configurations.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import ValidationError

from duo_tui.config import Config, LimitsConfig
from duo_tui.config_files import _LIMIT_FIELDS, CONFIG_SECTIONS, limits_of
from duo_tui.limits import DEFAULT_LIMITS

_VALUES: list[Any] = [
    0, 1, 3, 4, 7, 8, 99, 100, 500, 501, 5000, 10**6, 2**60, -1, 0.0, 0.05, 0.1, 2.5, 8.0,
    1e300, float("inf"), float("nan"), True, False, "8", "", [1], {"a": 1}, 1000, 1001,
    10_000, 10_001,
]  # fmt: skip
_VALID_OTHER: list[tuple[str, Any]] = [
    ("roles", {"planner": "anthropic/x"}),
    ("ui", {"theme": "duo-dark"}),
    ("loop", {"max_rounds": 3}),
    ("gate", {"commands": ["pytest"]}),
]


def test_the_hand_written_lists_follow_the_models() -> None:
    """A new section or limit must be added to config_files too (or triage would miss it)."""
    assert set(Config.model_fields) == CONFIG_SECTIONS
    assert set(LimitsConfig.model_fields) == set(_LIMIT_FIELDS)


def test_no_configuration_gives_the_default_limits() -> None:
    assert limits_of({}) == DEFAULT_LIMITS == Config().limits.to_limits()


def _random_config(rng: random.Random) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if rng.random() < 0.85:
        table: dict[str, Any] = {}
        for key in rng.sample(sorted(_LIMIT_FIELDS), rng.randint(0, 4)):
            table[key] = rng.choice(_VALUES)
        if rng.random() < 0.05:
            table["findings_per_reveiw"] = 2  # a misspelt key
        data["limits"] = table if rng.random() < 0.97 else rng.choice([1, "x", []])
    for name, section in rng.sample(_VALID_OTHER, rng.randint(0, 2)):
        data[name] = section
    if rng.random() < 0.05:
        data[rng.choice(["limit", "triage_x"])] = {}  # a misspelt section
    return data


def test_quick_limits_agree_with_the_full_configuration() -> None:
    rng = random.Random(18)
    answered = refused = 0
    for _ in range(3000):
        data = _random_config(rng)
        quick = limits_of(data)
        try:
            full = Config.model_validate(data).limits.to_limits()
        except ValidationError:
            assert quick is None, data  # refused in full: the quick path must decline
            refused += 1
            continue
        if quick is not None:
            assert quick == full, data
            answered += 1
    assert answered > 1000 and refused > 500, (answered, refused)


def test_an_infinite_or_huge_size_limit_is_a_config_error_not_a_crash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`review_file_mb = inf` used to raise OverflowError converting it to bytes."""
    import subprocess
    import sys

    (tmp_path / ".duo").mkdir()
    review = tmp_path / "r.json"
    review.write_text('{"reviewer": "a", "verdict": "approve", "summary": "", "findings": []}')
    for value in ("inf", "1e400", "20000"):
        (tmp_path / ".duo" / "config.toml").write_text(f"[limits]\nreview_file_mb = {value}\n")
        for extra in ([], ["--json"]):
            done = subprocess.run(
                [sys.executable, "-m", "duo_tui", "triage", str(review), str(review), *extra],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 2, (value, extra, done.stderr)
            assert "review_file_mb" in done.stderr and "Traceback" not in done.stderr

"""litellm imported through us keeps its tokenizer's JSON text but not the parsed copy it never reads.

The litellm checks run in fresh interpreters (litellm is imported once per
process): the parsed tokenizer is gone, and litellm counts Claude tokens exactly
as a plain `import litellm` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from duo_tui.providers import litellm_trim
from duo_tui.providers.preload import InputGate, install_gate, uninstall_gate

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Reviewers disagree about `parse_config`: one says the cache key omits the path."

PROBE = textwrap.dedent(
    f"""
    import json, sys
    if sys.argv[1] == "ours":
        from duo_tui.providers.litellm_provider import import_litellm
        litellm = import_litellm()
    else:
        import litellm
    utils = sys.modules["litellm.utils"]
    print(json.dumps({{
        "parsed": "json_data" in vars(utils),
        "text": isinstance(getattr(utils, "claude_json_str", None), str),
        "claude": litellm.token_counter(model="anthropic/claude-opus-4-7", text={TEXT!r}),
        "messages": litellm.token_counter(
            model="claude-sonnet-4-5", messages=[{{"role": "user", "content": {TEXT!r}}}]
        ),
    }}))
    """
)


def _probe(mode: str) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update(LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_MODE="PRODUCTION")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_the_parsed_tokenizer_is_dropped_and_claude_tokens_count_the_same() -> None:
    pytest.importorskip("litellm")
    plain = _probe("plain")
    ours = _probe("ours")
    assert plain["parsed"] is True  # what litellm keeps on its own
    assert ours["parsed"] is False
    assert ours["text"] is True
    assert ours["claude"] == plain["claude"]
    assert ours["messages"] == plain["messages"]
    assert isinstance(ours["claude"], int) and ours["claude"] > 5


def _write_module(root: Path, name: str) -> None:
    (root / f"{name}.py").write_text(
        "import json\njson_data = json.loads('{\"a\": [1, 2]}')\n"
        "claude_json_str = json.dumps(json_data)\nother = 1\n"
    )


def test_the_hook_runs_after_the_module_and_leaves_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_module(tmp_path, "trim_probe_a")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(litellm_trim, "TOKENIZER_MODULE", "trim_probe_a")
    with litellm_trim.dropping_unread_globals():
        import trim_probe_a  # type: ignore[import-not-found]
    assert not hasattr(trim_probe_a, "json_data")
    assert trim_probe_a.claude_json_str == '{"a": [1, 2]}'
    assert trim_probe_a.other == 1
    assert not any(isinstance(f, litellm_trim._AfterExec) for f in sys.meta_path)
    sys.modules.pop("trim_probe_a", None)


def test_the_hook_composes_with_the_input_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK preload imports litellm in a background thread, behind the input gate's finder."""
    import threading

    _write_module(tmp_path, "trim_probe_b")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(litellm_trim, "TOKENIZER_MODULE", "trim_probe_b")
    gate = InputGate()
    install_gate(gate)
    result: dict[str, object] = {}

    def run() -> None:
        with litellm_trim.dropping_unread_globals():
            import trim_probe_b  # type: ignore[import-not-found]
        result["module"] = trim_probe_b

    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join(10)
    finally:
        uninstall_gate()
        sys.modules.pop("trim_probe_b", None)
    module = result["module"]
    assert not hasattr(module, "json_data")
    assert module.claude_json_str == '{"a": [1, 2]}'  # type: ignore[attr-defined]


def test_nothing_is_dropped_without_the_text_form() -> None:
    import types

    module = types.ModuleType("m")
    module.json_data = {"a": 1}  # type: ignore[attr-defined]
    assert litellm_trim.drop_parsed_tokenizer(module) is False
    assert module.json_data == {"a": 1}  # type: ignore[attr-defined]

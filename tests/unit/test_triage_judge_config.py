"""`[triage] judge` in the configuration and `duo-tui triage A B --judge MODEL`:
off by default, a model string or a role, and a model nobody can call is a clear
error (exit 2) before any review is read or any call is made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.config import Config, load_config
from duo_tui.errors import ConfigError


def _reviews(tmp_path: Path) -> tuple[str, str]:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(
        json.dumps(
            {"reviewer": "a", "findings": [{"id": "F1", "severity": "high", "title": "race"}]}
        )
    )
    b.write_text(json.dumps({"reviewer": "b", "findings": []}))
    return str(a), str(b)


def test_the_judge_is_off_by_default_and_takes_a_model_or_a_role(tmp_path: Path) -> None:
    cfg = Config()
    assert cfg.triage.judge is None
    assert cfg.triage.judge_model(cfg.roles.planner, cfg.roles.executor) is None
    path = tmp_path / "c.toml"
    path.write_text('[triage]\njudge = "anthropic/claude-haiku-4-5"\n')
    loaded = load_config(None, path)
    assert loaded.triage.judge_model("p/x", "e/y") == "anthropic/claude-haiku-4-5"
    path.write_text('[roles]\nexecutor = "openai/gpt-5-mini"\n[triage]\njudge = "executor"\n')
    loaded = load_config(None, path)
    assert (
        loaded.triage.judge_model(loaded.roles.planner, loaded.roles.executor)
        == "openai/gpt-5-mini"
    )


def test_a_judge_that_is_no_model_string_names_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[triage]\njudge = "haiku"\n')
    with pytest.raises(ConfigError) as err:
        load_config(None, path)
    assert "c.toml" in str(err.value) and "judge" in str(err.value)
    assert "neither 'provider/model' nor a role" in str(err.value)


@pytest.mark.parametrize(
    ("model", "said"),
    [
        ("haiku", "not a valid model string"),
        ("nosuchprovider/some-model", "unknown provider 'nosuchprovider'"),
        ("anthropic/claude-haiku-4-5", "no API key: set ANTHROPIC_API_KEY"),
    ],
)
def test_cli_judge_that_cannot_be_called_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    model: str,
    said: str,
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    a, b = _reviews(tmp_path)
    assert main(["triage", a, b, "--json", "--judge", model, "--repo", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert said in captured.err and captured.out == ""
    assert "Traceback" not in captured.err


def test_a_session_refuses_a_judge_it_cannot_call_before_it_starts(
    demo_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[roles]\nplanner = "ollama/llama3"\nexecutor = "ollama/llama3"\n'
        '[triage]\njudge = "anthropic/claude-haiku-4-5"\n'
    )
    assert main(["run", "t", "--repo", str(demo_repo), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "anthropic/claude-haiku-4-5: no API key: set ANTHROPIC_API_KEY" in err


def test_doctor_checks_the_judge_as_a_role() -> None:
    from duo_tui.doctor import _roles

    cfg = Config.model_validate({"triage": {"judge": "openai/gpt-5-mini"}})
    assert _roles(cfg)["openai/gpt-5-mini"] == ["triage judge"]
    same = Config.model_validate({"triage": {"judge": "planner"}})
    assert _roles(same)[same.roles.planner] == ["planner", "reviewer A", "triage judge"]

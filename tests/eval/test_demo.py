"""`duo-tui eval --demo`: an offline, deterministic, realistic report in seconds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from duo_tui.cli import main


def _demo(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[dict, str]:
    out = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.json"
    assert main(["eval", "--demo", "--json", str(out), *extra]) == 0
    return json.loads(out.read_text()), capsys.readouterr().out


def test_demo_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, text = _demo(tmp_path, capsys)
    assert data["format"] == "duo eval v1" and data["partial"] is False
    assert data["cases"] == 14 and data["issues"] == 13
    configs = {c["name"]: c for c in data["configs"]}
    assert len(configs) == 6  # three reviewers alone, three pairs
    singles = [c for c in configs.values() if len(c["models"]) == 1]
    pairs = [c for c in configs.values() if len(c["models"]) == 2]
    for p in pairs:
        a, b = (configs[m] for m in p["models"])
        # the pair finds at least what each finds alone, and costs what both cost
        assert p["found"] >= max(a["found"], b["found"])
        assert p["cost_usd"] == pytest.approx(a["cost_usd"] + b["cost_usd"], abs=1e-5)
        assert p["agreed"] + p["single"] == p["findings"]
        # the agreement signal: what both raised is more often real than what one raised
        assert p["agreed_precision"] > p["single_precision"]
    # overlapping but different: some pair finds more than either of its reviewers
    assert any(p["found"] > max(configs[m]["found"] for m in p["models"]) for p in pairs)
    assert all(0 < c["recall"] < 1 for c in singles)
    assert all(c["clean_false_alarms"] >= 0 for c in singles)
    assert sum(c["clean_false_alarms"] for c in singles) > 0  # false alarms on clean changes
    # the matches a human can check: every finding says which known issue it matched
    assert all("findings" in r for r in data["reviews"]) and len(data["reviews"]) == 42
    assert "demo/alpha + demo/beta" in text and "recall" in text
    assert "Issues only one reviewer of the pair found:" in text
    # deterministic: the same report again
    again, _ = _demo(tmp_path, capsys)
    strip = lambda d: [{k: v for k, v in c.items() if k != "review_s"} for c in d["configs"]]  # noqa: E731
    assert strip(again) == strip(data)


def test_demo_markdown_and_cost_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, md = _demo(tmp_path, capsys, "--format", "md", "--max-cost", "0.02")
    assert md.startswith("# duo-tui eval")
    assert "| configuration | cases | recall |" in md
    assert "PARTIAL: cost cap reached" in md
    assert data["partial"] is True and data["spent_usd"] <= 0.02
    assert any(r["skipped"] for r in data["reviews"])


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--demo", "--max-cost", "-1"]) == 2
    assert main(["eval", "--demo", "--models", "openai/gpt-5"]) == 2
    err = capsys.readouterr().err
    assert "--max-cost -1.0: must be" in err and "--demo plays scripted reviewers only" in err


def test_bad_output_paths_are_clear_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--demo", "--json", str(tmp_path)]) == 2
    (tmp_path / "file").write_text("x")
    assert main(["eval", "--demo", "--cache", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert "is a folder; give a file name" in err and "is not a folder" in err
    # a report that cannot be written (its folder is a file): refused before any review
    code = main(["eval", "--demo", "--json", str(tmp_path / "file" / "r.json")])
    out = capsys.readouterr()
    assert code == 2 and "is a file, not a folder" in out.err and "Traceback" not in out.err
    assert out.out == ""

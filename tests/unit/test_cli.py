"""The command line contract of DESIGN.md: commands, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from duo_tui.cli import main

DEV = Path(__file__).resolve().parents[3] / "shared" / "triage-dev" / "case-01.json"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "duo_tui", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_headless_demo_run_converges_and_writes_the_report(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    proc = _run(
        "run",
        "add discount codes",
        "--demo",
        "--repo",
        str(tmp_path / "demo"),
        "--json",
        str(report_path),
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(report_path.read_text())
    for key in (
        "session",
        "converged",
        "committed",
        "branch",
        "commit",
        "rounds",
        "stop_reason",
        "cost_usd",
        "findings",
        "errors",
    ):
        assert key in report
    assert report["converged"] and report["committed"]
    assert report["branch"].startswith("duo/")
    assert report["rounds"] == 2
    assert set(report["findings"]) == {"critical", "high", "medium", "low", "info"}
    assert "▶ review" in proc.stderr and "session converged" in proc.stderr
    # sessions lists it; export renders it
    listing = _run("sessions", "--repo", str(tmp_path / "demo"))
    assert report["session"] in listing.stdout and "converged" in listing.stdout
    md = _run("export", "--repo", str(tmp_path / "demo"), "--format", "md")
    assert md.returncode == 0 and "discount" in md.stdout.lower()


def test_run_without_task_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    assert "needs a TASK" in capsys.readouterr().err


def test_demo_repo_must_be_new_or_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").write_text("occupied")
    assert main(["run", "t", "--demo", "--repo", str(tmp_path)]) == 2
    assert "new or empty directory" in capsys.readouterr().err


def test_bad_config_names_the_key(
    demo_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[loop]\nmax_rounds = 0\ntypo = 1\n")
    assert main(["run", "t", "--repo", str(demo_repo), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "loop.max_rounds" in err and "loop.typo" in err and "unknown key" in err


def test_malformed_model_string_and_missing_key(
    demo_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[roles]\nplanner = "claude"\n')
    assert main(["run", "t", "--repo", str(demo_repo), "--config", str(cfg)]) == 2
    assert "provider/model" in capsys.readouterr().err
    cfg.write_text('[roles]\nplanner = "anthropic/claude-opus-4-7"\nexecutor = "openai/gpt-5.5"\n')
    assert main(["run", "t", "--repo", str(demo_repo), "--config", str(cfg)]) == 2
    assert "ANTHROPIC_API_KEY" in capsys.readouterr().err


def test_not_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "t", "--repo", str(tmp_path)]) == 2
    assert "not inside a git repository" in capsys.readouterr().err


@pytest.mark.skipif(not DEV.exists(), reason="the shared triage-dev set is not beside the checkout")
def test_triage_json_contract(tmp_path: Path) -> None:
    case = json.loads(DEV.read_text())
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(case["a"]))
    b.write_text(json.dumps(case["b"]))
    proc = _run("triage", str(a), str(b), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"pairs", "only_a", "only_b"}
    ids_a = [p["a"] for p in out["pairs"]] + out["only_a"]
    assert sorted(ids_a) == sorted(f["id"] for f in case["a"]["findings"])


def test_triage_bad_input_names_file_and_field(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(
        '{"reviewer": "x", "findings": [{"id": "F1", "severity": "urgent", "title": "t"}]}'
    )
    b.write_text("not json")
    proc = _run("triage", str(a), str(b), "--json")
    assert proc.returncode == 2
    assert "a.json" in proc.stderr and "severity" in proc.stderr


def test_serve_binds_localhost_and_warns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, object] = {}

    class FakeServer:
        def __init__(self, command: str, host: str, port: int, title: str) -> None:
            seen.update(command=command, host=host, port=port)

        def serve(self) -> None:
            seen["served"] = True

    import textual_serve.server

    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    assert main(["serve", "--demo", "--port", "8123"]) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123 and seen["served"]
    assert "--demo" in str(seen["command"])
    assert "whoever can reach this port" in capsys.readouterr().err


def test_version() -> None:
    proc = _run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("duo-tui ")


def test_large_demo_becomes_one_reviewed_commit_per_task(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    report_path = tmp_path / "r.json"
    proc = _run(
        "run",
        "add discount codes and printable receipts",
        "--demo",
        "--repo",
        str(repo),
        "--json",
        str(report_path),
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(report_path.read_text())
    assert report["size"] == "L"
    assert [t["state"] for t in report["tasks"]] == ["committed"] * 3
    log = subprocess.run(
        ["git", "log", "--format=%s", report["branch"]],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert log[:3] == [
        "feat(receipt): render a printable receipt",
        "feat(cart): apply one discount code",
        "feat(discounts): add the discount code table",
    ]
    steps = {s for h in report["trace"]["hunks"] for s in h["steps"]}
    assert steps == {"S1", "S2", "S3", "S4"}
    assert (
        report["trace"]["scope_creep_hunks"] == [] and report["trace"]["unimplemented_steps"] == []
    )

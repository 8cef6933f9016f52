"""The command line a newcomer reads (issue 19, item 15): every command's help has a
one-line description and examples, offers only the options that do something, an
unknown theme is refused with the list of themes, `sessions` lines up, and
`triage --example` prints a review document the schema accepts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.cli_parser import build_parser
from duo_tui.core.reviews import load_review_file, schema_errors

COMMANDS = ["run", "triage", "sessions", "resume", "export", "doctor", "serve"]


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_and_examples(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    text = _help(capsys, command)
    usage, description = text.split("\n\n")[:2]
    assert usage.startswith(f"usage: duo-tui {command}")
    assert description.strip() and not description.startswith(("positional", "options"))
    examples = text.split("examples:\n", 1)[1]
    lines = [line for line in examples.splitlines() if line.strip()]
    assert len(lines) >= 2
    for line in lines:
        # each example is a command and what it does
        assert line.lstrip().startswith(f"duo-tui {command}"), line
        parts = re.split(r"\s{2,}", line.strip())
        assert len(parts) == 2 and parts[1], f"example without an explanation: {line!r}"


def test_the_main_help_lists_every_command_with_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys)
    for command in COMMANDS:
        assert f"    {command} " in text
    assert "duo-tui --demo " in text.split("examples:", 1)[1]


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("triage", "duo-tui triage a.json b.json"),
        ("triage", "duo-tui triage --example"),
        ("resume", "duo-tui resume 2026-11-21-add-rate-limit"),
        ("export", "duo-tui export 2026-11-21-add-rate-limit"),
        ("run", "--mode fast"),
        ("run", "duo-tui run --resume 2026-11-21-add-rate-limit"),
        ("serve", "duo-tui serve --port 8765"),
    ],
)
def test_the_examples_the_issue_asked_for(
    capsys: pytest.CaptureFixture[str], command: str, shown: str
) -> None:
    assert shown in _help(capsys, command).split("examples:", 1)[1]


@pytest.mark.parametrize(
    ("command", "offered"),
    [
        ("run", {"--demo", "--repo", "--config"}),
        ("triage", {"--theme", "--repo", "--config"}),
        ("sessions", {"--demo", "--repo"}),
        ("resume", {"--theme", "--repo", "--config"}),
        ("export", {"--repo"}),
        ("doctor", {"--repo", "--config"}),
        ("serve", {"--demo", "--theme", "--repo", "--config"}),
    ],
)
def test_demo_and_theme_are_offered_only_where_they_do_something(
    capsys: pytest.CaptureFixture[str], command: str, offered: set[str]
) -> None:
    text = _help(capsys, command)
    for option in ("--demo", "--theme", "--repo", "--config"):
        assert (f"  {option}" in text) == (option in offered), (command, option)
    if "--demo" not in offered:
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args([command, "--demo"])
        assert done.value.code == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["--theme", "nope"],
        ["resume", "--theme", "nope"],
        ["--theme", "nope", "--demo"],
    ],
)
def test_an_unknown_theme_is_refused_with_the_list_of_themes(
    argv: list[str], tmp_path: Path
) -> None:
    # before anything else happens: no repository is looked at, no screen opens
    # (a child process, so that a screen opened by mistake cannot hang the test run)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "duo_tui", *argv, "--repo", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("duo-tui --theme nope did not exit")
    assert proc.returncode == 2
    err = proc.stderr
    assert "unknown theme 'nope'" in err
    for name in ("duo-dark", "duo-light", "duo-high-contrast", "nord"):
        assert name in err


def test_an_unknown_theme_for_triage_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    example = tmp_path / "a.json"
    assert main(["triage", "--example"]) == 0
    example.write_text(capsys.readouterr().out)
    assert main(["triage", str(example), str(example), "--theme", "nope"]) == 2
    assert "duo-high-contrast" in capsys.readouterr().err


def test_triage_example_is_a_valid_review_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["triage", "--example"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert schema_errors(data) == []
    assert len(data["findings"]) >= 2
    assert any(f.get("file") is None for f in data["findings"]), "shows a whole-change finding"
    path = tmp_path / "a.json"
    path.write_text(out)
    review = load_review_file(path)  # the strict loader `duo-tui triage` uses
    assert review.findings[0].id == "F1"
    # and triage reads it: a review against itself agrees on every finding
    assert main(["triage", str(path), str(path), "--json"]) == 0
    match = json.loads(capsys.readouterr().out)
    assert len(match["pairs"]) == len(data["findings"])
    assert match["only_a"] == match["only_b"] == []


def test_triage_without_documents_says_what_it_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage"]) == 2
    err = capsys.readouterr().err
    assert "triage A.json B.json" in err and "--example" in err


def test_sessions_columns_line_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from duo_tui.core.session import Session
    from duo_tui.store.session_store import SessionStore

    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    ids = [
        "2026-12-06-add-percentage-discount-codes-to-the-cart-page",  # longer than 44
        "2026-12-06-x",
    ]
    for sid in ids:
        SessionStore.create(repo, Session(id=sid, slug=sid[11:], request="r"))
    assert main(["sessions", "--repo", str(repo)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    header = lines[0]
    for column in ("STATE", "AGE"):
        start = header.index(column)
        for line in lines[1:]:
            # every row's cell starts where its heading does, after a space
            assert line[start - 1] == " " and line[start] != " ", (column, lines)
    ends = {line.index("$") + len("$0.00") if "$" in line else None for line in lines[1:]}
    assert len(ends) == 1  # the cost is right-aligned

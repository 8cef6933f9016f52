"""Issue 19 item 16: the triage screen's exports go next to the session (not into the
directory the program started in) and say where; a standalone triage keeps the
human's decisions with --out FILE instead of losing them on exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.triage import TriageScreen

from ._helpers import at_checkpoint, press_decision, wait_for
from .test_only_marks import _reviews


async def test_exports_in_a_session_go_next_to_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        while wb.checkpoint is not None and wb.checkpoint.stage != Stage.TRIAGE:
            await press_decision(pilot, wb, "a")
            await wait_for(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        await pilot.press("m", "S")
        exports = Path(wb.repo_path) / ".duo" / "sessions" / wb.session_id / "exports"
        md, sarif = exports / "triage-T1-r1.md", exports / "triage-T1-r1.sarif"
        await wait_for(pilot, lambda: md.exists() and sarif.exists())
        assert "| " in md.read_text(encoding="utf-8")
        assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
        assert list(elsewhere.iterdir()) == []
        # the toast names the full path (the export is written by a worker thread)
        await wait_for(
            pilot, lambda: any(str(md.resolve()) in str(n.message) for n in app._notifications)
        )


async def test_standalone_triage_saves_decisions_with_out(tmp_path: Path) -> None:
    out = tmp_path / "notes" / "decisions.json"
    app = DuoApp(triage=_reviews(), triage_out=out)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        table.move_cursor(row=0)
        await pilot.press("d")
        await pilot.press("m")
        await wait_for(pilot, lambda: (out.parent / "triage.md").exists())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.is_running)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["reviewers"] == {"a": "model-a", "b": "model-b"}
    first = doc["decisions"][0]
    assert first["decision"] == "dismiss" and {first["a"], first["b"]} & {"F1"}
    assert str(out.resolve()) in app.exit_message


async def test_standalone_triage_without_out_says_the_decisions_were_not_kept(
    tmp_path: Path,
) -> None:
    app = DuoApp(triage=_reviews())
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        await pilot.press("f")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.is_running)
    assert "not saved" in app.exit_message and "--out FILE" in app.exit_message


def test_triage_out_that_is_a_directory_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from duo_tui.cli import main

    a, b = _reviews()
    (tmp_path / "a.json").write_text(a.model_dump_json(), encoding="utf-8")
    (tmp_path / "b.json").write_text(b.model_dump_json(), encoding="utf-8")
    code = main(
        ["triage", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--out", str(tmp_path)]
    )
    assert code == 2
    assert "is a directory" in capsys.readouterr().err


async def test_an_export_matches_the_reviews_off_the_ui_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from duo_tui.store import triage_files

    threads: list[threading.Thread] = []
    match = triage_files.match_reviews

    def recording(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return match(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(triage_files, "match_reviews", recording)
    out = tmp_path / "decisions.json"
    app = DuoApp(triage=_reviews(), triage_out=out)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        await pilot.press("m")
        md = tmp_path / "triage.md"
        await wait_for(pilot, lambda: md.exists())
        await wait_for(pilot, lambda: any("wrote" in str(n.message) for n in app._notifications))
    assert threads and all(t is not threading.main_thread() for t in threads)

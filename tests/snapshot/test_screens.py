"""SVG snapshots of the key screens at 80×24, 160×48 and 200×50."""

from __future__ import annotations

from pathlib import Path

import pytest

from duo_tui.core.events import Event

from .replay import record_demo, replay_app, replayed, until


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> list[Event]:
    import os

    home = tmp_path_factory.mktemp("snaphome")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = duo test\n\temail = t@duo-tui.invalid\n")
    os.environ["GIT_CONFIG_GLOBAL"] = str(gitconfig)
    return record_demo(tmp_path_factory.mktemp("snap") / "demo")


SIZES = [(80, 24), (160, 48), (200, 50)]


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """A replay app's events all handled, then the screen laid out and its animations done."""
    if hasattr(pilot.app, "replayed"):
        await replayed(pilot)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", SIZES)
def test_workbench_at_triage(snap_compare, events: list[Event], size: tuple[int, int]) -> None:
    app = replay_app(until(events, "triage"))
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_diff_with_hunk_decisions(snap_compare, events: list[Event], size: tuple[int, int]) -> None:
    app = replay_app(until(events, "execute"))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("d")  # show the diff
        await pilot.press("j", "space")  # reject the second hunk
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_triage_screen(snap_compare, events: list[Event], size: tuple[int, int]) -> None:
    app = replay_app(until(events, "triage"))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("t")
        await _settle(pilot)
        await pilot.press("f")  # mark the first finding fix
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, events: list[Event], size: tuple[int, int]) -> None:
    app = replay_app(until(events, "plan"))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_replay_is_deterministic(events: list[Event]) -> None:
    a = until(events, "triage")
    assert any(type(e).__name__ == "AwaitingDecision" for e in a)
    assert all(getattr(e, "latency_s", 2.4) == 2.4 for e in a)
    assert Path  # keep the import honest for type checkers


@pytest.mark.parametrize("size", SIZES)
def test_new_session_screen(snap_compare, size: tuple[int, int]) -> None:
    from duo_tui.ui.app import DuoApp

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press(*"Add rate limiting to the webhook endpoint")
        await _settle(pilot)

    assert snap_compare(DuoApp(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_reject_dialog(snap_compare, events: list[Event], size: tuple[int, int]) -> None:
    app = replay_app(until(events, "plan"))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("x")
        await pilot.press(*"name the rounding rule")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_task_list(snap_compare, events: list[Event], size: tuple[int, int]) -> None:
    from duo_tui.core.events import AwaitingDecision

    # the task checkpoint is the second "plan" checkpoint (after align)
    upto = until(events, "plan", nth=2)
    assert isinstance(upto[-1], AwaitingDecision)
    app = replay_app(upto)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("T")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_history_screen_empty_repo(
    snap_compare, tmp_path_factory: pytest.TempPathFactory, size: tuple[int, int]
) -> None:
    import subprocess

    repo = tmp_path_factory.mktemp("hist")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    app = replay_app([], repo=repo)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("h")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)

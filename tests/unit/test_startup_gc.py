"""The collector is held from CLI start until the first frame, then released by the app."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.ui import hold_gc_until_first_frame, release_gc
from tests.pilot._helpers import wait_for


@pytest.fixture(autouse=True)
def collector_back_on() -> Iterator[None]:
    was = gc.isenabled()
    yield
    release_gc()
    if was:
        gc.enable()


def test_hold_disables_and_release_restores() -> None:
    gc.enable()
    hold_gc_until_first_frame()
    assert not gc.isenabled()
    release_gc()
    assert gc.isenabled()
    release_gc()  # twice is harmless
    assert gc.isenabled()


def test_release_leaves_a_collector_someone_else_disabled_alone() -> None:
    gc.disable()
    hold_gc_until_first_frame()  # already off: not ours to turn back on
    release_gc()
    assert not gc.isenabled()


async def test_the_app_releases_the_collector_after_its_first_frame(tmp_path: Path) -> None:
    from duo_tui.ui.app import DuoApp

    gc.enable()
    hold_gc_until_first_frame()
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, gc.isenabled, what="the collector to be released")


async def test_an_app_closed_before_its_first_frame_releases_it_too(tmp_path: Path) -> None:
    from duo_tui.ui.app import DuoApp

    gc.enable()
    hold_gc_until_first_frame()
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    app._apply_ui_config = lambda: None  # type: ignore[method-assign]  # never reached
    async with app.run_test(size=(120, 40)):
        assert not gc.isenabled()
    assert gc.isenabled()  # on_unmount

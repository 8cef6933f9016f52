"""The task screens are given what they show and post what is decided (attributes down,
messages up): they run without a workbench, opened by any screen that answers them."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Static

from duo_tui.core.artifacts import TaskRow
from duo_tui.ui.screens.task_detail import TaskDetailScreen
from duo_tui.ui.screens.tasks import TasksScreen
from duo_tui.ui.task_state import OpenTask, SendDecision, TaskListState

from ._helpers import wait_for

T1 = TaskRow("T1", "Add the discount model", files=("shop/discount.py",))
T2 = TaskRow("T2", "Apply codes at checkout", files=("shop/cart.py",))
AT_TASKS = frozenset({"accept", "task_ops", "task_edit", "size"})


class Opener(Screen[None]):
    """Stands in for the workbench: keeps what the task screens post."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list[Any] = []

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("opener")

    def on_send_decision(self, message: SendDecision) -> None:
        self.got.append(message.decision)

    def on_open_task(self, message: OpenTask) -> None:
        self.got.append(message.task_id)


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.opener = Opener()
        self.closed: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.opener)


def _ids(screen: Screen[Any]) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_the_task_list_shows_its_state_and_posts_its_decisions() -> None:
    app = Host()
    async with app.run_test(size=(140, 40)) as pilot:
        state = TaskListState(tasks=(T1, T2), offered=AT_TASKS, at_checkpoint=True, size="M")
        screen = TasksScreen(state, app.opener)
        app.push_screen(screen, app.closed.append)
        await wait_for(pilot, lambda: screen.is_mounted and _ids(screen) == ["T1", "T2"])
        await pilot.press("down", "s")
        await wait_for(pilot, lambda: len(app.opener.got) == 1)
        decision = app.opener.got[0]
        assert decision.action == "accept" and decision.task_ops == {"T2": "skip"}
        # the core's new list comes down as a new state: shown at once, no polling
        skipped = TaskRow("T2", T2.title, files=T2.files, state="skipped")
        screen.state = TaskListState(tasks=(T1, skipped), offered=AT_TASKS, at_checkpoint=True)
        await wait_for(pilot, lambda: "skipped" in str(screen.query_one(DataTable).get_row_at(1)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.opener.got[-1] == "T2")
        # a accepts: the list closes with "accept" and the opener decides
        await pilot.press("a")
        await wait_for(pilot, lambda: app.closed == ["accept"])


async def test_outside_the_task_list_checkpoint_nothing_is_sent() -> None:
    app = Host()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = TasksScreen(TaskListState(tasks=(T1, T2)), app.opener)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.is_mounted and _ids(screen) == ["T1", "T2"])
        await pilot.press("s", "S")
        await pilot.pause()
        assert app.opener.got == []


async def test_the_task_detail_follows_its_state() -> None:
    app = Host()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = TaskDetailScreen(TaskListState(tasks=(T1, T2)), "T2", app.opener)
        app.push_screen(screen)
        head = lambda: str(screen.query_one("#task-head", Static).content)  # noqa: E731
        await wait_for(pilot, lambda: screen.is_mounted and "Apply codes at checkout" in head())
        renamed = TaskRow("T2", "Apply one code, once", files=T2.files)
        screen.state = TaskListState(tasks=(T1, renamed))
        await wait_for(pilot, lambda: "Apply one code, once" in head())
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: "Add the discount model" in head())

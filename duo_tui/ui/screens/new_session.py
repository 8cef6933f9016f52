"""Ask for the requirement (and the mode) when `duo-tui` starts without one."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, RadioButton, RadioSet, Static, TextArea


class NewSessionScreen(Screen[object]):
    DEFAULT_CSS = """
    NewSessionScreen { align: center middle; }
    #new { width: 90%; max-width: 110; height: auto; border: round $primary; padding: 1 2; background: $surface; }
    #new TextArea { height: 8; width: 1fr; }
    #new .title { text-style: bold; color: $primary; }
    #new .hint { color: $text-muted; }
    #new RadioSet { width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start", id="new.start", priority=True),
        Binding("escape", "cancel", "Quit", id="new.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="new"):
            yield Label("What should be built?", classes="title")
            yield Static(
                "One requirement per session. The planner plans, the executor codes, both review.",
                classes="hint",
            )
            yield TextArea(id="request")
            with RadioSet(id="mode"):
                yield RadioButton("manual — a checkpoint at every stage", value=True, id="manual")
                yield RadioButton("auto — autopilot decides by the convergence rule", id="auto")
                yield RadioButton("fast — no plan alignment, for small changes", id="fast")
            yield Static("ctrl+s start · escape quit", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_start(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("describe the requirement first", severity="warning")
            return
        pressed = self.query_one(RadioSet).pressed_button
        self.dismiss((text, pressed.id if pressed and pressed.id else "manual"))

    def action_cancel(self) -> None:
        self.dismiss(None)

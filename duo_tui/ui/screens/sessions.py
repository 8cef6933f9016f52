"""History: the sessions of this repository; enter copies the command that reopens one.

The short columns (state, rounds, cost, age) come first, then the long session id, whole
at 80 columns (the dialog takes the width, columns are one space apart); the request,
last, shows as far as it fits. Under the table, the highlighted session's resume
command is spelled out in full, as enter copies it.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label

from duo_tui.safe_text import clean_line


class SessionsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    SessionsScreen { align: center middle; background: $background 60%; }
    #sessions { width: 100%; max-width: 160; height: 80%; border: round $primary; background: $surface; }
    #sessions Label { text-style: bold; color: $primary; padding: 0 1; }
    #sessions DataTable { height: 1fr; scrollbar-size-vertical: 1; }
    #sessions #sessions-command { text-style: none; color: $text-muted; width: 100%; }
    """
    COLUMNS: ClassVar[tuple[str, ...]] = ("state", "rounds", "cost", "age", "id", "request")
    """Each column and cell starts with one space (the table's own padding is off): a
    49-character id still fits an 80-column terminal beside the four short columns."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_screen", "Close", id="sessions.close"),
    ]

    def __init__(self, repo: Path | None) -> None:
        super().__init__()
        self.repo = repo

    def compose(self) -> ComposeResult:
        with Vertical(id="sessions"):
            yield Label("Sessions (enter copies the `duo-tui resume ID` command that reopens one)")
            yield DataTable(cursor_type="row", zebra_stripes=True, cell_padding=0)
            yield Label("", id="sessions-command")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(f" {name}" for name in self.COLUMNS))
        self.load()

    def load(self) -> None:
        from duo_tui.service import find_repo
        from duo_tui.store.session_store import SessionStore

        table = self.query_one(DataTable)
        repo = self._repo()
        if repo is None:
            return
        try:
            rows = SessionStore.list_sessions(find_repo(repo))
        except Exception as exc:  # report, never crash the app
            self.notify(f"cannot list sessions: {clean_line(str(exc))}", severity="error")
            return
        for r in rows:
            cost = f"${r.cost_usd:.2f}" if getattr(r, "cost_usd", None) is not None else "?"
            cells = (  # session files are repository text: plain, controls visible
                str(r.status) if r.ok else "broken",
                str(r.rounds),
                cost,
                r.age(),
                r.id,
                (r.request or "")[:60],
            )
            table.add_row(*(Text(" " + clean_line(c)) for c in cells), key=r.id)
        if not rows:
            self.notify("no sessions in this repository yet", timeout=4)

    def _repo(self) -> Path | None:
        return self.repo or Path.cwd()

    def resume_command(self, sid: str) -> str:
        """`duo-tui resume ID`, with `--repo` when the repository is not the current folder
        (a demo's throw-away copy), so the copied command works from anywhere."""
        repo = self._repo()
        here = repo is None or repo.resolve() == Path.cwd().resolve()
        return shlex.join(["duo-tui", "resume", sid, *([] if here else ["--repo", str(repo)])])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Spell out the highlighted session's command in full, whatever the table crops."""
        command = self.resume_command(str(event.row_key.value))
        self.query_one("#sessions-command", Label).update(Text(f"enter copies: {command}"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        command = self.resume_command(str(event.row_key.value))
        self.app.copy_to_clipboard(command)
        self.notify(f"to reopen it: {clean_line(command)} (copied)", timeout=6)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

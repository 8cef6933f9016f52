"""History: the sessions of this repository; enter copies the command that reopens one.

The short columns (state, rounds, cost, age) come first so that an 80-column terminal
shows them beside the long session id; the request, last, shows as far as it fits.
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
    #sessions { width: 95%; height: 80%; border: round $primary; background: $surface; padding: 0 1; }
    #sessions Label { text-style: bold; color: $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_screen", "Close", id="sessions.close"),
    ]

    def __init__(self, repo: Path | None) -> None:
        super().__init__()
        self.repo = repo

    def compose(self) -> ComposeResult:
        with Vertical(id="sessions"):
            yield Label("Sessions (enter copies the `duo-tui resume ID` command that reopens one)")
            yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("state", "rounds", "cost", "age", "id", "request")
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
            table.add_row(  # session files are repository text: plain, controls visible
                Text(clean_line(str(r.status))) if r.ok else "broken",
                str(r.rounds),
                cost,
                r.age(),
                Text(clean_line(r.id)),
                Text(clean_line((r.request or "")[:60])),
                key=r.id,
            )
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

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        command = self.resume_command(str(event.row_key.value))
        self.app.copy_to_clipboard(command)
        self.notify(f"to reopen it: {clean_line(command)} (copied)", timeout=6)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

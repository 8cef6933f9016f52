"""Small modal dialogs: a reason, a model, a reviewer, an edited artifact, alternatives, a
confirm, a task's fields.

Titles are plain text and everything shown from a model (an artifact, a rule, an
alternative) has its control characters made visible (`duo_tui.safe_text`) and, where
it is only shown, is cut (`ui/visible.py`: a title to 500 characters, a body or an
alternative to 10,000). What an editor opens is never cut: it is saved back.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from duo_tui.core.artifacts import TaskRow
from duo_tui.safe_text import clean, clean_line
from duo_tui.ui.visible import shown, shown_line


class _Dialog(ModalScreen[object]):
    DEFAULT_CSS = """
    _Dialog, ReasonDialog, ModelPicker, ReviewerPicker, EditDialog, ChooseDialog, ConfirmDialog {
        align: center middle;
        background: $background 60%;
    }
    .dialog {
        width: 80%;
        max-width: 110;
        height: auto;
        max-height: 90%;
        border: round $primary;
        background: $surface;
        padding: 1 2;
    }
    .dialog .title { text-style: bold; color: $primary; margin-bottom: 1; width: 100%; }
    .dialog .hint { color: $text-muted; margin-top: 1; }
    .dialog Horizontal { height: auto; }
    .dialog Button { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonDialog(_Dialog):
    """Ask why (reject, accept-risk): the reason goes into the rerun prompt or the log."""

    def __init__(self, title: str, placeholder: str = "why?", required: bool = True) -> None:
        super().__init__()
        self._title = title
        self._placeholder = placeholder
        self._required = required

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(shown_line(self._title), classes="title", markup=False)
            yield Input(placeholder=self._placeholder, id="reason")
            yield Static("enter to confirm · escape to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self._required and not text:
            self.notify("a reason is required", severity="warning")
            return
        self.dismiss(text)


class _Picker(_Dialog):
    """A title over a list of options, the first one highlighted; enter picks one."""

    HINT = ""
    LIST_ID = ""

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def _options(self) -> list[Option]:
        raise NotImplementedError

    def _result(self, option_id: str | None) -> object:
        """What the dialog returns for the option picked."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(shown_line(self._title), classes="title", markup=False)
            yield OptionList(*self._options(), id=self.LIST_ID)
            yield Static(self.HINT, classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._result(event.option.id))


class ModelPicker(_Picker):
    """Pick the model for a rerun: the same one or another configured one."""

    HINT = "enter to rerun · escape to cancel"
    LIST_ID = "models"

    def __init__(self, title: str, models: list[str], current: str | None) -> None:
        super().__init__(title)
        self._models = models
        self._current = current

    def _options(self) -> list[Option]:
        options = [Option(f"same model ({self._current or 'as configured'})", id="__same__")]
        options += [Option(m, id=m) for m in self._models if m != self._current]
        return options

    def _result(self, option_id: str | None) -> object:
        return "" if option_id == "__same__" else option_id


class ReviewerPicker(_Picker):
    """Which review to rerun: every reviewer, or one (its review alone is redone)."""

    HINT = "enter to choose · escape to cancel"
    LIST_ID = "reviewers"

    def __init__(self, title: str, reviewers: list[tuple[int, str, str]]) -> None:
        super().__init__(title)
        self._reviewers = reviewers  # (index, name, model)

    def _options(self) -> list[Option]:
        both = " · ".join(f"{n} {shown_line(m)}" for _, n, m in self._reviewers)
        options = [Option(Content(f"all reviewers ({both})"), id="__all__")]
        options += [
            Option(Content(f"only {n} · {shown_line(m)} (the other review is kept)"), id=str(i))
            for i, n, m in self._reviewers
        ]
        return options

    def _result(self, option_id: str | None) -> object:
        return -1 if option_id == "__all__" else int(option_id or 0)


class EditDialog(_Dialog):
    """Edit an artifact (plan, edits, commit message) in place; ctrl+s saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="edit.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
    ]

    DEFAULT_CSS = """
    EditDialog .dialog { height: 90%; max-width: 140; }
    EditDialog TextArea { height: 1fr; }
    """

    def __init__(self, title: str, text: str, language: str | None = None) -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._language = language

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(shown_line(self._title), classes="title", markup=False)
            yield TextArea(
                clean(self._text), id="editor", language=self._language, show_line_numbers=True
            )
            yield Static("ctrl+s save · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)


class ChooseDialog(_Dialog):
    """After a rerun: the results side by side; pick one."""

    DEFAULT_CSS = """
    ChooseDialog .dialog { height: 90%; width: 95%; max-width: 200; }
    ChooseDialog #sides { height: 1fr; }
    ChooseDialog .side { width: 1fr; height: 1fr; border: round $panel-lighten-2; margin-right: 1; }
    ChooseDialog .side:focus-within { border: round $accent; }
    ChooseDialog TextArea { height: 1fr; }
    ChooseDialog .side-label { color: $text-muted; padding: 0 1; }
    ChooseDialog #use Button { width: 1fr; margin-right: 1; }
    """

    def __init__(self, alternatives: list[tuple[str, str]]) -> None:
        super().__init__()
        self._alts = alternatives[-2:]
        self._offset = len(alternatives) - len(self._alts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Choose a result", classes="title")
            with Horizontal(id="sides"):
                for i, (label, text) in enumerate(self._alts):
                    with Vertical(classes="side") as v:
                        v.border_title = Content(f"{i + 1}: {shown_line(label)}")
                        # the whole label, wrapped: the border title is cut when narrow
                        yield Static(Content(shown_line(label)), classes="side-label")
                        yield TextArea(clean(shown(text)), read_only=True, soft_wrap=True)
            with Horizontal(id="use"):
                for i, _alt in enumerate(self._alts):  # each under its side, short: never cut
                    yield Button(
                        f"use {i + 1}", id=f"use-{i}", variant="primary" if i else "default"
                    )
            yield Static("press 1 or 2, or a button · escape cancel", classes="hint")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("use-"):
            self.dismiss(self._offset + int(event.button.id[4:]))

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key in ("1", "2") and int(event.key) <= len(self._alts):
            event.stop()
            self.dismiss(self._offset + int(event.key) - 1)


class ConfirmDialog(_Dialog):
    """Yes/no with the consequences spelled out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "yes", "Yes", id="confirm.yes"),
        Binding("n,escape", "cancel", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(shown_line(self._title), classes="title", markup=False)
            yield Static(clean(shown(self._body)), markup=False)
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    def action_yes(self) -> None:
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TaskEditDialog(_Dialog):
    """Edit a task's title, goal, files and completion criteria; ctrl+s saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save task", id="task_edit.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="task_edit.cancel"),
    ]

    DEFAULT_CSS = """
    TaskEditDialog { align: center middle; background: $background 60%; }
    TaskEditDialog .dialog { height: auto; max-height: 95%; max-width: 120; }
    TaskEditDialog .field { color: $text-muted; margin-top: 1; }
    TaskEditDialog #goal { height: 5; }
    TaskEditDialog #criteria { height: 6; }
    """

    def __init__(self, row: TaskRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        r = self.row
        with Vertical(classes="dialog"):
            # The task's fields come from the plan (model text): controls made visible.
            yield Label(f"Edit task {shown_line(r.id)}", classes="title", markup=False)
            yield Label("title", classes="field")
            yield Input(clean_line(r.title), id="title")
            yield Label("goal", classes="field")
            yield TextArea(clean(r.goal), id="goal", soft_wrap=True)
            yield Label("files it may touch (comma-separated)", classes="field")
            yield Input(clean_line(", ".join(r.files)), id="files")
            yield Label("completion criteria (one per line)", classes="field")
            yield TextArea(clean("\n".join(r.criteria)), id="criteria", soft_wrap=True)
            yield Static("tab next field · ctrl+s save · escape cancel", classes="hint")

    def on_mount(self) -> None:
        for area in self.query(TextArea):  # editing usually adds to the end
            area.move_cursor(area.document.end)
        self.query_one("#title", Input).focus()

    def fields(self) -> dict[str, Any]:
        """The fields that differ from the task as shown."""
        r = self.row
        title = self.query_one("#title", Input).value.strip()
        goal = self.query_one("#goal", TextArea).text.strip()
        files = [f.strip() for f in self.query_one("#files", Input).value.split(",") if f.strip()]
        criteria = [
            c.strip() for c in self.query_one("#criteria", TextArea).text.splitlines() if c.strip()
        ]
        out: dict[str, Any] = {}
        if title != r.title.strip():
            out["title"] = title
        if goal != r.goal.strip():
            out["goal"] = goal
        if files != list(r.files):
            out["files"] = files
        if criteria != list(r.criteria):
            out["criteria"] = criteria
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        self.dismiss(self.fields())

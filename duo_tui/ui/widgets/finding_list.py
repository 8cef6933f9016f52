"""`FindingList`: one reviewer's findings, marked by how they matched the other review.

Each row shows a kind glyph (agreed `=`, severity conflict `≠`, only this
reviewer: `◀` for A, `▶` for B, `◆` for a third; glyph *and* colour, see
`duo_tui.ui.match_marks`), a severity badge, the title, `file:lines`
and the human's decision. Highlighting a row posts `FindingList.Selected` with
the row's key and its counterpart's key; the workbench answers by calling
`highlight_counterpart(key)` on the other reviewer's list. Enter expands the
row inline (detail and suggestion) and posts `DetailsToggled`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, Literal

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from duo_tui.safe_text import clean, clean_line
from duo_tui.ui.match_marks import (
    AGREE_GLYPH,
    ONLY_OTHER_GLYPH,
    SEVERITY_GLYPH,
    only_glyph,
    reviewer_name,
)
from duo_tui.ui.visible import TITLE_CHARS, shown

FindingKind = Literal["agree", "severity", "only"]

KIND_GLYPHS: dict[str, str] = {
    "agree": AGREE_GLYPH,
    "severity": SEVERITY_GLYPH,
    "only": ONLY_OTHER_GLYPH,
}
"""Glyph per match kind: never colour alone (`only` is per reviewer: `FindingList.only_glyph`)."""

KIND_LABELS: dict[str, str] = {
    "agree": "both reviewers agree",
    "severity": "both found it, severities differ",
    "only": "only this reviewer",
}

SEVERITY_LABELS: dict[str, str] = {
    "critical": "CRIT",
    "high": "HIGH",
    "medium": "MED ",
    "low": "LOW ",
    "info": "INFO",
}

DECISION_LABELS: dict[str, tuple[str, str]] = {
    "fix": ("● fix", "bold $primary"),
    "dismiss": ("○ dismissed", "$text-muted"),
    "accept_risk": ("△ accept-risk", "$warning"),
    "defer": ("» deferred", "$text-muted"),
}
"""Decision -> (label, style). `accept-risk` is accepted as a spelling of `accept_risk`."""

COUNTERPART_GLYPH = "⇄"


@dataclass(frozen=True)
class FindingRow:
    """One finding as the list shows it; `key` is unique across both lists."""

    key: str
    finding_id: str
    severity: str
    title: str
    file: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    kind: FindingKind = "only"
    counterpart_key: str | None = None
    decision: str | None = None
    detail: str = ""
    suggestion: str = ""

    @property
    def location(self) -> str:
        """`file:start-end`, `file:start`, `file`, or '' for the change as a whole."""
        if not self.file:
            return ""
        if self.line_start is None:
            return self.file
        if self.line_end is None or self.line_end == self.line_start:
            return f"{self.file}:{self.line_start}"
        return f"{self.file}:{self.line_start}-{self.line_end}"


def _normal_decision(decision: str | None) -> str | None:
    if decision is None:
        return None
    value = decision.strip().lower().replace("-", "_")
    return None if value in ("", "pending") else value


class FindingList(OptionList):
    """A reviewer's findings with match kind, severity, location and decision."""

    DEFAULT_CSS = """
    FindingList {
        height: 1fr;
        border: none;
        background: $surface;
        padding: 0;
        & > .option-list--option { padding: 0 1; }
        &:focus { border: none; background-tint: $foreground 3%; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="findings.down"),
        Binding("k", "cursor_up", "Up", show=False, id="findings.up"),
        Binding(
            "enter",
            "select",
            "Details",
            id="findings.details",
            tooltip="Show or hide the finding's detail and suggestion",
        ),
    ]

    @dataclass
    class Selected(Message):
        """A finding was highlighted; `counterpart_key` is its match in the other list."""

        finding_list: FindingList
        key: str
        counterpart_key: str | None

        @property
        def control(self) -> FindingList:
            return self.finding_list

    @dataclass
    class DetailsToggled(Message):
        """Enter pressed on a finding: its detail is now shown (`expanded`) or hidden."""

        finding_list: FindingList
        key: str
        expanded: bool

        @property
        def control(self) -> FindingList:
            return self.finding_list

    def __init__(
        self,
        rows: Sequence[FindingRow] = (),
        *,
        side: Literal["a", "b"] = "a",
        reviewer: int | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.side = side
        """Which reviewer this list shows; picks the colour of `only` findings."""
        self.reviewer = reviewer if reviewer is not None else (0 if side == "a" else 1)
        """The reviewer's index: picks the glyph of `only` findings (◀ A, ▶ B, ◆ more)."""
        self._rows: dict[str, FindingRow] = {}
        self._expanded: set[str] = set()
        self._counterpart: str | None = None
        self._quiet_key: str | None = None
        self.set_rows(rows)

    def on_mount(self) -> None:
        if self.highlighted is None and self._rows:
            self.highlighted = 0

    # -- public API ---------------------------------------------------------

    @property
    def rows(self) -> list[FindingRow]:
        """The rows, in display order."""
        return list(self._rows.values())

    @property
    def selected_key(self) -> str | None:
        """Key of the highlighted row."""
        if self.highlighted is None or not self._rows:
            return None
        return self.get_option_at_index(self.highlighted).id

    @property
    def counterpart_key(self) -> str | None:
        """Key of the row marked by `highlight_counterpart`."""
        return self._counterpart

    @property
    def expanded_keys(self) -> frozenset[str]:
        """Keys of the rows whose details are shown."""
        return frozenset(self._expanded)

    def set_rows(self, rows: Sequence[FindingRow]) -> None:
        """Replace every row (keeps the highlight on the same key when it still exists)."""
        previous = self.selected_key
        self._rows = {row.key: row for row in rows}
        self._expanded &= set(self._rows)
        if self._counterpart not in self._rows:
            self._counterpart = None
        self.clear_options()
        if not self._rows:
            self.add_option(
                Option(Content.styled("no findings", "$text-muted italic"), disabled=True)
            )
            return
        self.add_options(Option(self._prompt(row), id=row.key) for row in self._rows.values())
        if previous in self._rows:
            self.highlighted = self.get_option_index(previous)
        elif self.is_mounted:
            self.highlighted = 0

    def update_row(self, row: FindingRow) -> None:
        """Replace one row in place (e.g. its decision changed)."""
        if row.key not in self._rows:
            raise KeyError(row.key)
        self._rows[row.key] = row
        self._refresh_row(row.key)

    def set_decision(self, key: str, decision: str | None) -> None:
        """Show `decision` (fix / dismiss / accept-risk / defer, or None) on row `key`."""
        self.update_row(replace(self._rows[key], decision=decision))

    def select_key(self, key: str) -> None:
        """Move the highlight to row `key` (posts `Selected`)."""
        self.highlighted = self.get_option_index(key)

    def highlight_counterpart(self, key: str | None) -> None:
        """Mark row `key` as the match of the other list's selection and move to it.

        The highlight moves quietly: no `Selected` is posted for it, so the two
        lists cannot ping-pong. `None` (or an unknown key) clears the mark.
        """
        old = self._counterpart
        self._counterpart = key if key in self._rows else None
        for changed in (old, self._counterpart):
            if changed is not None:
                self._refresh_row(changed)
        if self._counterpart is not None:
            index = self.get_option_index(self._counterpart)
            if self.highlighted != index:
                self._quiet_key = self._counterpart
                self.highlighted = index

    def toggle_details(self, key: str) -> bool:
        """Show or hide the detail of row `key`; returns True when now shown."""
        if key in self._expanded:
            self._expanded.discard(key)
        else:
            self._expanded.add(key)
        self._refresh_row(key)
        return key in self._expanded

    # -- internals ----------------------------------------------------------

    def _refresh_row(self, key: str) -> None:
        self.replace_option_prompt(key, self._prompt(self._rows[key]))

    def _kind_style(self, row: FindingRow) -> str:
        if row.kind == "agree":
            return "bold $duo-agree"
        if row.kind == "severity":
            return "bold $duo-severity-conflict"
        return "bold $duo-only-a" if self.side == "a" else "bold $duo-only-b"

    def _prompt(self, row: FindingRow) -> Content:
        # Every field is review text (model output): shown with controls made visible.
        severity = clean_line(row.severity.lower())
        label = SEVERITY_LABELS.get(severity, severity[:4].upper().ljust(4))
        badge_colour = f"$duo-{severity}" if severity in SEVERITY_LABELS else "$text-muted"
        counterpart = row.key == self._counterpart
        first = Content.assemble(
            (
                only_glyph(self.reviewer) if row.kind == "only" else KIND_GLYPHS.get(row.kind, "?"),
                self._kind_style(row),
            ),
            " ",
            (f" {label} ", f"bold $background on {badge_colour}"),
            " ",
            (clean_line(shown(row.title, TITLE_CHARS)), "bold" if counterpart else ""),
        )
        second_parts: list[Content | str | tuple[str, str]] = ["  "]
        if counterpart:
            second_parts.append((f"{COUNTERPART_GLYPH} match  ", "bold $accent"))
        second_parts.append((clean_line(shown(row.finding_id, TITLE_CHARS)), "$text-muted"))
        if row.location:
            second_parts += [
                "  ",
                (clean_line(shown(row.location, TITLE_CHARS)), "$text-muted underline"),
            ]
        decision = _normal_decision(row.decision)
        if decision is not None:
            text, style = DECISION_LABELS.get(decision, (clean_line(decision), "bold"))
            second_parts += ["  ", (text, style)]
        lines = [first, Content.assemble(*second_parts)]
        if row.key in self._expanded:
            lines.append(
                Content.styled(
                    "  "
                    + (
                        f"only reviewer {reviewer_name(self.reviewer)}"
                        if row.kind == "only"
                        else KIND_LABELS.get(row.kind, row.kind)
                    ),
                    "italic $text-muted",
                )
            )
            if row.detail:
                lines.append(Content.assemble("  ", clean(shown(row.detail))))
            if row.suggestion:
                lines.append(
                    Content.assemble(
                        ("  Suggestion: ", "bold $success"), clean(shown(row.suggestion))
                    )
                )
        return Content("\n").join(lines)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        key = event.option.id
        quiet, self._quiet_key = self._quiet_key, None
        if key is None or key not in self._rows or key == quiet:
            return
        self.post_message(self.Selected(self, key, self._rows[key].counterpart_key))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id
        if key is None or key not in self._rows:
            return
        expanded = self.toggle_details(key)
        self.post_message(self.DetailsToggled(self, key, expanded))

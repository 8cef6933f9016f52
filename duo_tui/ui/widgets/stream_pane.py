"""`StreamPane`: one model's streamed output, with a live header.

Streaming is append-only and batched: `append()` only adds the fragment to a
list; a 20 Hz timer moves whatever arrived since the last tick into a read-only
`TextArea` with one insert at the end of the document. The accumulated text is
never re-rendered per token, so 100k tokens cost the same per tick as 100.
When the message is complete the caller may hand over the final text with
`set_markdown()`, which shows it rendered; `m` toggles raw / Markdown.
"""

from __future__ import annotations

import math
import time
from enum import StrEnum

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Label, Markdown, Static, TextArea

SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
"""Braille spinner, one frame per header update."""

FLUSH_INTERVAL_S = 1 / 20
"""How often buffered text is moved into the view (20 Hz)."""


class StreamState(StrEnum):
    """What the pane's badge says."""

    WAITING = "waiting"
    STREAMING = "streaming"
    DONE = "done"
    INCOMPLETE = "incomplete"
    ERROR = "error"
    RETRY = "waiting-retry"


def _format_elapsed(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"


class StreamPane(Vertical):
    """A model's streamed output: header (title, model, spinner, time, tokens/s, badge) and body.

    Public API: `reset`, `append`, `finish`, `show_error`, `retry_countdown`,
    `set_markdown`, `text`, `state`, `showing_markdown`.
    """

    DEFAULT_CSS = """
    StreamPane {
        height: 1fr;
        background: $surface;
    }
    StreamPane > #stream-header {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    StreamPane #stream-title {
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StreamPane #stream-stats {
        width: auto;
        color: $text-muted;
        padding: 0 1;
    }
    StreamPane #stream-badge {
        width: auto;
        min-width: 8;
        padding: 0 1;
        text-style: bold;
        background: $boost;
        color: $text-muted;
    }
    StreamPane #stream-badge.-streaming {
        background: $duo-stage-active 25%;
        color: $duo-stage-active;
    }
    StreamPane #stream-badge.-done {
        background: $duo-stage-done 25%;
        color: $duo-stage-done;
    }
    StreamPane #stream-badge.-incomplete {
        background: $warning 25%;
        color: $warning;
    }
    StreamPane #stream-badge.-error {
        background: $error 30%;
        color: $error;
    }
    StreamPane #stream-badge.-waiting-retry {
        background: $warning 20%;
        color: $warning;
    }
    StreamPane > #stream-error {
        display: none;
        height: auto;
        max-height: 8;
        margin: 0 0 0 0;
        padding: 0 1;
        border-left: thick $error;
        background: $error 10%;
        color: $text;
    }
    StreamPane.-has-error > #stream-error {
        display: block;
    }
    StreamPane > #stream-body {
        height: 1fr;
        border: none;
        padding: 0 1;
        background: $surface;
        &:focus {
            border: none;
            background-tint: $foreground 3%;
        }
    }
    StreamPane > #stream-markdown-view {
        display: none;
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    StreamPane #stream-markdown {
        padding: 0 1;
        background: $surface;
    }
    StreamPane.-markdown > #stream-body {
        display: none;
    }
    StreamPane.-markdown > #stream-markdown-view {
        display: block;
    }
    """

    BINDINGS = [
        Binding(
            "m",
            "toggle_markdown",
            "Raw/Markdown",
            id="stream.toggle_markdown",
            tooltip="Switch between the raw text and the rendered Markdown",
        ),
    ]

    def __init__(
        self,
        title: str = "",
        model: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._title = title
        self._model = model
        self._chunks: list[str] = []
        self._joined = ""
        self._pending: list[str] = []
        self._chars = 0
        self._state = StreamState.WAITING
        self._started = time.monotonic()
        self._first_token: float | None = None
        self._ended: float | None = None
        self._usage_text = ""
        self._retry_deadline = 0.0
        self._retry_attempt = 0
        self._retry_max = 0
        self._markdown_text: str | None = None
        self._error_content: Content | None = None
        self._frame = 0
        self._ticks = 0
        self._timer: Timer | None = None
        self.flushes = 0
        """How many batched inserts reached the view (for tests and diagnostics)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="stream-header"):
            yield Label(id="stream-title", markup=False)
            yield Label(id="stream-stats", markup=False)
            yield Label(id="stream-badge", markup=False)
        yield Static(id="stream-error")
        yield TextArea(
            id="stream-body",
            read_only=True,
            soft_wrap=True,
            show_cursor=False,
            highlight_cursor_line=False,
        )
        with VerticalScroll(id="stream-markdown-view"):
            yield Markdown(id="stream-markdown")

    def on_resize(self) -> None:
        self._refresh_header()

    def on_mount(self) -> None:
        self._timer = self.set_interval(FLUSH_INTERVAL_S, self._tick, pause=True)
        self._refresh_header()
        self._refresh_error()
        if self._state in (StreamState.STREAMING, StreamState.RETRY):
            self._timer.resume()
        self._flush()

    # -- public API ---------------------------------------------------------

    @property
    def text(self) -> str:
        """Everything appended since the last `reset`, exactly (including unflushed text)."""
        if self._chunks:
            self._joined += "".join(self._chunks)
            self._chunks.clear()
        return self._joined + "".join(self._pending)

    @property
    def state(self) -> StreamState:
        """The current badge state."""
        return self._state

    @property
    def showing_markdown(self) -> bool:
        """True while the rendered Markdown view is shown instead of the raw text."""
        return self.has_class("-markdown")

    @property
    def approx_tokens(self) -> int:
        """Approximate output tokens so far (characters / 4)."""
        return self._chars // 4

    def reset(self, title: str, model: str) -> None:
        """Start a new message: clear the body, set title and model, show `streaming`."""
        self._title = title
        self._model = model
        self._chunks = []
        self._joined = ""
        self._pending = []
        self._chars = 0
        self._error_content = None
        self._state = StreamState.STREAMING
        self._started = time.monotonic()
        self._first_token = None
        self._ended = None
        self._usage_text = ""
        self._markdown_text = None
        self.remove_class("-has-error")
        self._show_markdown(False)
        if self.is_mounted:
            self.query_one("#stream-body", TextArea).clear()
        self._set_timer(True)
        self._refresh_header()

    def append(self, text: str) -> None:
        """Add a streamed fragment. Cheap: it is buffered and shown at the next tick."""
        if not text:
            return
        if self._first_token is None:
            self._first_token = time.monotonic()
        if self._state in (StreamState.WAITING, StreamState.RETRY):
            self._state = StreamState.STREAMING
            self._set_timer(True)
        self._pending.append(text)
        self._chars += len(text)

    def finish(self, complete: bool, usage_text: str = "", elapsed_s: float | None = None) -> None:
        """The stream ended: `done` if complete, else `incomplete`; show `usage_text`.

        `elapsed_s`, when the provider measured the call, replaces the pane's own clock.
        """
        self._flush()
        self._state = StreamState.DONE if complete else StreamState.INCOMPLETE
        self._ended = time.monotonic() if elapsed_s is None else self._started + elapsed_s
        self._usage_text = usage_text
        self._set_timer(False)
        self._refresh_header()

    def show_error(self, message: str, what_to_do: str = "") -> None:
        """Show an error under the header (and what the user can do about it)."""
        self._flush()
        self._state = StreamState.ERROR
        self._ended = time.monotonic()
        self._set_timer(False)
        body = Content.assemble(("✗ ", "bold $error"), (message, "bold"))
        if what_to_do:
            body = Content.assemble(body, "\n", ("What to do: ", "$text-muted"), what_to_do)
        self._error_content = body
        self.add_class("-has-error")
        self._refresh_error()
        self._refresh_header()

    def retry_countdown(self, wait_s: float, attempt: int, max_attempts: int) -> None:
        """Show `retry attempt/max in Ns`, counting down until the next attempt."""
        self._state = StreamState.RETRY
        self._retry_deadline = time.monotonic() + max(0.0, wait_s)
        self._retry_attempt = attempt
        self._retry_max = max_attempts
        self._error_content = None
        self.remove_class("-has-error")
        self._set_timer(True)
        self._refresh_header()

    def set_markdown(self, text: str | None = None) -> None:
        """Show the complete message rendered as Markdown (default: the streamed text)."""
        self._flush()
        self._markdown_text = self.text if text is None else text
        if self.is_mounted:
            self.query_one("#stream-markdown", Markdown).update(self._markdown_text)
        self._show_markdown(True)

    def action_toggle_markdown(self) -> None:
        """Switch between raw text and rendered Markdown (renders on first use)."""
        if self.showing_markdown:
            self._show_markdown(False)
            return
        if self._markdown_text is None:
            if self._state is StreamState.STREAMING:
                self.notify("Markdown is shown when the message is complete.", timeout=2)
                return
            self.set_markdown()
        else:
            self._show_markdown(True)

    def _show_markdown(self, show: bool) -> None:
        """Switch views, keeping the focus inside the pane if it was there."""
        had_focus = self.has_focus_within
        self.set_class(show, "-markdown")
        if had_focus and self.is_mounted:
            self.query_one("#stream-markdown-view" if show else "#stream-body").focus()

    # -- internals ----------------------------------------------------------

    def _set_timer(self, running: bool) -> None:
        if self._timer is None:
            return
        if running:
            self._timer.resume()
        else:
            self._timer.pause()

    def _tick(self) -> None:
        self._flush()
        self._ticks += 1
        if self._ticks % 4 == 0:  # header (spinner, rate) at 5 Hz; text at 20 Hz
            self._frame = (self._frame + 1) % len(SPINNER_FRAMES)
            self._refresh_header()

    def _flush(self) -> None:
        """Move buffered fragments into the view with one insert at the end."""
        if not self._pending or not self.is_mounted:
            return
        batch = "".join(self._pending)
        self._pending.clear()
        self._chunks.append(batch)
        body = self.query_one("#stream-body", TextArea)
        follow = body.scroll_y >= body.max_scroll_y
        body.insert(batch, body.document.end)
        body.history.clear()
        self.flushes += 1
        if follow:
            body.scroll_end(animate=False, immediate=True, x_axis=False)

    def _stats_parts(self) -> list[str]:
        """Elapsed time, then rate / usage, most important first."""
        if self._state is StreamState.WAITING:
            return []
        now = self._ended if self._ended is not None else time.monotonic()
        parts = [_format_elapsed(now - self._started)]
        if self._state is StreamState.STREAMING:
            if self._first_token is not None:
                rate_window = max(now - self._first_token, 0.25)
                parts.append(f"~{self.approx_tokens / rate_window:.0f} tok/s")
            parts.append(f"~{self.approx_tokens:,} tok")
        elif self._usage_text:
            parts.append(self._usage_text)
        elif self._chars:
            parts.append(f"~{self.approx_tokens:,} tok")
        return parts

    def _stats_text(self, room: int | None = None) -> str:
        """The stats line, dropping the least important parts to fit in `room` cells."""
        parts = self._stats_parts()
        while parts:
            text = " · ".join(parts)
            if room is None or len(text) <= room:
                return text
            parts.pop()
        return ""

    def _badge_text(self) -> str:
        if self._state is StreamState.STREAMING:
            return f"{SPINNER_FRAMES[self._frame]} streaming"
        if self._state is StreamState.DONE:
            return "✓ done"
        if self._state is StreamState.INCOMPLETE:
            return "⚠ incomplete"
        if self._state is StreamState.ERROR:
            return "✗ error"
        if self._state is StreamState.RETRY:
            left = max(0.0, self._retry_deadline - time.monotonic())
            attempt = f"{self._retry_attempt}/{self._retry_max}"
            if left <= 0:
                return f"{SPINNER_FRAMES[self._frame]} retrying {attempt}"
            return f"↻ retry {attempt} in {math.ceil(left)}s"
        return "… waiting"

    def _refresh_error(self) -> None:
        if self.is_mounted:
            self.query_one("#stream-error", Static).update(self._error_content or "")

    def _refresh_header(self) -> None:
        if not self.is_mounted:
            return
        # Only touch a label when its text changed: every update re-lays-out the header,
        # and four panes doing that 10 times a second is what makes a screen feel slow.
        heading = Content.assemble((self._title or "output", "bold"))
        if self._model:
            heading = Content.assemble(heading, "  ", (self._model, "$text-muted"))
        badge_text = self._badge_text()
        width = self.size.width or 80
        # Badge first, then at least a bit of the title, then as many stats as fit.
        room = width - 2 - (len(badge_text) + 2) - min(len(self._title) + 2, 14) - 2
        stats = self._stats_text(room)
        key = (self._title, self._model, badge_text, stats, self._state)
        if key == getattr(self, "_header_key", None):
            return
        previous = getattr(self, "_header_key", None)
        self._header_key = key
        if previous is None or previous[:2] != key[:2]:
            self.query_one("#stream-title", Label).update(heading)
        if previous is None or previous[3] != stats:
            self.query_one("#stream-stats", Label).update(stats)
        badge = self.query_one("#stream-badge", Label)
        if previous is None or previous[2] != badge_text:
            badge.update(badge_text)
        if previous is None or previous[4] != self._state:
            for state in StreamState:
                badge.set_class(state is self._state, f"-{state.value}")

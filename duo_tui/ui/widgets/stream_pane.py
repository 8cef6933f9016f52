"""`StreamPane`: one model's streamed output, with a live header.

Streaming is append-only and batched: `append()` only adds the fragment to a
list; a 20 Hz tick (the pane's own timer, or the screen's, which ticks all its
panes together so they share one frame) moves whatever arrived since the last
tick into a `StreamLog` with one append. The accumulated text is never
re-rendered per token, so 100k tokens cost the same per tick as 100. The
header is one fixed-size line, so updating it never triggers a layout pass.
When the message is complete the caller may hand over the final text with
`set_markdown()`, which shows it rendered; `m` toggles raw / Markdown.
"""

from __future__ import annotations

import math
import time
from enum import StrEnum

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from duo_tui.safe_text import clean, clean_line, is_clean
from duo_tui.ui.deferred import after_first_frame
from duo_tui.ui.widgets.quiet_focus import QuietFocus
from duo_tui.ui.widgets.stream_log import StreamLog

SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
"""Braille spinner, one frame per header update."""

FLUSH_INTERVAL_S = 1 / 20
"""How often buffered text is moved into the view (20 Hz)."""


class MarkdownView(QuietFocus, VerticalScroll):
    """The rendered-Markdown side of a stream pane (no focus styles: see `QuietFocus`)."""


class StreamState(StrEnum):
    """What the pane's badge says."""

    WAITING = "waiting"
    STREAMING = "streaming"
    DONE = "done"
    INCOMPLETE = "incomplete"
    FAILED = "failed"  # finished, and what it ran failed (a gate that did not pass)
    ERROR = "error"
    RETRY = "waiting-retry"
    RESTORED = "restored"


_BADGE_STYLE = {
    StreamState.WAITING: "bold $text-muted on $boost",
    StreamState.STREAMING: "bold $duo-stage-active on $duo-stage-active 25%",
    StreamState.DONE: "bold $duo-stage-done on $duo-stage-done 25%",
    StreamState.INCOMPLETE: "bold $warning on $warning 25%",
    StreamState.FAILED: "bold $error on $error 30%",
    StreamState.ERROR: "bold $error on $error 30%",
    StreamState.RETRY: "bold $warning on $warning 20%",
    StreamState.RESTORED: "bold $duo-stage-done on $duo-stage-done 25%",
}


def _format_elapsed(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"


class StreamPane(Vertical):
    """A model's streamed output: header (title, model, spinner, time, tokens/s, badge) and body.

    Public API: `reset`, `append`, `finish`, `show_error`, `retry_countdown`, `mark_restored`,
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
        text-wrap: nowrap;
        text-overflow: ellipsis;
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
    StreamPane.-retrying > #stream-error {
        display: block;
        border-left: thick $warning;
        background: $warning 10%;
    }
    StreamPane > #stream-body {
        height: 1fr;
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
        auto_flush: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._title = title
        self._model = model
        self._auto_flush = auto_flush
        # The exact text, kept beside the shown text only once the two differ: while
        # every fragment is shown verbatim (no control character, tab or CR), the
        # log's own lines are the text, and 100k tokens are not held twice.
        self._verbatim = True
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
        self._header_key: tuple[object, ...] | None = None
        self._header_content = Content("")
        self.flushes = 0
        """How many batched inserts reached the view (for tests and diagnostics)."""

    def compose(self) -> ComposeResult:
        # The error line is mounted the first time there is an error, the Markdown
        # view right after the first frame (or when first needed, if sooner) and the
        # Markdown widget with its parser when there is Markdown to show: the
        # workbench's first frame styles every widget it holds.
        yield Static(id="stream-header", markup=False)
        yield StreamLog(id="stream-body")

    def on_resize(self) -> None:
        self._refresh_header()

    def on_mount(self) -> None:
        if self._auto_flush:
            self._timer = self.set_interval(FLUSH_INTERVAL_S, self.tick, pause=True)
        self._refresh_header()
        self._refresh_error()
        after_first_frame(self, self._markdown_view)
        if self._state in (StreamState.STREAMING, StreamState.RETRY):
            self._set_timer(True)
        self.flush()

    # -- public API ---------------------------------------------------------

    @property
    def text(self) -> str:
        """Everything appended since the last `reset`, exactly (including unflushed text)."""
        if self._verbatim:
            shown = self.query_one("#stream-body", StreamLog).text if self.is_mounted else ""
            return shown + "".join(self._pending)
        if self._chunks:
            self._joined += "".join(self._chunks)
            self._chunks.clear()
        return self._joined + "".join(self._pending)

    @property
    def has_text(self) -> bool:
        """True once anything was appended since the last `reset` (cheaper than `text`)."""
        return self._chars > 0

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

    @property
    def has_pending(self) -> bool:
        """True when text arrived that the view does not show yet."""
        return bool(self._pending)

    @property
    def is_live(self) -> bool:
        """True while the header changes by itself (streaming or counting down a retry)."""
        return self._state in (StreamState.STREAMING, StreamState.RETRY)

    @property
    def title(self) -> str:
        """What the pane shows now (`plan`, `review 1`, ...), as its header names it."""
        return self._title

    @property
    def header_text(self) -> str:
        """The header line as plain text (title, model, stats, badge)."""
        return self._header_content.plain

    def reset(self, title: str, model: str) -> None:
        """Start a new message: clear the body, set title and model, show `streaming`."""
        self._title = title
        self._model = model
        self._verbatim = True
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
        self.remove_class("-has-error", "-retrying")
        self._show_markdown(False)
        if self.is_mounted:
            self.query_one("#stream-body", StreamLog).clear()
        self._set_timer(True)
        self._refresh_header()

    def append(self, text: str) -> None:
        """Add a streamed fragment. Cheap: it is buffered and shown at the next tick."""
        if not text:
            return
        if self._first_token is None:
            self._first_token = time.monotonic()
        if self._state in (StreamState.WAITING, StreamState.RETRY):
            if self._state is StreamState.RETRY:  # the retry worked: the notice says so
                self.recovered(self._retry_attempt, self._retry_max)
            self._state = StreamState.STREAMING
            self._set_timer(True)
        self._pending.append(text)
        self._chars += len(text)

    def finish(
        self,
        complete: bool,
        usage_text: str = "",
        elapsed_s: float | None = None,
        *,
        failed: bool = False,
    ) -> None:
        """The stream ended: `done` if complete, else `incomplete`, or `failed` when what
        ran did not succeed (the badge says so at any width); show `usage_text`.

        `elapsed_s`, when the provider measured the call, replaces the pane's own clock.
        """
        self.flush()
        state = StreamState.DONE if complete else StreamState.INCOMPLETE
        self._state = StreamState.FAILED if failed else state
        self._ended = time.monotonic() if elapsed_s is None else self._started + elapsed_s
        self._usage_text = usage_text
        self._set_timer(False)
        self._refresh_header()

    def show_error(self, message: str, what_to_do: str = "") -> None:
        """Show an error under the header (and what the user can do about it)."""
        self.flush()
        self._state = StreamState.ERROR
        self._ended = time.monotonic()
        self._set_timer(False)
        body = Content.assemble(("✗ ", "bold $error"), (clean(message), "bold"))
        if what_to_do:
            body = Content.assemble(body, "\n", ("What to do: ", "$text-muted"), clean(what_to_do))
        self._error_content = body
        self.remove_class("-retrying")
        self.add_class("-has-error")
        self._refresh_error()
        self._refresh_header()

    def retry_countdown(
        self, wait_s: float, attempt: int, max_attempts: int, reason: str = ""
    ) -> None:
        """Show `attempt n/max in Ns`, counting down until that attempt, and `reason` (why
        the last one failed) under the header: one notice, updated in place on each retry."""
        self._state = StreamState.RETRY
        self._retry_deadline = time.monotonic() + max(0.0, wait_s)
        self._retry_attempt = attempt
        self._retry_max = max_attempts
        self.remove_class("-has-error")
        if reason:
            self._error_content = Content.assemble(("↻ ", "bold $warning"), clean(reason))
            self.add_class("-retrying")
        else:
            self._error_content = None
            self.remove_class("-retrying")
        self._refresh_error()
        self._set_timer(True)
        self._refresh_header()

    def recovered(self, attempt: int, max_attempts: int) -> None:
        """The retried call answered: the retry notice under the header becomes `✓ answered
        on attempt n/N`, kept until the pane's next message."""
        self.remove_class("-retrying", "-has-error")
        self._error_content = Content.assemble(
            ("✓ ", "bold $success"), f"recovered: answered on attempt {attempt}/{max_attempts}"
        )
        self._refresh_error()

    def mark_restored(self) -> None:
        """The pane shows output an earlier run finished (a resumed session): `restored`,
        with no clock (the call did not happen in this process)."""
        self.flush()
        self._state = StreamState.RESTORED
        self._set_timer(False)
        self._refresh_header()

    def set_markdown(self, text: str | None = None) -> None:
        """Show the complete message rendered as Markdown (default: the streamed text)."""
        self.flush()
        self._markdown_text = clean(self.text if text is None else text)
        if self.is_mounted:
            self._render_markdown(self._markdown_text)
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

    def tick(self) -> None:
        """Show buffered text; every 4th call also advance the spinner and stats.

        Called by the pane's own 20 Hz timer, or (with `auto_flush=False`) by the
        screen, which ticks all its panes at once so they share one frame.
        """
        self.flush()
        self._ticks += 1
        if self._ticks % 4 == 0 and self.is_live:
            self._frame = (self._frame + 1) % len(SPINNER_FRAMES)
            self._refresh_header()

    def flush(self) -> None:
        """Move buffered fragments into the view with one append at the end."""
        if not self._pending or not self.is_mounted:
            return
        batch = "".join(self._pending)
        self._pending.clear()
        log = self.query_one("#stream-body", StreamLog)
        if self._verbatim and ("\t" in batch or "\r" in batch or not is_clean(batch)):
            # From here on the log shows something else than was sent: keep the text.
            self._verbatim = False
            self._joined = log.text
        if not self._verbatim:
            self._chunks.append(batch)
        log.append(batch)
        self.flushes += 1

    # -- internals ----------------------------------------------------------

    def _markdown_view(self) -> MarkdownView:
        found = self.query("#stream-markdown-view")
        if found:
            return found.first(MarkdownView)
        view = MarkdownView(id="stream-markdown-view")
        self.mount(view)
        return view

    def _render_markdown(self, text: str) -> None:
        """Render `text` in the Markdown view, creating the widgets on first use.

        Model text: its links are inert, each shown with its target (`InertMarkdown`).
        """
        from duo_tui.ui.inert_markdown import InertMarkdown

        view = self._markdown_view()
        found = view.query(InertMarkdown)
        if found:
            found.first().update(text)
        else:
            view.mount(InertMarkdown(text, id="stream-markdown"))

    def _show_markdown(self, show: bool) -> None:
        """Switch views, keeping the focus inside the pane if it was there."""
        had_focus = self.has_focus_within
        self.set_class(show, "-markdown")
        if had_focus and self.is_mounted:
            (self._markdown_view() if show else self.query_one("#stream-body")).focus()

    def _set_timer(self, running: bool) -> None:
        if self._timer is None:
            return
        if running:
            self._timer.resume()
        else:
            self._timer.pause()

    def _stats_parts(self) -> list[str]:
        """Elapsed time, then rate / usage, most important first."""
        if self._state in (StreamState.WAITING, StreamState.RESTORED):
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

    def _badge_text(self) -> str:
        if self._state is StreamState.STREAMING:
            return f"{SPINNER_FRAMES[self._frame]} streaming"
        if self._state is StreamState.DONE:
            return "✓ done"
        if self._state is StreamState.RESTORED:
            return "✓ restored"
        if self._state is StreamState.FAILED:
            return "✗ failed"
        if self._state is StreamState.INCOMPLETE:
            return "⚠ incomplete"
        if self._state is StreamState.ERROR:
            return "✗ error"
        if self._state is StreamState.RETRY:
            left = max(0.0, self._retry_deadline - time.monotonic())
            attempt = f"{self._retry_attempt}/{self._retry_max}"
            if left <= 0:
                return f"{SPINNER_FRAMES[self._frame]} attempt {attempt}"
            return f"↻ attempt {attempt} in {math.ceil(left)}s"
        return "… waiting"

    def _refresh_error(self) -> None:
        if not self.is_mounted:
            return
        found = self.query("#stream-error")
        if found:
            found.first(Static).update(self._error_content or "")
        elif self._error_content:
            self.mount(Static(self._error_content, id="stream-error"), before="#stream-body")

    def _refresh_header(self) -> None:
        if not self.is_mounted:
            return
        badge_text = f" {self._badge_text()} "
        width = max(0, (self.size.width or 80) - 2)
        left = Content.assemble((clean_line(self._title) or "output", "bold"))
        if self._model:
            left = Content.assemble(left, "  ", (clean_line(self._model), "$text-muted"))
        # Priority: title and model, the badge, elapsed time, then rate and tokens.
        parts = self._stats_parts()
        room = width - left.cell_length - len(badge_text) - 2
        while len(parts) > 1 and len(" · ".join(parts)) > room:
            parts.pop()
        stats = " · ".join(parts)
        if parts and len(stats) > room and width - len(badge_text) - len(stats) - 2 < 12:
            stats = ""  # too narrow for the clock too: keep a readable title instead
        key = (self._title, self._model, badge_text, stats, self._state, width)
        if key == self._header_key:
            return
        self._header_key = key
        right = Content.assemble(
            (stats, "$text-muted"), " " if stats else "", (badge_text, _BADGE_STYLE[self._state])
        )
        room = width - right.cell_length - 1
        if left.cell_length > room:
            left = left.truncate(room, ellipsis=True) if room > 1 else Content("")
        gap = max(1, width - left.cell_length - right.cell_length)
        # One line of fixed size: updating it never needs a layout pass.
        self._header_content = Content.assemble(left, " " * gap, right)
        self.query_one("#stream-header", Static).update(self._header_content, layout=False)

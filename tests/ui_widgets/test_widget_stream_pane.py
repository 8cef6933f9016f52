"""StreamPane: batched appends, exact final text, badges, errors, retry, Markdown toggle."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Markdown, Static

from duo_tui.ui.widgets.stream_log import StreamLog
from duo_tui.ui.widgets.stream_pane import StreamPane, StreamState
from tests.pilot._helpers import wait_for

from ._support import HostApp


def _host() -> HostApp:
    return HostApp(lambda: [StreamPane("Planner", "anthropic/claude-opus-4-7", id="pane")])


def _badge(pane: StreamPane) -> str:
    return pane.header_text.rsplit("  ", 1)[-1]


async def test_ten_thousand_appends_are_batched_and_exact() -> None:
    app = _host()
    async with app.run_test() as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Executor", "openai/gpt-5.5")
        pieces = [f"tok{i}{' ' if i % 7 else chr(10)}" for i in range(10_000)]
        for piece in pieces:
            pane.append(piece)
        # Nothing has been inserted into the view yet: appends only buffer.
        assert pane.flushes == 0
        assert pane.text == "".join(pieces)
        await wait_for(pilot, lambda: pane.flushes >= 1, what="the batched flush")
        pane.finish(complete=True, usage_text="1,200 in · 9,000 out")
        await pilot.pause()
        body = pane.query_one("#stream-body", StreamLog)
        assert body.text == "".join(pieces)
        assert pane.text == "".join(pieces)
        assert 1 <= pane.flushes <= 5
        assert pane.state is StreamState.DONE
        assert "done" in _badge(pane)
        assert "9,000 out" in pane.header_text


async def test_streaming_header_shows_approximate_rate_and_badge() -> None:
    app = _host()
    async with app.run_test() as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Reviewer A", "anthropic/claude-opus-4-7")
        pane.append("x" * 4000)
        # the header refreshes at 10 Hz
        await wait_for(pilot, lambda: "tok/s" in pane.header_text, what="the header's rate")
        assert "~" in pane.header_text
        assert "streaming" in _badge(pane)
        assert pane.approx_tokens == 1000
        title = pane.header_text
        assert title.startswith("Reviewer A  ") and "claude-opus-4-7" in title


async def test_incomplete_badge() -> None:
    app = _host()
    async with app.run_test() as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Executor", "openai/gpt-5.5")
        pane.append("half an ans")
        pane.finish(complete=False)
        await pilot.pause()
        assert pane.state is StreamState.INCOMPLETE
        assert "incomplete" in _badge(pane)
        assert pane.query_one("#stream-body", StreamLog).text == "half an ans"


async def test_error_panel_and_retry_countdown() -> None:
    app = _host()
    async with app.run_test() as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Planner", "anthropic/claude-opus-4-7")
        pane.show_error("401 Unauthorized", "Set ANTHROPIC_API_KEY and press r to rerun.")
        await pilot.pause()
        assert pane.state is StreamState.ERROR
        error = str(pane.query_one("#stream-error", Static).content)
        assert "401 Unauthorized" in error and "ANTHROPIC_API_KEY" in error
        assert pane.query_one("#stream-error").display

        pane.retry_countdown(3, attempt=2, max_attempts=4)
        await pilot.pause()
        assert pane.state is StreamState.RETRY
        assert "attempt 2/4 in 3s" in _badge(pane)
        assert not pane.query_one("#stream-error").display
        pane.append("back")
        assert pane.state is StreamState.STREAMING


async def test_markdown_view_and_toggle() -> None:
    app = _host()
    async with app.run_test() as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Planner", "anthropic/claude-opus-4-7")
        pane.append("# Plan\n\n- step one\n- step two\n")
        pane.finish(complete=True)
        pane.query_one("#stream-body").focus()
        await pilot.press("m")
        await pilot.pause()
        assert pane.showing_markdown
        markdown = pane.query_one("#stream-markdown", Markdown)
        assert markdown.display and markdown.source == "# Plan\n\n- step one\n- step two\n"
        await pilot.press("m")
        assert not pane.showing_markdown
        pane.set_markdown("**final**")
        await pilot.pause()
        assert pane.showing_markdown and markdown.source == "**final**"
        pane.reset("Planner", "again")
        assert not pane.showing_markdown and pane.text == ""


async def _hundred_thousand_tokens() -> float:
    """Stream ~100k tokens in 40 flushes; return the seconds the inserts took."""
    app = _host()
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Executor", "openai/gpt-5.5")
        chunk = "word " * 200 + "\n"  # ~250 tokens
        started = time.perf_counter()
        for _ in range(40):
            for _ in range(10):
                pane.append(chunk)
            pane.flush()
        elapsed = time.perf_counter() - started
        assert pane.approx_tokens >= 100_000
        await pilot.pause()
        assert pane.text == chunk * 400
    return elapsed


async def test_hundred_thousand_tokens_all_arrive() -> None:
    await _hundred_thousand_tokens()


@pytest.mark.perf
async def test_hundred_thousand_tokens_stay_cheap() -> None:
    """Per-tick cost stays flat: the last flushes are as cheap as the first ones."""
    elapsed = await _hundred_thousand_tokens()
    assert elapsed < 2.0, f"400 batched inserts took {elapsed:.2f}s"


@pytest.mark.parametrize(
    "odd",
    ["\tindented", "a\r\nwindows line", "bell\x07", "esc \x1b]52;c;cm0gLXJmIH4=\x07", "cr\r"],
)
async def test_text_stays_exact_when_the_log_shows_it_otherwise(odd: str) -> None:
    """Tabs, CRs and control characters are shown differently from what was sent:
    the exact text is still what `text` gives, whichever fragment they arrive in."""
    app = _host()
    async with app.run_test() as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Executor", "openai/gpt-5.5")
        sent = ["plain start\n", "more plain text\n"]
        for piece in sent:
            pane.append(piece)
        pane.flush()
        for piece in (odd, " then plain\n", odd, "end"):
            sent.append(piece)
            pane.append(piece)
            pane.flush()
        await pilot.pause()
        assert pane.text == "".join(sent)
        pane.reset("Executor", "openai/gpt-5.5")  # a new message starts verbatim again
        pane.append("x\ty")
        pane.append("z")
        pane.flush()
        assert pane.text == "x\tyz"


async def test_plain_streamed_text_is_not_held_twice() -> None:
    """A megabyte of plain text is kept once (as the log's lines), not also as the raw text."""
    import tracemalloc

    app = _host()
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Executor", "openai/gpt-5.5")
        line = "x = compute(a, b)  # a plain line of code of sixty characters\n"
        pieces = [line * 20 for _ in range(800)]  # ~1 MB
        await pilot.pause()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            for piece in pieces:
                for token in piece.split(" "):  # many fragments per flush, as streamed
                    pane.append(token + " ")
                pane.flush()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
        sent = "".join(token + " " for piece in pieces for token in piece.split(" "))
        assert pane.text == sent
        # The log's lines, rows and rendered rows are ~2.5x the text (65-byte lines);
        # keeping the raw text beside them made it ~3.5x.
        assert grown < 3.0 * len(sent), (grown, len(sent))

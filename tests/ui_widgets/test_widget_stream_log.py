"""StreamLog: wrapping, incremental re-wrap, follow/stay scrolling, sanitising, resize, copy."""

from __future__ import annotations

import random

from textual.app import App, ComposeResult

from duo_tui.ui.widgets.stream_log import MIN_CACHED_ROWS, Rows, StreamLog, _wrap


class LogApp(App[None]):
    CSS = "StreamLog { width: 42; height: 10; }"  # 40 columns of text after padding... minus gutter

    def compose(self) -> ComposeResult:
        yield StreamLog(id="log")


def _shown(log: StreamLog) -> list[str]:
    """What each display row shows (text only)."""
    return [log._lines[i][a:b] for i, a, b in log._rows]


def test_wrap_breaks_at_spaces_and_cuts_long_words() -> None:
    rows: list[tuple[int, int, int]] = []
    line = "aaa bbb ccc " + "x" * 12
    _wrap(line, 0, 0, 8, rows)
    assert [line[a:b] for _, a, b in rows] == ["aaa bbb", "ccc", "xxxxxxxx", "xxxx"]


def test_wrap_counts_cells_for_wide_characters() -> None:
    rows: list[tuple[int, int, int]] = []
    line = "日本語のテキスト"  # 8 characters, 16 cells
    _wrap(line, 0, 0, 6, rows)
    assert [line[a:b] for _, a, b in rows] == ["日本語", "のテキ", "スト"]


async def test_incremental_wrap_equals_wrapping_everything_at_once() -> None:
    """Appending in random pieces gives exactly the rows of wrapping the whole text."""
    rng = random.Random(7)
    words = [
        "alpha",
        "be",
        "gamma-delta-epsilon-zeta-eta-theta-iota",
        "x",
        "\n",
        "\n\n",
        "tab\there",
    ]
    text = "".join(rng.choice(words) + rng.choice([" ", "", "  "]) for _ in range(2000))
    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(StreamLog)
        await pilot.pause()
        pos = 0
        while pos < len(text):
            step = rng.randint(1, 40)
            log.append(text[pos : pos + step])
            pos += step
        incremental = list(log._rows)
        log._rewrap_all(log._wrap_width)
        assert incremental == list(log._rows)
        assert log.text == text.replace("\t", "    ")
        assert all(len(row) <= log._wrap_width for row in _shown(log))


async def test_follows_the_end_and_stays_put_when_scrolled_up() -> None:
    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(StreamLog)
        await pilot.pause()
        for i in range(50):
            log.append(f"line {i}\n")
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y > 0
        log.scroll_to(y=5, animate=False, immediate=True)
        log.append("more\n" * 20)
        await pilot.pause()
        assert log.scroll_y == 5, "a reader who scrolled up is not pulled to the end"
        log.scroll_end(animate=False, immediate=True)
        log.append("tail\n")
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y


async def test_control_characters_never_reach_the_terminal() -> None:
    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(StreamLog)
        await pilot.pause()
        log.append("red \x1b[31mtext\r\n\x07bell")
        await pilot.pause()
        assert "\x1b" not in log.text and "\r" not in log.text and "\x07" not in log.text
        assert log.text == "red ␛[31mtext\n␇bell"  # shown as visible escapes (safe_text)
        rendered = "".join(seg.text for y in range(2) for seg in log.render_line(y))
        assert "\x1b" not in rendered and "red" in rendered
        # a CR LF split between two chunks is one line break; a lone CR is shown
        log.clear()
        log.append("one\r")
        log.append("\ntwo\rthree")
        await pilot.pause()
        assert log.text == "one\ntwo␍three"


async def test_resize_rewraps_and_keeps_the_text() -> None:
    app = LogApp()
    async with app.run_test(size=(100, 20)) as pilot:
        log = app.query_one(StreamLog)
        await pilot.pause()
        log.append(("word " * 30 + "\n") * 5)
        await pilot.pause()
        narrow_rows = log.row_count
        log.styles.width = 82
        await pilot.pause()
        assert log._wrap_width > 60
        assert log.row_count < narrow_rows
        assert all(len(row) <= log._wrap_width for row in _shown(log))
        assert log.text == ("word " * 30 + "\n") * 5


async def test_rendered_rows_are_full_width_and_padded() -> None:
    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(StreamLog)
        await pilot.pause()
        log.append("hello world")
        await pilot.pause()
        strip = log.render_line(0)
        assert strip.cell_length == log.region.width
        assert strip.text.startswith(" hello world")
        assert log.render_line(5).text.strip() == ""


async def test_selection_copies_the_shown_text() -> None:
    from textual.geometry import Offset
    from textual.selection import Selection

    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(StreamLog)
        await pilot.pause()
        log.append("first line\nsecond line")
        await pilot.pause()
        got = log.get_selection(Selection(Offset(0, 0), Offset(6, 1)))
        assert got == ("first line\nsecond", "\n")


def test_rows_pack_like_a_list_of_rows() -> None:
    rows = Rows([(0, 0, 5)])
    as_list = [(0, 0, 5)]
    for row in [(1, 0, 80), (1, 81, 120), (70_000, 3, 2**40)]:
        rows.append(row)
        as_list.append(row)
    assert len(rows) == 4 and list(rows) == as_list
    assert rows[2] == (1, 81, 120) and rows[-1] == (70_000, 3, 2**40)
    rows.truncate(2)
    assert list(rows) == as_list[:2] and rows[-1] == (1, 0, 80)
    try:
        rows[2]
    except IndexError:
        pass
    else:
        raise AssertionError("no row 2")


async def test_a_streamed_line_costs_little_more_than_its_text() -> None:
    """Streamed lines (here 5,000 of 31 characters, one display row each): the view keeps
    each line's text and about 32 bytes besides (its row and its first row's index)."""
    import gc
    import sys
    import tracemalloc

    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(StreamLog)
        await pilot.pause()
        line = "tok " * 7 + "tok"
        batch = (line + "\n") * 250
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(20):
                log.append(batch)
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert log.row_count == 5001
        per_line_overhead = (grown - 5000 * sys.getsizeof(line)) / 5000
        assert per_line_overhead < 60, per_line_overhead  # ~190 bytes as tuples and ints


async def test_the_strip_cache_holds_a_few_screens_of_rows() -> None:
    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(StreamLog)
        await pilot.pause()
        log.append("".join(f"line {i}\n" for i in range(400)))
        await pilot.pause()
        for y in range(0, 400, 5):
            log.scroll_to(y=y, animate=False, immediate=True)
            assert log.scroll_y == min(y, log.max_scroll_y)
            log.render_lines(log.region.reset_offset)
        keep = max(MIN_CACHED_ROWS, 3 * log.size.height)
        assert log.row_count > 4 * keep
        assert len(log._cache) <= keep

"""DiffView: hunk/file decisions, navigation, messages, focus_location, lazy highlighting."""

from __future__ import annotations

import time

from duo_tui.ui.widgets.diff_highlight import lexer_for
from duo_tui.ui.widgets.diff_view import DiffView

from ._support import HostApp, big_new_file, sample_files

REAL_DIFF = """\
diff --git a/app/x.py b/app/x.py
index 1111111..2222222 100644
--- a/app/x.py
+++ b/app/x.py
@@ -1,3 +1,4 @@
 import os
+import sys
\x20
 def main():
@@ -10,2 +11,2 @@ def main():
-    return 1
+    return 0
     # end
diff --git a/img.png b/img.png
new file mode 100644
index 0000000..3333333
Binary files /dev/null and b/img.png differ
"""


def _host(files=None) -> HostApp:  # type: ignore[no-untyped-def]
    chosen = sample_files() if files is None else files
    return HostApp(lambda: [DiffView(chosen, id="diff")])


def _rendered(view: DiffView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


async def test_space_toggles_selected_hunk_and_posts_message() -> None:
    app = _host()
    async with app.run_test() as pilot:
        view = app.query_one(DiffView)
        view.focus()
        assert view.selected_hunk_id == "app/webhooks.py#1"
        await pilot.press("down")
        assert view.selected_hunk_id == "app/webhooks.py#2"
        await pilot.press("space")
        await pilot.pause()
        assert view.rejected_hunks == frozenset({"app/webhooks.py#2"})
        changes = app.of(DiffView.HunkDecisionChanged)
        assert changes[-1].rejected == frozenset({"app/webhooks.py#2"})
        assert any("✗ rejected" in line for line in _rendered(view))
        await pilot.press("space")
        await pilot.pause()
        assert view.rejected_hunks == frozenset()
        assert app.of(DiffView.HunkDecisionChanged)[-1].rejected == frozenset()
        # j/k work like down/up
        await pilot.press("k")
        assert view.selected_hunk_id == "app/webhooks.py#1"
        await pilot.press("j", "j")
        assert view.selected_hunk_id == "app/ratelimit.py#1"
        highlighted = app.of(DiffView.HunkHighlighted)
        assert highlighted[-1].hunk_id == "app/ratelimit.py#1"


async def test_f_toggles_whole_file_and_brackets_move_between_files() -> None:
    app = _host()
    async with app.run_test() as pilot:
        view = app.query_one(DiffView)
        view.focus()
        await pilot.press("f")
        await pilot.pause()
        both = frozenset({"app/webhooks.py#1", "app/webhooks.py#2"})
        assert view.rejected_hunks == both
        assert app.of(DiffView.HunkDecisionChanged)[-1].rejected == both
        await pilot.press("right_square_bracket")
        assert view.selected_path == "app/ratelimit.py"
        await pilot.press("f")
        await pilot.pause()
        assert view.rejected_hunks == both | {"app/ratelimit.py#1"}
        await pilot.press("left_square_bracket")
        assert view.selected_hunk_id == "app/webhooks.py#1"
        # partly accepted file: toggling rejects the rest; all rejected: accepts all
        await pilot.press("space")  # accept #1 again
        await pilot.press("f")
        assert both <= view.rejected_hunks
        await pilot.press("f")
        assert view.rejected_hunks == frozenset({"app/ratelimit.py#1"})


async def test_focus_location_scrolls_and_marks_lines() -> None:
    app = _host()
    async with app.run_test(size=(80, 12)) as pilot:
        view = app.query_one(DiffView)
        assert view.focus_location("app/ratelimit.py", 13, 16) is True
        await pilot.pause()
        assert view.selected_hunk_id == "app/ratelimit.py#1"
        assert view.scroll_y > 0
        lines = _rendered(view)
        for number in (13, 14, 15, 16):
            assert any(line[1:].strip().startswith(f"{number} +") for line in lines), lines

        # the marked lines carry the mark style (background), the others do not
        def background(prefix: str) -> object:
            for y in range(view.scrollable_content_region.height):
                strip = view.render_line(y)
                if strip.text[1:].strip().startswith(prefix):
                    style = list(strip)[-1].style
                    return None if style is None else style.bgcolor
            raise AssertionError(f"no row {prefix!r}")

        assert background("13 +") == background("16 +")
        assert background("13 +") != background("12 +")  # 12 is added but not marked
        # a line outside every hunk: the file is marked, False returned
        assert view.focus_location("app/webhooks.py", 200, 210) is False
        assert view.focus_location("nope.py", 1) is False
        assert view.highlight_lines("app/webhooks.py", range(42, 45)) is True
        assert view.selected_hunk_id == "app/webhooks.py#2"
        view.clear_marks()


async def test_ten_thousand_line_new_file_opens_fast() -> None:
    files = big_new_file(10_000)
    lexer_for("warm.py")  # the one-time import of pygments' Python lexer is not the view's cost
    app = HostApp(lambda: [DiffView(id="diff")])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        # The widget's own work: take the files and draw every visible row.
        started = time.perf_counter()
        view.set_files(files)
        lines = _rendered(view)
        own = time.perf_counter() - started
        print(f"10,000-line file: set_files + first screen in {own * 1000:.0f} ms")
        assert own < 0.2, f"opening took {own * 1000:.0f} ms"
        assert any("def function_0" in line for line in lines)
        # only the first chunk has been highlighted
        assert view._highlighter.highlighted_chunks(0, 0) == {0}

        # The whole path through Textual (mount, layout, paint) stays well under a second.
        started = time.perf_counter()
        await app.mount(DiffView(files))
        await pilot.pause()
        assert time.perf_counter() - started < 1.0

        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert any("9999" in line for line in _rendered(view))
        assert len(view._highlighter.highlighted_chunks(0, 0)) == 2


async def test_real_parse_diff_output_and_binary_file() -> None:
    from duo_tui.vcs.diff import parse_diff

    files = parse_diff(REAL_DIFF)
    app = _host(files)
    async with app.run_test() as pilot:
        view = app.query_one(DiffView)
        view.focus()
        text = "\n".join(_rendered(view))
        assert "app/x.py" in text and "img.png" in text and "binary file" in text
        await pilot.press("right_square_bracket")
        assert view.selected_hunk_id == "img.png"  # a hunkless file is decided as a whole
        await pilot.press("space")
        await pilot.pause()
        assert view.rejected_hunks == frozenset({"img.png"})
        view.set_rejected(["app/x.py#2", "unknown#9"])
        assert view.rejected_hunks == frozenset({"app/x.py#2"})
        assert view.select_hunk("app/x.py#2")
        assert view.selected_hunk_id == "app/x.py#2"


async def test_empty_diff_is_harmless() -> None:
    app = _host([])
    async with app.run_test() as pilot:
        view = app.query_one(DiffView)
        view.focus()
        await pilot.press("down", "space", "f", "right_square_bracket")
        assert view.rejected_hunks == frozenset()
        assert view.selected_hunk_id is None

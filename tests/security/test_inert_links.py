"""A link in model-written Markdown opens nothing, and its real target is shown (issue 16).

Textual's `Markdown` opens a clicked link with `App.open_url` (the system's URL
handler: a browser for http, whatever is registered for `smb:` or `vscode:`).
A model's plan or review could hide any target behind any text. In a stream
pane (the plan, the reviews) every link is now plain text followed by its
target; clicking it, or a `LinkClicked` that still reaches the widget, opens
nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

import duo_tui.ui
from duo_tui.ui.widgets.stream_pane import StreamPane
from tests.pilot._helpers import wait_for
from tests.ui_widgets._support import HostApp

#: Each hostile link starts its own paragraph, so its text is at the paragraph's column 0.
HOSTILE = {
    "http lookalike": ("[https://bank.example/login](http://evil.example/login)", "http://evil.example/login"),
    "smb share": ("[the design doc](smb://attacker.example/share)", "smb://attacker.example/share"),
    "editor handler": ("[open the file](vscode://file/etc/passwd)", "vscode://file/etc/passwd"),
    "unicode host": ("[google](http://gооgle.example/)", "http://xn--ggle-55da.example/"),
    "image": ("![diagram](http://tracker.example/pixel.png)", "http://tracker.example/pixel.png"),
    "in a heading": ("## [Steps](http://evil.example/steps)", "http://evil.example/steps"),
}  # fmt: skip


def _host() -> HostApp:
    return HostApp(lambda: [StreamPane("Planner", "anthropic/claude-opus-4-7", id="pane")])


async def test_clicking_a_model_link_opens_nothing_and_its_target_is_shown() -> None:
    app = _host()
    opened: list[str] = []
    app.open_url = lambda url, **_kw: opened.append(url)  # type: ignore[method-assign]
    doc = "\n\n".join(md for md, _target in HOSTILE.values()) + "\n"
    async with app.run_test(size=(120, 50)) as pilot:
        pane = app.query_one(StreamPane)
        pane.reset("Planner", "anthropic/claude-opus-4-7")
        pane.append(doc)
        pane.finish(complete=True)
        pane.set_markdown()
        markdown = pane.query_one("#stream-markdown", Markdown)
        await wait_for(pilot, lambda: len(markdown.query(MarkdownBlock)) >= len(HOSTILE))
        await pilot.pause()
        blocks = [b for b in markdown.query(MarkdownBlock) if b.region.width]
        assert len(blocks) >= len(HOSTILE)
        for block in blocks:
            await pilot.click(block, offset=(2, 0))
            await pilot.pause()
        # a LinkClicked that still reached the widget (a future Textual, a table cell)
        markdown.post_message(Markdown.LinkClicked(markdown, "smb://attacker.example/share"))
        await pilot.pause()
        shown = "\n".join(str(b.content) for b in blocks)
    assert opened == []
    for name, (_md, target) in HOSTILE.items():
        assert f"⟨{target}⟩" in shown, (name, shown)


def test_every_markdown_widget_of_the_ui_is_inert() -> None:
    """Markdown is only rendered through `InertMarkdown`: no other module builds a
    Textual `Markdown` or `MarkdownViewer` (whose links open anything)."""
    root = Path(duo_tui.ui.__file__).parent
    direct = re.compile(r"\b(Markdown|MarkdownViewer)\(")
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "inert_markdown.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if direct.search(line)
    ]
    assert found == []

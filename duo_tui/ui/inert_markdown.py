"""Model-written Markdown, rendered with every link made inert and its target shown.

A model's plan or review is untrusted text. Textual's `Markdown` makes each
link clickable and opens its target with `App.open_url`: a click on a
`[docs](http://lookalike.example)` or a linkified `file:` path would open
whatever the model chose, behind text that may say something else. The policy
here: nothing in model Markdown is clickable. A link shows as its text followed
by its real target, `docs ⟨http://lookalike.example⟩` (markdown-it has already
percent-encoded it and turned a Unicode host into its `xn--` form, so a
lookalike shows as one) unless the text already is exactly that target; an
image shows as `[image: alt] ⟨src⟩`. To visit a target, the human copies it. `InertMarkdown` also refuses to open any link that might
still reach it (`open_links=False`, and `LinkClicked` is stopped).
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from textual.widgets import Markdown

__all__ = ["InertMarkdown", "inert_parser"]

#: Brackets around a link's target: not Markdown syntax, and rare in model text.
OPEN, CLOSE = "⟨", "⟩"


def _text(content: str, like: Token) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = like.level
    return token


def _shown(target: str, text: str) -> bool:
    """Whether a link's target must be shown: unless its text already says exactly it."""
    return target not in (text, f"http://{text}", f"mailto:{text}")


def _inert(children: list[Token]) -> list[Token]:
    """An inline token's children with each link and image turned into plain text."""
    out: list[Token] = []
    links: list[tuple[str, int]] = []  # each open link: its target, where its text starts
    for tok in children:
        if tok.type == "link_open":
            links.append((str(tok.attrs.get("href", "")), len(out)))
        elif tok.type == "link_close":
            target, start = links.pop() if links else ("", len(out))
            text = "".join(t.content for t in out[start:] if t.type in ("text", "code_inline"))
            if target and _shown(target, text):
                out.append(_text(f" {OPEN}{target}{CLOSE}", tok))
        elif tok.type == "image":
            alt = "".join(c.content for c in tok.children or []) or tok.content
            src = str(tok.attrs.get("src", ""))
            out.append(_text(f"[image: {alt}] {OPEN}{src}{CLOSE}", tok))
        else:
            out.append(tok)
    return out


def _inert_links(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _inert(token.children)


def inert_parser() -> MarkdownIt:
    """Textual's default parser ("gfm-like") with links and images made plain text."""
    parser = MarkdownIt("gfm-like")
    parser.core.ruler.push("duo_inert_links", _inert_links)
    return parser


class InertMarkdown(Markdown):
    """A `Markdown` for untrusted text: no link in it is clickable or ever opened."""

    def __init__(self, markdown: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("parser_factory", inert_parser)
        super().__init__(markdown, open_links=False, **kwargs)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.prevent_default()  # Markdown's own handler would open it
        event.stop()  # and no screen above may either

"""`visible(text)`: a Rich `Text` built from untrusted parts, with its controls made visible;
`shown(text)`: an untrusted field cut to what a widget draws; `shown_line(text)`: a
one-line field (a title, a name) cut and cleaned to one line.

Screens that assemble a styled `Text` from many pieces of model and repository
text (a task's goal, findings, commit message, diff) pass the result here once
instead of cleaning every `append`. The text of each styled run goes through
`duo_tui.safe_text.clean`; the styles stay on the same runs. (Rich drops BEL,
BS, VT, FF and CR itself when text is appended, so those are gone, not shown.)

A review may hold a multi-megabyte word (2 MB fit in a model reply, 20 MB in a
review file given to `duo-tui triage`); drawn whole, Textual wraps it into
thousands of lines on every render (a 5 MB title took 95 s and 370 MB to show).
`shown` keeps the first `SHOWN_CHARS` characters of such a field and says how
many more there are; the file itself keeps all of them. Every surface that shows
model or repository text (the triage screen, the review panes, a task's detail,
the task list, the eval report and its detail, the history, dialogs and toasts)
cuts each field with them.
"""

from __future__ import annotations

from rich.text import Text

from duo_tui.safe_text import clean, clean_line, is_clean

__all__ = ["SHOWN_CHARS", "TITLE_CHARS", "shown", "shown_line", "visible"]

#: The most characters of one untrusted field (a finding's detail) a widget draws.
SHOWN_CHARS = 10_000
#: ... of a one-line field (a title, a name, a location).
TITLE_CHARS = 500


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text`, or its first `limit` characters and how many more there are."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters not shown)"


def shown_line(text: str, limit: int = TITLE_CHARS) -> str:
    """`text` cut by `shown`, then cleaned to one line (controls made visible)."""
    return clean_line(shown(text, limit))


def visible(text: Text) -> Text:
    """`text` with every control and bidi character made visible, styles kept."""
    if is_clean(text.plain):
        return text
    cuts = sorted({s.start for s in text.spans} | {s.end for s in text.spans})
    out = Text(style=text.style, justify=text.justify, no_wrap=text.no_wrap, end=text.end)
    for part in text.divide(cuts):
        piece = Text(clean(part.plain), style=part.style)
        for span in part.spans:  # every cut is a span edge: each span covers its part
            piece.stylize(span.style)
        out.append_text(piece)
    return out

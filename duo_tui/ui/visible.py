"""`visible(text)`: a Rich `Text` built from untrusted parts, with its controls made visible.

Screens that assemble a styled `Text` from many pieces of model and repository
text (a task's goal, findings, commit message, diff) pass the result here once
instead of cleaning every `append`. The text of each styled run goes through
`duo_tui.safe_text.clean`; the styles stay on the same runs. (Rich drops BEL,
BS, VT, FF and CR itself when text is appended, so those are gone, not shown.)
"""

from __future__ import annotations

from rich.text import Text

from duo_tui.safe_text import clean, is_clean

__all__ = ["visible"]


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

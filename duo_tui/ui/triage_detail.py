"""What the triage screen's detail pane says about one group of findings.

Each reviewer's side (every finding of a one-to-many group), a carried-over
decision, and who grouped the findings when the matcher did not: the judge
(its verdicts, each with its one-line reason) or the human (a split or join).
Every word from a review or a model fills a `$slot` as plain text, controls made
visible (`duo_tui.safe_text`), never markup.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content

from duo_tui.core.models import Review
from duo_tui.core.review_rerun import reviewer_name
from duo_tui.safe_text import clean, clean_line
from duo_tui.ui.visible import TITLE_CHARS, shown

__all__ = ["DECISION_LABEL", "detail_sides", "provenance"]

DECISION_LABEL = {
    "fix": "● fix",
    "dismiss": "○ dismiss",
    "accept_risk": "△ accept-risk",
    "defer": "… defer",
    "pending": "· pending",
}


def _location(f: dict[str, Any]) -> str:
    loc = str(f.get("file") or "(whole change)")
    if f.get("line_start"):
        le = f.get("line_end")
        loc += f":{f['line_start']}" + (f"-{le}" if le and le != f["line_start"] else "")
    return loc


def provenance(g: dict[str, Any]) -> Content | None:
    """Who grouped these findings when the matcher did not, and the judge's reasons."""
    lines: list[Content] = []
    if g.get("by") == "human":
        lines.append(Content.from_markup("[b]✎ your correction[/b] (split or joined by hand)"))
    for v in g.get("judge") or []:
        if not isinstance(v, dict):
            continue
        # the judge's words are model text: plain slots, controls made visible
        lines.append(
            Content.from_markup(
                "[b]⚖ judge[/b]: $a/$b $verdict ($applied): $reason",
                a=clean_line(shown(str(v.get("a", "?")), TITLE_CHARS)),
                b=clean_line(shown(str(v.get("b", "?")), TITLE_CHARS)),
                verdict=clean_line(shown(str(v.get("verdict", "?")), TITLE_CHARS)),
                applied=clean_line(shown(str(v.get("applied", "?")), TITLE_CHARS)),
                reason=clean_line(shown(str(v.get("reason", "")))),
            )
        )
    if not lines:
        return None
    out = lines[0]
    for line in lines[1:]:
        out = Content.assemble(out, "\n", line)
    return out


def detail_sides(
    g: dict[str, Any], reviews: dict[int, Review], carried: dict[str, Any] | None
) -> dict[int, Content | None]:
    """Side A's and side B's text (None: that reviewer did not report it); notes on A's."""
    sides: dict[int, Content | None] = {0: None, 1: None}
    for m in g["members"]:
        r, f = m["reviewer"], m["finding"]
        name = reviews[r].reviewer if r in reviews else f"reviewer {r + 1}"
        category, suggestion = str(f.get("category") or ""), str(f.get("suggestion") or "")
        # an empty category or suggestion leaves no dangling "·" or "suggestion:" behind
        side = Content.from_markup(
            "[b]$side · $name[/b] · $fid · [b]$severity[/b]"
            + (" · $category" if category.strip() else "")
            + "\n[b]$title[/b]\n$loc\n\n$detail"
            + ("\n\n[i]suggestion:[/i] $suggestion" if suggestion.strip() else ""),
            side=reviewer_name(r),
            # each field cut to what is worth drawing (a review may hold a 5 MB word)
            name=clean_line(shown(str(name), TITLE_CHARS)),
            fid=clean_line(shown(str(f["id"]), TITLE_CHARS)),
            severity=clean_line(shown(str(f["severity"]), TITLE_CHARS)),
            category=clean_line(shown(category, TITLE_CHARS)),
            title=clean_line(shown(str(f["title"]), TITLE_CHARS)),
            loc=clean_line(shown(_location(f), TITLE_CHARS)),
            detail=clean(shown(str(f.get("detail", "")))),
            suggestion=clean(shown(suggestion)),
        )
        # A one-to-many group: the covered finding follows the first of its side.
        before = sides[min(r, 1)]
        sides[min(r, 1)] = side if before is None else Content.assemble(before, "\n\n", side)
    if carried is not None:
        note = Content.from_markup(
            "[$warning]carried over[/]: the same finding was $key in round $round, decided "
            "$decision" + (" ($reason)" if carried.get("reason") else ""),
            key=clean_line(shown(str(carried.get("key", "?")), TITLE_CHARS)),
            round=clean_line(shown(str(carried.get("round", "?")), TITLE_CHARS)),
            decision=DECISION_LABEL.get(str(carried.get("decision")), "?"),
            reason=clean_line(shown(str(carried.get("reason", "")))),
        )
        sides[0] = Content.assemble(note, "\n\n", sides[0] or "")
    said = provenance(g)
    if said is not None:
        sides[0] = Content.assemble(said, "\n\n", sides[0] or "")
    return sides

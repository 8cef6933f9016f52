"""Issue 16: the one sanitiser (`duo_tui.safe_text`) shows every control, hides nothing,
never doubles an escape, and is fast on streamed text."""

from __future__ import annotations

import time

from duo_tui.safe_text import BIDI_CONTROLS, clean, clean_line, clean_obj, is_clean

from .hostile import FORBIDDEN, PAYLOAD, VISIBLE, forbidden_in


def test_the_attack_payload_is_shown_not_executed() -> None:
    assert clean(PAYLOAD) == VISIBLE
    assert not any(ch in FORBIDDEN for ch in clean(PAYLOAD))


def test_every_c0_c1_and_bidi_control_is_replaced_by_visible_text() -> None:
    controls = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in (9, 10)]
    for ch in [*controls, *BIDI_CONTROLS]:
        shown = clean(f"a{ch}b")
        assert shown.startswith("a") and shown.endswith("b"), repr(ch)
        assert len(shown) > 2, f"{ch!r} was dropped, not shown"
        assert shown.isprintable(), (repr(ch), shown)
    assert clean("\x1b") == "␛" and clean("\x07") == "␇" and clean("\x00") == "␀"
    assert clean("\x7f") == "␡" and clean("\x9b") == "\\x9b"
    assert clean("\u202e") == "<U+202E>" and clean("\u2066") == "<U+2066>"
    assert clean("\u200f") == "<U+200F>"


def test_newline_tab_and_ordinary_unicode_are_kept() -> None:
    text = "line one\n\tindented — ✓ 漢字 👩\u200d💻 e\u0301\n"
    assert clean(text) is text
    assert is_clean(text)


def test_crlf_becomes_lf_and_a_lone_cr_is_shown() -> None:
    assert clean("a\r\nb") == "a\nb"
    assert clean("safe\rrm -rf ~") == "safe␍rm -rf ~"  # could not overwrite "safe"
    assert clean("end\r") == "end␍"


def test_cleaning_twice_changes_nothing() -> None:
    for text in (PAYLOAD, "a\r\n\r", "\\x9b", "<U+202E>", "␛[2J"):
        once = clean(text)
        assert clean(once) == once
        assert clean_line(clean_line(text)) == clean_line(text)


def test_clean_line_keeps_one_line() -> None:
    assert clean_line("fix: a\n■ session converged") == "fix: a␤■ session converged"
    assert clean_line("a\r\nb\x1b") == "a␤b␛"
    assert "\n" not in clean_line(PAYLOAD + "\n")


def test_clean_obj_cleans_keys_and_values_and_keeps_the_rest() -> None:
    data = {PAYLOAD: [PAYLOAD, 1, None, True, {"k": PAYLOAD}], "n": 2.5}
    assert clean_obj(data) == {VISIBLE: [VISIBLE, 1, None, True, {"k": VISIBLE}], "n": 2.5}


def test_fast_enough_for_streamed_text() -> None:
    prose = "The plan: add a rate limiter to the webhook endpoint. " * 20_000  # ~1 MB
    hostile = prose + PAYLOAD * 1000
    start = time.perf_counter()
    for _ in range(10):
        clean(prose)
        clean(hostile)
    per_mb = (time.perf_counter() - start) / 20 / (len(hostile) / 1e6)
    # measured about 8 ms per MB clean and 16 ms per MB with controls on a 2-core machine
    assert per_mb < 0.25, f"{per_mb * 1000:.0f} ms per MB"


def test_a_styled_rich_text_keeps_its_styles_when_made_visible() -> None:
    """`duo_tui.ui.visible`: a screen's Text built from many untrusted parts, cleaned once."""
    from rich.text import Text

    from duo_tui.ui.visible import visible

    text = Text()
    text.append("T1  ", style="bold")
    text.append("title" + PAYLOAD, style="red")
    text.append(" plain\r\nnext")
    shown = visible(text)
    # Rich itself drops BEL, BS, VT, FF and CR when text is appended; the rest is shown
    seen = VISIBLE.replace("␇", "").replace("␍", "")
    assert shown.plain == f"T1  title{seen} plain\nnext"
    assert forbidden_in(shown.plain) == []
    red = next(span for span in shown.spans if span.style == "red")
    assert shown.plain[red.start : red.end] == "title" + seen
    assert visible(Text("clean")).plain == "clean"

"""Untrusted text made safe to show: the one sanitiser for model and repository text.

Every string that came from a model or from the repository (a finding title, a
plan, a commit subject, a file name, a gate log, an error a provider echoed) can
hold terminal control sequences: `ESC]52;c;<base64>BEL` writes to the user's
clipboard, `ESC]0;...` retitles the window, `ESC[2J` clears the screen. Bidi
overrides reorder what is shown so that the text reads differently from what it
is ("Trojan Source"). Such a string passes through `clean` (or `clean_line`,
`clean_obj`) before it is printed, rendered, exported or committed.

What `clean` does, so that nothing is hidden and nothing drives the terminal:

* C0 controls other than newline and tab become their Unicode control pictures:
  ESC -> `␛` (U+241B), BEL -> `␇`, NUL -> `␀`, ... (U+2400 + code); DEL -> `␡`.
* C1 controls (U+0080..U+009F; U+009B is an 8-bit CSI) become `\\x9b`-style text.
* A CR LF pair becomes LF (Windows line endings are not an attack); a lone CR,
  which would move the cursor back and let later text overwrite the line,
  becomes `␍`.
* Bidi controls become `<U+202E>`-style text: the embeddings and overrides
  U+202A..U+202E, the isolates U+2066..U+2069, and also the invisible marks
  U+200E (LRM), U+200F (RLM) and U+061C (ALM), which reorder neighbouring
  neutral characters just as well. Other invisible characters (zero-width
  joiners, which emoji need) are left alone: they do not reorder text and do
  not reach the terminal as controls.

The result holds only printable text, newlines and tabs, and `clean` of it is
the same text: cleaning twice never doubles an escape, so a boundary may clean
what an earlier layer cleaned already. A string without anything to replace is
returned as is after one regex scan (streamed text passes through here).

In the UI, cleaned text goes into a Rich `Text` or a Textual `Content`, never
into markup: a title holding `[` is markup too.
Plain Python, no Textual or Rich import: the core, the CLI and git use it.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["BIDI_CONTROLS", "clean", "clean_line", "clean_obj", "is_clean"]

#: Bidi formatting characters shown as `<U+XXXX>` (see the module docstring).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# Everything `clean` replaces (tab and newline are not in it; CR is, lone or in CR LF).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")

_TABLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20) if c not in (9, 10)}
_TABLE[0x7F] = "\u2421"  # ␡
_TABLE.update({c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})
_TABLE.update({ord(ch): f"<U+{ord(ch):04X}>" for ch in BIDI_CONTROLS})

# `clean_line` also shows a line break as `␤`, so one line stays one line.
_LINE_TABLE = dict(_TABLE)
_LINE_TABLE[10] = "\u2424"  # ␤


def clean(text: str) -> str:
    """`text` with every control character and bidi control made visible; newlines and
    tabs kept. Idempotent; returns `text` itself when there is nothing to replace."""
    if _UNSAFE.search(text) is None:
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_TABLE)


def clean_line(text: str) -> str:
    """`clean` for a place that shows one line (a progress line, a table cell, a
    title): a newline is shown as `␤` too, so the text cannot start a line of its own."""
    if "\n" not in text and _UNSAFE.search(text) is None:
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_LINE_TABLE)


def is_clean(text: str) -> bool:
    """True when `text` holds nothing `clean` would replace."""
    return _UNSAFE.search(text) is None


def clean_obj(value: Any) -> Any:
    """`clean` applied to every string (dict keys included) of a JSON-like structure."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_obj(k): clean_obj(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_obj(v) for v in value]
    return value

"""litellm's own log records reach stderr: redacted and with their controls made visible.

litellm logs (at WARNING and above) through its own stderr handler, and what it
logs can quote a provider's error body: model or proxy text that may hold
`ESC]52;c;...` (a clipboard write) as well as a key it echoed. Every record of
its loggers passes through duo-tui's filter before any handler sees it.
"""

from __future__ import annotations

import logging

import pytest

from duo_tui.providers.litellm_provider import LITELLM_LOGGERS, import_litellm

KEY = "sk-ant-" + "Zq7w" * 10
HOSTILE = "proxy said: \x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;owned\x07\x9b2J\u202e key " + KEY


@pytest.mark.parametrize("name", LITELLM_LOGGERS)
def test_a_litellm_log_record_is_redacted_and_its_controls_visible(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    import_litellm()
    with caplog.at_level(logging.WARNING, logger=name):
        logging.getLogger(name).warning("giving up: %s", HOSTILE)
    [record] = [r for r in caplog.records if r.name == name]
    shown = record.getMessage()
    assert KEY not in shown  # ours, or litellm's own redaction (REDACTED)
    assert "␛]52;c;cm0gLXJmIH4=␇␛]0;owned␇\\x9b2J<U+202E>" in shown
    assert not any(c in shown for c in "\x1b\x07\x9b\u202e")

"""Redaction of secrets: every string duo-tui writes to disk or a log passes here.

Two nets: the exact values of key-bearing environment variables present in this
process, and key-shaped patterns (sk-..., sk-ant-..., AKIA..., bearer tokens...).
"""

from __future__ import annotations

import os
import re

REDACTED = "[REDACTED]"

_KEY_ENV_HINTS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL")

_PATTERNS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{20,}"),
    re.compile(r"(?i)((?:x-)?api[-_]?key[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._\-]{16,}"),
]


def secret_values() -> list[str]:
    """Values of environment variables that look like they hold secrets (len >= 8)."""
    out = []
    for name, value in os.environ.items():
        if any(h in name.upper() for h in _KEY_ENV_HINTS) and len(value) >= 8:
            out.append(value)
    return sorted(set(out), key=len, reverse=True)


def redact(text: str, secrets: list[str] | None = None) -> str:
    """Replace every known secret value and key-shaped string with [REDACTED].

    `secrets` lets a caller redacting many strings compute `secret_values()` once.
    """
    if not text:
        return text
    for value in secret_values() if secrets is None else secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    for pat in _PATTERNS:
        if pat.groups:
            text = pat.sub(lambda m: m.group(1) + REDACTED, text)
        else:
            text = pat.sub(REDACTED, text)
    return text


def find_secrets(text: str) -> list[str]:
    """Key-shaped strings and known secret values found in `text` (for scans and tests)."""
    hits = [v for v in secret_values() if v in text]
    for pat in _PATTERNS:
        hits.extend(m.group(0) for m in pat.finditer(text))
    return hits

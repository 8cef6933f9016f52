"""Redaction of secrets: every string duo-tui writes to disk or a log passes here.

Two nets: the exact values of key-bearing environment variables present in this
process, and key-shaped patterns (sk-..., sk-ant-..., AKIA..., bearer tokens...).

Key-bearing variables are those whose name looks like one (KEY, TOKEN,
SECRET, ...) and every name *registered* with `register_key_env`: loading the
configuration registers each `[providers.X] api_key_env`, every provider's
usual key variable and `[secrets] env`, so a key read through
`api_key_env = "LLM_AUTH"` is redacted by value wherever it shows up. The
same names are what the gate removes from its environment (`key_env_names`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"

_KEY_ENV_HINTS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL")

_PATTERNS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    re.compile(r"\b[rs]k_live_[0-9A-Za-z]{24,}\b"),  # Stripe live secret / restricted keys
    re.compile(r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9_/]{20,}"),
    # an AWS secret access key (40 base64 characters) assigned to an aws...secret name
    re.compile(
        r"(?i)(aws[\w.-]{0,30}?secret[\w.-]{0,20}[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"
    ),
    # the user:password of a URL: http://alice:PASSWORD@proxy/v1
    # (only with a password: ssh://git@host names no secret)
    re.compile(r"(?i)\b([a-z][a-z0-9+.\-]{0,15}://)[^\s/@:]*:[^\s/@]+(?=@)"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{20,}"),
    re.compile(r"(?i)((?:x-)?api[-_]?key[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._\-]{16,}"),
]


#: Names of environment variables known to hold a key (see `register_key_env`).
_REGISTERED: set[str] = set()

#: Shorter values are not redacted by value: replacing every "abc" would mangle text.
MIN_SECRET_LEN = 8


def register_key_env(names: Iterable[str]) -> None:
    """Treat the values of these environment variables as secrets from now on.

    Called when the configuration is loaded; registration only ever adds (a
    name, once registered, stays redacted for the life of the process).
    """
    _REGISTERED.update(n for n in names if n)


def is_key_env(name: str) -> bool:
    """True for a variable that holds (or looks like it holds) a secret."""
    return name in _REGISTERED or any(h in name.upper() for h in _KEY_ENV_HINTS)


def key_env_names() -> set[str]:
    """The key-bearing variables set in this process's environment."""
    return {name for name in os.environ if is_key_env(name)}


def secret_values() -> list[str]:
    """Values of key-bearing environment variables (len >= MIN_SECRET_LEN), longest first."""
    out = []
    for name, value in os.environ.items():
        if is_key_env(name):
            # the SDKs send the key stripped, so a server echoes it stripped
            out += [v for v in (value, value.strip()) if len(v) >= MIN_SECRET_LEN]
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

"""The secret scan of a staged change, run before every commit.

Two detectors over the *added* lines of the unified diff:

* `detect-secrets` (Yelp's maintained detector): AWS keys (access key ids and
  secret access keys in an assignment), Stripe `sk_live_`/`rk_live_`, Slack
  tokens and webhooks, GitHub/GitLab/npm/PyPI/OpenAI/SendGrid/Twilio/...
  tokens, JWTs, basic-auth URLs, private keys and `password = "..."`-style
  assignments (its keyword detector, with its filters for templated and
  obviously fake values). Its two high-entropy string detectors and the
  public-IP detector are left out: on source code they flag every hash, UUID,
  base64 fixture and address, and a commit refused for a git sha helps nobody.
* our own checks for what it lacks: the values of this process's key
  variables and the key shapes of `duo_tui.redact` (Anthropic `sk-ant-`,
  Google `AIza`, bearer tokens, `api_key=`...), and private-key block markers.

A known false positive is allowed only by `[secrets] allow` in the user's
configuration: a regular expression searched in the flagged line, or the
SHA-1 hex digest of the flagged string (the `hashed_secret` of a
detect-secrets baseline). detect-secrets' inline `pragma: allowlist secret`
comment is deliberately NOT honoured: the scanned lines are the ones the model
just wrote, so a model could write the pragma beside the secret it leaks. And
no allow entry ever allows the value of one of this process's key variables
(the real keys).

A hit names the file, the line and the kind of secret, never the value.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from duo_tui.errors import GitError
from duo_tui.redact import find_secrets, secret_values
from duo_tui.vcs.diff import unquote_path

_PRIVATE_KEY_RE = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_HUNK_NEW_RE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_SHA1_RE = re.compile(r"^[0-9a-f]{40}$")

#: detect-secrets plugins left out (see the module docstring).
_NOISY_PLUGINS = frozenset({"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"})
#: detect-secrets' filter honouring `pragma: allowlist secret` (not honoured here).
_PRAGMA_FILTER = "detect_secrets.filters.allowlist.is_line_allowlisted"


@dataclass(frozen=True)
class SecretHit:
    """Where a secret-looking string was found in a staged change (never the value)."""

    path: str
    line: int
    kind: str


class SecretsFound(GitError):
    """A commit refused because the staged change holds secret-looking content."""

    def __init__(self, hits: Sequence[SecretHit]) -> None:
        self.hits = list(hits)
        super().__init__(
            f"refusing to commit: secret-looking content at {describe_hits(self.hits)}; "
            "remove it from the change (use an environment variable or a secret store)"
        )


def describe_hits(hits: Sequence[SecretHit], limit: int = 10) -> str:
    """`path:line (kind)` of the first `limit` hits, and how many more."""
    from duo_tui.safe_text import clean_line  # file names come from the model's edits

    where = ", ".join(f"{clean_line(h.path)}:{h.line} ({h.kind})" for h in hits[:limit])
    more = f" and {len(hits) - limit} more" if len(hits) > limit else ""
    return where + more


def blocked_reason(task_id: str, hits: Sequence[SecretHit], worktree: Path, session: str) -> str:
    """The stop reason of a session blocked by a refused commit: where, what kind, the way on."""
    from duo_tui.safe_text import clean_line

    drop = " ".join(shlex.quote(clean_line(f)) for f in sorted({h.path for h in hits}))
    return (
        f"commit of {task_id} refused: secret-looking content at {describe_hits(hits)}. "
        f"The way on: drop it (in the worktree {worktree}: `git checkout -- {drop}` drops "
        "the whole file's change, or edit the line out) or move the secret to an environment "
        "variable; for a false positive add a [secrets] allow entry (a regex of the line or "
        "the secret's SHA-1) to your config. Then resume: "
        f"`duo-tui run --resume {session}` or `duo-tui resume {session}`."
    )


def check_allow_patterns(patterns: Iterable[str]) -> list[str]:
    """The `[secrets] allow` entries, each a SHA-1 digest or a valid regular expression."""
    out = []
    for p in patterns:
        if not _SHA1_RE.match(p.lower()):
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(
                    f"{p!r} is neither a SHA-1 digest nor a regular expression: {exc}"
                ) from None
        out.append(p)
    return out


def _added_lines(patch: str) -> list[tuple[str, int, str]]:
    """(file, line number in the new file, text) of every added line of a unified diff."""
    out: list[tuple[str, int, str]] = []
    path = ""
    new_line = 0
    for line in patch.split("\n"):
        if line.startswith("+++ "):
            target = unquote_path(line[4:].rstrip("\t"))
            path = target[2:] if target.startswith("b/") else target
            continue
        if line.startswith("@@"):
            m = _HUNK_NEW_RE.match(line)
            new_line = int(m.group(1)) if m else 0
            continue
        if line.startswith("+"):
            out.append((path, new_line, line[1:]))
            new_line += 1
        elif line.startswith(" "):
            new_line += 1
    return out


def _detect_secrets(
    added: list[tuple[str, int, str]],
) -> list[tuple[str, int, str, str]]:
    """(file, line, kind, sha1 of the secret) found by detect-secrets in the added lines."""
    from detect_secrets.core import scan
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import transient_settings

    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    names = [c.__name__ for c in classes]
    plugins = [{"name": n} for n in names if n not in _NOISY_PLUGINS]
    by_file: dict[str, list[tuple[int, str]]] = {}
    for file, number, text in added:
        by_file.setdefault(file, []).append((number, text))
    out = []
    with transient_settings({"plugins_used": plugins}) as settings:
        # its inline-pragma filter would let a model allow the secret it writes
        settings.disable_filters(_PRAGMA_FILTER)
        for file, lines in by_file.items():
            # the private API that scans given lines (scan_file would read the file)
            for s in scan._process_line_based_plugins(lines, filename=file):
                out.append((file, s.line_number, s.type, s.secret_hash))
    return out


def scan_patch_for_secrets(patch: str, allow: Sequence[str] = ()) -> list[SecretHit]:
    """Find secrets in the *added* lines of a unified diff (`-U0` is enough).

    `allow` holds `[secrets] allow` entries (regex or SHA-1 digest). An inline
    `pragma: allowlist secret` allows nothing (the model writes these lines).
    Hits name file, line and kind only.
    """
    added = every = _added_lines(patch)
    text_of = {(f, n): t for f, n, t in added}
    hashes = {p.lower() for p in allow if _SHA1_RE.match(p.lower())}
    regexes = [re.compile(p) for p in allow if not _SHA1_RE.match(p.lower())]

    def allowed(file: str, number: int, secret_hash: str) -> bool:
        line = text_of.get((file, number), "")
        return secret_hash in hashes or any(r.search(line) for r in regexes)

    found: dict[tuple[str, int], SecretHit] = {}

    def add(file: str, number: int, kind: str, secret_hash: str) -> None:
        if (file, number) not in found and not allowed(file, number, secret_hash):
            found[(file, number)] = SecretHit(file, number, kind)

    # The keys of this process are never allowed: no allow-list entry can let one
    # into a commit.
    values = secret_values()
    for file, number, text in every:
        if any(v in text for v in values) and (file, number) not in found:
            found[(file, number)] = SecretHit(file, number, "a key from this environment")
    for file, number, text in added:
        m = _PRIVATE_KEY_RE.search(text) if "PRIVATE KEY" in text else None
        if m:
            add(file, number, "private key", hashlib.sha1(m.group(0).encode()).hexdigest())
    for file, number, kind, secret_hash in _detect_secrets(added):
        add(file, number, kind, secret_hash)
    # One pass of find_secrets over everything (much faster than per file or line),
    # then locate each hit's line.
    for secret in dict.fromkeys(find_secrets("\n".join(t for _, _, t in added))):
        digest = hashlib.sha1(secret.encode()).hexdigest()
        for file, number, text in added:
            if secret in text:
                add(file, number, "API key or token", digest)
    return sorted(found.values(), key=lambda h: (h.path, h.line))

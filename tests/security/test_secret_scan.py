"""The pre-commit secret scan: detect-secrets plus our own checks, an allow-list, no values.

Every secret below is built at runtime (no secret-shaped literal in the sources).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from duo_tui.config import load_config
from duo_tui.errors import ConfigError, GitError
from duo_tui.vcs.secret_scan import SecretsFound, scan_patch_for_secrets
from duo_tui.vcs.worktree import SessionWorktree

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzq8Kd02LmN"
STRIPE_LIVE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_RESTRICTED = "rk_live_" + "9aB2cD4eF6gH8iJ0kL2mN4oP"
SLACK_HOOK = (
    "https://hooks.slack.com/services/T0" + "4B7QJ3K/B05C8RZ1M/" + "q7Vd2kLm9XcT4pWn8sYb3hJf"
)
PASSWORD = "Tr0ub4dor" + "&3-horse"

SECRET_LINES = {
    "aws": f'aws_secret_access_key = "{AWS_SECRET}"',
    "stripe": f'STRIPE_KEY = "{STRIPE_LIVE}"',
    "stripe_rk": f'client = Stripe("{STRIPE_RESTRICTED}")',
    "slack": f'WEBHOOK = "{SLACK_HOOK}"',
    "password": f'password = "{PASSWORD}"',
}
VALUES = [AWS_SECRET, STRIPE_LIVE, STRIPE_RESTRICTED, SLACK_HOOK, PASSWORD]


def patch_of(lines: list[str], path: str = "app/settings.py") -> str:
    body = "".join(f"+{ln}\n" for ln in lines)
    return f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"


@pytest.mark.parametrize("name", sorted(SECRET_LINES))
def test_each_kind_is_found_and_named_without_its_value(name: str) -> None:
    hits = scan_patch_for_secrets(patch_of(["import os", SECRET_LINES[name]]))
    assert [(h.path, h.line) for h in hits] == [("app/settings.py", 2)], name
    kind = hits[0].kind
    assert kind and not any(v in kind for v in VALUES)
    message = str(SecretsFound(hits))
    assert "app/settings.py:2" in message and not any(v in message for v in VALUES)


def test_ordinary_code_is_not_flagged() -> None:
    lines = [
        'sha = "3f786850e387550fdab836ed7e6dc881de23001b"',
        'ident = "123e4567-e89b-12d3-a456-426614174000"',
        'password = os.environ["DB_PASSWORD"]',
        "password = get_password()",
        'blob = "aGVsbG8gd29ybGQgdGhpcyBpcyBqdXN0IGJhc2U2NA=="',
        'dns = "8.8.8.8"',
    ]
    assert scan_patch_for_secrets(patch_of(lines)) == []


def test_a_false_positive_can_be_allowed() -> None:
    line = SECRET_LINES["password"]
    # [secrets] allow: a regex on the line, or the SHA-1 of the flagged string
    assert scan_patch_for_secrets(patch_of([line]), allow=[r"^password = "]) == []
    digest = hashlib.sha1(PASSWORD.encode()).hexdigest()
    assert scan_patch_for_secrets(patch_of([line]), allow=[digest]) == []
    assert scan_patch_for_secrets(patch_of([line]), allow=["0" * 40, "nomatch"]) != []


@pytest.mark.parametrize("kind", sorted(SECRET_LINES))
def test_a_model_written_pragma_allows_nothing(kind: str) -> None:
    """The scanned lines are the model's: its `pragma: allowlist secret` is ignored."""
    line = SECRET_LINES[kind] + "  # pragma: allowlist secret"
    assert [h.line for h in scan_patch_for_secrets(patch_of([line]))] == [1]


def test_a_real_key_of_this_process_cannot_be_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model writes the code, pragma included: the process's own keys stay blocked."""
    key = "k3y-" + "Rt6y" * 8
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    line = f'X = "{key}"  # pragma: allowlist secret'
    hits = scan_patch_for_secrets(patch_of([line]), allow=[".*"])
    assert [h.line for h in hits] == [1]


def test_bad_allow_entry_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[secrets]\nallow = ["(unclosed"]\n')
    with pytest.raises(ConfigError, match=r"secrets\.allow"):
        load_config(None, cfg)


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "T"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", "t@x"], cwd=root, check=True)
    (root / "app.py").write_text("x = 1\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=root, check=True)
    return root


def test_commit_refuses_a_stripe_key_and_allows_it_when_listed(tmp_path: Path) -> None:
    wt = SessionWorktree.create(_repo(tmp_path), "s")
    (wt.path / "pay.py").write_text(f"ok = 1\n{SECRET_LINES['stripe']}\n")
    with pytest.raises(SecretsFound) as err:
        wt.commit("feat: payments")
    assert isinstance(err.value, GitError)
    assert "pay.py:2 (Stripe Access Key)" in str(err.value)
    assert STRIPE_LIVE not in str(err.value)
    assert wt.head() == wt.base
    assert wt.commit("feat: payments", allow_secrets=[r"^STRIPE_KEY = "]) != wt.base

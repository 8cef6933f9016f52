"""Start-up checks for the workbench: repository, configuration, keys, the session.

`duo-tui` and `duo-tui resume` check everything they can before the first frame,
so a newcomer outside a git repository, without an API key or with a broken
`.duo/config.toml` gets the reason and the fix on stderr and exit code 2 (as
`duo-tui run` does), instead of a requirement prompt followed by a workbench that
waits forever. Every failure names `duo-tui --demo` as the way to try it without
keys. No key value is ever printed: only the names of the variables to set.
"""

from __future__ import annotations

from pathlib import Path

from duo_tui.errors import ConfigError

DEMO_HINT = "To try duo-tui without a repository or API keys: duo-tui --demo"


class StartupError(ConfigError):
    """A start-up check failed; the message holds the reason, the fix and the demo hint."""


def _fail(reason: str, fix: str = "") -> StartupError:
    lines = [reason]
    if fix:
        lines.append(f"fix: {fix}")
    lines.append(DEMO_HINT)
    return StartupError("\n".join(lines))


def check_startup(
    repo_arg: Path | None, config_path: Path | None, resume: str | None = None
) -> None:
    """Raise `StartupError` when the workbench could not start a (or resume the) session.

    `resume` is None for a new session, "" for the latest session, else its id.
    """
    from duo_tui.config import load_config
    from duo_tui.service import find_repo

    start = (repo_arg or Path.cwd()).expanduser().resolve()
    try:
        repo = find_repo(start)
    except ConfigError as exc:
        raise _fail(str(exc), "cd into a git repository, or pass --repo DIR") from None
    try:
        config = load_config(repo, config_path)
    except ConfigError as exc:
        where = str(config_path) if config_path else f"{repo / '.duo' / 'config.toml'}"
        raise _fail(f"the configuration cannot be used: {exc}", f"correct {where}") from None
    if resume is not None:
        from duo_tui.store.session_store import SessionStore

        try:
            store = SessionStore.open(repo, resume) if resume else SessionStore.latest(repo)
        except ConfigError as exc:
            raise _fail(str(exc), "pick an id from `duo-tui sessions`") from None
        if store is None:
            raise _fail(
                f"no session to resume in {repo}", "start one with `duo-tui` or `duo-tui run TASK`"
            )
        try:
            demo = store.load()[0].demo
        except Exception:  # a broken session: the workbench shows what is wrong with it
            return
        if demo:
            return  # a demo session answers from its script: no keys needed
    from duo_tui.providers.registry import check_models

    roles = config.roles.to_roles()
    try:
        check_models([roles.planner, roles.executor, *roles.effective_reviewers()], config)
    except ConfigError as exc:
        raise _fail(
            str(exc), "export the key's variable, or set other models in [roles] of the config"
        ) from None


def check_demo_startup(repo_arg: Path | None, config_path: Path | None) -> None:
    """`duo-tui --demo`: the demo repository's directory must be new or empty, and a
    `--config` file must be usable (the demo keeps its own roles and gate)."""
    from duo_tui.config import load_config

    if repo_arg is not None:
        root = repo_arg.expanduser().resolve()
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise StartupError(
                f"--repo {repo_arg}: for --demo this must be a new or empty directory\n"
                "fix: name a directory that does not exist yet, or leave --repo out"
            )
    try:
        load_config(None, config_path)
    except ConfigError as exc:
        raise StartupError(
            f"the configuration cannot be used: {exc}\nfix: correct {config_path}"
        ) from None

"""The session's own git worktree: where every edit of a duo session happens.

The user's repository is sacred. A session never touches the user's checkout,
current branch, index or working tree; it works in a linked worktree at
`<repo>/.duo/worktrees/<slug>` on its own branch `duo/<slug>`, created from the
user's HEAD. `.duo/` is kept out of the user's `git status` through the
repository's `info/exclude` (shared by all worktrees).

The only method that writes to the user's checkout is
`SessionWorktree.apply_to_user_branch`, and only when explicitly called (after
an explicit accept in the UI); on any conflict it aborts and leaves the user's
checkout as it was.

States of the worktree are captured as git *tree* objects (`snapshot`) without
touching the worktree's index: a temporary index (`GIT_INDEX_FILE`) copied from
the real one receives `git add -A`, then `git write-tree`. The same trick gives
`diff` against an older base including new untracked files. The diff against
HEAD stages into the worktree's own index instead (the session's, never the
user's): `commit` then finds nothing new to stage and scans the very patch the
human saw rather than asking git for it again.

Commits made by duo carry a `Duo-Session: duo/<slug>` trailer; `undo_last_commit`
only ever removes such a commit from the session branch (the branch is ours, so
rewriting it is fine), never one of the user's.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from duo_tui.errors import GitError
from duo_tui.safe_text import clean
from duo_tui.vcs.gitcmd import DIFF_OPTIONS, run, run_status, split_z
from duo_tui.vcs.pinned import pin, pinned_git_dir, unpin
from duo_tui.vcs.repo import EXCLUDE_LINE as EXCLUDE_LINE  # re-exported
from duo_tui.vcs.repo import ensure_excluded as ensure_excluded  # re-exported
from duo_tui.vcs.secret_scan import SecretHit as SecretHit  # re-exported
from duo_tui.vcs.secret_scan import SecretsFound
from duo_tui.vcs.secret_scan import scan_patch_for_secrets as scan_patch_for_secrets

BRANCH_PREFIX = "duo/"
WORKTREES_DIR = Path(".duo") / "worktrees"
SESSION_TRAILER = "Duo-Session"
FALLBACK_NAME = "duo-tui"
FALLBACK_EMAIL = "duo-tui@localhost"

CONVENTIONAL_TYPES: tuple[str, ...] = (
    "feat",
    "fix",
    "refactor",
    "perf",
    "test",
    "docs",
    "chore",
    "build",
    "ci",
    "style",
    "revert",
)

_SUBJECT_RE = re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\s][^()]*)\))?(?P<bang>!)?: (?P<desc>\S.*)$"
)
_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SHA_RE = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or am",
}


# --------------------------------------------------------------------------- helpers


def validate_commit_message(message: str) -> str:
    """Check that the subject line is a conventional commit; return the subject.

    `type(scope)!: description` with type in `CONVENTIONAL_TYPES`, the scope
    optional, `!` (breaking change) optional. Raises `GitError` saying what to fix.
    """
    lines = message.strip().splitlines()
    subject = lines[0].strip() if lines else ""
    if not subject:
        raise GitError("the commit message is empty; use `type(scope): description`")
    m = _SUBJECT_RE.match(subject)
    if not m:
        raise GitError(
            f"commit subject {subject!r} is not a conventional commit; "
            "use `type(scope): description`, e.g. `fix(api): reject expired tokens`"
        )
    if m.group("type") not in CONVENTIONAL_TYPES:
        raise GitError(
            f"commit type {m.group('type')!r} is not one of {', '.join(CONVENTIONAL_TYPES)}"
        )
    if len(lines) > 1 and lines[1].strip():
        raise GitError("separate the commit subject from the body with a blank line")
    return subject


def validate_slug(slug: str) -> None:
    """A slug names a branch and a directory: letters, digits, `.`, `_`, `-`."""
    if (
        not _SLUG_RE.match(slug)
        or ".." in slug
        or slug.endswith((".", ".lock"))
        or slug.startswith(".")
    ):
        raise GitError(
            f"invalid session slug {slug!r}: use letters, digits, '.', '_' and '-' "
            "(start with a letter or digit, at most 100 characters)"
        )


def _repo_info(repo_root: Path) -> tuple[Path, Path]:
    """(top-level directory, common git dir) of the repository at `repo_root`."""
    repo_root = Path(repo_root).expanduser()
    if not repo_root.is_dir():
        raise GitError(f"{repo_root} is not a directory")
    status, out, err = run_status(
        repo_root, "rev-parse", "--is-bare-repository", "--show-toplevel", "--git-common-dir"
    )
    if status != 0:
        if "not a git repository" in err:
            raise GitError(
                f"{repo_root} is not a git repository; run `git init` there "
                "(and make a first commit) or pass --repo DIR"
            )
        raise GitError(f"cannot read the git repository at {repo_root}: {err.strip()}")
    parts = out.splitlines()
    if parts and parts[0] == "true":
        raise GitError(f"{repo_root} is a bare repository; duo-tui needs a checkout")
    if len(parts) < 3:
        raise GitError(f"{repo_root} is not inside a git working tree")
    top = Path(parts[1]).resolve()
    common = Path(parts[2])
    if not common.is_absolute():
        common = (repo_root / common).resolve()
    return top, common


def _head_commit(root: Path) -> str:
    status, out, _ = run_status(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if status != 0 or not out:
        raise GitError(
            "the repository has no commits yet; make a first commit, then start a session"
        )
    return out.strip()


def _branch_exists(root: Path, branch: str) -> bool:
    status, _, _ = run_status(root, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}")
    return status == 0


def _list_worktrees(root: Path) -> list[dict[str, str]]:
    out = run(root, "worktree", "list", "--porcelain")
    entries: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    for line in out.splitlines():
        if not line:
            if cur:
                entries.append(cur)
            cur = {}
            continue
        key, _, value = line.partition(" ")
        cur[key] = value
    if cur:
        entries.append(cur)
    return entries


def _same_path(a: Path | str, b: Path | str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _parse_porcelain_z(out: str) -> list[tuple[str, str, str | None]]:
    """`git status --porcelain=v1 -z` → [(XY, path, original path of a rename)]."""
    items = out.split("\0")
    result: list[tuple[str, str, str | None]] = []
    i = 0
    while i < len(items):
        entry = items[i]
        i += 1
        if len(entry) < 4:
            continue
        xy, path = entry[:2], entry[3:]
        orig = None
        if xy[0] in "RC" or xy[1] in "RC":
            orig = items[i] if i < len(items) else None
            i += 1
        result.append((xy, path, orig))
    return result


def _remove_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


@dataclass(frozen=True)
class Identity:
    """Who commits: the user's git identity, or duo-tui's fallback when none is configured."""

    name: str
    email: str
    fallback: bool = False

    @property
    def note(self) -> str | None:
        """A sentence for the human when the fallback identity is used."""
        if not self.fallback:
            return None
        return (
            f"no git identity is configured (user.name / user.email); committed as "
            f'"{self.name} <{self.email}>". Set one with `git config user.name ...` '
            "and `git config user.email ...`."
        )

    def env(self) -> dict[str, str]:
        """Environment for git commands that create commits (empty unless fallback)."""
        if not self.fallback:
            return {}
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


# --------------------------------------------------------------------------- the worktree


@dataclass(frozen=True)
class _StagedView:
    """What the last `diff()` staged: HEAD and the index file then, and the patch shown."""

    head: str
    index: tuple[int, int, int]
    patch: str


@dataclass
class SessionWorktree:
    """A session's linked worktree on branch `duo/<slug>` inside the user's repository.

    Attributes: `repo_root` (the user's checkout, top level), `slug`, `branch`,
    `path` (the worktree directory), `base` (the commit the session forked
    from), `common_dir` (the repository's shared git dir), `last_note` (a
    remark from the last commit, e.g. that the fallback identity was used).
    """

    repo_root: Path
    slug: str
    branch: str
    path: Path
    base: str
    common_dir: Path
    last_note: str | None = None
    _git_dir: Path | None = field(default=None, init=False, repr=False, compare=False)
    _identity: Identity | None = field(default=None, init=False, repr=False, compare=False)
    _staged: _StagedView | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # git in this worktree uses the git dir the repository records for it, never
        # what the worktree's own `.git` file says (see duo_tui.vcs.pinned)
        pin(self.path, self.common_dir)

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def create(
        cls,
        repo_root: Path,
        slug: str,
        *,
        on_chosen: Callable[[str, str], None] | None = None,
    ) -> SessionWorktree:
        """Create branch `duo/<slug>` from the user's HEAD and a worktree for it.

        If the branch (or the directory) already exists, `-2`, `-3`, ... is
        appended to the slug; the directory is made first (`mkdir` is atomic), so
        two processes never pick the same name. `on_chosen(branch, base)` is
        called once the name is taken and before git creates anything, so a
        caller can record what to undo if the process dies half-way. Adds
        `.duo/` to `info/exclude`. Does not touch the user's checkout, current
        branch or index.
        """
        root, common = _repo_info(Path(repo_root))
        validate_slug(slug)
        head = _head_commit(root)
        ensure_excluded(common)
        existing = set(
            run(root, "for-each-ref", "--format=%(refname)", "refs/heads/duo/").splitlines()
        )
        # Paths registered as worktrees (even if their directory is gone) are taken too;
        # we never `git worktree prune` the user's other worktrees.
        registered = {
            str(Path(e["worktree"]).resolve()) for e in _list_worktrees(root) if "worktree" in e
        }

        def taken(name: str) -> bool:
            p = root / WORKTREES_DIR / name
            return (
                f"refs/heads/{BRANCH_PREFIX}{name}" in existing
                or p.exists()
                or str(p.resolve()) in registered
            )

        final = slug
        n = 1
        while True:
            while taken(final):
                n += 1
                final = f"{slug}-{n}"
            path = root / WORKTREES_DIR / final
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                path.mkdir()  # git accepts an empty directory; making it claims the name
            except FileExistsError:
                continue  # another process got there first: taken() now says so
            break
        branch = f"{BRANCH_PREFIX}{final}"
        if on_chosen is not None:
            on_chosen(branch, head)
        run(
            root,
            "worktree",
            "add",
            "--quiet",
            "-b",
            branch,
            str(path),
            head,
            what="creating the session worktree",
        )
        return cls(
            repo_root=root, slug=final, branch=branch, path=path, base=head, common_dir=common
        )

    @classmethod
    def open(
        cls,
        repo_root: Path,
        branch: str,
        path: Path | None = None,
        base: str | None = None,
    ) -> SessionWorktree:
        """Reattach to an existing session branch (`duo/<slug>` or just `<slug>`).

        If the worktree directory was deleted, it is recreated from the branch.
        `base` defaults to the merge base of the branch and the user's HEAD.
        """
        root, common = _repo_info(Path(repo_root))
        if not branch.startswith(BRANCH_PREFIX):
            branch = f"{BRANCH_PREFIX}{branch}"
        slug = branch[len(BRANCH_PREFIX) :]
        if not _branch_exists(root, branch):
            raise GitError(
                f"the session branch {branch} no longer exists in {root}; "
                "the session cannot be resumed"
            )
        ensure_excluded(common)
        want = Path(path) if path is not None else root / WORKTREES_DIR / slug
        checked_out: Path | None = None
        for entry in _list_worktrees(root):
            if entry.get("branch") != f"refs/heads/{branch}":
                continue
            if Path(entry["worktree"]).exists():
                checked_out = Path(entry["worktree"])
            else:  # its directory was deleted: drop just that stale registration
                run_status(root, "worktree", "remove", "--force", entry["worktree"])
        if checked_out is not None and _same_path(checked_out, root):
            raise GitError(
                f"{branch} is checked out in your own checkout; switch to another "
                "branch there before resuming the session"
            )
        if checked_out is not None:
            want = checked_out
        else:
            if want.exists() and any(want.iterdir()):
                raise GitError(
                    f"{want} exists but is not the worktree of {branch}; move it away and retry"
                )
            want.parent.mkdir(parents=True, exist_ok=True)
            run(
                root,
                "worktree",
                "add",
                "--quiet",
                str(want),
                branch,
                what="recreating the session worktree",
            )
        if base is None:
            status, out, _ = run_status(root, "merge-base", branch, "HEAD")
            base = out.strip() if status == 0 and out.strip() else _head_commit(root)
        return cls(
            repo_root=root,
            slug=slug,
            branch=branch,
            path=Path(want).resolve(),
            base=base,
            common_dir=common,
        )

    def remove(self, force: bool = False) -> None:
        """Remove the worktree directory (the branch and its commits stay).

        Refuses when the worktree has uncommitted changes unless `force`.
        """
        if self.path.exists():
            if not force:
                status = run(self.path, "status", "--porcelain", "--untracked-files=normal")
                if status.strip():
                    raise GitError(
                        f"the session worktree {self.path} has uncommitted changes; "
                        "commit them or remove with force=True to discard them"
                    )
            run(self.repo_root, "worktree", "remove", "--force", str(self.path))
            unpin(self.path)
        else:  # already deleted by hand: drop the stale registration, if any
            run_status(self.repo_root, "worktree", "remove", "--force", str(self.path))
        self._git_dir = None

    # ----------------------------------------------------------------- the user's side

    def user_changes(self) -> list[str]:
        """Uncommitted changes in the user's checkout, as porcelain lines (`XY path`).

        These are *not* included in the session (which starts from HEAD).
        Renames read `R  old -> new`.
        """
        out = run(
            self.repo_root,
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=normal",
            strip=False,
        )
        lines = []
        for xy, path, orig in _parse_porcelain_z(out):
            lines.append(f"{xy} {orig} -> {path}" if orig else f"{xy} {path}")
        return lines

    def _user_dirty(self) -> tuple[set[str], bool]:
        """(paths with uncommitted changes incl. untracked files, anything staged?)."""
        out = run(
            self.repo_root, "status", "--porcelain=v1", "-z", "--untracked-files=all", strip=False
        )
        paths: set[str] = set()
        staged = False
        for xy, path, orig in _parse_porcelain_z(out):
            paths.add(path)
            if orig:
                paths.add(orig)
            if xy[0] not in " ?!":
                staged = True
        return paths, staged

    # ----------------------------------------------------------------- state

    @property
    def git_dir(self) -> Path:
        """The worktree's private git dir (`.git/worktrees/<name>`)."""
        if self._git_dir is None or not self._git_dir.exists():
            # pinned from the repository's records; the `.git` file only when not pinned
            found: Path | None = pinned_git_dir(self.path)
            with suppress(OSError, UnicodeDecodeError):
                text = "" if found else (self.path / ".git").read_text(encoding="utf-8").strip()
                if text.startswith("gitdir: "):
                    candidate = Path(text[len("gitdir: ") :])
                    if not candidate.is_absolute():
                        candidate = (self.path / candidate).resolve()
                    if (candidate / "HEAD").exists():
                        found = candidate
            if found is None:
                found = Path(run(self.path, "rev-parse", "--absolute-git-dir"))
            self._git_dir = found
        return self._git_dir

    @contextmanager
    def _temp_index(self, copy: bool = True) -> Iterator[dict[str, str]]:
        """Environment with GIT_INDEX_FILE pointing at a throw-away index.

        With `copy`, it starts as a copy of the worktree's index (fast `add -A`,
        and tracked files that match ignore rules stay tracked).
        """
        self._check_exists()
        git_dir = self.git_dir
        tmp = git_dir / f"duo-index-{uuid.uuid4().hex}"
        real = git_dir / "index"
        if copy and real.exists():
            shutil.copyfile(real, tmp)
        try:
            yield {"GIT_INDEX_FILE": str(tmp)}
        finally:
            for p in (tmp, tmp.with_name(tmp.name + ".lock")):
                with suppress(FileNotFoundError):
                    p.unlink()

    def _check_exists(self) -> None:
        if not self.path.is_dir():
            raise GitError(
                f"the session worktree {self.path} is missing; resume the session to recreate it"
            )

    def snapshot(self) -> str:
        """A tree sha of the worktree's current state, untracked files included.

        Ignored files are not captured. The worktree's index is not touched.
        """
        with self._temp_index() as env:
            run(self.path, "add", "-A", env=env, what="snapshot (git add)")
            return run(self.path, "write-tree", env=env, what="snapshot (git write-tree)")

    def restore(self, tree: str) -> None:
        """Make the worktree's files exactly `tree` (a tree or commit).

        Tracked and untracked files are rewritten or removed to match; ignored
        files are left alone; HEAD and the index do not move.
        """
        target = self._tree_of(tree)
        with self._temp_index() as env:
            run(self.path, "add", "-A", env=env, what="restore (git add)")
            current = run(self.path, "write-tree", env=env, what="restore (git write-tree)")
            if current == target:
                return
            run(
                self.path,
                "read-tree",
                "-m",
                "-u",
                current,
                target,
                env=env,
                what="restoring the worktree",
            )

    def _tree_of(self, treeish: str) -> str:
        status, out, _ = run_status(self.path, "rev-parse", "--verify", "-q", f"{treeish}^{{tree}}")
        if status != 0 or not out:
            raise GitError(f"{treeish!r} is not a tree or commit of this repository")
        return out.strip()

    def head(self) -> str:
        """The sha of the session branch's last commit."""
        return run(self.path, "rev-parse", "HEAD")

    def _loose_head(self) -> str | None:
        """HEAD read from the files when it is the session branch's loose ref (no process)."""
        with suppress(OSError, UnicodeDecodeError):
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
            if head == f"ref: refs/heads/{self.branch}":
                sha = (self.common_dir / "refs" / "heads" / self.branch).read_text().strip()
                if _SHA_RE.match(sha):
                    return sha
        return None

    def _head_after_commit(self) -> str:
        """HEAD right after `git commit`: read the loose ref git just wrote, else ask git."""
        return self._loose_head() or self.head()

    def _index_signature(self) -> tuple[int, int, int]:
        """Changes whenever git rewrites the worktree's index (it renames a new file in)."""
        try:
            st = (self.git_dir / "index").stat()
        except OSError:
            return (0, 0, 0)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def diff(self, base: str | None = None, *, renames: bool = False, context: int = 3) -> str:
        """Unified diff from `base` (tree or commit; default the branch HEAD) to the
        worktree's current state, new untracked files included.

        Renames are shown as delete + add unless `renames` (keeps per-file
        decisions and partial commits simple). Against HEAD (no `base`, no
        `renames`) the changes are staged in the worktree's own index and the
        patch is kept for `commit`; otherwise a temporary index is used.
        """
        if base is None and not renames:
            self._check_exists()
            self._staged = None
            head = self._loose_head()
            patch = self._add_and_diff("HEAD", renames, context, env=None)
            if head is not None:
                self._staged = _StagedView(head, self._index_signature(), patch)
            return patch
        with self._temp_index() as env:
            return self._add_and_diff(base or "HEAD", renames, context, env=env)

    def _add_and_diff(
        self, base: str, renames: bool, context: int, env: dict[str, str] | None
    ) -> str:
        """Stage everything (in the index `env` names, else the worktree's) and diff it."""
        run(self.path, "add", "-A", env=env, what="diff (git add)")
        return run(
            self.path,
            "diff",
            "--cached",
            *DIFF_OPTIONS,
            "--find-renames" if renames else "--no-renames",
            f"-U{context}",
            base,
            "--",
            env=env,
            strip=False,
        )

    def changed_paths(self, base: str | None = None) -> list[str]:
        """Paths whose content differs between `base` (default HEAD) and the worktree."""
        with self._temp_index() as env:
            run(self.path, "add", "-A", env=env, what="diff (git add)")
            out = run(
                self.path,
                "diff",
                "--cached",
                "--name-only",
                "-z",
                "--no-renames",
                base or "HEAD",
                "--",
                env=env,
                strip=False,
            )
        return split_z(out)

    def checkout_paths(self, tree: str, paths: Sequence[str]) -> None:
        """Make `paths` in the worktree exactly as in `tree` (deleting those not in it).

        Only the named files change; the worktree's index is not touched.
        """
        if not paths:
            return
        target = self._tree_of(tree)
        listed = run(
            self.path,
            "--literal-pathspecs",
            "ls-tree",
            "-r",
            "-z",
            "--name-only",
            target,
            "--",
            *paths,
            strip=False,
        )
        wanted = set(paths)
        present = [p for p in split_z(listed) if p in wanted]
        found = set(present)
        missing = [p for p in paths if p not in found]
        if present:
            with self._temp_index(copy=False) as env:
                run(self.path, "read-tree", target, env=env)
                run(self.path, "checkout-index", "-f", "-q", "--", *present, env=env)
        root = self.path.resolve()
        for rel in missing:
            file = self.path / rel
            if file.is_symlink() or file.is_file():
                file.unlink()
                _remove_empty_parents(file.resolve(), root)
            elif file.is_dir():
                shutil.rmtree(file)

    def apply_patch(self, patch: str, reverse: bool = False) -> None:
        """Apply a unified diff to the worktree's files (not its index); all or nothing."""
        if not patch.strip():
            return
        tmp = self.git_dir / f"duo-patch-{uuid.uuid4().hex}.diff"
        tmp.write_bytes(patch.encode("utf-8", "surrogateescape"))
        try:
            args = ["apply", "--whitespace=nowarn"]
            if reverse:
                args.append("-R")
            run(self.path, *args, str(tmp), what="applying the patch")
        finally:
            with suppress(FileNotFoundError):
                tmp.unlink()

    # ----------------------------------------------------------------- commits

    def identity(self, refresh: bool = False) -> Identity:
        """The committer identity: the user's git config (or GIT_* env), else the fallback.

        Read once per `SessionWorktree` object (pass `refresh` to read it again).
        """
        if self._identity is not None and not refresh:
            return self._identity
        self._identity = self._read_identity()
        return self._identity

    def _read_identity(self) -> Identity:
        _, out, _ = run_status(self.path, "config", "--get-regexp", r"^user\.(name|email)$")
        cfg: dict[str, str] = {}
        for line in out.splitlines():
            key, _, value = line.partition(" ")
            cfg[key.lower()] = value.strip()
        name = os.environ.get("GIT_AUTHOR_NAME") or cfg.get("user.name", "")
        email = os.environ.get("GIT_AUTHOR_EMAIL") or cfg.get("user.email", "")
        if name and email:
            return Identity(name, email)
        return Identity(FALLBACK_NAME, FALLBACK_EMAIL, fallback=True)

    def commit(
        self,
        message: str,
        paths: Sequence[str] | None = None,
        *,
        run_hooks: bool = False,
        allow_secrets: Sequence[str] = (),
    ) -> str:
        """Commit the worktree's changes (only `paths`, repo-relative, if given); return the sha.

        The subject must be a conventional commit. The staged added lines are
        scanned for secrets (`duo_tui.vcs.secret_scan`, `allow_secrets` being
        `[secrets] allow`); if any is found nothing is committed and
        `SecretsFound` (a `GitError`) names file, line and kind (never the
        value). A `Duo-Session: <branch>` trailer
        marks the commit as duo's. Hooks are skipped unless `run_hooks` (the
        gate is the quality check). If no git identity is configured the
        fallback `duo-tui <duo-tui@localhost>` is used and `last_note` says so.
        Control characters and bidi controls in the message (model text) are
        committed made visible (`duo_tui.safe_text.clean`), never raw.
        """
        message = clean(message)
        validate_commit_message(message)
        self._check_exists()
        self.last_note = None
        # With paths: stage them (new files and deletions included), then
        # `git commit --only -- paths` commits HEAD + exactly those paths even if
        # something else happens to be staged. Literal pathspecs: no globbing.
        if paths is not None and not paths:
            raise GitError("no files selected to commit")
        spec: list[str] = ["--", *paths] if paths is not None else []
        view, self._staged = self._staged, None
        index_then = self._index_signature()
        # `-v` lists every path whose staged content changes: none means the index
        # still holds exactly what the last `diff()` staged and showed.
        restaged = run(
            self.path,
            "--literal-pathspecs",
            "add",
            "-A",
            "-v",
            *spec,
            what="staging the changes",
        )
        if (
            view is not None
            and paths is None
            and not restaged.strip()
            and view.index == index_then
            and view.head == self._loose_head()
        ):
            staged = view.patch
        else:
            staged = run(
                self.path,
                "--literal-pathspecs",
                "diff",
                "--cached",
                *DIFF_OPTIONS,
                "--no-renames",
                "-U0",
                "HEAD",
                *(spec or ["--"]),
                strip=False,
            )
        if not staged.strip():
            raise GitError("nothing to commit: the selected files have no changes")
        hits = scan_patch_for_secrets(staged, allow_secrets)
        if hits:
            run(self.path, "reset", "-q")
            raise SecretsFound(hits)
        ident = self.identity()
        args = ["--literal-pathspecs", "commit", "-q", "--cleanup=whitespace"]
        if not run_hooks:
            args.append("--no-verify")
        args += ["-m", self._with_trailer(message)]
        if paths is not None:
            args += ["--only", *spec]
        run(self.path, *args, env=ident.env(), what="git commit")
        self.last_note = ident.note
        return self._head_after_commit()

    def _with_trailer(self, message: str) -> str:
        body = message.strip()
        return f"{body}\n\n{SESSION_TRAILER}: {self.branch}\n"

    def _is_duo_commit(self, sha: str) -> bool:
        body = run(self.path, "log", "-1", "--format=%B", sha)
        return f"{SESSION_TRAILER}: {self.branch}" in (ln.strip() for ln in body.splitlines())

    def undo_last_commit(self, keep_changes: bool = True) -> str:
        """Remove the session branch's last commit; return its sha.

        Only a commit made by duo on this session branch (it carries the
        `Duo-Session` trailer) that is not already in the user's branch can be
        undone: the branch is ours, so the commit is dropped with a reset rather
        than reverted. With `keep_changes` (default) its changes stay in the
        worktree as uncommitted edits; otherwise the worktree is reset to the
        parent commit (uncommitted edits to tracked files are discarded too).
        """
        self._check_exists()
        status, ref, _ = run_status(self.path, "symbolic-ref", "-q", "HEAD")
        if status != 0 or ref.strip() != f"refs/heads/{self.branch}":
            raise GitError(f"the session worktree is not on {self.branch}; cannot undo")
        sha = self.head()
        if not self._is_duo_commit(sha):
            raise GitError(
                f"the last commit on {self.branch} ({sha[:10]}) was not made by this duo "
                "session; nothing to undo"
            )
        parents = run(self.path, "rev-list", "--parents", "-n", "1", sha).split()
        if len(parents) != 2:
            raise GitError(f"commit {sha[:10]} is a merge or a root commit; not undoing it")
        status, _, _ = run_status(self.repo_root, "merge-base", "--is-ancestor", sha, "HEAD")
        if status == 0:
            raise GitError(
                f"commit {sha[:10]} is already part of your current branch; undo it there"
            )
        run(self.path, "reset", "-q", "--mixed" if keep_changes else "--hard", parents[1])
        return sha

    # ----------------------------------------------------------------- applying to the user

    def _in_progress(self) -> str | None:
        names = list(_IN_PROGRESS)
        args: list[str] = ["rev-parse"]
        for name in names:
            args += ["--git-path", name]
        out = run(self.repo_root, *args).splitlines()
        for name, rel in zip(names, out, strict=False):
            p = Path(rel)
            if not p.is_absolute():
                p = self.repo_root / p
            if p.exists():
                return _IN_PROGRESS[name]
        return None

    def apply_to_user_branch(
        self, how: Literal["merge", "cherry-pick"], *, run_hooks: bool = False
    ) -> str:
        """Bring the session's commits into the user's current branch; return the new HEAD.

        Only call this after an explicit accept. `merge` makes a `--no-ff` merge
        commit; `cherry-pick` replays the session commits not yet in the branch.
        Refuses (GitError, nothing touched) when the user's checkout is on a
        detached HEAD, has staged changes, is mid-merge/rebase, or has
        uncommitted changes (untracked included) to files the session changed.
        On a conflict the operation is aborted, the checkout is left as it was
        and GitError lists the conflicting files.
        """
        if how not in ("merge", "cherry-pick"):
            raise GitError(f"unknown way to apply {how!r}; use 'merge' or 'cherry-pick'")
        root = self.repo_root
        status, ref, _ = run_status(root, "symbolic-ref", "-q", "HEAD")
        if status != 0:
            raise GitError("your checkout is on a detached HEAD; check out a branch first")
        ref = ref.strip()
        if ref == f"refs/heads/{self.branch}":
            raise GitError(f"your checkout is on the session branch {self.branch} itself")
        busy = self._in_progress()
        if busy:
            raise GitError(f"{busy} is in progress in your checkout; finish or abort it first")
        orig_head = _head_commit(root)
        if how == "merge":
            commits = run(root, "rev-list", f"HEAD..{self.branch}", "--").split()
        else:
            commits = run(
                root,
                "rev-list",
                "--reverse",
                "--no-merges",
                "--right-only",
                "--cherry-pick",
                f"HEAD...{self.branch}",
                "--",
            ).split()
        if not commits:
            raise GitError(
                f"nothing to apply: {self.branch} has no commits missing from your branch"
            )
        session_files = set(
            split_z(
                run(
                    root,
                    "diff",
                    "--name-only",
                    "-z",
                    "--no-renames",
                    f"HEAD...{self.branch}",
                    "--",
                    strip=False,
                )
            )
        )
        dirty, staged = self._user_dirty()
        overlap = sorted(dirty & session_files)
        if overlap:
            raise GitError(
                "your uncommitted changes touch files the session changed: "
                + ", ".join(overlap)
                + "; commit or stash them, then apply again"
            )
        if staged:
            raise GitError(
                "your checkout has staged changes; commit or unstage them, then apply again"
            )
        env = self.identity().env()
        hooks = [] if run_hooks else ["--no-verify"]
        if how == "merge":
            status, out, err = run_status(
                root, "merge", "--no-ff", "--no-edit", *hooks, self.branch, env=env
            )
            abort = ("merge", "--abort")
        else:
            status, out, err = run_status(root, "cherry-pick", *commits, env=env)
            abort = ("cherry-pick", "--abort")
        if status != 0:
            conflicts = split_z(
                run_status(root, "diff", "--name-only", "-z", "--diff-filter=U", strip=False)[1]
            )
            if self._in_progress():
                run_status(root, *abort)
            head_now = _head_commit(root)
            if head_now != orig_head:  # a partly applied sequence: put the branch back
                run_status(root, "reset", "-q", "--merge", orig_head)
            if conflicts:
                raise GitError(
                    f"{how} of {self.branch} conflicts with your branch in: "
                    + ", ".join(sorted(set(conflicts)))
                    + "; nothing was changed. Resolve by hand or rerun the session on the "
                    "current branch."
                )
            detail = "\n".join(ln for ln in (err.strip() or out.strip()).splitlines()[:6])
            raise GitError(f"{how} of {self.branch} failed; nothing was changed: {detail}")
        return _head_commit(root)

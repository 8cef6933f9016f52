"""Stage 8, commit: the reviewed change committed on the session branch.

The message is the task's (a conventional commit; the human may edit it at
the checkpoint), made visible where the model wrote controls. A change holding
a secret blocks the session, saying the way on. A change every hunk of which
was declined commits nothing and the task is skipped. A commit made just
before a crash, not yet recorded in the session, is found and adopted rather
than made twice.
"""

from __future__ import annotations

from duo_tui.core.artifacts import CommitArtifact
from duo_tui.core.events import ArtifactReady
from duo_tui.core.models import Stage
from duo_tui.core.plan_manifest import is_conventional
from duo_tui.core.session import Task, TaskState
from duo_tui.core.stage_contract import Produced, SessionBlocked, StageCtx, StageError
from duo_tui.core.task_base import TaskBase
from duo_tui.safe_text import clean
from duo_tui.vcs.commit import SESSION_TRAILER
from duo_tui.vcs.gitcmd import run as git
from duo_tui.vcs.secret_scan import SecretsFound, blocked_reason

__all__ = ["CommitStage"]


class CommitStage:
    """The commit stage of the task cycle."""

    def __init__(self, runner: TaskBase) -> None:
        self.runner = runner

    def _adopt_unrecorded_commit(self, task: Task) -> bool:
        """Take over this task's commit if a crash hit between `git commit` and the save.

        Committing and recording the commit in session.json are two steps; a
        kill between them leaves the commit on the branch but not in the
        session. Committing again would find nothing to commit and mark the
        task skipped, so a duo commit (it carries the session trailer) sitting
        right on top of the last recorded one is adopted as this task's.
        """
        s = self.runner.session
        wt = self.runner.worktree
        known = s.commits[-1] if s.commits else s.base_commit
        if wt is None or not known:
            return False
        head = wt.head()
        if head == known:
            return False
        parents, _, body = git(wt.path, "log", "-1", "--format=%P%n%B", head).partition("\n")
        trailer = f"{SESSION_TRAILER}: {wt.branch}"
        if parents.split() != [known] or trailer not in (ln.strip() for ln in body.splitlines()):
            return False
        task.commit = head
        task.state = TaskState.COMMITTED
        task.pre_tree = None
        s.commits.append(head)
        subject = body.strip().splitlines()[0] if body.strip() else ""
        self.runner.emit(ArtifactReady(CommitArtifact(head, subject, task.id)))
        self.runner.notice(
            f"{task.id}: found its commit {head[:8]} made before the restart; kept it"
        )
        self.runner.save()
        return True

    def _commit_or_block(self, message: str) -> str:
        """Commit; a change holding a secret blocks the session, saying the way on."""
        assert self.runner.worktree is not None
        try:
            return str(
                self.runner.worktree.commit(message, allow_secrets=self.runner.config.secrets.allow)
            )
        except SecretsFound as exc:
            s = self.runner.session
            assert s.task is not None
            raise SessionBlocked(
                blocked_reason(s.task.id, exc.hits, self.runner.worktree.path, s.id)
            ) from None

    async def run(self) -> None:
        """Commit the reviewed change on the session branch (the message may be edited)."""
        s = self.runner.session
        task = s.task
        assert task is not None
        if self._adopt_unrecorded_commit(task):
            return

        def default_message() -> str:
            if task.commit_message and is_conventional(task.commit_message):
                return task.commit_message
            title = task.title.strip().rstrip(".")
            title = title[0].lower() + title[1:] if title else "apply reviewed change"
            return f"feat: {title}"[:72]

        async def produce(ctx: StageCtx) -> Produced:
            # Model text: shown, stored and committed with its controls made visible.
            message = clean(default_message())
            diff = self.runner.current_diff()
            if not diff.strip():
                return Produced(
                    summary="nothing to commit: every change was declined",
                    artifact=message,
                    data={"message": message, "empty": True},
                    payload=message,
                )
            return Produced(
                summary=f"commit on {s.branch}: {message}",
                artifact=message,
                data={"message": message, "diff": diff},
                payload=message,
            )

        async def edit(p: Produced, text: str) -> Produced:
            subject = text.strip().splitlines()[0] if text.strip() else ""
            if not is_conventional(subject):
                raise StageError(
                    f"{subject!r} is not a conventional commit subject: type(scope): description"
                )
            task.commit_message = text.strip()
            return Produced(
                summary=f"commit on {s.branch}: {subject}",
                artifact=text.strip(),
                data=dict(p.data, message=text.strip()),
                payload=text.strip(),
            )

        produced, _ = await self.runner.stage(Stage.COMMIT, produce, edit=edit, role="git")
        if produced.data.get("empty"):
            task.state = TaskState.SKIPPED
            self.runner.notice(f"{task.id}: nothing to commit")
        elif self.runner.worktree is not None:
            self.runner.session_root()  # the guard: commit only in the session worktree
            sha = self._commit_or_block(str(produced.payload))
            task.commit = sha
            task.state = TaskState.COMMITTED
            s.commits.append(sha)
            self.runner.store.write_artifact(
                f"{task.id}/commit.txt", f"{sha}\n{produced.payload}\n"
            )
            self.runner.emit(ArtifactReady(CommitArtifact(sha, str(produced.payload), task.id)))
            self.runner.notice(
                f"{task.id} committed {sha[:8]} on {s.branch}: {str(produced.payload).splitlines()[0]}"
            )
        task.phase = Stage.COMMIT
        task.pre_tree = None
        self.runner.save()

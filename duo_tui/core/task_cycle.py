"""One task's cycle: execute → gate → review → triage → (fix → gate → ...) → commit.

`TaskCycle` is the runner of a task, composed of one object per stage: the
edits of execute and fix (`edit_stage`), the gate (`gate_stage`), the reviews
(`review_stage`), the triage (`triage_stage`) and the commit
(`commit_stage`). The gate and the triage end a round that needs a fix
through the one `fix_context.FixRound` they share, which the fix then reads:
the state passed between stages is explicit there. `run_task` plays the
stages from the task's phase until the task is committed, skipped or
replaced.
"""

from __future__ import annotations

from typing import Any

from duo_tui.core.artifacts import TasksArtifact, task_list
from duo_tui.core.commit_stage import CommitStage
from duo_tui.core.edit_stage import EditStage
from duo_tui.core.events import ArtifactReady
from duo_tui.core.fix_context import FixRound
from duo_tui.core.gate_stage import GateStage
from duo_tui.core.models import Review, Stage
from duo_tui.core.plan_manifest import task_markdown
from duo_tui.core.review_stage import ReviewStage
from duo_tui.core.session import TaskState
from duo_tui.core.stage_contract import StageError
from duo_tui.core.task_base import TaskBase
from duo_tui.core.triage_stage import TriageStage

__all__ = ["TaskCycle"]


class TaskCycle(TaskBase):
    """Stages 3-8 for the current task, one stage object each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fix_round = FixRound(self)
        self.edit_stage = EditStage(self)
        self.gate_stage = GateStage(self, self.fix_round)
        self.review_stage = ReviewStage(self)
        self.triage_stage = TriageStage(self, self.fix_round)
        self.commit_stage = CommitStage(self)

    async def run_task(self) -> None:
        """Play the current task's stages from its phase until it leaves `RUNNING`."""
        s = self.session
        task = s.task
        assert task is not None
        task.state = TaskState.RUNNING
        self.save()
        if task.round == 1 and task.phase == Stage.EXECUTE:
            self.store.write_artifact(f"{task.id}/task.md", task_markdown(task))
        self.write_task_files()
        self.emit(ArtifactReady(TasksArtifact(task_list(s.tasks))))
        reviews: list[Review] | None = None
        while task.state == TaskState.RUNNING:
            phase = task.phase
            if phase == Stage.EXECUTE:
                await self.edit_stage.run(Stage.EXECUTE)
            elif phase == Stage.FIX:
                await self.edit_stage.run(Stage.FIX, self.fix_round.context())
            elif phase == Stage.GATE:
                await self.gate_stage.run()
            elif phase == Stage.REVIEW:
                reviews = await self.review_stage.run()
            elif phase == Stage.TRIAGE:
                if reviews is None:
                    reviews = self.review_stage.load_reviews(task)
                    if reviews is None:  # unreadable: back to the review
                        continue
                await self.triage_stage.run(reviews)
                reviews = None
            elif phase == Stage.COMMIT:
                await self.commit_stage.run()
            else:  # pragma: no cover - phases are the six above
                raise StageError(f"unknown phase {phase}")

"""Stage 5, review: every reviewer concurrently, the optional rebuttal round, a rerun
of one reviewer, and the reviews of a round read back on resume.

`ReviewStage` is one of the stage objects the task cycle (`task_cycle.TaskCycle`)
is composed of; it reaches the session, the store and the checkpoint loop
through the runner it is given (`task_base.TaskBase`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from duo_tui.core.artifacts import Rebuttal, ReviewArtifact, RolesArtifact
from duo_tui.core.calls import CallFailed
from duo_tui.core.context import file_contents
from duo_tui.core.convergence import (
    group_table,
)
from duo_tui.core.events import ArtifactReady, ErrorEvent
from duo_tui.core.models import Review, Stage
from duo_tui.core.review_rerun import (
    RerunRefused,
    attempt_label,
    plan_rerun,
    reviewer_slots,
)
from duo_tui.core.session import Task
from duo_tui.core.stage_contract import (
    FATAL_FAULTS,
    Produced,
    StageCtx,
    StageError,
)
from duo_tui.core.task_base import TaskBase, file_slug
from duo_tui.errors import ReviewParseError
from duo_tui.limits import Limits
from duo_tui.prompts import render, untrusted
from duo_tui.store.atomic import find_disk_full

#: What a reviewer's rebuttal position records.
_POSITION_KEYS = ("conceded", "contested", "withdrawn", "severity_changed", "summary")


class ReviewStage:
    """The review stage of the task cycle."""

    def __init__(self, runner: TaskBase) -> None:
        self.runner = runner

    async def run(self) -> list[Review]:
        """Review the current change; the reviews (the task goes on to its triage)."""
        from duo_tui.core.reviews import REVIEW_SCHEMA, parse_review_reply

        s = self.runner.session
        task = s.task
        assert task is not None
        reviewers = s.roles.effective_reviewers()
        done: dict[int, Review] = {}
        raws: dict[int, str] = {}

        async def one(i: int, model: str, ctx: StageCtx) -> Review:
            prompt = render(
                "review",
                task=self.runner.task_text(task),
                diff=untrusted("diff", self.runner.current_diff()),
                files=file_contents(self.runner.worktree_path, task.files),
                reviewer=model,
            )
            if ctx.reason:
                prompt += f"\n\nThe human asked for a new review because: {ctx.reason}"
            res = await self.runner.caller.call(
                role="reviewer",
                model=model,
                stage=Stage.REVIEW,
                purpose="review",
                stream=f"review:{i}",
                system=self.runner.system_prompt(),
                prompt=prompt,
                json_schema=REVIEW_SCHEMA,
                title=f"review · round {task.round}",
            )
            raws[i] = res.text
            self.runner.store.write_artifact(
                f"{self.runner.task_dir(task)}/review-{i}-{file_slug(model)}.raw.txt", res.text
            )
            try:
                review = await parse_review_reply(
                    res.text, reviewer=model, limits=self.runner.limits()
                )
            except ReviewParseError as exc:
                # The raw text stays in the pane; say what is wrong there, and offer the rerun.
                self.runner.emit(
                    ErrorEvent(
                        message=f"{model}: the review is not valid duo review JSON: {exc}",
                        stage=Stage.REVIEW,
                        stream=f"review:{i}",
                        what_to_do="Rerun the review (r); the raw text is kept.",
                        partial_kept=True,
                    )
                )
                raise
            self.runner.store.write_artifact(
                f"{self.runner.task_dir(task)}/review-{i}-{file_slug(model)}.json",
                review.model_dump_json(indent=2),
            )
            self.runner.emit(ArtifactReady(ReviewArtifact(i, review), f"review:{i}"))
            return review

        # The optional rebuttal round: each of two reviewers sees the other's findings.
        rebuttal = self.runner.config.loop.rebuttal and len(reviewers) == 2

        async def produce(ctx: StageCtx) -> Produced:
            rebutted: dict[int, tuple[Review, dict[str, Any]]] | None = None
            if ctx.resume:
                for i, model in enumerate(reviewers):
                    stored = self._stored_review(task, i, model)
                    if stored is not None:
                        done[i] = stored
                        self.runner.emit(ArtifactReady(ReviewArtifact(i, done[i]), f"review:{i}"))
                rebutted = self._rebutted(task, done) if rebuttal else None
                if rebutted is not None:
                    # the rebuttal of these very reviews ran before the restart: keep its result
                    for i, (updated, position) in sorted(rebutted.items()):
                        done[i] = updated
                        self._show_rebutted(i, reviewers[i], updated, position)
            elif ctx.target is not None:
                # one reviewer reruns (maybe with another model); the others' reviews are kept
                self._rerun_reviewer(reviewers, done, ctx)
            elif ctx.attempt == 1 or not ctx.error or ctx.reason:
                done.clear()
            todo = [(i, m) for i, m in enumerate(reviewers) if i not in done]
            # Reviews run concurrently and blind: no prompt contains another review.
            results = await asyncio.gather(
                *(one(i, m, ctx) for i, m in todo), return_exceptions=True
            )
            errors = []
            fatal = False
            for (i, m), r in zip(todo, results, strict=True):
                if isinstance(r, Review):
                    done[i] = r
                elif isinstance(r, BaseException):
                    if isinstance(r, asyncio.CancelledError):
                        raise r
                    from duo_tui.core.calls import CostCapReached

                    if isinstance(r, CostCapReached):
                        raise r
                    if (full := find_disk_full(r)) is not None:
                        raise full from r
                    # A review cut off, refused or ended oddly is never parsed as a review.
                    fatal = fatal or (
                        isinstance(r, CallFailed) and r.error.kind.value in FATAL_FAULTS
                    )
                    errors.append(f"{m}: {r}")
            if errors:
                raise StageError(
                    "; ".join(errors)
                    + " (rerun to retry the failed review(s); the others are kept)",
                    fatal=fatal,
                )
            if rebuttal and rebutted is None:
                await self._rebuttal(reviewers, done)
            total = sum(len(r.findings) for r in done.values())
            ordered = [done[i] for i in sorted(done)]
            return Produced(
                summary=f"{len(done)} review(s), {total} finding(s)",
                artifact=json.dumps([r.model_dump() for r in ordered], indent=2),
                data={
                    "reviews": ordered,
                    # the matches as soon as both reviews are in (t previews the triage)
                    "groups": group_table(self.runner.merge(ordered), {})
                    if len(ordered) > 1
                    else [],
                    "preview_note": self._preview_note() if len(ordered) == 2 else "",
                    "reviewers": reviewer_slots(reviewers),
                    "models": list(reviewers),
                },
                payload=ordered,
                label=attempt_label(
                    ctx.attempt,
                    reviewers,
                    frozenset({ctx.target}) if ctx.target is not None else None,
                ),
            )

        async def choose(p: Produced) -> Produced:
            # an earlier result: its reviews (and the models that wrote them) are the round's
            done.clear()
            done.update(enumerate(p.payload))
            self._use_reviewers(reviewers, list(p.data.get("models") or reviewers))
            for i, review in done.items():
                self.runner.store.write_artifact(
                    f"{self.runner.task_dir(task)}/review-{i}-{file_slug(reviewers[i])}.json",
                    review.model_dump_json(indent=2),
                )
                self.runner.emit(ArtifactReady(ReviewArtifact(i, review), f"review:{i}"))
            return p

        produced, _ = await self.runner.stage(
            Stage.REVIEW, produce, choose=choose, stream="review", role="reviewers"
        )
        task.phase = Stage.TRIAGE
        self.runner.save()
        return list(produced.payload)

    async def _rebuttal(self, reviewers: list[str], done: dict[int, Review]) -> None:
        """Show each reviewer the other's review; replace its review by its updated one.

        Every change of position (a finding conceded, one of its own withdrawn or
        re-rated) is shown as a notice; those and the findings it contests are
        recorded with both versions of each review in the round's `rebuttal.json`,
        which a restart reuses instead of asking again.
        """
        from duo_tui.core.calls import CostCapReached
        from duo_tui.core.reviews import REVIEW_SCHEMA, parse_review_reply

        task = self.runner.session.task
        assert task is not None
        blind = dict(done)

        async def one(i: int) -> Review:
            res = await self.runner.caller.call(
                role="reviewer",
                model=reviewers[i],
                stage=Stage.REVIEW,
                purpose="rebuttal",
                stream=f"review:{i}",
                system=self.runner.system_prompt(),
                prompt=render(
                    "rebuttal",
                    your_review=untrusted("your review", blind[i].model_dump_json()),
                    other_review=untrusted("other review", blind[1 - i].model_dump_json()),
                ),
                json_schema=REVIEW_SCHEMA,
                title=f"rebuttal · round {task.round}",
            )
            self.runner.store.write_artifact(
                f"{self.runner.task_dir(task)}/rebuttal-{i}.raw.txt", res.text
            )
            return await parse_review_reply(
                res.text, reviewer=reviewers[i], limits=self.runner.limits()
            )

        results = await asyncio.gather(*(one(i) for i in (0, 1)), return_exceptions=True)
        record = []
        for i, r in enumerate(results):
            if isinstance(r, asyncio.CancelledError | CostCapReached):
                raise r
            failed = None
            if isinstance(r, Review):
                done[i] = r
                self.runner.store.write_artifact(
                    f"{self.runner.task_dir(task)}/rebuttal-{i}.json", r.model_dump_json(indent=2)
                )
            else:
                failed = str(r)
                self.runner.notice(
                    f"rebuttal of {reviewers[i]} failed, its review stands: {r}", "warning"
                )
            position = (
                _positions(blind[i], done[i], blind[1 - i], self.runner.limits())
                if failed is None
                else {key: [] for key in _POSITION_KEYS[:-1]} | {"summary": ""}
            )
            record.append(
                {
                    "index": i,
                    "model": reviewers[i],
                    **position,
                    "failed": failed,
                    "before": blind[i].model_dump(mode="json"),
                    "after": done[i].model_dump(mode="json"),
                }
            )
            self._show_rebutted(i, reviewers[i], done[i], position, announce=failed is None)
        self.runner.store.write_artifact(
            f"{self.runner.task_dir(task)}/rebuttal.json",
            json.dumps({"reviewers": record}, indent=2),
        )

    def _show_rebutted(
        self, i: int, model: str, review: Review, position: dict[str, Any], announce: bool = True
    ) -> None:
        """The updated review to its pane; its changes of position as notices."""
        self.runner.emit(
            ArtifactReady(
                ReviewArtifact(i, review, Rebuttal.from_position(position)), f"review:{i}"
            )
        )
        if not announce:
            return
        if position["conceded"]:
            self.runner.notice(f"{model} conceded: " + "; ".join(position["conceded"]))
        if position["withdrawn"]:
            self.runner.notice(f"{model} withdrew: " + "; ".join(position["withdrawn"]))
        if position["severity_changed"]:
            self.runner.notice(
                f"{model} re-rated: "
                + "; ".join(
                    f"{c['title']} {c['from']} → {c['to']}" for c in position["severity_changed"]
                )
            )

    def _rebutted(
        self, task: Task, blind: dict[int, Review]
    ) -> dict[int, tuple[Review, dict[str, Any]]] | None:
        """This round's rebuttal result, if it was made from exactly these blind reviews."""
        _found, data = self.runner.round_json(
            f"{self.runner.task_dir(task)}/rebuttal.json", "the rebuttal round runs again"
        )
        if data is None:
            return None
        out: dict[int, tuple[Review, dict[str, Any]]] = {}
        try:
            for entry in data["reviewers"]:
                i = entry["index"]
                if i not in blind or Review.model_validate(entry["before"]) != blind[i]:
                    return None
                position = {k: entry[k] for k in _POSITION_KEYS}
                out[i] = (Review.model_validate(entry["after"]), position)
        except (ValueError, KeyError, TypeError):
            return None
        return out if set(out) == set(blind) else None

    # -- a rerun of one reviewer, reviews read back --------------------------------

    def _rerun_reviewer(self, reviewers: list[str], done: dict[int, Review], ctx: StageCtx) -> None:
        """Rerun one reviewer: drop its review, and give it the chosen model for good."""
        try:
            plan = plan_rerun(reviewers, ctx.target, ctx.target_model)
        except RerunRefused as exc:
            raise StageError(str(exc)) from None
        for i in plan.rerun:
            done.pop(i, None)
        self._use_reviewers(reviewers, plan.models)

    def _preview_note(self) -> str:
        """What the review checkpoint's matches are: the offline matcher's, always. A
        configured judge is asked once the reviews are accepted (a rerun of a review
        here would make its answer worthless), so the preview says it comes later."""
        roles = self.runner.session.roles
        judge = self.runner.config.triage.judge_model(roles.planner, roles.executor)
        if judge is None:
            return "the offline matcher's matches"
        return f"the offline matcher's matches: the judge ({judge}) settles its unsure pairs in the triage"

    def _use_reviewers(self, reviewers: list[str], models: list[str]) -> None:
        """The session's reviewers are `models` from now on (the panes are told)."""
        if models == reviewers:
            return
        s = self.runner.session
        reviewers[:] = models
        s.roles.reviewers = list(models)
        self.runner.notice("reviewers now: " + ", ".join(models))
        self.runner.emit(
            ArtifactReady(RolesArtifact(s.roles.planner, s.roles.executor, tuple(models)))
        )
        self.runner.save()

    def _stored_review(self, task: Task, i: int, model: str) -> Review | None:
        """Reviewer `i`'s stored review of this round; None (with a warning) if unreadable."""
        rel = f"{self.runner.task_dir(task)}/review-{i}-{file_slug(model)}.json"
        instead = f"{model} reviews again"
        _found, data = self.runner.round_json(rel, instead)
        if data is None:
            return None
        try:
            return Review.model_validate(data)
        except ValueError:
            self.runner.notice(f"{rel} is not a duo review; {instead}", "warning")
            return None

    def load_reviews(self, task: Task) -> list[Review] | None:
        """This round's reviews, read back for the triage; None when none can be read:
        the task goes back to its review (a warning says so)."""
        out: dict[int, Review] = {}
        for i, model in enumerate(self.runner.session.roles.effective_reviewers()):
            stored = self._stored_review(task, i, model)
            if stored is not None:
                out[i] = stored
        if not out:
            task.phase = Stage.REVIEW
            self.runner.save()
            self.runner.notice(
                f"the reviews of {task.id} round {task.round} are missing or unreadable; "
                "the review runs again",
                "warning",
            )
            return None
        # with a rebuttal round, the triage was made from the updated reviews
        rebutted = self._rebutted(task, out) if self.runner.config.loop.rebuttal else None
        for i, (updated, _position) in (rebutted or {}).items():
            out[i] = updated
        return [out[i] for i in sorted(out)]


def _positions(
    before: Review, after: Review, other: Review, limits: Limits | None = None
) -> dict[str, Any]:
    """How a reviewer's rebuttal (`after`) moved from its blind review (`before`), given
    the `other` review it was shown: titles of the other's findings it now reports
    (conceded) or still does not (contested), of its own it dropped (withdrawn), and
    its own findings whose severity it changed."""
    from duo_tui.core.triage import match_reviews

    own = match_reviews(before, after, limits=limits)
    withdrawn = [f.title for f in before.findings if f.id in set(own.only_a)]
    severity_changed = []
    for p in own.pairs:
        b, a = before.finding(p.a), after.finding(p.b)
        if b is not None and a is not None and b.severity != a.severity:
            severity_changed.append(
                {"title": a.title, "from": b.severity.value, "to": a.severity.value}
            )
    had = {p.a for p in match_reviews(other, before, limits=limits).pairs}
    has = {p.a for p in match_reviews(other, after, limits=limits).pairs}
    return {
        "conceded": [f.title for f in other.findings if f.id in has and f.id not in had],
        "contested": [f.title for f in other.findings if f.id not in has and f.id not in had],
        "withdrawn": withdrawn,
        "severity_changed": severity_changed,
        "summary": after.summary,
    }

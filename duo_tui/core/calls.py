"""One seam for every model call: cost cap, streaming events, journal, transcript.

`ModelCaller.call` streams a request through the provider for its model, emits
`TextDelta`s for the pane, journals the text as it arrives (a kill keeps it),
records usage and cost per model and stage, and appends the call to the
session transcript. A fault becomes `CallFailed` carrying the partial text.

Each call gets an output budget sized for its role and model (budgets.py). A
reply cut off at that budget is kept (journal, transcript) and retried once
with a larger budget, up to the model's limit; a stream that stalled between
chunks is retried once. A reply longer than `[limits] model_reply_mb` is stopped.
Every call records how it ended (`CallRecord.ending`, `StageRun.calls`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from duo_tui.core.events import (
    ErrorEvent,
    Event,
    Recovered,
    Retrying,
    StreamFinished,
    StreamReset,
    TextDelta,
    UsageUpdate,
)
from duo_tui.core.models import CallEnding, CallRecord, Stage, Usage
from duo_tui.core.session import Session
from duo_tui.limits import MB
from duo_tui.providers.base import (
    FaultKind,
    Message,
    ModelRequest,
    Provider,
    ProviderError,
    RetryNotice,
    StreamEnd,
    TextChunk,
)
from duo_tui.providers.budgets import Budget, family_budget, output_budget
from duo_tui.providers.faults import make_error
from duo_tui.redact import redact

if TYPE_CHECKING:
    from duo_tui.config import Config

#: The size limit of one model reply when no configuration says otherwise.
DEFAULT_MAX_REPLY_BYTES = 2 * MB


class StreamJournalLike(Protocol):
    def write(self, text: str) -> None: ...
    def close(self) -> None: ...
    def finish(self) -> Any: ...


class StoreLike(Protocol):
    """What the core needs from session storage (implemented by store.SessionStore)."""

    def save(self, session: Session) -> None: ...
    def write_artifact(self, relpath: str, text: str) -> str: ...
    def read_artifact(
        self, relpath: str, limit: int | None = None, setting: str = ""
    ) -> str | None: ...
    def write_plan(self, version: int, text: str) -> str: ...
    def append_decision(self, decision: Any) -> None: ...
    def append_call(self, record: CallRecord) -> None: ...
    def open_stream(self, name: str) -> StreamJournalLike: ...


class CostCapReached(Exception):
    """The next call would pass `[loop] max_cost_usd`."""


class CallFailed(Exception):
    """A model call failed; `partial` is the text received before the fault."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(redact(error.message))
        self.error = error
        self.partial = error.partial


@dataclass
class CallResult:
    text: str
    usage: Usage
    model: str
    latency_s: float | None
    ttft_s: float | None


_ids = itertools.count(1)


class ModelCaller:
    """Runs model calls for the runner; owns the cost cap."""

    def __init__(
        self,
        session: Session,
        store: StoreLike,
        providers: Callable[[str], Provider],
        emit: Callable[[Event], None],
        max_cost_usd: float | None = None,
        deadline_s: float = 600.0,
        stall_timeout_s: float = 90.0,
        config: Config | None = None,
    ) -> None:
        self.session = session
        self.store = store
        self.providers = providers
        self.emit = emit
        self.max_cost_usd = max_cost_usd
        self.deadline_s = deadline_s
        self.stall_timeout_s = stall_timeout_s
        self.config = config
        self._cost_seen: dict[tuple[str, str], float] = {}
        self._in_flight_usd = 0.0  # the estimates of the calls under way (concurrent reviews)

    def estimate(self, model: str, purpose: str) -> float:
        """Expected cost of the next call: the dearest similar call so far."""
        same = self._cost_seen.get((model, purpose))
        if same is not None:
            return same
        costs = list(self._cost_seen.values())
        return max(costs) if costs else 0.0

    def check_cost(self, model: str, purpose: str) -> float:
        """Refuse a call that would pass the cap; returns its estimate (0 without a cap).

        Calls already under way count with their estimates: two reviews started
        together must not each see only what was spent before either began.
        """
        cap = self.max_cost_usd
        if cap is None:
            return 0.0
        spent = self.session.cost_usd
        pending = self._in_flight_usd
        nxt = self.estimate(model, purpose)
        if spent + pending + nxt > cap or spent >= cap:
            under_way = f" and ~${pending:.2f} in calls under way" if pending else ""
            raise CostCapReached(
                f"cost cap reached: ${spent:.2f} spent{under_way}, the next {purpose} call "
                f"(~${nxt:.2f} with {model}) would pass max_cost_usd ${cap:.2f}"
            )
        return nxt

    def budget(self, model: str, role: str) -> Budget:
        """The output budget of a `role` call to `model`: configured, else the family's."""
        if self.config is None:
            return family_budget(model)
        return output_budget(model, role, self.config)

    def max_reply_bytes(self) -> int:
        if self.config is None:
            return DEFAULT_MAX_REPLY_BYTES
        return int(self.config.limits.model_reply_mb * MB)

    async def call(
        self,
        *,
        role: str,
        model: str,
        stage: Stage,
        purpose: str,
        stream: str,
        system: str,
        prompt: str,
        json_schema: dict[str, Any] | None = None,
        schema_name: str = "duo_review",
        title: str = "",
    ) -> CallResult:
        reserved = self.check_cost(model, purpose)
        self._in_flight_usd += reserved
        budget = self.budget(model, role)
        tokens = budget.tokens
        retried: dict[FaultKind, str] = {}  # fault -> what the one retry changed
        try:
            while True:
                try:
                    result = await self._call(
                        role=role,
                        model=model,
                        stage=stage,
                        purpose=purpose,
                        stream=stream,
                        system=system,
                        prompt=prompt,
                        json_schema=json_schema,
                        schema_name=schema_name,
                        title=title,
                        max_tokens=tokens,
                    )
                    if retried:  # the one automatic retry answered: say so
                        self.emit(Recovered(stream, 2, 2))
                    return result
                except CallFailed as failed:
                    err = failed.error
                    retry = self._retry_of(err, Budget(tokens, budget.ceiling), retried)
                    if retry is None:
                        self._report_failure(failed, stage, stream, model, retried)
                        raise
                    change, tokens = retry
                    retried[err.kind] = change
                    self.check_cost(model, purpose)  # the retry is a call of its own
                    self.emit(
                        Retrying(stream, 2, 2, 0.0, redact(f"{err.message}; retrying {change}"))
                    )
        finally:
            self._in_flight_usd -= reserved

    @staticmethod
    def _retry_of(
        err: ProviderError, budget: Budget, retried: dict[FaultKind, str]
    ) -> tuple[str, int] | None:
        """(what changes, the next budget) for the one automatic retry of `err`, or None."""
        if err.kind in retried:
            return None
        if err.kind is FaultKind.CUT_OFF and err.ending != "model_context_window_exceeded":
            bigger = budget.larger()
            if bigger is None:
                err.message += f" ({budget.tokens} tokens is this model's limit)"
                return None
            return f"once with a budget of {bigger} tokens (was {budget.tokens})", bigger
        if err.kind is FaultKind.STALL:
            return "once", budget.tokens
        return None

    def _report_failure(
        self,
        failed: CallFailed,
        stage: Stage,
        stream: str,
        model: str,
        retried: dict[FaultKind, str],
    ) -> None:
        """Say what failed (and what the automatic retry already tried) in the pane."""
        err = failed.error
        if err.kind in retried:
            err.message += f" (after retrying {retried[err.kind]})"
        failed.args = (redact(err.message),)
        self.emit(
            ErrorEvent(
                message=redact(err.message if model in err.message else f"{model}: {err.message}"),
                stage=stage,
                stream=stream,
                what_to_do=err.what_to_do(),
                partial_kept=bool(err.partial),
            )
        )

    async def _call(
        self,
        *,
        role: str,
        model: str,
        stage: Stage,
        purpose: str,
        stream: str,
        system: str,
        prompt: str,
        json_schema: dict[str, Any] | None,
        schema_name: str,
        title: str,
        max_tokens: int,
    ) -> CallResult:
        s = self.session
        rnd = s.task.round if s.task is not None else 1
        task_id = (
            s.task.id if s.task is not None and stage not in (Stage.PLAN, Stage.ALIGN) else None
        )
        call_no = next(_ids)
        journal = self.store.open_stream(
            f"{stage.value}-{task_id or 'plan'}-r{rnd}-{stream.replace(':', '')}-{call_no}"
        )
        self.emit(StreamReset(stream=stream, title=title or purpose, model=model))
        request = ModelRequest(
            model=model,
            system=system,
            messages=[Message("user", prompt)],
            purpose=purpose,
            json_schema=json_schema,
            schema_name=schema_name,
            max_tokens=max_tokens,
            deadline_s=self.deadline_s,
            stall_timeout_s=self.stall_timeout_s,
        )
        record = CallRecord(
            call_id=f"{s.id}-{call_no}",
            role=role,
            model=model,
            stage=stage,
            round=rnd,
            task_id=task_id,
            request_text=redact(system + "\n\n" + prompt),
            max_output_tokens=max_tokens,
        )
        parts: list[str] = []
        usage = Usage()
        end: StreamEnd | None = None
        start = time.perf_counter()
        limit = self.max_reply_bytes()
        size = 0
        retry: RetryNotice | None = None  # the provider's last retry of this call, if any
        try:
            provider = self.providers(model)
            events = provider.stream(request)
            async with aclosing(events):  # type: ignore[type-var]  # stops the stream on a fault
                async for ev in events:
                    if isinstance(ev, TextChunk):
                        size += len(ev.text.encode("utf-8", "surrogatepass"))
                        if size > limit:
                            raise make_error(
                                FaultKind.TOO_LARGE,
                                f"the reply passed the size limit of {limit} bytes "
                                "([limits] model_reply_mb) and was stopped",
                                model=model,
                                partial="".join(parts),
                                retryable=False,
                            )
                        parts.append(ev.text)
                        journal.write(ev.text)
                        self.emit(TextDelta(stream=stream, text=ev.text))
                    elif isinstance(ev, RetryNotice):
                        retry = ev
                        self.emit(
                            Retrying(
                                stream, ev.attempt, ev.max_attempts, ev.wait_s, redact(ev.reason)
                            )
                        )
                    elif isinstance(ev, StreamEnd):
                        end = ev
                        usage = ev.usage
        except BaseException as exc:
            if not isinstance(exc, ProviderError):
                journal.close()
                raise

            if not exc.partial:
                exc.partial = "".join(parts)
            record.ok = False
            record.complete = False
            record.error = redact(f"{exc.kind.value}: {exc.message}")
            record.response_text = redact(exc.partial)
            record.usage = exc.usage
            record.latency_s = time.perf_counter() - start
            record.ending = exc.ending or exc.kind.value
            self._account(model, stage, purpose, exc.usage, record)
            journal.close()  # stays a .partial: the text that arrived is kept
            self.emit(
                StreamFinished(
                    stream=stream,
                    model=model,
                    usage=exc.usage,
                    complete=False,
                    ending=record.ending,
                )
            )
            raise CallFailed(exc) from None
        text = "".join(parts)
        journal.finish()
        record.response_text = redact(text)
        record.usage = usage
        record.latency_s = end.latency_s if end and end.latency_s else time.perf_counter() - start
        record.ttft_s = end.ttft_s if end else None
        record.ending = (end.stop_reason if end else None) or "complete"
        self._account(model, stage, purpose, usage, record)
        self.emit(
            StreamFinished(
                stream=stream,
                model=model,
                usage=usage,
                complete=True,
                latency_s=record.latency_s,
                ttft_s=record.ttft_s,
                ending=record.ending,
            )
        )
        if retry is not None:  # the retries worked: the notice says so, not just "attempt n/N"
            self.emit(Recovered(stream, retry.attempt, retry.max_attempts))
        return CallResult(text, usage, model, record.latency_s, record.ttft_s)

    def _account(
        self, model: str, stage: Stage, purpose: str, usage: Usage, record: CallRecord
    ) -> None:
        self.session.add_usage(model, stage, usage)
        run = self.session.current
        if run is not None and run.stage == stage and record.ending is not None:
            run.calls.append(
                CallEnding(
                    call_id=record.call_id,
                    model=model,
                    ending=record.ending,
                    complete=record.ok and record.complete,
                    max_output_tokens=record.max_output_tokens,
                )
            )
        if usage.cost_usd is not None:
            key = (model, purpose)
            self._cost_seen[key] = max(self._cost_seen.get(key, 0.0), usage.cost_usd)
        self.store.append_call(record)
        self.emit(
            UsageUpdate(
                by_model=dict(self.session.usage_by_model),
                cost_usd=self.session.cost_usd,
                cost_known=self.session.cost_known,
                by_stage=dict(self.session.usage_by_stage),
            )
        )

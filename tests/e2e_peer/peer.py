"""A wire-compatible peer for the demo session: llm-mock-api answering both APIs.

`DemoPeer` runs llm-mock-api on 127.0.0.1 (a port the OS picks) in a thread
with its own event loop, so it keeps serving while a test waits on a
subprocess, runs the headless pipeline in its own loop, or drives the TUI
whose pipeline thread has yet another loop.

Every prompt of the demo session (duo_tui/demo/script.py, applied to the
project of `create_demo_repo`) is recognised by the heading of its prompt
template and answered with the demo's text and token usage:

| prompt heading                                | answer                                     |
|-----------------------------------------------|--------------------------------------------|
| `# Task: write the plan`                      | plan v1                                    |
| `# Task: check that this plan is executable`  | blocking, or ready once the plan says codes are matched case-insensitively |
| `# Task: revise your plan`                    | plan v2                                    |
| `# Task: implement`                           | the SEARCH/REPLACE edits                   |
| `# Task: fix the findings`                    | the fix                                    |
| `# Task: review this change`                  | round 1 review, or round 2 once the diff refuses a second code |
| `# Task: respond to the other reviewer`       | the demo's rebuttal (the reviewer's round-1 review again) |

`play(script)` replaces these rules with a script of the scripted provider's
shape (answers by `(purpose, model)`, then by purpose, each list consumed in
order, its last answer repeating): that is how a test plays a circular
argument, a fix that breaks the gate or a session that never converges on the
real wire. Every answer carries its script's token usage, so the real
providers price each call.

Reviews and rebuttals are structured output: on the Anthropic wire a call of the forced
tool (whose input JSON the provider streams as text), on the OpenAI wire the
JSON as message content. A review request waits (briefly) for the other
model's review of the same round to arrive, and records whether it did: that
is how the tests see that the two reviews were requested concurrently.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from llm_mock_api import ErrorReply, MockServer, MockServerOptions, ReplyObject, ToolCall
from llm_mock_api.types.reply import Usage as MockUsage
from llm_mock_api.types.request import MockRequest
from llm_mock_api.types.rule import MatchObject

from duo_tui.demo.script import EXECUTOR, PLANNER, demo_script
from duo_tui.providers.base import Message, ModelRequest, ProviderError
from duo_tui.providers.pricing import cost_usd
from duo_tui.providers.scripted import Script, ScriptedAnswer, ScriptedProvider

T = TypeVar("T")

#: Prompt template headings (duo_tui/prompts/*.md) -> the purpose of the call.
HEADINGS: tuple[tuple[str, str], ...] = (
    ("# Task: write the plan", "plan"),
    ("# Task: check that this plan is executable", "align"),
    ("# Task: revise your plan", "revise"),
    ("# Task: implement", "execute"),
    ("# Task: fix the findings", "fix"),
    ("# Task: review this change", "review"),
    ("# Task: respond to the other reviewer", "rebuttal"),
)

#: Purposes answered as structured output (a forced tool call on the Anthropic wire).
STRUCTURED = frozenset({"review", "rebuttal"})

#: Only the revised plan (v2) says this; the plan check then answers "ready".
PLAN_V2_MARK = "Codes are matched case-insensitively"
#: Only the fixed code says this; a review that sees it is a round-2 review.
FIXED_MARK = "a discount code is already applied"

#: The model (as duo-tui names it) behind each wire format.
MODEL_OF_API = {"anthropic": PLANNER, "openai": EXECUTOR}

#: How long a review request waits for the other reviewer's request to arrive.
PEER_REVIEW_WAIT_S = 5.0


def purpose_of(prompt: str) -> str | None:
    """The purpose of a duo-tui prompt, read from its template heading."""
    text = prompt.lstrip()
    for heading, purpose in HEADINGS:
        if text.startswith(heading):
            return purpose
    return None


@dataclass
class Served:
    """One answer the peer gave (errors it was told to return are not listed)."""

    purpose: str
    api: str
    model: str
    round: int
    input_tokens: int
    output_tokens: int
    arrived_s: float
    prompt: str = ""
    """The prompt's text (the last user message), as the peer received it."""
    other_review_seen: bool | None = None
    """Reviews only: the other model's review of the same round arrived while this one waited."""


class DemoPeer:
    """llm-mock-api in a background thread, answering the demo session on both wires."""

    def __init__(self) -> None:
        self.server = MockServer(
            MockServerOptions(port=0, default_latency=0, default_chunk_size=24)
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="llm-mock-api", daemon=True
        )
        self.served: list[Served] = []
        self._arrivals: list[tuple[str, int, str]] = []  # (purpose, round, api) per request
        self._script: ScriptedProvider | None = None  # set by play(); None: the demo's rules
        self.review_wait_s = PEER_REVIEW_WAIT_S
        """How long a review waits for the other's (less when a test knows it will not come)."""

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._call(self.server.start)
        self.reset()

    def stop(self) -> None:
        try:
            self._call(self.server.stop)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()

    def _call(self, fn: Callable[[], Coroutine[Any, Any, T]], timeout: float = 15.0) -> T:
        """Run a coroutine on the peer's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(fn(), self._loop).result(timeout)

    def _sync(self, fn: Callable[[], T]) -> T:
        """Run a plain function on the peer's loop (the rule list is not thread-safe)."""

        async def run() -> T:
            return fn()

        return self._call(run)

    # -- addresses ------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def anthropic_base(self) -> str:
        """`[providers.anthropic] api_base`: the SDK appends /v1/messages."""
        return self.url

    @property
    def openai_base(self) -> str:
        """`[providers.openai] api_base`: the SDK appends /chat/completions."""
        return self.url + "/v1"

    # -- rules ----------------------------------------------------------------------

    def reset(self) -> None:
        """Forget rules, history and observations; answer the demo session again."""

        def install() -> None:
            self.server.reset()
            self.served.clear()
            self._arrivals.clear()
            self._script = None
            self.review_wait_s = PEER_REVIEW_WAIT_S
            self.server.when(lambda req: True).reply(self._answer)

        self._sync(install)

    def play(self, script: Script) -> None:
        """Answer from `script` (the scripted provider's shape) instead of the demo's rules.

        The n-th review (or rebuttal) a wire is asked for counts as round n.
        """

        def install() -> None:
            self._script = ScriptedProvider(script)

        self._sync(install)

    def fail(
        self,
        api: Literal["anthropic", "openai"],
        status: int,
        message: str,
        type_: str | None = None,
        *,
        times: int | None = None,
    ) -> None:
        """Answer requests on the `api` wire ("anthropic"/"openai") with an HTTP error.

        `times=None` fails every such request; otherwise only the next `times` ones.
        """

        def install() -> None:
            handle = self.server.when(MatchObject(format=api)).reply(
                ReplyObject(error=ErrorReply(status, message, type_))
            )
            if times is not None:
                handle.times(times)
            handle.first()

        self._sync(install)

    def history(self) -> list[tuple[str, str | None, str | None]]:
        """(wire format, purpose, matched rule) of every request received, in order."""
        return self._sync(
            lambda: [
                (e.request.format, purpose_of(e.request.last_message), e.rule)
                for e in self.server.history
            ]
        )

    def credentials(self) -> set[str]:
        """The keys the SDKs sent (`x-api-key` on the Anthropic wire, a bearer token on OpenAI)."""

        def collect() -> set[str]:
            seen = set()
            for e in self.server.history:
                h = e.request.headers
                key = h.get("x-api-key") or (h.get("authorization") or "").removeprefix("Bearer ")
                if key:
                    seen.add(key)
            return seen

        return self._sync(collect)

    def usage_by_model(self) -> dict[str, tuple[int, int]]:
        """Input and output tokens the peer reported, summed per duo-tui model string."""
        out: dict[str, tuple[int, int]] = {}
        for s in self.served:
            inp, outp = out.get(s.model, (0, 0))
            out[s.model] = (inp + s.input_tokens, outp + s.output_tokens)
        return out

    def cost_usd(self) -> float:
        """What every answer served so far costs at the real price list, as the providers price it."""
        total = 0.0
        for s in self.served:
            cost = cost_usd(s.model, s.input_tokens, s.output_tokens)
            assert cost is not None, f"no price for {s.model}: pick a priced model"
            total += cost
        return total

    def served_of(self, purpose: str) -> list[Served]:
        return [s for s in self.served if s.purpose == purpose]

    # -- answers --------------------------------------------------------------------

    def _demo_answer(self, purpose: str, model: str, prompt: str) -> tuple[ScriptedAnswer, int]:
        script = demo_script()
        if purpose == "align":
            return script["align"][1 if PLAN_V2_MARK in prompt else 0], 1
        if purpose == "review":
            rnd = 2 if FIXED_MARK in prompt else 1
            return script[("review", model)][rnd - 1], rnd
        return script[(purpose, model)][0] if (purpose, model) in script else script[purpose][0], 1

    def _scripted_answer(
        self, scripted: ScriptedProvider, purpose: str, model: str, api: str
    ) -> tuple[ScriptedAnswer, int]:
        rnd = 1 + sum(1 for p, _, a in self._arrivals if p == purpose and a == api)
        request = ModelRequest(
            model=model, system="", messages=[Message("user", "")], purpose=purpose
        )
        return scripted.answer_for(request), rnd

    async def _answer(self, req: MockRequest) -> ReplyObject:
        prompt = req.last_message
        purpose = purpose_of(prompt)
        api = req.format
        if purpose is None or api not in MODEL_OF_API:
            return ReplyObject(
                error=ErrorReply(400, f"peer: unexpected {api} prompt: {prompt[:80]!r}")
            )
        model = MODEL_OF_API[api]
        if self._script is not None:
            try:
                answer, rnd = self._scripted_answer(self._script, purpose, model, api)
            except ProviderError as exc:
                return ReplyObject(error=ErrorReply(400, f"peer: {exc.message}"))
        else:
            answer, rnd = self._demo_answer(purpose, model, prompt)
        served = Served(
            purpose=purpose,
            api=api,
            model=model,
            round=rnd,
            input_tokens=_tokens(answer)[0],
            output_tokens=_tokens(answer)[1],
            arrived_s=time.monotonic(),
            prompt=prompt,
        )
        self._arrivals.append((purpose, rnd, api))
        if purpose == "review":
            served.other_review_seen = await self._other_review(rnd, api)
        self.served.append(served)
        usage = MockUsage(input=served.input_tokens, output=served.output_tokens)
        if purpose in STRUCTURED and api == "anthropic":
            tool = req.tool_names[0] if req.tool_names else "duo_review"
            return ReplyObject(
                tools=[ToolCall(name=tool, args=json.loads(answer.text))], usage=usage
            )
        return ReplyObject(text=answer.text, usage=usage)

    async def _other_review(self, rnd: int, api: str) -> bool:
        """Wait until the other wire's review of round `rnd` arrives; False on timeout."""
        deadline = time.monotonic() + self.review_wait_s
        while time.monotonic() < deadline:
            if any(p == "review" and r == rnd and a != api for p, r, a in self._arrivals):
                return True
            await asyncio.sleep(0.01)
        return False


def _tokens(answer: ScriptedAnswer) -> tuple[int, int]:
    usage = answer.usage
    assert usage is not None and usage.input_tokens and usage.output_tokens
    return usage.input_tokens, usage.output_tokens

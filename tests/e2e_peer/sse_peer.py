"""The demo session on both wires in the documented SSE shapes, with replies cut off on demand.

`SsePeer` serves the demo session (the same prompts and answers as `DemoPeer`,
see peer.py) from the fault server (tests/providers/fault_server.py) in a
background thread, as the Anthropic and OpenAI streaming APIs document their
events (tests/providers/documented_sse.py): pings, reviews as the request asks
for them on the Anthropic wire (JSON text under `output_config.format`, or the
offered tool's input split across events), OpenAI usage in a final chunk with
empty `choices`. `cut[(purpose, api)] = n` ends the next `n` such replies half
way with the API's own truncation (`max_tokens` / `length`), as a real model
that ran out of budget does. Every request's output budget is recorded.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from duo_tui.demo.script import demo_script
from duo_tui.providers.scripted import ScriptedAnswer
from tests.providers.documented_sse import (
    a_text_block,
    a_tool_block,
    anthropic_reply,
    openai_reply,
    split,
)
from tests.providers.fault_server import FaultServer, Reply, Seen, json_reply

from .peer import FIXED_MARK, MODEL_OF_API, PLAN_V2_MARK, STRUCTURED, purpose_of

#: How each wire says "cut off at the output budget".
CUT_OFF = {"anthropic": "max_tokens", "openai": "length"}


@dataclass
class Asked:
    """One request the peer answered."""

    api: str
    purpose: str
    budget: int | None
    cut: bool


@dataclass
class SsePeer:
    """The fault server in a thread, answering the demo session; see the module docstring."""

    cut: dict[tuple[str, str], int] = field(default_factory=dict)
    asked: list[Asked] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.server = FaultServer()
        self.server.responder = self._answer
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(10)

    def stop(self) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()

    @property
    def anthropic_base(self) -> str:
        return self.server.url

    @property
    def openai_base(self) -> str:
        return self.server.url + "/v1"

    def budgets(self, purpose: str, api: str) -> list[int | None]:
        return [a.budget for a in self.asked if a.purpose == purpose and a.api == api]

    def _answer(self, seen: Seen) -> Reply:
        body: dict[str, Any] = seen.body if isinstance(seen.body, dict) else {}
        api = "anthropic" if seen.path.endswith("/messages") else "openai"
        prompt = str(body.get("messages", [{}])[-1].get("content", ""))
        purpose = purpose_of(prompt)
        if purpose is None:
            return json_reply(400, {"error": {"type": "invalid_request_error", "message": "?"}})
        answer = _demo_answer(purpose, MODEL_OF_API[api], prompt)
        with self._lock:
            left = self.cut.get((purpose, api), 0)
            if left:
                self.cut[(purpose, api)] = left - 1
        budget = body.get("max_tokens") or body.get("max_completion_tokens")
        self.asked.append(Asked(api, purpose, budget, bool(left)))
        text = answer.text[: len(answer.text) // 2] if left else answer.text
        usage = answer.usage
        assert usage is not None and usage.input_tokens and usage.output_tokens
        if api == "anthropic":
            if purpose in STRUCTURED and body.get("tools"):
                # Offered a tool (models without JSON outputs): the review is its input.
                if not left:
                    text = json.dumps(json.loads(text))  # the tool input, as JSON
                blocks = a_tool_block(0, "duo_review", *split(text, 9))
                ending = "tool_use"
            elif purpose in STRUCTURED:
                # JSON outputs (`output_config.format`): the review is the text, as JSON.
                assert body.get("output_config", {}).get("format", {}).get("type") == "json_schema"
                if not left:
                    text = json.dumps(json.loads(text))
                blocks = a_text_block(0, *split(text, 9))
                ending = "end_turn"
            else:
                blocks = a_text_block(0, *split(text, 9), ping_every=3)
                ending = "end_turn"
            return anthropic_reply(
                blocks,
                CUT_OFF[api] if left else ending,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
            )
        return openai_reply(
            split(text, 9),
            CUT_OFF[api] if left else "stop",
            prompt=usage.input_tokens,
            completion=usage.output_tokens,
        )


def _demo_answer(purpose: str, model: str, prompt: str) -> ScriptedAnswer:
    """The demo's answer to this prompt (as `DemoPeer` gives it)."""
    script = demo_script()
    if purpose == "align":
        return script["align"][1 if PLAN_V2_MARK in prompt else 0]
    if purpose == "review":
        return script[("review", model)][1 if FIXED_MARK in prompt else 0]
    return script[(purpose, model)][0] if (purpose, model) in script else script[purpose][0]

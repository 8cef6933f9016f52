"""Parallel reviews: two reviewers, each answering in 2 s, through duo's real providers.

    python benchmarks/bench_reviews.py [--quick]

llm-mock-api (the local wire-compatible peer) runs in-process on a free port in
its own thread and event loop; every request waits `delay` seconds and then
streams a `duo review v1` document. An Anthropic and an OpenAI provider (the
official SDKs, as `make_provider` builds them) stream one review each,
concurrently with `asyncio.gather` as the review stage does; the wall time is
compared with the serial sum.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, emit

REVIEW = {"reviewer": "bench", "verdict": "approve", "score": 9, "summary": "fine", "findings": []}


class MockPeer:
    """llm-mock-api in a background thread; `url` once started."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._server: Any = None

    def start(self) -> None:
        threading.Thread(target=self._main, daemon=True).start()
        if not self._ready.wait(30):
            raise RuntimeError("llm-mock-api did not start")

    def _main(self) -> None:
        from llm_mock_api import MockServer, MockServerOptions, ReplyObject, ToolCall

        delay = self.delay_s

        async def answer(req: Any) -> Any:
            await asyncio.sleep(delay)
            if req.format == "anthropic" or req.tool_names:
                return ReplyObject(tools=[ToolCall(name="duo_review", args=REVIEW)])
            return ReplyObject(text=json.dumps(REVIEW))

        async def run() -> None:
            self._server = MockServer(
                MockServerOptions(port=0, default_latency=0, default_chunk_size=16)
            )
            self._server.when(lambda _req: True).reply(answer)
            await self._server.start()
            self.url = self._server.url
            self._ready.set()
            while True:
                await asyncio.sleep(3600)

        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(run())


async def review_once(provider: Any, model: str) -> float:
    from duo_tui.core.reviews import REVIEW_SCHEMA, parse_review_text
    from duo_tui.providers.base import Message, ModelRequest, StreamEnd, TextChunk

    req = ModelRequest(
        model=model,
        system="You review code.",
        messages=[Message("user", "review this")],
        purpose="review",
        json_schema=REVIEW_SCHEMA,
    )
    t0 = time.perf_counter()
    text = []
    async for ev in provider.stream(req):
        if isinstance(ev, TextChunk):
            text.append(ev.text)
        elif isinstance(ev, StreamEnd):
            pass
    parse_review_text("".join(text), reviewer=model)
    return time.perf_counter() - t0


def measure(quick: bool) -> list[Row]:
    os.environ.setdefault("ANTHROPIC_API_KEY", "sk-ant-" + "x" * 40)
    os.environ.setdefault("OPENAI_API_KEY", "sk-" + "o" * 40)
    from duo_tui.config import ProviderConfig
    from duo_tui.providers.anthropic_provider import AnthropicProvider
    from duo_tui.providers.openai_provider import OpenAIProvider

    delay = 0.3 if quick else 2.0
    peer = MockPeer(delay)
    peer.start()
    settings = ProviderConfig()
    a = AnthropicProvider(settings, base_url=peer.url)
    o = OpenAIProvider(settings, base_url=peer.url + "/v1")
    pairs = [(a, "anthropic/claude-opus-4-7"), (o, "openai/gpt-5.5")]

    async def scenario() -> tuple[float, float]:
        for p, m in pairs:  # warm-up: connection set-up and lazy imports
            await review_once(p, m)
        serial = 0.0
        for p, m in pairs:
            serial += await review_once(p, m)
        t0 = time.perf_counter()
        await asyncio.gather(*(review_once(p, m) for p, m in pairs))
        wall = time.perf_counter() - t0
        for p, _ in pairs:
            await p.aclose()
        return wall, serial

    wall, serial = asyncio.run(scenario())
    target = 1.1 * delay
    return [
        Row(
            f"parallel reviews: 2 x {delay:g} s answers",
            f"{wall:.2f} s wall",
            f"<= {target:.2f} s",
            wall <= target,
            f"serial {serial:.2f} s; anthropic + openai SDK streams at llm-mock-api "
            "(provider level, not the whole review stage)",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    emit(measure(args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

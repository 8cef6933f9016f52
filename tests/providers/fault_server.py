"""A tiny HTTP/SSE server that misbehaves on purpose, for faults no mock package injects.

It speaks just enough HTTP/1.1 for the anthropic, openai and litellm clients:
every request takes the next queued `Reply`, which is a status, headers and a
list of steps (bytes to send, or seconds to pause). Bodies are delimited by
closing the connection, or chunked (`chunked=True`) so that an early close is
a protocol error. It records each request and whether the client hung up
while the server was still sending (`disconnected`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Step = bytes | float


@dataclass
class Reply:
    """One scripted HTTP response."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    chunked: bool = False
    """Chunked transfer encoding; a final b"" step sends the terminating chunk."""


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event."""
    payload = data if isinstance(data, str) else json.dumps(data)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    """A plain JSON error (or any) response."""
    data = json.dumps(body).encode()
    return Reply(
        status=status,
        headers={"content-type": "application/json", **(headers or {})},
        steps=[data],
    )


# -- Anthropic Messages stream pieces ---------------------------------------------


def anthropic_start(input_tokens: int = 10) -> list[bytes]:
    message: dict[str, Any] = {
        "id": "msg_fault",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": 1},
    }
    return [
        sse({"type": "message_start", "message": message}, "message_start"),
        sse(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
            "content_block_start",
        ),
    ]


def anthropic_text(piece: str) -> bytes:
    delta = {"type": "text_delta", "text": piece}
    return sse({"type": "content_block_delta", "index": 0, "delta": delta}, "content_block_delta")


def anthropic_finish(output_tokens: int = 5, stop: bool = True) -> list[bytes]:
    out = [
        sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
            "message_delta",
        ),
    ]
    if stop:
        out.append(sse({"type": "message_stop"}, "message_stop"))
    return out


def anthropic_ping() -> bytes:
    return sse({"type": "ping"}, "ping")


def anthropic_block_start(index: int, block: dict[str, Any]) -> bytes:
    """`content_block_start` of any block: thinking, text, tool_use."""
    return sse(
        {"type": "content_block_start", "index": index, "content_block": block},
        "content_block_start",
    )


def anthropic_delta(index: int, delta: dict[str, Any]) -> bytes:
    """`content_block_delta` of any kind: thinking_delta, input_json_delta, ..."""
    return sse(
        {"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta"
    )


def anthropic_block_stop(index: int) -> bytes:
    return sse({"type": "content_block_stop", "index": index}, "content_block_stop")


def anthropic_message_start(input_tokens: int = 10, **usage: int) -> bytes:
    """`message_start` alone (no content block), with extra usage fields (cache tokens)."""
    message: dict[str, Any] = {
        "id": "msg_fault",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": 1, **usage},
    }
    return sse({"type": "message_start", "message": message}, "message_start")


def anthropic_message_end(stop_reason: str = "end_turn", output_tokens: int = 5) -> list[bytes]:
    """`message_delta` with the stop reason, then `message_stop`."""
    return [
        sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
            "message_delta",
        ),
        sse({"type": "message_stop"}, "message_stop"),
    ]


def anthropic_error(etype: str = "overloaded_error", message: str = "Overloaded") -> bytes:
    return sse({"type": "error", "error": {"type": etype, "message": message}}, "error")


# -- OpenAI Chat Completions stream pieces -----------------------------------------


def openai_chunk(
    content: str | None = None, finish: str | None = None, usage: dict[str, int] | None = None
) -> bytes:
    delta: dict[str, Any] = {} if content is None else {"content": content}
    return sse(
        {
            "id": "chatcmpl-fault",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-test",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            "usage": usage,
        }
    )


def openai_usage(prompt: int = 10, completion: int = 5) -> bytes:
    return openai_chunk(
        usage={
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
    )


DONE = b"data: [DONE]\n\n"


def stream_reply(steps: Sequence[Step], *, chunked: bool = False) -> Reply:
    return Reply(
        status=200,
        headers={"content-type": "text/event-stream"},
        steps=list(steps),
        chunked=chunked,
    )


class FaultServer:
    """Serve queued `Reply`s on 127.0.0.1, one per request, in order."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Seen] = []
        self.responder: Callable[[Seen], Reply] | None = None
        """Answers a request when no reply is queued (a peer that plays a whole session)."""
        self.disconnected = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def push(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.disconnected.set()
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        raw = await reader.readexactly(int(headers.get("content-length", "0")))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        seen = Seen(method, path, headers, body)
        self.requests.append(seen)
        if self.replies:
            reply = self.replies.pop(0)
        elif self.responder is not None:
            reply = self.responder(seen)
        else:
            reply = json_reply(500, {"error": {"type": "api_error", "message": "no reply queued"}})
        out = [f"HTTP/1.1 {reply.status} X", "connection: close"]
        out += [f"{k}: {v}" for k, v in reply.headers.items()]
        if reply.chunked:
            out.append("transfer-encoding: chunked")
        elif reply.status != 200:
            out.append(
                f"content-length: {sum(len(s) for s in reply.steps if isinstance(s, bytes))}"
            )
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        hangup = asyncio.ensure_future(reader.read())  # b"" when the client closes
        try:
            for step in reply.steps:
                if isinstance(step, bytes):
                    if hangup.done():
                        self.disconnected.set()
                        return
                    writer.write(b"%x\r\n%s\r\n" % (len(step), step) if reply.chunked else step)
                    await writer.drain()
                else:
                    done, _ = await asyncio.wait({hangup}, timeout=step)
                    if done:
                        self.disconnected.set()
                        return
        finally:
            hangup.cancel()

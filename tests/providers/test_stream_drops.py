"""A connection that drops mid-answer is named as such on both official SDKs' wires.

The openai SDK wraps the transport error of a cut chunked stream (httpx's
"incomplete chunked read") in its own `APIConnectionError("Connection error.")`:
the fault must still say "the connection dropped", not "unexpected
APIConnectionError", and keep the partial text for a rerun.
"""

from __future__ import annotations

import pytest

from duo_tui.providers.base import FaultKind

from .fault_server import FaultServer, openai_chunk, stream_reply
from .support import request, run
from .test_faults import GPT, gpt

pytestmark = pytest.mark.usefixtures("fake_keys")


async def test_openai_connection_dropped_mid_chunk_is_truncated(
    fault_server: FaultServer,
) -> None:
    steps = [openai_chunk("Half"), openai_chunk(" an")]  # chunked, no terminating chunk
    fault_server.push(stream_reply(steps, chunked=True))
    out = await run(gpt(fault_server), request(GPT))
    err = out.error
    assert err is not None
    assert err.kind is FaultKind.TRUNCATED, err.message
    assert err.partial == "Half an"
    assert err.message.startswith(f"{GPT}: the connection dropped after 7 characters")
    assert "unexpected" not in err.message
    assert err.what_to_do() == "The stream ended early; the partial text is kept. Rerun (r)."

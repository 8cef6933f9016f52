"""EventBridge: per-stream coalescing of text deltas without reordering anything."""

from __future__ import annotations

from duo_tui.core.events import Notice, TextDelta
from duo_tui.ui.bridge import EventBridge


def test_interleaved_streams_coalesce_per_stream_in_order() -> None:
    bridge = EventBridge()
    for i in range(100):
        bridge.push(TextDelta("review:0", f"a{i} "))
        bridge.push(TextDelta("review:1", f"b{i} "))
    events = bridge.drain()
    assert [e.stream for e in events] == ["review:0", "review:1"]
    assert events[0].text == "".join(f"a{i} " for i in range(100))
    assert events[1].text == "".join(f"b{i} " for i in range(100))
    assert bridge.drain() == []


def test_other_events_are_barriers() -> None:
    bridge = EventBridge()
    bridge.push(TextDelta("plan", "one "))
    bridge.push(TextDelta("exec", "x"))
    notice = Notice("between")
    bridge.push(notice)
    bridge.push(TextDelta("plan", "two"))
    events = bridge.drain()
    assert events[0] == TextDelta("plan", "one ")
    assert events[1] == TextDelta("exec", "x")
    assert events[2] is notice
    assert events[3] == TextDelta("plan", "two")
    # After a drain, a new delta does not merge into something already handed out.
    bridge.push(TextDelta("plan", "three"))
    assert bridge.drain() == [TextDelta("plan", "three")]

"""Stream journal: cheap per-token writes, recovery of partial streams after SIGKILL."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.core.session import Session
from duo_tui.store import SessionStore, journal

Spawn = Callable[..., subprocess.Popen[str]]
Wait = Callable[..., None]


def _partials(store: SessionStore) -> list[str]:
    """The names of the streams left unfinished (their `.partial` files)."""
    root = store.path / "streams"
    return sorted(
        p.relative_to(root).as_posix()[: -len(".partial")] for p in root.rglob("*.partial")
    )


def test_partial_stream_recovered_after_sigkill(
    repo: Path, make_session: Callable[..., Session], spawn: Spawn, wait_for_line: Wait
) -> None:
    store = SessionStore.create(repo, make_session())
    proc = spawn(
        """
        import sys, time
        from pathlib import Path
        from duo_tui.store import SessionStore
        store = SessionStore.open(Path(sys.argv[1]), sys.argv[2])
        done = store.open_stream("plan")
        done.write("finished plan\\n")
        done.finish()
        j = store.open_stream("T1/round-1/execute")
        for i in range(300):
            j.write(f"tok{i} ")
        j.write("\\n")
        time.sleep(0.15)
        j.write("second line\\n")  # 100 ms have passed: this write flushes
        print("READY", flush=True)
        time.sleep(60)
        """,
        str(repo),
        store.id,
    )
    wait_for_line(proc, "READY")
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL

    assert _partials(store) == ["T1/round-1/execute"]
    text = (store.path / "streams/T1/round-1/execute.partial").read_text()
    assert text.startswith("tok0 tok1 ") and "tok299 \n" in text
    assert text.endswith("second line\n")
    assert (store.path / "streams/plan.txt").read_text() == "finished plan\n"


def test_finish_and_context_manager(repo: Path, make_session: Callable[..., Session]) -> None:
    store = SessionStore.create(repo, make_session())
    with store.open_stream("review-1") as j:
        j.write("hello ")
        j.write("world")
    assert j.finished
    assert (store.path / "streams/review-1.txt").read_text() == "hello world"
    assert not (store.path / "streams/review-1.partial").exists()
    with pytest.raises(RuntimeError), store.open_stream("review-2") as j2:
        j2.write("half")
        raise RuntimeError("provider fault")
    assert _partials(store) == ["review-2"]
    assert (store.path / "streams/review-2.partial").read_text() == "half"
    # rerunning the stage starts the stream afresh
    with store.open_stream("review-2") as j3:
        j3.write("full")
    assert _partials(store) == [] and (store.path / "streams/review-2.txt").read_text() == "full"
    with pytest.raises(ValueError):
        j3.write("after close")
    with pytest.raises(ValueError, match="refused"):
        store.open_stream("../escape")


def test_per_token_writes_are_batched(
    repo: Path, make_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore.create(repo, make_session())
    writes: list[int] = []
    real_write = journal.os.write

    def counting_write(fd: int, data: bytes) -> int:
        writes.append(len(data))
        return real_write(fd, data)

    monkeypatch.setattr(journal.os, "write", counting_write)
    j = store.open_stream("big")
    tokens = [f"word{i}" + ("\n" if i % 20 == 19 else " ") for i in range(20000)]
    for tok in tokens:
        j.write(tok)
    j.finish()
    monkeypatch.undo()
    assert (store.path / "streams/big.txt").read_text() == "".join(tokens)
    assert len(writes) < 200, len(writes)  # ~180 KB in 4 KB or 100 ms batches


def test_secret_split_across_flushes_is_redacted(
    repo: Path, make_session: Callable[..., Session]
) -> None:
    store = SessionStore.create(repo, make_session())
    key = "sk-ant-" + "Q" * 40
    token = "abcdefghijklmnopqrstuvwxyz0123456789"
    j = store.open_stream("s")
    j.write("the key is " + key[:15])
    j.flush()
    j.write(key[15:] + " ok\n")
    j.flush()
    j.write("x " * 2100 + "Authorization: Bearer ")  # a long line without newline
    j.flush()
    j.write(token + " done\n")
    j.finish()
    text = (store.path / "streams/s.txt").read_text()
    assert key not in text and "Q" * 10 not in text
    assert token not in text
    assert text.count("[REDACTED]") == 2 and text.endswith(" done\n")

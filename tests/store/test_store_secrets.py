"""No API key ever lands in `.duo/` or an export: scan every byte the store wrote."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.core.models import CallRecord, Review, Stage, Usage
from duo_tui.core.session import Decision, Session
from duo_tui.store import SessionStore, export_json, export_markdown, export_to_file


def test_no_key_on_disk_or_in_exports(
    repo: Path,
    make_session: Callable[..., Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    anthropic_key = "sk-ant-" + "A" * 40
    openai_key = "sk-proj-" + "B" * 40
    odd_key = "k3y-" + "Z9" * 12  # in the environment only: caught by value, not by shape
    monkeypatch.setenv("ANTHROPIC_API_KEY", anthropic_key)
    monkeypatch.setenv("OPENAI_API_KEY", openai_key)
    monkeypatch.setenv("GEMINI_API_KEY", odd_key)
    monkeypatch.setattr(sys, "argv", ["duo-tui", "run", "--key", anthropic_key])
    keys = [anthropic_key, openai_key, odd_key]
    leak = f"anthropic={anthropic_key} openai={openai_key} gemini={odd_key}"

    session = make_session(request=f"Add rate limit. My key: {leak}")
    session.errors.append(f"provider said: invalid key {openai_key}")
    session.usage_by_model["openai/gpt-5.5"] = Usage(cost_usd=0.1)
    store = SessionStore.create(repo, session)
    with store.lock():
        store.save(session)  # a second save also writes session.json.bak
        store.write_plan(1, f"# Plan\nuse {leak}\n")
        store.write_edits("T1", 1, f"edits {leak}")
        store.write_diff("T1", 1, f"+API_KEY = '{anthropic_key}'\n")
        store.write_gate_log("T1", 1, f"env: OPENAI_API_KEY={openai_key}")
        review = Review(reviewer="openai/gpt-5.5", summary=f"hardcoded {anthropic_key}")
        store.write_review("T1", 1, 1, "openai/gpt-5.5", f"raw {leak}", review)
        store.append_decision(Decision(stage=Stage.PLAN, action="reject", reason=leak))
        store.append_call(
            CallRecord(
                call_id="c1",
                role="executor",
                model="openai/gpt-5.5",
                stage=Stage.EXECUTE,
                request_text=f"Authorization: Bearer {openai_key}",
                response_text=f"here is your key {leak}",
            )
        )
        journal = store.open_stream("T1/round-1/execute")
        for ch in leak:  # token by token, so a key is split across writes
            journal.write(ch)
        journal.finish()
        partial = store.open_stream("T1/round-1/review-1")
        partial.write("partial " + leak[:30])
        partial.flush()
        partial.write(leak[30:])
        partial.close()  # left unfinished, as after a kill
        md = export_markdown(store)
        data = json.dumps(export_json(store))
        export_to_file(store, tmp_path / "export.md")
        export_to_file(store, tmp_path / "export.json", "json")

        files = [p for p in store.path.rglob("*") if p.is_file()]
        files += [tmp_path / "export.md", tmp_path / "export.json"]
        assert len(files) >= 14
        blobs = {str(p): p.read_bytes().decode("utf-8", "replace") for p in files}
    blobs["export_markdown()"] = md
    blobs["export_json()"] = data
    for where, text in blobs.items():
        for key in keys:
            assert key not in text, f"{key[:8]}... leaked into {where}"
        assert "A" * 20 not in text and "B" * 20 not in text, where
    assert "[REDACTED]" in blobs[str(store.path / "transcript.jsonl")]
    partial_file = store.path / "streams/T1/round-1/review-1.partial"
    assert partial_file.read_text().startswith("partial anthropic=[REDACTED]")

"""Structured output as current models accept it, checked on the wire (our fault server).

Anthropic: JSON outputs (`output_config.format`) where the model has them, else
one tool with `tool_choice: auto` (a forced tool is a 400 on thinking models),
and a fall-back to the tool when a server refuses `output_config`. OpenAI:
`strict: true` with a strict-compatible schema where the model supports it.
Every provider: no `$schema` / `$id` / `title` keywords in what is sent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from duo_tui.core.reviews import REVIEW_SCHEMA, parse_review_text
from duo_tui.providers.schemas import clean_schema, openai_strict_schema

from .fault_server import (
    DONE,
    FaultServer,
    anthropic_block_start,
    anthropic_block_stop,
    anthropic_delta,
    anthropic_message_end,
    anthropic_message_start,
    anthropic_ping,
    anthropic_text,
    json_reply,
    openai_chunk,
    openai_usage,
    stream_reply,
)
from .support import request, run
from .test_faults import claude, gpt, vllm

pytestmark = pytest.mark.usefixtures("fake_keys")

REVIEW = {
    "reviewer": "m",
    "verdict": "request_changes",
    "findings": [{"id": "F1", "severity": "high", "title": "race in the webhook handler"}],
}


def _keywords(node: Any, found: set[str]) -> set[str]:
    """Every keyword used anywhere in a schema (property names are not keywords)."""
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            if key == "properties":
                for sub in value.values():
                    _keywords(sub, found)
            else:
                _keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            _keywords(item, found)
    return found


def _objects(node: Any) -> list[dict[str, Any]]:
    """Every object schema inside `node`."""
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            out.append(node)
        for key, value in node.items():
            if key == "properties":
                for sub in value.values():
                    out += _objects(sub)
            else:
                out += _objects(value)
    elif isinstance(node, list):
        for item in node:
            out += _objects(item)
    return out


def _finding_props(schema: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = schema["properties"]["findings"]["items"]["properties"]
    return props


def claude_json_text(text: str) -> list[bytes | float]:
    steps: list[bytes | float] = [
        anthropic_message_start(30),
        anthropic_block_start(0, {"type": "text", "text": ""}),
    ]
    steps += [anthropic_text(text[i : i + 20]) for i in range(0, len(text), 20)]
    steps += [anthropic_block_stop(0), *anthropic_message_end("end_turn", 40)]
    return steps


# -- the schema transformations ---------------------------------------------------


def test_clean_schema_drops_meta_keywords_but_keeps_properties_of_that_name() -> None:
    cleaned = clean_schema(REVIEW_SCHEMA)
    assert not {"$schema", "$id", "title"} & set(cleaned)
    assert "title" in _finding_props(cleaned), "a finding's `title` field is data, not a keyword"
    nested = clean_schema(
        {"type": "object", "properties": {"$id": {"type": "string", "title": "x"}}}
    )
    assert nested == {"type": "object", "properties": {"$id": {"type": "string"}}}
    assert "$schema" in REVIEW_SCHEMA, "the original is not modified"


def test_openai_strict_schema_closes_objects_and_requires_every_property() -> None:
    strict = openai_strict_schema(REVIEW_SCHEMA)
    assert not {"$schema", "$id", "title", "minLength"} & _keywords(strict, set())
    objects = _objects(strict)
    assert len(objects) == 2
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])
    # optional fields accept null; required ones do not
    props = _finding_props(strict)
    assert props["category"]["type"] == ["string", "null"]
    assert strict["properties"]["verdict"]["enum"][-1] is None
    assert strict["properties"]["verdict"]["type"] == ["string", "null"]
    assert props["severity"]["enum"] == ["critical", "high", "medium", "low", "info"]
    assert props["severity"]["type"] == "string", "an enum names its type, as OpenAI documents"
    assert props["title"]["type"] == "string"


# -- Anthropic ----------------------------------------------------------------------


async def test_anthropic_uses_json_outputs_on_models_that_have_them(
    fault_server: FaultServer,
) -> None:
    fault_server.push(stream_reply(claude_json_text(json.dumps(REVIEW))))
    out = await run(
        claude(fault_server), request("anthropic/claude-opus-4-7", schema=REVIEW_SCHEMA)
    )
    assert out.error is None
    assert parse_review_text(out.text, "m").findings[0].title == "race in the webhook handler"
    body = fault_server.requests[0].body
    assert "tools" not in body and "tool_choice" not in body
    fmt = body["output_config"]["format"]
    assert fmt["type"] == "json_schema"
    schema = fmt["schema"]
    # no meta keywords and no limits Anthropic does not take; every object closed
    assert not {"$schema", "$id", "title", "minimum", "maximum", "minLength"} & _keywords(
        schema, set()
    )
    assert all(obj["additionalProperties"] is False for obj in _objects(schema))
    assert "title" in _finding_props(schema)
    assert schema["required"] == ["reviewer", "findings"]


async def test_anthropic_falls_back_to_an_unforced_tool_when_output_config_is_refused(
    fault_server: FaultServer,
) -> None:
    refused = json_reply(
        400,
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "output_config.format: Extra inputs are not permitted",
            },
        },
    )
    doc = json.dumps(REVIEW)
    # A thinking model: thinking, a ping, a sentence of prose, then the tool input in pieces.
    tool_steps: list[bytes | float] = [
        anthropic_message_start(30),
        anthropic_block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        anthropic_delta(0, {"type": "thinking_delta", "thinking": "SECRET-THOUGHT"}),
        anthropic_delta(0, {"type": "signature_delta", "signature": "c2ln"}),
        anthropic_block_stop(0),
        anthropic_ping(),
        anthropic_block_start(1, {"type": "text", "text": ""}),
        anthropic_delta(1, {"type": "text_delta", "text": "Here is my review."}),
        anthropic_block_stop(1),
        anthropic_block_start(
            2, {"type": "tool_use", "id": "toolu_1", "name": "duo_review", "input": {}}
        ),
        *(
            anthropic_delta(2, {"type": "input_json_delta", "partial_json": doc[i : i + 7]})
            for i in range(0, len(doc), 7)
        ),
        anthropic_block_stop(2),
        *anthropic_message_end("tool_use", 40),
    ]
    fault_server.push(refused, stream_reply(tool_steps), stream_reply(tool_steps))
    provider = claude(fault_server)
    model = "anthropic/claude-opus-4-7"
    out = await run(provider, request(model, schema=REVIEW_SCHEMA))
    assert out.error is None, out.error
    assert "SECRET-THOUGHT" not in out.text
    assert parse_review_text(out.text, "m").model_dump(exclude_none=True)["findings"] == [
        {**REVIEW["findings"][0], "category": "", "detail": "", "suggestion": ""}  # type: ignore[dict-item]
    ]
    first, second = (r.body for r in fault_server.requests)
    assert "output_config" in first
    assert "output_config" not in second
    assert second["tool_choice"] == {"type": "auto"}
    assert "$schema" not in second["tools"][0]["input_schema"]
    # remembered: the next call of this model goes straight to the tool
    again = await run(provider, request(model, schema=REVIEW_SCHEMA))
    assert again.error is None
    assert len(fault_server.requests) == 3
    assert "output_config" not in fault_server.requests[2].body


async def test_anthropic_older_models_get_the_tool_without_a_forced_choice(
    fault_server: FaultServer,
) -> None:
    fault_server.push(stream_reply(claude_json_text(json.dumps(REVIEW))))
    out = await run(
        claude(fault_server), request("anthropic/claude-3-7-sonnet-latest", schema=REVIEW_SCHEMA)
    )
    assert out.error is None
    body = fault_server.requests[0].body
    assert "output_config" not in body
    assert body["tool_choice"] == {"type": "auto"}
    assert parse_review_text(out.text, "m").findings[0].id == "F1"


# -- OpenAI and litellm -------------------------------------------------------------


def gpt_json(doc: dict[str, Any]) -> list[bytes | float]:
    text = json.dumps(doc)
    return [
        *(openai_chunk(text[i : i + 25]) for i in range(0, len(text), 25)),
        openai_chunk(finish="stop"),
        openai_usage(30, 40),
        DONE,
    ]


async def test_openai_sends_a_strict_schema_and_its_nulls_parse(
    fault_server: FaultServer,
) -> None:
    # What a strict model answers: every property present, the optional ones null.
    strict_doc = {
        "reviewer": "m",
        "verdict": None,
        "score": None,
        "summary": None,
        "findings": [
            {
                "id": "F1",
                "severity": "high",
                "category": None,
                "file": None,
                "line_start": None,
                "line_end": None,
                "title": "race",
                "detail": None,
                "suggestion": None,
                "confidence": None,
            }
        ],
    }
    fault_server.push(stream_reply(gpt_json(strict_doc)))
    out = await run(gpt(fault_server), request("openai/gpt-5.5", schema=REVIEW_SCHEMA))
    assert out.error is None
    review = parse_review_text(out.text, "m")
    assert review.findings[0].title == "race" and review.verdict is None
    fmt = fault_server.requests[0].body["response_format"]
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == openai_strict_schema(REVIEW_SCHEMA)


async def test_openai_models_without_strict_get_the_cleaned_schema(
    fault_server: FaultServer,
) -> None:
    fault_server.push(stream_reply(gpt_json(REVIEW)))
    out = await run(gpt(fault_server), request("openai/gpt-4-turbo", schema=REVIEW_SCHEMA))
    assert out.error is None
    fmt = fault_server.requests[0].body["response_format"]
    assert fmt["json_schema"]["strict"] is False
    assert fmt["json_schema"]["schema"] == clean_schema(REVIEW_SCHEMA)


async def test_litellm_sends_no_meta_keywords(fault_server: FaultServer) -> None:
    fault_server.push(stream_reply(gpt_json(REVIEW)))
    out = await run(vllm(fault_server), request("hosted_vllm/qwen2.5-coder", schema=REVIEW_SCHEMA))
    assert out.error is None
    schema = fault_server.requests[0].body["response_format"]["json_schema"]["schema"]
    assert not {"$schema", "$id", "title"} & set(schema)
    assert "title" in _finding_props(schema)


def _routed(server: FaultServer, prefix: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A litellm route (openrouter, azure) whose base URL is our peer, with a fake key."""
    from duo_tui.providers.litellm_provider import LiteLLMProvider

    from .support import fast_config

    monkeypatch.setenv("DUO_TEST_ROUTE_KEY", "sk-route-test")
    monkeypatch.setenv("AZURE_API_VERSION", "2025-01-01-preview")
    return LiteLLMProvider(
        prefix, fast_config(api_key_env="DUO_TEST_ROUTE_KEY"), base_url=server.url + "/v1"
    )


@pytest.mark.parametrize("model", ["openrouter/openai/gpt-5.5", "azure/gpt-5.5"])
async def test_litellm_sends_openai_family_models_a_strict_schema(
    fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    strict_doc = {**REVIEW, "score": None, "summary": None}
    fault_server.push(stream_reply(gpt_json(strict_doc)))
    provider = _routed(fault_server, model.split("/")[0], monkeypatch)
    out = await run(provider, request(model, schema=REVIEW_SCHEMA))
    assert out.error is None
    assert parse_review_text(out.text, "m").findings[0].title == "race in the webhook handler"
    fmt = fault_server.requests[0].body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == openai_strict_schema(REVIEW_SCHEMA)
    assert not {"$schema", "$id", "title"} & set(fmt["json_schema"]["schema"])


@pytest.mark.parametrize(
    "model",
    [
        "openrouter/openai/gpt-4-turbo",  # predates strict structured outputs
        "openrouter/google/gemini-2.5-pro",  # another family: cleaned, never strict
        "openrouter/mistralai/codex-mini",  # an OpenAI-like name under another vendor
    ],
)
async def test_litellm_other_models_get_the_cleaned_schema_without_strict(
    fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    fault_server.push(stream_reply(gpt_json(REVIEW)))
    provider = _routed(fault_server, "openrouter", monkeypatch)
    out = await run(provider, request(model, schema=REVIEW_SCHEMA))
    assert out.error is None
    fmt = fault_server.requests[0].body["response_format"]
    assert fmt["json_schema"]["strict"] is False
    assert fmt["json_schema"]["schema"] == clean_schema(REVIEW_SCHEMA)


def test_openai_family_names_through_litellm() -> None:
    from duo_tui.providers.litellm_provider import openai_family_name, strict_through_litellm

    assert openai_family_name("azure/gpt-5") == "gpt-5"
    assert openai_family_name("openrouter/openai/o3-mini") == "o3-mini"
    assert openai_family_name("openrouter/google/gemini-2.5-pro") is None
    assert openai_family_name("hosted_vllm/qwen2.5-coder") is None
    assert openai_family_name("azure/my-deployment") is None
    assert strict_through_litellm("azure/gpt-5.5") is True
    assert strict_through_litellm("azure/gpt-4o-2024-05-13") is False  # litellm: no schema
    assert strict_through_litellm("hosted_vllm/qwen2.5-coder") is False

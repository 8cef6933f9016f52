"""The `duo review v1` JSON Schema, built from the pydantic models `Review` and `Finding`.

The models are the one definition: their fields, constraints (`min_length`, `ge`,
`le`), enums, descriptions and `extra="allow"` become the schema. What the
Python types cannot say is a field annotation: `NOT_NULL` (optional, but never
null in a document), `REQUIRED` (has a Python default, but a document carries
it) and an `enum` (the verdicts). The result equals the contract
in DESIGN.md / `review-schema.json` (tests/unit/test_review_schema.py checks it).
"""

from __future__ import annotations

from typing import Any

from duo_tui.core.models import NOT_NULL, REQUIRED, Review

__all__ = ["review_json_schema"]

_HEADER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "duo-review-v1",
    "title": "duo review v1",
    "description": "One reviewer's structured review of a change.",
}
_NOT_NULL_KEY = next(iter(NOT_NULL))
_REQUIRED_KEY = next(iter(REQUIRED))
# Keys pydantic adds (and our markers) that the contract does not carry.
_DROP = {"title", "default", _NOT_NULL_KEY, _REQUIRED_KEY}


def review_json_schema() -> dict[str, Any]:
    """A fresh copy of the `duo review v1` schema (callers may change it)."""
    raw = Review.model_json_schema()
    defs = raw.get("$defs", {})
    body = _object(raw, defs)
    return {**_HEADER, **body}


def _object(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    required = [
        k
        for k, v in node["properties"].items()
        if k in node.get("required", ()) or v.get(_REQUIRED_KEY)
    ]
    if required:
        out["required"] = required
    out["properties"] = {k: _field(v, defs) for k, v in node["properties"].items()}
    if "additionalProperties" in node:
        out["additionalProperties"] = node["additionalProperties"]
    return out


def _field(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    node = _deref(node, defs)
    extra = {k: v for k, v in node.items() if k not in _DROP and k not in ("anyOf", "type")}
    if "enum" in node:
        return {"enum": list(node["enum"])}
    if node.get("type") == "object":
        return _object(node, defs)
    if node.get("type") == "array":
        return {"type": "array", "items": _field(node["items"], defs)}
    if "anyOf" in node:  # Optional[X]: X, plus null unless the field says NOT_NULL
        options = [_deref(o, defs) for o in node["anyOf"]]
        inner = next(o for o in options if o.get("type") != "null")
        base = _field(inner, defs)
        if not node.get(_NOT_NULL_KEY) and "type" in base:
            base = {
                "type": [base["type"], "null"],
                **{k: v for k, v in base.items() if k != "type"},
            }
        return {**base, **extra}
    return {"type": node["type"], **extra}


def _deref(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    target = dict(defs[ref.rsplit("/", 1)[-1]])
    if "enum" in target:  # an enum class: only its values, as in the contract
        return {"enum": target["enum"]}
    return target

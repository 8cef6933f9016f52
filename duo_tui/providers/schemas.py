"""JSON Schemas as each provider's structured-output mode accepts them.

Our schemas (e.g. `duo review v1`) are ordinary draft 2020-12 documents with
`$schema`, `$id` and `title`, optional properties, open objects and numeric
limits. Providers accept a subset:

- every provider: no `$schema` / `$id` / `title` keywords (Gemini through
  litellm rejects `$schema`); `clean_schema` drops them wherever they are a
  keyword, never where they name a property (a finding has a `title` field);
- OpenAI `strict: true`: every object closed (`additionalProperties: false`),
  every property listed in `required`, an optional one made nullable instead;
- Anthropic `output_config.format`: objects closed, no numeric or string-length
  limits, no `type` lists (written as `anyOf`).

A keyword a mode does not support is not lost: it is folded into the node's
`description` (as the SDKs' own helpers do), so the model still reads it.
The tolerant review parser drops the nulls an optional field comes back with.

Which models support the strict/native modes is decided by name here; a
provider that is refused anyway falls back to the tolerant path.
"""

from __future__ import annotations

import re
from typing import Any

#: Keywords that describe a schema document rather than constrain a value.
META_KEYWORDS = frozenset({"$schema", "$id", "title"})

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "if", "then", "else")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")

#: Keywords both OpenAI's strict mode and Anthropic's JSON outputs accept.
_COMMON_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "anyOf",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "description",
        "$ref",
        "$defs",
        "format",
    }
)
#: Keywords OpenAI strict mode accepts (its documented subset).
_OPENAI_KEYWORDS = _COMMON_KEYWORDS | {
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
}
#: Keywords Anthropic's JSON outputs accept (numeric and length limits are not among them).
_ANTHROPIC_KEYWORDS = _COMMON_KEYWORDS | {"allOf"}


def clean_schema(schema: Any) -> Any:
    """`schema` without `$schema`, `$id` and `title` keywords, at any depth (a copy)."""
    if isinstance(schema, list):
        return [clean_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in META_KEYWORDS:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: clean_schema(sub) for name, sub in value.items()}
        elif (key in _SCHEMA_ONE and isinstance(value, dict)) or key in _SCHEMA_LISTS:
            out[key] = clean_schema(value)
        else:
            out[key] = value
    return out


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """`node` that also accepts null."""
    node = dict(node)
    kind = node.get("type")
    if isinstance(kind, str):
        if kind != "null":
            node["type"] = [kind, "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return node
    if isinstance(kind, list):
        if "null" not in kind:
            node["type"] = [*kind, "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return node
    if "enum" in node:
        if None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return node
    if isinstance(node.get("anyOf"), list):
        if not any(isinstance(v, dict) and v.get("type") == "null" for v in node["anyOf"]):
            node["anyOf"] = [*node["anyOf"], {"type": "null"}]
        return node
    return {"anyOf": [node, {"type": "null"}]}


def _json_type(value: Any) -> str | None:
    """The JSON Schema type name of a JSON value (None for anything else)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _fold(node: dict[str, Any], supported: frozenset[str]) -> dict[str, Any]:
    """Move keywords outside `supported` into the description."""
    extra = {k: v for k, v in node.items() if k not in supported}
    if not extra:
        return node
    out = {k: v for k, v in node.items() if k in supported}
    note = "{" + ", ".join(f"{k}: {v}" for k, v in extra.items()) + "}"
    out["description"] = f"{out['description']}\n\n{note}" if out.get("description") else note
    return out


def _constrained(
    node: Any, *, supported: frozenset[str], require_all: bool, type_lists: bool
) -> Any:
    if not isinstance(node, dict):
        return node

    def sub(value: Any) -> Any:
        return _constrained(
            value, supported=supported, require_all=require_all, type_lists=type_lists
        )

    node = dict(node)
    if "oneOf" in node and "anyOf" not in node:
        node["anyOf"] = node.pop("oneOf")
    if type_lists and isinstance(node.get("enum"), list) and "type" not in node:
        # OpenAI documents enums with their type: name it ("string", or a list with "null").
        kinds = list(dict.fromkeys(_json_type(v) for v in node["enum"]))
        if None not in kinds:
            node["type"] = kinds[0] if len(kinds) == 1 else kinds
    kind = node.get("type")
    if isinstance(kind, list) and not type_lists:
        # ["integer", "null"] -> anyOf of one node per type, sharing the other keywords
        rest = {k: v for k, v in node.items() if k not in ("type", "description")}
        variants = [{"type": "null"} if t == "null" else sub({**rest, "type": t}) for t in kind]
        out: dict[str, Any] = {"anyOf": variants}
        if "description" in node:
            out["description"] = node["description"]
        return out
    is_object = kind == "object" or (isinstance(kind, list) and "object" in kind)
    if is_object or "properties" in node:
        props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        required = [r for r in node.get("required") or [] if r in props]
        new_props = {}
        for name, prop in props.items():
            prop = sub(prop)
            if require_all and name not in required:
                prop = _nullable(prop) if isinstance(prop, dict) else prop
            new_props[name] = prop
        node["properties"] = new_props
        node["required"] = list(props) if require_all else required
        node["additionalProperties"] = False
        node.pop("patternProperties", None)
    for key in ("items",):
        if isinstance(node.get(key), dict):
            node[key] = sub(node[key])
    for key in ("anyOf", "allOf"):
        if isinstance(node.get(key), list):
            node[key] = [sub(v) for v in node[key]]
    if isinstance(node.get("$defs"), dict):
        node["$defs"] = {name: sub(v) for name, v in node["$defs"].items()}
    return _fold(node, supported)


def openai_strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` as OpenAI's `strict: true` accepts it: closed objects, every property required."""
    result: dict[str, Any] = _constrained(
        clean_schema(schema), supported=_OPENAI_KEYWORDS, require_all=True, type_lists=True
    )
    return result


def anthropic_output_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` as Anthropic's `output_config.format` accepts it: closed objects, no limits."""
    result: dict[str, Any] = _constrained(
        clean_schema(schema), supported=_ANTHROPIC_KEYWORDS, require_all=False, type_lists=False
    )
    return result


# -- which models support the strict / native modes ------------------------------------

_CLAUDE = re.compile(r"claude-(opus|sonnet|haiku)-(\d+)(?:[-.](\d+))?")
_OPENAI_LEGACY = re.compile(
    r"^(gpt-3\.5|gpt-4(-|$)|gpt-4o-2024-05-13|o1-mini|o1-preview|chatgpt-4o|davinci|babbage)"
)


def claude_version(model_name: str) -> tuple[str, int, int] | None:
    """(tier, major, minor) of a Claude 4+ style name (`claude-opus-4-7` -> opus, 4, 7)."""
    m = _CLAUDE.search(model_name.lower())
    if m is None:
        return None
    minor_text = m.group(3) or "0"
    minor = 0 if len(minor_text) >= 6 else int(minor_text)  # a date, not a version
    return m.group(1), int(m.group(2)), minor


def anthropic_supports_json_output(model_name: str) -> bool:
    """True for Claude models with native JSON outputs (Opus 4.1, and 4.5 and later)."""
    version = claude_version(model_name)
    if version is None:
        return False
    tier, major, minor = version
    if major > 4:
        return True
    if major == 4:
        return minor >= 5 or (tier == "opus" and minor == 1)
    return False


def anthropic_adaptive_thinking(model_name: str) -> bool:
    """True for Claude models whose thinking is adaptive (Opus and Sonnet 4.6 and later).

    Opus 4.7 refuses `thinking: {"type": "enabled", "budget_tokens": N}` with a 400
    (adaptive only); on Opus and Sonnet 4.6 it is deprecated. Older models know only
    the budgeted form. Mythos models think adaptively too.
    """
    if "mythos" in model_name.lower():
        return True
    version = claude_version(model_name)
    if version is None:
        return False
    tier, major, minor = version
    return tier != "haiku" and (major > 4 or (major == 4 and minor >= 6))


def openai_supports_strict(model_name: str) -> bool:
    """False only for the OpenAI models documented to predate strict structured outputs."""
    return _OPENAI_LEGACY.match(model_name.lower()) is None

"""From a model string to a provider, and the checks to run before the first call.

`anthropic/...` and `openai/...` use the official SDKs; every other prefix goes
through litellm. Importing this module imports no SDK: provider modules (and
their SDKs) are imported when the first provider of that kind is made, or
earlier by `preload_sdks()` from a worker thread once the UI has drawn its
first frame. Providers are cached, one per (provider, base URL, settings).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from duo_tui.errors import ConfigError
from duo_tui.providers.catalog import (
    BASE_URL_ENV,
    KEY_ENV,
    LOCAL_DEFAULT_BASE,
    LOCAL_PROVIDERS,
    is_local_url,
    prefix_of,
)

if TYPE_CHECKING:
    from duo_tui.config import Config
    from duo_tui.providers.base import Provider

_PROVIDERS: dict[tuple[str, str | None, str], Provider] = {}


def key_env_vars(prefix: str, config: Config) -> tuple[str, ...]:
    """The environment variables that may hold the key of `prefix` (empty: none needed)."""
    configured = config.provider(prefix).api_key_env
    if configured:
        return (configured,)
    if prefix in LOCAL_PROVIDERS:
        return ()
    return KEY_ENV.get(prefix, ())


def base_url(prefix: str, config: Config, env: Mapping[str, str] | None = None) -> str | None:
    """The configured base URL: `[providers.<prefix>] api_base`, else its environment variable."""
    env = os.environ if env is None else env
    configured = config.provider(prefix).api_base
    if configured:
        return configured
    var = BASE_URL_ENV.get(prefix)
    return (env.get(var) or None) if var else None


def make_provider(model: str, config: Config) -> Provider:
    """The provider for `model`; the same instance for the same provider, base URL and settings."""
    from duo_tui.config import validate_model_string

    validate_model_string(model)
    prefix = prefix_of(model)
    settings = config.provider(prefix)
    base = base_url(prefix, config)
    key = (prefix, base, settings.model_dump_json())
    provider = _PROVIDERS.get(key)
    if provider is not None:
        return provider
    if prefix == "anthropic":
        from duo_tui.providers.anthropic_provider import AnthropicProvider

        provider = AnthropicProvider(settings, base_url=base)
    elif prefix == "openai":
        from duo_tui.providers.openai_provider import OpenAIProvider

        provider = OpenAIProvider(settings, base_url=base)
    else:
        from duo_tui.providers.litellm_provider import LiteLLMProvider

        provider = LiteLLMProvider(prefix, settings, base_url=base)
    _PROVIDERS[key] = provider
    return provider


async def aclose_all() -> None:
    """Close every cached provider and forget them."""
    providers = list(_PROVIDERS.values())
    _PROVIDERS.clear()
    for provider in providers:
        await provider.aclose()


def clear_cache() -> None:
    """Forget the cached providers without closing them (tests)."""
    _PROVIDERS.clear()


def check_models(
    models: Iterable[str], config: Config, env: Mapping[str, str] | None = None
) -> None:
    """Raise ConfigError naming what to fix: malformed model strings, missing API keys."""
    from duo_tui.config import validate_model_string

    env = os.environ if env is None else env
    problems: list[str] = []
    for model in models:
        try:
            validate_model_string(model)
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        prefix = prefix_of(model)
        if not is_known_prefix(prefix):
            problems.append(
                f"{model}: unknown provider {prefix!r}; use anthropic/..., openai/... "
                "or a provider litellm knows (ollama, gemini, openrouter, ...)"
            )
            continue
        names = key_env_vars(prefix, config)
        if prefix == "openai" and is_local_url(base_url(prefix, config, env)):
            names = ()  # a local OpenAI-compatible server needs no key
        if names and not any(env.get(name, "").strip() for name in names):
            alt = f" (or {', '.join(names[1:])})" if len(names) > 1 else ""
            problems.append(f"{model}: no API key: set {names[0]}{alt}")
        for name in names:
            value = env.get(name, "").strip()
            if value and not _KEY_CHARS.fullmatch(value):
                # Never the value: only the variable and what is wrong with it.
                problems.append(
                    f"{model}: the key in {name} cannot be used: it holds spaces, control "
                    "or non-ASCII characters that cannot be sent; copy it again"
                )
    if problems:
        raise ConfigError("\n".join(dict.fromkeys(problems)))


#: What an API key may hold: it is sent in an HTTP header (printable ASCII, no spaces).
_KEY_CHARS = re.compile(r"[\x21-\x7e]+")


def is_known_prefix(prefix: str) -> bool:
    """Whether some provider answers to `prefix`: the SDKs, our tables, else litellm's list
    (litellm is imported only for a prefix none of our tables names)."""
    if prefix in ("anthropic", "openai") or prefix in KEY_ENV or prefix in LOCAL_PROVIDERS:
        return True
    if prefix in BASE_URL_ENV:
        return True
    from duo_tui.providers.litellm_provider import import_litellm

    return prefix in {str(getattr(p, "value", p)) for p in import_litellm().provider_list}


def _host_port(url: str) -> tuple[str, int] | None:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def check_reachable(
    models: Iterable[str],
    config: Config,
    timeout_s: float = 3,
    env: Mapping[str, str] | None = None,
) -> None:
    """Raise ConfigError when a configured base URL does not accept a TCP connection.

    Only explicit base URLs (config or environment) and local servers' default
    addresses are checked; the public APIs' default endpoints are not probed.
    """
    import asyncio

    targets: dict[tuple[str, int], tuple[str, str, list[str]]] = {}
    for model in models:
        prefix = prefix_of(model)
        url = base_url(prefix, config, env) or LOCAL_DEFAULT_BASE.get(prefix)
        if not url:
            continue
        host_port = _host_port(url)
        if host_port is None:
            raise ConfigError(f"{model}: base URL {url!r} has no host; fix [providers.{prefix}]")
        targets.setdefault(host_port, (url, prefix, []))[2].append(model)

    async def probe(host: str, port: int) -> str | None:
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
        except TimeoutError:
            return f"no answer within {timeout_s:g} s"
        except OSError as exc:
            return exc.strerror or str(exc)
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
        return None

    keys = list(targets)
    results = await asyncio.gather(*(probe(h, p) for h, p in keys))
    problems = []
    for (host, port), err in zip(keys, results, strict=True):
        if err is None:
            continue
        url, prefix, users = targets[(host, port)]
        var = BASE_URL_ENV.get(prefix)
        where = f"[providers.{prefix}] api_base" + (f" or {var}" if var else "")
        problems.append(
            f"cannot reach {url} ({host}:{port}: {err}), used by {', '.join(users)}; "
            f"start that server or fix {where}"
        )
    if problems:
        from duo_tui.redact import redact

        raise ConfigError(redact("\n".join(problems)))


_FAMILIES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), f)
    for p, f in [
        (r"claude|anthropic", "anthropic"),
        (r"deepseek", "deepseek"),
        (r"gpt|chatgpt|davinci|codex|(^|[/.:])o[1-9]($|[-.:])", "openai"),
        (r"gemini|gemma|palm|bison", "gemini"),
        (r"qwen|qwq", "qwen"),
        (r"llama", "llama"),
        (r"mistral|mixtral|codestral|devstral|magistral|ministral|pixtral", "mistral"),
        (r"grok", "xai"),
        (r"command|cohere", "cohere"),
        (r"kimi|moonshot", "moonshot"),
        (r"glm", "glm"),
        (r"(^|[/.:-])phi-?\d", "phi"),
        (r"granite", "granite"),
        (r"nova|titan", "amazon"),
    ]
]

_VENDOR_PREFIX = {
    "anthropic": "anthropic",
    "openai": "openai",
    "azure": "openai",
    "gemini": "gemini",
    "vertex_ai": "gemini",
    "mistral": "mistral",
    "codestral": "mistral",
    "deepseek": "deepseek",
    "xai": "xai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "moonshot": "moonshot",
}


def family(model: str) -> str:
    """The model family (who trained it), read from the name even through router prefixes.

    `anthropic/claude-opus-4-7` and `bedrock/us.anthropic.claude-...` are "anthropic",
    `openai/gpt-5.5` and `openrouter/openai/o3` "openai"; then gemini, llama, mistral,
    qwen, deepseek, xai, ... Used to warn when every role is played by one family.
    """
    lowered = model.strip().lower()
    prefix, sep, rest = lowered.partition("/")
    name = rest if sep else lowered
    for pattern, fam in _FAMILIES:
        if pattern.search(name):
            return fam
    if prefix in _VENDOR_PREFIX and sep:
        return _VENDOR_PREFIX[prefix]
    last = name.rsplit("/", 1)[-1]
    token = re.match(r"[a-z]+", last)
    return token.group(0) if token else last


def preload_sdks(models: Iterable[str]) -> None:
    """Import the SDKs the given models need (call from a worker thread after the first frame)."""
    models = list(models)
    prefixes = {prefix_of(m) for m in models}
    from duo_tui.providers import pricing

    if "anthropic" in prefixes:
        import anthropic  # noqa: F401

        from duo_tui.providers import anthropic_provider  # noqa: F401
    if "openai" in prefixes:
        import openai  # noqa: F401

        from duo_tui.providers import openai_provider  # noqa: F401
    if prefixes - {"anthropic", "openai"}:
        from duo_tui.providers.litellm_provider import import_litellm

        import_litellm()
    # After the imports: once litellm is in, its own price map is read, not a second copy.
    pricing.prime(models)

"""What we know of each provider prefix, as plain data: key and base-URL variables, local servers.

The bottom of the provider layer: it imports nothing of duo-tui, so the
configuration (which registers every key variable for redaction), the SDK
plumbing (`sdk_client`: a local server needs no key) and the registry all read
the same tables without importing one another.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: Environment variables holding the key, by provider prefix (first one is the one we name).
KEY_ENV: dict[str, tuple[str, ...]] = {
    "anthropic": ("ANTHROPIC_API_KEY",),
    "openai": ("OPENAI_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "openrouter": ("OPENROUTER_API_KEY",),
    "mistral": ("MISTRAL_API_KEY",),
    "codestral": ("CODESTRAL_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "xai": ("XAI_API_KEY",),
    "cohere": ("COHERE_API_KEY",),
    "cohere_chat": ("COHERE_API_KEY",),
    "together_ai": ("TOGETHERAI_API_KEY", "TOGETHER_API_KEY"),
    "fireworks_ai": ("FIREWORKS_AI_API_KEY", "FIREWORKS_API_KEY"),
    "perplexity": ("PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"),
    "cerebras": ("CEREBRAS_API_KEY",),
    "azure": ("AZURE_API_KEY",),
    "moonshot": ("MOONSHOT_API_KEY",),
    "dashscope": ("DASHSCOPE_API_KEY",),
    "huggingface": ("HF_TOKEN", "HUGGINGFACE_API_KEY"),
    "nvidia_nim": ("NVIDIA_NIM_API_KEY",),
    "sambanova": ("SAMBANOVA_API_KEY",),
}

#: Local servers that need no key.
LOCAL_PROVIDERS = frozenset(
    {"ollama", "ollama_chat", "lm_studio", "hosted_vllm", "vllm", "llamafile", "xinference"}
)

#: Environment variables naming a base URL, by prefix.
BASE_URL_ENV: dict[str, str] = {
    "anthropic": "ANTHROPIC_BASE_URL",
    "openai": "OPENAI_BASE_URL",
    "ollama": "OLLAMA_API_BASE",
    "ollama_chat": "OLLAMA_API_BASE",
    "hosted_vllm": "HOSTED_VLLM_API_BASE",
    "lm_studio": "LM_STUDIO_API_BASE",
}

#: Where local servers listen when nothing is configured (checked by `check_reachable`).
LOCAL_DEFAULT_BASE: dict[str, str] = {
    "ollama": "http://localhost:11434",
    "ollama_chat": "http://localhost:11434",
    "lm_studio": "http://localhost:1234/v1",
}


def is_local_url(url: str | None) -> bool:
    """True for a server on this machine or a private network (ollama, vLLM, llama.cpp)."""
    if not url:
        return False
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    import ipaddress

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def prefix_of(model: str) -> str:
    """The provider prefix of a `provider/model` string."""
    return model.split("/", 1)[0].strip().lower()

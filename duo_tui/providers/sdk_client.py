"""Shared plumbing of the SDK-backed providers: key lookup and one client per event loop.

An SDK client holds an HTTP connection pool bound to the event loop that first
used it, so a provider keeps one client per running loop (tests and the
headless runner each run their own loop) and creates it on first use, which
also keeps the SDK import off the import path of this module.

`SdkStreamProvider` is what the SDK-backed providers (anthropic, openai) share:
the key variable, the per-loop client built the same way (our key, our base URL,
no SDK retries, our timeout), the SDK import before the deadline clock starts,
and closing the client.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from duo_tui.providers.base import FaultKind, ModelRequest, ProviderError
from duo_tui.providers.catalog import is_local_url
from duo_tui.providers.faults import make_error
from duo_tui.providers.streaming import RetryingStreamProvider

C = TypeVar("C")

_TOOL_NAME = re.compile(r"[^A-Za-z0-9_-]")


def tool_name(name: str) -> str:
    """A name valid as a tool / json_schema name (letters, digits, _ and -; max 64)."""
    return (_TOOL_NAME.sub("_", name) or "answer")[:64]


#: What a local OpenAI-compatible server gets as its key when none is set (it ignores it).
NO_KEY = "no-key"


def key_for(env_var: str, model: str, base_url: str | None) -> str:
    """The key from `env_var`; a local server needs none (it gets a placeholder)."""
    if is_local_url(base_url) and not os.environ.get(env_var, "").strip():
        return NO_KEY
    return read_key(env_var, model)


def read_key(env_var: str, model: str, env: Mapping[str, str] | None = None) -> str:
    """The API key from `env_var`, or a CONFIG fault naming the variable to set."""
    from duo_tui.redact import register_key_env

    register_key_env([env_var])  # whatever a key is read from is redacted by value
    key = (env if env is not None else os.environ).get(env_var, "").strip()
    if not key:
        raise make_error(
            FaultKind.CONFIG,
            f"no API key: set {env_var} in the environment",
            model=model,
            retryable=False,
        )
    return key


class LoopClient(Generic[C]):
    """Holds one SDK client per running event loop, created lazily by `factory`."""

    def __init__(self, factory: Callable[[], C]) -> None:
        self._factory = factory
        self._client: C | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> C:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = self._factory()
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        client, loop = self._client, self._loop
        self._client = None
        self._loop = None
        if client is None:
            return
        close = getattr(client, "close", None)
        if close is None or loop is not asyncio.get_running_loop():
            return
        try:
            await close()
        except (RuntimeError, OSError, ProviderError):
            pass


class SdkStreamProvider(RetryingStreamProvider, Generic[C]):
    """A wire provider backed by an official async SDK client of type `C`.

    Subclasses name their `default_key_env` and return the SDK's client class
    from `_sdk_class` (imported there, on first use); `_api_key` may be
    overridden (a local OpenAI-compatible server needs no key).
    """

    default_key_env = ""

    def _setup(self) -> None:
        self.key_env = self.config.api_key_env or self.default_key_env
        self._clients: LoopClient[C] = LoopClient(self._make_client)
        self._current_model = self.name
        """The model of the call in progress: named by a missing-key fault."""

    def _sdk_class(self) -> Callable[..., C]:
        raise NotImplementedError

    def _api_key(self) -> str:
        return read_key(self.key_env, self._current_model)

    def _make_client(self) -> C:
        # Retries are ours (retry.py), and so is the deadline: the SDK gets neither.
        return self._sdk_class()(
            api_key=self._api_key(),
            base_url=self.base_url,
            max_retries=0,
            timeout=self.config.timeout_s,
        )

    def _client_for(self, model: str) -> C:
        """This loop's client, made (with the key read) for `model` if it is the first call."""
        self._current_model = model
        return self._clients.get()

    def _before_clock(self, request: ModelRequest) -> None:
        self._client_for(request.model)  # imports the SDK: before the clock starts

    async def aclose(self) -> None:
        await self._clients.aclose()

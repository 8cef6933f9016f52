"""Import litellm without the copy of its Anthropic tokenizer it never reads again.

`litellm.utils`, while it is imported, parses the Anthropic tokenizer it ships
(`anthropic_tokenizer.json`, 1.7 MB) into a module global, `json_data`, and
keeps a second form of it, `claude_json_str` (the JSON text), which is the only
one litellm reads afterwards (its tokenizer is built from that string on first
use). The parsed copy is about 13 MiB of Python dicts, strings and ints, held
for the life of the process: a tenth of what importing litellm costs.

`dropping_unread_globals()` puts a one-shot `sys.meta_path` finder in front of
the import system while litellm is imported: once `litellm.utils` has run, the
parsed copy is dropped, before the rest of litellm is imported, so the import
itself also peaks ~14 MiB lower (litellm's later modules reuse the freed
memory). It is dropped only when the string form is there, as litellm reads it.

No Textual here.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.machinery import ModuleSpec, SourceFileLoader, SourcelessFileLoader
from types import ModuleType

from duo_tui.providers.import_hook import spec_from_later_finders

TOKENIZER_MODULE = "litellm.utils"
"""The litellm module that parses its Anthropic tokenizer at import."""


def drop_parsed_tokenizer(module: ModuleType) -> bool:
    """Drop `json_data` (the parsed tokenizer) from `litellm.utils` when its JSON text,
    `claude_json_str`, which litellm's tokenizer is built from, is there; True if dropped."""
    namespace = vars(module)
    if isinstance(namespace.get("claude_json_str"), str) and "json_data" in namespace:
        del namespace["json_data"]
        return True
    return False


class _AfterExec:
    """A `sys.meta_path` finder for one module: finds it through the finders after it, and
    runs `after(module)` once the module's code has run (through its own loader)."""

    def __init__(self, name: str, after: Callable[[ModuleType], object]) -> None:
        self.name = name
        self.after = after

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname != self.name:
            return None
        spec = spec_from_later_finders(self, fullname, path, target)
        loader = None if spec is None else spec.loader
        if isinstance(loader, SourceFileLoader | SourcelessFileLoader):
            loader.exec_module = _then(loader, self.after)  # type: ignore[method-assign, assignment]
        return spec


def _then(
    loader: SourceFileLoader | SourcelessFileLoader, after: Callable[[ModuleType], object]
) -> Callable[[ModuleType], None]:
    """A one-shot `exec_module` for `loader`: its own (or another finder's one-shot), then `after`."""
    run = loader.exec_module

    def exec_module(module: ModuleType) -> None:
        vars(loader).pop("exec_module", None)  # one use
        run(module)
        after(module)

    return exec_module


_LOCK = threading.Lock()


@contextmanager
def dropping_unread_globals() -> Iterator[None]:
    """While litellm is imported inside this block, drop what it keeps and never reads."""
    if TOKENIZER_MODULE in sys.modules:
        yield
        return
    finder = _AfterExec(TOKENIZER_MODULE, drop_parsed_tokenizer)
    with _LOCK:
        sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with _LOCK:
            sys.meta_path[:] = [f for f in sys.meta_path if f is not finder]

"""What the `sys.meta_path` finders of `preload.py` and `litellm_trim.py` share.

Both put a finder in front of the import system that does not find modules
itself: it asks the finders after it, as Python would have, and only adjusts the
loader of the spec they return. No Textual here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


def spec_from_later_finders(
    finder: object, fullname: str, path: Sequence[str] | None, target: ModuleType | None
) -> ModuleSpec | None:
    """The spec the finders after `finder` on `sys.meta_path` give `fullname` (None when none
    does, or when `finder` is no longer on it)."""
    finders = sys.meta_path
    try:
        later = finders[finders.index(finder) + 1 :]  # type: ignore[arg-type]
    except ValueError:
        return None
    for other in later:
        find = getattr(other, "find_spec", None)
        if find is None:
            continue
        spec = find(fullname, path, target)
        if spec is not None:
            return spec  # type: ignore[no-any-return]
    return None

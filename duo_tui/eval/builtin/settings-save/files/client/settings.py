"""User settings of the desktop client."""

import json
import os
from pathlib import Path


def load_settings(path: Path) -> dict:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def save_settings(path: Path, settings: dict) -> bool:
    """Write `settings` to `path`; True when they were saved."""
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(settings, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except Exception:
        pass
    return True

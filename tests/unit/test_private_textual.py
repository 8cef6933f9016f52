"""Private Textual names are used only in `duo_tui/ui/perf/` (issue #20).

Outside the perf package no module may import a private Textual module (any
`textual` module path with a `_` segment, `textual.widgets._footer` included),
read or write a private attribute that Textual's classes define and duo_tui
does not, or define, in a class built on Textual's, a private name one of its
Textual bases already has (overriding a private method or clobbering a private
field). Textual sets a few private class attributes on every subclass (its
metaclass: `_css_type_name`, `_merged_bindings`, ...); those are not ours and
are left out.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import textual
from textual.app import App
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "duo_tui"
_ASSIGNED = re.compile(r"self\.(_[a-z]\w*)\s*(?::[^=\n]*)?=[^=]")
_DEFINED = re.compile(r"^\s*(?:async\s+)?def\s+(_[a-z]\w*)|^\s*(_[a-z]\w*)\s*[:=]", re.M)


def _outside_perf() -> list[Path]:
    return [
        p
        for p in sorted(PKG.rglob("*.py"))
        if p.relative_to(PKG).parts[:2] != ("ui", "perf")
        and "builtin" not in p.relative_to(PKG).parts
    ]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _textual_private_names() -> set[str]:
    """Private names Textual's own modules define (methods, class and instance attributes)."""
    names: set[str] = set()
    for path in Path(textual.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(_ASSIGNED.findall(text))
        names |= {a or b for a, b in _DEFINED.findall(text)}
    return {n for n in names if _private(n)}


def _our_private_names(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in [*paths, *(PKG / "ui" / "perf").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if _private(n)}


def test_no_module_outside_perf_imports_a_private_textual_module() -> None:
    offenders = []
    for path in _outside_perf():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            for mod in modules:
                parts = mod.split(".")
                if parts[0] == "textual" and any(p.startswith("_") for p in parts[1:]):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {mod}")
    assert offenders == []


def test_no_module_outside_perf_touches_a_private_textual_attribute() -> None:
    paths = _outside_perf()
    theirs = _textual_private_names() - _our_private_names(paths)
    offenders = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {  # `os._exit` is the standard library's, not Textual's
            (a.asname or a.name).split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for a in node.names
        }
        offenders += [
            f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and node.attr in theirs
            and not (isinstance(node.value, ast.Name) and node.value.id in modules)
        ]
    assert offenders == []


def _automatic() -> set[str]:
    """What Textual's metaclasses put in every subclass's namespace."""
    return {
        n for base in (Widget, Screen, App) for n in vars(type("Probe", (base,), {})) if _private(n)
    }


def _defined_by(cls: type) -> set[str]:
    # a reactive declared on the class stores its default as `_default_<name>` (public API)
    reactives = {f"_default_{n}" for n, v in vars(cls).items() if isinstance(v, Reactive)}
    names = {n for n in vars(cls) if _private(n)} - reactives
    try:
        names |= set(_ASSIGNED.findall(inspect.getsource(cls)))
    except (OSError, TypeError):
        pass
    return names


def test_no_class_outside_perf_overrides_a_private_name_of_its_textual_bases() -> None:
    automatic = _automatic()
    offenders = []
    for path in _outside_perf():
        rel = path.relative_to(ROOT).with_suffix("")
        if rel.parts[1] != "ui":
            continue  # below the UI nothing imports Textual (an import-linter contract)
        module = importlib.import_module(".".join(p for p in rel.parts if p != "__init__"))
        for name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            bases = [b for b in cls.__mro__[1:] if b.__module__.split(".")[0] == "textual"]
            mine = _defined_by(cls) - automatic
            for base in bases:
                for clash in sorted(mine & _defined_by(base)):
                    offenders.append(f"{module.__name__}.{name}.{clash} ({base.__qualname__})")
    assert offenders == []

"""The demo executor answers a fix round after the human declined hunks of its change.

A real executor reads the fix prompt: the hunks the human declined, the gate's
output, the findings, and the files as they are now. It respects each decision
where it can (another way to the same result) and proposes a hunk again, saying
why, where the task cannot be done without it. The scripted demo does the same
for its one change: `after_decline` adapts the scripted fix answer to what the
prompt says was declined.

- `shop/discounts.py` declined (the code table's own module): the table moves
  into `shop/cart.py`, and nothing imports the declined module.
- `tests/test_discounts.py` declined: the tests stay out of the change.
- a hunk of `shop/cart.py` declined: the cart cannot apply a code without it,
  so it is proposed again, with the reason (the gate's error when it failed).

The edits go from the files as the prompt shows them to the state the scripted
session reaches (after the execute, and after the scripted fix when the round
has findings to fix), changed as above; the reply first says, for each declined
hunk, what was done about it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from duo_tui.core.edits import parse_edits
from duo_tui.core.fix_context import DECLINED_HEADER
from duo_tui.demo import project
from duo_tui.demo.answers import edit, edits
from duo_tui.demo.scoped import keep_task_blocks, task_files
from duo_tui.providers.base import ModelRequest

__all__ = ["after_decline", "declined_refs", "prompt_files"]

_MODULE = "shop/discounts.py"
_TESTS = "tests/test_discounts.py"
_CART = "shop/cart.py"
_IMPORT = "from shop.discounts import DISCOUNT_CODES\n"

_FILE_RE = re.compile(
    r'<untrusted-data source="(?P<path>[^"]+)">\n[^\n]*\n(?P<fence>~{6,})\n(?P<text>.*?)\n'
    r"(?P=fence)\n</untrusted-data>",
    re.DOTALL,
)
_ERROR_RE = re.compile(r"^\s*(\w+(?:Error|Exception)\b.*)$", re.MULTILINE)


def _prompt(request: ModelRequest) -> str:
    return "\n".join(m.content for m in request.messages)


def declined_refs(request: ModelRequest) -> list[str]:
    """The hunk ids the fix prompt says the human declined (none when it says nothing)."""
    text = _prompt(request)
    at = text.find(DECLINED_HEADER)
    if at < 0:
        return []
    refs: list[str] = []
    for line in text[at + len(DECLINED_HEADER) :].lstrip("\n").split("\n"):
        if not line.startswith("- "):
            break
        refs.append(line[2:].strip())
    return refs


def prompt_files(request: ModelRequest) -> dict[str, str]:
    """The files the prompt shows as they are now (path -> text)."""
    return {m["path"]: m["text"] for m in _FILE_RE.finditer(_prompt(request))}


def _gate_error(request: ModelRequest) -> str:
    """The last error the failed gate's output names ("" when the gate did not fail)."""
    text = _prompt(request)
    at = text.find("The quality gate failed:")
    if at < 0:
        return ""
    found = _ERROR_RE.findall(text[at:])
    return found[-1].strip() if found else "the gate failed"


def _applied(files: dict[str, str], answer: str) -> dict[str, str]:
    """`files` after the SEARCH/REPLACE blocks of a scripted answer (in memory)."""
    out = dict(files)
    for block in parse_edits(answer).blocks:
        if not block.search:
            out[block.path] = block.replace
        else:
            out[block.path] = out.get(block.path, "").replace(block.search, block.replace, 1)
    return out


def _blocks(path: str, now: str | None, target: str) -> list[str]:
    """Edit blocks taking `path` from `now` (None: absent) to `target`."""
    if now == target:
        return []
    if not now:
        return [edit(path, "", target)]
    a, b = now.splitlines(keepends=True), target.splitlines(keepends=True)
    out: list[str] = []
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(2):
        search = "".join(a[group[0][1] : group[-1][2]])
        if not search or now.count(search) != 1:
            return [edit(path, now, target)]  # no unique anchor: the whole file
        out.append(edit(path, search, "".join(b[group[0][3] : group[-1][4]])))
    return out


def _inline_table(cart: str, module: str) -> str:
    """`cart` with the code table in it instead of importing the declined module."""
    table = module.split('"""\n\n', 1)[-1]
    note = "# code -> percent off (here: a separate module was declined)\n"
    return cart.replace(_IMPORT, note + table, 1)


def after_decline(execute: str, fix: str) -> Callable[[str, ModelRequest], str]:
    """The demo's fix answer: the scripted `fix` text, or, when the prompt names declined
    hunks, edits that respect them where the task allows and a reply saying so."""
    executed = _applied(dict(project.FILES), execute)
    fixed = _applied(executed, fix)

    def adapt(text: str, request: ModelRequest) -> str:
        refs = declined_refs(request)
        if not refs:
            return keep_task_blocks(text, request)
        findings = "Findings to fix:" in _prompt(request)
        target = dict(fixed if findings else executed)
        paths = {ref.partition("#")[0] for ref in refs}
        error = _gate_error(request)
        notes: list[str] = []
        for ref in refs:
            path = ref.partition("#")[0]
            if path == _MODULE:
                notes.append(
                    f"You declined {ref} (the code table's own module); I keep your decision: "
                    f"the table now lives in {_CART}, which no longer imports it"
                    + (f" (the gate failed on that import: {error})." if error else ".")
                )
            elif path == _TESTS:
                notes.append(f"You declined {ref} (the new tests); I leave them out.")
            elif path == _CART:
                notes.append(
                    f"You declined {ref}, but the cart cannot apply a code without it"
                    + (f" (the gate failed: {error})" if error else "")
                    + "; I propose it again. Decline it again (space) if you want the task "
                    "without it."
                )
            else:
                notes.append(f"You declined {ref}; I leave it out.")
        if _MODULE in paths:
            target.pop(_MODULE, None)
            target[_CART] = _inline_table(target[_CART], fixed[_MODULE])
        if _TESTS in paths:
            target.pop(_TESTS, None)
        allowed = task_files(request)
        now = prompt_files(request)
        blocks: list[str] = []
        for path in sorted(target):
            if path in project.FILES and target[path] == project.FILES[path] and path not in now:
                continue  # an untouched project file the prompt does not show
            if allowed is not None and path not in allowed:
                continue
            blocks += _blocks(path, now.get(path), target[path])
        if not blocks:
            return keep_task_blocks(text, request)
        head = "About the hunks you declined:\n" + "".join(f"- {n}\n" for n in notes)
        if findings:  # what the scripted fix says about the findings
            head = text.split("\n\n", 1)[0] + "\n\n" + head
        return head + "\n" + edits(*blocks)

    return adapt

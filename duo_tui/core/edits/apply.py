"""Plan and apply edit blocks all-or-nothing (:func:`plan_edits`, :func:`apply_edits`).

Every path is checked, every new content computed in memory, and only when
every block applies are files written; a failed write restores what was written.
"""

from __future__ import annotations

import difflib
import stat
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from duo_tui.core.edits.diagnose import _no_match_message
from duo_tui.core.edits.locate import _Ambiguous, _lines, _locate
from duo_tui.core.edits.model import ApplyResult, BlockFailure, EditApplyError, EditBlock
from duo_tui.core.edits.parse import parse_edits
from duo_tui.core.edits.paths import safe_path
from duo_tui.errors import DiskFullError, EditError, UnsafePathError
from duo_tui.store.atomic import write_atomic


def _split_lines(content: str) -> tuple[list[str], list[str]]:
    """Line bodies and their endings ("\\n", "\\r\\n", or "" for a last line without one)."""
    if not content:
        return [], []
    parts = content.split("\n")
    bodies: list[str] = []
    endings: list[str] = []
    for part in parts[:-1]:
        if part.endswith("\r"):
            bodies.append(part[:-1])
            endings.append("\r\n")
        else:
            bodies.append(part)
            endings.append("\n")
    if parts[-1]:
        bodies.append(parts[-1])
        endings.append("")
    return bodies, endings


@dataclass
class _FilePlan:
    rel: str
    target: Path
    existed: bool
    bom: bool = False
    bodies: list[str] = field(default_factory=list)
    endings: list[str] = field(default_factory=list)
    original: str | None = None
    mode: int | None = None
    applied: int = 0
    added: int = 0
    deleted: int = 0
    error: str | None = None  # why the file cannot be edited at all

    @property
    def newline(self) -> str:
        crlf = sum(1 for e in self.endings if e == "\r\n")
        lf = sum(1 for e in self.endings if e == "\n")
        return "\r\n" if crlf > lf else "\n"

    def content(self) -> str:
        text = "".join(b + e for b, e in zip(self.bodies, self.endings, strict=True))
        return ("\ufeff" + text) if self.bom else text

    def splice(self, start: int, length: int, new: list[str]) -> None:
        """Replace ``length`` lines at ``start`` by ``new``, keeping endings sensible."""
        at_end = start + length == len(self.bodies)
        no_final_newline = bool(self.endings) and self.endings[-1] == ""
        nl = self.newline
        self.bodies[start : start + length] = new
        self.endings[start : start + length] = [nl] * len(new)
        if at_end and no_final_newline and self.bodies:
            # Keep "no newline at end of file" when the edit touched the last line.
            self.endings[-1] = ""


def _load(rel: str, target: Path) -> _FilePlan:
    """Read ``target`` for planning; ``error`` is set if it cannot be edited."""
    plan = _FilePlan(rel=rel, target=target, existed=target.exists())
    if not plan.existed:
        # A new file needs its nearest existing ancestor to be a directory.
        parent = target.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            plan.error = f"{rel} cannot be created: {parent.name} is a file, not a directory."
        return plan
    if not target.is_file():
        plan.error = f"{rel} exists but is not a regular file."
        return plan
    try:
        text = target.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        plan.error = f"{rel} is not UTF-8 text; it cannot be edited with SEARCH/REPLACE."
        return plan
    except OSError as exc:
        plan.error = f"{rel} cannot be read: {exc}."
        return plan
    plan.mode = stat.S_IMODE(target.stat().st_mode)
    plan.original = text
    if text.startswith("\ufeff"):
        plan.bom = True
        text = text[1:]
    plan.bodies, plan.endings = _split_lines(text)
    return plan


def _count_changes(old: Sequence[str], new: Sequence[str]) -> tuple[int, int]:
    """(deleted, added) lines between two small line lists."""
    deleted = added = 0
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            deleted += i2 - i1
            added += j2 - j1
    return deleted, added


def _apply_block(plan: _FilePlan, block: EditBlock) -> str | None:
    """Apply one block to ``plan`` in memory; return an error message or None."""
    search = _lines(block.search)
    replace = _lines(block.replace)
    if not any(s.strip() for s in search):
        return _create(plan, block, replace)
    if not plan.existed and plan.applied == 0:
        return (
            f"Block {block.index} ({block.path}): the file does not exist. To create it, "
            "leave the SEARCH section empty; otherwise check the path."
        )
    try:
        match = _locate(plan.bodies, search, replace)
    except _Ambiguous as amb:
        where = ", ".join(str(s + 1) for s in amb.starts[:10])
        more = ", ..." if len(amb.starts) > 10 else ""
        return (
            f"Block {block.index} ({block.path}): the SEARCH section matches {len(amb.starts)} "
            f"places ({amb.how}), starting at lines {where}{more}. Include more surrounding "
            "lines so that it matches exactly one place."
        )
    if match is None:
        return _no_match_message(block, plan.bodies, search, evolved=plan.applied > 0)
    old = plan.bodies[match.start : match.start + match.length]
    deleted, added = _count_changes(old, match.replace)
    plan.deleted += deleted
    plan.added += added
    plan.splice(match.start, match.length, match.replace)
    plan.applied += 1
    return None


def _create(plan: _FilePlan, block: EditBlock, replace: list[str]) -> str | None:
    """An empty SEARCH: create the file, fill an empty one, or accept identical content."""
    current = plan.bodies
    if any(b.strip() for b in current):
        if [b.rstrip() for b in current] == [r.rstrip() for r in replace]:
            return None  # already has this content: a rerun of the same answer
        return (
            f"Block {block.index} ({block.path}): the SEARCH section is empty, which creates a "
            "new file, but the file already exists with other content. To change it, quote the "
            "lines to replace in SEARCH."
        )
    nl = plan.newline if plan.endings else "\n"
    plan.bodies = list(replace)
    plan.endings = [nl] * len(replace)
    plan.added += len(replace)
    plan.applied += 1
    return None


def _plan(root: Path, blocks: Sequence[EditBlock]) -> list[_FilePlan]:
    """Check paths, then compute every file's new content; raise on any failure."""
    targets: list[tuple[EditBlock, Path]] = []
    unsafe: list[str] = []
    for block in blocks:
        try:
            targets.append((block, safe_path(root, block.path)))
        except UnsafePathError as exc:
            unsafe.append(f"Block {block.index} ({block.path}): {exc}")
    if unsafe:
        raise UnsafePathError("Nothing was written.\n" + "\n".join(unsafe))

    real_root = root.resolve()
    plans: dict[Path, _FilePlan] = {}
    failures: list[BlockFailure] = []
    for block, target in targets:
        plan = plans.get(target)
        if plan is None:
            plan = plans[target] = _load(target.relative_to(real_root).as_posix(), target)
        if plan.error:
            unusable = f"Block {block.index} ({block.path}): {plan.error}"
            failures.append(BlockFailure(block.index, block.path, unusable))
            continue
        # Later blocks still run after a failure, so the model hears about all of them.
        message = _apply_block(plan, block)
        if message:
            failures.append(BlockFailure(block.index, block.path, message))
    if failures:
        raise EditApplyError(failures)
    return [
        p
        for p in plans.values()
        if (not p.existed and p.applied) or (p.existed and p.content() != p.original)
    ]


def plan_edits(root: Path, blocks: Sequence[EditBlock]) -> dict[str, str]:
    """Every file's new content (POSIX path relative to ``root`` -> text), written nowhere.

    Only files that would change or be created are included. Raises
    :class:`UnsafePathError` if any block's path is unsafe, else
    :class:`EditApplyError` listing every block that does not apply.
    """
    return {p.rel: p.content() for p in _plan(root, blocks)}


def _make_parents(path: Path, created: list[Path]) -> None:
    """Create missing parent directories, remembering them for a rollback."""
    missing = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir()
        created.append(directory)


def apply_edits(root: Path, blocks: Sequence[EditBlock]) -> ApplyResult:
    """Apply ``blocks`` under ``root`` all-or-nothing and say what changed.

    Raises :class:`UnsafePathError` or :class:`EditApplyError` (nothing
    written) when planning fails, and :class:`EditError` if writing fails, after
    restoring every file already written and removing created directories.
    """
    plans = _plan(root, blocks)
    written: list[_FilePlan] = []
    made_dirs: list[Path] = []
    try:
        for plan in plans:
            if not plan.existed:
                _make_parents(plan.target, made_dirs)
            # mode None: a new file gets what the user's own tools would give it (umask).
            write_atomic(plan.target, plan.content().encode("utf-8"), mode=plan.mode)
            written.append(plan)
    except BaseException as exc:
        problems = _rollback(written, made_dirs)
        if not isinstance(exc, OSError | DiskFullError):
            raise  # an interrupt or a bug: still undone, but not disguised
        note = " Rollback problems: " + "; ".join(problems) if problems else ""
        raise EditError(
            f"Writing the edits failed ({exc}); the {len(written)} file(s) already written "
            f"were restored, nothing was changed.{note}"
        ) from exc
    result = ApplyResult()
    for plan in plans:
        (result.changed if plan.existed else result.created).append(plan.rel)
        result.added_lines += plan.added
        result.deleted_lines += plan.deleted
    return result


def _rollback(written: list[_FilePlan], made_dirs: list[Path]) -> list[str]:
    """Undo writes in reverse order; return what could not be undone."""
    problems = []
    for plan in reversed(written):
        try:
            if plan.existed and plan.original is not None:
                write_atomic(plan.target, plan.original.encode("utf-8"), mode=plan.mode)
            else:
                plan.target.unlink(missing_ok=True)
        except (OSError, DiskFullError) as exc:
            problems.append(f"{plan.rel}: {exc}")
    for directory in reversed(made_dirs):
        with suppress(OSError):
            directory.rmdir()
    return problems


def apply_text(root: Path, text: str) -> ApplyResult:
    """Parse an executor's answer and apply it; malformed blocks abort before any write."""
    parsed = parse_edits(text)
    if parsed.failures:
        raise EditApplyError(parsed.failures)
    return apply_edits(root, parsed.blocks)

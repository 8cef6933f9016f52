"""An eval suite: a folder of cases, each a small repository state, a diff and its known issues.

Layout of a suite folder (README.md, "Eval suites")::

    SUITE/
      CASE-ID/                 one folder per case ([a-z0-9][a-z0-9_-]*)
        case.toml              title, description, known issues
        change.diff            the change under review (unified diff)
        files/...              the repository after the change (what lines refer to)

`case.toml`::

    title = "Add a retry to the payment client"   # what the change is for (shown to reviewers)
    description = "..."                           # optional, shown to reviewers
    language = "python"                           # optional
    [[issue]]                                     # none: a clean change
    file = "pay/client.py"
    line_start = 12
    line_end = 14                                 # optional (default line_start)
    severity = "high"                             # critical|high|medium|low|info
    category = "money"                            # optional
    description = "amounts are summed as floats"

Everything is checked on load; every problem names the case and the field and
raises `SuiteError` (exit 2). Case text is untrusted: sizes are bounded, no
symlinks are followed, and every path stays inside its case folder.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

from duo_tui.core.models import Finding, Review, Severity
from duo_tui.errors import DuoError

__all__ = ["Case", "KnownIssue", "Suite", "SuiteError", "builtin_suite_path", "load_suite"]

_CASE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_MAX_FILE_BYTES = 256 * 1024
_MAX_FILES = 64
_MAX_CASES = 500
_SEVERITIES = [s.value for s in Severity]


class SuiteError(DuoError):
    """A suite that cannot be used; the message names the case and what is wrong."""

    exit_code = 2


@dataclass(frozen=True)
class KnownIssue:
    """One seeded defect of a case (no file or lines: about the change as a whole,
    as the public benchmark's golden comments are)."""

    id: str
    file: str | None
    line_start: int | None
    line_end: int | None
    severity: str
    description: str
    category: str = ""

    def as_finding(self) -> Finding:
        """The issue as a review finding, so the triage matcher can pair it with a model's."""
        return Finding(
            id=self.id,
            severity=Severity(self.severity),
            title=self.description.split(". ")[0][:200],
            category=self.category,
            file=self.file,
            line_start=self.line_start,
            line_end=self.line_end,
            detail=self.description,
        )


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    description: str
    language: str
    diff: str
    files: dict[str, str]  # path in the repository -> text (after the change)
    issues: tuple[KnownIssue, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.issues

    def known_review(self) -> Review:
        return Review(reviewer="known-issues", findings=[k.as_finding() for k in self.issues])

    def digest(self) -> str:
        """A hash of everything a reviewer sees, so an edited case is reviewed afresh."""
        h = hashlib.sha256()
        for part in (self.title, self.description, self.diff):
            h.update(part.encode("utf-8") + b"\0")
        for path in sorted(self.files):
            h.update(path.encode("utf-8") + b"\0" + self.files[path].encode("utf-8") + b"\0")
        return h.hexdigest()

    def changed_files(self) -> list[str]:
        """The repository paths the diff touches, in diff order (those present in files/)."""
        out = []
        for m in re.finditer(r"^\+\+\+ (?:b/)?(\S+)", self.diff, re.MULTILINE):
            if m.group(1) in self.files and m.group(1) not in out:
                out.append(m.group(1))
        return out


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    cases: tuple[Case, ...] = field(default_factory=tuple)

    @property
    def issue_count(self) -> int:
        return sum(len(c.issues) for c in self.cases)


def builtin_suite_path() -> Path:
    return Path(str(package_files("duo_tui.eval").joinpath("builtin")))


def _read_text(path: Path, where: str) -> str:
    if path.is_symlink() or not path.is_file():
        raise SuiteError(f"{where}: {path.name} is missing or not a regular file")
    size = path.stat().st_size
    if size > _MAX_FILE_BYTES:
        raise SuiteError(f"{where}: {path.name} is {size} bytes, more than {_MAX_FILE_BYTES}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SuiteError(f"{where}: {path.name} is not UTF-8 text") from None


_PYCACHE = "__pycache__"


def _repo_files(root: Path, where: str) -> dict[str, str]:
    if root.is_symlink() or not root.is_dir():
        raise SuiteError(f"{where}: files/ is missing (the repository state after the change)")
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if _PYCACHE in p.relative_to(root).parts or p.suffix == ".pyc":
            continue  # Python's own byte-code cache (compileall, an import), not case data
        if p.is_symlink():
            raise SuiteError(f"{where}: files/{rel} is a symbolic link; use a regular file")
        if p.is_dir():
            continue
        out[rel] = _read_text(p, f"{where}: files/{rel}")
        if len(out) > _MAX_FILES:
            raise SuiteError(f"{where}: more than {_MAX_FILES} files under files/")
    if not out:
        raise SuiteError(f"{where}: files/ is empty")
    return out


def _check_diff(diff: str, files: dict[str, str], where: str) -> None:
    if not re.search(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@", diff, re.MULTILINE) or not re.search(
        r"^\+\+\+ ", diff, re.MULTILINE
    ):
        raise SuiteError(f"{where}: change.diff is not a unified diff (no '+++' and '@@' lines)")
    for m in re.finditer(r"^\+\+\+ (\S+)", diff, re.MULTILINE):
        target = m.group(1)
        if target == "/dev/null":
            continue
        path = target[2:] if target.startswith("b/") else target
        if path not in files:
            raise SuiteError(f"{where}: change.diff changes {path!r}, which is not under files/")


def _issue(raw: object, k: int, files: dict[str, str], where: str) -> KnownIssue:
    at = f"{where}: issue[{k}]"
    if not isinstance(raw, dict):
        raise SuiteError(f"{at}: expected a table ([[issue]])")
    unknown = set(raw) - {"file", "line_start", "line_end", "severity", "category", "description"}
    if unknown:
        raise SuiteError(f"{at}: unknown field {sorted(unknown)[0]!r}")
    for key in ("file", "line_start", "severity", "description"):
        if key not in raw:
            raise SuiteError(f"{at}.{key}: required field is missing")
    path, sev, text = raw["file"], raw["severity"], raw["description"]
    if not isinstance(path, str) or path not in files:
        raise SuiteError(f"{at}.file: {path!r} is not a file under files/")
    if sev not in _SEVERITIES:
        raise SuiteError(f"{at}.severity: {sev!r} is not one of {', '.join(_SEVERITIES)}")
    if not isinstance(text, str) or not text.strip():
        raise SuiteError(f"{at}.description: must be non-empty text")
    start: Any = raw["line_start"]
    end: Any = raw.get("line_end", start)
    n_lines = len(files[path].splitlines())
    for key, value in (("line_start", start), ("line_end", end)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= n_lines:
            raise SuiteError(f"{at}.{key}: {value!r} is not a line of {path} (1..{n_lines})")
    if end < start:
        raise SuiteError(f"{at}.line_end: {end} is before line_start {start}")
    category = raw.get("category", "")
    if not isinstance(category, str):
        raise SuiteError(f"{at}.category: must be text")
    return KnownIssue(f"K{k + 1}", path, start, end, sev, text.strip(), category)


def load_case(folder: Path) -> Case:
    where = f"case {folder.name}"
    meta_text = _read_text(folder / "case.toml", where)
    try:
        meta = tomllib.loads(meta_text)
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"{where}: case.toml is not valid TOML: {exc}") from None
    unknown = set(meta) - {"title", "description", "language", "issue"}
    if unknown:
        raise SuiteError(f"{where}: case.toml: unknown field {sorted(unknown)[0]!r}")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise SuiteError(f"{where}: case.toml: title is required (what the change is for)")
    description, language = meta.get("description", ""), meta.get("language", "")
    if not isinstance(description, str) or not isinstance(language, str):
        raise SuiteError(f"{where}: case.toml: description and language must be text")
    files = _repo_files(folder / "files", where)
    diff = _read_text(folder / "change.diff", where)
    _check_diff(diff, files, where)
    raw_issues = meta.get("issue", [])
    if not isinstance(raw_issues, list):
        raise SuiteError(f"{where}: case.toml: issue must be an array of tables ([[issue]])")
    issues = tuple(_issue(r, k, files, where) for k, r in enumerate(raw_issues))
    return Case(folder.name, title.strip(), description.strip(), language, diff, files, issues)


def load_suite(spec: str | Path) -> Suite:
    """The suite `builtin` or the one in folder `spec`, fully validated."""
    path = builtin_suite_path() if str(spec) == "builtin" else Path(spec).expanduser()
    name = "builtin" if str(spec) == "builtin" else path.name
    if not path.is_dir():
        raise SuiteError(f"suite {spec}: not a folder (expected a folder of case folders)")
    folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not folders:
        raise SuiteError(f"suite {spec}: no case folders in {path}")
    if len(folders) > _MAX_CASES:
        raise SuiteError(f"suite {spec}: {len(folders)} cases, more than {_MAX_CASES}")
    for p in folders:
        if p.is_symlink() or not _CASE_ID.fullmatch(p.name):
            raise SuiteError(
                f"suite {spec}: {p.name!r} is not a valid case folder "
                "(lower-case letters, digits, '-' and '_'; not a link)"
            )
    return Suite(name, path, tuple(load_case(p) for p in folders))

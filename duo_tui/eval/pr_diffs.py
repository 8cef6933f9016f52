"""The diffs of public pull requests, fetched once from GitHub's API and kept in a cache.

`PrDiffs.get(pr)` returns the unified diff of one pull request: from the cache
folder when it is there (no request at all), else from
`GET {api}/repos/{owner}/{repo}/pulls/{n}` with `Accept: application/vnd.github.diff`,
written to the cache atomically. So a suite is fetched once online and runs
offline afterwards; offline with no cached copy is a `SuiteError` (exit 2)
naming the pull request and the cache folder.

The API base is `https://api.github.com` unless `DUO_TUI_GITHUB_API` names
another (GitHub Enterprise; the tests' local server). A token from
`GITHUB_TOKEN` or `GH_TOKEN`, when set, is sent as `Authorization: Bearer` to
that host only (a redirect to another host goes without it) and is never
logged, cached or put in a message. A diff over `PR_DIFF_BYTES` is refused
while it is read.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from duo_tui.errors import DuoError
from duo_tui.limits import PR_DIFF_BYTES, InputError, read_regular_file

__all__ = ["DEFAULT_API", "DiffFetchError", "PrDiffs", "PullRequest", "parse_pr_url"]

DEFAULT_API = "https://api.github.com"
_TIMEOUT_S = 30.0
_PR_URL = re.compile(
    r"https?://github\.com/([A-Za-z0-9_.-]{1,100})/([A-Za-z0-9_.-]{1,100})/pull/(\d{1,9})/?"
)


class DiffFetchError(DuoError):
    """A pull request's diff is neither cached nor fetchable; exit 2."""

    exit_code = 2


@dataclass(frozen=True)
class PullRequest:
    owner: str
    repo: str
    number: int

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.repo}/pull/{self.number}"

    @property
    def cache_name(self) -> str:
        return f"{self.owner}__{self.repo}__{self.number}.diff"


def parse_pr_url(url: str) -> PullRequest | None:
    """`https://github.com/OWNER/REPO/pull/N` as a `PullRequest`; None if it is not one."""
    m = _PR_URL.fullmatch(url.strip())
    if m is None or m.group(1) in {".", ".."} or m.group(2) in {".", ".."}:
        return None
    return PullRequest(m.group(1), m.group(2), int(m.group(3)))


def _token() -> str | None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


class _SameHostRedirect(urllib.request.HTTPRedirectHandler):
    """Follow a redirect, but never carry the token to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            old_host = urllib.parse.urlsplit(req.full_url).netloc
            if urllib.parse.urlsplit(new.full_url).netloc != old_host:
                new.remove_header("Authorization")
        return new


class PrDiffs:
    """Fetch-once pull request diffs under `cache_dir`."""

    def __init__(
        self, cache_dir: Path, *, api: str | None = None, max_bytes: int | None = None
    ) -> None:
        self.cache_dir = cache_dir
        self.api = (api or os.environ.get("DUO_TUI_GITHUB_API") or DEFAULT_API).rstrip("/")
        self.max_bytes = PR_DIFF_BYTES if max_bytes is None else max_bytes
        self.fetched = 0  # requests made (a cache hit makes none)

    def cached(self, pr: PullRequest) -> bool:
        return (self.cache_dir / pr.cache_name).is_file()

    def get(self, pr: PullRequest) -> str:
        path = self.cache_dir / pr.cache_name
        if path.is_file():
            try:
                data = read_regular_file(path, self.max_bytes)
            except InputError as exc:
                raise DiffFetchError(f"{pr.url}: the cached diff is unusable: {exc}") from None
            return self._text(pr, data)
        text = self._text(pr, self._fetch(pr))
        from duo_tui.store.atomic import write_atomic

        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
        except OSError as exc:
            raise DiffFetchError(
                f"{pr.url}: cannot keep the diff in {self.cache_dir} ({exc.strerror or exc}); "
                "give another folder with --cache DIR"
            ) from None
        return text

    def _text(self, pr: PullRequest, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace")  # a binary patch line: shown, not fatal

    def _fetch(self, pr: PullRequest) -> bytes:
        url = f"{self.api}/repos/{pr.owner}/{pr.repo}/pulls/{pr.number}"
        headers = {
            "Accept": "application/vnd.github.diff",
            "User-Agent": "duo-tui-eval",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        token = _token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        opener = urllib.request.build_opener(_SameHostRedirect())
        request = urllib.request.Request(url, headers=headers)
        offline = (
            f"no cached diff in {self.cache_dir}: run once online "
            "(or with the same --cache DIR as before)"
        )
        self.fetched += 1
        try:
            with opener.open(request, timeout=_TIMEOUT_S) as response:
                data: bytes = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as exc:
            hint = {
                401: "the token in GITHUB_TOKEN/GH_TOKEN was refused",
                403: "refused or rate-limited: set GITHUB_TOKEN or GH_TOKEN",
                404: "no such pull request (or it is private)",
                406: "GitHub will not make a diff this large",
                429: "rate-limited: set GITHUB_TOKEN or GH_TOKEN, or wait",
            }.get(exc.code, "the API refused")
            raise DiffFetchError(
                f"{pr.url}: cannot fetch the diff: HTTP {exc.code}, {hint}; {offline}"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise DiffFetchError(f"{pr.url}: cannot fetch the diff ({reason}); {offline}") from None
        if len(data) > self.max_bytes:
            raise DiffFetchError(
                f"{pr.url}: the diff is over the limit of {self.max_bytes} bytes; "
                "leave this pull request out of the suite"
            )
        return data

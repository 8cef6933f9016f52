"""Built-in eval suite, cases 10-14: Go and JavaScript, two defects in one change, and clean changes (data for build.py)."""

from registry import case

# ---------------------------------------------------------------- 10 Go: leak + ignored error
case("go-health-probe", "Probe the health of every backend before routing",
"The router probes each backend's /healthz every few seconds and drops backends that do not answer 200.",
"go",
{"router/health.go": '''
package router

import "net/http"

// Backend is one upstream server.
type Backend struct {
	URL     string
	Healthy bool
}
'''},
{"router/health.go": '''
package router

import (
	"net/http"
	"time"
)

// Backend is one upstream server.
type Backend struct {
	URL     string
	Healthy bool
}

var probeClient = &http.Client{Timeout: 2 * time.Second}

// Probe marks each backend healthy when its /healthz answers 200.
func Probe(backends []*Backend) {
	for _, b := range backends {
		resp, err := probeClient.Get(b.URL + "/healthz")
		if err != nil {
			b.Healthy = false
			continue
		}
		b.Healthy = resp.StatusCode == http.StatusOK //!K1
	} //!K1
}
'''},
{"K1": ("high", "resource-leak",
 "Resource leak: resp.Body is never closed, so every probe keeps a connection and its goroutines alive; probing every few seconds exhausts file descriptors. Close the body (drain it and defer/resp.Body.Close()) after each probe.")})

# ---------------------------------------------------------------- 11 two issues: race + swallowed (python)
case("job-queue", "Retry failed jobs in the background worker",
"A failed job is retried up to three times; workers run as several threads sharing one queue object.",
"python",
{"worker/queue.py": '''
"""The in-process job queue."""

import queue
from collections.abc import Callable

Job = Callable[[], None]


class JobQueue:
    def __init__(self) -> None:
        self._q: queue.Queue[tuple[Job, int]] = queue.Queue()
        self.done = 0

    def put(self, job: Job) -> None:
        self._q.put((job, 0))
'''},
{"worker/queue.py": '''
"""The in-process job queue."""

import logging
import queue
from collections.abc import Callable

Job = Callable[[], None]
MAX_ATTEMPTS = 3
log = logging.getLogger(__name__)


class JobQueue:
    def __init__(self) -> None:
        self._q: queue.Queue[tuple[Job, int]] = queue.Queue()
        self.done = 0
        self.failed = 0

    def put(self, job: Job) -> None:
        self._q.put((job, 0))

    def work_one(self) -> None:
        """Run the next job; a failed job goes back on the queue until MAX_ATTEMPTS."""
        job, attempts = self._q.get()
        try:
            job()
            self.done += 1  #!K1
        except Exception:
            if attempts + 1 < MAX_ATTEMPTS:
                self._q.put((job, attempts + 1))
            else:
                self.failed += 1  #!K1
                log.debug("job failed")  #!K2
        finally:
            self._q.task_done()
'''},
{"K1": ("medium", "concurrency",
 "Race condition: the done and failed counters are incremented from several worker threads without a lock; += on an attribute is not atomic, so counts are lost under load. Use a lock or itertools.count / a thread-safe counter."),
 "K2": ("medium", "error-handling",
 "Swallowed error: after the last attempt the job's exception is logged at debug level without the exception or traceback, so permanently failed jobs are invisible in production logs. Log with log.exception (or at error level with exc_info) and keep the failure.")})

# ---------------------------------------------------------------- 12 JS path traversal
case("js-attachments", "Serve uploaded attachments by name",
"An Express route returns a file from the uploads folder by its name.",
"javascript",
{"server/attachments.js": '''
const express = require("express");

const router = express.Router();
const UPLOADS = "/var/app/uploads";

module.exports = { router, UPLOADS };
'''},
{"server/attachments.js": '''
const express = require("express");
const path = require("path");

const router = express.Router();
const UPLOADS = "/var/app/uploads";

router.get("/attachments/:name", (req, res) => {
  const file = path.join(UPLOADS, req.params.name); //!K1
  res.sendFile(file, (err) => {
    if (err) res.status(404).send("not found");
  });
});

module.exports = { router, UPLOADS };
'''},
{"K1": ("critical", "security",
 "Path traversal: the name from the URL is joined to the uploads folder unchecked, so an encoded name like ..%2f..%2fetc%2fpasswd resolves outside /var/app/uploads and serves any file the process can read. Resolve the path and refuse it unless it stays inside UPLOADS (or use sendFile with the root option).")})

# ---------------------------------------------------------------- 13 clean: backoff
case("clean-backoff", "Add exponential backoff to the webhook sender",
"Failed webhook deliveries are retried with capped exponential backoff and jitter.",
"python",
{"hooks/send.py": '''
"""Webhook delivery."""

import httpx


def deliver(client: httpx.Client, url: str, payload: dict) -> bool:
    resp = client.post(url, json=payload, timeout=5.0)
    return resp.is_success
'''},
{"hooks/send.py": '''
"""Webhook delivery."""

import random
import time

import httpx

MAX_ATTEMPTS = 5
BASE_DELAY_S = 0.5
MAX_DELAY_S = 30.0


def backoff_delay(attempt: int) -> float:
    """Seconds to wait before retry `attempt` (1-based): capped exponential with full jitter."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * (2 ** (attempt - 1)))
    return random.uniform(0, ceiling)


def deliver(client: httpx.Client, url: str, payload: dict) -> bool:
    resp = client.post(url, json=payload, timeout=5.0)
    return resp.is_success


def deliver_with_retry(client: httpx.Client, url: str, payload: dict) -> bool:
    """Deliver, retrying network errors and 5xx answers up to MAX_ATTEMPTS times."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            resp = client.post(url, json=payload, timeout=5.0)
        except httpx.TransportError:
            resp = None
        if resp is not None and resp.status_code < 500:
            return resp.is_success
        if attempt < MAX_ATTEMPTS:
            time.sleep(backoff_delay(attempt))
    return False
'''},
{})

# ---------------------------------------------------------------- 14 clean: slugify
case("clean-slug", "Generate URL slugs for article titles",
"Article URLs use a slug made from the title; slugs are unique per site.",
"python",
{"blog/slugs.py": '''
"""Article slugs."""
'''},
{"blog/slugs.py": '''
"""Article slugs."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 80


def slugify(title: str) -> str:
    """A lower-case ASCII slug of `title` ("Café au lait!" -> "cafe-au-lait")."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:MAX_LENGTH].rstrip("-") or "article"


def unique_slug(title: str, taken: set[str]) -> str:
    """`slugify(title)`, with -2, -3, ... appended until it is not in `taken`."""
    base = slugify(title)
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug
'''},
{})

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
            self.done += 1
        except Exception:
            if attempts + 1 < MAX_ATTEMPTS:
                self._q.put((job, attempts + 1))
            else:
                self.failed += 1
                log.debug("job failed")
        finally:
            self._q.task_done()

"""The worker loop (`jiceng worker`): claim and run queued jobs, and queue each day's sweeps.

It sits above both the runner and the sweeps (sweeps → services → runner), so none of them
needs to import it back.
"""

import logging
import threading
import time

from django.db import close_old_connections, connection

from . import runner
from .sweeps import start as start_sweeps

logger = logging.getLogger("jiceng.jobs")


SWEEP_CHECK_EVERY = 60.0  # seconds between a worker's looks for the day's periodic tasks


def _queue_sweeps() -> None:
    try:
        start_sweeps(dispatch=False)  # once a day each: the keys make repeats no-ops
    except Exception:  # a database hiccup: try again at the next check
        logger.exception("could not queue the periodic tasks")


def _fail_stale() -> None:
    try:
        runner.fail_stale()  # jobs whose process was killed: failed, their input removed
    except Exception:  # a database hiccup: try again at the next check
        logger.exception("could not fail the stale jobs")


def work(
    *,
    once: bool = False,
    poll: float = 1.0,
    stop: threading.Event | None = None,
    echo=None,
    sweeps: bool = False,
):
    """The worker loop: claim and run queued jobs until `stop` is set (or, with `once`, until
    the queue is empty). At start and every minute it fails the jobs whose heartbeat stopped
    (`runner.fail_stale`). With `sweeps`, it also queues the day's periodic tasks (checked every
    minute, so they start soon after midnight, local time). Returns how many jobs ran."""
    stop = stop or threading.Event()
    ran = 0
    checked = None
    while not stop.is_set():
        if not connection.in_atomic_block:  # a long-lived worker drops broken connections
            close_old_connections()
        if checked is None or time.monotonic() - checked >= SWEEP_CHECK_EVERY:
            checked = time.monotonic()
            _fail_stale()
            if sweeps:
                _queue_sweeps()
        job = runner.claim_next()
        if job is None:
            if once:
                break
            stop.wait(poll)
            continue
        if echo is not None:
            echo(job)
        runner.run(job)
        ran += 1
    return ran

"""Logging that stays readable when the database is down.

With the database unreachable every request fails the same way, and Django logs each one
with its full traceback: tens of megabytes in a minute, which buries what happened and can
fill the disk. `DatabaseDownFilter` (on the console handler in settings.LOGGING) lets the
first failure of a kind through as one line without its traceback, counts the repeats, and
says how many there were once per interval while the failure lasts.
"""

import logging
import threading
import time

from django.db import utils

# Errors that mean "no database" rather than a fault in the code.
UNAVAILABLE = (utils.OperationalError, utils.InterfaceError)


def database_error(record: logging.LogRecord) -> BaseException | None:
    """The database-unavailable error a record carries (itself or as a cause), if any."""
    exc = record.exc_info[1] if record.exc_info else None
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, UNAVAILABLE):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


class DatabaseDownFilter(logging.Filter):
    def __init__(self, interval: float = 60.0):
        super().__init__()
        self.interval = interval
        self.lock = threading.Lock()
        self.kinds: dict[str, list] = {}  # kind -> [time last said, repeats since]

    def filter(self, record: logging.LogRecord) -> bool:
        exc = database_error(record)
        if exc is None:
            return True
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        kind = f"{type(exc).__name__}: {detail}"
        now = time.monotonic()
        with self.lock:
            said = self.kinds.get(kind)
            if said is not None and now - said[0] < self.interval:
                said[1] += 1
                return False
            repeats = said[1] if said else 0
            self.kinds[kind] = [now, 0]
        # One line, no traceback: the error's kind and where it was met.
        what = "still unavailable" if said else "unavailable"
        record.msg = f"database {what} ({kind}) at %s"
        if repeats:
            record.msg += f"; {repeats} more in the last {self.interval:.0f} s"
        record.args = (getattr(getattr(record, "request", None), "path", record.name),)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True

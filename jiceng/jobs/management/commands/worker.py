"""`jiceng worker [--once] [--poll SECONDS] [--no-sweeps]`: run queued background jobs.

Start one or more beside the web server with JICENG_JOBS=worker in the environment of both,
so the web process only queues jobs. A worker also runs the periodic tasks once a day
(`jiceng sweep` does the same from cron); with several workers each task still runs once.
`--once` only empties the queue. Stop it with Ctrl-C or SIGTERM: the job in hand is
finished first.
"""

import signal
import threading

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jiceng.jobs import runner, worker


class Command(BaseCommand):
    help = (
        "Run queued background jobs (imports, reports, reminders) and the daily periodic "
        "tasks until stopped; --once: only until the queue is empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="stop when no job is waiting")
        parser.add_argument(
            "--poll",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="how often to look for new jobs (default 1)",
        )
        parser.add_argument(
            "--no-sweeps",
            action="store_true",
            help="do not run the daily periodic tasks (another worker or cron does)",
        )

    def handle(self, *args, once, poll, no_sweeps, **options):
        stop = threading.Event()

        def ask_to_stop(signum, frame):
            stop.set()

        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, ask_to_stop)
        try:
            recovered = runner.recover_stale()
            if recovered:
                self.stderr.write(
                    _("%(n)s jobs left by stopped processes were marked failed.") % {"n": recovered}
                )

            def started(job):
                self.stdout.write(f"{job.kind} #{job.pk}")

            ran = worker.work(
                once=once, poll=poll, stop=stop, echo=started, sweeps=not (once or no_sweeps)
            )
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(_("%(n)s jobs run.") % {"n": ran})

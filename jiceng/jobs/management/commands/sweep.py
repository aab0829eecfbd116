"""`jiceng sweep [--only TASK] [--on DATE] [--force] [--list] [--format json]`: run every
registered periodic task once, here and now (for cron, e.g. `15 0 * * * jiceng sweep`).

A task already run for the day (by another sweep or a worker) is skipped unless `--force`.
Exits with an error status if any task failed.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiceng.jobs import registry, sweeps
from jiceng.jobs.models import Status


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Enter the date as YYYY-MM-DD.")) from None


class Command(BaseCommand):
    help = "Run every registered periodic task once for the day (for cron)."

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", action="append", default=[], metavar="TASK", help="run only this task"
        )
        parser.add_argument("--on", metavar="DATE", help="the day to sweep for (default today)")
        parser.add_argument(
            "--force", action="store_true", help="run tasks already run for the day again"
        )
        parser.add_argument(
            "--list", dest="list_tasks", action="store_true", help="list the periodic tasks"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, only, on, force, list_tasks, format, **options):
        if list_tasks:
            rows = [
                {"task": name, "label": str(t.label)}
                for name, t in registry.periodic_tasks().items()
            ]
            if format == "json":
                self._json(rows)
            else:
                for row in rows:
                    self.stdout.write(f"{row['task']}  {row['label']}")
            return
        day = _date(on) if on else None
        try:
            started = sweeps.start(day, only=only, force=force, foreground=True)
        except KeyError as exc:
            raise CommandError(
                _("No such periodic task: %(name)s") % {"name": exc.args[0]}
            ) from None
        rows = []
        for s in started:
            job = s.job
            job.refresh_from_db()
            rows.append(
                {
                    "task": s.task.name,
                    "label": str(s.task.label),
                    "job": job.pk,
                    "ran": s.new,
                    "status": job.status,
                    "result": job.result,
                    "message": job.message,
                }
            )
        if format == "json":
            self._json(rows)
        else:
            for row in rows:
                if not row["ran"]:
                    outcome = _("already run for the day (job %(id)s), skipped") % {
                        "id": row["job"]
                    }
                elif row["status"] == Status.DONE:
                    outcome = _("done: %(result)s") % {
                        "result": json.dumps(row["result"], ensure_ascii=False, default=str)
                    }
                else:
                    outcome = _("failed: %(message)s") % {"message": row["message"]}
                self.stdout.write(f"{row['task']}（{row['label']}）：{outcome}")
        failed = [r["task"] for r in rows if r["ran"] and r["status"] != Status.DONE]
        if failed:
            raise CommandError(_("Periodic tasks failed: %(names)s") % {"names": "、".join(failed)})

"""`jiceng import KIND FILE [--org CODE] [--as USERNAME]`: check every row, then import all
or nothing. With `--org` (kinds with an organization column, e.g. members) the import is for
that organization: rows whose organization cell is blank go to it, rows naming one outside
its subtree are refused.

The import runs as a job (jiceng.jobs, kind "import") in the foreground, printing its
progress on one line; `--background` only queues it for `jiceng worker`.

The module is named after the command (Django finds commands by module name, and
`importlib` loads a module called `import` without trouble).
"""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiceng.access.commands import acting_user, add_as_option
from jiceng.jobs import services as jobs
from jiceng.jobs.models import Status
from jiceng.orgs import selectors
from jiceng.sheets import layer as sheets

SHOWN_ISSUES = 20


class Command(BaseCommand):
    help = (
        "Import a workbook: `import KIND FILE.xlsx [--org CODE] [--as USERNAME]`. Every row "
        "is checked "
        "first; only a file without problems is written, in one transaction. Otherwise the "
        "rows are marked in FILE.errors.xlsx (or -o PATH) and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(sheets.specs()), help="what the sheet holds")
        parser.add_argument("file", help="the .xlsx to import")
        parser.add_argument(
            "-o",
            "--errors",
            dest="errors_path",
            metavar="PATH",
            help="where to write the error workbook (default: FILE.errors.xlsx beside FILE)",
        )
        parser.add_argument(
            "--org",
            metavar="CODE",
            help=(
                "import for this organization: rows with a blank organization cell go to it, "
                "rows naming an organization outside its subtree are refused"
            ),
        )
        parser.add_argument(
            "--check", action="store_true", help="only check the file; write nothing"
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="only queue the import as a job for `jiceng worker`; print its number",
        )
        add_as_option(parser)

    def handle(self, *args, kind, file, errors_path, org, check, background, as_user, **options):
        actor = acting_user(as_user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        params = {}
        if org:
            if not sheets.get_spec(kind).org_field:
                raise CommandError(_("This kind of sheet cannot be imported for one organization."))
            try:
                target = selectors.get_visible(actor, org)
            except selectors.Organization.DoesNotExist:
                raise CommandError(
                    _("No such organization, or you may not see it: %(code)s") % {"code": org}
                ) from None
            params = {"org": target.pk, "limits_org": target.pk}
        job = jobs.submit(
            actor,
            "import",
            source=path,
            foreground=not background,
            echo=self._progress,
            sheet=kind,
            check=check,
            **params,
        )
        if background:
            self.stdout.write(_("Queued as job %(id)s.") % {"id": job.pk})
            return
        self.stderr.write("")
        if job.status != Status.DONE:
            raise CommandError(job.message or _("The import did not finish."))
        result = job.result
        if result["file_error"]:
            raise CommandError(result["file_error"])
        if not result["ok"]:
            target = Path(errors_path) if errors_path else sheets.error_workbook_path(path)
            if result.get("workbook") and job.output_file is not None:
                shutil.copyfile(job.output_file, target)
            shutil.rmtree(job.folder, ignore_errors=True)
            issues = result["issues"]
            for issue in issues[:SHOWN_ISSUES]:
                self.stdout.write(issue)
            more = len(issues) + result.get("more_issues", 0) - SHOWN_ISSUES
            if more > 0:
                self.stdout.write(_("… and %(n)s more problems.") % {"n": more})
            raise CommandError(
                result["summary"]
                + " "
                + _("The problems are marked in %(path)s.") % {"path": target}
            )
        self.stdout.write(result["summary"])

    def _progress(self, done, total, message):
        count = f"{done:,}/{total:,}" if total else f"{done:,}"
        self.stderr.write(f"\r{message} {count}", ending="")
        self.stderr.flush()

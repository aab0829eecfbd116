"""`jiceng import KIND FILE [--as USERNAME]`: check every row, then import all or nothing.

The module is named after the command (Django finds commands by module name, and
`importlib` loads a module called `import` without trouble).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiceng import sheets
from jiceng.commands import acting_user, add_as_option

SHOWN_ISSUES = 20


class Command(BaseCommand):
    help = (
        "Import a workbook: `import KIND FILE.xlsx [--as USERNAME]`. Every row is checked "
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
            "--check", action="store_true", help="only check the file; write nothing"
        )
        add_as_option(parser)

    def handle(self, *args, kind, file, errors_path, check, as_user, **options):
        spec = sheets.get_spec(kind)
        actor = acting_user(as_user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        limits = spec.limits()
        result = sheets.import_sheet(
            spec, path, actor, limits=limits, progress=self._progress, check_only=check
        )
        self.stderr.write("")
        if result.file_error:
            raise CommandError(result.file_error)
        if not result.ok:
            target = Path(errors_path) if errors_path else sheets.error_workbook_path(path)
            sheets.write_error_workbook(spec, path, result, target, limits=limits)
            for issue in result.issues[:SHOWN_ISSUES]:
                self.stdout.write(str(issue))
            if len(result.issues) > SHOWN_ISSUES:
                self.stdout.write(
                    _("… and %(n)s more problems.") % {"n": len(result.issues) - SHOWN_ISSUES}
                )
            raise CommandError(
                result.summary()
                + " "
                + _("The problems are marked in %(path)s.") % {"path": target}
            )
        self.stdout.write(result.summary())

    def _progress(self, done, total, stage):
        label = _("Checking") if stage == "check" else _("Importing")
        line = f"{label} {done}/{total}" if total else f"{label} {done}"
        self.stderr.write(f"\r{line}", ending="")
        self.stderr.flush()

"""`jiceng template KIND -o FILE`: an empty workbook to fill in and import."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jiceng.sheets import layer as sheets


class Command(BaseCommand):
    help = (
        "Write an import template: `template KIND -o FILE.xlsx` "
        "(a header row, an instruction row, choice lists)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(sheets.specs()), help="what the sheet holds")
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="the .xlsx to write"
        )

    def handle(self, *args, kind, output, **options):
        spec = sheets.get_spec(kind)
        sheets.write_template(spec, output, limits=spec.limits())
        self.stdout.write(_("Template written to %(path)s.") % {"path": output})

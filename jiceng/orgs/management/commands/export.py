"""`jiceng export KIND [--org CODE] -o FILE [--reveal] [--as USERNAME]`: a re-importable workbook.

Personal information (members' ID numbers and phones) is masked; `--reveal` shows it in
clear where the acting user may see it, and logs the export as one audit event.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiceng import sheets
from jiceng.commands import acting_user, add_as_option
from jiceng.orgs import selectors


class Command(BaseCommand):
    help = (
        "Export a subtree: `export KIND --org CODE -o FILE.xlsx [--as USERNAME]` "
        "(without --org: everything the acting user sees). The file can be imported again."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(sheets.specs()), help="what the sheet holds")
        parser.add_argument(
            "--org", metavar="CODE", help="the organization whose subtree to export"
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="the .xlsx to write"
        )
        parser.add_argument(
            "--reveal",
            action="store_true",
            help="ID numbers and phones in clear (needs the right to see them; logged)",
        )
        add_as_option(parser)

    def handle(self, *args, kind, org, output, reveal, as_user, **options):
        spec = sheets.get_spec(kind)
        actor = acting_user(as_user)
        if org:
            try:
                roots = [selectors.get_visible(actor, org)]
            except selectors.Organization.DoesNotExist:
                raise CommandError(
                    _("No such organization, or you may not see it: %(code)s") % {"code": org}
                ) from None
        else:
            roots = list(selectors.org_list(actor, roots=True))
        try:
            count = sheets.export_workbook(spec, actor, roots, output, reveal=reveal)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("%(n)s rows written to %(path)s.") % {"n": count, "path": output})

"""`jiceng export KIND [--org CODE] -o FILE [--reveal] [--as USERNAME]`: a re-importable workbook,
or a document.

Sheet kinds come from every app's `sheets.py` (`SHEETS`). Personal information (members' ID
numbers and phones) is masked; `--reveal` shows it in clear where the acting user may see it,
and logs the export as one audit event.

Document kinds come from every app's `documents.py`: an `EXPORT_DOCUMENTS` dict of kind
name → an object with `help` (text), `arguments` (extra argparse options: a tuple of (flags, kwargs))
and `build(actor, org, **options) -> jiceng.documents.OfficialDocument`, filled from the app's
selectors as the acting user. A document kind needs `--org`; it writes FILE as .docx, or as
PDF when FILE ends in .pdf or `--pdf` is given (LibreOffice; then FILE.pdf beside FILE.docx).
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiceng.access.commands import acting_user, add_as_option
from jiceng.kernel.discovery import app_modules
from jiceng.orgs import selectors
from jiceng.sheets import layer as sheets


def document_kinds() -> dict:
    """Kind name → spec, from every installed app's `documents.py`."""
    found = {}
    for _label, module in app_modules("documents"):
        found.update(getattr(module, "EXPORT_DOCUMENTS", {}) or {})
    return found


def _dest(flags, kwargs) -> str:
    return kwargs.get("dest") or flags[0].lstrip("-").replace("-", "_")


class Command(BaseCommand):
    help = (
        "Export a subtree: `export KIND --org CODE -o FILE.xlsx [--as USERNAME]` "
        "(without --org: everything the acting user sees). The file can be imported again. "
        "Documents: `export minutes-book --org CODE --year YYYY -o FILE.docx [--pdf]`."
    )

    def add_arguments(self, parser):
        documents = document_kinds()
        kinds = sorted(set(sheets.specs()) | set(documents))
        parser.add_argument("kind", choices=kinds, help="what the sheet or document holds")
        parser.add_argument(
            "--org", metavar="CODE", help="the organization whose subtree to export"
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="the .xlsx (or .docx) to write"
        )
        parser.add_argument(
            "--reveal",
            action="store_true",
            help="ID numbers and phones in clear (needs the right to see them; logged)",
        )
        parser.add_argument(
            "--pdf", action="store_true", help="documents: also write a PDF (needs LibreOffice)"
        )
        seen = set()
        for spec in documents.values():
            for flags, kwargs in spec.arguments:
                if seen.isdisjoint(flags):
                    parser.add_argument(*flags, **kwargs)
                    seen.update(flags)
        add_as_option(parser)

    def handle(self, *args, kind, org, output, reveal, as_user, pdf=False, **options):
        actor = acting_user(as_user)
        documents = document_kinds()
        if kind in documents and kind not in sheets.specs():
            return self._document(documents[kind], actor, org, output, pdf, options)
        spec = sheets.get_spec(kind)
        roots = [self._org(actor, org)] if org else list(selectors.org_list(actor, roots=True))
        try:
            count = sheets.export_workbook(spec, actor, roots, output, reveal=reveal)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("%(n)s rows written to %(path)s.") % {"n": count, "path": output})

    def _org(self, actor, code):
        try:
            return selectors.get_visible(actor, code)
        except selectors.Organization.DoesNotExist:
            raise CommandError(
                _("No such organization, or you may not see it: %(code)s") % {"code": code}
            ) from None

    def _document(self, spec, actor, code, output, pdf, options):
        from jiceng.documents import DocumentError, to_pdf

        if not code:
            raise CommandError(_("A document needs --org CODE."))
        org = self._org(actor, code)
        wanted = {_dest(flags, kw): options.get(_dest(flags, kw)) for flags, kw in spec.arguments}
        missing = [flags[0] for flags, kw in spec.arguments if wanted[_dest(flags, kw)] is None]
        if missing:
            raise CommandError(
                _("This document needs %(options)s.") % {"options": ", ".join(missing)}
            )
        path = Path(output)
        if path.suffix.lower() not in (".docx", ".pdf"):
            raise CommandError(_("The output file must end in .docx or .pdf."))
        try:
            doc = spec.build(actor, org, **wanted)
        except (PermissionDenied, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from None
        written = []
        if path.suffix.lower() == ".pdf":
            targets = [path]
        else:
            doc.save(path)
            written.append(path)
            targets = [path.with_suffix(".pdf")] if pdf else []
        for target in targets:
            try:
                to_pdf(doc, target)
            except DocumentError as exc:
                raise CommandError(exc.message) from None
            written.append(target)
        for p in written:
            self.stdout.write(_("Written to %(path)s.") % {"path": p})

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.documents.pdf import DocumentError, to_pdf
from jiceng.documents.sample import sample_document


class Command(BaseCommand):
    help = "Official documents: `document sample -o FILE` writes a sample (.docx, or .pdf)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sample = sub.add_parser(
            "sample", help="a sample request (请示) showing the GB/T 9704 layout"
        )
        sample.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FILE",
            help="FILE.docx, or FILE.pdf (needs LibreOffice)",
        )

    def handle(self, *args, action, output, **options):
        path = Path(output)
        doc = sample_document()
        if path.suffix.lower() == ".pdf":
            try:
                to_pdf(doc, path)
            except DocumentError as exc:
                raise CommandError(exc.message) from None
        elif path.suffix.lower() == ".docx":
            doc.save(path)
        else:
            raise CommandError("输出文件须以 .docx 或 .pdf 结尾")
        self.stdout.write(f"已写入 {path}")

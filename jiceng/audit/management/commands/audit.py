from django.core.management.base import BaseCommand, CommandError

from jiceng.audit.services import verify


class Command(BaseCommand):
    help = "Audit log: `audit verify` checks the hash chain and names the first broken event."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every event's hash and link")

    def handle(self, *args, action, **options):
        report = verify()
        if not report.ok:
            raise CommandError(
                f"审计链在事件 #{report.broken_at} 处断开（{report.reason}）；"
                f"此前 {report.checked} 个事件完好"
            )
        self.stdout.write(f"审计链完好：共 {report.checked} 个事件")

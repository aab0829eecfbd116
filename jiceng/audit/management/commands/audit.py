from django.core.management.base import BaseCommand, CommandError

from jiceng.audit.services import checkpoint, verify


class Command(BaseCommand):
    help = (
        "Audit log: `audit verify` checks the keyed hash chain against the signed checkpoint "
        "and names the first broken event; `audit checkpoint` signs the current head."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every event's keyed hash and link, and the checkpoint")
        sub.add_parser("checkpoint", help="verify, then sign the chain's head into the checkpoint")

    def handle(self, *args, action, **options):
        if action == "checkpoint":
            try:
                point = checkpoint()
            except ValueError as exc:
                raise CommandError(f"审计链未通过校验，未写检查点：{exc}") from None
            self.stdout.write(f"已写检查点：事件 #{point.id}，共 {point.count} 个事件")
            return
        report = verify()
        if report.broken_at is not None:
            raise CommandError(
                f"审计链在事件 #{report.broken_at} 处断开（{report.reason}）；"
                f"此前 {report.checked} 个事件完好"
            )
        if not report.ok:
            raise CommandError(f"审计链未通过校验（{report.reason}）")
        note = (
            f"；与检查点（事件 #{report.checkpoint.id}，{report.checkpoint.at}）相符"
            if report.checkpoint
            else "；尚无检查点（运行 jiceng audit checkpoint）"
        )
        self.stdout.write(f"审计链完好：共 {report.checked} 个事件{note}")

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiceng.access.commands import acting_user, add_as_option, print_json
from jiceng.orgs.models import Organization
from jiceng.orgs.selectors import get_visible
from jiceng.stats.exports import write_xlsx
from jiceng.stats.selectors import report
from jiceng.stats.services import snapshot_period


class Command(BaseCommand):
    help = (
        "Figures: `stats coverage --org CODE [--on DATE | --period P] --format json|xlsx` and "
        "`stats snapshot --period 2026` (close a period and publish its figures)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cov = sub.add_parser("coverage", help="every metric for an organization and its children")
        cov.add_argument("--org", required=True, metavar="CODE")
        cov.add_argument("--on", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
        cov.add_argument("--period", help="a closed period: serve its published figures")
        cov.add_argument("--format", choices=["json", "xlsx"], default="json")
        cov.add_argument("-o", "--output", help="file for xlsx output")
        add_as_option(cov)
        snap = sub.add_parser("snapshot", help="close a period and publish every node's figures")
        snap.add_argument("--period", required=True, help="2026, 2026H1, 2026Q3 or 2026-05")
        add_as_option(snap)

    def handle(self, *args, action, as_user, **options):
        user = acting_user(as_user)
        try:
            if action == "snapshot":
                closed = snapshot_period(user, options["period"])
                self.stdout.write(f"已关账 {closed.period}（截至 {closed.on}），指标已发布。")
                return
            org = get_visible(user, options["org"])
            data = report(user, org, on=options["on"], period=options["period"])
        except ValidationError as exc:
            raise CommandError(
                "；".join(m for ms in exc.message_dict.values() for m in ms)
            ) from None
        except Organization.DoesNotExist:
            raise CommandError(f"没有这个组织，或无权查看：{options['org']}") from None
        if options["format"] == "json":
            print_json(
                {
                    "org": org.code,
                    "on": data["on"],
                    "period": data["period"],
                    "published": data["published"],
                    "metrics": [
                        {
                            "key": m["metric"].key,
                            "label": str(m["metric"].label),
                            **m["figure"].as_dict(),
                            "children": [
                                {
                                    "code": c.code,
                                    "name": c.name,
                                    **f.as_dict(),
                                }
                                for c, f in m["children"]
                            ],
                        }
                        for m in data["metrics"]
                    ],
                }
            )
            return
        if not options["output"]:
            raise CommandError("xlsx 输出需要 -o 文件名")
        write_xlsx(data, options["output"])
        self.stdout.write(f"已写入 {options['output']}")

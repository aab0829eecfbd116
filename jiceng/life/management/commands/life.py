"""`jiceng life compliance --org CODE --period P --format json|xlsx`: the meeting figures of an
organization's subtree for a period (meetings held by kind, compliance and attendance rates,
for the subtree, each direct subordinate and each organization with a requirement)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiceng.access.commands import acting_user, add_as_option, print_json
from jiceng.life import selectors
from jiceng.life.exports import payload, write_xlsx
from jiceng.orgs.models import Organization
from jiceng.orgs.selectors import get_visible


class Command(BaseCommand):
    help = (
        "Organizational life: `life compliance --org CODE [--period 2026|2026Q3|2026-05] "
        "[--on DATE] --format json|xlsx [-o FILE]` — meetings held by kind, compliance and "
        "attendance rates of a subtree for a period."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        comp = sub.add_parser("compliance", help="meeting figures of a subtree for a period")
        comp.add_argument("--org", required=True, metavar="CODE")
        comp.add_argument(
            "--period", help="2026, 2026H1, 2026Q3 or 2026-05 (default: the current year)"
        )
        comp.add_argument(
            "--on",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="judge the windows as of this day (default: today)",
        )
        comp.add_argument("--format", choices=["json", "xlsx"], default="json")
        comp.add_argument("-o", "--output", help="file for xlsx output")
        add_as_option(comp)

    def handle(self, *args, action, as_user, **options):
        user = acting_user(as_user)
        period = options["period"] or str(timezone.localdate().year)
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("xlsx 输出需要 -o 文件名")
        try:
            selectors.period_bounds(period)
        except ValueError:
            raise CommandError(f"期间格式不对：{period}（例如 2026、2026Q3、2026-05）") from None
        try:
            org = get_visible(user, options["org"])
            data = selectors.meeting_figures(user, org, period=period, on=options["on"])
        except (Organization.DoesNotExist, PermissionDenied):
            raise CommandError(f"没有这个组织，或无权查看：{options['org']}") from None
        out = payload(data)
        if options["format"] == "json":
            print_json(out)
            return
        write_xlsx(out, options["output"])
        self.stdout.write(f"已写入 {options['output']}")

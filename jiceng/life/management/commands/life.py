"""`jiceng life compliance --org CODE --period P --format json|xlsx`: the meeting figures of an
organization's subtree for a period (meetings held by kind, compliance and attendance rates,
for the subtree, each direct subordinate and each organization with a requirement)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from openpyxl import Workbook

from jiceng.access.commands import acting_user, add_as_option, print_json
from jiceng.life import selectors
from jiceng.life.models import MeetingKind
from jiceng.orgs.models import Organization
from jiceng.orgs.selectors import get_visible

LABELS = dict(MeetingKind.choices)
KINDS = [k for k, _label in MeetingKind.choices]


def _totals(t) -> dict:
    return {
        "organizations": t["organizations"],
        "compliant": t["compliant"],
        "required": t["required"],
        "met_windows": t["met_windows"],
        "missed_windows": t["missed_windows"],
        "meetings_held": t["meetings_held"],
        "held_by_kind": {k: t["held_by_kind"][k] for k in KINDS if t["held_by_kind"].get(k)},
        "compliance": t["compliance"].as_dict(),
        "attendance": t["attendance"].as_dict(),
    }


def payload(data) -> dict:
    """The figures as JSON-ready data (also what the xlsx is written from)."""
    return {
        "org": data["org"].code,
        "name": data["org"].name,
        "period": data["period"],
        "start": data["start"],
        "end": data["end"],
        "on": data["on"],
        "kind_labels": {k: str(LABELS[k]) for k in KINDS},
        "totals": _totals(data["totals"]),
        "children": [
            {"code": c["org"].code, "name": c["org"].name, **_totals(c["totals"])}
            for c in data["children"]
        ],
        "rows": [
            {
                "code": r["org"].code,
                "name": r["org"].name,
                "required": r["required"],
                "met_windows": r["met_windows"],
                "missed_windows": r["missed_windows"],
                "meetings_held": r["meetings_held"],
                "held_by_kind": r["held_by_kind"],
                "compliance": r["compliance"].as_dict(),
                "attendance": r["attendance"].as_dict(),
                "kinds": [
                    {
                        "kind": k["kind"],
                        "every": k["every"],
                        "required": k["required"],
                        "held": k["held"],
                        "met_windows": k["met_windows"],
                        "missed_windows": k["missed_windows"],
                        "status": k["status"],
                    }
                    for k in r["kinds"]
                ],
            }
            for r in data["rows"]
        ],
    }


def _rate(f: dict):
    return f["rate"]


def write_xlsx(data: dict, path) -> None:
    """Sheet 按种类: the subtree's meetings held by kind; sheet 达标情况: the subtree, each
    direct subordinate and each organization with a requirement, one row each."""
    book = Workbook(write_only=True)
    title = f"{data['name']}（{data['org']}）{data['start']} 至 {data['end']}"
    by_kind = book.create_sheet("按种类")
    by_kind.append([title])
    by_kind.append(["会议种类", "已召开（次）"])
    for kind, n in data["totals"]["held_by_kind"].items():
        by_kind.append([data["kind_labels"][kind], n])
    by_kind.append(["合计", data["totals"]["meetings_held"]])
    sheet = book.create_sheet("达标情况")
    sheet.append([title])
    sheet.append(
        [
            "范围",
            "组织代码",
            "组织名称",
            "应开窗口",
            "已达标窗口",
            "未开窗口",
            "达标率（%）",
            "实到人次",
            "应到人次（除请假）",
            "出勤率（%）",
            "已召开会议",
        ]
    )

    def line(scope, code, name, r):
        return [
            scope,
            code,
            name,
            r["required"],
            r["met_windows"],
            r["missed_windows"],
            _rate(r["compliance"]),
            r["attendance"]["numerator"],
            r["attendance"]["denominator"],
            _rate(r["attendance"]),
            r["meetings_held"],
        ]

    sheet.append(line("本级及下级合计", data["org"], data["name"], data["totals"]))
    for c in data["children"]:
        sheet.append(line("直属下级（含其下级）", c["code"], c["name"], c))
    for r in data["rows"]:
        sheet.append(line("组织本身", r["code"], r["name"], r))
    book.save(path)


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

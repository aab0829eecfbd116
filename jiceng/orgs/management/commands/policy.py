"""`jiceng policy show`: the policy in force for an organization the caller may see (so it lives
with the organizations; `jiceng.policy` only looks values up)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from jiceng.access.commands import acting_user, add_as_option, print_json
from jiceng.orgs.selectors import get_visible
from jiceng.policy.selectors import in_force


class Command(BaseCommand):
    help = (
        "Policy: `policy show --org CODE [--on DATE]` lists every value in force with its source."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="every rule value in force for an organization")
        show.add_argument("--org", required=True, metavar="CODE")
        show.add_argument("--on", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
        show.add_argument("--format", choices=["table", "json"], default="table")
        add_as_option(show)

    def handle(self, *args, action, org, on, format, as_user, **options):
        user = acting_user(as_user)
        try:
            scope = get_visible(user, org)
        except Exception:
            raise CommandError(f"没有这个组织，或无权查看：{org}") from None
        rows = in_force(scope, on)
        if format == "json":
            print_json(
                [
                    {
                        "key": r.key,
                        "label": r.label,
                        "value": r.value,
                        "unit": r.unit,
                        "source": r.source,
                        "overridden_at": r.overridden_at.code if r.override else None,
                    }
                    for r in rows
                ]
            )
            return
        for r in rows:
            where = f"  [覆盖于 {r.overridden_at.code}]" if r.override else ""
            self.stdout.write(
                f"{r.key} = {r.value}{r.unit}  {r.label}{where}\n    来源：{r.source}"
            )

"""`jiceng union …`: enrol trade-union members, change their status or categories, record that
they left, and list a union's members. Thin over `people.unions` and `people.selectors`."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiceng.access.commands import acting_user, add_as_option, print_json
from jiceng.orgs.models import Organization, Tree
from jiceng.orgs.selectors import get_visible
from jiceng.people import selectors, unions
from jiceng.people.models import UnionStatus

DATE = dt.date.fromisoformat
YES_NO = {"yes": True, "no": False}


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for ms in exc.message_dict.values() for m in ms)
    return "；".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Union members: `join`, `change`, `leave`, `list`. Example: jiceng union leave "
        "--org U1 --member-number GH0001 --on 2025-06-30 --reason 调离"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        join = sub.add_parser("join", help="enrol a person (found by ID number, or registered)")
        join.add_argument("--org", required=True, metavar="CODE")
        join.add_argument("--name", required=True)
        join.add_argument("--id-number", required=True)
        join.add_argument("--phone", default="")
        join.add_argument("--member-number", required=True)
        join.add_argument("--joined-on", type=DATE, required=True, metavar="YYYY-MM-DD")
        join.add_argument(
            "--status", choices=[UnionStatus.WORKING, UnionStatus.RETIRED], default="working"
        )
        join.add_argument("--migrant-worker", action="store_true")
        join.add_argument("--card-issued", action="store_true")
        change = sub.add_parser("change", help="status (retiring is dated) or categories")
        change.add_argument("--org", required=True, metavar="CODE")
        change.add_argument("--member-number", required=True)
        change.add_argument("--status", choices=[UnionStatus.WORKING, UnionStatus.RETIRED])
        change.add_argument("--on", type=DATE, metavar="YYYY-MM-DD", help="default: today")
        change.add_argument("--migrant-worker", choices=YES_NO)
        change.add_argument("--card-issued", choices=YES_NO)
        leave = sub.add_parser("leave", help="record that a member left the union")
        leave.add_argument("--org", required=True, metavar="CODE")
        leave.add_argument("--member-number", required=True)
        leave.add_argument("--on", type=DATE, metavar="YYYY-MM-DD", help="default: today")
        leave.add_argument("--reason", required=True)
        show = sub.add_parser("list", help="the members of a union and the unions below it")
        show.add_argument("--org", required=True, metavar="CODE")
        show.add_argument("--format", choices=["text", "json"], default="text")
        for p in (join, change, leave, show):
            add_as_option(p)

    def handle(self, *args, action, as_user, **options):
        user = acting_user(as_user)
        try:
            org = get_visible(user, options.pop("org"))
            if org.tree != Tree.UNION:
                raise CommandError(f"{org.name}不是工会组织")
            getattr(self, f"_{action}")(user, org, **options)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "无权办理") from None
        except Organization.DoesNotExist:
            raise CommandError("没有这个组织，或无权查看。") from None

    @staticmethod
    def _member(user, org, number):
        member = selectors.union_member_by_number(user, org, number)
        if member is None:
            raise CommandError(f"{org.name}没有会员编号为 {number} 的会员，或无权查看")
        return member

    def _join(self, user, org, **o):
        m = unions.enrol(
            user,
            org=org,
            name=o["name"],
            id_number=o["id_number"],
            phone=o["phone"],
            member_number=o["member_number"],
            joined_on=o["joined_on"],
            status=o["status"],
            migrant_worker=o["migrant_worker"],
            card_issued=o["card_issued"],
        )
        self.stdout.write(f"{m.person.name}已加入{org.name}（会员编号 {m.member_number}）")

    def _change(self, user, org, **o):
        m = unions.change_member(
            user,
            self._member(user, org, o["member_number"]),
            on=o["on"],
            status=o["status"],
            migrant_worker=YES_NO.get(o["migrant_worker"]),
            card_issued=YES_NO.get(o["card_issued"]),
        )
        self.stdout.write(f"{m.person.name}：{m.get_status_display()}")

    def _leave(self, user, org, **o):
        on = o["on"] or timezone.localdate()
        m = unions.leave(
            user, self._member(user, org, o["member_number"]), on=on, reason=o["reason"]
        )
        self.stdout.write(f"已登记{m.person.name}于 {m.left_on} 退会")

    def _list(self, user, org, **o):
        rows = [
            {
                "member_number": m.member_number,
                "name": m.person.name,
                "union": m.org.code,
                "joined_on": m.joined_on,
                "status": m.status,
                "retired_on": m.retired_on,
                "left_on": m.left_on,
                "left_reason": m.left_reason,
                "migrant_worker": m.migrant_worker,
                "card_issued": m.card_issued,
            }
            for m in selectors.union_members(user, org).order_by("id")
        ]
        if o["format"] == "json":
            print_json(rows)
            return
        for r in rows:
            left = f" 退会 {r['left_on']}（{r['left_reason']}）" if r["left_on"] else ""
            self.stdout.write(
                f"{r['member_number']}\t{r['name']}\t{r['union']}\t{r['joined_on']}\t"
                f"{UnionStatus(r['status']).label}{left}"
            )

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiceng.access import selectors, services
from jiceng.access.commands import acting_user, add_as_option, print_json
from jiceng.access.models import RoleAssignment


def _row(a: RoleAssignment) -> dict:
    return {
        "id": a.pk,
        "user": a.user.username,
        "name": str(a.user),
        "role": a.role,
        "scope": a.scope,
        "org": a.org.code if a.org else None,
        "valid_from": a.valid_from.isoformat(),
        "last_day": a.last_day.isoformat() if a.last_day else None,  # as users see it
    }


def _messages(exc: ValidationError) -> str:
    return "；".join(m for ms in exc.message_dict.values() for m in ms)


class Command(BaseCommand):
    help = (
        "Role assignments: `roles list [--org CODE] [--user NAME] [--ended]` and "
        "`roles end ID [--last-day YYYY-MM-DD]` (audited; default: the role lasts through today)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="roles at the organizations the acting user manages")
        ls.add_argument("--org", default="", help="only this organization (code)")
        ls.add_argument("--user", default="", help="only this username")
        ls.add_argument("--ended", action="store_true", help="include roles already over")
        ls.add_argument("--format", choices=["table", "json"], default="table")
        add_as_option(ls)
        end = sub.add_parser("end", help="end a role: its last day in force (default today)")
        end.add_argument("id", type=int, help="the assignment's id (see `roles list`)")
        end.add_argument("--last-day", type=dt.date.fromisoformat, default=None)
        add_as_option(end)

    def handle(self, *args, action, as_user, **options):
        actor = acting_user(as_user)
        if action == "list":
            self._list(actor, **options)
        else:
            self._end(actor, options["id"], options["last_day"])

    def _list(self, actor, *, org, user, ended, format, **_options):
        found = selectors.assignments(actor, org_code=org, username=user, ended=ended)
        rows = [_row(a) for a in found.order_by("org__path", "pk")]
        if format == "json":
            print_json(rows)
            return
        for r in rows:
            until = r["last_day"] or "长期"
            self.stdout.write(
                f"{r['id']}  {r['user']}  {r['role']}  {r['org'] or '*'}  {r['valid_from']} 至 {until}"
            )

    def _end(self, actor, pk: int, last_day):
        try:
            found = selectors.assignment(actor, pk)
            ended = services.end_role(actor, found, last_day=last_day)
        except RoleAssignment.DoesNotExist:
            raise CommandError(f"没有这项角色分配，或无权查看：{pk}") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        print_json(_row(ended))

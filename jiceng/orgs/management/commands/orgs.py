from django.core.management.base import BaseCommand

from jiceng.access.commands import acting_user, add_as_option, print_json
from jiceng.orgs import selectors
from jiceng.orgs.models import Kind


class Command(BaseCommand):
    help = "Organizations: `orgs list [--roots] [--kind KIND] [--format json|table]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="organizations visible to the acting user")
        ls.add_argument("--roots", action="store_true", help="only the top-level organizations")
        ls.add_argument("--kind", choices=Kind.values)
        ls.add_argument("--format", choices=["table", "json"], default="table")
        add_as_option(ls)

    def handle(self, *args, action, roots, kind, format, as_user, **options):
        orgs = selectors.org_list(acting_user(as_user), kind=kind, roots=roots).select_related(
            "parent"
        )
        rows = (
            {
                "code": o.code,
                "name": o.name,
                "kind": o.kind,
                "tree": o.tree,
                "parent": o.parent.code if o.parent else None,
                "depth": o.depth,
            }
            for o in orgs.iterator(chunk_size=2000)
        )
        if format == "json":
            print_json(list(rows))
            return
        for r in rows:
            self.stdout.write(f"{'  ' * r['depth']}{r['code']}  {r['name']}  ({r['kind']})")

from django.core.management.base import BaseCommand, CommandError

from jiceng.access.models import User
from jiceng.access.services import create_token, system_actor


class Command(BaseCommand):
    help = (
        "API bearer tokens: `token create USERNAME` prints a new token (shown once, stored hashed)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME and print it")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args, action, username, name, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有这个用户：{username}") from None
        _token, raw = create_token(system_actor(), user=user, name=name)
        self.stdout.write(raw)

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiceng.access.models import Role
from jiceng.access.services import assign_role, create_user, system_actor


class Command(BaseCommand):
    help = "Create a system administrator (password from --password, $JICENG_ADMIN_PASSWORD or a prompt)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="full name shown in the interface")
        parser.add_argument(
            "--password", help="avoid on shared machines: it lands in shell history"
        )

    def handle(self, *args, username, name, password, **options):
        password = password or os.environ.get("JICENG_ADMIN_PASSWORD")
        if not password:
            if not os.isatty(0):
                raise CommandError(
                    "没有密码：请用 --password 或环境变量 JICENG_ADMIN_PASSWORD 提供"
                )
            password = getpass.getpass("密码：")
        actor = system_actor()
        try:
            with transaction.atomic():
                user = create_user(actor, username=username, password=password, full_name=name)
                assign_role(actor, user=user, role=Role.SYSTEM_ADMIN)
        except ValidationError as exc:
            raise CommandError(
                "；".join(m for ms in exc.message_dict.values() for m in ms)
            ) from None
        self.stdout.write(f"已创建系统管理员 {username}")

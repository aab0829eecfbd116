from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from jiceng.access.services import system_actor
from jiceng.demo.build import DEMO_PASSWORD, SCALES, demo_logins, is_empty, load


class Command(BaseCommand):
    help = "Migrate, load demo data when the database is empty, print the logins, then serve."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help="size of the synthetic tree (small ≈ 200 organizations)",
        )
        parser.add_argument("--no-serve", action="store_true", help="load and exit")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, scale, no_serve, port, host, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if is_empty():
            self.stdout.write(f"正在生成演示数据（规模 {scale}）…")
            count = load(system_actor(), scale, timezone.localdate())
            self.stdout.write(f"已生成 {count} 个组织。")
        else:
            self.stdout.write("数据库已有数据，保留不变。")
        logins = demo_logins()
        if logins:
            self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
            for username, description in logins:
                self.stdout.write(f"  {username:<6} {description}")
        if not no_serve:
            self.stdout.write("")
            call_command("serve", host=host, port=port)

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Jiceng's web server (waitress) on HOST:PORT."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from jiceng.wsgi import application

        self.stdout.write(
            f"Jiceng 已启动：http://{host}:{port}/  （数据目录 {settings.HOME}；Ctrl-C 停止）"
        )
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="jiceng")

import os

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Jiceng's web server (waitress) on HOST:PORT."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--trusted-proxy",
            metavar="IP",
            default=os.environ.get("JICENG_TRUSTED_PROXY"),
            help="address of the reverse proxy (nginx) whose X-Forwarded-For/-Proto to believe "
            "(default: $JICENG_TRUSTED_PROXY)",
        )

    def handle(self, *args, host, port, threads, trusted_proxy, **options):
        from django.core.wsgi import get_wsgi_application
        from waitress import serve

        application = get_wsgi_application()  # as jiceng.wsgi does: the shell imports no wiring

        self.stdout.write(
            f"Jiceng 已启动：http://{host}:{port}/  （数据目录 {settings.HOME}；Ctrl-C 停止）"
        )
        self.stdout.flush()
        proxy = {}
        if trusted_proxy:
            # Behind nginx: take the client address and scheme from the proxy's headers only.
            proxy = {
                "trusted_proxy": trusted_proxy,
                "clear_untrusted_proxy_headers": True,
                "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto",
            }
        serve(application, host=host, port=port, threads=threads, ident="jiceng", **proxy)

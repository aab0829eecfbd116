"""`jiceng serve`: several worker processes (gunicorn), or one process of threads (waitress).

One Python process serves one request at a time on the CPU whatever its thread count (the
GIL), so on a machine of N cores gunicorn's N worker processes with a few threads each
carry N times the load of one waitress process (docs/benchmarks.md, "load"). waitress stays
as the fallback where gunicorn cannot run (Windows) or is not wanted.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SERVERS = ("gunicorn", "waitress")


def default_workers() -> int:
    # One per core plus one, so a worker waiting on the database leaves no core idle.
    return (os.cpu_count() or 1) + 1


def _default_server() -> str:
    if os.name != "posix":
        return "waitress"
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return "waitress"
    return "gunicorn"


def behind_proxy(application, trusted_proxy: str | None):
    """Take the client address and scheme from the proxy's headers, and only from the proxy
    (none when there is no trusted proxy): what waitress's trusted_proxy options do, for
    gunicorn, which passes every X-Forwarded-* header on and leaves REMOTE_ADDR alone."""

    def wrapped(environ, start_response):
        if trusted_proxy and environ.get("REMOTE_ADDR") == trusted_proxy:
            forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded:
                environ["REMOTE_ADDR"] = forwarded.split(",")[-1].strip()
        else:
            environ.pop("HTTP_X_FORWARDED_FOR", None)
            environ.pop("HTTP_X_FORWARDED_PROTO", None)
        return application(environ, start_response)

    return wrapped


class Command(BaseCommand):
    help = "Run Jiceng's web server on HOST:PORT (gunicorn worker processes, or waitress)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--server",
            choices=SERVERS,
            default=os.environ.get("JICENG_SERVER") or _default_server(),
            help="gunicorn (several processes; the default where it runs) or waitress "
            "(one process; default $JICENG_SERVER)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("JICENG_WORKERS", "0")) or default_workers(),
            help="gunicorn worker processes (default: cores + 1, or $JICENG_WORKERS)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="threads per process (default: 4 per gunicorn worker, 8 for waitress)",
        )
        parser.add_argument(
            "--trusted-proxy",
            metavar="IP",
            default=os.environ.get("JICENG_TRUSTED_PROXY"),
            help="address of the reverse proxy (nginx) whose X-Forwarded-For/-Proto to believe "
            "(default: $JICENG_TRUSTED_PROXY)",
        )

    def handle(self, *args, host, port, server, workers, threads, trusted_proxy, **options):
        from django.core.wsgi import get_wsgi_application

        if workers < 1 or (threads is not None and threads < 1):
            raise CommandError("--workers and --threads must be at least 1")
        application = get_wsgi_application()  # as jiceng.wsgi does: the shell imports no wiring
        if server == "gunicorn":
            threads = threads or 4
            shape = f"gunicorn，{workers} 个进程 × {threads} 个线程"
        else:
            threads = threads or 8
            shape = f"waitress，{threads} 个线程"
        self.stdout.write(
            f"Jiceng 已启动：http://{host}:{port}/  （{shape}；数据目录 {settings.HOME}；"
            "Ctrl-C 停止）"
        )
        self.stdout.flush()
        if server == "gunicorn":
            _gunicorn(application, host, port, workers, threads, trusted_proxy)
        else:
            _waitress(application, host, port, threads, trusted_proxy)


def _waitress(application, host, port, threads, trusted_proxy):
    from waitress import serve

    proxy = {}
    if trusted_proxy:
        # Behind nginx: take the client address and scheme from the proxy's headers only.
        proxy = {
            "trusted_proxy": trusted_proxy,
            "clear_untrusted_proxy_headers": True,
            "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto",
        }
    serve(application, host=host, port=port, threads=threads, ident="jiceng", **proxy)


def _gunicorn(application, host, port, workers, threads, trusted_proxy):
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    application = behind_proxy(application, trusted_proxy)
    config = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # gunicorn takes the URL scheme from X-Forwarded-Proto only from these addresses.
        "forwarded_allow_ips": trusted_proxy or "",
        "timeout": 120,  # a long export must not be killed as a hung worker
        "graceful_timeout": 30,
        # No max_requests recycling: with JICENG_JOBS=thread a worker runs background jobs
        # on its own threads, and a recycled worker would cut them off.
        "proc_name": "jiceng",
        "errorlog": "-",
        "loglevel": "warning",
    }

    class Server(BaseApplication):
        def load_config(self):
            for key, value in config.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    # Workers are forked from this process: none may inherit its database connections
    # (migrate, the demo's load), or two processes would talk over one socket.
    connections.close_all()
    Server().run()

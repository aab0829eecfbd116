"""The `jiceng` console script: Django's management commands, under the product's name.

Writes made from here are audited with source "cli" and act as the built-in
system actor unless a command says otherwise.
"""

import os
import sys

COMMANDS = {
    "demo": "load demo data when the database is empty, then serve (--no-serve, --scale)",
    "serve": "run the web server (--port N, --host H)",
    "migrate": "create or upgrade the database schema",
    "createadmin": "create a system administrator",
    "token": "token create USERNAME — print a new API bearer token",
    "roles": "roles list [--org CODE] [--user NAME] [--ended]; roles end ID [--last-day DATE]",
    "audit": "audit verify / checkpoint — check the keyed audit chain; sign its head",
    "policy": "policy show --org CODE — every rule value in force",
    "orgs": "orgs list [--roots] [--kind KIND] --format json",
    "template": "template units|orgs|members|union_members -o FILE — an empty .xlsx to fill in",
    "import": "import units|orgs|members|union_members FILE — validate every row, then all or nothing",
    "export": "export units|orgs|members|union_members --org CODE -o FILE [--reveal] — a subtree "
    "as .xlsx; export minutes-book|activity-plan --org CODE --year YYYY -o FILE.docx",
    "worker": "worker [--once] [--no-sweeps] — run queued background jobs and the daily sweeps",
    "sweep": "sweep [--only NAME] [--on DATE] — run every daily check once (for cron)",
    "stats": "stats coverage --org CODE [--on DATE] --format json|xlsx; stats snapshot --period P",
    "document": "document sample -o FILE.docx|FILE.pdf — a sample official document",
    "elections": "elections term|poll|case … — terms, ballots, tallies, re-election cases, reports",
    "union": "union join|change|leave|list --org CODE … — trade-union members",
    "life": "life compliance --org CODE [--period 2026Q3] --format json|xlsx — meeting figures",
    "i18n": "i18n compile — build the translation catalogs (zh-hant from zh-hans by OpenCC)",
}


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [
        "usage: jiceng COMMAND [options]   (jiceng COMMAND --help for details)",
        "",
        "commands:",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    lines += ["", "Any other Django management command works too (e.g. jiceng check)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(_usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.utils import translation

    from jiceng.audit.context import source
    from jiceng.audit.models import Source

    # Messages and labels in the product's language (JICENG_LANGUAGE=en for English).
    translation.activate(os.environ.get("JICENG_LANGUAGE", settings.LANGUAGE_CODE))
    with source(Source.CLI):
        execute_from_command_line(["jiceng", *argv])


if __name__ == "__main__":
    main()

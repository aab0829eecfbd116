from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

SOURCE_LOCALE, GENERATED = "zh_Hans", {"zh_Hant": "s2t"}


def _catalog(locale: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / locale / "LC_MESSAGES" / "django.po"


class Command(BaseCommand):
    help = (
        "Translations: `i18n compile` derives zh-hant from zh-hans with OpenCC and builds the .mo "
        "files (pure Python); `i18n extract` refreshes the zh-hans catalog (needs GNU gettext)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("compile", help="generate zh-hant and compile every catalog")
        sub.add_parser("extract", help="collect new strings into the zh-hans catalog")

    def handle(self, *args, action, **options):
        if action == "extract":
            call_command(
                "makemessages", locale=[SOURCE_LOCALE], ignore_patterns=["node_modules/*", "var/*"]
            )
            return
        source = polib.pofile(str(_catalog(SOURCE_LOCALE)))
        source.save_as_mofile(str(_catalog(SOURCE_LOCALE).with_suffix(".mo")))
        for locale, config in GENERATED.items():
            self._derive(source, locale, config)
        self.stdout.write(f"已编译翻译目录：{SOURCE_LOCALE}, {', '.join(GENERATED)}")

    @staticmethod
    def _derive(source: polib.POFile, locale: str, config: str) -> None:
        import opencc

        convert = opencc.OpenCC(config).convert
        derived = polib.POFile()
        derived.metadata = {**source.metadata, "Language": locale}
        for entry in source.translated_entries():
            derived.append(
                polib.POEntry(
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgctxt=entry.msgctxt,
                    msgstr=convert(entry.msgstr) if entry.msgstr else "",
                    msgstr_plural={k: convert(v) for k, v in entry.msgstr_plural.items()},
                )
            )
        path = _catalog(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        derived.save(str(path))
        derived.save_as_mofile(str(path.with_suffix(".mo")))

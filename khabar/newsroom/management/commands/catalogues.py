from django.core.management.base import BaseCommand, CommandError

from khabar.lib import catalogues


class Command(BaseCommand):
    help = (
        "Maintain the gettext catalogues (ar, fa, en) with Python alone: --update merges new "
        "strings into the .po files, --check fails on untranslated strings, --compile writes .mo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="merge new strings into .po")
        parser.add_argument("--check", action="store_true", help="fail on missing translations")
        parser.add_argument("--compile", action="store_true", help="write the .mo files")

    def handle(self, *args, update, check, compile, **options):
        if not (update or check or compile):
            raise CommandError("Say --update, --check or --compile.")
        if update:
            for locale, count in catalogues.update_catalogues().items():
                self.stdout.write(f"{locale}: {count} untranslated")
        if check:
            template = catalogues.extract_messages()
            problems = []
            for locale in catalogues.LOCALES:
                catalog = catalogues.read_catalog(locale)
                absent = [m.id for m in template if m.id and m.id not in catalog]
                problems += [f"{locale}: not in catalogue: {i!r}" for i in absent]
                problems += [
                    f"{locale}: untranslated: {i!r}"
                    for i in catalogues.missing_translations(catalog)
                ]
            if problems:
                raise CommandError("\n".join(problems))
            self.stdout.write("Every string is translated.")
        if compile:
            for path in catalogues.compile_catalogues():
                self.stdout.write(f"wrote {path}", self.style.SUCCESS)

"""gettext catalogues with Python alone (Babel), no GNU gettext on the machine.

Extraction runs Django's own template-to-gettext translation (templatize) on every template
and Babel's Python extractor on the result and on the Python modules, so it finds what
`makemessages` would. Compilation writes the .mo files Django reads.
"""

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
LOCALES = ["ar", "fa", "en"]
SOURCE_LOCALE = "en"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _sources():
    for path in sorted(ROOT.rglob("*")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations", "__pycache__", "static"}:
            continue
        if path.suffix == ".py":
            yield path, path.read_text(encoding="utf-8")
        elif path.suffix in {".html", ".txt"} and "templates" in parts:
            code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            # templatize keeps the template's indentation, which Python's tokenizer would read
            # as blocks; line numbers stay as they were.
            yield path, "\n".join(line.lstrip() for line in code.split("\n"))


def extract_messages() -> Catalog:
    """Every translatable string of the project, with where it stands."""
    catalog = Catalog(project="Khabar", charset="utf-8")
    for path, source in _sources():
        location = str(path.relative_to(ROOT.parent))
        found = extract(
            "python",
            io.BytesIO(source.encode("utf-8")),
            keywords=KEYWORDS,
            options={"encoding": "utf-8"},
        )
        for lineno, message, _comments, context in found:
            catalog.add(message, locations=[(location, lineno)], context=context)
    return catalog


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def read_catalog(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="Khabar", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def update_catalogues() -> dict[str, int]:
    """Merge newly extracted strings into each .po file; returns untranslated counts."""
    template = extract_messages()
    untranslated = {}
    for locale in LOCALES:
        catalog = read_catalog(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == SOURCE_LOCALE:
            # English is the language of the source strings: it translates to itself until an
            # editor rewords it here.
            for message in catalog:
                if message.pluralizable and not all(message.string):
                    message.string = (message.id[0], message.id[1])
                elif message.id and not message.string:
                    message.string = message.id
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, include_previous=False)
        untranslated[locale] = len(missing_translations(catalog))
    return untranslated


def missing_translations(catalog: Catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compile_catalogues() -> list[Path]:
    written = []
    for locale in LOCALES:
        catalog = read_catalog(locale)
        mo = po_path(locale).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    # The admin's JavaScript strings that Django lacks, kept by hand (no source of ours has them).
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/djangojs.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(po.with_suffix(".mo"))
    return written

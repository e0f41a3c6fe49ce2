"""Every UI string is translated in ar, fa and en, with the same placeholders."""

import re

import pytest

from khabar.lib import catalogues

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def extracted():
    return catalogues.extract_messages()


def test_extraction_finds_template_and_python_strings(extracted):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted if m.id}
    assert "News code" in ids  # a template string
    assert "Page %(number)s of %(count)s" in ids  # a blocktranslate with variables
    assert "A story needs a headline before it is published." in ids  # Python
    assert "Show %(shown)s more reply" in ids  # a plural, from Python


@pytest.mark.parametrize("locale", catalogues.LOCALES)
def test_every_string_is_in_the_catalogue_and_translated(extracted, locale):
    catalog = catalogues.read_catalog(locale)
    absent = [m.id for m in extracted if m.id and m.id not in catalog]
    assert absent == []
    assert catalogues.missing_translations(catalog) == []


@pytest.mark.parametrize("locale", catalogues.LOCALES)
def test_translations_keep_their_placeholders(locale):
    for message in catalogues.read_catalog(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            # Arabic plural forms for zero, one and two may spell the number out.
            assert set(PLACEHOLDER.findall(string)) <= expected, (message.id, string)
        assert set(PLACEHOLDER.findall(strings[-1])) == expected, (message.id, strings[-1])


def test_compiled_catalogue_is_used(client, edition):
    html = client.get("/ar/").content.decode()
    assert "No stories have been published yet." not in html
    assert "لم يُنشر أي خبر بعد." in html


def test_no_translation_call_hides_inside_an_f_string():
    # Message extraction reads Python tokens; a _("…") inside an f-string is one string token to
    # it, so the message would silently drop out of the catalogues.
    import io
    import tokenize

    offenders = []
    for path in catalogues.ROOT.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            is_f_string = token.type == tokenize.STRING and token.string[:2].lower() in {"f'", 'f"'}
            if is_f_string and re.search(r"\b(_|gettext|ngettext|pgettext)\(", token.string):
                offenders.append(f"{path.name}:{token.start[0]}")
    assert offenders == []


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


# Letters only one of the two languages writes: Persian has ی and ک where Arabic has ي and ك
# (and ى), and پ چ ژ گ that Arabic lacks. A Persian catalogue copied from the Arabic one, or
# typed on an Arabic keyboard, shows them.
ARABIC_ONLY = re.compile("[\u064a\u0643\u0649]")
PERSIAN_ONLY = re.compile("[\u06cc\u06a9\u067e\u0686\u0698\u06af]")
ARABIC_SCRIPT_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")


def test_persian_is_written_in_persian_letters():
    wrong = [
        (m.id, s)
        for m in catalogues.read_catalog("fa")
        if m.id
        for s in _strings(m)
        if ARABIC_ONLY.search(s)
    ]
    assert wrong == []


def test_arabic_is_written_in_arabic_letters():
    wrong = [
        (m.id, s)
        for m in catalogues.read_catalog("ar")
        if m.id
        for s in _strings(m)
        if PERSIAN_ONLY.search(s)
    ]
    assert wrong == []


def test_persian_is_not_a_copy_of_the_arabic():
    arabic = {(m.id, m.context): _strings(m) for m in catalogues.read_catalog("ar") if m.id}
    copied = [
        m.id
        for m in catalogues.read_catalog("fa")
        if m.id
        and _strings(m) == arabic.get((m.id, m.context))
        # A word the two languages share (قبل, بعد, خبر) may be the same; a sentence may not.
        and any(len(s.split()) > 1 and ARABIC_SCRIPT_LETTER.search(s) for s in _strings(m))
    ]
    assert copied == []


def test_english_has_no_arabic_script_its_source_lacks():
    wrong = [
        (m.id, s)
        for m in catalogues.read_catalog("en")
        if m.id
        for s in _strings(m)
        if set(ARABIC_SCRIPT_LETTER.findall(s))
        - set(ARABIC_SCRIPT_LETTER.findall(" ".join(m.id) if isinstance(m.id, tuple) else m.id))
    ]
    assert wrong == []

"""A story in three editions for the translation tests: the Arabic original (the default
edition, from the root conftest's fixtures), and its Persian and English editions with their
sections and linked tags. Plain functions, called by fixtures of each app's tests."""

from khabar.news.models import Edition, Section, Tag
from khabar.news.translations import link_tags

PERSIAN = dict(
    code="fa", name="خبر فارسی", language="fa", locale="fa_IR", numbering_system="arabext",
    direction="rtl", end_marker="/پایان/", time_zone="Asia/Tehran",
    datetime_pattern="y/MM/dd، HH:mm",
)  # fmt: skip
ENGLISH = dict(
    code="en", name="Khabar", language="en", locale="en", numbering_system="latn",
    direction="ltr", end_marker="/End/", time_zone="Asia/Baghdad",
    datetime_pattern="d MMM y, h:mm a",
)  # fmt: skip


def other_editions(arabic_section) -> tuple[Edition, Edition]:
    """The Persian and English editions, each with a section of the Arabic section's slug
    (after one of another slug, so that matching by slug is what finds it)."""
    editions = []
    for fields, names in ((PERSIAN, ["سیاست", "اقتصاد"]), (ENGLISH, ["Politics", "Economy"])):
        edition = Edition.objects.create(**fields)
        Section.objects.create(edition=edition, name=names[0], slug=f"{edition.code}-first",
                               position=1)  # fmt: skip
        Section.objects.create(edition=edition, name=names[1], slug=arabic_section.slug,
                               position=2)  # fmt: skip
        editions.append(edition)
    return editions[0], editions[1]


def linked_tag(arabic: Tag, persian_name: str, english_name: str | None = None) -> list[Tag]:
    """The Arabic tag's counterparts in Persian (and English), linked to it."""
    made = []
    for code, name in (("fa", persian_name), ("en", english_name)):
        if name:
            tag = Tag.objects.create(edition=Edition.objects.get(code=code), name=name)
            link_tags(arabic, tag)
            made.append(tag)
    return made

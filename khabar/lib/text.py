"""Text helpers shared by every app."""

from django.utils.text import slugify

TATWEEL = "\u0640"


def unicode_slug(value: str, max_length: int = 80) -> str:
    """A URL slug that keeps Arabic and Persian letters: `وزارة-الزراعة-تعلن`.

    Django's slugify drops harakat (combining marks) but keeps tatweel, a letter-like stretch
    with no meaning, so it goes first. The slug is cut at a word boundary.
    """
    slug = slugify(value.replace(TATWEEL, ""), allow_unicode=True)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")

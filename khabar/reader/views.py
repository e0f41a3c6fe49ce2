"""Reader pages of an edition. Thin views: queries live in khabar.reader.queries, the set-up
every public page shares in khabar.reader.pages."""

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, QueryDict
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from khabar.lib.dates import localize_digits
from khabar.lib.surrogate import add_keys
from khabar.lib.text import unicode_slug
from khabar.news import surrogate, translations
from khabar.news.models import Article, Author, Edition, Section, Tag
from khabar.reader import meta, queries
from khabar.reader.arrival import edition_for_accept_language
from khabar.reader.pages import absolute_url, edition_page, nav_sections, render_page

_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def _page(request, queryset):
    paginator = Paginator(queryset, settings.KHABAR_PAGE_SIZE)
    raw = request.GET.get("page", "1")
    # ASCII digits only: int() would also take "٢" or "2_0", giving one page several URLs.
    if not _PAGE_NUMBER.fullmatch(raw) or int(raw) > paginator.num_pages:
        raise Http404("No such page")
    return paginator.page(int(raw))


@require_safe
def root(request):
    """The reader's arrival: the edition of their browser's language (reader.arrival), the
    default edition otherwise. Only this answer varies with Accept-Language, and no shared cache
    may keep it: a cache that ignored Vary would send one reader's edition to everyone."""
    editions = Edition.objects.only("code", "language", "is_default")
    edition = edition_for_accept_language(request.headers.get("Accept-Language"), editions)
    if edition is None:
        raise Http404("No edition yet")
    response = _moved(request, edition.get_absolute_url(), permanent=False)
    patch_vary_headers(response, ["Accept-Language"])
    patch_cache_control(response, private=True, max_age=0)
    return response


@require_safe
def short_link(request, code):
    article = translations.short_link_target(code)
    if article is None:
        raise Http404("No such story")
    return _moved(request, article.get_absolute_url(), permanent=False)


@edition_page
def home(request, edition):
    latest, by_section = queries.front_page(edition)
    response = render_page(
        request, edition, "reader/home.html", {"latest": latest, "by_section": by_section}
    )
    shown = latest + [a for _section, articles in by_section for a in articles]
    add_keys(response, [surrogate.front_key(edition.code), *surrogate.story_keys(shown)])
    return response


def _moved(request, url: str, permanent: bool = True):
    """A redirect that keeps the query string (a page number, a campaign's parameters)."""
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url, permanent=permanent)


def _slug_redirect(slug: str):
    """A slug typed with harakat, tatweel or capitals leads to the plain one."""
    plain = unicode_slug(slug, max_length=100)
    return plain if plain and plain != slug else None


@edition_page
def section(request, edition, slug):
    if plain := _slug_redirect(slug):
        return _moved(request, reverse("reader:section", args=[edition.code, plain]))
    section = get_object_or_404(Section, edition=edition, slug=slug)
    page = _page(request, queries.list_articles(edition).filter(section=section))
    response = render_page(
        request, edition, "reader/section.html", {"section": section, "page": page}
    )
    add_keys(response, [surrogate.section_key(section.pk), *surrogate.story_keys(page)])
    return response


@edition_page
def tag(request, edition, slug):
    if plain := _slug_redirect(slug):
        return _moved(request, reverse("reader:tag", args=[edition.code, plain]))
    tag = get_object_or_404(Tag, edition=edition, slug=slug)
    page = _page(request, queries.list_articles(edition).filter(tags=tag))
    if not page.paginator.count:
        # A tag that only drafts or embargoed stories carry is not public yet.
        raise Http404("No published story has this tag")
    response = render_page(request, edition, "reader/tag.html", {"tag": tag, "page": page})
    add_keys(response, [surrogate.tag_key(tag.pk), *surrogate.story_keys(page)])
    return response


@edition_page
def author(request, edition, slug):
    """An author's published stories in this edition, newest first. An author with none here
    (new, or writing for another edition) still has a page that says so: the byline of a
    story about to be published may already link to it."""
    author = Author.objects.filter(slug=slug).first()
    if author is None:
        # Slugs typed in the admin are kept as written; a plain form is tried only on a miss.
        plain = _slug_redirect(slug)
        if plain and Author.objects.filter(slug=plain).exists():
            return _moved(request, reverse("reader:author", args=[edition.code, plain]))
        raise Http404("No such author")
    page = _page(request, queries.author_articles(edition, author))
    response = render_page(request, edition, "reader/author.html", {"author": author, "page": page})
    add_keys(response, [surrogate.author_key(author.pk), *surrogate.story_keys(page)])
    return response


@edition_page
def article(request, edition, code, slug=None):
    article = queries.published_article(edition, code)
    if article is None:
        raise Http404("No such story")
    if slug != article.slug or request.path.endswith("/"):
        return _moved(request, article.get_absolute_url())
    canonical = absolute_url(request, article.get_absolute_url())
    members = translations.group_members(article)
    versions = meta.alternates(article, members, lambda path: absolute_url(request, path))
    context = {
        "article": article,
        "canonical": canonical,
        "json_ld": {
            **meta.article_json_ld(article, canonical),
            **meta.translation_json_ld(article, versions),
        },
        "og_locale": meta.og_locale(edition),
        "versions": versions,
        "x_default": meta.x_default(versions),
    }
    response = render_page(request, edition, "reader/article.html", context)
    # Its translations' keys too, and its group's: publishing or unpublishing one changes
    # this page's links.
    keys = [surrogate.story_key(article.news_code), *surrogate.story_keys(members)]
    if article.translation_group_id:
        keys.append(surrogate.translation_key(article.translation_group_id))
    add_keys(response, keys)
    return response


@edition_page
def corrections(request, edition):
    """Every published update and correction of the edition, newest first."""
    from khabar.news.models import Correction

    entries = (
        Correction.objects.filter(article__in=Article.objects.published().filter(edition=edition))
        .select_related("article__edition")
        .order_by("-created_at", "-id")
    )
    page = _page(request, entries)
    response = render_page(request, edition, "reader/corrections.html", {"page": page})
    # Its own key is the front page's: a story's first correction comes into this list.
    shown = surrogate.story_keys(entry.article for entry in page)
    add_keys(response, [surrogate.front_key(edition.code), *shown])
    return response


def _edition_for_path(path: str):
    prefix = path.strip("/").split("/", 1)[0]
    edition = None
    if re.fullmatch(r"[-a-zA-Z0-9_]{1,10}", prefix):  # an edition code, never raw junk
        edition = Edition.objects.filter(code=prefix).first()
    return edition or Edition.objects.filter(is_default=True).first()


def page_not_found(request, exception=None):
    edition = _edition_for_path(request.path)
    language = edition.language if edition else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"edition": edition}
        if edition:
            context["nav_sections"] = nav_sections(edition)
        return render(request, "reader/404.html", context, status=404)


def permission_denied(request, exception=None):
    edition = _edition_for_path(request.path)
    with translation.override(edition.language if edition else settings.LANGUAGE_CODE):
        return render(request, "reader/403.html", {"edition": edition}, status=403)


def bad_request(request, exception=None):
    """400: a form the site cannot read (a character set other than UTF-8) or larger than
    KHABAR_MAX_REQUEST_MB. In the edition's language, or the admin's (its middleware is active
    here), with the writer's text when it can still be read; the comment script gets JSON and
    keeps the text in its form."""
    prefix = request.path.strip("/").split("/", 1)[0]
    edition = None
    if re.fullmatch(r"[-a-zA-Z0-9_]{1,10}", prefix):
        edition = Edition.objects.filter(code=prefix).first()
    too_big = isinstance(exception, RequestDataTooBig)
    with translation.override(edition.language if edition else translation.get_language()):
        if request.headers.get("X-Requested-With") == "fetch":
            message = (
                _("This is too long to send. Your text is kept: shorten it and send it again.")
                if too_big
                else _("This could not be read by the site. Your text is kept: send it again.")
            )
            return JsonResponse(
                {"ok": False, "message": message, "errors": {}, "too_big": too_big}, status=400
            )
        megabytes = str(settings.KHABAR_MAX_REQUEST_MB)
        if edition:
            megabytes = localize_digits(megabytes, edition.numbering_system)
        context = {
            "edition": edition or Edition.objects.filter(is_default=True).first(),
            "too_big": too_big,
            "megabytes": megabytes,
            "text": "" if too_big else _readable_text(request),
        }
        return render(request, "reader/400.html", context, status=400)


def _readable_text(request) -> str:
    # Only a text field (a comment or a story body), never a password; read as the UTF-8 that
    # browsers send whatever the header said.
    try:
        return QueryDict(request.body, encoding="utf-8").get("body", "")
    except (RawPostDataException, RequestDataTooBig):
        return ""


def server_error(request):
    """500 in the language of the edition the address names. No database here (the error may
    be the database itself): the edition as this process last read it, else a prefix that is
    a language of the site (/fa/…), else the site's language."""
    prefix = request.path.strip("/").split("/", 1)[0]
    edition = queries.kept_edition(prefix)
    if edition is not None:
        language, home = edition.language, f"/{edition.code}/"
    elif prefix in dict(settings.LANGUAGES):
        language, home = prefix, f"/{prefix}/"
    else:
        language, home = settings.LANGUAGE_CODE, "/"
    with translation.override(language):
        context = {
            "language": language,
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
            "home": home,
        }
        return render(request, "reader/500.html", context, status=500)

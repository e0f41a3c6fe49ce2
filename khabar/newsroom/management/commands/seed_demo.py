"""Create the Arabic, Persian and English editions with their sections, authors, tags and the
demo stories in news/demo/, and link each Persian or English translation to its Arabic original.

It spans every app (stories, comments, the newsroom's roles), so it lives with the top floor.

Idempotent: a second run finds every story by its edition and headline and leaves codes and
times alone.
"""

from datetime import datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from khabar.lib.text import unicode_slug
from khabar.news import actions
from khabar.news.demo import load_edition_stories
from khabar.news.models import Article, Author, Edition, Section, Tag
from khabar.news.translations import link_translation

ARABIC_EDITION = {
    "code": "ar",
    "name": "خبر",
    "tagline": "وكالة أنباء — النسخة العربية",
    "language": "ar",
    "locale": "ar_IQ",
    "numbering_system": "arab",
    "direction": "rtl",
    "end_marker": "/انتهى/",
    "time_zone": "Asia/Baghdad",
    "datetime_pattern": "dd/MM/y، h:mm a",
    "is_default": True,
}

# Year first, numbers only, 24-hour clock: how Persian agencies print a date line
# (۱۴۰۵/۰۹/۱۲، ۱۴:۰۵), in the Solar Hijri calendar Iranian readers live by.
PERSIAN_EDITION = {
    "code": "fa",
    "name": "خبر فارسی",
    "tagline": "خبرگزاری خبر — سرویس فارسی",
    "language": "fa",
    "locale": "fa_IR",
    "numbering_system": "arabext",
    "direction": "rtl",
    "end_marker": "/پایان/",
    "time_zone": "Asia/Tehran",
    "datetime_pattern": "y/MM/dd، HH:mm",
    "calendar": "persian",
    "is_default": False,
}

# Day, month written out, year: unambiguous for readers on both sides of the Atlantic (03/12
# is not), with the 24-hour clock agencies' English wires use. The desk is in Baghdad.
ENGLISH_EDITION = {
    "code": "en",
    "name": "Khabar",
    "tagline": "News agency — English service",
    "language": "en",
    "locale": "en_GB",
    "numbering_system": "latn",
    "direction": "ltr",
    "end_marker": "/End/",
    "time_zone": "Asia/Baghdad",
    "datetime_pattern": "d MMMM y, HH:mm",
    "is_default": False,
}

# The same six sections in every edition, keyed alike so that a translation lands in the
# section of its original.
SECTIONS = [
    ("politics", "سياسة", "أخبار الحكومة والبرلمان والمجالس المحلية."),
    ("economy", "اقتصاد", "الأسواق والنفط والتجارة والاستثمار."),
    ("health", "صحة", "المستشفيات والوقاية والبحوث الطبية."),
    ("sports", "رياضة", "الدوريات والمنتخبات والبطولات."),
    ("culture", "ثقافة وفن", "الكتب والسينما والتراث والفنون."),
    ("science", "علوم وتقنية", "البحث العلمي والفضاء والتقنيات الحديثة."),
]
PERSIAN_SECTIONS = [
    ("politics", "سیاست", "خبرهای دولت، پارلمان و شوراهای محلی."),
    ("economy", "اقتصاد", "بازار، نفت، تجارت و سرمایه‌گذاری."),
    ("health", "سلامت", "بیمارستان‌ها، پیشگیری و پژوهش‌های پزشکی."),
    ("sports", "ورزش", "لیگ‌ها، تیم‌های ملی و مسابقات."),
    ("culture", "فرهنگ و هنر", "کتاب، سینما، میراث و هنرها."),
    ("science", "علم و فناوری", "پژوهش علمی، فضا و فناوری‌های نو."),
]
ENGLISH_SECTIONS = [
    ("politics", "Politics", "Government, parliament and local councils."),
    ("economy", "Economy", "Markets, oil, trade and investment."),
    ("health", "Health", "Hospitals, prevention and medical research."),
    ("sports", "Sport", "Leagues, national teams and championships."),
    ("culture", "Culture", "Books, film, heritage and the arts."),
    ("science", "Science and Technology", "Research, space and new technology."),
]

AUTHORS = [
    ("nour", "نور الهدى سالم"),
    ("karim", "كريم عبد الجبار"),
    ("layla", "ليلى حسن"),
    ("sami", "سامي الربيعي"),
    ("huda", "هدى كاظم"),
    ("desk", "قسم الأخبار"),
]
# Author slugs are unique across the site, hence the edition in the desks' slugs.
PERSIAN_AUTHORS = [
    ("maryam-rezaei", "مریم رضایی"),
    ("reza-karimi", "رضا کریمی"),
    ("sara-mohammadi", "سارا محمدی"),
    ("ali-hosseini", "علی حسینی"),
    ("fa-desk", "سرویس فارسی خبر"),
]
ENGLISH_AUTHORS = [
    ("hannah-clarke", "Hannah Clarke"),
    ("omar-haddad", "Omar Haddad"),
    ("daniel-reeves", "Daniel Reeves"),
    ("amira-saleh", "Amira Saleh"),
    ("en-desk", "Khabar English desk"),
]

# In this order; the Arabic edition comes first because the others translate from it.
EDITIONS = [
    (ARABIC_EDITION, SECTIONS, AUTHORS),
    (PERSIAN_EDITION, PERSIAN_SECTIONS, PERSIAN_AUTHORS),
    (ENGLISH_EDITION, ENGLISH_SECTIONS, ENGLISH_AUTHORS),
]


def body_html(blocks: list[str]) -> str:
    """The demo files write a body as blocks: "## " starts a subheading, "> " a quotation."""
    html = []
    for block in blocks:
        if block.startswith("## "):
            html.append(f"<h2>{escape(block[3:].strip())}</h2>")
        elif block.startswith("> "):
            html.append(f"<blockquote><p>{escape(block[2:].strip())}</p></blockquote>")
        else:
            html.append(f"<p>{escape(block.strip())}</p>")
    return "".join(html)


def publication_time(story: dict, now: datetime, zone: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in story["time"].split(":"))
    day = now.astimezone(zone).date() - timedelta(days=story["days_ago"])
    moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
    # A story "from today" at an hour still to come was published yesterday at that hour.
    return moment - timedelta(days=1) if moment > now else moment


class Command(BaseCommand):
    help = "Create the Arabic, Persian and English editions and their demo stories (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, change nothing"
        )
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="create or reset the accounts 'editor' and 'moderator' with new random "
            "passwords and print them (for a local demo only: never on a public site)",
        )

    def handle(self, *args, dry_run, demo_users, **options):
        with transaction.atomic():
            created, linked = self.seed()
            comments = seed_comments()
            passwords = reset_demo_users() if demo_users else {}
            if dry_run:
                transaction.set_rollback(True)
        verb = "would create" if dry_run else "created"
        total = sum(created.values())
        self.stdout.write(f"Demo content: {verb} {total} stories and {comments} comments.")
        per_edition = ", ".join(f"{code} {count}" for code, count in created.items())
        self.stdout.write(f"Stories per edition: {per_edition}; translations linked: {linked}.")
        for username, password in passwords.items():
            self.stdout.write(f"Demo account: {username} / {password}")

    def seed(self) -> tuple[dict[str, int], int]:
        """Add what is missing; the count of new stories per edition, and of links made."""
        now = timezone.now()
        planned: list[tuple[datetime, int, Edition, dict]] = []
        places: dict[str, tuple[dict, dict]] = {}
        originals: dict[str, datetime] = {}
        for order, (config, section_rows, author_rows) in enumerate(EDITIONS):
            edition = set_up_edition(config)
            places[edition.code] = set_up_places(edition, section_rows, author_rows)
            zone = ZoneInfo(edition.time_zone)
            published = dict(
                Article.objects.filter(edition=edition).values_list("headline", "published_at")
            )
            for story in load_edition_stories(edition.code):
                if "translation_of" in story:
                    # After its original, as a desk translates what has gone out; never later
                    # than now, so a fresh demo shows it at once.
                    moment = min(
                        originals[story["translation_of"]]
                        + timedelta(minutes=story["after_minutes"]),
                        now,
                    )
                else:
                    moment = publication_time(story, now, zone)
                if story["headline"] in published:
                    moment = published[story["headline"]] or moment
                else:
                    planned.append((moment, order, edition, story))
                if edition.code == ARABIC_EDITION["code"]:
                    originals[story["key"]] = moment
        # Oldest first, so that news codes rise with publication time as they would have.
        planned.sort(key=lambda plan: plan[:2])
        tags: dict[tuple[str, str], Tag] = {}
        created: dict[str, Article] = {}
        pairs = []
        for moment, _order, edition, story in planned:
            sections, authors = places[edition.code]
            article = Article.objects.create(
                edition=edition,
                section=sections[story["section"]],
                headline=story["headline"],
                lead=story["lead"],
                body=body_html(story["body"]),
                source=story["source"],
            )
            for name in story["tags"]:
                if (edition.code, name) not in tags:
                    tags[edition.code, name], _ = Tag.objects.get_or_create(
                        edition=edition, name=name
                    )
            article.tags.set([tags[edition.code, name] for name in story["tags"]])
            article.authors.set([authors[story["author"]]])
            actions.do_publish(article, at=moment)
            if edition.code == ARABIC_EDITION["code"]:
                created[story["key"]] = article
            elif "translation_of" in story:
                original = created.get(story["translation_of"]) or arabic_story(
                    story["translation_of"]
                )
                if original is not None:
                    pairs.append((original, article))
        counts = {config["code"]: 0 for config, _sections, _authors in EDITIONS}
        for _moment, _order, edition, _story in planned:
            counts[edition.code] += 1
        return counts, link_demo_translations(pairs)


def set_up_edition(config: dict) -> Edition:
    fields = {key: value for key, value in config.items() if key != "code"}
    return Edition.objects.get_or_create(code=config["code"], defaults=fields)[0]


def set_up_places(edition: Edition, section_rows, author_rows) -> tuple[dict, dict]:
    """The edition's sections and authors, by their keys in the demo files."""
    sections = {}
    for position, (key, name, description) in enumerate(section_rows):
        sections[key], _ = Section.objects.get_or_create(
            edition=edition,
            slug=unicode_slug(name),
            defaults={"name": name, "description": description, "position": position},
        )
    authors = {
        key: Author.objects.get_or_create(slug=key, defaults={"name": name})[0]
        for key, name in author_rows
    }
    return sections, authors


def arabic_story(key: str) -> Article | None:
    """The Arabic original of a translation added on a later run, found by its headline."""
    for story in load_edition_stories(ARABIC_EDITION["code"]):
        if story["key"] == key:
            return Article.objects.filter(
                edition__code=ARABIC_EDITION["code"], headline=story["headline"]
            ).first()
    return None


def link_demo_translations(pairs: list[tuple[Article, Article]]) -> int:
    """Link each (Arabic original, translation) pair made in this run into one translation group."""
    for original, translation in pairs:
        link_translation(original, translation)
    return len(pairs)


DEMO_COMMENTS = [
    # (name, text, replies as (name, text)), approved; the last ones wait for a moderator.
    ("أبو علي", "خبر مهم، نتمنى أن تُنفذ الخطة في موعدها هذه المرة.", [
        ("سارة", "أتفق معك، المهم المتابعة بعد الإعلان."),
        ("مهندس مدني", "التنفيذ يحتاج تمويلًا واضحًا."),
    ]),
    ("Reader from Erbil", "Good to see this covered in detail. Thank you.", []),
    ("مريم", "هل هناك موعد محدد للمرحلة الثانية؟", [
        ("قسم الأخبار", "سننشر التفاصيل حين تعلنها الجهة المعنية."),
    ]),
]  # fmt: skip
PENDING_COMMENTS = [
    ("زائر", "أرجو نشر رابط الوثيقة الرسمية إن أمكن."),
    ("ناقد", "التغطية جيدة لكن العنوان مبالغ فيه قليلًا."),
]


def _comment(article, name, body, parent=None):
    from khabar.comments.models import Comment

    comment = Comment.objects.create(
        article=article, parent=parent, name=name, body=body,
        depth=parent.depth + 1 if parent else 0, root_id=parent.root_id if parent else None,
        held_reason="demo",
    )  # fmt: skip
    comment.place_in_thread()
    return comment


def seed_comments() -> int:
    """A few threads on the newest stories, and two comments in the moderation queue."""
    from khabar.comments import actions as comment_actions
    from khabar.comments.models import Comment

    if Comment.objects.exists():
        return 0
    # Arabic threads on Arabic stories: the other editions' newest stories get none.
    articles = list(
        Article.objects.published()
        .filter(edition__code=ARABIC_EDITION["code"])
        .order_by("-published_at")[:3]
    )
    count = 0
    for article in articles:
        for name, text, replies in DEMO_COMMENTS:
            top = _comment(article, name, text)
            comment_actions.do_approve(top, None)
            count += 1
            for reply_name, reply_text in replies:
                comment_actions.do_approve(_comment(article, reply_name, reply_text, top), None)
                count += 1
    if articles:
        for name, text in PENDING_COMMENTS:
            _comment(articles[0], name, text)
            count += 1
    return count


def reset_demo_users() -> dict[str, str]:
    """A reporter, an editor and a moderator, each in their role's group, with fresh random
    passwords. For a local demo only."""
    import secrets

    from django.contrib.auth.models import Group, User

    from khabar.newsroom.roles import EDITORS, MODERATORS, REPORTERS

    passwords = {}
    people = [
        ("reporter", REPORTERS, "رنا", "الصحفية"),
        ("editor", EDITORS, "عمر", "المحرر"),
        ("moderator", MODERATORS, "هالة", "المشرفة"),
    ]
    for username, group, first, last in people:
        user, _ = User.objects.get_or_create(username=username)
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.first_name, user.last_name = first, last
        user.is_staff = user.is_superuser = False  # the admin is for administrators
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        passwords[username] = password
    return passwords

"""Create the Arabic edition with sections, authors, tags and the demo stories in news/demo/.

It spans every app (stories, comments, the newsroom's roles), so it lives with the top floor.

Idempotent: a second run finds every story by its headline and leaves codes and times alone.
"""

from datetime import datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from khabar.lib.text import unicode_slug
from khabar.news import actions
from khabar.news.demo import load_stories
from khabar.news.models import Article, Author, Edition, Section, Tag

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

SECTIONS = [
    ("politics", "سياسة", "أخبار الحكومة والبرلمان والمجالس المحلية."),
    ("economy", "اقتصاد", "الأسواق والنفط والتجارة والاستثمار."),
    ("health", "صحة", "المستشفيات والوقاية والبحوث الطبية."),
    ("sports", "رياضة", "الدوريات والمنتخبات والبطولات."),
    ("culture", "ثقافة وفن", "الكتب والسينما والتراث والفنون."),
    ("science", "علوم وتقنية", "البحث العلمي والفضاء والتقنيات الحديثة."),
]

AUTHORS = [
    ("nour", "نور الهدى سالم"),
    ("karim", "كريم عبد الجبار"),
    ("layla", "ليلى حسن"),
    ("sami", "سامي الربيعي"),
    ("huda", "هدى كاظم"),
    ("desk", "قسم الأخبار"),
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
    help = "Create the Arabic edition and its demo stories (idempotent)."

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
            created = self.seed()
            comments = seed_comments()
            passwords = reset_demo_users() if demo_users else {}
            if dry_run:
                transaction.set_rollback(True)
        verb = "would create" if dry_run else "created"
        self.stdout.write(f"Demo content: {verb} {created} stories and {comments} comments.")
        for username, password in passwords.items():
            self.stdout.write(f"Demo account: {username} / {password}")

    def seed(self) -> int:
        fields = {k: v for k, v in ARABIC_EDITION.items() if k != "code"}
        edition, _ = Edition.objects.get_or_create(code=ARABIC_EDITION["code"], defaults=fields)
        sections = {}
        for position, (key, name, description) in enumerate(SECTIONS):
            sections[key], _ = Section.objects.get_or_create(
                edition=edition,
                slug=unicode_slug(name),
                defaults={"name": name, "description": description, "position": position},
            )
        authors = {
            key: Author.objects.get_or_create(slug=key, defaults={"name": name})[0]
            for key, name in AUTHORS
        }
        zone = ZoneInfo(edition.time_zone)
        now = timezone.now()
        existing = set(Article.objects.filter(edition=edition).values_list("headline", flat=True))
        stories = [s for s in load_stories() if s["headline"] not in existing]
        # Oldest first, so that news codes rise with publication time as they would have.
        stories.sort(key=lambda s: publication_time(s, now, zone))
        tags: dict[str, Tag] = {}
        for story in stories:
            article = Article.objects.create(
                edition=edition,
                section=sections[story["section"]],
                headline=story["headline"],
                lead=story["lead"],
                body=body_html(story["body"]),
                source=story["source"],
            )
            for name in story["tags"]:
                if name not in tags:
                    tags[name], _ = Tag.objects.get_or_create(edition=edition, name=name)
            article.tags.set([tags[name] for name in story["tags"]])
            article.authors.set([authors[story["author"]]])
            actions.do_publish(article, at=publication_time(story, now, zone))
        return len(stories)


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
    articles = list(Article.objects.published().order_by("-published_at")[:3])
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

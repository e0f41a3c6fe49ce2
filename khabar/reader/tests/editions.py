"""Three editions with something on every reader page, for the browser tests: Arabic (Arabic
digits, right to left), Persian (Persian digits, right to left) and English (left to right).

Each has a row of sections long enough to fill a phone's width (the Arabic one has «علوم
وتقنية», the longest name our desks use), a tag, a published story with two approved comments
and a correction, so that the front, section, tag, article, search, comments, corrections and
404 pages all show what readers see."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from khabar.comments.models import Comment
from khabar.lib.text import unicode_slug
from khabar.news import actions
from khabar.news.models import Article, Author, Correction, Edition, Section, Tag

BAGHDAD = ZoneInfo("Asia/Baghdad")
TEHRAN = ZoneInfo("Asia/Tehran")

EDITIONS = {
    "ar": {
        "edition": dict(name="خبر", tagline="وكالة أنباء", language="ar", locale="ar_IQ",
                        numbering_system="arab", direction="rtl", end_marker="/انتهى/",
                        time_zone="Asia/Baghdad", is_default=True),
        "sections": ["سياسة", "اقتصاد", "علوم وتقنية", "رياضة", "ثقافة وفنون", "محليات"],
        "tag": "الطاقة الشمسية",
        "long_tag": "تأهيل شبكات المياه والصرف الصحي في الأحياء القديمة من مدينة البصرة",
        "headline": "جامعة البصرة تفتتح مختبراً للطاقة الشمسية على سطح كلية الهندسة",
        "lead": "المختبر يقيس أداء الألواح في حرّ الصيف ويتيح للطلبة تجارب على أنظمة التخزين.",
        "body": "<p>افتتحت جامعة البصرة صباح اليوم مختبراً جديداً للطاقة الشمسية.</p>"
                "<p>وقال عميد الكلية إن المختبر سيخدم طلبة الدراسات العليا أولاً.</p>",
        "query": "مختبر",
        "author": "نور الهدى عبد الكريم",
        "comments": [("أم حسن", "خطوة جميلة، نتمنى أن تعمّ المدارس أيضاً."),
                     ("سامر", "هل يمكن لطلبة الكليات الأخرى زيارة المختبر؟")],
        "correction": "صُحّح اسم الكلية في الفقرة الثانية.",
    },
    "fa": {
        "edition": dict(name="خبر فارسی", tagline="خبرگزاری", language="fa", locale="fa_IR",
                        numbering_system="arabext", direction="rtl", end_marker="/پایان/",
                        time_zone="Asia/Tehran", datetime_pattern="y/MM/dd، HH:mm"),
        "sections": ["سیاست", "اقتصاد", "علم و فناوری", "ورزش", "فرهنگ و هنر", "استان‌ها"],
        "tag": "انرژی خورشیدی",
        "long_tag": "بازسازی شبکه‌های آب و فاضلاب در محله‌های قدیمی شهر شیراز",
        "headline": "دانشگاه شیراز آزمایشگاه انرژی خورشیدی تازه‌ای روی بام دانشکده گشود",
        "lead": "این آزمایشگاه کارایی صفحه‌ها را در گرمای تابستان اندازه می‌گیرد.",
        "body": "<p>دانشگاه شیراز امروز آزمایشگاه تازه‌ای برای انرژی خورشیدی گشود.</p>"
                "<p>رئیس دانشکده گفت دانشجویان کارشناسی ارشد نخستین کاربران آن خواهند بود.</p>",
        "query": "آزمایشگاه",
        "author": "مریم رضایی",
        "comments": [("مریم", "خبر خوبی است، امیدوارم مدرسه‌ها هم بهره ببرند."),
                     ("رضا", "آیا بازدید برای دانشجویان دیگر آزاد است؟")],
        "correction": "نام دانشکده در بند دوم درست شد.",
    },
    "en": {
        "edition": dict(name="Khabar", tagline="A news agency", language="en", locale="en",
                        numbering_system="latn", direction="ltr", end_marker="/End/",
                        time_zone="Asia/Baghdad", datetime_pattern="d MMM y, h:mm a"),
        "sections": ["Politics", "Economy", "Science and Technology", "Sport", "Culture", "Local"],
        "tag": "Solar power",
        "long_tag": "Rebuilding the water and sewage networks of the old quarters of Basra",
        "headline": "Basra University opens a solar energy laboratory on its engineering roof",
        "lead": "The laboratory measures how panels perform in the summer heat.",
        "body": "<p>Basra University opened a new solar energy laboratory this morning.</p>"
                "<p>The dean said graduate students would use it first.</p>",
        "query": "laboratory",
        "author": "Layla Hassan",
        "comments": [("Huda", "Good news. I hope schools get one too."),
                     ("Sami", "Can students from other colleges visit the laboratory?")],
        "correction": "The college's name was corrected in the second paragraph.",
    },
}  # fmt: skip


@dataclass
class Built:
    edition: Edition
    section: Section
    tag: Tag
    article: Article
    query: str
    author: Author

    def pages(self) -> dict[str, str]:
        """Every reader page type of the edition, by name: the path to open."""
        code = self.edition.code
        return {
            "front": f"/{code}/",
            "section": self.section.get_absolute_url(),
            "tag": self.tag.get_absolute_url(),
            "article": self.article.get_absolute_url(),
            "author": f"/{code}/author/{self.author.slug}/",
            "search": f"/{code}/search/?q={self.query}",
            "comments": f"/{code}/comments/{self.article.news_code}",
            "corrections": f"/{code}/corrections/",
            "404": f"/{code}/news/999999/no-such-story",
        }


def _approved_comment(article, name, body):
    comment = Comment.objects.create(
        article=article, name=name, body=body, status=Comment.Status.APPROVED
    )
    comment.place_in_thread()
    return comment


def build(code: str) -> Built:
    spec = EDITIONS[code]
    edition = Edition.objects.create(code=code, **spec["edition"])
    sections = [
        Section.objects.create(edition=edition, name=name, slug=unicode_slug(name, max_length=100),
                               position=position)
        for position, name in enumerate(spec["sections"], start=1)
    ]  # fmt: skip
    # The story sits in the longest-named section: its page is the one most likely to overflow.
    section = sections[2]
    tag = Tag.objects.create(edition=edition, name=spec["tag"])
    article = Article.objects.create(
        edition=edition, section=section, headline=spec["headline"], lead=spec["lead"],
        body=spec["body"], source=spec["edition"]["name"],
    )  # fmt: skip
    # A long tag name widens the search page's tag list: it must still fit a phone.
    article.tags.set([tag, Tag.objects.create(edition=edition, name=spec["long_tag"])])
    actions.do_publish(article, at=datetime(2024, 1, 26, 21, 27, tzinfo=BAGHDAD))
    for name, body in spec["comments"]:
        _approved_comment(article, name, body)
    Article.objects.filter(pk=article.pk).update(comment_count=len(spec["comments"]))
    Correction.objects.create(
        article=article, kind=Correction.Kind.CORRECTION, note=spec["correction"], version=2
    )
    # A byline: the article links to the author's page, which lists the story.
    author = Author.objects.create(name=spec["author"], slug=f"{code}-writer")
    article.authors.set([author])
    return Built(edition, section, tag, article, spec["query"], author)


def build_all() -> dict[str, Built]:
    return {code: build(code) for code in EDITIONS}

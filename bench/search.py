"""Search at scale: index build time and size, and the latency of reader queries.

Synthetic Arabic stories; a fixed mix of reader queries through khabar.search.service.search().

    .venv/bin/python bench/search.py                              # 100,000 stories, both DBs
    .venv/bin/python bench/search.py --sizes 100000 1000000 --database sqlite --queries 20
    .venv/bin/python bench/search.py --sizes 1000000 --keep       # keep the databases, reuse

Each database and size runs in a fresh child process on a scratch database: a temporary SQLite
file, or a `khabar_bench_search_<size>` PostgreSQL database dropped afterwards. With --keep the
SQLite file stays under var/bench/search-<size>/ and the PostgreSQL database is left in place;
a later run with --keep reuses their stories and index (--reindex rebuilds the index).
--copies N generates and indexes size/N stories and copies them (and their index entries) N
times in SQL: for latency at a million stories when an honest build would take hours; the build
time printed is then that of size/N stories. The
stories come from a seeded generator over a vocabulary written below, so every run produces the
same corpus. The index is built by the `reindex` command, as in production. Target: p95 <= 30
ms at 1,000,000 stories on both databases.
"""

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "KHABAR_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/khabar_bench_search"
)
KEEP_DIR = ROOT / "var" / "bench"
CHUNK = 5_000


def split(text: str) -> list[str]:
    return text.split()


# --- The vocabulary -------------------------------------------------------------------------
# Stems of news Arabic, roughly from the most to the least frequent; word forms are made from
# them with the real prefixes and suffixes. Frequencies follow Zipf's law over this order.
STEMS = split("""
حكومة وزير رئيس مجلس وزارة محافظة مدينة مشروع قرار اجتماع مواطن اقتصاد سوق نفط سعر أمن
شركة قانون برلمان انتخاب خدمة مسؤول مدير منطقة عامل موظف طالب مدرسة جامعة مستشفى صحة ماء
كهرباء طريق جسر مطار ميناء تجارة استثمار موازنة ضريبة راتب دولار دينار مصرف تصدير استيراد
إنتاج غاز ذهب حزب سياسة دستور نائب لجنة هيئة منظمة سفير سفارة وفد زيارة بيان تصريح مؤتمر
اتفاق حوار تحالف معارضة محكمة قاضي دعوى متهم جريمة تحقيق شرطة جيش قوة عملية هجوم انفجار
حادث حريق ضحية مصاب حدود نازح لاجئ سكان عائلة طفل معلم تعليم طبيب مريض دواء لقاح وباء محطة
شبكة سكن شقة إيجار قرية حي بلدية زراعة مزارع قمح محصول نخيل تمر نهر سد بحر مطر حرارة جفاف
فيضان عاصفة غبار تلوث بيئة طقس مباراة فريق منتخب لاعب مدرب بطولة دوري كأس هدف ملعب نادي
جمهور مهرجان فيلم كتاب معرض شاعر رواية متحف تراث آثار فن موسيقى مسرح إنترنت هاتف تطبيق منصة
موقع بيانات حاسوب تقنية مصنع عقد مناقصة قرض دين بطالة تضخم نمو أسعار ارتفاع انخفاض أزمة خطة
برنامج إصلاح تنمية دعم مساعدة منحة تمويل رقابة فساد نزاهة شفافية مراجعة تقرير دراسة إحصاء
استطلاع نتيجة مرحلة موسم عام شهر أسبوع يوم ساعة دقيقة مساء صباح ليلة عيد رمضان حج زائر سائح
سياحة فندق مطعم قطار سكة حافلة سيارة شاحنة وقود بنزين طاقة شمس رياح مولد خط أنبوب بئر حقل
مصفاة صادرات واردات جمارك معبر منفذ تأشيرة جواز هجرة مغترب جالية سجن عقوبة غرامة حكم استئناف
تمييز محامي شاهد قضية ملف وثيقة أرشيف صحيفة قناة إذاعة مراسل صحفي إعلام حرية رأي احتجاج
تظاهرة إضراب نقابة اتحاد جمعية تطوع إغاثة مخيم خيمة غذاء طحين سلة حصة بطاقة تموين مخزن
مستودع صومعة شعير رز طماطم فاكهة خضار لحم دجاج سمك ثروة حيوان بيطري غابة حديقة شجرة وردة
قلعة مسجد كنيسة ضريح مزار جسر طابق بناء إعمار هدم ترميم تأهيل صيانة تشغيل افتتاح تدشين
توقيع تسليم استلام تعيين إقالة استقالة ترشيح تصويت فرز مقعد كتلة ائتلاف أغلبية مفوضية ناخب
دائرة قائمة مرشح حملة شعار
""")
RARE_STEMS = split("زلزال بركان كسوف مخطوطة قنصلية غواصة مذنب طاحونة ناعور قيثارة مسبار مرصد")
STEMS += RARE_STEMS

# Collocations that newspapers use as one unit, so that quoted phrases find something.
PHRASES = """مجلس النواب|رئيس الوزراء|وزارة الصحة|أسعار النفط|البنك المركزي|الأمم المتحدة|
كأس العالم|إقليم كردستان|مجلس الوزراء|وزارة التربية|الموارد المائية|هيئة النزاهة|
المفوضية العليا|محطة الكهرباء|سوق الأوراق المالية""".replace("\n", "").split("|")

PLACES = split("""
بغداد البصرة الموصل أربيل النجف كربلاء كركوك الناصرية الحلة الرمادي السليمانية دهوك
العمارة الكوت السماوة الديوانية بعقوبة تكريت الفلوجة سامراء الزبير القرنة الأردن سوريا لبنان
تركيا إيران مصر الكويت السعودية قطر عمان الإمارات البحرين اليمن تونس الجزائر المغرب""")

FIRST_NAMES = split("محمد علي حسين أحمد عمر حسن كريم سعد خالد زينب فاطمة مريم سارة نور هدى")
FAMILY_NAMES = split("الربيعي الساعدي العبيدي الجبوري التميمي الموسوي الحسيني الخفاجي الدليمي")

# Stop words: the analyzer drops them, but they make up a quarter of real text.
FUNCTION_WORDS = split(
    "في من على إلى عن مع أن أو ثم قد لا ما هذا هذه التي الذي بعد قبل عند حتى منذ كل"
)

SECTIONS = [("سياسة", 30), ("اقتصاد", 20), ("محليات", 20), ("رياضة", 12), ("ثقافة", 8),
            ("صحة", 5), ("تقنية", 5)]  # fmt: skip

DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def forms(stem: str) -> list[tuple[str, float]]:
    """Word forms of a stem with their share of its uses: the definite form most, then the
    bare one, the prefixed ones (و ف ب ل ال وال بال) and the suffixed ones (ات ون ين ة ها)."""
    base = stem[:-1] if stem.endswith("ة") else stem
    out = [("ال" + stem, 1.0), (stem, 0.6), ("وال" + stem, 0.25), ("بال" + stem, 0.15),
           ("لل" + stem, 0.1), ("و" + stem, 0.08), ("ب" + stem, 0.06), ("ل" + stem, 0.05),
           ("ف" + stem, 0.02), ("ال" + base + "ات", 0.3), (base + "ات", 0.15),
           ("وال" + base + "ات", 0.05),
           (base + ("ت" if base != stem else "") + "ها", 0.05)]  # fmt: skip
    if not stem.endswith("ة"):
        out += [("ال" + stem + "ون", 0.03), ("ال" + stem + "ين", 0.03), (stem + "ة", 0.04),
                ("ال" + stem + "ة", 0.05)]  # fmt: skip
    return out


# The long tail: words made the Arabic way, a three-letter root poured into a pattern
# (فاعل, مفعول, تفعيل, …), from roots drawn once with a fixed seed. Real text has tens of
# thousands of such rarer words; without them every word would be in most stories.
LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهي"
PATTERNS = ["{0}ا{1}{2}", "م{0}{1}و{2}", "ت{0}{1}ي{2}", "{0}{1}ا{2}", "{0}{1}ي{2}", "م{0}{1}{2}",
            "ال{0}ا{1}{2}", "ال{0}{1}ا{2}ات", "م{0}{1}{2}ة", "است{0}{1}ا{2}"]  # fmt: skip
TAIL_ROOTS = 3_000


def vocabulary() -> tuple[list[str], list[float]]:
    """Every word form and unit (phrase, name, place, number) with its cumulative weight:
    about 55% of words from the written stems, 30% from the tail, the rest names, places and
    numbers."""
    weighted: dict[str, float] = {}

    def add(unit: str, weight: float) -> None:
        weighted[unit] = weighted.get(unit, 0.0) + weight

    common, rare = STEMS[: -len(RARE_STEMS)], RARE_STEMS
    norm = sum(1 / (rank + 20) ** 1.1 for rank in range(len(common)))
    for rank, stem in enumerate(common):
        shares = forms(stem)
        total = sum(share for _f, share in shares)
        for form, share in shares:
            add(form, 0.55 * share / total / (rank + 20) ** 1.1 / norm)
    for rank, stem in enumerate(rare):  # each in about one story in a few thousand
        for form, share in forms(stem):
            add(form, 2e-6 * share / (rank + 1))
    rng = random.Random(1)
    roots = {"".join(rng.sample(LETTERS, 3)) for _ in range(TAIL_ROOTS)}
    tail = [p.format(*root) for root in sorted(roots) for p in PATTERNS]
    rng.shuffle(tail)
    norm = sum(1 / (rank + 100) for rank in range(len(tail)))
    for rank, word in enumerate(tail):
        add(word, 0.30 / (rank + 100) / norm)
    for rank, phrase in enumerate(PHRASES):
        add(phrase, 0.005 / (rank + 2))
    for rank, place in enumerate(PLACES):
        add(place, 0.012 / (rank + 3))
    for i, first in enumerate(FIRST_NAMES):
        for j, family in enumerate(FAMILY_NAMES):
            add(f"{first} {family}", 0.0005 / (i + j + 2))
    for n in range(1, 500):
        add(str(n).translate(DIGITS), 0.003 / n)
    for year in range(2015, 2027):
        add(str(year).translate(DIGITS), 0.001)
    units = list(weighted)
    cumulative, total = [], 0.0
    for unit in units:
        total += weighted[unit]
        cumulative.append(total)
    return units, cumulative


class Generator:
    """Stories from the vocabulary: each has a few topic words that it repeats (real stories
    stay on a subject), drawn like the rest by frequency."""

    def __init__(self, seed: int = 2024):
        self.rng = random.Random(seed)
        self.units, self.cumulative = vocabulary()

    def _words(self, count: int, topic: list[str]) -> list[str]:
        rng = self.rng
        drawn = rng.choices(self.units, cum_weights=self.cumulative, k=count)
        out = []
        for word in drawn:
            r = rng.random()
            if r < 0.22:
                out.append(rng.choice(FUNCTION_WORDS))
            out.append(rng.choice(topic) if r > 0.7 else word)
        return out

    def _sentences(self, count: int, topic: list[str]) -> str:
        words = self._words(count, topic)
        out, i = [], 0
        while i < len(words):
            n = self.rng.randint(8, 18)
            out.append(" ".join(words[i : i + n]) + ".")
            i += n
        return " ".join(out)

    def story(self) -> tuple[str, str, str]:
        rng = self.rng
        topic = rng.choices(self.units, cum_weights=self.cumulative, k=5)
        headline = " ".join(
            rng.choice(topic) if rng.random() < 0.5 else w
            for w in rng.choices(self.units, cum_weights=self.cumulative, k=rng.randint(6, 9))
        )
        lead = self._sentences(rng.randint(16, 24), topic)
        total = rng.randint(120, 200)  # content words; with function words 150-250 in all
        paragraphs = rng.randint(3, 5)
        body = "".join(
            f"<p>{self._sentences(total // paragraphs, topic)}</p>" for _ in range(paragraphs)
        )
        return headline, lead, body


# --- Seeding --------------------------------------------------------------------------------


def seed(total: int, spacing: int = 1):
    """`total` stories in one Arabic edition over three years, inserted in chunks; 1% are
    drafts, which search must not find. Ids are `spacing` apart, to leave room for copies."""
    from django.conf import settings

    from khabar.news.models import Article, Edition, NewsCodeCounter, Section

    edition = Edition.objects.create(code="ar", name="خبر", language="ar", locale="ar_IQ",
                                     numbering_system="arab", is_default=True)  # fmt: skip
    sections = [Section.objects.create(edition=edition, name=name, slug=name, position=i)
                for i, (name, _w) in enumerate(SECTIONS)]  # fmt: skip
    section_weights = [w for _n, w in SECTIONS]
    generator = Generator()
    rng = generator.rng
    end = datetime.now(UTC) - timedelta(days=1)
    start = end - timedelta(days=3 * 365)
    span = (end - start).total_seconds()
    code = settings.KHABAR_FIRST_NEWS_CODE
    for first in range(0, total, CHUNK):
        batch = []
        for i in range(first, min(first + CHUNK, total)):
            headline, lead, body = generator.story()
            # Roughly in id order, as stories are written: a few hours of jitter.
            at = start + timedelta(seconds=span * i / total + rng.uniform(-7200, 0))
            draft = rng.random() < 0.01
            section = rng.choices(sections, section_weights)[0]
            batch.append(
                Article(id=i * spacing + 1, edition=edition, section=section,
                        headline=headline, slug=f"خبر-{i}", lead=lead, body=body,
                        status="draft" if draft else "published",
                        news_code=None if draft else code + i,
                        published_at=None if draft else at)
            )  # fmt: skip
        Article.objects.bulk_create(batch)
    NewsCodeCounter.objects.update_or_create(pk=1, defaults={"last": code + total})
    return edition


# --- The query mix --------------------------------------------------------------------------


def query_mix(edition):
    """What readers type: (kind, text, keyword arguments of search())."""
    from khabar.news.models import Section

    economy = Section.objects.get(edition=edition, slug="اقتصاد")
    sport = Section.objects.get(edition=edition, slug="رياضة")
    latest = edition.articles.filter(status="published").latest("published_at").published_at
    month = (latest - timedelta(days=30)).date(), latest.date()
    year = (latest - timedelta(days=400)).date(), (latest - timedelta(days=35)).date()
    return [
        ("common word", "الحكومة", {}),
        ("common word", "بغداد", {}),
        ("common word", "النفط", {}),
        ("common word", "الوزير", {"page": 3}),
        ("rare word", "الزلزال", {}),
        ("rare word", "المخطوطة", {}),
        ("rare word", "القيثارة", {}),
        ("two words", "أسعار الذهب", {}),
        ("two words", "انتخابات البصرة", {}),
        ("two words", "مستشفى النجف", {}),
        ("two words", "الزلزال تركيا", {}),
        ("three words", "مجلس النواب الموازنة", {}),
        ("three words", "ارتفاع أسعار النفط", {}),
        ("three words", "افتتاح مدرسة جديدة في الموصل", {}),
        ("prefixed word", "والحكومة", {}),
        ("prefixed word", "بالمدينة", {}),
        ("prefixed word", "للمواطنين", {}),
        ("phrase", '"مجلس النواب"', {}),
        ("phrase", '"وزارة الصحة" اللقاح', {}),
        ("section", "الحكومة", {"section": economy}),
        ("section", "الملعب", {"section": sport}),
        ("date range", "الانتخابات", {"date_from": month[0], "date_to": month[1]}),
        ("date range", "الفيضان", {"date_from": year[0], "date_to": year[1]}),
        ("sort by date", "الانتخابات", {"sort": "date"}),
        ("sort by date", "أسعار النفط", {"sort": "date"}),
        ("no match", "الكنغر", {}),
        ("no match", "زرافة قطبية", {}),
        ("digits", "٢٠٢٤", {}),
        ("digits", "١٧ النفط", {}),
        ("name", "محمد الربيعي", {}),
    ]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(timings) -> str:
    return (f"p50 {statistics.median(timings):7.2f}  p95 {percentile(timings, 0.95):7.2f}  "
            f"p99 {percentile(timings, 0.99):7.2f}  max {max(timings):7.2f} ms")  # fmt: skip


def measure(edition, repeats: int):
    from khabar.search.service import search

    mix = query_mix(edition)
    counts = {}
    for _ in range(2):  # warm up: caches, prepared plans, pages in memory
        for kind, text, kwargs in mix:
            counts[text, kind] = search(edition, text, **kwargs).page.paginator.count
    timings: dict[tuple, list[float]] = {(kind, text): [] for kind, text, _kw in mix}
    cpu: dict[tuple, list[float]] = {(kind, text): [] for kind, text, _kw in mix}
    for _ in range(repeats):
        for kind, text, kwargs in mix:
            started, cpu_started = time.perf_counter(), time.process_time()
            results = search(edition, text, **kwargs)
            list(results.page.object_list)
            timings[kind, text].append((time.perf_counter() - started) * 1000)
            # This process's CPU time (Python and SQLite; PostgreSQL's server is another
            # process): on a machine shared with other work, wall time also counts waiting.
            cpu[kind, text].append((time.process_time() - cpu_started) * 1000)
    return mix, counts, timings, cpu


def index_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'")
        else:
            cursor.execute("SELECT pg_total_relation_size('search_searchdocument')")
        return cursor.fetchone()[0] or 0


def replicate(copies: int) -> None:
    """Copy the stories and their index entries `copies - 1` times, in SQL: new ids (next to
    the original's, so that ids still follow time) and news codes, the same text, dates and
    terms. No analyzer runs, so a corpus of a million stories
    takes minutes instead of the hours its honest build takes on this machine."""
    from django.db import connection, transaction

    from khabar.news.models import Article
    from khabar.search.backends import SQLiteBackend, backend

    columns = [
        f.column for f in Article._meta.concrete_fields if f.column not in ("id", "news_code")
    ]
    listed = ", ".join(columns)
    # As `reindex` does on SQLite: FTS5's merging after each commit grows with the index.
    rebuilding = getattr(backend(), "rebuilding", contextlib.nullcontext)
    with rebuilding(), connection.cursor() as cursor:
        cursor.execute("SELECT max(id), max(news_code) FROM news_article")
        last_id, last_code = cursor.fetchone()
        if connection.vendor == "postgresql":
            cursor.execute("DROP INDEX search_document_gin")
        for k in range(1, copies):
            with transaction.atomic():
                cursor.execute(
                    f"INSERT INTO news_article (id, news_code, {listed}) SELECT id + %s, "
                    f"news_code + %s, {listed} FROM news_article WHERE (id - 1) %% %s = 0",
                    [k, k * last_code, copies],
                )
                if connection.vendor == "sqlite":
                    terms = ", ".join(SQLiteBackend.COLUMNS)
                    cursor.execute(
                        f"INSERT INTO search_fts (rowid, {terms}) SELECT rowid + %s, {terms} "
                        "FROM search_fts WHERE (rowid - 1) %% %s = 0",
                        [k, copies],
                    )
                else:
                    cursor.execute(
                        "INSERT INTO search_searchdocument (article_id, document, section_id, day) "
                        "SELECT article_id + %s, document, section_id, day "
                        "FROM search_searchdocument WHERE (article_id - 1) %% %s = 0",
                        [k, copies],
                    )
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(  # as khabar/search/migrations/0004_pg_filters.py makes it
                "CREATE INDEX search_document_gin ON search_searchdocument "
                "USING gin (document, section_id, day)"
            )
            cursor.execute("SELECT setval(pg_get_serial_sequence('news_article', 'id'), %s)",
                           [last_id + copies])  # fmt: skip
        backend_optimize()


def backend_optimize() -> None:
    from khabar.search.backends import backend

    backend().optimize()


def child(size: int, repeats: int, reindex: bool, copies: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from khabar.news.models import Article, Edition

    call_command("migrate", verbosity=0)
    edition = Edition.objects.filter(code="ar").first()
    line = f"database: {connection.vendor}  stories: {size:,}"
    if edition is None:
        started = time.perf_counter()
        edition = seed(size // copies, spacing=copies)
        line += f"  generated and inserted in {time.perf_counter() - started:.0f} s"
        if copies > 1:
            line += f" ({size // copies:,} stories, to be copied {copies} times)"
        reindex = True
    else:
        line += "  (stories reused)"
    print(line, flush=True)
    if reindex:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        started, cpu_started = time.perf_counter(), time.process_time()
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            call_command("reindex", batch=1000, stdout=quiet)
        took = time.perf_counter() - started
        indexed = Article.objects.filter(status="published").count()
        print(
            f"  index built by `reindex` in {took:.0f} s ({indexed / took:,.0f} stories/s; "
            f"{time.process_time() - cpu_started:.0f} s of this process's CPU)",
            flush=True,
        )
        if copies > 1 and Article.objects.count() < size:
            started = time.perf_counter()
            replicate(copies)
            print(f"  stories and index copied to {size:,} in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    else:
        print("  index reused")
    with connection.cursor() as cursor:  # as autovacuum or a periodic ANALYZE would
        cursor.execute("ANALYZE")
    rows = Article.objects.count()
    published = Article.objects.filter(status="published").count()
    print(f"  rows: {rows:,} stories ({published:,} published); "
          f"index size {index_size() / 2**20:,.0f} MiB", flush=True)  # fmt: skip
    mix, counts, timings, cpu = measure(edition, repeats)
    everything = [t for values in timings.values() for t in values]
    print(f"  all {len(mix)} queries x {repeats}:   {summary(everything)}")
    print(f"  the same, CPU time:    {summary([t for values in cpu.values() for t in values])}")
    kinds = dict.fromkeys(kind for kind, _t, _kw in mix)
    for kind in kinds:
        values = [t for (k, _text), ts in timings.items() if k == kind for t in ts]
        print(f"  {kind:<16} {summary(values)}")
    print("  per query (results found, capped at the 1,000 candidates):")
    for kind, text, kwargs in mix:
        extra = ", ".join(f"{k}={getattr(v, 'slug', v)}" for k, v in kwargs.items())
        print(f"    {kind:<14} {text:<28} {extra:<36} {counts[text, kind]:>6}  "
              f"p50 {statistics.median(timings[kind, text]):7.2f}  "
              f"max {max(timings[kind, text]):7.2f} ms")  # fmt: skip


def run(database: str, size: int, repeats: int, keep: bool, reindex: bool, copies: int) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "khabar.settings",
           "PYTHONWARNINGS": "ignore::UserWarning"}  # fmt: skip
    data_dir = KEEP_DIR / f"search-{size}" if keep else Path(tempfile.mkdtemp())
    data_dir.mkdir(parents=True, exist_ok=True)
    env["KHABAR_DATA_DIR"] = str(data_dir)
    admin = None
    if database == "postgres":
        import psycopg

        url = urllib.parse.urlsplit(PG_URL)
        name = f"{url.path.lstrip('/')}_{size}"
        admin_url = url._replace(path="/postgres").geturl()
        try:
            admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as error:
            print(f"PostgreSQL not reachable ({error}); skipped")
            return 0
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (keep and exists):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
    else:
        env.pop("DATABASE_URL", None)
    try:
        return subprocess.call(
            [sys.executable, __file__, "--child", "--sizes", str(size), "--queries",
             str(repeats), "--copies", str(copies), *(["--reindex"] if reindex else [])],
            cwd=ROOT, env=env,
        )  # fmt: skip
    finally:
        if admin is not None:
            if not keep:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def postgres_answers() -> bool:
    import psycopg

    url = urllib.parse.urlsplit(PG_URL)._replace(path="/postgres").geturl()
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--queries", type=int, default=20, help="timed runs of each query")
    parser.add_argument("--keep", action="store_true",
                        help="keep the databases (var/bench/, PostgreSQL), reuse them")  # fmt: skip
    parser.add_argument("--reindex", action="store_true",
                        help="with --keep: rebuild the index of reused stories")  # fmt: skip
    parser.add_argument("--copies", type=int, default=1,
                        help="index size/COPIES stories, then copy them in SQL")  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(args.sizes[0], args.queries, args.reindex, args.copies)
        return
    database = args.database or ("both" if postgres_answers() else "sqlite")
    databases = ["sqlite", "postgres"] if database == "both" else [database]
    status = 0
    for size in args.sizes:
        for db in databases:
            status |= run(db, size, args.queries, args.keep, args.reindex, args.copies)
    sys.exit(status)


if __name__ == "__main__":
    main()

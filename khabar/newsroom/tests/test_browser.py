"""The newsroom in real Chromium: a reporter writes and submits in the editor, an editor
publishes, a reader sees the story; a stale save is refused with the text kept; an embargoed
story stays off every public page until its time; a correction shows on the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from khabar.news.models import Article
from khabar.testing import open_page, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(live_server.url + "/desk/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-phrase-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/desk/")


def test_from_draft_to_published_corrected(context, live_server, section, reporter, editor,
                                           screenshot_dir):  # fmt: skip
    page = open_page(context)
    log_in(page, live_server, "rana")
    page.screenshot(path=screenshot_dir / "newsroom-desk.png", full_page=True)
    page.click("text=خبر جديد")
    page.fill("#id_headline", "بلدية البصرة تزرع ألف شجرة على ضفاف شط العرب")
    page.fill("#id_lead", "حملة تشجير جديدة تمتد على طول الكورنيش.")
    editor_box = page.locator("[data-editor]")
    editor_box.click()
    page.keyboard.type("البصرة - خبر: بدأت البلدية اليوم حملة لزراعة ألف شجرة.")
    page.keyboard.press("Enter")
    page.keyboard.type("وقال مدير الحملة إن العمل يستمر حتى نهاية الشهر، with volunteers.")
    page.keyboard.press("Control+a")
    page.locator("[data-block=p]").click()
    # The words typed, two blocks, counted in the Arabic edition's digits.
    assert "٢١" in page.locator("[data-word-count]").inner_text()
    page.select_option("#id_section", str(section.pk))
    page.fill("#id_tags", "البصرة، البيئة")
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    story = Article.objects.get()
    assert story.body.startswith("<p>") and "البلدية" in story.body
    assert sorted(story.tags.values_list("name", flat=True)) == ["البصرة", "البيئة"]
    page.screenshot(path=screenshot_dir / "newsroom-editor.png", full_page=True)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    story.refresh_from_db()
    assert story.status == "submitted"

    # The editor publishes it.
    context.clear_cookies()
    context.add_cookies([session_cookie(editor, live_server)])
    page.goto(live_server.url + "/desk/?tab=review")
    page.click(f"text={story.headline}")
    page.click("button[value=publish]")
    page.wait_for_selector(".nr-messages")
    story.refresh_from_db()
    assert story.is_public and story.news_code

    # A reader sees it.
    reader = open_page(context)
    reader.goto(live_server.url + story.get_absolute_url())
    assert reader.locator("h1.story-headline").inner_text() == story.headline
    assert "/انتهى/" in reader.content()

    # A correction shows on the page.
    page.goto(live_server.url + f"/desk/stories/{story.pk}/")
    page.select_option("select[name=kind]", "correction")
    page.fill("textarea[name=note]", "صُحّح عدد الأشجار.")
    page.click("button[value=correct]")
    page.wait_for_selector(".nr-messages")
    # The page may be kept for a minute by caches; a reload revalidates it with its ETag.
    reader.reload()
    assert "صُحّح عدد الأشجار." in reader.locator(".story-corrections").inner_text()
    reader.screenshot(path=screenshot_dir / "reader-corrected-story.png", full_page=True)

    # History and restore.
    page.goto(live_server.url + f"/desk/stories/{story.pk}/history?revision=2")
    page.screenshot(path=screenshot_dir / "newsroom-history.png", full_page=True)
    assert context.problems == []


def test_stale_save_is_refused_and_text_kept(context, live_server, draft, editor, reporter,
                                             screenshot_dir):  # fmt: skip
    mine = open_page(context)
    context.add_cookies([session_cookie(reporter, live_server)])
    mine.goto(live_server.url + f"/desk/stories/{draft.pk}/")
    # Someone else saves meanwhile.
    from khabar.newsroom import actions

    actions.do_save(editor, draft, base_revision=1, headline="عنوان وضعه المحرر")
    mine.fill("#id_headline", "عنوان كتبته المراسلة")
    mine.click("button[value=save]")
    mine.wait_for_selector(".nr-conflict")
    assert mine.input_value("#id_headline") == "عنوان كتبته المراسلة"
    assert "عنوان وضعه المحرر" in mine.locator(".nr-diff").inner_text()
    mine.screenshot(path=screenshot_dir / "newsroom-conflict.png", full_page=True)
    draft.refresh_from_db()
    assert draft.headline == "عنوان وضعه المحرر"


def test_embargo_absent_then_present(context, live_server, draft, editor):
    from khabar.newsroom import actions

    actions.do_embargo(editor, draft, timezone.now() + timedelta(hours=1))
    draft.refresh_from_db()
    page = open_page(context)
    for url in ["/ar/", "/ar/section/اقتصاد/", "/ar/corrections/"]:
        page.goto(live_server.url + url)
        assert draft.headline not in page.content()
    response = page.goto(live_server.url + draft.get_absolute_url())
    assert response.status == 404
    # The embargo ends (the clock moves on): the story is everywhere, with nothing run.
    Article.objects.filter(pk=draft.pk).update(
        embargo_until=timezone.now() - timedelta(seconds=1),
        published_at=timezone.now() - timedelta(seconds=1),
    )
    page.goto(live_server.url + "/ar/")
    page.reload()  # revalidate what the browser cached a moment ago
    assert draft.headline in page.content()
    assert page.goto(live_server.url + draft.get_absolute_url()).status == 200


def test_paste_from_a_word_processor_is_cleaned_and_tags_are_suggested(
    context, live_server, draft, reporter, edition
):
    from khabar.news.models import Tag

    Tag.objects.create(edition=edition, name="البصرة")
    Tag.objects.create(edition=edition, name="البيئة")
    figure = ('<figure><img src="https://example.org/a.jpg" alt="جسر"><figcaption>الجسر'
              "</figcaption></figure>")  # fmt: skip
    Article.objects.filter(pk=draft.pk).update(body="<p>فقرة.</p>" + figure)
    page = open_page(context)
    context.add_cookies([session_cookie(reporter, live_server)])
    page.goto(live_server.url + f"/desk/stories/{draft.pk}/")
    # The editor keeps figures as they are.
    assert figure in page.input_value("[data-body-source]")
    page.locator("[data-editor]").click()
    page.keyboard.press("Control+End")
    page.evaluate("""() => {
        const data = new DataTransfer();
        data.setData("text/html", '<meta charset="utf-8"><p class="MsoNormal" style="color:red">'
          + '<span style="font-weight:700">فقرة ملصقة</span> <font face="Arial">من محرر نصوص</font>'
          + '<script>alert(1)</script><img src=x onerror=alert(2)></p>'
          + '<a href="javascript:alert(3)">رابط خبيث</a>');
        document.querySelector("[data-editor]").dispatchEvent(
          new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""")
    body = page.input_value("[data-body-source]")
    assert "<strong>فقرة ملصقة</strong>" in body
    for bad in ("MsoNormal", "style=", "font", "script", "onerror", 'src="x"', "javascript:"):
        assert bad not in body, bad
    page.fill("#id_tags", "البصرة، الب")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#tag-suggestions option')]"
        ".some(o => o.value.includes('،'))"
    )
    options = page.eval_on_selector_all("#tag-suggestions option", "os => os.map(o => o.value)")
    assert "البصرة، البيئة" in options

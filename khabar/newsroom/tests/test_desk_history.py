"""The history page numbers each revision once, by its own number, the same way in the list, the
differences and the restore link, in the interface language's digits."""

import re

from khabar.newsroom import actions


def visible_text(html):
    return re.sub(r"<[^>]+>", " ", html)


def test_revisions_are_numbered_once_and_alike_everywhere(client, draft, reporter):
    draft = actions.do_save(reporter, draft, base_revision=1, headline="عنوان معدل")
    draft = actions.do_save(reporter, draft, base_revision=2, headline="عنوان معدل ثانية")
    client.force_login(reporter)
    html = client.get(f"/desk/stories/{draft.pk}/history?revision=2").content.decode()
    listing = html.split('class="nr-revisions"')[1].split("</ul>")[0]
    # Not an ordered list: its markers ("2.") numbered the items apart from the revisions.
    assert "<ol" not in html
    names = re.findall(r'<a href="\?revision=(\d+)">(.*?)</a>', listing)
    assert names == [("3", "المراجعة ٣"), ("2", "المراجعة ٢"), ("1", "المراجعة ١")]
    assert "رقم" not in visible_text(html)
    assert "ما غيّرته المراجعة ٢" in html
    assert "استعادة المراجعة ٢…" in html


def test_a_story_from_before_the_newsroom_shows_its_original_text(client, editor, make_article):
    story = make_article("خبر من الأرشيف")
    story = actions.do_save(editor, story, base_revision=0, headline="خبر من الأرشيف بعد التحرير")
    client.force_login(editor)
    html = client.get(f"/desk/stories/{story.pk}/history?revision=0").content.decode()
    names = re.findall(r'<a href="\?revision=(\d+)">(.*?)</a>', html)
    assert names == [("1", "المراجعة ١"), ("0", "النص الأصلي")]
    assert '<h2 id="diff-heading">النص الأصلي</h2>' in html


def test_history_writes_no_latin_digit(client, editor, make_article):
    story = make_article("خبر عن افتتاح الجسر")
    story = actions.do_save(editor, story, base_revision=0, headline="خبر عن افتتاح الجسر الجديد")
    story = actions.do_save(editor, story, base_revision=1, headline="خبر عن الجسر")
    story = actions.do_restore(editor, story, 1, base_revision=2)
    story = actions.do_restore(editor, story, 0, base_revision=3)
    client.force_login(editor)
    html = client.get(f"/desk/stories/{story.pk}/history?revision=2").content.decode()
    main = html.split('<main class="nr-main" id="main">')[1].split("</main>")[0]
    assert not re.search(r"[0-9]", visible_text(main))
    # A restore's note names the revision in words, with its date.
    assert "استعادة نص المراجعة ١ المحفوظة في " in main
    assert "استعادة النص الأصلي المحفوظ في " in main

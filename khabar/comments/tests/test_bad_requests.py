"""Requests the site cannot read: a form labelled with a character set other than UTF-8, one
larger than KHABAR_MAX_REQUEST_MB, a comment with bytes that are not UTF-8. Each gets a 400 in
the reader's language (or the admin's), in the site's look, and the writer keeps their text."""

import re

import pytest
from django.test import Client
from django.utils import translation

from khabar.comments.models import Comment
from khabar.testing import comment_data

pytestmark = [pytest.mark.django_db]

UTF16 = "application/x-www-form-urlencoded; charset=utf-16"
REPEATED = "application/x-www-form-urlencoded; charset=utf-8; charset=utf-16"
UNREADABLE_HEADING = "The request could not be read"
MALFORMED = "Some characters of your comment could not be read. Check the text and send it again."
TOO_LONG = "This is too long to send. Your text is kept: shorten it and send it again."


def arabic(message: str) -> str:
    with translation.override("ar"):
        return translation.gettext(message)


def csrf_client() -> tuple[Client, str]:
    """A client that is checked for CSRF as a browser is, with its cookie and token."""
    client = Client(enforce_csrf_checks=True)
    client.get("/desk/login/")
    return client, client.cookies["csrftoken"].value


def form_body(token: str, **fields) -> bytes:
    from urllib.parse import urlencode

    return urlencode({"csrfmiddlewaretoken": token, **fields}).encode()


def multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = "khabar-boundary"
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary.encode(), name.encode(), value)
        for name, value in fields.items()
    ]
    body = b"".join(parts) + b"--%s--\r\n" % boundary.encode()
    return body, f"multipart/form-data; boundary={boundary}"


def comment_url(article) -> str:
    return f"/ar/comments/{article.news_code}"


@pytest.mark.parametrize("content_type", [UTF16, REPEATED])
@pytest.mark.parametrize("where", ["comments", "/desk/login/", "/admin/login/",
                                   "/ar/comments/privacy/"])  # fmt: skip
def test_an_odd_charset_gets_the_sites_400_in_arabic(article, where, content_type):
    client, token = csrf_client()
    url = comment_url(article) if where == "comments" else where
    response = client.generic("POST", url, form_body(token, username="a", password="b",
                                                     email="a@example.org"),
                              content_type=content_type)  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert arabic(UNREADABLE_HEADING) != UNREADABLE_HEADING
    assert arabic(UNREADABLE_HEADING) in html
    assert '<html lang="ar" dir="rtl">' in html
    assert "reader/site.css" in html  # the site's look, not Django's bare page
    assert "b" not in response.context["text"]  # a password is never shown back


def test_the_admins_400_speaks_the_admins_language(db):
    client, token = csrf_client()
    client.cookies["django_language"] = "en"
    response = client.generic("POST", "/admin/login/", form_body(token, username="a"),
                              content_type=UTF16)  # fmt: skip
    assert response.status_code == 400
    assert '<html lang="en" dir="ltr">' in response.content.decode()
    assert UNREADABLE_HEADING in response.content.decode()


def test_other_bad_requests_get_the_same_page(edition):
    # Django's other 400s (here an unknown Host) come through the same handler.
    response = Client().get("/ar/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert arabic(UNREADABLE_HEADING) in html
    assert arabic("This site could not understand the request. Check the address, or start "
                  "again from the front page.") in html  # fmt: skip


def test_an_unknown_charset_is_read_as_the_utf8_browsers_send(db):
    client, token = csrf_client()
    unknown = "application/x-www-form-urlencoded; charset=nonesuch"
    body = form_body(token, username="a", password="b")
    response = client.generic("POST", "/desk/login/", body, content_type=unknown)
    assert response.status_code == 200  # the login page again, with its own error
    assert response.context["form"].errors


def test_a_comment_with_an_odd_charset_keeps_its_text_on_the_page(article):
    client, token = csrf_client()
    data = comment_data(article, body="نص القارئ الذي كتبه بعناية")
    response = client.generic("POST", comment_url(article), form_body(token, **data),
                              content_type=UTF16)  # fmt: skip
    assert response.status_code == 400
    assert "نص القارئ الذي كتبه بعناية</textarea>" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_comment_script_gets_a_translated_message_for_an_odd_charset(article):
    client, token = csrf_client()
    response = client.generic("POST", comment_url(article), form_body(token, body="نص"),
                              content_type=UTF16, HTTP_X_REQUESTED_WITH="fetch")  # fmt: skip
    assert response.status_code == 400
    message = response.json()["message"]
    assert message and message == arabic(
        "This could not be read by the site. Your text is kept: send it again."
    )
    assert message != "This could not be read by the site. Your text is kept: send it again."


def test_an_oversize_comment_from_the_script_is_too_long(article, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    fields = {k: v.encode() for k, v in comment_data(article, body="ن" * 60_000).items()}
    body, content_type = multipart(fields)
    response = Client().generic("POST", comment_url(article), body, content_type=content_type,
                                HTTP_X_REQUESTED_WITH="fetch")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["too_big"] is True
    assert response.json()["message"] == arabic(TOO_LONG) != TOO_LONG
    assert not Comment.objects.exists()


def test_an_oversize_comment_without_the_script_gets_the_translated_page(article, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    response = Client().post(comment_url(article), comment_data(article, body="ن" * 60_000))
    assert response.status_code == 400
    html = response.content.decode()
    assert arabic(UNREADABLE_HEADING) in html and "١٠" in html  # 10 MB, in the edition's digits


def test_the_default_request_limit_takes_a_long_arabic_comment_to_its_own_check(article):
    # 1 MB of Arabic from the form without the script: 6 MB percent-encoded, over Django's
    # 2.5 MB; now the form's own length rule answers, in the edition's words.
    from urllib.parse import urlencode

    body = urlencode(comment_data(article, body="ن" * 500_000)).encode()
    response = Client().generic("POST", comment_url(article), body,
                                content_type="application/x-www-form-urlencoded",
                                HTTP_X_REQUESTED_WITH="fetch")  # fmt: skip
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


GOOD = "تعليق".encode()


@pytest.mark.parametrize("bad", [b"\xff", b"\xd9", b"\xed\xa0\x80", b"\xc0\xaf"])
def test_malformed_utf8_in_a_urlencoded_comment_is_refused(article, bad):
    from urllib.parse import quote_from_bytes, urlencode

    data = comment_data(article, body="")
    raw = urlencode(data).replace("body=", "body=" + quote_from_bytes(GOOD + bad + GOOD))
    response = Client().generic("POST", comment_url(article), raw.encode(),
                                content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert arabic(MALFORMED) in html and arabic(MALFORMED) != MALFORMED
    # The text as far as it decodes stays in the form, for the reader to correct.
    assert re.search("تعليق\ufffd+تعليق</textarea>", html)
    assert not Comment.objects.exists()


def test_malformed_utf8_in_a_multipart_comment_is_refused(article):
    fields = {k: v.encode() for k, v in comment_data(article).items()}
    fields["body"] = GOOD + b"\xff\xfe" + GOOD
    body, content_type = multipart(fields)
    response = Client().generic("POST", comment_url(article), body, content_type=content_type,
                                HTTP_X_REQUESTED_WITH="fetch")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["message"] == arabic(MALFORMED)
    assert not Comment.objects.exists()


def test_a_replacement_character_the_reader_typed_is_taken(article):
    typed = "رمز \ufffd في النص"
    fields = {k: v.encode() for k, v in comment_data(article, body=typed).items()}
    body, content_type = multipart(fields)
    response = Client().generic("POST", comment_url(article), body, content_type=content_type,
                                HTTP_X_REQUESTED_WITH="fetch")  # fmt: skip
    assert response.status_code == 201
    again = Client(REMOTE_ADDR="10.1.1.1").post(
        comment_url(article),
        comment_data(article, body=typed + " مرة أخرى"),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert again.status_code == 201
    assert Comment.objects.filter(body__contains="\ufffd").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_comment_script_says_too_long_and_keeps_the_text(browser, live_server, article,
                                                             settings):  # fmt: skip
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    context = browser.new_context(locale="ar-IQ")
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#comment-form")
    page.fill("#id_name", "قارئ")
    # Put there by a script (maxlength stops typing and pasting): 120 KB, over the limit above.
    long_text = "ن" * 60_000
    page.eval_on_selector("#id_body", "(box, text) => { box.value = text; }", long_text)
    page.wait_for_function("() => document.querySelector('input[name=altcha]').value !== ''")
    page.click("button.comment-submit")
    page.wait_for_selector("#comment-form .form-error:not(:empty)")
    assert page.inner_text("#comment-form .form-error") == arabic(
        "Your comment is too long to send. Your text is kept: shorten it and send it again."
    )
    assert page.input_value("#id_body") == long_text
    assert not Comment.objects.exists()

    # A proxy's own error page (not the site's JSON) is not called a lost connection either.
    page.route("**/comments/*", lambda route: route.fulfill(
        status=502, content_type="text/html", body="<h1>Bad Gateway</h1>")
        if route.request.method == "POST" else route.continue_())  # fmt: skip
    page.eval_on_selector("#id_body", "box => { box.value = 'نص قصير'; }")
    page.click("button.comment-submit")
    # A function, not an expression: the page's policy forbids eval, which Playwright would use.
    page.wait_for_function("() => document.querySelector('#comment-form .form-error').textContent"
                           ".startsWith('لم يتمكّن')")  # fmt: skip
    assert page.inner_text("#comment-form .form-error") == arabic(
        "The site could not take the comment. Your text is kept; try again in a moment."
    )
    assert page.input_value("#id_body") == "نص قصير"
    context.close()

"""What arrives in a request before a form reads it: the raw bytes of a form, kept for the views
that must know whether the text decoded cleanly."""

from urllib.parse import parse_qsl

from django.http.request import RawPostDataException

REPLACEMENT = "\ufffd"


def keeps_raw_body(view):
    """Mark a view whose POST body RawBodyMiddleware reads before anything parses the form."""
    view.keeps_raw_body = True
    return view


class RawBodyMiddleware:
    """Django parses a multipart form from the stream, after which request.body is gone, and
    the CSRF check parses it before the view runs. Reading request.body first keeps the bytes
    (bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, over which Django answers 400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST" and getattr(view_func, "keeps_raw_body", False):
            request.body  # noqa: B018 (read and kept by Django for request.POST)


def malformed_form(request) -> bool:
    """True when the form's text held bytes that are not UTF-8: Django decodes them as U+FFFD
    without a word. A U+FFFD the writer really typed arrives well encoded and is not counted.
    Needs the raw body (RawBodyMiddleware, or a urlencoded form, which Django reads whole)."""
    values = [text for key, value in request.POST.lists() for text in (key, *value)]
    decoded = sum(text.count(REPLACEMENT) for text in values)
    if not decoded:
        return False
    try:
        raw = request.body
    except RawPostDataException:  # the stream was read without keeping it
        return False
    if request.content_type == "application/x-www-form-urlencoded":
        try:
            parse_qsl(raw.decode(), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            return True
        return False
    # Multipart: each U+FFFD the writer typed is its three UTF-8 bytes in the body; any more
    # were made by decoding bytes that are not UTF-8.
    return decoded > raw.count(REPLACEMENT.encode())

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
application = get_wsgi_application()

# Behind the embedded page cache when KHABAR_PAGE_CACHE=embedded (the default without DEBUG):
# a kept page is answered before Django sees the request.
from khabar.pagecache.wsgi import wrap  # noqa: E402 (needs the settings configured above)

application = wrap(application)

# The comment form's captcha challenge, per reader and never cached, answered before the
# middleware (khabar/comments/fast.py): in a spike it shares the workers with the cache's hits.
from khabar.comments.fast import ChallengeFirst  # noqa: E402

application = ChallengeFirst(application)
# Each server process answers one challenge through Django as it starts, not in a reader's
# request (the first took ~280 ms in the spike, and others queued behind it).
application.warm()

import gc
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

# What the process loaded to start (Django, the apps, the warm-up's URLs and catalogues) lives as
# long as it does: frozen out of the cyclic collector's sight, a full collection scans ~24,000
# objects instead of ~100,000 (53 ms -> 14 ms on a loaded 2-core machine, with every thread of
# the process waiting on the GIL meanwhile: the slowest challenges in the spike).
gc.freeze()

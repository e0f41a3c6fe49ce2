"""A separate process that publishes stories one transaction at a time and appends each
headline to a file once its transaction has committed: the list of acknowledged writes that a
backup taken meanwhile must hold. Run by test_backup.py with the test database's DATABASE_URL.

python -m khabar.newsroom.tests.backup_writer EDITION_ID SECTION_ID ACK_FILE STOP_FILE
"""

import os
import sys

import django


def main(edition_id: int, section_id: int, ack_file: str, stop_file: str) -> None:
    django.setup()
    from django.db import transaction

    from khabar.news.models import Article

    parent = os.getppid()
    with open(ack_file, "a", encoding="utf-8") as acks:
        number = 0
        # Stops when told, or when the test that started it is gone.
        while not os.path.exists(stop_file) and os.getppid() == parent:
            headline = f"خبر كتب أثناء النسخ {number}"
            with transaction.atomic():
                Article.objects.create(
                    edition_id=edition_id, section_id=section_id, headline=headline,
                    body=f"<p>الفقرة {number}.</p>",
                )  # fmt: skip
            # Acknowledged only now, after the commit, as a site answers only after it.
            acks.write(headline + "\n")
            acks.flush()
            number += 1


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khabar.settings")
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])

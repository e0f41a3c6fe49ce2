"""Purges that must wait: at a scheduled story's go-live moment, run by the task worker.

A scheduled or embargoed story becomes public at its time with nothing happening then. Caches
that read the expiry Khabar gives them (s-maxage, the embedded cache's own lookups) drop the
edition's pages by themselves at that moment; a front server sending the page cache's files
directly (nginx's file tree) reads no expiry, so the story's keys are purged again when it
goes live. If the worker is down at that moment, the purge runs when it is back.
"""

from django_tasks import task

from khabar.pagecache.purge import purge


@task()
def purge_keys(keys: list[str]) -> None:
    purge(keys)


def purge_at(moment, keys: list[str]) -> None:
    purge_keys.using(run_after=moment).enqueue(list(keys))

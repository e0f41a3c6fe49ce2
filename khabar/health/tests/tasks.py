"""A task for the worker-pool test: takes a little time, so that workers overlap."""

import time

from django_tasks import task


@task()
def take(number: int) -> int:
    time.sleep(0.05)
    return number

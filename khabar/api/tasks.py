"""The tasks of the partner API, run by django-tasks' worker (`manage.py db_worker` with the
default database backend). Thin: the work is in webhooks.py, which tests call directly."""

from django_tasks import task

from khabar.api import webhooks


@task()
def deliver(delivery_id: int) -> str:
    return webhooks.attempt(delivery_id)

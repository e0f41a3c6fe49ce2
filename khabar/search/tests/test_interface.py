"""The search app's seams: both backends implement the whole SearchBackend interface with its
parameters, the database in use picks its backend, and the search page keeps its address and
its name ("reader:search", which every page's header box reverses) in the search app's urls."""

import inspect

import pytest
from django.db import connection
from django.urls import resolve, reverse

from khabar.search.backends import PostgresBackend, SearchBackend, SQLiteBackend, backend
from khabar.search.views import search_page

INTERFACE = sorted(
    name
    for name, member in vars(SearchBackend).items()
    if not name.startswith("_") and inspect.isfunction(member)
)


def test_the_interface_declares_every_public_method():
    assert INTERFACE == [
        "candidates", "holding", "index", "index_many", "indexed_ids", "optimize",
        "ranked_ids", "remove",
    ]  # fmt: skip


@pytest.mark.parametrize("implementation", [SQLiteBackend, PostgresBackend])
def test_each_backend_implements_the_interface(implementation):
    for name in INTERFACE:
        declared = inspect.signature(getattr(SearchBackend, name)).parameters
        implemented = inspect.signature(getattr(implementation, name)).parameters
        assert [(p.name, p.default) for p in implemented.values()] == [
            (p.name, p.default) for p in declared.values()
        ], name


def test_the_database_in_use_picks_its_backend():
    expected = PostgresBackend if connection.vendor == "postgresql" else SQLiteBackend
    assert type(backend()) is expected


def test_the_search_page_keeps_its_address_and_name():
    assert reverse("reader:search", kwargs={"edition": "ar"}) == "/ar/search/"
    match = resolve("/ar/search/")
    assert match.func is search_page
    assert (match.namespace, match.url_name) == ("reader", "search")

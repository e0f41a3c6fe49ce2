"""The search page's route, under an edition's prefix (/<edition>/search/).

It is listed in the public site's namespace, "reader:search" (see khabar/urls.py), as before
the search app had routes of its own: every page's header box and the tag page reverse it.
"""

from django.urls import path

from khabar.search.views import search_page

urlpatterns = [
    path("search/", search_page, name="search"),
]

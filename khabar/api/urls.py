"""The partner API under /api/."""

from django.urls import path, re_path

from khabar.api import views

urlpatterns = [
    path("<slug:edition>/items", views.item_list, name="api_items"),
    path("<slug:edition>/items/<int:code>", views.item_detail, name="api_item"),
    # Anything else under /api/ answers in JSON too, not with the readers' HTML page.
    re_path(r"^", views.no_such_endpoint),
]

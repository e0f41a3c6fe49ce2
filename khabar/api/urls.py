"""The partner API under /api/."""

from django.urls import path

from khabar.api import views

urlpatterns = [
    path("<slug:edition>/items", views.item_list, name="api_items"),
    path("<slug:edition>/items/<int:code>", views.item_detail, name="api_item"),
]

from django.urls import path

from khabar.health import views

urlpatterns = [path("health", views.health, name="health")]

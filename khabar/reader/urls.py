from django.urls import path

from khabar.reader import views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("section/<str:slug>/", views.section, name="section"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("news/<int:code>", views.article, name="article_no_slug"),
    path("news/<int:code>/", views.article),
    path("news/<int:code>/<str:slug>", views.article, name="article"),
    # The comments region of an article, fetched by the article page so that the page itself
    # stays the same bytes for every reader.
    path("comments/<int:code>", views.comments, name="comments"),
]

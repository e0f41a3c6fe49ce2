from django.contrib.auth import views as auth_views
from django.urls import path

from khabar.newsroom import translate, views

urlpatterns = [
    path("desk/login/", views.Login.as_view(), name="login"),
    path("desk/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("desk/", views.desk, name="newsroom_desk"),
    path("desk/stories/new", views.new_story, name="newsroom_new"),
    path("desk/stories/<int:pk>/", views.edit_story, name="newsroom_edit"),
    path("desk/stories/<int:pk>/autosave", views.autosave, name="newsroom_autosave"),
    path("desk/stories/<int:pk>/leave", views.leave_story, name="newsroom_leave"),
    path("desk/stories/<int:pk>/history", views.history, name="newsroom_history"),
    path("desk/stories/<int:pk>/restore/<int:number>", views.restore, name="newsroom_restore"),
    path("desk/stories/<int:pk>/preview", views.preview, name="newsroom_preview"),
    path("desk/tags", views.tag_suggestions, name="newsroom_tags"),
    path("desk/stories/<int:pk>/translate", translate.translate, name="newsroom_translate"),
    path("desk/language", views.desk_language, name="newsroom_language"),
]

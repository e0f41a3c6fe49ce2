from django.urls import path

from khabar.comments import desk, views

# Under an edition's prefix: /ar/comments/...
edition_urlpatterns = [
    path("comments/<int:code>", views.region, name="comments_region"),
    path("comments/<int:code>/challenge", views.challenge, name="comments_challenge"),
    path("comments/<int:code>/own", views.own, name="comments_own"),
    path("comments/<int:code>/replies/<int:root_id>", views.replies, name="comments_replies"),
    path("comments/privacy/", views.privacy, name="comments_privacy"),
    path("comments/confirm/<str:token>", views.confirm, name="comments_confirm"),
    # The links of e-mails, under the story's edition so that they open in its language.
    path("comments/unsubscribe/<str:token>", views.unsubscribe, name="comments_unsubscribe"),
    path("comments/privacy/<str:token>", views.privacy_manage, name="comments_privacy_manage"),
]

urlpatterns = [
    # Links of e-mails sent before they carried the edition: still honoured, in the default
    # edition's language (reverse() picks these when given no edition).
    path("comments/unsubscribe/<str:token>", views.unsubscribe, name="comments_unsubscribe"),
    path("comments/privacy/<str:token>", views.privacy_manage, name="comments_privacy_manage"),
    path("desk/comments/", desk.queue, name="desk_comments"),
    path("desk/comments/<int:pk>/edit", desk.edit, name="desk_comment_edit"),
]

"""Newsroom roles and what each may do, enforced on the server for every action.

Roles are groups. `can()` is the one place that answers "may this person do this to this
story"; views, the admin and actions ask it, and the role-matrix test holds it.
"""

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

# The groups' stored names: code and data refer to roles by these, in every language.
REPORTERS, EDITORS, MODERATORS, ADMINISTRATORS = (
    "Reporters",
    "Editors",
    "Moderators",
    "Administrators",
)

# What people read: the built-in roles are defined here, in code, so their names are translated
# in the catalogues like every other string of the code.
ROLE_NAMES = {
    REPORTERS: _("Reporters"),
    EDITORS: _("Editors"),
    MODERATORS: _("Moderators"),
    ADMINISTRATORS: _("Administrators"),
}


def role_name(group) -> str:
    """A role's name in the active language. `group` is a Group or its stored name; a group an
    administrator added keeps the name they gave it."""
    name = group if isinstance(group, str) else group.name
    return str(ROLE_NAMES.get(name, name))


ROLE_PERMISSIONS = {
    REPORTERS: ["news.add_article", "news.change_article", "news.view_article", "news.add_tag",
                "news.view_tag", "news.view_section"],
    EDITORS: ["news.add_article", "news.change_article", "news.view_article",
              "news.edit_any_article", "news.publish_article", "news.correct_article",
              "news.add_tag", "news.view_tag", "news.view_section",
              "comments.moderate_comment"],
    MODERATORS: ["comments.moderate_comment"],
    ADMINISTRATORS: ["news.add_edition", "news.change_edition", "news.view_edition",
                     "news.add_section", "news.change_section", "news.delete_section",
                     "news.view_section", "news.add_tag", "news.change_tag", "news.delete_tag",
                     "news.view_tag", "news.add_author", "news.change_author", "news.view_author",
                     "auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group",
                     "comments.add_heldword", "comments.change_heldword",
                     "comments.delete_heldword", "comments.view_heldword", "comments.view_ban",
                     "comments.delete_ban",
                     # Partners of the API and their keys (revoked, never deleted).
                     "api.add_partner", "api.change_partner", "api.view_partner",
                     "api.add_apikey", "api.change_apikey", "api.view_apikey"],
}  # fmt: skip


# Django's four model permissions, by action; %(name)s is the model's verbose name.
DEFAULT_PERMISSIONS = {
    "add": _("Can add %(name)s"),
    "change": _("Can change %(name)s"),
    "delete": _("Can delete %(name)s"),
    "view": _("Can view %(name)s"),
}


def permission_name(permission) -> str:
    """ "Section of the admin | what it allows", in the active language. A model's own permissions
    (Meta.permissions) are translatable strings; Django's four are stored in English ("Can add
    article"), so they are written anew from the model's translated name. A permission of a
    model that no longer exists keeps its stored name."""
    model = permission.content_type.model_class()
    if model is None:
        return f"{permission.content_type.app_label} | {permission.name}"
    opts = model._meta
    label = dict(opts.permissions).get(permission.codename)
    if label is None:
        for action in opts.default_permissions:
            if permission.codename == get_permission_codename(action, opts):
                label = DEFAULT_PERMISSIONS[action] % {"name": opts.verbose_name}
                break
        else:
            label = permission.name
    return f"{opts.app_config.verbose_name} | {label}"


def ensure_roles(sender=None, using="default", **kwargs):
    """Create the role groups with their permissions (after every migrate)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    for name, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions += Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(permissions)


class EditionRefused(PermissionDenied):
    """The person's role allows the action, but not in this edition: the refusal says so, so
    that a Persian-desk editor knows why an Arabic story is closed to them."""


# The actions that belong to no edition: opening the desk at all, and the comments' queue.
_ANY_EDITION = {"desk", "moderate"}


def desk_editions(user) -> frozenset[int] | None:
    """The ids of the editions in which the person's roles apply, or None for every edition
    (no desk settings, none chosen, or a superuser). Read once per user object: a request asks
    it for every button of the editor."""
    if not user or not user.is_authenticated or user.is_superuser:
        return None
    if not hasattr(user, "_desk_editions"):
        load_desk_settings(user)
    return user._desk_editions


def load_desk_settings(user) -> None:
    """Read the person's desk settings, their language and their editions, in one query, onto
    the user object (user._desk_language, user._desk_editions) for the rest of the request."""
    from khabar.newsroom.models import DeskProfile

    rows = list(DeskProfile.objects.filter(user=user).values_list("language", "editions"))
    user._desk_language = rows[0][0] if rows else ""
    user._desk_editions = frozenset(e for _language, e in rows if e is not None) or None


def forget_desk_settings(user) -> None:
    """After the person's settings changed: the next question reads them again."""
    for name in ("_desk_editions", "_desk_language"):
        if hasattr(user, name):
            delattr(user, name)


def covers(user, edition) -> bool:
    """Do the person's roles apply in `edition` (an Edition or its id)?"""
    editions = desk_editions(user)
    if editions is None or edition is None:
        return True
    return (edition if isinstance(edition, int) else edition.pk) in editions


def edition_label(edition) -> str:
    """An edition as the desk names it, in the interface language: its language ("Persian")."""
    return str(edition.get_language_display())


def _edition_of(article, edition):
    if edition is not None:
        return edition
    return article.edition_id if article is not None else None


def can(user, action: str, article=None, *, edition=None) -> bool:
    """May `user` do `action` (to `article`, or in `edition` for a story not made yet)?

    Actions: desk, create, edit, submit, send_back, publish (also schedule, embargo, unpublish),
    correct, restore, create_tag; moderate (the comments' queue, which then lists only the comments
    of the person's editions: khabar/comments/desk.py moderated_by). A person whose
    roles are limited to some editions (DeskProfile.editions) may do none of the story's
    actions in another edition.
    """
    if not role_allows(user, action, article):
        return False
    if action in _ANY_EDITION or user.is_superuser:
        return True
    return covers(user, _edition_of(article, edition))


def refusal(user, action: str, article=None, *, edition=None) -> PermissionDenied:
    """Why `can` said no, as the exception to raise: EditionRefused, naming the person's
    editions, when only the edition stands in the way."""
    target = _edition_of(article, edition)
    if role_allows(user, action, article) and not covers(user, target):
        from khabar.news.models import Edition

        if isinstance(target, int):
            target = Edition.objects.get(pk=target)
        names = pgettext("list separator", ", ").join(
            edition_label(e) for e in Edition.objects.filter(pk__in=desk_editions(user))
        )
        return EditionRefused(
            gettext(
                "Your roles apply only in these editions: %(editions)s. The %(edition)s "
                "edition is not among them."
            )
            % {"editions": names, "edition": edition_label(target)}
        )
    return PermissionDenied(gettext("You are not allowed to do this."))


def role_allows(user, action: str, article=None) -> bool:
    """What the person's roles allow, whatever the edition."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if action == "moderate":
        return user.has_perm("comments.moderate_comment")
    is_editor = user.has_perm("news.edit_any_article")
    own_draft = (
        article is not None
        and article.created_by_id == user.pk
        and article.status == article.Status.DRAFT
    )
    if action == "desk":
        return user.has_perm("news.add_article") or is_editor
    if action == "create":
        return user.has_perm("news.add_article")
    if action in ("edit", "restore"):
        return is_editor or (user.has_perm("news.change_article") and own_draft)
    if action == "submit":
        return (
            article is not None
            and article.status == article.Status.DRAFT
            and (is_editor or (user.has_perm("news.change_article") and own_draft))
        )
    if action in ("send_back", "publish"):
        return user.has_perm("news.publish_article")
    if action == "correct":
        return user.has_perm("news.correct_article")
    if action == "create_tag":
        return user.has_perm("news.add_tag")
    return False


def can_use_admin(user) -> bool:
    """The admin opens to active staff; without a permission it would show an empty page, so
    only staff who hold some right count (administrators, superusers)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.get_all_permissions())
    )


def can_moderate(user) -> bool:
    return can(user, "moderate")


def landing_url(user) -> str:
    """Where a person lands after logging in (and when they open /desk/ without the right to
    use it): the page where their role works, never a refusal. Reporters and editors land on
    the desk, moderators on the moderation queue, administrators in the admin. Someone with no
    role lands on the desk, which tells them so."""
    from django.urls import reverse

    if can(user, "desk"):
        return reverse("newsroom_desk")
    if can_moderate(user):
        return reverse("desk_comments")
    if can_use_admin(user):
        return reverse("admin:index")
    return reverse("newsroom_desk")

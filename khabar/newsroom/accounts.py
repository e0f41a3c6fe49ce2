"""Who may change whose account, and the account's audit trail.

The rule that keeps an administrator from taking over a superuser, or from raising their own
rights: a person who is not a superuser may only manage an account, or give a role, whose rights
they could hold themselves. Those are their own rights plus the desk's (writing, editing,
publishing, moderating), which administrators hand out as their job without holding them. A
superuser's account, or one with rights beyond that reach, is only a superuser's to change.

The admin (khabar.newsroom.admin) asks these functions; the tests call them directly too.
"""

from datetime import UTC

from django.contrib.auth.models import Permission

from khabar.newsroom.models import AuditEntry, DeskProfile
from khabar.newsroom.roles import EDITORS, MODERATORS, REPORTERS, ROLE_PERMISSIONS

# The rights of the desk's roles, as the code defines them (not as a role now stands in the
# database, which a superuser may have changed).
DESK_PERMISSIONS = frozenset(
    code for role in (REPORTERS, EDITORS, MODERATORS) for code in ROLE_PERMISSIONS[role]
)

# What an account entry records, field by field; the password is recorded as changed, never
# its value or hash.
ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "is_active", "is_staff",
                  "is_superuser", "last_login", "date_joined"]  # fmt: skip


def _codes(permissions) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in permissions.values_list("content_type__app_label", "codename")
    }


def held_permissions(user) -> set[str]:
    """Every permission the account holds through its roles and on its own, active or not (a
    deactivated account regains them all when it is reactivated)."""
    return _codes(Permission.objects.filter(group__user=user)) | _codes(
        Permission.objects.filter(user=user)
    )


def role_permissions(group) -> set[str]:
    return _codes(group.permissions.all())


def within_reach(actor, codes: set[str]) -> bool:
    """Could `actor` hand out all of these rights?"""
    if actor.is_superuser:
        return True
    return set(codes) <= actor.get_all_permissions() | DESK_PERMISSIONS


def may_manage(actor, account) -> bool:
    """May `actor` change or delete `account` (its password, flags, roles, names, address)?"""
    if actor.is_superuser:
        return True
    if account.is_superuser:
        return False
    return within_reach(actor, held_permissions(account))


def may_give_role(actor, group) -> bool:
    return within_reach(actor, role_permissions(group))


def may_change_role_permissions(actor) -> bool:
    """Only a superuser changes what a role allows: anyone else holding a role could raise
    themselves by adding to it."""
    return actor.is_superuser


def snapshot(user) -> dict:
    """The account as the audit log compares it before and after a change."""
    state = {}
    for name in ACCOUNT_FIELDS:
        value = getattr(user, name)
        if hasattr(value, "isoformat"):
            # To the second: the admin's form sends times back without their microseconds.
            value = value.astimezone(UTC).replace(microsecond=0).isoformat()
        state[name] = value
    state["groups"] = sorted(user.groups.values_list("name", flat=True)) if user.pk else []
    state["user_permissions"] = sorted(_codes(user.user_permissions.all())) if user.pk else []
    # The editions the person's roles apply in are rights too (none: every edition).
    state["desk_editions"] = (
        sorted(
            DeskProfile.editions.through.objects.filter(deskprofile__user=user).values_list(
                "edition__code", flat=True
            )
        )
        if user.pk
        else []
    )
    state["password"] = user.password
    return state


def changes(before: dict, after: dict) -> list[dict]:
    """What differs, as [{"field", "before", "after"}]; a password only as having changed."""
    found = []
    for name in [*ACCOUNT_FIELDS, "groups", "user_permissions", "desk_editions"]:
        if (before.get(name) or None) != (after.get(name) or None) or (
            before.get(name) is None and isinstance(after.get(name), bool)
        ):
            found.append({"field": name, "before": before.get(name), "after": after.get(name)})
    if before.get("password") != after.get("password"):
        found.append({"field": "password"})
    return found


def record(actor, action: str, account, changed: list[dict]) -> AuditEntry | None:
    """One audit entry for one change of one account, if anything changed. The account's name
    is kept in the note so the entry still says whose account it was after a deletion."""
    if not changed and action == AuditEntry.Action.ACCOUNT_CHANGE:
        return None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        account=account if account is not None and account.pk else None,
        note=account.get_username()[:500],
        changes=changed,
    )

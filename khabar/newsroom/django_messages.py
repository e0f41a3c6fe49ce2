"""Django's own admin strings that its Arabic or Persian catalogue lacks (or words in Latin
letters), listed here so that our catalogues carry them: LOCALE_PATHS come before Django's
catalogues, so our translation is the one shown. Each msgid is Django's, character for
character (a test checks them against Django's source); nothing calls these at run time.

The admin's JavaScript strings Django lacks (the filter widget, the calendar) are in
khabar/locale/*/LC_MESSAGES/djangojs.po, which the JavaScript catalogue reads the same way.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = [
    # django/contrib/auth/forms.py, admin.py: the password section of a user's page.
    gettext_noop("Password-based authentication"),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, "
        "they may still be able to authenticate using other backends, such as Single Sign-On "
        "or LDAP."
    ),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    gettext_noop("Reset password"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Enable password-based authentication for this user by setting a password."),
    gettext_noop("Password-based authentication was disabled."),
    gettext_noop("Set password: %s"),
    gettext_noop("Conflicting form data submitted. Please try again."),
    gettext_noop(
        "This action will <strong>enable</strong> password-based authentication for this user."
    ),
    # Django's Arabic and Persian leave these two in Latin letters.
    gettext_noop("salt"),
    gettext_noop("hash"),
    # Django's Arabic and Persian name the keys in Latin letters.
    gettext_noop("Hold down “Control”, or “Command” on a Mac, to select more than one."),
    # django/contrib/admin: missing in Persian.
    gettext_noop("Breadcrumbs"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("Model name"),
    gettext_noop("In case you’ve forgotten, you are:"),
]

PLURAL_MESSAGES = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", "count"),
    ngettext_lazy("entry", "entries", "count"),
]

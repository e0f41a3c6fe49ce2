from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from khabar.comments.identity import normalise_email
from khabar.comments.text import clean_text, has_lone_surrogate
from khabar.lib.dates import localize_digits


class AddressField(forms.EmailField):
    """An e-mail address in its one spelling (identity.normalise_email): invisible characters
    removed, lower-case, the domain in ASCII. It is checked, stored and hashed in that form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        self.error_messages.setdefault("invalid", _("This e-mail address does not look right."))
        self.validators = []  # normalise_email validates the folded address

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        try:
            return normalise_email(value)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "This is not a valid e-mail address, even without spaces and invisible "
                    "characters. Please check it."
                ),
                code="invalid",
            ) from None


class CommentForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        error_messages={"required": _("Please write your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    email = AddressField(
        label=_("E-mail (optional, never shown)"),
        required=False,
        error_messages={"invalid": _("This e-mail address does not look right.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    body = forms.CharField(
        label=_("Your comment"),
        strip=False,
        error_messages={"required": _("Please write your comment.")},
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )
    notify_on_publish = forms.BooleanField(
        label=_("E-mail me when my comment is published"), required=False
    )
    notify_on_reply = forms.BooleanField(
        label=_("E-mail me when someone replies to it"), required=False
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    altcha = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
    # A field people never see and programs fill in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, numbering_system: str = "latn", **kwargs):
        super().__init__(*args, **kwargs)
        # The edition's digits, for the numbers in the messages its readers see.
        self.numbering_system = numbering_system
        limit = settings.KHABAR_COMMENT_MAX_LENGTH
        self.fields["body"].widget.attrs["maxlength"] = limit
        self.fields["body"].widget.attrs["data-max-length"] = limit

    def clean_body(self):
        body = self.cleaned_data["body"]
        if has_lone_surrogate(body):
            raise forms.ValidationError(_("The comment contains characters that cannot be read."))
        body = clean_text(body)
        if not body:
            raise forms.ValidationError(_("Please write your comment."))
        limit = settings.KHABAR_COMMENT_MAX_LENGTH
        if len(body) > limit:
            raise forms.ValidationError(
                _("A comment is at most %(limit)s characters; this one has %(length)s.")
                % {
                    "limit": localize_digits(str(limit), self.numbering_system),
                    "length": localize_digits(str(len(body)), self.numbering_system),
                }
            )
        return body

    def clean_name(self):
        name = clean_text(self.cleaned_data["name"]).replace("\n", " ")
        if not name or has_lone_surrogate(name):
            raise forms.ValidationError(_("Please write your name."))
        return name

    def clean(self):
        data = super().clean()
        if (data.get("notify_on_publish") or data.get("notify_on_reply")) and not data.get("email"):
            self.add_error("email", _("Give an e-mail address to receive messages."))
        return data


class EditCommentForm(forms.Form):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}))
    note = forms.CharField(label=_("Why it was edited (shown to readers)"), max_length=200)

    def clean_body(self):
        body = clean_text(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError(_("Please write your comment."))
        return body


class PrivacyRequestForm(forms.Form):
    email = AddressField(label=_("E-mail address you commented with"))

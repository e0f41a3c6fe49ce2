from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khabar.lib.html import clean_body
from khabar.news.models import Article, Author, CommentMode, Section, Tag
from khabar.newsroom import actions
from khabar.newsroom.roles import edition_label

# The fields written in the story's language: they take its direction and language (lang),
# whatever the desk's own language is, so that an English story in an Arabic desk is typed
# left to right in a Latin font and a Persian one right to left.
EDITION_TEXT_FIELDS = ("headline", "lead", "body", "tags", "new_author")


class EditionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, edition):
        return edition_label(edition)


def _addresses(refused: list[str]) -> str:
    """The first few refused addresses, each once, for the message."""
    addresses = list(dict.fromkeys(a.strip()[:200] for a in refused))
    return "، ".join(addresses[:10]) + ("، …" if len(addresses) > 10 else "")


class StoryForm(forms.Form):
    headline = forms.CharField(
        label=_("Headline"),
        max_length=300,
        error_messages={"required": _("A story needs a headline.")},
        widget=forms.TextInput(attrs={"dir": "auto", "data-headline": "", "autocomplete": "off"}),
    )
    lead = forms.CharField(
        label=_("Lead"), required=False, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "dir": "auto", "data-body-source": ""}),
    )
    section = forms.ModelChoiceField(label=_("Section"), queryset=Section.objects.none())
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas; new ones are created."),
        widget=forms.TextInput(attrs={"dir": "auto", "list": "tag-suggestions",
                                      "data-tags": "", "autocomplete": "off"}),
    )  # fmt: skip
    authors = forms.ModelMultipleChoiceField(
        label=_("Authors"),
        required=False,
        queryset=Author.objects.all(),
        help_text=_("The byline readers see. Hold Ctrl (or ⌘) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 4, "aria-describedby": "authors-hint"}),
    )
    new_author = forms.CharField(
        label=_("New authors"),
        max_length=300,
        required=False,
        help_text=_(
            "Names not in the list above, separated by commas: they are added to the byline "
            "when you save."
        ),
        widget=forms.TextInput(
            attrs={"dir": "auto", "autocomplete": "off", "aria-describedby": "new-author-hint"}
        ),
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    comment_mode = forms.ChoiceField(
        label=_("Comments"),
        required=False,
        choices=[("", _("As the edition says")), *CommentMode.choices],
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, edition, editions=None, can_create_tags=False, **kwargs):
        """`editions`: for a new story, the editions it may be written in, offered as a
        choice (the view takes the edition from the same field, so `edition` is the one
        picked)."""
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.can_create_tags = can_create_tags
        if editions is not None:
            self.fields["edition"] = EditionChoiceField(
                label=_("Edition"),
                queryset=editions,
                to_field_name="code",
                empty_label=None,
                # Left out, the view's edition stands (?edition= of older links, else the
                # person's first edition): the field only names it.
                required=False,
                help_text=_("The edition the story is written for: its sections, its language."),
                widget=forms.Select(attrs={"data-edition-picker": "",
                                           "aria-describedby": "edition-hint"}),
            )  # fmt: skip
            self.order_fields(["edition"])
        self.fields["section"].queryset = Section.objects.filter(edition=edition)
        for name in EDITION_TEXT_FIELDS:
            self.fields[name].widget.attrs.update(
                {"lang": edition.language, "dir": edition.direction, "data-edition-text": ""}
            )
        self.fields["tags"].widget.attrs["data-suggest-url"] = (
            f"{reverse('newsroom_tags')}?edition={edition.code}"
        )

    def clean_body(self):
        """Cleaned once here; Article.save keeps it as it is (CleanBody). A link or image the
        rules drop is named to the journalist, not dropped behind their back: the story would
        otherwise lose a source link or a picture without anyone noticing."""
        refused: list[str] = []
        body = clean_body(self.cleaned_data["body"], refused)  # BodyRefused: too long or deep
        if refused:
            raise forms.ValidationError(
                _("These links or images cannot be kept: %(addresses)s. A link is a full "
                  "address starting with https:// or a path on this site starting with a "
                  "single /; an image comes from the site's image library.")
                % {"addresses": _addresses(refused)},
                code="body_addresses",
            )  # fmt: skip
        if not body:
            raise forms.ValidationError(_("Write the body of the story."))
        return body

    def clean_tags(self):
        names = []
        for raw in self.cleaned_data["tags"].replace("،", ",").split(","):
            name = " ".join(raw.split())
            if name and name not in names:
                names.append(name[:100])
        existing = {t.name: t for t in Tag.objects.filter(edition=self.edition, name__in=names)}
        missing = [n for n in names if n not in existing]
        if missing and not self.can_create_tags:
            raise forms.ValidationError(
                _("These tags do not exist yet: %(tags)s") % {"tags": "، ".join(missing)}
            )
        self.new_tag_names = missing
        return [existing.get(n) or n for n in names]

    def clean_new_author(self):
        """Names separated by commas, each with its spaces tidied."""
        names = []
        for raw in self.cleaned_data["new_author"].replace("،", ",").split(","):
            name = " ".join(raw.split())
            if name and name not in names:
                names.append(name)
        return names

    def story_fields(self) -> dict:
        """The cleaned values as the actions take them; new tags are created here through
        actions.tags_named, so call it inside the story's transaction. A new author is passed
        by name: the action creates it (or finds it) in the story's own transaction."""
        data = self.cleaned_data
        tags = actions.tags_named(self.edition, data["tags"])
        return {
            "headline": data["headline"],
            "lead": data["lead"],
            "body": data["body"],
            "section": data["section"],
            "source": data["source"],
            "comment_mode": data["comment_mode"],
            "tags": tags,
            "authors": list(data["authors"]),
            "new_authors": data["new_author"],
        }

    @classmethod
    def initial_for(cls, article: Article) -> dict:
        return {
            "headline": article.headline,
            "lead": article.lead,
            "body": article.body,
            "section": article.section_id,
            "tags": "، ".join(t.name for t in article.tags.all()),
            "authors": [a.pk for a in article.authors.all()],
            "source": article.source,
            "comment_mode": article.comment_mode,
            "base_revision": article.revision,
        }


class TimeForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "aria-describedby": "at-zone"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("update", _("Update")), ("correction", _("Correction"))]
    )
    note = forms.CharField(
        label=_("Note for readers"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

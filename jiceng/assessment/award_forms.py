"""Forms of the award and accountability-review pages: they parse what was typed; the rules
are in services.awards and services.reviews."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.forms import BootstrapForm

from .models import FollowUpKind, Rating, TitleKind


class OpenAwardForm(BootstrapForm):
    org = forms.CharField(label=_("Awarding organization (code)"), max_length=40)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Title"), choices=TitleKind.choices)


class QuotaForm(BootstrapForm):
    org = forms.CharField(label=_("Subordinate organization (code)"), max_length=40)
    count = forms.IntegerField(label=_("Quota"), min_value=0, max_value=999)


class NominateForm(BootstrapForm):
    by_org = forms.ChoiceField(label=_("Nominating organization"))
    nominee_org = forms.CharField(
        label=_("Nominee organization (code)"), max_length=40, required=False
    )
    nominee_person = forms.IntegerField(label=_("Nominee member (number)"), required=False)
    deeds = forms.CharField(label=_("Main deeds"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by_org"].choices = [(o.code, o.name) for o in orgs]


class DecideAwardsForm(BootstrapForm):
    document_number = forms.CharField(label=_("Document number of the decision"), max_length=60)
    rejected = forms.CharField(
        label=_("Nominations not approved (numbers, separated by commas)"),
        max_length=400,
        required=False,
    )

    def rejected_ids(self) -> dict[int, str]:
        text = self.cleaned_data.get("rejected") or ""
        return {int(x): "" for x in text.replace("，", ",").split(",") if x.strip().isdigit()}


class OpenReviewForm(BootstrapForm):
    org = forms.CharField(label=_("Reviewing organization (code)"), max_length=40)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class ReportForm(BootstrapForm):
    secretary = forms.CharField(label=_("Secretary"), max_length=60)
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 10}))
    attachment = forms.CharField(label=_("Attachment (link)"), max_length=200, required=False)


class RatingForm(BootstrapForm):
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)


class FollowUpForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUpKind.choices)
    text = forms.CharField(label=_("Item"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CloseFollowUpForm(BootstrapForm):
    note = forms.CharField(label=_("What was done"), max_length=4000)

"""Forms of the democratic evaluation pages: they only parse what was typed; the rules (order of
stages, the excellent cap, deadlines) are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.forms import BootstrapForm

from .models import GRADE_ORDER


def _date(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _grades():
    return [(g.value, g.label) for g in GRADE_ORDER]


class CampaignForm(BootstrapForm):
    """Which campaign a write is about (a hidden field on every form of the campaign page)."""

    year = forms.IntegerField(min_value=1949, max_value=2999, widget=forms.HiddenInput)


class OpenCampaignForm(BootstrapForm):
    year = forms.IntegerField(label=_("Year evaluated"), min_value=1949, max_value=2999)
    on = _date(_("Opened on"))


class StageForm(CampaignForm):
    step = forms.CharField(max_length=20, widget=forms.HiddenInput)
    on = _date(_("Date"))


class GradeForm(CampaignForm):
    evaluee = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    grade = forms.ChoiceField(label=_("Grade"), choices=_grades)
    on = _date(_("Decided on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)


class OpinionForm(CampaignForm):
    evaluee = forms.TypedChoiceField(label=_("About"), required=False, coerce=int, empty_value=None)
    given_by = forms.CharField(label=_("Given by"), max_length=100)
    text = forms.CharField(
        label=_("Opinion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    received_on = _date(_("Received on"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluee"].choices = [("", _("The branch as a whole"))] + [
            (e.pk, e.name) for e in members
        ]


class HandlingForm(CampaignForm):
    evaluee = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    step = forms.CharField(max_length=20, widget=forms.HiddenInput)
    on = _date(_("Date"))
    deadline = forms.DateField(
        label=_("Correct by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    approval = forms.CharField(
        label=_("Approval document number of the upper Party committee"),
        required=False,
        max_length=100,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, step: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if step and step != "correct":
            del self.fields["deadline"]
        if step and step != "remove":
            del self.fields["approval"]

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("deadline", "approval") if d.get(k) not in (None, "")}


class BallotForm(BootstrapForm):
    """One grade per member (buttons, quick on a phone). A member's own ballot grades every other
    member; a paper ballot entered by an officer may leave some blank."""

    def __init__(self, *args, members, paper=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for e in self.members:
            self.fields[f"g{e.pk}"] = forms.ChoiceField(
                label=e.name,
                choices=_grades(),
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
        self.paper = paper

    def rows(self):
        return [(e, self[f"g{e.pk}"]) for e in self.members]

    def grades(self) -> dict[int, str]:
        return {e.pk: self.cleaned_data.get(f"g{e.pk}") or "" for e in self.members}

"""Forms of the member pages: they parse what was typed; the rules live in the services."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.ui.forms import BootstrapForm

from .models import Category, Floating, Gender, Stage
from .selectors import ANY_FLOATING, CURRENT_STAGES, FLAGS

EARLIEST = dt.date(1900, 1, 1)

FLAG_LABELS = {
    "hardship": _("In hardship"),
    "veteran": _("Veteran member"),
    "reserve_cadre": _("Reserve cadre"),
    "without_post": _("Without a post"),
    "never_reported": _("Never reported in"),
    "left_hanging": _("Left hanging"),
    "unreachable": _("Unreachable"),
}
# The field of a step's form that its data requirement is about (refusals are shown there).
STEP_DATA_FIELD = {"introducers": "introducers", "training": "hours", "notice": "days"}


def step_date(label=None):
    return forms.DateField(
        label=label or _("Date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def past_or_today(day: dt.date) -> dt.date:
    if day > timezone.localdate():
        raise ValidationError(gettext("The date cannot be in the future."))
    if day < EARLIEST:
        raise ValidationError(gettext("The date is too early."))
    return day


class MemberFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Name or ID number"), required=False, max_length=60)
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[
            ("", _("In the Party or the pipeline")),
            *[(k, v) for k, v in Stage.choices if k in CURRENT_STAGES],
            ("all", _("All records, including exits")),
            *[(k, v) for k, v in Stage.choices if k not in CURRENT_STAGES],
        ],
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *Category.choices]
    )
    floating = forms.ChoiceField(
        label=_("Floating"),
        required=False,
        choices=[
            ("", _("Any")),
            (ANY_FLOATING, _("Floating (out or in)")),
            *[(k, v) for k, v in Floating.choices if k],
        ],
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", _("Any")), *Gender.choices]
    )
    org = forms.CharField(label=_("Organization code"), required=False, max_length=32)
    flag = forms.MultipleChoiceField(
        label=_("Flags"),
        required=False,
        choices=[(f, FLAG_LABELS[f]) for f in FLAGS],
        widget=forms.CheckboxSelectMultiple,
    )

    def filters(self) -> dict:
        """Keyword arguments for `selectors.member_list` (fields with invalid input are ignored)."""
        d = {}
        if self.is_bound:
            self.is_valid()
            d = self.cleaned_data  # the valid fields only
        return {
            "query": d.get("q") or "",
            "stage": d.get("stage") or None,
            "category": d.get("category") or None,
            "floating": d.get("floating") or None,
            "gender": d.get("gender") or None,
            "org_code": (d.get("org") or "").strip() or None,
            "flags": d.get("flag") or [],
        }


class StepForm(BootstrapForm):
    """Record one pipeline step; the data fields depend on the step."""

    on = step_date()
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, step: str, introducers=(), **kwargs):
        kwargs.setdefault("prefix", step)  # several steps' forms on one page
        super().__init__(*args, **kwargs)
        self.step_key = step
        if step == "introducers":
            field = forms.TypedMultipleChoiceField(
                label=_("Introducers (two full members of the branch)"),
                choices=list(introducers),
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields["introducers"] = field
        elif step == "training":
            self.fields["hours"] = forms.DecimalField(
                label=_("Training hours"), min_value=0, max_value=1000, decimal_places=1
            )
        elif step == "notice":
            self.fields["days"] = forms.IntegerField(
                label=_("Days of public notice"), min_value=0, max_value=365
            )
        for name in ("hours", "days"):  # added after BootstrapForm styled the widgets
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-control"
        # The note last, after the step's own data.
        self.order_fields(["on", *[f for f in self.fields if f not in ("on", "note")], "note"])

    def clean_on(self):
        return past_or_today(self.cleaned_data["on"])

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        if self.step_key == "introducers":
            return {"introducers": d["introducers"]}
        if self.step_key == "training":
            return {"hours": float(d["hours"])}
        if self.step_key == "notice":
            return {"days": d["days"]}
        return {}

    def service_error_field(self) -> str | None:
        return STEP_DATA_FIELD.get(self.step_key)


class ApplicantForm(BootstrapForm):
    """A new applicant: the person and the date the branch received the application."""

    name = forms.CharField(label=_("Full name"), max_length=60)
    id_number = forms.CharField(
        label=_("Citizen ID number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("Birth date and gender are taken from it; stored encrypted."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    on = step_date(_("Application received on"))

    def clean_on(self):
        return past_or_today(self.cleaned_data["on"])


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "id_number"), ("phone", "phone")])

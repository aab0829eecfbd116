"""Forms of the member pages: they parse what was typed; the rules live in the services."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.forms import BootstrapForm

from .choices import ETHNICITIES
from .models import Category, DisciplineKind, Education, Floating, Gender, Stage
from .selectors import ANY_FLOATING, CURRENT_STAGES, FLAGS

EARLIEST = dt.date(1900, 1, 1)

FLAG_LABELS = {
    "dual_checkin": _("Registered with the residence community"),
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


# --- Transfers, floating members, development plans, delegates ------------------------------


def _text(label, *, required=True, max_length=120, rows=0, **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs)
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


class PastDateForm(BootstrapForm):
    """A form whose `on` (when given) may not lie in the future."""

    def clean_on(self):
        return past_or_today(self.cleaned_data["on"])


class TransferForm(PastDateForm):
    """Issue an introduction letter: to an organization in the system (by code) or outside it."""

    to_org = _text(
        _("Receiving organization in the system (code)"),
        required=False,
        max_length=32,
        list="receiver-choices",
        autocomplete="off",
    )
    to_outside = _text(_("Or: an organization outside the system (full name)"), required=False)
    letter_number = _text(_("Introduction letter number"), max_length=40)
    on = step_date(_("Issued on"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("prefix", "transfer")
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        from jiceng.orgs.models import Organization

        from .selectors import receiving_org

        data = super().clean()
        code = (data.get("to_org") or "").strip()
        outside = (data.get("to_outside") or "").strip()
        data["receiver"] = None
        if bool(code) == bool(outside):
            raise ValidationError(
                gettext("Name the receiving organization: one in the system or one outside it.")
            )
        if code:
            try:
                data["receiver"] = receiving_org(self.user, code)
            except Organization.DoesNotExist:
                self.add_error(
                    "to_org",
                    gettext("No Party organization in operation has the code %(code)s.")
                    % {"code": code},
                )
        return data


TRANSFER_STEPS = ("accept", "reject", "report")


class TransferStepForm(PastDateForm):
    """Accept, reject (with the reason) or record the report-in of a letter."""

    on = step_date()

    def __init__(self, *args, step: str, **kwargs):
        kwargs.setdefault("prefix", step)
        super().__init__(*args, **kwargs)
        self.step_key = step
        if step == "reject":
            self.fields["reason"] = forms.CharField(
                label=_("Reason for rejection"),
                max_length=200,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )


class OutflowForm(PastDateForm):
    place = _text(_("Where the member has gone"))
    on = step_date(_("Left on"))
    contact_person = _text(_("Designated contact person"), max_length=60)
    contact_phone = _text(
        _("Phone while away"), required=False, max_length=20, inputmode="tel", autocomplete="off"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "outflow")
        super().__init__(*args, **kwargs)


class InflowForm(PastDateForm):
    org = _text(
        _("Branch the member is assigned to (code)"),
        max_length=32,
        list="receiver-choices",
        autocomplete="off",
    )
    origin = _text(_("Where the member comes from"))
    on = step_date(_("Arrived on"))
    contact_person = _text(_("Contact person"), required=False, max_length=60)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("prefix", "inflow")
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_org(self):
        from jiceng.orgs.forms import resolve_org
        from jiceng.orgs.models import Tree

        return resolve_org(self.user, self.cleaned_data["org"], action="manage", tree=Tree.PARTY)


class CardForm(PastDateForm):
    card_number = _text(_("Activity card number"), max_length=40)
    on = step_date(_("Issued on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "card")
        super().__init__(*args, **kwargs)


class FollowUpForm(PastDateForm):
    on = step_date()
    thinking = _text(_("Thinking"), required=False, max_length=2000, rows=2)
    employment = _text(_("Employment"), required=False, max_length=2000, rows=2)
    living = _text(_("Living"), required=False, max_length=2000, rows=2)
    note = _text(_("Note"), required=False, max_length=2000, rows=2)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "follow_up")
        super().__init__(*args, **kwargs)


class ReturnForm(PastDateForm):
    on = step_date(_("Floating ended on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)


class MonthForm(BootstrapForm):
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-\d{2}$",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        error_messages={"invalid": _("Enter the month as YYYY-MM.")},
    )

    def clean_month(self):
        from .selectors import month_bounds

        first, _last = month_bounds(self.cleaned_data["month"])  # ValidationError if not a month
        return f"{first:%Y-%m}"


class PlanForm(BootstrapForm):
    """An annual plan (first year = last year) or a plan over up to five years."""

    first_year = forms.IntegerField(label=_("First year"), min_value=1949, max_value=2200)
    last_year = forms.IntegerField(
        label=_("Last year"),
        min_value=1949,
        max_value=2200,
        required=False,
        help_text=_("Leave empty for an annual plan; a five-year plan ends four years later."),
    )
    target = forms.IntegerField(label=_("Members to admit"), min_value=0, max_value=10**6)
    groups = _text(
        _("Composition targets"),
        required=False,
        max_length=2000,
        rows=3,
        placeholder="青年：3\n女性：2",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].help_text = _(
            "One group per line: the group, a colon and the number to admit (optional)."
        )

    def clean_last_year(self):
        return self.cleaned_data.get("last_year") or self.cleaned_data.get("first_year")

    def clean_groups(self):
        import re

        groups = {}
        for line in (self.cleaned_data["groups"] or "").splitlines():
            if not line.strip():
                continue
            match = re.fullmatch(r"\s*(.+?)\s*[:：]\s*(\d{1,6})\s*", line)
            if match is None:
                raise ValidationError(
                    gettext("Write each line as “group: number”, e.g. 青年：3 (line “%(line)s”).")
                    % {"line": line.strip()}
                )
            groups[match.group(1)] = int(match.group(2))
        return groups


class DelegateForm(BootstrapForm):
    member_number = _text(_("Member number"), max_length=32, autocomplete="off")
    category = forms.ChoiceField(label=_("Delegate category"))
    term_from = step_date(_("Term from"))
    term_until = forms.DateField(
        label=_("Term until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty while the term runs."),
    )

    def __init__(self, *args, **kwargs):
        from .models import DelegateCategory

        kwargs.setdefault("prefix", "seat")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = DelegateCategory.choices


class EndSeatForm(PastDateForm):
    seat = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    on = step_date(_("Seat ends on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "end")
        super().__init__(*args, **kwargs)


class ReceiveForm(PastDateForm):
    """A member arriving with a letter from an organization outside the system."""

    name = _text(_("Full name"), max_length=60)
    id_number = _text(_("Citizen ID number"), max_length=24, autocomplete="off")
    phone = _text(_("Phone"), required=False, max_length=20, inputmode="tel", autocomplete="off")
    from_outside = _text(_("Sending organization outside the system (full name)"))
    letter_number = _text(_("Introduction letter number"), required=False, max_length=40)
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[(k, v) for k, v in Stage.choices if k in ("probationary", "full")],
        initial="full",
    )
    joined_on = forms.DateField(
        label=_("Admitted on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    full_on = forms.DateField(
        label=_("Full member since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    on = step_date(_("Reported in on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "receive")
        super().__init__(*args, **kwargs)


# --- A member's category and flags; a person's photo ----------------------------------------

# The flags an officer sets by hand ("never reported in" is the transfers' to set and clear).
EDITABLE_FLAGS = (
    "dual_checkin",
    "hardship",
    "veteran",
    "reserve_cadre",
    "without_post",
    "left_hanging",
    "unreachable",
)


class MembershipEditForm(PastDateForm):
    """Correct a member's category, composition group and flags (services.update_membership)."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    composition = _text(_("Composition group"), required=False, max_length=40)
    flags = forms.MultipleChoiceField(
        label=_("Flags"),
        required=False,
        choices=[(f, FLAG_LABELS[f]) for f in EDITABLE_FLAGS],
        widget=forms.CheckboxSelectMultiple,
    )
    on = step_date(_("In force from"))

    def __init__(self, *args, membership=None, **kwargs):
        kwargs.setdefault("prefix", "membership")
        if membership is not None:
            kwargs.setdefault(
                "initial",
                {
                    "category": membership.category,
                    "composition": membership.composition,
                    "flags": [f for f in EDITABLE_FLAGS if getattr(membership, f)],
                },
            )
        super().__init__(*args, **kwargs)

    def fields_for_service(self) -> dict:
        d = self.cleaned_data
        flags = set(d["flags"])
        return {
            "category": d["category"],
            "composition": d["composition"].strip(),
            **{f: f in flags for f in EDITABLE_FLAGS},
        }


class PhotoForm(BootstrapForm):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("A JPG or PNG image."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "photo")
        super().__init__(*args, **kwargs)


class IdNumberForm(BootstrapForm):
    """An officer's correction of a person's citizen ID number (checked like a new one)."""

    id_number = _text(_("Correct ID number"), max_length=24, autocomplete="off")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "identity")
        super().__init__(*args, **kwargs)


class PersonDetailsForm(BootstrapForm):
    """An officer's entry of a person's basic details (services.update_person checks them).

    Ethnicity and education are selects, but what is posted goes to the service, which refuses
    a value off its list. The phone is never shown: empty leaves it as it is. Units are named
    by their credit code (empty: none).
    """

    ethnicity = forms.CharField(
        label=_("Ethnicity"),
        required=False,
        max_length=40,
        widget=forms.Select(choices=[("", "—"), *ETHNICITIES]),
    )
    education = forms.CharField(
        label=_("Education"),
        required=False,
        max_length=40,
        widget=forms.Select(choices=[("", "—"), *Education.choices]),
    )
    occupation = _text(_("Occupation"), required=False, max_length=60)
    post = _text(_("Post"), required=False, max_length=60)
    employer = _text(
        _("Employer (unified social credit code)"),
        required=False,
        max_length=24,
        autocomplete="off",
    )
    residence = _text(
        _("Residence community (unified social credit code)"),
        required=False,
        max_length=24,
        autocomplete="off",
    )
    phone = _text(_("Phone"), required=False, max_length=20, inputmode="tel", autocomplete="off")

    def __init__(self, *args, user, person=None, **kwargs):
        kwargs.setdefault("prefix", "details")
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "ethnicity": person.ethnicity,
                    "education": person.education,
                    "occupation": person.occupation,
                    "post": person.post,
                    "employer": person.employer.credit_code if person.employer else "",
                    "residence": person.residence.credit_code if person.residence else "",
                },
            )
        super().__init__(*args, **kwargs)
        self.user, self.person = user, person
        masked = person.phone_masked if person is not None else ""
        self.fields["phone"].help_text = (
            gettext("On record: %(phone)s. Leave empty to keep it.") % {"phone": masked}
            if masked
            else gettext("None on record.")
        )

    def _unit(self, name):
        from jiceng.orgs.forms import resolve_units
        from jiceng.orgs.services.units import clean_credit_code

        code = clean_credit_code(self.cleaned_data[name])
        if not code:
            return None
        current = getattr(self.person, name, None)
        if current is not None and current.credit_code == code:
            return current  # kept as it is, even when out of the officer's sight
        return resolve_units(self.user, code)[0]

    def clean_employer(self):
        return self._unit("employer")

    def clean_residence(self):
        return self._unit("residence")

    def fields_for_service(self) -> dict:
        d = self.cleaned_data
        fields = {f: d[f].strip() for f in ("ethnicity", "education", "occupation", "post")}
        fields.update(employer=d["employer"], residence=d["residence"])
        if d["phone"].strip():
            fields["phone"] = d["phone"]
        return fields


# --- union members: joining, changes, leaving ----------------------------------------------


class UnionJoinForm(BootstrapForm):
    """A new union member: a registered person (found by ID number) or one registered here."""

    name = _text(_("Full name"), max_length=60)
    id_number = _text(_("Citizen ID number"), max_length=24, autocomplete="off")
    phone = _text(_("Phone"), required=False, max_length=20, inputmode="tel", autocomplete="off")
    member_number = _text(_("Member number"), max_length=32, autocomplete="off")
    joined_on = step_date(_("Joined the union on"))
    status = forms.ChoiceField(label=_("Status"), initial="working")
    migrant_worker = forms.BooleanField(label=_("Migrant worker"), required=False)
    card_issued = forms.BooleanField(label=_("Member card issued"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import UnionStatus

        kwargs.setdefault("prefix", "join")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (k, v) for k, v in UnionStatus.choices if k != UnionStatus.LEFT
        ]

    def clean_joined_on(self):
        return past_or_today(self.cleaned_data["joined_on"])


class UnionChangeForm(PastDateForm):
    """A member's status and categories; `on` dates a retirement."""

    status = forms.ChoiceField(label=_("Status"))
    on = step_date(_("Retired on (when retiring)"))
    migrant_worker = forms.BooleanField(label=_("Migrant worker"), required=False)
    card_issued = forms.BooleanField(label=_("Member card issued"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import UnionStatus

        kwargs.setdefault("prefix", "change")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (k, v) for k, v in UnionStatus.choices if k != UnionStatus.LEFT
        ]


class UnionLeaveForm(PastDateForm):
    on = step_date(_("Left the union on"))
    reason = _text(_("Reason for leaving"), max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "leave")
        super().__init__(*args, **kwargs)


class DisciplineForm(BootstrapForm):
    """A Party disciplinary sanction (党纪处分) entered on the member's record."""

    kind = forms.ChoiceField(label=_("Sanction"), choices=DisciplineKind.choices)
    decided_on = forms.DateField(
        label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_by = forms.CharField(label=_("Decided by"), max_length=120)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    valid_until = forms.DateField(
        label=_("In force until (probation)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

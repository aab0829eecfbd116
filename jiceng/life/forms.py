"""Forms of the organizational-life pages: they parse what was typed; the rules (windows,
freezing, who may do what) live in `life.services`, whose ValidationErrors go back on the form."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.forms import BootstrapForm
from jiceng.orgs.models import Tree
from jiceng.people import selectors as people

from .models import ItemKind, MeetingKind

# Which kinds a Party organization or a trade union holds (what the schedule form offers).
UNION_KINDS = [
    MeetingKind.UNION_ASSEMBLY,
    MeetingKind.UNION_COMMITTEE,
    MeetingKind.UNION_GROUP,
    MeetingKind.WORKERS_CONGRESS,
]
PARTY_KINDS = [k for k in MeetingKind if k not in UNION_KINDS]
PEOPLE_LIMIT = 500  # a branch or union has tens of people; a federation picks by hand elsewhere
BLANK = [("", "—")]


def kind_choices(org) -> list[tuple[str, str]]:
    kinds = UNION_KINDS if org.tree == Tree.UNION else PARTY_KINDS
    return [(k.value, k.label) for k in kinds]


def person_choices(user, org) -> list[tuple[int, str]]:
    """(person id, name) of the organization's own people: Party members (full and probationary)
    of a Party organization, current members of a trade union; as the user may see them."""
    if org.tree == Tree.UNION:
        rows = people.union_members(user, org).filter(org=org, left_on__isnull=True)
    else:
        rows = people.member_list(user, org_code=org.code).filter(
            org=org, stage__in=["probationary", "full"]
        )
    rows = rows.order_by("person__name", "person_id").values_list("person_id", "person__name")
    return list(rows[:PEOPLE_LIMIT])


def _date(label, **kw):
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kw
    )


def _time(label, **kw):
    return forms.TimeField(
        label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), **kw
    )


class MeetingFieldsForm(BootstrapForm):
    """Topic, day, start and end time, place, host and recorder (schedule and edit)."""

    topic = forms.CharField(label=_("Topic"), max_length=200)
    day = _date(_("Date"), initial=timezone.localdate)
    start = _time(_("Starts at"))
    end = _time(_("Ends at"))
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    host = forms.TypedChoiceField(label=_("Host"), coerce=int, required=False, empty_value=None)
    recorder = forms.TypedChoiceField(
        label=_("Recorder"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, people_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = dict(people_choices)
        for name in ("host", "recorder"):
            self.fields[name].choices = BLANK + list(people_choices)

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            if end <= start:
                self.add_error("end", gettext("The meeting must end after it starts."))
            else:
                tz = timezone.get_current_timezone()
                data["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start), tz)
                data["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end), tz)
        return data

    def meeting_fields(self, persons: dict) -> dict:
        """The keyword arguments of the services (`persons`: id → Person)."""
        d = self.cleaned_data
        return {
            "topic": d["topic"],
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "place": d["place"],
            "host": persons.get(d["host"]),
            "recorder": persons.get(d["recorder"]),
        }


class ScheduleForm(MeetingFieldsForm):
    kind = forms.ChoiceField(label=_("Kind"))
    attendees = forms.TypedMultipleChoiceField(
        label=_("Attendees"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "For committee meetings, group meetings and talks: who is expected (a committee "
            "meeting already expects the committee of the term in force; add others here). For "
            "the other kinds the expected attendees follow from the records (members, union "
            "members, delegates)."
        ),
    )
    plan_item = forms.TypedChoiceField(
        label=_("Item of the annual plan"), coerce=int, required=False, empty_value=None
    )

    field_order = ["kind", "topic", "day", "start", "end", "place", "host", "recorder"]

    def __init__(self, *args, org, people_choices=(), plan_choices=(), **kwargs):
        super().__init__(*args, people_choices=people_choices, **kwargs)
        self.fields["kind"].choices = kind_choices(org)
        self.fields["attendees"].choices = list(people_choices)
        self.fields["plan_item"].choices = BLANK + list(plan_choices)
        if not plan_choices:
            del self.fields["plan_item"]


class CancelForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CodeForm(BootstrapForm):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "class": "form-control-lg text-center font-monospace",
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise ValidationError(gettext("The sign-in code is made of digits."))
        return code


class LeaveForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason for leave"), max_length=200)


class MinutesForm(BootstrapForm):
    content = forms.CharField(
        label=_("Content of the meeting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ItemForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    speaker = forms.TypedChoiceField(
        label=_("Speaker"), coerce=int, required=False, empty_value=None
    )
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = BLANK + list(people_choices)


class BaseItemFormSet(forms.BaseFormSet):
    def items(self, persons: dict) -> list[tuple[str, str, object]]:
        """(kind, text, speaker Person or None) of the rows with text, in order."""
        rows = []
        for form in self.forms:
            d = getattr(form, "cleaned_data", None) or {}
            text = (d.get("text") or "").strip()
            if text:
                rows.append((d["kind"], text, persons.get(d.get("speaker"))))
        return rows


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=2, max_num=200)


class ActionItemForm(BootstrapForm):
    text = forms.CharField(label=_("Task"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due_on = _date(_("Due on"))

    def __init__(self, *args, people_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = BLANK + list(people_choices)


class CloseActionForm(BootstrapForm):
    item = forms.IntegerField(widget=forms.HiddenInput)
    follow_up = forms.CharField(label=_("Follow-up"), required=False, max_length=2000)


class AttachmentForm(BootstrapForm):
    file = forms.FileField(label=_("Photo or document"))


class CorrectionForm(BootstrapForm):
    target = forms.ChoiceField(label=_("What is corrected"))
    new = forms.CharField(label=_("Corrected text"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)


class PersonForm(BootstrapForm):
    person = forms.IntegerField(widget=forms.HiddenInput)


class DecideLeaveForm(BootstrapForm):
    leave = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )


class PlanForm(BootstrapForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PlanItemForm(BootstrapForm):
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=BLANK + [(m, m) for m in range(1, 13)],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = BLANK + (kind_choices(org) if org else [])

    def clean(self):
        d = super().clean()
        filled = [d.get("month"), d.get("kind"), (d.get("topic") or "").strip()]
        if any(filled) and not all(filled):
            raise ValidationError(gettext("Give the month, the kind and the topic of each item."))
        return d


class BasePlanItemFormSet(forms.BaseFormSet):
    def items(self) -> list[tuple[int, str, str]]:
        rows = []
        for form in self.forms:
            d = getattr(form, "cleaned_data", None) or {}
            if d.get("month") and d.get("kind") and (d.get("topic") or "").strip():
                rows.append((d["month"], d["kind"], d["topic"].strip()))
        return rows


PlanItemFormSet = forms.formset_factory(
    PlanItemForm, formset=BasePlanItemFormSet, extra=3, max_num=200
)

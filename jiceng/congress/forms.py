"""Forms of the congress pages: they parse what was typed; the rules live in the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.forms import BootstrapForm
from jiceng.people.forms import past_or_today, step_date
from jiceng.policy.selectors import value as policy_value

from .models import CongressKind, HeadcountCategory, ProposalState, Satisfaction, SuggestionState


def _date(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _area(label, required=True, rows=3, max_length=4000):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class SessionForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CongressKind.choices)
    term = forms.IntegerField(label=_("Term (届)"), min_value=1, max_value=99)
    number = forms.IntegerField(label=_("Session (次)"), min_value=1, max_value=99)
    held_on = _date(_("Held on"))
    place = forms.CharField(label=_("Place"), required=False, max_length=120)
    theme = forms.CharField(label=_("Theme"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "session")
        super().__init__(*args, **kwargs)


class AttendanceForm(BootstrapForm):
    """The roll as checkboxes (grouped by category in the template) and the other attendees."""

    present = forms.TypedMultipleChoiceField(
        label=_("Delegates present"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, roll=(), counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(e.pk, e.delegate.person.name) for e in roll]
        counts = counts or {}
        for key, label in HeadcountCategory.choices:
            self.fields[f"count_{key}"] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=100_000,
                initial=counts.get(key, 0),
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )

    def headcounts(self) -> dict:
        return {key: self.cleaned_data[f"count_{key}"] for key in HeadcountCategory.values}


ADOPTED_CHOICES = [("", _("Not yet decided")), ("yes", _("Adopted")), ("no", _("Not adopted"))]


class ReportForm(BootstrapForm):
    title = forms.CharField(label=_("Title of the report"), max_length=200)
    reporter = forms.CharField(label=_("Reporter"), required=False, max_length=60)
    adopted = forms.ChoiceField(label=_("Result"), required=False, choices=ADOPTED_CHOICES)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "report")
        super().__init__(*args, **kwargs)

    def adopted_value(self):
        return {"yes": True, "no": False}.get(self.cleaned_data["adopted"])


class ResolutionForm(BootstrapForm):
    text = _area(_("Resolution"))
    votes_for = forms.IntegerField(label=_("For"), min_value=0, max_value=100_000)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, max_value=100_000)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=100_000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "resolution")
        super().__init__(*args, **kwargs)


class ProposalForm(BootstrapForm):
    proposer = forms.TypedChoiceField(label=_("Proposer (delegate)"), coerce=int)
    seconders = forms.TypedMultipleChoiceField(
        label=_("Seconders"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    reasons = _area(_("Reasons"), rows=4)
    measures = _area(_("Suggested measures"), required=False, rows=3)
    on = step_date(_("Submitted on"))

    def __init__(self, *args, delegates=(), own=None, min_seconders=None, **kwargs):
        kwargs.setdefault("prefix", "proposal")
        super().__init__(*args, **kwargs)
        delegates = list(delegates)
        if own is not None:  # a delegate submitting their own proposal
            self.fields["proposer"].choices = [(own.pk, own.person.name)]
            self.fields["proposer"].initial = own.pk
        else:
            self.fields["proposer"].choices = [("", "—"), *delegates]
        self.fields["seconders"].choices = [d for d in delegates if own is None or d[0] != own.pk]
        if min_seconders is not None:
            self.fields["seconders"].help_text = _(
                "At least %(n)s delegates besides the proposer."
            ) % {"n": min_seconders}

    def clean_on(self):
        return past_or_today(self.cleaned_data["on"])


PROPOSAL_FIELD_OF_STEP = {
    "sort": "category",
    "convert": "reason",
    "assign": "department",
    "follow_up": "note",
    "reply": "reply",
    "feedback": "satisfaction",
}


class ProposalStepForm(BootstrapForm):
    """One step of a proposal's handling; the fields depend on the step."""

    on = step_date()

    def __init__(self, *args, step: str, org=None, **kwargs):
        kwargs.setdefault("prefix", step)
        super().__init__(*args, **kwargs)
        self.step_key = step
        extra = {}
        if step == "sort":
            categories = policy_value("congress.proposal.categories", org=org)
            extra["category"] = forms.ChoiceField(
                label=_("Proposal category"), choices=[("", "—"), *[(c, c) for c in categories]]
            )
        elif step == "convert":
            extra["reason"] = forms.CharField(label=_("Reason"), max_length=200)
        elif step == "assign":
            extra["department"] = forms.CharField(label=_("Handling department"), max_length=120)
            extra["leader"] = forms.CharField(label=_("Leader in charge"), max_length=60)
        elif step == "reply":
            extra["reply"] = _area(_("The department's reply"))
        elif step == "feedback":
            extra["satisfaction"] = forms.ChoiceField(
                label=_("Proposer's satisfaction"),
                choices=Satisfaction.choices,
                widget=forms.RadioSelect,
            )
        required_note = step in ("follow_up",)
        extra["note"] = _area(
            _("What was followed up") if required_note else _("Note"),
            required=required_note,
            rows=2,
        )
        for name, field in extra.items():
            if not isinstance(field.widget, forms.RadioSelect):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css
            self.fields[name] = field

    def clean_on(self):
        return past_or_today(self.cleaned_data["on"])

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("on", "note")}

    def field_for_refusals(self) -> str | None:
        return PROPOSAL_FIELD_OF_STEP.get(self.step_key)


class ProposalFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Title or proposer"), required=False, max_length=60)
    category = forms.ChoiceField(label=_("Proposal category"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any")), *ProposalState.choices, ("overdue", _("Reply overdue"))],
    )

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        categories = policy_value("congress.proposal.categories", org=org)
        self.fields["category"].choices = [("", _("Any")), *[(c, c) for c in categories]]


class SuggestionForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    content = _area(_("What is suggested"), rows=4)
    submitter_name = forms.CharField(label=_("Submitted by (name)"), required=False, max_length=60)
    member_number = forms.CharField(
        label=_("Union member number"),
        required=False,
        max_length=32,
        help_text=_("Optional: links the suggestion to the member's record."),
    )
    submitter_unit = forms.CharField(
        label=_("Department or workshop"), required=False, max_length=120
    )
    on = step_date(_("Submitted on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "suggestion")
        super().__init__(*args, **kwargs)

    def clean_on(self):
        return past_or_today(self.cleaned_data["on"])


SUGGESTION_FIELD_OF_STEP = {
    "adopt": "panel",
    "reject": "reason",
    "not_implemented": "reason",
    "reward": "benefit",
}


class SuggestionStepForm(BootstrapForm):
    on = step_date()

    def __init__(self, *args, step: str, **kwargs):
        kwargs.setdefault("prefix", step)
        super().__init__(*args, **kwargs)
        self.step_key = step
        extra = {}
        if step in ("adopt", "reject"):
            extra["panel"] = forms.CharField(
                label=_("Review panel members"),
                max_length=300,
                help_text=_("Names separated by 、 or commas."),
            )
        if step in ("reject", "not_implemented"):
            extra["reason"] = forms.CharField(label=_("Reason"), max_length=300)
        if step == "reward":
            extra["benefit"] = forms.DecimalField(
                label=_("Economic benefit (yuan a year)"),
                min_value=0,
                max_digits=14,
                decimal_places=2,
                help_text=_("The reward follows the bands of the policy."),
            )
        extra["note"] = _area(
            _("How it was implemented") if step == "implement" else _("Note"),
            required=False,
            rows=2,
        )
        for name, field in extra.items():
            field.widget.attrs["class"] = "form-control"
            self.fields[name] = field

    def clean_on(self):
        return past_or_today(self.cleaned_data["on"])

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("on", "note")}

    def field_for_refusals(self) -> str | None:
        return SUGGESTION_FIELD_OF_STEP.get(self.step_key)


class SuggestionFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Title or name"), required=False, max_length=60)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *SuggestionState.choices]
    )

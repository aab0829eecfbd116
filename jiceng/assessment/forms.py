"""Forms of the assessment pages. They only parse what was typed; the rules are the services'.

A scheme is edited block by block: a title and a text area with one clause a line,
`requirement | points | method | figure`, where the points of a veto item are written
“veto” (一票否决) and method and figure may be left out."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from jiceng.kernel.forms import BootstrapForm

from . import evidence
from .models import Cycle, Method

VETO_WORDS = {"veto", "否决", "一票否决"}
EXTRA_BLOCKS = 2


def clause_line(c: dict) -> str:
    points = "veto" if c.get("veto") else f"{c.get('points') or 0:g}"
    parts = [c["text"], points, c.get("method") or Method.SELF]
    if c.get("evidence"):
        parts.append(c["evidence"])
    return " | ".join(str(p) for p in parts)


def _method(word: str) -> str:
    for value, label in Method.choices:
        if word in (value, str(label)):
            return value
    return word  # an unknown word is refused by the service


def parse_clauses(text: str) -> list[dict]:
    clauses = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        points = parts[1] if len(parts) > 1 else "0"
        veto = points.lower() in VETO_WORDS
        clauses.append(
            {
                "text": parts[0],
                "points": 0 if veto else (points or "0"),
                "veto": veto,
                "method": _method(parts[2]) if len(parts) > 2 and parts[2] else Method.SELF,
                "evidence": parts[3] if len(parts) > 3 else "",
            }
        )
    return clauses


class SchemeForm(BootstrapForm):
    code = forms.SlugField(label=_lazy("Code"), max_length=40)
    name = forms.CharField(label=_lazy("Name"), max_length=120)
    cycle = forms.ChoiceField(label=_lazy("Cycle"), choices=Cycle.choices)

    def __init__(self, *args, blocks: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.block_count = blocks + EXTRA_BLOCKS
        for i in range(self.block_count):
            self.fields[f"block_{i}_title"] = forms.CharField(
                label=_lazy("Block %(n)s") % {"n": i + 1}, max_length=120, required=False
            )
            self.fields[f"block_{i}_clauses"] = forms.CharField(
                label=_lazy("Clauses of block %(n)s") % {"n": i + 1},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_lazy(
                    "One clause a line: requirement | points (or “veto”) | method | figure."
                ),
            )

    @staticmethod
    def initial_of(data: dict) -> dict:
        initial = {"code": data["code"], "name": data["name"], "cycle": data.get("cycle")}
        for i, b in enumerate(data["blocks"]):
            initial[f"block_{i}_title"] = b["title"]
            initial[f"block_{i}_clauses"] = "\n".join(clause_line(c) for c in b["clauses"])
        return initial

    def blocks(self) -> list[dict]:
        d = self.cleaned_data
        found = []
        for i in range(self.block_count):
            title = d.get(f"block_{i}_title", "").strip()
            clauses = parse_clauses(d.get(f"block_{i}_clauses", ""))
            if title or clauses:
                found.append({"title": title, "clauses": clauses})
        return found


def period_choices(today=None) -> list[tuple[str, str]]:
    year = (today or timezone.localdate()).year
    found = []
    for y in (year - 1, year, year + 1):
        found += [(f"{y}H1", f"{y}H1"), (f"{y}H2", f"{y}H2"), (str(y), str(y))]
    return found


class OpenRoundForm(BootstrapForm):
    scheme = forms.TypedChoiceField(label=_lazy("Scheme version"), coerce=int)
    period = forms.ChoiceField(label=_lazy("Period"))

    def __init__(self, *args, schemes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [(s.pk, str(s)) for s in schemes]
        self.fields["period"].choices = period_choices()
        self.fields[
            "period"
        ].initial = f"{timezone.localdate().year}H{1 if timezone.localdate().month <= 6 else 2}"


class ReasonForm(BootstrapForm):
    reason = forms.CharField(
        label=_lazy("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(BootstrapForm):
    raised_by = forms.CharField(label=_lazy("Raised by"), max_length=60)
    text = forms.CharField(
        label=_lazy("Objection"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(BootstrapForm):
    answer = forms.CharField(
        label=_lazy("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvidenceForm(BootstrapForm):
    clause = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_lazy("Title"), max_length=200)
    url = forms.CharField(label=_lazy("Link"), max_length=300)

    def clean_url(self):
        # Only web addresses and the product's own pages: never a script in an href.
        url = self.cleaned_data["url"].strip()
        if not url.startswith(("https://", "http://", "/")) or url.startswith("//"):
            raise forms.ValidationError(_lazy("Give a web address (https://…) or a page path."))
        return url


class PlanForm(BootstrapForm):
    plan = forms.CharField(
        label=_lazy("Rectification plan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(
        label=_lazy("Rectify by"), widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(BootstrapForm):
    note = forms.CharField(
        label=_lazy("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(BootstrapForm):
    decision = forms.CharField(
        label=_lazy("Decision"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


def figure_keys() -> str:
    return "、".join(f"{k}（{s.label}）" for k, s in evidence.SOURCES.items())

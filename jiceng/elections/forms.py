"""Forms of the elections pages: they parse what was typed; the rules live in the services."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.forms import BootstrapForm

from .models import POSTS, Committee, CongressKind, Post, RoundKind

NAME_SPLIT = re.compile(r"[\s,，、;；]+")


def day(label, required=True, initial=timezone.localdate):
    return forms.DateField(
        label=label,
        required=required,
        initial=initial,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def count(label, required=True, initial=None, min_value=0):
    return forms.IntegerField(
        label=label,
        required=required,
        initial=initial,
        min_value=min_value,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def split_names(text: str) -> list[str]:
    return [n for n in NAME_SPLIT.split(text or "") if n]


def names_field(label, help_text=None, rows=3):
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text or _("Names separated by spaces, commas or 、, or one per line."),
    )


# -- terms ----------------------------------------------------------------------------------


class TermStartForm(BootstrapForm):
    committee = forms.ChoiceField(label=_("Committee"))
    starts_on = day(_("Term begins on"))
    number = count(_("Term number"), required=False, min_value=1)
    officers = forms.CharField(
        label=_("Officers"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line: post, then name, e.g. 书记 张三 / 委员 李四."),
    )

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [(c, Committee(c).label) for c in committees]
        self.fields["number"].help_text = _("Leave empty for the next number.")

    def clean_officers(self):
        rows = []
        labels = {str(p.label): p.value for p in Post} | {p.value: p.value for p in Post}
        for line in (self.cleaned_data["officers"] or "").splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or parts[0] not in labels:
                raise ValidationError(
                    gettext("“%(line)s”: write the post, a space, then the name.") % {"line": line}
                )
            rows.append((labels[parts[0]], parts[1]))
        return rows


class TermChangeForm(BootstrapForm):
    committee = forms.ChoiceField(label=_("Committee"))
    new_end = day(_("New end of the term"), initial=None)
    approved_by = forms.CharField(
        label=_("Approving organization (code)"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "upper-orgs", "autocomplete": "off"}),
    )
    document_number = forms.CharField(label=_("Document number of the approval"), max_length=60)
    approved_on = day(_("Approved on"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [(c, Committee(c).label) for c in committees]


# -- the request ----------------------------------------------------------------------------

PROPOSED_POSTS = (Post.CHAIR, Post.VICE_CHAIR, Post.AUDIT_CHAIR, Post.AUDIT_VICE_CHAIR)


class RequestForm(BootstrapForm):
    requested_on = day(_("Request dated"))
    last_congress_on = day(_("Date of the last congress"), required=False, initial=None)
    planned_on = day(_("Planned congress date"), initial=None)
    congress_kind = forms.ChoiceField(label=_("Congress kind"), choices=CongressKind.choices)
    congress_number = count(_("Congress number"), required=False, min_value=1)
    term_number = count(_("Number of the new term"), required=False, min_value=1)
    delegates = count(_("Delegates (or members) due to attend"), min_value=1)
    delegate_method = forms.CharField(
        label=_("How delegates are produced"), max_length=200, required=False
    )
    committee_seats = count(_("Committee seats"), min_value=1)
    committee_method = forms.CharField(
        label=_("How the committee is elected"), max_length=200, required=False
    )
    audit_seats = count(_("Funds audit committee seats"), initial=0)
    audit_method = forms.CharField(
        label=_("How the funds audit committee is elected"), max_length=200, required=False
    )
    chair_posts = count(_("Chairs (secretaries)"), initial=1, min_value=1)
    vice_chair_posts = count(_("Vice-chairs (deputy secretaries)"), initial=0)
    audit_chair_posts = count(_("Audit committee chairs"), required=False)
    audit_vice_chair_posts = count(_("Audit committee vice-chairs"), required=False, initial=0)
    officer_method = forms.CharField(
        label=_("How the officers are elected"), max_length=300, required=False
    )
    proposed_chair = forms.CharField(label=_("Proposed chair"), max_length=200, required=False)
    proposed_vice_chair = forms.CharField(
        label=_("Proposed vice-chairs"), max_length=200, required=False
    )
    proposed_audit_chair = forms.CharField(
        label=_("Proposed audit committee chair"), max_length=200, required=False
    )
    proposed_audit_vice_chair = forms.CharField(
        label=_("Proposed audit committee vice-chairs"), max_length=200, required=False
    )
    party_org = forms.ChoiceField(label=_("Same-level Party organization"), required=False)

    def __init__(self, *args, union: bool, party_orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.party_orgs = {o.code: o for o in party_orgs}
        if union:
            self.fields["party_org"].choices = [("", "—")] + [(o.code, o.name) for o in party_orgs]
            self.fields["party_org"].required = True
            self.fields["party_org"].help_text = _(
                "The Party organization of the union's unit: the request goes to it first, "
                "then to the upper-level union."
            )
            self.fields["delegate_method"].initial = gettext(
                "by ratio, recommended democratically from the bottom up"
            )
            self.fields["proposed_chair"].help_text = _(
                "Optional: officers the Party organization has agreed to (拟定工会主席为×××), "
                "names separated by spaces, commas or 、; the request then says so and "
                "attaches their résumés."
            )
        else:
            for name in (
                "audit_seats",
                "audit_method",
                "audit_chair_posts",
                "audit_vice_chair_posts",
                "party_org",
                *(f"proposed_{p.value}" for p in PROPOSED_POSTS),
            ):
                del self.fields[name]
            self.fields["congress_kind"].initial = CongressKind.MEMBERS
        self.fields["planned_on"].help_text = _(
            "At least the policy's months after the request (union: two months)."
        )
        self.fields["committee_method"].help_text = _("Empty: direct competitive election.")

    def clean_party_org(self):
        code = self.cleaned_data.get("party_org")
        return self.party_orgs.get(code) if code else None

    def service_fields(self) -> dict:
        d = dict(self.cleaned_data)
        proposed = {}
        for post in PROPOSED_POSTS:
            names = split_names(d.pop(f"proposed_{post.value}", "") or "")
            if names:
                proposed[post.value] = names
        d["proposed_officers"] = proposed
        return {k: v for k, v in d.items() if v is not None or k in ("last_congress_on",)}


# -- steps of the case ----------------------------------------------------------------------


class ApprovalForm(BootstrapForm):
    on = day(_("Date of the reply"))
    document_number = forms.CharField(label=_("Document number of the reply"), max_length=60)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NominationForm(BootstrapForm):
    committee = forms.ChoiceField(label=_("Committee"))
    group = forms.CharField(label=_("Nominating group"), max_length=60)
    counts = forms.CharField(
        label=_("Nominees and counts"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: name, then the number of nominations, e.g. 张三 35."),
    )
    on = day(_("Date"))

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [(c, label) for c, label in committees]

    def clean_counts(self):
        rows = []
        for line in (self.cleaned_data["counts"] or "").splitlines():
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].isdigit():
                raise ValidationError(
                    gettext("“%(line)s”: write the name, a space, then the number.")
                    % {"line": line}
                )
            rows.append((parts[0], int(parts[1])))
        return rows


class SlateForm(BootstrapForm):
    on = day(_("Date"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        for committee, label in committees:
            self.fields[f"names_{committee}"] = names_field(label, rows=4)
            self.fields[f"names_{committee}"].widget.attrs["class"] = "form-control"
        self.order_fields([f"names_{c}" for c, _label in committees] + ["on", "note"])
        self.committees = [c for c, _label in committees]

    def names(self) -> dict[str, list[str]]:
        return {c: split_names(self.cleaned_data.get(f"names_{c}", "")) for c in self.committees}


class CongressForm(BootstrapForm):
    held_on = day(_("Held on"))
    entitled = count(_("Entitled to attend"), min_value=1)
    present = count(_("Present"))


class PlenaryForm(BootstrapForm):
    held_on = day(_("Held on"))

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        for post, seats in posts:
            field = names_field(
                gettext("Candidates for %(post)s (%(n)s to elect)")
                % {"post": Post(post).label, "n": seats},
                help_text=_("Members just elected; as many names as seats is an uncontested vote."),
                rows=1,
            )
            field.widget.attrs.update({"class": "form-control", "list": "elected-members"})
            self.fields[f"post_{post}"] = field
        self.posts = [p for p, _n in posts]

    def candidates(self) -> dict[str, list[str]]:
        return {p: split_names(self.cleaned_data.get(f"post_{p}", "")) for p in self.posts}


class BeginTermForm(BootstrapForm):
    starts_on = day(_("Term begins on"))

    def __init__(self, *args, party: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if party:
            for post in (Post.ORGANIZATION, Post.PROPAGANDA, Post.DISCIPLINE):
                self.fields[f"division_{post}"] = forms.CharField(
                    label=Post(post).label,
                    required=False,
                    max_length=60,
                    widget=forms.TextInput(
                        attrs={"class": "form-control", "list": "elected-members"}
                    ),
                )

    def divisions(self) -> dict:
        return {
            k.removeprefix("division_"): v
            for k, v in self.cleaned_data.items()
            if k.startswith("division_") and v
        }


# -- polls ----------------------------------------------------------------------------------


class AttendanceForm(BootstrapForm):
    present = count(_("Present"), required=False)
    issued = count(_("Ballots issued"), required=False)
    returned = count(_("Ballots returned"), required=False)


WRITE_IN_ROWS = 3


class TallyForm(BootstrapForm):
    """A counting team's batch: for / against / abstain per candidate, and written-in names."""

    label = forms.CharField(label=_("Batch"), max_length=60, initial=_("Counting team 1"))
    ballots = count(_("Ballots in the batch"))
    invalid = count(_("Invalid ballots"), initial=0)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for c in self.candidates:
            for part in ("for", "against", "abstain"):
                self.fields[f"c{c.pk}_{part}"] = forms.IntegerField(
                    required=part == "for",
                    min_value=0,
                    max_value=1_000_000,
                    widget=forms.NumberInput(
                        attrs={
                            "inputmode": "numeric",
                            "class": "form-control form-control-sm text-end",
                            "aria-label": f"{c.name} {part}",
                        }
                    ),
                )
        for i in range(WRITE_IN_ROWS):
            self.fields[f"w{i}_name"] = forms.CharField(
                required=False,
                max_length=60,
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm",
                        "placeholder": _("Name written in"),
                    }
                ),
            )
            self.fields[f"w{i}_for"] = forms.IntegerField(
                required=False,
                min_value=0,
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "numeric",
                        "class": "form-control form-control-sm",
                        "placeholder": _("for"),
                    }
                ),
            )

    def rows(self):
        """(candidate, for, against, abstain) bound fields, for the template."""
        return [
            (c, self[f"c{c.pk}_for"], self[f"c{c.pk}_against"], self[f"c{c.pk}_abstain"])
            for c in self.candidates
        ]

    def write_in_rows(self):
        return [(self[f"w{i}_name"], self[f"w{i}_for"]) for i in range(WRITE_IN_ROWS)]

    def lines(self) -> list[dict]:
        d = self.cleaned_data
        found = []
        for c in self.candidates:
            found.append(
                {
                    "name": c.name,
                    "for": d.get(f"c{c.pk}_for") or 0,
                    "against": d.get(f"c{c.pk}_against") or 0,
                    "abstain": d.get(f"c{c.pk}_abstain"),
                }
            )
        for i in range(WRITE_IN_ROWS):
            name = (d.get(f"w{i}_name") or "").strip()
            if name:
                found.append({"write_in": name, "for": d.get(f"w{i}_for") or 0})
        return found


class CorrectionForm(BootstrapForm):
    """Corrected figures of one batch; only the numbers that change become corrections."""

    sheet = forms.IntegerField(widget=forms.HiddenInput)
    ballots = count(_("Ballots in the batch"))
    invalid = count(_("Invalid ballots"))
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)

    def __init__(self, *args, sheet, **kwargs):
        kwargs.setdefault("prefix", f"s{sheet.pk}")
        if not args or args[0] is None:
            kwargs.setdefault(
                "initial", {"sheet": sheet.pk, "ballots": sheet.ballots, "invalid": sheet.invalid}
            )
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.line_rows = []
        for line in sheet.lines.all():
            name = line.candidate.name if line.candidate_id else line.write_in
            names = []
            for field, value in (
                ("for_votes", line.for_votes),
                ("against", line.against),
                ("abstain", line.abstain),
            ):
                if line.write_in and field != "for_votes":
                    continue
                key = f"l{line.pk}_{field}"
                self.fields[key] = forms.IntegerField(
                    min_value=0,
                    initial=value,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "class": "form-control form-control-sm"}
                    ),
                )
                names.append(key)
            self.line_rows.append((name, [self[k] for k in names], line))

    def service_args(self) -> dict:
        d = self.cleaned_data
        lines = []
        for name, _fields, line in self.line_rows:
            entry = {"name": name}
            for field, key in (
                ("for_votes", "for"),
                ("against", "against"),
                ("abstain", "abstain"),
            ):
                value = d.get(f"l{line.pk}_{field}")
                if value is not None:
                    entry[key] = value
            lines.append(entry)
        return {
            "ballots": d["ballots"],
            "invalid": d["invalid"],
            "lines": lines,
            "reason": d["reason"],
        }


class NextRoundForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("Kind of round"),
        choices=[
            (RoundKind.ADDITIONAL, RoundKind.ADDITIONAL.label),
            (RoundKind.REVOTE, RoundKind.REVOTE.label),
        ],
    )
    candidates = names_field(
        _("Candidates"),
        help_text=_("A revote is among the tied (leave empty); a further round names candidates."),
    )
    held_on = day(_("Held on"))

    def names(self) -> list[str]:
        return split_names(self.cleaned_data.get("candidates", ""))


def committees_for(org) -> list[str]:
    """The committees an organization has, for the term forms."""
    if org.tree == "union":
        return [Committee.UNION, Committee.AUDIT]
    return [Committee.PARTY]


# -- standalone polls, paper ballots, electronic voting -------------------------------------


class PollForm(BootstrapForm):
    """A poll outside an election case: a branch's own election at its general meeting, a
    by-election."""

    title = forms.CharField(label=_("Title"), max_length=120)
    committee = forms.ChoiceField(label=_("Committee"), required=False)
    seats = count(_("Seats"), min_value=1)
    entitled = count(_("Entitled to attend"), min_value=1)
    held_on = day(_("Held on"))
    candidates = names_field(_("Candidates"))
    electronic = forms.BooleanField(label=_("Electronic voting"), required=False)

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", "—")] + [
            (c, Committee(c).label) for c in committees
        ]
        self.fields["electronic"].help_text = _(
            "Delegates on the roll vote on their phones; otherwise paper ballots are counted."
        )

    def clean_candidates(self):
        if not split_names(self.cleaned_data.get("candidates", "")):
            raise ValidationError(gettext("Enter the candidates."))
        return self.cleaned_data["candidates"]

    def names(self) -> list[str]:
        return split_names(self.cleaned_data.get("candidates", ""))


MARK_CHOICES = [("Y", _("for")), ("N", _("against")), ("-", _("abstain"))]
BALLOT_WRITE_INS = 2


class BallotForm(BootstrapForm):
    """One ballot: for / against / abstain per candidate (buttons, quick on a phone), names
    written in, and (paper only) a void ballot."""

    def __init__(self, *args, candidates, paper=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for c in self.candidates:
            self.fields[f"c{c.pk}"] = forms.ChoiceField(
                label=c.name,
                choices=MARK_CHOICES,
                initial="-",
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
        for i in range(BALLOT_WRITE_INS):
            self.fields[f"w{i}"] = forms.CharField(
                label=_("Name written in"),
                required=False,
                max_length=60,
                widget=forms.TextInput(
                    attrs={"class": "form-control", "placeholder": _("Name written in")}
                ),
            )
        if paper:
            self.fields["void"] = forms.BooleanField(
                label=_("Void ballot (blank, spoilt or not a valid ballot)"), required=False
            )

    def mark_rows(self):
        return [(c, self[f"c{c.pk}"]) for c in self.candidates]

    def write_in_fields(self):
        return [self[f"w{i}"] for i in range(BALLOT_WRITE_INS)]

    def marks(self) -> str:
        return "".join(self.cleaned_data.get(f"c{c.pk}") or "-" for c in self.candidates)

    def write_ins(self) -> list[str]:
        found = [
            "".join((self.cleaned_data.get(f"w{i}") or "").split()) for i in range(BALLOT_WRITE_INS)
        ]
        return [n for n in found if n]

    def entry(self) -> dict:
        return {
            "marks": self.marks(),
            "write_ins": self.write_ins(),
            "void": bool(self.cleaned_data.get("void")),
        }


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)


class RollForm(BootstrapForm):
    voters = names_field(
        _("Voters"),
        help_text=_("The delegates entitled to vote, by name; they vote logged in as themselves."),
        rows=4,
    )

    def names(self) -> list[str]:
        return split_names(self.cleaned_data.get("voters", ""))


# -- officers during the term ---------------------------------------------------------------


class OfficerAddForm(BootstrapForm):
    committee = forms.ChoiceField(label=_("Committee"))
    post = forms.ChoiceField(label=_("Post"))
    name = forms.CharField(label=_("Full name"), max_length=60)
    on = day(_("In office from"))

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [(c, Committee(c).label) for c in committees]
        posts = dict.fromkeys(p for c in committees for p in POSTS[c])  # only this tree's posts
        self.fields["post"].choices = [(p.value, p.label) for p in posts]
        self.fields["name"].help_text = _("A by-election or an appointment during the term.")


class OfficerEndForm(BootstrapForm):
    officer = forms.ChoiceField(label=_("Officer"))
    on = day(_("Last day in office"))
    reason = forms.CharField(
        label=_("Reason"), max_length=200, help_text=_("E.g. resigned, transferred, retired.")
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.officers = {str(o.pk): o for o in officers}
        self.fields["officer"].choices = [
            (str(o.pk), f"{o.get_post_display()} {o.person.name}") for o in officers
        ]

    def clean_officer(self):
        return self.officers[self.cleaned_data["officer"]]

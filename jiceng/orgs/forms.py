"""Forms of the organization and unit pages.

Forms only parse what the user typed and resolve codes to objects the user may see (through
the selectors); the rules live in the services, whose ValidationErrors are put back on the
form by `add_service_errors`.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.forms import BootstrapForm, YesNo, date_field, split_codes
from jiceng.orgs import selectors as orgs
from jiceng.orgs.models import (
    FormationMode,
    Kind,
    ManagementMode,
    Organization,
    Ownership,
    Standing,
    Tree,
    UnitKind,
    tree_of,
)
from jiceng.orgs.services.units import clean_credit_code

BLANK = [("", "—")]


def resolve_units(user, text: str) -> list:
    """Units (visible to `user`) named by credit codes in `text`; ValidationError for the rest."""
    codes = list(dict.fromkeys(clean_credit_code(c) for c in split_codes(text)))
    found = {u.credit_code: u for u in orgs.visible_units(user).filter(credit_code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(
            gettext("No registered unit you may see has the credit code %(codes)s.")
            % {"codes": "、".join(missing)}
        )
    return [found[c] for c in codes]


def resolve_org(user, code: str, *, action=orgs.gate.VIEW, tree: str | None = None):
    code = (code or "").strip()
    try:
        org = orgs.get_visible(user, code, action)
    except Organization.DoesNotExist:
        if action == orgs.gate.MANAGE:
            message = gettext("No organization with code %(code)s that you may manage.")
        else:
            message = gettext("No organization with code %(code)s that you may see.")
        raise ValidationError(message % {"code": code}) from None
    if tree and org.tree != tree:
        raise ValidationError(
            gettext("%(org)s is not in the right tree (Party organizations or trade unions).")
            % {"org": org.name}
        )
    return org


def kinds_of(tree: str):
    return [(k, label) for k, label in Kind.choices if tree_of(k) == tree]


# --- Organization lifecycle ---------------------------------------------------------------


class SetUpForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"))
    formation_mode = forms.ChoiceField(
        label=_("Formation mode"), choices=FormationMode.choices, initial=FormationMode.STANDALONE
    )
    management_mode = forms.ChoiceField(
        label=_("Management mode"),
        choices=ManagementMode.choices,
        initial=ManagementMode.TERRITORIAL,
    )
    units = forms.CharField(
        label=_("Host units (credit codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Unified social credit codes, one per line; a joint branch covers several."),
    )
    on = date_field()

    def __init__(self, *args, user, parent, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = kinds_of(parent.tree)
        self.fields["kind"].initial = Kind.UNION if parent.tree == Tree.UNION else Kind.BRANCH

    def clean_units(self):
        return resolve_units(self.user, self.cleaned_data["units"])


class RenameForm(BootstrapForm):
    name = forms.CharField(label=_("New name"), max_length=120)
    on = date_field()


class MoveForm(BootstrapForm):
    new_parent = forms.CharField(
        label=_("New upper-level organization (code)"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "parent-choices", "autocomplete": "off"}),
    )
    on = date_field()

    def __init__(self, *args, user, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.org = user, org

    def clean_new_parent(self):
        return resolve_org(
            self.user, self.cleaned_data["new_parent"], action=orgs.gate.MANAGE, tree=self.org.tree
        )


class MergeForm(BootstrapForm):
    sources = forms.MultipleChoiceField(
        label=_("Organizations to merge into this one"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_codes = forms.CharField(
        label=_("Other organizations (codes)"),
        required=False,
        help_text=_("Codes of organizations that are not listed above, separated by spaces."),
    )
    on = date_field()

    def __init__(self, *args, user, org, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.org = user, org
        self.fields["sources"].choices = [(o.code, f"{o.name}（{o.code}）") for o in candidates]

    def clean(self):
        data = super().clean()
        codes = list(
            dict.fromkeys([*data.get("sources", []), *split_codes(data.get("other_codes"))])
        )
        if not codes and not self.errors:
            raise ValidationError(gettext("Choose the organizations to merge into this one."))
        found, problems = [], []
        for code in codes:
            try:
                found.append(resolve_org(self.user, code, action=orgs.gate.MANAGE))
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            self.add_error("other_codes", problems)
        data["organizations"] = found
        return data


class SplitForm(BootstrapForm):
    code = forms.CharField(label=_("Code of the new organization"), max_length=32)
    name = forms.CharField(label=_("Name of the new organization"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"))
    units = forms.MultipleChoiceField(
        label=_("Host units it takes over"), required=False, widget=forms.CheckboxSelectMultiple
    )
    children = forms.MultipleChoiceField(
        label=_("Subordinate organizations it takes over"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    on = date_field()

    def __init__(self, *args, org, units, children, **kwargs):
        super().__init__(*args, **kwargs)
        self._units = {str(u.pk): u for u in units}
        self._children = {c.code: c for c in children}
        self.fields["kind"].choices = kinds_of(org.tree)
        self.fields["kind"].initial = org.kind
        self.fields["units"].choices = [
            (pk, f"{u.name}（{u.credit_code}）") for pk, u in self._units.items()
        ]
        self.fields["children"].choices = [(c.code, c.name) for c in children]

    def clean_units(self):
        return [self._units[pk] for pk in self.cleaned_data["units"]]

    def clean_children(self):
        return [self._children[code] for code in self.cleaned_data["children"]]


class DissolveForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    on = date_field()


class HostUnitsForm(BootstrapForm):
    units = forms.CharField(
        label=_("Host units (credit codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Unified social credit codes, one per line. Units left out are no longer hosts "
            "from the effective date."
        ),
    )
    on = date_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_units(self):
        return resolve_units(self.user, self.cleaned_data["units"])


class FlagsForm(BootstrapForm):
    standing = forms.ChoiceField(
        label=_("Standing"), choices=BLANK + Standing.choices, required=False
    )
    class_level = forms.TypedChoiceField(
        label=_("Class"),
        choices=[*BLANK, (1, _("Class 1")), (2, _("Class 2")), (3, _("Class 3"))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reported_members = forms.IntegerField(label=_("Members (reported)"), min_value=0)
    formation_mode = forms.ChoiceField(label=_("Formation mode"), choices=FormationMode.choices)
    management_mode = forms.ChoiceField(label=_("Management mode"), choices=ManagementMode.choices)
    has_committee = forms.BooleanField(label=_("Has a branch committee"), required=False)
    is_temporary = forms.BooleanField(label=_("Temporary"), required=False)
    for_floating_members = forms.BooleanField(label=_("For floating members"), required=False)
    empty_shell = forms.BooleanField(label=_("Empty shell"), required=False)
    form_without_substance = forms.BooleanField(label=_("Form without substance"), required=False)

    @classmethod
    def initial_for(cls, org) -> dict:
        return {name: getattr(org, name) for name in cls.base_fields}

    def fit(self, org) -> "FlagsForm":
        """A union counts union members and has no floating-member organizations."""
        if org.tree == Tree.UNION:
            self.fields["reported_members"].label = _("Union members (reported)")
            self.fields.pop("for_floating_members", None)
        return self


# --- Host units ---------------------------------------------------------------------------


class UnitForm(BootstrapForm):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=24)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    sector = forms.CharField(label=_("Sector"), max_length=60, required=False)
    region_code = forms.CharField(
        label=_("Region code"),
        max_length=12,
        required=False,
        help_text=_("Administrative division code: 6, 9 or 12 digits."),
    )
    employees = forms.IntegerField(label=_("Employees"), min_value=0, initial=0)
    revenue = forms.DecimalField(
        label=_("Annual revenue (yuan)"), min_value=0, decimal_places=2, initial=0
    )
    party_members = forms.IntegerField(
        label=_("Party members working here"), min_value=0, initial=0
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    responsible_org = forms.CharField(
        label=_("Responsible Party organization (code)"), max_length=32, required=False
    )
    responsible_union = forms.CharField(
        label=_("Responsible union federation (code)"), max_length=32, required=False
    )
    on = date_field()

    def __init__(self, *args, user, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.unit = user, unit
        if unit is not None:  # editing: the code is the unit's identity
            del self.fields["credit_code"]

    @classmethod
    def initial_for(cls, unit) -> dict:
        data = {
            name: getattr(unit, name)
            for name in cls.base_fields
            if name not in ("responsible_org", "responsible_union", "on")
        }
        data["responsible_org"] = unit.responsible_org.code if unit.responsible_org else ""
        data["responsible_union"] = unit.responsible_union.code if unit.responsible_union else ""
        return data

    def _owner(self, field: str, tree: str):
        code = (self.cleaned_data.get(field) or "").strip()
        if not code:
            return None
        current = getattr(self.unit, field) if self.unit is not None else None
        if current is not None and current.code == code:
            return current  # unchanged, even if it lies outside what the user sees
        return resolve_org(self.user, code, tree=tree)

    def clean_responsible_org(self):
        return self._owner("responsible_org", Tree.PARTY)

    def clean_responsible_union(self):
        return self._owner("responsible_union", Tree.UNION)

    def clean(self):
        data = super().clean()
        owners = [data.get("responsible_org"), data.get("responsible_union")]
        owners = [o for o in owners if o is not None]
        if owners and not any(orgs.gate.can(self.user, orgs.gate.MANAGE, o) for o in owners):
            raise ValidationError(
                gettext("You may not manage the responsible organization you chose.")
            )
        return data

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("credit_code", "on")}


class UnitFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *UnitKind.choices], required=False
    )
    ownership = forms.ChoiceField(
        label=_("Ownership"), choices=[("", _("Any")), *Ownership.choices], required=False
    )
    above_scale = YesNo(_("Above designated size"))
    has_party = YesNo(_("Has a Party organization"))
    has_union = YesNo(_("Has a trade union"))
    region = forms.RegexField(
        label=_("Region code starts with"),
        regex=r"^\d{1,12}$",
        required=False,
        max_length=12,
        error_messages={"invalid": _("Enter digits of an administrative division code.")},
    )
    closed = forms.BooleanField(label=_("Include closed units"), required=False)

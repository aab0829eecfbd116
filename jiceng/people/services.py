"""Every write to people and Party memberships. Each checks the gate and policy and is audited."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.dated import restate
from jiceng.orgs.models import Organization, Tree

from . import crypto
from .identity import (
    birth_date_of,
    gender_of,
    id_number_problem,
    normalize_id_number,
    normalize_phone,
    phone_problem,
)
from .models import (
    Category,
    Delegate,
    DelegateCategory,
    DevelopmentPlan,
    MembershipState,
    Milestone,
    PartyMembership,
    Person,
    Stage,
    UnionMembership,
)
from .pipeline import PIPELINE, Context

ID_CONTEXT, PHONE_CONTEXT = "person.id_number", "person.phone"
PERSON_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "occupation",
    "post",
    "employer",
    "residence",
)


def person_snapshot(person: Person) -> dict:
    """What the audit log may hold: never the clear ID number or phone."""
    data = {f: getattr(person, f) for f in PERSON_FIELDS if f not in ("employer", "residence")}
    return {**data, "id_number": person.id_number_masked, "phone": person.phone_masked}


def _set_identity(person: Person, id_number: str | None, phone: str | None, errors: dict) -> None:
    if id_number:
        number = normalize_id_number(id_number)
        if problem := id_number_problem(number, gender=person.gender, birth_date=person.birth_date):
            errors["id_number"] = problem
        else:
            digest = crypto.lookup_hash(number, ID_CONTEXT)
            if Person.objects.filter(id_number_hash=digest).exclude(pk=person.pk).exists():
                errors["id_number"] = _("A person with this ID number is already registered.")
            person.id_number_encrypted = crypto.encrypt(number, ID_CONTEXT)
            person.id_number_hash = digest
            person.id_number_masked = crypto.mask_id_number(number)
            person.gender = person.gender or gender_of(number)
            person.birth_date = person.birth_date or birth_date_of(number)
    if phone:
        number = normalize_phone(phone)
        if problem := phone_problem(number):
            errors["phone"] = problem
        person.phone_encrypted = crypto.encrypt(number, PHONE_CONTEXT)
        person.phone_hash = crypto.lookup_hash(number, PHONE_CONTEXT)
        person.phone_masked = crypto.mask_phone(number)


@transaction.atomic
def register_person(
    actor,
    *,
    org: Organization,
    name: str,
    id_number: str | None = None,
    phone: str | None = None,
    **fields,
) -> Person:
    """Register a person on behalf of `org` (whose officers will keep their record)."""
    gate.require(actor, gate.MANAGE, org)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
    person = Person(name=(name or "").strip(), **fields)
    errors = {} if person.name else {"name": _("Enter the name.")}
    _set_identity(person, id_number, phone, errors)
    if errors:
        raise ValidationError(errors)
    person.save()
    record(actor, "person.register", person, after=person_snapshot(person), org=org)
    return person


def find_by_id_number(id_number: str) -> Person | None:
    """Exact lookup through the keyed hash (the clear number is never stored or compared)."""
    number = normalize_id_number(id_number)
    return Person.objects.filter(id_number_hash=crypto.lookup_hash(number, ID_CONTEXT)).first()


def _orgs_of(person: Person) -> list[Organization]:
    return [m.org for m in PartyMembership.objects.filter(person=person).select_related("org")]


@transaction.atomic
def reveal(actor, person: Person, field: str) -> str:
    """The clear ID number or phone, for an actor allowed to see it; every reveal is logged."""
    contexts = {"id_number": ID_CONTEXT, "phone": PHONE_CONTEXT}
    if field not in contexts:
        raise ValidationError({"field": _("Only the ID number and the phone can be revealed.")})
    orgs = _orgs_of(person)
    if not any(gate.can(actor, gate.REVEAL, org) for org in orgs):
        raise PermissionDenied(_("You may not see this person's personal information."))
    token = getattr(person, f"{field}_encrypted")
    clear = crypto.decrypt(token, contexts[field]) if token else ""
    record(actor, "person.reveal", person, after={"field": field}, org=orgs[0])
    return clear


# -- the pipeline -------------------------------------------------------------------------


def _state_row(m: PartyMembership, on: dt.date) -> MembershipState:
    return MembershipState(
        membership=m,
        valid_from=on,
        org_id=m.org_id,
        stage=m.stage,
        category=m.category,
        composition=m.composition,
        floating=m.floating,
    )


def _restate(m: PartyMembership, on: dt.date) -> None:
    restate(MembershipState, "membership", [m], on, _state_row, m.person.name)


def _context(m: PartyMembership | None, on: dt.date, data: dict) -> Context:
    done = {ms.step: ms for ms in m.milestones.all()} if m and m.pk else {}
    return Context(membership=m, on=on, data=data, done=done)


@transaction.atomic
def apply(
    actor, person: Person, *, org: Organization, on: dt.date | None = None, note: str = ""
) -> PartyMembership:
    """Record an application to join the Party, received by branch `org` on `on`."""
    on = on or timezone.localdate()
    gate.require(actor, gate.MANAGE, org)
    if org.tree != Tree.PARTY:
        raise ValidationError({"org": _("Applications are received by Party organizations.")})
    if PartyMembership.objects.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(name)s already has a Party record.") % {"name": person.name}}
        )
    m = PartyMembership(person=person, org=org, stage="")
    PIPELINE.require("apply", "", _context(m, on, {}))
    m.stage = Stage.APPLICANT
    m.save()
    Milestone.objects.create(membership=m, step="apply", on=on, note=note, recorded_by=actor)
    _restate(m, on)
    record(
        actor, "party.apply", m, after={"person": person.name, "org": org.code, "on": on}, org=org
    )
    return m


@transaction.atomic
def take_step(
    actor,
    m: PartyMembership,
    step: str,
    *,
    on: dt.date | None = None,
    data: dict | None = None,
    note: str = "",
) -> PartyMembership:
    """Record one pipeline step; refused with the reasons if it is early or out of order."""
    on, data = on or timezone.localdate(), data or {}
    gate.require(actor, gate.MANAGE, m.org)
    context = _context(m, on, data)
    declared = PIPELINE.step(step)
    if declared.once and step in context.done:
        raise ValidationError(
            {
                "step": _("“%(step)s” is already recorded (%(date)s).")
                % {"step": declared.label, "date": context.done[step].on}
            }
        )
    PIPELINE.require(step, m.stage, context)
    before = {"stage": m.stage}
    Milestone.objects.create(
        membership=m, step=step, on=on, note=note, data=data, recorded_by=actor
    )
    if declared.to_state:
        m.stage = declared.to_state
        m.joined_on = on if step == "admit" else m.joined_on
        m.full_on = on if step == "convert" else m.full_on
        m.save(update_fields=["stage", "joined_on", "full_on"])
        _restate(m, on)
    record(
        actor,
        f"party.{step}",
        m,
        before=before,
        after={"stage": m.stage, "on": on, "data": data, "note": note},
        org=m.org,
    )
    return m


@transaction.atomic
def enrol_member(
    actor,
    person: Person,
    *,
    org: Organization,
    stage: str,
    joined_on: dt.date,
    full_on: dt.date | None = None,
    category: str = Category.WORKING,
    composition: str = "",
    since: dt.date | None = None,
    **flags,
) -> PartyMembership:
    """Put an existing member on the books (a roster being digitized): no pipeline steps."""
    gate.require(actor, gate.MANAGE, org)
    if stage not in (Stage.PROBATIONARY, Stage.FULL):
        raise ValidationError({"stage": _("Only probationary and full members can be enrolled.")})
    if full_on and full_on < joined_on:
        raise ValidationError({"full_on": _("Full membership cannot begin before admission.")})
    m = PartyMembership.objects.create(
        person=person,
        org=org,
        stage=stage,
        joined_on=joined_on,
        full_on=full_on,
        category=category,
        composition=composition,
        **flags,
    )
    _restate(m, since or joined_on)
    record(
        actor,
        "party.enrol",
        m,
        after={"person": person.name, "org": org.code, "stage": stage, "joined_on": joined_on},
        org=org,
    )
    return m


# -- trade-union membership, delegates, development plans ------------------------------------


@transaction.atomic
def join_union(
    actor, person: Person, *, org: Organization, member_number: str, joined_on: dt.date, **fields
) -> UnionMembership:
    gate.require(actor, gate.MANAGE, org)
    errors = {}
    if org.tree != Tree.UNION:
        errors["org"] = _("Union members join a trade union.")
    number = (member_number or "").strip()
    if not number:
        errors["member_number"] = _("Enter the member number.")
    elif UnionMembership.objects.filter(member_number=number).exists():
        errors["member_number"] = _("Member number %(n)s is already in use.") % {"n": number}
    if UnionMembership.objects.filter(person=person).exists():
        errors["person"] = _("%(name)s is already a union member.") % {"name": person.name}
    if errors:
        raise ValidationError(errors)
    m = UnionMembership.objects.create(
        person=person, org=org, member_number=number, joined_on=joined_on, **fields
    )
    record(
        actor,
        "union.join",
        m,
        after={
            "person": person.name,
            "org": org.code,
            "member_number": number,
            "joined_on": joined_on,
        },
        org=org,
    )
    return m


@transaction.atomic
def seat_delegate(
    actor,
    person: Person,
    *,
    org: Organization,
    category: str,
    term_from: dt.date,
    term_until: dt.date | None = None,
) -> Delegate:
    gate.require(actor, gate.MANAGE, org)
    if category not in DelegateCategory.values:
        raise ValidationError({"category": _("Unknown delegate category.")})
    if term_until and term_until <= term_from:
        raise ValidationError({"term_until": _("The term must end after it begins.")})
    seat = Delegate.objects.create(
        person=person, org=org, category=category, term_from=term_from, term_until=term_until
    )
    record(
        actor,
        "union.delegate",
        seat,
        after={"person": person.name, "org": org.code, "category": category},
        org=org,
    )
    return seat


@transaction.atomic
def set_plan(
    actor,
    *,
    org: Organization,
    first_year: int,
    last_year: int,
    target: int,
    targets_by_group: dict | None = None,
) -> DevelopmentPlan:
    """An annual (first = last year) or five-year development plan for `org`'s subtree."""
    gate.require(actor, gate.MANAGE, org)
    if last_year < first_year or last_year - first_year > 4:
        raise ValidationError({"last_year": _("A plan covers one year or up to five years.")})
    if target < 0 or any(int(v) < 0 for v in (targets_by_group or {}).values()):
        raise ValidationError({"target": _("Targets cannot be negative.")})
    plan, _created = DevelopmentPlan.objects.update_or_create(
        org=org,
        first_year=first_year,
        last_year=last_year,
        defaults={"target": target, "targets_by_group": targets_by_group or {}},
    )
    record(
        actor,
        "party.plan",
        plan,
        after={"org": org.code, "years": [first_year, last_year], "target": target},
        org=org,
    )
    return plan

"""Every write to people and Party memberships. Each checks the gate and policy and is audited."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import Ref, object_type, record, record_many
from jiceng.bulk import insert_rows
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
    MEMBER_STAGES,
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


def restate_membership(m: PartyMembership, on: dt.date) -> None:
    """From `on`, the membership's history says what the row says now (org, stage, flags)."""
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
    restate_membership(m, on)
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
        restate_membership(m, on)
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
    restate_membership(m, since or joined_on)
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


# -- rosters: many new members at once; changes to a person or a membership ----------------

MEMBERSHIP_FIELDS = (
    "org",
    "stage",
    "category",
    "composition",
    "floating",
    "dual_checkin",
    "hardship",
    "veteran",
    "reserve_cadre",
    "without_post",
    "joined_on",
    "full_on",
)
DATED_FIELDS = {"org", "stage", "category", "composition", "floating"}  # in MembershipState


class EntryErrors(ValidationError):
    """The problems of a bulk write, by entry: `entries` = {index: {field: message}}."""

    def __init__(self, entries: dict[int, dict[str, str]]):
        self.entries = entries
        super().__init__(next(iter(entries.values())))


def _membership_problems(org, stage, joined_on, full_on) -> dict[str, str]:
    errors = {}
    if org.tree != Tree.PARTY:
        errors["org"] = _("Party members belong to a Party organization.")
    elif not org.is_active:
        errors["org"] = _("%(org)s has been dissolved.") % {"org": org.name}
    if stage not in (Stage.PROBATIONARY, Stage.FULL):
        errors["stage"] = _("Only probationary and full members can be enrolled.")
    if joined_on is None:
        errors["joined_on"] = _("Enter the date of admission.")
    elif full_on and full_on < joined_on:
        errors["full_on"] = _("Full membership cannot begin before admission.")
    if stage == Stage.PROBATIONARY and full_on:
        errors["full_on"] = _("A probationary member has no date of full membership yet.")
    return errors


def _insert_many(model, objs: list, *, key: str = "") -> None:
    """INSERT unsaved `objs` (every concrete field, prepared as Django prepares it; defaults
    and auto_now_add applied) through `jiceng.bulk.insert_rows`, then give them their primary
    keys by reading them back on the unique column `key`. bulk_create compiles SQL value by
    value, which is most of what a 100,000-row roster import would otherwise spend its time on."""
    if not objs:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    as_is = (str, bool, int, type(None))
    simple = (models.CharField, models.TextField, models.BooleanField, models.ForeignKey)

    def getter(f):
        def prepared(obj):
            return f.get_db_prep_save(f.pre_save(obj, True), conn)

        if not isinstance(f, simple):
            return prepared
        name = f.attname

        def plain(obj):  # plain str, bool and int ids go to the driver as they are
            value = getattr(obj, name)
            return value if type(value) in as_is else prepared(obj)

        return plain

    getters = [getter(f) for f in fields]
    rows = [tuple(get(obj) for get in getters) for obj in objs]
    insert_rows(model._meta.db_table, [f.column for f in fields], rows)
    if key:
        column = model._meta.get_field(key).attname
        values = [getattr(obj, column) for obj in objs]
        found = {}
        for i in range(0, len(values), 500):
            found.update(
                model.objects.filter(**{f"{column}__in": values[i : i + 500]}).values_list(
                    column, "pk"
                )
            )
        for obj, value in zip(objs, values, strict=True):
            obj.pk = found[value]
            obj._state.adding, obj._state.db = False, conn.alias


@transaction.atomic
def register_members(actor, entries: list[dict]) -> list[PartyMembership]:
    """`register_person` + `enrol_member` for many new people at once (a roster import).

    Each entry holds the person's fields (name, id_number, phone, gender, …) and the
    membership's (org, stage, joined_on, full_on, category, composition, floating and
    flags). The same checks, rows and audit events as the two services one by one, with
    one uniqueness query and bulk inserts. Refused whole (`EntryErrors`) if any entry is bad.
    """
    orgs = {e["org"].pk for e in entries}  # the gate once for all of them, not once each
    allowed = Organization.objects.filter(gate.org_filter(actor, gate.MANAGE), pk__in=orgs)
    if set(allowed.values_list("pk", flat=True)) != orgs:
        raise PermissionDenied(_("You do not have permission to act on this organization."))
    problems: dict[int, dict[str, str]] = {}
    people, memberships, digests = [], [], {}
    for i, e in enumerate(entries):
        errors: dict[str, str] = {}
        person = Person(
            name=(e.get("name") or "").strip(),
            **{f: e[f] for f in PERSON_FIELDS if f in e and f != "name"},
        )
        if not person.name:
            errors["name"] = _("Enter the name.")
        number = normalize_id_number(e.get("id_number") or "")
        if problem := id_number_problem(number, gender=person.gender, birth_date=person.birth_date):
            errors["id_number"] = problem
        else:
            digest = crypto.lookup_hash(number, ID_CONTEXT)
            if digest in digests:
                errors["id_number"] = _("A person with this ID number is already registered.")
            digests[digest] = i
            person.id_number_encrypted = crypto.encrypt(number, ID_CONTEXT)
            person.id_number_hash = digest
            person.id_number_masked = crypto.mask_id_number(number)
            person.gender = person.gender or gender_of(number)
            person.birth_date = person.birth_date or birth_date_of(number)
        if e.get("phone"):
            phone = normalize_phone(e["phone"])
            if problem := phone_problem(phone):
                errors["phone"] = problem
            person.phone_encrypted = crypto.encrypt(phone, PHONE_CONTEXT)
            person.phone_hash = crypto.lookup_hash(phone, PHONE_CONTEXT)
            person.phone_masked = crypto.mask_phone(phone)
        membership = {f: e[f] for f in MEMBERSHIP_FIELDS if f in e}
        errors.update(
            _membership_problems(
                e["org"], e.get("stage"), membership.get("joined_on"), membership.get("full_on")
            )
        )
        if errors:
            problems[i] = errors
        people.append(person)
        memberships.append(PartyMembership(person=person, **membership))
    taken = Person.objects.filter(id_number_hash__in=list(digests)).values_list(
        "id_number_hash", flat=True
    )
    for digest in taken:
        problems.setdefault(digests[digest], {})["id_number"] = _(
            "A person with this ID number is already registered."
        )
    if problems:
        raise EntryErrors(dict(sorted(problems.items())))
    _insert_many(Person, people, key="id_number_hash")
    for m in memberships:
        m.person = m.person  # the person has its pk now
    _insert_many(PartyMembership, memberships, key="person_id")
    _insert_many(MembershipState, [_state_row(m, m.joined_on) for m in memberships])
    events = []
    stage_labels = {value: str(label) for value, label in Stage.choices}
    for person, m in zip(people, memberships, strict=True):
        events.append(("person.register", person, None, person_snapshot(person), m.org))
        ref = Ref(object_type(m), m.pk, f"{person.name} · {stage_labels[m.stage]}")  # str(m)
        after = {
            "person": person.name,
            "org": m.org.code,
            "stage": m.stage,
            "joined_on": m.joined_on,
        }
        events.append(("party.enrol", ref, None, after, m.org))
    record_many(actor, events)
    return memberships


def _audit_value(obj, name: str):
    value = getattr(obj, name)
    return getattr(value, "code", None) or getattr(value, "pk", value)


@transaction.atomic
def update_person(actor, person: Person, *, org: Organization, phone=None, **fields) -> list[str]:
    """Change a person's fields (and phone: None leaves it, "" clears it) on behalf of `org`.

    Only what differs is written and audited; returns the names of the changed fields.
    Gender and birth date must still agree with the person's ID number.
    """
    gate.require(actor, gate.MANAGE, org)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
    changed = {f: v for f, v in fields.items() if getattr(person, f) != v}
    errors: dict[str, str] = {}
    if "name" in changed:
        changed["name"] = (changed["name"] or "").strip()
        if not changed["name"]:
            errors["name"] = _("Enter the name.")
    if {"gender", "birth_date"} & set(changed) and person.id_number_encrypted:
        number = crypto.decrypt(person.id_number_encrypted, ID_CONTEXT)
        if problem := id_number_problem(
            number,
            gender=changed.get("gender", person.gender) or "",
            birth_date=changed.get("birth_date", person.birth_date),
        ):
            errors["id_number"] = problem
    before = {f: _audit_value(person, f) for f in changed}
    before_phone = person.phone_masked
    for f, v in changed.items():
        setattr(person, f, v)
    names = list(changed)
    if phone is not None:
        number = normalize_phone(phone)
        if not number and person.phone_hash:
            person.phone_encrypted = person.phone_hash = person.phone_masked = ""
            names.append("phone")
        elif number and crypto.lookup_hash(number, PHONE_CONTEXT) != person.phone_hash:
            _set_identity(person, None, number, errors)
            names.append("phone")
    if errors:
        raise ValidationError(errors)
    if not names:
        return []
    stored = [f for f in names if f != "phone"]
    if "phone" in names:
        stored += ["phone_encrypted", "phone_hash", "phone_masked"]
        before["phone"] = before_phone
    person.save(update_fields=stored)
    after = {f: person.phone_masked if f == "phone" else _audit_value(person, f) for f in names}
    record(actor, "person.update", person, before=before, after=after, org=org)
    return names


@transaction.atomic
def update_membership(
    actor, m: PartyMembership, *, on: dt.date | None = None, **fields
) -> list[str]:
    """Correct a member's record (organization, stage, category, flags, dates) from `on`.

    For rosters being digitized: the dated history (organization, stage, category,
    composition, floating) is restated from `on`; moving a member needs the right to
    manage both organizations. Only what differs is written and audited.
    """
    on = on or timezone.localdate()
    gate.require(actor, gate.MANAGE, m.org)
    unknown = set(fields) - set(MEMBERSHIP_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
    if m.stage not in MEMBER_STAGES:
        raise ValidationError(
            {"stage": _("Only the record of a probationary or full member can be changed here.")}
        )
    changed = {
        f: v for f, v in fields.items() if (m.org_id != v.pk if f == "org" else getattr(m, f) != v)
    }
    if not changed:
        return []
    if "org" in changed:
        gate.require(actor, gate.MANAGE, changed["org"])
    new = {f: changed.get(f, getattr(m, f)) for f in ("org", "stage", "joined_on", "full_on")}
    if errors := _membership_problems(new["org"], new["stage"], new["joined_on"], new["full_on"]):
        raise ValidationError(errors)
    before = {f: _audit_value(m, f) for f in changed}
    for f, v in changed.items():
        setattr(m, f, v)
    m.save(update_fields=[f for f in changed])
    if DATED_FIELDS & set(changed):
        restate_membership(m, on)
    after = {f: _audit_value(m, f) for f in changed}
    record(actor, "party.update", m, before=before, after={**after, "on": on}, org=m.org)
    return list(changed)


@transaction.atomic
def log_revealing_export(
    actor, org: Organization, *, kind: str, rows: int, id_numbers: int, phones: int, orgs=()
) -> None:
    """One audit event for an export that showed ID numbers or phones in clear."""
    gate.require(actor, gate.REVEAL, org)
    record(
        actor,
        "person.reveal_export",
        org,
        after={
            "kind": kind,
            "rows": rows,
            "id_numbers": id_numbers,
            "phones": phones,
            "orgs": [o.code for o in orgs] or [org.code],
        },
        org=org,
    )

"""Every write to people and Party memberships. Each checks the gate and policy and is audited."""

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import Ref, object_type, record, record_many
from jiceng.kernel.bulk import any_of, insert_rows
from jiceng.kernel.dated import restate
from jiceng.kernel.files import size_text, sniff_type
from jiceng.orgs.models import Organization, Tree, UnitKind
from jiceng.policy.selectors import value as policy_value

from . import crypto
from .choices import is_ethnicity
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
    DevelopmentPlan,
    Discipline,
    DisciplineKind,
    Education,
    MembershipState,
    Milestone,
    PartyMembership,
    Person,
    Stage,
    UnionMembership,
)
from .pipeline import PIPELINE, Context
from .selectors import union_members_on

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


RESIDENCE_KINDS = (UnitKind.COMMUNITY, UnitKind.VILLAGE)  # where a person may reside


def _field_problems(fields: dict) -> dict[str, str]:
    """Chinese messages for values outside their fixed lists (GB 3304, the education groups)."""
    errors = {}
    if fields.get("ethnicity") and not is_ethnicity(fields["ethnicity"]):
        errors["ethnicity"] = _("Choose an ethnicity from the GB 3304 list.")
    if fields.get("education") and fields["education"] not in Education.values:
        errors["education"] = _("Choose an education level from the list.")
    residence = fields.get("residence")
    if residence is not None and residence.kind not in RESIDENCE_KINDS:
        errors["residence"] = _("The residence community must be a community or a village.")
    return errors


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
    errors = _field_problems(fields)
    if not person.name:
        errors["name"] = _("Enter the name.")
    _set_identity(person, id_number, phone, errors)
    if errors:
        raise ValidationError(errors)
    person.save()
    record(actor, "people.person.register", person, after=person_snapshot(person), org=org)
    return person


def find_by_id_number(id_number: str) -> Person | None:
    """Exact lookup through the keyed hash (the clear number is never stored or compared)."""
    number = normalize_id_number(id_number)
    return Person.objects.filter(id_number_hash=crypto.lookup_hash(number, ID_CONTEXT)).first()


def _orgs_of(person: Person, on: dt.date | None = None) -> list[Organization]:
    """The organizations that keep the person's record: their Party organization, the trade
    union they belong to on `on` (default today; a union they left keeps no say), and the
    unions where they hold a congress delegate seat that day."""
    on = on or timezone.localdate()
    seats = Delegate.objects.in_force(on).filter(person=person)
    member_of = UnionMembership.objects.filter(union_members_on(on), person=person)
    ids = [
        *PartyMembership.objects.filter(person=person).values_list("org_id", flat=True),
        *member_of.values_list("org_id", flat=True),
        *seats.values_list("org_id", flat=True),
    ]
    found = Organization.objects.in_bulk(set(ids))
    return [found[i] for i in dict.fromkeys(ids)]


@transaction.atomic
def reveal(actor, person: Person, field: str) -> str:
    """The clear ID number or phone, for an actor allowed to see it; every reveal is logged."""
    contexts = {"id_number": ID_CONTEXT, "phone": PHONE_CONTEXT}
    if field not in contexts:
        raise ValidationError({"field": _("Only the ID number and the phone can be revealed.")})
    allowed = [org for org in _orgs_of(person) if gate.can(actor, gate.REVEAL, org)]
    if not allowed:
        raise PermissionDenied(_("You may not see this person's personal information."))
    token = getattr(person, f"{field}_encrypted")
    clear = crypto.decrypt(token, contexts[field]) if token else ""
    record(actor, "people.person.reveal", person, after={"field": field}, org=allowed[0])
    return clear


PHOTO_MAX_BYTES = "people.person.photo_max_bytes"
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}  # what the member page can show


@transaction.atomic
def set_photo(actor, person: Person, *, org: Organization, uploaded_file) -> Person:
    """The person's photo, uploaded by an officer of `org` (one of the organizations keeping
    the person's record): JPEG or PNG as its bytes say, at most the policy's size. Stored
    under MEDIA_ROOT with a random name; the one it replaces is deleted."""
    gate.require(actor, gate.MANAGE, org)
    if org.pk not in {o.pk for o in _orgs_of(person)}:
        raise PermissionDenied(_("You do not have permission to act on this organization."))
    max_bytes = int(policy_value(PHOTO_MAX_BYTES, org=org))
    size = uploaded_file.size or 0
    if size > max_bytes:
        raise ValidationError(
            {
                "photo": _("The photo is %(size)s; a photo may be at most %(max)s.")
                % {"size": size_text(size), "max": size_text(max_bytes)}
            }
        )
    if size == 0:
        raise ValidationError({"photo": _("The file is empty.")})
    uploaded_file.seek(0)
    content_type = sniff_type(uploaded_file.read(32))
    if content_type not in PHOTO_TYPES:
        raise ValidationError({"photo": _("A photo must be a JPG or PNG image.")})
    replaced = person.photo.name
    uploaded_file.seek(0)
    name = secrets.token_hex(16) + PHOTO_TYPES[content_type]  # the upload's name may be personal
    person.photo.save(name, uploaded_file, save=False)
    person.photo_type = content_type
    person.save(update_fields=["photo", "photo_type"])
    if replaced:
        storage = person.photo.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    record(
        actor,
        "people.person.set_photo",
        person,
        before={"photo": bool(replaced)},
        after={"photo": True, "type": content_type, "size": size},
        org=org,
    )
    return person


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
    return Context(m, on, data, done)


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
        actor,
        "people.party.apply",
        m,
        after={"person": person.name, "org": org.code, "on": on},
        org=org,
    )
    return m


@transaction.atomic
def register_applicant(
    actor, *, org: Organization, name: str, id_number: str, phone: str, on: dt.date | None
) -> Person:
    """Register a person and record their application at `org`; a refused application leaves
    no stray person."""
    person = register_person(actor, org=org, name=name, id_number=id_number, phone=phone)
    apply(actor, person, org=org, on=on)
    return person


@transaction.atomic
def receive_arrival(actor, *, org: Organization, name: str, id_number: str, phone: str, **letter):
    """A member arriving from outside the system: found by ID number (the name must match) or
    registered now, then received at `org` with their letter (see
    `transfers.receive_from_outside`); a refused arrival leaves no stray person."""
    from .transfers import receive_from_outside  # transfers builds on this module

    person = find_by_id_number(id_number)
    if person is not None and person.name != (name or "").strip():
        raise ValidationError(
            {"id_number": _("A person with this ID number is already registered.")}
        )
    if person is None:
        person = register_person(actor, org=org, name=name, id_number=id_number, phone=phone)
    return receive_from_outside(actor, person, org=org, **letter)


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
        f"people.party.{step}",
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
        "people.party.enrol",
        m,
        after={"person": person.name, "org": org.code, "stage": stage, "joined_on": joined_on},
        org=org,
    )
    return m


# -- development plans ---------------------------------------------------------------------------


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
        "people.party.set_plan",
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
    "left_hanging",
    "unreachable",
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


_PLAIN = frozenset({str, int, bool, type(None)})


class _Rows:
    """Rows of `model` ready for `jiceng.kernel.bulk.insert_rows`, made from the values a bulk service
    has at hand (by attname): every other concrete field takes its default (auto_now and
    auto_now_add: `now`), and each value is prepared as Django would prepare it. Building
    model instances and asking each field of each one cost more than the inserts themselves."""

    def __init__(self, model, now: dt.datetime):
        self.conn = connections[DEFAULT_DB_ALIAS]
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.index.update({f.name: i for i, f in enumerate(self.fields) if f.is_relation})
        self.template: list = []
        self.per_row: list[tuple[int, str, models.Field]] = []  # callable defaults
        for i, f in enumerate(self.fields):
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() and callable(f.default):
                self.per_row.append((i, f.attname, f))
                value = None
            else:
                value = f.get_default()
            self.template.append(self.prepare(f, value))
        self.rows: list[tuple] = []

    def default(self, attname: str):
        """The value a field not given takes (unprepared)."""
        return self.model._meta.get_field(attname).get_default()

    def prepare(self, f, value):
        if type(value) in _PLAIN:
            return value
        if isinstance(value, str):  # a TextChoices member: its plain value
            return str.__str__(value)
        if type(value) is dt.date:
            return self.conn.ops.adapt_datefield_value(value)
        if isinstance(value, models.Model):  # a related object given by its field's name
            return value.pk
        return f.get_db_prep_save(value, self.conn)

    def add(self, values: dict) -> None:
        row = self.template.copy()
        index, fields, plain = self.index, self.fields, _PLAIN
        for name, value in values.items():
            i = index[name]
            row[i] = value if type(value) in plain else self.prepare(fields[i], value)
        for i, name, f in self.per_row:
            if name not in values:
                row[i] = self.prepare(f, f.get_default())
        self.rows.append(tuple(row))

    def insert(self, *, key: str = "") -> list | None:
        """INSERT the rows; with `key` (a unique column), their primary keys in order."""
        columns = [f.column for f in self.fields]
        insert_rows(self.model._meta.db_table, columns, self.rows)
        if not key:
            return None
        i = self.index[key]
        values = [row[i] for row in self.rows]
        quote = self.conn.ops.quote_name
        meta = self.model._meta
        table, column = quote(meta.db_table), quote(self.fields[i].column)
        found: dict = {}
        select = f"SELECT {column}, {quote(meta.pk.column)} FROM {table} WHERE {column}"
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "postgresql":  # one array parameter
                cursor.execute(f"{select} = ANY(%s)", [values])
                found.update(cursor.fetchall())
            else:
                for at in range(0, len(values), 500):
                    part = values[at : at + 500]
                    cursor.execute(f"{select} IN ({', '.join(['%s'] * len(part))})", part)
                    found.update(cursor.fetchall())
        return [found[v] for v in values]


@transaction.atomic
def register_members(actor, entries: list[dict]) -> list[int]:
    """`register_person` + `enrol_member` for many new people at once (a roster import).

    Each entry holds the person's fields (name, id_number, phone, gender, …) and the
    membership's (org, stage, joined_on, full_on, category, composition, floating and
    flags). The same checks, rows and audit events as the two services one by one, with
    one uniqueness query and bulk inserts. Refused whole (`EntryErrors`) if any entry is bad.
    Returns the new memberships' primary keys, in the entries' order.
    """
    orgs = {e["org"].pk for e in entries}  # the gate once for all of them, not once each
    allowed = Organization.objects.filter(gate.org_filter(actor, gate.MANAGE), pk__in=orgs)
    if set(allowed.values_list("pk", flat=True)) != orgs:
        raise PermissionDenied(_("You do not have permission to act on this organization."))
    now = timezone.now()
    people, memberships = _Rows(Person, now), _Rows(PartyMembership, now)
    states = _Rows(MembershipState, now)
    snapshot_fields = [f for f in PERSON_FIELDS if f not in ("employer", "residence")]
    person_defaults = {f: people.default(f) for f in PERSON_FIELDS}
    dated = ("category", "composition", "floating")
    membership_defaults = {f: memberships.default(f) for f in dated}
    problems: dict[int, dict[str, str]] = {}
    digests: dict[str, int] = {}
    events = []
    stage_labels = {value: str(label) for value, label in Stage.choices}
    for i, e in enumerate(entries):
        errors: dict[str, str] = {}
        person = {f: e[f] for f in PERSON_FIELDS if f in e and f != "name"}
        person["name"] = name = (e.get("name") or "").strip()
        if not name:
            errors["name"] = _("Enter the name.")
        gender, born = person.get("gender", ""), person.get("birth_date")
        number = normalize_id_number(e.get("id_number") or "")
        masked = ""
        if problem := id_number_problem(number, gender=gender, birth_date=born):
            errors["id_number"] = problem
        else:
            digest = crypto.lookup_hash(number, ID_CONTEXT)
            if digest in digests:
                errors["id_number"] = _("A person with this ID number is already registered.")
            digests[digest] = i
            masked = crypto.mask_id_number(number)
            person["id_number_encrypted"] = crypto.encrypt(number, ID_CONTEXT)
            person["id_number_hash"] = digest
            person["id_number_masked"] = masked
            person["gender"] = gender or gender_of(number)
            person["birth_date"] = born or birth_date_of(number)
        phone_masked = ""
        if e.get("phone"):
            phone = normalize_phone(e["phone"])
            if problem := phone_problem(phone):
                errors["phone"] = problem
            phone_masked = crypto.mask_phone(phone)
            person["phone_encrypted"] = crypto.encrypt(phone, PHONE_CONTEXT)
            person["phone_hash"] = crypto.lookup_hash(phone, PHONE_CONTEXT)
            person["phone_masked"] = phone_masked
        org = e["org"]
        membership = {f: e[f] for f in MEMBERSHIP_FIELDS if f in e and f != "org"}
        errors.update(
            _membership_problems(org, e.get("stage"), e.get("joined_on"), e.get("full_on"))
        )
        if errors:
            problems[i] = errors
            continue
        if problems:
            continue  # refused whole: the rest is only checked
        people.add(person)
        membership["org_id"] = org.pk
        snapshot = {f: person.get(f, person_defaults[f]) for f in snapshot_fields}
        snapshot.update(id_number=masked, phone=phone_masked)
        events.append((name, snapshot, org, membership))
    taken = Person.objects.filter(any_of("id_number_hash", digests)).values_list(
        "id_number_hash", flat=True
    )
    for digest in taken:
        problems.setdefault(digests[digest], {})["id_number"] = _(
            "A person with this ID number is already registered."
        )
    if problems:
        raise EntryErrors(dict(sorted(problems.items())))
    person_pks = people.insert(key="id_number_hash")
    for (_name, _snapshot, _org, m), person_pk in zip(events, person_pks, strict=True):
        memberships.add({**m, "person_id": person_pk})
    membership_pks = memberships.insert(key="person_id")
    log = []
    kind = object_type(PartyMembership)
    person_kind = object_type(Person)
    for (name, snapshot, org, m), person_pk, pk in zip(
        events, person_pks, membership_pks, strict=True
    ):
        states.add(
            {
                "membership_id": pk,
                "valid_from": m.get("joined_on"),
                "org_id": org.pk,
                "stage": m.get("stage"),
                **{f: m.get(f, membership_defaults[f]) for f in dated},
            }
        )
        log.append(
            ("people.person.register", Ref(person_kind, person_pk, name), None, snapshot, org)
        )
        ref = Ref(kind, pk, f"{name} · {stage_labels[m['stage']]}")  # str(membership)
        after = {"person": name, "org": org.code, "stage": m["stage"], "joined_on": m["joined_on"]}
        log.append(("people.party.enrol", ref, None, after, org))
    states.insert()
    record_many(actor, log)
    return membership_pks


def _audit_value(obj, name: str):
    value = getattr(obj, name)
    return getattr(value, "code", None) or getattr(value, "pk", value)


@transaction.atomic
def update_person(
    actor, person: Person, *, org: Organization, phone=None, id_number=None, **fields
) -> list[str]:
    """Change a person's fields (and phone: None leaves it, "" clears it) on behalf of `org`.

    Only what differs is written and audited; returns the names of the changed fields.
    Gender and birth date must still agree with the person's ID number. A corrected ID
    number (`id_number`) is checked like a new one (and must not be another person's); the
    gender and birth date follow it unless given. The audit holds it masked only.
    """
    gate.require(actor, gate.MANAGE, org)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
    changed = {f: v for f, v in fields.items() if getattr(person, f) != v}
    errors = _field_problems(changed)
    new_number = None
    if id_number is not None:
        new_number = normalize_id_number(id_number)
        if not new_number:
            errors["id_number"] = _("Enter the ID number.")
        elif crypto.lookup_hash(new_number, ID_CONTEXT) == person.id_number_hash:
            new_number = None  # the number on record
        elif not id_number_problem(new_number):
            for f, derive in (("gender", gender_of), ("birth_date", birth_date_of)):
                if f not in fields and getattr(person, f) != derive(new_number):
                    changed[f] = derive(new_number)
    if "name" in changed:
        changed["name"] = (changed["name"] or "").strip()
        if not changed["name"]:
            errors["name"] = _("Enter the name.")
    if {"gender", "birth_date"} & set(changed) and person.id_number_encrypted and not new_number:
        number = crypto.decrypt(person.id_number_encrypted, ID_CONTEXT)
        if problem := id_number_problem(
            number,
            gender=changed.get("gender", person.gender) or "",
            birth_date=changed.get("birth_date", person.birth_date),
        ):
            errors["id_number"] = problem
    before = {f: _audit_value(person, f) for f in changed}
    before_phone, before_id = person.phone_masked, person.id_number_masked
    for f, v in changed.items():
        setattr(person, f, v)
    names = list(changed)
    if new_number and "id_number" not in errors:
        _set_identity(person, new_number, None, errors)  # checks against the new gender/birth
        names.append("id_number")
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
    stored = [f for f in names if f not in ("phone", "id_number")]
    if "phone" in names:
        stored += ["phone_encrypted", "phone_hash", "phone_masked"]
        before["phone"] = before_phone
    if "id_number" in names:
        stored += ["id_number_encrypted", "id_number_hash", "id_number_masked"]
        before["id_number"] = before_id
    person.save(update_fields=stored)
    masked = {"phone": person.phone_masked, "id_number": person.id_number_masked}
    after = {f: masked[f] if f in masked else _audit_value(person, f) for f in names}
    record(actor, "people.person.update", person, before=before, after=after, org=org)
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
    record(actor, "people.party.update", m, before=before, after={**after, "on": on}, org=m.org)
    return list(changed)


@transaction.atomic
def log_revealing_export(
    actor, org: Organization, *, kind: str, rows: int, id_numbers: int, phones: int, orgs=()
) -> None:
    """One audit event for an export that showed ID numbers or phones in clear."""
    gate.require(actor, gate.REVEAL, org)
    record(
        actor,
        "people.person.export_revealed",
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


# -- Party disciplinary sanctions (党纪处分) ---------------------------------------------------


@transaction.atomic
def record_discipline(
    actor,
    person: Person,
    *,
    kind: str,
    decided_on: dt.date,
    decided_by: str,
    document_number: str = "",
    valid_until: dt.date | None = None,
    note: str = "",
) -> Discipline:
    """Enter a sanction on the member's record, kept by their Party organization."""
    m = PartyMembership.objects.filter(person=person).select_related("org").first()
    if m is None:
        raise ValidationError(_("Only a Party member's record can hold a disciplinary sanction."))
    gate.require(actor, gate.MANAGE, m.org)
    errors = {}
    if kind not in DisciplineKind.values:
        errors["kind"] = _("Choose a sanction.")
    if not (decided_by or "").strip():
        errors["decided_by"] = _("This field is required.")
    if valid_until is not None and valid_until < decided_on:
        errors["valid_until"] = _("The period cannot end before the decision.")
    if errors:
        raise ValidationError(errors)
    d = Discipline.objects.create(
        person=person,
        org=m.org,
        kind=kind,
        decided_on=decided_on,
        decided_by=decided_by.strip()[:120],
        document_number=(document_number or "").strip()[:60],
        valid_until=valid_until,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    after = {"person": person.pk, "kind": kind, "decided_on": decided_on}
    record(
        actor,
        "people.discipline.record",
        d,
        after={**after, "number": d.document_number},
        org=m.org,
    )
    return d

"""Reads of people and memberships, through the visibility gate; figures for any subtree and date."""

import datetime as dt
from collections import Counter

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.kernel.dated import in_force_on
from jiceng.kernel.pagination import Page, paginate
from jiceng.kernel.paths import subtree_q
from jiceng.kernel.workflow import next_steps as workflow_next_steps
from jiceng.orgs.models import Organization, OrgState, UnitState
from jiceng.orgs.selectors import path_on

from .models import (
    MEMBER_STAGES,
    Discipline,
    FloatingRecord,
    MembershipState,
    Milestone,
    PartyMembership,
    Transfer,
    UnionMembership,
    UnionStatus,
)


def visible_memberships(user, action: str = gate.VIEW):
    return PartyMembership.objects.filter(gate.org_filter(user, action, field="org"))


def _states_under(org: Organization, on: dt.date):
    """Membership states in force on `on` in `org`'s subtree as it stood that day."""
    root = path_on(org, on)
    if root is None:
        return MembershipState.objects.none()
    return MembershipState.objects.filter(in_force_on(on)).filter(
        Exists(OrgState.objects.filter(in_force_on(on), subtree_q(root), org_id=OuterRef("org_id")))
    )


AGE_BANDS = [
    (0, 35, "≤35"),
    (36, 45, "36-45"),
    (46, 55, "46-55"),
    (56, 60, "56-60"),
    (61, 200, "≥61"),
]


def _age_band(born: dt.date | None, on: dt.date) -> str:
    if born is None:
        return "unknown"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def composition(
    user, org: Organization, on: dt.date | None = None, *, members_only: bool = True
) -> dict[str, Counter]:
    """Members under `org` on `on`, counted by stage, category, gender, age band, education
    and composition group (001:L130)."""
    gate.require(user, gate.VIEW, org)
    on = on or timezone.localdate()
    states = _states_under(org, on)
    if members_only:
        states = states.filter(stage__in=MEMBER_STAGES)
    rows = states.values(
        "stage",
        "category",
        "composition",
        "membership__person__gender",
        "membership__person__education",
        "membership__person__birth_date",
    )
    result = {
        k: Counter()
        for k in ("stage", "category", "composition", "gender", "education", "age_band")
    }
    total = 0
    for r in rows.iterator(chunk_size=5000):
        total += 1
        result["stage"][r["stage"]] += 1
        result["category"][r["category"]] += 1
        if r["composition"]:
            result["composition"][r["composition"]] += 1
        result["gender"][r["membership__person__gender"] or "unknown"] += 1
        result["education"][r["membership__person__education"] or "unknown"] += 1
        result["age_band"][_age_band(r["membership__person__birth_date"], on)] += 1
    result["total"] = Counter({"members": total})
    return result


def floating_figures(user, org: Organization, on: dt.date | None = None) -> dict:
    """Floating members under `org` on `on`, by organization, and activity cards issued."""
    gate.require(user, gate.VIEW, org)
    on = on or timezone.localdate()
    states = _states_under(org, on).filter(stage__in=MEMBER_STAGES).exclude(floating="")
    by_org = Counter(dict(states.values_list("org_id").annotate(n=Count("id"))))
    active = FloatingRecord.objects.in_force(on).filter(
        membership_id__in=states.values("membership_id")
    )
    cards = active.filter(card_issued_on__lte=on).values("membership_id").distinct().count()
    return {"total": sum(by_org.values()), "by_org": by_org, "cards": cards}


def plan_progress(user, plan) -> dict:
    """Members admitted under the plan's organization in its years, against the target."""
    gate.require(user, gate.VIEW, plan.org)
    admitted = Milestone.objects.filter(
        step="admit",
        on__year__gte=plan.first_year,
        on__year__lte=plan.last_year,
        membership__org__in=Organization.objects.filter(subtree_q(plan.org.path)),
    )
    by_group = Counter(
        dict(admitted.values_list("membership__composition").annotate(n=Count("id")))
    )
    done = sum(by_group.values())
    return {
        "target": plan.target,
        "admitted": done,
        "rate": round(100 * done / plan.target, 1) if plan.target else None,
        "by_group": {
            g: {"target": t, "admitted": by_group.get(g, 0)}
            for g, t in plan.targets_by_group.items()
        },
    }


def union_members_on(on: dt.date) -> Q:
    """Union memberships in force on `on`: joined by then and not yet left (a "left" record
    without its date counts as left throughout)."""
    return (
        Q(joined_on__lte=on)
        & (Q(left_on__isnull=True) | Q(left_on__gt=on))
        & ~Q(status=UnionStatus.LEFT, left_on__isnull=True)
    )


def working_union_members_on(on: dt.date) -> Q:
    """Union memberships in force and working on `on`: not yet retired either (a "retired"
    record without its date counts as retired throughout)."""
    return (
        union_members_on(on)
        & (Q(retired_on__isnull=True) | Q(retired_on__gt=on))
        & ~Q(status=UnionStatus.RETIRED, retired_on__isnull=True)
    )


def union_membership_rate(user, org: Organization, on: dt.date | None = None) -> dict:
    """入会率 on `on` (default today) = working union members then in `org`'s subtree as it
    stood that day / employees then of the units whose responsible union lay in it (the
    units' dated history, `UnitState`)."""
    gate.require(user, gate.VIEW, org)
    on = on or timezone.localdate()
    root = path_on(org, on)
    if root is None:
        return {"members": 0, "employees": 0, "rate": None}

    def in_subtree(field):
        return Exists(
            OrgState.objects.filter(in_force_on(on), subtree_q(root), org_id=OuterRef(field))
        )

    members = UnionMembership.objects.filter(working_union_members_on(on), in_subtree("org_id"))
    members = members.count()
    employees = (
        UnitState.objects.filter(in_force_on(on), in_subtree("responsible_union_id")).aggregate(
            n=Sum("employees")
        )["n"]
        or 0
    )
    return {
        "members": members,
        "employees": employees,
        "rate": round(100 * members / employees, 1) if employees else None,
    }


# -- reads for the member pages and the people API --------------------------------------------

FLAGS = (
    "hardship",
    "veteran",
    "reserve_cadre",
    "without_post",
    "never_reported",
    "left_hanging",
    "unreachable",
)
PIPELINE_STAGES = ("applicant", "activist", "target", "probationary")
CURRENT_STAGES = (*PIPELINE_STAGES, "full")
ANY_FLOATING = "any"
# The milestone with which each stage begins ("since" on the pipeline board).
STAGE_BEGINS_WITH = {
    "applicant": "apply",
    "activist": "activist",
    "target": "target",
    "probationary": "admit",
}
# Steps with a deadline counted from an earlier milestone (the rest are "possible from").
DEADLINES = {
    "talk": ("apply", "people.party.talk_within_days"),
    "approve": ("admit", "people.party.approval_within_days"),
}
EXIT_STATES = frozenset({"withdrawn", "suspended", "removed", "deceased"})
# A member list over at most this many organizations filters memberships by a list of their
# ids: the database then walks memberships in id order testing a hashed list, or reads each
# organization's few members from an index, choosing by exact per-organization estimates.
# Over more (a city, a province) the members are dense enough that the walk in id order with
# a join on the stored path finds a page within a few thousand rows.
SCOPE_IDS = 5000


class _InIds(Func):
    """`column IN (1, 2, …)` with the integer ids written into the statement: for thousands
    of ids, Django's one parameter per id (prepared, bound, parsed by the driver) costs
    more than the query takes to run. PostgreSQL hashes such a list (it does not hash
    `= ANY(array parameter)`); integers need no quoting."""

    output_field = BooleanField()

    def __init__(self, column: str, ids: list[int]):
        super().__init__(F(column))
        self.ids = ",".join(str(int(i)) for i in ids)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"{column} IN ({self.ids})", params


def _member_scope(user, under: Organization | None, org_code: str | None):
    """A condition on memberships: in organizations `user` sees, under `under`, with code
    `org_code`."""
    visible = Organization.objects.filter(gate.org_filter(user, gate.VIEW))
    orgs = visible.filter(subtree_q(under.path)) if under is not None else visible
    if org_code:
        orgs = orgs.filter(code=org_code)
    # More than SCOPE_IDS? Probed on one path condition (a range of the path index, read
    # without the table): `under`'s subtree bounds the scope from above.
    bound = Organization.objects.filter(subtree_q(under.path)) if under is not None else visible
    bound = bound.order_by().values_list("path", flat=True)
    if org_code or not bound[SCOPE_IDS : SCOPE_IDS + 1]:
        ids = list(orgs.values_list("pk", flat=True))
        return _InIds("org_id", ids) if ids else Q(pk__in=[])
    scope = gate.org_filter(user, gate.VIEW, field="org")
    if under is not None:
        scope &= subtree_q(under.path, "org__path")
    return scope


def member_list(
    user,
    *,
    under: Organization | None = None,
    stage: str | None = None,
    category: str | None = None,
    floating: str | None = None,
    flags=(),
    gender: str | None = None,
    org_code: str | None = None,
    query: str = "",
):
    """Party records the user may see, filtered; unordered (callers paginate on `id`).

    `stage` None means everyone still in the Party or the pipeline; "all" includes exits.
    `query` is a name fragment, or a whole citizen ID number (matched through its keyed hash).
    """
    from . import crypto
    from .identity import id_number_problem, normalize_id_number

    found = PartyMembership.objects.filter(_member_scope(user, under, org_code))
    found = found.select_related("person", "org")
    if stage == "all":
        pass
    elif stage:
        found = found.filter(stage=stage)
    else:
        found = found.filter(stage__in=CURRENT_STAGES)
    if category:
        found = found.filter(category=category)
    if floating == ANY_FLOATING:
        found = found.exclude(floating="")
    elif floating:
        found = found.filter(floating=floating)
    for flag in flags:
        if flag in FLAGS:
            found = found.filter(**{flag: True})
    if gender:
        found = found.filter(person__gender=gender)
    query = (query or "").strip()
    if query:
        number = normalize_id_number(query)
        if len(number) == 18 and id_number_problem(number) is None:
            digest = crypto.lookup_hash(number, "person.id_number")
            found = found.filter(person__id_number_hash=digest)
        else:
            found = found.filter(person__name__icontains=query)
    return found


# What the member list shows of each row (the template reads nothing else).
LIST_COLUMNS = (
    "stage",
    "category",
    "floating",
    "hardship",
    "never_reported",
    "left_hanging",
    "unreachable",
    "person__name",
    "person__id_number_masked",
    "person__phone_masked",
    "org__name",
)


def member_page(user, *, cursor: str | None = None, limit: int = 50, **filters) -> Page:
    """One page of `member_list(user, **filters)` after `cursor`, with the columns the list
    shows. The page's ids are found first — from indexes alone where possible — and only its
    rows are then read, so the database never joins people to rows it sorts away.
    Raises ValidationError for a bad cursor."""
    ids = member_list(user, **filters).select_related(None).only("pk")
    page = paginate(ids, key="id", cursor=cursor, limit=limit)
    rows = PartyMembership.objects.select_related("person", "org").only(*LIST_COLUMNS)
    found = rows.in_bulk([m.pk for m in page.items])
    return Page([found[m.pk] for m in page.items], page.next_cursor)


def top_orgs(user) -> list[Organization]:
    """The highest organizations `user` sees, in path order — what
    `orgs.selectors.org_list(user, roots=True)` lists — worked out from the user's few role
    assignments instead of an anti-join over every visible organization (that one takes
    ≈0.4 s for a province's administrator; see docs/benchmarks.md, member_list)."""
    from jiceng.access.models import Role, Scope

    granting = [a for a in gate.assignments(user) if gate.VIEW in gate.ROLE_ACTIONS[a.role]]
    if any(a.role == Role.SYSTEM_ADMIN for a in granting):
        roots = Organization.objects.filter(parent__isnull=True, dissolved_on__isnull=True)
        return list(roots.order_by("path"))
    subtrees = [a.org.path for a in granting if a.scope == Scope.SUBTREE]
    nodes = {a.org_id for a in granting}
    tops = {}
    for org in (a.org for a in granting):
        if org.dissolved_on is not None or org.pk in tops:
            continue
        parent = org.path[: org.path.rstrip("/").rfind("/") + 1]
        if org.parent_id is not None and (
            org.parent_id in nodes or any(parent.startswith(p) for p in subtrees)
        ):
            continue  # its parent is visible too: not a top
        tops[org.pk] = org
    return sorted(tops.values(), key=lambda o: o.path)


def get_membership(user, pk: int, action: str = gate.VIEW) -> PartyMembership:
    """The Party record `pk`, or PartyMembership.DoesNotExist when it is out of sight."""
    return visible_memberships(user, action).select_related("person", "org").get(pk=pk)


def _context(m: PartyMembership, on: dt.date, done: dict, cache: dict):
    """A pipeline Context whose policy look-ups are shared (one query per key, org and date)."""
    from .pipeline import Context

    class Cached(Context):
        def policy(self, key):
            slot = (key, self.record.org_id, self.on)
            if slot not in cache:
                cache[slot] = Context.policy(self, key)
            return cache[slot]

    return Cached(m, on, {}, done)


def _next_steps(m: PartyMembership, done: dict, on: dt.date, cache: dict) -> list[dict]:
    from .pipeline import PIPELINE

    # Requirements on the step's own data (introducers, hours, days) are checked when it is
    # recorded; what is shown here is what the record itself still waits for.
    ctx = _context(m, on, done, cache)
    found = []
    for item in workflow_next_steps(PIPELINE, m.stage, ctx):
        step, due = item["step"], None
        if step.key in DEADLINES and item["possible"]:
            start, key = DEADLINES[step.key]
            if start in done:
                due = done[start].on + dt.timedelta(days=int(ctx.policy(key)))
        found.append({**item, "due": due, "exit": step.to_state in EXIT_STATES})
    return found


def milestones_of(user, m: PartyMembership) -> list:
    """The record's pipeline milestones in the order they were taken."""
    gate.require(user, gate.VIEW, m.org)
    return list(m.milestones.order_by("on", "id"))


def next_steps(user, m: PartyMembership, on: dt.date | None = None) -> list[dict]:
    """Every step open to `m` (exits last) with what still stands in its way on `on`.

    Each item: step, key, label, refusals (Refusal list), possible, possible_from (the date
    waiting alone makes it possible), due (a deadline counted from an earlier milestone), exit.
    """
    gate.require(user, gate.VIEW, m.org)
    done = {ms.step: ms for ms in m.milestones.all()}
    steps = _next_steps(m, done, on or timezone.localdate(), {})
    return [s for s in steps if not s["exit"]] + [s for s in steps if s["exit"]]


def pipeline_board(user, org: Organization, *, limit: int = 50) -> dict:
    """The pipeline under `org`: per stage the first `limit` cards (oldest record first), each
    with the date its stage began and the next step with its date; `more` when cut short."""
    from django.db.models import Prefetch

    gate.require(user, gate.VIEW, org)
    today = timezone.localdate()
    cache: dict = {}
    columns = {}
    base = visible_memberships(user).filter(subtree_q(org.path, "org__path"))
    for stage in PIPELINE_STAGES:
        rows = list(
            base.filter(stage=stage)
            .select_related("person", "org")
            .prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.order_by("on", "id"))
            )
            .order_by("id")[: limit + 1]
        )
        cards = []
        for m in rows[:limit]:
            done = {ms.step: ms for ms in m.milestones.all()}
            begun = done.get(STAGE_BEGINS_WITH[stage])
            steps = [s for s in _next_steps(m, done, today, cache) if not s["exit"]]
            cards.append(
                {
                    "membership": m,
                    "since": begun.on if begun else m.joined_on,
                    "next": steps[0] if steps else None,
                }
            )
        columns[stage] = {"cards": cards, "more": len(rows) > limit}
    return columns


def _org_names(user, ids) -> dict:
    return dict(
        Organization.objects.filter(gate.org_filter(user), pk__in=set(ids)).values_list(
            "pk", "name"
        )
    )


def member_timeline(user, m: PartyMembership) -> list[dict]:
    """The record's pipeline milestones, dated states, floating records and union membership,
    newest first. Organizations (and introducers) the user may not see stay unnamed."""
    from .pipeline import PIPELINE

    gate.require(user, gate.VIEW, m.org)
    states = list(m.states.order_by("valid_from", "id"))
    milestones = list(m.milestones.select_related("recorded_by"))
    introducer_ids = [i for ms in milestones for i in ms.data.get("introducers", [])]
    introducers = dict(
        visible_memberships(user)
        .filter(person_id__in=introducer_ids)
        .values_list("person_id", "person__name")
    )
    names = _org_names(user, [s.org_id for s in states])
    from .models import Category, Stage

    stages, categories = dict(Stage.choices), dict(Category.choices)
    entries = []
    for ms in milestones:
        declared = PIPELINE.steps.get(ms.step)
        data = dict(ms.data)
        if "introducers" in data:
            data["introducers"] = [introducers.get(i, "—") for i in data["introducers"]]
        entries.append(
            {
                "on": ms.on,
                "kind": "milestone",
                "title": declared.label if declared else ms.step,
                "note": ms.note,
                "data": data,
                "by": ms.recorded_by,
                "order": (1, ms.pk),
            }
        )
    for s in states:
        entries.append(
            {
                "on": s.valid_from,
                "kind": "state",
                "title": stages.get(s.stage, s.stage),
                "org": names.get(s.org_id),
                "category": categories.get(s.category, s.category),
                "floating": s.get_floating_display() if s.floating else "",
                "until": s.valid_until,
                "order": (0, s.pk),
            }
        )
    for f in m.floating_records.all():
        entries.append(
            {
                "on": f.valid_from,
                "kind": "floating",
                "title": f.get_direction_display(),
                "place": f.place,
                "until": f.valid_until,  # the day of return
                "record": f,
                "order": (2, f.pk),
            }
        )
    for union in union_records(user, m.person):
        entries.append(
            {"on": union.joined_on, "kind": "union", "union": union, "order": (3, union.pk)}
        )
        if union.left_on:
            entries.append(
                {"on": union.left_on, "kind": "union_left", "union": union, "order": (4, union.pk)}
            )
    entries.sort(key=lambda e: (e["on"], e["order"]), reverse=True)
    return entries


def union_records(user, person):
    """The person's union memberships (the one in force, then past ones, latest first) kept
    by unions the user may see."""
    return (
        UnionMembership.objects.filter(gate.org_filter(user, field="org"), person=person)
        .select_related("org")
        .order_by(F("left_on").desc(nulls_first=True), "-joined_on", "-id")
    )


def union_record(user, person) -> UnionMembership | None:
    """The person's union membership in force (else their latest past one), if the user may
    see the union that keeps it."""
    return union_records(user, person).first()


def introducer_choices(m: PartyMembership, limit: int = 500) -> list[tuple[int, str]]:
    """(person id, name) of the full members of `m`'s organization, for naming introducers."""
    return list(
        PartyMembership.objects.filter(org_id=m.org_id, stage="full")
        .exclude(pk=m.pk)
        .order_by("person__name", "id")
        .values_list("person_id", "person__name")[:limit]
    )


def union_members(user, org: Organization, status: str | None = None):
    """Union memberships under `org` the user may see; unordered (callers paginate on `id`).
    `status` keeps one status, or "current" the members who have not left."""
    found = UnionMembership.objects.filter(
        gate.org_filter(user, field="org"), subtree_q(org.path, "org__path")
    ).select_related("person", "org")
    if status == "current":
        return found.filter(left_on__isnull=True)
    return found.filter(status=status) if status else found


def get_union_member(user, org: Organization, pk: int) -> UnionMembership:
    """One union membership under `org` the user may see (DoesNotExist otherwise)."""
    return union_members(user, org).get(pk=pk)


def delegates_by_category(user, org: Organization, on: dt.date | None = None) -> list[dict]:
    """The congress delegates of `org` seated on `on`, by category, with counts."""
    from .models import Delegate, DelegateCategory

    gate.require(user, gate.VIEW, org)
    on = on or timezone.localdate()
    seats = (
        Delegate.objects.in_force(on)
        .filter(org=org)
        .select_related("person")
        .order_by("person__name", "id")
    )
    by_category = {key: [] for key in DelegateCategory.values}
    for seat in seats:
        by_category.setdefault(seat.category, []).append(seat)
    labels = dict(DelegateCategory.choices)
    return [
        {"category": key, "label": labels.get(key, key), "count": len(rows), "seats": rows}
        for key, rows in by_category.items()
    ]


def plans_in_force(user, org: Organization, year: int | None = None) -> list[dict]:
    """The development plans of `org` covering `year` (default: this year), with progress."""
    from .models import DevelopmentPlan

    gate.require(user, gate.VIEW, org)
    year = year or timezone.localdate().year
    plans = DevelopmentPlan.objects.filter(
        org=org, first_year__lte=year, last_year__gte=year
    ).order_by("first_year", "last_year")
    return [{"plan": p, "progress": plan_progress(user, p)} for p in plans]


def own_record(person) -> dict:
    """A person's own Party record, milestones and union membership (for "My record": the
    person reads their own data, so no organization gate applies)."""
    from .pipeline import PIPELINE

    party = PartyMembership.objects.filter(person=person).select_related("org").first()
    union = (
        UnionMembership.objects.filter(person=person)
        .select_related("org")
        .order_by(F("left_on").desc(nulls_first=True), "-joined_on", "-id")
        .first()
    )
    milestones = party.milestones.order_by("-on", "-id") if party else []
    return {
        "party": party,
        "milestones": [
            {
                "on": ms.on,
                "step": ms.step,
                "label": getattr(PIPELINE.steps.get(ms.step), "label", ms.step),
            }
            for ms in milestones
        ],
        "union": union,
    }


# -- transfers and floating members ----------------------------------------------------------


def visible_transfers(user, action: str = gate.VIEW):
    """Transfers the user may see from either side (sending or receiving organization)."""
    return Transfer.objects.filter(
        gate.org_filter(user, action, field="from_org")
        | gate.org_filter(user, action, field="to_org")
    )


def transfers_of(user, org: Organization, *, open_only: bool = False):
    """Letters sent by or to `org`, newest first."""
    gate.require(user, gate.VIEW, org)
    found = Transfer.objects.filter(Q(from_org=org) | Q(to_org=org))
    if open_only:
        found = found.filter(state__in=["issued", "accepted"])
    return found.select_related("membership__person", "from_org", "to_org").order_by(
        "-issued_on", "-id"
    )


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a month written YYYY-MM."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except (TypeError, ValueError):
        raise ValidationError({"month": _("Enter the month as YYYY-MM.")}) from None
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def floating_month_figures(user, org: Organization, month: str) -> dict:
    """The monthly floating report of `org`'s subtree (000:L35), as of the month end.

    outflow / inflow: floating members at the month end; new / returned: floating records
    begun / ended in the month; cards: activity cards held by those floating at the month end;
    cards_issued: cards issued in the month.
    """
    gate.require(user, gate.VIEW, org)
    first, last = month_bounds(month)
    states = _states_under(org, last).filter(stage__in=MEMBER_STAGES)
    by_direction = Counter(
        dict(states.exclude(floating="").values_list("floating").annotate(n=Count("id")).order_by())
    )
    records = FloatingRecord.objects.filter(membership_id__in=states.values("membership_id"))
    held = records.in_force(last)
    return {
        "outflow": by_direction.get("outflow", 0),
        "inflow": by_direction.get("inflow", 0),
        "new": records.filter(valid_from__range=(first, last)).count(),
        "returned": records.filter(valid_until__range=(first, last)).count(),
        "cards": held.filter(card_issued_on__lte=last).values("membership_id").distinct().count(),
        "cards_issued": records.filter(card_issued_on__range=(first, last)).count(),
    }


def floating_roster(user, org: Organization, on: dt.date | None = None):
    """花名册: one row per member floating under `org` on `on`, with the organization that
    held them that day, the card and the last follow-up by then. Phones only masked."""
    gate.require(user, gate.VIEW, org)
    on = on or timezone.localdate()
    states = _states_under(org, on).filter(stage__in=MEMBER_STAGES).exclude(floating="")
    state_then = MembershipState.objects.filter(
        in_force_on(on), membership_id=OuterRef("membership_id")
    )
    return (
        FloatingRecord.objects.in_force(on)
        .filter(membership_id__in=states.values("membership_id"))
        .annotate(
            org_name=Subquery(state_then.values("org__name")[:1]),
            org_path=Subquery(state_then.values("org__path")[:1]),
            last_follow_up=Max("follow_ups__on", filter=Q(follow_ups__on__lte=on)),
            card=Case(When(card_issued_on__lte=on, then=F("card_number")), default=Value("")),
            card_issued=Case(When(card_issued_on__lte=on, then=F("card_issued_on"))),
        )
        .values(
            "id",
            "membership_id",
            "org_name",
            "direction",
            "place",
            "contact_person",
            "card",
            "card_issued",
            "last_follow_up",
            since=F("valid_from"),
            name=F("membership__person__name"),
            gender=F("membership__person__gender"),
            birth_date=F("membership__person__birth_date"),
            phone=F("membership__person__phone_masked"),
            stage=F("membership__stage"),
        )
        .order_by("org_path", "name", "id")
    )


# -- the pages of transfers, floating members, development plans and delegates ---------------

OPEN_LETTER_LIMIT = 200


def _transfer_rows(transfers, today: dt.date) -> list[dict]:
    """Each letter with its deadline: decide by (issued: the receiving organization's policy)
    or report in by (accepted), and whether it has passed."""
    from jiceng.policy.selectors import value as policy_value

    decide: dict = {}
    rows = []
    for t in transfers:
        deadline, kind = None, ""
        if t.state == "issued" and t.to_org_id:
            if t.to_org_id not in decide:
                decide[t.to_org_id] = int(
                    policy_value("people.transfer.decide_within_days", org=t.to_org, on=today)
                )
            deadline, kind = t.issued_on + dt.timedelta(days=decide[t.to_org_id]), "decide"
        elif t.state == "accepted":
            deadline, kind = t.report_by, "report"
        rows.append(
            {
                "transfer": t,
                "deadline": deadline,
                "deadline_kind": kind,
                "overdue": bool(deadline and deadline < today),
            }
        )
    return rows


def transfer_board(user, org: Organization, *, closed_limit: int = 30) -> dict:
    """The letters `org` sent ("outgoing") and received ("incoming"): open ones oldest first
    with their deadlines (at most OPEN_LETTER_LIMIT; `more` when cut), then the latest
    `closed_limit` decided or completed ones."""
    gate.require(user, gate.VIEW, org)
    today = timezone.localdate()
    base = Transfer.objects.select_related("membership__person", "from_org", "to_org")
    board = {}
    for side, mine in (("outgoing", Q(from_org=org)), ("incoming", Q(to_org=org))):
        letters = list(
            base.filter(mine, state__in=["issued", "accepted"]).order_by("issued_on", "id")[
                : OPEN_LETTER_LIMIT + 1
            ]
        )
        closed = (
            base.filter(mine)
            .exclude(state__in=["issued", "accepted"])
            .order_by("-issued_on", "-id")[:closed_limit]
        )
        board[side] = {
            "open": _transfer_rows(letters[:OPEN_LETTER_LIMIT], today),
            "more": len(letters) > OPEN_LETTER_LIMIT,
            "closed": _transfer_rows(closed, today),
        }
    return board


def get_transfer(user, pk: int) -> Transfer:
    """The letter `pk` if the user sees its sending or receiving side; else DoesNotExist."""
    return (
        visible_transfers(user)
        .select_related("membership__person", "membership__org", "from_org", "to_org")
        .get(pk=pk)
    )


def transfer_row(t: Transfer) -> dict:
    """One letter with its deadline (for the letter's own page)."""
    return _transfer_rows([t], timezone.localdate())[0]


def member_transfers(user, m: PartyMembership) -> list[Transfer]:
    """The member's letters whose sending or receiving side the user sees, newest first."""
    return list(
        visible_transfers(user)
        .filter(membership=m)
        .select_related("from_org", "to_org")
        .order_by("-issued_on", "-id")
    )


def timeline_with_transfers(user, m: PartyMembership) -> list[dict]:
    """`member_timeline` plus the member's letters the user may see (kind "transfer")."""
    entries = member_timeline(user, m)
    if any(e["kind"] == "transfer" for e in entries):  # should the timeline come to hold them
        return entries
    for t in member_transfers(user, m):
        entries.append({"on": t.issued_on, "kind": "transfer", "transfer": t, "order": (5, t.pk)})
    entries.sort(key=lambda e: (e["on"], e["order"]), reverse=True)
    return entries


def receiving_org(user, code: str) -> Organization:
    """The Party organization in operation with exactly this code, to address a letter to.

    A letter may go anywhere in the system, so this looks beyond what the user sees; it is
    for users who may issue letters (manage some organization) and finds one exact code,
    never a list. DoesNotExist otherwise.
    """
    from jiceng.orgs.models import Tree

    if not Organization.objects.filter(gate.org_filter(user, gate.MANAGE)).exists():
        raise Organization.DoesNotExist
    return Organization.objects.get(
        code=(code or "").strip(), tree=Tree.PARTY, dissolved_on__isnull=True
    )


def receiver_suggestions(user, *, exclude=None, limit: int = 200) -> list[tuple[str, str]]:
    """(code, name) of Party organizations in operation the user sees, for the letter form."""
    from jiceng.orgs.models import Tree

    found = Organization.objects.filter(
        gate.org_filter(user), tree=Tree.PARTY, dissolved_on__isnull=True
    )
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return list(found.order_by("path").values_list("code", "name")[:limit])


def get_floating_record(user, pk: int) -> FloatingRecord:
    """The floating record `pk` if the user sees the member's organization; else DoesNotExist."""
    return (
        FloatingRecord.objects.filter(gate.org_filter(user, field="membership__org"))
        .select_related("membership__person", "membership__org")
        .get(pk=pk)
    )


def follow_ups_of(user, record: FloatingRecord) -> list:
    """The record's follow-ups, newest first (the notes included: the page is the member's)."""
    gate.require(user, gate.VIEW, record.membership.org)
    return list(record.follow_ups.select_related("recorded_by").order_by("-on", "-id"))


def floating_records_of(user, m: PartyMembership) -> list[FloatingRecord]:
    """The member's floating records, open ones first, then newest."""
    gate.require(user, gate.VIEW, m.org)
    return sorted(
        m.floating_records.all(),
        key=lambda r: (r.valid_until is not None, -r.valid_from.toordinal()),
    )


def floating_reports_of(user, org: Organization, *, limit: int = 12) -> list:
    """The monthly floating reports `org` submitted, latest month first."""
    from .models import FloatingReport

    gate.require(user, gate.VIEW, org)
    return list(
        FloatingReport.objects.filter(org=org)
        .select_related("submitted_by")
        .order_by("-month")[:limit]
    )


def development_plans(user, org: Organization) -> list[dict]:
    """Every development plan of `org` (annual and five-year), latest first, with progress."""
    from .models import DevelopmentPlan

    gate.require(user, gate.VIEW, org)
    plans = DevelopmentPlan.objects.filter(org=org).order_by("-first_year", "last_year")
    return [{"plan": p, "progress": plan_progress(user, p)} for p in plans]


def past_delegates(user, org: Organization, *, limit: int = 100) -> list:
    """Seats of `org` whose term has ended (or begins later), latest first."""
    from .models import Delegate

    gate.require(user, gate.VIEW, org)
    today = timezone.localdate()
    return list(
        Delegate.objects.filter(org=org)
        .filter(Q(valid_until__lte=today) | Q(valid_from__gt=today))
        .select_related("person")
        .order_by("-valid_from", "-id")[:limit]
    )


def get_delegate_seat(user, org: Organization, pk: int):
    """The seat `pk` at `org`'s congress, if the user sees `org`; else DoesNotExist."""
    from .models import Delegate

    return Delegate.objects.filter(gate.org_filter(user, field="org"), org=org).get(pk=pk)


def union_member_by_number(user, org: Organization, number: str) -> UnionMembership | None:
    """The union member with this member number in `org` (numbers are unique per union), or
    else the only one with it under `org`, if the user may see them."""
    found = union_members(user, org).filter(member_number=(number or "").strip())
    exact = found.filter(org=org).first()
    if exact is not None:
        return exact
    below = list(found[:2])
    return below[0] if len(below) == 1 else None


def seated(org: Organization, person, on: dt.date) -> bool:
    """Whether `person` holds a seat at `org`'s congress on `on` (or from a later date)."""
    from .models import Delegate

    return (
        Delegate.objects.filter(org=org, person=person)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))
        .exists()
    )


def floating_report(user, org: Organization, month: str):
    """The monthly floating report `org` submitted for `month` (YYYY-MM), or None."""
    from .models import FloatingReport

    gate.require(user, gate.VIEW, org)
    return (
        FloatingReport.objects.filter(org=org, month=month).select_related("submitted_by").first()
    )


# -- Party disciplinary sanctions (党纪处分) ---------------------------------------------------


def _disciplined_between(start: dt.date, end: dt.date) -> Q:
    """Decided within [start, end], or decided earlier and still in force on `start`."""
    return Q(decided_on__gte=start, decided_on__lte=end) | Q(
        decided_on__lt=start, valid_until__gte=start
    )


def disciplines_in_period(person_ids, start: dt.date, end: dt.date) -> dict[int, Discipline]:
    """Set-based, for checking many nominees at once: person id → the latest sanction that
    touches the period. Unscoped: the caller has already checked it may see those people."""
    found: dict[int, Discipline] = {}
    rows = Discipline.objects.filter(_disciplined_between(start, end), person_id__in=person_ids)
    for d in rows.order_by("person_id", "-decided_on", "-id"):
        found.setdefault(d.person_id, d)
    return found


def discipline_in_period(person, start: dt.date, end: dt.date) -> Discipline | None:
    """The latest sanction of `person` that touches [start, end], or None."""
    return disciplines_in_period([person.pk], start, end).get(person.pk)


def disciplines_of(user, person) -> list[Discipline]:
    """A member's sanctions, for an officer who may see their organization."""
    seen = gate.org_filter(user, gate.VIEW, field="org")
    return list(Discipline.objects.filter(seen, person=person).order_by("-decided_on", "-id"))


# -- development steps on time, for assessment -------------------------------------------------

# Steps of the pipeline that have a deadline, as the to-do centre (duties.milestones) reckons
# it: (step, the step it counts from, policy key of the days allowed).
DEVELOPMENT_DEADLINES = (
    ("talk", "apply", "people.party.talk_within_days"),
    ("approve", "admit", "people.party.approval_within_days"),
    ("convert", "admit", "people.party.probation_days"),
)
# A step is not owed by someone who left the pipeline before its deadline.
PIPELINE_EXITS = ("withdraw", "suspend", "remove", "decease")


def development_steps_on_time(orgs, start: dt.date, end: dt.date, on: dt.date, policy):
    """{org id: (steps taken by their deadline or not yet due, steps due)} over the deadlines
    falling in [start, end], for the Party memberships of `orgs` (a queryset of
    organizations), as the milestones stood on `on`. `policy` is a `Snapshot` of `on`. One
    query for all the organizations."""
    anchors = {anchor for _step, anchor, _key in DEVELOPMENT_DEADLINES}
    widest = max(int(policy.highest(key)) for *_, key in DEVELOPMENT_DEADLINES)
    # A deadline in the period counts from a step at most `widest` days before it, and every
    # later step of the same person is later still: older milestones cannot matter.
    rows = Milestone.objects.filter(
        membership__org__in=orgs,
        on__gte=start - dt.timedelta(days=widest),
        on__lte=on,
        step__in=anchors | {step for step, *_ in DEVELOPMENT_DEADLINES} | set(PIPELINE_EXITS),
    ).values_list("membership_id", "membership__org_id", "step", "on")
    done: dict[int, dict[str, dt.date]] = {}
    where: dict[int, int] = {}
    for membership, org_id, step, day in rows.iterator(chunk_size=5000):
        steps = done.get(membership)
        if steps is None:
            steps = done[membership] = {}
            where[membership] = org_id
        if step not in steps or day < steps[step]:
            steps[step] = day
    days = _days_by_org(orgs, policy, [key for *_, key in DEVELOPMENT_DEADLINES])
    figures: dict[int, list[int]] = {}
    for membership, steps in done.items():
        org_id = where[membership]
        for step, anchor, key in DEVELOPMENT_DEADLINES:
            if anchor not in steps:
                continue
            due = steps[anchor] + days(key, org_id)
            if not start <= due <= end or any(steps.get(e, due) < due for e in PIPELINE_EXITS):
                continue
            taken = steps.get(step)
            count = figures.setdefault(org_id, [0, 0])
            count[1] += 1
            count[0] += (taken is not None and taken <= due) or (taken is None and due > on)
    return {org_id: (n, d) for org_id, (n, d) in figures.items()}


def _days_by_org(orgs, policy, keys):
    """`(key, org id) -> timedelta` of policy days: one value for all when no organization
    overrides a key, else each organization's (its path read once, in one query)."""
    constant = {
        k: dt.timedelta(days=int(policy.lowest(k)))
        for k in keys
        if policy.lowest(k) == policy.highest(k)
    }
    if len(constant) == len(keys):
        return lambda key, org_id: constant[key]
    paths = dict(orgs.values_list("pk", "path"))
    cache: dict = {}

    def days(key, org_id):
        if key in constant:
            return constant[key]
        found = cache.get((key, org_id))
        if found is None:
            value = policy.value(key, _AtPath(paths[org_id]))
            found = cache[(key, org_id)] = dt.timedelta(days=int(value))
        return found

    return days


class _AtPath:
    """Enough of an organization for `Snapshot.value` (which reads only the path)."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

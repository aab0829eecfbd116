"""Reads of organizational life, through the visibility gate; compliance and meeting figures.

Every function takes the acting user first. Lists are scoped with `gate.org_filter`; a
meeting that is not visible raises `Meeting.DoesNotExist` (views answer 404). The
organization-level reads (`month_calendar`, `compliance`, `compliance_summary`,
`meeting_figures`, `inactive_members`) refuse with `PermissionDenied` when the user may not
view the organization.

Compliance (DOMAIN.md §3, issue 5 "Obligations and compliance"). A requirement is the
policy `life.every.<organization kind>.<meeting kind>` = months between required meetings
(0 or no such key: none). It is judged per calendar window of that many months, aligned to
the year (Jan–Mar, Apr–Jun … for 3; windows are counted in months from year 0, so 24 months
means even years). Each window uses the value in force, for that organization (its nearest
ancestor's override, else the default), on the window's first day — a stricter frequency
that takes effect on a date applies to the windows that begin on or after it, and the
earlier windows keep the old value. When the value changes mid-grid the next window begins
where the last one ended and runs to the end of its aligned window. The first window is the
aligned one containing the period's first month (or the organization's founding month, from
which it is then cut); windows that have not ended before the organization was dissolved do
not count. A window is met when a meeting of that kind, marked held, with `quorum_met` true
or without a quorum rule (`quorum_met` null), starts in it (local time). A window has ended
by `on` when `on` is after its last day.

The figures for 30,000 organizations read meetings, never attendance rows (the meeting keeps
its counters): one GROUP BY per organization and meeting kind, which also returns a bit mask
of the months in which a qualifying meeting was held (the month's power of two found by a
binary CASE on `starts_at` — portable, no date function per row — OR-ed by PostgreSQL's
BIT_OR, elsewhere summed DISTINCT). The windows of each (organization kind, meeting kind,
overrides, founding/dissolution cut) are worked out once, each (windows, mask) is judged
once, and each organization only looks its masks up (docs/benchmarks.md "compliance").
The rows share their `Window` objects: treat them as read-only.
"""

import calendar
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from jiceng.access import gate
from jiceng.kernel.figures import Figure, period_end
from jiceng.kernel.paths import SEGMENT_WIDTH, ancestor_paths, subtree_q
from jiceng.orgs import selectors as orgs
from jiceng.orgs.models import Organization, Tree
from jiceng.people.models import (
    MEMBER_STAGES,
    Delegate,
    PartyMembership,
    Person,
    UnionMembership,
)
from jiceng.policy.models import PolicyOverride
from jiceng.policy.registry import definitions
from jiceng.policy.selectors import value as policy_value

from .models import (
    ActionItem,
    ActivityPlan,
    Attachment,
    Attendance,
    LeaveRequest,
    Meeting,
    MeetingStatus,
    Minutes,
    Notification,
    PlanItem,
    Presence,
)

EVERY = "life.every."


# -- dates ----------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the project's time zone (an aware datetime)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_first(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_last(index: int) -> dt.date:
    return _month_first(index + 1) - dt.timedelta(days=1)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (the month's last day when it has fewer days)."""
    index = _month_index(day) - months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """'2026' → (2026-01-01, 2026-12-31); also 2026H1, 2026Q3 and 2026-05 (as stats reads them)."""
    end = period_end(period)
    if len(period) == 4:
        months = 12
    elif period[4] == "H":
        months = 6
    elif period[4] == "Q":
        months = 3
    else:
        months = 1
    return _month_first(_month_index(end) - months + 1), end


# -- meetings --------------------------------------------------------------------------------


def meetings(user, *, org=None, start=None, end=None, subtree: bool = False):
    """Meetings the user may see (VIEW on the meeting's organization), in time order.

    `org`: only that organization's meetings (with `subtree=True`: and its subordinates');
    `start`/`end`: dates (inclusive) on which the meeting starts, local time."""
    found = Meeting.objects.filter(gate.org_filter(user, gate.VIEW, field="org"))
    if org is not None:
        found = found.filter(subtree_q(org.path, "org__path")) if subtree else found.filter(org=org)
    if start is not None:
        found = found.filter(starts_at__gte=_day_start(start))
    if end is not None:
        found = found.filter(starts_at__lt=_day_start(end + dt.timedelta(days=1)))
    return found.select_related("org").order_by("starts_at", "pk")


def _person_id(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "person_id", None)


def _visible(user) -> Q:
    """Meetings of organizations the user may view, and meetings the user is expected at."""
    visible = gate.org_filter(user, gate.VIEW, field="org")
    person_id = _person_id(user)
    if person_id is not None:
        expected = Attendance.objects.filter(meeting=OuterRef("pk"), person_id=person_id)
        visible |= Q(Exists(expected))
    return visible


def meeting(user, pk) -> Meeting:
    """One meeting, if the user may view its organization or is expected at it; else
    `Meeting.DoesNotExist` (the view answers 404 either way)."""
    return (
        Meeting.objects.filter(_visible(user))
        .select_related("org", "host", "recorder", "created_by")
        .get(pk=pk)
    )


def my_meetings(user, *, start=None, end=None):
    """Meetings at which the user's own person is expected (any organization), annotated
    with `my_presence` (expected / present / leave); none for a user without a person."""
    person_id = _person_id(user)
    if person_id is None:
        return Meeting.objects.none()
    mine = Attendance.objects.filter(meeting=OuterRef("pk"), person_id=person_id)
    found = Meeting.objects.filter(Exists(mine)).annotate(
        my_presence=Subquery(mine.values("presence")[:1])
    )
    if start is not None:
        found = found.filter(starts_at__gte=_day_start(start))
    if end is not None:
        found = found.filter(starts_at__lt=_day_start(end + dt.timedelta(days=1)))
    return found.select_related("org").order_by("starts_at", "pk")


def my_action_items(user, *, closed: bool = False):
    """Action items whose owner is the user's own person (any organization, whether or not
    the user may see the meeting's organization), with their meeting: the open ones by due
    date (`closed=True`: the closed ones, last closed first); none for a user without a
    person."""
    person_id = _person_id(user)
    if person_id is None:
        return ActionItem.objects.none()
    found = ActionItem.objects.filter(owner_id=person_id, closed_on__isnull=not closed)
    order = ("-closed_on", "-pk") if closed else ("due_on", "pk")
    return found.select_related("meeting__org").order_by(*order)


def is_frozen(m: Meeting, today: dt.date | None = None) -> bool:
    """Locked by hand, or past the policy's freeze date."""
    return m.minutes_locked_at is not None or (today or timezone.localdate()) > m.freezes_on


def sign_in_open(m: Meeting, now: dt.datetime | None = None) -> bool:
    """Whether sign-in is still offered: a scheduled meeting, or one already marked held whose
    sign-in window (policy margins, fixed when it was scheduled) has not ended yet."""
    if m.status == MeetingStatus.SCHEDULED:
        return True
    return m.status == MeetingStatus.HELD and (now or timezone.now()) <= m.sign_in_closes


def record(user, m: Meeting) -> dict:
    """Everything recorded about a meeting, for its page and the minutes book.

    Keys: meeting, minutes (or None), items (minutes items in order), action_items,
    attachments, corrections (in the order made), attendance (rows with their person, by
    name), present / on_leave / absent (the rows by presence; absent only once the meeting
    is held), leave_requests, frozen, minutes_required."""
    if not Meeting.objects.filter(_visible(user), pk=m.pk).exists():
        raise Meeting.DoesNotExist("not visible")
    minutes = Minutes.objects.filter(meeting=m).select_related("written_by").first()
    items = list(minutes.items.select_related("speaker")) if minutes else []
    attendance = list(
        m.attendance.select_related("person", "signed_by").order_by("person__name", "pk")
    )
    held = m.status == MeetingStatus.HELD
    required = policy_value("life.minutes_required", org=m.org, on=_local_date(m.starts_at))
    return {
        "meeting": m,
        "minutes": minutes,
        "items": items,
        "action_items": list(
            m.action_items.select_related("owner", "closed_by").order_by("due_on", "pk")
        ),
        "attachments": list(m.attachments.select_related("uploaded_by").order_by("pk")),
        "corrections": list(m.corrections.select_related("made_by")),
        "attendance": attendance,
        "present": [a for a in attendance if a.presence == Presence.PRESENT],
        "on_leave": [a for a in attendance if a.presence == Presence.ON_LEAVE],
        "absent": [a for a in attendance if held and a.presence == Presence.EXPECTED],
        "leave_requests": list(
            LeaveRequest.objects.filter(meeting=m)
            .select_related("person", "decided_by")
            .order_by("requested_at", "pk")
        ),
        "frozen": is_frozen(m),
        "minutes_required": m.kind in required,
    }


def month_calendar(user, org: Organization, year: int, month: int) -> list:
    """The month as weeks (Monday first), each a list of (date, [meetings of `org` that day]);
    the first and last weeks include days of the neighbouring months, with their meetings."""
    gate.require(user, gate.VIEW, org)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    by_day = defaultdict(list)
    for m in meetings(user, org=org, start=weeks[0][0], end=weeks[-1][-1]):
        by_day[timezone.localdate(m.starts_at)].append(m)
    return [[(day, by_day.get(day, [])) for day in week] for week in weeks]


# -- compliance ------------------------------------------------------------------------------


def requirement_kinds() -> dict[str, list[str]]:
    """{organization kind: [meeting kinds with a frequency key]} from the policy registry."""
    found = defaultdict(list)
    for key in definitions():
        if key.startswith(EVERY):
            org_kind, meeting_kind = key[len(EVERY) :].split(".", 1)
            found[org_kind].append(meeting_kind)
    return dict(found)


@dataclass(frozen=True)
class Window:
    first: int  # month index (year * 12 + month - 1) of the first month
    stop: int  # month index after the last month
    every: int  # the frequency (months) in force on the first day

    @property
    def start(self) -> dt.date:
        return _month_first(self.first)

    @property
    def end(self) -> dt.date:
        return _month_last(self.stop - 1)

    def __getitem__(self, name: str):
        """Also readable as a mapping: window["start"], window["end"], window["every"]."""
        if name not in ("start", "end", "every"):
            raise KeyError(name)
        return getattr(self, name)


class _Frequencies:
    """`life.every.*` for any organization and date, from one read of the overrides."""

    def __init__(self, last: dt.date):
        self.defaults = {k: d for k, d in definitions().items() if k.startswith(EVERY)}
        overrides = PolicyOverride.objects.filter(
            key__startswith=EVERY, valid_from__lte=last
        ).select_related("org")
        self.by_path = defaultdict(list)
        for o in overrides:
            if o.key in self.defaults:
                self.by_path[o.org.path].append(o)

    def applicable(self, path: str, key: str) -> tuple:
        """The overrides of `key` on the organization and its ancestors, nearest first (the
        order `policy.selectors` resolves them in)."""
        if not self.by_path:
            return ()
        found = [o for p in ancestor_paths(path) for o in self.by_path.get(p, ()) if o.key == key]
        found.sort(key=lambda o: (-o.org.depth, -o.valid_from.toordinal(), -o.pk))
        return tuple(found)

    def months(self, key: str, overrides: tuple, on: dt.date) -> int:
        for o in overrides:
            if o.in_force_on(on):
                return int(o.value or 0)
        period = self.defaults[key].default_on(on)
        return int(period.value or 0) if period is not None else 0


def _windows(frequencies: _Frequencies, key: str, overrides: tuple, lo: int, hi: int, cut):
    """The windows of one requirement over the months [lo, hi] (indices). The first reaches
    back to its aligned start unless the organization was founded later (`cut`, its founding
    month); each takes the frequency in force on the day the walk reaches it."""
    found, cursor = [], lo
    floor = cut  # no window begins before this month (the founding, or the last window's end)
    while cursor <= hi:
        every = frequencies.months(key, overrides, _month_first(cursor))
        if every <= 0:
            cursor += 1
            floor = cursor
            continue
        first = cursor // every * every
        if floor is not None:
            first = max(first, floor)
        stop = (cursor // every + 1) * every
        found.append(Window(first, stop, every))
        cursor = floor = stop
    return tuple(found)


def _month_bit(bounds: list, low: int, high: int):
    """A binary CASE on `starts_at` giving 2**i for the month i in [low, high) it falls in
    (`bounds[i]` is the first instant of month i)."""
    if high - low == 1:
        return Value(1 << low, output_field=BigIntegerField())
    middle = (low + high) // 2
    return Case(
        When(starts_at__lt=bounds[middle], then=_month_bit(bounds, low, middle)),
        default=_month_bit(bounds, middle, high),
        output_field=BigIntegerField(),
    )


MASK_MONTHS = 60  # months per mask, so the sum of distinct bits fits a signed 64-bit integer


class _BitOr(Aggregate):
    function = "BIT_OR"
    output_field = BigIntegerField()


def _mask(bit, vendor: str):
    """The months' bits OR-ed: PostgreSQL's BIT_OR (a hash aggregate), elsewhere the sum of
    the distinct powers of two (DISTINCT makes PostgreSQL sort every group, so not there)."""
    if vendor == "postgresql":
        return _BitOr(bit)
    return Sum(bit, distinct=True, output_field=BigIntegerField())


def _meeting_groups(scope: Q, first: int, stop: int, start: dt.date, end: dt.date) -> dict:
    """{org id: {kind: (held, present, expected - leave, mask)}} over held meetings: the
    counts and sums cover the period [start, end]; the mask (bit i = month `first` + i)
    marks the months of [first, stop) in which a qualifying meeting (quorum met, or no
    quorum rule) started. The rows are read from a plain cursor: 200,000 of them through
    the ORM's per-value converters would cost more than the query."""
    groups: dict = {}
    period = Q(starts_at__gte=_day_start(start), starts_at__lt=_day_start(end + dt.timedelta(1)))
    for chunk in range(first, stop, MASK_MONTHS):
        upto = min(stop, chunk + MASK_MONTHS)
        bounds = [_day_start(_month_first(i)) for i in range(chunk, upto + 1)]
        found = Meeting.objects.filter(scope, status=MeetingStatus.HELD).filter(
            starts_at__gte=bounds[0], starts_at__lt=bounds[-1]
        )
        qualifying = Case(
            When(quorum_met=False, then=Value(0)),
            default=_month_bit(bounds, 0, upto - chunk),
            output_field=BigIntegerField(),
        )
        db = connections[found.db]
        sql, params = (
            found.values_list("org_id", "kind")
            .annotate(
                held=Count("pk", filter=period),
                present=Sum("present_count", filter=period),
                net=Sum(F("expected_count") - F("leave_count"), filter=period),
                mask=_mask(qualifying, db.vendor),
            )
            .order_by()
            .query.sql_with_params()
        )
        shift = chunk - first
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(20_000):
                for org_id, kind, held, present, net, mask in rows:
                    of_org = groups.get(org_id)
                    if of_org is None:
                        of_org = groups[org_id] = {}
                    mask = int(mask or 0) << shift
                    before = of_org.get(kind)
                    if before is not None:
                        held, present, net = held + before[0], present + before[1], net + before[2]
                        mask |= before[3]
                    of_org[kind] = (held, present or 0, net or 0, mask)
    return groups


def _judge(windows: tuple, mask: int, base: int, now: int) -> tuple:
    """(required, met, missed, every, current window, current met, due, status) of one
    requirement: `now` is the month index of `on`; a window has ended when its stop month has
    begun; `every` is the frequency of the current window, else of the last."""
    required = met = 0
    current, current_met, due = None, None, None
    for w in windows:
        hit = bool(mask & ((1 << (w.stop - base)) - (1 << (w.first - base))))
        if w.stop <= now:
            required += 1
            met += hit
        elif w.first <= now:
            current, current_met = w, hit
            if not hit:
                due = w.end
        else:
            if due is None:
                due = w.end
            break
    missed = required - met
    if missed:
        status = "missed"
    elif current is not None:
        status = "met" if current_met else "due"
    else:
        status = "due" if due is not None else "met"
    every = (current or windows[-1]).every
    return required, met, missed, every, current, current_met, due, status


def _rows(user, org: Organization, start: dt.date, end: dt.date, on: dt.date | None) -> list:
    """Rows of every visible organization of the subtree, active in the period, that has a
    requirement or held a meeting in it (the keys are listed under `compliance`)."""
    gate.require(user, gate.VIEW, org)
    on = on or timezone.localdate()
    if end < start:
        return []
    kinds_of = requirement_kinds()
    lo, hi = _month_index(start), _month_index(end)
    orgs = list(
        Organization.objects.filter(subtree_q(org.path), gate.org_filter(user, gate.VIEW))
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=end))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))
        .only("code", "name", "kind", "tree", "path", "depth", "founded_on", "dissolved_on")
        .order_by("path")
    )
    frequencies = _Frequencies(end)
    schedules: dict = {}  # (key, overrides, founding cut, dissolution) -> (number, windows)
    plan_of: dict = {}  # (org kind, cut, dissolution, overrides) -> [(kind, number, windows)]
    plans = []
    first, stop = lo, hi + 1
    for o in orgs:
        cut = _month_index(o.founded_on) if o.founded_on and o.founded_on > start else None
        ends = _month_index(o.dissolved_on) if o.dissolved_on else None
        kinds = kinds_of.get(o.kind, ())
        overrides = (
            tuple(frequencies.applicable(o.path, f"{EVERY}{o.kind}.{k}") for k in kinds)
            if frequencies.by_path
            else ()
        )
        plan = plan_of.get((o.kind, cut, ends, overrides))
        if plan is None:
            plan = plan_of[(o.kind, cut, ends, overrides)] = []
            for n, kind in enumerate(kinds):
                key = f"{EVERY}{o.kind}.{kind}"
                own = overrides[n] if overrides else ()
                sig = (key, own, cut, ends)
                schedule = schedules.get(sig)
                if schedule is None:
                    windows = _windows(frequencies, key, own, max(lo, cut or lo), hi, cut)
                    if ends is not None:  # dissolved: only the windows that ended before count
                        windows = tuple(w for w in windows if w.stop <= ends)
                    schedule = schedules[sig] = (len(schedules), windows)
                    if windows:
                        first, stop = min(first, windows[0].first), max(stop, windows[-1].stop)
                if schedule[1]:
                    plan.append((kind, *schedule))
        plans.append(plan)
    scope = subtree_q(org.path, "org__path") & gate.org_filter(user, gate.VIEW, field="org")
    groups = _meeting_groups(scope, first, stop, start, end)
    now = _month_index(on)
    judged: dict = {}
    nothing = (0, 0, 0, 0)
    rows = []
    for o, plan in zip(orgs, plans, strict=True):
        own = groups.get(o.pk, {})
        if not plan and not own:
            continue
        kinds, required, met = [], 0, 0
        for kind, number, windows in plan:
            group = own.get(kind, nothing)
            verdict = judged.get((number, group[3]))
            if verdict is None:
                verdict = judged[(number, group[3])] = _judge(windows, group[3], first, now)
            need, hit, miss, every, current, current_met, due, status = verdict
            kinds.append(
                {
                    "kind": kind,
                    "every": every,
                    "required": need,
                    "held": group[0],
                    "met_windows": hit,
                    "missed_windows": miss,
                    "current": current,
                    "current_met": current_met,
                    "due": due,
                    "status": status,
                }
            )
            required += need
            met += hit
        held, present, net = {}, 0, 0
        for kind, group in own.items():
            if group[0]:
                held[kind] = group[0]
                present += group[1]
                net += group[2]
        compliance_figure, attendance_figure = Figure(met, required), Figure(present, net)
        rows.append(
            {
                "org": o,
                "kinds": kinds,
                "required": required,
                "met_windows": met,
                "missed_windows": required - met,
                "meetings_held": sum(held.values()),
                "held_by_kind": held,
                "compliance": compliance_figure,
                "compliance_rate": compliance_figure.rate,
                "attendance": attendance_figure,
                "attendance_rate": attendance_figure.rate,
            }
        )
    return rows


def compliance(user, org: Organization, *, start: dt.date, end: dt.date, on=None) -> list[dict]:
    """One row per organization of `org`'s subtree (org included, as far as the user may see)
    that has a requirement in the period, in tree order:

    - org; kinds: one dict per required meeting kind — kind, every (months, as in force for
      the current or last window), required (windows ended by `on`), held (meetings of that
      kind held in the period), met_windows, missed_windows, current (the `Window` containing
      `on` — start, end, every, as attributes or keys — or None), current_met, due (the last
      day of the first window not yet over and not yet met, or None), status ("missed": an
      ended window was missed; "due": the current window is not met yet; "met");
    - required, met_windows, missed_windows (all kinds), meetings_held (all kinds, also those
      not required), held_by_kind ({kind: meetings held});
    - compliance (stats `Figure`: met windows / ended windows) and compliance_rate (its
      percentage, one decimal, None when nothing has ended); attendance (Figure: present /
      expected − leave over the held meetings) and attendance_rate.

    `start`/`end` are taken in whole months; `on` defaults to today."""
    return [r for r in _rows(user, org, start, end, on) if r["kinds"]]


def _totals(rows) -> dict:
    required = met = present = net = organizations = compliant = 0
    held = Counter()
    for r in rows:
        if r["kinds"]:
            organizations += 1
            compliant += not r["missed_windows"]
        required += r["required"]
        met += r["met_windows"]
        present += r["attendance"].numerator
        net += r["attendance"].denominator
        held.update(r["held_by_kind"])
    compliance_figure, attendance_figure = Figure(met, required), Figure(present, net)
    return {
        "organizations": organizations,
        "compliant": compliant,
        "required": required,
        "met_windows": met,
        "missed_windows": required - met,
        "meetings_held": sum(held.values()),
        "held_by_kind": held,
        "compliance": compliance_figure,
        "compliance_rate": compliance_figure.rate,
        "attendance": attendance_figure,
        "attendance_rate": attendance_figure.rate,
    }


def compliance_summary(user, org: Organization, *, start: dt.date, end: dt.date, on=None) -> dict:
    """Subtree totals for the dashboard, and the same totals for each direct subordinate the
    user may see, for drill-down.

    {org, start, end, on, totals, own (org's own `compliance` row or None), rows (the
    `compliance` rows of the whole subtree), children: [{org, totals}]}. totals: organizations (with a requirement), compliant (of them, no window
    missed), required, met_windows, missed_windows, meetings_held, held_by_kind (all
    meetings held in the subtree, by kind), compliance / compliance_rate, attendance /
    attendance_rate (as in `compliance`)."""
    on = on or timezone.localdate()
    rows = _rows(user, org, start, end, on)
    children = list(
        Organization.objects.filter(gate.org_filter(user, gate.VIEW), parent=org)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))
        .order_by("code")
    )
    below = defaultdict(list)
    width = SEGMENT_WIDTH + 1
    at = len(org.path)
    own = None
    for r in rows:
        path = r["org"].path
        if len(path) == at:
            own = r if r["kinds"] else None
        else:
            below[int(path[at : at + width - 1])].append(r)
    return {
        "org": org,
        "start": start,
        "end": end,
        "on": on,
        "totals": _totals(rows),
        "own": own,
        "rows": [r for r in rows if r["kinds"]],
        "children": [{"org": c, "totals": _totals(below.get(c.pk, ()))} for c in children],
    }


def meeting_figures(user, org: Organization, *, period=None, start=None, end=None, on=None):
    """The meeting figures of issue 5 (meetings held by kind, compliance rate, attendance
    rate) for `org`'s subtree and a period ("2026", "2026Q3", "2026-05" or start/end), with
    each direct subordinate's: `compliance_summary` plus `period`."""
    if period is not None:
        start, end = period_bounds(period)
    if start is None or end is None:
        raise ValueError("meeting_figures needs a period or both start and end")
    return {**compliance_summary(user, org, start=start, end=end, on=on), "period": period}


# -- required meetings missed or due, for the to-do centre -----------------------------------


@dataclass(frozen=True)
class Gap:
    """One required meeting an organization owes: `status` "missed" (a window that has just
    ended without one) or "due" (the current window, not met yet); `every` and `current` as
    in a `compliance` row's kind."""

    kind: str
    status: str
    every: int
    current: Window | None


def _qualifying_in(window: Window, kind: str) -> Exists:
    """A held meeting of `kind` by the outer organization that meets `window` (quorum met, or
    no quorum rule), as `_meeting_groups` counts it."""
    return Exists(
        Meeting.objects.filter(
            org=OuterRef("pk"),
            kind=kind,
            status=MeetingStatus.HELD,
            starts_at__gte=_day_start(_month_first(window.first)),
            starts_at__lt=_day_start(_month_first(window.stop)),
        ).exclude(quorum_met=False)
    )


def required_meeting_gaps(user, orgs, today: dt.date, *, soon, limit: int) -> dict:
    """What `compliance(user, root, start=<last month's first day>, end=today, on=today)` says
    of the organizations in `orgs` (a queryset), computed in the database: per status
    ("missed", "due") the first `limit` gaps in tree order and their exact count.

    A gap is "missed" when a window of a required kind ended by `today` without a qualifying
    meeting; "due" when the current window has none and its end is within `soon(path)` days
    (`soon` resolves `life.due_soon_days`; `soon.lowest`/`soon.highest` bound it).

    The windows depend on the organization's kind, founding, dissolution and the frequency
    overrides above it: organizations with none of these are judged per kind; those under
    overrides, per kind and set of overrides above them (a subtree condition, not a list of
    ids); only those founded or dissolved in the period are listed by id. Each status is one
    statement with LIMIT plus one COUNT. {status: ([(organization, Gap)], count)}"""
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    lo, hi = _month_index(start), _month_index(today)
    now = hi
    kinds_of = requirement_kinds()
    frequencies = _Frequencies(today)
    base = (
        orgs.filter(gate.org_filter(user, gate.VIEW), kind__in=list(kinds_of))
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=today))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))
    )
    irregular = Q(founded_on__gt=start) | Q(dissolved_on__isnull=False)
    special = irregular
    for path in frequencies.by_path:
        special |= subtree_q(path)

    def gaps(org_kind, path, cut, ends):
        for kind in kinds_of.get(org_kind, ()):
            key = f"{EVERY}{org_kind}.{kind}"
            own = frequencies.applicable(path, key) if path else ()
            windows = _windows(frequencies, key, own, max(lo, cut or lo), hi, cut)
            if ends is not None:  # dissolved: only the windows that ended before count
                windows = tuple(w for w in windows if w.stop <= ends)
            if not windows:
                continue
            ended = tuple(w for w in windows if w.stop <= now)
            current = next((w for w in windows if w.first <= now < w.stop), None)
            every = (current or windows[-1]).every
            if ended:
                yield (kind, "missed", every, current, ended)
            if current is not None:
                yield (kind, "due", every, current, (current,))

    cases: dict = defaultdict(list)  # (kind, status, every, current, windows) -> [org Q]
    for org_kind in kinds_of:
        for case in gaps(org_kind, "", None, None):
            cases[case].append(Q(kind=org_kind) & ~special)
    singles = defaultdict(list)  # case -> [pk]: founded or dissolved in the period
    shared = defaultdict(set)  # case -> {(org kind, override paths above)}
    for pk, org_kind, path, founded, dissolved in base.filter(special).values_list(
        "pk", "kind", "path", "founded_on", "dissolved_on"
    ):
        cut = _month_index(founded) if founded and founded > start else None
        ends = _month_index(dissolved) if dissolved else None
        above = tuple(p for p in frequencies.by_path if path.startswith(p))
        for case in gaps(org_kind, path, cut, ends):
            if cut is None and ends is None:  # set apart by overrides only: judged with peers
                shared[case].add((org_kind, above))
            else:
                singles[case].append(pk)
    for case, pks in singles.items():
        cases[case].append(Q(pk__in=pks))
    for case, groups in shared.items():
        for org_kind, above in groups:
            who = Q(kind=org_kind) & ~irregular
            for path in frequencies.by_path:
                who &= subtree_q(path) if path in above else ~subtree_q(path)
            cases[case].append(who)

    found = {}
    for status in ("missed", "due"):
        parts, mixed, of = [], False, []
        for case, filters in cases.items():
            kind, case_status, every, current, windows = case
            if case_status != status:
                continue
            if status == "due":
                left = (current.end - today).days
                if left > soon.highest:
                    continue
                mixed |= left > soon.lowest
            who = Q()
            for q in filters:
                who |= q
            lacking = Q()
            for w in windows:
                lacking |= ~_qualifying_in(w, kind)
            parts.append(
                base.filter(who)
                .filter(lacking)
                .annotate(case=Value(len(of)))
                .values_list("pk", "path", "case")
                .order_by()
            )
            of.append(Gap(kind, status, every, current))
        if not parts:
            found[status] = ([], 0)
            continue
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        if mixed:  # `life.due_soon_days` differs below: judge each organization in memory
            rows = [
                r
                for r in union.order_by("path", "case")
                if (of[r[2]].current.end - today).days <= soon(r[1])
            ]
            count, rows = len(rows), rows[:limit]
        else:
            rows = list(union.order_by("path", "case")[:limit])
            count = len(rows) if len(rows) < limit else union.count()
        by_pk = Organization.objects.in_bulk({r[0] for r in rows})
        found[status] = ([(by_pk[r[0]], of[r[2]]) for r in rows], count)
    return found


# -- members not seen at meetings --------------------------------------------------------------


def inactive_members(user, org: Organization, *, today=None) -> list[tuple]:
    """Current members of `org` (Party members at probationary or full stage; for a union,
    members who have not left) who were expected at held meetings of `org` and have not been
    present at one for more than `life.inactive_months` months — counted from their last
    presence or, if never present, from their first expected meeting, so a new member is
    not flagged at once. Approved leave is not presence: the flag only alerts the secretary,
    who decides (DOMAIN.md §3).

    [(membership, last present date or None)], longest absent first."""
    gate.require(user, gate.VIEW, org)
    today = today or timezone.localdate()
    months = int(policy_value("life.inactive_months", org=org, on=today))
    cutoff = months_before(today, months)
    if org.tree == Tree.UNION:
        members = UnionMembership.objects.filter(org=org, left_on__isnull=True)
    else:
        members = PartyMembership.objects.filter(org=org, stage__in=MEMBER_STAGES)
    seen = (
        Attendance.objects.filter(
            meeting__org=org,
            meeting__status=MeetingStatus.HELD,
            meeting__starts_at__lt=_day_start(today + dt.timedelta(days=1)),
            person_id__in=members.values("person_id"),
        )
        .values("person_id")
        .annotate(
            first=Min("meeting__starts_at"),
            last=Max("meeting__starts_at", filter=Q(presence=Presence.PRESENT)),
        )
        .order_by()
    )
    flagged = {}
    for r in seen:
        last = _local_date(r["last"])
        since = last or _local_date(r["first"])
        if since < cutoff:
            flagged[r["person_id"]] = last
    found = members.filter(person_id__in=list(flagged)).select_related("person")
    rows = [(m, flagged[m.person_id]) for m in found]
    rows.sort(key=lambda r: (r[1] or dt.date.min, r[0].person.name, r[0].pk))
    return rows


# -- what the pages and the API look up ------------------------------------------------------


def my_meeting(user, pk) -> Meeting | None:
    """One meeting where the user's own person is expected (members without any role too)."""
    return my_meetings(user).filter(pk=pk).first()


def my_meeting_by_token(user, token: str) -> Meeting | None:
    """The meeting a QR sign-in token points to, if the user is expected at it."""
    return my_meetings(user).filter(sign_in_token=token).first()


def my_rows(user, meeting_ids) -> tuple[dict, dict]:
    """The user's own attendance and leave request at each of `meeting_ids`, by meeting id
    (two queries for a whole list; nothing of anyone else)."""
    person_id = _person_id(user)
    if person_id is None:
        return {}, {}
    ids = list(meeting_ids)
    attendance = Attendance.objects.filter(meeting__in=ids, person_id=person_id)
    leave = LeaveRequest.objects.filter(meeting__in=ids, person_id=person_id)
    return {a.meeting_id: a for a in attendance}, {r.meeting_id: r for r in leave}


def my_open_tasks(user, *, limit: int) -> list[ActionItem]:
    """The user's own open tasks, soonest due first (for "my meetings")."""
    return list(my_action_items(user)[:limit])


def my_action_item(user, pk) -> ActionItem:
    """One of the user's own open tasks; `ActionItem.DoesNotExist` otherwise."""
    return my_action_items(user).get(pk=pk)


def my_notifications(user, *, limit: int):
    """The user's own notices, newest first: nothing of anyone else can be reached here."""
    return list(Notification.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])


def visible_people_q(user) -> Q:
    """Persons with a Party record, a union membership or a congress seat in an
    organization the user may see."""
    return (
        Q(party__in=PartyMembership.objects.filter(gate.org_filter(user, field="org")))
        | Q(union__in=UnionMembership.objects.filter(gate.org_filter(user, field="org")))
        | Q(delegate_seats__in=Delegate.objects.filter(gate.org_filter(user, field="org")))
    )


def people_by_id(user, ids) -> dict:
    """{id: person} of the chosen people the user may see (ids from the forms' choices)."""
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return Person.objects.filter(visible_people_q(user)).in_bulk(ids)


def plan(user, org: Organization, year: int) -> ActivityPlan | None:
    """The organization's annual plan of `year` with its items, or None."""
    gate.require(user, gate.VIEW, org)
    return ActivityPlan.objects.filter(org=org, year=year).prefetch_related("items").first()


def plan_item(user, org: Organization, pk) -> PlanItem | None:
    """One item of the organization's plans (a meeting scheduled from the plan)."""
    gate.require(user, gate.VIEW, org)
    return PlanItem.objects.filter(pk=pk, plan__org=org).first()


def expected_person(user, m: Meeting, person_id) -> Person | None:
    """The person, if expected at the meeting the user may see."""
    row = m.attendance.filter(person_id=person_id, meeting__in=_visible_meetings(user))
    row = row.select_related("person").first()
    return row.person if row else None


def leave_request(user, m: Meeting, pk) -> LeaveRequest | None:
    return m.leave_requests.filter(pk=pk, meeting__in=_visible_meetings(user)).first()


def action_item(user, m: Meeting, pk) -> ActionItem | None:
    return m.action_items.filter(pk=pk, meeting__in=_visible_meetings(user)).first()


def attachment(user, m: Meeting, pk) -> Attachment | None:
    return m.attachments.filter(pk=pk, meeting__in=_visible_meetings(user)).first()


def _visible_meetings(user):
    return Meeting.objects.filter(_visible(user))


def latest_meetings(user, org: Organization, *, start, end, limit: int = 100) -> list:
    """The organization's own meetings in the period, latest first."""
    return list(meetings(user, org=org, start=start, end=end).order_by("-starts_at")[:limit])


def visible_ancestors(user, org: Organization):
    """The organization's ancestors the user may see (for the breadcrumbs)."""
    return orgs.ancestors(org).filter(pk__in=orgs.visible_orgs(user))

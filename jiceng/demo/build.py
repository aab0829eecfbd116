"""Synthetic organizations and demo users at any scale.

The tree is generated top-down with explicit primary keys, so each row's stored
path, history row and host link is known before insert and everything goes in with
streamed bulk inserts (no second pass to fill paths). Each street has communities
(with Party committees, branches and joint unions), enterprises with Party
organizations (60% with unions), and as many enterprises without any.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from stdnum.cn import uscc

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.audit.services import record
from jiceng.kernel.paths import child_path
from jiceng.orgs.models import HostLink, Kind, Organization, OrgState, Unit, UnitState, tree_of
from jiceng.orgs.services.history import org_state_row, unit_state_row
from jiceng.orgs.text import search_key
from jiceng.people.models import Gender, Person, UnionMembership

from . import names

DEMO_PASSWORD = "jiceng2026"
BATCH = 5000


@dataclass(frozen=True)
class Scale:
    cities: int  # 0: the root is a single district
    districts: int  # per city
    streets: int  # per district
    communities: int  # per street
    branches: int  # Party branches per community
    enterprises: int  # per street


SCALES = {
    "small": Scale(0, 1, 4, 4, 2, 20),
    "district": Scale(0, 1, 12, 8, 4, 60),
    "city": Scale(1, 10, 12, 10, 5, 100),
    "province": Scale(10, 10, 12, 10, 5, 100),
}


class Writer:
    """Assigns ids and paths up front and streams organizations, units, their dated
    history rows and host links to the database in batches."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.next_org = _next_id(Organization)
        self.next_unit = _next_id(Unit)
        self.pending: dict[type, list] = {
            m: [] for m in (Organization, OrgState, Unit, UnitState, HostLink)
        }
        self.count = 0
        self.founded = dt.date(2000, 7, 1)

    def org(
        self, code, name, kind, parent: Organization | None, units=(), **fields
    ) -> Organization:
        org = Organization(
            id=self.next_org,
            code=code,
            name=name,
            search_name=search_key(name),
            kind=kind,
            tree=tree_of(kind),
            parent=parent,
            path=child_path(parent.path if parent else None, self.next_org),
            depth=parent.depth + 1 if parent else 0,
            founded_on=self.founded,
            **fields,
        )
        self.next_org += 1
        self.count += 1
        self._add(org)
        self._add(org_state_row(org, self.founded))
        for unit in units:
            self._add(HostLink(org=org, unit=unit, valid_from=self.founded))
        return org

    def unit(self, name, kind, ownership, region, party, union, **fields) -> Unit:
        unit = Unit(
            id=self.next_unit,
            credit_code=credit_code(self.next_unit, region[:6]),
            name=name,
            search_name=search_key(name),
            kind=kind,
            ownership=ownership,
            region_code=region,
            responsible_org=party,
            responsible_union=union,
            registered_on=dt.date(2000, 1, 1),
            **fields,
        )
        self.next_unit += 1
        self._add(unit)
        self._add(unit_state_row(unit, unit.registered_on))
        return unit

    def _add(self, row):
        rows = self.pending[type(row)]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self):
        for model, rows in self.pending.items():  # insertion order: referenced tables first
            model.objects.bulk_create(rows, batch_size=BATCH)
            rows.clear()

    def finish(self):
        self.flush()
        with connection.cursor() as cursor:  # explicit ids leave PostgreSQL's sequences behind
            for sql in connection.ops.sequence_reset_sql(no_style(), [Organization, Unit]):
                cursor.execute(sql)


def _next_id(model) -> int:
    return (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def credit_code(seq: int, region: str = "410102") -> str:
    """A valid unified social credit code (GB 32100) for synthetic unit number `seq`."""
    body = f"91{region}{seq:09d}"
    return body + uscc.calc_check_digit(body)


@dataclass
class Landmarks:
    """Organizations the demo users are attached to."""

    district_party: Organization
    district_union: Organization
    street_party: Organization
    community_party: Organization
    branch: Organization
    sibling_branch: Organization
    enterprise_union: Organization


def _enterprise(w: Writer, rng, region, street_party, street_union, firm: str, covered: bool):
    """A host enterprise; `covered` ones are big enough and get a Party organization."""
    ownership = rng.choices(["non_public", "state", "collective"], [80, 15, 5])[0]
    employees = int(rng.lognormvariate(4.0, 1.1)) + (30 if covered else 3)
    return w.unit(
        firm,
        "enterprise",
        ownership,
        region,
        street_party,
        street_union,
        employees=employees,
        revenue=employees * rng.randint(80_000, 400_000),
        party_members=rng.randint(3, 60) if covered else rng.choice([0, 0, 1, 2, 3, 4]),
        sector=rng.choice(names.FIRM_WORDS),
        address=f"{firm[:2]}路{rng.randint(1, 300)}号",
    )


def _district(
    w: Writer,
    scale: Scale,
    prefix: str,
    label: str,
    region: str,
    party_parent,
    union_parent,
    marks: list,
):
    rng = w.rng
    dp = w.org(f"{prefix}P", f"中共{label}委员会", Kind.PARTY_COMMITTEE, party_parent)
    du = w.org(f"{prefix}U", f"{label}总工会", Kind.UNION_FEDERATION, union_parent)
    first, eu = None, None
    for s in range(scale.streets):
        street = f"{names.place(rng, s)}{names.STREET_SUFFIX}"
        street_region = f"{region}{s + 1:03d}"
        sp = w.org(
            f"{prefix}S{s:02d}P", f"中共{label}{street}工作委员会", Kind.PARTY_WORKING_COMMITTEE, dp
        )
        su = w.org(f"{prefix}S{s:02d}U", f"{label}{street}总工会", Kind.UNION_FEDERATION, du)
        for c in range(scale.communities):
            community = (
                names.place(rng, s * scale.communities + c + 7) + names.COMMUNITY_SUFFIX[c % 5]
            )
            host = w.unit(
                f"{community}居民委员会",
                "community",
                "collective",
                street_region,
                sp,
                su,
                employees=rng.randint(8, 30),
                party_members=rng.randint(40, 300),
            )
            cp = w.org(
                f"{prefix}S{s:02d}C{c:02d}P",
                f"中共{community}委员会",
                Kind.PARTY_COMMITTEE,
                sp,
                units=[host],
                has_committee=True,
            )
            w.org(
                f"{prefix}S{s:02d}C{c:02d}U",
                f"{community}联合工会委员会",
                Kind.JOINT_UNION,
                su,
                units=[host],
                formation_mode="joint",
            )
            branches = []
            for b in range(scale.branches):
                members = rng.randint(5, 62)
                branches.append(
                    w.org(
                        f"{prefix}S{s:02d}C{c:02d}B{b:02d}",
                        f"{community}第{b + 1}党支部",
                        Kind.BRANCH,
                        cp,
                        units=[host],
                        reported_members=members,
                        has_committee=members >= 7 and rng.random() < 0.85,
                    )
                )
            first = first or (dp, du, sp, cp, branches)
        for e in range(scale.enterprises):
            firm = names.firm(rng, rng.choice(names.PLACES))
            unit = _enterprise(w, rng, street_region, sp, su, firm, covered=True)
            kind = Kind.BRANCH if e % 4 else Kind.GENERAL_BRANCH
            members = unit.party_members
            w.org(
                f"{prefix}S{s:02d}E{e:03d}P",
                f"{firm}{'党支部' if kind == Kind.BRANCH else '党总支'}",
                kind,
                sp,
                units=[unit],
                reported_members=members,
                has_committee=members >= 7 and rng.random() < 0.8,
            )
            if e % 5 < 3:
                union = w.org(
                    f"{prefix}S{s:02d}E{e:03d}U", f"{firm}工会委员会", Kind.UNION, su, units=[unit]
                )
                eu = eu or union
            # Enterprises with no Party organization yet: the coverage gap upper levels chase.
            _enterprise(
                w,
                rng,
                street_region,
                sp,
                su,
                names.firm(rng, rng.choice(names.PLACES)),
                covered=False,
            )
    if not marks:
        dp, du, sp, cp, branches = first
        marks.append(Landmarks(dp, du, sp, cp, branches[0], branches[1], eu))


def build_tree(scale_name: str, seed: int = 2026) -> tuple[Landmarks, int]:
    scale = SCALES[scale_name]
    w = Writer(random.Random(seed))
    marks: list[Landmarks] = []
    if scale.cities == 0:
        _district(w, scale, "Q01", "青山区", "410102", None, None, marks)
    else:
        province = None
        if scale.cities > 1:
            province = (
                w.org("SP", f"中共{names.PROVINCE}委员会", Kind.PARTY_COMMITTEE, None),
                w.org("SU", f"{names.PROVINCE}总工会", Kind.UNION_FEDERATION, None),
            )
        for ci in range(scale.cities):
            city = f"{names.place(w.rng, ci + 3)}{names.CITY_SUFFIX}"
            cp = w.org(
                f"C{ci:02d}P", f"中共{city}委员会", Kind.PARTY_COMMITTEE, province and province[0]
            )
            cu = w.org(
                f"C{ci:02d}U", f"{city}总工会", Kind.UNION_FEDERATION, province and province[1]
            )
            for di in range(scale.districts):
                label = f"{city}{names.place(w.rng, di + 11)}{names.DISTRICT_SUFFIX}"
                _district(
                    w,
                    scale,
                    f"C{ci:02d}D{di:02d}",
                    label,
                    f"41{ci + 1:02d}{di + 1:02d}",
                    cp,
                    cu,
                    marks,
                )
    w.finish()
    return marks[0], w.count


DEMO_USERS = [
    # username, full name, role, landmark, scope, description
    ("admin", "系统管理员", Role.SYSTEM_ADMIN, None, Scope.SUBTREE, "系统管理员（全部）"),
    (
        "qu",
        "区委组织部 王建国",
        Role.UPPER_ADMIN,
        "district_party",
        Scope.SUBTREE,
        "区委组织部（区级党组织全部）",
    ),
    (
        "zgh",
        "区总工会 李秀英",
        Role.UPPER_ADMIN,
        "district_union",
        Scope.SUBTREE,
        "区总工会（区级工会全部）",
    ),
    (
        "jd",
        "街道党工委 张伟",
        Role.UPPER_ADMIN,
        "street_party",
        Scope.SUBTREE,
        "街道党工委（一个街道）",
    ),
    ("sq", "社区党委书记 刘芳", Role.OFFICER, "community_party", Scope.SUBTREE, "社区党委书记"),
    ("zb", "党支部书记 陈静", Role.OFFICER, "branch", Scope.NODE, "党支部书记"),
    ("zb2", "党支部书记 杨磊", Role.OFFICER, "sibling_branch", Scope.NODE, "相邻党支部书记"),
    ("gh", "企业工会主席 黄敏", Role.OFFICER, "enterprise_union", Scope.NODE, "企业工会主席"),
    ("dy", "党员 赵强", Role.MEMBER, "branch", Scope.NODE, "普通党员"),
    ("ck", "督查组 周洋", Role.VIEWER, "district_party", Scope.SUBTREE, "区级只读查看"),
]


def demo_logins() -> list[tuple[str, str]]:
    """(username, description) of the demo users still present and active."""
    from jiceng.access.models import User

    present = set(User.objects.filter(is_active=True).values_list("username", flat=True))
    return [(name, text) for name, *_, text in DEMO_USERS if name in present]


# Officers hold their rights because they were elected: their assignments come from the
# terms `elections.demo` records (from the term's first day through its last), not from an
# undated grant that would outlive the term (issue #12).
TERM_OFFICERS = {"sq", "zb", "zb2", "gh"}


def create_demo_users(actor, marks: Landmarks, today: dt.date) -> None:
    for username, full_name, role, mark, scope, _description in DEMO_USERS:
        person = Person.objects.create(
            name=full_name.split()[-1],
            gender=Gender.FEMALE if username in {"zgh", "sq", "zb", "gh"} else Gender.MALE,
        )
        user = create_user(
            actor, username=username, password=DEMO_PASSWORD, full_name=full_name, person=person
        )
        if username in TERM_OFFICERS:
            continue
        assign_role(
            actor,
            user=user,
            role=role,
            org=getattr(marks, mark) if mark else None,
            scope=scope,
            valid_from=dt.date(today.year - 1, 1, 1),
        )
    # One appointment ending soon, so the to-do centre has something dated to show.
    expiring = create_user(
        actor, username="lsy", password=DEMO_PASSWORD, full_name="临时联络员 孙悦"
    )
    assign_role(
        actor,
        user=expiring,
        role=Role.OFFICER,
        org=marks.sibling_branch,
        valid_from=dt.date(today.year - 1, 1, 1),
        valid_until=today + dt.timedelta(days=11),  # the last day in force: today + 10
    )


def create_demo_members(actor, marks: Landmarks, today: dt.date) -> None:
    """Party records in each branch of the first community, made through the services: full
    members, one probationary member, one activist and one applicant (plus a development target
    in the first branch); the demo users zb, dy and sq are members of the branch, zb2 of the
    sibling branch, and some members belong to the community's joint union, with delegates and
    development plans; gh's enterprise union has gh and eight members of its own."""
    from jiceng.people import delegates, unions
    from jiceng.people import services as people
    from jiceng.people.models import Category, DelegateCategory, Stage

    rng = random.Random(11)
    serial = iter(range(100, 1000))

    def person(org, born: dt.date):
        n = next(serial)
        return people.register_person(
            actor,
            org=org,
            name=names.person_name(rng),
            id_number=names.id_number(born, n),
            phone=f"139{n:08d}",
        )

    def walk(m, start: dt.date, steps):
        for key, offset, data in steps:
            people.take_step(actor, m, key, on=start + dt.timedelta(days=offset), data=data)

    branches = list(
        Organization.objects.filter(parent=marks.community_party, kind=Kind.BRANCH).order_by("code")
    )
    union = Organization.objects.filter(code=marks.community_party.code[:-1] + "U").first()
    union_number = iter(range(1, 10_000))
    for b, branch in enumerate(branches):
        full = []
        for k, (born, category) in enumerate(
            [
                (dt.date(1948, 3, 5), Category.RETIRED),
                (dt.date(1972, 6, 1), Category.WORKING),
                (dt.date(1980, 9, 9), Category.WORKING),
                (dt.date(1965, 1, 20), Category.FARMER),
            ]
        ):
            joined = dt.date(born.year + 25, 7, 1)
            m = people.enrol_member(
                actor,
                person(branch, born),
                org=branch,
                stage=Stage.FULL,
                joined_on=joined,
                full_on=joined.replace(year=joined.year + 1),
                category=category,
                veteran=born.year < 1950,
                hardship=born.year < 1950 and b == 0,
                without_post=k == 3,
            )
            full.append(m)
            if union is not None and k in (1, 2):
                unions.join_union(
                    actor,
                    m.person,
                    org=union,
                    member_number=f"{union.code}-{next(union_number):04d}",
                    joined_on=joined,
                )
        introducers = {"introducers": [full[1].person_id, full[2].person_id]}
        start = today - dt.timedelta(days=660)  # admitted 200 days ago, approved since
        probationary = people.apply(
            actor, person(branch, dt.date(1996, 4, 2)), org=branch, on=start
        )
        walk(
            probationary,
            start,
            [
                ("talk", 10, {}),
                ("activist", 40, {}),
                ("target", 405, {}),
                ("introducers", 410, introducers),
                ("review", 410, {}),
                ("training", 415, {"hours": 24}),
                ("notice", 420, {"days": 5}),
                ("pre_review", 440, {}),
                ("admit", 460, {}),
                ("approve", 490, {}),
            ],
        )
        start = today - dt.timedelta(days=200)
        activist = people.apply(actor, person(branch, dt.date(1999, 10, 12)), org=branch, on=start)
        walk(activist, start, [("talk", 10, {}), ("activist", 50, {})])
        people.apply(
            actor,
            person(branch, dt.date(2001, 2, 14)),
            org=branch,
            on=today - dt.timedelta(days=10),
        )
        if b == 0:
            start = today - dt.timedelta(days=500)
            target = people.apply(actor, person(branch, dt.date(1993, 8, 8)), org=branch, on=start)
            walk(target, start, [("talk", 10, {}), ("activist", 40, {}), ("target", 440, {})])
            people.set_plan(
                actor, org=branch, first_year=today.year, last_year=today.year, target=2
            )
    from jiceng.access.models import User

    # zb and dy belong to the branch, zb2 to the sibling branch; sq, the community committee's
    # secretary, is a full member of the community's first branch (eligible for its committee).
    homes = {"zb": marks.branch, "dy": marks.branch, "sq": marks.branch}
    homes["zb2"] = marks.sibling_branch
    for username, home in homes.items():
        user = User.objects.filter(username=username).select_related("person").first()
        if user is not None and user.person is not None:
            people.enrol_member(
                actor,
                user.person,
                org=home,
                stage=Stage.FULL,
                joined_on=dt.date(2008, 7, 1),
                full_on=dt.date(2009, 7, 1),
            )
            if union is not None and username == "dy":
                unions.join_union(
                    actor,
                    user.person,
                    org=union,
                    member_number=f"{union.code}-{next(union_number):04d}",
                    joined_on=dt.date(2015, 3, 1),
                    migrant_worker=True,
                )
    # The enterprise union of the demo user gh: gh (its chair, elected in `elections.demo`)
    # and workers who are members, one of them retired.
    chair = User.objects.filter(username="gh").select_related("person").first()
    if chair is not None and chair.person is not None:
        unions.join_union(
            actor,
            chair.person,
            org=marks.enterprise_union,
            member_number=f"{marks.enterprise_union.code}-0000",
            joined_on=dt.date(2010, 3, 1),
        )
    for k in range(8):
        worker = person(marks.enterprise_union, dt.date(1970 + 3 * k, 5, 1))
        unions.join_union(
            actor,
            worker,
            org=marks.enterprise_union,
            member_number=f"{marks.enterprise_union.code}-{k + 1:04d}",
            joined_on=dt.date(2012 + k % 6, 3, 1),
            migrant_worker=k % 3 == 0,
        )
    if union is not None:
        seated = UnionMembership.objects.filter(org=union, left_on__isnull=True).select_related(
            "person"
        )[:3]
        for i, member in enumerate(seated):
            delegates.seat_delegate(
                actor,
                member.person,
                org=union,
                category=DelegateCategory.INVITED if i == 2 else DelegateCategory.VOTING,
                valid_from=dt.date(today.year - 1, 1, 1),
            )
    people.set_plan(
        actor,
        org=marks.community_party,
        first_year=today.year - 1,
        last_year=today.year + 3,
        target=10,
        targets_by_group={"青年": 5},
    )


@transaction.atomic
def load(actor, scale_name: str, today: dt.date) -> int:
    marks, count = build_tree(scale_name)
    record(
        actor,
        "demo.dataset.load",
        marks.district_party,
        after={"scale": scale_name, "organizations": count},
    )
    create_demo_users(actor, marks, today)
    create_demo_members(actor, marks, today)
    from jiceng.life.demo import create_demo_meetings

    create_demo_meetings(actor, marks, today)
    from jiceng.elections.demo import create_demo_terms

    create_demo_terms(actor, marks, today)
    from jiceng.congress.demo import create_demo_congress

    create_demo_congress(actor, marks, today)
    from jiceng.elections.demo import create_demo_elections

    create_demo_elections(actor, marks, today)
    from jiceng.assessment.demo import create_demo_assessment

    create_demo_assessment(actor, marks, today)
    return count


def is_empty() -> bool:
    return not Organization.objects.exists()

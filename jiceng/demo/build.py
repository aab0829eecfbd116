"""Synthetic organizations and demo users at any scale.

The tree is generated top-down with explicit primary keys, so each row's stored
path is known before insert and the whole tree goes in with streamed bulk
inserts (no second pass to fill paths).
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.audit.services import record
from jiceng.orgs.models import Kind, Organization, tree_of
from jiceng.orgs.paths import child_path
from jiceng.people.models import Gender, Person

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


class TreeWriter:
    """Assigns ids and paths and writes organizations in batches."""

    def __init__(self):
        self.next_id = (
            Organization.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        self.pending: list[Organization] = []
        self.count = 0
        self.founded = dt.date(2000, 7, 1)

    def add(self, code, name, kind, parent: Organization | None) -> Organization:
        org = Organization(
            id=self.next_id,
            code=code,
            name=name,
            kind=kind,
            tree=tree_of(kind),
            parent=parent,
            path=child_path(parent.path if parent else None, self.next_id),
            depth=parent.depth + 1 if parent else 0,
            founded_on=self.founded,
        )
        self.next_id += 1
        self.pending.append(org)
        if len(self.pending) >= BATCH:
            self.flush()
        return org

    def flush(self):
        Organization.objects.bulk_create(self.pending, batch_size=BATCH)
        self.count += len(self.pending)
        self.pending = []

    def finish(self):
        self.flush()
        with connection.cursor() as cursor:  # explicit ids leave PostgreSQL's sequence behind
            for sql in connection.ops.sequence_reset_sql(no_style(), [Organization]):
                cursor.execute(sql)


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


def _district(
    w: TreeWriter,
    rng,
    scale: Scale,
    prefix: str,
    label: str,
    party_parent,
    union_parent,
    marks: list,
):
    dp = w.add(f"{prefix}P", f"中共{label}委员会", Kind.PARTY_COMMITTEE, party_parent)
    du = w.add(f"{prefix}U", f"{label}总工会", Kind.UNION_FEDERATION, union_parent)
    first = None
    for s in range(scale.streets):
        street = f"{names.place(rng, s)}{names.STREET_SUFFIX}"
        sp = w.add(
            f"{prefix}S{s:02d}P", f"中共{label}{street}工作委员会", Kind.PARTY_WORKING_COMMITTEE, dp
        )
        su = w.add(f"{prefix}S{s:02d}U", f"{label}{street}总工会", Kind.UNION_FEDERATION, du)
        for c in range(scale.communities):
            community = (
                names.place(rng, s * scale.communities + c + 7) + names.COMMUNITY_SUFFIX[c % 5]
            )
            cp = w.add(
                f"{prefix}S{s:02d}C{c:02d}P", f"中共{community}委员会", Kind.PARTY_COMMITTEE, sp
            )
            w.add(f"{prefix}S{s:02d}C{c:02d}U", f"{community}联合工会委员会", Kind.JOINT_UNION, su)
            branches = [
                w.add(
                    f"{prefix}S{s:02d}C{c:02d}B{b:02d}",
                    f"{community}第{b + 1}党支部",
                    Kind.BRANCH,
                    cp,
                )
                for b in range(scale.branches)
            ]
            if first is None:
                first = (dp, du, sp, cp, branches)
        eu = None
        for e in range(scale.enterprises):
            firm = names.firm(rng, names.place(rng, rng.randrange(len(names.PLACES) * 3)))
            kind = Kind.BRANCH if e % 4 else Kind.GENERAL_BRANCH
            w.add(
                f"{prefix}S{s:02d}E{e:03d}P",
                f"{firm}{'党支部' if kind == Kind.BRANCH else '党总支'}",
                kind,
                sp,
            )
            if e % 5 < 3:
                unit_union = w.add(
                    f"{prefix}S{s:02d}E{e:03d}U", f"{firm}工会委员会", Kind.UNION, su
                )
                eu = eu or unit_union
    if not marks:
        dp, du, sp, cp, branches = first
        marks.append(Landmarks(dp, du, sp, cp, branches[0], branches[1], eu))


def build_tree(scale_name: str, seed: int = 2026) -> tuple[Landmarks, int]:
    scale = SCALES[scale_name]
    rng = random.Random(seed)
    w = TreeWriter()
    marks: list[Landmarks] = []
    if scale.cities == 0:
        _district(w, rng, scale, "Q01", "青山区", None, None, marks)
    else:
        province = None
        if scale.cities > 1:
            province = (
                w.add("SP", f"中共{names.PROVINCE}委员会", Kind.PARTY_COMMITTEE, None),
                w.add("SU", f"{names.PROVINCE}总工会", Kind.UNION_FEDERATION, None),
            )
        for ci in range(scale.cities):
            city = f"{names.place(rng, ci + 3)}{names.CITY_SUFFIX}"
            cp = w.add(
                f"C{ci:02d}P", f"中共{city}委员会", Kind.PARTY_COMMITTEE, province and province[0]
            )
            cu = w.add(
                f"C{ci:02d}U", f"{city}总工会", Kind.UNION_FEDERATION, province and province[1]
            )
            for di in range(scale.districts):
                label = f"{city}{names.place(rng, di + 11)}{names.DISTRICT_SUFFIX}"
                _district(w, rng, scale, f"C{ci:02d}D{di:02d}", label, cp, cu, marks)
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


def create_demo_users(actor, marks: Landmarks, today: dt.date) -> None:
    for username, full_name, role, mark, scope, _description in DEMO_USERS:
        person = Person.objects.create(
            name=full_name.split()[-1],
            gender=Gender.FEMALE if username in {"zgh", "sq", "zb", "gh"} else Gender.MALE,
        )
        user = create_user(
            actor, username=username, password=DEMO_PASSWORD, full_name=full_name, person=person
        )
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
        valid_to=today + dt.timedelta(days=10),
    )


@transaction.atomic
def load(actor, scale_name: str, today: dt.date) -> int:
    marks, count = build_tree(scale_name)
    record(
        actor,
        "demo.load",
        marks.district_party,
        after={"scale": scale_name, "organizations": count},
    )
    create_demo_users(actor, marks, today)
    return count


def is_empty() -> bool:
    return not Organization.objects.exists()

"""Member figures from the seeds, computed from member records for any subtree and date."""

import datetime as dt
import itertools

from jiceng.orgs.models import Kind
from jiceng.orgs.services import move, set_up
from jiceng.people.models import (
    Category,
    FloatingRecord,
    MembershipState,
    PartyMembership,
    Person,
    Stage,
)
from jiceng.people.selectors import composition, floating_figures

SINCE = dt.date(2020, 1, 1)
TODAY = dt.date.today()


def members(
    org,
    count,
    *,
    gender="male",
    group="",
    floating="",
    stage=Stage.FULL,
    category=Category.WORKING,
    since=SINCE,
):
    """Bulk member rows for figure tests (the services are exercised elsewhere)."""
    people = Person.objects.bulk_create(
        [
            Person(name=f"党员{i}", gender=gender, birth_date=dt.date(1980, 1, 1))
            for i in range(count)
        ]
    )
    rows = PartyMembership.objects.bulk_create(
        [
            PartyMembership(
                person=p,
                org=org,
                stage=stage,
                category=category,
                composition=group,
                floating=floating,
                joined_on=since,
            )
            for p in people
        ]
    )
    MembershipState.objects.bulk_create(
        [
            MembershipState(
                membership=m,
                valid_from=since,
                org=org,
                stage=stage,
                category=category,
                composition=group,
                floating=floating,
            )
            for m in rows
        ]
    )
    return rows


def test_the_7132_members_of_001_l130_come_out_in_both_breakdowns(world):
    """5349 + 1783 = 1066 + 4832 + 233 + 351 + 437 + 213 = 7132 (001:L130)."""
    groups = [
        ("纯居民党员", 1066),
        ("企业进社区党员", 4832),
        ("企业职工党员", 233),
        ("“两新”组织党员", 351),
        ("教育系统党员", 437),
        ("医疗卫生系统党员", 213),
    ]
    genders = itertools.chain(itertools.repeat("male", 5349), itertools.repeat("female", 1783))
    for (group, count), org in zip(groups, itertools.cycle([world.branch_a1, world.branch_b1])):
        for gender, run in itertools.groupby(itertools.islice(genders, count)):
            members(org, len(list(run)), gender=gender, group=group)
    figures = composition(world.system, world.district, TODAY)
    assert figures["total"]["members"] == 7132
    assert dict(figures["gender"]) == {"male": 5349, "female": 1783}
    assert dict(figures["composition"]) == dict(groups)
    assert sum(figures["stage"].values()) == 7132


def test_composition_counts_the_subtree_as_it_stood_on_the_date(world):
    members(world.branch_a1, 3)
    members(world.branch_b1, 2)
    applicants = members(world.branch_a1, 4, stage=Stage.APPLICANT)
    assert composition(world.system, world.street_a, TODAY)["total"]["members"] == 3
    assert composition(world.system, world.street_a, TODAY, members_only=False)["stage"][
        "applicant"
    ] == len(applicants)
    move(world.system, world.branch_b1, new_parent=world.street_a, on=dt.date(2025, 1, 1))
    assert composition(world.system, world.street_a, dt.date(2024, 12, 31))["total"]["members"] == 3
    assert composition(world.system, world.street_a, dt.date(2025, 1, 1))["total"]["members"] == 5
    assert composition(world.system, world.street_a, dt.date(2019, 12, 31))["total"]["members"] == 0


def test_floating_member_shares_of_000_l31(world):
    """1046 floating members, 858 in the talent centre branch (82.0%); 890 cards (85.1%)."""
    talent = set_up(
        world.system,
        code="RC",
        name="区人才中心党支部",
        kind=Kind.BRANCH,
        parent=world.street_b,
        founded_on=SINCE,
    )
    floating = members(talent, 858, floating="outflow") + members(
        world.branch_a1, 188, floating="outflow"
    )
    members(world.branch_a1, 50)  # not floating
    FloatingRecord.objects.bulk_create(
        [
            FloatingRecord(
                membership=m,
                direction="outflow",
                place="广东省深圳市",
                valid_from=SINCE,
                card_number=f"HD{i:05d}" if i < 890 else "",
                card_issued_on=SINCE if i < 890 else None,
            )
            for i, m in enumerate(floating)
        ]
    )
    figures = floating_figures(world.system, world.district, TODAY)
    assert figures["total"] == 1046
    assert round(100 * figures["by_org"][talent.pk] / figures["total"], 1) == 82.0
    assert figures["cards"] == 890 and round(100 * figures["cards"] / figures["total"], 1) == 85.1


def test_figures_of_an_invisible_subtree_are_refused(world):
    import pytest
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        composition(world.users["street_a_admin"], world.street_b, TODAY)


def member_as(org, *, born, education="", category=Category.WORKING, since=SINCE):
    p = Person.objects.create(name="党员", gender="female", birth_date=born, education=education)
    m = PartyMembership.objects.create(
        person=p, org=org, stage=Stage.FULL, category=category, joined_on=since
    )
    MembershipState.objects.create(
        membership=m, valid_from=since, org=org, stage=Stage.FULL, category=category
    )
    return m


def test_age_bands_education_and_categories_on_a_date(world):
    rows = [
        (dt.date(1995, 6, 30), "postgraduate", Category.WORKING),
        (dt.date(1989, 7, 1), "bachelor", Category.WORKING),  # 35 until 2025-07-01
        (dt.date(1980, 1, 1), "bachelor", Category.WORKING),
        (dt.date(1975, 5, 5), "college", Category.FARMER),
        (dt.date(1966, 1, 1), "junior_or_less", Category.RETIRED),
        (dt.date(1950, 1, 1), "", Category.RETIRED),
        (None, "high_school", Category.STUDENT),
    ]
    for born, education, category in rows:
        member_as(world.branch_a1, born=born, education=education, category=category)
    member_as(world.branch_b1, born=dt.date(1990, 1, 1), education="bachelor")  # other street
    figures = composition(world.system, world.street_a, dt.date(2025, 6, 30))
    assert dict(figures["age_band"]) == {
        "≤35": 2,
        "36-45": 1,
        "46-55": 1,
        "56-60": 1,
        "≥61": 1,
        "unknown": 1,
    }
    assert dict(figures["education"]) == {
        "postgraduate": 1,
        "bachelor": 2,
        "college": 1,
        "junior_or_less": 1,
        "high_school": 1,
        "unknown": 1,
    }
    assert dict(figures["category"]) == {"working": 3, "farmer": 1, "retired": 2, "student": 1}
    assert figures["total"]["members"] == 7
    # A day later the member born on 1989-07-01 is 36; ages are counted on the date asked.
    later = composition(world.system, world.street_a, dt.date(2025, 7, 1))["age_band"]
    assert (later["≤35"], later["36-45"]) == (1, 2)
    # The whole district adds the other street's member (bachelor, 35 on 2025-06-30).
    district = composition(world.system, world.district, dt.date(2025, 6, 30))
    assert (district["education"]["bachelor"], district["age_band"]["≤35"]) == (3, 3)


def test_categories_follow_the_dated_history(world):
    m = member_as(world.branch_a1, born=dt.date(1960, 3, 1), category=Category.WORKING)
    MembershipState.objects.filter(membership=m).update(valid_until=dt.date(2024, 3, 1))
    MembershipState.objects.create(
        membership=m,
        valid_from=dt.date(2024, 3, 1),
        org=world.branch_a1,
        stage=Stage.FULL,
        category=Category.RETIRED,
    )
    before = composition(world.system, world.branch_a1, dt.date(2024, 2, 29))["category"]
    after = composition(world.system, world.branch_a1, dt.date(2024, 3, 1))["category"]
    assert (dict(before), dict(after)) == ({"working": 1}, {"retired": 1})

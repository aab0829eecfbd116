"""Awards and titles (issue 13, item 7): quotas, eligibility from the records (discipline in
the period, membership length, the organization's assessment grade, rolling promotion of union
standardization titles), publicity in working days, the decision with its document number,
the title on the records and pages, and the nomination form as .docx."""

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.assessment import selectors, services
from jiceng.assessment.models import Entry, Round, RoundState, Scheme, Title, TitleKind
from jiceng.kernel.workdays import add_working_days
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.people.models import DisciplineKind, Stage
from jiceng.people.services import enrol_member, record_discipline, register_person

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 2)  # a Monday


def _member(world, name, org=None, full_on=dt.date(2010, 7, 1), stage=Stage.FULL):
    org = org or world.branch_a1
    p = register_person(world.system, org=org, name=name)
    enrol_member(
        world.system,
        p,
        org=org,
        stage=stage,
        joined_on=dt.date(2009, 7, 1),
        full_on=full_on if stage == Stage.FULL else None,
    )
    return p


def _round(world, kind=TitleKind.EXCELLENT_MEMBER, quotas=(("A1", 2),)):
    admin = world.users["street_a_admin"]
    r = services.open_award_round(admin, world.street_a, year=2026, kind=kind, on=ON)
    orgs = {"A1": world.branch_a1, "A2": world.branch_a2}
    for code, n in quotas:
        services.set_quota(admin, r, orgs[code], n)
    return r


def test_a_nominee_disciplined_in_the_period_is_refused_with_the_reason(world):
    r = _round(world)
    zhang = _member(world, "张三")
    record_discipline(
        world.users["a1_officer"],
        zhang,
        kind=DisciplineKind.WARNING,
        decided_on=dt.date(2026, 3, 18),
        decided_by="中共和平街道工作委员会",
        document_number="和纪〔2026〕2号",
    )
    with pytest.raises(ValidationError) as refused:
        services.nominate(world.users["a1_officer"], r, world.branch_a1, person=zhang, on=ON)
    text = " ".join(refused.value.messages)
    assert "张三" in text and ("Warning" in text or "警告" in text)
    assert "2026-03-18" in text and "和纪〔2026〕2号" in text
    assert not r.nominations.exists()


def test_a_sanction_before_the_period_does_not_count_unless_still_in_force(world):
    r = _round(world, quotas=(("A1", 3),))
    old, on_probation = _member(world, "李四"), _member(world, "王五")
    officer = world.users["a1_officer"]
    record_discipline(
        officer, old, kind="warning", decided_on=dt.date(2024, 5, 1), decided_by="街道纪工委"
    )
    record_discipline(
        officer,
        on_probation,
        kind="probation",
        decided_on=dt.date(2025, 6, 1),
        decided_by="街道纪工委",
        valid_until=dt.date(2026, 5, 31),
    )
    assert services.nominate(officer, r, world.branch_a1, person=old, on=ON).pk
    with pytest.raises(ValidationError, match="王五"):
        services.nominate(officer, r, world.branch_a1, person=on_probation, on=ON)


def test_membership_length_and_probationers_as_policy(world):
    r = _round(world, quotas=(("A1", 3),))
    officer = world.users["a1_officer"]
    recent = _member(world, "赵六", full_on=dt.date(2026, 3, 1))
    probationer = _member(world, "钱七", stage=Stage.PROBATIONARY)
    with pytest.raises(ValidationError, match=r"fewer than 1 years|不满1年"):
        services.nominate(officer, r, world.branch_a1, person=recent, on=ON)
    with pytest.raises(ValidationError, match=r"not a full Party member|不是正式党员"):
        services.nominate(officer, r, world.branch_a1, person=probationer, on=ON)


def test_quota_and_subtree_are_enforced(world):
    r = _round(world, quotas=(("A1", 1),))
    officer = world.users["a1_officer"]
    first, second = _member(world, "孙一"), _member(world, "孙二")
    other = _member(world, "周二支部", org=world.branch_a2)
    with pytest.raises(ValidationError, match=r"belong|不属于"):
        services.nominate(officer, r, world.branch_a1, person=other, on=ON)
    services.nominate(officer, r, world.branch_a1, person=first, on=ON)
    with pytest.raises(ValidationError, match=r"quota|名额"):
        services.nominate(officer, r, world.branch_a1, person=second, on=ON)
    with pytest.raises(PermissionDenied):
        services.nominate(world.users["a2_officer"], r, world.branch_a1, person=second, on=ON)
    with pytest.raises(ValidationError, match=r"no quota|没有推荐名额"):
        services.nominate(world.users["a2_officer"], r, world.branch_a2, person=other, on=ON)


def _final_result(world, org, total):
    scheme = Scheme.objects.create(
        org=world.street_a,
        code="t",
        name="考核",
        cycle="year_end",
        created_by=world.system,
        published_on=ON,
    )
    r = Round.objects.create(
        scheme=scheme,
        org=world.street_a,
        period="2026",
        state=RoundState.FINAL,
        opened_on=ON,
        self_due=ON,
        final_on=ON,
        opened_by=world.system,
    )
    Entry.objects.create(round=r, org=org, total=Decimal(total), state="reviewed")


def test_advanced_organization_needs_the_grade_of_the_year(world):
    r = _round(world, kind=TitleKind.ADVANCED_ORG, quotas=(("A1", 1), ("A2", 1)))
    with pytest.raises(ValidationError, match=r"no final assessment|没有.*考评"):
        services.nominate(world.users["a1_officer"], r, world.branch_a1, org=world.branch_a1)
    _final_result(world, world.branch_a1, 94)
    with pytest.raises(ValidationError, match=r"Pass|合格"):
        services.nominate(world.users["a1_officer"], r, world.branch_a1, org=world.branch_a1)
    Entry.objects.filter(org=world.branch_a1).update(total=Decimal(95))
    n = services.nominate(world.users["a1_officer"], r, world.branch_a1, org=world.branch_a1)
    assert n.nominee_org == world.branch_a1


def test_union_standardization_rises_one_level_at_a_time(world):
    admin = world.users["district_admin"]
    federation = world.union
    shop = set_up(
        world.system,
        code="UC",
        name="某公司工会",
        kind=Kind.UNION,
        parent=federation,
        founded_on=dt.date(2000, 1, 1),
    )
    from jiceng.access.models import Role, Scope
    from jiceng.access.services import assign_role

    assign_role(
        world.system,
        user=admin,
        role=Role.UPPER_ADMIN,
        org=federation,
        scope=Scope.SUBTREE,
        valid_from=dt.date(2000, 1, 1),
    )
    r = services.open_award_round(admin, federation, year=2026, kind="union_model", on=ON)
    services.set_quota(admin, r, shop, 1)
    with pytest.raises(ValidationError, match=r"rolling|滚动"):
        services.nominate(admin, r, shop, org=shop, on=ON)
    services.record_title(
        admin,
        federation,
        kind="union_advanced",
        year=2025,
        document_number="总工〔2025〕9号",
        org=shop,
    )
    assert services.nominate(admin, r, shop, org=shop, on=ON).nominee_org == shop


def test_publicity_then_decision_puts_the_title_on_the_record(world, login):
    r = _round(world)
    zhang = _member(world, "张荣誉")
    n = services.nominate(world.users["a1_officer"], r, world.branch_a1, person=zhang, on=ON)
    admin = world.users["street_a_admin"]
    services.publish_nominees(admin, r, on=ON)
    assert r.publicity_until == add_working_days(ON, 5)
    with pytest.raises(ValidationError, match=r"publicity|公示"):
        services.decide_awards(admin, r, document_number="和组〔2026〕7号", on=ON)
    with pytest.raises(ValidationError):
        services.decide_awards(admin, r, document_number="", on=r.publicity_until)
    titles = services.decide_awards(
        admin, r, document_number="和组〔2026〕7号", on=r.publicity_until
    )
    assert [(t.person, t.year, t.document_number) for t in titles] == [
        (zhang, 2026, "和组〔2026〕7号")
    ]
    n.refresh_from_db()
    assert n.approved is True
    assert selectors.awards.titles_of_person(zhang)[0].kind == TitleKind.EXCELLENT_MEMBER


def test_rejected_nominee_gets_no_title(world):
    r = _round(world)
    a, b = _member(world, "甲"), _member(world, "乙")
    officer, admin = world.users["a1_officer"], world.users["street_a_admin"]
    na = services.nominate(officer, r, world.branch_a1, person=a, on=ON)
    services.nominate(officer, r, world.branch_a1, person=b, on=ON)
    services.publish_nominees(admin, r, on=ON)
    services.decide_awards(
        admin,
        r,
        document_number="X〔2026〕1号",
        rejected={na.pk: "公示期间有异议"},
        on=dt.date(2026, 12, 1),
    )
    assert list(Title.objects.values_list("person__name", flat=True)) == ["乙"]


def test_only_the_awarding_level_runs_the_round(world):
    with pytest.raises(PermissionDenied):
        services.open_award_round(
            world.users["a1_officer"], world.street_a, year=2026, kind="excellent_member"
        )
    r = _round(world)
    with pytest.raises(PermissionDenied):
        services.set_quota(world.users["a1_officer"], r, world.branch_a1, 5)
    with pytest.raises(PermissionDenied):
        services.publish_nominees(world.users["a1_officer"], r)


def test_nomination_form_docx_names_the_nominee(world):
    from jiceng.assessment import award_documents

    r = _round(world)
    zhang = _member(world, "张表格")
    n = services.nominate(
        world.users["a1_officer"], r, world.branch_a1, person=zhang, deeds="带头服务群众", on=ON
    )
    data = award_documents.nomination_form(world.users["a1_officer"], n).to_bytes()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    cells = [
        c.text for t in docx.Document(io.BytesIO(data)).tables for row in t.rows for c in row.cells
    ]
    assert "推荐审批表" in text
    assert "张表格" in " ".join(cells) and "带头服务群众" in " ".join(cells)


def test_pages_api_and_titles_shown_where_the_record_is(world, login):
    r = _round(world)
    zhang = _member(world, "张页面")
    officer = login(world.users["a1_officer"])
    page = officer.get(f"/assessment/awards/{r.pk}/")
    assert page.status_code == 200 and "nominate-form" in page.content.decode()
    resp = officer.post(
        f"/api/v1/assessment/awards/rounds/{r.pk}/nominations",
        {"by_org": "A1", "nominee_person": zhang.pk, "deeds": "事迹"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    n = r.nominations.get()
    assert officer.get(f"/assessment/awards/nominations/{n.pk}/form.docx").status_code == 200
    # another street sees neither the round nor the form
    viewer = login(world.users["viewer"])
    assert viewer.get(f"/assessment/awards/{r.pk}/").status_code == 404
    assert viewer.get(f"/assessment/awards/nominations/{n.pk}/form.docx").status_code == 404
    assert viewer.get(f"/api/v1/assessment/awards/rounds/{r.pk}").status_code == 404
    admin = login(world.users["street_a_admin"])
    assert admin.post(f"/assessment/awards/{r.pk}/", {"action": "publish"}).status_code == 302
    r.refresh_from_db()
    services.decide_awards(
        world.users["street_a_admin"], r, document_number="和组〔2026〕8号", on=r.publicity_until
    )
    m = zhang.party
    member_page = officer.get(f"/people/{m.pk}/").content.decode()
    assert "和组〔2026〕8号" in member_page
    Title.objects.create(
        kind=TitleKind.ADVANCED_ORG,
        year=2026,
        org=world.branch_a1,
        awarded_by=world.street_a,
        document_number="和组〔2026〕9号",
        awarded_on=ON,
    )
    assert "和组〔2026〕9号" in officer.get("/orgs/A1/").content.decode()
    # my record: the member's own titles
    member = world.users["a1_member"]
    member.person = zhang
    member.save(update_fields=["person"])
    mine = login(world.users["a1_member"]).get("/me/").content.decode()
    assert "my-titles" in mine and "和组〔2026〕8号" in mine


def test_an_officer_records_a_sanction_on_the_member_page(world, login):
    zhang = _member(world, "张处分")
    m = zhang.party
    officer = login(world.users["a1_officer"])
    page = officer.get(f"/people/{m.pk}/").content.decode()
    assert "record-discipline" in page
    resp = officer.post(
        f"/people/{m.pk}/discipline/",
        {
            "kind": "serious_warning",
            "decided_on": "2026-04-01",
            "decided_by": "街道纪工委",
            "document_number": "和纪〔2026〕5号",
        },
    )
    assert resp.status_code == 302
    assert "和纪〔2026〕5号" in officer.get(f"/people/{m.pk}/").content.decode()
    other = login(world.users["a2_officer"])
    assert other.post(f"/people/{m.pk}/discipline/", {"kind": "warning"}).status_code == 404
    from jiceng.people.selectors import disciplines_in_period

    found = disciplines_in_period([zhang.pk], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert found[zhang.pk].kind == DisciplineKind.SERIOUS_WARNING


def test_an_organization_with_a_quota_has_a_nomination_duty_until_it_is_used(world):
    from jiceng.assessment import duties

    r = _round(world, quotas=(("A1", 1),))

    def titles(org):
        return [(d.title, str(d.url)) for d in duties.award_nominations([org], ON, None)]

    [(title, url)] = titles(world.branch_a1)
    assert url == f"/assessment/awards/{r.pk}/" and "2026" in title
    assert titles(world.branch_a2) == []
    services.nominate(
        world.users["a1_officer"], r, world.branch_a1, person=_member(world, "甲"), on=ON
    )
    assert titles(world.branch_a1) == []


def test_the_page_nominates_and_shows_the_refusal(world, login):
    r = _round(world)
    ok, sanctioned = _member(world, "页面甲"), _member(world, "页面乙")
    record_discipline(
        world.users["a1_officer"],
        sanctioned,
        kind="warning",
        decided_on=dt.date(2026, 2, 3),
        decided_by="街道纪工委",
    )
    c = login(world.users["a1_officer"])
    url = f"/assessment/awards/{r.pk}/"
    c.post(url, {"action": "nominate", "by_org": "A1", "nominee_person": ok.pk, "deeds": "事迹"})
    page = c.post(
        url,
        {"action": "nominate", "by_org": "A1", "nominee_person": sanctioned.pk, "deeds": "事迹"},
        follow=True,
    ).content.decode()
    assert "页面乙于2026-02-03受到党纪处分“警告”" in page
    assert [n.nominee_name for n in r.nominations.all()] == ["页面甲"]


def test_a_member_graded_below_the_policy_in_the_years_evaluation_is_refused(world):
    """The democratic evaluation's decided grade (民主评议党员) gates 优秀共产党员."""
    from jiceng.assessment.models import Campaign, Evaluee
    from jiceng.people.models import PartyMembership

    r = _round(world, quotas=(("A1", 2),))
    basic, excellent = _member(world, "赵六"), _member(world, "钱七")
    campaign = Campaign.objects.create(
        org=world.branch_a1, year=2026, opened_on=dt.date(2026, 1, 5), opened_by=world.system
    )
    for person, grade in ((basic, "basic"), (excellent, "excellent")):
        Evaluee.objects.create(
            campaign=campaign,
            membership=PartyMembership.objects.get(person=person),
            name=person.name,
            grade=grade,
            decided_on=dt.date(2026, 2, 1),
        )
    officer = world.users["a1_officer"]
    with pytest.raises(ValidationError) as refused:
        services.nominate(officer, r, world.branch_a1, person=basic, on=ON)
    assert "赵六" in " ".join(refused.value.messages)
    assert "基本合格" in " ".join(refused.value.messages)
    services.nominate(officer, r, world.branch_a1, person=excellent, on=ON)
    assert r.nominations.count() == 1

"""Democratic evaluation of members (民主评议党员, DOMAIN.md §6, 003:L266-268): a branch's yearly
campaign with its stages, secret mutual-evaluation ballots that cannot be traced to their voters,
the excellent cap, non-members' opinions, the branch's grades, the handling of 不合格 with
refusals that say what is missing, and the same refusals across organizations in pages and API.
"""

import datetime as dt
import itertools
import json

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.urls import reverse

from jiceng.access.services import create_token, create_user
from jiceng.assessment import selectors, services
from jiceng.assessment.models import (
    Campaign,
    CampaignState,
    EvaluationSlip,
    EvaluationVoter,
    Evaluee,
    HandlingCase,
    HandlingState,
    SealedEvaluationBallot,
)
from jiceng.audit.models import AuditEvent
from jiceng.people.services import enrol_member, register_person
from tests.conftest import PASSWORD

OPENED = dt.date(2025, 12, 1)
YEAR = 2025


def add_members(world, org, count, prefix="党员", *, logins=False):
    found = []
    for k in range(count):
        person = register_person(world.system, org=org, name=f"{prefix}{k:03d}")
        enrol_member(world.system, person, org=org, stage="full", joined_on=dt.date(2000, 7, 1))
        user = None
        if logins:
            user = create_user(
                world.system, username=f"{prefix}{org.code}{k}", password=PASSWORD, person=person
            )
        found.append((person, user))
    return found


def advance(officer, campaign, *steps, start=OPENED):
    for k, step in enumerate(steps, 1):
        campaign = services.take_stage(officer, campaign, step, on=start + dt.timedelta(days=k))
    return campaign


@pytest.fixture
def branch(world):
    """Branch A1 with six members who have logins, and its campaign open for voting."""
    members = add_members(world, world.branch_a1, 6, logins=True)
    officer = world.users["a1_officer"]
    campaign = services.open_campaign(officer, world.branch_a1, year=YEAR, on=OPENED)
    campaign = advance(officer, campaign, "study", "self", "open_voting")
    return campaign, members


def everyone_else(campaign, person, grade="pass"):
    return {e.pk: grade for e in campaign.evaluees.all() if e.membership.person_id != person.pk}


def columns(model) -> set[str]:
    with connection.cursor() as cursor:
        return {
            c.name
            for c in connection.introspection.get_table_description(cursor, model._meta.db_table)
        }


def foreign_keys(model) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_relations(cursor, model._meta.db_table))


# -- the campaign --------------------------------------------------------------------------


def test_a_campaign_takes_the_roll_and_its_stages_in_order(world):
    add_members(world, world.branch_a1, 3)
    probationary = register_person(world.system, org=world.branch_a1, name="预备党员甲")
    enrol_member(
        world.system,
        probationary,
        org=world.branch_a1,
        stage="probationary",
        joined_on=dt.date(2025, 7, 1),
    )
    officer = world.users["a1_officer"]
    campaign = services.open_campaign(officer, world.branch_a1, year=YEAR, on=OPENED)
    # Full members only, as policy says (probationary members have no vote).
    assert sorted(campaign.evaluees.values_list("name", flat=True)) == [
        "党员000",
        "党员001",
        "党员002",
    ]
    assert campaign.voters.count() == 3
    with pytest.raises(ValidationError, match="已经开展"):
        services.open_campaign(officer, world.branch_a1, year=YEAR, on=OPENED)
    # Out of order: the mutual evaluation needs the self-evaluation first.
    with pytest.raises(ValidationError) as refused:
        services.take_stage(officer, campaign, "open_voting", on=OPENED)
    assert "请先登记“个人自评”" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):  # before the opening date
        services.take_stage(officer, campaign, "study", on=OPENED - dt.timedelta(days=1))
    campaign = advance(officer, campaign, "study", "self", "open_voting", "close_voting")
    # Non-members' opinions are needed before the stage is recorded.
    with pytest.raises(ValidationError, match="党外群众的意见"):
        services.take_stage(officer, campaign, "consult", on=dt.date(2025, 12, 20))
    services.record_opinion(
        officer, campaign, given_by="社区居民代表王某", text="党员服务热情", received_on=OPENED
    )
    campaign = services.take_stage(officer, campaign, "consult", on=dt.date(2025, 12, 20))
    dates = {s["key"]: s["on"] for s in selectors.stages(campaign)}
    assert dates["study"] == dt.date(2025, 12, 2) and dates["consult"] == dt.date(2025, 12, 20)
    # Deciding needs every member's grade.
    with pytest.raises(ValidationError, match="未确定等次"):
        services.take_stage(officer, campaign, "decide", on=dt.date(2025, 12, 21))


def test_only_a_branch_officer_opens_and_only_a_branch_is_evaluated(world):
    add_members(world, world.branch_a1, 2)
    with pytest.raises(PermissionDenied):
        services.open_campaign(world.users["a2_officer"], world.branch_a1, year=YEAR, on=OPENED)
    with pytest.raises(ValidationError, match="不是党支部"):
        services.open_campaign(world.users["street_a_admin"], world.street_a, year=YEAR, on=OPENED)


# -- secret ballots ---------------------------------------------------------------------------


def test_each_member_votes_once_and_ballots_cannot_be_traced_to_voters(
    world, branch, django_capture_on_commit_callbacks
):
    campaign, members = branch
    officer = world.users["a1_officer"]
    grades = ["excellent", "pass", "basic", "fail", "pass", "pass"]
    for k, (person, user) in enumerate(members):
        with django_capture_on_commit_callbacks(execute=True):
            services.cast_ballot(user, campaign, everyone_else(campaign, person, grades[k]))
    with pytest.raises(ValidationError, match="已在本次评议中投过票"):
        services.cast_ballot(members[0][1], campaign, everyone_else(campaign, members[0][0]))
    # A member of another branch is not on the roll.
    (_outsider, outsider_user), *_ = add_members(world, world.branch_a2, 1, "外支部", logins=True)
    with pytest.raises(PermissionDenied):
        services.cast_ballot(outsider_user, campaign, {})
    # While voting is open nothing readable is stored and nothing is counted.
    assert not EvaluationSlip.objects.filter(campaign=campaign).exists()
    assert SealedEvaluationBallot.objects.filter(campaign=campaign).count() == 6
    assert selectors.tally(campaign) is None
    campaign = services.take_stage(officer, campaign, "close_voting", on=dt.date(2025, 12, 10))

    # The slips: one grade each, no voter, no time, no order; nothing in the schema points at them.
    assert columns(EvaluationSlip) == {"id", "campaign_id", "evaluee_id", "grade"}
    assert foreign_keys(EvaluationSlip) == {"campaign_id", "evaluee_id"}
    assert columns(EvaluationVoter) == {"id", "campaign_id", "person_id", "has_voted"}
    assert columns(SealedEvaluationBallot) == {"id", "campaign_id", "sealed"}
    for model in (EvaluationSlip, EvaluationVoter, SealedEvaluationBallot):
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField)
            assert not isinstance(field, models.AutoField | models.BigAutoField)
    pointing = [
        (m._meta.label, f.name)
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if f.is_relation
        and f.related_model in (EvaluationSlip, EvaluationVoter, SealedEvaluationBallot)
    ]
    assert pointing == []
    assert columns(EvaluationSlip) & columns(EvaluationVoter) == {"id", "campaign_id"}
    assert not SealedEvaluationBallot.objects.filter(campaign=campaign).exists()
    slips = EvaluationSlip.objects.filter(campaign=campaign)
    assert slips.count() == 6 * 5
    # The slip keys are not in the order of voting: voter k's five slips are not together.
    by_key = list(slips.order_by("pk").values_list("grade", flat=True))
    runs = sum(1 for a, b in itertools.pairwise(by_key) if a != b)
    assert runs > 6
    # The audit log says who voted, never how, naming the campaign only.
    events = AuditEvent.objects.filter(action="assessment.evaluation.vote")
    assert events.count() == 6
    assert {(e.object_type, e.object_id) for e in events} == {
        ("assessment.campaign", str(campaign.pk))
    }
    assert all(e.before is None and e.after is None for e in events)
    # The tally per member: what the other five gave them.
    tally = {row["evaluee"].name: row["counts"] for row in selectors.tally(campaign)}
    first = members[0][0].name
    assert tally[first] == {"excellent": 0, "pass": 3, "basic": 1, "fail": 1}
    assert sum(row["total"] for row in selectors.tally(campaign)) == 30


def test_paper_ballots_are_counted_and_limited_to_the_voters_left(world, branch):
    campaign, _members = branch
    officer = world.users["a1_officer"]
    ids = list(campaign.evaluees.values_list("pk", flat=True))
    services.enter_paper_ballots(officer, campaign, [{ids[0]: "excellent", ids[1]: "pass"}] * 5)
    with pytest.raises(ValidationError, match="最多还能录入 1 张"):
        services.enter_paper_ballots(officer, campaign, [{ids[0]: "pass"}] * 2)
    with pytest.raises(PermissionDenied):
        services.enter_paper_ballots(world.users["a2_officer"], campaign, [{ids[0]: "pass"}])
    campaign = services.take_stage(officer, campaign, "close_voting", on=dt.date(2025, 12, 10))
    counts = {row["evaluee"].pk: row["counts"] for row in selectors.tally(campaign)}
    assert counts[ids[0]]["excellent"] == 5 and counts[ids[1]]["pass"] == 5
    assert counts[ids[2]] == {"excellent": 0, "pass": 0, "basic": 0, "fail": 0}


# -- the branch's decision and the excellent cap ----------------------------------------------


def test_the_31st_excellent_among_100_is_refused_when_the_cap_is_30_percent(world):
    add_members(world, world.branch_a1, 100)
    officer = world.users["a1_officer"]
    campaign = services.open_campaign(officer, world.branch_a1, year=YEAR, on=OPENED)
    campaign = advance(officer, campaign, "study", "self", "open_voting", "close_voting")
    evaluees = list(campaign.evaluees.order_by("pk"))
    on = dt.date(2025, 12, 20)
    for e in evaluees[:30]:
        services.decide_grade(officer, campaign, e, grade="excellent", on=on)
    with pytest.raises(ValidationError) as refused:
        services.decide_grade(officer, campaign, evaluees[30], grade="excellent", on=on)
    message = " ".join(refused.value.messages)
    assert message == "评为优秀的党员不得超过参评党员 100 名的 30%（30 名）；已有 30 名评为优秀。"
    assert Evaluee.objects.get(pk=evaluees[30].pk).grade == ""
    # Re-deciding one of the 30 is not a 31st; lowering one frees a place.
    services.decide_grade(officer, campaign, evaluees[0], grade="excellent", on=on)
    services.decide_grade(officer, campaign, evaluees[0], grade="pass", on=on)
    services.decide_grade(officer, campaign, evaluees[30], grade="excellent", on=on)
    assert selectors.excellent_cap(campaign)["count"] == 30


# -- handling of 不合格 ------------------------------------------------------------------------


def decided(world, branch):
    campaign, _members = branch
    officer = world.users["a1_officer"]
    campaign = services.take_stage(officer, campaign, "close_voting", on=dt.date(2025, 12, 10))
    services.record_opinion(officer, campaign, given_by="群众", text="意见", received_on=OPENED)
    campaign = services.take_stage(officer, campaign, "consult", on=dt.date(2025, 12, 20))
    evaluees = list(campaign.evaluees.order_by("name"))
    for e in evaluees:
        grade = "fail" if e == evaluees[0] else "pass"
        services.decide_grade(officer, campaign, e, grade=grade, on=dt.date(2025, 12, 25))
    campaign = services.take_stage(officer, campaign, "decide", on=dt.date(2025, 12, 26))
    return campaign, evaluees[0]


def test_a_member_graded_unqualified_is_handled_step_by_step(world, branch):
    campaign, failed = decided(world, branch)
    officer = world.users["a1_officer"]
    case = HandlingCase.objects.get(evaluee=failed)
    assert HandlingCase.objects.filter(evaluee__campaign=campaign).count() == 1
    on = dt.date(2026, 1, 5)
    with pytest.raises(ValidationError, match="需要期限"):
        services.take_handling_step(officer, case, "correct", on=on)
    with pytest.raises(ValidationError, match="最长为本步骤之后 365 天"):
        services.take_handling_step(
            officer, case, "correct", on=on, data={"deadline": dt.date(2027, 3, 1)}
        )
    with pytest.raises(ValidationError, match="请先登记“限期改正”"):
        services.take_handling_step(officer, case, "persuade", on=on, note="未改正")
    case = services.take_handling_step(
        officer, case, "correct", on=on, data={"deadline": dt.date(2026, 6, 30)}, note="谈话提醒"
    )
    assert case.state == HandlingState.CORRECTING and case.deadline == dt.date(2026, 6, 30)
    # Before the deadline neither the finding nor the next step is possible.
    with pytest.raises(ValidationError, match="2026-06-30"):
        services.take_handling_step(officer, case, "corrected", on=dt.date(2026, 3, 1), note="好")
    steps = {
        s["key"]: s
        for s in selectors.handling_cases(officer, campaign, on=dt.date(2026, 3, 1))[0]["next"]
    }
    assert steps["persuade"]["possible_from"] == dt.date(2026, 6, 30)
    with pytest.raises(ValidationError, match="改正情况"):
        services.take_handling_step(officer, case, "corrected", on=dt.date(2026, 7, 1))
    with pytest.raises(PermissionDenied):
        services.take_handling_step(
            world.users["a2_officer"], case, "corrected", on=dt.date(2026, 7, 1), note="已改正"
        )
    case = services.take_handling_step(
        officer, case, "corrected", on=dt.date(2026, 7, 1), note="已按期改正"
    )
    assert case.state == HandlingState.CORRECTED and case.closed_on == dt.date(2026, 7, 1)


def test_not_corrected_leads_to_advice_to_leave_then_removal_with_approval(world, branch):
    _campaign, failed = decided(world, branch)
    officer = world.users["a1_officer"]
    case = HandlingCase.objects.get(evaluee=failed)
    case = services.take_handling_step(
        officer, case, "correct", on=dt.date(2026, 1, 5), data={"deadline": dt.date(2026, 4, 30)}
    )
    with pytest.raises(ValidationError, match="请先登记“劝其退党”"):
        services.take_handling_step(officer, case, "remove", on=dt.date(2026, 5, 1))
    case = services.take_handling_step(
        officer, case, "persuade", on=dt.date(2026, 5, 2), note="期满仍未改正"
    )
    with pytest.raises(ValidationError, match="上级党委批准"):
        services.take_handling_step(officer, case, "remove", on=dt.date(2026, 6, 1))
    case = services.take_handling_step(
        officer,
        case,
        "remove",
        on=dt.date(2026, 6, 1),
        data={"approval": "和组〔2026〕8号"},
        note="劝而不退",
    )
    assert case.state == HandlingState.REMOVED
    assert AuditEvent.objects.filter(action="assessment.evaluation.remove").exists()


# -- pages and API ---------------------------------------------------------------------------


def test_the_member_votes_on_a_phone_page_once(world, branch, login):
    campaign, members = branch
    person, user = members[0]
    client = login(user)
    assert [c.pk for c in selectors.open_ballots_for(user)] == [campaign.pk]
    url = reverse("assessment:evaluation_ballot", args=["A1"])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert members[1][0].name in body and person.name not in body
    others = [e for e in campaign.evaluees.all() if e.membership.person_id != person.pk]
    incomplete = {f"g{e.pk}": "pass" for e in others[:-1]}
    page = client.post(url, incomplete)
    assert page.status_code == 200 and "1" in page.content.decode()
    assert not EvaluationVoter.objects.get(campaign=campaign, person=person).has_voted
    full = {f"g{e.pk}": "pass" for e in others}
    assert client.post(url, full).status_code == 302
    assert EvaluationVoter.objects.get(campaign=campaign, person=person).has_voted
    assert selectors.open_ballots_for(user) == []
    again = client.post(url, full)
    assert again.status_code in (200, 403)
    assert SealedEvaluationBallot.objects.filter(campaign=campaign).count() == 1


def test_other_branches_cannot_see_vote_or_decide(world, branch, login):
    campaign, _members = branch
    (_p, outsider), *_ = add_members(world, world.branch_a2, 1, "外支部", logins=True)
    for user in (world.users["a2_officer"], outsider):
        client = login(user)
        assert client.get(reverse("assessment:evaluation_org", args=["A1"])).status_code == 404
        assert client.get(reverse("assessment:evaluation_ballot", args=["A1"])).status_code == 404
        response = client.post(
            reverse("assessment:evaluation_stage", args=["A1"]),
            {"year": YEAR, "step": "close_voting", "on": "2025-12-10"},
        )
        assert response.status_code == 404
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.VOTING
    _t, raw = create_token(world.system, user=world.users["a2_officer"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    api = "/api/v1/assessment/evaluations/A1"
    assert login(world.users["a2_officer"]).get(api, **headers).status_code == 404
    response = login(world.users["a2_officer"]).post(
        f"{api}/stages",
        json.dumps({"year": YEAR, "step": "close_voting"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.VOTING


def test_the_officer_runs_the_campaign_from_its_page_and_the_api(world, branch, login):
    campaign, members = branch
    officer = world.users["a1_officer"]
    client = login(officer)
    page = reverse("assessment:evaluation_org", args=["A1"])
    body = client.get(page).content.decode()
    assert "2025" in body and members[0][0].name in body
    response = client.post(
        reverse("assessment:evaluation_stage", args=["A1"]),
        {"year": YEAR, "step": "close_voting", "on": "2025-12-10"},
    )
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.VOTED
    first = campaign.evaluees.order_by("name").first()
    response = client.post(
        reverse("assessment:evaluation_grade", args=["A1"]),
        {"year": YEAR, "evaluee": first.pk, "grade": "excellent", "on": "2025-12-20"},
    )
    assert response.status_code == 302
    assert Evaluee.objects.get(pk=first.pk).grade == "excellent"
    _t, raw = create_token(world.system, user=officer)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    data = json.loads(client.get("/api/v1/assessment/evaluations/A1", **headers).content)
    item = data["items"][0]
    assert item["year"] == YEAR and item["state"] == "voted"
    assert {r["name"]: r["grade"] for r in item["members"]}[first.name] == "excellent"
    second = campaign.evaluees.order_by("name")[1]
    response = client.post(
        "/api/v1/assessment/evaluations/A1/grades",
        json.dumps({"year": YEAR, "member": second.pk, "grade": "fail", "on": "2025-12-20"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    assert Evaluee.objects.get(pk=second.pk).grade == "fail"


# -- the to-do centre ---------------------------------------------------------------------------


def test_duties_name_the_branch_without_an_evaluation_the_open_ballots_and_the_deadline(
    world, branch
):
    from jiceng.assessment import duties
    from jiceng.orgs.models import Organization
    from jiceng.policy.selectors import Snapshot

    campaign, _members = branch
    orgs = Organization.objects.filter(code__in=["A1", "A2", "SA"])
    today = dt.date(2026, 12, 1)  # within the 90 days before 12-31
    found = list(duties.duties(None, orgs, today, limit=50, policy=Snapshot(today)))
    by_kind = {}
    for d in found:
        by_kind.setdefault(d.kind, []).append(d)
    # 2026: neither branch has opened one; the street is not a branch.
    assert {d.org.code for d in by_kind["assessment.evaluation"]} == {"A1", "A2"}
    assert by_kind["assessment.evaluation"][0].due == dt.date(2026, 12, 31)
    running = by_kind["assessment.evaluation_running"]
    assert len(running) == 1 and "6 名党员中已有 0 名投票" in running[0].title
    early = list(duties.evaluations_due(orgs, dt.date(2026, 6, 1), Snapshot(dt.date(2026, 6, 1))))
    assert early == []
    # A member graded 不合格 with a correction deadline: the branch judges it by then.
    _campaign, failed = decided(world, (campaign, _members))
    case = HandlingCase.objects.get(evaluee=failed)
    services.take_handling_step(
        world.users["a1_officer"],
        case,
        "correct",
        on=dt.date(2026, 1, 5),
        data={"deadline": dt.date(2026, 6, 30)},
    )
    handling = list(duties.member_handling(orgs, today, Snapshot(today)))
    assert [(d.org.code, d.due) for d in handling] == [("A1", dt.date(2026, 6, 30))]
    assert failed.name in handling[0].title


def test_the_handling_page_shows_what_is_missing_and_records_the_step(world, branch, login):
    _campaign, failed = decided(world, branch)
    client = login(world.users["a1_officer"])
    page = client.get(reverse("assessment:evaluation_org", args=["A1"]) + "?year=2025")
    body = page.content.decode()
    assert page.status_code == 200 and f'id="case-{failed.pk}"' in body
    assert (
        "限期改正" in body and "请先登记“限期改正”" in body
    )  # the later steps say what is missing
    url = reverse("assessment:evaluation_handling", args=["A1"])
    refused = client.post(
        url, {"year": YEAR, "evaluee": failed.pk, "step": "correct", "on": "2026-01-05"}
    )
    assert refused.status_code == 200 and "需要期限" in refused.content.decode()
    done = client.post(
        url,
        {
            "year": YEAR,
            "evaluee": failed.pk,
            "step": "correct",
            "on": "2026-01-05",
            "deadline": "2026-06-30",
            "note": "谈话提醒",
        },
    )
    assert done.status_code == 302
    assert HandlingCase.objects.get(evaluee=failed).deadline == dt.date(2026, 6, 30)
    # The same through the API: the next step waits for the deadline.
    _t, raw = create_token(world.system, user=world.users["a1_officer"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.post(
        "/api/v1/assessment/evaluations/A1/handling",
        json.dumps({"year": YEAR, "member": failed.pk, "step": "persuade", "on": "2026-03-01"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400
    assert "2026-06-30" in json.dumps(json.loads(response.content), ensure_ascii=False)
    data = json.loads(client.get("/api/v1/assessment/evaluations/A1", **headers).content)
    case = data["items"][0]["cases"][0]
    assert case["state"] == "correcting" and case["deadline"] == "2026-06-30"
    # Today the deadline has passed: advising to leave is possible now.
    assert {s["step"]: s["possible"] for s in case["next_steps"]}["persuade"] is True


def test_a_member_votes_through_the_api_once(world, branch):
    campaign, members = branch
    person, user = members[1]
    _t, raw = create_token(world.system, user=user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    from django.test import Client

    client = Client()
    mine = json.loads(client.get("/api/v1/assessment/evaluations/mine", **headers).content)
    assert mine == [
        {"org": {"code": "A1", "name": "和平社区第一党支部", "kind": "branch"}, "year": YEAR}
    ]
    sheet = json.loads(client.get("/api/v1/assessment/evaluations/A1/ballot", **headers).content)
    assert sheet["on_roll"] and not sheet["voted"] and len(sheet["members"]) == 5
    assert person.name not in {m["name"] for m in sheet["members"]}
    grades = {str(m["id"]): "pass" for m in sheet["members"]}
    body = json.dumps({"grades": grades})
    url = "/api/v1/assessment/evaluations/A1/ballot"
    assert client.post(url, body, content_type="application/json", **headers).status_code == 200
    again = client.post(url, body, content_type="application/json", **headers)
    assert again.status_code == 400
    assert "已在本次评议中投过票" in again.content.decode()
    assert SealedEvaluationBallot.objects.filter(campaign=campaign).count() == 1


def test_on_postgresql_closing_leaves_no_voting_transaction_on_slips_or_marks(
    world, branch, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("transaction ids are PostgreSQL's")
    campaign, members = branch
    for person, user in members:
        with django_capture_on_commit_callbacks(execute=True):
            services.cast_ballot(user, campaign, everyone_else(campaign, person))
    services.take_stage(
        world.users["a1_officer"], campaign, "close_voting", on=dt.date(2025, 12, 10)
    )
    with connection.cursor() as cursor:
        xids = set()
        for model in (EvaluationSlip, EvaluationVoter):
            cursor.execute(
                f"SELECT DISTINCT xmin::text FROM {model._meta.db_table} WHERE campaign_id = %s",
                [campaign.pk],
            )
            found = {x for (x,) in cursor.fetchall()}
            assert len(found) == 1
            xids |= found
    assert len(xids) == 1  # slips and marks were all written by the closing transaction


def test_an_officer_enters_paper_ballots_on_their_page(world, branch, login):
    campaign, _members = branch
    client = login(world.users["a1_officer"])
    url = reverse("assessment:evaluation_paper", args=["A1"]) + f"?year={YEAR}"
    page = client.get(url)
    assert page.status_code == 200 and 'id="paper-form"' in page.content.decode()
    ids = list(campaign.evaluees.values_list("pk", flat=True))
    blank = client.post(url, {})
    assert blank.status_code == 200 and "这张选票没有评任何党员" in blank.content.decode()
    assert client.post(url, {f"g{ids[0]}": "excellent", f"g{ids[1]}": "basic"}).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).paper_ballots == 1
    assert SealedEvaluationBallot.objects.filter(campaign=campaign).count() == 1

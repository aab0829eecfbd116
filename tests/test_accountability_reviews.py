"""Secretaries' accountability reviews (issue 13, item 6): reports, one rating per reviewer and
secretary, results in policy bands, follow-up items as duties of the reviewed organization."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.assessment import duties, selectors, services
from jiceng.assessment.models import ReviewRating
from jiceng.orgs.services.policy import set_override

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 12, 1)


def _reviewers(world, n):
    users = []
    for i in range(n):
        u = create_user(
            world.system, username=f"reviewer{i}", password="x" * 12, full_name=f"评议{i}"
        )
        assign_role(
            world.system,
            user=u,
            role=Role.VIEWER,
            org=world.street_a,
            scope=Scope.NODE,
            valid_from=dt.date(2000, 1, 1),
        )
        users.append(u)
    return users


def _review_with_reports(world):
    review = services.open_review(world.users["street_a_admin"], world.street_a, 2026, on=ON)
    reports = {r.org.code: r for r in review.reports.select_related("org")}
    services.submit_report(
        world.users["a1_officer"], reports["A1"], secretary="李书记", text="一年来抓党建……", on=ON
    )
    services.submit_report(
        world.users["a2_officer"], reports["A2"], secretary="王书记", text="述职报告", on=ON
    )
    return review, reports


def test_each_reviewer_rates_once_and_the_result_follows_the_bands(world):
    review, reports = _review_with_reports(world)
    reviewers = _reviewers(world, 10)
    # A1: 7 好 + 2 较好 + 1 一般 = 90% → 好 (edge included); A2: 6 好/较好 of 10 → 一般
    for u, rating in zip(reviewers, ["good"] * 7 + ["fairly_good"] * 2 + ["fair"], strict=True):
        services.rate(u, reports["A1"], rating, on=ON)
    for u, rating in zip(reviewers, ["fairly_good"] * 6 + ["poor"] * 4, strict=True):
        services.rate(u, reports["A2"], rating, on=ON)
    services.rate(reviewers[0], reports["A1"], "good", on=ON)  # again: replaces, not adds
    assert ReviewRating.objects.filter(report=reports["A1"]).count() == 10
    services.decide_results(world.users["street_a_admin"], review, on=ON)
    for r in reports.values():
        r.refresh_from_db()
    assert reports["A1"].result == "good"
    assert reports["A1"].counts == {"good": 7, "fairly_good": 2, "fair": 1, "poor": 0}
    assert reports["A2"].result == "fair"
    with pytest.raises(ValidationError):
        services.rate(reviewers[1], reports["A2"], "good", on=ON)


def test_bands_are_policy(world):
    set_override(
        world.system,
        org=world.street_a,
        key="assessment.review.bands",
        value={"good": 0.95, "fairly_good": 0.8, "fair": 0.6, "poor": 0},
        valid_from=dt.date(2026, 1, 1),
        reason="街道办法",
    )
    review, reports = _review_with_reports(world)
    reviewers = _reviewers(world, 10)
    for report in reports.values():
        for u, rating in zip(reviewers, ["good"] * 9 + ["poor"], strict=True):
            services.rate(u, report, rating, on=ON)
    services.decide_results(world.users["street_a_admin"], review, on=ON)
    assert {r.result for r in review.reports.all()} == {"fairly_good"}


def test_a_secretary_is_not_rated_by_their_own_organization_nor_before_the_report(world):
    review = services.open_review(world.users["street_a_admin"], world.street_a, 2026, on=ON)
    a1 = review.reports.get(org=world.branch_a1)
    reviewer = _reviewers(world, 1)[0]
    with pytest.raises(ValidationError, match=r"report|报告"):
        services.rate(reviewer, a1, "good", on=ON)
    services.submit_report(world.users["a1_officer"], a1, secretary="李", text="报告", on=ON)
    with pytest.raises(PermissionDenied):
        services.rate(world.users["a1_officer"], a1, "good", on=ON)
    with pytest.raises(PermissionDenied):
        services.rate(world.users["viewer"], a1, "good", on=ON)  # street B sees nothing here
    with pytest.raises(PermissionDenied):
        services.submit_report(world.users["a2_officer"], a1, secretary="冒", text="x", on=ON)


def test_results_wait_for_every_report_and_rating(world):
    review = services.open_review(world.users["street_a_admin"], world.street_a, 2026, on=ON)
    with pytest.raises(ValidationError, match="和平社区"):
        services.decide_results(world.users["street_a_admin"], review, on=ON)


def test_follow_up_items_are_duties_of_the_reviewed_organization_until_closed(world):
    _review, reports = _review_with_reports(world)
    admin = world.users["street_a_admin"]
    item = services.add_follow_up(
        admin, reports["A1"], kind="rectification", text="三会一课记录不规范", on=ON
    )
    assert item.deadline == ON + dt.timedelta(days=90)
    services.add_follow_up(admin, reports["A1"], kind="problem", text="发展党员偏少", on=ON)

    def titles(org):
        return [d.title for d in duties.review_follow_ups([org], ON, None)]

    assert any("三会一课记录不规范" in t for t in titles(world.branch_a1))
    assert titles(world.branch_a2) == []
    with pytest.raises(PermissionDenied):
        services.add_follow_up(world.users["a1_officer"], reports["A1"], kind="problem", text="x")
    with pytest.raises(PermissionDenied):
        services.close_follow_up(world.users["a2_officer"], item, note="x")
    services.close_follow_up(world.users["a1_officer"], item, note="已补齐记录", on=ON)
    assert not any("三会一课" in t for t in titles(world.branch_a1))


def test_reports_are_read_only_where_the_user_sees(world):
    review, reports = _review_with_reports(world)
    with pytest.raises(Http404):
        selectors.reviews.get_review(world.users["viewer"], review.pk)
    with pytest.raises(Http404):
        selectors.reviews.get_report(world.users["a2_officer"], reports["A1"].pk)
    rows = selectors.reviews.reports(world.users["a1_officer"], review)
    assert [r["report"].org.code for r in rows] == ["A1"]


def test_pages_and_api_rate_and_report_within_scope(world, login):
    review, reports = _review_with_reports(world)
    reviewer = _reviewers(world, 1)[0]
    c = login(reviewer)
    page = c.get(f"/assessment/reviews/{review.pk}/")
    assert page.status_code == 200 and "李书记" in page.content.decode()
    resp = c.post(
        f"/assessment/reviews/{review.pk}/",
        {"action": "rate", "report": reports["A1"].pk, "rating": "fairly_good"},
    )
    assert resp.status_code == 302
    assert ReviewRating.objects.get(report=reports["A1"], reviewer=reviewer).rating == "fairly_good"
    api = c.post(
        f"/api/v1/assessment/awards/reviews/reports/{reports['A2'].pk}/rating",
        {"rating": "good"},
        content_type="application/json",
    )
    assert api.status_code == 204
    officer = login(world.users["a1_officer"])
    assert officer.get(f"/assessment/reviews/reports/{reports['A2'].pk}/").status_code == 404
    detail = officer.get(f"/api/v1/assessment/awards/reviews/{review.pk}").json()
    assert [r["org"] for r in detail["reports"]] == ["A1"]
    outsider = login(world.users["viewer"])
    assert outsider.get(f"/assessment/reviews/{review.pk}/").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/assessment/awards/reviews/reports/{reports['A1'].pk}/rating",
            {"rating": "poor"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_the_secretary_owes_the_report_as_a_duty(world):
    review = services.open_review(world.users["street_a_admin"], world.street_a, 2026, on=ON)
    a1 = review.reports.get(org=world.branch_a1)
    found = list(duties.secretary_reports([world.branch_a1], ON, None))
    assert [str(d.url) for d in found] == [f"/assessment/reviews/reports/{a1.pk}/"]
    assert found[0].due == review.reports_due
    services.submit_report(world.users["a1_officer"], a1, secretary="李", text="报告", on=ON)
    assert list(duties.secretary_reports([world.branch_a1], ON, None)) == []

"""One home per rule: who may record a proposal's steps is `congress.permissions`, and the
services, the proposal page, its next steps and the API follow it alike. The drifted cases: the
page let a proposer whose login was deactivated give feedback by comparing person ids only, and
the services let officers change the records of a dissolved union the pages refused."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiceng.congress import api, permissions, selectors, services, views
from jiceng.orgs.models import Organization
from tests.test_congress import Hospital, propose, step

ON = dt.date(2025, 6, 1)
FEEDBACK = dt.date(2025, 12, 1)


@pytest.fixture
def h(world):
    h = Hospital(world)
    h.delegates = h.seat(10, "voting")
    h.s = h.session()
    h.attend(h.s, 10)
    return h


def awaiting_feedback(h):
    p = propose(h)
    for key, data in [
        ("sort", {"category": "其他"}),
        ("accept", {}),
        ("assign", {"department": "院办", "leader": "院长"}),
        ("reply", {"reply": "已采纳。"}),
        ("mid_year", {}),
    ]:
        p = step(h, p, key, ON, **data)
    return p


def feedback_form(rf, user):
    request = rf.post(
        "/", {"step": "feedback", "feedback-on": FEEDBACK, "feedback-satisfaction": "satisfied"}
    )
    request.user = user
    return request


def mine(user, p) -> set[str]:
    return {s["key"] for s in selectors.proposal_next_steps(user, p, on=FEEDBACK) if s["mine"]}


def test_an_inactive_proposer_is_refused_by_service_page_and_api(h, rf):
    p = awaiting_feedback(h)
    me = h.user("daibiao", h.union, person=h.delegates[0].person, role=None)
    assert permissions.may_take_step(me, p, "feedback") and mine(me, p) == {"feedback"}
    assert not permissions.may_take_step(me, p, "excellent")

    me.is_active = False
    me.save(update_fields=["is_active"])

    assert not permissions.may_take_step(me, p, "feedback") and mine(me, p) == set()
    with pytest.raises(PermissionDenied):
        services.take_proposal_step(me, p, "feedback", on=FEEDBACK, data={"satisfaction": "ok"})
    with pytest.raises(PermissionDenied):
        views.proposal_detail(feedback_form(rf, me), p.pk)
    request = rf.post("/")
    request.user = me
    with pytest.raises(PermissionDenied):
        api.record_proposal_step(request, p.pk, api.ProposalStepIn(step="feedback", on=FEEDBACK))
    p.refresh_from_db()
    assert p.satisfaction == ""


def test_the_records_of_a_dissolved_union_are_read_only_everywhere(h, rf):
    p = awaiting_feedback(h)
    assert permissions.may_manage(h.officer, p.org) and mine(h.officer, p) == {
        "feedback",
        "follow_up",
    }
    Organization.objects.filter(pk=h.union.pk).update(dissolved_on=timezone.localdate())
    p = selectors.get_proposal(h.officer, p.pk)

    assert not permissions.may_manage(h.officer, p.org) and mine(h.officer, p) == set()
    with pytest.raises(PermissionDenied):
        step(h, p, "feedback", FEEDBACK, satisfaction="satisfied")
    with pytest.raises(PermissionDenied):
        views.proposal_detail(feedback_form(rf, h.officer), p.pk)
    request = rf.post("/")
    request.user = h.officer
    with pytest.raises(PermissionDenied):
        payload = api.ProposalStepIn(step="feedback", on=FEEDBACK, satisfaction="satisfied")
        api.record_proposal_step(request, p.pk, payload)
    p.refresh_from_db()
    assert p.satisfaction == ""

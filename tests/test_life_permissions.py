"""One home per rule: who keeps a meeting's record is `life.permissions.may_record`, and the
services, the meeting page and the API follow it alike. The drifted case: the page and the API
used to let a recorder whose login was deactivated keep the record the services refused."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jiceng.life import permissions, services, views
from tests.test_life_api import body
from tests.test_life_services import TOMORROW, People, general

LATER = TOMORROW + dt.timedelta(days=7)


@pytest.fixture
def people(world):
    return People(world)


@pytest.fixture
def a1(world, people):
    return {n: people.add(n, world.branch_a1) for n in ["甲", "乙"]}


def add_task(user, m, owner):
    return services.add_action_item(user, m, text="整理会议记录", owner=owner, due_on=LATER)


def test_an_inactive_recorder_is_refused_by_service_page_and_api(world, a1, people, login, rf):
    recorder = people.users["乙"]
    m = general(world, recorder=a1["乙"])
    page_url, api_url = f"/life/meetings/{m.pk}/", f"/api/v1/life/meetings/{m.pk}"
    session = login(recorder)

    # Active: one rule lets the recorder keep the record in all three places.
    assert permissions.may_record(recorder, m)
    page = session.get(page_url)
    assert page.context["may_record"] and page.context["can_sign_for"]
    assert body(session.get(api_url))["sign_in"]["code"] == m.sign_in_code
    assert add_task(recorder, m, a1["甲"]).owner == a1["甲"]

    recorder.is_active = False
    recorder.save(update_fields=["is_active"])

    # Deactivated: the same rule refuses them everywhere.
    assert not permissions.may_record(recorder, m)
    with pytest.raises(PermissionDenied):
        add_task(recorder, m, a1["甲"])
    assert not views._attendance_context(recorder, m, {})["can_sign_for"]
    request = rf.get(page_url)
    request.user = recorder
    with pytest.raises(Http404):
        views.meeting(request, m.pk)
    assert session.get(page_url).status_code == 302  # back to the login page
    assert session.get(api_url).status_code == 401


def test_a_task_is_closed_by_its_owner_or_an_officer_only(world, a1, people):
    m = general(world, recorder=a1["乙"])
    item = add_task(world.users["a1_officer"], m, a1["甲"])
    owner, other = people.users["甲"], people.users["乙"]
    assert permissions.may_close_task(owner, item)
    assert permissions.may_close_task(world.users["a1_officer"], item)
    assert not permissions.may_close_task(other, item)
    with pytest.raises(PermissionDenied):
        services.close_action_item(other, item, follow_up="代为完成")

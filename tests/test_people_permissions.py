"""One rule, one answer: a dissolved union's officer is refused by the predicate, the service,
the page and the API alike (the page used to refuse while the API answered a form error)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jiceng.access.models import Role
from jiceng.access.services import assign_role, create_token, create_user
from jiceng.demo.names import id_number
from jiceng.orgs.models import Kind, Organization
from jiceng.orgs.services import set_up
from jiceng.people import permissions, unions
from jiceng.people.models import UnionMembership
from tests.conftest import LONG_AGO, PASSWORD, TODAY


@pytest.fixture
def dissolved_union(world):
    org = set_up(
        world.system,
        code="UX",
        name="青山机械厂工会",
        kind=Kind.UNION,
        parent=world.union,
        founded_on=LONG_AGO,
    )
    chair = create_user(world.system, username="chair_ux", password=PASSWORD)
    assign_role(world.system, user=chair, role=Role.OFFICER, org=org, valid_from=LONG_AGO)
    assert permissions.may_manage(chair, org)  # while the union stands
    Organization.objects.filter(pk=org.pk).update(dissolved_on=TODAY)
    org.refresh_from_db()
    return org, chair


ENROLMENT = {
    "name": "王小红",
    "id_number": id_number(dt.date(1992, 4, 5), 31),
    "phone": "",
    "member_number": "UX-1",
    "joined_on": dt.date(2021, 9, 1),
}


def test_a_dissolved_unions_officer_is_refused_by_service_page_and_api(
    world, dissolved_union, login, client
):
    org, chair = dissolved_union
    assert not permissions.may_manage(chair, org)
    with pytest.raises(PermissionDenied):
        permissions.require_manage(chair, org)
    with pytest.raises(PermissionDenied):
        unions.enrol(chair, org=org, **ENROLMENT)

    page = login(chair).post(
        reverse("people:union_member_add", args=[org.code]),
        {f"join-{k}": str(v) for k, v in ENROLMENT.items()} | {"join-status": "working"},
    )
    assert page.status_code == 403

    _t, raw = create_token(world.system, user=chair)
    api = client.post(
        f"/api/v1/people/unions/{org.code}/members",
        {**ENROLMENT, "joined_on": "2021-09-01"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert api.status_code == 403
    assert not UnionMembership.objects.filter(org=org).exists()

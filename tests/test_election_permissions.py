"""One rule, one answer: the officer of a dissolved organization may not file a re-election
request, and the predicate, the service and the pages agree (the service used to answer a form
error where the page refused). The API is read-only and still shows the organization's polls."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jiceng.access.services import create_token
from jiceng.elections import permissions, services
from jiceng.orgs.models import Organization
from tests.conftest import TODAY


@pytest.fixture
def dissolved_branch(world):
    org, officer = world.branch_a2, world.users["a2_officer"]
    assert permissions.may_manage(officer, org)  # while the branch stands
    Organization.objects.filter(pk=org.pk).update(dissolved_on=TODAY)
    org.refresh_from_db()
    return org, officer


def test_a_dissolved_organizations_officer_may_not_file_a_request(
    world, dissolved_branch, login, client
):
    org, officer = dissolved_branch
    assert not permissions.may_manage(officer, org)
    with pytest.raises(PermissionDenied):
        services.file_request(
            officer,
            org=org,
            requested_on=TODAY,
            planned_on=TODAY + dt.timedelta(days=120),
            delegates=0,
            committee_seats=5,
        )

    pages = login(officer)
    assert pages.get(reverse("elections:case_file", args=[org.code])).status_code == 403
    assert pages.post(reverse("elections:case_file", args=[org.code]), {}).status_code == 403
    html = pages.get(reverse("elections:org", args=[org.code])).content.decode()
    assert reverse("elections:case_file", args=[org.code]) not in html

    _t, raw = create_token(world.system, user=officer)
    api = client.get(f"/api/v1/elections/polls?org={org.code}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200

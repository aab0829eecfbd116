"""Organization pages: tree browser, search, unit registry, lifecycle forms, figures dashboard."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.demo.build import credit_code
from jiceng.orgs import views
from jiceng.orgs.models import Kind, Organization, Unit, UnitState
from jiceng.orgs.services import register_unit, set_host_units, set_up
from jiceng.stats.services import snapshot_period
from tests.conftest import LONG_AGO, PASSWORD

TODAY = timezone.localdate()  # the services' "today" (Asia/Shanghai), not the host's
TOMORROW = TODAY + dt.timedelta(days=1)


def zh(msgid: str, **params) -> str:
    """A message as the Simplified Chinese page shows it (the catalog's translation, if any)."""
    with override("zh-hans"):
        text = gettext(msgid)
    return text % params if params else text


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def units(world):
    """Street A has three non-public enterprises, two with a Party branch; street B a community."""
    system = world.system

    def unit(n, name, *, kind="enterprise", ownership="non_public", org=None, **fields):
        return register_unit(
            system,
            credit_code=credit_code(n),
            name=name,
            kind=kind,
            ownership=ownership,
            responsible_org=org or world.street_a,
            **fields,
        )

    ns = SimpleNamespace(
        big=unit(1, "青山机械有限公司", employees=150, region_code="410102001"),
        mid=unit(
            2, "和平电子科技有限公司", employees=60, revenue=6_000_000, region_code="410102001"
        ),
        small=unit(
            3, "小巷餐饮店", employees=10, region_code="410102002", responsible_union=world.union
        ),
        state=unit(4, "青山国有机床厂", ownership="state", employees=300, region_code="410102002"),
        community=unit(
            5,
            "新华社区居民委员会",
            kind="community",
            ownership="collective",
            org=world.street_b,
            employees=12,
            region_code="410102003",
        ),
    )
    set_host_units(system, world.branch_a1, units=[ns.big])
    set_host_units(system, world.branch_a2, units=[ns.mid])
    ns.small_union = set_up(
        system,
        code="U3",
        name="小巷餐饮店工会",
        kind=Kind.UNION,
        parent=world.union,
        units=[ns.small],
    )
    return ns


def names_in(html: str, *names) -> dict:
    return {n: n in html for n in names}


# --- Tree browser and search ---------------------------------------------------------------


def test_tree_starts_at_the_users_roots_with_child_counts(world, login):
    html = page(login(world.users["district_admin"]).get(reverse("orgs:org_list")))
    assert 'id="org-tree"' in html and "中共青山区委员会" in html
    assert reverse("orgs:org_children", args=["D"]) in html  # expandable, loaded on demand
    assert "和平社区第一党支部" not in html  # not loaded until expanded


def test_children_partial_returns_only_visible_children(world, login):
    html = page(login(world.users["district_admin"]).get(reverse("orgs:org_children", args=["SA"])))
    assert names_in(html, "和平社区第一党支部", "和平社区第二党支部", "新华社区第一党支部") == {
        "和平社区第一党支部": True,
        "和平社区第二党支部": True,
        "新华社区第一党支部": False,
    }
    assert "<html" not in html  # a fragment of <li> nodes

    # Someone who sees street A itself and branch A1, but not branch A2.
    user = create_user(world.system, username="patchy", password=PASSWORD)
    for org in (world.street_a, world.branch_a1):
        assign_role(world.system, user=user, role=Role.VIEWER, org=org, valid_from=LONG_AGO)
    html = page(login(user).get(reverse("orgs:org_children", args=["SA"])))
    assert "和平社区第一党支部" in html and "和平社区第二党支部" not in html


def test_children_partial_counts_and_pages(world, login, monkeypatch):
    client = login(world.users["district_admin"])
    html = page(client.get(reverse("orgs:org_children", args=["D"])))
    assert reverse("orgs:org_children", args=["SA"]) in html  # street A has children to expand
    monkeypatch.setattr(views, "CHILDREN_LIMIT", 1)
    first = page(client.get(reverse("orgs:org_children", args=["SA"])))
    assert "和平社区第一党支部" in first and "和平社区第二党支部" not in first
    cursor = first.split("?cursor=")[1].split('"')[0]
    second = page(client.get(reverse("orgs:org_children", args=["SA"]), {"cursor": cursor}))
    assert "和平社区第二党支部" in second and "和平社区第一党支部" not in second


def test_children_partial_of_another_branch_is_404(world, login):
    response = login(world.users["a2_officer"]).get(reverse("orgs:org_children", args=["A1"]))
    assert response.status_code == 404 and "和平社区第一党支部" not in page(response)


def test_search_finds_simplified_names_from_traditional_input(world, login):
    html = page(
        login(world.users["district_admin"]).get(reverse("orgs:org_list"), {"q": "和平社區"})
    )
    assert 'id="search-results"' in html
    assert "和平社区第一党支部" in html and "和平社区第二党支部" in html
    assert "新华社区第一党支部" not in html


def test_search_finds_codes_and_only_visible_organizations(world, login):
    html = page(login(world.users["district_admin"]).get(reverse("orgs:org_list"), {"q": "b1"}))
    assert "新华社区第一党支部" in html
    html = page(login(world.users["a2_officer"]).get(reverse("orgs:org_list"), {"q": "和平社區"}))
    assert "和平社区第二党支部" in html and "和平社区第一党支部" not in html


def test_search_is_cursor_paginated(world, login, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_LIMIT", 1)
    client = login(world.users["district_admin"])
    first = client.get(reverse("orgs:org_list"), {"q": "社区"})
    html = page(first)
    assert first.context["page"].next_cursor
    assert "和平社区第一党支部" in html and "新华社区第一党支部" not in html
    nxt = first.context["next_url"]
    assert "q=" in nxt and "cursor=" in nxt
    assert "和平社区第二党支部" in page(client.get(nxt))
    assert client.get(reverse("orgs:org_list"), {"q": "社区", "cursor": "%%%"}).status_code == 404


# --- Organization page ---------------------------------------------------------------------


def test_org_page_shows_flags_counts_hosts_and_allowed_actions(world, units, login):
    html = page(login(world.users["street_a_admin"]).get(reverse("orgs:org_detail", args=["A1"])))
    assert "青山机械有限公司" in html and reverse("orgs:unit_detail", args=[units.big.pk]) in html
    assert reverse("orgs:org_rename", args=["A1"]) in html
    assert reverse("orgs:org_dissolve", args=["A1"]) in html
    assert reverse("orgs:org_history", args=["A1"]) in html
    html = page(login(world.users["street_a_admin"]).get(reverse("orgs:org_detail", args=["SA"])))
    assert 'id="counts"' in html
    # The officer of a branch may change it, but not dissolve it (that is the street's call).
    html = page(login(world.users["a1_officer"]).get(reverse("orgs:org_detail", args=["A1"])))
    assert reverse("orgs:org_rename", args=["A1"]) in html
    assert reverse("orgs:org_dissolve", args=["A1"]) not in html
    # A member only reads.
    html = page(login(world.users["a1_member"]).get(reverse("orgs:org_detail", args=["A1"])))
    assert 'id="lifecycle"' not in html
    # The unit is the street's: the branch officer sees its name but no link to it.
    html = page(login(world.users["a1_officer"]).get(reverse("orgs:org_detail", args=["A1"])))
    assert "青山机械有限公司" in html
    assert reverse("orgs:unit_detail", args=[units.big.pk]) not in html


# --- Lifecycle forms -----------------------------------------------------------------------


def post(client, name, code, data):
    return client.post(reverse(name, args=[code]), {"on": TODAY.isoformat(), **data})


def test_forms_are_dated_and_default_to_today(world, login):
    html = page(login(world.users["street_a_admin"]).get(reverse("orgs:org_rename", args=["A1"])))
    assert f'value="{TODAY.isoformat()}"' in html and 'type="date"' in html
    assert "csrfmiddlewaretoken" in html


def test_set_up_creates_a_subordinate_organization_in_its_host_units(world, units, login):
    client = login(world.users["street_a_admin"])
    response = post(
        client,
        "orgs:org_set_up",
        "SA",
        {
            "code": "A3",
            "name": "小巷餐饮店党支部",
            "kind": Kind.BRANCH,
            "formation_mode": "standalone",
            "management_mode": "territorial",
            "units": credit_code(3),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "orgs:org_detail", args=["A3"]
    )
    org = Organization.objects.get(code="A3")
    assert org.parent == world.street_a and list(org.units.all()) == [units.small]


def test_set_up_shows_a_chinese_error_for_a_duplicate_code(world, login):
    client = login(world.users["street_a_admin"])
    response = post(
        client,
        "orgs:org_set_up",
        "SA",
        {
            "code": "A2",
            "name": "重复党支部",
            "kind": Kind.BRANCH,
            "formation_mode": "standalone",
            "management_mode": "territorial",
        },
    )
    assert response.status_code == 200
    assert "组织编码 A2 已被使用。" in page(response)
    assert not Organization.objects.filter(name="重复党支部").exists()


def test_set_up_refuses_unknown_credit_codes_on_the_field(world, units, login):
    client = login(world.users["street_a_admin"])
    response = post(
        client,
        "orgs:org_set_up",
        "SA",
        {
            "code": "A4",
            "name": "某党支部",
            "kind": Kind.BRANCH,
            "formation_mode": "standalone",
            "management_mode": "territorial",
            "units": credit_code(99),
        },
    )
    assert response.status_code == 200 and credit_code(99) in page(response)
    assert response.context["form"].errors["units"]


def test_rename_calls_the_service(world, login):
    client = login(world.users["a1_officer"])
    response = post(client, "orgs:org_rename", "A1", {"name": "和平社区第一党支部（新）"})
    assert response.status_code == 302
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.name == "和平社区第一党支部（新）"
    assert "orgs.org.rename" in page(client.get(reverse("orgs:org_history", args=["A1"])))


def test_move_under_its_own_subordinate_shows_the_cycle_error(world, login):
    client = login(world.users["district_admin"])
    response = post(client, "orgs:org_move", "SA", {"new_parent": "A1"})
    assert response.status_code == 200
    expected = zh(
        "%(org)s cannot be moved under itself or under one of its own subordinate organizations.",
        org="中共和平街道工作委员会",
    )
    assert expected in page(response)
    assert "new_parent" in response.context["form"].errors
    world.street_a.refresh_from_db()
    assert world.street_a.parent == world.district


def test_move_places_the_organization_under_the_chosen_parent(world, login):
    client = login(world.users["district_admin"])
    assert post(client, "orgs:org_move", "A1", {"new_parent": "SB"}).status_code == 302
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.parent == world.street_b
    # A street admin may not pick a parent outside their subtree: a form error, not a move.
    client = login(world.users["street_a_admin"])
    response = post(client, "orgs:org_move", "A2", {"new_parent": "SB"})
    assert response.status_code == 200 and "SB" in page(response)
    world.branch_a2.refresh_from_db()
    assert world.branch_a2.parent == world.street_a


def test_merge_hands_over_units_and_dissolves_the_sources(world, units, login):
    client = login(world.users["street_a_admin"])
    html = page(client.get(reverse("orgs:org_merge", args=["A1"])))
    assert 'value="A2"' in html  # siblings are offered
    response = post(client, "orgs:org_merge", "A1", {"sources": ["A2"], "on": TOMORROW.isoformat()})
    assert response.status_code == 302
    world.branch_a2.refresh_from_db()
    assert world.branch_a2.dissolved_on == TOMORROW


def new_branch(world, code="A5"):
    """A branch set up today (the world's organizations date from 2020)."""
    return set_up(
        world.system, code=code, name="和平社区新党支部", kind=Kind.BRANCH, parent=world.street_a
    )


def test_merge_on_the_founding_day_shows_the_service_error(world, login):
    new_branch(world)
    client = login(world.users["street_a_admin"])
    response = post(client, "orgs:org_merge", "A1", {"other_codes": "A5"})
    assert response.status_code == 200
    [error] = response.context["form"].errors["on"]  # the service's message, on the date field
    assert error in page(response)
    assert Organization.objects.get(code="A5").is_active


def test_merge_refuses_codes_the_user_may_not_manage(world, login):
    client = login(world.users["street_a_admin"])
    response = post(client, "orgs:org_merge", "A1", {"other_codes": "B1 NOPE"})
    assert response.status_code == 200
    errors = response.context["form"].errors["other_codes"]
    assert len(errors) == 2 and "B1" in errors[0] and "NOPE" in errors[1]
    world.branch_b1.refresh_from_db()
    assert world.branch_b1.is_active


def test_split_sets_up_a_sibling_with_the_chosen_units(world, units, login):
    set_host_units(world.system, world.branch_a1, units=[units.big, units.small])
    client = login(world.users["street_a_admin"])
    response = post(
        client,
        "orgs:org_split",
        "A1",
        {"code": "A1S", "name": "小巷餐饮店党支部", "kind": Kind.BRANCH, "units": [units.small.pk]},
    )
    assert response.status_code == 302, response.context["form"].errors
    new = Organization.objects.get(code="A1S")
    assert new.parent == world.street_a and list(new.units.all()) == [units.small]
    assert {u.pk for u in world.branch_a1.units.filter(host_links__valid_until__isnull=True)} == {
        units.big.pk
    }


def test_dissolve_needs_the_upper_level_and_a_date_after_founding(world, login):
    assert (
        login(world.users["a1_officer"]).get(reverse("orgs:org_dissolve", args=["A1"])).status_code
        == 403
    )
    new_branch(world)
    client = login(world.users["street_a_admin"])
    response = post(client, "orgs:org_dissolve", "A5", {"reason": "设立有误"})
    assert response.status_code == 200
    [error] = response.context["form"].errors["on"]
    assert error in page(response) and "invalid-feedback" in page(response)
    response = post(client, "orgs:org_dissolve", "A2", {"reason": "合并后撤销"})
    assert response.status_code == 302
    world.branch_a2.refresh_from_db()
    assert world.branch_a2.dissolved_on == TODAY
    html = page(client.get(reverse("orgs:org_detail", args=["A2"])))
    assert 'id="lifecycle"' not in html  # nothing left to change


def test_host_units_form_sets_the_units_by_credit_code(world, units, login):
    client = login(world.users["street_a_admin"])
    html = page(client.get(reverse("orgs:org_host_units", args=["A1"])))
    assert credit_code(1) in html  # the current units are prefilled
    response = post(
        client, "orgs:org_host_units", "A1", {"units": f"{credit_code(1)}\n{credit_code(4)}"}
    )
    assert response.status_code == 302
    assert set(world.branch_a1.units.values_list("name", flat=True)) == {
        "青山机械有限公司",
        "青山国有机床厂",
    }


def test_flags_form_updates_only_what_changed(world, login):
    client = login(world.users["a1_officer"])
    response = client.post(
        reverse("orgs:org_flags", args=["A1"]),
        {
            "standing": "advanced",
            "class_level": "1",
            "reported_members": "12",
            "formation_mode": "standalone",
            "management_mode": "territorial",
            "has_committee": "on",
            "empty_shell": "on",
        },
    )
    assert response.status_code == 302
    world.branch_a1.refresh_from_db()
    a1 = world.branch_a1
    assert (a1.standing, a1.class_level, a1.reported_members) == ("advanced", 1, 12)
    assert a1.has_committee and a1.empty_shell and not a1.is_temporary
    html = page(client.get(reverse("orgs:org_detail", args=["A1"])))
    assert 'id="flags"' in html and "badge text-bg-danger" in html


def test_a_member_may_read_but_not_open_the_forms(world, login):
    client = login(world.users["a1_member"])
    assert client.get(reverse("orgs:org_detail", args=["A1"])).status_code == 200
    for name in ("orgs:org_rename", "orgs:org_move", "orgs:org_set_up", "orgs:org_flags"):
        assert client.get(reverse(name, args=["A1"])).status_code == 403
    assert client.post(reverse("orgs:org_rename", args=["A1"]), {"name": "x"}).status_code == 403


ORG_PAGES = [
    "orgs:org_detail",
    "orgs:org_children",
    "orgs:org_set_up",
    "orgs:org_rename",
    "orgs:org_move",
    "orgs:org_merge",
    "orgs:org_split",
    "orgs:org_dissolve",
    "orgs:org_host_units",
    "orgs:org_flags",
]


@pytest.mark.parametrize("name", ORG_PAGES)
def test_a_sibling_branch_gets_404_on_every_org_page(world, login, name):
    client = login(world.users["a2_officer"])
    for method in ("get", "post"):
        response = getattr(client, method)(reverse(name, args=["A1"]))
        assert response.status_code == 404
        assert "和平社区第一党支部" not in page(response)


@pytest.mark.parametrize("name", ["orgs:unit_detail", "orgs:unit_edit"])
def test_a_sibling_branch_gets_404_on_unit_pages(world, units, login, name):
    client = login(world.users["a2_officer"])
    for method in ("get", "post"):
        response = getattr(client, method)(reverse(name, args=[units.big.pk]))
        assert response.status_code == 404
        assert "青山机械有限公司" not in page(response)


def test_a_sibling_cannot_see_figures_of_another_branch(world, units, login):
    client = login(world.users["a2_officer"])
    response = client.get(reverse("stats:dashboard"), {"org": "A1"})
    assert response.status_code == 404 and "和平社区第一党支部" not in page(response)
    response = client.get(reverse("orgs:unit_register"), {"org": "A1"})
    assert response.status_code == 404


# --- Unit registry -------------------------------------------------------------------------

ALL_UNITS = [
    "青山机械有限公司",
    "和平电子科技有限公司",
    "小巷餐饮店",
    "青山国有机床厂",
    "新华社区居民委员会",
]


def listed(client, **params) -> set:
    html = page(client.get(reverse("orgs:unit_list"), params))
    return {n for n in ALL_UNITS if n in html}


def test_unit_registry_filters(world, units, login):
    client = login(world.users["district_admin"])
    assert listed(client) == set(ALL_UNITS)
    assert listed(client, kind="community") == {"新华社区居民委员会"}
    assert listed(client, ownership="state") == {"青山国有机床厂"}
    assert listed(client, above_scale="yes") == {
        "青山机械有限公司",
        "和平电子科技有限公司",
        "青山国有机床厂",
    }
    assert listed(client, above_scale="no") == {"小巷餐饮店", "新华社区居民委员会"}
    assert listed(client, has_party="yes") == {"青山机械有限公司", "和平电子科技有限公司"}
    assert listed(client, has_party="no", kind="enterprise") == {"小巷餐饮店", "青山国有机床厂"}
    assert listed(client, has_union="yes") == {"小巷餐饮店"}
    assert listed(client, q="和平電子") == {"和平电子科技有限公司"}  # Traditional input
    assert listed(client, q=credit_code(4)) == {"青山国有机床厂"}
    assert listed(client, region="410102001") == {"青山机械有限公司", "和平电子科技有限公司"}
    bad = client.get(reverse("orgs:unit_list"), {"region": "41a"})
    assert bad.status_code == 200 and bad.context["form"].errors["region"]


def test_unit_registry_shows_only_visible_units(world, units, login):
    street_a = listed(login(world.users["street_a_admin"]))
    assert "新华社区居民委员会" not in street_a and "青山机械有限公司" in street_a
    assert listed(login(world.users["a2_officer"])) == set()
    # A union federation's officer sees the units it is responsible for.
    user = create_user(world.system, username="union_admin", password=PASSWORD)
    assign_role(
        world.system,
        user=user,
        role=Role.UPPER_ADMIN,
        org=world.union,
        scope=Scope.SUBTREE,
        valid_from=LONG_AGO,
    )
    assert listed(login(user)) == {"小巷餐饮店"}


def test_unit_registry_is_cursor_paginated(world, units, login, monkeypatch):
    monkeypatch.setattr(views, "UNIT_LIMIT", 2)
    client = login(world.users["district_admin"])
    first = client.get(reverse("orgs:unit_list"), {"kind": "enterprise"})
    assert len(first.context["page"].items) == 2
    second = client.get(first.context["next_url"])
    assert len(second.context["page"].items) == 2
    assert not {u.pk for u in first.context["page"].items} & {
        u.pk for u in second.context["page"].items
    }


def test_unit_page_shows_attributes_organizations_and_history(world, units, login):
    html = page(
        login(world.users["district_admin"]).get(reverse("orgs:unit_detail", args=[units.big.pk]))
    )
    assert credit_code(1) in html and "和平社区第一党支部" in html
    assert "orgs.unit.register" in html
    assert reverse("orgs:unit_edit", args=[units.big.pk]) in html


def test_register_unit_form(world, login):
    client = login(world.users["street_a_admin"])
    html = page(client.get(reverse("orgs:unit_register"), {"org": "SA"}))
    assert 'value="SA"' in html
    data = {
        "credit_code": credit_code(7),
        "name": "和平物流有限公司",
        "kind": "enterprise",
        "ownership": "non_public",
        "employees": "80",
        "revenue": "1000000",
        "party_members": "2",
        "responsible_org": "SA",
        "on": TODAY.isoformat(),
    }
    response = client.post(reverse("orgs:unit_register"), data)
    unit = Unit.objects.get(credit_code=credit_code(7))
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:unit_detail", args=[unit.pk])
    assert unit.responsible_org == world.street_a and unit.employees == 80

    again = client.post(reverse("orgs:unit_register"), {**data, "name": "另一家"})
    assert again.status_code == 200 and again.context["form"].errors["credit_code"]
    broken = client.post(
        reverse("orgs:unit_register"), {**data, "credit_code": credit_code(8)[:-1] + "0"}
    )
    assert broken.status_code == 200 and broken.context["form"].errors["credit_code"]
    # The responsible organization must be one the user manages.
    elsewhere = client.post(
        reverse("orgs:unit_register"),
        {**data, "credit_code": credit_code(9), "responsible_org": "SB"},
    )
    assert elsewhere.status_code == 200 and elsewhere.context["form"].errors
    assert not Unit.objects.filter(credit_code=credit_code(9)).exists()


def test_register_unit_needs_a_managed_organization(world, login):
    assert login(world.users["a1_member"]).get(reverse("orgs:unit_register")).status_code == 403


def test_edit_unit_is_a_dated_change(world, units, login):
    client = login(world.users["street_a_admin"])
    data = {**_unit_data(units.mid), "employees": "45", "on": TOMORROW.isoformat()}
    response = client.post(reverse("orgs:unit_edit", args=[units.mid.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    states = list(UnitState.objects.filter(unit=units.mid).order_by("valid_from"))
    assert [(s.valid_from, s.valid_until, s.employees) for s in states] == [
        (TODAY, TOMORROW, 60),
        (TOMORROW, None, 45),
    ]
    # A change dated before the last one is refused with the service's message.
    data["on"] = TODAY.isoformat()
    response = client.post(
        reverse("orgs:unit_edit", args=[units.mid.pk]), {**data, "employees": "40"}
    )
    assert response.status_code == 200 and response.context["form"].errors["on"]
    # Viewers cannot edit.
    viewer = login(world.users["viewer"])
    assert viewer.get(reverse("orgs:unit_edit", args=[units.community.pk])).status_code == 403


def _unit_data(unit) -> dict:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "ownership": unit.ownership,
        "sector": unit.sector,
        "region_code": unit.region_code,
        "employees": str(unit.employees),
        "revenue": str(unit.revenue),
        "party_members": str(unit.party_members),
        "address": unit.address,
        "responsible_org": unit.responsible_org.code if unit.responsible_org else "",
        "responsible_union": unit.responsible_union.code if unit.responsible_union else "",
    }


# --- Figures dashboard ---------------------------------------------------------------------


def card(html: str, key: str) -> str:
    start = html.index(f'id="metric-{key}"')
    return html[start : html.index("</div>\n    </div>", start)]


def test_dashboard_shows_the_coverage_of_a_small_fixture(world, units, login):
    client = login(world.users["district_admin"])
    html = page(client.get(reverse("stats:dashboard"), {"org": "SA"}))
    coverage = card(html, "party_coverage_non_public")
    assert "66.7%" in coverage
    assert '<span class="jc-numerator">2</span> / <span class="jc-denominator">3</span>' in coverage
    assert "100.0%" in card(html, "party_coverage_above_scale")  # big and mid, both covered
    assert "union_establishment_rate" not in html  # a Party organization: Party figures only
    assert 'id="chart-data"' in html and "echarts.min.js" in html


def test_dashboard_drills_down_to_children(world, units, login):
    client = login(world.users["district_admin"])
    response = client.get(reverse("stats:dashboard"))  # default: the user's first root
    assert response.context["org"] == world.district
    rows = {r["org"].code: r for r in response.context["rows"]}
    assert (rows["SA"]["figure"].numerator, rows["SA"]["figure"].denominator) == (2, 3)
    assert rows["SA"]["rate"] == "66.7%" and rows["SB"]["rate"] == "—"
    assert response.context["chart"]["codes"] == ["SA"]  # children with no units are not charted
    assert response.context["chart"]["rates"] == [66.7]
    html = page(response)
    assert "?org=SA&" in html
    kinds = response.context["kind_rows"]
    assert sum(r["total"] for r in kinds) == 5  # two streets, three branches
    assert response.context["units_total"] == 5  # street B's community is in the district too


def test_dashboard_follows_the_switcher_and_a_date(world, units, login):
    client = login(world.users["district_admin"])
    client.post(reverse("ui:switch"), {"org": "SA"})
    response = client.get(reverse("stats:dashboard"), {"on": "2019-01-01"})
    assert response.context["org"] == world.street_a
    assert "—" in card(page(response), "party_coverage_non_public")  # nothing existed then
    response = client.get(reverse("stats:dashboard"), {"metric": "party_coverage_two_new"})
    assert response.context["focus"].key == "party_coverage_two_new"


def test_dashboard_shows_published_figures_of_a_closed_period(world, units, login):
    period = str(TODAY.year)
    snapshot_period(world.system, period)
    register_unit(
        world.system,
        credit_code=credit_code(6),
        name="新开张的公司",
        kind="enterprise",
        ownership="non_public",
        responsible_org=world.street_a,
    )
    client = login(world.users["district_admin"])
    live = page(client.get(reverse("stats:dashboard"), {"org": "SA"}))
    assert "50.0%" in card(live, "party_coverage_non_public")
    closed = client.get(reverse("stats:dashboard"), {"org": "SA", "period": period})
    assert closed.context["published"]
    assert "66.7%" in card(page(closed), "party_coverage_non_public")
    not_closed = client.get(reverse("stats:dashboard"), {"org": "SA", "period": "2019"})
    assert not not_closed.context["published"]
    bad = client.get(reverse("stats:dashboard"), {"org": "SA", "period": "20x9"})
    assert bad.status_code == 200 and bad.context["form"].errors["period"]


def test_dashboard_for_a_user_without_organizations(world, login):
    response = login(world.users["nobody"]).get(reverse("stats:dashboard"))
    assert response.status_code == 200 and response.context["org"] is None

"""Union members, delegates and development plans."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from jiceng.access.models import Role
from jiceng.access.services import assign_role, create_user
from jiceng.audit.models import AuditEvent
from jiceng.demo.build import credit_code
from jiceng.demo.names import id_number
from jiceng.orgs.models import Kind
from jiceng.orgs.services import register_unit, set_up, update_unit
from jiceng.people import unions
from jiceng.people.delegates import seat_delegate
from jiceng.people.models import Stage, UnionMembership, UnionStatus
from jiceng.people.selectors import plan_progress, union_membership_rate
from jiceng.people.services import apply, enrol_member, register_person, set_plan, take_step
from jiceng.people.unions import join_union
from tests.conftest import LONG_AGO, PASSWORD


def person(world, n, org=None):
    return register_person(
        world.system,
        org=org or world.union,
        name=f"会员{n}",
        id_number=id_number(dt.date(1988, 1, 1), n),
    )


def test_union_membership_rate_is_members_over_employees(world):
    register_unit(
        world.system,
        credit_code=credit_code(1),
        name="厂",
        kind="enterprise",
        ownership="non_public",
        employees=8,
        responsible_union=world.union,
    )
    for n in range(1, 7):
        join_union(
            world.system,
            person(world, n),
            org=world.union,
            member_number=f"M{n:04d}",
            joined_on=dt.date(2024, 1, 1),
        )
    assert union_membership_rate(world.system, world.union) == {
        "members": 6,
        "employees": 8,
        "rate": 75.0,
    }


def test_only_unions_enrol_members(world):
    with pytest.raises(ValidationError) as err:
        join_union(
            world.system,
            person(world, 2),
            org=world.branch_a1,
            member_number="M1",
            joined_on=dt.date(2024, 1, 1),
        )
    assert "org" in err.value.message_dict


def test_delegates_by_category(world):
    seat = seat_delegate(
        world.system,
        person(world, 3),
        org=world.union,
        category="invited",
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2029, 1, 1),
    )
    assert seat.get_category_display()
    with pytest.raises(ValidationError):
        seat_delegate(
            world.system,
            person(world, 4),
            org=world.union,
            category="observer",
            valid_from=dt.date(2024, 1, 1),
        )


def test_plan_progress_counts_admissions_in_the_subtree(world):
    plan = set_plan(world.system, org=world.street_a, first_year=2024, last_year=2024, target=4)
    intro = []
    for n in (11, 12):
        p = register_person(
            world.system,
            org=world.branch_a1,
            name=f"介绍人{n}",
            id_number=id_number(dt.date(1970, 1, 1), n),
        )
        enrol_member(
            world.system,
            p,
            org=world.branch_a1,
            stage=Stage.FULL,
            joined_on=dt.date(2000, 1, 1),
            full_on=dt.date(2001, 1, 1),
        )
        intro.append(p.pk)
    p = register_person(
        world.system, org=world.branch_a1, name="新人", id_number=id_number(dt.date(1995, 1, 1), 13)
    )
    m = apply(world.system, p, org=world.branch_a1, on=dt.date(2023, 1, 1))
    steps = [
        ("talk", {}),
        ("activist", {}),
        ("target", {}),
        ("introducers", {"introducers": intro}),
        ("review", {}),
        ("training", {"hours": 24}),
        ("notice", {"days": 5}),
        ("pre_review", {}),
        ("admit", {}),
    ]
    on = dt.date(2023, 1, 2)
    for step, data in steps:
        if step == "target":
            on += dt.timedelta(days=366)
        take_step(world.system, m, step, on=on, data=data)
        on += dt.timedelta(days=1)
    progress = plan_progress(world.system, plan)
    assert (progress["admitted"], progress["target"], progress["rate"]) == (1, 4, 25.0)
    with pytest.raises(ValidationError):
        set_plan(world.system, org=world.street_a, first_year=2025, last_year=2031, target=1)


# -- enrolling, changing and leaving: services and the union members page --------------------

TODAY = dt.date.today()


def messages_of(err) -> str:
    return " ".join(m for ms in err.value.message_dict.values() for m in ms)


@pytest.fixture
def two_unions(world):
    """Two grassroots unions under the federation, each with its chair (an officer)."""
    found = {}
    for code, name in (("UA", "青山机械厂工会"), ("UB", "青山纺织厂工会")):
        org = set_up(
            world.system,
            code=code,
            name=name,
            kind=Kind.UNION,
            parent=world.union,
            founded_on=LONG_AGO,
        )
        chair = create_user(world.system, username=f"chair_{code}", password=PASSWORD)
        assign_role(world.system, user=chair, role=Role.OFFICER, org=org, valid_from=LONG_AGO)
        found[code] = (org, chair)
    return found


def test_a_chair_enrols_changes_and_records_leaving_each_audited(world, two_unions):
    ua, chair = two_unions["UA"]
    m = join_union(
        chair,
        person(world, 21, org=ua),
        org=ua,
        member_number="UA-001",
        joined_on=dt.date(2020, 5, 1),
        migrant_worker=True,
    )
    assert (m.status, m.migrant_worker) == (UnionStatus.WORKING, True)
    unions.change_member(
        chair, m, status=UnionStatus.RETIRED, on=dt.date(2024, 6, 30), card_issued=True
    )
    m.refresh_from_db()
    assert (m.status, m.retired_on, m.card_issued) == ("retired", dt.date(2024, 6, 30), True)
    unions.leave(chair, m, on=dt.date(2025, 1, 15), reason="迁居外地")
    m.refresh_from_db()
    assert (m.status, m.left_on, m.left_reason) == ("left", dt.date(2025, 1, 15), "迁居外地")
    actions = list(
        AuditEvent.objects.filter(object_id=str(m.pk), action__startswith="people.union.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["people.union.join", "people.union.change", "people.union.leave"]


def test_enrolment_refusals_are_in_chinese(world, two_unions):
    ua, chair = two_unions["UA"]
    join_union(chair, person(world, 22, org=ua), org=ua, member_number="UA-7", joined_on=LONG_AGO)
    with pytest.raises(ValidationError) as err:
        join_union(
            chair, person(world, 23, org=ua), org=ua, member_number="UA-7", joined_on=LONG_AGO
        )
    assert err.value.message_dict["member_number"] == ["青山机械厂工会已有会员编号为 UA-7 的会员。"]
    with pytest.raises(ValidationError) as err:
        join_union(
            chair,
            person(world, 24, org=ua),
            org=ua,
            member_number="UA-8",
            joined_on=TODAY + dt.timedelta(days=1),
        )
    assert err.value.message_dict["joined_on"] == ["入会日期不得晚于今天。"]
    with pytest.raises(ValidationError) as err:  # a past member entered from an old roster
        join_union(
            chair,
            person(world, 29, org=ua),
            org=ua,
            member_number="UA-9",
            joined_on=dt.date(2021, 1, 1),
            status="left",
            left_on=dt.date(2020, 12, 31),
        )
    assert err.value.message_dict["left_on"] == [
        "退会的日期不得早于会员29入会的日期（2021-01-01）。"
    ]


def test_leaving_and_retiring_are_refused_out_of_order(world, two_unions):
    ua, chair = two_unions["UA"]
    m = join_union(
        chair,
        person(world, 25, org=ua),
        org=ua,
        member_number="UA-9",
        joined_on=dt.date(2022, 3, 1),
    )
    with pytest.raises(ValidationError) as err:
        unions.leave(chair, m, on=dt.date(2022, 2, 28), reason="调离")
    assert messages_of(err) == "退会的日期不得早于会员25入会的日期（2022-03-01）。"
    with pytest.raises(ValidationError) as err:
        unions.leave(chair, m, on=TODAY + dt.timedelta(days=1), reason="调离")
    assert messages_of(err) == "日期不得晚于今天。"
    with pytest.raises(ValidationError) as err:
        unions.leave(chair, m, on=dt.date(2023, 1, 1), reason=" ")
    assert messages_of(err) == "请填写退会原因。"
    with pytest.raises(ValidationError) as err:
        unions.change_member(chair, m, status=UnionStatus.RETIRED, on=dt.date(2021, 1, 1))
    assert messages_of(err) == "退休的日期不得早于会员25入会的日期（2022-03-01）。"
    unions.leave(chair, m, on=dt.date(2023, 1, 1), reason="调离")
    with pytest.raises(ValidationError) as err:
        unions.leave(chair, m, on=dt.date(2023, 2, 1), reason="调离")
    assert messages_of(err) == "会员25已于 2023-01-01 退会。"


def test_another_unions_chair_is_refused(world, two_unions):
    (ua, chair_a), (_ub, chair_b) = two_unions["UA"], two_unions["UB"]
    m = join_union(
        chair_a, person(world, 26, org=ua), org=ua, member_number="UA-10", joined_on=LONG_AGO
    )
    with pytest.raises(PermissionDenied):
        join_union(
            chair_b, person(world, 27, org=ua), org=ua, member_number="UA-11", joined_on=LONG_AGO
        )
    with pytest.raises(PermissionDenied):
        unions.change_member(chair_b, m, migrant_worker=True)
    with pytest.raises(PermissionDenied):
        unions.leave(chair_b, m, on=TODAY, reason="调离")
    m.refresh_from_db()
    assert (m.status, m.migrant_worker, m.left_on) == ("working", False, None)


def test_the_union_members_page_adds_edits_and_records_leaving(world, two_unions, login):
    ua, chair = two_unions["UA"]
    client = login(chair)
    html = client.get(reverse("people:union_members", args=["UA"])).content.decode()
    assert "添加会员" in html
    add = reverse("people:union_member_add", args=["UA"])
    form = {
        "join-name": "王小红",
        "join-id_number": id_number(dt.date(1992, 4, 5), 31),
        "join-member_number": "UA-100",
        "join-joined_on": "2021-09-01",
        "join-status": "working",
        "join-migrant_worker": "on",
    }
    response = client.post(add, form, follow=True)
    assert "王小红已加入青山机械厂工会（会员编号 UA-100）。" in response.content.decode()
    m = UnionMembership.objects.get(member_number="UA-100")
    assert (m.org, m.person.name, m.migrant_worker) == (ua, "王小红", True)
    # The same person again: already a member; a duplicate number: refused on the form.
    again = client.post(add, {**form, "join-member_number": "UA-101"}).content.decode()
    assert "王小红已是青山机械厂工会的会员。" in again
    other = {**form, "join-name": "李四", "join-id_number": id_number(dt.date(1990, 1, 1), 41)}
    assert (
        "青山机械厂工会已有会员编号为 UA-100 的会员。" in client.post(add, other).content.decode()
    )
    edit = reverse("people:union_member_edit", args=["UA", m.pk])
    client.post(
        edit,
        {
            "step": "change",
            "change-status": "working",
            "change-on": str(TODAY),
            "change-card_issued": "on",
        },
    )
    m.refresh_from_db()
    assert (m.card_issued, m.migrant_worker) == (True, False)
    refused = client.post(
        edit, {"step": "leave", "leave-on": "2021-08-01", "leave-reason": "辞职"}
    ).content.decode()
    assert "退会的日期不得早于王小红入会的日期（2021-09-01）。" in refused
    client.post(edit, {"step": "leave", "leave-on": "2024-08-01", "leave-reason": "辞职"})
    m.refresh_from_db()
    assert (m.status, m.left_on, m.left_reason) == ("left", dt.date(2024, 8, 1), "辞职")
    html = client.get(edit).content.decode()
    assert "2024-08-01 · 辞职" in html and 'id="union-leave"' not in html


def test_another_unions_chair_cannot_use_the_pages(world, two_unions, login):
    (ua, chair_a), (_ub, chair_b) = two_unions["UA"], two_unions["UB"]
    m = join_union(
        chair_a, person(world, 28, org=ua), org=ua, member_number="UA-12", joined_on=LONG_AGO
    )
    client = login(chair_b)
    assert client.get(reverse("people:union_member_add", args=["UA"])).status_code == 404
    edit = reverse("people:union_member_edit", args=["UA", m.pk])
    assert client.get(edit).status_code == 404
    response = client.post(edit, {"step": "leave", "leave-on": str(TODAY), "leave-reason": "x"})
    assert response.status_code == 404
    # Through their own union's address the member is not found either.
    assert client.get(reverse("people:union_member_edit", args=["UB", m.pk])).status_code == 404
    # A viewer of the union sees the member but may not change them.
    viewer = create_user(world.system, username="ua_viewer", password=PASSWORD)
    assign_role(world.system, user=viewer, role=Role.VIEWER, org=ua, valid_from=LONG_AGO)
    v = login(viewer)
    assert 'id="union-leave"' not in v.get(edit).content.decode()
    assert (
        v.post(edit, {"step": "leave", "leave-on": str(TODAY), "leave-reason": "x"}).status_code
        == 403
    )
    assert v.get(reverse("people:union_member_add", args=["UA"])).status_code == 403
    m.refresh_from_db()
    assert m.left_on is None


def test_union_membership_rate_as_of_a_past_date(world, two_unions):
    ua, chair = two_unions["UA"]
    unit = register_unit(
        world.system,
        credit_code=credit_code(2),
        name="机械厂",
        kind="enterprise",
        ownership="non_public",
        employees=10,
        responsible_union=ua,
        on=dt.date(2021, 1, 1),
    )
    ms = [
        join_union(
            chair,
            person(world, 40 + n, org=ua),
            org=ua,
            member_number=f"R{n}",
            joined_on=dt.date(2022, 1, 1) if n < 6 else dt.date(2024, 1, 1),
        )
        for n in range(8)
    ]
    unions.leave(chair, ms[0], on=dt.date(2023, 6, 1), reason="调离")
    unions.change_member(chair, ms[1], status=UnionStatus.RETIRED, on=dt.date(2023, 6, 1))
    update_unit(world.system, unit, employees=12, on=dt.date(2024, 1, 1))
    past = union_membership_rate(world.system, world.union, on=dt.date(2023, 1, 1))
    assert past == {"members": 6, "employees": 10, "rate": 60.0}
    now = union_membership_rate(world.system, world.union)
    assert now == {"members": 6, "employees": 12, "rate": 50.0}  # 2 gone, 2 joined since
    assert union_membership_rate(world.system, ua, on=dt.date(2023, 12, 31))["members"] == 4
    assert union_membership_rate(world.system, ua, on=dt.date(2020, 6, 1)) == {
        "members": 0,
        "employees": 0,
        "rate": None,
    }
    with pytest.raises(PermissionDenied):
        union_membership_rate(two_unions["UB"][1], ua, on=dt.date(2023, 1, 1))


def test_the_cli_enrols_changes_leaves_and_lists(world, two_unions, capsys):
    number = id_number(dt.date(1985, 2, 3), 61)
    call_command(
        "union", "join", "--org", "UA", "--name", "陈一", "--id-number", number,
        "--member-number", "C-1", "--joined-on", "2020-02-02", "--migrant-worker",
        "--as", "chair_UA",
    )  # fmt: skip
    assert "陈一已加入青山机械厂工会（会员编号 C-1）" in capsys.readouterr().out
    call_command(
        "union", "change", "--org", "UA", "--member-number", "C-1", "--status", "retired",
        "--on", "2024-05-01", "--card-issued", "yes", "--as", "chair_UA",
    )  # fmt: skip
    with pytest.raises(CommandError) as err:
        call_command(
            "union", "leave", "--org", "UA", "--member-number", "C-1", "--on", "2024-04-01",
            "--reason", "迁居", "--as", "chair_UA",
        )  # fmt: skip
    assert "陈一于 2024-05-01 退休，退会日期不得早于退休日期。" in str(err.value)
    with pytest.raises(CommandError):  # another union's chair does not see the member
        call_command(
            "union", "leave", "--org", "UA", "--member-number", "C-1", "--on", "2024-06-01",
            "--reason", "迁居", "--as", "chair_UB",
        )  # fmt: skip
    call_command(
        "union", "leave", "--org", "UA", "--member-number", "C-1", "--on", "2024-06-01",
        "--reason", "迁居", "--as", "chair_UA",
    )  # fmt: skip
    capsys.readouterr()
    call_command("union", "list", "--org", "UA", "--format", "json", "--as", "chair_UA")
    [row] = json.loads(capsys.readouterr().out)
    assert (row["status"], row["retired_on"], row["left_on"], row["left_reason"]) == (
        "left",
        "2024-05-01",
        "2024-06-01",
        "迁居",
    )
    assert (row["migrant_worker"], row["card_issued"]) == (True, True)


def test_a_member_leaves_one_union_and_joins_another(world, two_unions):
    (ua, chair_a), (ub, chair_b) = two_unions["UA"], two_unions["UB"]
    p = person(world, 71, org=ua)
    first = join_union(chair_a, p, org=ua, member_number="A-1", joined_on=dt.date(2019, 3, 1))
    with pytest.raises(ValidationError) as err:  # two memberships in force: refused
        join_union(chair_b, p, org=ub, member_number="B-1", joined_on=dt.date(2024, 1, 1))
    assert err.value.message_dict["person"] == ["会员71已是青山机械厂工会的会员。"]
    unions.leave(chair_a, first, on=dt.date(2024, 2, 29), reason="调离本单位")
    with pytest.raises(ValidationError) as err:  # the new one cannot begin before leaving
        join_union(chair_b, p, org=ub, member_number="B-1", joined_on=dt.date(2024, 2, 1))
    assert err.value.message_dict["joined_on"] == [
        "会员71在 2019-03-01 至 2024-02-29 期间已是工会会员：会籍期间不能重叠。"
    ]
    # the chair of the new union finds the person by ID number and enrols them
    second = unions.enrol(
        chair_b,
        org=ub,
        name="会员71",
        id_number=id_number(dt.date(1988, 1, 1), 71),
        member_number="B-1",
        joined_on=dt.date(2024, 3, 1),
    )
    assert second.person == p
    memberships = UnionMembership.objects.filter(person=p).order_by("joined_on")
    assert [(m.org.code, m.status) for m in memberships] == [("UA", "left"), ("UB", "working")]
    assert union_membership_rate(world.system, ub)["members"] == 1
    assert union_membership_rate(world.system, ua, on=dt.date(2023, 1, 1))["members"] == 1
    assert union_membership_rate(world.system, ua)["members"] == 0


def test_member_numbers_are_unique_within_a_union_only(world, two_unions):
    (ua, chair_a), (ub, chair_b) = two_unions["UA"], two_unions["UB"]
    join_union(chair_a, person(world, 81, org=ua), org=ua, member_number="001", joined_on=LONG_AGO)
    other = join_union(
        chair_b, person(world, 82, org=ub), org=ub, member_number="001", joined_on=LONG_AGO
    )
    assert other.member_number == "001"  # the same number in another union
    with pytest.raises(ValidationError) as err:
        join_union(
            chair_a, person(world, 83, org=ua), org=ua, member_number="001", joined_on=LONG_AGO
        )
    assert err.value.message_dict["member_number"] == ["青山机械厂工会已有会员编号为 001 的会员。"]
    # the upper level finds each by union and number
    from jiceng.people.selectors import union_member_by_number

    assert union_member_by_number(world.system, ub, "001") == other
    assert union_member_by_number(world.system, world.union, "001") is None  # ambiguous


def test_the_database_keeps_one_membership_in_force_and_numbers_per_union(world, two_unions):
    from django.db import IntegrityError, transaction

    ua, ub = two_unions["UA"][0], two_unions["UB"][0]
    p = person(world, 91, org=ua)
    UnionMembership.objects.create(person=p, org=ua, member_number="X", joined_on=LONG_AGO)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnionMembership.objects.create(person=p, org=ub, member_number="Y", joined_on=LONG_AGO)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnionMembership.objects.create(
            person=person(world, 92, org=ua), org=ua, member_number="X", joined_on=LONG_AGO
        )
    UnionMembership.objects.create(
        person=p, org=ub, member_number="X", joined_on=LONG_AGO, left_on=TODAY, status="left"
    )


# --- API --------------------------------------------------------------------------------------


def bearer(world, user) -> dict:
    from jiceng.access.services import create_token

    _t, raw = create_token(world.system, user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_lists_union_members_with_a_cursor_enrols_and_records_leaving(
    client, world, two_unions
):
    chair = two_unions["UA"][1]
    headers = bearer(world, chair)
    url = "/api/v1/people/unions/UA/members"
    for n in range(3):
        enrolled = client.post(
            url,
            {
                "name": f"会员{100 + n}",
                "id_number": id_number(dt.date(1990, 3, 3), 100 + n),
                "phone": f"1390000{n:04d}",
                "member_number": f"API-{n}",
                "joined_on": "2021-01-01",
                "migrant_worker": n == 0,
            },
            content_type="application/json",
            **headers,
        )
        assert enrolled.status_code == 201
    created = json.loads(enrolled.content)
    assert (created["member_number"], created["status"], created["org"]["code"]) == (
        "API-2",
        "working",
        "UA",
    )
    assert "*" in created["id_number"] and "*" in created["phone"]
    page = json.loads(client.get(url, {"limit": 2}, **headers).content)
    assert [i["member_number"] for i in page["items"]] == ["API-0", "API-1"] and page["next"]
    rest = json.loads(client.get(url, {"limit": 2, "cursor": page["next"]}, **headers).content)
    assert [i["member_number"] for i in rest["items"]] == ["API-2"] and rest["next"] is None
    # a duplicate number: the project's error shape, in Chinese
    again = client.post(
        url,
        {
            "name": "某人",
            "id_number": id_number(dt.date(1990, 3, 3), 120),
            "member_number": "API-0",
            "joined_on": "2021-01-01",
        },
        content_type="application/json",
        **headers,
    )
    body = json.loads(again.content)
    assert again.status_code == 400 and set(body) == {"code", "message", "fields"}
    assert body["fields"]["member_number"] == ["青山机械厂工会已有会员编号为 API-0 的会员。"]
    # leaving: dated, with a reason; a missing reason is refused by the schema
    leave = f"{url}/{created['id']}/leave"
    refused = client.post(leave, {"on": "2024-01-01"}, content_type="application/json", **headers)
    assert refused.status_code == 400
    assert json.loads(refused.content)["fields"]["reason"] == ["请填写退会原因。"]
    empty = client.post(url, {}, content_type="application/json", **headers)
    assert empty.status_code == 400 and "name" in json.loads(empty.content)["fields"]
    party = client.get("/api/v1/people/unions/A1/members", **bearer(world, world.system))
    assert party.status_code == 404  # a Party branch is no union
    early = client.post(
        leave, {"on": "2020-01-01", "reason": "调离"}, content_type="application/json", **headers
    )
    assert early.status_code == 400 and "on" in json.loads(early.content)["fields"]
    left = client.post(
        leave, {"on": "2024-01-01", "reason": "调离"}, content_type="application/json", **headers
    )
    assert left.status_code == 200
    assert (json.loads(left.content)["status"], json.loads(left.content)["left_on"]) == (
        "left",
        "2024-01-01",
    )
    current = json.loads(client.get(url, {"status": "current"}, **headers).content)
    assert [i["member_number"] for i in current["items"]] == ["API-0", "API-1"]
    assert client.get(url, {"status": "nonsense"}, **headers).status_code == 400


def test_the_api_refuses_another_unions_chair(client, world, two_unions):
    ua, chair_a = two_unions["UA"]
    m = join_union(
        chair_a, person(world, 130, org=ua), org=ua, member_number="X", joined_on=LONG_AGO
    )
    other = bearer(world, two_unions["UB"][1])
    url = "/api/v1/people/unions/UA/members"
    missing = client.get(url, **other)
    assert missing.status_code == 404 and json.loads(missing.content)["code"] == "not_found"
    enrol = client.post(
        url,
        {"name": "某", "id_number": id_number(dt.date(1990, 3, 3), 131), "member_number": "Y",
         "joined_on": "2021-01-01"},
        content_type="application/json",
        **other,
    )  # fmt: skip
    assert enrol.status_code == 404
    leave = client.post(
        f"/api/v1/people/unions/UB/members/{m.pk}/leave",
        {"on": "2024-01-01", "reason": "调离"},
        content_type="application/json",
        **other,
    )
    assert leave.status_code == 404  # UA's member is not under UB
    # an upper-level viewer who may not manage: 403
    viewer = create_user(world.system, username="fed_viewer", password=PASSWORD)
    assign_role(world.system, user=viewer, role=Role.VIEWER, org=ua, valid_from=LONG_AGO)
    refused = client.post(
        f"{url}/{m.pk}/leave",
        {"on": "2024-01-01", "reason": "调离"},
        content_type="application/json",
        **bearer(world, viewer),
    )
    assert refused.status_code == 403
    m.refresh_from_db()
    assert m.left_on is None

"""Personal information: validated, encrypted at rest, masked in lists, every reveal logged."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from stdnum.cn import ric

from jiceng.access.models import Role, Scope
from jiceng.access.services import assign_role, create_user
from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.people.delegates import seat_delegate
from jiceng.people.models import Delegate, Person, Stage, UnionMembership
from jiceng.people.services import (
    enrol_member,
    find_by_id_number,
    register_person,
    reveal,
    update_person,
)
from jiceng.people.unions import join_union, leave
from tests.conftest import LONG_AGO, PASSWORD

BORN = dt.date(1985, 7, 1)
GOOD = id_number(BORN, 123)  # 123 is odd: a man
FEB_31_BODY = "410102" + "19850231" + "123"
FEB_31 = FEB_31_BODY + ric.calc_check_digit(FEB_31_BODY + "0")  # only the date is wrong


def register(world, **kw):
    fields = {"org": world.branch_a1, "name": "张三", "id_number": GOOD, "phone": "13812345678"}
    return register_person(world.users["a1_officer"], **{**fields, **kw})


def test_gender_and_birth_date_come_from_the_id_number(world):
    person = register(world)
    assert (person.gender, person.birth_date) == ("male", BORN)
    assert person.id_number_masked == GOOD[:3] + "*" * 11 + GOOD[-4:]
    assert person.phone_masked == "138****5678"


def test_nothing_personal_is_stored_in_clear(world):
    person = register(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert GOOD not in row and "13812345678" not in row
    assert not any(GOOD in str(e.after) for e in AuditEvent.objects.all())


@pytest.mark.parametrize(
    ("number", "kw", "needle"),
    [
        (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), {}, "校验码有误"),  # checksum
        (FEB_31, {}, "出生日期不存在"),  # 31 February, with a correct check digit
        (GOOD, {"gender": "female"}, "性别与公民身份号码不符"),
        (GOOD, {"birth_date": dt.date(1985, 7, 2)}, "出生日期 1985-07-02 与公民身份号码不符"),
    ],
)
def test_bad_id_numbers_are_refused(world, number, kw, needle):
    with pytest.raises(ValidationError) as err:
        register(world, id_number=number, **kw)
    assert needle in " ".join(err.value.message_dict["id_number"])
    assert not Person.objects.exists()


def test_an_id_number_is_registered_once_and_found_by_its_keyed_hash(world):
    person = register(world)
    assert find_by_id_number(" " + GOOD.lower() + " ") == person
    with pytest.raises(ValidationError):
        register(world, name="张三（重复）")


def test_reveal_needs_the_right_and_is_logged(world):
    person = register(world)
    enrol_member(
        world.system,
        person,
        org=world.branch_a1,
        stage=Stage.FULL,
        joined_on=dt.date(2010, 7, 1),
        full_on=dt.date(2011, 7, 1),
    )
    assert reveal(world.users["a1_officer"], person, "id_number") == GOOD
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_name, event.after) == (
        "people.person.reveal",
        "a1_officer",
        {"field": "id_number"},
    )
    for intruder in ("a2_officer", "a1_member", "viewer"):
        with pytest.raises(PermissionDenied):
            reveal(world.users[intruder], person, "phone")


def test_registering_for_another_branch_is_refused(world):
    with pytest.raises(PermissionDenied):
        register(world, org=world.branch_b1)


# -- union members: their union's officers may reveal; correcting an ID number ---------------


@pytest.fixture
def unions(world):
    """A grassroots union under the federation, each with an officer; a person who is only a
    union member of U1 and sits as a delegate at the federation's congress."""
    system = world.system
    u1 = set_up(
        system, code="U1", name="和平社区工会", kind=Kind.UNION, parent=world.union,
        founded_on=LONG_AGO,
    )  # fmt: skip
    officers = {}
    for name, org in (("u1_chair", u1), ("federation_officer", world.union)):
        officers[name] = create_user(system, username=name, password=PASSWORD, full_name=name)
        assign_role(
            system, user=officers[name], role=Role.OFFICER, org=org, scope=Scope.NODE,
            valid_from=LONG_AGO,
        )  # fmt: skip
    person = register_person(system, org=u1, name="李工会", id_number=GOOD, phone="13812345678")
    join_union(system, person, org=u1, member_number="U1-0001", joined_on=dt.date(2015, 3, 1))
    return SimpleNamespace(u1=u1, person=person, **officers)


def test_the_union_chair_reveals_a_union_members_identity(world, unions):
    assert reveal(unions.u1_chair, unions.person, "phone") == "13812345678"
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_name, event.after, event.org_path) == (
        "people.person.reveal",
        "u1_chair",
        {"field": "phone"},
        unions.u1.path,
    )
    for intruder in ("a1_officer", "a2_officer", "district_admin", "viewer"):
        with pytest.raises(PermissionDenied):
            reveal(world.users[intruder], unions.person, "id_number")
    assert AuditEvent.objects.filter(action="people.person.reveal").count() == 1


def test_a_union_the_member_left_may_no_longer_reveal(world, unions):
    assert reveal(unions.u1_chair, unions.person, "phone") == "13812345678"
    membership = UnionMembership.objects.get(person=unions.person)
    leave(world.system, membership, on=dt.date.today(), reason="调离本单位")  # from today on
    with pytest.raises(PermissionDenied):
        reveal(unions.u1_chair, unions.person, "id_number")


def test_a_delegate_seat_lets_that_congress_reveal_while_it_lasts(world, unions):
    officer = unions.federation_officer
    with pytest.raises(PermissionDenied):
        reveal(officer, unions.person, "id_number")
    seat_delegate(
        world.system, unions.person, org=world.union, category="voting",
        valid_from=dt.date(2024, 1, 1),
    )  # fmt: skip
    assert reveal(officer, unions.person, "id_number") == GOOD
    assert AuditEvent.objects.latest("id").org_path == world.union.path
    Delegate.objects.update(valid_until=dt.date.today())  # the seat ended today
    with pytest.raises(PermissionDenied):
        reveal(officer, unions.person, "id_number")


def test_an_officer_corrects_an_id_number(world):
    person = register(world)
    enrol_member(
        world.system,
        person,
        org=world.branch_a1,
        stage=Stage.FULL,
        joined_on=dt.date(2010, 7, 1),
        full_on=dt.date(2011, 7, 1),
    )
    officer = world.users["a1_officer"]
    corrected = id_number(dt.date(1985, 7, 2), 124)  # another day, and even: a woman
    assert set(update_person(officer, person, org=world.branch_a1, id_number=corrected)) == {
        "id_number",
        "gender",
        "birth_date",
    }
    person.refresh_from_db()
    assert (person.gender, person.birth_date) == ("female", dt.date(1985, 7, 2))
    assert find_by_id_number(corrected) == person and find_by_id_number(GOOD) is None
    assert reveal(officer, person, "id_number") == corrected
    event = AuditEvent.objects.filter(action="people.person.update").latest("id")
    assert event.before["id_number"] == GOOD[:3] + "*" * 11 + GOOD[-4:]
    assert event.after["id_number"] == corrected[:3] + "*" * 11 + corrected[-4:]
    assert event.after["birth_date"] == "1985-07-02"
    assert GOOD not in str(event.before) and corrected not in str(event.after)
    assert update_person(officer, person, org=world.branch_a1, id_number=corrected) == []


@pytest.mark.parametrize(
    ("number", "kw", "needle"),
    [
        (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), {}, "校验码有误"),
        ("taken", {}, "该公民身份号码已有人员登记"),
        (GOOD, {"gender": "female"}, "性别与公民身份号码不符"),
        ("", {}, "请填写公民身份号码"),
    ],
)
def test_a_bad_correction_of_an_id_number_changes_nothing(world, number, kw, needle):
    other = id_number(BORN, 125)
    person = register(world, id_number=other)
    register(world, name="李四", id_number=GOOD, phone="")
    if number == "taken":
        number = GOOD
    elif number == GOOD:  # the right number for 张三's record would be GOOD: here taken too,
        number = id_number(BORN, 127)  # so another free man's number, with a woman's gender
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as err:
        update_person(
            world.users["a1_officer"], person, org=world.branch_a1, id_number=number, **kw
        )
    assert needle in " ".join(err.value.message_dict["id_number"])
    person.refresh_from_db()
    assert find_by_id_number(other) == person and AuditEvent.objects.count() == before


def test_another_branch_may_not_correct_an_id_number(world):
    person = register(world)
    with pytest.raises(PermissionDenied):
        update_person(
            world.users["a2_officer"], person, org=world.branch_a1, id_number=id_number(BORN, 125)
        )


# --- Basic details: ethnicity and education from their lists ----------------------------------


def test_ethnicity_and_education_are_kept_from_their_lists(world):
    person = register(world, ethnicity="11", education="bachelor")
    assert (person.ethnicity, person.education) == ("11", "bachelor")  # 满族
    officer = world.users["a1_officer"]
    changed = update_person(officer, person, org=world.branch_a1, ethnicity="01", post="会计")
    assert set(changed) == {"ethnicity", "post"}
    event = AuditEvent.objects.filter(action="people.person.update").latest("id")
    assert event.before == {"ethnicity": "11", "post": ""}
    assert event.after == {"ethnicity": "01", "post": "会计"}


@pytest.mark.parametrize(
    ("fields", "field", "needle"),
    [
        ({"ethnicity": "99"}, "ethnicity", "请从 GB 3304 民族列表中选择民族"),
        ({"ethnicity": "汉族"}, "ethnicity", "请从 GB 3304 民族列表中选择民族"),
        ({"education": "kindergarten"}, "education", "请从列表中选择文化程度"),
    ],
)
def test_a_value_off_the_list_is_refused_in_chinese(world, fields, field, needle):
    with pytest.raises(ValidationError) as err:
        register(world, **fields)
    assert needle in " ".join(err.value.message_dict[field])
    assert not Person.objects.exists()
    person = register(world)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as err:
        update_person(world.users["a1_officer"], person, org=world.branch_a1, **fields)
    assert needle in " ".join(err.value.message_dict[field])
    person.refresh_from_db()
    assert (person.ethnicity, person.education) == ("", "")
    assert AuditEvent.objects.count() == before

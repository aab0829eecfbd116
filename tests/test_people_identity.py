"""Personal information: validated, encrypted at rest, masked in lists, every reveal logged."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.people.models import Person, Stage
from jiceng.people.services import enrol_member, find_by_id_number, register_person, reveal

BORN = dt.date(1985, 7, 1)
GOOD = id_number(BORN, 123)  # 123 is odd: a man


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
        (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), {}, "check"),  # checksum
        ("410102" + "19850231" + "1231", {}, "date"),  # 31 February
        (GOOD, {"gender": "female"}, "gender"),
        (GOOD, {"birth_date": dt.date(1985, 7, 2)}, "birth"),
    ],
)
def test_bad_id_numbers_are_refused(world, number, kw, needle):
    with pytest.raises(ValidationError) as err:
        register(world, id_number=number, **kw)
    assert "id_number" in err.value.message_dict
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
        "person.reveal",
        "a1_officer",
        {"field": "id_number"},
    )
    for intruder in ("a2_officer", "a1_member", "viewer"):
        with pytest.raises(PermissionDenied):
            reveal(world.users[intruder], person, "phone")


def test_registering_for_another_branch_is_refused(world):
    with pytest.raises(PermissionDenied):
        register(world, org=world.branch_b1)

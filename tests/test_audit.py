"""The audit log: every service write is recorded, nothing recorded can be changed."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from jiceng.audit.context import source
from jiceng.audit.models import AuditEvent, Source
from jiceng.audit.services import GENESIS, verify
from jiceng.orgs.services import rename


def test_a_write_appends_an_event_with_before_after_actor_and_source(world):
    officer = world.users["a1_officer"]
    with source(Source.API):
        rename(officer, world.branch_a1, name="和平社区党支部")
    event = AuditEvent.objects.latest("id")
    assert event.action == "orgs.org.rename"
    assert event.actor_id == officer.pk and event.actor_name == "a1_officer"
    assert event.source == "api"
    assert event.before["name"] == "和平社区第一党支部"
    assert event.after["name"] == "和平社区党支部"
    assert event.object_id == str(world.branch_a1.pk)


def test_events_form_an_unbroken_chain(world):
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    report = verify()
    assert report.ok and report.checked == len(events) > 10


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET actor_name = 'mallory' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_remove_events(world, statement):
    event = AuditEvent.objects.order_by("id")[3]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor_name == event.actor_name


def test_the_orm_cannot_change_events_either(world):
    event = AuditEvent.objects.order_by("id")[2]
    event.action = "forged"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()


def _tamper(event_id: int) -> None:
    """What someone with raw database access could do: switch the guard off and edit a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
        cursor.execute(
            "UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"name": "伪造"}', event_id]
        )


def test_verify_names_the_first_altered_event(world):
    target = AuditEvent.objects.order_by("id")[5]
    call_command("audit", "verify")  # intact before
    _tamper(target.pk)
    report = verify()
    assert not report.ok and report.broken_at == target.pk
    with pytest.raises(CommandError, match=f"#{target.pk}"):
        call_command("audit", "verify")

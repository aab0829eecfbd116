"""Secret ballot (无记名投票, DOMAIN.md §4): from the database alone, no ballot row can be joined to
a person or ordered by the time it was entered or cast.

The checks look at what someone with the database in hand would look at: the columns and
foreign keys of the ballot tables, every table that points at them, the order of rows by
primary key, by SQLite's rowid and by PostgreSQL's physical position and transaction ids. An
electronic poll is checked while it is still open (its ballots sealed) as well as after closing.
"""

import datetime as dt
import itertools
import re

import pytest
from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models

from jiceng.access.services import create_user
from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.elections import selectors, services
from jiceng.elections.models import Ballot, BallotCorrection, Poll, SealedBallot, VoterMark
from jiceng.people.services import enrol_member, register_person
from tests.conftest import PASSWORD

WIDTH = 10
HELD = dt.date(2026, 6, 1)


def pattern(i: int) -> str:
    """A mark string unique to entry number i (i < 1024)."""
    return "".join("Y" if i >> bit & 1 else "N" for bit in range(WIDTH))


def paper_poll(world, entitled=600):
    return services.create_poll(
        world.users["a1_officer"],
        org=world.branch_a1,
        title="支部委员会选举",
        seats=WIDTH,
        entitled=entitled,
        held_on=HELD,
        candidates=[f"候选人{chr(0x4E00 + k * 7)}" for k in range(WIDTH)],
    )


def columns(model) -> dict[str, str]:
    with connection.cursor() as cursor:
        return {
            c.name: c.type_code
            for c in connection.introspection.get_table_description(cursor, model._meta.db_table)
        }


def foreign_keys(model) -> dict[str, str]:
    with connection.cursor() as cursor:
        relations = connection.introspection.get_relations(cursor, model._meta.db_table)
    return {col: table for col, (_other_col, table) in relations.items()}


def ascending_share(order: list[int]) -> float:
    pairs = list(itertools.pairwise(order))
    return sum(a < b for a, b in pairs) / len(pairs)


def test_ballot_tables_hold_no_voter_no_time_and_no_sequence(db):
    assert set(columns(Ballot)) == {"id", "poll_id", "marks", "write_ins", "void"}
    assert foreign_keys(Ballot) == {"poll_id": Poll._meta.db_table}
    assert set(columns(VoterMark)) == {"id", "poll_id", "person_id", "has_voted"}
    assert set(foreign_keys(VoterMark)) == {"poll_id", "person_id"}
    assert set(columns(SealedBallot)) == {"id", "poll_id", "sealed"}
    assert foreign_keys(SealedBallot) == {"poll_id": Poll._meta.db_table}
    for model in (Ballot, VoterMark, SealedBallot):
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField)
            assert not isinstance(field, models.AutoField | models.BigAutoField)
    # Nothing in the whole schema points at a ballot (corrections name the poll only).
    pointing = [
        (m._meta.label, f.name)
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if f.is_relation and f.related_model in (Ballot, VoterMark, SealedBallot)
    ]
    assert pointing == []
    # The only thing a ballot and a voter mark share is the poll.
    assert set(columns(Ballot)) & set(columns(VoterMark)) == {"id", "poll_id"}


def test_primary_key_order_does_not_reproduce_entry_order(world):
    poll = paper_poll(world)
    officer = world.users["a1_officer"]
    # The worst case for storage order: one ballot per call, as a teller typing them in.
    for i in range(150):
        services.enter_ballots(officer, poll, [pattern(i)])
    services.enter_ballots(officer, poll, [pattern(i) for i in range(150, 300)])
    entry = {pattern(i): i for i in range(300)}
    by_key = [
        entry[m]
        for m in Ballot.objects.filter(poll=poll).order_by("pk").values_list("marks", flat=True)
    ]
    assert sorted(by_key) == list(range(300))
    assert by_key != list(range(300))
    assert 0.35 < ascending_share(by_key) < 0.65, ascending_share(by_key)
    if connection.vendor == "sqlite":
        # The random key *is* the rowid: no hidden counter of insertion order.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, id FROM {Ballot._meta.db_table} WHERE poll_id = %s", [poll.pk]
            )
            rows = cursor.fetchall()
        assert rows and all(rowid == key for rowid, key in rows)


def test_closing_rewrites_ballots_in_random_order(world):
    poll = paper_poll(world)
    officer = world.users["a1_officer"]
    for i in range(120):
        services.enter_ballots(officer, poll, [pattern(i)])
    services.record_attendance(officer, poll, present=120, issued=120, returned=120)
    services.close_poll(officer, poll)
    entry = {pattern(i): i for i in range(120)}
    table = Ballot._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT marks FROM {table} WHERE poll_id = %s ORDER BY ctid", [poll.pk])
            physical = [entry[m] for (m,) in cursor.fetchall()]
            cursor.execute(
                f"SELECT count(DISTINCT xmin::text) FROM {table} WHERE poll_id = %s", [poll.pk]
            )
            assert cursor.fetchone()[0] == 1  # every row carries the closing transaction's id
        else:
            cursor.execute(
                f"SELECT marks FROM {table} WHERE poll_id = %s ORDER BY rowid", [poll.pk]
            )
            physical = [entry[m] for (m,) in cursor.fetchall()]
    assert sorted(physical) == list(range(120))
    assert 0.3 < ascending_share(physical) < 0.7, ascending_share(physical)


@pytest.fixture
def voters(world):
    found = []
    for k in range(24):
        person = register_person(
            world.system,
            org=world.branch_a1,
            name=f"选民{k:02d}",
            id_number=id_number(dt.date(1980, 1, 1) + dt.timedelta(days=k), 20 + k),
        )
        enrol_member(
            world.system, person, org=world.branch_a1, stage="full", joined_on=dt.date(2000, 7, 1)
        )
        user = create_user(world.system, username=f"voter{k}", password=PASSWORD, person=person)
        found.append((person, user))
    return found


def test_electronic_voting_keeps_has_voted_apart_from_the_ballot(
    world, voters, django_capture_on_commit_callbacks
):
    officer = world.users["a1_officer"]
    poll = services.create_poll(
        officer,
        org=world.branch_a1,
        title="支部委员会电子投票",
        seats=WIDTH,
        entitled=len(voters),
        held_on=HELD,
        electronic=True,
        candidates=[f"候选人{chr(0x4E00 + k * 7)}" for k in range(WIDTH)],
    )
    services.open_roll(officer, poll, [p for p, _u in voters])
    for k, (_person, user) in enumerate(voters):
        with django_capture_on_commit_callbacks(execute=True):
            services.cast_vote(user, poll, marks=pattern(k))
    assert VoterMark.objects.filter(poll=poll, has_voted=True).count() == len(voters)
    # Voting again, voting off the roll, and paper entry into an electronic poll: refused.
    with pytest.raises(ValidationError):
        services.cast_vote(voters[0][1], poll, marks=pattern(0))
    with pytest.raises(PermissionDenied):
        services.cast_vote(world.users["a1_member"], poll, marks=pattern(0))
    with pytest.raises(ValidationError):
        services.enter_ballots(officer, poll, [pattern(1)])
    # The audit log says who voted, never how, and points at the poll, not a ballot.
    events = AuditEvent.objects.filter(action="elections.poll.vote")
    assert events.count() == len(voters)
    assert {e.object_type for e in events} == {"elections.poll"}
    assert all(e.after is None and e.before is None for e in events)
    services.record_attendance(
        officer, poll, present=len(voters), issued=len(voters), returned=len(voters)
    )
    services.close_poll(officer, poll)
    # The ballots' key order does not follow the order of voting.
    cast_order = {pattern(k): k for k in range(len(voters))}
    ballots = [
        cast_order[m]
        for m in Ballot.objects.filter(poll=poll).order_by("pk").values_list("marks", flat=True)
    ]
    assert sorted(ballots) == list(range(len(voters)))
    assert ballots != list(range(len(voters)))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Ballot, VoterMark):
                cursor.execute(
                    f"SELECT count(DISTINCT xmin::text) FROM {model._meta.db_table} WHERE poll_id = %s",
                    [poll.pk],
                )
                assert cursor.fetchone()[0] == 1
            cursor.execute(
                f"SELECT xmin::text FROM {Ballot._meta.db_table} WHERE poll_id = %s LIMIT 1",
                [poll.pk],
            )
            ballot_xid = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT count(*) FROM {AuditEvent._meta.db_table} WHERE xmin::text = %s "
                "AND action = 'elections.poll.vote'",
                [ballot_xid],
            )
            assert cursor.fetchone()[0] == 0


def xmins(model, poll) -> list[str]:
    """PostgreSQL: the transaction id that wrote each of the poll's rows in `model`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmin::text FROM {model._meta.db_table} WHERE poll_id = %s", [poll.pk]
        )
        return [x for (x,) in cursor.fetchall()]


def for_votes(result: dict) -> dict[str, int]:
    return {line["name"]: line["for_votes"] for line in result["lines"]}


def test_an_open_electronic_poll_keeps_its_ballots_sealed_until_it_closes(
    world, voters, django_capture_on_commit_callbacks
):
    officer = world.users["a1_officer"]
    names = [f"候选人{chr(0x4E00 + k * 7)}" for k in range(WIDTH)]
    poll = services.create_poll(
        officer,
        org=world.branch_a1,
        title="支部委员会电子投票",
        seats=WIDTH,
        entitled=len(voters),
        held_on=HELD,
        electronic=True,
        candidates=names,
    )
    services.open_roll(officer, poll, [p for p, _u in voters])
    sheet = [c.name for c in selectors.ballot_sheet(poll)]
    written = "王外来人"
    for k, (_person, user) in enumerate(voters):
        with django_capture_on_commit_callbacks(execute=True):
            services.cast_vote(user, poll, marks=pattern(k), write_ins=[written] if k == 3 else [])
    expected = {
        name: sum(pattern(k)[i] == "Y" for k in range(len(voters))) for i, name in enumerate(sheet)
    } | {written: 1}

    # While the poll is open the readable ballot table holds nothing of it: the votes are in the
    # sealed box, one slip per voter, kept from the moment each was cast.
    assert not Ballot.objects.filter(poll=poll).exists()
    assert SealedBallot.objects.filter(poll=poll).count() == len(voters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, sealed FROM {SealedBallot._meta.db_table} WHERE poll_id = %s", [poll.pk]
        )
        slips = cursor.fetchall()
    slip_keys = {key for key, _token in slips}
    tokens = [token for _key, token in slips]
    plain = [*names, written, *(pattern(k) for k in range(len(voters)))]
    for token in tokens:
        assert re.fullmatch(r"v1:[A-Za-z0-9_=-]+", token)  # one opaque token, no JSON, no names
        assert not any(p in token for p in plain)
    assert len({len(t) for t in tokens}) == 1  # the written-in name does not show in the length
    assert len(set(tokens)) == len(tokens)  # random nonces: equal votes look different
    with pytest.raises(InvalidTag):  # a slip cannot be moved into another poll's box
        SealedBallot.unseal(poll.pk + 1, tokens[0])
    # The count opens the slips in memory and writes nothing; the page shows only how many voted.
    assert for_votes(selectors.outcome_of(poll).to_dict()) == expected
    shown = selectors.result(officer, poll)
    assert shown["lines"] == [] and f"已有 {len(voters)} 人投票" in shown["summary"][0]
    assert not Ballot.objects.filter(poll=poll).exists()
    cast_xids = set()
    if connection.vendor == "postgresql":
        voted = VoterMark.objects.filter(poll=poll, has_voted=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT xmin::text FROM {VoterMark._meta.db_table} WHERE id = ANY(%s)",
                [list(voted.values_list("pk", flat=True))],
            )
            cast_xids = {x for (x,) in cursor.fetchall()}
        assert len(cast_xids) == len(voters)
        assert not set(xmins(Ballot, poll)) & cast_xids
        # A slip does share its voter's transaction id: that is why it holds only ciphertext.
        assert set(xmins(SealedBallot, poll)) == cast_xids
    # The audit log says that each voter voted, naming the poll, never a ballot or a slip.
    for event in AuditEvent.objects.filter(action="elections.poll.vote"):
        assert (event.object_type, event.object_id) == ("elections.poll", str(poll.pk))
        assert event.before is None and event.after is None
        assert not any(str(key) in event.object_repr for key in slip_keys)

    services.record_attendance(
        officer, poll, present=len(voters), issued=len(voters), returned=len(voters)
    )
    services.close_poll(officer, poll)
    poll.refresh_from_db()
    # Closing opens the box: ordinary anonymous ballots, one per voter, under new keys.
    assert not SealedBallot.objects.filter(poll=poll).exists()
    ballots = Ballot.objects.filter(poll=poll)
    assert ballots.count() == VoterMark.objects.filter(poll=poll, has_voted=True).count()
    assert ballots.count() == len(voters)
    assert not set(ballots.values_list("pk", flat=True)) & slip_keys
    assert sorted(ballots.values_list("marks", flat=True)) == sorted(
        pattern(k) for k in range(len(voters))
    )
    assert for_votes(poll.result) == expected
    assert for_votes(selectors.result(officer, poll)) == expected
    if connection.vendor == "postgresql":
        ballot_xids = set(xmins(Ballot, poll))
        assert len(ballot_xids) == 1  # the closing transaction's id, the same for every ballot
        assert not ballot_xids & cast_xids
        # Voter marks are rewritten by the same transaction: every mark matches every ballot.
        assert set(xmins(VoterMark, poll)) == ballot_xids


def test_corrections_of_paper_ballots_keep_old_and_new_but_name_no_ballot(world):
    poll = paper_poll(world)
    officer = world.users["a1_officer"]
    services.enter_ballots(officer, poll, [pattern(5)])
    ballot = Ballot.objects.get(poll=poll)
    fix = services.correct_ballot(
        officer, poll, ballot.pk, marks=pattern(6), reason="第3号计票人录入有误"
    )
    ballot.refresh_from_db()
    assert ballot.marks == pattern(6)
    assert (fix.old_marks, fix.new_marks, fix.corrected_by) == (pattern(5), pattern(6), officer)
    assert not any(f.name == "ballot" for f in BallotCorrection._meta.fields)
    with pytest.raises(ValidationError):
        services.correct_ballot(officer, poll, ballot.pk, marks=pattern(7), reason="")

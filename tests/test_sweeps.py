"""Periodic sweeps: `jiceng sweep` (cron) and `jiceng worker` run every registered periodic
task once a day as the system actor; the people sweep flags members who never reported in."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiceng.access.services import SYSTEM_USERNAME
from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.jobs import registry, sweeps, worker
from jiceng.jobs.models import Job, Status
from jiceng.people.models import Stage
from jiceng.people.services import enrol_member, register_person
from jiceng.people.transfers import accept_transfer, issue_transfer

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def member(world, name, seq):
    p = register_person(
        world.system,
        org=world.branch_a1,
        name=name,
        id_number=id_number(dt.date(1985, 5, 5), seq),
    )
    return enrol_member(
        world.system, p, org=world.branch_a1, stage=Stage.FULL, joined_on=dt.date(2010, 7, 1)
    )


@pytest.fixture
def letters(world):
    """张三's letter to A2 was accepted 60 days ago (30 days to report in: overdue);
    李四's was accepted today (not due yet)."""
    officer, receiver = world.users["a1_officer"], world.users["a2_officer"]
    late = issue_transfer(
        officer,
        member(world, "张三", 11),
        to_org=world.branch_a2,
        letter_number="L-1",
        on=TODAY - 61 * DAY,
    )
    accept_transfer(receiver, late, on=TODAY - 60 * DAY)
    fresh = issue_transfer(
        officer, member(world, "李四", 13), to_org=world.branch_a2, letter_number="L-2", on=TODAY
    )
    accept_transfer(receiver, fresh, on=TODAY)
    return late, fresh


def sweep(*args) -> str:
    out = io.StringIO()
    call_command("sweep", *args, stdout=out)
    return out.getvalue()


def test_people_registers_its_periodic_task():
    assert "people.flag_unreported" in registry.periodic_tasks()
    assert "people.flag_unreported" in sweep("--list")


def test_the_sweep_flags_an_overdue_transfer_once_a_day(world, letters):
    late, fresh = letters
    out = sweep()
    assert "people.flag_unreported" in out and '"flagged": 1' in out
    late.membership.refresh_from_db()
    fresh.membership.refresh_from_db()
    assert late.membership.never_reported and not fresh.membership.never_reported
    event = AuditEvent.objects.get(action="people.party.flag_unreported")
    assert event.actor.username == SYSTEM_USERNAME and event.source == "job"
    job = Job.objects.get(kind="sweep", params__task="people.flag_unreported")
    assert job.status == Status.DONE and job.result == {"flagged": 1}
    assert job.key == f"sweep:people.flag_unreported:{TODAY.isoformat()}"

    # Cron and a worker may both sweep: the second run of the day is skipped.
    assert "跳过" in sweep() and Job.objects.filter(params__task=job.params["task"]).count() == 1
    # Forced, it runs again and finds nothing new to flag.
    data = json.loads(sweep("--force", "--only", "people.flag_unreported", "--format", "json"))
    assert data[0]["ran"] and data[0]["result"] == {"flagged": 0}
    assert AuditEvent.objects.filter(action="people.party.flag_unreported").count() == 1


def test_a_sweep_for_a_later_day_flags_the_letter_that_runs_out_by_then(world, letters):
    _late, fresh = letters
    later = (TODAY + 40 * DAY).isoformat()
    assert '"flagged": 2' in sweep("--on", later)
    fresh.membership.refresh_from_db()
    assert fresh.membership.never_reported
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        sweep("--on", "2026/01/01")
    with pytest.raises(CommandError, match=r"no\.such"):
        sweep("--only", "no.such")


def test_the_worker_queues_the_days_sweeps_once(world, letters, monkeypatch):
    monkeypatch.setenv("JICENG_JOBS", "worker")
    late, _fresh = letters
    tasks = len(registry.periodic_tasks())  # people's and the audit checkpoint
    assert worker.work(once=True, sweeps=True) == tasks  # queued, then run by this worker
    late.membership.refresh_from_db()
    assert late.membership.never_reported
    # Another worker (or the next minute's check) finds the day's sweep done.
    assert worker.work(once=True, sweeps=True) == 0
    assert Job.objects.filter(kind="sweep").count() == tasks
    # `jiceng worker --once` only empties the queue.
    call_command("worker", "--once", stdout=io.StringIO())
    assert Job.objects.filter(kind="sweep").count() == tasks


def test_a_failing_task_fails_the_sweep_and_the_others_still_run(world, letters, monkeypatch):
    def broken(actor, day, report):
        raise RuntimeError("detail that stays in the log")

    registry.periodic_tasks()  # discovered first, so the test task is added, not replaced
    monkeypatch.setitem(registry._periodic, "a.broken", registry.Periodic("a.broken", broken))
    with pytest.raises(CommandError, match=r"a\.broken"):
        sweep()
    failed = Job.objects.get(params__task="a.broken")
    assert failed.status == Status.FAILED and "detail" not in failed.message
    assert Job.objects.get(params__task="people.flag_unreported").result == {"flagged": 1}
    started = sweeps.start(only=["a.broken"])
    assert [s.new for s in started] == [False]  # failed today: retried tomorrow or by --force

"""Job leases: a running job beats; one whose process was killed (no beat for
`jobs.lease.stale_after_minutes`) is failed with a reason the user reads on the job's page,
and its uploaded input is removed, when a worker starts and every minute after."""

import datetime as dt
import io
import os
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jiceng.access.services import create_user, system_actor
from jiceng.jobs import registry, runner, services, worker
from jiceng.jobs.models import Job, Status
from tests.conftest import PASSWORD

seen_beats: list[bool] = []


@registry.register("test.lease.look")
def look(job, report):
    seen_beats.append(runner.heartbeat_file(job).is_file())
    return {}


@pytest.fixture
def owner(db):
    return create_user(system_actor(), username="owner", password=PASSWORD, full_name="owner")


def _abandoned(owner, *, started_minutes_ago: float, monkeypatch) -> Job:
    """A job claimed by a process that was then killed: running, its upload still on disk."""
    monkeypatch.setenv("JICENG_JOBS", "worker")  # queued only: nothing runs it here
    job = services.submit(owner, "test.lease.look", source=io.BytesIO(b"PK personal data"))
    assert job.input_file.is_file()
    started = timezone.now() - dt.timedelta(minutes=started_minutes_ago)
    Job.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=started, worker="elsewhere:1:1"
    )
    job.refresh_from_db()
    return job


def _age(path, minutes: float) -> None:
    then = time.time() - minutes * 60
    os.utime(path, (then, then))


def test_a_job_without_a_beat_for_the_policy_time_is_failed_and_its_input_removed(
    owner, monkeypatch
):
    stale = _abandoned(owner, started_minutes_ago=11, monkeypatch=monkeypatch)  # default: 10
    fresh = _abandoned(owner, started_minutes_ago=3, monkeypatch=monkeypatch)
    assert runner.fail_stale() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Status.FAILED and stale.finished_at is not None
    assert not stale.input_file.exists()  # the upload (personal data) is not kept
    assert fresh.status == Status.RUNNING and fresh.input_file.is_file()

    # the owner reads why on the job's page, in Chinese
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("jobs:progress", args=[stale.pk])).content.decode()
    assert "失败" in page and "没有响应" in page and "重新提交" in page


def test_a_job_that_still_beats_is_left_running(owner, monkeypatch):
    job = _abandoned(owner, started_minutes_ago=60, monkeypatch=monkeypatch)
    beat = runner.Heartbeat(job)  # a long import, alive: its heartbeat file is fresh
    try:
        assert runner.fail_stale() == 0
        job.refresh_from_db()
        assert job.status == Status.RUNNING
        _age(runner.heartbeat_file(job), 11)  # the beats stopped 11 minutes ago
    finally:
        beat._stop.set()
    assert runner.fail_stale() == 1


def test_the_time_comes_from_the_policy(owner, monkeypatch):
    job = _abandoned(owner, started_minutes_ago=11, monkeypatch=monkeypatch)
    values = {"jobs.lease.stale_after_minutes": 30}
    original = runner.policy_value
    monkeypatch.setattr(runner, "policy_value", lambda key, *a: values.get(key, original(key)))
    assert runner.fail_stale() == 0
    values["jobs.lease.stale_after_minutes"] = 10
    assert runner.fail_stale() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED


def test_a_worker_fails_stale_jobs_when_it_starts(owner, monkeypatch):
    job = _abandoned(owner, started_minutes_ago=20, monkeypatch=monkeypatch)
    worker.work(once=True)
    job.refresh_from_db()
    assert job.status == Status.FAILED and not job.input_file.exists()


def test_a_running_job_beats_and_its_heartbeat_goes_when_it_ends(owner):
    seen_beats.clear()
    job = services.submit(owner, "test.lease.look", foreground=True)
    assert seen_beats == [True]
    assert job.status == Status.DONE and not runner.heartbeat_file(job).exists()

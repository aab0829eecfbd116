"""Background jobs (jiceng.jobs): progress while running, an honest end, and only the user who
started a job (or a system administrator) may watch it."""

import socket
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jiceng.access.models import Role, User
from jiceng.access.services import assign_role, create_user, system_actor
from jiceng.jobs import registry, runner, selectors, services
from jiceng.jobs.models import Job, Status
from tests.conftest import LONG_AGO, PASSWORD

midway: list[dict] = []
reached, release = threading.Event(), threading.Event()


@registry.register("test.count")
def count(job, report):
    n = job.params["n"]
    for i in range(1, n + 1):
        report(i, n, "counting")
        if i == n // 2:
            midway.append(selectors.progress(Job.objects.get(pk=job.pk)))
    return {"counted": n}


@registry.register("test.fail")
def fail(job, report):
    report(3, 10, "half way")
    raise runner.JobError("磁盘空间不足")


@registry.register("test.crash")
def crash(job, report):
    raise RuntimeError("internal detail that must not reach the user")


@registry.register("test.wait")
def wait(job, report):
    report(5, 10, "waiting")
    reached.set()
    assert release.wait(timeout=30)
    report(10, 10, "done")
    return {"waited": True}


@pytest.fixture
def users(db):
    system = system_actor()
    return {
        name: create_user(system, username=name, password=PASSWORD, full_name=name)
        for name in ("owner", "other")
    }


def client_for(user) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


@pytest.fixture(autouse=True)
def every_report_written(monkeypatch):
    monkeypatch.setattr(runner, "REPORT_EVERY", 0)


def test_a_job_reports_progress_and_finishes(users):
    midway.clear()
    job = services.submit(users["owner"], "test.count", foreground=True, n=10)
    assert midway == [
        {
            "id": job.pk,
            "kind": "test.count",
            "status": Status.RUNNING,
            "status_label": str(Status.RUNNING.label),
            "done": 5,
            "total": 10,
            "percent": 50,
            "message": "counting",
            "finished": False,
        }
    ]
    job.refresh_from_db()
    assert job.status == Status.DONE and job.result == {"counted": 10}
    assert (job.done, job.total) == (10, 10) and job.started_at <= job.finished_at
    assert not job.progress_file.exists()
    state = client_for(users["owner"]).get(reverse("jobs:progress_json", args=[job.pk])).json()
    assert (state["status"], state["done"], state["total"], state["percent"]) == (
        "done",
        10,
        10,
        100,
    )


def test_the_command_line_sees_every_report(users):
    seen = []
    services.submit(
        users["owner"], "test.count", foreground=True, echo=lambda *a: seen.append(a), n=4
    )
    assert seen == [(i, 4, "counting") for i in range(1, 5)]


def test_a_failing_job_is_marked_failed_with_its_message(users):
    job = services.submit(users["owner"], "test.fail", foreground=True)
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.message == "磁盘空间不足"
    assert (job.done, job.total) == (3, 10) and job.finished_at and job.result is None
    state = client_for(users["owner"]).get(reverse("jobs:progress_json", args=[job.pk])).json()
    assert state["status"] == "failed" and state["message"] == "磁盘空间不足"

    crashed = services.submit(users["owner"], "test.crash", foreground=True)
    crashed.refresh_from_db()
    assert crashed.status == Status.FAILED and "RuntimeError" in crashed.message
    assert "internal detail" not in crashed.message


def test_another_user_cannot_see_the_progress(users, client):
    job = services.submit(users["owner"], "test.count", n=3)  # queued: no commit in a test
    urls = [reverse("jobs:progress_json", args=[job.pk]), reverse("jobs:progress", args=[job.pk])]
    for url in urls:
        assert client_for(users["owner"]).get(url).status_code == 200
        assert client_for(users["other"]).get(url).status_code == 404
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("ui:login"))
    admin = create_user(system_actor(), username="root", password=PASSWORD, full_name="root")
    assign_role(system_actor(), user=admin, role=Role.SYSTEM_ADMIN, valid_from=LONG_AGO)
    assert client_for(admin).get(urls[0]).status_code == 200
    assert (
        client_for(users["other"]).get(reverse("jobs:progress", args=[job.pk + 99])).status_code
        == 404
    )


def test_the_bar_polls_every_second_until_the_worker_is_done(users, monkeypatch):
    monkeypatch.setenv("JICENG_JOBS", "worker")
    first = services.submit(users["owner"], "test.count", n=2)
    second = services.submit(users["owner"], "test.count", n=3)
    owner = client_for(users["owner"])
    bar = owner.get(reverse("jobs:progress", args=[first.pk]))
    body = bar.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'role="progressbar"' in body
    assert "HX-Refresh" not in bar

    call_command("worker", "--once")
    assert list(Job.objects.order_by("pk").values_list("status", flat=True)) == ["done", "done"]
    assert runner.claim(second.pk) is None  # a finished job is never claimed again
    bar = owner.get(reverse("jobs:progress", args=[first.pk]))
    assert "hx-trigger" not in bar.content.decode() and bar["HX-Refresh"] == "true"
    assert "100%" in bar.content.decode()


def test_jobs_left_by_a_stopped_process_are_marked_failed(users):
    job = Job.objects.create(
        kind="test.count",
        created_by=users["owner"],
        status=Status.RUNNING,
        worker=f"{socket.gethostname()}:999999999:1",
    )
    alive = Job.objects.create(
        kind="test.count",
        created_by=users["owner"],
        status=Status.RUNNING,
        worker=runner.ident(),
    )
    assert runner.recover_stale() == 1
    job.refresh_from_db()
    alive.refresh_from_db()
    assert job.status == Status.FAILED and job.message and alive.status == Status.RUNNING


def test_only_known_kinds_for_signed_in_users(users):
    with pytest.raises(ValidationError):
        services.submit(users["owner"], "no.such.kind")
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.submit(AnonymousUser(), "test.count", n=1)
    assert not Job.objects.exists()


# Committed for real, so the pool's thread sees the job. The flush that ends such a test
# leaves the audit log alone (its triggers refuse TRUNCATE): only these apps are flushed.
THREAD_TEST_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "axes",
    "jiceng.orgs",
    "jiceng.access",
    "jiceng.jobs",
]


@pytest.mark.django_db(transaction=True, available_apps=THREAD_TEST_APPS)
def test_a_job_runs_on_the_thread_pool_after_commit(monkeypatch):
    """The development default: the web process runs the job on a thread once the
    transaction commits; its progress can be watched from another request meanwhile."""
    monkeypatch.setenv("JICENG_JOBS", "thread")
    monkeypatch.setattr(runner, "_pool", None)
    reached.clear()
    release.clear()
    owner = User.objects.create_user(username="owner", password=PASSWORD)
    job = services.submit(owner, "test.wait")
    try:
        assert reached.wait(timeout=30)  # the job is running, blocked half way
        state = client_for(owner).get(reverse("jobs:progress_json", args=[job.pk])).json()
        assert (state["status"], state["done"], state["total"]) == ("running", 5, 10)
    finally:
        release.set()
        runner._pool.shutdown(wait=True)
        monkeypatch.setattr(runner, "_pool", None)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.result == {"waited": True} and job.done == 10

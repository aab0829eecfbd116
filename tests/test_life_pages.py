"""The organizational-life pages: calendar, scheduling, the meeting page (sign-in code, QR code,
live attendance, leave, minutes, tasks, corrections), sign-in, "my meetings", notifications,
the annual plan, and the minutes book and plan as Word documents (page and `jiceng export`)."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document

from jiceng.access.models import Role
from jiceng.access.services import assign_role, create_user
from jiceng.demo.names import id_number
from jiceng.life import services
from jiceng.life.models import (
    ActionItem,
    ActivityPlan,
    Attendance,
    Correction,
    LeaveRequest,
    Meeting,
    Minutes,
    Notification,
)
from jiceng.people.services import enrol_member, register_person
from tests.conftest import PASSWORD

NOW = timezone.now()
TODAY = timezone.localdate()


@pytest.fixture
def life(world):
    """Branch A1 with four full members, three of whom log in (m1, m2, m3); one of B1."""
    people = {}
    for n, name in enumerate(["甲委员", "乙委员", "丙委员", "丁党员"], 1):
        p = register_person(
            world.system,
            org=world.branch_a1,
            name=name,
            id_number=id_number(dt.date(1980, 1, n), n),
        )
        enrol_member(
            world.system, p, org=world.branch_a1, stage="full", joined_on=dt.date(2005, 7, 1)
        )
        people[name] = p
    other = register_person(
        world.system,
        org=world.branch_b1,
        name="新华党员",
        id_number=id_number(dt.date(1981, 1, 1), 9),
    )
    enrol_member(
        world.system, other, org=world.branch_b1, stage="full", joined_on=dt.date(2005, 7, 1)
    )
    users = {}
    for username, name in [("m1", "甲委员"), ("m2", "乙委员"), ("m3", "丙委员")]:
        u = create_user(
            world.system, username=username, password=PASSWORD, full_name=name, person=people[name]
        )
        assign_role(world.system, user=u, role=Role.MEMBER, org=world.branch_a1)
        users[username] = u
    users["b1"] = create_user(world.system, username="b1", password=PASSWORD, person=other)
    world.people = people
    world.other = other
    world.members = users
    return world


def committee(world, *, starts_at=None, minutes=60, topic="研究七月主题党日安排"):
    starts_at = starts_at or NOW - dt.timedelta(minutes=5)
    return services.schedule_meeting(
        world.users["a1_officer"],
        world.branch_a1,
        kind="branch_committee",
        topic=topic,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        place="社区党群服务中心",
        host=world.people["甲委员"],
        recorder=world.people["乙委员"],
        attendees=[world.people[n] for n in ("甲委员", "乙委员", "丙委员")],
    )


def url(name, *args):
    return reverse(f"life:{name}", args=args)


# --- pages for the right users, 404 for others ----------------------------------------------


def test_calendar_shows_the_month_to_the_branch_and_404_to_others(life, login):
    m = committee(life)
    officer = login(life.users["a1_officer"])
    page = officer.get(url("calendar", "A1"))
    assert page.status_code == 200
    body = page.content.decode()
    assert m.topic in body and 'id="month-grid"' in body and 'id="month-list"' in body
    assert url("schedule", "A1") in body
    member = login(life.members["m3"]).get(url("calendar", "A1"))
    assert member.status_code == 200 and url("schedule", "A1") not in member.content.decode()
    for intruder in ("a2_officer", "viewer", "nobody"):
        response = login(life.users[intruder]).get(url("calendar", "A1"))
        assert response.status_code == 404
        assert m.topic not in response.content.decode()


def test_the_organization_page_and_my_record_link_here(life, login):
    officer = login(life.users["a1_officer"])
    assert (
        url("calendar", "A1")
        in officer.get(reverse("orgs:org_detail", args=["A1"])).content.decode()
    )
    me = login(life.members["m1"]).get(reverse("people:my_record")).content.decode()
    assert url("my_meetings") in me


def test_meeting_page_404_for_other_organizations(life, login):
    m = committee(life)
    for intruder in ("a2_officer", "viewer", "nobody", "expired"):
        client = login(life.users[intruder])
        for name in ("meeting", "attendance", "leave", "edit"):
            response = client.get(url(name, m.pk))
            assert response.status_code == 404, (intruder, name)
            assert m.topic not in response.content.decode()
    b1 = login(life.members["b1"])
    assert b1.get(url("sign_in_token", m.sign_in_token)).status_code == 404


# --- scheduling ------------------------------------------------------------------------------


def test_the_schedule_form_writes_through_the_service_and_notifies(life, login):
    officer = login(life.users["a1_officer"])
    start = timezone.localtime(NOW + dt.timedelta(days=3)).replace(hour=9, minute=0)
    ids = [life.people[n].pk for n in ("甲委员", "乙委员", "丙委员")]
    response = officer.post(
        url("schedule", "A1"),
        {
            "kind": "branch_committee",
            "topic": "研究发展党员工作",
            "day": start.date().isoformat(),
            "start": "09:00",
            "end": "10:30",
            "place": "会议室",
            "host": ids[0],
            "recorder": ids[1],
            "attendees": ids,
        },
    )
    m = Meeting.objects.get(topic="研究发展党员工作")
    assert response.status_code == 302 and response["Location"] == url("meeting", m.pk)
    assert m.expected_count == 3 and m.org == life.branch_a1
    assert timezone.localtime(m.starts_at).hour == 9
    assert Notification.objects.filter(user=life.members["m3"], text__contains=m.topic).exists()
    badge = login(life.members["m3"]).get(url("my_meetings")).content.decode()  # the navbar
    assert 'id="unread-count">1<' in badge
    page = login(life.members["m3"]).get(url("notifications")).content.decode()
    assert m.topic in page


def test_the_schedule_form_shows_refusals_in_chinese(life, login):
    officer = login(life.users["a1_officer"])
    response = officer.post(
        url("schedule", "A1"),
        {
            "kind": "branch_committee",
            "topic": "缺少人员",
            "day": TODAY.isoformat(),
            "start": "09:00",
            "end": "08:00",
        },
    )
    assert response.status_code == 200
    assert "会议结束时间须晚于开始时间" in response.content.decode()
    response = officer.post(
        url("schedule", "A1"),
        {
            "kind": "branch_committee",
            "topic": "缺少人员",
            "day": TODAY.isoformat(),
            "start": "09:00",
            "end": "10:00",
        },
    )
    assert response.status_code == 200 and not Meeting.objects.filter(topic="缺少人员").exists()
    assert 'class="invalid-feedback d-block"' in response.content.decode()


def test_members_may_not_schedule(life, login):
    response = login(life.members["m1"]).get(url("schedule", "A1"))
    assert response.status_code == 403
    assert login(life.users["a2_officer"]).get(url("schedule", "A1")).status_code == 404


# --- the meeting page during the meeting ------------------------------------------------------


def test_the_recorder_sees_the_code_and_qr_code_members_do_not(life, login):
    m = committee(life)
    recorder = login(life.members["m2"]).get(url("meeting", m.pk)).content.decode()
    assert m.sign_in_code in recorder and "<svg" in recorder and 'id="mark-held"' in recorder
    member = login(life.members["m3"]).get(url("meeting", m.pk)).content.decode()
    assert m.sign_in_code not in member and "<svg" not in member
    assert 'id="my-sign-in"' in member and 'id="my-leave"' in member


def test_members_sign_in_with_the_code_and_the_qr_link(life, login):
    m = committee(life)
    m1 = login(life.members["m1"])
    response = m1.post(url("sign_in"), {"code": m.sign_in_code})
    assert response.status_code == 302 and response["Location"] == url("my_meetings")
    row = Attendance.objects.get(meeting=m, person=life.people["甲委员"])
    assert row.presence == "present" and row.method == "code"
    assert "已签到" in m1.get(url("my_meetings")).content.decode()

    m3 = login(life.members["m3"])
    confirm = m3.get(url("sign_in_token", m.sign_in_token))
    assert confirm.status_code == 200 and m.topic in confirm.content.decode()
    assert Attendance.objects.get(meeting=m, person=life.people["丙委员"]).presence == "expected"
    m3.post(url("sign_in_token", m.sign_in_token))
    assert Attendance.objects.get(meeting=m, person=life.people["丙委员"]).method == "qr"
    m.refresh_from_db()
    assert m.present_count == 2

    wrong = m3.post(url("sign_in"), {"code": "000000" if m.sign_in_code != "000000" else "111111"})
    assert wrong.status_code == 200 and "签到码" in wrong.content.decode()
    # Another organization's member cannot use the code.
    outsider = login(life.members["b1"]).post(url("sign_in"), {"code": m.sign_in_code})
    assert (
        outsider.status_code == 200
        and not Attendance.objects.filter(meeting=m, person=life.other).exists()
    )


def test_sign_in_outside_the_window_is_refused_on_the_page(life, login):
    m = committee(life, starts_at=NOW + dt.timedelta(days=2))
    response = login(life.members["m1"]).post(url("sign_in"), {"code": m.sign_in_code})
    body = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback d-block" in body
    assert m.topic in body  # "sign-in for <topic> opens at …"
    assert Attendance.objects.get(meeting=m, person=life.people["甲委员"]).presence == "expected"


def test_leave_is_asked_and_approved_and_the_recorder_signs_in_a_member(life, login):
    m = committee(life)
    m3 = login(life.members["m3"])
    assert m3.get(url("leave", m.pk)).status_code == 200
    m3.post(url("leave", m.pk), {"reason": "出差在外"})
    leave = LeaveRequest.objects.get(meeting=m)
    officer = login(life.users["a1_officer"])
    page = officer.get(url("attendance", m.pk)).content.decode()
    assert "出差在外" in page and "approve-leave" in page
    partial = officer.post(
        url("decide_leave", m.pk), {"leave": leave.pk, "approve": "1"}, HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200 and 'id="attendance"' in partial.content.decode()
    assert "<html" not in partial.content.decode()
    leave.refresh_from_db()
    assert leave.decision == "approved"
    # The recorder (a member, not an officer) signs in someone who has no phone.
    recorder = login(life.members["m2"])
    recorder.post(url("sign_in_for", m.pk), {"person": life.people["甲委员"].pk})
    row = Attendance.objects.get(meeting=m, person=life.people["甲委员"])
    assert row.presence == "present" and row.method == "recorder"
    page = recorder.get(url("meeting", m.pk)).content.decode()
    assert 'id="count-present">1<' in page and 'id="count-leave">1<' in page
    # A plain member cannot sign others in.
    login(life.members["m3"]).post(url("sign_in_for", m.pk), {"person": life.people["乙委员"].pk})
    assert Attendance.objects.get(meeting=m, person=life.people["乙委员"]).presence == "expected"


def test_the_minutes_editor_and_tasks_write_through_the_services(life, login):
    m = committee(life)
    recorder = login(life.members["m2"])
    data = {
        "content": "传达学习上级文件精神。",
        "item-TOTAL_FORMS": "2",
        "item-INITIAL_FORMS": "0",
        "item-MIN_NUM_FORMS": "0",
        "item-MAX_NUM_FORMS": "200",
        "item-0-kind": "speech",
        "item-0-speaker": life.people["甲委员"].pk,
        "item-0-text": "要按时开展主题党日。",
        "item-1-kind": "resolution",
        "item-1-speaker": "",
        "item-1-text": "七月主题党日到敬老院开展志愿服务。",
    }
    response = recorder.post(url("minutes", m.pk), data)
    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=m)
    assert minutes.content == "传达学习上级文件精神。"
    assert [i.kind for i in minutes.items.all()] == ["speech", "resolution"]
    recorder.post(
        url("add_action", m.pk),
        {
            "action-text": "联系敬老院",
            "action-owner": life.people["丙委员"].pk,
            "action-due_on": (TODAY + dt.timedelta(days=10)).isoformat(),
        },
    )
    item = ActionItem.objects.get(meeting=m)
    assert item.owner == life.people["丙委员"]
    page = recorder.get(url("meeting", m.pk)).content.decode()
    assert "联系敬老院" in page and "要按时开展主题党日。" in page
    recorder.post(url("mark_held", m.pk))
    m.refresh_from_db()
    assert m.status == "held"


def _frozen_meeting_with_minutes(world):
    """A meeting held ten days ago, with minutes, attendance and leave; then the freeze date
    passes (the test moves it, as the calendar would)."""
    officer = world.users["a1_officer"]
    start = NOW - dt.timedelta(days=10)
    m = committee(world, starts_at=start, topic="研究上半年党费收缴")
    Meeting.objects.filter(pk=m.pk).update(freezes_on=TODAY + dt.timedelta(days=1))
    m.refresh_from_db()
    services.sign_in(world.members["m1"], code=m.sign_in_code, now=start)
    services.sign_in(world.members["m2"], code=m.sign_in_code, now=start)
    leave = services.request_leave(world.members["m3"], m, reason="生病住院", now=start)
    services.decide_leave(officer, leave, approve=True)
    services.mark_held(officer, m)
    services.save_minutes(
        officer,
        m,
        content="通报党费收缴情况。",
        items=[("resolution", "下月底前完成补缴。", None)],
    )
    services.add_action_item(
        officer, m, text="催缴党费", owner=world.people["甲委员"], due_on=TODAY
    )
    Meeting.objects.filter(pk=m.pk).update(freezes_on=TODAY - dt.timedelta(days=1))
    m.refresh_from_db()
    return m


def test_after_the_freeze_edits_are_refused_and_corrections_appended(life, login):
    m = _frozen_meeting_with_minutes(life)
    officer = login(life.users["a1_officer"])
    page = officer.get(url("meeting", m.pk)).content.decode()
    assert 'id="frozen-note"' in page and 'id="minutes-form"' not in page
    assert 'id="correction-form"' in page
    refused = officer.post(
        url("minutes", m.pk),
        {
            "content": "改写后的内容",
            "item-TOTAL_FORMS": "0",
            "item-INITIAL_FORMS": "0",
            "item-MIN_NUM_FORMS": "0",
            "item-MAX_NUM_FORMS": "200",
        },
    )
    assert refused.status_code == 400 and "锁定" in refused.content.decode()
    assert Minutes.objects.get(meeting=m).content == "通报党费收缴情况。"
    done = officer.post(
        url("correction", m.pk),
        {
            "correction-target": "content",
            "correction-new": "通报上半年党费收缴情况。",
            "correction-reason": "原记录漏写“上半年”",
        },
    )
    assert done.status_code == 302
    c = Correction.objects.get(meeting=m)
    assert c.old == "通报党费收缴情况。" and c.new == "通报上半年党费收缴情况。"
    page = officer.get(url("meeting", m.pk)).content.decode()
    assert "通报上半年党费收缴情况。" in page and "原记录漏写" in page
    correction_html = page[page.index('id="correction-list"') :]
    assert "更正" in correction_html and "会议内容" in correction_html  # what was corrected
    assert "通报党费收缴情况。" in page  # the original stays, shown as such
    # A member cannot append corrections.
    member = login(life.members["m3"]).post(
        url("correction", m.pk),
        {"correction-target": "content", "correction-new": "x", "correction-reason": "y"},
    )
    assert member.status_code in (400, 403) and Correction.objects.filter(meeting=m).count() == 1


# --- my meetings, plan, documents -------------------------------------------------------------


def test_my_meetings_lists_the_members_meetings_only(life, login):
    m = committee(life)
    page = login(life.members["m3"]).get(url("my_meetings")).content.decode()
    assert m.topic in page and url("leave", m.pk) in page
    page = login(life.members["b1"]).get(url("my_meetings")).content.decode()
    assert m.topic not in page


def test_the_annual_plan_page_saves_through_the_service_and_downloads(life, login):
    year = TODAY.year
    officer = login(life.users["a1_officer"])
    data = {
        "note": "全年坚持“三会一课”制度。",
        "item-TOTAL_FORMS": "3",
        "item-INITIAL_FORMS": "0",
        "item-MIN_NUM_FORMS": "0",
        "item-MAX_NUM_FORMS": "200",
        "item-0-month": "3",
        "item-0-kind": "branch_general",
        "item-0-topic": "第一季度党员大会",
        "item-1-month": "7",
        "item-1-kind": "party_lecture",
        "item-1-topic": "书记讲党课",
        "item-2-month": "",
        "item-2-kind": "",
        "item-2-topic": "",
    }
    response = officer.post(url("plan", "A1") + f"?year={year}", data)
    assert response.status_code == 302
    plan = ActivityPlan.objects.get(org=life.branch_a1, year=year)
    assert [(i.month, i.topic) for i in plan.items.all()] == [
        (3, "第一季度党员大会"),
        (7, "书记讲党课"),
    ]
    page = login(life.members["m1"]).get(url("plan", "A1") + f"?year={year}").content.decode()
    assert "书记讲党课" in page and 'id="plan-form"' not in page
    assert login(life.members["m1"]).post(url("plan", "A1"), data).status_code == 403
    assert login(life.users["a2_officer"]).get(url("plan", "A1")).status_code == 404
    download = officer.get(url("plan_document", "A1") + f"?year={year}")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(
        b"".join(download.streaming_content) if download.streaming else download.content
    )
    assert "组织生活计划" in text and "书记讲党课" in text and "7月" in text
    assert "全年坚持“三会一课”制度。" in text


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_minutes_book_holds_the_years_meetings_minutes_counts_and_corrections(life, login):
    m = _frozen_meeting_with_minutes(life)
    services.add_correction(
        life.users["a1_officer"],
        m,
        target="content",
        new="通报上半年党费收缴情况。",
        reason="原记录漏写“上半年”",
    )
    later = committee(life, starts_at=NOW + dt.timedelta(days=1), topic="研究下半年工作")
    year = timezone.localtime(m.starts_at).year
    response = login(life.users["a1_officer"]).get(url("minutes_book", "A1") + f"?year={year}")
    assert response.status_code == 200
    text = _docx_text(response.content)
    assert "会议记录本" in text and m.topic in text
    assert "通报党费收缴情况。" in text and "下月底前完成补缴。" in text
    assert "应到3人，实到2人，请假1人，缺席0人" in text
    assert "【更正】" in text and "更正记录" in text and "通报上半年党费收缴情况。" in text
    assert "原记录漏写" in text
    assert "催缴党费" in text and "丙委员" in text  # the task; the member on leave
    if timezone.localtime(later.starts_at).year == year:
        assert later.topic in text  # listed, not yet held
    assert login(life.users["a2_officer"]).get(url("minutes_book", "A1")).status_code == 404


def test_the_export_command_writes_the_minutes_book(life, tmp_path):
    m = _frozen_meeting_with_minutes(life)
    year = timezone.localtime(m.starts_at).year
    out = tmp_path / "book.docx"
    call_command("export", "minutes-book", "--org", "A1", "--year", str(year), "-o", str(out))
    text = _docx_text(out.read_bytes())
    assert m.topic in text and "通报党费收缴情况。" in text
    with pytest.raises(CommandError, match="--year"):
        call_command("export", "minutes-book", "--org", "A1", "-o", str(out))
    with pytest.raises(CommandError):
        call_command("export", "minutes-book", "--year", str(year), "-o", str(out))
    # Acting as a user of another branch: the organization is out of sight.
    with pytest.raises(CommandError):
        call_command(
            "export",
            "minutes-book",
            "--org",
            "A1",
            "--year",
            str(year),
            "-o",
            str(out),
            "--as",
            "a2_officer",
        )
    # Sheet kinds are still there.
    sheet = tmp_path / "orgs.xlsx"
    call_command("export", "orgs", "--org", "SA", "-o", str(sheet))
    assert sheet.exists()


# --- compliance ------------------------------------------------------------------------------


def test_the_compliance_dashboard_drills_down_to_the_meeting(life, login):
    m = committee(life)
    for name in ("m1", "m2"):
        services.sign_in(life.members[name], code=m.sign_in_code)
    services.mark_held(life.users["a1_officer"], m)
    year = TODAY.year
    street = login(life.users["street_a_admin"])
    page = street.get(url("compliance") + f"?org=SA&year={year}").content.decode()
    assert 'id="compliance-children"' in page
    assert "?org=A1&amp;year=" in page or "?org=A1&year=" in page
    page = street.get(url("compliance") + f"?org=A1&year={year}").content.decode()
    committee_row = page[page.index('id="kind-branch_committee"') :].split("</li>")[0]
    # This month's committee meeting was held with a quorum: the current period is met (the
    # earlier months of the year, before the records began, count as missed).
    assert 'data-met="yes"' in committee_row
    general_row = page[page.index('id="kind-branch_general"') :].split("</li>")[0]
    assert 'data-met="no"' in general_row
    assert url("meeting", m.pk) in page
    # Another street's viewer cannot drill into A1.
    assert login(life.users["viewer"]).get(url("compliance") + "?org=A1").status_code == 404
    assert login(life.users["a2_officer"]).get(url("compliance") + "?org=A1").status_code == 404


def test_the_export_command_writes_the_plan_and_a_pdf(life, tmp_path):
    from jiceng.documents import libreoffice

    year = TODAY.year
    services.save_plan(
        life.users["a1_officer"],
        life.branch_a1,
        year=year,
        items=[(5, "theme_day", "重温入党誓词")],
    )
    out = tmp_path / "plan.docx"
    call_command("export", "activity-plan", "--org", "A1", "--year", str(year), "-o", str(out))
    assert "重温入党誓词" in _docx_text(out.read_bytes())
    with pytest.raises(CommandError, match=r"\.docx"):
        call_command("export", "activity-plan", "--org", "A1", "--year", str(year), "-o", "x.txt")
    if libreoffice() is None:
        pytest.skip("LibreOffice is not installed")
    book = tmp_path / "book.docx"
    call_command(
        "export", "minutes-book", "--org", "A1", "--year", str(year), "-o", str(book), "--pdf"
    )
    pdf = book.with_suffix(".pdf")
    assert book.exists() and pdf.read_bytes().startswith(b"%PDF-")


def test_attachments_are_uploaded_and_downloaded_by_the_branch_only(
    life, login, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    m = committee(life)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    recorder = login(life.members["m2"])
    response = recorder.post(
        url("add_attachment", m.pk), {"file": SimpleUploadedFile("合影.png", png, "image/png")}
    )
    assert response.status_code == 302
    page = recorder.get(url("meeting", m.pk)).content.decode()
    assert "合影.png" in page
    pk = m.attachments.get().pk
    download = login(life.users["a1_officer"]).get(url("attachment", m.pk) + f"?id={pk}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == png
    assert (
        login(life.users["a2_officer"]).get(url("attachment", m.pk) + f"?id={pk}").status_code
        == 404
    )
    refused = recorder.post(
        url("add_attachment", m.pk), {"file": SimpleUploadedFile("a.exe", b"MZ" + b"\0" * 10)}
    )
    assert refused.status_code == 400 and "invalid-feedback d-block" in refused.content.decode()


def test_a_refused_htmx_sign_in_is_explained_in_the_attendance_list(life, login):
    m = committee(life, starts_at=NOW + dt.timedelta(days=2))
    response = login(life.members["m2"]).post(
        url("sign_in_for", m.pk), {"person": life.people["甲委员"].pk}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'class="alert alert-warning' in body and m.topic in body
    assert Attendance.objects.get(meeting=m, person=life.people["甲委员"]).presence == "expected"


# --- my tasks, periods and meetings held by kind ---------------------------------------------


def test_my_meetings_shows_my_open_tasks_and_i_close_them_there(life, login):
    m = committee(life)
    item = services.add_action_item(
        life.users["a1_officer"],
        m,
        text="联系敬老院",
        owner=life.people["丙委员"],
        due_on=TODAY + dt.timedelta(days=10),
    )
    owner = login(life.members["m3"])
    page = owner.get(url("my_meetings")).content.decode()
    assert 'id="my-tasks"' in page and "联系敬老院" in page and "我负责的未完成任务" in page
    assert f"来自“{m.topic}”" in page
    for other in ("m1", "b1"):  # another member of the branch, a member of another branch
        client = login(life.members[other])
        assert "联系敬老院" not in client.get(url("my_meetings")).content.decode()
        response = client.post(url("close_my_task"), {"item": item.pk, "follow_up": "冒名"})
        assert response.status_code == 404
    item.refresh_from_db()
    assert item.closed_on is None
    response = owner.post(url("close_my_task"), {"item": item.pk, "follow_up": "已联系"})
    assert response.status_code == 302 and response["Location"].endswith("#my-tasks")
    item.refresh_from_db()
    assert (item.closed_on, item.follow_up, item.closed_by) == (TODAY, "已联系", life.members["m3"])
    assert "联系敬老院" not in owner.get(url("my_meetings")).content.decode()


def test_the_compliance_dashboard_picks_a_quarter_or_month_and_shows_held_by_kind(life, login):
    m = committee(life)
    for name in ("m1", "m2"):
        services.sign_in(life.members[name], code=m.sign_in_code)
    services.mark_held(life.users["a1_officer"], m)
    year, month = TODAY.year, f"{TODAY.month:02d}"
    quarter = f"Q{(TODAY.month - 1) // 3 + 1}"
    street = login(life.users["street_a_admin"])
    for part in (month, quarter, ""):
        query = f"?org=SA&year={year}" + (f"&part={part}" if part else "")
        page = street.get(url("compliance") + query).content.decode()
        table = page[page.index('id="held-by-kind"') :].split("</table>")[0]
        assert "支委会" in table and '<td class="text-end">1</td>' in table
        assert f'<option value="{part}" selected>' in page
        if part:  # drill-down keeps the period
            assert f"?org=A1&amp;year={year}&amp;part={part}" in page
    page = street.get(url("compliance") + f"?org=SA&year={year}&part={month}").content.decode()
    first = TODAY.replace(day=1)
    assert f"{first:%Y-%m-%d}–" in page  # the month's dates
    assert "全年" in page and "第一季度" in page and f"{TODAY.month}月" in page
    other = "Q1" if quarter != "Q1" else "Q2"
    page = street.get(url("compliance") + f"?org=SA&year={year}&part={other}").content.decode()
    assert 'id="held-by-kind"' not in page  # nothing held in that quarter
    assert street.get(url("compliance") + f"?org=SA&year={year}&part=Q5").status_code == 404
    assert login(life.users["viewer"]).get(url("compliance") + "?org=SA&part=Q1").status_code == 404


def test_the_life_command_prints_and_writes_the_compliance_figures(life, tmp_path, capsys):
    import json

    from openpyxl import load_workbook

    m = committee(life)
    for name in ("m1", "m2"):
        services.sign_in(life.members[name], code=m.sign_in_code)
    services.mark_held(life.users["a1_officer"], m)
    period = f"{TODAY.year}-{TODAY.month:02d}"
    args = ["life", "compliance", "--org", "SA", "--period", period]
    call_command(*args, "--format", "json", "--as", "street_a_admin")
    data = json.loads(capsys.readouterr().out)
    assert (data["org"], data["period"], data["start"]) == ("SA", period, f"{period}-01")
    assert data["totals"]["held_by_kind"] == {"branch_committee": 1}
    assert data["totals"]["attendance"] == {"numerator": 2, "denominator": 3, "rate": 66.7}
    a1 = next(c for c in data["children"] if c["code"] == "A1")
    assert a1["meetings_held"] == 1 and a1["compliance"]["denominator"] >= 0
    assert {r["code"] for r in data["rows"]} >= {"A1", "A2"}
    out = tmp_path / "compliance.xlsx"
    call_command(*args, "--format", "xlsx", "-o", str(out), "--as", "street_a_admin")
    book = load_workbook(out)
    kinds = [row for row in book["按种类"].iter_rows(values_only=True)]
    assert ("支委会", 1) in kinds and ("合计", 1) in kinds
    lines = list(book["达标情况"].iter_rows(values_only=True))
    assert any(r[1] == "A1" and r[-1] == 1 for r in lines[2:])
    with pytest.raises(CommandError, match="无权查看"):
        call_command(*args, "--as", "viewer")  # another street's viewer
    with pytest.raises(CommandError, match="期间"):
        call_command("life", "compliance", "--org", "SA", "--period", "2026Q5")


def test_my_record_shows_my_attendance_coming_meetings_and_open_tasks(life, login):
    held = committee(life)
    services.sign_in(life.members["m1"], code=held.sign_in_code)
    services.mark_held(life.users["a1_officer"], held)
    services.add_action_item(
        life.users["a1_officer"], held, text="走访慰问", owner=life.people["甲委员"], due_on=TODAY
    )
    coming = committee(life, starts_at=NOW + dt.timedelta(days=3), topic="研究下月工作")
    body = login(life.members["m1"]).get(reverse("people:my_record")).content.decode()
    panel = body.split('id="my-life"')[1].split("</section>")[0]
    assert "近六个月：已召开的 1 次会议中出席 1 次，请假 0 次。" in panel
    assert coming.topic in panel and "有 1 项交办给您的任务尚未完成" in panel
    other = login(life.members["m2"]).get(reverse("people:my_record")).content.decode()
    assert "已召开的 1 次会议中出席 0 次" in other and "交办给您的任务" not in other  # absent

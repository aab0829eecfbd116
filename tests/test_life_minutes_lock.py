"""The recorder locks the minutes by hand; a meeting marked held keeps sign-in open until its
window ends; the menu leads to the meetings and to "my meetings"."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiceng.audit.models import AuditEvent
from jiceng.life import services
from jiceng.life.models import Attendance, Meeting, Minutes
from tests import test_life_pages
from tests.test_life_pages import NOW, committee, url

life = test_life_pages.life  # the same fixture: branch A1 with its members

MINUTES = {
    "content": "传达学习上级文件精神。",
    "item-TOTAL_FORMS": "0",
    "item-INITIAL_FORMS": "0",
    "item-MIN_NUM_FORMS": "0",
    "item-MAX_NUM_FORMS": "200",
}


def held_meeting_with_minutes(world):
    m = committee(world)
    recorder = world.members["m2"]
    services.save_minutes(recorder, m, content="传达学习上级文件精神。")
    services.mark_held(recorder, m)
    return Meeting.objects.get(pk=m.pk)


def test_the_recorder_locks_the_minutes_and_edits_are_refused_in_chinese(life, login):
    m = held_meeting_with_minutes(life)
    recorder = login(life.members["m2"])
    page = recorder.get(url("meeting", m.pk)).content.decode()
    assert 'id="lock-minutes"' in page and "锁定会议记录" in page
    response = recorder.post(url("lock_minutes", m.pk))
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.minutes_locked_at is not None and m.minutes_locked_by == life.members["m2"]
    event = AuditEvent.objects.get(action="life.minutes.lock")
    assert event.object_id == str(m.pk)

    # The editor is gone and a posted edit is refused with the reason, in Chinese.
    page = recorder.get(url("meeting", m.pk)).content.decode()
    assert 'id="minutes-form"' not in page and 'id="lock-minutes"' not in page
    assert "会议记录已于" in page and "锁定" in page
    refused = recorder.post(url("minutes", m.pk), MINUTES | {"content": "改写"})
    assert "锁定" in refused.content.decode()
    assert Minutes.objects.get(meeting=m).content == "传达学习上级文件精神。"
    with pytest.raises(ValidationError) as exc:
        services.save_minutes(life.members["m2"], m, content="改写")
    assert "乙委员" in str(exc.value) and "不能再修改" in str(exc.value)
    # Locked records take appended corrections, as frozen ones do.
    services.add_correction(
        life.users["a1_officer"], m, target="content", new="更正内容", reason="笔误"
    )


def test_members_may_not_lock_and_a_meeting_not_held_cannot_be_locked(life, login):
    m = committee(life)
    services.save_minutes(life.members["m2"], m, content="草稿")
    with pytest.raises(ValidationError, match="已标记为召开"):
        services.lock_minutes(life.members["m2"], m)
    services.mark_held(life.members["m2"], m)
    member = login(life.members["m3"])
    assert 'id="lock-minutes"' not in member.get(url("meeting", m.pk)).content.decode()
    member.post(url("lock_minutes", m.pk))
    m.refresh_from_db()
    assert m.minutes_locked_at is None
    assert not AuditEvent.objects.filter(action="life.minutes.lock").exists()


def test_marking_held_keeps_sign_in_open_until_the_window_ends(life, login):
    m = committee(life)
    recorder = login(life.members["m2"])
    recorder.post(url("mark_held", m.pk))
    m.refresh_from_db()
    assert m.status == "held" and m.sign_in_closes > NOW
    # The recorder still shows the code; a late member still signs in, on the page and by code.
    page = recorder.get(url("meeting", m.pk)).content.decode()
    assert m.sign_in_code in page and 'id="sign-in-code"' in page
    member = login(life.members["m3"])
    page = member.get(url("meeting", m.pk)).content.decode()
    assert 'id="my-sign-in"' in page
    member.post(url("sign_in"), {"code": m.sign_in_code})
    assert Attendance.objects.get(meeting=m, person=life.people["丙委员"]).presence == "present"
    # The recorder signs in a member without a phone.
    recorder.post(url("sign_in_for", m.pk), {"person": life.people["甲委员"].pk})
    assert Attendance.objects.get(meeting=m, person=life.people["甲委员"]).presence == "present"
    m.refresh_from_db()
    assert m.present_count == 2


def test_after_the_window_a_held_meeting_offers_no_sign_in(life, login):
    start = NOW - dt.timedelta(hours=6)
    m = committee(life, starts_at=start)
    services.mark_held(life.members["m2"], m, now=start + dt.timedelta(minutes=30))
    page = login(life.members["m2"]).get(url("meeting", m.pk)).content.decode()
    assert 'id="sign-in-code"' not in page


def test_the_menu_links_to_meetings_and_my_meetings(life, login):
    page = login(life.members["m1"]).get(url("my_meetings")).content.decode()
    assert 'id="nav-meetings"' in page and 'id="nav-my-meetings"' in page
    assert f'href="{url("my_meetings")}"' in page
    assert "我的会议" in page and "组织生活" in page


def test_the_api_locks_the_minutes_and_refuses_members(life, login):
    m = held_meeting_with_minutes(life)
    path = f"/api/v1/life/meetings/{m.pk}/minutes/lock"
    refused = login(life.members["m3"]).post(path, content_type="application/json")
    assert refused.status_code == 403
    done = login(life.members["m2"]).post(path, content_type="application/json")
    assert done.status_code == 200 and done.json()["minutes_locked_at"]
    again = login(life.members["m2"]).post(path, content_type="application/json")
    assert again.status_code in (400, 422) and "锁定" in again.content.decode()

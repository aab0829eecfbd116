"""Organizational life, the writes: scheduling by policy, live sign-in, leave, quorum, minutes
that freeze, corrections, action items, attachments — each refused across organizations."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.access.models import Role
from jiceng.access.services import assign_role, create_user
from jiceng.audit.models import AuditEvent
from jiceng.demo.names import id_number
from jiceng.life import services
from jiceng.life.models import (
    Attendance,
    LeaveDecision,
    Meeting,
    MeetingStatus,
    Minutes,
    Notification,
    Presence,
)
from jiceng.orgs.models import Kind
from jiceng.orgs.services import set_up
from jiceng.orgs.services.policy import set_override
from jiceng.people.delegates import seat_delegate
from jiceng.people.services import enrol_member, register_person
from jiceng.people.unions import join_union

TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def refused(fn, *args, **kw) -> str:
    with pytest.raises(ValidationError) as err:
        fn(*args, **kw)
    return " ".join(m for ms in err.value.message_dict.values() for m in ms)


class People:
    """People of the test world, each with a login when `login=True`."""

    def __init__(self, world):
        self.world = world
        self.seq = 100
        self.users = {}

    def add(self, name, org, *, stage="full", login=True, role=Role.MEMBER):
        self.seq += 1
        p = register_person(
            self.world.system,
            org=org,
            name=name,
            id_number=id_number(dt.date(1980, 1, 1), self.seq),
            phone=f"139{self.seq:08d}",
        )
        if stage:
            enrol_member(
                self.world.system,
                p,
                org=org,
                stage=stage,
                joined_on=dt.date(2010, 7, 1),
                full_on=dt.date(2011, 7, 1) if stage == "full" else None,
            )
        if login:
            user = create_user(self.world.system, username=f"u{self.seq}", password=None, person=p)
            if role:
                assign_role(
                    self.world.system, user=user, role=role, org=org, valid_from=dt.date(2020, 1, 1)
                )
            self.users[name] = user
        return p


@pytest.fixture
def people(world):
    return People(world)


@pytest.fixture
def a1(world, people):
    """Branch A1: four full members, one probationary member; B1 and A2 have one each."""
    found = {n: people.add(n, world.branch_a1) for n in ["甲", "乙", "丙", "丁"]}
    found["预备"] = people.add("预备", world.branch_a1, stage="probationary")
    found["外支部"] = people.add("外支部", world.branch_b1)
    found["二支部"] = people.add("二支部", world.branch_a2)
    return found


def general(world, day=TOMORROW, officer="a1_officer", org=None, **kw):
    return services.schedule_meeting(
        world.users[officer],
        org or world.branch_a1,
        kind=kw.pop("kind", "branch_general"),
        topic=kw.pop("topic", "第四季度党员大会"),
        starts_at=at(day, 14),
        ends_at=at(day, 16),
        place="党员活动室",
        **kw,
    )


# -- scheduling ---------------------------------------------------------------------------------


def test_a_general_meeting_expects_the_branchs_members_and_notifies_them(
    world, a1, people, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        m = general(world)
    expected = set(m.attendance.values_list("person__name", flat=True))
    assert expected == {"甲", "乙", "丙", "丁", "预备"}  # not B1's or A2's members
    assert (m.expected_count, m.present_count, m.leave_count) == (5, 0, 0)
    assert len(m.sign_in_code) == 6 and m.sign_in_code.isdigit() and len(m.sign_in_token) == 43
    assert m.sign_in_opens == at(TOMORROW, 13, 30) and m.sign_in_closes == at(TOMORROW, 16, 30)
    assert m.freezes_on == TOMORROW + dt.timedelta(days=7)
    notes = Notification.objects.filter(user=people.users["甲"])
    assert notes.count() == 1 and "第四季度党员大会" in notes[0].text
    assert notes[0].url == f"/life/meetings/{m.pk}/"
    assert not Notification.objects.filter(user=people.users["外支部"]).exists()
    printed = capsys.readouterr().err
    assert printed.count("[通知]") == 5 and "第四季度党员大会" in printed
    assert "甲（139****0101）" in printed
    assert "13900000101" not in printed  # the console shows masked phones only


def test_the_sender_is_configurable(world, a1, settings, django_capture_on_commit_callbacks):
    sent.clear()
    settings.JICENG_NOTIFY_BACKEND = f"{__name__}.FakeSms"
    with django_capture_on_commit_callbacks(execute=True):
        general(world)
    assert len(sent) == 5 and all(phone.startswith("139") and len(phone) == 11 for phone, _ in sent)


def test_the_email_sender_mails_users_with_an_address(
    world, a1, people, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.life.notify.EmailSender"
    people.users["甲"].email = "jia@example.cn"
    people.users["甲"].save()
    with django_capture_on_commit_callbacks(execute=True):
        general(world)
    assert [m.to for m in mailoutbox] == [["jia@example.cn"]]  # the others have no address
    assert "第四季度党员大会" in mailoutbox[0].body and mailoutbox[0].subject == "基层通知"


sent = []


class FakeSms:
    channel = "sms"

    def send(self, address, text):
        sent.append((address, text))


def test_committee_and_chosen_kinds_expect_whom_the_secretary_picks(world, a1):
    officer = world.users["a1_officer"]
    m = general(world, kind="branch_committee", attendees=[a1["甲"], a1["乙"], a1["甲"]])
    assert sorted(m.attendance.values_list("person__name", flat=True)) == ["乙", "甲"]
    group = general(world, kind="party_group", attendees=[a1["丙"]])
    assert group.expected_count == 1
    assert "选择" in refused(general, world, kind="branch_committee")  # nobody picked
    # someone of another branch is not in A1's records as the officer sees them
    message = refused(general, world, kind="party_group", attendees=[a1["外支部"]])
    assert message
    # the kinds that follow from the records refuse a hand-picked list
    assert refused(general, world, attendees=[a1["甲"]])
    assert Meeting.objects.filter(created_by=officer).count() == 2


def test_voting_members_when_a_subtree_says_so(world, a1):
    set_override(
        world.users["district_admin"],
        key="life.kind.party_lecture.expected",
        org=world.street_a,
        value="voting_members",
        valid_from=dt.date(2020, 1, 1),
        reason="和组发〔2026〕3号",
    )
    m = general(world, kind="party_lecture", topic="书记讲党课")
    assert set(m.attendance.values_list("person__name", flat=True)) == {"甲", "乙", "丙", "丁"}
    b1 = general(world, kind="party_lecture", officer="district_admin", org=world.branch_b1)
    assert list(b1.attendance.values_list("person__name", flat=True)) == ["外支部"]  # default


@pytest.fixture
def union(world, people):
    u = set_up(
        world.system,
        code="U1",
        name="和平社区工会",
        kind=Kind.UNION,
        parent=world.union,
        founded_on=dt.date(2020, 1, 1),
    )
    members = {}
    for n, name in enumerate(["工一", "工二", "工三"]):
        p = people.add(name, u, stage=None)
        join_union(
            world.system, p, org=u, member_number=f"GH{n:04d}", joined_on=dt.date(2021, 1, 1)
        )
        members[name] = p
    gone = people.add("离会", u, stage=None)
    join_union(
        world.system,
        gone,
        org=u,
        member_number="GH9999",
        joined_on=dt.date(2021, 1, 1),
        left_on=dt.date(2022, 1, 1),
        status="left",
    )
    world.users["u1_officer"] = create_user(world.system, username="u1_officer", password=None)
    assign_role(
        world.system,
        user=world.users["u1_officer"],
        role=Role.OFFICER,
        org=u,
        valid_from=dt.date(2020, 1, 1),
    )
    seat_delegate(
        world.system, members["工一"], org=u, category="voting", valid_from=dt.date(2024, 1, 1)
    )
    seat_delegate(
        world.system, members["工二"], org=u, category="non_voting", valid_from=dt.date(2024, 1, 1)
    )
    return u, members


def test_union_kinds_expect_union_members_or_delegates(world, union):
    u, _members = union
    m = general(world, kind="union_assembly", officer="u1_officer", org=u, topic="会员大会")
    assert sorted(m.attendance.values_list("person__name", flat=True)) == ["工一", "工三", "工二"]
    c = general(world, kind="workers_congress", officer="u1_officer", org=u, topic="职代会")
    assert sorted(c.attendance.values_list("person__name", flat=True)) == ["工一", "工二"]
    # a Party kind at a union, or a union kind at a branch, is refused
    assert refused(general, world, kind="branch_general", officer="u1_officer", org=u)
    assert refused(general, world, kind="union_assembly")


def test_scheduling_is_refused_outside_ones_organizations(world, a1):
    with pytest.raises(PermissionDenied):
        general(world, officer="a2_officer")
    with pytest.raises(PermissionDenied):
        general(world, officer="a1_member")
    assert "结束" in refused(
        services.schedule_meeting,
        world.users["a1_officer"],
        world.branch_a1,
        kind="branch_general",
        topic="x",
        starts_at=at(TOMORROW, 16),
        ends_at=at(TOMORROW, 14),
    )


def test_moving_a_meeting_moves_its_window_and_tells_the_attendees(world, a1, people):
    m = general(world)
    later = TOMORROW + dt.timedelta(days=2)
    services.update_meeting(
        world.users["a1_officer"], m, starts_at=at(later, 9), ends_at=at(later, 11)
    )
    assert m.sign_in_opens == at(later, 8, 30) and m.freezes_on == later + dt.timedelta(days=7)
    assert Notification.objects.filter(user=people.users["甲"]).count() == 2
    with pytest.raises(PermissionDenied):
        services.update_meeting(world.users["a2_officer"], m, topic="越权")
    assert refused(services.update_meeting, world.users["a1_officer"], m, status="held")


# -- sign-in ------------------------------------------------------------------------------------


def test_sign_in_with_the_code_and_with_the_qr_token_inside_the_window(world, a1, people):
    m = general(world)
    during = at(TOMORROW, 14, 10)
    att = services.sign_in(people.users["甲"], code=m.sign_in_code, now=during)
    assert (att.presence, att.method, att.signed_at) == ("present", "code", during)
    qr = services.sign_in(people.users["乙"], token=m.sign_in_token, now=at(TOMORROW, 13, 45))
    assert qr.method == "qr"
    again = services.sign_in(people.users["甲"], code=m.sign_in_code, now=at(TOMORROW, 15))
    assert again.pk == att.pk and again.signed_at == during  # idempotent: first time kept
    m.refresh_from_db()
    assert m.present_count == 2
    assert Attendance.objects.filter(meeting=m, presence="present").count() == 2
    # spaces typed into the code are ignored
    spaced = f"{m.sign_in_code[:3]} {m.sign_in_code[3:]}"
    assert services.sign_in(people.users["丙"], code=spaced, now=during).presence == "present"


def test_sign_in_is_refused_outside_the_window(world, a1, people):
    m = general(world)
    user = people.users["甲"]
    early = refused(services.sign_in, user, code=m.sign_in_code, now=at(TOMORROW, 13, 29))
    assert "13:30" in early
    late = refused(services.sign_in, user, code=m.sign_in_code, now=at(TOMORROW, 16, 31))
    assert "16:30" in late and "过期" in late
    assert refused(services.sign_in, user, token=m.sign_in_token, now=at(TOMORROW, 17))
    m.refresh_from_db()
    assert m.present_count == 0


def test_sign_in_is_refused_with_a_wrong_code_for_a_cancelled_meeting_and_for_outsiders(
    world, a1, people
):
    m = general(world)
    during = at(TOMORROW, 14, 10)
    wrong = "000000" if m.sign_in_code != "000000" else "111111"
    assert "签到码" in refused(services.sign_in, people.users["甲"], code=wrong, now=during)
    assert refused(services.sign_in, people.users["甲"], token="x" * 43, now=during)
    assert refused(services.sign_in, people.users["甲"], now=during)  # no code at all
    # a member of another branch, with the right code or the QR token of A1's meeting
    outsider = people.users["外支部"]
    assert refused(services.sign_in, outsider, code=m.sign_in_code, now=during)
    assert "应到" in refused(services.sign_in, outsider, token=m.sign_in_token, now=during)
    # A2's meeting's code does not sign an A1 member in
    a2 = general(world, officer="a2_officer", org=world.branch_a2)
    assert refused(services.sign_in, people.users["甲"], code=a2.sign_in_code, now=during)
    # a user with no person record cannot sign in at all
    with pytest.raises(PermissionDenied):
        services.sign_in(world.users["a1_officer"], code=m.sign_in_code, now=during)
    services.cancel_meeting(world.users["a1_officer"], m, reason="台风停课")
    assert "取消" in refused(services.sign_in, people.users["甲"], code=m.sign_in_code, now=during)
    assert Attendance.objects.filter(presence="present").count() == 0


def test_the_recorder_signs_in_a_member_without_a_phone(world, a1, people):
    recorder = people.users["乙"]
    m = general(world, recorder=a1["乙"])
    during = at(TOMORROW, 14, 5)
    att = services.sign_in_for(recorder, m, a1["丁"], now=during)
    assert (att.presence, att.method, att.signed_by) == ("present", "recorder", recorder)
    officer_done = services.sign_in_for(world.users["a1_officer"], m, a1["丙"], now=during)
    assert officer_done.method == "recorder"
    # an ordinary member, another branch's officer, someone not expected, outside the window
    with pytest.raises(PermissionDenied):
        services.sign_in_for(people.users["甲"], m, a1["甲"], now=during)
    with pytest.raises(PermissionDenied):
        services.sign_in_for(world.users["a2_officer"], m, a1["甲"], now=during)
    assert refused(services.sign_in_for, recorder, m, a1["外支部"], now=during)
    assert refused(services.sign_in_for, recorder, m, a1["甲"], now=at(TOMORROW, 17))
    m.refresh_from_db()
    assert m.present_count == 2


# -- leave --------------------------------------------------------------------------------------


def test_leave_asked_and_approved_is_not_counted_absent(world, a1, people):
    m = general(world)
    officer = world.users["a1_officer"]
    leave = services.request_leave(people.users["丁"], m, reason="出差", now=at(TODAY, 9))
    assert leave.decision == LeaveDecision.PENDING
    assert "已" in refused(services.request_leave, people.users["丁"], m, reason="再请")
    with pytest.raises(PermissionDenied):
        services.decide_leave(world.users["a2_officer"], leave, approve=True)
    services.decide_leave(officer, leave, approve=True)
    m.refresh_from_db()
    assert (m.expected_count, m.present_count, m.leave_count) == (5, 0, 1)
    assert Attendance.objects.get(meeting=m, person=a1["丁"]).presence == Presence.ON_LEAVE
    assert Notification.objects.filter(user=people.users["丁"], text__contains="批准").exists()
    assert refused(services.decide_leave, officer, leave, approve=False)  # decided already

    other = services.request_leave(people.users["丙"], m, reason="不想来")
    services.decide_leave(officer, other, approve=False)
    services.sign_in(people.users["甲"], code=m.sign_in_code, now=at(TOMORROW, 14))
    m.refresh_from_db()
    absent = m.expected_count - m.present_count - m.leave_count
    assert (m.present_count, m.leave_count, absent) == (1, 1, 3)
    # after the meeting ends no leave can be asked; outsiders cannot ask at all
    assert refused(services.request_leave, people.users["乙"], m, reason="x", now=at(TOMORROW, 16))
    assert refused(services.request_leave, people.users["外支部"], m, reason="x")


# -- quorum -------------------------------------------------------------------------------------


def held(world, m, present, now=None):
    for user in present:
        services.sign_in(user, code=m.sign_in_code, now=now or at(TOMORROW, 14))
    return services.mark_held(world.users["a1_officer"], m, now=now or at(TOMORROW, 15))


def test_branch_general_needs_more_than_half_of_the_voting_members(world, a1, people):
    u = people.users
    # 4 full members: 2 of them plus the probationary member is not more than half
    m = held(world, general(world), [u["甲"], u["乙"], u["预备"]])
    assert (m.status, m.present_count, m.quorum_met) == ("held", 3, False)
    q = services.quorum(m)
    assert (q["base"], q["present"], q["needed"]) == (4, 2, 3)
    # a late sign-in inside the window is judged again
    services.sign_in(u["丙"], code=m.sign_in_code, now=at(TOMORROW, 16))
    m.refresh_from_db()
    assert m.quorum_met is True
    with pytest.raises(PermissionDenied):
        services.mark_held(world.users["a2_officer"], general(world))
    early = general(world)
    assert refused(services.mark_held, world.users["a1_officer"], early, now=at(TODAY, 8))


def test_union_assembly_needs_at_least_two_thirds(world, union, people):
    u, _members = union
    admin = world.users["u1_officer"]
    m = general(world, kind="union_assembly", officer="u1_officer", org=u, topic="会员大会")
    for name in ["工一", "工二"]:
        services.sign_in(people.users[name], code=m.sign_in_code, now=at(TOMORROW, 14))
    services.mark_held(admin, m, now=at(TOMORROW, 15))
    assert m.quorum_met is True  # 2 of 3 is "三分之二以上" (not strictly more)
    q = services.quorum(m)
    assert (q["base"], q["needed"], q["strict"]) == (3, 2, False)
    one = general(world, kind="union_assembly", officer="u1_officer", org=u, topic="补开")
    services.sign_in(people.users["工一"], code=one.sign_in_code, now=at(TOMORROW, 14))
    assert services.mark_held(admin, one, now=at(TOMORROW, 15)).quorum_met is False


def test_a_subtree_override_changes_the_quorum_there_only(world, a1, people):
    set_override(
        world.users["district_admin"],
        key="life.kind.branch_general.quorum",
        org=world.street_a,
        value=0.8,
        valid_from=dt.date(2020, 1, 1),
        reason="和组发〔2026〕5号",
    )
    u = people.users
    m = held(world, general(world), [u["甲"], u["乙"], u["丙"]])
    assert m.quorum_met is False  # 3 of 4 is not more than 80 %
    b1 = general(world, officer="district_admin", org=world.branch_b1)
    services.sign_in(u["外支部"], code=b1.sign_in_code, now=at(TOMORROW, 14))
    services.mark_held(world.users["district_admin"], b1, now=at(TOMORROW, 15))
    assert b1.quorum_met is True  # B1 keeps the default: 1 of 1 is more than half
    lecture = held(world, general(world, kind="party_lecture"), [])
    assert lecture.quorum_met is None  # a Party lecture has no quorum rule


# -- minutes, corrections ----------------------------------------------------------------------


def past(world, days_ago, **kw):
    return general(world, day=TODAY - dt.timedelta(days=days_ago), **kw)


def test_minutes_are_editable_until_they_freeze(world, a1, people):
    officer = world.users["a1_officer"]
    m = past(world, 1, recorder=a1["乙"])
    services.save_minutes(
        people.users["乙"],
        m,
        content="学习二十届四中全会精神",
        items=[("agenda", "传达学习", None), ("speech", "结合工作谈体会", a1["甲"])],
    )
    minutes = services.save_minutes(
        officer, m, content="学习全会精神；讨论发展党员", items=[("resolution", "同意", None)]
    )
    assert [(i.kind, i.position) for i in minutes.items.all()] == [("resolution", 1)]
    assert minutes.written_by == officer
    with pytest.raises(PermissionDenied):
        services.save_minutes(people.users["甲"], m, content="篡改")
    with pytest.raises(PermissionDenied):
        services.save_minutes(world.users["a2_officer"], m, content="越权")
    assert refused(services.add_correction, officer, m, target="content", new="x", reason="y")


def test_after_the_freeze_edits_are_refused_and_corrections_appended(world, a1):
    officer = world.users["a1_officer"]
    m = past(world, 30)
    Minutes.objects.create(meeting=m, content="原始记录", written_by=officer)
    message = refused(services.save_minutes, officer, m, content="事后补记")
    assert "锁定" in message and str(m.freezes_on) in message
    assert refused(services.mark_held, officer, m)  # the record no longer changes
    moved = at(TODAY + dt.timedelta(days=3), 14)  # moving it to a new date would unlock it
    assert "锁定" in refused(services.update_meeting, officer, m, starts_at=moved)
    assert Minutes.objects.get(meeting=m).content == "原始记录"

    c = services.add_correction(
        officer, m, target="content", new="原始记录（时间更正为14时）", reason="记录笔误"
    )
    assert (c.old, c.made_by, c.reason) == ("原始记录", officer, "记录笔误")
    second = services.add_correction(officer, m, target="content", new="第二次更正", reason="再核")
    assert second.old == "原始记录（时间更正为14时）"  # as readers saw it
    shown = dict((t, text) for t, _label, text in services.correction_targets(m))
    assert shown["content"] == "第二次更正"
    assert Minutes.objects.get(meeting=m).content == "原始记录"  # never rewritten
    assert refused(services.add_correction, officer, m, target="content", new="x", reason="")
    assert refused(services.add_correction, officer, m, target="item:999", new="x", reason="y")
    with pytest.raises(PermissionDenied):
        services.add_correction(world.users["a2_officer"], m, target="content", new="x", reason="y")


# -- action items, attachments ------------------------------------------------------------------


def test_action_items_are_added_before_the_freeze_and_closed_by_owner_or_officer(world, a1, people):
    officer = world.users["a1_officer"]
    m = past(world, 2)
    item = services.add_action_item(
        officer, m, text="走访困难党员", owner=a1["甲"], due_on=TODAY + dt.timedelta(days=5)
    )
    assert Notification.objects.filter(user=people.users["甲"], text__contains="走访").exists()
    assert refused(
        services.add_action_item,
        officer,
        m,
        text="x",
        owner=a1["甲"],
        due_on=TODAY - dt.timedelta(10),
    )
    assert refused(
        services.add_action_item,
        officer,
        m,
        text="x",
        owner=a1["外支部"],
        due_on=TODAY,
    )
    with pytest.raises(PermissionDenied):
        services.close_action_item(people.users["乙"], item)  # not theirs
    services.close_action_item(people.users["甲"], item, follow_up="已走访3户")
    assert (item.closed_on, item.follow_up) == (TODAY, "已走访3户")
    assert refused(services.close_action_item, officer, item)  # closed already
    frozen = past(world, 30)
    assert refused(
        services.add_action_item, officer, frozen, text="x", owner=a1["甲"], due_on=TODAY
    )


def test_attachments_by_type_and_size_from_policy(world, a1, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = world.users["a1_officer"]
    m = past(world, 1)
    photo = services.add_attachment(
        officer, m, uploaded_file=SimpleUploadedFile("../../现场.png", PNG, "text/html")
    )
    assert (photo.name, photo.content_type, photo.size) == ("现场.png", "image/png", len(PNG))
    assert photo.file.read() == PNG
    # named as a photo and announced as one, but a script is a script
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", "image/jpeg")
    assert "类型" in refused(services.add_attachment, officer, m, uploaded_file=fake)
    set_override(
        world.users["district_admin"],
        key="life.attachments.max_bytes",
        org=world.street_a,
        value=100,
        valid_from=dt.date(2020, 1, 1),
        reason="存储有限",
    )
    big = SimpleUploadedFile("big.png", PNG, "image/png")
    assert "100 B" in refused(services.add_attachment, officer, m, uploaded_file=big)
    with pytest.raises(PermissionDenied):
        services.add_attachment(
            world.users["a2_officer"], m, uploaded_file=SimpleUploadedFile("a.png", PNG)
        )
    assert m.attachments.count() == 1


# -- plans, notifications, audit ----------------------------------------------------------------


def test_the_annual_plan_keeps_items_that_stay(world, a1):
    officer = world.users["a1_officer"]
    plan = services.save_plan(
        officer,
        world.branch_a1,
        year=TODAY.year,
        items=[(3, "branch_general", "第一季度党员大会"), (7, "party_lecture", "七一党课")],
    )
    first = plan.items.get(month=3)
    m = general(world, plan_item=first)
    services.save_plan(
        officer,
        world.branch_a1,
        year=TODAY.year,
        items=[(3, "branch_general", "第一季度党员大会"), (12, "life_meeting", "组织生活会")],
        note="按条例安排",
    )
    assert [i.month for i in plan.items.all()] == [3, 12]
    m.refresh_from_db()
    assert m.plan_item_id == first.pk
    assert refused(
        services.save_plan,
        officer,
        world.branch_a1,
        year=TODAY.year,
        items=[(13, "branch_general", "x")],
    )
    with pytest.raises(PermissionDenied):
        services.save_plan(world.users["a2_officer"], world.branch_a1, year=TODAY.year, items=[])
    with pytest.raises(ValidationError):
        general(world, officer="a2_officer", org=world.branch_a2, plan_item=first)


def test_notifications_are_marked_read_by_their_owner_only(world, a1, people):
    general(world)
    general(world, topic="第二次")
    mine = people.users["甲"]
    ids = list(Notification.objects.filter(user=mine).values_list("pk", flat=True))
    assert services.mark_notifications_read(people.users["乙"], ids=ids) == 0
    assert services.mark_notifications_read(mine, ids=ids[:1]) == 1
    assert services.mark_notifications_read(mine) == 1
    assert not Notification.objects.filter(user=mine, read_at__isnull=True).exists()


def test_every_write_is_audited(world, a1, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = world.users["a1_officer"]
    m = general(world, day=TODAY)
    now = at(TODAY, 14, 1)
    services.sign_in(people.users["甲"], code=m.sign_in_code, now=now)
    services.sign_in_for(officer, m, a1["乙"], now=now)
    leave = services.request_leave(people.users["丙"], m, reason="病假", now=at(TODAY, 8))
    services.decide_leave(officer, leave, approve=True)
    services.mark_held(officer, m, now=at(TODAY, 15))
    services.save_minutes(officer, m, content="记录")
    item = services.add_action_item(officer, m, text="整改", owner=a1["甲"], due_on=TODAY)
    services.close_action_item(officer, item)
    services.add_attachment(officer, m, uploaded_file=SimpleUploadedFile("a.png", PNG))
    other = general(world)
    services.update_meeting(officer, other, place="会议室")
    services.cancel_meeting(officer, other, reason="改期")
    actions = list(
        AuditEvent.objects.filter(action__startswith="life.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "life.meeting.schedule",
        "life.meeting.sign_in",
        "life.meeting.sign_in",
        "life.leave.request",
        "life.leave.decide",
        "life.meeting.mark_held",
        "life.minutes.save",
        "life.action.add",
        "life.action.close",
        "life.attachment.add",
        "life.meeting.schedule",
        "life.meeting.update",
        "life.meeting.cancel",
    ]
    cancel = AuditEvent.objects.get(action="life.meeting.cancel")
    assert cancel.after["reason"] == "改期" and cancel.org_path == world.branch_a1.path
    assert Meeting.objects.get(pk=other.pk).status == MeetingStatus.CANCELLED


def test_another_branchs_officer_writes_nothing_in_a1(world, a1, people):
    """a2_officer: no scheduling, signing in, deciding leave, minutes, tasks or corrections."""
    intruder = world.users["a2_officer"]
    m = general(world)
    leave = services.request_leave(people.users["丁"], m, reason="出差")
    frozen = past(world, 30)
    attempts = [
        lambda: general(world, officer="a2_officer"),
        lambda: services.sign_in_for(intruder, m, a1["甲"], now=at(TOMORROW, 14)),
        lambda: services.decide_leave(intruder, leave, approve=True),
        lambda: services.mark_held(intruder, m, now=at(TOMORROW, 15)),
        lambda: services.cancel_meeting(intruder, m, reason="越权"),
        lambda: services.save_minutes(intruder, m, content="越权"),
        lambda: services.add_action_item(intruder, m, text="x", owner=a1["甲"], due_on=TOMORROW),
        lambda: services.add_correction(intruder, frozen, target="topic", new="x", reason="y"),
        lambda: services.save_plan(intruder, world.branch_a1, year=TODAY.year, items=[]),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    m.refresh_from_db()
    leave.refresh_from_db()
    assert (m.status, m.present_count, leave.decision) == ("scheduled", 0, "pending")
    assert not AuditEvent.objects.filter(actor_id=intruder.pk, action__startswith="life.").exists()


# -- committee meetings and the term in force ---------------------------------------------------


def test_a_committee_meeting_expects_the_terms_officers_and_counts_them_for_the_quorum(
    world, a1, people
):
    from jiceng.elections import services as elections
    from jiceng.elections.models import Committee

    term_from = TODAY - dt.timedelta(days=10)
    before_term = general(
        world, day=term_from - dt.timedelta(days=1), kind="branch_committee", attendees=[a1["甲"]]
    )
    assert before_term.expected_count == 1  # no term in force that day: the secretary's pick
    elections.start_term(
        world.users["street_a_admin"],
        org=world.branch_a1,
        committee=Committee.PARTY,
        starts_on=term_from,
        officers=[(a1["甲"], "secretary"), (a1["乙"], "organization"), (a1["丙"], "propaganda")],
    )
    assert "选择" in refused(
        general, world, day=term_from - dt.timedelta(days=2), kind="branch_committee"
    )  # still nobody picked before the term
    m = general(world, kind="branch_committee", topic="支委会")  # nobody picked: the committee
    assert sorted(m.attendance.values_list("person__name", flat=True)) == ["丙", "乙", "甲"]
    with_guest = general(world, kind="branch_committee", topic="扩大会议", attendees=[a1["丁"]])
    names = sorted(with_guest.attendance.values_list("person__name", flat=True))
    assert names == ["丁", "丙", "乙", "甲"]  # the secretary added a guest
    u = people.users
    # 甲 and the guest 丁 present: 1 of the 3 committee members is not more than half
    held(world, with_guest, [u["甲"], u["丁"]])
    q = services.quorum(with_guest)
    assert (with_guest.quorum_met, q["base"], q["present"], q["needed"]) == (False, 3, 1, 2)
    assert held(world, m, [u["甲"], u["乙"]]).quorum_met is True  # 2 of 3 committee members

"""Organizational life (DOMAIN.md §3): meetings, sign-in, leave, minutes, action items, plans.

Only `life.services` writes these rows. A meeting's minutes freeze on `freezes_on` (fixed from
policy when the meeting is scheduled); after that the minutes, their items and the attendance
are never edited again — a `Correction` is appended instead, with its reason, and shown as such.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    """三会一课 and the other kinds of organizational life; their rules are policy (`life.kind.*`)."""

    BRANCH_GENERAL = "branch_general", _("Branch general meeting")  # 党员大会
    BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting")  # 支委会
    PARTY_GROUP = "party_group", _("Party group meeting")  # 党小组会
    PARTY_LECTURE = "party_lecture", _("Party lecture")  # 党课
    THEME_DAY = "theme_day", _("Theme Party day")  # 主题党日
    LIFE_MEETING = "life_meeting", _("Organizational-life meeting")  # 组织生活会
    DEMOCRATIC_EVALUATION = "democratic_evaluation", _("Democratic evaluation of members")
    LEADERSHIP_LIFE_MEETING = "leadership_life_meeting", _("Leadership self-criticism meeting")
    HEART_TO_HEART = "heart_to_heart", _("Heart-to-heart talks")  # 谈心谈话
    UNION_ASSEMBLY = "union_assembly", _("Union members' (delegates') assembly")  # 会员(代表)大会
    UNION_COMMITTEE = "union_committee", _("Union committee meeting")  # 工会委员会会议
    UNION_GROUP = "union_group", _("Union group meeting")  # 工会小组会
    WORKERS_CONGRESS = "workers_congress", _("Workers' congress")  # 职代会


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """One meeting or activity of an organization.

    `expected_count`, `present_count` and `leave_count` are kept by the services in the same
    transaction as the `Attendance` rows they count, so compliance and attendance figures for
    30,000 organizations read meetings, not ten million attendance rows. `quorum_met` is
    judged by the policy of the meeting's kind when it is marked held.
    """

    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=32, choices=MeetingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    host = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host"),
    )
    recorder = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorder"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # Sign-in: a short code typed by hand and a long token carried by the QR code; both work
    # only inside [sign_in_opens, sign_in_closes] (policy margins around the meeting).
    sign_in_code = models.CharField(max_length=8, editable=False)
    sign_in_token = models.CharField(max_length=43, unique=True, editable=False)
    sign_in_opens = models.DateTimeField(editable=False)
    sign_in_closes = models.DateTimeField(editable=False)
    freezes_on = models.DateField(_("minutes freeze on"), editable=False)
    # Locked by hand before `freezes_on` (the recorder or an officer says the record is done).
    minutes_locked_at = models.DateTimeField(_("minutes locked at"), null=True, editable=False)
    minutes_locked_by = models.ForeignKey(
        "access.User",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("minutes locked by"),
    )
    expected_count = models.PositiveIntegerField(default=0, editable=False)
    present_count = models.PositiveIntegerField(default=0, editable=False)
    leave_count = models.PositiveIntegerField(default=0, editable=False)
    quorum_met = models.BooleanField(null=True, editable=False)
    plan_item = models.ForeignKey(
        "life.PlanItem", models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    created_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        indexes = [
            models.Index(fields=["org", "starts_at"], name="meeting_org_starts_idx"),
            models.Index(fields=["starts_at"], name="meeting_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.starts_at:%Y-%m-%d})"


class Presence(models.TextChoices):
    EXPECTED = "expected", _("Expected")  # not signed in (yet): absent once the meeting is over
    PRESENT = "present", _("Present")
    ON_LEAVE = "leave", _("On approved leave")


class SignInMethod(models.TextChoices):
    CODE = "code", _("Short code")
    QR = "qr", _("QR code")
    BY_RECORDER = "recorder", _("Signed in by the recorder (no phone)")


class Attendance(models.Model):
    """One expected attendee of one meeting (the 10-million-row table: keep it narrow)."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendance")
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="attendance")
    presence = models.CharField(
        _("presence"), max_length=8, choices=Presence.choices, default=Presence.EXPECTED
    )
    signed_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=8, choices=SignInMethod.choices, blank=True)
    signed_by = models.ForeignKey(
        "access.User", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once"),
            models.CheckConstraint(
                condition=~models.Q(presence="present") | models.Q(signed_at__isnull=False),
                name="attendance_present_has_time",
            ),
        ]
        indexes = [models.Index(fields=["person", "meeting"], name="attendance_person_idx")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.person_id} {self.presence}"


class LeaveDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class LeaveRequest(models.Model):
    """请假: asked by the member before the meeting, decided by the host or secretary."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="leave_requests")
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    requested_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=8, choices=LeaveDecision.choices, default=LeaveDecision.PENDING
    )
    decided_by = models.ForeignKey(
        "access.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("leave request")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="leave_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"leave {self.meeting_id}/{self.person_id} {self.decision}"


class Minutes(models.Model):
    """The record of a meeting (会议记录); editable until the meeting's `freezes_on`."""

    meeting = models.OneToOneField(Meeting, models.CASCADE, related_name="minutes")
    content = models.TextField(_("content"), blank=True)
    written_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"minutes of {self.meeting_id}"


class ItemKind(models.TextChoices):
    AGENDA = "agenda", _("Agenda item")
    SPEECH = "speech", _("Speech")
    CRITICISM = "criticism", _("Criticism")
    SELF_CRITICISM = "self_criticism", _("Self-criticism")
    RESOLUTION = "resolution", _("Resolution")


class MinutesItem(models.Model):
    """A structured entry of the minutes: agenda item, speech, (self-)criticism, resolution."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    position = models.PositiveSmallIntegerField(_("order"))
    speaker = models.ForeignKey(
        "people.Person", models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("minutes item")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.position}"


class ActionItem(models.Model):
    """A task decided at a meeting; a duty in the to-do centre until closed."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="action_items")
    text = models.CharField(_("task"), max_length=300)
    owner = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "access.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    follow_up = models.TextField(_("follow-up"), blank=True)

    class Meta:
        verbose_name = _("action item")
        indexes = [models.Index(fields=["closed_on", "due_on"], name="action_open_due_idx")]

    def __str__(self) -> str:
        return self.text


class Attachment(models.Model):
    """A photo or document of a meeting; type and size limits are policy."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="life/attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.name


class Correction(models.Model):
    """An appended, reasoned correction to frozen minutes (the original is never rewritten).

    `target` names what is corrected ("content", "item:<id>", "attendance:<person id>", …);
    `old` and `new` are the texts as shown to readers.
    """

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="corrections")
    target = models.CharField(_("what is corrected"), max_length=40)
    old = models.TextField(_("original text"), blank=True)
    new = models.TextField(_("corrected text"))
    reason = models.CharField(_("reason"), max_length=300)
    made_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("correction")
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"correction of {self.meeting_id}:{self.target}"


class ActivityPlan(models.Model):
    """An organization's annual plan of meetings and activities."""

    org = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="activity_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey("access.User", models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annual activity plan")
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="plan_once_a_year")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"


class PlanItem(models.Model):
    plan = models.ForeignKey(ActivityPlan, models.CASCADE, related_name="items")
    month = models.PositiveSmallIntegerField(_("month"))
    kind = models.CharField(_("kind"), max_length=32, choices=MeetingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)

    class Meta:
        verbose_name = _("plan item")
        ordering = ["month", "id"]

    def __str__(self) -> str:
        return f"{self.month}: {self.topic}"


class Notification(models.Model):
    """An in-app notice to a user (a meeting scheduled, leave decided, …); SMS/e-mail go out
    through the sender configured in `JICENG_NOTIFY_BACKEND` (console by default)."""

    user = models.ForeignKey("access.User", models.CASCADE, related_name="notifications")
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text

"""Terms, officers, polls, candidates, tallies and ballots (DOMAIN.md §4).

Terms (届)
    `Term` is one committee's term of office at an organization: Party committee, union
    committee or funds audit committee; its number (第N届), start, length in years (policy)
    and scheduled end. `Officer` holds a post in a term over dates; starting a term writes a
    dated `access.RoleAssignment` for each officer's user account, valid for the term's dates,
    so rights move by themselves when the next term begins. The scheduled end moves only by a
    recorded upper-level approval (`TermChange`: postponement or advancement).

Polls (投票)
    `Poll` is one round of voting for `seats` places: Party or union rules, the entitled and
    present counts, ballots issued and returned. A round that leaves seats empty or a tie at
    the cut leads to another round (`parent` points back). Candidates sit on the ballot
    sheet in surname stroke order (policy). Counts arrive two ways, which may be mixed:
    `TallySheet`/`TallyLine` — a counting team's batch of paper ballots, counted by hand, with
    every later correction kept as a `TallyCorrection` row (who, when, old, new) — and
    `Ballot` — one paper ballot entered as marks (or one electronic ballot as cast).
    A poll held by an election case links to it (`Poll.case`; `Poll.post` for a first plenary
    meeting's poll electing a chair, secretary, …).

Election cases (换届选举案)
    `ElectionCase` is one re-election from the request (请示) to the new term: the request's
    fields, the state of the workflow (`cases.py`), the congress figures. `CaseStep` is each
    step taken, dated, with the approving organization and document number for approvals;
    `Nomination` the groups' nomination counts; `SlateEntry` the candidate list per committee.

Secrecy (无记名投票)
    A `Ballot` row has no link to a voter and nothing that orders it in time: no foreign key to
    a person or user, no timestamp, no sequence. Its key is random (`RandomKeyField`), which on
    SQLite *is* the rowid, so even the hidden row number tells nothing; batches are stored
    shuffled, and closing a poll rewrites its ballots and voter marks in a random order in one
    statement each (PostgreSQL's physical order and transaction ids then say nothing either).
    Electronic voting keeps "has voted" in `VoterMark`, apart from the ballots, with no shared
    key and no time. While an electronic poll is open its ballots are not in `Ballot` at all but
    in the sealed ballot box (`SealedBallot`): casting a vote writes the voter's mark and a
    sealed row in one transaction (nothing is lost), and on PostgreSQL those two rows share a
    transaction id, so the sealed row holds nothing readable. Closing the poll opens the box.
"""

import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.kernel.dated import DatedRange
from jiceng.orgs.models import Tree
from jiceng.people import crypto


def random_key() -> int:
    """A random positive 63-bit integer: a key that says nothing about when its row was made."""
    return secrets.randbelow(2**63 - 1) + 1


class RandomKeyField(models.BigIntegerField):
    """A random 63-bit primary key.

    On SQLite the column is declared `integer`, which makes it an alias of the rowid: the table
    then has no hidden row counter that would give away the order in which rows were written.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", random_key)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


# -- terms ----------------------------------------------------------------------------------


class Committee(models.TextChoices):
    PARTY = "party", _("Party organization committee")
    UNION = "union", _("Union committee")
    AUDIT = "audit", _("Funds audit committee")


COMMITTEE_TREE = {
    Committee.PARTY: Tree.PARTY,
    Committee.UNION: Tree.UNION,
    Committee.AUDIT: Tree.UNION,
}


class Post(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZATION = "organization", _("Organization member")
    PROPAGANDA = "propaganda", _("Propaganda member")
    DISCIPLINE = "discipline", _("Discipline inspection member")
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    AUDIT_CHAIR = "audit_chair", _("Audit committee chair")
    AUDIT_VICE_CHAIR = "audit_vice_chair", _("Audit committee vice-chair")
    MEMBER = "member", _("Committee member")


POSTS = {
    Committee.PARTY: [
        Post.SECRETARY,
        Post.DEPUTY_SECRETARY,
        Post.ORGANIZATION,
        Post.PROPAGANDA,
        Post.DISCIPLINE,
        Post.MEMBER,
    ],
    Committee.UNION: [Post.CHAIR, Post.VICE_CHAIR, Post.MEMBER],
    Committee.AUDIT: [Post.AUDIT_CHAIR, Post.AUDIT_VICE_CHAIR, Post.MEMBER],
}
SINGLE_POSTS = {Post.SECRETARY, Post.CHAIR, Post.AUDIT_CHAIR}  # one holder at a time


class TermStatus(models.TextChoices):
    CURRENT = "current", _("In office")
    ENDED = "ended", _("Ended")


class Term(models.Model):
    """One committee's term of office (第N届) at an organization."""

    org = models.ForeignKey(
        "orgs.Organization", models.PROTECT, related_name="terms", verbose_name=_("organization")
    )
    committee = models.CharField(_("committee"), max_length=8, choices=Committee.choices)
    number = models.PositiveSmallIntegerField(_("term number"))
    starts_on = models.DateField(_("starts on"))
    years = models.PositiveSmallIntegerField(_("length in years"))
    ends_on = models.DateField(_("scheduled end"))  # last day; moved only by a TermChange
    ended_on = models.DateField(_("ended on"), null=True, blank=True)  # when succeeded
    status = models.CharField(
        _("status"), max_length=8, choices=TermStatus.choices, default=TermStatus.CURRENT
    )
    case = models.ForeignKey(
        "ElectionCase",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="terms",
        verbose_name=_("election case"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        indexes = [models.Index(fields=["status", "ends_on"], name="term_status_end_idx")]
        constraints = [
            models.UniqueConstraint(fields=["org", "committee", "number"], name="term_number_once"),
            models.UniqueConstraint(
                fields=["org", "committee"],
                condition=Q(status="current"),
                name="term_one_current",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="term_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.get_committee_display()} #{self.number}"

    @property
    def last_day(self):
        """The last day of office: the day before the next term began, else the scheduled end."""
        return self.ended_on or self.ends_on


class TermChangeKind(models.TextChoices):
    POSTPONE = "postpone", _("Postponement")
    ADVANCE = "advance", _("Advancement")


class TermChange(models.Model):
    """An approved postponement or advancement of a re-election: the term's end moves."""

    term = models.ForeignKey(Term, models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=8, choices=TermChangeKind.choices)
    old_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    approved_by = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="+",
        verbose_name=_("approving organization"),
    )
    document_number = models.CharField(_("document number"), max_length=60)
    approved_on = models.DateField(_("approved on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("term change")
        verbose_name_plural = _("term changes")

    def __str__(self) -> str:
        return f"{self.term} {self.kind} {self.old_end} → {self.new_end}"


class Officer(DatedRange):
    """A person holding a post in a term over [valid_from, valid_until) (a by-election adds one mid-term)."""

    term = models.ForeignKey(Term, models.CASCADE, related_name="officers")
    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="offices", verbose_name=_("person")
    )
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    valid_from = models.DateField(_("in office from"))
    valid_until = models.DateField(
        _("in office until"), null=True, blank=True
    )  # the first day out of office; None: until the term ends
    assignment = models.ForeignKey(
        "access.RoleAssignment",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="the dated rights this office grants to the person's user account",
    )

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="officer_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_post_display()}"


# -- polls ----------------------------------------------------------------------------------


class System(models.TextChoices):
    PARTY = "party", _("Party election rules")
    UNION = "union", _("Trade union election rules")


class RoundKind(models.TextChoices):
    FIRST = "first", _("First round")
    ADDITIONAL = "additional", _("Further round for the remaining seats")
    REVOTE = "revote", _("Revote among the tied")


class PollStatus(models.TextChoices):
    OPEN = "open", _("Voting and counting")
    CLOSED = "closed", _("Result declared")


class Poll(models.Model):
    """One round of voting for `seats` places under Party or union rules."""

    org = models.ForeignKey(
        "orgs.Organization", models.PROTECT, related_name="polls", verbose_name=_("organization")
    )
    title = models.CharField(_("title"), max_length=120)
    system = models.CharField(_("rules"), max_length=8, choices=System.choices)
    committee = models.CharField(
        _("committee"), max_length=8, choices=Committee.choices, blank=True
    )
    seats = models.PositiveSmallIntegerField(_("seats"))
    entitled = models.PositiveIntegerField(_("entitled to attend"))
    held_on = models.DateField(_("held on"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    kind = models.CharField(
        _("round kind"), max_length=12, choices=RoundKind.choices, default=RoundKind.FIRST
    )
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="next_rounds",
        verbose_name=_("previous round"),
    )
    present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    issued = models.PositiveIntegerField(_("ballots issued"), null=True, blank=True)
    returned = models.PositiveIntegerField(_("ballots returned"), null=True, blank=True)
    ballot_order = models.CharField(_("ballot order"), max_length=20)
    electronic = models.BooleanField(_("electronic voting"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=PollStatus.choices, default=PollStatus.OPEN
    )
    result = models.JSONField(_("declared result"), null=True, blank=True)
    case = models.ForeignKey(
        "ElectionCase",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("election case"),
    )
    post = models.CharField(
        _("post elected"), max_length=20, choices=Post.choices, blank=True
    )  # a first plenary meeting's poll for a post (chair, secretary, …); blank: members
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        indexes = [models.Index(fields=["org", "held_on"], name="poll_org_held_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="poll_has_seats"),
            models.CheckConstraint(
                condition=Q(kind="first") | Q(parent__isnull=False),
                name="poll_later_round_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.round})"


class Candidate(models.Model):
    """A name on the ballot sheet, in the order policy chooses (surname strokes by default)."""

    poll = models.ForeignKey(Poll, models.CASCADE, related_name="candidates")
    person = models.ForeignKey(
        "people.Person", models.PROTECT, null=True, blank=True, related_name="candidacies"
    )
    name = models.CharField(_("Full name"), max_length=60)
    sort_key = models.CharField(max_length=400, editable=False)  # ordering.stroke_key(name)
    position = models.PositiveSmallIntegerField(_("place on the ballot"))

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["poll", "name"], name="candidate_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class TallySheet(models.Model):
    """A counting team's batch of paper ballots, counted by hand (计票单)."""

    poll = models.ForeignKey(Poll, models.CASCADE, related_name="sheets")
    label = models.CharField(_("batch"), max_length=60)
    ballots = models.PositiveIntegerField(_("ballots in the batch"))
    invalid = models.PositiveIntegerField(_("invalid ballots"), default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tally sheet")
        verbose_name_plural = _("tally sheets")
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="sheet_label_once"),
            models.CheckConstraint(
                condition=Q(invalid__lte=F("ballots")), name="sheet_invalid_within_ballots"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class TallyLine(models.Model):
    """One candidate's (or one written-in name's) counts on a tally sheet."""

    sheet = models.ForeignKey(TallySheet, models.CASCADE, related_name="lines")
    candidate = models.ForeignKey(Candidate, models.PROTECT, null=True, blank=True)
    write_in = models.CharField(_("written-in name"), max_length=60, blank=True)
    for_votes = models.PositiveIntegerField(_("for"), default=0)
    against = models.PositiveIntegerField(_("against"), default=0)
    abstain = models.PositiveIntegerField(_("abstain"), default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(candidate__isnull=False) & Q(write_in=""))
                | (Q(candidate__isnull=True) & ~Q(write_in="")),
                name="line_candidate_or_write_in",
            ),
            models.UniqueConstraint(
                fields=["sheet", "candidate"],
                condition=Q(candidate__isnull=False),
                name="line_candidate_once",
            ),
            models.UniqueConstraint(
                fields=["sheet", "write_in"],
                condition=~Q(write_in=""),
                name="line_write_in_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate or self.write_in}: {self.for_votes}/{self.against}/{self.abstain}"


class TallyCorrection(models.Model):
    """One corrected number of a tally sheet or line: who, when, old, new. Never changed."""

    sheet = models.ForeignKey(TallySheet, models.CASCADE, related_name="corrections")
    line = models.ForeignKey(TallyLine, models.CASCADE, null=True, blank=True)
    field = models.CharField(max_length=12)  # ballots, invalid, for_votes, against, abstain
    old = models.PositiveIntegerField()
    new = models.PositiveIntegerField()
    reason = models.CharField(_("reason"), max_length=200)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tally correction")
        verbose_name_plural = _("tally corrections")

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"


class Ballot(models.Model):
    """One ballot: a paper ballot as entered, or an electronic ballot as cast. Secret.

    `marks` has one character per candidate in ballot-sheet order: "Y" for (赞成), "N" against
    (不赞成/反对), "-" neither (弃权). `write_ins` lists names written in and approved. `void`
    is the scrutineers' finding that a paper ballot cannot be read. Nothing else is stored:
    no voter, no time, no sequence (see the module docstring).
    """

    id = RandomKeyField(primary_key=True)
    poll = models.ForeignKey(Poll, models.CASCADE, related_name="ballots")
    marks = models.TextField()
    write_ins = models.JSONField(default=list)
    void = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return self.marks


class BallotCorrection(models.Model):
    """A paper ballot entered wrongly and put right: who, when, old and new marks. Never changed.

    It names the poll, not the ballot: a row that knows a teller and a time must not be
    joinable to a ballot row. Only paper ballots (never electronic ones) can be corrected."""

    poll = models.ForeignKey(Poll, models.CASCADE, related_name="ballot_corrections")
    old_marks = models.TextField()
    new_marks = models.TextField()
    old_write_ins = models.JSONField(default=list)
    new_write_ins = models.JSONField(default=list)
    old_void = models.BooleanField(default=False)
    new_void = models.BooleanField(default=False)
    reason = models.CharField(_("reason"), max_length=200)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ballot correction")
        verbose_name_plural = _("ballot corrections")

    def __str__(self) -> str:
        return f"{self.old_marks} → {self.new_marks}"


class VoterMark(models.Model):
    """Electronic voting: who may vote in a poll and whether they have. Apart from the ballots:
    no key, no time and no order is shared with `Ballot`."""

    id = RandomKeyField(primary_key=True)
    poll = models.ForeignKey(Poll, models.CASCADE, related_name="voter_marks")
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="+")
    has_voted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("voter mark")
        verbose_name_plural = _("voter marks")
        constraints = [models.UniqueConstraint(fields=["poll", "person"], name="voter_mark_once")]

    def __str__(self) -> str:
        return f"{self.person_id} {'✓' if self.has_voted else '·'}"


class SealedBallot(models.Model):
    """An electronic ballot while its poll is open: a slip in the sealed ballot box.

    `cast_vote` writes this row in the transaction that marks the voter as having voted, so on
    PostgreSQL the two rows share a transaction id (`xmin`) and the box's rows lie in the order
    of voting. The row therefore says nothing: `sealed` is the ballot (marks and written-in
    names, padded to a multiple of `PAD` bytes so a written-in name does not show in the
    length) encrypted with AES-GCM under the field key (`people.crypto`, a random nonce, the
    poll bound in as associated data). The key is not in the database. Closing the poll opens
    the box in one transaction: every slip becomes an ordinary `Ballot` under a new random key,
    inserted in random order, and the slips are deleted (see `services.polls.close_poll`).
    """

    PAD = 256

    id = RandomKeyField(primary_key=True)
    poll = models.ForeignKey(Poll, models.CASCADE, related_name="sealed_ballots")
    sealed = models.TextField()

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")

    def __str__(self) -> str:
        return f"{self.poll_id} ✉"

    @staticmethod
    def _context(poll_id: int) -> str:
        return f"elections.ballot:{poll_id}"

    @classmethod
    def seal(cls, poll_id: int, marks: str, write_ins) -> str:
        plain = json.dumps([marks, list(write_ins)], ensure_ascii=False, separators=(",", ":"))
        plain += " " * (-len(plain.encode()) % cls.PAD)
        return crypto.encrypt(plain, cls._context(poll_id))

    @classmethod
    def unseal(cls, poll_id: int, token: str) -> tuple[str, list[str]]:
        marks, write_ins = json.loads(crypto.decrypt(token, cls._context(poll_id)))
        return marks, write_ins


# -- election cases -------------------------------------------------------------------------


class CaseState(models.TextChoices):
    REQUESTED = "requested", _("Request filed")
    PARTY_AGREED = "party_agreed", _("Agreed by the Party organization")
    APPROVED = "approved", _("Request approved")
    SLATE_PROPOSED = "slate_proposed", _("Candidate list proposed")
    SLATE_AGREED = "slate_agreed", _("Candidate list agreed")
    VOTING = "voting", _("Congress voting")
    PLENARY = "plenary", _("First plenary meetings")
    DONE = "done", _("New term begun")


class CongressKind(models.TextChoices):
    DELEGATES = "delegates", _("Congress of delegates")
    MEMBERS = "members", _("General meeting of members")


class ElectionCase(models.Model):
    """One re-election (换届选举) of an organization's committees, from the request (请示) to the
    new term. The request's fields follow seed 004:L277-326."""

    org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="election_cases",
        verbose_name=_("organization"),
    )
    system = models.CharField(_("rules"), max_length=8, choices=System.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.REQUESTED
    )
    term_number = models.PositiveSmallIntegerField(_("number of the new term"))
    congress_number = models.PositiveSmallIntegerField(_("congress number"))
    congress_kind = models.CharField(
        _("congress kind"), max_length=10, choices=CongressKind.choices
    )
    requested_on = models.DateField(_("request dated"))
    last_congress_on = models.DateField(_("date of the last congress"), null=True, blank=True)
    planned_on = models.DateField(_("planned congress date"))
    delegates = models.PositiveIntegerField(_("delegates (or members) due to attend"))
    delegate_method = models.CharField(_("how delegates are produced"), max_length=200)
    committee_seats = models.PositiveSmallIntegerField(_("committee seats"))
    committee_method = models.CharField(_("how the committee is elected"), max_length=200)
    audit_seats = models.PositiveSmallIntegerField(_("funds audit committee seats"), default=0)
    audit_method = models.CharField(
        _("how the funds audit committee is elected"), max_length=200, blank=True
    )
    chair_posts = models.PositiveSmallIntegerField(_("chairs (secretaries)"), default=1)
    vice_chair_posts = models.PositiveSmallIntegerField(
        _("vice-chairs (deputy secretaries)"), default=0
    )
    audit_chair_posts = models.PositiveSmallIntegerField(_("audit committee chairs"), default=0)
    audit_vice_chair_posts = models.PositiveSmallIntegerField(
        _("audit committee vice-chairs"), default=0
    )
    proposed_officers = models.JSONField(
        _("officers proposed with the Party organization's agreement"),
        default=dict,
        blank=True,
        help_text="{post: [names]}, in the order of services.cases.PLENARY_POSTS",
    )
    officer_method = models.CharField(_("how the officers are elected"), max_length=300)
    party_org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("same-level Party organization"),
    )
    upper_org = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        related_name="+",
        verbose_name=_("upper-level organization"),
    )
    held_on = models.DateField(_("congress held on"), null=True, blank=True)
    present = models.PositiveIntegerField(_("present at the congress"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("election case")
        verbose_name_plural = _("election cases")
        indexes = [models.Index(fields=["org", "state"], name="case_org_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_on__gte=F("requested_on")), name="case_planned_after_request"
            ),
            models.CheckConstraint(condition=Q(committee_seats__gte=1), name="case_has_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.term_number}"


class CaseStep(models.Model):
    """One step of an election case, dated; approvals name the approving organization and the
    document number of its reply (批复)."""

    case = models.ForeignKey(ElectionCase, models.CASCADE, related_name="steps")
    step = models.CharField(max_length=20)
    on = models.DateField()
    approved_by = models.ForeignKey(
        "orgs.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approving organization"),
    )
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["case", "step"], name="case_step_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.on}"


class Nomination(models.Model):
    """A nominating group's (代表团、小组) count for one nominee to one committee."""

    case = models.ForeignKey(ElectionCase, models.CASCADE, related_name="nominations")
    committee = models.CharField(_("committee"), max_length=8, choices=Committee.choices)
    group = models.CharField(_("nominating group"), max_length=60)
    name = models.CharField(_("Full name"), max_length=60)
    votes = models.PositiveIntegerField(_("nominations"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "committee", "group", "name"], name="nomination_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.name} {self.votes}"


class SlateEntry(models.Model):
    """A candidate on the list (候选人名单) for one committee of an election case."""

    case = models.ForeignKey(ElectionCase, models.CASCADE, related_name="slate")
    committee = models.CharField(_("committee"), max_length=8, choices=Committee.choices)
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="+")
    name = models.CharField(_("Full name"), max_length=60)
    sort_key = models.CharField(max_length=400, editable=False)

    class Meta:
        verbose_name = _("candidate on the list")
        verbose_name_plural = _("candidate list")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "committee", "person"], name="slate_person_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

"""Transfers of the organizational relationship (组织关系转接, DOMAIN.md §2), two-sided.

issued → accepted | rejected, accepted → reported (报到). The sending organization issues
an introduction letter; the receiving organization accepts it or rejects it with a reason;
the member reports in by the letter's deadline and only then moves: from the report-in day
the membership's history places them at the receiving organization. Until then they stay on
the sender's books, and an accepted letter past its deadline is a duty of both sides (the
"pocket member" risk, 001:L44). A transfer to an organization outside the system ends the
membership here on issue; one from outside puts the member on the books on arrival.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.kernel import workflow
from jiceng.kernel.workflow import Refusal, Step, Taken, Workflow, not_before, steps
from jiceng.orgs.models import Organization, Tree
from jiceng.policy.selectors import value as policy_value

from .floating import close_floating
from .models import (
    MEMBER_STAGES,
    OPEN_TRANSFER_STATES,
    PartyMembership,
    Person,
    Stage,
    Transfer,
    TransferState,
)
from .services import enrol_member, restate_membership


class Context(workflow.Context):
    """A transfer step's context: the record is the transfer; its data may give a reason."""

    @property
    def name(self) -> str:
        return self.record.membership.person.name


# -- requirements ------------------------------------------------------------------------------


def is_member(ctx: Context):
    m = ctx.record.membership
    if m.stage not in MEMBER_STAGES:
        return Refusal(
            _(
                "Only probationary and full members transfer their organizational relationship; "
                "%(name)s is at the stage “%(stage)s”."
            )
            % {"name": ctx.name, "stage": m.get_stage_display()}
        )
    return None


def no_open_transfer(ctx: Context):
    m = ctx.record.membership
    other = m.transfers.filter(state__in=OPEN_TRANSFER_STATES).exclude(pk=ctx.record.pk).first()
    if other is not None:
        return Refusal(
            _(
                "%(name)s already has an open transfer to %(to)s (issued on %(date)s): it must "
                "be rejected or reported in first."
            )
            % {"name": ctx.name, "to": other.receiver_name, "date": other.issued_on}
        )
    return None


def letter_given(ctx: Context):
    t = ctx.record
    if not t.letter_number:
        return Refusal(_("Enter the number of the introduction letter."))
    if Transfer.objects.filter(from_org=t.from_org, letter_number=t.letter_number).exists():
        return Refusal(
            _("Letter number %(n)s has already been used by %(org)s.")
            % {"n": t.letter_number, "org": t.from_org.name}
        )
    return None


def reason_given(ctx: Context):
    if not ctx.data.get("reason"):
        return Refusal(_("Give the reason for rejecting the transfer."))
    return None


def accepted_first(ctx: Context):
    if ctx.record.state == TransferState.ISSUED:
        return Refusal(
            _("%(org)s has not accepted the transfer yet; %(name)s can report in once it has.")
            % {"org": ctx.record.receiver_name, "name": ctx.name}
        )
    return None


ISSUE = gettext_lazy("Introduction letter issued")
SEND_OUT = gettext_lazy("Transferred to an organization outside the system")
ACCEPT = gettext_lazy("Transfer accepted")
REJECT = gettext_lazy("Transfer rejected")
REPORT = gettext_lazy("Reported in")
RECEIVE = gettext_lazy("Received from an organization outside the system")

NEW, ISSUED, ACCEPTED = "", TransferState.ISSUED, TransferState.ACCEPTED

TRANSFER = Workflow(
    name="party_transfer",
    states={NEW: gettext_lazy("Not issued"), **dict(TransferState.choices)},
    steps=steps(
        Step(
            "issue",
            ISSUE,
            frozenset({NEW}),
            TransferState.ISSUED,
            (is_member, no_open_transfer, letter_given),
        ),
        Step(
            "send_out",
            SEND_OUT,
            frozenset({NEW}),
            TransferState.SENT_OUT,
            (is_member, no_open_transfer, letter_given),
        ),
        Step(
            "accept",
            ACCEPT,
            frozenset({ISSUED}),
            TransferState.ACCEPTED,
            (not_before("issue", ISSUE),),
        ),
        Step(
            "reject",
            REJECT,
            frozenset({ISSUED}),
            TransferState.REJECTED,
            (not_before("issue", ISSUE), reason_given),
        ),
        # From ISSUED too, so that an early report-in is told what is missing.
        Step(
            "report",
            REPORT,
            frozenset({ISSUED, ACCEPTED}),
            TransferState.REPORTED,
            (accepted_first, not_before("accept", ACCEPT), is_member),
        ),
        Step("receive", RECEIVE, frozenset({NEW}), TransferState.REPORTED, (is_member,)),
    ),
)


# -- helpers -------------------------------------------------------------------------------------


def _take(t: Transfer, step: str, on: dt.date, reason: str = "") -> None:
    # The letter keeps its steps' dates in fields: issued on, decided (accepted) on.
    dates = {"issue": t.issued_on, "accept": t.decided_on}
    done = {key: Taken(day) for key, day in dates.items() if day}
    t.state = TRANSFER.require(step, t.state, Context(t, on, {"reason": reason}, done)).to_state


def _lock(t: Transfer) -> None:
    """Re-read the state under a row lock: two officers may decide the same letter at once."""
    t.state = Transfer.objects.select_for_update().values_list("state", flat=True).get(pk=t.pk)


def _receiving_side(t: Transfer) -> Organization:
    # A letter sent outside the system has no receiving side here: its sender answers for it.
    return t.to_org or t.from_org


def _check_receiver(sender: Organization | None, to_org, to_outside: str) -> None:
    if bool(to_org) == bool(to_outside):
        raise ValidationError(
            {"to_org": _("Name the receiving organization: one in the system or one outside it.")}
        )
    if to_org is None:
        return
    if sender is not None and to_org.pk == sender.pk:
        raise ValidationError(
            {"to_org": _("The member already belongs to %(org)s.") % {"org": to_org.name}}
        )
    if to_org.tree != Tree.PARTY or to_org.dissolved_on:
        raise ValidationError(
            {"to_org": _("The receiving organization must be a Party organization in operation.")}
        )


def _snapshot(t: Transfer) -> dict:
    return {
        "member": t.membership.person.name,
        "from": t.from_org.code if t.from_org_id else t.from_outside,
        "to": t.to_org.code if t.to_org_id else t.to_outside,
        "letter_number": t.letter_number,
        "state": t.state,
        "issued_on": t.issued_on,
        "report_by": t.report_by,
        "decided_on": t.decided_on,
        "reason": t.reason,
        "reported_on": t.reported_on,
    }


# -- services ------------------------------------------------------------------------------------


@transaction.atomic
def issue_transfer(
    actor,
    membership: PartyMembership,
    *,
    to_org: Organization | None = None,
    to_outside: str = "",
    letter_number: str,
    on: dt.date | None = None,
) -> Transfer:
    """The member's organization issues an introduction letter to `to_org` or `to_outside`.

    To an organization outside the system the membership ends here on the same day
    (stage "transferred out"): nobody in the system can accept or report in for it.
    """
    on = on or timezone.localdate()
    m, sender = membership, membership.org
    gate.require(actor, gate.MANAGE, sender)
    to_outside = (to_outside or "").strip()
    _check_receiver(sender, to_org, to_outside)
    t = Transfer(
        membership=m,
        from_org=sender,
        to_org=to_org,
        to_outside=to_outside,
        letter_number=(letter_number or "").strip(),
        state=NEW,
        issued_on=on,
        created_by=actor,
    )
    step = "send_out" if to_outside else "issue"
    _take(t, step, on)
    if to_org is not None:
        days = int(policy_value("people.transfer.report_within_days", org=sender, on=on))
        t.report_by = on + dt.timedelta(days=days)
    t.save()
    if to_outside:
        m.stage = Stage.TRANSFERRED_OUT
        close_floating(m, on)
        m.save(update_fields=["stage", "floating"])
        restate_membership(m, on)
    record(actor, f"people.transfer.{step}", t, after=_snapshot(t), org=sender)
    return t


@transaction.atomic
def accept_transfer(actor, transfer: Transfer, on: dt.date | None = None) -> Transfer:
    """The receiving organization accepts the letter; the member must now report in."""
    on, t = on or timezone.localdate(), transfer
    gate.require(actor, gate.MANAGE, _receiving_side(t))
    _lock(t)
    _take(t, "accept", on)
    t.decided_on = on
    t.save(update_fields=["state", "decided_on"])
    record(
        actor,
        "people.transfer.accept",
        t,
        before={"state": ISSUED},
        after=_snapshot(t),
        org=t.to_org,
    )
    return t


@transaction.atomic
def reject_transfer(actor, transfer: Transfer, reason: str, on: dt.date | None = None) -> Transfer:
    """The receiving organization sends the letter back, saying why; the member stays put."""
    on, t, reason = on or timezone.localdate(), transfer, (reason or "").strip()
    gate.require(actor, gate.MANAGE, _receiving_side(t))
    _lock(t)
    _take(t, "reject", on, reason)
    t.decided_on, t.reason = on, reason
    t.save(update_fields=["state", "decided_on", "reason"])
    record(
        actor,
        "people.transfer.reject",
        t,
        before={"state": ISSUED},
        after=_snapshot(t),
        org=t.to_org,
    )
    return t


@transaction.atomic
def report_in(actor, transfer: Transfer, on: dt.date | None = None) -> Transfer:
    """The member reports in (报到): from `on` they belong to the receiving organization.

    Reporting in ends floating (the relationship now follows the member) and clears the
    "never reported in" flag.
    """
    on, t = on or timezone.localdate(), transfer
    gate.require(actor, gate.MANAGE, _receiving_side(t))
    _lock(t)
    _take(t, "report", on)
    m = t.membership
    before = {"org": m.org.code, "floating": m.floating, "never_reported": m.never_reported}
    m.org, m.never_reported = t.to_org, False
    close_floating(m, on)
    m.save(update_fields=["org", "never_reported", "floating"])
    restate_membership(m, on)
    t.reported_on = on
    t.save(update_fields=["state", "reported_on"])
    record(actor, "people.transfer.report", t, before=before, after=_snapshot(t), org=t.to_org)
    return t


@transaction.atomic
def receive_from_outside(
    actor,
    person: Person,
    *,
    org: Organization,
    from_outside: str,
    letter_number: str = "",
    on: dt.date | None = None,
    stage: str,
    joined_on: dt.date,
    full_on: dt.date | None = None,
    issued_on: dt.date | None = None,
) -> Transfer:
    """A member arrives with a letter from an organization outside the system and reports in
    to `org` on `on`: from that day they are on its books. Someone who once transferred out of
    the system keeps their record, which resumes."""
    on = on or timezone.localdate()
    gate.require(actor, gate.MANAGE, org)
    from_outside = (from_outside or "").strip()
    if not from_outside:
        raise ValidationError(
            {"from_outside": _("Name the organization outside the system the member comes from.")}
        )
    _check_receiver(None, org, "")
    m = PartyMembership.objects.filter(person=person).select_related("org").first()
    if m is None:
        m = enrol_member(
            actor, person, org=org, stage=stage, joined_on=joined_on, full_on=full_on, since=on
        )
    elif m.stage == Stage.TRANSFERRED_OUT:
        if stage not in MEMBER_STAGES:
            raise ValidationError(
                {"stage": _("Only probationary and full members can be enrolled.")}
            )
        m.org, m.stage, m.joined_on, m.full_on = org, stage, joined_on, full_on
        m.never_reported = False
        m.save(update_fields=["org", "stage", "joined_on", "full_on", "never_reported"])
        restate_membership(m, on)
    else:
        raise ValidationError(
            {
                "person": _("%(name)s is already on the books of %(org)s (%(stage)s).")
                % {"name": person.name, "org": m.org.name, "stage": m.get_stage_display()}
            }
        )
    t = Transfer(
        membership=m,
        from_outside=from_outside,
        to_org=org,
        letter_number=(letter_number or "").strip(),
        state=NEW,
        issued_on=issued_on or on,
        created_by=actor,
    )
    _take(t, "receive", on)
    t.decided_on = t.reported_on = on
    t.save()
    record(actor, "people.transfer.receive", t, after=_snapshot(t), org=org)
    return t


@transaction.atomic
def flag_unreported(actor, on: dt.date | None = None) -> int:
    """Flag as "never reported in" every member whose accepted letter ran out before `on`.

    Run daily by a job (as the system actor) or by an officer for their own organizations:
    only transfers the actor manages on one side are touched. The to-do duties do not wait
    for this flag — they are computed from the letters — but rosters and figures read it.
    """
    on = on or timezone.localdate()
    late = (
        Transfer.objects.filter(
            state=TransferState.ACCEPTED, report_by__lt=on, membership__never_reported=False
        )
        .filter(
            gate.org_filter(actor, gate.MANAGE, field="from_org")
            | gate.org_filter(actor, gate.MANAGE, field="to_org")
        )
        .select_related("membership__person", "from_org", "to_org")
        .order_by("id")
    )
    flagged = 0
    for t in late:
        m = t.membership
        m.never_reported = True
        m.save(update_fields=["never_reported"])
        record(
            actor,
            "people.party.flag_unreported",
            m,
            after={"transfer": t.pk, "report_by": t.report_by, "to": t.to_org.code},
            org=t.from_org,
        )
        flagged += 1
    return flagged

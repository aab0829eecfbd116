"""Writes of the democratic evaluation of members (民主评议党员): opening a branch's campaign with
its roll, its stages, secret ballots (electronic and paper), non-members' opinions, the branch's
grade for each member under the excellent cap, and the handling of members graded 不合格.

Secrecy follows `elections.services.polls`: a ballot cast while the mutual evaluation is open is
sealed (ciphertext) and written with the voter's mark; closing opens the box into one slip per
grade given, shuffled under random keys, and rewrites the voter marks in the same transaction.
The audit log records that a member voted, never how, naming the campaign only."""

import datetime as dt
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import record
from jiceng.elections.models import random_key
from jiceng.kernel.bulk import insert_rows
from jiceng.kernel.dated import in_force_on
from jiceng.people import crypto
from jiceng.people.models import MembershipState
from jiceng.policy.selectors import value as policy_value

from .. import evaluation_flows as flows
from ..evaluation_permissions import require_run_evaluation
from ..models import (
    Campaign,
    CampaignState,
    EvaluationSlip,
    EvaluationVoter,
    Evaluee,
    Grade,
    HandlingCase,
    HandlingStep,
    NonMemberOpinion,
    SealedEvaluationBallot,
)
from ..selectors import evaluations as evaluation_selectors

MAX_TEXT = 4000
_shuffle = random.SystemRandom().shuffle

# One character per grade in a sealed ballot: every ballot of a campaign has the same length.
GRADE_CODE = {Grade.EXCELLENT: "E", Grade.PASS: "P", Grade.BASIC: "B", Grade.FAIL: "F"}
CODE_GRADE = {v: k for k, v in GRADE_CODE.items()}
BLANK = "-"


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(on: dt.date | None, field: str = "on") -> dt.date:
    on = on or _today()
    if on > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    return on


def _text(value, field: str, message) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: str(message)})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": MAX_TEXT}})
    return text


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("org").get(pk=campaign.pk)


# -- opening and stages ----------------------------------------------------------------------


@transaction.atomic
def open_campaign(actor, org, *, year: int, on: dt.date | None = None) -> Campaign:
    """Open the year's evaluation of `org`'s members: the roll is the members in force on `on`
    at the stages policy names; each of them is also on the voters' roll."""
    require_run_evaluation(actor, org)
    on = _not_future(on)
    kinds = list(policy_value("assessment.evaluation.org_kinds", org=org, on=on))
    if org.kind not in kinds:
        raise ValidationError(
            {"org": _("Members are evaluated by a Party branch; this organization is not one.")}
        )
    if not year or not (on.year - 1 <= int(year) <= on.year):
        raise ValidationError(
            {"year": _("Choose this year or last year (%(year)s).") % {"year": on.year - 1}}
        )
    if Campaign.objects.filter(org=org, year=year).exists():
        raise ValidationError(
            {"year": _("The evaluation of %(year)s is already open.") % {"year": year}}
        )
    stages = list(policy_value("assessment.evaluation.stages", org=org, on=on))
    roll = list(
        MembershipState.objects.filter(in_force_on(on), org=org, stage__in=stages)
        .select_related("membership__person")
        .order_by("membership__person__name", "membership_id")
    )
    if not roll:
        raise ValidationError({"on": _("The branch has no members to evaluate on this date.")})
    campaign = Campaign.objects.create(org=org, year=year, opened_on=on, opened_by=actor)
    Evaluee.objects.bulk_create(
        Evaluee(campaign=campaign, membership=s.membership, name=s.membership.person.name)
        for s in roll
    )
    voters = [(random_key(), campaign.pk, s.membership.person_id, False) for s in roll]
    _shuffle(voters)
    insert_rows(
        EvaluationVoter._meta.db_table, ["id", "campaign_id", "person_id", "has_voted"], voters
    )
    record(
        actor,
        "assessment.evaluation.open",
        campaign,
        after={"year": year, "on": on, "members": len(roll)},
        org=org,
    )
    return campaign


@transaction.atomic
def take_stage(actor, campaign: Campaign, step: str, *, on: dt.date | None = None) -> Campaign:
    """Record one stage of the campaign; refused with what is missing when out of order."""
    declared = flows.CAMPAIGN.step(step)
    require_run_evaluation(actor, campaign.org)
    campaign = _locked(campaign)
    on = _not_future(on)
    flows.CAMPAIGN.require(step, campaign.state, flows.campaign_context(campaign, on))
    before = {"state": campaign.state}
    setattr(campaign, flows.STAGE_FIELDS[step], on)
    campaign.state = declared.to_state
    if step == "close_voting":
        _open_box(campaign)
    if step == "decide":
        failed = campaign.evaluees.filter(grade=Grade.FAIL)
        HandlingCase.objects.bulk_create(HandlingCase(evaluee=e) for e in failed)
    campaign.save()
    record(
        actor,
        f"assessment.evaluation.{step}",
        campaign,
        before=before,
        after={"state": campaign.state, "on": on},
        org=campaign.org,
    )
    return campaign


# -- secret ballots ----------------------------------------------------------------------------


def _context(campaign_id: int) -> str:
    return f"assessment.evaluation.ballot:{campaign_id}"


def _seal(campaign_id: int, codes: str) -> str:
    return crypto.encrypt(codes, _context(campaign_id))


def _roll_ids(campaign: Campaign) -> list[int]:
    """The evaluees in ballot order (the order of a sealed ballot's characters)."""
    return list(campaign.evaluees.order_by("pk").values_list("pk", flat=True))


def _codes(campaign: Campaign, grades: dict, *, skip: int | None, complete: bool) -> str:
    """A ballot as one grade character per evaluee in ballot order (`-` for none)."""
    ids = _roll_ids(campaign)
    given = {}
    for key, grade in (grades or {}).items():
        try:
            evaluee_id = int(key)
        except (TypeError, ValueError):
            evaluee_id = None
        if evaluee_id not in ids or evaluee_id == skip:
            raise ValidationError(
                {"grades": _("Grade only the members on this evaluation's roll.")}
            )
        if grade in ("", None):
            continue
        if grade not in GRADE_CODE:
            raise ValidationError({"grades": _("Choose a grade: 优秀, 合格, 基本合格 or 不合格.")})
        given[evaluee_id] = GRADE_CODE[grade]
    missing = [i for i in ids if i != skip and i not in given]
    if complete and missing:
        names = Evaluee.objects.filter(pk__in=missing[:5]).values_list("name", flat=True)
        raise ValidationError(
            {
                "grades": _("Grade every member: %(count)s not graded (%(names)s…).")
                % {"count": len(missing), "names": "、".join(names)}
            }
        )
    if not given:
        raise ValidationError({"grades": _("The ballot grades nobody.")})
    return "".join(given.get(i, BLANK) for i in ids)


def _voting(campaign: Campaign) -> None:
    if campaign.state != CampaignState.VOTING:
        raise ValidationError({"grades": _("The mutual evaluation is not open for voting.")})


def cast_ballot(user, campaign: Campaign, grades: dict) -> None:
    """A member on the roll grades every other member, once. One transaction marks them as
    having voted and drops the sealed ballot into the box; the audit event (that they voted,
    naming the campaign only) is written after the commit, in a transaction of its own."""
    person_id = getattr(user, "person_id", None)
    if not getattr(user, "is_authenticated", False) or person_id is None:
        raise PermissionDenied(_("Only a member on the roll of this evaluation can vote."))
    with transaction.atomic():
        campaign = _locked(campaign)
        mark = (
            EvaluationVoter.objects.select_for_update()
            .filter(campaign=campaign, person_id=person_id)
            .first()
        )
        if mark is None:
            raise PermissionDenied(_("Only a member on the roll of this evaluation can vote."))
        _voting(campaign)
        if mark.has_voted:
            raise ValidationError({"grades": _("You have already voted in this evaluation.")})
        own = campaign.evaluees.filter(membership__person_id=person_id).values_list("pk", flat=True)
        codes = _codes(campaign, grades, skip=next(iter(own), None), complete=True)
        mark.has_voted = True
        mark.save(update_fields=["has_voted"])
        SealedEvaluationBallot.objects.create(campaign=campaign, sealed=_seal(campaign.pk, codes))
        transaction.on_commit(
            lambda: record(user, "assessment.evaluation.vote", campaign, org=campaign.org)
        )


@transaction.atomic
def enter_paper_ballots(actor, campaign: Campaign, ballots: list[dict]) -> int:
    """Officers enter paper ballots (members left blank are not graded on that ballot). They go
    into the same sealed box; no more ballots than voters who have not voted electronically."""
    require_run_evaluation(actor, campaign.org)
    campaign = _locked(campaign)
    _voting(campaign)
    if not ballots:
        raise ValidationError({"grades": _("Enter at least one ballot.")})
    rows = [_codes(campaign, b, skip=None, complete=False) for b in ballots]
    voters = campaign.voters.count()
    cast = campaign.voters.filter(has_voted=True).count() + campaign.paper_ballots
    if cast + len(rows) > voters:
        raise ValidationError(
            {
                "grades": _(
                    "%(voters)s members may vote and %(cast)s ballots are in: at most %(left)s "
                    "more can be entered."
                )
                % {"voters": voters, "cast": cast, "left": max(voters - cast, 0)}
            }
        )
    _shuffle(rows)
    insert_rows(
        SealedEvaluationBallot._meta.db_table,
        ["id", "campaign_id", "sealed"],
        [(random_key(), campaign.pk, _seal(campaign.pk, c)) for c in rows],
    )
    campaign.paper_ballots += len(rows)
    campaign.save(update_fields=["paper_ballots"])
    record(
        actor,
        "assessment.evaluation.paper_ballots",
        campaign,
        after={"count": len(rows)},
        org=campaign.org,
    )
    return len(rows)


def _open_box(campaign: Campaign) -> None:
    """Open the sealed ballots into one slip per grade given, shuffled under new random keys,
    and rewrite the voter marks, in one statement each (the caller's transaction): the slips of
    one ballot are not grouped, and no slip or mark keeps its voting transaction's id."""
    ids = _roll_ids(campaign)
    slips = []
    for token in campaign.sealed_ballots.values_list("sealed", flat=True):
        codes = crypto.decrypt(token, _context(campaign.pk))
        slips += [(ids[i], CODE_GRADE[c]) for i, c in enumerate(codes) if c != BLANK]
    marks = list(campaign.voters.values_list("id", "person_id", "has_voted"))
    _shuffle(slips)
    _shuffle(marks)
    SealedEvaluationBallot.objects.filter(campaign=campaign)._raw_delete(
        SealedEvaluationBallot.objects.db
    )
    EvaluationVoter.objects.filter(campaign=campaign)._raw_delete(EvaluationVoter.objects.db)
    insert_rows(
        EvaluationSlip._meta.db_table,
        ["id", "campaign_id", "evaluee_id", "grade"],
        [(random_key(), campaign.pk, e, str(g)) for e, g in slips],
    )
    insert_rows(
        EvaluationVoter._meta.db_table,
        ["id", "campaign_id", "person_id", "has_voted"],
        [(i, campaign.pk, p, v) for i, p, v in marks],
    )


# -- opinions and decisions ----------------------------------------------------------------


@transaction.atomic
def record_opinion(
    actor,
    campaign: Campaign,
    *,
    given_by: str,
    text: str,
    received_on: dt.date | None = None,
    evaluee: Evaluee | None = None,
) -> NonMemberOpinion:
    """A non-member's opinion (征求党外群众意见), about one member or the branch as a whole."""
    require_run_evaluation(actor, campaign.org)
    campaign = _locked(campaign)
    if campaign.state == CampaignState.DECIDED:
        raise ValidationError({"text": _("The grades are decided: the evaluation is closed.")})
    if evaluee is not None and evaluee.campaign_id != campaign.pk:
        raise ValidationError({"evaluee": _("Choose a member on this evaluation's roll.")})
    given_by = _text(given_by, "given_by", _("Say who gave the opinion."))[:100]
    opinion = NonMemberOpinion.objects.create(
        campaign=campaign,
        evaluee=evaluee,
        given_by=given_by,
        text=_text(text, "text", _("Write the opinion.")),
        received_on=_not_future(received_on, "received_on"),
        recorded_by=actor,
    )
    record(
        actor,
        "assessment.evaluation.opinion",
        campaign,
        after={"given_by": given_by, "about": evaluee.name if evaluee else ""},
        org=campaign.org,
    )
    return opinion


@transaction.atomic
def decide_grade(
    actor,
    campaign: Campaign,
    evaluee: Evaluee,
    *,
    grade: str,
    on: dt.date | None = None,
    note: str = "",
) -> Evaluee:
    """The branch's grade for one member (支部大会确定等次), once the ballots are counted and until
    the grades are declared decided. A grade of 优秀 beyond the policy cap is refused."""
    require_run_evaluation(actor, campaign.org)
    campaign = _locked(campaign)
    if campaign.state not in (CampaignState.VOTED, CampaignState.CONSULTED):
        raise ValidationError(
            {"grade": _("Grades are decided after the mutual evaluation is closed and counted.")}
        )
    evaluee = Evaluee.objects.select_for_update().get(pk=evaluee.pk, campaign=campaign)
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose a grade: 优秀, 合格, 基本合格 or 不合格.")})
    on = _not_future(on)
    if grade == Grade.EXCELLENT and evaluee.grade != Grade.EXCELLENT:
        cap = evaluation_selectors.excellent_cap(campaign, on)
        if cap["count"] + 1 > cap["most"]:
            raise ValidationError(
                {
                    "grade": _(
                        "At most %(cap)s of the %(total)s members may be graded excellent "
                        "(%(most)s); %(count)s already are."
                    )
                    % {
                        "cap": cap["percent"],
                        "total": cap["total"],
                        "most": cap["most"],
                        "count": cap["count"],
                    }
                }
            )
    before = {"grade": evaluee.grade}
    evaluee.grade, evaluee.decided_on = grade, on
    evaluee.decision_note = (note or "").strip()[:MAX_TEXT]
    evaluee.save(update_fields=["grade", "decided_on", "decision_note"])
    record(
        actor,
        "assessment.evaluation.grade",
        campaign,
        before=before,
        after={"member": evaluee.name, "grade": grade, "on": on},
        org=campaign.org,
    )
    return evaluee


# -- handling of 不合格 ----------------------------------------------------------------------


@transaction.atomic
def take_handling_step(
    actor,
    case: HandlingCase,
    step: str,
    *,
    on: dt.date | None = None,
    data: dict | None = None,
    note: str = "",
) -> HandlingCase:
    """One step of handling a member graded 不合格; refused with what is missing."""
    declared = flows.HANDLING.step(step)
    org = case.evaluee.campaign.org
    require_run_evaluation(actor, org)
    case = (
        HandlingCase.objects.select_for_update()
        .select_related("evaluee__campaign__org")
        .get(pk=case.pk)
    )
    on = _not_future(on)
    note = (note or "").strip()[:MAX_TEXT]
    data = {k: v for k, v in (data or {}).items() if v not in (None, "")}
    ctx = flows.handling_context(case, on, {**data, "note": note})
    if declared.once and step in ctx.done:
        raise ValidationError(
            {
                "step": _("“%(step)s” is already recorded (%(date)s).")
                % {"step": declared.label, "date": ctx.done[step].on}
            }
        )
    flows.HANDLING.require(step, case.state, ctx)
    before = {"state": case.state}
    if step == "correct":
        case.deadline = data["deadline"]
        data["deadline"] = case.deadline.isoformat()
    if step == "remove":
        data["approval"] = str(data["approval"]).strip()[:100]
    case.state = declared.to_state
    if case.state in flows.CLOSING:
        case.closed_on = on
    case.save()
    HandlingStep.objects.create(
        case=case, step=step, on=on, note=note, data=data, recorded_by=actor
    )
    record(
        actor,
        f"assessment.evaluation.{step}",
        case.evaluee.campaign,
        before=before,
        after={"member": case.evaluee.name, "state": case.state, "on": on, "data": data},
        org=org,
    )
    return case

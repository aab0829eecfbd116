"""Writes of secretaries' accountability reviews (书记抓党建述职评议): the upper organization
opens the year's review for its subordinate organizations, each secretary hands in a report,
the reviewers rate each one (好/较好/一般/差, one rating per reviewer and secretary), the
results are counted into bands by policy, and the problems and rectification items follow up
as duties of the reviewed organization until closed."""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.audit.services import record
from jiceng.orgs.models import Organization
from jiceng.policy.selectors import value as policy_value

from .. import permissions
from ..models import (
    RATING_ORDER,
    AccountabilityReview,
    FollowUpKind,
    Rating,
    ReviewFollowUp,
    ReviewRating,
    ReviewState,
    SecretaryReport,
)
from ..selectors.reviews import may_rate

MAX_TEXT = 20000


def _today() -> dt.date:
    return timezone.localdate()


def _text(value, field: str, *, required: bool = True, most: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > most:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": most}})
    return text


def _require_open(review: AccountabilityReview) -> None:
    if review.state != ReviewState.OPEN:
        raise ValidationError(_("The results of this review have been decided."))


@transaction.atomic
def open_review(
    actor, org: Organization, year: int, *, title: str = "", on: dt.date | None = None
) -> AccountabilityReview:
    """One report row for each active organization directly under `org`."""
    permissions.require_run(actor, org)
    on = on or _today()
    if AccountabilityReview.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": _("This year's review is already open.")})
    children = list(Organization.objects.filter(parent=org, dissolved_on__isnull=True))
    if not children:
        raise ValidationError({"org": _("This organization has no subordinate organizations.")})
    days = int(policy_value("assessment.review.report_days", org, on))
    review = AccountabilityReview.objects.create(
        org=org,
        year=year,
        title=_text(title, "title", required=False, most=120)
        or _("%(year)s secretaries' accountability review of %(org)s")
        % {"year": year, "org": org.name},
        opened_on=on,
        reports_due=on + dt.timedelta(days=days),
        opened_by=actor,
    )
    SecretaryReport.objects.bulk_create(SecretaryReport(review=review, org=c) for c in children)
    record(
        actor,
        "assessment.review.open",
        review,
        org=org,
        after={"year": year, "organizations": len(children)},
    )
    return review


@transaction.atomic
def submit_report(
    actor,
    report: SecretaryReport,
    *,
    secretary: str,
    text: str,
    attachment: str = "",
    on: dt.date | None = None,
) -> SecretaryReport:
    """The reviewed organization's secretary hands in (or corrects) the report."""
    gate.require(actor, gate.MANAGE, report.org)
    _require_open(report.review)
    report.secretary = _text(secretary, "secretary", most=60)
    report.text = _text(text, "text")
    report.attachment = _text(attachment, "attachment", required=False, most=200)
    report.submitted_on = on or _today()
    report.save()
    record(
        actor,
        "assessment.review.report",
        report,
        org=report.org,
        after={"secretary": report.secretary, "on": report.submitted_on},
    )
    return report


@transaction.atomic
def rate(actor, report: SecretaryReport, rating: str, on: dt.date | None = None) -> ReviewRating:
    """The reviewer's rating of one secretary; rating again replaces the reviewer's own."""
    _require_open(report.review)
    if not may_rate(actor, report):
        raise PermissionDenied(_("You are not a reviewer of this secretary."))
    if report.submitted_on is None:
        raise ValidationError(_("The secretary has not handed in the report yet."))
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose a rating.")})
    found, _created = ReviewRating.objects.update_or_create(
        report=report, reviewer=actor, defaults={"rating": rating, "rated_on": on or _today()}
    )
    # The audit log keeps that a rating was given, not which: ratings are the reviewer's own.
    record(actor, "assessment.review.rate", report, org=report.review.org, after={"rated": True})
    return found


def result_of(counts: dict, org, on: dt.date) -> str:
    """The band of the share of 好 + 较好 among the ratings (policy `assessment.review.bands`)."""
    total = sum(counts.values())
    if not total:
        return ""
    share = Decimal(counts.get(Rating.GOOD, 0) + counts.get(Rating.FAIRLY_GOOD, 0)) / total
    bands = policy_value("assessment.review.bands", org, on)
    for band in RATING_ORDER:
        if share >= Decimal(str(bands[band.value])):
            return band.value
    return Rating.POOR.value


@transaction.atomic
def decide_results(actor, review: AccountabilityReview, on: dt.date | None = None):
    """Count every secretary's ratings into a result; the review closes."""
    permissions.require_run(actor, review.org)
    _require_open(review)
    on = on or _today()
    reports = list(review.reports.select_related("org"))
    missing = [r.org.name for r in reports if r.submitted_on is None]
    if missing:
        raise ValidationError(
            _("Reports not handed in yet: %(names)s.") % {"names": "、".join(missing[:5])}
        )
    tallies: dict[int, Counter] = {r.pk: Counter() for r in reports}
    for report_id, rating in ReviewRating.objects.filter(report__review=review).values_list(
        "report_id", "rating"
    ):
        tallies[report_id][rating] += 1
    unrated = [r.org.name for r in reports if not tallies[r.pk]]
    if unrated:
        raise ValidationError(
            _("Secretaries without any rating: %(names)s.") % {"names": "、".join(unrated[:5])}
        )
    for r in reports:
        r.counts = {k.value: tallies[r.pk].get(k.value, 0) for k in RATING_ORDER}
        r.result = result_of(r.counts, review.org, on)
    SecretaryReport.objects.bulk_update(reports, ["counts", "result"])
    review.state, review.final_on = ReviewState.FINAL, on
    review.save()
    record(
        actor,
        "assessment.review.decide",
        review,
        org=review.org,
        after={r.org.code: r.result for r in reports},
    )
    return review


@transaction.atomic
def add_follow_up(
    actor,
    report: SecretaryReport,
    *,
    kind: str,
    text: str,
    deadline: dt.date | None = None,
    on: dt.date | None = None,
) -> ReviewFollowUp:
    """A problem pointed out, or a rectification item (with the policy deadline by default)."""
    permissions.require_run(actor, report.review.org)
    if kind not in FollowUpKind.values:
        raise ValidationError({"kind": _("Choose a kind.")})
    on = on or _today()
    if kind == FollowUpKind.RECTIFICATION and deadline is None:
        days = int(policy_value("assessment.review.rectification_days", report.review.org, on))
        deadline = on + dt.timedelta(days=days)
    item = ReviewFollowUp.objects.create(
        report=report, kind=kind, text=_text(text, "text", most=4000), deadline=deadline
    )
    record(
        actor,
        "assessment.review.follow_up",
        item,
        org=report.org,
        after={"kind": kind, "deadline": deadline},
    )
    return item


@transaction.atomic
def close_follow_up(
    actor, item: ReviewFollowUp, *, note: str, on: dt.date | None = None
) -> ReviewFollowUp:
    """Done: the reviewed organization (or the upper level) closes the item, saying what was done."""
    if not (
        gate.can(actor, gate.MANAGE, item.report.org)
        or permissions.may_run(actor, item.report.review.org)
    ):
        raise PermissionDenied(_("You do not have permission to act on this organization."))
    if item.closed_on is not None:
        raise ValidationError(_("This item is already closed."))
    item.closing_note = _text(note, "note", most=4000)
    item.closed_on = on or _today()
    item.save()
    record(
        actor,
        "assessment.review.close_follow_up",
        item,
        org=item.report.org,
        after={"on": item.closed_on},
    )
    return item

"""Reads of secretaries' accountability reviews, scoped by the acting user."""

from django.http import Http404

from jiceng.access import gate

from ..models import (
    AccountabilityReview,
    ReviewFollowUp,
    ReviewRating,
    SecretaryReport,
)


def may_rate(user, report: SecretaryReport) -> bool:
    """The reviewers are the upper organization's people; no one rates their own secretary."""
    return gate.can(user, gate.VIEW, report.review.org) and not gate.can(
        user, gate.MANAGE, report.org
    )


def reviews(user):
    """Reviews run by an organization the user sees, or reviewing one the user sees."""
    seen = gate.org_filter(user, gate.VIEW, field="org")
    reviewed = gate.org_filter(user, gate.VIEW, field="reports__org")
    return AccountabilityReview.objects.filter(seen | reviewed).distinct().select_related("org")


def get_review(user, pk: int) -> AccountabilityReview:
    found = reviews(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def reports(user, review: AccountabilityReview) -> list[dict]:
    """Each report the user may see, with the user's own rating and the open follow-ups."""
    rows = review.reports.select_related("org").prefetch_related("follow_ups")
    if not gate.can(user, gate.VIEW, review.org):
        rows = rows.filter(gate.org_filter(user, gate.VIEW, field="org"))
    mine = dict(
        ReviewRating.objects.filter(report__review=review, reviewer=user).values_list(
            "report_id", "rating"
        )
    )
    return [
        {"report": r, "my_rating": mine.get(r.pk, ""), "may_rate": may_rate(user, r)} for r in rows
    ]


def get_report(user, pk: int) -> SecretaryReport:
    found = SecretaryReport.objects.filter(pk=pk).select_related("review__org", "org").first()
    if found is None or not (
        gate.can(user, gate.VIEW, found.org) or gate.can(user, gate.VIEW, found.review.org)
    ):
        raise Http404
    return found


def get_follow_up(user, pk: int) -> ReviewFollowUp:
    found = ReviewFollowUp.objects.filter(pk=pk).select_related("report__org").first()
    if found is None:
        raise Http404
    get_report(user, found.report_id)
    return found


def open_follow_ups(orgs):
    """Unscoped, for the to-do centre: the open items of the given organizations."""
    return (
        ReviewFollowUp.objects.filter(report__org__in=orgs, closed_on__isnull=True)
        .select_related("report__org", "report__review")
        .order_by("deadline", "id")
    )


def follow_ups_of(report: SecretaryReport) -> list[ReviewFollowUp]:
    """The items of a report the caller has already read through `get_report`."""
    return list(report.follow_ups.order_by("closed_on", "deadline", "id"))

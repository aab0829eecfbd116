"""Terms about to expire, or expired without a re-election, and re-election requests or
candidate lists waiting for an organization's approval, for the to-do centre.

The organization itself and its upper level are both told, a policy number of months ahead
(`elections.term.expiry_notice_months`): "第3届支部委员会将于 2027-03-31 任期届满，请做好换届准备".
"""

import datetime as dt
import functools
import itertools

from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.kernel.duties import Duty

from .models import Term, TermStatus
from .text import add_months, term_title


def _url(org) -> str:
    return reverse_lazy("orgs:org_detail", args=[org.code])


def expiring_terms(orgs, today: dt.date, policy):
    months = functools.cache(
        lambda org: int(policy.value("elections.term.expiry_notice_months", org))
    )
    # The widest notice anywhere bounds the query; each term is then judged by its own value.
    widest = int(policy.highest("elections.term.expiry_notice_months"))
    horizon = add_months(today, widest)
    current = list(
        Term.objects.filter(status=TermStatus.CURRENT, ends_on__lte=horizon)
        .filter(Q(org__in=orgs) | Q(org__parent__in=orgs))
        .select_related("org", "org__parent")
        .order_by("ends_on", "pk")
    )
    ids = {t.org_id for t in current} | {t.org.parent_id for t in current if t.org.parent_id}
    wanted = set(orgs.filter(pk__in=ids).values_list("pk", flat=True))
    for term in current:
        org = term.org
        if add_months(today, months(org)) < term.ends_on:
            continue
        title = term_title(term)
        if term.ends_on < today:
            own = _("%(term)s ended on %(date)s and has not been re-elected: hold the election.")
            upper = _(
                "%(org)s: %(term)s ended on %(date)s and has not been re-elected: hold the "
                "election."
            )
        else:
            own = _("%(term)s ends on %(date)s: prepare the re-election.")
            upper = _("%(org)s: %(term)s ends on %(date)s: prepare the re-election.")
        values = {"term": title, "date": term.ends_on, "org": org.name}
        if org.pk in wanted:
            yield Duty(
                org, own % values, "elections.term_expiring", due=term.ends_on, url=_url(org)
            )
        parent = org.parent
        if parent is not None and parent.pk in wanted:
            yield Duty(
                parent,
                upper % values,
                "elections.term_expiring_below",
                due=term.ends_on,
                url=_url(org),
            )


def cases_waiting(orgs, today: dt.date, policy=None):
    """Re-election requests and candidate lists waiting for an organization's approval: the
    same-level Party organization (union cases), then the upper level."""
    from .cases import acting_org, step_label
    from .models import ElectionCase

    waiting = (
        Q(system="union", state="requested", party_org__in=orgs)
        | Q(system="union", state="slate_proposed", party_org__in=orgs)
        | Q(state__in=["requested", "party_agreed"], upper_org__in=orgs)
        | Q(system="party", state="slate_proposed", upper_org__in=orgs)
    )
    found = (
        ElectionCase.objects.filter(waiting)
        .select_related("org", "party_org", "upper_org")
        .order_by("planned_on", "pk")
    )
    wanted = set(orgs.values_list("pk", flat=True))
    for case in found:
        if case.state == "slate_proposed":
            step = "review_slate"
        elif case.system == "union" and case.state == "requested":
            step = "approve_party"
        else:
            step = "approve_upper"
        approver = acting_org(case, step)
        if approver.pk not in wanted:
            continue
        yield Duty(
            approver,
            _("%(org)s: %(step)s (congress planned for %(date)s).")
            % {"org": case.org.name, "step": step_label(case, step), "date": case.planned_on},
            "elections.case_waiting",
            due=case.planned_on,
            url=reverse_lazy("elections:case", args=[case.pk]),
        )


SOURCES = [expiring_terms, cases_waiting]


def duties(user, orgs, today: dt.date, *, limit: int, policy):
    for source in SOURCES:
        yield from itertools.islice(source(orgs, today, policy), limit)


# The label of each kind's group in the to-do centre.
KINDS = {
    "elections.term_expiring": _lazy("Terms ending soon"),
    "elections.term_expiring_below": _lazy("Terms ending soon below"),
    "elections.case_waiting": _lazy("Election cases awaiting approval"),
}

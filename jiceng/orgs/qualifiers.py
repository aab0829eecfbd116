"""Which host units qualify for a figure: filters over units, from the policy in force.

Each takes (organization, date) and returns a Q over units; the organization picks the policy
values (the `orgs.*` keys) in force for its subtree on that date. The metrics of `stats` and
the unit pages both use them.
"""

from django.db.models import Q

from jiceng.orgs.models import Ownership, UnitKind
from jiceng.policy.selectors import value as policy_value


def non_public_enterprises(org, on) -> Q:
    return Q(kind=UnitKind.ENTERPRISE, ownership=Ownership.NON_PUBLIC)


def above_scale(org, on) -> Q:
    """规模以上 (000:L49): ≥100 employees, or 50-99 employees with revenue over 5,000,000 yuan."""
    big = int(policy_value("orgs.scale.above_min_employees", org=org, on=on))
    mid = int(policy_value("orgs.scale.mid_min_employees", org=org, on=on))
    revenue = policy_value("orgs.scale.mid_min_revenue", org=org, on=on)
    return Q(employees__gte=big) | Q(employees__gte=mid, revenue__gt=revenue)


def two_new(org, on) -> Q:
    social = policy_value("orgs.two_new.social_unit_kinds", org=org, on=on)
    return non_public_enterprises(org, on) | Q(kind__in=social)


def union_base(org, on) -> Q:
    kinds = policy_value("orgs.union.base_unit_kinds", org=org, on=on)
    least = int(policy_value("orgs.union.should_form_min_employees", org=org, on=on))
    return Q(kind__in=kinds, employees__gte=least)

"""Reads of organizations, always through the visibility gate."""

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from jiceng.access import gate
from jiceng.kernel.paths import ancestor_paths, subtree_q

from .models import HostLink, Organization, OrgState, Tree, Unit, in_force_on
from .text import search_key


def visible_orgs(user, action: str = gate.VIEW):
    return Organization.objects.filter(gate.org_filter(user, action))


def org_list(
    user,
    *,
    kind: str | None = None,
    roots: bool = False,
    query: str = "",
    under: Organization | None = None,
):
    """Organizations `user` may see; `roots` keeps only the top of what they see."""
    orgs = visible_orgs(user).filter(dissolved_on__isnull=True)
    if kind:
        orgs = orgs.filter(kind=kind)
    if under is not None:
        orgs = orgs.filter(subtree_q(under.path))
    if query:
        orgs = orgs.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if roots:
        visible = visible_orgs(user)
        orgs = orgs.exclude(parent__in=visible)
    return orgs.order_by("path")


def get_visible(user, code: str, action: str = gate.VIEW) -> Organization:
    """The organization with `code`, or Organization.DoesNotExist when it is out of sight."""
    return visible_orgs(user, action).get(code=code)


def children(user, org: Organization):
    return visible_orgs(user).filter(parent=org, dissolved_on__isnull=True).order_by("code")


def ancestors(org: Organization):
    """The chain above `org`, for breadcrumbs (visible up to the user's own top)."""
    return Organization.objects.filter(path__in=ancestor_paths(org.path)[:-1]).order_by("depth")


# --- Reads for the organization pages: tree, search, host units (all through the gate) ---


def with_child_counts(user, orgs):
    """Annotate `active_children`: active subordinate organizations the user may see."""
    return orgs.annotate(
        active_children=Count(
            "children",
            filter=Q(children__dissolved_on__isnull=True) & gate.org_filter(user, field="children"),
            distinct=True,
        )
    )


def tree_roots(user, under: Organization | None = None):
    """The nodes a tree browser starts from: `under` (the switcher's choice) or the user's tops."""
    if under is not None:
        return with_child_counts(user, visible_orgs(user).filter(pk=under.pk))
    return with_child_counts(user, org_list(user, roots=True))


def child_nodes(user, org: Organization):
    """Visible active children of `org`, with their own visible active child counts."""
    return with_child_counts(user, children(user, org))


def search(user, query: str, *, under: Organization | None = None, kind: str | None = None):
    """Active visible organizations whose name (Simplified or Traditional) or code matches."""
    query = (query or "").strip()
    orgs = visible_orgs(user).filter(dissolved_on__isnull=True)
    if under is not None:
        orgs = orgs.filter(subtree_q(under.path))
    if kind:
        orgs = orgs.filter(kind=kind)
    if query:
        orgs = orgs.filter(Q(search_name__contains=search_key(query)) | Q(code__icontains=query))
    return orgs.select_related("parent").order_by("path")


def manageable(user, *, tree: str | None = None):
    """Active organizations the user may manage (for choosing a parent or merge sources)."""
    orgs = visible_orgs(user, gate.MANAGE).filter(dissolved_on__isnull=True)
    if tree:
        orgs = orgs.filter(tree=tree)
    return orgs.order_by("path")


def subtree_counts(user, org: Organization) -> dict:
    """Counts shown on an organization's page, limited to what the user may see."""
    below = visible_orgs(user).filter(subtree_q(org.path), dissolved_on__isnull=True)
    members = below.aggregate(n=Sum("reported_members"))["n"] or 0
    return {
        "children": children(user, org).count(),
        "subordinates": below.exclude(pk=org.pk).count(),
        "members_in_subtree": members,
    }


def visible_units(user, action: str = gate.VIEW):
    """Units whose responsible Party organization or union federation the user may see."""
    return Unit.objects.filter(
        gate.org_filter(user, action, field="responsible_org")
        | gate.org_filter(user, action, field="responsible_union")
    )


def get_visible_unit(user, pk: int):
    """The unit `pk`, or Unit.DoesNotExist when it is out of sight."""
    return visible_units(user).select_related("responsible_org", "responsible_union").get(pk=pk)


def _hosted_by(tree: str, on):
    return Exists(
        HostLink.objects.filter(in_force_on(on), unit=OuterRef("pk"), org__tree=tree).filter(
            org__dissolved_on__isnull=True
        )
    )


def unit_list(
    user,
    *,
    kind: str | None = None,
    ownership: str | None = None,
    scale: Q | None = None,
    above_scale: bool | None = None,
    has_party: bool | None = None,
    has_union: bool | None = None,
    query: str = "",
    region: str = "",
    include_closed: bool = False,
    under: Organization | None = None,
    on=None,
):
    """Visible units, filtered; each annotated with `has_party` and `has_union` (on `on`).

    `scale` is the Q for "above designated size" (orgs.qualifiers.above_scale), passed in by the
    caller, which knows the organization and date whose policy applies.
    """
    on = on or timezone.localdate()
    units = visible_units(user).annotate(
        has_party=_hosted_by(Tree.PARTY, on), has_union=_hosted_by(Tree.UNION, on)
    )
    if not include_closed:
        units = units.filter(closed_on__isnull=True)
    if under is not None:
        units = units.filter(
            subtree_q(under.path, "responsible_org__path")
            | subtree_q(under.path, "responsible_union__path")
        )
    if kind:
        units = units.filter(kind=kind)
    if ownership:
        units = units.filter(ownership=ownership)
    if scale is not None and above_scale is not None:
        units = units.filter(scale) if above_scale else units.exclude(scale)
    if has_party is not None:
        units = units.filter(has_party=has_party)
    if has_union is not None:
        units = units.filter(has_union=has_union)
    query = (query or "").strip()
    if query:
        units = units.filter(
            Q(search_name__contains=search_key(query)) | Q(credit_code__iexact=query)
        )
    if region:
        units = units.filter(region_code__startswith=region)
    return units


def host_units(org: Organization, on=None):
    """Units `org` is set up in on `on` (default today)."""
    on = on or timezone.localdate()
    return Unit.objects.filter(Q(host_links__org=org) & in_force_on(on, "host_links__")).order_by(
        "name"
    )


def hosted_orgs(user, unit):
    """Host links of `unit` (current and past) to organizations the user may see, newest first."""
    return (
        HostLink.objects.filter(unit=unit)
        .filter(gate.org_filter(user, field="org"))
        .select_related("org")
        .order_by(F("valid_until").desc(nulls_first=True), "-valid_from")
    )


def path_on(org: Organization, on):
    """Where `org` stood in its tree on `on` (None if it did not exist then)."""
    return OrgState.objects.filter(in_force_on(on), org=org).values_list("path", flat=True).first()

"""The organization and unit pages: tree browser, search, lifecycle forms, host units, the
policy in force and the history of an organization."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.access import gate
from jiceng.access import selectors as access
from jiceng.audit.selectors import history
from jiceng.kernel.forms import form_data
from jiceng.kernel.forms import submit as submit_form
from jiceng.kernel.pagination import next_page_url, page_of
from jiceng.orgs import selectors as orgs
from jiceng.orgs.models import Kind, Tree, Unit
from jiceng.orgs.qualifiers import above_scale
from jiceng.orgs.shortcuts import org_or_404
from jiceng.policy.selectors import in_force

from . import forms, services, switcher

HISTORY_LIMIT = 500
SEARCH_LIMIT = 50
TREE_ROOTS_LIMIT = 200
CHILDREN_LIMIT = 100
UNIT_LIMIT = 50
UNIT_HISTORY_LIMIT = 100
CHOICES_LIMIT = 200


# --- Organizations: tree browser, search, page --------------------------------------------


@login_required
def org_list(request):
    """The tree browser (roots, children loaded on expand) and, with a query, the search."""
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind") or None
    if kind not in Kind.values:
        kind = None
    under = switcher.current_org(request)
    context = {"query": query, "kind": kind, "kinds": Kind.choices, "under": under}
    if query or kind:
        found = orgs.search(request.user, query, under=under, kind=kind)
        page = page_of(request, found, key="path", limit=SEARCH_LIMIT)
        context.update(page=page, next_url=next_page_url(request, page))
    else:
        context["roots"] = orgs.tree_roots(request.user, under)[:TREE_ROOTS_LIMIT]
    return render(request, "orgs/org_list.html", context)


@login_required
def org_children(request, code):
    """The <li> nodes under one organization, for the tree browser (htmx partial)."""
    org = org_or_404(request, code)
    page = page_of(request, orgs.child_nodes(request.user, org), key="code", limit=CHILDREN_LIMIT)
    return render(
        request,
        "orgs/_tree_nodes.html",
        {"nodes": page.items, "parent": org, "next_cursor": page.next_cursor},
    )


@login_required
def org_detail(request, code):
    org = org_or_404(request, code)
    user = request.user
    hosts = list(orgs.host_units(org))
    seen = set(
        orgs.visible_units(user).filter(pk__in=[u.pk for u in hosts]).values_list("pk", flat=True)
    )
    can_manage = org.is_active and gate.can(user, gate.MANAGE, org)
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "ancestors": orgs.ancestors(org).filter(pk__in=orgs.visible_orgs(user)),
            "children": orgs.child_nodes(user, org)[:200],
            "counts": orgs.subtree_counts(user, org),
            "hosts": [(u, u.pk in seen) for u in hosts],
            "assignments": access.assignments_in_scope(user).filter(org=org),
            "can_manage": can_manage,
            "can_dissolve": org.is_active and gate.can(user, gate.MANAGE, org.parent or org),
        },
    )


# --- Organization lifecycle forms ---------------------------------------------------------


def _managed_or_403(request, code, *, via_parent: bool = False):
    """The organization (404 when out of sight), if the user may change it (else 403)."""
    org = org_or_404(request, code)
    gate.require(request.user, gate.MANAGE, (org.parent or org) if via_parent else org)
    return org


def _lifecycle(request, org, form, *, title, submit, perform, done, danger=False, extra=None):
    """GET shows the form; a valid POST calls `perform`, whose ValidationErrors go on the form."""
    if response := submit_form(
        request,
        form,
        perform,
        done=done,
        to=lambda target: reverse("orgs:org_detail", args=[target.code]),
    ):
        return response
    return render(
        request,
        "orgs/org_form.html",
        {
            "org": org,
            "form": form,
            "title": title,
            "submit": submit,
            "danger": danger,
            **(extra or {}),
        },
    )


@login_required
def org_set_up(request, code):
    parent = _managed_or_403(request, code)
    form = forms.SetUpForm(form_data(request), user=request.user, parent=parent)

    def perform(d):
        return services.set_up(
            request.user,
            code=d["code"],
            name=d["name"],
            kind=d["kind"],
            parent=parent,
            founded_on=d["on"],
            formation_mode=d["formation_mode"],
            management_mode=d["management_mode"],
            units=d["units"],
        )

    return _lifecycle(
        request,
        parent,
        form,
        title=_("Set up a subordinate organization"),
        submit=_("Set up"),
        perform=perform,
        done=_("The organization has been set up."),
    )


@login_required
def org_rename(request, code):
    org = _managed_or_403(request, code)
    form = forms.RenameForm(form_data(request), initial={"name": org.name})
    return _lifecycle(
        request,
        org,
        form,
        title=_("Rename"),
        submit=_("Rename"),
        perform=lambda d: services.rename(request.user, org, name=d["name"], on=d["on"]),
        done=_("The organization has been renamed."),
    )


@login_required
def org_move(request, code):
    org = _managed_or_403(request, code)
    form = forms.MoveForm(form_data(request), user=request.user, org=org)
    candidates = orgs.manageable(request.user, tree=org.tree).exclude(pk=org.parent_id)
    return _lifecycle(
        request,
        org,
        form,
        title=_("Move under another organization"),
        submit=_("Move"),
        perform=lambda d: services.move(request.user, org, new_parent=d["new_parent"], on=d["on"]),
        done=_("The organization has been moved."),
        extra={"parent_choices": candidates[:CHOICES_LIMIT]},
    )


@login_required
def org_merge(request, code):
    org = _managed_or_403(request, code)
    siblings = (
        orgs.manageable(request.user, tree=org.tree)
        .filter(parent_id=org.parent_id)
        .exclude(pk=org.pk)[:CHOICES_LIMIT]
        if org.parent_id
        else []
    )
    form = forms.MergeForm(form_data(request), user=request.user, org=org, candidates=siblings)
    return _lifecycle(
        request,
        org,
        form,
        title=_("Merge other organizations into this one"),
        submit=_("Merge"),
        perform=lambda d: services.merge(request.user, d["organizations"], into=org, on=d["on"]),
        done=_("The organizations have been merged; the merged ones are dissolved."),
        danger=True,
    )


@login_required
def org_split(request, code):
    org = _managed_or_403(request, code)
    form = forms.SplitForm(
        form_data(request),
        org=org,
        units=orgs.host_units(org),
        children=orgs.children(request.user, org)[:CHOICES_LIMIT],
    )

    def perform(d):
        part = {k: d[k] for k in ("code", "name", "kind", "units", "children")}
        services.split(request.user, org, parts=[part], on=d["on"])
        return org

    return _lifecycle(
        request,
        org,
        form,
        title=_("Split off a new organization"),
        submit=_("Split"),
        perform=perform,
        done=_("The new organization has been split off."),
    )


@login_required
def org_dissolve(request, code):
    org = _managed_or_403(request, code, via_parent=True)
    form = forms.DissolveForm(form_data(request))

    def perform(d):
        return services.dissolve(request.user, org, on=d["on"], reason=d["reason"])

    return _lifecycle(
        request,
        org,
        form,
        title=_("Dissolve"),
        submit=_("Dissolve"),
        perform=perform,
        done=_("The organization has been dissolved."),
        danger=True,
    )


@login_required
def org_host_units(request, code):
    org = _managed_or_403(request, code)
    current = "\n".join(u.credit_code for u in orgs.host_units(org))
    form = forms.HostUnitsForm(form_data(request), user=request.user, initial={"units": current})
    return _lifecycle(
        request,
        org,
        form,
        title=_("Host units"),
        submit=_("Save"),
        perform=lambda d: services.set_host_units(request.user, org, units=d["units"], on=d["on"]),
        done=_("The host units have been saved."),
    )


@login_required
def org_flags(request, code):
    org = _managed_or_403(request, code)
    form = forms.FlagsForm(form_data(request), initial=forms.FlagsForm.initial_for(org)).fit(org)

    def perform(d):
        changes = {name: d[name] for name in form.changed_data}
        return services.update_flags(request.user, org, **changes) if changes else org

    return _lifecycle(
        request,
        org,
        form,
        title=_("Status flags and counts"),
        submit=_("Save"),
        perform=perform,
        done=_("The status has been saved."),
    )


# --- Host units -----------------------------------------------------------------------------


def _unit_or_404(request, pk):
    try:
        return orgs.get_visible_unit(request.user, pk)
    except Unit.DoesNotExist:
        raise Http404(_("No such unit, or you may not see it.")) from None


def _may_manage_unit(user, unit) -> bool:
    owners = [o for o in (unit.responsible_org, unit.responsible_union) if o is not None]
    if not owners:
        return gate.is_system_admin(user)
    return any(gate.can(user, gate.MANAGE, o) for o in owners)


@login_required
def unit_list(request):
    form = forms.UnitFilterForm(request.GET)
    form.is_valid()
    f = form.cleaned_data
    under = switcher.current_org(request)
    units = orgs.unit_list(
        request.user,
        kind=f.get("kind") or None,
        ownership=f.get("ownership") or None,
        scale=above_scale(under, timezone.localdate()),
        above_scale=f.get("above_scale"),
        has_party=f.get("has_party"),
        has_union=f.get("has_union"),
        query=f.get("q") or "",
        region=f.get("region") or "",
        include_closed=bool(f.get("closed")),
        under=under,
    )
    page = page_of(request, units, key="id", limit=UNIT_LIMIT)
    return render(
        request,
        "orgs/unit_list.html",
        {
            "form": form,
            "page": page,
            "next_url": next_page_url(request, page),
            "under": under,
            "may_register": orgs.visible_orgs(request.user, gate.MANAGE).exists(),
        },
    )


@login_required
def unit_detail(request, pk):
    unit = _unit_or_404(request, pk)
    scale = above_scale(unit.responsible_org or unit.responsible_union, timezone.localdate())
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "above_scale": orgs.visible_units(request.user).filter(scale, pk=unit.pk).exists(),
            "links": orgs.hosted_orgs(request.user, unit),
            "events": history(unit)[:UNIT_HISTORY_LIMIT],
            "can_edit": unit.closed_on is None and _may_manage_unit(request.user, unit),
        },
    )


def _unit_form_page(request, form, *, title, perform, unit=None):
    if response := submit_form(
        request,
        form,
        perform,
        done=_("The unit has been saved."),
        to=lambda saved: reverse("orgs:unit_detail", args=[saved.pk]),
    ):
        return response
    return render(request, "orgs/unit_form.html", {"form": form, "title": title, "unit": unit})


@login_required
def unit_register(request):
    user = request.user
    if not orgs.visible_orgs(user, gate.MANAGE).exists():
        raise PermissionDenied(_("You do not manage any organization."))
    initial = {}
    code = request.GET.get("org")
    start = switcher.current_org(request)
    if code:
        start = org_or_404(request, code)
    if start is not None:
        initial["responsible_union" if start.tree == Tree.UNION else "responsible_org"] = start.code
    form = forms.UnitForm(form_data(request), user=user, initial=initial)

    def perform(d):
        return services.register_unit(
            user, credit_code=d["credit_code"], on=d["on"], **form.service_fields()
        )

    return _unit_form_page(request, form, title=_("Register a host unit"), perform=perform)


@login_required
def unit_edit(request, pk):
    unit = _unit_or_404(request, pk)
    if unit.closed_on is not None or not _may_manage_unit(request.user, unit):
        raise PermissionDenied(_("You may not change this unit."))
    form = forms.UnitForm(
        form_data(request), user=request.user, unit=unit, initial=forms.UnitForm.initial_for(unit)
    )

    def perform(d):
        return services.update_unit(request.user, unit, on=d["on"], **form.service_fields())

    return _unit_form_page(
        request, form, title=_("Change the unit's details"), perform=perform, unit=unit
    )


# --- Policy in force, history ----------------------------------------------------------------


@login_required
def org_policy(request, code):
    org = org_or_404(request, code)
    on = timezone.localdate()
    return render(
        request, "orgs/org_policy.html", {"org": org, "rows": in_force(org, on), "on": on}
    )


@login_required
def org_history(request, code):
    org = org_or_404(request, code)
    return render(
        request,
        "orgs/history.html",
        {"object": org, "org": org, "events": history(org)[:HISTORY_LIMIT]},
    )

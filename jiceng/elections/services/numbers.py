"""The document number (发文字号) and signer (签发人) of a case's final documents."""

from django.utils import timezone

from jiceng.orgs.services import issue_number

from .. import permissions
from ..models import Committee, Officer, Post, System

TITLES = {"request": "请示", "report": "选举结果的报告"}
# who signs for the organization: its first officer (书记 / 工会主席) on the day
SIGNING_POSTS = {System.PARTY: Post.SECRETARY, System.UNION: Post.CHAIR}


def signer_of(case, on=None) -> str:
    """The name of the organization's first officer today, or blank (the signer writes it)."""
    on = on or timezone.localdate()
    committee = Committee.UNION if case.system == System.UNION else Committee.PARTY
    officer = (
        Officer.objects.in_force(on)
        .filter(term__org=case.org, term__committee=committee, post=SIGNING_POSTS[case.system])
        .filter(term__starts_on__lte=on)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return officer.person.name if officer else ""


def issue_case_number(user, case, kind: str, to: str = "upper") -> dict:
    """Number the final request or report (the first download gives the number, later ones
    show the same); refused to anyone who does not manage the organization."""
    permissions.require_manage(user, case.org)
    key = f"elections.case:{case.pk}:{kind}" + (f":{to}" if kind == "request" else "")
    found = issue_number(user, case.org, key=key, title=f"{case.org.name}{TITLES.get(kind, kind)}")
    return {"number": str(found), "signer": signer_of(case) if kind == "request" else None}

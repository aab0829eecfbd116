"""发文字号: numbers for official documents, per issuing organization, per year, in sequence."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from jiceng.access import gate
from jiceng.audit.services import record

from ..models import DocumentNumber, Kind, Organization

DRAFT_NUMBER = "〔  〕号"  # a draft shows the brackets with room for the year and number
# The kind's word in the prefix (机关代字): 示例党支〔2026〕3号, 示例工〔2026〕1号.
KIND_WORDS = {
    Kind.PARTY_COMMITTEE: "党委",
    Kind.PARTY_WORKING_COMMITTEE: "党工委",
    Kind.PARTY_LEADERSHIP_GROUP: "党组",
    Kind.GENERAL_BRANCH: "党总支",
    Kind.BRANCH: "党支",
    Kind.PARTY_GROUP: "党小组",
    Kind.UNION_FEDERATION: "总工",
    Kind.UNION: "工",
    Kind.JOINT_UNION: "联工",
    Kind.UNION_GROUP: "工组",
}
# Words the prefix leaves out: the name's own kind words, so only the place or unit stays.
_TRIM = ("中共", "中国共产党")
_TAILS = (
    "工作委员会",
    "支部委员会",
    "总支部委员会",
    "委员会",
    "总工会",
    "联合工会",
    "工会",
    "党总支",
    "党支部",
    "支部",
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "公司",
)


def prefix_of(org: Organization) -> str:
    """A short prefix from the name: two characters of the unit or place and the kind's word."""
    core = org.name
    for head in _TRIM:
        core = core.removeprefix(head)
    changed = True
    while changed:
        changed = False
        for tail in _TAILS:
            if core.endswith(tail) and len(core) > len(tail):
                core, changed = core[: -len(tail)], True
    return core[:2] + KIND_WORDS.get(org.kind, "")


def number_text(found: DocumentNumber | None, prefix: str = "") -> str:
    """示例党支〔2026〕3号, or 示例党支〔  〕号 for a draft."""
    if found is None:
        return prefix + DRAFT_NUMBER
    return str(found)


def issued_number(org: Organization, key: str) -> DocumentNumber | None:
    """The number given to this document before (a re-download shows the same number)."""
    return DocumentNumber.objects.filter(org=org, key=key).first()


def issue_number(
    actor, org: Organization, *, key: str, title: str, on: dt.date | None = None
) -> DocumentNumber:
    """The document's number, given now if it has none: the next of `org`'s numbers this year.
    Only those who manage the organization issue its documents (its officers)."""
    gate.require(actor, gate.MANAGE, org)
    on = on or timezone.localdate()
    for _attempt in range(3):
        found = issued_number(org, key)
        if found is not None:
            return found
        try:
            with transaction.atomic():
                # one writer per organization at a time: the row lock orders concurrent issues
                Organization.objects.select_for_update().filter(pk=org.pk).exists()
                last = DocumentNumber.objects.filter(org=org, year=on.year).aggregate(
                    n=Max("number")
                )["n"]
                found = DocumentNumber.objects.create(
                    org=org,
                    year=on.year,
                    number=(last or 0) + 1,
                    prefix=prefix_of(org),
                    key=key,
                    title=title[:200],
                    issued_on=on,
                    issued_by=actor,
                )
                record(
                    actor,
                    "orgs.document_number.issue",
                    found,
                    after={"number": str(found), "key": key, "title": found.title},
                    org=org,
                )
                return found
        except IntegrityError:  # a concurrent issue took the number or the key: look again
            continue
    raise RuntimeError("could not allocate a document number")

"""The nomination form (推荐审批表) of an award as an official document (`jiceng.documents`):
the nominee's particulars from the records, the main deeds, and the boxes for the opinions of
the nominating and the awarding organizations. Read through the award selectors as the acting
user, so a form holds only a nomination the user may see."""

from django.conf import settings
from django.utils import translation

from jiceng.documents import OfficialDocument, cn_date
from jiceng.people.models import PartyMembership

from .selectors import awards as award_selectors


def _label(choice) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(choice)


def _person_rows(person) -> list[tuple[str, str]]:
    m = PartyMembership.objects.filter(person=person).select_related("org").first()
    return [
        ("姓名", person.name),
        ("性别", _label(person.get_gender_display()) if person.gender else ""),
        ("出生年月", f"{person.birth_date:%Y.%m}" if person.birth_date else ""),
        ("学历", _label(person.get_education_display()) if person.education else ""),
        ("职务", person.post),
        ("入党时间", cn_date(m.joined_on) if m and m.joined_on else ""),
        ("所在党组织", m.org.name if m else ""),
    ]


def _org_rows(org) -> list[tuple[str, str]]:
    return [
        ("组织名称", org.name),
        ("组织类别", _label(org.get_kind_display())),
        ("成立时间", cn_date(org.founded_on) if org.founded_on else ""),
        ("党员（会员）人数", str(org.reported_members or "")),
    ]


def nomination_form(user, nomination) -> OfficialDocument:
    n = award_selectors.get_nomination(user, nomination.pk)
    round_ = n.round
    title = f"{round_.year}年度{_label(round_.get_kind_display())}推荐审批表"
    doc = OfficialDocument(title)
    rows = _person_rows(n.nominee_person) if n.nominee_person else _org_rows(n.nominee_org)
    rows += [
        ("推荐单位", n.by_org.name),
        ("主要事迹", n.deeds),
        ("推荐单位意见", f"（盖章）\n{cn_date(n.nominated_on)}"),
        ("公示情况", _publicity(round_)),
        ("审批意见", _decision(n)),
    ]
    doc.table(["项目", "内容"], rows, widths=[40, 116])
    return doc


def _publicity(round_) -> str:
    if round_.publicity_from is None:
        return ""
    last = round_.publicity_until.fromordinal(round_.publicity_until.toordinal() - 1)
    return f"{cn_date(round_.publicity_from)}至{cn_date(last)}"


def _decision(n) -> str:
    round_ = n.round
    if n.approved is None:
        return f"{round_.org.name}（盖章）"
    verdict = "同意授予" if n.approved else f"不予授予。{n.decision_note}"
    return f"{verdict}（{round_.document_number}）\n{round_.org.name}\n{cn_date(round_.decided_on)}"


def filename(n) -> str:
    return f"{n.round.year}推荐审批表-{n.nominee_name}"

"""The election case's documents as official documents (公文, GB/T 9704 layout), in Chinese as
they are filed: the request (请示), the election results report (选举结果的报告) and the
results notice (选举结果的通知). Wording follows seed 004:L277-326 for the union and the usual
forms of the Party's 基层组织选举工作条例 for the Party.

The caller reaches the case through a selector (the gate decides); these functions only
compose what the case and its polls say.
"""

import datetime as dt

from jiceng.documents import OfficialDocument, cn_date, cn_number, ordinal

from . import selectors
from .cases import committees_of, surplus
from .models import Committee, CongressKind, Post, System
from .text import committee_label

CONGRESS_WORDS = {
    (System.UNION, CongressKind.DELEGATES): "会员代表大会",
    (System.UNION, CongressKind.MEMBERS): "会员大会",
    (System.PARTY, CongressKind.DELEGATES): "党员代表大会",
    (System.PARTY, CongressKind.MEMBERS): "党员大会",
}
COMMITTEE_WORDS = {Committee.UNION: "工会委员会", Committee.AUDIT: "经费审查委员会"}
# How the request names the officers proposed with the Party organization's agreement.
PROPOSED_WORDS = {
    Post.CHAIR: "工会主席",
    Post.VICE_CHAIR: "副主席",
    Post.AUDIT_CHAIR: "经审主任",
    Post.AUDIT_VICE_CHAIR: "经审副主任",
}
# To whom the request goes: the same-level Party organization first, then the upper level.
RECIPIENTS = ("upper", "party")


def congress_words(case) -> str:
    return CONGRESS_WORDS[(case.system, case.congress_kind)]


def congress_name(case) -> str:
    """第二次会员代表大会 / 党员大会 (a Party general meeting is not numbered)."""
    if case.system == System.PARTY:
        return congress_words(case)
    return ordinal(case.congress_number, "次") + congress_words(case)


def years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def years_elapsed(case) -> int | None:
    """Full years from the last congress to the planned one (表明已满几年)."""
    if case.last_congress_on is None:
        return None
    return years_between(case.last_congress_on, case.planned_on)


def committee_of(org) -> str:
    """The committee that speaks for the organization: 示例工会 → 示例工会委员会, and a name
    that already ends in 委员会 is kept as it is (never 委员会委员会)."""
    return org.name if org.name.endswith("委员会") else f"{org.name}委员会"


def short_name(org, committee: str) -> str:
    """The organization's name without its committee's own words, so a term can follow it:
    示例有限公司工会委员会 → 示例有限公司 (then 第二届工会委员会), 中共××支部委员会 → 中共××."""
    suffixes = [str(committee_label(org.kind, committee)), "委员会"]
    if committee == Committee.UNION:
        suffixes += ["工会委员会", "工会"]
    name = org.name
    for suffix in sorted(set(suffixes), key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def notice_title(org, term: str) -> str:
    """关于示例有限公司第二届工会委员会选举结果的通知 (the union is named once)."""
    committee = Committee.UNION if term.endswith("工会委员会") else Committee.PARTY
    return f"关于{short_name(org, committee)}{term}\n选举结果的通知"


def _committee_name(case, committee: str) -> str:
    if committee in COMMITTEE_WORDS:
        return COMMITTEE_WORDS[committee]
    return str(committee_label(case.org.kind, committee))


def _term(case, committee: str) -> str:
    """第二届工会委员会."""
    return ordinal(case.term_number, "届") + _committee_name(case, committee)


def _names(names) -> str:
    return "、".join(names)


def _comrades(names) -> str:
    """×××同志、×××同志."""
    return "、".join(f"{n}同志" for n in names)


# -- the request ----------------------------------------------------------------------------


def masthead(case, number: str | None = None, signer: str | None = None) -> dict:
    """The 版头 of a document the organization sends up (请示, 报告): its name in red, the
    document number (a draft: 示例工〔  〕号) and, for a request, who signs it (签发人)."""
    from jiceng.orgs.services import number_text, prefix_of

    return {
        "organ": f"{case.org.name}文件",
        "number": number or number_text(None, prefix_of(case.org)),
        "signer": signer,
    }


def request_document(
    case,
    on: dt.date | None = None,
    to: str = "upper",
    *,
    number: str | None = None,
    signer: str | None = None,
) -> OfficialDocument:
    """关于召开××工会第×次会员代表大会的请示 (or the Party's request for its general meeting).

    A union's request goes first to the same-level Party organization (`to="party"`), then,
    once it agrees, to the upper-level union (`to="upper"`, copied to the Party organization).
    """
    if to not in RECIPIENTS:
        raise ValueError(to)
    on = on or case.requested_on
    org, union = case.org, case.system == System.UNION
    to_party = to == "party"
    if to_party and not (union and case.party_org):
        raise ValueError("only a union's request goes to a same-level Party organization")
    title = f"关于召开{org.name}\n{congress_name(case)}的请示"
    if not union:
        title = f"关于召开{org.name}\n{congress_name(case)}进行换届选举的请示"
    recipient = case.party_org.name if to_party else case.upper_org.name
    doc = OfficialDocument(
        title,
        recipient=recipient,
        issuer=org.name,
        date=on,
        **masthead(case, number, signer or " " * 4),  # a request always names its signer
    )
    previous = ordinal(case.term_number - 1, "届") if case.term_number > 1 else ""
    main = Committee.UNION if union else Committee.PARTY
    opening = []
    if case.last_congress_on:
        opening.append(
            f"{short_name(org, main)}{previous}{_committee_name(case, main)}"
            f"于{cn_date(case.last_congress_on)}"
            f"召开的{'上次' + congress_words(case) if union else '党员大会'}上选举产生，"
            f"至本次大会召开时已满{cn_number(years_elapsed(case))}年。"
        )
    if to_party:
        agreed = "经研究，"
    else:
        agreed = f"经{case.party_org.name}同意，" if union and case.party_org else "经研究，"
    opening.append(
        f"{agreed}拟于{cn_date(case.planned_on)}召开{org.name}{congress_name(case)}，"
        "进行换届选举。现将有关事项请示如下："
    )
    doc.paragraph("".join(opening))

    doc.heading(1, "会议时间和代表")
    if case.congress_kind == CongressKind.DELEGATES:
        produced = f"，{case.delegate_method}" if case.delegate_method else ""
        attend = f"拟定参会代表{case.delegates}名{produced}"
    else:  # a general meeting: every member attends, no delegates are produced
        whole = "全体会员" if union else "全体党员"
        attend = f"由{whole}参加，应到会{case.delegates}名"
    doc.paragraph(f"会议拟于{cn_date(case.planned_on)}召开。本次{congress_words(case)}{attend}。")

    doc.heading(1, "委员名额和产生办法")
    rows = []
    for committee in committees_of(case):
        seats = case.audit_seats if committee == Committee.AUDIT else case.committee_seats
        method = case.audit_method if committee == Committee.AUDIT else case.committee_method
        need = surplus(case, committee, 0, on)
        name = _term(case, committee)
        text = f"{name}拟设委员{seats}名，实行{method}"
        if need.required_surplus:
            text += (
                f"，提名候选人{need.required}名，差额{need.required_surplus}名，"
                f"差额比例不低于{need.ratio_percent}"
            )
        doc.heading(2, f"{_committee_name(case, committee)}。", body=text + "。")
        rows.append([len(rows) + 1, f"{_committee_name(case, committee)}委员", seats, method])
    if union:
        elected = "、".join(_committee_name(case, c) for c in committees_of(case))
        doc.paragraph(
            f"{ordinal(case.term_number, '届')}{elected}委员候选人，由{committee_of(org)}"
            f"向{case.party_org.name if case.party_org else '本级党组织'}提出建议名单，经党组织审核"
            f"同意后，提交{congress_words(case)}通过后进行选举。"
        )
    else:
        doc.paragraph(
            f"委员候选人预备人选经党员酝酿推荐产生，报{case.upper_org.name}审查同意后，"
            f"提交{congress_words(case)}进行选举。"
        )

    if union:
        doc.heading(1, "主席、副主席和经审主任" if case.audit_seats else "主席、副主席")
    else:
        doc.heading(1, "书记、副书记")
    if union:
        posts = f"{ordinal(case.term_number, '届')}委员会拟设主席{case.chair_posts}人"
        if case.vice_chair_posts:
            posts += f"、副主席{case.vice_chair_posts}人"
        if case.audit_chair_posts:
            posts += f"；经费审查委员会拟设主任{case.audit_chair_posts}人"
            if case.audit_vice_chair_posts:
                posts += f"、副主任{case.audit_vice_chair_posts}人"
        method = _officer_method(case)
        rows.append([len(rows) + 1, "主席", case.chair_posts, method])
        if case.vice_chair_posts:
            rows.append([len(rows) + 1, "副主席", case.vice_chair_posts, method])
        if case.audit_chair_posts:
            rows.append([len(rows) + 1, "经审主任", case.audit_chair_posts, method])
        if case.audit_vice_chair_posts:
            rows.append([len(rows) + 1, "经审副主任", case.audit_vice_chair_posts, method])
    else:
        posts = f"{ordinal(case.term_number, '届')}委员会拟设书记{case.chair_posts}名"
        if case.vice_chair_posts:
            posts += f"、副书记{case.vice_chair_posts}名"
        rows.append([len(rows) + 1, "书记", case.chair_posts, case.officer_method])
        if case.vice_chair_posts:
            rows.append([len(rows) + 1, "副书记", case.vice_chair_posts, case.officer_method])
    doc.paragraph(f"{posts}，{_officer_method(case)}。")
    proposed = _proposed_words(case)
    if proposed:
        if to_party:  # the Party organization is asked to agree to the names
            doc.paragraph(f"{committee_of(org)}建议{proposed}，请予审定，简历附后。")
        else:
            doc.paragraph(f"经{case.party_org.name}研究同意，拟定{proposed}，简历附后。")
    doc.table(["序号", "职务", "名额", "产生办法"], rows, widths=[18, 42, 20, 76])
    doc.paragraph("以上请示妥否，请批示。")
    if proposed:
        doc.attachments([f"{_proposed_posts(case)}人选简历"])
    doc.signature(seal=True)
    if union and case.party_org and not to_party:
        doc.distribution(cc=[case.party_org.name])
    return doc


AUDIT_PLENARIES = "均在新产生的工会委员会和经费审查委员会第一次全体会议上民主选举产生"


def _officer_method(case) -> str:
    """How officers are elected; a case without a funds audit committee does not mention one
    (cases filed before the default said so keep the stored words otherwise)."""
    if (
        case.system == System.UNION
        and not case.audit_seats
        and case.officer_method == (AUDIT_PLENARIES)
    ):
        return "均在新产生的工会委员会第一次全体会议上民主选举产生"
    return case.officer_method


def _proposed_words(case) -> str:
    """工会主席为×××、副主席为×××、×××、经审主任为××× (seed 004's optional sentence)."""
    if case.system != System.UNION or not case.party_org:
        return ""
    return "、".join(
        f"{PROPOSED_WORDS[post]}为{_names(names)}"
        for post, names in (case.proposed_officers or {}).items()
        if post in PROPOSED_WORDS and names
    )


def _proposed_posts(case) -> str:
    """工会主席、副主席、经审主任 (the posts whose candidates' résumés are attached)."""
    return "、".join(
        PROPOSED_WORDS[post]
        for post, names in (case.proposed_officers or {}).items()
        if post in PROPOSED_WORDS and names
    )


# -- the results report and the notice -----------------------------------------------------


def _member_rows(case, committee: str, data: dict) -> list[list]:
    from jiceng.people.models import Person

    members = data["committees"].get(committee, [])
    people = Person.objects.in_bulk([m["person_id"] for m in members if m["person_id"]])
    posts = {}
    for post, names in (
        (Post.CHAIR, data["chair"]),
        (Post.VICE_CHAIR, data["vice_chairs"]),
        (Post.AUDIT_CHAIR, data["audit_chair"]),
        (Post.AUDIT_VICE_CHAIR, data["audit_vice_chairs"]),
    ):
        for n in names:
            posts[n] = post
    rows = []
    for i, m in enumerate(members, 1):
        person = people.get(m["person_id"])
        gender = person.get_gender_display() if person and person.gender else ""
        role = _post_word(case, committee, posts.get(m["name"]))
        rows.append([i, m["name"], gender, role, m["votes"]])
    return rows


def _post_word(case, committee: str, post) -> str:
    if post is None:
        return "委员"
    if case.system == System.PARTY:
        return {Post.CHAIR: "书记", Post.VICE_CHAIR: "副书记"}.get(post, "委员")
    if committee == Committee.AUDIT:
        return {Post.AUDIT_CHAIR: "主任", Post.AUDIT_VICE_CHAIR: "副主任"}.get(post, "委员")
    return {Post.CHAIR: "主席", Post.VICE_CHAIR: "副主席"}.get(post, "委员")


def results_report(
    case, on: dt.date | None = None, *, number: str | None = None, signer: str | None = None
) -> OfficialDocument:
    """关于××单位工会第×次代表大会（会员大会）选举结果的报告 (seed 004): the unit, the congress
    and its date, the delegates present, the committee and audit committee (lists attached),
    the chair, vice-chairs and audit chair."""
    data = selectors.report_data(case)
    on = on or data["plenary_on"] or case.held_on
    org, union = case.org, case.system == System.UNION
    unit = data["unit"]
    if union:
        title = f"关于{unit}工会{congress_name(case)}\n选举结果的报告"
    else:
        title = f"关于{org.name}{congress_name(case)}\n选举结果的报告"
    doc = OfficialDocument(
        title,
        recipient=case.upper_org.name,
        issuer=org.name,
        date=on,
        **masthead(case, number, signer),
    )
    held = cn_date(case.held_on)
    attachments = []
    if union:
        committee = data["committees"].get(Committee.UNION, [])
        audit = data["committees"].get(Committee.AUDIT, [])
        who = "代表" if case.congress_kind == CongressKind.DELEGATES else "会员"
        text = (
            f"我单位于{held}召开了工会{congress_name(case)}，共有{case.present}名{who}参加会议"
            f"（应到会{case.delegates}名）。大会民主选举产生了由"
            f"{_names(m['name'] for m in committee)}等{len(committee)}名同志组成的"
            f"{_term(case, Committee.UNION)}"
        )
        attachments.append(f"{_term(case, Committee.UNION)}委员名单")
        if audit:
            text += (
                f"和由{_names(m['name'] for m in audit)}等{len(audit)}名同志组成的"
                f"{_term(case, Committee.AUDIT)}"
            )
            attachments.append(f"{_term(case, Committee.AUDIT)}委员名单")
        doc.paragraph(text + "（名单附后）。")
        plenary = (
            f"随之召开的{unit}{_term(case, Committee.UNION)}第一次全体会议上，"
            f"民主选举{_comrades(data['chair'])}为工会主席"
        )
        if data["vice_chairs"]:
            plenary += f"，{_comrades(data['vice_chairs'])}为工会副主席"
        plenary += "。"
        if data["audit_chair"]:
            plenary += (
                f"经费审查委员会第一次全体会议上，民主选举{_comrades(data['audit_chair'])}"
                "为经审主任"
            )
            if data["audit_vice_chairs"]:
                plenary += f"，{_comrades(data['audit_vice_chairs'])}为经审副主任"
            plenary += "。"
        doc.paragraph(plenary)
        doc.paragraph("特此报告，请审批。")
    else:
        committee = data["committees"].get(Committee.PARTY, [])
        name = _term(case, Committee.PARTY)
        doc.paragraph(
            f"{org.name}于{held}召开{congress_name(case)}，应到会有选举权的党员{case.delegates}名，"
            f"实到会{case.present}名。大会以无记名投票方式，差额选举产生了由"
            f"{_names(m['name'] for m in committee)}等{len(committee)}名同志组成的{name}"
            "（名单附后）。"
        )
        attachments.append(f"{name}委员名单")
        text = f"在随后召开的{name}第一次全体会议上，选举{_comrades(data['chair'])}为书记"
        if data["vice_chairs"]:
            text += f"，{_comrades(data['vice_chairs'])}为副书记"
        doc.paragraph(text + "。")
        doc.paragraph("特此报告，请批复。")
    doc.attachments(attachments)
    doc.signature(seal=True)
    headers = ["序号", "姓名", "性别", "职务", "得票数"]
    widths = [16, 40, 20, 40, 40]
    for number, committee in enumerate(
        [c for c in (Committee.PARTY, Committee.UNION, Committee.AUDIT) if c in data["committees"]],
        1,
    ):
        doc.attachment(f"{_term(case, committee)}委员名单", number=number)
        doc.table(headers, _member_rows(case, committee, data), widths=widths)
        doc.paragraph("（按姓氏笔画为序）", indent=False, align="right")
    return doc


def results_notice(case, on: dt.date | None = None) -> OfficialDocument:
    """关于选举产生××第×届委员会的通知: the result announced to the members."""
    data = selectors.report_data(case)
    on = on or data["plenary_on"] or case.held_on
    org, union = case.org, case.system == System.UNION
    main = Committee.UNION if union else Committee.PARTY
    title = notice_title(org, _term(case, main))
    recipient = "各分工会（工会小组）、全体会员" if union else "各党小组、全体党员"
    doc = OfficialDocument(title, recipient=recipient, issuer=org.name, date=on)
    doc.paragraph(
        f"{cn_date(case.held_on)}，{org.name}召开{congress_name(case)}，以无记名投票方式选举产生了"
        + (
            _term(case, Committee.UNION)
            + (f"和{_term(case, Committee.AUDIT)}" if Committee.AUDIT in data["committees"] else "")
            if union
            else _term(case, Committee.PARTY)
        )
        + "。现将选举结果通知如下："
    )
    for committee in [c for c in (main, Committee.AUDIT) if c in data["committees"]]:
        members = data["committees"][committee]
        doc.heading(1, f"{_term(case, committee)}（{len(members)}名，按姓氏笔画为序）")
        doc.paragraph(_names(m["name"] for m in members))
        if committee == Committee.AUDIT:
            if data["audit_chair"]:
                doc.paragraph(_names(data["audit_chair"]), label="主任：")
            if data["audit_vice_chairs"]:
                doc.paragraph(_names(data["audit_vice_chairs"]), label="副主任：")
        else:
            chair, vice = ("主席：", "副主席：") if union else ("书记：", "副书记：")
            doc.paragraph(_names(data["chair"]), label=chair)
            if data["vice_chairs"]:
                doc.paragraph(_names(data["vice_chairs"]), label=vice)
    doc.paragraph("特此通知。")
    doc.signature(seal=True)
    return doc


DOCUMENTS = {
    "request": (request_document, "请示"),
    "report": (results_report, "选举结果的报告"),
    "notice": (results_notice, "选举结果的通知"),
}


def filename(case, kind: str, to: str = "upper") -> str:
    if kind == "request" and to == "party" and case.party_org:
        return f"{case.org.name}{DOCUMENTS[kind][1]}（报{case.party_org.name}）.docx"
    return f"{case.org.name}{DOCUMENTS[kind][1]}.docx"


def report_ready(case) -> bool:
    """The results report and notice need the first plenary meetings' results declared."""
    from .models import CaseState

    return case.state in (CaseState.PLENARY, CaseState.DONE) and bool(
        selectors.report_data(case)["chair"]
    )

"""The election case's documents read back as Word files: a union whose name already ends in
委员会, a 会员大会 (members' congress) without a funds audit committee, and the notice's title."""

from jiceng.elections import documents
from jiceng.elections.models import CongressKind
from jiceng.orgs.models import Kind
from tests.test_election_case import docx_text, file_union_request, make_company


def _committee_union(world, company):
    """A union registered under its full name, 示例有限公司工会委员会."""
    union = company["union"]
    union.name = "示例有限公司工会委员会"
    union.save(update_fields=["name"])
    return union


def test_union_request_names_the_committee_once_and_fits_a_members_congress(world):
    company = make_company(world)
    _committee_union(world, company)
    case = file_union_request(
        company, congress_kind=CongressKind.MEMBERS, audit_seats=0, delegates=60
    )
    text = docx_text(documents.request_document(case).to_bytes())
    party_text = docx_text(documents.request_document(case, to="party").to_bytes())
    for body in (text, party_text):
        assert "委员会委员会" not in body
        assert "示例有限公司工会委员会" in body
        assert "会员大会" in body and "会员代表大会" not in body
        # a members' congress: every member attends, no delegates are produced by ratio
        assert "按照比例" not in body and "推荐" not in body.split("二、")[0]
        assert "全体会员" in body
        # no funds audit committee was requested
        assert "经费审查委员会" not in body and "经审" not in body


def test_union_request_with_delegates_and_audit_keeps_both(world):
    company = make_company(world)
    case = file_union_request(company)
    text = docx_text(documents.request_document(case).to_bytes())
    assert "按照比例" in text and "会员代表大会" in text
    assert "经费审查委员会委员候选人" in text
    assert "示例有限公司工会委员会" in text and "委员会委员会" not in text


def test_results_notice_title_does_not_repeat_the_union():
    class Org:
        name = "示例有限公司工会"
        kind = Kind.UNION

    title = documents.notice_title(Org, "第二届工会委员会")
    assert title.replace("\n", "") == "关于示例有限公司第二届工会委员会选举结果的通知"
    Org.name = "示例有限公司工会委员会"
    title = documents.notice_title(Org, "第二届工会委员会")
    assert title.replace("\n", "") == "关于示例有限公司第二届工会委员会选举结果的通知"
    Org.name = "中共示例有限公司支部委员会"
    Org.kind = Kind.BRANCH
    title = documents.notice_title(Org, "第二届支部委员会")
    assert title.replace("\n", "") == "关于中共示例有限公司第二届支部委员会选举结果的通知"

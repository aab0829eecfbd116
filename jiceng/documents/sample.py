"""A sample document that shows every block: `jiceng document sample -o FILE`.

The text follows the request (请示) of seed 004 for a union congress; names are invented.
"""

import datetime as dt

from .official import OfficialDocument


def sample_document(today: dt.date | None = None) -> OfficialDocument:
    today = today or dt.date.today()
    doc = OfficialDocument(
        "关于召开示例有限公司工会\n第二次会员代表大会的请示",
        recipient="示例区总工会",
        issuer="示例有限公司工会",
        date=today,
    )
    doc.paragraph(
        "示例有限公司工会第一届委员会于2021年11月选举产生，任期已满五年。经公司党委同意，"
        "拟于2027年1月召开公司工会第二次会员代表大会，进行换届选举。现将有关事项请示如下："
    )
    doc.heading(1, "会议时间和代表")
    doc.paragraph(
        "会议拟于2027年1月15日召开。本次代表大会拟定参会代表85名，按照比例，自下而上民主推荐产生。"
    )
    doc.heading(1, "委员会和经费审查委员会")
    doc.heading(
        2, "委员名额。", body="第二届工会委员会拟设委员21名，实行差额选举，提名23名，差额2名。"
    )
    doc.heading(2, "经费审查委员会。", body="拟设委员5名，实行差额选举。")
    doc.heading(1, "主席、副主席和经审主任")
    doc.paragraph(
        "第二届委员会拟设主席1人、副主席2人，经费审查委员会拟设主任1人，均在新产生的委员会和"
        "经费审查委员会第一次全体会议上民主选举产生。"
    )
    doc.table(
        ["序号", "职务", "名额", "产生办法"],
        [
            [1, "委员", 21, "代表大会差额选举"],
            [2, "经审委员", 5, "代表大会差额选举"],
            [3, "主席", 1, "第一次全体会议选举"],
            [4, "副主席", 2, "第一次全体会议选举"],
        ],
        widths=[18, 38, 22, 78],
    )
    doc.paragraph("以上请示妥否，请批示。")
    doc.attachments(["第二届工会委员会委员候选人建议名单", "代表名额分配方案"])
    doc.signature(seal=True)
    doc.attachment("第二届工会委员会委员候选人建议名单", number=1)
    doc.table(
        ["序号", "姓名", "性别", "出生年月", "现任职务"],
        [[1, "王示例", "女", "1985.03", "人力资源部经理"]],
    )
    doc.distribution(cc=["示例有限公司党委"], printer="示例有限公司工会办公室", printed=today)
    return doc

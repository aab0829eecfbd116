"""Documents of an assessment round as official documents (`jiceng.documents`, GB/T 9704):
the publicity notice of the results (考评结果公示) and the result notice (考评结果通报).

The builders take what the caller read through `selectors` as the acting user (the round,
`selectors.round_results` and `selectors.round_distribution`), so a document holds only what
that user may see. Shares are printed with one decimal as everywhere in the product (127 of
179 → 70.9%; the seed 003:L184 rounds the same figure to 71%).

`EXPORT_DOCUMENTS` registers the kinds `jiceng export KIND --org CODE --period P -o FILE`
can write (see jiceng/sheets/management/commands/export.py for the protocol).
"""

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from jiceng.documents import OfficialDocument, cn_date
from jiceng.kernel.workdays import is_working_day
from jiceng.policy.selectors import value as policy_value

from . import selectors
from .exports import GRADE_LABELS
from .models import Grade


def period_label(period: str) -> str:
    """'2026' → 2026年度, '2026H1' → 2026年上半年, '2026H2' → 2026年下半年."""
    halves = {"H1": "上半年", "H2": "下半年"}
    return f"{period[:4]}年{halves.get(period[4:], '度')}"


def _points(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _share(figure) -> str:
    return "—" if figure.rate is None else f"{figure.rate:g}%"


def last_publicity_day(round_) -> dt.date:
    """The last working day of the publicity period (`publicity_until` is the day after)."""
    day = round_.publicity_until - dt.timedelta(days=1)
    while day > round_.publicity_from and not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _subject(round_) -> str:
    return f"{round_.org.name}{period_label(round_.period)}{round_.scheme.name}考评结果"


def _result_table(doc: OfficialDocument, rows: list[dict]) -> None:
    doc.table(
        ["序号", "组织名称", "考评得分", "等次"],
        [
            [
                i,
                r["entry"].org.name,
                _points(r["entry"].total),
                GRADE_LABELS.get(r["entry"].grade, "")
                + ("（一票否决）" if r["entry"].vetoed else ""),
            ]
            for i, r in enumerate(rows, 1)
        ],
        widths=[16, 80, 26, 34],
    )


def publicity_notice(round_, rows: list[dict]) -> OfficialDocument:
    """考评结果公示: the organizations and their grades, the publicity period with its last
    day, and how to raise an objection. The round is in publicity or final."""
    selectors.require_published(round_)
    org = round_.org
    days = int(policy_value("assessment.publicity.working_days", org, round_.publicity_from))
    doc = OfficialDocument(f"关于{_subject(round_)}的公示", issuer=org.name)
    doc.paragraph(
        f"根据《{round_.scheme.name}》，经组织自评、考评组考评，{org.name}对所属"
        f"{len(rows)}个组织{period_label(round_.period)}的工作进行了考评，"
        "现将考评结果予以公示，接受党员群众监督。"
    )
    last = last_publicity_day(round_)
    doc.paragraph(
        f"{cn_date(round_.publicity_from)}至{cn_date(last)}（{days}个工作日）。",
        label="公示时间：",
    )
    doc.paragraph(
        f"公示期间，对考评结果有异议的，请于{cn_date(last)}前以来信、来访、电话等方式"
        f"向{org.name}反映。反映情况应实事求是、客观公正；以个人名义反映的请署真实姓名，"
        "以单位名义反映的请加盖公章。对反映的问题将认真调查核实，并予以答复。",
        label="异议受理：",
    )
    doc.heading(1, "考评结果")
    _result_table(doc, rows)
    doc.signature(seal=True, date=round_.publicity_from)
    return doc


def result_notice(round_, rows: list[dict], figures: dict) -> OfficialDocument:
    """考评结果通报: grades, counts and shares by grade, the organizations graded 优秀 and
    those that must rectify, and the full list as an attachment. The round is final."""
    selectors.require_final(round_)
    org = round_.org
    doc = OfficialDocument(
        f"关于{_subject(round_)}的通报", recipient="所属各基层组织", issuer=org.name
    )
    doc.paragraph(
        f"根据《{round_.scheme.name}》，{org.name}组织开展了{period_label(round_.period)}考评工作。"
        "经组织自评、考评组考评和结果公示，考评结果已经确定，现将有关情况通报如下。"
    )
    doc.heading(1, "考评结果")
    counts = "；".join(
        f"{GRADE_LABELS[g['grade']]}{g['count']}个，占{_share(g['share'])}"
        for g in figures["grades"]
    )
    doc.paragraph(f"本次共考评{figures['count']}个组织，其中{counts}。")
    doc.table(
        ["等次", "个数", "占比"],
        [[GRADE_LABELS[g["grade"]], g["count"], _share(g["share"])] for g in figures["grades"]]
        + [["合计", figures["count"], "100%" if figures["count"] else "—"]],
        widths=[60, 48, 48],
    )
    excellent = [r["entry"].org.name for r in rows if r["entry"].grade == Grade.EXCELLENT]
    doc.heading(1, "评为优秀的组织")
    doc.paragraph(
        f"{'、'.join(excellent)}（共{len(excellent)}个）。"
        if excellent
        else "本次无评为优秀的组织。"
    )
    owing = [r for r in rows if r["rectification"] is not None]
    doc.heading(1, "限期整改的组织")
    if owing:
        for r in owing:
            e = r["entry"]
            doc.paragraph(
                f"{e.org.name}（{GRADE_LABELS.get(e.grade, '')}"
                f"{'，一票否决' if e.vetoed else ''}），"
                f"须于{cn_date(r['rectification'].due)}前报送整改方案，限期整改。"
            )
    else:
        doc.paragraph("本次无须限期整改的组织。")
    doc.heading(1, "工作要求")
    doc.paragraph(
        "评为优秀的组织要再接再厉，发挥示范带动作用；其他组织要对照考评发现的问题，"
        "认真查找不足，切实抓好整改，推动基层组织建设全面进步。"
    )
    doc.attachments(["考评结果一览表"])
    doc.signature(seal=True, date=round_.final_on)
    doc.attachment("考评结果一览表")
    _result_table(doc, rows)
    return doc


def filename(round_, kind: str) -> str:
    return f"{_subject(round_)}{'公示' if kind == 'publicity' else '通报'}.docx"


# --- Registration for `jiceng export` -------------------------------------------------------


class DocumentKind(NamedTuple):
    help: str
    arguments: tuple  # argparse options beyond --org/-o/--pdf/--as: (flags, kwargs)
    build: Callable  # build(actor, org, **options) -> OfficialDocument


def _read(actor, org, period):
    round_ = selectors.round_for(actor, org, period)
    rows = selectors.round_results(actor, round_)
    return round_, rows


def _publicity(actor, org, *, period, **_options):
    round_, rows = _read(actor, org, period)
    return publicity_notice(round_, rows)


def _notice(actor, org, *, period, **_options):
    round_, rows = _read(actor, org, period)
    return result_notice(round_, rows, selectors.round_distribution(rows))


PERIOD = (
    ("--period",),
    {"metavar": "PERIOD", "help": "the assessment period: 2026, 2026H1 or 2026H2"},
)

EXPORT_DOCUMENTS = {
    "assessment-publicity": DocumentKind(
        help="考评结果公示：--org 开启考评的组织，--period 考评期（.docx，--pdf 另存 PDF）",
        arguments=(PERIOD,),
        build=_publicity,
    ),
    "assessment-notice": DocumentKind(
        help="考评结果通报：--org 开启考评的组织，--period 考评期（.docx，--pdf 另存 PDF）",
        arguments=(PERIOD,),
        build=_notice,
    ),
}
